"""Regularised (ageing) evolution (Real, Aggarwal, Huang, Le: "Regularized Evolution for Image
Classifier Architecture Search", AAAI 2019), the algorithm SWAP-NAS departs from."""

from __future__ import annotations

import numpy as np
from deap import base

from evonas import operators
from evonas.strategy.registry import register_strategy
from evonas.cache import ScoreCache
from evonas.strategy.pipeline import steady_state
from evonas.strategy.run import SearchRun, draw_fresh


@register_strategy("rea", remove=operators.remove_oldest,
                   summary="regularised evolution (Real et al. 2019): mutate the best of a sample, the oldest leaves")
def regularised_evolution(
    population: list,
    toolbox: base.Toolbox,
    run: SearchRun,
    window: int = 1,
    *,
    rng: np.random.Generator | None = None,
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

    ``population``, ``run``, ``window`` and ``rng`` as for :func:`~evonas.strategy.swap_nas` (``rng`` is needed
    with a window > 1 only).
    """
    def breed(population: list, seen: ScoreCache):
        (parent,) = toolbox.select(population, 1)
        children = yield draw_fresh(lambda: toolbox.mutate(toolbox.clone(parent))[0], 1, seen), parent
        return children, children

    return steady_state(population, toolbox, run, breed, window=window, rng=rng)
