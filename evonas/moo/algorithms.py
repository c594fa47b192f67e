"""pymoo algorithms that run on genomes, created by name.

An entry is a factory ``(pop_size, operators) -> pymoo Algorithm`` registered where it is
defined, like every registry of evonas. Only algorithms that take custom sampling,
crossover, mutation and duplicate elimination belong here; MOEA/D, for instance, is left
out: it rejects constraints and its decomposition needs objectives of similar scale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np
from pymoo.algorithms.moo.nsga2 import NSGA2
from pymoo.algorithms.moo.nsga3 import NSGA3
from pymoo.algorithms.moo.sms import SMSEMOA
from pymoo.algorithms.moo.spea2 import SPEA2
from pymoo.core.algorithm import Algorithm
from pymoo.operators.selection.tournament import TournamentSelection, compare
from pymoo.util.ref_dirs import get_reference_directions

from evonas.encodings import Genome, SearchSpace
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
    def create(cls, space: SearchSpace, rng: np.random.Generator, *, crossover: float = 0.9,
               init: Sequence[Genome] = ()) -> GenomeOperators:
        """Sampling (starting with the warm start's ``init`` genomes), node-incoming crossover (probability
        ``crossover``), ``mut_random``, and duplicate elimination by what a network computes
        (``space.canonical_key``: a front of copies that differ only in dead branches measured 66 % of the
        true hypervolume, 77.5 % without)."""
        return cls(
            GenomeSampling(space, rng=rng, given=init),
            GenomeCrossover(space, rng=rng, prob=crossover),
            GenomeMutation(space, rng=rng),
            GenomeDuplicateElimination(space.canonical_key),
        )


#: ``(pop_size, operators, n_obj) -> pymoo Algorithm``
AlgorithmFactory = Callable[[int, GenomeOperators, int], Algorithm]

ALGORITHMS: Registry[AlgorithmFactory] = Registry(
    "multi-objective algorithm",
    "Register your own with @evonas.moo.ALGORITHMS.register('name') on a function "
    "(pop_size, operators, n_obj) -> pymoo Algorithm; mark one made for 3 or more objectives with @many_objective.",
)


def many_objective(factory: AlgorithmFactory) -> AlgorithmFactory:
    """Mark an algorithm as suited to 3 or more objectives (reference directions, not crowding in 2-D)."""
    factory.many_objective = True  # type: ignore[attr-defined]
    return factory


def suits(factory: AlgorithmFactory, n_obj: int) -> bool:
    """Whether an algorithm suits ``n_obj`` objectives: any suits 2, only :func:`many_objective` ones more.

    NSGA-II's and SPEA2's crowding/density measures lose selection pressure beyond two
    objectives (Deb & Jain 2014), and SMS-EMOA's exact hypervolume grows steeply with them.
    """
    return n_obj <= 2 or getattr(factory, "many_objective", False)


@ALGORITHMS.register("nsga2")
def nsga2(pop_size: int, ops: GenomeOperators, n_obj: int = 2) -> Algorithm:
    """NSGA-II (Deb et al., IEEE TEVC 2002): non-dominated rank, then crowding distance; elitist."""
    return NSGA2(pop_size=pop_size, **vars(ops))


@ALGORITHMS.register("spea2")
def spea2(pop_size: int, ops: GenomeOperators, n_obj: int = 2) -> Algorithm:
    """SPEA2 (Zitzler, Laumanns & Thiele, 2001): strength fitness plus k-nearest-neighbour density."""
    return SPEA2(pop_size=pop_size, **vars(ops))


@ALGORITHMS.register("smsemoa")
def smsemoa(pop_size: int, ops: GenomeOperators, n_obj: int = 2) -> Algorithm:
    """SMS-EMOA (Beume, Naujoks & Emmerich, EJOR 2007): drops the least hypervolume contributors."""
    return SMSEMOA(pop_size=pop_size, **vars(ops))


@ALGORITHMS.register("nsga3")
@many_objective
def nsga3(pop_size: int, ops: GenomeOperators, n_obj: int = 2) -> Algorithm:
    """NSGA-III (Deb & Jain, IEEE TEVC 2014) with about ``pop_size`` uniform reference directions (Das-Dennis)."""
    partitions = 1
    while _directions(n_obj, partitions + 1) <= pop_size:
        partitions += 1
    ref_dirs = get_reference_directions("uniform", n_obj, n_partitions=partitions)
    return NSGA3(ref_dirs=ref_dirs, pop_size=pop_size, selection=TournamentSelection(func_comp=_cv_then_random),
                 **vars(ops))


def _cv_then_random(pop, P, random_state=None, **kwargs):  # type: ignore[no-untyped-def]
    """NSGA-III's binary tournament (pymoo's ``comp_by_cv_then_random``), every tie drawn from the run's seeded generator.

    pymoo's own breaks a tie between two equally infeasible solutions (two architectures
    over budget by the same amount, two failures) with an unseeded generator, so a run and
    its resumed replay could part ways.
    """
    S = np.empty(len(P), dtype=int)
    for i, (a, b) in enumerate(P[:, :2]):
        if pop[a].CV > 0.0 or pop[b].CV > 0.0:
            S[i] = compare(a, pop[a].CV, b, pop[b].CV, method="smaller_is_better", return_random_if_equal=True,
                           random_state=random_state)
        else:
            S[i] = random_state.choice([a, b])
    return S[:, None]


def _directions(n_obj: int, partitions: int) -> int:
    """How many Das-Dennis directions ``partitions`` gives in ``n_obj`` objectives: C(partitions + n_obj - 1, n_obj - 1)."""
    return math.comb(partitions + n_obj - 1, n_obj - 1)


def make_algorithm(
    name: str, space: SearchSpace, *, pop_size: int, rng: np.random.Generator, crossover: float = 0.9, n_obj: int = 2,
    init: Sequence[Genome] = (),
) -> Algorithm:
    """The algorithm registered as ``name`` over ``space``'s genomes for ``n_obj`` objectives, drawing from ``rng``;
    its initial population starts with the ``init`` genomes (a warm start)."""
    return ALGORITHMS.get(name)(pop_size, GenomeOperators.create(space, rng, crossover=crossover, init=init), n_obj)


def list_algorithms(pattern: str = "*") -> list[str]:
    """Names of the registered algorithms matching a shell-style wildcard."""
    return ALGORITHMS.names(pattern)


def ask_and_tell(algorithm: Algorithm, problem: Any) -> None:
    """One generation: ask for offspring, evaluate them on ``problem``, tell the algorithm (pymoo's ask-and-tell)."""
    offspring = algorithm.ask()
    algorithm.evaluator.eval(problem, offspring)
    algorithm.tell(infills=offspring)
