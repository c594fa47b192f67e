"""The multi-objective search façade: a proxy score up, parameters down, any registered pymoo algorithm.

One config in, one run folder out: ``config.json`` and ``resolved.json``, ``checkpoint.json``
(after every generation; :mod:`evonas.moo.checkpoint`), and the results
(:mod:`evonas.moo.results`): ``hypervolume.csv``, ``front.csv``, ``scored.csv``,
``front.png`` and, with a NAS-Bench-201 ground-truth table, ``truth.json``. Only this
module and the CLI read configuration; everything below takes explicit arguments. A run
starts and resumes by the one rule of every search (:func:`evonas.preamble.prepare`):
everything is checked -- the replay of a resumed run's generations included -- before
anything is written.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pymoo.core.termination import NoTermination

from evonas.cache import ScoreCache
from evonas.config import MooConfig
from evonas.costs import COSTS, Costed
from evonas.encodings import SearchSpace
from evonas.errors import ConfigError
from evonas.moo.algorithms import ask_and_tell, make_algorithm
from evonas.moo.checkpoint import FORMAT, MooState, restore, save_checkpoint
from evonas.moo.front import NB201_COLUMNS, Normalisation
from evonas.moo.problem import ArchitectureProblem, MapFn, Scorer
from evonas.moo.results import finish, hypervolume_row, scored, write_hypervolume
from evonas.parallel import make_map
from evonas.preamble import begin, prepare
from evonas.progress import Progress
from evonas.strategy.run import StopRule
from evonas.tracking import tracked


@dataclass
class MooResult:
    """The outcome of :func:`run_moo`.

    Attributes:
        front: the found front: final-population rows of rank 0 (as in ``front.csv``).
        population: every feasible final-population row with its non-dominated rank.
        hypervolume: one row per generation (as in ``hypervolume.csv``).
        evaluations: distinct architectures scored.
        truth: the NAS-Bench-201 comparison (``truth.json``), if a ground-truth table was given.
    """

    run_dir: Path
    front: pd.DataFrame
    population: pd.DataFrame
    hypervolume: list[dict[str, Any]]
    evaluations: int
    truth: dict[str, Any] | None = None


def check_moo(config: MooConfig, space: SearchSpace) -> MooConfig:
    """The multi-objective names: the costs, an algorithm that suits their number, a first objective without a
    size factor of its own; returns ``config`` (nothing more to resolve)."""
    from evonas.fitness import PROXIES, Regularised
    from evonas.moo.algorithms import ALGORITHMS, suits

    unknown = [name for name in config.cost_objectives if name not in COSTS]
    if unknown or config.proxy in COSTS:
        first = "PROXY" if config.evaluator == "proxy" else "accuracy"
        raise ConfigError(
            f"objectives = {','.join(config.objectives)!r}: must be '{first},COST[,COST]' with each COST one of "
            f"{', '.join(COSTS.names())} (e.g. '{first},params'): the score to maximise, then the costs to minimise"
        )
    if not suits(ALGORITHMS.get(config.algorithm), len(config.objectives)):
        many = [n for n in ALGORITHMS.names() if suits(ALGORITHMS.get(n), len(config.objectives))]
        raise ConfigError(f"--algorithm {config.algorithm} does not suit {len(config.objectives)} objectives "
                          f"({','.join(config.objectives)}); use {' or '.join(many)}")
    if config.evaluator != "proxy":
        return config
    factory = PROXIES.get(config.proxy)
    if isinstance(factory, type) and issubclass(factory, Regularised):
        raise ConfigError(
            f"objectives: proxy {config.proxy!r} folds model size into its score; the size trade-off is the second "
            "objective here, so use the plain proxy (e.g. 'swap' rather than 'reg-swap')"
        )
    return config


def run_moo(
    config: MooConfig | None,
    out: Path,
    *,
    resume: bool = False,
    changes: dict[str, Any] | None = None,
    progress: bool = True,
    scorer: Scorer | None = None,
    map_fn: MapFn | None = None,
) -> MooResult:
    """Run (or with ``resume=True`` continue) a multi-objective search and write its run folder ``out``.

    Pseudocode (pymoo's ask-and-tell interface, one checkpoint per generation)::

        algorithm.setup(problem, seed)
        for cycle in 0..C (while the evaluation budget lasts):
            offspring = algorithm.ask()          # cycle 0: the initial sample
            evaluate(offspring)                  # cache first, the rest (within the budget) through map_fn
            algorithm.tell(offspring)            # survival
            record hypervolume; save checkpoint

    The budget is exact: offspring beyond it are not evaluated and are infeasible.

    Args:
        config: the run's settings (None on resume: the folder's are used, with ``changes``,
            which may only extend the run or change how it runs).
        scorer: ``genome -> (score, params)`` replacing the configured evaluator's (a
            resumed run must get the same one).
        map_fn: how new architectures are evaluated; default: :func:`evonas.parallel.make_map`
            of ``config.workers`` and ``config.ray`` (the builtin ``map`` for one worker).
    """
    out = Path(out)
    prepared = prepare(MooConfig, config, out, resume=resume, changes=changes, progress=progress, check=check_moo,
                       truth_columns=NB201_COLUMNS, checkpoint=FORMAT)
    config, space = prepared.config, prepared.space
    scorer = Costed(scorer, prepared.budget) if scorer is not None else prepared.evaluator.evaluate

    problem = ArchitectureProblem(scorer, ScoreCache(space.network_key), direction=prepared.evaluator.direction,
                                  costs=config.cost_objectives, limits=config.budget)
    rng, algorithm_seed = seeds(config.seed)
    algorithm = make_algorithm(config.algorithm, space, pop_size=config.population, rng=rng, crossover=config.crossover,
                               n_obj=len(config.objectives), init=prepared.init.genomes if prepared.init else ())
    algorithm.setup(problem, termination=NoTermination(), seed=algorithm_seed, verbose=False)
    state = restore(prepared.saved, out, algorithm, problem, rng) if prepared.resume else MooState()
    begin(out, prepared)
    # generation 1 is the initial sample, so C cycles are C + 1 generations
    stop = StopRule(None if config.cycles is None else config.cycles + 1, config.evaluations)
    cache = problem.cache
    bar = Progress(config.algorithm, cycles=config.cycles, evaluations=config.evaluations, enabled=progress)
    bar.start(max(state.generation - 1, 0), cache.misses)
    scoring = (make_map(config.workers, config.ray, problem.scorer, gpus_per_worker=config.gpus_per_worker,
                        device=prepared.evaluator.device)
               if map_fn is None else nullcontext(map_fn))
    with scoring as problem.map_fn, tracked(config, out, resume=prepared.resume) as tracking:
        while stop.more(state.generation, cache.misses, state.stalled):
            state.generation += 1
            before = cache.misses
            problem.limit = stop.remaining(cache.misses)
            ask_and_tell(algorithm, problem)
            state.stalled = stop.stalled(state.stalled, cache.misses - before)
            if state.normalisation is None and scored(algorithm, cache).any():  # the first generation with a score
                state.normalisation = Normalisation.of(algorithm.pop.get("F")[scored(algorithm, cache)])
            state.history.append(hypervolume_row(state.generation, algorithm, cache, state.normalisation, space))
            save_checkpoint(out, state, algorithm, problem, rng)
            write_hypervolume(out, state.history)
            tracking.cycle(state.history[-1])
            bar.update(state.generation - 1, cache.misses, hypervolume=state.history[-1]["hypervolume"],
                       front=state.history[-1]["front_size"])
        bar.close()
        front, population, truth = finish(out, config, space, problem, algorithm, state.history, prepared.truth)
        return MooResult(out, front, population, state.history, cache.misses, truth)


def seeds(seed: int) -> tuple[np.random.Generator, int]:
    """Our operators' generator and pymoo's seed, two independent streams spawned from ``seed``."""
    operators, algorithm = np.random.SeedSequence(seed).spawn(2)
    return np.random.Generator(np.random.PCG64(operators)), int(algorithm.generate_state(1)[0])
