"""The multi-objective search façade: a proxy score up, parameters down, any registered pymoo algorithm.

One config in, one run folder out: ``config.json``, ``checkpoint.json`` (after every
generation), ``hypervolume.csv``, ``front.csv``, ``scored.csv``, ``front.png`` and, with a
NAS-Bench-201 ground-truth table, ``truth.json``. Only this module and the CLI read
configuration; everything below takes explicit arguments.

How resume is exact: the checkpoint holds the population with its objective values, the
score cache, both generator states (our operators' and pymoo's), the generation and the
hypervolume history, all in JSON. Rather than rebuild pymoo's algorithm object (pickling it
is forbidden here, and its hidden state -- ranks, crowding distances, archives -- differs
per algorithm), a resumed run *replays* the saved generations: a fresh algorithm with the
same seeds asks for the same offspring, and every one of them is answered from the saved
score cache, so no architecture is scored twice. The replayed population and generator
states must then equal the saved ones (else :class:`ConfigError`), and the run continues
exactly as the uninterrupted run would. Replay costs pymoo's bookkeeping only, milliseconds
per generation.
"""

from __future__ import annotations

import dataclasses
import json
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pymoo.core.algorithm import Algorithm
from pymoo.core.termination import NoTermination

from evonas import runfolder
from evonas.cache import ScoreCache
from evonas.config import MooConfig
from evonas.costs import COSTS, Costed
from evonas.encodings import SearchSpace
from evonas.errors import ConfigError
from evonas.moo.algorithms import make_algorithm
from evonas.moo.front import (
    NB201_COLUMNS, Normalisation, hypervolume, nb201_front_report, pareto_ranks, plot_front, plot_truth, sort_front,
)
from evonas.moo.problem import ArchitectureProblem, MapFn, Scorer
from evonas.parallel import make_map
from evonas.preamble import prepare
from evonas.progress import Progress
from evonas.strategy.run import StopRule
from evonas.results import write_scored
from evonas.tracking import check_trackers, tracked
from evonas.truth import GroundTruth

STATE_FILE = runfolder.CHECKPOINT_FILE


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


def check_moo(config: MooConfig, space: SearchSpace) -> None:
    """The multi-objective names: the costs, an algorithm that suits their number, a first objective without a
    size factor of its own."""
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
    check_trackers(config.track)
    if config.evaluator != "proxy":
        return
    factory = PROXIES.get(config.proxy)
    if isinstance(factory, type) and issubclass(factory, Regularised):
        raise ConfigError(
            f"objectives: proxy {config.proxy!r} folds model size into its score; the size trade-off is the second "
            "objective here, so use the plain proxy (e.g. 'swap' rather than 'reg-swap')"
        )


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
        config: the run's settings (None on resume: the folder's ``config.json`` is used,
            with ``changes``, which may only extend the run or change how it runs).
        scorer: ``genome -> (score, params)`` replacing the configured evaluator's (a
            resumed run must get the same one).
        map_fn: how new architectures are evaluated; default: :func:`evonas.parallel.make_map`
            of ``config.workers`` and ``config.ray`` (the builtin ``map`` for one worker).
    """
    out = Path(out)
    prepared = prepare(MooConfig, config, out, resume=resume, changes=changes, progress=progress, check=check_moo,
                       truth_columns=NB201_COLUMNS)
    config, space = prepared.config, prepared.space
    scorer = Costed(scorer, prepared.budget) if scorer is not None else prepared.evaluator.evaluate
    saved = runfolder.load_checkpoint(out, KIND, SAVED) if resume and (out / STATE_FILE).exists() else None

    cache = ScoreCache(space.network_key)
    problem = ArchitectureProblem(scorer, cache, direction=prepared.evaluator.direction,
                                  costs=config.cost_objectives, limits=config.budget)
    rng, algorithm_seed = _seeds(config.seed)
    algorithm = make_algorithm(config.algorithm, space, pop_size=config.population, rng=rng, crossover=config.crossover,
                               n_obj=len(config.objectives))
    algorithm.setup(problem, termination=NoTermination(), seed=algorithm_seed, verbose=False)
    # generation 1 is the initial sample, so C cycles are C + 1 generations
    stop = StopRule(None if config.cycles is None else config.cycles + 1, config.evaluations)

    done, stalled = 0, 0
    history: list[dict[str, Any]] = []
    normalisation: Normalisation | None = None
    if saved:
        done, stalled = saved["generation"], saved.get("stalled", 0)
        cache.load_json(saved["cache"])
        problem.limit = 0  # a replay evaluates nothing: every answer comes from the saved cache
        for _ in range(done):
            _generation(algorithm, problem)
        _check_replay(out, saved, algorithm, rng)
        cache.load_json(saved["cache"])  # the replay's cache hits are not part of the run
        history = saved["hypervolume"]
        if saved["normalisation"] is not None:
            normalisation = Normalisation(**{k: tuple(v) for k, v in saved["normalisation"].items()})
        if changes and any(k in changes for k in ("cycles", "evaluations")) and not stop.more(done, cache.misses, 0):
            raise ConfigError(f"--resume {out}: the run has done {done - 1} cycles and {cache.misses} evaluations "
                              "already; give more --cycles or --evaluations (the limits given replace the saved ones)")
    bar = Progress(config.algorithm, cycles=config.cycles, evaluations=config.evaluations, enabled=progress)
    bar.start(max(done - 1, 0), cache.misses)
    scoring = (make_map(config.workers, config.ray, problem.scorer, gpus_per_worker=config.gpus_per_worker)
               if map_fn is None else nullcontext(map_fn))
    with scoring as problem.map_fn, tracked(config, out, resume=resume) as tracking:
        generation = done
        while stop.more(generation, cache.misses, stalled):
            generation += 1
            before = cache.misses
            problem.limit = stop.remaining(cache.misses)
            _generation(algorithm, problem)
            stalled = stop.stalled(stalled, cache.misses - before)
            if normalisation is None and _scored(algorithm, cache).any():  # the first generation with a scored member
                normalisation = Normalisation.of(algorithm.pop.get("F")[_scored(algorithm, cache)])
            history.append(_hypervolume_row(generation, algorithm, cache, normalisation, space))
            _save_checkpoint(out, generation, stalled, algorithm, cache, rng, normalisation, history)
            _write_hypervolume(out, history)
            tracking.cycle(history[-1])
            bar.update(generation - 1, cache.misses, hypervolume=history[-1]["hypervolume"],
                       front=history[-1]["front_size"])
        bar.close()
        return _finish(out, config, space, problem, algorithm, history, prepared.truth)


def _generation(algorithm: Algorithm, problem: ArchitectureProblem) -> None:
    """One ask-evaluate-tell step (pymoo's ask-and-tell interface)."""
    offspring = algorithm.ask()
    algorithm.evaluator.eval(problem, offspring)
    algorithm.tell(infills=offspring)


def _seeds(seed: int) -> tuple[np.random.Generator, int]:
    """Our operators' generator and pymoo's seed, two independent streams spawned from ``seed``."""
    operators, algorithm = np.random.SeedSequence(seed).spawn(2)
    return np.random.Generator(np.random.PCG64(operators)), int(algorithm.generate_state(1)[0])


def _scored(algorithm: Algorithm, cache: ScoreCache) -> np.ndarray:
    """Which members of the population have a score (their proxy did not fail)."""
    return np.array([not cache.get(ind.X[0]).failed for ind in algorithm.pop], dtype=bool)


def _feasible(algorithm: Algorithm) -> np.ndarray:
    return algorithm.pop.get("CV")[:, 0] <= 0


def _hypervolume_row(
    generation: int, algorithm: Algorithm, cache: ScoreCache, normalisation: Normalisation | None, space: SearchSpace
) -> dict[str, Any]:
    """Hypervolume of the feasible front (0 until some member was scored: nothing to normalise by yet)."""
    feasible = _feasible(algorithm)
    F = algorithm.pop.get("F")[feasible]
    on_front = pareto_ranks(F) == 0
    networks = {space.canonical_key(ind.X[0]) for ind, on in zip(algorithm.pop[feasible], on_front) if on}
    return {
        "cycle": generation - 1,
        "evaluations": cache.misses,
        "front_size": len(networks),
        "hypervolume": 0.0 if normalisation is None else hypervolume(F[on_front], normalisation),
    }


def _write_hypervolume(out: Path, history: list[dict[str, Any]]) -> Path:
    path = out / "hypervolume.csv"
    pd.DataFrame(history, columns=["cycle", "evaluations", "front_size", "hypervolume"]).to_csv(path, index=False)
    return path


# ---- checkpoint --------------------------------------------------------------------------
KIND = "moo"
#: what a multi-objective checkpoint holds
SAVED = ("generation", "population", "cache", "rng", "normalisation", "hypervolume")


def _save_checkpoint(
    out: Path,
    generation: int,
    stalled: int,
    algorithm: Algorithm,
    cache: ScoreCache,
    rng: np.random.Generator,
    normalisation: Normalisation | None,
    history: list[dict[str, Any]],
) -> None:
    runfolder.save_checkpoint(out, KIND, {
        "generation": generation,
        "stalled": stalled,
        "population": [{"genome": ind.X[0].to_json(), "F": ind.F.tolist(), "G": ind.G.tolist()} for ind in algorithm.pop],
        "cache": cache.to_json(),
        "rng": {"operators": rng.bit_generator.state, "algorithm": algorithm.random_state.bit_generator.state},
        "normalisation": None if normalisation is None else dataclasses.asdict(normalisation),
        "hypervolume": history,
    })


def _check_replay(out: Path, saved: dict[str, Any], algorithm: Algorithm, rng: np.random.Generator) -> None:
    replayed = [{"genome": ind.X[0].to_json(), "F": ind.F.tolist(), "G": ind.G.tolist()} for ind in algorithm.pop]
    same = (
        replayed == saved["population"]
        and rng.bit_generator.state == saved["rng"]["operators"]
        and algorithm.random_state.bit_generator.state == saved["rng"]["algorithm"]
    )
    if not same:
        raise ConfigError(
            f"--resume {out}: replaying generations 1..{saved['generation']} did not reproduce the saved "
            "population and generator states (was evonas or pymoo upgraded?); start a new run"
        )


# ---- results -----------------------------------------------------------------------------
def _finish(
    out: Path,
    config: MooConfig,
    space: SearchSpace,
    problem: ArchitectureProblem,
    algorithm: Algorithm,
    history: list,
    truth_table: GroundTruth | None,
) -> MooResult:
    feasible = _feasible(algorithm)
    genomes = [ind.X[0] for ind in algorithm.pop[feasible]]
    F = algorithm.pop.get("F")[feasible]
    costs = {f"cost_{name}": F[:, 1 + i] for i, name in enumerate(problem.costs)}
    population = sort_front(
        pd.DataFrame({
            "rank": pareto_ranks(F),
            "native": [space.to_native(g) for g in genomes],
            "score": problem.scores(F),
            "params": [problem.cache.get(g).params for g in genomes],
            **costs,
            "key": [g.key for g in genomes],
            "network": [space.canonical_key(g) for g in genomes],
        }),
        by=next(iter(costs)),
    )
    # one row per network computed: copies (isomorphic cells, dead branches) are not counted twice
    population = population.drop_duplicates("network").reset_index(drop=True)
    population.to_csv(out / "front.csv", index=False)
    _write_hypervolume(out, history)
    cache = problem.cache
    write_scored(out, space, cache)
    scored = pd.read_csv(out / "scored.csv")
    for i, name in enumerate(problem.costs):  # one plot per cost: front.png for the first, front_<cost>.png after
        title = f"{config.algorithm} on {config.space}: {config.proxy} vs {name}"
        plot_front(out / ("front.png" if i == 0 else f"front_{name}.png"), scored, population,
                   score_name=config.proxy, cost=name, budget=config.budget.get(name), title=title)
    front = population[population["rank"] == 0].reset_index(drop=True)
    truth = None
    if truth_table is not None:
        truth = nb201_front_report(list(front["native"]), truth_table)
        (out / "truth.json").write_text(json.dumps(truth, indent=2) + "\n")
        plot_truth(out / "truth.png", truth, truth_table, title=f"{config.algorithm} on {config.space}: true accuracy")
    return MooResult(out, front, population, history, cache.misses, truth)
