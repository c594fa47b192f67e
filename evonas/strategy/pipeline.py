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
- a cycle sees the cache as it stood when it was bred plus its own results (its *view*, :func:`ledger`);
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
    """A cycle in flight: its breeding generator, the cache as it sees it, and what it scored so far."""

    bred: Bred
    steps: Generator
    view: ScoreCache  # the cache as it stood when the cycle was bred, plus the cycle's own results
    batches: list = field(default_factory=list)  # what each evaluation scored, in order
    submitted: set = field(default_factory=set)  # the cache keys it submitted
    pending: tuple | None = None  # (individuals, parent, limit, futures)
    outcome: tuple[list, list] | None = None  # (joining, scored) once bred to the end


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
    run.lanes = lanes(run.lanes, rng, window)
    pipe = _Pipeline(population, toolbox, run, breed, window, rng)
    if run.resumed and not pipe.more():
        run.inflight = []  # a finished run: what it had bred past its end is not merged on resume
        return population
    for bred in run.inflight:  # a resumed run breeds its cycles in flight again, draw for draw
        pipe.start(bred)
    pipe.fill()
    while pipe.cycles:
        oldest = pipe.cycles[0]
        while oldest.outcome is None:  # wait for the oldest evaluation submitted; step its cycle on
            pipe.wait()
        pipe.merge()
        if not pipe.more():
            break
        pipe.fill()
    run.inflight = []
    return population


def lanes(saved: list[dict] | None, rng: np.random.Generator | None, window: int) -> list[dict] | None:
    """The random streams of ``window`` lanes: ``saved`` (resume), or lane 0 the generator and the others seeded from it.

    None without a generator (one cycle in flight draws from the toolbox's as it is).
    """
    if rng is None:
        return None
    if saved is None:
        seeds = [int(rng.integers(2**63)) for _ in range(window - 1)]
        saved = [rng.bit_generator.state] + [np.random.default_rng(s).bit_generator.state for s in seeds]
    if len(saved) != window:
        raise ConfigError(f"window = {window}: the run being continued has {len(saved)} (a window cannot change)")
    return saved


@dataclass
class _Pipeline:
    """The cycles in flight and the steps of :func:`steady_state`; the run's accounting is :class:`SearchRun`'s."""

    population: list
    toolbox: base.Toolbox
    run: SearchRun
    breed: Breed
    window: int
    rng: np.random.Generator | None
    cycles: deque[_Cycle] = field(default_factory=deque)  # in cycle order
    waiting: deque[_Cycle] = field(default_factory=deque)  # with an evaluation in flight, in the order submitted

    def more(self) -> bool:
        """Whether the run goes on after the cycles merged so far."""
        return self.run.stop.more(self.run.cycle, self.run.spent, self.run.stalled)

    def fill(self) -> None:
        """Breed cycles from the population as it stands until ``window`` are in flight or the run would stop."""
        run, later = self.run, self.run.cycle + len(self.cycles) + 1
        while len(self.cycles) < self.window and run.stop.more(later - 1, run.spent, run.stalled):
            lane = run.lanes[later % self.window] if run.lanes is not None else {}
            self.start(Bred(later, lane, list(self.population), len(run.cache)))
            later += 1

    def start(self, bred: Bred) -> None:
        """Breed ``bred`` on its lane up to its first evaluation."""
        if self.run.lanes is not None:
            self.run.lanes[bred.cycle % self.window] = bred.rng
        view = ledger(self.run.cache, bred.seen)
        self.cycles.append(_Cycle(bred, self.breed(list(bred.population), view), view))
        self.step(self.cycles[-1], None)

    def wait(self) -> None:
        """Wait for the oldest evaluation submitted and send its cycle what it scored."""
        cycle = self.waiting.popleft()
        individuals, parent, limit, futures = cycle.pending
        cycle.pending = None
        results = [f.result() for f in futures]
        todo = [ind for ind in individuals if not ind.fitness.valid]
        scored = evaluate_all(self.toolbox, individuals, cycle.view, limit=limit, parent=parent,
                              map_fn=lambda fn, tasks: results)
        cycle.batches.append([ind for ind in todo if ind.fitness.valid])
        self.step(cycle, scored)

    def step(self, cycle: _Cycle, scored: list | None) -> None:
        """Breed ``cycle`` on to its next evaluation (submitted, within what the budget will merge) or its end."""
        try:
            individuals, parent = self.on_lane(cycle, cycle.steps.send, scored)
        except StopIteration as done:
            cycle.outcome = done.value
            return
        individuals = list(individuals)
        limit = 0 if self.spent_ahead(cycle) else self.run.stop.remaining(cycle.view.misses)
        missing = cycle.view.missing([ind.genome for ind in individuals if not ind.fitness.valid], limit)
        cycle.submitted.update(self.run.cache.key(g) for g in missing)
        tasks = [task(g, None if parent is None else parent.genome) for g in missing]
        futures = parallel.submit(self.toolbox.map, partial(evaluate_safely, self.toolbox.evaluate), tasks)
        cycle.pending = (individuals, parent, limit, futures)
        self.waiting.append(cycle)

    def merge(self) -> None:
        """Merge the oldest cycle: the run accounts its evaluations, its children join, the cycle is recorded."""
        cycle = self.cycles.popleft()
        self.run.inflight = [c.bred for c in self.cycles]
        joining, scored = self.run.settle(cycle.batches, cycle.view, *cycle.outcome)
        for child in joining:
            self.population.append(child)
            self.toolbox.remove(self.population)
        self.run.record(cycle.bred.cycle, self.population, scored)

    def spent_ahead(self, cycle: _Cycle) -> bool:
        """Whether the cycles before ``cycle`` submitted enough new architectures to use up the budget.

        Earlier cycles merge first, and each architecture they submitted that is new to the
        cache is counted then: if those alone use up the budget, the run stops before
        ``cycle`` is merged, so its evaluations would be dropped.
        """
        earlier = set().union(*(c.submitted for c in itertools.takewhile(lambda c: c is not cycle, self.cycles)))
        return self.run.stop.remaining(self.run.spent + sum(key not in self.run.cache.scores for key in earlier)) == 0

    def on_lane(self, cycle: _Cycle, fn: Callable, *args: Any) -> Any:
        """``fn(*args)`` drawing from ``cycle``'s lane (cycle ``c``: lane ``c mod window``)."""
        if self.rng is None:
            return fn(*args)
        lanes, lane = self.run.lanes, cycle.bred.cycle % self.window
        self.rng.bit_generator.state = lanes[lane]
        try:
            return fn(*args)
        finally:
            lanes[lane] = self.rng.bit_generator.state


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
