"""Evaluators that *measure* accuracy, for searches that may afford a few: a benchmark table, or training.

Both are ``evaluator(genome, parent=None) -> Evaluation`` (the score is a validation
accuracy, higher is better), like the proxies' :class:`~evonas.evaluation.ArchitectureScorer`,
so every strategy runs on any of them through the same toolbox ``evaluate`` and parallel ``map``.
What a search reads is validation accuracy only; the test accuracy of what it found is
reported afterwards (:meth:`TableEvaluator.report`, :meth:`TrainEvaluator.report`).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from evonas.cache import Evaluation
from evonas.encodings import Genome, SearchSpace, get_space
from evonas.encodings.genome import digest
from evonas import truth
from evonas.errors import ConfigError, DataError, EvonasError


@dataclass(frozen=True)
class TableEvaluator:
    """A benchmark table as the "training": an architecture's accuracy is looked up (a query).

    Args:
        space: registered space name; the table's ``arch_col`` holds its native notation.
        accuracy: native text -> validation accuracy (what the search reads).
        params: native text -> parameter count of the benchmark's network, where the table has
            one (otherwise the space's default network is counted).
        where: the table's path, for messages.
    """

    space: str
    accuracy: dict[str, float]
    params: dict[str, int] = field(default_factory=dict)
    where: str = "<table>"

    @classmethod
    def read(cls, path: str | Path, space: str, *, valid_col: str, test_col: str | None = None,
             arch_col: str = "arch", params_col: str | None = "params_m_cifar10") -> TableEvaluator:
        """Read and check a CSV table; every problem is one error line naming the file and the column."""
        frame = read_table(path, needs=(arch_col, valid_col))
        if test_col is not None and test_col == valid_col:
            raise ConfigError(f"--valid-col and --test-col are both {valid_col!r}: a search must not read the "
                              "accuracy it is reported with (that fits the test set)")
        rules = get_space(space)
        for text in frame[arch_col].head(20):  # a table of another space fails now, not mid-search
            try:
                rules.from_native(str(text))
            except EvonasError as err:
                raise DataError(f"--table {path}: column {arch_col!r} does not hold {space} architectures ({err})") from None
        values = pd.to_numeric(frame[valid_col], errors="coerce")
        if values.isna().any():
            row = int(values.isna().to_numpy().argmax())
            raise DataError(f"--table {path}: column {valid_col!r} row {row + 2} is not a number: {frame[valid_col].iloc[row]!r}")
        sizes = {}
        if params_col and params_col in frame:
            scale = 1e6 if params_col.startswith("params_m") else 1.0
            sizes = {str(a): int(round(float(p) * scale)) for a, p in zip(frame[arch_col], frame[params_col])}
        return cls(space, dict(zip(frame[arch_col].astype(str), values.astype(float))), sizes, str(path))

    @cached_property
    def _space(self) -> SearchSpace:
        return get_space(self.space)

    def __call__(self, genome: Genome | str, parent: Genome | None = None) -> Evaluation:
        native = genome if isinstance(genome, str) else self._space.to_native(genome)
        if native not in self.accuracy:
            raise DataError(f"--table {self.where}: architecture {native} is not in the table "
                            f"({len(self.accuracy)} rows); a table-driven search needs every architecture it may visit")
        size = self.params.get(native)
        return Evaluation(self.accuracy[native], size if size is not None else self._space.count_params(native))

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}


@dataclass(frozen=True)
class TrainEvaluator:
    """Short training as the evaluation: validation accuracy after ``recipe.epochs`` epochs.

    A child evaluated with its ``parent`` starts from the parent's trained weights wherever
    name and shape match (:func:`evonas.train.inherit`: the edges whose op is unchanged),
    unless ``inherit`` is off. Every trained network's weights and metrics are kept in
    ``store`` (one ``<digest>.pt`` and ``.json`` per architecture), so children of later
    generations, and a resumed search, find their parents there. On a Ray cluster ``store``
    must be a folder every worker sees.

    Args:
        space: registered space name.
        data: training images (CIFAR python batches or ``.npz``; see :func:`evonas.data.load_labelled`).
        recipe: the training recipe (with its epochs).
        net_args: the trained network's size.
        store: folder of the trained weights.
        dataset: ``cifar10`` or ``cifar100``.
        seed: initialisation and training seed (the same for every architecture).
        inherit: start children from their parent's weights.
        device: where to train.
    """

    space: str
    data: str | None
    recipe: Any
    net_args: dict[str, Any]
    store: str
    dataset: str = "cifar10"
    seed: int = 0
    inherit: bool = True
    device: str = "cpu"

    @cached_property
    def _space(self) -> SearchSpace:
        return get_space(self.space)

    @cached_property
    def _data(self) -> tuple[Any, Any]:
        from evonas.data import load_labelled

        train = load_labelled(self.data, dataset=self.dataset, split="train")
        try:
            test = load_labelled(self.data, dataset=self.dataset, split="test")
        except DataError:
            test = None  # nothing to report a test accuracy with
        return train, test

    def path(self, genome: Genome, suffix: str) -> Path:
        """Where the trained weights (``.pt``) or metrics (``.json``) of ``genome`` are kept."""
        return Path(self.store) / f"{digest(genome.key)}{suffix}"

    def __call__(self, genome: Genome, parent: Genome | None = None) -> Evaluation:
        import torch

        from evonas.checkpoint import atomic_write
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
        return {"trained_valid_acc": summary["valid_acc"], "trained_test_acc": summary["test_acc"],
                "trained_epochs": summary["epochs"], "weights": str(self.path(genome, ".pt"))}

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}



def read_table(path: str | Path, needs: tuple[str, ...]) -> pd.DataFrame:
    """A ``--table`` CSV with the columns ``needs`` (see :func:`evonas.truth.read_table`)."""
    return truth.read_table(path, needs, hint="; name the columns with --valid-col / --test-col")
