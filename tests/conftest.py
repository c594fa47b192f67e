"""Shared fixtures: paths to the ground-truth data beside the repository."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` (real CIFAR images and trained-architecture tables)."""
    return find_shared_data()


def find_shared_data() -> Path:
    """``SHARED``, or a skip where it is absent — except on CI (``CI=true``), where it must be
    there: a test that silently skips on CI would hide a broken setup."""
    if not SHARED.is_dir():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"shared data not found at {SHARED} (CI=true: it must be beside the repository)")
        pytest.skip(f"shared data not found at {SHARED}")
    return SHARED


@pytest.fixture
def one_thread():
    """One torch thread: two contend on a shared 2-core machine (and results must not vary)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
