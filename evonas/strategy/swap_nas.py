"""SWAP-NAS, the steady-state evolutionary strategy of the SWAP paper (Peng et al., ICLR 2024, Algorithm 1)."""

from __future__ import annotations

from typing import Callable

import numpy as np
from deap import base, tools

from evonas import operators
from evonas.cache import ScoreCache
from evonas.strategy.registry import register_strategy
from evonas.strategy.run import SearchRun, draw_fresh


@register_strategy("swap-nas", remove=operators.remove_worst,
                   summary="SWAP-NAS (Peng et al. 2024): tournament, crossover, 5 mutants, the best joins, the worst leaves")
def swap_nas(
    population: list,
    toolbox: base.Toolbox,
    cycles: int | None,
    mutations: int = 5,
    crossover: float = 0.5,
    *,
    rng: np.random.Generator,
    evaluations: int | None = None,
    cache: ScoreCache | None = None,
    halloffame: tools.HallOfFame | None = None,
    logbook: tools.Logbook | None = None,
    start: int | None = None,
    on_cycle: Callable[[int, list, tools.Logbook], None] | None = None,
) -> tuple[list, tools.Logbook]:
    """Run SWAP-NAS on ``population`` until ``cycles`` cycles or ``evaluations`` distinct architectures are spent.

    Toolbox parts used: ``evaluate(genome)``, ``map``, ``clone``, ``select(population, 2)``
    (best and second best of a tournament), ``mate(ind1, ind2)``, ``mutate(ind)`` and
    ``remove(population)`` (drops the worst). Pseudocode::

        evaluate(P)
        for cycle in 1..C (while the budget lasts):
            best, second = select(P, 2)              # best two of a random sample
            parent = best
            with probability crossover:
                parent = better of evaluate(mate(best, second))
            children = [mutate(parent) for _ in range(mutations)]   # redrawn if already scored
            evaluate(children)
            P.append(best of children); remove(P)    # steady state: drop the worst

    Args:
        population: individuals (``evonas.operators.Individual``); unscored ones are scored first.
        cycles: cycles to run (None: until the evaluation budget is spent).
        mutations: children mutated from the parent per cycle.
        crossover: probability of node-incoming crossover per cycle.
        rng: the generator of the crossover draw.
        evaluations: the budget, in distinct architectures scored (None: unbounded).
        cache: scores by genome key; a genome seen before is not scored again.
        halloffame: updated with every scored individual.
        logbook: continue this logbook (resume); a new one is made otherwise.
        start: the last cycle done (resume from a checkpoint, 0 = after the initial population); None
            (a new search) scores the initial population first.
        on_cycle: called as ``on_cycle(cycle, population, logbook)`` after every cycle, e.g. to checkpoint.

    Returns:
        The final population and the logbook (one record per cycle, cycle 0 = initial population).
    """
    run = SearchRun(toolbox, cache=cache, evaluations=evaluations, halloffame=halloffame, logbook=logbook,
                    on_cycle=on_cycle)
    run.begin(population, start)
    for cycle in run.cycles(start, cycles):
        best, second = toolbox.select(population, 2)
        parent, scored = best, []
        if rng.random() < crossover:
            scored = run.evaluate(toolbox.mate(toolbox.clone(best), toolbox.clone(second)))
            parent = max(scored, key=lambda ind: ind.fitness, default=best)
        children = run.evaluate(draw_fresh(lambda: toolbox.mutate(toolbox.clone(parent))[0], mutations, run.cache))
        if children:
            population.append(max(children, key=lambda ind: ind.fitness))
            toolbox.remove(population)
        run.record(cycle, population, scored + children)
    return population, run.logbook
