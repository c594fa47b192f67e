"""Regularised (ageing) evolution (Real, Aggarwal, Huang, Le: "Regularized Evolution for Image
Classifier Architecture Search", AAAI 2019), the algorithm SWAP-NAS departs from."""

from __future__ import annotations

from typing import Callable

from deap import base, tools

from evonas import operators
from evonas.cache import ScoreCache
from evonas.strategy.registry import register_strategy
from evonas.strategy.run import SearchRun, draw_fresh


@register_strategy("rea", remove=operators.remove_oldest,
                   summary="regularised evolution (Real et al. 2019): mutate the best of a sample, the oldest leaves")
def regularised_evolution(
    population: list,
    toolbox: base.Toolbox,
    cycles: int | None,
    *,
    evaluations: int | None = None,
    cache: ScoreCache | None = None,
    halloffame: tools.HallOfFame | None = None,
    logbook: tools.Logbook | None = None,
    start: int | None = None,
    on_cycle: Callable[[int, list, tools.Logbook], None] | None = None,
) -> tuple[list, tools.Logbook]:
    """Run regularised evolution on ``population`` (kept in age order, oldest first).

    The same toolbox parts as SWAP-NAS, with ``remove`` = ``remove_oldest``: ``select``
    (the best of a random sample), ``mutate``, ``evaluate``/``map``. Pseudocode::

        evaluate(P)
        for cycle in 1..C (while the budget lasts):
            parent = select(P, 1)                    # best of a random sample
            child = mutate(parent)                   # redrawn if already scored
            evaluate(child)
            P.append(child); remove(P)               # ageing: the oldest leaves, however good

    Arguments as for :func:`~evonas.strategy.swap_nas`.
    """
    run = SearchRun(toolbox, cache=cache, evaluations=evaluations, halloffame=halloffame, logbook=logbook,
                    on_cycle=on_cycle)
    run.begin(population, start)
    for cycle in run.cycles(start, cycles):
        (parent,) = toolbox.select(population, 1)
        children = run.evaluate(draw_fresh(lambda: toolbox.mutate(toolbox.clone(parent))[0], 1, run.cache))
        for child in children:
            population.append(child)
            toolbox.remove(population)
        run.record(cycle, population, children)
    return population, run.logbook
