"""Pipelined steady state: up to ``window`` cycles in flight, merged in order, the same result with any workers.

A steady-state cycle breeds a few children and merges the best back, and the next cycle
needs that merge: a synchronous search has one cycle's children in flight (SWAP-NAS: at
most 6) and each cycle waits for its slowest. With a window ``W``, cycle ``c`` is bred from
the population as it stood after cycle ``c - W`` was merged::

    breed cycles 1..W from P
    for c = 1, 2, ... (while the budget lasts):
        wait for cycle c's evaluations (a cycle's later stage is submitted as its first returns)
        merge cycle c into P; record; checkpoint
        breed cycle c + W from P

``W = 1`` is the synchronous algorithm, draw for draw. Why the result depends on the seed
and ``W`` only, never on the number of workers or on timing:

- every wait is for the oldest evaluation submitted, so events happen in one order;
- a cycle draws from its own random stream, a *lane* (cycle ``c``: lane ``c mod W``, which
  has no other cycle in flight); lane 0 continues the run's generator, so ``W = 1`` draws as before;
- a cycle sees the cache as it stood when it was bred plus its own results (its *ledger*);
  its evaluations enter the run's cache, budget and logbook when it is merged
  (:meth:`~evonas.strategy.SearchRun.settle`; past the budget they are dropped);
- a cycle submits nothing once the architectures that earlier cycles have in flight use up
  the budget: the run stops before it is merged, so nothing is spent on what would be dropped.

A checkpoint after a merge keeps, for every cycle still in flight, its lane's state, the
population it was bred from and how much of the cache it saw; ``--resume`` breeds those
cycles again and re-submits their evaluations, so a resumed run is the uninterrupted one.
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable, Generator, Sequence

import numpy as np
from deap import base

from evonas import parallel
from evonas.cache import ScoreCache, task
from evonas.errors import ConfigError
from evonas.evaluation import evaluate_safely
from evonas.operators import Individual
from evonas.strategy.run import SearchRun, evaluate_all

#: ``breed(population, seen)``: a generator that yields ``(individuals, parent)`` to evaluate,
#: is sent back those that got a fitness, and returns ``(joining, scored)``: the individuals
#: that join the population, and all it scored (for the record).
Breed = Callable[[list, ScoreCache], Generator[tuple[Sequence, Individual | None], list, tuple[list, list]]]


@dataclass
class Bred:
    """A cycle in flight as a checkpoint keeps it: enough to breed it again, draw for draw."""

    cycle: int
    rng: dict[str, Any]  # its lane's generator state when it was bred
    population: list  # the population it was bred from
    seen: int  # cache entries it saw


@dataclass
class _Cycle:
    bred: Bred
    steps: Generator
    ledger: ScoreCache
    batches: list = field(default_factory=list)  # what each evaluation scored, in order
    submitted: set = field(default_factory=set)  # the cache keys it submitted
    pending: tuple | None = None  # (individuals, parent, limit, futures)
    outcome: tuple[list, list] | None = None


def check_window(window: int) -> None:
    """A window is a whole number of cycles, at least 1."""
    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        raise ConfigError(f"window = {window!r} is out of range: must be a whole number >= 1 (1: the synchronous search)")


def steady_state(population: list, toolbox: base.Toolbox, run: SearchRun, breed: Breed, *, window: int,
                 rng: np.random.Generator | None) -> list:
    """Run the steady-state cycles of ``breed`` with up to ``window`` in flight.

    ``rng`` is the toolbox's generator, whose state the lanes take turns in; needed with a
    window > 1 only (one cycle in flight draws from it as it is).

    Toolbox parts used: ``evaluate``, ``map`` (its ``submit``, if it has one, starts
    evaluations without waiting; :func:`evonas.parallel.submit`) and ``remove``.
    """
    check_window(window)
    if rng is None and window > 1:
        raise ConfigError(f"window = {window}: a pipelined search needs the toolbox's generator (rng=...)")
    run.begin(population)
    if rng is None:
        run.lanes = None
    elif run.lanes is None:
        seeds = [int(rng.integers(2**63)) for _ in range(window - 1)]
        run.lanes = [rng.bit_generator.state] + [np.random.default_rng(s).bit_generator.state for s in seeds]
    if run.lanes is not None and len(run.lanes) != window:
        raise ConfigError(f"window = {window}: the run being continued has {len(run.lanes)} (a window cannot change)")
    if run.resumed and not run.stop.more(run.cycle, run.spent, run.stalled):
        run.inflight = []  # a finished run: what it had bred past its end is not merged on resume
        return population
    lanes = run.lanes
    cycles: deque[_Cycle] = deque()  # in cycle order
    waiting: deque[_Cycle] = deque()  # with an evaluation in flight, in the order submitted

    def on_lane(cycle: _Cycle, fn: Callable, *args: Any) -> Any:
        if rng is None:
            return fn(*args)
        lane = cycle.bred.cycle % window
        rng.bit_generator.state = lanes[lane]
        try:
            return fn(*args)
        finally:
            lanes[lane] = rng.bit_generator.state

    def step(cycle: _Cycle, scored: list | None) -> None:
        try:
            individuals, parent = on_lane(cycle, cycle.steps.send, scored)
        except StopIteration as done:
            cycle.outcome = done.value
            return
        individuals = list(individuals)
        limit = 0 if spent_ahead(cycle) else run.stop.remaining(cycle.ledger.misses)
        todo = [ind.genome for ind in individuals if not ind.fitness.valid]
        missing = cycle.ledger.missing(todo, limit)
        cycle.submitted.update(run.cache.key(g) for g in missing)
        tasks = [task(g, None if parent is None else parent.genome) for g in missing]
        futures = parallel.submit(toolbox.map, partial(evaluate_safely, toolbox.evaluate), tasks)
        cycle.pending = (individuals, parent, limit, futures)
        waiting.append(cycle)

    def spent_ahead(cycle: _Cycle) -> bool:
        # Earlier cycles merge first, and each architecture they submitted that is new to the
        # cache is counted then (or the budget runs out on the way): if those alone use up the
        # budget, the run stops before this cycle is merged, so its evaluations would be dropped.
        earlier = set().union(*(c.submitted for c in itertools.takewhile(lambda c: c is not cycle, cycles)))
        return run.stop.remaining(run.spent + sum(key not in run.cache.scores for key in earlier)) == 0

    def collect(cycle: _Cycle) -> list:
        individuals, parent, limit, futures = cycle.pending
        cycle.pending = None
        results = [f.result() for f in futures]
        todo = [ind for ind in individuals if not ind.fitness.valid]
        scored = evaluate_all(toolbox, individuals, cycle.ledger, limit=limit, parent=parent,
                              map_fn=lambda fn, tasks: results)
        cycle.batches.append([ind for ind in todo if ind.fitness.valid])
        return scored

    def start(bred: Bred) -> None:
        if rng is not None:
            lanes[bred.cycle % window] = bred.rng
        cycle = _Cycle(bred, None, ledger(run.cache, bred.seen))  # type: ignore[arg-type]
        cycle.steps = breed(list(bred.population), cycle.ledger)
        cycles.append(cycle)
        step(cycle, None)

    def fill() -> None:
        later = run.cycle + len(cycles) + 1
        while len(cycles) < window and run.stop.more(later - 1, run.spent, run.stalled):
            start(Bred(later, lanes[later % window] if rng is not None else {}, list(population), len(run.cache)))
            later += 1
        run.inflight = [c.bred for c in cycles]

    for bred in run.inflight:
        start(bred)
    fill()
    while cycles:
        oldest = cycles[0]
        while oldest.outcome is None:
            cycle = waiting.popleft()
            step(cycle, collect(cycle))
        cycles.popleft()
        run.inflight = [c.bred for c in cycles]
        counted = {id(ind) for ind in run.settle(oldest.batches, oldest.ledger)}
        dropped = {id(ind) for batch in oldest.batches for ind in batch} - counted
        joining, scored = ([ind for ind in group if id(ind) not in dropped] for group in oldest.outcome)
        for child in joining:
            population.append(child)
            toolbox.remove(population)
        run.record(oldest.bred.cycle, population, scored)
        if not run.stop.more(run.cycle, run.spent, run.stalled):
            break
        fill()
    run.inflight = []
    return population


def ledger(cache: ScoreCache, seen: int) -> ScoreCache:
    """The cache as a cycle bred when it held ``seen`` entries saw it: its first ``seen`` entries, its counts then."""
    view = ScoreCache(cache.key)
    for key, evaluation in itertools.islice(cache.scores.items(), seen):
        view._put(key, evaluation)
    view.genomes = dict(itertools.islice(cache.genomes.items(), seen))
    view.hits, view.misses = cache.hits, cache.misses - (len(cache) - seen)
    return view


def auto_window(workers: int, brood: float) -> int:
    """The default window: enough cycles in flight to keep ``workers`` busy, 1 while one cycle can.

    ``brood`` is the evaluations a cycle submits (SWAP-NAS: its mutants and, half the time,
    a crossover child). Chosen by measurement (``docs/results/scaling.md``): about 4 tasks
    per worker keep 64 sleeping workers over 90 % busy; up to :data:`SYNCHRONOUS_WORKERS`
    workers keep the synchronous search (the same result with 1 or 2 workers).
    """
    if workers <= SYNCHRONOUS_WORKERS:
        return 1
    return max(1, math.ceil(AUTO_TASKS_PER_WORKER * workers / max(brood, 1.0)))


#: Tasks in flight per worker that :func:`auto_window` aims at.
AUTO_TASKS_PER_WORKER = 4.0
#: Up to this many workers the default window is 1: the synchronous search, identical with 1 or 2 workers.
SYNCHRONOUS_WORKERS = 2
