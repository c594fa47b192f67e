"""What every strategy shares: scoring through the toolbox with a cache and a budget, and the run's record.

A strategy says how architectures are chosen; :class:`SearchRun` does the bookkeeping the
same way for all of them (as DEAP's algorithms share ``varAnd`` and the Logbook): it scores
individuals (cached, bounded by the evaluation budget, failures as the worst fitness),
keeps the logbook and hall of fame, calls the per-cycle callback, and says when to stop.
"""

from __future__ import annotations

import math
import time
from functools import partial
from typing import Callable, Iterator, Sequence

import numpy as np
from deap import base, tools

from evonas import operators
from evonas.cache import Evaluation, ScoreCache, score_all
from evonas.encodings import SearchSpace
from evonas.errors import ConfigError
from evonas.operators import Individual

#: Columns of the logbook (and of ``log.csv``); cycle 0 is the initial population.
LOG_FIELDS = ["cycle", "evals", "cache_hits", "failed", "best", "mean", "best_params", "distinct", "seconds"]
#: Times a child is drawn again when its genome was already scored (a converged population
#: otherwise spends its cycles on cache hits).
REDRAWS = 10
#: Consecutive cycles without a new evaluation after which a search with no cycle limit stops.
STALL_CYCLES = 100


def evaluate_all(
    toolbox: base.Toolbox, individuals: Sequence, cache: ScoreCache | None = None, *, limit: int | None = None,
    parent: Individual | None = None,
) -> list:
    """Give every individual without a fitness its genome's score; return the individuals that have one.

    ``toolbox.evaluate(genome)`` returns a score, ``(score,)``, ``(score, params)`` or an
    :class:`~evonas.cache.Evaluation`, and runs through ``toolbox.map``. Each distinct genome
    is scored once (with a ``cache``, never again across calls). An architecture whose
    score failed gets the worst possible fitness, so selection drops it. With ``limit`` at
    most that many new genomes are scored; individuals left without a score are not returned.
    With a ``parent`` (the individual they were all derived from) the evaluator is called as
    ``evaluate(genome, parent=parent_genome)``, so one that trains can start from its weights.
    """
    cache = cache if cache is not None else ScoreCache()
    todo = [ind for ind in individuals if not ind.fitness.valid]
    evaluate = toolbox.evaluate if parent is None else partial(toolbox.evaluate, parent=parent.genome)
    results = score_all([ind.genome for ind in todo], evaluate, cache, map_fn=toolbox.map, limit=limit)
    for ind, result in zip(todo, results):
        if result is not None:
            assign(ind, result)
    return [ind for ind in individuals if ind.fitness.valid]


def assign(individual: Individual, evaluation: Evaluation) -> Individual:
    """Set an individual's fitness and size from an evaluation (a failed one is the worst fitness)."""
    if evaluation.failed:
        individual.fitness.values = tuple(-math.copysign(math.inf, w) for w in individual.fitness.weights)
    else:
        individual.fitness.values = (evaluation.score,)
    individual.params = evaluation.params
    return individual


def draw_fresh(draw: Callable[[], Individual], n: int, seen: ScoreCache, tries: int | None = None) -> list[Individual]:
    """``n`` individuals from ``draw()``; one whose genome was scored before, or drawn already, is redrawn.

    Each is drawn up to ``tries`` times (default :data:`REDRAWS`).

    A converged population makes children that were all scored before; redrawing spends the
    cycle on architectures not yet seen. After ``tries`` the last draw is kept (scoring it
    again is a free cache hit).
    """
    children: list[Individual] = []
    keys: set[str] = set()
    for _ in range(n):
        for _ in range(REDRAWS if tries is None else tries):
            child = draw()
            if child.genome not in seen and child.genome.key not in keys:
                break
        keys.add(child.genome.key)
        children.append(child)
    return children




class SearchRun:
    """The bookkeeping of one search: scoring with a cache and budget, logbook, hall of fame, callback.

    Args:
        toolbox: its ``evaluate`` and ``map`` score architectures.
        cache: evaluations by genome; a genome in it is never scored again.
        evaluations: the budget, in distinct architectures scored (None: unbounded).
        halloffame: updated with every scored individual.
        logbook: continue this logbook (resume); a new one is made otherwise.
        on_cycle: called as ``on_cycle(cycle, population, logbook)`` after every cycle, e.g. to checkpoint.
    """

    def __init__(
        self,
        toolbox: base.Toolbox,
        *,
        cache: ScoreCache | None = None,
        evaluations: int | None = None,
        halloffame: tools.HallOfFame | None = None,
        logbook: tools.Logbook | None = None,
        on_cycle: Callable[[int, list, tools.Logbook], None] | None = None,
    ) -> None:
        self.toolbox, self.budget, self.halloffame, self.on_cycle = toolbox, evaluations, halloffame, on_cycle
        self.cache = cache if cache is not None else ScoreCache()
        if logbook is None:
            logbook = tools.Logbook()
            logbook.header = LOG_FIELDS
        self.logbook = logbook
        self._mark()

    @property
    def spent(self) -> int:
        """Distinct architectures scored so far."""
        return self.cache.misses

    @property
    def remaining(self) -> int | None:
        """Evaluations left in the budget (None: unbounded)."""
        return None if self.budget is None else max(0, self.budget - self.spent)

    def evaluate(self, individuals: Sequence, parent: Individual | None = None) -> list:
        """:func:`evaluate_all` within the budget: the individuals that got a fitness."""
        return evaluate_all(self.toolbox, individuals, self.cache, limit=self.remaining, parent=parent)

    def begin(self, population: list, start: int | None) -> None:
        """Score and record the initial population (cycle 0) of a new search (``start`` None)."""
        if start is None:
            population[:] = self.evaluate(population)
            self.record(0, population, population)

    def cycles(self, start: int | None, cycles: int | None) -> Iterator[int]:
        """Cycle numbers after ``start`` (None: 0), until ``cycles`` are done, the budget is spent or the search stalls.

        With no cycle limit the budget must be set; the search then also stops after
        :data:`STALL_CYCLES` cycles in a row that scored nothing new.
        """
        if cycles is None and self.budget is None:
            raise ConfigError("a search needs a limit: give cycles, evaluations, or both")
        cycle, stalled = start or 0, 0
        while (cycles is None or cycle < cycles) and self.remaining != 0 and stalled < STALL_CYCLES:
            cycle += 1
            self._mark()
            yield cycle
            stalled = stalled + 1 if cycles is None and self.logbook[-1]["evals"] == 0 else 0

    def record(self, cycle: int, population: Sequence, scored: Sequence) -> None:
        """Log a cycle (counts since it began), update the hall of fame, call ``on_cycle``."""
        if self.halloffame is not None:
            self.halloffame.update([ind for ind in scored if math.isfinite(ind.fitness.values[0])])
        finite = [ind for ind in population if math.isfinite(ind.fitness.values[0])]
        best = max(finite, key=lambda ind: ind.fitness) if finite else None
        self.logbook.record(
            cycle=cycle,
            evals=self.spent - self._spent,
            cache_hits=self.cache.hits - self._hits,
            failed=self.cache.failures - self._failures,
            best=best.fitness.values[0] if best else None,
            mean=float(np.mean([ind.fitness.values[0] for ind in finite])) if finite else None,
            best_params=best.params if best else None,
            distinct=len({ind.genome.key for ind in population}),
            seconds=round(time.perf_counter() - self._t0, 4),
        )
        if self.on_cycle:
            self.on_cycle(cycle, population, self.logbook)

    def _mark(self) -> None:
        self._t0, self._spent, self._hits = time.perf_counter(), self.spent, self.cache.hits
        self._failures = self.cache.failures


def make_toolbox(
    space: SearchSpace,
    evaluate: Callable,
    rng: np.random.Generator,
    fitness: type,
    *,
    tournament: int | None = None,
    remove: Callable = operators.remove_worst,
) -> base.Toolbox:
    """The toolbox every strategy draws on: swap any part by re-registering it (see ``examples/``).

    Args:
        space: the search space (sampling, mutation, crossover).
        evaluate: ``genome -> score`` (see :func:`evaluate_all`).
        rng: the generator of every random choice.
        fitness: the DEAP fitness class (its weights say whether higher is better).
        tournament: sample size of tournament selection (default: half the population).
        remove: the replacement rule: ``remove_worst`` (SWAP-NAS) or ``remove_oldest`` (ageing).
    """
    toolbox = base.Toolbox()
    toolbox.register("individual", lambda: Individual(space.sample(rng), fitness=fitness()))
    toolbox.register("population", tools.initRepeat, list, toolbox.individual)
    toolbox.register("evaluate", evaluate)
    toolbox.register("select", operators.sel_tournament_top, rng=rng, sample_size=tournament)
    toolbox.register("mate", operators.cxNodeIncoming, space=space, rng=rng)
    toolbox.register("mutate", operators.mutRandom, space=space, rng=rng)
    toolbox.register("remove", remove)
    return toolbox
