"""SWAP-NAS, the steady-state evolutionary strategy of the SWAP paper (Peng et al., ICLR 2024, Algorithm 1)."""

from __future__ import annotations

import numpy as np
from deap import base

from evonas import operators
from evonas.strategy.registry import register_strategy
from evonas.cache import ScoreCache
from evonas.strategy.pipeline import steady_state
from evonas.strategy.run import SearchRun, draw_fresh


@register_strategy("swap-nas", remove=operators.remove_worst, selects=2,
                   brood=lambda o: o["mutations"] + o["crossover"],
                   summary="SWAP-NAS (Peng et al. 2024): tournament, crossover, 5 mutants, the best joins, the worst leaves")
def swap_nas(
    population: list,
    toolbox: base.Toolbox,
    run: SearchRun,
    mutations: int = 5,
    crossover: float = 0.5,
    window: int = 1,
    *,
    rng: np.random.Generator,
) -> list:
    """Run SWAP-NAS on ``population`` until ``run``'s cycles or evaluations are spent.

    Toolbox parts used: ``evaluate(genome, parent=...)``, ``map``, ``clone``, ``select(population, 2)``
    (best and second best of a tournament), ``mate(ind1, ind2)``, ``mutate(ind)`` and
    ``remove(population)`` (drops the worst). Pseudocode::

        evaluate(P)
        for cycle in 1..C (while the budget lasts):
            best, second = select(P, 2)              # best two of a random sample
            parent = best
            with probability crossover:
                parent = better of evaluate(mate(best, second))
            children = [mutate(parent) for _ in range(mutations)]   # redrawn if already scored
            evaluate(children, parent)               # a trainer starts them from the parent's weights
            P.append(best of children); remove(P)    # steady state: drop the worst

    Cycles are bred and merged by :func:`~evonas.strategy.pipeline.steady_state`.

    Args:
        population: individuals (``evonas.operators.Individual``); unscored ones are scored first.
        toolbox: the parts above.
        run: the budget, cache, record and checkpoint hook (:class:`~evonas.strategy.SearchRun`).
        mutations: children mutated from the parent per cycle.
        crossover: probability of node-incoming crossover per cycle.
        window: cycles in flight; cycle c is bred from the population after cycle c - window
            was merged (:mod:`~evonas.strategy.pipeline`; 1: the algorithm above exactly).
        rng: the toolbox's generator (the crossover draw; the pipeline's random streams).

    Returns:
        The final population (the logbook and hall of fame are ``run``'s).
    """
    def breed(population: list, seen: ScoreCache):
        best, second = toolbox.select(population, 2)
        parent, scored = best, []
        if rng.random() < crossover:
            scored = yield toolbox.mate(toolbox.clone(best), toolbox.clone(second)), best
            parent = max(scored, key=lambda ind: ind.fitness, default=best)
        children = yield draw_fresh(lambda: toolbox.mutate(toolbox.clone(parent))[0], mutations, seen), parent
        return [max(children, key=lambda ind: ind.fitness)] if children else [], scored + children

    return steady_state(population, toolbox, run, breed, window=window, rng=rng)
