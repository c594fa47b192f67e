"""The preamble every search shares, single- or multi-objective: checks, ground truth, evaluator, run folder.

:func:`prepare` applies the resume rule, checks every value and name, reads the ground
truth and builds the evaluator (which reads data and calibrates) into a resolved copy of
the config -- all before the run folder is written (:func:`begin`), so a start or a resume
that fails leaves the folder as it was.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, TypeVar

from evonas.config import SearchBase
from evonas.costs import COSTS, LATENCY_FILE, Budget, Costed, make_cost
from evonas.encodings import SearchSpace, get_space
from evonas.cache import ScoreCache
from evonas.errors import ConfigError, EvonasError, ProxyError
from evonas.evaluators import EVALUATORS, Evaluator, build_evaluator
from evonas.runfolder import CHECKPOINT_FILE, INIT_FILE, CheckpointFormat, check_new, load_checkpoint
from evonas.truth import GroundTruth
from evonas.warmstart import WarmStart, load_init, resolve_init, save_init

C = TypeVar("C", bound=SearchBase)


@dataclass
class Prepared:
    """A checked run, ready to start: what :func:`prepare` gives both kinds of search.

    ``config`` is the resolved config the run runs on (a copy: the defaults, the window and
    the evaluator's calibration filled in); ``user`` is the config as the user gave it (on
    resume: as saved, with the changes given), never changed. ``saved`` is the checkpoint a
    resumed run continues.
    """

    config: Any
    space: SearchSpace
    evaluator: Evaluator
    truth: GroundTruth | None
    resume: bool
    extra: dict[str, Any] = field(default_factory=dict)
    #: the costs the run measures and its limits (None: it measures none); ``evaluator`` already applies it
    budget: Budget | None = None
    user: Any = None
    saved: dict[str, Any] | None = None
    init: WarmStart | None = None


def resolve(config: C, check: Callable[[C, SearchSpace], C] | None = None) -> tuple[C, SearchSpace]:
    """Every check of ``config``, ranges then names against their registries: its resolved copy and its space.

    ``config`` itself is never changed; ``check`` adds the kind's own checks (strategy,
    algorithm) and returns the copy with what it resolved (e.g. the window).
    """
    from evonas.data import DATASETS
    from evonas.tracking import check_trackers

    resolved = config.check()
    space = get_space(resolved.space)
    if resolved.repeats is None:  # as many re-initialisations as the space's scoring network needs
        resolved.repeats = space.scoring_repeats
    if resolved.dataset is not None:
        DATASETS.get(resolved.dataset)
    space.check_net_args(resolved.net)
    EVALUATORS.get(resolved.evaluator)
    for name in resolved.budget:  # a multi-objective search's cost objectives are checked with its other names
        COSTS.get(name)
    check_trackers(resolved.track)
    if check is not None:
        resolved = check(resolved, space)
    return resolved, space


def check_common(config: SearchBase) -> SearchSpace:
    """The checks every search shares (see :func:`resolve`); returns the space."""
    return resolve(config)[1]


def prepare(
    kind: type[C],
    config: C | None,
    out: Path | None,
    *,
    resume: bool = False,
    changes: dict[str, Any] | None = None,
    progress: bool = False,
    check: Callable[[C, SearchSpace], C] | None = None,
    truth_columns: tuple[str, ...] | None = None,
    checkpoint: CheckpointFormat | None = None,
) -> Prepared:
    """The preamble of every search: everything is checked and read; nothing is written (see :func:`begin`).

    A new run refuses a folder that is a file, holds a run, or holds others' files. A resume
    follows one rule for every kind of search: the saved config with ``changes`` (see
    :meth:`RunConfig.resumed`; a ``config`` is refused: the run has one),
    run on the original run's resolved values; the checkpoint must be this kind's
    (``checkpoint``) and intact, and the run must have something left to do (more cycles or
    evaluations, or results not yet written). ``check`` adds the kind's own registry checks.
    """
    user: C | None = config
    saved = None
    if resume:
        if out is None or checkpoint is None:
            raise ConfigError("resume=True needs the run folder to continue")
        if config is not None:
            raise ConfigError("resume=True continues the run folder's own config: give changes, not a config")
        user, config = kind.resumed(out, changes)
        saved = load_checkpoint(out, checkpoint.kind, checkpoint.needs)
    elif config is None:
        raise ConfigError(f"give a {kind.__name__} for a new search (or resume=True with its run folder)")
    elif out is not None:
        check_new(out)
    config, space = resolve(config, check)
    if saved is not None:
        check_more(Path(out), saved, config, checkpoint)  # type: ignore[arg-type]
    truth = None
    if config.ground_truth:
        truth = GroundTruth.read(config.ground_truth, config.space, *(() if truth_columns is None else (truth_columns,)))
    budget = make_budget(config, space, out)  # reads a latency table: before the folder
    init = None
    if config.init is not None:  # a resume replays from the folder's record, never the file (it may have changed)
        init = load_init(out, space) if resume else resolve_init(config.init, space, config.population, config.budget)
    evaluator = _build(config, space, out, progress)  # reads data and calibrates (into the resolved copy)
    if budget is not None:
        evaluator = dataclasses.replace(evaluator, evaluate=Costed(evaluator.evaluate, budget, evaluator.takes_parent))
    return Prepared(config, space, evaluator, truth, resume, budget=budget, user=user, saved=saved, init=init)


def check_more(out: Path, saved: dict[str, Any], config: SearchBase, checkpoint: CheckpointFormat) -> None:
    """A resumed run with nothing left to do is refused: its limits are reached and its results written."""
    from evonas.strategy.run import StopRule

    try:
        cycles, spent, stalled = checkpoint.progress(saved)
    except (KeyError, TypeError, ValueError) as err:
        raise ConfigError(f"--resume {out}: {CHECKPOINT_FILE} is damaged ({type(err).__name__}: {err})") from None
    if StopRule(config.cycles, config.evaluations).more(cycles, spent, stalled) or not (out / checkpoint.result).exists():
        return
    raise ConfigError(f"--resume {out}: the run has done {cycles} cycles and {spent} evaluations already; give more "
                      "--cycles or --evaluations (the limits given replace the saved ones)")


def begin(out: Path, prepared: Prepared) -> None:
    """Write the run folder's configs: called once every check, the kind's own included, has passed.

    ``config.json`` keeps what the user asked, ``resolved.json`` what the run runs on,
    ``init.json`` the architectures a warm start seeded. A new run's folder loses a failed
    start's timings and warm start (they are not this run's).
    """
    prepared.user.save(out, prepared.config)
    _save_batch_record(prepared.config, Path(out))
    if not prepared.resume:
        (Path(out) / LATENCY_FILE).unlink(missing_ok=True)
        (Path(out) / INIT_FILE).unlink(missing_ok=True)
        if prepared.init is not None:
            save_init(out, prepared.init, prepared.space)


def nothing_found(cache: ScoreCache, limits: dict[str, float], out: Path | None) -> EvonasError:
    """The error of a run that found no architecture to return: every one over the budget, or failed.

    Over the budget names the limits and the smallest cost seen, so the user knows how far
    off they are.
    """
    evaluations = list(cache.scores.values())
    where = f"; see {Path(out) / 'scored.csv'}" if out is not None else ""
    if evaluations and all(e.infeasible for e in evaluations):
        smallest = {name: min(e.costs[name] for e in evaluations if e.costs and name in e.costs) for name in limits
                    if any(e.costs and name in e.costs for e in evaluations)}
        return ConfigError(
            f"all {len(evaluations)} architectures evaluated were over --budget "
            f"{','.join(f'{k}={v:g}' for k, v in limits.items())} (the smallest seen: "
            f"{', '.join(f'{k} {v:.4g}' for k, v in smallest.items())}); raise the budget{where}")
    over = sum(e.infeasible for e in evaluations)
    return ProxyError(f"every one of the {len(evaluations)} architectures evaluated failed"
                      f"{f' ({over} of them over the budget)' if over else ''}{where}")


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
