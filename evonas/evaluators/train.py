"""Short training as the evaluator: validation accuracy after a few epochs, children starting from their parent.

What a search reads is the validation accuracy; the test accuracy of the trained network
is kept for reporting (:meth:`TrainEvaluator.report`). A diverging training
(:class:`~evonas.errors.TrainingError`) is a failed evaluation, cached like any other, so a
resumed search does not train it again.
"""

from __future__ import annotations

import io
import json
import tempfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from evonas.encodings import Genome, SearchSpace, get_space
from evonas.encodings.genome import digest
from evonas.errors import DataError
from evonas.evaluation import Evaluation
from evonas.runfolder import atomic_write


@dataclass(frozen=True)
class TrainEvaluator:
    """Short training as the evaluation: validation accuracy after ``recipe.epochs`` epochs.

    A child evaluated with its ``parent`` starts from the parent's trained weights wherever
    name and shape match (:func:`evonas.train.inherit`: the edges whose op is unchanged),
    unless ``inherit`` is off. Every trained network's weights and metrics are kept in
    ``store`` (one ``<digest>.pt`` and ``.json`` per architecture), so children of later
    generations, and a resumed search, find their parents there. On a Ray cluster ``store``
    must be a folder every worker sees. An empty ``store`` (a search in memory) is a
    temporary folder, removed with the evaluator (see :meth:`close`).

    Args:
        space: registered space name.
        data: training images (CIFAR python batches or ``.npz``; see :func:`evonas.data.load_labelled`).
        recipe: the training recipe (with its epochs).
        net_args: the trained network's size.
        store: folder of the trained weights ("": a temporary one).
        dataset: normalisation constants (``cifar10``, ``cifar100``, ``imagenet``; None: see :func:`evonas.data.load_images`).
        seed: initialisation and training seed (the same for every architecture).
        inherit: start children from their parent's weights.
        device: where to train.
    """

    space: str
    data: str | None
    recipe: Any
    net_args: dict[str, Any]
    store: str = ""
    dataset: str | None = "cifar10"
    seed: int = 0
    inherit: bool = True
    device: str = "cpu"
    #: side of the images in pixels (a class folder's are resized to it; None: the data's own)
    image_size: int | None = None

    def __post_init__(self) -> None:
        if not self.store:
            # removed by close(), or at the latest when the evaluator is collected or the program ends
            # (TemporaryDirectory's finaliser); workers get the path only (see __getstate__)
            temporary = tempfile.TemporaryDirectory(prefix="evonas-weights-")
            object.__setattr__(self, "_temporary", temporary)
            object.__setattr__(self, "store", temporary.name)

    @property
    def temporary(self) -> bool:
        """Whether ``store`` is a temporary folder, removed at the end of the search (its weights are not reported)."""
        return "_temporary" in self.__dict__

    def close(self) -> None:
        """Remove the temporary ``store`` now (nothing for a run folder's); the evaluator cannot train afterwards."""
        temporary = self.__dict__.get("_temporary")
        if temporary is not None:
            temporary.cleanup()

    @cached_property
    def _space(self) -> SearchSpace:
        return get_space(self.space)

    @cached_property
    def _data(self) -> tuple[Any, Any]:
        from evonas.data import load_labelled

        train = load_labelled(self.data, dataset=self.dataset, split="train", image_size=self.image_size)
        try:
            test = load_labelled(self.data, dataset=self.dataset, split="test", image_size=self.image_size)
        except DataError:
            test = None  # nothing to report a test accuracy with
        return train, test

    def path(self, genome: Genome, suffix: str) -> Path:
        """Where the trained weights (``.pt``) or metrics (``.json``) of ``genome`` are kept."""
        return Path(self.store) / f"{digest(genome.key)}{suffix}"

    def __call__(self, genome: Genome, parent: Genome | None = None) -> Evaluation:
        import torch

        from evonas.networks import count_parameters
        from evonas.train import build_seeded, inherit, train

        net = build_seeded(self._space, genome, seed=self.seed, **self.net_args)
        inherited = None
        if self.inherit and parent is not None and self.path(parent, ".pt").is_file():
            report = inherit(net, torch.load(self.path(parent, ".pt"), weights_only=True))
            inherited = round(report.fraction, 4)
        train_data, test_data = self._data
        result = train(net, train_data, self.recipe, seed=self.seed, test_data=test_data, device=self.device)
        final = result.final
        Path(self.store).mkdir(parents=True, exist_ok=True)
        weights = io.BytesIO()
        torch.save({k: v.detach().cpu() for k, v in net.state_dict().items()}, weights)
        atomic_write(self.path(genome, ".pt"), weights.getvalue())
        summary = {"arch": self._space.to_native(genome), "valid_acc": final["valid_acc"], "test_acc": final["test_acc"],
                   "epochs": len(result.history), "inherited_fraction": inherited,
                   "seconds": round(sum(r["seconds"] for r in result.history), 2)}
        atomic_write(self.path(genome, ".json"), (json.dumps(summary) + "\n").encode())
        return Evaluation(float(final["valid_acc"]), count_parameters(net))

    def report(self, genome: Genome) -> dict[str, Any]:
        """What the training of ``genome`` reached (test accuracy for reporting, never for the search)."""
        path = self.path(genome, ".json")
        if not path.is_file():
            return {}
        summary = json.loads(path.read_text())
        report = {"trained_valid_acc": summary["valid_acc"], "trained_test_acc": summary["test_acc"],
                  "trained_epochs": summary["epochs"]}
        return report if self.temporary else {**report, "weights": str(self.path(genome, ".pt"))}

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}
