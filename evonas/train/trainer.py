"""The trainer: SGD on the recipe's schedule, a validation split, per-epoch metrics and exact resume.

One function, :func:`train`, over explicit arguments: a network, its data, a recipe and a
seed. It is what ``evonas train`` runs and what a search that evaluates candidates by short
training calls. Validation accuracy is what a search may read; the test set is evaluated
for reporting only.

Reproducibility: every random draw of epoch ``e`` (the shuffling DataLoader's generator,
the augmentations, the drop-path masks) comes from generators seeded with ``(seed, e)`` (an
image's crop: ``(seed, e, image)``, so any number of DataLoader workers gives the same run), and
the model starts from its caller's seeded initialisation. A checkpoint after each epoch
holds the model, optimiser and scheduler, so a run resumed after a kill at any moment ends
exactly as an uninterrupted one (on the same device and thread count).
"""

from __future__ import annotations

import io
import json
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader

from evonas import runfolder
from evonas.runfolder import CHECKPOINT_FILE, atomic_write
from evonas.data import FolderImages, LabelledImages
from evonas.errors import ConfigError, TrainingError
from evonas.plots import figure
from evonas.train.data import ImageDataset, colour_jitter, cutout, random_crop, random_flip, split_train_valid
from evonas.train.recipes import SCHEDULES, Recipe

#: a split to train on: loaded whole, or a class folder decoded image by image (:func:`evonas.data.open_labelled`)
Labelled = LabelledImages | FolderImages

METRICS_FILE = "metrics.csv"
CURVE_FILE = "learning_curve.png"
MODEL_FILE = "model.pt"
STATE_FILE = CHECKPOINT_FILE
TORCH_FILE = "checkpoint.pt"
METRICS = ["epoch", "lr", "drop_path", "train_loss", "train_acc", "valid_loss", "valid_acc", "test_loss",
           "test_acc", "seconds"]

#: generator streams of one epoch
_SHUFFLE, _AUGMENT, _DROP_PATH = range(3)


@dataclass
class TrainResult:
    """What :func:`train` returns: one metrics row per epoch (``METRICS`` keys), and the trained network."""

    history: list[dict[str, Any]]
    net: nn.Module

    @property
    def final(self) -> dict[str, Any]:
        """The last epoch's metrics."""
        return self.history[-1]


def train(
    net: nn.Module,
    train_data: Labelled,
    recipe: Recipe,
    *,
    seed: int,
    test_data: Labelled | None = None,
    out: Path | None = None,
    device: str = "cpu",
    resume: bool = False,
    progress: bool = False,
    workers: int = 0,
) -> TrainResult:
    """Train ``net`` in place with ``recipe`` on ``train_data`` minus its validation share.

    Args:
        net: a freshly initialised (or inherited) network returning logits.
        train_data: the training split; ``recipe.valid_fraction`` of it is held out, always
            the same images (:func:`~evonas.train.data.split_train_valid`).
        recipe: the hyper-parameters.
        seed: seeds every random draw of the run (not the network's initialisation: that is
            the caller's, e.g. :func:`~evonas.train.seeded.build_seeded`).
        test_data: evaluated after every epoch for reporting, never for any decision.
        out: folder for ``metrics.csv``, ``learning_curve.png``, the checkpoint after each
            epoch and the final ``model.pt`` (tensors only); None writes nothing.
        device: where to train.
        resume: continue from the checkpoint in ``out`` (from the start if there is none yet).
        progress: show a progress bar over the batches on stderr.
        workers: DataLoader worker processes reading (decoding, cropping) images (0: this process).
    """
    recipe.check()
    if out is not None:
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
    net.to(device)
    train_idx, valid_idx = split_train_valid(len(train_data), recipe.valid_fraction)
    train_set = ImageDataset(train_data, train_idx, crop=recipe.resized_crop, seed=seed)
    shuffle = torch.Generator()
    lone = len(train_set) % recipe.batch_size == 1  # a last batch of one image: batch norm cannot train on it
    loader = DataLoader(train_set, batch_size=recipe.batch_size, shuffle=True, generator=shuffle, drop_last=lone,
                        num_workers=workers)
    optimizer = torch.optim.SGD(net.parameters(), lr=recipe.lr, momentum=recipe.momentum, nesterov=recipe.nesterov,
                                weight_decay=recipe.weight_decay)
    scheduler = SCHEDULES.get(recipe.schedule)(optimizer, recipe)
    history: list[dict[str, Any]] = []
    if resume:
        if out is None:
            raise ConfigError("train: resume=True needs the folder of the run (out)")
        history = load_checkpoint(out, net, optimizer, scheduler)
    bar = _progress(recipe, len(loader), len(history), progress)
    for epoch in range(len(history), recipe.epochs):
        started = time.perf_counter()
        shuffle.manual_seed(_seed(seed, epoch, _SHUFFLE))
        train_set.epoch = epoch  # before the loader's workers copy the dataset
        drop = recipe.drop_path * epoch / recipe.epochs
        if hasattr(net, "drop_path_prob"):
            net.drop_path_prob = drop
            net.drop_path_generator = torch.Generator().manual_seed(_seed(seed, epoch, _DROP_PATH))
        row = {"epoch": epoch + 1, "lr": optimizer.param_groups[0]["lr"], "drop_path": drop}
        augment = torch.Generator().manual_seed(_seed(seed, epoch, _AUGMENT))
        row["train_loss"], row["train_acc"] = _train_epoch(net, loader, optimizer, recipe, train_data, augment, device, bar)
        scheduler.step()
        row["valid_loss"], row["valid_acc"] = evaluate(net, train_data, valid_idx, recipe.batch_size, device,
                                                       resize=recipe.eval_resize, workers=workers)
        row["test_loss"], row["test_acc"] = (
            evaluate(net, test_data, None, recipe.batch_size, device, resize=recipe.eval_resize, workers=workers)
            if test_data is not None else (None, None)
        )
        row["seconds"] = round(time.perf_counter() - started, 3)
        history.append(row)
        bar.set_postfix(epoch=epoch + 1, train=_pct(row["train_acc"]), valid=_pct(row["valid_acc"]), refresh=False)
        if out is not None:
            save_checkpoint(out, net, optimizer, scheduler, history)
            write_metrics(out, history)
    bar.close()
    if hasattr(net, "drop_path_prob"):
        net.drop_path_prob, net.drop_path_generator = 0.0, None
    if out is not None:
        write_metrics(out, history)
        plot_learning_curve(out / CURVE_FILE, history)
        _save_tensors(out / MODEL_FILE, {k: v.detach().cpu() for k, v in net.state_dict().items()})
    return TrainResult(history, net)


def _train_epoch(net: nn.Module, loader: DataLoader, optimizer: torch.optim.Optimizer, recipe: Recipe,
                 data: Labelled, generator: torch.Generator, device: str, bar: Any) -> tuple[float, float]:
    """One pass over ``loader``: mean loss and accuracy (%) of the augmented training images."""
    net.train()
    head = getattr(net, "auxiliary_head", None) is not None and recipe.auxiliary_weight > 0
    smooth = recipe.label_smoothing
    total_loss, correct, seen = 0.0, 0, 0
    for images, labels in loader:
        x = _augment(images, recipe, data, generator).to(device)
        y = labels.to(device)
        if head:
            logits, aux = net.forward_aux(x)
            loss = (F.cross_entropy(logits, y, label_smoothing=smooth)
                    + recipe.auxiliary_weight * F.cross_entropy(aux, y, label_smoothing=smooth))
        else:
            logits = net(x)
            loss = F.cross_entropy(logits, y, label_smoothing=smooth)
        if not math.isfinite(loss.item()):
            raise TrainingError(f"training diverged: the loss became {loss.item()} at lr = "
                                f"{optimizer.param_groups[0]['lr']:.4g} (try a lower --lr)")
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if recipe.grad_clip is not None:
            nn.utils.clip_grad_norm_(net.parameters(), recipe.grad_clip)
        optimizer.step()
        total_loss += loss.item() * len(y)
        correct += int((logits.argmax(1) == y).sum())
        seen += len(y)
        bar.update(1)
    return total_loss / seen, 100.0 * correct / seen


def _augment(images: torch.Tensor, recipe: Recipe, data: Labelled, generator: torch.Generator) -> torch.Tensor:
    """The recipe's batch augmentations of images already cropped to size, normalised: crop, flip, colour jitter, cutout."""
    x = images
    if recipe.crop_padding:
        x = random_crop(x, recipe.crop_padding, generator)
    if recipe.flip:
        x = random_flip(x, generator)
    if any(recipe.jitter):
        x = colour_jitter(x.float() / 255.0 if x.dtype == torch.uint8 else x, recipe.jitter, generator)
    x = data.spec.normalise(x)
    return cutout(x, recipe.cutout, generator) if recipe.cutout else x


@torch.no_grad()
def evaluate(net: nn.Module, data: Labelled, indices: torch.Tensor | None, batch_size: int,
             device: str = "cpu", *, resize: float = 1.0, workers: int = 0) -> tuple[float | None, float | None]:
    """Mean cross-entropy and accuracy (%) of ``net`` (eval mode) on images ``indices`` of ``data`` (None: all).

    Each image resized (shorter side) to ``resize`` times the image size and centre-cropped (the recipe's ``eval_resize``).
    """
    dataset = ImageDataset(data, indices, resize=resize)
    if not len(dataset):
        return None, None
    net.eval()
    total_loss, correct = 0.0, 0
    for images, labels in DataLoader(dataset, batch_size=batch_size, shuffle=False, num_workers=workers):
        x = data.spec.normalise(images).to(device)
        y = labels.to(device)
        logits = net(x)
        total_loss += F.cross_entropy(logits, y, reduction="sum").item()
        correct += int((logits.argmax(1) == y).sum())
    return total_loss / len(dataset), 100.0 * correct / len(dataset)


def _seed(seed: int, epoch: int, stream: int) -> int:
    """An independent seed for one stream of one epoch (numpy's SeedSequence mixes the three)."""
    return int(np.random.SeedSequence([seed, epoch, stream]).generate_state(1, dtype=np.uint64)[0] >> 1)


# ---- files --------------------------------------------------------------------------------
def save_checkpoint(out: Path, net: nn.Module, optimizer: torch.optim.Optimizer,
                    scheduler: torch.optim.lr_scheduler.LRScheduler, history: list[dict[str, Any]]) -> None:
    """The state after ``len(history)`` epochs: metrics as JSON, then the tensors (each file atomic).

    The JSON goes first: a kill between the two writes leaves the older tensors, and
    :func:`load_checkpoint` trusts the epoch stored with them.
    """
    runfolder.save_checkpoint(out, "train", {"epochs_done": len(history), "history": history})
    _save_tensors(out / TORCH_FILE, {"epochs_done": len(history), "model": net.state_dict(),
                                     "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()})


def load_checkpoint(out: Path, net: nn.Module, optimizer: torch.optim.Optimizer,
                    scheduler: torch.optim.lr_scheduler.LRScheduler) -> list[dict[str, Any]]:
    """Restore the state saved by :func:`save_checkpoint` into the given objects; return the metrics so far.

    No checkpoint yet (killed during the first epoch) restores nothing: the run starts over.
    Files are read as JSON and with ``torch.load(weights_only=True)``: nothing is unpickled.
    """
    if not (out / TORCH_FILE).is_file():
        return []
    try:
        state = torch.load(out / TORCH_FILE, weights_only=True, map_location="cpu")
        done = int(state["epochs_done"])
        history = runfolder.load_checkpoint(out, "train", ("history",))["history"][:done]
        if len(history) != done:
            raise ValueError(f"{STATE_FILE} holds {len(history)} epochs, the tensors {done}")
        net.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
    except (KeyError, ValueError, TypeError, OSError, RuntimeError, json.JSONDecodeError) as err:
        raise ConfigError(f"--resume {out}: checkpoint is damaged ({type(err).__name__}: {err})") from None
    return history


def _save_tensors(path: Path, obj: dict[str, Any]) -> None:
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    atomic_write(path, buffer.getvalue())


def write_metrics(out: Path, history: list[dict[str, Any]]) -> Path:
    """``metrics.csv``: one row per epoch."""
    path = out / METRICS_FILE
    atomic_write(path, pd.DataFrame(history, columns=METRICS).to_csv(index=False).encode())
    return path


def plot_learning_curve(path: Path, history: list[dict[str, Any]]) -> Path:
    """Accuracy per epoch on the training (augmented), validation and test images."""
    from matplotlib.ticker import MaxNLocator

    frame = pd.DataFrame(history, columns=METRICS)
    with figure(path) as ax:
        for column, label in (("train_acc", "train (augmented)"), ("valid_acc", "validation"), ("test_acc", "test")):
            if frame[column].notna().any():
                ax.plot(frame["epoch"], frame[column], marker="o" if len(frame) < 30 else None, label=label)
        ax.set(xlabel="epoch", ylabel="accuracy (%)", title="learning curve")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend()
    return path


def _progress(recipe: Recipe, batches: int, done: int, enabled: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=recipe.epochs * batches, initial=done * batches, desc="training batches", disable=not enabled,
                file=sys.stderr)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"


