"""The multi-objective NAS problem for pymoo: a proxy score up, the parameter count down.

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

#: ``scorer(genome) -> (score, params)``, e.g. :class:`evonas.evaluation.ArchitectureScorer`.
Scorer = Callable[[Genome], "tuple[float, int]"]
#: ``map_fn(function, items) -> iterable of results, in order`` (builtin ``map``, ``Pool.map``, ...).
MapFn = Callable[[Callable[[Any], Any], Sequence[Any]], Iterable[Any]]


#: what a genome beyond the evaluation budget gets: no score, so it is infeasible (and never cached)
OVER_BUDGET = Evaluation(None, None, "not evaluated: beyond the evaluation budget")


def score_genomes(genomes: Sequence[Genome], scorer: Scorer, cache: ScoreCache, *, map_fn: MapFn = map,
                  limit: int | None = None) -> list[Evaluation]:
    """The :class:`~evonas.cache.Evaluation` of every genome: cached ones looked up, at most ``limit`` others evaluated once via ``map_fn``.

    Genomes beyond ``limit`` get :data:`OVER_BUDGET`.
    """
    scores = [OVER_BUDGET if e is None else e for e in score_all(genomes, scorer, cache, map_fn=map_fn, limit=limit)]
    for genome, evaluation in zip(genomes, scores):
        if evaluation.params is None and not evaluation.failed:
            raise ConfigError(f"scorer {type(scorer).__name__} gave no parameter count for {genome.key}; it must return (score, params)")
    return scores  # type: ignore[return-value]


class ArchitectureProblem(Problem):
    """Two objectives over genomes: ``F = (-direction * score, params)``, both minimised.

    One inequality constraint ``G <= 0`` says which architectures are feasible: ``G = params -
    budget`` with a ``budget``, else 0; an architecture whose score failed has ``G = 1`` (and
    ``F = 0``, which pymoo never compares: infeasible solutions are ranked by ``G`` alone); so
    has one beyond the evaluation budget (:attr:`limit`), which is not evaluated at all.

    Args:
        scorer: ``genome -> (score, params)``; ``params`` is the second objective.
        cache: shared score cache; a genome in it is never scored again.
        direction: +1 if higher scores are better (SWAP), -1 if lower are.
        budget: maximum parameter count (same count as the objective), or None.
        map_fn: how the genomes missing from the cache are scored (builtin ``map`` by default).
    """

    def __init__(
        self,
        scorer: Scorer,
        cache: ScoreCache,
        *,
        direction: int = +1,
        budget: float | None = None,
        map_fn: MapFn = map,
    ) -> None:
        if direction not in (+1, -1):
            raise ConfigError(f"ArchitectureProblem: direction must be +1 or -1, got {direction!r}")
        super().__init__(n_var=1, n_obj=2, n_ieq_constr=1, vtype=object)
        self.scorer, self.cache, self.direction, self.budget, self.map_fn = scorer, cache, direction, budget, map_fn
        #: new evaluations allowed in the next call (None: any); the search sets it from its budget
        self.limit: int | None = None

    def _evaluate(self, X: np.ndarray, out: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        scores = score_genomes(list(X[:, 0]), self.scorer, self.cache, map_fn=self.map_fn, limit=self.limit)
        out["F"] = np.array([(0.0, 0.0) if e.failed else self.objectives(e.score, e.params) for e in scores],
                            dtype=float).reshape(-1, 2)
        out["G"] = np.array([[self.constraint(e)] for e in scores], dtype=float).reshape(-1, 1)

    def constraint(self, evaluation: Evaluation) -> float:
        """``G`` of an evaluation: 1 if it failed, ``params - budget`` with a budget, else 0."""
        if evaluation.failed:
            return 1.0
        return 0.0 if self.budget is None else evaluation.params - self.budget

    def objectives(self, score: float, params: int) -> tuple[float, float]:
        """The minimised objective vector of a ``(score, params)`` pair."""
        return -self.direction * score, float(params)

    def scores(self, F: np.ndarray) -> np.ndarray:
        """Inverse of :meth:`objectives` on an ``(n, 2)`` array: the proxy scores."""
        return -self.direction * np.asarray(F, dtype=float)[:, 0]
