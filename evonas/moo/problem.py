"""The multi-objective NAS problem for pymoo: a proxy score up, the costs of the network to deploy down.

Where regularised SWAP (SWAP paper, Def. 3.5) folds model size into one score around a
chosen size, this problem keeps the plain SWAP-Score (Def. 3.3) and the parameter count as
two objectives and searches their whole trade-off (the Pareto front).

Genomes travel through pymoo as a ``(n, 1)`` object array (pymoo's "custom variable type"
recipe); a :class:`~evonas.encodings.Genome` is a frozen dataclass, so ``np.array`` keeps it
whole. Scores come from a shared :class:`~evonas.cache.ScoreCache` and, for genomes not in
it, from ``scorer`` through a ``map`` function: pass ``pool.map`` (or a Ray map) to score in
parallel.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Sequence

import numpy as np
from pymoo.core.problem import Problem

from evonas.cache import Evaluation, ScoreCache, score_all
from evonas.encodings import Genome
from evonas.errors import ConfigError

#: ``scorer(genome) -> Evaluation`` (or ``(score, params)``), e.g. :class:`evonas.costs.Costed` over a proxy scorer.
Scorer = Callable[[Genome], Any]
#: ``map_fn(function, items) -> iterable of results, in order`` (builtin ``map``, ``Pool.map``, ...).
MapFn = Callable[[Callable[[Any], Any], Sequence[Any]], Iterable[Any]]


#: what a genome beyond the evaluation budget gets: no score, so it is infeasible (and never cached)
OVER_BUDGET = Evaluation(None, None, "not evaluated: beyond the evaluation budget")


def score_genomes(genomes: Sequence[Genome], scorer: Scorer, cache: ScoreCache, *, map_fn: MapFn = map,
                  limit: int | None = None) -> list[Evaluation]:
    """The :class:`~evonas.cache.Evaluation` of every genome: cached ones looked up, at most ``limit`` others evaluated once via ``map_fn``.

    Genomes beyond ``limit`` get :data:`OVER_BUDGET`.
    """
    return [OVER_BUDGET if e is None else e for e in score_all(genomes, scorer, cache, map_fn=map_fn, limit=limit)]


class ArchitectureProblem(Problem):
    """A score up and one or more costs down: ``F = (-direction * score, cost_1, ..., cost_k)``, all minimised.

    One inequality constraint ``G <= 0`` says which architectures are feasible: with
    ``limits``, ``G = max(cost / limit - 1)`` over the limited costs (pymoo's normalised form:
    an architecture 10 % over its budget has ``G = 0.1``); without, 0. An architecture whose
    score failed has ``G = 1`` (and ``F = 0``, which pymoo never compares: infeasible
    solutions are ranked by ``G`` alone); so has one beyond the evaluation budget
    (:attr:`limit`), which is not evaluated at all. One over a cost budget was never scored
    (:class:`~evonas.costs.Costed`) and gets the ``G`` of its costs.

    Args:
        scorer: ``genome -> Evaluation``; its ``costs`` (or, for ``params`` alone, its
            ``params``) give the cost objectives.
        cache: shared score cache; a genome in it is never scored again.
        direction: +1 if higher scores are better (SWAP), -1 if lower are.
        costs: names of the minimised costs, in objective order.
        limits: cost name -> largest allowed value.
        map_fn: how the genomes missing from the cache are scored (builtin ``map`` by default).
    """

    def __init__(
        self,
        scorer: Scorer,
        cache: ScoreCache,
        *,
        direction: int = +1,
        costs: Sequence[str] = ("params",),
        limits: dict[str, float] | None = None,
        map_fn: MapFn = map,
    ) -> None:
        if direction not in (+1, -1):
            raise ConfigError(f"ArchitectureProblem: direction must be +1 or -1, got {direction!r}")
        super().__init__(n_var=1, n_obj=1 + len(costs), n_ieq_constr=1, vtype=object)
        self.scorer, self.cache, self.direction, self.map_fn = scorer, cache, direction, map_fn
        self.costs, self.limits = tuple(costs), dict(limits or {})
        #: new evaluations allowed in the next call (None: any); the search sets it from its budget
        self.limit: int | None = None

    def _evaluate(self, X: np.ndarray, out: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        scores = score_genomes(list(X[:, 0]), self.scorer, self.cache, map_fn=self.map_fn, limit=self.limit)
        out["F"] = np.array([(0.0,) * self.n_obj if e.failed else self.objectives(e) for e in scores],
                            dtype=float).reshape(-1, self.n_obj)
        out["G"] = np.array([[self.constraint(e)] for e in scores], dtype=float).reshape(-1, 1)

    def cost(self, evaluation: Evaluation, name: str) -> float:
        """The value of cost ``name`` in an evaluation (``params``: the evaluator's count when no cost was measured)."""
        if evaluation.costs and name in evaluation.costs:
            return float(evaluation.costs[name])
        if name == "params" and evaluation.params is not None:
            return float(evaluation.params)
        raise ConfigError(f"scorer {type(self.scorer).__name__} measured no {name} cost; wrap it in evonas.costs.Costed")

    def constraint(self, evaluation: Evaluation) -> float:
        """``G`` of an evaluation: 1 if it failed, else the largest ``cost / limit - 1`` (0 without limits)."""
        if evaluation.failed and not evaluation.infeasible:
            return 1.0
        measured = {**({"params": evaluation.params} if evaluation.params is not None else {}), **(evaluation.costs or {})}
        over = [measured[n] / limit - 1.0 for n, limit in self.limits.items() if measured.get(n) is not None]
        return max(over) if over else 0.0

    def objectives(self, evaluation: Evaluation) -> tuple[float, ...]:
        """The minimised objective vector of a scored evaluation."""
        return (-self.direction * evaluation.score, *(self.cost(evaluation, n) for n in self.costs))

    def scores(self, F: np.ndarray) -> np.ndarray:
        """Inverse of :meth:`objectives` on an ``(n, k)`` array: the proxy scores."""
        return -self.direction * np.asarray(F, dtype=float)[:, 0]
