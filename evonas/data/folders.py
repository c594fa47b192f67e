"""Class-folder datasets (torchvision's ``ImageFolder`` layout), read lazily with Pillow.

``DIR/<class>/<image>``, or ``DIR/train/<class>/...`` and ``DIR/val/<class>/...`` when both
exist. torchvision's conventions are kept without depending on it (its wheels pin their own
torch): class names sorted -> indices 0..K-1, its list of image extensions (case-insensitive),
every image converted to RGB. Grayscale, palette, 16-bit and RGBA images are converted, not
refused (16-bit samples are scaled to 8 bits; alpha is dropped, as ``convert("RGB")`` does).

Lazy by design: a split's file names are listed once per process with ``os.scandir`` (no
image is opened), and only the images a batch or a statistic needs are decoded. A folder
without ``val/`` is split once, by a fixed seed, into ``train`` and a held-out ``test`` share
(:data:`HELD_OUT`), so training has a test set and searches never see it.

Every image read is resized (shorter side to ``size``, bilinear with antialiasing) and
centre-cropped to ``size`` × ``size``; one smaller than ``size`` is upscaled, with an
:class:`UpscaledImages` warning.
"""

from __future__ import annotations

import functools
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from evonas.errors import ConfigError, DataError

#: torchvision's ``IMG_EXTENSIONS``: the file names a class folder's images may have (any case)
IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")
#: share of a folder without ``val/`` held out as its test split (always the same files: seed 0)
HELD_OUT = 0.1
#: training images sampled (seed 0) for a folder's own mean, std and default image size
STATS_SAMPLES = 256
_SPLIT_SEED = 0


class UpscaledImages(UserWarning):
    """Some images read were smaller than ``--image-size`` and were upscaled."""


@dataclass(frozen=True)
class ImageFolder:
    """One split of a class-folder dataset: file names and labels, nothing decoded.

    Attributes:
        root: the dataset folder the user named.
        split: ``"train"`` or ``"test"``.
        classes: class folder names, sorted; a label is an index into them.
        files: image paths relative to ``root``, in sorted order (class, then name).
        labels: (N,) int64 class index of each file.
    """

    root: Path
    split: str
    classes: tuple[str, ...]
    files: tuple[str, ...]
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.files)

    def path(self, i: int) -> Path:
        return self.root / self.files[i]


def is_class_folder(path: Path) -> bool:
    """Whether ``path`` is a directory read as a class-folder dataset (the caller has ruled out CIFAR batches)."""
    return Path(path).is_dir()


def split_folders(root: Path) -> dict[str, Path]:
    """``{"train": DIR/train, "test": DIR/val}`` when both exist, else ``{"train": DIR}`` (split by :data:`HELD_OUT`)."""
    root = Path(root)
    if (root / "train").is_dir() and (root / "val").is_dir():
        return {"train": root / "train", "test": root / "val"}
    return {"train": root}


def list_split(root: Path | str, split: str = "train") -> ImageFolder:
    """The files of one split of the dataset in ``root``, listed once per process (cached while unchanged).

    Raises:
        DataError: no class folders, a class without images, or ``val/`` classes that differ
            from ``train/``'s (the message names the folder and what was found).
        ConfigError: ``split`` is not ``train`` or ``test``.
    """
    if split not in ("train", "test"):
        raise ConfigError(f"class folder: split must be train or test, got {split!r}")
    root = Path(root)
    folders = split_folders(root)
    return _listing(str(root), tuple(_stamp(p) for p in folders.values()))[split]


def _stamp(path: Path) -> int:
    return path.stat().st_mtime_ns


@functools.lru_cache(maxsize=4)
def _listing(root: str, stamps: tuple[int, ...]) -> dict[str, ImageFolder]:
    """Both splits of ``root`` (``stamps``: the split folders' modification times, so an edited folder is re-listed)."""
    base = Path(root)
    folders = split_folders(base)
    classes, files, labels = _list_classes(folders["train"])
    prefix = os.path.relpath(folders["train"], base)
    files = tuple(os.path.normpath(os.path.join(prefix, f)) for f in files)
    if "test" in folders:
        val_classes, val_files, val_labels = _list_classes(folders["test"])
        if val_classes != classes:
            extra = sorted(set(val_classes) ^ set(classes))
            raise DataError(f"{folders['test']}: its classes differ from {folders['train']}'s "
                            f"({', '.join(extra[:5])}{', ...' if len(extra) > 5 else ''} in only one); "
                            "val/ must hold the same class folders as train/")
        train = ImageFolder(base, "train", classes, files, labels)
        test = ImageFolder(base, "test", classes, tuple(os.path.join("val", f) for f in val_files), val_labels)
        return {"train": train, "test": test}
    order = np.random.default_rng(_SPLIT_SEED).permutation(len(files))
    held = np.zeros(len(files), dtype=bool)
    held[order[: round(len(files) * HELD_OUT)]] = True
    pick = lambda mask: (tuple(f for f, m in zip(files, mask) if m), labels[mask])  # noqa: E731
    return {"train": ImageFolder(base, "train", classes, *pick(~held)),
            "test": ImageFolder(base, "test", classes, *pick(held))}


def _list_classes(folder: Path) -> tuple[tuple[str, ...], tuple[str, ...], np.ndarray]:
    """Sorted class names, the image files under each (relative to ``folder``, sorted) and their labels."""
    with os.scandir(folder) as entries:
        classes = tuple(sorted(e.name for e in entries if e.is_dir() and not e.name.startswith(".")))
    if not classes:
        raise DataError(f"{folder}: no class folders; expected DIR/<class>/<image> (or DIR/train/ and DIR/val/ "
                        "holding class folders, as torchvision's ImageFolder reads) or CIFAR python batches "
                        "(data_batch_1, ...)")
    files: list[str] = []
    labels: list[int] = []
    for index, name in enumerate(classes):
        found = sorted(_images_under(folder / name, name))
        if not found:
            raise DataError(f"{folder / name}: class {name!r} has no images; expected files ending in "
                            f"{', '.join(IMG_EXTENSIONS)}")
        files += found
        labels += [index] * len(found)
    return classes, tuple(files), np.asarray(labels, dtype=np.int64)


def _images_under(folder: Path, prefix: str) -> list[str]:
    """Paths (``prefix/...``) of the image files in ``folder`` and its subfolders, as torchvision walks them."""
    out = []
    with os.scandir(folder) as entries:
        for e in entries:
            if e.name.startswith("."):
                continue
            if e.is_dir():
                out += _images_under(Path(e.path), f"{prefix}/{e.name}")
            elif e.name.lower().endswith(IMG_EXTENSIONS):
                out.append(f"{prefix}/{e.name}")
    return out


def choose(folder: ImageFolder, samples: int, seed: int) -> np.ndarray:
    """Indices of ``samples`` distinct files drawn with ``np.random.default_rng(seed)``: the proxy batch's files."""
    if samples > len(folder):
        raise DataError(f"{folder.root}: {samples} samples requested, but its {folder.split} split holds "
                        f"{len(folder)} images")
    return np.sort(np.random.default_rng(seed).choice(len(folder), size=samples, replace=False))


def batch_files(source: Path | str, *, samples: int, seed: int) -> list[str]:
    """The files (relative to ``source``) of the proxy batch that ``load_images(source, samples=, seed=)`` reads.

    A run folder saves them, so the batch a search scored with can be named and rebuilt.
    Lists the folder (once per process); decodes nothing.
    """
    folder = list_split(source, "train")
    return [folder.files[i] for i in choose(folder, samples, seed)]


def read_images(folder: ImageFolder, indices: np.ndarray, size: int) -> np.ndarray:
    """The images ``indices`` of ``folder`` as uint8 (n, 3, size, size), each resized and centre-cropped.

    Raises:
        DataError: a file is not a readable image (corrupt, truncated, another kind of file):
            the message names it.
    """
    out = np.empty((len(indices), 3, size, size), dtype=np.uint8)
    small = []
    for k, i in enumerate(indices):
        image, shorter = read_image(folder.path(int(i)), size)
        out[k] = image
        if shorter < size:
            small.append(folder.files[int(i)])
    if small:
        warnings.warn(f"{folder.root}: {len(small)} of the {len(indices)} images read are smaller than "
                      f"--image-size {size} and were upscaled (e.g. {small[0]})", UpscaledImages, stacklevel=2)
    return out


def read_image(path: Path, size: int) -> tuple[np.ndarray, int]:
    """One image as uint8 (3, size, size) (shorter side resized to ``size``, centre crop) and its original shorter side."""
    rgb = decode(path)
    shorter = min(rgb.size)
    return np.asarray(resize_crop(rgb, size)).transpose(2, 0, 1), shorter


def read_full(path: Path) -> np.ndarray:
    """One image at its own size as uint8 (3, H, W): what training augments (random-resized crops)."""
    return np.asarray(decode(path)).transpose(2, 0, 1)


def decode(path: Path) -> "Image.Image":
    """The image in ``path`` decoded and in mode RGB; a one-line :class:`DataError` naming the file if it cannot be."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            im.load()
            rgb = to_rgb(im)
    except UnidentifiedImageError:
        raise DataError(f"{path}: not an image Pillow can read, though its name ends in {path.suffix}; "
                        "remove it or give it its right extension") from None
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as err:
        raise DataError(f"{path}: corrupt or truncated image ({err}); remove or replace it") from None
    return rgb


def to_rgb(im: "Image.Image") -> "Image.Image":
    """``im`` in mode RGB: 16-bit and 32-bit integer samples scaled to 8 bits, palette and alpha converted as Pillow does."""
    from PIL import Image

    if im.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        a = np.asarray(im, dtype=np.float64)
        scale = 255.0 / (65535.0 if im.mode != "F" or a.max() > 1.0 else 1.0)
        im = Image.fromarray(np.clip(np.rint(a * scale), 0, 255).astype(np.uint8))
    elif im.mode == "P" and "transparency" in im.info:
        im = im.convert("RGBA")  # Pillow asks for this route for palettes with transparency
    return im.convert("RGB")


def resize_crop(im: "Image.Image", size: int) -> "Image.Image":
    """Shorter side resized to ``size`` (bilinear, antialiased), then the central ``size`` × ``size`` square."""
    from PIL import Image

    w, h = im.size
    scale = size / min(w, h)
    nw, nh = max(size, round(w * scale)), max(size, round(h * scale))
    if (nw, nh) != (w, h):
        im = im.resize((nw, nh), Image.Resampling.BILINEAR)
    left, top = (nw - size) // 2, (nh - size) // 2
    return im.crop((left, top, left + size, top + size))


def sample_sizes(folder: ImageFolder) -> list[int]:
    """Shorter sides of the statistics sample (:data:`STATS_SAMPLES` files, seed 0), read from headers only."""
    from PIL import Image, UnidentifiedImageError

    sides = []
    for i in _stats_sample(folder):
        path = folder.path(int(i))
        try:
            with Image.open(path) as im:
                sides.append(min(im.size))
        except UnidentifiedImageError:
            raise DataError(f"{path}: not an image Pillow can read, though its name ends in {path.suffix}; "
                            "remove it or give it its right extension") from None
        except OSError as err:
            raise DataError(f"{path}: corrupt or truncated image ({err}); remove or replace it") from None
    return sides


def default_image_size(folder: ImageFolder) -> int:
    """The image size of a folder given no ``--image-size``: the median shorter side of its statistics sample."""
    return int(np.median(sample_sizes(folder)))


def statistics(folder: ImageFolder, size: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Per-channel mean and std (in [0, 1]) of the statistics sample at ``size``: the folder's own normalisation."""
    return _statistics(str(folder.root), folder.split, len(folder), size)


@functools.lru_cache(maxsize=8)
def _statistics(root: str, split: str, n: int, size: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
    folder = list_split(root, split)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UpscaledImages)  # the batch's own read says it, once
        x = read_images(folder, _stats_sample(folder), size).astype(np.float64) / 255.0
    mean = x.mean(axis=(0, 2, 3))
    std = np.maximum(x.std(axis=(0, 2, 3)), 1e-3)  # a one-colour sample must not divide by zero
    return tuple(round(float(m), 4) for m in mean), tuple(round(float(s), 4) for s in std)


def _stats_sample(folder: ImageFolder) -> np.ndarray:
    n = min(STATS_SAMPLES, len(folder))
    return np.sort(np.random.default_rng(0).choice(len(folder), size=n, replace=False))
