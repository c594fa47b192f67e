"""The preamble every search shares, single- or multi-objective: checks, ground truth, evaluator, run folder.

:func:`prepare` applies the resume rules, checks every value and name, reads the ground
truth and builds the evaluator (which reads data and calibrates) -- all before the run
folder is written, so a start that fails leaves nothing behind.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, TypeVar

from evonas.config import SearchBase
from evonas.costs import COSTS, LATENCY_FILE, Budget, Costed, make_cost
from evonas.encodings import SearchSpace, get_space
from evonas.errors import ConfigError
from evonas.evaluators import EVALUATORS, Evaluator, build_evaluator
from evonas.truth import GroundTruth

C = TypeVar("C", bound=SearchBase)


@dataclass
class Prepared:
    """A checked run, ready to start: what :func:`prepare` gives both kinds of search."""

    config: Any
    space: SearchSpace
    evaluator: Evaluator
    truth: GroundTruth | None
    resume: bool
    extra: dict[str, Any] = field(default_factory=dict)
    #: the costs the run measures and its limits (None: it measures none); ``evaluator`` already applies it
    budget: Budget | None = None


def check_common(config: SearchBase) -> SearchSpace:
    """The checks every search shares: ranges (the config's own), then every name against its registry."""
    from evonas.data import DATASETS

    config.check()
    space = get_space(config.space)
    if config.dataset is not None:
        DATASETS.get(config.dataset)
    space.check_net_args(config.net)
    EVALUATORS.get(config.evaluator)
    for name in config.budget:  # a multi-objective search's cost objectives are checked with its other names
        COSTS.get(name)
    return space


def prepare(
    kind: type[C],
    config: C | None,
    out: Path | None,
    *,
    resume: bool = False,
    changes: dict[str, Any] | None = None,
    progress: bool = False,
    check: Callable[[C, SearchSpace], None] | None = None,
    truth_columns: tuple[str, ...] | None = None,
) -> Prepared:
    """The preamble of every search: everything is checked and read before the folder ``out`` is written.

    On resume the saved config is used with ``changes`` (see :meth:`RunConfig.resumed_from`);
    a new run refuses a folder that is a file, holds a run, or holds others' files. ``check``
    adds the kind's own registry checks (strategy, algorithm).
    """
    if resume:
        if out is None:
            raise ConfigError("resume=True needs the run folder to continue")
        config = kind.resumed_from(out, changes)
    elif config is None:
        raise ConfigError(f"give a {kind.__name__} for a new search (or resume=True with its run folder)")
    elif out is not None:
        from evonas.runfolder import check_new

        check_new(out)
    space = check_common(config)
    if check is not None:
        check(config, space)
    truth = None
    if config.ground_truth:
        truth = GroundTruth.read(config.ground_truth, config.space, *(() if truth_columns is None else (truth_columns,)))
    budget = make_budget(config, space, out)  # reads a latency table: before the folder
    evaluator = _build(config, space, out, progress)  # reads data and calibrates: before the folder
    if budget is not None:
        evaluator = dataclasses.replace(evaluator, evaluate=Costed(evaluator.evaluate, budget))
    if out is not None:
        config.save(out, resume=resume)
        _save_batch_record(config, Path(out))
        if not resume:
            (Path(out) / LATENCY_FILE).unlink(missing_ok=True)  # a failed start's timings are not this run's
    return Prepared(config, space, evaluator, truth, resume, budget=budget)


def make_budget(config: SearchBase, space: SearchSpace, out: Path | None) -> Budget | None:
    """The costs ``config`` measures (each of the network to deploy) and its ``--budget`` limits; None if none.

    Each cost is measured at the run's image size and class count (:func:`~evonas.evaluators.builders.deploy_shape`).
    Latency is timed on ``--device`` by the ``--latency-*`` protocol and cached in the run
    folder's ``latency.csv`` (or read from ``--latency-table``).
    """
    from evonas.device import resolve_device
    from evonas.evaluators.builders import deploy_shape

    names = config.costs()
    if not names:
        return None
    options = {"latency": {**config.latency_options(), "device": resolve_device(config.device),
                           "cache": None if out is None else Path(out) / LATENCY_FILE}}
    deploy = deploy_shape(config)
    return Budget(tuple(make_cost(name, space, options.get(name), **deploy) for name in names), dict(config.budget))


def _save_batch_record(config: SearchBase, out: Path) -> None:
    """A class folder's batch -- files, classes, size, statistics -- saved beside the config (nothing for other data)."""
    from evonas.data import BATCH_FILE, batch_record
    from evonas.runfolder import write_json

    record = batch_record(config.data, samples=config.samples, seed=config.seed, dataset=config.dataset,
                          image_size=config.image_size)
    if record is not None:
        write_json(out, BATCH_FILE, record)


def _build(config: Any, space: SearchSpace, out: Path | None, progress: bool) -> Evaluator:
    """The evaluator (looked up at call time, so a test may wrap :func:`build_evaluator`)."""
    return build_evaluator(config, space, out, progress)
