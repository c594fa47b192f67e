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


def write_class_folder(root: Path, shared: Path, *, per_class: int = 4, classes: int = 3, size: int = 32,
                       fmt: str = "png", split: str = "train", val: int = 0) -> Path:
    """A class-folder dataset (``root/<class>/<k>.<fmt>``) of real CIFAR-10 images, upsampled to ``size`` px.

    ``val > 0`` writes ``root/train/`` and ``root/val/`` (``val`` images per class from the test split).
    """
    import numpy as np
    from PIL import Image

    with np.load(shared / "cifar10_subset.npz") as npz:
        data = {s: (npz[f"{s}_images"], npz[f"{s}_labels"]) for s in ("train", "test")}
        names = [str(n) for n in npz["label_names"]]

    def write(folder: Path, split_name: str, count: int) -> None:
        images, labels = data[split_name]
        for c in range(classes):
            (folder / names[c]).mkdir(parents=True, exist_ok=True)
            for k, i in enumerate(np.flatnonzero(labels == c)[:count]):
                im = Image.fromarray(images[i].transpose(1, 2, 0))
                if size != 32:
                    im = im.resize((size, size), Image.Resampling.BILINEAR)
                im.save(folder / names[c] / f"{k:04d}.{fmt}")

    if val:
        write(root / "train", "train", per_class)
        write(root / "val", "test", val)
    else:
        write(root, split, per_class)
    return root


@pytest.fixture
def image_folder(tmp_path, shared_data) -> Path:
    """A small class folder: 3 classes x 4 real CIFAR-10 training images, 32 px PNG."""
    return write_class_folder(tmp_path / "images", shared_data)
