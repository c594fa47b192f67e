"""Random search: the baseline every strategy must beat at the same number of evaluations."""

from __future__ import annotations

import numpy as np
from deap import base

from evonas import operators
from evonas.strategy.registry import register_strategy
from evonas.cache import ScoreCache
from evonas.strategy.pipeline import steady_state
from evonas.strategy.run import SearchRun, draw_fresh


@register_strategy("random", remove=operators.remove_worst,
                   summary="random search: score new random architectures, keep the best", selects=0)
def random_search(
    population: list,
    toolbox: base.Toolbox,
    run: SearchRun,
    window: int = 1,
    *,
    rng: np.random.Generator | None = None,
) -> list:
    """Score one new random architecture per cycle; the population keeps the best seen.

    Toolbox parts used: ``individual`` (a random architecture), ``evaluate``/``map`` and
    ``remove``. Pseudocode::

        evaluate(P)
        for cycle in 1..C (while the budget lasts):
            child = individual()                     # redrawn if already scored
            evaluate(child)
            P.append(child); remove(P)

    ``population``, ``run``, ``window`` and ``rng`` as for :func:`~evonas.strategy.swap_nas` (``rng`` is needed
    with a window > 1 only).
    """
    def breed(population: list, seen: ScoreCache):
        children = yield draw_fresh(toolbox.individual, 1, seen), None
        return children, children

    return steady_state(population, toolbox, run, breed, window=window, rng=rng)
