"""Training data: a fixed train/validation split, a torch Dataset, and the augmentations, as torch ops.

Augmentations are small tensor functions (no torchvision: its PyPI wheels pin their own
torch). What needs the whole image -- a random-resized crop, the resize before a centre crop
-- is done per image in :class:`ImageDataset` (so a DataLoader's workers do it as they decode);
the rest on whole batches in the trainer. Each draws only from the generator it is given
(a per-image generator seeded by ``(seed, epoch, image)``), so a seeded epoch is the same
epoch after a resume and with any number of workers.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
import torch
from torch.nn import functional as F
from torch.utils.data import Dataset

from evonas.data import FolderImages, LabelledImages
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
    """The images ``indices`` of a labelled split as ``(image, label)`` pairs, ``size`` × ``size``, unnormalised.

    Each image is read (a class folder's decoded now, at its own size), then either cut by a
    random-resized crop (``crop``: the range of area shares) or resized (shorter side to
    ``resize`` × ``size``) and centre-cropped to ``size``; an image already ``size`` × ``size``
    with ``resize`` 1 is returned as stored. Set :attr:`epoch` before each pass: the crops of
    image ``i`` in epoch ``e`` are drawn from a generator seeded by ``(seed, e, i)``.
    """

    def __init__(self, data: LabelledImages | FolderImages, indices: torch.Tensor | None = None, *,
                 size: int | None = None, crop: tuple[float, float] | None = None, resize: float = 1.0,
                 seed: int = 0) -> None:
        self.data = data
        self.indices = torch.arange(len(data)) if indices is None else indices
        self.labels = data.labels
        self.size = data.size if size is None else size
        self.crop, self.resize, self.seed = crop, resize, seed
        #: the pass being read: it seeds the random crops
        self.epoch = 0

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, k: int) -> tuple[torch.Tensor, torch.Tensor]:
        i = int(self.indices[k])
        image = self.data.image(i)
        if self.crop is not None:
            generator = torch.Generator().manual_seed(item_seed(self.seed, self.epoch, i))
            image = random_resized_crop(image, self.size, self.crop, generator)
        else:
            image = resize_centre(image, self.size, round(self.size * self.resize))
        return image, self.labels[i]


def item_seed(seed: int, epoch: int, item: int) -> int:
    """An independent seed for image ``item`` in ``epoch`` (numpy's SeedSequence mixes the three)."""
    return int(np.random.SeedSequence([seed, epoch, item, 7]).generate_state(1, dtype=np.uint64)[0] >> 1)


def _resize(image: torch.Tensor, h: int, w: int) -> torch.Tensor:
    """(C, H, W) resized to ``h`` × ``w`` (bilinear, antialiased), in the image's dtype."""
    if image.shape[-2:] == (h, w):
        return image
    out = F.interpolate(image[None].float(), size=(h, w), mode="bilinear", align_corners=False, antialias=True)[0]
    return out.round().clamp(0, 255).to(torch.uint8) if image.dtype == torch.uint8 else out


def resize_centre(image: torch.Tensor, size: int, resize: int | None = None) -> torch.Tensor:
    """(C, H, W) with its shorter side resized to ``resize`` (default ``size``), then the central ``size`` × ``size``.

    ImageNet's validation transform is ``resize_centre(x, 224, 256)``.
    """
    resize = size if resize is None else resize
    h, w = image.shape[-2:]
    scale = resize / min(h, w)
    nh, nw = max(resize, round(h * scale)), max(resize, round(w * scale))
    image = _resize(image, nh, nw)
    top, left = (nh - size) // 2, (nw - size) // 2
    return image[:, top: top + size, left: left + size]


def random_resized_crop(image: torch.Tensor, size: int, scale: tuple[float, float], generator: torch.Generator,
                        ratio: tuple[float, float] = (3 / 4, 4 / 3)) -> torch.Tensor:
    """A random part of ``image`` (C, H, W) -- ``scale`` of its area, aspect in ``ratio`` -- resized to ``size`` × ``size``.

    torchvision's ``RandomResizedCrop`` (Szegedy et al. 2015, "Going deeper with convolutions"):
    ten tries at a box that fits, else the central crop of the clamped aspect ratio.
    """
    h, w = image.shape[-2:]
    area = h * w
    log_ratio = (math.log(ratio[0]), math.log(ratio[1]))
    for _ in range(10):
        u = torch.rand(4, generator=generator).tolist()
        target = area * (scale[0] + (scale[1] - scale[0]) * u[0])
        aspect = math.exp(log_ratio[0] + (log_ratio[1] - log_ratio[0]) * u[1])
        cw, ch = round(math.sqrt(target * aspect)), round(math.sqrt(target / aspect))
        if 0 < cw <= w and 0 < ch <= h:
            top, left = int(u[2] * (h - ch + 1)), int(u[3] * (w - cw + 1))
            break
    else:
        aspect = w / h
        cw, ch = (w, round(w / ratio[1])) if aspect > ratio[1] else (round(h * ratio[0]), h) if aspect < ratio[0] else (w, h)
        top, left = (h - ch) // 2, (w - cw) // 2
    return _resize(image[:, top: top + ch, left: left + cw], size, size)


def colour_jitter(x: torch.Tensor, jitter: tuple[float, float, float, float], generator: torch.Generator) -> torch.Tensor:
    """Images ``x`` (N, 3, H, W) in [0, 1] with random brightness, contrast, saturation and hue, as torchvision's ``ColorJitter``.

    Per image, as torchvision's ``ColorJitter`` applied image by image: factors from [1 - v, 1 + v]
    (hue: a shift in [-v, v] of a turn) and the order of the four adjustments (:func:`jitter_draws`).
    Vectorised by step: at each of the four steps, the images whose order names the same
    adjustment get it together. An adjustment with ``v = 0`` is skipped.
    """
    factors, order = jitter_draws(len(x), jitter, generator)
    factors, order = factors.to(x.device, x.dtype), order.to(x.device)
    for step in range(len(ADJUSTMENTS)):
        for op, adjust in enumerate(ADJUSTMENTS):
            rows = torch.nonzero(order[:, step] == op).flatten()
            if jitter[op] and len(rows):
                x = x.index_copy(0, rows, adjust(x[rows], factors[op, rows]))
    return x


def jitter_draws(n: int, jitter: tuple[float, float, float, float],
                 generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """The random part of :func:`colour_jitter` for ``n`` images, drawn from ``generator``.

    Returns:
        ``factors`` (4, n): brightness, contrast and saturation factors from [1 - v, 1 + v], hue shifts
        from [-v, v] turns; ``order`` (n, 4): each image's own random order of the four
        (indices into :data:`ADJUSTMENTS`), as torchvision draws one per call.
    """
    draws = torch.rand(4, n, generator=generator)
    v = torch.tensor(jitter, dtype=draws.dtype)[:, None]
    factors = torch.cat([1 - v[:3] + 2 * v[:3] * draws[:3], (2 * draws[3:] - 1) * v[3:]])
    return factors, torch.rand(n, 4, generator=generator).argsort(dim=1)


def _brightness(x: torch.Tensor, f: torch.Tensor) -> torch.Tensor:
    return (f[:, None, None, None] * x).clamp(0, 1)


def _contrast(x: torch.Tensor, f: torch.Tensor) -> torch.Tensor:
    f = f[:, None, None, None]
    return (f * x + (1 - f) * _grey(x).mean(dim=(-3, -2, -1), keepdim=True)).clamp(0, 1)


def _saturation(x: torch.Tensor, f: torch.Tensor) -> torch.Tensor:
    f = f[:, None, None, None]
    return (f * x + (1 - f) * _grey(x)).clamp(0, 1)


def _hue(x: torch.Tensor, shift: torch.Tensor) -> torch.Tensor:
    return _shift_hue(x, shift[:, None, None])


#: the adjustments of :func:`colour_jitter`, ``adjust(images (N, 3, H, W), factors (N,))``, in the order of a
#: recipe's ``jitter`` values: brightness, contrast, saturation, hue
ADJUSTMENTS: tuple[Callable[[torch.Tensor, torch.Tensor], torch.Tensor], ...] = (_brightness, _contrast, _saturation, _hue)


def _grey(x: torch.Tensor) -> torch.Tensor:
    """Luma (ITU-R 601-2, as Pillow and torchvision), (N, 1, H, W)."""
    return (0.299 * x[:, 0] + 0.587 * x[:, 1] + 0.114 * x[:, 2])[:, None]


def _shift_hue(x: torch.Tensor, shift: torch.Tensor) -> torch.Tensor:
    """Hue of ``x`` (N, 3, H, W) in [0, 1] turned by ``shift`` (N, 1, 1) of a turn: through HSV and back."""
    r, g, b = x.unbind(1)
    maxc, minc = x.max(1).values, x.min(1).values
    delta = maxc - minc
    safe = torch.where(delta > 0, delta, torch.ones_like(delta))
    s = torch.where(maxc > 0, delta / torch.where(maxc > 0, maxc, torch.ones_like(maxc)), torch.zeros_like(maxc))
    rc, gc, bc = (maxc - r) / safe, (maxc - g) / safe, (maxc - b) / safe
    h = torch.where(maxc == r, bc - gc, torch.where(maxc == g, 2.0 + rc - bc, 4.0 + gc - rc))
    h = torch.where(delta > 0, (h / 6.0) % 1.0, torch.zeros_like(h))
    h = (h + shift) % 1.0
    i = torch.floor(h * 6.0)
    f = h * 6.0 - i
    i = i.long() % 6
    v = maxc
    p, q, t = v * (1 - s), v * (1 - s * f), v * (1 - s * (1 - f))
    table = torch.stack([torch.stack(c, 1) for c in ((v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q))])
    return table.gather(0, i[None, :, None].expand(1, -1, 3, *i.shape[1:]))[0]


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
