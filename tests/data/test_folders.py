"""Class-folder datasets: torchvision's conventions, lazy reads, conversions, sizes, and one-line errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from PIL import Image

from evonas.data import DATASETS, batch_files, describe, load_images, load_labelled, search_batch
from evonas.data.folders import IMG_EXTENSIONS, UpscaledImages, list_split
from evonas.errors import ConfigError, DataError
from tests.conftest import write_class_folder

CLASSES = ("airplane", "automobile", "bird")


def test_classes_are_sorted_names_and_labels_follow_the_folders(image_folder):
    folder = list_split(image_folder)
    assert folder.classes == CLASSES
    assert ".png" in IMG_EXTENSIONS and ".webp" in IMG_EXTENSIONS
    # no val/: a fixed tenth is held out as the test split, never in train
    test = list_split(image_folder, "test")
    assert len(folder) + len(test) == 12 and not set(folder.files) & set(test.files)
    for f, label in zip(folder.files, folder.labels):
        assert f.split("/")[0] == CLASSES[label]


def test_lossless_images_come_back_as_written(tmp_path, shared_data):
    root = write_class_folder(tmp_path / "d", shared_data, per_class=3, classes=2)
    data = load_labelled(root, dataset="cifar10", split="train")
    with np.load(shared_data / "cifar10_subset.npz") as npz:
        images, labels = npz["train_images"], npz["train_labels"]
    folder = list_split(root)
    for k, name in enumerate(folder.files):
        c, index = CLASSES.index(name.split("/")[0]), int(name.split("/")[1][:4])
        assert torch.equal(data.images[k], torch.from_numpy(images[np.flatnonzero(labels == c)[index]]))
    assert data.spec.num_classes == 2 and data.spec.mean == DATASETS.get("cifar10").mean


def test_batch_is_seeded_reproducible_and_names_its_files(image_folder):
    a = search_batch(image_folder, samples=6, dataset=None, seed=1)
    assert a.inputs.shape == (6, 3, 32, 32) and a.targets.dtype == torch.int64
    assert torch.equal(a.inputs, search_batch(image_folder, samples=6, dataset=None, seed=1).inputs)
    b = search_batch(image_folder, samples=6, dataset=None, seed=2)
    assert not torch.equal(a.inputs, b.inputs)
    files = batch_files(image_folder, samples=6, seed=1)
    assert len(files) == 6 and [CLASSES.index(f.split("/")[0]) for f in files] == a.targets.tolist()
    assert batch_files(tmp := image_folder.parent / "x.npz", samples=2, seed=0) is None and not tmp.exists()


def test_only_the_batch_is_decoded(image_folder):
    files = batch_files(image_folder, samples=4, seed=0)
    unused = next(f for f in list_split(image_folder).files if f not in files)
    (image_folder / unused).write_bytes(b"\x89PNG\r\n\x1a\n broken")  # decoding it would fail
    batch = load_images(image_folder, samples=4, seed=0, dataset="cifar10", image_size=32)
    assert batch.inputs.shape == (4, 3, 32, 32)


def test_own_statistics_standardise_the_sample(image_folder):
    train = list_split(image_folder)
    batch = load_images(image_folder, samples=len(train), seed=0)  # every training image: the statistics' sample
    assert torch.allclose(batch.inputs.mean(dim=(0, 2, 3)), torch.zeros(3), atol=2e-3)
    assert torch.allclose(batch.inputs.std(dim=(0, 2, 3)), torch.ones(3), atol=5e-3)
    imagenet = describe(image_folder, dataset="imagenet")
    assert imagenet.mean == (0.485, 0.456, 0.406) and imagenet.shape == (3, 224, 224) and imagenet.num_classes == 3
    assert describe(image_folder).shape == (3, 32, 32)  # the median shorter side


@pytest.mark.parametrize("fmt", ["jpg", "bmp", "webp", "JPEG"])
def test_formats(tmp_path, shared_data, fmt):
    root = write_class_folder(tmp_path / "d", shared_data, per_class=2, classes=2, fmt=fmt)
    assert load_images(root, samples=3, image_size=16).inputs.shape == (3, 3, 16, 16)


@pytest.mark.parametrize("mode", ["L", "P", "P-transparent", "I;16", "RGBA", "LA", "CMYK"])
def test_modes_are_converted_to_rgb(tmp_path, shared_data, mode):
    root = write_class_folder(tmp_path / "d", shared_data, per_class=2, classes=2)
    path = root / "automobile" / "0000.png"
    rgb = Image.open(path).convert("RGB")
    if mode == "I;16":
        im = Image.fromarray(np.asarray(rgb.convert("L"), dtype=np.uint16) * 257)
        assert im.mode == "I;16"
    elif mode == "P-transparent":
        im = rgb.convert("P")
        im.info["transparency"] = 0
    else:
        im = rgb.convert(mode)
    im.save(path.with_suffix(".tif" if mode == "CMYK" else ".png"))
    if mode == "CMYK":
        path.unlink()
    data = load_labelled(root, dataset="cifar10", image_size=32)
    assert data.images.shape[1:] == (3, 32, 32) and data.images.dtype == torch.uint8
    if mode in ("L", "I;16"):  # 16-bit samples are scaled to 8 bits, not clipped
        k = list_split(root).files.index("automobile/0000.png")
        assert torch.equal(data.images[k][0], torch.from_numpy(np.array(rgb.convert("L"))))


def test_train_and_val_folders(tmp_path, shared_data):
    root = write_class_folder(tmp_path / "d", shared_data, per_class=4, classes=3, val=2)
    assert len(list_split(root)) == 12 and len(list_split(root, "test")) == 6
    assert load_labelled(root, split="test").labels.tolist() == [0, 0, 1, 1, 2, 2]
    (root / "val" / "bird").rename(root / "val" / "cat")
    with pytest.raises(DataError, match=r"val.*classes differ.*bird.*val/ must hold the same"):
        load_images(root, samples=2)


def test_resize_shorter_side_and_centre_crop(tmp_path):
    root = tmp_path / "d"
    (root / "a").mkdir(parents=True)
    x = np.zeros((40, 80, 3), dtype=np.uint8)
    x[:, 14:66] = 255  # the centre crop (columns 20..60) is white, with a margin for the resampling kernel
    Image.fromarray(x).save(root / "a" / "wide.png")
    Image.fromarray(x).save(root / "a" / "wide2.png")
    data = load_labelled(root, dataset="cifar10", image_size=20)
    assert data.images.shape == (len(data), 3, 20, 20) and int(data.images.min()) == 255
    x[:, 14:66] = 0
    x[:, 70:] = 255
    Image.fromarray(x).save(root / "a" / "wide.png")
    assert int(load_labelled(root, dataset="cifar10", image_size=40).images[0].max()) == 0  # the sides are cut


def test_small_images_are_upscaled_with_a_note(image_folder):
    with pytest.warns(UpscaledImages, match="smaller than --image-size 64 and were upscaled"):
        batch = load_images(image_folder, samples=2, dataset="cifar10", image_size=64)
    assert batch.inputs.shape == (2, 3, 64, 64)


def test_bad_folders_are_one_line(tmp_path, image_folder):
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="empty: no class folders"):
        load_images(tmp_path / "empty")
    (image_folder / "zebra" / "notes").mkdir(parents=True)
    (image_folder / "zebra" / "readme.txt").write_text("x")
    with pytest.raises(DataError, match="zebra: class 'zebra' has no images"):
        load_images(image_folder)


def test_bad_images_name_the_file(image_folder):
    name = list_split(image_folder).files[5]
    target = image_folder / name
    target.write_bytes(target.read_bytes()[:200])  # truncated
    with pytest.raises(DataError, match=rf"{name}: corrupt or truncated image"):
        load_labelled(image_folder, dataset="cifar10", image_size=32)
    target.write_text("just text")
    with pytest.raises(DataError, match=rf"{name}: not an image Pillow can read"):
        load_labelled(image_folder, dataset="cifar10", image_size=32)


def test_bad_arguments(tmp_path, image_folder):
    with pytest.raises(ConfigError, match="--image-size 0: must be a whole number of pixels >= 1"):
        load_images(image_folder, image_size=0)
    (tmp_path / "table.csv").write_text("a,b\n")
    with pytest.raises(DataError, match=r"table.csv: a \.csv file; --data takes a class folder"):
        load_images(tmp_path / "table.csv")
    with pytest.raises(DataError, match="samples requested"):
        load_images(image_folder, samples=100)


def test_arrays_resize_to_image_size():
    assert load_images(samples=2, image_size=48).inputs.shape == (2, 3, 48, 48)
    assert load_labelled(None, image_size=16).images.shape[1:] == (3, 16, 16)
    assert load_images("gaussian", samples=2, image_size=8).inputs.shape == (2, 3, 8, 8)


def test_no_warnings_at_the_images_own_size(image_folder):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_images(image_folder, samples=4, image_size=32)
