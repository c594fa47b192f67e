"""Training data: a fixed train/validation split, a torch Dataset, and batch augmentations.

Augmentations are small tensor functions on whole batches (no torchvision: its PyPI wheels
pin their own torch, and three functions are all the published recipes use). Each draws only
from the generator it is given, so a seeded epoch is the same epoch after a resume.
"""

from __future__ import annotations

import torch
from torch.utils.data import Dataset

from evonas.data import LabelledImages
from evonas.errors import DataError

#: The split's own seed: the same images are held out whatever the training seed, so the
#: validation accuracies of different architectures (and seeds) are comparable.
SPLIT_SEED = 0


def split_train_valid(n: int, valid_fraction: float) -> tuple[torch.Tensor, torch.Tensor]:
    """``(train, valid)`` indices of ``n`` training images: a seeded permutation, ``round(n * fraction)`` held out."""
    n_valid = round(n * valid_fraction)
    if n - n_valid < 2 or (valid_fraction > 0 and n_valid < 1):  # batch norm trains on 2 images or more
        raise DataError(f"{n} training images cannot be split with valid_fraction = {valid_fraction} "
                        "(need 2 or more to train on and, unless it is 0, 1 or more to validate on)")
    order = torch.randperm(n, generator=torch.Generator().manual_seed(SPLIT_SEED))
    return order[n_valid:].sort().values, order[:n_valid].sort().values


class ImageDataset(Dataset):
    """The images ``indices`` of a labelled split, as ``(image, label)`` pairs (unnormalised, as stored)."""

    def __init__(self, data: LabelledImages, indices: torch.Tensor | None = None) -> None:
        self.data = data
        self.indices = torch.arange(len(data)) if indices is None else indices

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, k: int) -> tuple[torch.Tensor, torch.Tensor]:
        i = self.indices[k]
        return self.data.images[i], self.data.labels[i]


def random_crop(x: torch.Tensor, padding: int, generator: torch.Generator) -> torch.Tensor:
    """Each image of ``x`` (N, C, H, W) padded with ``padding`` zeros per side, then cropped back at a random offset."""
    n, _, h, w = x.shape
    padded = torch.nn.functional.pad(x, (padding,) * 4)
    dy, dx = torch.randint(0, 2 * padding + 1, (2, n, 1), generator=generator)
    rows = (dy + torch.arange(h))[:, :, None]  # (n, h, 1)
    cols = (dx + torch.arange(w))[:, None, :]  # (n, 1, w)
    return padded[torch.arange(n)[:, None, None], :, rows, cols].permute(0, 3, 1, 2)


def random_flip(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Each image of ``x`` mirrored left-right with probability 1/2."""
    flip = torch.rand(len(x), generator=generator) < 0.5
    return torch.where(flip[:, None, None, None], x.flip(-1), x)


def cutout(x: torch.Tensor, size: int, generator: torch.Generator) -> torch.Tensor:
    """Zero a ``size``×``size`` square centred at a random pixel of each image, clipped at the borders.

    DeVries & Taylor 2017, as DARTS applies it: after normalisation, so the square is the mean colour.
    """
    n, _, h, w = x.shape
    cy = torch.randint(0, h, (n, 1), generator=generator)
    cx = torch.randint(0, w, (n, 1), generator=generator)
    rows = (torch.arange(h) >= cy - size // 2) & (torch.arange(h) < cy + size // 2)  # (n, h)
    cols = (torch.arange(w) >= cx - size // 2) & (torch.arange(w) < cx + size // 2)  # (n, w)
    keep = ~(rows[:, :, None] & cols[:, None, :])
    return x * keep[:, None].to(x.dtype)
