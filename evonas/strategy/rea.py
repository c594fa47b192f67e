"""Regularised (ageing) evolution (Real, Aggarwal, Huang, Le: "Regularized Evolution for Image
Classifier Architecture Search", AAAI 2019), the algorithm SWAP-NAS departs from."""

from __future__ import annotations

from deap import base

from evonas import operators
from evonas.strategy.registry import register_strategy
from evonas.strategy.run import SearchRun, draw_fresh


@register_strategy("rea", remove=operators.remove_oldest,
                   summary="regularised evolution (Real et al. 2019): mutate the best of a sample, the oldest leaves")
def regularised_evolution(
    population: list,
    toolbox: base.Toolbox,
    run: SearchRun,
) -> list:
    """Run regularised evolution on ``population`` (kept in age order, oldest first).

    The same toolbox parts as SWAP-NAS, with ``remove`` = ``remove_oldest``: ``select``
    (the best of a random sample), ``mutate``, ``evaluate``/``map``. Pseudocode::

        evaluate(P)
        for cycle in 1..C (while the budget lasts):
            parent = select(P, 1)                    # best of a random sample
            child = mutate(parent)                   # redrawn if already scored
            evaluate(child, parent)
            P.append(child); remove(P)               # ageing: the oldest leaves, however good

    ``population`` and ``run`` as for :func:`~evonas.strategy.swap_nas`.
    """
    run.begin(population)
    for cycle in run.cycles():
        (parent,) = toolbox.select(population, 1)
        children = run.evaluate(draw_fresh(lambda: toolbox.mutate(toolbox.clone(parent))[0], 1, run.cache),
                                parent=parent)
        for child in children:
            population.append(child)
            toolbox.remove(population)
        run.record(cycle, population, children)
    return population
