"""Fixtures of the training tests: a tiny CIFAR-style .npz."""

from __future__ import annotations

import numpy as np
import pytest
from train_data import synthetic


@pytest.fixture(scope="session")
def tiny_npz(tmp_path_factory) -> str:
    """An .npz with 160 training and 40 test images."""
    path = tmp_path_factory.mktemp("data") / "tiny.npz"
    train_images, train_labels = synthetic(160, 0)
    test_images, test_labels = synthetic(40, 1)
    np.savez(path, train_images=train_images, train_labels=train_labels, test_images=test_images, test_labels=test_labels)
    return str(path)


@pytest.fixture(autouse=True)
def _one_thread(one_thread):
    """Every test here runs on one torch thread (the shared ``one_thread`` fixture)."""
