"""Tiny labelled image sets for training tests: learnable in a few steps."""

from __future__ import annotations

import numpy as np
import torch

from evonas.data import DATASETS, LabelledImages

NB201_ARCH = "|nor_conv_3x3~0|+|none~0|skip_connect~1|+|nor_conv_1x1~0|none~1|avg_pool_3x3~2|"
TINY_NB201 = {"C": 4, "N": 1}


def synthetic(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Noisy uint8 images whose class is a brighter horizontal band (rows 3k..3k+2): easy to learn."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 10
    images = rng.normal(100, 30, size=(n, 3, 32, 32))
    for k in range(10):
        images[labels == k, :, 3 * k : 3 * k + 3, :] += 100
    return np.clip(images, 0, 255).astype(np.uint8), labels.astype(np.int64)


def labelled(n: int, seed: int) -> LabelledImages:
    images, labels = synthetic(n, seed)
    return LabelledImages(torch.from_numpy(images), torch.from_numpy(labels), DATASETS.get("cifar10"), "synthetic")
