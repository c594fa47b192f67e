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
