"""SWAP-NAS, the steady-state evolutionary strategy of the SWAP paper, built from a DEAP toolbox.

Like ``deap.algorithms.eaSimple``, the whole algorithm is one function over named toolbox
parts, so any part (proxy, selection, mutation, parallel ``map``) is swapped by
re-registering it.
"""

from __future__ import annotations

import time
from typing import Callable, Sequence

import numpy as np
from deap import base, tools

from evonas import operators
from evonas.cache import ScoreCache, score_all
from evonas.encodings import SearchSpace
from evonas.operators import Individual

LOG_FIELDS = ["cycle", "evals", "cache_hits", "best", "mean", "best_params", "seconds"]


def evaluate_all(toolbox: base.Toolbox, individuals: Sequence, cache: ScoreCache | None = None) -> int:
    """Score every individual without a valid fitness through ``toolbox.map``; return how many were scored.

    ``toolbox.evaluate(genome)`` returns a score, a 1-tuple ``(score,)`` or ``(score, params)``.
    Each distinct genome is scored once; with a ``cache``, never again across calls.
    """
    todo = [ind for ind in individuals if not ind.fitness.valid]
    cache = cache if cache is not None else ScoreCache()
    before = cache.misses
    for ind, (score, params) in zip(todo, score_all([i.genome for i in todo], toolbox.evaluate, cache, map_fn=toolbox.map)):
        ind.fitness.values = (score,)
        ind.params = params
    return cache.misses - before


def swap_nas(
    population: list,
    toolbox: base.Toolbox,
    cycles: int,
    mutation_times: int,
    cxpb: float,
    rng: np.random.Generator,
    *,
    cache: ScoreCache | None = None,
    halloffame: tools.HallOfFame | None = None,
    logbook: tools.Logbook | None = None,
    start: int = 0,
    on_cycle: Callable[[int, list, tools.Logbook], None] | None = None,
) -> tuple[list, tools.Logbook]:
    """Run SWAP-NAS (SWAP paper, Algorithm 1) on ``population`` for ``cycles`` cycles.

    Toolbox parts used: ``evaluate(genome)``, ``map``, ``clone``, ``select(population, 2)``
    (best and second best of a tournament), ``mate(ind1, ind2)``, ``mutate(ind)`` and
    ``remove(population)`` (drops the worst). Pseudocode::

        evaluate(P)
        for cycle in 1..C:
            best, second = select(P, 2)              # best two of a sample of |P|/2
            parent = best
            with probability cxpb:
                parent = better of evaluate(mate(best, second))
            children = [mutate(parent) for _ in range(mutation_times)]
            evaluate(children)
            P.append(best of children); remove(P)    # steady state: drop the worst

    Args:
        population: individuals (``evonas.operators.Individual``); unscored ones are scored first.
        cache: scores by genome key; a genome seen before is not scored again.
        halloffame: updated with every scored individual.
        logbook: continue this logbook (resume); a new one is made otherwise.
        start: the number of cycles already done (resume); 0 scores the initial population.
        on_cycle: called as ``on_cycle(cycle, population, logbook)`` after every cycle, e.g. to checkpoint.

    Returns:
        The final population and the logbook (one record per cycle, cycle 0 = initial population).
    """
    cache = cache if cache is not None else ScoreCache()
    if logbook is None:
        logbook = tools.Logbook()
        logbook.header = LOG_FIELDS
    if start == 0:
        t0, hits = time.perf_counter(), cache.hits
        evals = evaluate_all(toolbox, population, cache)
        _record(logbook, 0, population, evals, cache.hits - hits, t0, halloffame, population)
        if on_cycle:
            on_cycle(0, population, logbook)
    for cycle in range(start + 1, cycles + 1):
        t0, hits = time.perf_counter(), cache.hits
        best, second = toolbox.select(population, 2)
        parent = best
        evals = 0
        if rng.random() < cxpb:
            offspring = list(toolbox.mate(toolbox.clone(best), toolbox.clone(second)))
            evals += evaluate_all(toolbox, offspring, cache)
            parent = max(offspring, key=lambda ind: ind.fitness)
        children = [toolbox.mutate(toolbox.clone(parent))[0] for _ in range(mutation_times)]
        evals += evaluate_all(toolbox, children, cache)
        population.append(max(children, key=lambda ind: ind.fitness))
        toolbox.remove(population)
        _record(logbook, cycle, population, evals, cache.hits - hits, t0, halloffame, children)
        if on_cycle:
            on_cycle(cycle, population, logbook)
    return population, logbook


def make_toolbox(space: SearchSpace, evaluate: Callable, rng: np.random.Generator, fitness: type) -> base.Toolbox:
    """The SWAP-NAS toolbox: swap any part by re-registering it (see ``examples/``)."""
    toolbox = base.Toolbox()
    toolbox.register("individual", lambda: Individual(space.sample(rng), fitness=fitness()))
    toolbox.register("population", tools.initRepeat, list, toolbox.individual)
    toolbox.register("evaluate", evaluate)
    toolbox.register("select", operators.sel_tournament_top, rng=rng)
    toolbox.register("mate", operators.cxNodeIncoming, space=space, rng=rng)
    toolbox.register("mutate", operators.mutRandom, space=space, rng=rng)
    toolbox.register("remove", operators.remove_worst)
    return toolbox


def _record(logbook, cycle, population, evals, hits, t0, halloffame, scored) -> None:
    if halloffame is not None:
        halloffame.update(scored)
    scores = [ind.fitness.values[0] for ind in population]
    best = max(population, key=lambda ind: ind.fitness)
    logbook.record(
        cycle=cycle,
        evals=evals,
        cache_hits=hits,
        best=best.fitness.values[0],
        mean=float(np.mean(scores)),
        best_params=best.params,
        seconds=round(time.perf_counter() - t0, 4),
    )
