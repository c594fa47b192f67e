"""Budgets in every search, implemented once where architectures are evaluated.

:class:`Budget` measures a run's costs of an architecture and says whether it is within the
limits (``--budget params=3e6,flops=6e8,latency=5``). :class:`Costed` wraps any evaluator:
an architecture over budget becomes an infeasible :class:`~evonas.evaluation.Evaluation`
(its score is never computed, so it is never best, in the hall of fame or on a front),
and every other evaluation carries its costs. Strategies and pymoo never know budgets
exist; a single-objective search may also redraw children over a *cheap* budget
(:func:`redraw_within`), so its evaluations are not spent on them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Callable

from evonas.costs.base import Cost
from evonas.encodings import Genome, SearchSpace
from evonas.errors import ArchitectureFailure
from evonas.evaluation import OVER_BUDGET, Evaluation, as_evaluation, takes_parent

#: times a child over a cheap budget is drawn again before it is kept (and found infeasible)
BUDGET_REDRAWS = 50


@dataclass(frozen=True)
class Budget:
    """The costs a run measures and the limits on them.

    Attributes:
        costs: every cost measured (cheap ones first, so a cheap limit stops before a timing).
        limits: cost name -> the largest allowed value.
    """

    costs: tuple[Cost, ...]
    limits: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "costs", tuple(sorted(self.costs, key=lambda c: not c.cheap)))

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.costs]

    def measure(self, genome: Genome) -> tuple[dict[str, float], str | None]:
        """The costs of ``genome`` and, if it is over a limit, why (the first limit exceeded; later costs unmeasured)."""
        values: dict[str, float] = {}
        for cost in self.costs:
            values[cost.name] = value = cost.measure(genome)
            limit = self.limits.get(cost.name)
            if limit is not None and value > limit:
                return values, f"{OVER_BUDGET}: {cost.name} {value:.4g} > {limit:.4g}"
        return values, None

    def cheaply_within(self, genome: Genome) -> bool:
        """Whether ``genome`` is within every limit on a cheap cost (timed costs are not asked)."""
        return all(c.measure(genome) <= self.limits[c.name] for c in self.costs if c.cheap and c.name in self.limits)

    @property
    def cheap_limits(self) -> bool:
        """Whether some limit is on a cheap cost (then redrawing a child is worth it)."""
        return any(c.cheap and c.name in self.limits for c in self.costs)


def cheap_check(space: SearchSpace, limits: dict[str, float], **deploy: Any) -> Callable[[Genome], bool] | None:
    """``genome -> within the cheap limits of limits`` (params, flops), or None when none of them is cheap.

    ``deploy``: the run's ``input_shape`` and ``num_classes`` (see :class:`~evonas.costs.Cost`).
    """
    from evonas.costs.base import COSTS, make_cost

    cheap = tuple(make_cost(name, space, **deploy) for name in limits if COSTS.get(name).cheap)
    return Budget(cheap, {c.name: limits[c.name] for c in cheap}).cheaply_within if cheap else None


@dataclass(frozen=True)
class Costed:
    """``evaluate(genome, parent=None)`` within a :class:`Budget`: the evaluator's result with the costs added.

    Over budget: ``Evaluation(None, error="over budget: flops 7.1e+08 > 6e+08", costs=...)``;
    the wrapped evaluator is not called. The costs are measured first, so an evaluation that
    fails (an :class:`~evonas.errors.ArchitectureFailure`) keeps them too. Picklable, for workers.

    Attributes:
        evaluate: the wrapped evaluate function.
        budget: the costs and their limits.
        takes_parent: whether ``evaluate`` is given the parent (its declared capability,
            carried through; None: as its signature declares, read once here).
    """

    evaluate: Callable[..., Any]
    budget: Budget
    takes_parent: bool | None = None

    def __post_init__(self) -> None:
        if self.takes_parent is None:
            object.__setattr__(self, "takes_parent", takes_parent(self.evaluate))

    def __call__(self, genome: Genome, parent: Genome | None = None) -> Evaluation:
        costs, over = self.budget.measure(genome)
        if over is not None:
            return Evaluation(None, None, over, costs=costs)
        try:
            result = as_evaluation(self.evaluate(genome, parent=parent) if parent is not None and self.takes_parent
                                   else self.evaluate(genome))
        except ArchitectureFailure as err:  # failures are data: this one with the costs measured before it
            return Evaluation(None, None, str(err), costs=costs)
        return result._replace(costs=costs)


def redraw_within(budget: Budget, tries: int = BUDGET_REDRAWS) -> Callable[[Callable], Callable]:
    """A ``toolbox.decorate`` decorator: redraw an operator's output until every individual is within the cheap limits.

    Works for ``individual()`` (a fresh draw) and for DEAP's in-place ``mutate``/``mate``
    (the arguments' genomes are restored before each retry). After ``tries`` the last draw
    is kept; the evaluation layer then finds it infeasible.
    """

    def decorator(operator: Callable) -> Callable:
        @functools.wraps(operator)
        def redrawn(*individuals: Any, **kwargs: Any) -> Any:
            genomes = [ind.genome for ind in individuals]
            for attempt in range(tries):
                if attempt:
                    for ind, genome in zip(individuals, genomes):
                        ind.genome = genome
                out = operator(*individuals, **kwargs)
                if all(budget.cheaply_within(ind.genome) for ind in (out if isinstance(out, tuple) else (out,))):
                    break
            return out

        return redrawn

    return decorator
