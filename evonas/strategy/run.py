"""What every strategy shares: the one run object it receives, and the stop rule of every search.

A strategy says how architectures are chosen; :class:`SearchRun` does the bookkeeping the
same way for all of them (as DEAP's algorithms share ``varAnd`` and the Logbook): it
evaluates individuals (cached by network, bounded by the evaluation budget, failures as
the worst fitness), keeps the logbook and hall of fame, calls the per-cycle checkpoint
hook, and says when to stop (:class:`StopRule`, which the multi-objective search uses too).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable, Iterator, Sequence

import numpy as np
from deap import base, tools

from evonas import operators
from evonas.cache import ScoreCache, score_all
from evonas.evaluation import Evaluation, declared
from evonas.encodings import SearchSpace
from evonas.errors import ConfigError
from evonas.operators import Individual

#: Columns of the logbook (and of ``log.csv``); cycle 0 is the initial population.
#: ``failed``: the evaluator failed; ``infeasible``: over a cost budget, never scored.
LOG_FIELDS = ["cycle", "evals", "cache_hits", "failed", "infeasible", "best", "mean", "best_params", "distinct",
              "seconds"]
#: Times a child is drawn again when its genome was already scored (a converged population
#: otherwise spends its cycles on cache hits).
REDRAWS = 10
#: Consecutive cycles without a new evaluation after which a search with no cycle limit stops.
STALL_CYCLES = 100


def evaluate_all(
    toolbox: base.Toolbox, individuals: Sequence, cache: ScoreCache | None = None, *, limit: int | None = None,
    parent: Individual | None = None, map_fn: Callable | None = None,
) -> list:
    """Give every individual without a fitness its genome's score; return the individuals that have one.

    ``toolbox.evaluate(genome)`` returns a score, ``(score,)``, ``(score, params)`` or an
    :class:`~evonas.cache.Evaluation`, and runs through ``toolbox.map``. Each distinct genome
    is scored once (with a ``cache``, never again across calls). An architecture whose
    score failed gets the worst possible fitness, so selection drops it. With ``limit`` at
    most that many new genomes are scored; individuals left without a score are not returned.
    The ``parent`` (the individual they were all derived from) is offered to the evaluator
    (``evaluate(genome, parent=parent_genome)``), so one that trains starts from its weights.
    ``map_fn`` replaces ``toolbox.map`` (the pipeline passes the results it collected).
    """
    cache = cache if cache is not None else ScoreCache()
    todo = [ind for ind in individuals if not ind.fitness.valid]
    parents = [None if parent is None else parent.genome] * len(todo)
    results = score_all([ind.genome for ind in todo], toolbox.evaluate, cache, map_fn=map_fn or toolbox.map, limit=limit,
                        parents=parents)
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
            if child.genome not in seen and seen.key(child.genome) not in keys:
                break
        keys.add(seen.key(child.genome))
        children.append(child)
    return children




@dataclass(frozen=True)
class StopRule:
    """When a search stops: after ``cycles`` cycles, once ``evaluations`` are spent, or stalled.

    With no cycle limit (the budget alone), a search also stops after ``stall`` cycles in a
    row that evaluated nothing new (a converged population in a small space). Single- and
    multi-objective searches stop by this one rule.
    """

    cycles: int | None = None
    evaluations: int | None = None
    stall: int = STALL_CYCLES

    def __post_init__(self) -> None:
        if self.cycles is None and self.evaluations is None:
            raise ConfigError("a search needs a limit: give cycles, evaluations, or both")

    def more(self, done: int, spent: int, stalled: int) -> bool:
        """Whether to run another cycle after ``done`` cycles, ``spent`` evaluations and ``stalled`` idle cycles."""
        if self.cycles is not None and done >= self.cycles:
            return False
        if self.evaluations is not None and spent >= self.evaluations:
            return False
        return self.cycles is not None or stalled < self.stall

    def remaining(self, spent: int) -> int | None:
        """Evaluations left in the budget (None: unbounded)."""
        return None if self.evaluations is None else max(0, self.evaluations - spent)

    def stalled(self, stalled: int, new: int) -> int:
        """The idle-cycle count after a cycle that evaluated ``new`` architectures (counted under any limits)."""
        return stalled + 1 if new == 0 else 0


class SearchRun:
    """The one object a strategy receives: the budget, the cache, the record, and the checkpoint hook.

    A strategy reads ``for cycle in run.cycles(): ... run.evaluate(...) ... run.record(...)``;
    everything else -- caching by network, the exact budget, failures as data, the logbook,
    the hall of fame, stalling and resuming -- is here, the same for every strategy.

    Args:
        toolbox: its ``evaluate`` and ``map`` evaluate architectures.
        stop: when to stop (cycles, evaluations).
        cache: evaluations by network; an architecture in it is never evaluated again.
        halloffame: updated with every evaluated individual.
        logbook: continue this logbook (resume); a new one is made otherwise.
        start: the last cycle done when resuming (0: after the initial population); None: a new search.
        stalled: idle cycles so far (resume).
        on_cycle: called as ``on_cycle(run, population)`` after every cycle, e.g. to checkpoint.
        lanes: a pipelined search's random streams (:mod:`evonas.strategy.pipeline`; resume).
        inflight: the cycles a pipelined search had in flight (resume). Both are kept up to date
            here for checkpoints.
    """

    def __init__(
        self,
        toolbox: base.Toolbox,
        stop: StopRule,
        *,
        cache: ScoreCache | None = None,
        halloffame: tools.HallOfFame | None = None,
        logbook: tools.Logbook | None = None,
        start: int | None = None,
        stalled: int = 0,
        on_cycle: Callable[[SearchRun, list], None] | None = None,
        lanes: list[dict] | None = None,
        inflight: Sequence = (),
    ) -> None:
        self.toolbox, self.stop, self.on_cycle = toolbox, stop, on_cycle
        self.cache = cache if cache is not None else ScoreCache()
        self.halloffame = halloffame if halloffame is not None else tools.HallOfFame(1)
        if logbook is None:
            logbook = tools.Logbook()
            logbook.header = LOG_FIELDS
        self.logbook = logbook
        self.start, self.cycle, self.stalled = start, start or 0, stalled
        self.lanes, self.inflight = lanes, list(inflight)
        self._mark()

    @property
    def resumed(self) -> bool:
        """Whether this run continues one from a checkpoint."""
        return self.start is not None

    @property
    def spent(self) -> int:
        """Distinct architectures evaluated so far."""
        return self.cache.misses

    @property
    def remaining(self) -> int | None:
        """Evaluations left in the budget (None: unbounded)."""
        return self.stop.remaining(self.spent)

    @property
    def failures(self) -> int:
        """How many evaluated architectures failed."""
        return self.cache.failures

    def evaluate(self, individuals: Sequence, parent: Individual | None = None) -> list:
        """:func:`evaluate_all` within the budget, offering ``parent``: the individuals that got a fitness."""
        return evaluate_all(self.toolbox, individuals, self.cache, limit=self.remaining, parent=parent)

    def settle(self, batches: Sequence[Sequence], known: ScoreCache, *groups: Sequence) -> list[list]:
        """Account a pipelined cycle's evaluations at its merge, as :meth:`evaluate` would have; return ``groups`` kept.

        ``batches`` are the individuals each of its evaluations scored, in order; ``known``
        holds their evaluations. They enter the cache and the budget now (an architecture
        another cycle merged first is a cache hit); those past the budget are dropped, and
        each of ``groups`` (e.g. the cycle's children that join, and all it scored) comes
        back without them.
        """
        def recall(fn: Callable, tasks: Sequence) -> list[Evaluation]:
            return [known.get(t[0] if isinstance(t, tuple) else t) for t in tasks]

        dropped = set()
        for individuals in batches:
            results = score_all([ind.genome for ind in individuals], self.toolbox.evaluate, self.cache, map_fn=recall,
                                limit=self.remaining)
            dropped |= {id(ind) for ind, result in zip(individuals, results) if result is None}
        return [[ind for ind in group if id(ind) not in dropped] for group in groups]

    def begin(self, population: list) -> None:
        """Evaluate and record the initial population (cycle 0) of a new search; nothing when resuming."""
        if not self.resumed:
            population[:] = self.evaluate(population)
            self.record(0, population, population)

    def cycles(self) -> Iterator[int]:
        """Cycle numbers after the last one done, while the :class:`StopRule` allows."""
        while self.stop.more(self.cycle, self.spent, self.stalled):
            self._mark()
            cycle = self.cycle + 1
            yield cycle
            self.cycle = max(self.cycle, cycle)  # also for a strategy that recorded nothing this cycle

    def record(self, cycle: int, population: Sequence, scored: Sequence) -> None:
        """Log a cycle (counts since it began), update the hall of fame, call ``on_cycle``."""
        self.halloffame.update([ind for ind in scored if math.isfinite(ind.fitness.values[0])])
        finite = [ind for ind in population if math.isfinite(ind.fitness.values[0])]
        best = max(finite, key=lambda ind: ind.fitness) if finite else None
        new = self.spent - self._spent
        self.logbook.record(
            cycle=cycle,
            evals=new,
            cache_hits=self.cache.hits - self._hits,
            failed=self.cache.failures - self._failures,
            infeasible=self.cache.infeasible - self._infeasible,
            best=best.fitness.values[0] if best else None,
            mean=float(np.mean([ind.fitness.values[0] for ind in finite])) if finite else None,
            best_params=best.params if best else None,
            distinct=len({self.cache.key(ind.genome) for ind in population}),
            seconds=round(time.perf_counter() - self._t0, 4),
        )
        if cycle > 0:
            self.stalled = self.stop.stalled(self.stalled, new)
        self.cycle = cycle
        if self.on_cycle:
            self.on_cycle(self, population)
        self._mark()

    def _mark(self) -> None:
        self._t0, self._spent, self._hits = time.perf_counter(), self.spent, self.cache.hits
        self._failures, self._infeasible = self.cache.failures, self.cache.infeasible


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
        evaluate: ``genome -> score`` (see :func:`evaluate_all`); given the parent where it declares it takes one
            (:class:`~evonas.evaluation.Declared`, e.g. :attr:`evonas.evaluators.Evaluator.call`, or a ``parent`` keyword).
        rng: the generator of every random choice.
        fitness: the DEAP fitness class (its weights say whether higher is better).
        tournament: sample size of tournament selection (default: half the population).
        remove: the replacement rule: ``remove_worst`` (SWAP-NAS) or ``remove_oldest`` (ageing).
    """
    toolbox = base.Toolbox()
    toolbox.register("individual", lambda: Individual(space.sample(rng), fitness=fitness()))
    # looks ``individual`` up when called, so a decorated one (e.g. redrawn within a budget) is the one drawn
    toolbox.register("population", lambda n: [toolbox.individual() for _ in range(n)])
    toolbox.register("evaluate", declared(evaluate))
    toolbox.register("select", operators.sel_tournament_top, rng=rng, sample_size=tournament)
    toolbox.register("mate", operators.cxNodeIncoming, space=space, rng=rng)
    toolbox.register("mutate", operators.mutRandom, space=space, rng=rng)
    toolbox.register("remove", remove)
    return toolbox
