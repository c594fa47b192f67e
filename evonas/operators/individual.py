"""DEAP individuals that *have* a genome, and adapters from pure operators to DEAP's conventions.

DEAP mutation and crossover operators change individuals in place and return a tuple;
ours are pure functions on immutable genomes. The adapters here replace ``ind.genome`` and
invalidate the fitness, so ``evonas.operators`` plug into a ``deap.base.Toolbox`` as is.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from deap import base

from evonas.encodings import Genome, SearchSpace


class MaxFitness(base.Fitness):
    """Single objective, higher is better."""

    weights = (1.0,)


class MinFitness(base.Fitness):
    """Single objective, lower is better."""

    weights = (-1.0,)


def fitness_class(direction: int) -> type[base.Fitness]:
    """The fitness class for a proxy direction (+1 maximise, -1 minimise)."""
    return MaxFitness if direction > 0 else MinFitness


class Individual:
    """A genome with a DEAP fitness and the parameter count of its scored network."""

    __slots__ = ("genome", "fitness", "params")

    def __init__(self, genome: Genome, fitness: base.Fitness | None = None, params: int | None = None) -> None:
        self.genome = genome
        self.fitness = fitness if fitness is not None else MaxFitness()
        self.params = params

    def __deepcopy__(self, memo: dict) -> Individual:
        clone = Individual(self.genome, fitness=type(self.fitness)(), params=self.params)
        if self.fitness.valid:
            clone.fitness.values = self.fitness.values
        return clone

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Individual) and other.genome == self.genome

    def __hash__(self) -> int:
        return hash(self.genome)

    def __repr__(self) -> str:
        score = self.fitness.values[0] if self.fitness.valid else None
        return f"Individual({self.genome.key!r}, score={score})"


MutateFn = Callable[..., Genome]
CrossFn = Callable[..., tuple[Genome, Genome]]


def deap_mutation(operator: MutateFn) -> Callable[..., tuple[Individual]]:
    """Lift ``operator(genome, space, *, rng)`` to DEAP's ``mutate(ind, space, rng) -> (ind,)``."""

    def mutate(individual: Individual, space: SearchSpace, rng: np.random.Generator) -> tuple[Individual]:
        individual.genome = operator(individual.genome, space, rng=rng)
        del individual.fitness.values
        individual.params = None
        return (individual,)

    mutate.__name__ = mutate.__qualname__ = operator.__name__
    mutate.__doc__ = operator.__doc__
    return mutate


def deap_crossover(operator: CrossFn) -> Callable[..., tuple[Individual, Individual]]:
    """Lift ``operator(g1, g2, space, *, rng)`` to DEAP's ``mate(ind1, ind2, space, rng) -> (ind1, ind2)``."""

    def mate(first: Individual, second: Individual, space: SearchSpace, rng: np.random.Generator) -> tuple[Individual, Individual]:
        first.genome, second.genome = operator(first.genome, second.genome, space, rng=rng)
        for ind in (first, second):
            del ind.fitness.values
            ind.params = None
        return first, second

    mate.__name__ = mate.__qualname__ = operator.__name__
    mate.__doc__ = operator.__doc__
    return mate
