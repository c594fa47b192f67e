"""pymoo algorithms that run on genomes, created by name.

An entry is a factory ``(pop_size, operators) -> pymoo Algorithm`` registered where it is
defined, like every registry of evonas. Only algorithms that take custom sampling,
crossover, mutation and duplicate elimination belong here; MOEA/D, for instance, is left
out: it rejects constraints and its decomposition needs objectives of similar scale.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from pymoo.algorithms.moo.nsga2 import NSGA2
from pymoo.algorithms.moo.nsga3 import NSGA3
from pymoo.algorithms.moo.sms import SMSEMOA
from pymoo.algorithms.moo.spea2 import SPEA2
from pymoo.core.algorithm import Algorithm
from pymoo.util.ref_dirs import get_reference_directions

from evonas.encodings import SearchSpace
from evonas.moo.operators import GenomeCrossover, GenomeDuplicateElimination, GenomeMutation, GenomeSampling
from evonas.registry import Registry


@dataclass(frozen=True)
class GenomeOperators:
    """The pymoo operators of one run; they share one seeded generator."""

    sampling: GenomeSampling
    crossover: GenomeCrossover
    mutation: GenomeMutation
    eliminate_duplicates: GenomeDuplicateElimination

    @classmethod
    def create(cls, space: SearchSpace, rng: np.random.Generator, *, crossover: float = 0.9) -> GenomeOperators:
        """Sampling, node-incoming crossover (probability ``crossover``), ``mut_random``, and duplicate
        elimination by what a network computes (``space.canonical_key``: a front of
        copies that differ only in dead branches measured 66 % of the true hypervolume, 77.5 % without)."""
        return cls(
            GenomeSampling(space, rng=rng),
            GenomeCrossover(space, rng=rng, prob=crossover),
            GenomeMutation(space, rng=rng),
            GenomeDuplicateElimination(space.canonical_key),
        )


AlgorithmFactory = Callable[[int, GenomeOperators], Algorithm]

ALGORITHMS: Registry[AlgorithmFactory] = Registry(
    "multi-objective algorithm",
    "Register your own with @evonas.moo.ALGORITHMS.register('name') on a function "
    "(pop_size, operators) -> pymoo Algorithm.",
)


@ALGORITHMS.register("nsga2")
def nsga2(pop_size: int, ops: GenomeOperators) -> Algorithm:
    """NSGA-II (Deb et al., IEEE TEVC 2002): non-dominated rank, then crowding distance; elitist."""
    return NSGA2(pop_size=pop_size, **vars(ops))


@ALGORITHMS.register("spea2")
def spea2(pop_size: int, ops: GenomeOperators) -> Algorithm:
    """SPEA2 (Zitzler, Laumanns & Thiele, 2001): strength fitness plus k-nearest-neighbour density."""
    return SPEA2(pop_size=pop_size, **vars(ops))


@ALGORITHMS.register("smsemoa")
def smsemoa(pop_size: int, ops: GenomeOperators) -> Algorithm:
    """SMS-EMOA (Beume, Naujoks & Emmerich, EJOR 2007): drops the least hypervolume contributors."""
    return SMSEMOA(pop_size=pop_size, **vars(ops))


@ALGORITHMS.register("nsga3")
def nsga3(pop_size: int, ops: GenomeOperators) -> Algorithm:
    """NSGA-III (Deb & Jain, IEEE TEVC 2014) with ``pop_size`` uniform reference directions."""
    ref_dirs = get_reference_directions("uniform", 2, n_partitions=pop_size - 1)
    return NSGA3(ref_dirs=ref_dirs, pop_size=pop_size, **vars(ops))


def make_algorithm(
    name: str, space: SearchSpace, *, pop_size: int, rng: np.random.Generator, crossover: float = 0.9
) -> Algorithm:
    """The algorithm registered as ``name`` over ``space``'s genomes, its operators drawing from ``rng``."""
    return ALGORITHMS.get(name)(pop_size, GenomeOperators.create(space, rng, crossover=crossover))


def list_algorithms(pattern: str = "*") -> list[str]:
    """Names of the registered algorithms matching a shell-style wildcard."""
    return ALGORITHMS.names(pattern)
