"""The training façade: one config in, one training folder out; and the way back from a folder to a network.

A training folder holds ``train.json`` (the config, the resolved recipe and network
arguments), ``metrics.csv``, ``learning_curve.png``, ``cell.png``, the checkpoint of the
last epoch, and at the end ``model.pt`` (tensors-only weights) and ``result.json``. Only this
module and the CLI read configuration; the trainer takes explicit arguments.
"""

from __future__ import annotations

import json
import time
import warnings
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import torch
from torch import nn

from evonas.config import RunConfig
from evonas.data import BATCH_FILE, DATASETS, describe, open_labelled
from evonas.runfolder import read_json
from evonas.device import check_device, default_device  # noqa: F401  (default_device: kept importable here)
from evonas.encodings import SearchSpace, get_space
from evonas.errors import ConfigError, DataError, Note
from evonas.files import check_folder
from evonas.networks import count_parameters
from evonas.runfolder import CHECKPOINT_FILE, write_json
from evonas.train.recipes import RECIPES, Recipe, default_recipe
from evonas.train.seeded import build_seeded
from evonas.train.trainer import CURVE_FILE, METRICS_FILE, MODEL_FILE, TORCH_FILE, TrainResult, train

TRAIN_FILE = "train.json"
RESULT_FILE = "result.json"
CELL_FILE = "cell.png"
#: where ``evonas train RUN_DIR`` trains a search run's best architecture by default
TRAIN_SUBDIR = "train"
#: what a training writes into its folder; a new training starts only in a folder holding nothing else
TRAINING_FILES = frozenset({TRAIN_FILE, RESULT_FILE, CELL_FILE, MODEL_FILE, METRICS_FILE, CURVE_FILE, CHECKPOINT_FILE,
                            TORCH_FILE})


@dataclass
class TrainConfig(RunConfig):
    """What defines a training run (the ``evonas train`` flags have these names).

    Attributes:
        space: search space of the architecture.
        arch: the architecture in the space's own notation.
        recipe: registered recipe name ("": the space's own, or on images the space calls large its large-image
            recipe, ``darts-imagenet``; filled in by :meth:`check`, see :func:`default_recipe`).
        overrides: recipe fields replaced (``epochs``, ``batch_size``, ``lr``, ...).
        net: network arguments replacing the recipe's (``C``, ``layers``, ``N``, ...).
        data: training images: a class folder (read image by image), a CIFAR python-batch directory or an
            ``.npz`` with train and test splits.
        dataset: ``cifar10``, ``cifar100`` or ``imagenet`` (normalisation; CIFAR's file names and classes);
            None: CIFAR-10's, or a class folder's own statistics.
        image_size: side of the images in pixels (a class folder's are resized to it; None: the data's own).
        seed: seeds the initialisation and every random draw of training.
        device: ``cpu``, ``cuda``, ``cuda:1``, ...
        source: the search run folder the architecture came from, if any.
        workers: DataLoader worker processes that read and crop the images (0: the training process).
    """

    space: str = "nb201"
    arch: str = ""
    recipe: str = ""
    overrides: dict[str, Any] = field(default_factory=dict)
    net: dict[str, Any] = field(default_factory=dict)
    data: str | None = None
    dataset: str | None = "cifar10"
    seed: int = 0
    device: str = "cpu"
    source: str | None = None
    image_size: int | None = None
    workers: int = 0

    def check(self) -> TrainConfig:
        """Raise a one-line :class:`~evonas.errors.EvonasError` for the first bad value; fill in the recipe."""
        get_space(self.space)
        if self.dataset is not None:
            DATASETS.get(self.dataset)
        if self.recipe:
            RECIPES.get(self.recipe)
        check_device(self.device)
        if isinstance(self.workers, bool) or not isinstance(self.workers, int) or self.workers < 0:
            raise ConfigError(f"--workers {self.workers}: must be a whole number >= 0 (0: read images in the training process)")
        if not self.arch:
            raise ConfigError("train: no architecture given")
        if self.data is None:
            raise ConfigError("--data is required: a CIFAR python-batch directory or an .npz with train_* and test_* arrays")
        if not self.recipe:  # the space's own; on images it calls large, its large-image recipe, said in a note
            shape = describe(self.data, dataset=self.dataset, image_size=self.image_size).shape
            self.recipe = default_recipe(self.space, shape)
            if RECIPES.get(self.recipe).large_images:
                warnings.warn(f"recipe {self.recipe}: the default for {self.space} on {shape[-1]} px images (its large-image "
                              "network); --recipe names another", Note, stacklevel=2)
        return self

    def resolve(self, space: SearchSpace) -> tuple[Recipe, dict[str, Any]]:
        """The recipe with its overrides, and the network arguments for ``space`` (with the dataset's classes)."""
        recipe = RECIPES.get(self.recipe).override(**self.overrides)
        base = recipe.nets.get(space.name)
        if base is None and not self.net:
            recipe.net_args(space.name)  # raises, naming the spaces the recipe has networks for
        net_args = {**(base or {}), **self.net, "num_classes": describe(self.data, dataset=self.dataset, image_size=self.image_size).num_classes}
        space.check_net_args(net_args)
        return recipe, net_args


@dataclass
class TrainRun:
    """The outcome of :func:`run_training`: the folder, the per-epoch history, the network, the summary."""

    out: Path
    result: TrainResult
    summary: dict[str, Any]


def run_training(config: TrainConfig, out: Path, *, resume: bool = False, progress: bool = True) -> TrainRun:
    """Train ``config.arch`` with its recipe into ``out`` (or, with ``resume=True``, continue the run in ``out``).

    Everything is checked and the data are read before the folder is created, so bad input
    writes nothing. On resume the saved config, recipe and network arguments are used;
    only ``config.device`` and ``config.workers`` are taken from the caller (they say where to run, not what).
    """
    out = Path(out)
    if resume:
        saved = read_training(out)
        config = replace(TrainConfig.from_dict(saved["config"], where=str(out / TRAIN_FILE)), device=config.device,
                         workers=config.workers)
        config.check()
        space = get_space(config.space)
        recipe, net_args = Recipe(**saved["recipe"]).check(), saved["net"]
    else:
        config.check()
        check_new_training(out)
        space = get_space(config.space)
        recipe, net_args = config.resolve(space)
    net = build_seeded(space, config.arch, seed=config.seed, **net_args)
    train_data = open_labelled(config.data, dataset=config.dataset, split="train", image_size=config.image_size)
    test_data = open_labelled(config.data, dataset=config.dataset, split="test", image_size=config.image_size)
    if not resume:
        write_json(out, TRAIN_FILE, {"config": asdict(config), "recipe": recipe.to_json(), "net": net_args,
                                     "input_shape": [train_data.spec.shape[0], train_data.size, train_data.size]})
        draw_cell(space, config.arch, out / CELL_FILE)
    started = time.perf_counter()
    result = train(net, train_data, recipe, seed=config.seed, test_data=test_data, out=out, device=config.device,
                   resume=resume, progress=progress, workers=config.workers)
    summary = {
        "space": space.name, "native": config.arch, "recipe": config.recipe, "net": net_args,
        "params": count_parameters(net), "epochs": len(result.history), "seed": config.seed,
        "train_images": len(train_data), "test_images": len(test_data), **result.final,
        "best_valid_acc": max((r["valid_acc"] for r in result.history if r["valid_acc"] is not None), default=None),
        "seconds_this_session": round(time.perf_counter() - started, 2),
        "seconds_training": round(sum(r["seconds"] for r in result.history), 2),
    }
    write_json(out, RESULT_FILE, summary)
    return TrainRun(out, result, summary)


def check_new_training(out: Path) -> Path:
    """``out`` if a new training may start there: absent, empty, or only a failed start's files (no training, no run).

    A folder with a ``train.json`` holds a training (``--resume`` it), one with a checkpoint
    and no ``train.json`` holds a search; a file, or a folder with anything a training does
    not write (a search run folder's ``best.json``), is someone else's and is never written into.
    """
    out = Path(out)
    if (out / TRAIN_FILE).exists():
        raise ConfigError(f"{out} already holds a training run; continue it with --resume {out} or choose another --out")
    if (out / CHECKPOINT_FILE).exists():
        raise ConfigError(f"--out {out} holds a run that is not a training; choose another --out "
                          f"(a search run's training goes to RUN_DIR/{TRAIN_SUBDIR} by default)")
    return check_folder(out, TRAINING_FILES, "--out", whose="a training's")
def run_data(run_dir: Path) -> dict[str, Any]:
    """The data a search run scored on -- ``data``, ``dataset``, ``image_size`` -- as it resolved them (``resolved.json``,
    else ``config.json``).

    Training a run's architecture on the same images at the same size (a class folder's size
    as the search saved it, not re-derived) unless told otherwise; ``{}`` for a folder without one.
    """
    from evonas.config import CONFIG_FILE, read_run_config
    from evonas.runfolder import RESOLVED_FILE, read_json

    folder = Path(run_dir)
    if not (folder / CONFIG_FILE).is_file():
        return {}
    saved = {**read_run_config(folder), **(read_json(folder, RESOLVED_FILE) if (folder / RESOLVED_FILE).is_file() else {})}
    return {key: saved[key] for key in ("data", "dataset", "image_size") if saved.get(key) is not None}


def read_training(folder: Path) -> dict[str, Any]:
    """The ``train.json`` of a training folder."""
    path = Path(folder) / TRAIN_FILE
    if not path.is_file():
        hint = f" (the training of a search run is in {folder / TRAIN_SUBDIR})" if (Path(folder) / TRAIN_SUBDIR / TRAIN_FILE).is_file() else ""
        raise ConfigError(f"--resume {folder}: no {TRAIN_FILE} there (was a training started in this folder?){hint}")
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise ConfigError(f"{path} is damaged ({err})") from None


def best_of_run(run_dir: Path) -> dict[str, Any]:
    """The ``best.json`` of a search run folder (space and native notation of the best architecture)."""
    path = Path(run_dir) / "best.json"
    if not path.is_file():
        raise DataError(f"{run_dir}: no best.json there; expected a finished search run folder (evonas search --out)")
    try:
        best = json.loads(path.read_text())
        return {"space": str(best["space"]), "native": str(best["native"])}
    except (json.JSONDecodeError, KeyError) as err:
        raise DataError(f"{path}: not a best.json written by evonas search ({type(err).__name__}: {err})") from None


@dataclass
class LoadedNetwork:
    """A network read back from a folder, with what it is and whether its weights were trained."""

    net: nn.Module
    arch: dict[str, Any]
    weights: Path | None
    #: one input image, (channels, height, width): the size it was trained (or searched) at
    input_shape: tuple[int, ...] = (3, 32, 32)


def load_network(folder: Path, *, seed: int = 0) -> LoadedNetwork:
    """The network of a training folder (its ``model.pt``) or of a search run folder.

    A search run folder with a finished training in ``train/`` gives the trained network;
    without one, the best architecture untrained, at the size of its default recipe for the run's images
    (:func:`default_recipe`: DARTS' ImageNet network on large ones) with the
    run's classes and image size (a class folder's, from its :data:`~evonas.data.BATCH_FILE`;
    initialised from ``seed``). Weights are read with ``weights_only=True``.
    """
    folder = Path(folder)
    if not (folder / TRAIN_FILE).is_file() and (folder / TRAIN_SUBDIR / TRAIN_FILE).is_file():
        folder = folder / TRAIN_SUBDIR
    if (folder / TRAIN_FILE).is_file():
        saved = read_training(folder)
        arch = {"space": saved["config"]["space"], "native": saved["config"]["arch"], "net": saved["net"]}
        shape = tuple(saved.get("input_shape", get_space(arch["space"]).input_shape))
        weights = folder / MODEL_FILE
        if not weights.is_file():
            raise DataError(f"{folder}: the training has not finished (no {MODEL_FILE}); resume it with "
                            f"evonas train --resume {folder}")
    else:
        best = best_of_run(folder)
        space = get_space(best["space"])
        shape, classes = space.input_shape, {}
        if (folder / BATCH_FILE).is_file():  # searched on a class folder: its classes, at its size
            batch = read_json(folder, BATCH_FILE)
            classes, shape = {"num_classes": len(batch["classes"])}, (3, batch["image_size"], batch["image_size"])
        net_args = {**RECIPES.get(default_recipe(space.name, shape)).nets.get(space.name, {}), **classes}
        arch, weights = {"space": space.name, "native": best["native"], "net": net_args}, None
    net = build_seeded(get_space(arch["space"]), arch["native"], seed=seed, **arch["net"])
    if weights is not None:
        try:
            net.load_state_dict(torch.load(weights, weights_only=True, map_location="cpu"))
        except (RuntimeError, OSError) as err:
            raise DataError(f"{weights}: not the weights of this network ({err})") from None
    return LoadedNetwork(net.eval(), arch, weights, tuple(shape))


def draw_cell(space: SearchSpace, arch: str, path: Path) -> Path:
    """``cell.png``: the architecture's cell(s) as graphs (see :mod:`evonas.diagrams`)."""
    from evonas.diagrams import draw_architecture

    return draw_architecture(space, arch, path)
