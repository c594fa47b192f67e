"""Loading the proxy batch: four kinds of source, CIFAR normalisation, determinism, clear errors."""

from __future__ import annotations

import importlib.resources
import io
import pickle
import struct
from typing import ClassVar

import numpy as np
import pytest
import torch

from evonas.data import DATASETS, load_images
from evonas.errors import ConfigError, DataError, UnknownNameError

MEAN = np.array([0.4914, 0.4822, 0.4465], dtype=np.float32)[:, None, None]
STD = np.array([0.2470, 0.2435, 0.2616], dtype=np.float32)[:, None, None]


class _Py2Pickler(pickle._Pickler):
    """Writes bytes as Python 2 ``str`` opcodes, as the official CIFAR batches were written."""

    dispatch: ClassVar[dict] = dict(pickle._Pickler.dispatch)

    def _save_py2_str(self, obj: bytes) -> None:
        short = len(obj) < 256
        self.write(
            pickle.SHORT_BINSTRING + bytes([len(obj)]) if short else pickle.BINSTRING + struct.pack("<i", len(obj))
        )
        self.write(obj)
        self.memoize(obj)

    dispatch[bytes] = _save_py2_str


def _py2_pickle(obj: object) -> bytes:
    buffer = io.BytesIO()
    _Py2Pickler(buffer, protocol=2).dump(obj)
    return buffer.getvalue()


def _images(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, size=(n, 3, 32, 32), dtype=np.uint8)


def _expected(uint8_nchw: np.ndarray, mean=MEAN, std=STD) -> np.ndarray:
    return (uint8_nchw.astype(np.float32) / 255 - mean) / std


def _write_cifar10(
    folder,
    per_batch: int = 10,
    batches=("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"),
) -> np.ndarray:
    """Fake CIFAR-10 python batches (Python-2 style bytes keys); returns all training images in order."""
    folder.mkdir(parents=True, exist_ok=True)
    train = []
    for k, name in enumerate(batches):
        images = _images(per_batch, seed=k)
        batch = {
            b"batch_label": name.encode(),
            b"labels": list(range(k, k + per_batch)),
            b"data": images.reshape(per_batch, -1),
            b"filenames": [b"x.png"] * per_batch,
        }
        (folder / name).write_bytes(_py2_pickle(batch))
        if name != "test_batch":
            train.append(images)
    return np.concatenate(train)


def test_default_batch_is_the_first_cifar10_training_images(shared_data):
    batch = load_images()
    subset = np.load(shared_data / "cifar10_subset.npz")
    assert batch.inputs.shape == (16, 3, 32, 32) and batch.inputs.dtype == torch.float32
    np.testing.assert_allclose(batch.inputs.numpy(), _expected(subset["train_images"][:16]), atol=1e-5)
    assert batch.targets.tolist() == subset["train_labels"][:16].tolist()
    assert torch.equal(load_images("default", samples=64).inputs[:16], batch.inputs)


def test_default_batch_is_package_data():
    resource = importlib.resources.files("evonas.data").joinpath("cifar10_default.npz")
    with resource.open("rb") as f, np.load(f, allow_pickle=False) as npz:
        assert npz["images"].shape == (64, 3, 32, 32) and npz["images"].dtype == np.uint8
        assert npz["labels"].shape == (64,)
    with pytest.raises(DataError, match="holds 64 images"):
        load_images(samples=65)
    with pytest.raises(DataError, match="training images only"):
        load_images(split="test")


def test_normalisation_uses_the_dataset_statistics(tmp_path):
    for name in ("cifar10", "cifar100"):
        spec = DATASETS.get(name)
        mean = np.array(spec.mean, dtype=np.float32)[:, None, None]
        std = np.array(spec.std, dtype=np.float32)[:, None, None]
        images = _images(4)
        np.save(tmp_path / "x.npy", images)
        got = load_images(tmp_path / "x.npy", samples=4, dataset=name).inputs.numpy()
        np.testing.assert_allclose(got, _expected(images, mean, std), atol=1e-5)
    floats = _images(4).astype(np.float64) / 255  # floats in [0, 1] are taken as already scaled
    np.save(tmp_path / "f.npy", floats)
    np.testing.assert_allclose(
        load_images(tmp_path / "f.npy", samples=4).inputs.numpy(), _expected(_images(4)), atol=1e-5
    )


@pytest.mark.parametrize("keys", [("train_images", "train_labels"), ("images", "labels"), ("x", "y")])
def test_npz_key_conventions(tmp_path, keys):
    images = _images(20)
    np.savez(tmp_path / "d.npz", **{keys[0]: images, keys[1]: np.arange(20)})
    batch = load_images(tmp_path / "d.npz", samples=5, offset=2)
    np.testing.assert_allclose(batch.inputs.numpy(), _expected(images[2:7]), atol=1e-5)
    assert batch.targets.tolist() == [2, 3, 4, 5, 6]


def test_split_and_cifar100_fine_labels_in_npz(shared_data):
    batch = load_images(shared_data / "cifar100_subset.npz", samples=8, dataset="cifar100", split="test")
    subset = np.load(shared_data / "cifar100_subset.npz")
    assert batch.targets.tolist() == subset["test_fine_labels"][:8].tolist()


def test_layouts_nchw_nhwc_and_flat_rows_agree(tmp_path):
    images = _images(6)
    layouts = {"nchw": images, "nhwc": images.transpose(0, 2, 3, 1), "flat": images.reshape(6, -1)}
    batches = []
    for name, array in layouts.items():
        np.save(tmp_path / f"{name}.npy", array)
        batch = load_images(tmp_path / f"{name}.npy", samples=6)
        assert batch.targets is None
        batches.append(batch.inputs)
    assert all(torch.equal(batches[0], b) for b in batches[1:])


def test_cifar10_python_batches_in_file_order(tmp_path):
    train = _write_cifar10(tmp_path / "cifar-10-batches-py")
    for source in (tmp_path, tmp_path / "cifar-10-batches-py"):  # the archive folder or its parent
        batch = load_images(source, samples=16)  # spans data_batch_1 and data_batch_2
        np.testing.assert_allclose(batch.inputs.numpy(), _expected(train[:16]), atol=1e-5)
        assert batch.targets.tolist() == list(range(10)) + list(range(1, 7))
    test = load_images(tmp_path, samples=3, split="test")
    assert test.targets.tolist() == [5, 6, 7]


def test_only_the_batches_needed_are_read(tmp_path):
    _write_cifar10(tmp_path, batches=("data_batch_1",))
    assert load_images(tmp_path, samples=10).inputs.shape[0] == 10
    with pytest.raises(DataError, match="data_batch_2"):
        load_images(tmp_path, samples=4, seed=0)  # a random subset needs the whole split


def test_cifar100_python_files(tmp_path):
    images = _images(12)
    batch = {b"data": images.reshape(12, -1), b"fine_labels": list(range(12)), b"coarse_labels": [0] * 12}
    (tmp_path / "train").write_bytes(_py2_pickle(batch))
    got = load_images(tmp_path, samples=4, dataset="cifar100")
    assert got.targets.tolist() == [0, 1, 2, 3]
    with pytest.raises(DataError, match="test"):
        load_images(tmp_path, samples=4, dataset="cifar100", split="test")


def test_seeded_subsets_are_deterministic_and_distinct(tmp_path):
    np.savez(tmp_path / "d.npz", images=_images(50), labels=np.arange(50))
    a = load_images(tmp_path / "d.npz", samples=8, seed=1)
    assert torch.equal(a.inputs, load_images(tmp_path / "d.npz", samples=8, seed=1).inputs)
    b = load_images(tmp_path / "d.npz", samples=8, seed=2)
    assert a.targets.tolist() != b.targets.tolist()
    assert len(set(a.targets.tolist())) == 8
    assert a.targets.tolist() != list(range(8))


def test_gaussian_noise():
    a = load_images("gaussian", samples=32, seed=3)
    assert a.inputs.shape == (32, 3, 32, 32) and a.targets is None
    assert torch.equal(a.inputs, load_images("gaussian", samples=32, seed=3).inputs)
    assert not torch.equal(a.inputs, load_images("gaussian", samples=32, seed=4).inputs)
    assert torch.equal(load_images("gaussian").inputs, load_images("gaussian", seed=0).inputs)
    assert abs(float(a.inputs.std()) - 1) < 0.05


def test_missing_and_malformed_sources_name_the_path(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(DataError, match="nowhere.*no such file"):
        load_images(missing)
    with pytest.raises(DataError, match="data_batch_1"):
        load_images(tmp_path)  # a directory without batches
    np.save(tmp_path / "bad.npy", np.zeros((4, 5, 5), dtype=np.uint8))
    with pytest.raises(DataError, match=r"bad\.npy.*\(4, 5, 5\)"):
        load_images(tmp_path / "bad.npy", samples=2)
    np.save(tmp_path / "range.npy", np.full((4, 3, 8, 8), 7.0))
    with pytest.raises(DataError, match="floats in \\[0, 1\\]"):
        load_images(tmp_path / "range.npy", samples=2)
    np.savez(tmp_path / "nokey.npz", pixels=_images(2))
    with pytest.raises(DataError, match="nokey.npz.*pixels"):
        load_images(tmp_path / "nokey.npz", samples=1)
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(DataError, match="junk.npz"):
        load_images(tmp_path / "junk.npz")
    (tmp_path / "notes.txt").write_text("hi")
    with pytest.raises(DataError, match="notes.txt"):
        load_images(tmp_path / "notes.txt")
    (tmp_path / "data_batch_1").write_bytes(pickle.dumps([1, 2, 3]))
    with pytest.raises(DataError, match="data_batch_1.*dict"):
        load_images(tmp_path)


def test_pickles_naming_other_classes_are_refused_unrun(tmp_path):
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    (tmp_path / "data_batch_1").write_bytes(pickle.dumps({b"data": Payload(), b"labels": [0]}))
    with pytest.raises(DataError, match="refusing to unpickle .*open"):
        load_images(tmp_path, samples=1)
    assert not marker.exists()


def test_argument_errors():
    with pytest.raises(ConfigError, match="split"):
        load_images(split="validation")
    with pytest.raises(ConfigError, match="samples"):
        load_images(samples=0)
    with pytest.raises(UnknownNameError, match="cifar10"):
        load_images(dataset="cifar-10")


def test_whole_labelled_splits_for_training(shared_data):
    from evonas.data import load_labelled

    train = load_labelled(shared_data / "cifar10_subset.npz", split="train")
    test = load_labelled(shared_data / "cifar10_subset.npz", split="test")
    assert (len(train), len(test)) == (5170, 1017) and train.images.dtype == torch.uint8
    assert train.images.shape[1:] == (3, 32, 32) and set(train.labels.tolist()) == set(range(10))
    batch = load_images(shared_data / "cifar10_subset.npz", samples=16)
    torch.testing.assert_close(train.spec.normalise(train.images[:16]), batch.inputs)
    torch.testing.assert_close(train.labels[:16], batch.targets)
    fine = load_labelled(shared_data / "cifar100_subset.npz", dataset="cifar100", split="test")
    assert fine.spec.num_classes == 100 and len(set(fine.labels.tolist())) == 100


def test_labelled_python_batches_are_read_whole(tmp_path):
    from evonas.data import load_labelled

    train = _write_cifar10(tmp_path / "cifar-10-batches-py", per_batch=2)
    data = load_labelled(tmp_path, split="train")
    assert torch.equal(data.images, torch.from_numpy(train)) and data.labels.tolist() == [0, 1, 1, 2, 2, 3, 3, 4, 4, 5]
    assert len(load_labelled(tmp_path, split="test")) == 2


def test_labelled_splits_must_be_named_and_labelled(tmp_path):
    from evonas.data import load_labelled

    np.savez(tmp_path / "bare.npz", images=_images(4), labels=np.arange(4))
    with pytest.raises(DataError, match="'test_images'"):
        load_labelled(tmp_path / "bare.npz", split="test")  # never the training images taken for test
    np.savez(tmp_path / "unlabelled.npz", train_images=_images(4))
    with pytest.raises(DataError, match="no train labels"):
        load_labelled(tmp_path / "unlabelled.npz")
    np.savez(tmp_path / "bad.npz", train_images=_images(4), train_labels=np.array([0, 1, 2, 10]))
    with pytest.raises(DataError, match=r"class indices in 0..9"):
        load_labelled(tmp_path / "bad.npz")
    np.save(tmp_path / "x.npy", _images(4))
    with pytest.raises(DataError, match="no labels"):
        load_labelled(tmp_path / "x.npy")
    with pytest.raises(DataError, match="no such file"):
        load_labelled(tmp_path / "missing.npz")
