"""Random search: the baseline every strategy must beat at the same number of evaluations."""

from __future__ import annotations

from typing import Callable

from deap import base, tools

from evonas import operators
from evonas.cache import ScoreCache
from evonas.strategy.registry import register_strategy
from evonas.strategy.run import SearchRun, draw_fresh


@register_strategy("random", remove=operators.remove_worst,
                   summary="random search: score new random architectures, keep the best", selects=False)
def random_search(
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
    """Score one new random architecture per cycle; the population keeps the best seen.

    Toolbox parts used: ``individual`` (a random architecture), ``evaluate``/``map`` and
    ``remove``. Pseudocode::

        evaluate(P)
        for cycle in 1..C (while the budget lasts):
            child = individual()                     # redrawn if already scored
            evaluate(child)
            P.append(child); remove(P)

    Arguments as for :func:`~evonas.strategy.swap_nas`.
    """
    run = SearchRun(toolbox, cache=cache, evaluations=evaluations, halloffame=halloffame, logbook=logbook,
                    on_cycle=on_cycle)
    run.begin(population, start)
    for cycle in run.cycles(start, cycles):
        children = run.evaluate(draw_fresh(toolbox.individual, 1, run.cache))
        for child in children:
            population.append(child)
            toolbox.remove(population)
        run.record(cycle, population, children)
    return population, run.logbook
