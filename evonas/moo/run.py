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
import sys
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pandas as pd
from pymoo.core.algorithm import Algorithm
from pymoo.core.termination import NoTermination

from evonas.cache import ScoreCache
from evonas.checkpoint import atomic_write
from evonas.config import RunConfig
from evonas.encodings import Genome, SearchSpace, get_space
from evonas.encodings.genome import parse_key
from evonas.errors import ConfigError
from evonas.fitness import get_proxy
from evonas.moo.algorithms import ALGORITHMS, make_algorithm
from evonas.moo.front import (
    NB201_COLUMNS, Normalisation, hypervolume, nb201_front_report, pareto_ranks, plot_front, sort_front,
)
from evonas.moo.problem import ArchitectureProblem, MapFn, Scorer
from evonas.parallel import check_rules, make_map
from evonas.results import write_scored
from evonas.truth import GroundTruth

STATE_FILE = "checkpoint.json"
SIZE_OBJECTIVE = "params"


@dataclass
class MooConfig(RunConfig):
    """Everything that defines a multi-objective run (CLI flags and config-file keys have these names).

    Attributes:
        objectives: ``[proxy, "params"]``: maximise (or, for a lower-is-better proxy,
            minimise) the unregularised proxy and minimise the parameter count.
        algorithm: a name of :data:`evonas.moo.ALGORITHMS` (``nsga2``, ``spea2``, ``smsemoa``, ``nsga3``).
        population: population size (also offspring per generation).
        generations: generations, counted as pymoo does: generation 1 is the initial sample.
        crossover: probability that a mating applies node-incoming crossover.
        budget: maximum parameter count of the *scoring* network (the count that is the
            second objective); an architecture above it is infeasible. None: no budget.
        ground_truth: NAS-Bench-201 table to compare the found front with the true one.
        workers: local worker processes scoring in parallel (results do not depend on it).
        ray: a Ray cluster address (or ``auto``, ``local``) to score on instead.
    """

    space: str = "nb201"
    dataset: str = "cifar10"
    data: str | None = None
    objectives: list[str] = field(default_factory=lambda: ["swap", SIZE_OBJECTIVE])
    algorithm: str = "nsga2"
    population: int = 20
    generations: int = 10
    crossover: float = 0.9
    budget: float | None = None
    samples: int = 16
    repeats: int = 4
    seed: int = 0
    net: dict[str, Any] = field(default_factory=dict)
    ground_truth: str | None = None
    workers: int = 1
    ray: str | None = None

    @property
    def proxy(self) -> str:
        """The proxy of the first objective."""
        return self.objectives[0]

    def check(self) -> MooConfig:
        """Raise :class:`ConfigError` (or :class:`UnknownNameError`) naming the first out-of-range value."""
        get_space(self.space)
        ALGORITHMS.get(self.algorithm)
        if len(self.objectives) != 2 or self.objectives[1] != SIZE_OBJECTIVE or self.proxy == SIZE_OBJECTIVE:
            raise ConfigError(
                f"objectives = {','.join(self.objectives)!r}: must be 'PROXY,params' (e.g. 'swap,params'): "
                "a proxy to maximise, then the parameter count to minimise"
            )
        try:
            get_proxy(self.proxy)
        except ConfigError as err:
            raise ConfigError(
                f"objectives: proxy {self.proxy!r} needs options ({err}); the size trade-off is the second "
                "objective here, so use the plain proxy (e.g. 'swap' rather than 'reg-swap')"
            ) from None
        self.check_ranges({
            "population": (self.population >= 2, ">= 2"),
            "generations": (self.generations >= 1, ">= 1"),
            "crossover": (0.0 <= self.crossover <= 1.0, "in [0, 1]"),
            "budget": (self.budget is None or self.budget > 0, "> 0 (a parameter count) or unset"),
            "samples": (self.samples >= 2, ">= 2"),
            "repeats": (self.repeats >= 1, ">= 1"),
            **check_rules(self.workers, self.ray),
        })
        return self

    def normalise(self, data: dict[str, Any]) -> dict[str, Any]:
        """``objectives`` may be given as a comma-separated string."""
        if isinstance(data.get("objectives"), str):
            data["objectives"] = [o.strip() for o in data["objectives"].split(",")]
        return data


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


def run_moo(
    config: MooConfig,
    out: Path,
    *,
    resume: bool = False,
    progress: bool = True,
    scorer: Scorer | None = None,
    map_fn: MapFn | None = None,
) -> MooResult:
    """Run (or with ``resume=True`` continue) a multi-objective search and write its run folder ``out``.

    Pseudocode (pymoo's ask-and-tell interface, one checkpoint per generation)::

        algorithm.setup(problem, seed)
        for generation in 1..G:
            offspring = algorithm.ask()          # generation 1: the initial sample
            evaluate(offspring)                  # cache first, the rest through map_fn(scorer, ...)
            algorithm.tell(offspring)            # survival
            record hypervolume; save checkpoint

    Args:
        config: the run's settings; on resume the folder's ``config.json`` is used instead,
            except ``workers`` and ``ray`` (how to run, not what), taken from ``config``.
        scorer: ``genome -> (score, params)``; default: an
            :class:`~evonas.evaluation.ArchitectureScorer` of ``config.proxy`` on the
            space's scoring network. A resumed run must get the same scorer.
        map_fn: how new architectures are scored; default: :func:`evonas.parallel.make_map`
            of ``config.workers`` and ``config.ray`` (the builtin ``map`` for one worker).
    """
    out = Path(out)
    if resume:
        config = config.resumed_from(out)
    config.check()
    space = get_space(config.space)
    truth = GroundTruth.read(config.ground_truth, config.space, NB201_COLUMNS) if config.ground_truth else None
    if not resume:
        config.save(out)
    saved = _load_checkpoint(out) if resume and (out / STATE_FILE).exists() else None

    cache = ScoreCache()
    problem = ArchitectureProblem(
        scorer if scorer is not None else _default_scorer(config, space),
        cache,
        direction=get_proxy(config.proxy).direction,
        budget=config.budget,
    )
    rng, algorithm_seed = _seeds(config.seed)
    algorithm = make_algorithm(config.algorithm, space, pop_size=config.population, rng=rng, crossover=config.crossover)
    algorithm.setup(problem, termination=NoTermination(), seed=algorithm_seed, verbose=False)

    done = 0
    history: list[dict[str, Any]] = []
    normalisation: Normalisation | None = None
    if saved:
        done = saved["generation"]
        cache.load_json(saved["cache"])
        with _replaying(problem, out):
            for _ in range(done):
                _generation(algorithm, problem)
        _check_replay(out, saved, algorithm, rng)
        cache.load_json(saved["cache"])  # the replay's cache hits are not part of the run
        history = saved["hypervolume"]
        normalisation = Normalisation(**{k: tuple(v) for k, v in saved["normalisation"].items()})
    bar = _progress(config.generations, done, progress)
    scoring = make_map(config.workers, config.ray, problem.scorer) if map_fn is None else nullcontext(map_fn)
    with scoring as problem.map_fn:
        for generation in range(done + 1, config.generations + 1):
            _generation(algorithm, problem)
            if normalisation is None:
                normalisation = Normalisation.of(algorithm.pop.get("F")[_scored(algorithm, cache)])
            history.append(_hypervolume_row(generation, algorithm, cache, normalisation))
            _save_checkpoint(out, generation, algorithm, cache, rng, normalisation, history)
            _write_hypervolume(out, history)
            bar.set_postfix(hypervolume=f"{history[-1]['hypervolume']:.4f}", front=history[-1]["front_size"], refresh=False)
            bar.update(1)
    bar.close()
    return _finish(out, config, space, problem, algorithm, history, truth)


def _generation(algorithm: Algorithm, problem: ArchitectureProblem) -> None:
    """One ask-evaluate-tell step (pymoo's ask-and-tell interface)."""
    offspring = algorithm.ask()
    algorithm.evaluator.eval(problem, offspring)
    algorithm.tell(infills=offspring)


def _seeds(seed: int) -> tuple[np.random.Generator, int]:
    """Our operators' generator and pymoo's seed, two independent streams spawned from ``seed``."""
    operators, algorithm = np.random.SeedSequence(seed).spawn(2)
    return np.random.Generator(np.random.PCG64(operators)), int(algorithm.generate_state(1)[0])


def _default_scorer(config: MooConfig, space: SearchSpace) -> Scorer:
    from evonas.data import load_images
    from evonas.evaluation import ArchitectureScorer

    return ArchitectureScorer(
        space=config.space,
        proxy=config.proxy,
        batch=load_images(config.data, samples=config.samples, dataset=config.dataset),
        net_args=dict(config.net or space.scoring_net_args),
        repeats=config.repeats,
        seed=config.seed,
    )


def _scored(algorithm: Algorithm, cache: ScoreCache) -> np.ndarray:
    """Which members of the population have a score (their proxy did not fail)."""
    return np.array([not cache.get(ind.X[0]).failed for ind in algorithm.pop], dtype=bool)


def _feasible(algorithm: Algorithm) -> np.ndarray:
    return algorithm.pop.get("CV")[:, 0] <= 0


def _hypervolume_row(generation: int, algorithm: Algorithm, cache: ScoreCache, normalisation: Normalisation) -> dict[str, Any]:
    F = algorithm.pop.get("F")[_feasible(algorithm)]
    front = F[pareto_ranks(F) == 0]
    return {
        "generation": generation,
        "evaluations": cache.misses,
        "front_size": len(front),
        "hypervolume": hypervolume(front, normalisation),
    }


def _write_hypervolume(out: Path, history: list[dict[str, Any]]) -> Path:
    path = out / "hypervolume.csv"
    pd.DataFrame(history, columns=["generation", "evaluations", "front_size", "hypervolume"]).to_csv(path, index=False)
    return path


# ---- checkpoint --------------------------------------------------------------------------
def _save_checkpoint(
    out: Path,
    generation: int,
    algorithm: Algorithm,
    cache: ScoreCache,
    rng: np.random.Generator,
    normalisation: Normalisation,
    history: list[dict[str, Any]],
) -> None:
    pop = algorithm.pop
    data = {
        "generation": generation,
        "population": [
            {"genome": ind.X[0].to_json(), "F": ind.F.tolist(), "G": ind.G.tolist()} for ind in pop
        ],
        "cache": cache.to_json(),
        "rng": {"operators": rng.bit_generator.state, "algorithm": algorithm.random_state.bit_generator.state},
        "normalisation": dataclasses.asdict(normalisation),
        "hypervolume": history,
    }
    atomic_write(out / STATE_FILE, json.dumps(data).encode())


def _load_checkpoint(out: Path) -> dict[str, Any]:
    try:
        data = json.loads((out / STATE_FILE).read_text())
        for key in ("generation", "population", "cache", "rng", "normalisation", "hypervolume"):
            data[key]  # noqa: B018 (presence check)
        return data
    except (KeyError, ValueError, TypeError, OSError) as err:
        raise ConfigError(f"--resume {out}: {STATE_FILE} is damaged ({type(err).__name__}: {err})") from None


@contextmanager
def _replaying(problem: ArchitectureProblem, out: Path) -> Iterator[None]:
    """Evaluations answered from the cache only: needing a new score means the replay diverged."""

    def no_scoring(scorer: Scorer, genomes: list[Genome]) -> list[tuple[float, int]]:
        if genomes:
            raise ConfigError(
                f"--resume {out}: replaying the checkpoint needed a score it does not hold ({genomes[0].key}); "
                "the code or pymoo changed since the run started, so it cannot be continued exactly"
            )
        return []

    map_fn = problem.map_fn
    problem.map_fn = no_scoring
    try:
        yield
    finally:
        problem.map_fn = map_fn


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
    population = sort_front(
        pd.DataFrame({
            "rank": pareto_ranks(F),
            "native": [space.to_native(g) for g in genomes],
            "score": problem.scores(F),
            "params": F[:, 1].astype(np.int64),
            "key": [g.key for g in genomes],
        })
    )
    population.to_csv(out / "front.csv", index=False)
    _write_hypervolume(out, history)
    cache = problem.cache
    write_scored(out, space, cache, [parse_key(k) for k in cache.scores])
    plot_front(out / "front.png", pd.read_csv(out / "scored.csv"), population, score_name=config.proxy, budget=config.budget)
    front = population[population["rank"] == 0].reset_index(drop=True)
    truth = None
    if truth_table is not None:
        truth = nb201_front_report(list(front["native"]), truth_table.frame)
        (out / "truth.json").write_text(json.dumps(truth, indent=2) + "\n")
    return MooResult(out, front, population, history, cache.misses, truth)


def _progress(total: int, done: int, enabled: bool):  # type: ignore[no-untyped-def]
    from tqdm import tqdm

    return tqdm(total=total, initial=done, desc="generations", disable=not enabled, file=sys.stderr)


