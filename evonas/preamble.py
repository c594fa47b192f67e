"""The preamble every search shares, single- or multi-objective: checks, ground truth, evaluator, run folder.

:func:`prepare` applies the resume rules, checks every value and name, reads the ground
truth and builds the evaluator (which reads data and calibrates) -- all before the run
folder is written, so a start that fails leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, TypeVar

from evonas.config import SearchBase
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


def check_common(config: SearchBase) -> SearchSpace:
    """The checks every search shares: ranges (the config's own), then every name against its registry."""
    from evonas.data import DATASETS

    config.check()
    space = get_space(config.space)
    DATASETS.get(config.dataset)
    space.check_net_args(config.net)
    EVALUATORS.get(config.evaluator)
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
    evaluator = _build(config, space, out, progress)  # reads data and calibrates: before the folder
    if out is not None:
        config.save(out, resume=resume)
    return Prepared(config, space, evaluator, truth, resume)


def _build(config: Any, space: SearchSpace, out: Path | None, progress: bool) -> Evaluator:
    """The evaluator (looked up at call time, so a test may wrap :func:`build_evaluator`)."""
    return build_evaluator(config, space, out, progress)
