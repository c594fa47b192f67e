"""The small image batch that training-free proxies look at.

The SWAP reference study feeds the first 16 CIFAR-10 training images in file order, scaled to
[0, 1] and normalised with the dataset's channel mean and std. :func:`load_images` gives that
batch from the official CIFAR python batches, from an ``.npz``/``.npy`` array file, from a
class-folder dataset of the user's own images (:mod:`evonas.data.folders`), from the copy
packaged with evonas, or as Gaussian noise.

Normalisation: ``dataset`` names published constants (``cifar10``, ``cifar100``, ``imagenet``);
``None`` means CIFAR-10's for CIFAR batches and arrays, and a class folder's own statistics
(from a seeded sample of its training images) for a folder.

CIFAR's python batches are pickles. They are read with an unpickler that can build numpy
arrays and nothing else, so a tampered file cannot run code; every other file is read with
``allow_pickle=False``.
"""

from __future__ import annotations

import importlib.resources
import pickle
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

import numpy as np
import torch

from evonas.errors import ConfigError, DataError
from evonas.batch import Batch
import evonas.data.folders as folders
from evonas.registry import Registry

try:  # numpy >= 2
    from numpy._core.multiarray import _reconstruct
except ImportError:  # pragma: no cover - numpy 1.x
    from numpy.core.multiarray import _reconstruct


@dataclass(frozen=True)
class ImageSet:
    """How a dataset is stored as python batches and normalised.

    Attributes:
        folder: directory the official python archive extracts to.
        splits: split name -> batch files, in order.
        label_key: key of the labels in a batch (and in ``.npz`` files, after ``<split>_``).
        mean: per-channel mean of the training images, scaled to [0, 1].
        std: per-channel standard deviation, scaled to [0, 1].
        num_classes: number of classes of ``label_key`` (a classifier's outputs).
        shape: (channels, height, width) of one image.
    """

    folder: str
    splits: dict[str, tuple[str, ...]]
    label_key: str
    mean: tuple[float, ...]
    std: tuple[float, ...]
    num_classes: int = 10
    shape: tuple[int, int, int] = (3, 32, 32)

    def normalise(self, images: torch.Tensor) -> torch.Tensor:
        """Images (N, C, H, W), uint8 in 0..255 or floats in [0, 1], as float32 standardised per channel."""
        x = images.float() / 255.0 if images.dtype == torch.uint8 else images.float()
        mean = torch.tensor(self.mean, device=x.device)[:, None, None]
        std = torch.tensor(self.std, device=x.device)[:, None, None]
        return (x - mean) / std


@dataclass(frozen=True)
class LabelledImages:
    """A whole split of a dataset, as stored: images before normalisation, and their labels.

    Attributes:
        images: (N, C, H, W), uint8 in 0..255 or float32 in [0, 1]; kept unnormalised so that
            augmentation can pad with black as torchvision-style pipelines do, and uint8 keeps
            CIFAR-10's 50,000 training images in 150 MB.
        labels: (N,) int64 class indices.
        spec: the dataset's storage and normalisation facts.
        where: the file or folder they came from, for messages.
    """

    images: torch.Tensor
    labels: torch.Tensor
    spec: ImageSet
    where: str

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def size(self) -> int:
        """Side of the images in pixels: what training crops them to."""
        return int(self.images.shape[-1])

    def image(self, i: int) -> torch.Tensor:
        """Image ``i`` as stored, (C, H, W)."""
        return self.images[i]


@dataclass(frozen=True)
class FolderImages:
    """A whole split of a class folder, listed but not decoded: :meth:`image` reads one file when asked.

    What training on a large folder needs (a DataLoader's workers decode each image as its
    batch comes); the same interface as :class:`LabelledImages` but for ``images``.

    Attributes:
        folder: the split's files and labels.
        spec: classes, image size (``shape``) and normalisation.
        where: the folder and split, for messages.
    """

    folder: folders.ImageFolder
    spec: ImageSet
    where: str

    def __len__(self) -> int:
        return len(self.folder)

    @property
    def labels(self) -> torch.Tensor:
        return torch.from_numpy(self.folder.labels)

    @property
    def size(self) -> int:
        """Side of the images in pixels (``--image-size``, or the folder's median): what training crops them to."""
        return self.spec.shape[-1]

    def image(self, i: int) -> torch.Tensor:
        """Image ``i`` decoded at its own size, uint8 (3, H, W)."""
        return torch.from_numpy(np.ascontiguousarray(folders.read_full(self.folder.path(i))))


DATASETS: Registry[ImageSet] = Registry("dataset", "Add one with evonas.data.DATASETS.register('name')(ImageSet(...)).")
DATASETS.register("cifar10")(
    ImageSet(
        folder="cifar-10-batches-py",
        splits={"train": tuple(f"data_batch_{i}" for i in range(1, 6)), "test": ("test_batch",)},
        label_key="labels",
        mean=(0.4914, 0.4822, 0.4465),
        std=(0.2470, 0.2435, 0.2616),
    )
)
DATASETS.register("cifar100")(
    ImageSet(
        folder="cifar-100-python",
        splits={"train": ("train",), "test": ("test",)},
        label_key="fine_labels",
        mean=(0.5071, 0.4865, 0.4409),
        std=(0.2673, 0.2564, 0.2762),
        num_classes=100,
    )
)

#: ImageNet (ILSVRC-2012): the published channel statistics every ImageNet recipe normalises with;
#: its images come as a class folder (``train/`` and ``val/``), so it has no python batches.
DATASETS.register("imagenet")(
    ImageSet(
        folder="",
        splits={"train": (), "test": ()},
        label_key="labels",
        mean=(0.485, 0.456, 0.406),
        std=(0.229, 0.224, 0.225),
        num_classes=1000,
        shape=(3, 224, 224),
    )
)

DEFAULT_DATASET = "cifar10"  # the packaged batch: first 64 CIFAR-10 training images, uint8 NCHW


def load_images(
    source: str | Path | None = None,
    *,
    samples: int = 16,
    dataset: str | None = None,
    split: str = "train",
    seed: int | None = None,
    offset: int = 0,
    image_size: int | None = None,
) -> Batch:
    """A normalised image batch (float32, NCHW) with its labels.

    Args:
        source: where the images come from:
            ``None`` or ``"default"``: the first 64 CIFAR-10 training images packaged with evonas;
            ``"gaussian"``: N(0, 1) noise shaped like the dataset's images (no labels; the
            generator is seeded with ``seed``, 0 if None);
            a directory with the official python batches (``data_batch_1``..``test_batch`` for
            CIFAR-10, ``train``/``test`` for CIFAR-100), or its parent;
            a class-folder dataset (``DIR/<class>/<image>``, or ``DIR/train/`` and ``DIR/val/``;
            :mod:`evonas.data.folders`): only the batch's images are decoded;
            an ``.npz`` file with ``<split>_images`` (or ``images``, or ``x``) and optionally
            labels (``<split>_labels``, ``<split>_fine_labels``, ``labels``, ``y``);
            an ``.npy`` image array (no labels).
            Arrays may be NCHW or NHWC (told apart by the channel count) or CIFAR's flat rows;
            uint8 in 0..255 or floats already in [0, 1].
        samples: images in the batch, S.
        dataset: the normalisation constants (and the file names of CIFAR batches):
            ``"cifar10"``, ``"cifar100"``, ``"imagenet"``; None: CIFAR-10's, or a class
            folder's own statistics.
        split: ``"train"`` or ``"test"`` (a class folder's ``val/``, or its held-out share).
        seed: None takes images in file order (the reference study's choice); an int takes a
            random subset drawn with that seed. A class folder's batch is always a seeded
            draw (None: seed 0): sorted file order would be one class.
        offset: images skipped at the start of the file before selecting (arrays and batches).
        image_size: side of the square images in pixels: a class folder's images are resized
            (shorter side) and centre-cropped to it, arrays resized; None: the source's own
            size (a class folder's: ``dataset``'s, else the median shorter side of a sample).

    Raises:
        DataError: the source is missing or not in a format described above (the message
            names the path and what was expected).
        ConfigError: an argument is out of range.
    """
    check_image_size(image_size)
    if samples < 1 or offset < 0:
        raise ConfigError(f"load_images: need samples >= 1 and offset >= 0, got {samples=}, {offset=}")
    root = class_folder(source)
    if root is not None:
        folder = folders.list_split(root, split)
        spec = folder_spec(root, dataset, image_size)
        index = folders.choose(folder, samples, 0 if seed is None else seed)
        images = torch.from_numpy(folders.read_images(folder, index, spec.shape[-1]))
        return Batch(spec.normalise(images), torch.from_numpy(folder.labels[index]))
    spec = DATASETS.get(dataset or DEFAULT_DATASET)
    if split not in spec.splits:
        raise ConfigError(f"load_images: split must be one of {', '.join(spec.splits)}, got {split!r}")
    if source == "gaussian":
        generator = torch.Generator().manual_seed(0 if seed is None else seed)
        shape = spec.shape if image_size is None else (spec.shape[0], image_size, image_size)
        return Batch(torch.randn(samples, *shape, generator=generator))
    needed = offset + samples if seed is None else None
    if source is None or source == "default":
        images, labels, where = _read_default(dataset or DEFAULT_DATASET, split)
    else:
        images, labels, where = _read_path(Path(source), spec, split, needed)
    images = _to_nchw(images, spec, where)
    if labels is not None and len(labels) != len(images):
        raise DataError(f"{where}: {len(images)} images but {len(labels)} labels")
    index = _choose(len(images), samples, offset, seed, where)
    inputs = _resize(_normalise(images[index], spec, where), image_size)
    targets = None if labels is None else torch.as_tensor(np.asarray(labels)[index], dtype=torch.int64)
    return Batch(inputs, targets)


def search_batch(
    source: str | Path | None, *, samples: int, dataset: str | None, seed: int, image_size: int | None = None
) -> Batch:
    """The input batch of a search or a correlation: what every command scores architectures on.

    CIFAR batches and arrays give their first ``samples`` images in file order (the SWAP
    reference study's batch, whatever the seed); a class folder gives ``samples`` files drawn
    with ``seed`` (:func:`evonas.data.folders.batch_files` names them).
    """
    folder = class_folder(source) is not None
    return load_images(source, samples=samples, dataset=dataset, seed=seed if folder else None, image_size=image_size)


def batch_files(
    source: str | Path | None, *, samples: int, seed: int
) -> list[str] | None:
    """The files of :func:`search_batch`'s batch, relative to ``source`` (None where the source is no class folder).

    For the run folder: it lists the folder (once per process) and decodes nothing.
    """
    root = class_folder(source)
    return None if root is None else folders.batch_files(root, samples=samples, seed=seed)


#: the file in a run folder that names a class folder's batch (its files, classes, size and statistics)
BATCH_FILE = "batch_files.json"


def batch_record(
    source: str | Path | None, *, samples: int, seed: int, dataset: str | None = None, image_size: int | None = None
) -> dict[str, Any] | None:
    """What a run folder saves about its class-folder batch (:data:`BATCH_FILE`); None for any other source.

    The files of :func:`search_batch` (relative to the folder), the classes in label order,
    the image size and the normalisation statistics: enough to rebuild the batch.
    """
    files = batch_files(source, samples=samples, seed=seed)
    if files is None:
        return None
    spec = describe(source, dataset=dataset, image_size=image_size)
    classes = folders.list_split(Path(source), "train").classes  # type: ignore[arg-type]
    return {"root": str(Path(source).resolve()), "seed": seed, "image_size": spec.shape[-1], "dataset": dataset,
            "mean": list(spec.mean), "std": list(spec.std), "classes": list(classes), "files": files}


def describe(source: str | Path | None, *, dataset: str | None = None, image_size: int | None = None) -> ImageSet:
    """The facts of a run's data: class count, image shape and normalisation, without decoding a batch.

    A class folder's come from its folders (class count) and a seeded sample (size, statistics);
    any other source's are ``dataset``'s (CIFAR-10 when None) at ``image_size``.
    """
    check_image_size(image_size)
    root = class_folder(source)
    if root is not None:
        return folder_spec(root, dataset, image_size)
    spec = DATASETS.get(dataset or DEFAULT_DATASET)
    return spec if image_size is None else replace(spec, shape=(spec.shape[0], image_size, image_size))


def folder_spec(root: Path, dataset: str | None, image_size: int | None) -> ImageSet:
    """A class folder's :class:`ImageSet`: its classes, the image size, and ``dataset``'s or its own statistics."""
    train = folders.list_split(root, "train")
    named = None if dataset is None else DATASETS.get(dataset)
    size = image_size or (named.shape[-1] if named is not None else folders.default_image_size(train))
    mean, std = (named.mean, named.std) if named is not None else folders.statistics(train, size)
    return ImageSet(folder=str(root), splits={"train": (), "test": ()}, label_key="labels", mean=mean, std=std,
                    num_classes=len(train.classes), shape=(3, size, size))


def check_image_size(image_size: int | None) -> None:
    """A :class:`ConfigError` unless ``image_size`` is None or a whole number of pixels >= 1."""
    if image_size is not None and (isinstance(image_size, bool) or not isinstance(image_size, int) or image_size < 1):
        raise ConfigError(f"--image-size {image_size}: must be a whole number of pixels >= 1 (or unset: the data's own)")


def load_labelled(
    source: str | Path | None, *, dataset: str | None = None, split: str = "train", image_size: int | None = None
) -> LabelledImages:
    """Every labelled image of one split, for training: the readers of :func:`load_images`.

    Args:
        source: a CIFAR python-batch directory (or its parent), an ``.npz`` file holding
            ``<split>_images`` and labels (``<split>_labels``, ``<split>_fine_labels``), a
            class-folder dataset (every image of the split decoded at ``image_size``, held in
            memory as uint8), or ``None``/``"default"``: the 64 packaged CIFAR-10 training images.
        dataset: ``"cifar10"``, ``"cifar100"``, ``"imagenet"`` or None (see :func:`load_images`).
        split: ``"train"`` or ``"test"``.
        image_size: a class folder's image side (see :func:`load_images`); arrays are resized.

    Raises:
        DataError: the source is missing, unreadable, has no such split (an ``.npz`` must
            name it: a bare ``images`` array is not taken for both splits) or no labels.
        ConfigError: an unknown split.
    """
    check_image_size(image_size)
    root = class_folder(source)
    if root is not None:
        folder = folders.list_split(root, split)
        spec = folder_spec(root, dataset, image_size)
        images = folders.read_images(folder, np.arange(len(folder)), spec.shape[-1])
        return LabelledImages(torch.from_numpy(images), torch.from_numpy(folder.labels), spec, f"{root} ({split})")
    spec = DATASETS.get(dataset or DEFAULT_DATASET)
    dataset = dataset or DEFAULT_DATASET
    if split not in spec.splits:
        raise ConfigError(f"load_labelled: split must be one of {', '.join(spec.splits)}, got {split!r}")
    if source is None or source == "default":
        images, labels, where = _read_default(dataset, split)
    else:
        path = Path(source)
        if path.suffix == ".npy":
            raise DataError(f"{path}: an .npy array holds no labels; training needs an .npz or CIFAR python batches")
        images, labels, where = _read_path(path, spec, split, None, strict=True)
    images = _to_nchw(images, spec, where)
    if labels is None:
        raise DataError(f"{where}: no {split} labels; expected '{split}_labels' (or '{split}_{spec.label_key}')")
    if len(labels) != len(images):
        raise DataError(f"{where}: {len(images)} {split} images but {len(labels)} labels")
    labels = torch.as_tensor(np.asarray(labels), dtype=torch.int64)
    if len(labels) and not (0 <= int(labels.min()) and int(labels.max()) < spec.num_classes):
        raise DataError(f"{where}: {split} labels must be class indices in 0..{spec.num_classes - 1} ({dataset})")
    if images.dtype != np.uint8:
        _normalise(images[:1], spec, where)  # the same dtype and range check as load_images
    tensor = torch.from_numpy(np.ascontiguousarray(images))
    if image_size is not None and image_size != tensor.shape[-1]:
        resized = _resize(tensor.float() / (255.0 if tensor.dtype == torch.uint8 else 1.0), image_size)
        tensor = (resized * 255).round().clamp(0, 255).to(torch.uint8)
        spec = replace(spec, shape=(spec.shape[0], image_size, image_size))
    return LabelledImages(tensor, labels, spec, where)


def open_labelled(
    source: str | Path | None, *, dataset: str | None = None, split: str = "train", image_size: int | None = None
) -> LabelledImages | FolderImages:
    """A split to train on: a class folder's listed lazily (:class:`FolderImages`), any other source's loaded whole.

    Arguments as :func:`load_labelled`; a class folder's classes, size and statistics are known
    (:func:`describe`) but no image is decoded.
    """
    check_image_size(image_size)
    root = class_folder(source)
    if root is None:
        return load_labelled(source, dataset=dataset, split=split, image_size=image_size)
    return FolderImages(folders.list_split(root, split), folder_spec(root, dataset, image_size), f"{root} ({split})")


def class_folder(source: str | Path | None) -> Path | None:
    """``source`` as a class-folder dataset's root, or None (no source, a file, noise, CIFAR batches): how it is read."""
    if source is None or source in ("default", "gaussian"):
        return None
    path = Path(source)
    if not path.is_dir() or _holds_batches(path):
        return None
    return path


def _holds_batches(path: Path) -> bool:
    """Whether ``path`` (or its archive subfolder) holds some registered dataset's CIFAR python batches."""
    for name in DATASETS.names():
        spec = DATASETS.get(name)
        first = next(iter(spec.splits.values()), ())
        if first and any((d / first[0]).is_file() for d in (path, path / spec.folder)):
            return True
    return False


def _resize(images: torch.Tensor, image_size: int | None) -> torch.Tensor:
    """Square images resized to ``image_size`` (bilinear, antialiased; unchanged when None or equal)."""
    if image_size is None or image_size == images.shape[-1]:
        return images
    return torch.nn.functional.interpolate(images, size=(image_size, image_size), mode="bilinear",
                                           align_corners=False, antialias=True)


def _read_default(dataset: str, split: str) -> tuple[np.ndarray, np.ndarray, str]:
    where = "the packaged default batch (evonas/data/cifar10_default.npz)"
    if dataset != DEFAULT_DATASET or split != "train":
        raise DataError(f"{where} holds CIFAR-10 training images only; pass a {dataset} {split} source")
    resource = importlib.resources.files("evonas.data").joinpath("cifar10_default.npz")
    with resource.open("rb") as f, np.load(f, allow_pickle=False) as npz:
        return npz["images"], npz["labels"], where


def _read_path(
    path: Path, spec: ImageSet, split: str, needed: int | None, strict: bool = False
) -> tuple[np.ndarray, Any, str]:
    if path.is_dir():
        return _read_batches(path, spec, split, needed)
    if not path.is_file():
        raise DataError(
            f"{path}: no such file or directory; expected a class folder of images, a CIFAR python-batch "
            "directory, an .npz or .npy file, 'default' or 'gaussian'"
        )
    readers = {".npz": _read_npz, ".npy": _read_npy}
    if path.suffix not in readers:
        raise DataError(f"{path}: a {path.suffix or 'suffix-less'} file; --data takes a class folder of images "
                        "(DIR/<class>/<image>), a directory of CIFAR python batches, an .npz or an .npy file")
    try:
        images, labels = readers[path.suffix](path, spec, split, strict)
    except DataError:
        raise
    except (ValueError, OSError, EOFError) as e:
        raise DataError(f"{path}: not a readable {path.suffix} array file ({e})") from None
    return images, labels, str(path)


def _read_npy(path: Path, spec: ImageSet, split: str, strict: bool = False) -> tuple[np.ndarray, None]:
    return np.load(path, allow_pickle=False), None


def _read_npz(path: Path, spec: ImageSet, split: str, strict: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
    """Images and labels of ``split``; ``strict`` reads only the keys that name the split."""
    with np.load(path, allow_pickle=False) as npz:
        image_keys = (f"{split}_images",) if strict else (f"{split}_images", "images", "x")
        image_key = _first_key(npz.files, image_keys)
        if image_key is None:
            raise DataError(
                f"{path}: no image array; expected a key {' or '.join(map(repr, image_keys))}, found {npz.files}"
            )
        label_keys = (f"{split}_{spec.label_key}", f"{split}_labels")
        if not strict:
            label_keys += (spec.label_key, "labels", "y")
        label_key = _first_key(npz.files, label_keys)
        return npz[image_key], None if label_key is None else npz[label_key]


def _first_key(keys: list[str], candidates: tuple[str, ...]) -> str | None:
    return next((k for k in candidates if k in keys), None)


def _read_batches(path: Path, spec: ImageSet, split: str, needed: int | None) -> tuple[np.ndarray, list[int], str]:
    """Images and labels of the split's python batches, read in order until ``needed`` are in."""
    names = spec.splits[split]
    if not names:
        raise DataError(f"{path}: this dataset comes as a class folder of images, not as python batches; pass "
                        "--dataset cifar10 or cifar100 for these batches")
    folder = next((d for d in (path, path / spec.folder) if (d / names[0]).is_file()), None)
    if folder is None:
        raise DataError(
            f"{path}: expected the python batches {', '.join(names)} here or in {spec.folder}/ "
            f"(the official archive of this dataset)"
        )
    images, labels = [], []
    for name in names:
        data, batch_labels = _read_batch(folder / name, spec)
        images.append(data)
        labels.extend(batch_labels)
        if needed is not None and len(labels) >= needed:
            break
    return np.concatenate(images), labels, str(folder)


def _read_batch(file: Path, spec: ImageSet) -> tuple[np.ndarray, list[int]]:
    """``data`` (N, 3072 uint8) and labels of one python batch."""
    if not file.is_file():
        raise DataError(f"{file}: missing python batch of {file.parent}")
    with file.open("rb") as f:
        try:
            batch = _BatchUnpickler(f, file).load()
        except DataError:
            raise
        except Exception as e:  # noqa: BLE001 - a corrupt pickle fails in many ways; none may escape unnamed
            raise DataError(f"{file}: not a CIFAR python batch ({type(e).__name__}: {e})") from None
    if not isinstance(batch, dict):
        raise DataError(f"{file}: a CIFAR python batch is a dict, found {type(batch).__name__}")
    batch = {k.decode() if isinstance(k, bytes) else k: v for k, v in batch.items()}
    data, labels = batch.get("data"), batch.get(spec.label_key)
    if not (isinstance(data, np.ndarray) and data.dtype == np.uint8 and data.ndim == 2):
        raise DataError(f"{file}: expected 'data' as a uint8 array of shape (N, {np.prod(spec.shape)})")
    if labels is None or len(labels) != len(data):
        raise DataError(f"{file}: expected {spec.label_key!r} with one label per image")
    return data, list(labels)


class _BatchUnpickler(pickle.Unpickler):
    """Unpickles dicts, lists, bytes, numbers and numpy arrays; naming any other class is refused."""

    _ALLOWED: ClassVar[dict[tuple[str, str], Any]] = {
        ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
        ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): np.dtype,
    }

    def __init__(self, file: BinaryIO, path: Path) -> None:
        super().__init__(file, encoding="bytes")  # CIFAR was pickled by Python 2
        self.path = path

    def find_class(self, module: str, name: str) -> Any:
        try:
            return self._ALLOWED[(module, name)]
        except KeyError:
            raise DataError(
                f"{self.path}: refusing to unpickle {module}.{name}; a CIFAR python batch holds only "
                "numpy arrays, lists and bytes"
            ) from None


def _choose(n: int, samples: int, offset: int, seed: int | None, where: str) -> np.ndarray:
    """Indices of the batch: the first ``samples`` after ``offset``, or a seeded random subset of those."""
    if n - offset < samples:
        raise DataError(f"{where}: {samples} samples after offset {offset} requested, but it holds {n} images")
    if seed is None:
        return np.arange(offset, offset + samples)
    return offset + np.random.default_rng(seed).choice(n - offset, size=samples, replace=False)


def _to_nchw(images: np.ndarray, spec: ImageSet, where: str) -> np.ndarray:
    """(N, C, H, W) from NCHW, NHWC or CIFAR's flat channel-major rows."""
    channels = spec.shape[0]
    if images.ndim == 2 and images.shape[1] == np.prod(spec.shape):
        return images.reshape(-1, *spec.shape)
    if images.ndim == 4 and images.shape[1] == channels:
        return images
    if images.ndim == 4 and images.shape[3] == channels:
        return images.transpose(0, 3, 1, 2)
    raise DataError(
        f"{where}: expected images shaped (N, {channels}, H, W), (N, H, W, {channels}) or "
        f"(N, {np.prod(spec.shape)}), got {images.shape}"
    )


def _normalise(images: np.ndarray, spec: ImageSet, where: str) -> torch.Tensor:
    """Scale to [0, 1] (uint8 / 255; floats must already be there), then standardise per channel."""
    if images.dtype == np.uint8:
        scaled = images.astype(np.float32) / 255.0
    elif np.issubdtype(images.dtype, np.floating) and images.size and 0.0 <= images.min() and images.max() <= 1.0:
        scaled = images.astype(np.float32)
    else:
        raise DataError(f"{where}: expected uint8 images (0..255) or floats in [0, 1], got {images.dtype}")
    mean = np.asarray(spec.mean, dtype=np.float32)[:, None, None]
    std = np.asarray(spec.std, dtype=np.float32)[:, None, None]
    return torch.from_numpy(np.ascontiguousarray((scaled - mean) / std))
