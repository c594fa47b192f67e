"""Selection and replacement for steady-state evolution (SWAP paper, Algorithm 1; Real et al. 2019).

Individuals are compared by their DEAP fitness, so the direction of the proxy (higher or
lower is better) is honoured through the fitness weights.
"""

from __future__ import annotations

from operator import attrgetter
from typing import MutableSequence, Sequence, TypeVar

import numpy as np

T = TypeVar("T")
_fitness = attrgetter("fitness")


def sel_tournament_top(
    individuals: Sequence[T], k: int = 1, *, rng: np.random.Generator, sample_size: int | None = None
) -> list[T]:
    """The best ``k`` of one tournament: a random sample of ``sample_size`` (default half the population).

    With ``k=2`` this gives the parent and the crossover partner of SWAP-NAS.
    """
    n = len(individuals)
    size = max(k, n // 2) if sample_size is None else sample_size
    if not k <= size <= n:
        raise ValueError(f"tournament of {size} from {n} individuals cannot yield the best {k}")
    picked = rng.choice(n, size=size, replace=False)
    return sorted((individuals[i] for i in picked), key=_fitness, reverse=True)[:k]


def remove_worst(population: MutableSequence[T]) -> T:
    """Drop the worst individual (the oldest among equals) from ``population`` and return it."""
    worst = min(range(len(population)), key=lambda i: population[i].fitness)  # type: ignore[attr-defined]
    return population.pop(worst)


def remove_oldest(population: MutableSequence[T]) -> T:
    """Drop the oldest individual (the first: strategies append newcomers) and return it.

    Ageing replacement of regularised evolution (Real et al., AAAI 2019): every architecture
    lives a fixed number of cycles, however good, so the search cannot sit on one lucky score.
    """
    return population.pop(0)


def sel_stratified(
    candidates: Sequence[T], predicted: Sequence[float], k: int, *, rng: np.random.Generator
) -> list[T]:
    """PRE-NAS's choice of which candidates to evaluate: stratified by predicted percentile, not only the top ``k``.

    The best-predicted candidate is always taken; each of the other ``k - 1`` is drawn
    uniformly from one of ``k - 1`` equal percentile strata of the rest (upper stratum
    first). Evaluating some lower-ranked candidates teaches the predictor where it is wrong,
    which top-k alone never does. Returned best-predicted first; all of them when there are
    at most ``k``.
    """
    if k < 1:
        raise ValueError(f"k = {k}: must choose at least 1 candidate")
    order = np.argsort(-np.asarray(predicted, dtype=float), kind="stable")
    if len(order) <= k:
        return [candidates[i] for i in order]
    strata = np.array_split(order[1:], k - 1) if k > 1 else []
    picks = [order[0]] + [int(rng.choice(stratum)) for stratum in strata if len(stratum)]
    return [candidates[i] for i in picks]
