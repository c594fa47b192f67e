"""pymoo operator classes that lift the pure operators of :mod:`evonas.operators` to ``_do``.

One implementation, two engines: each ``_do`` only loops the existing pure function over
pymoo's arrays. pymoo 0.6.2 passes every ``_do`` a ``random_state`` (the algorithm's
generator), but its public ``do`` silently makes an *unseeded* one when a caller leaves it
out; our operators therefore ignore it and draw from the seeded ``numpy.random.Generator``
they hold, whose state the run checkpoints with everything else.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np
from pymoo.core.crossover import Crossover
from pymoo.core.duplicate import ElementwiseDuplicateElimination
from pymoo.core.individual import Individual
from pymoo.core.mutation import Mutation
from pymoo.core.population import Population
from pymoo.core.sampling import Sampling

from evonas.encodings import Genome, SearchSpace
from evonas.operators import cx_node_incoming, mut_random

MutationOperator = Callable[..., Genome]


class GenomeSampling(Sampling):
    """The ``given`` genomes (a warm start), then uniformly random valid ones (``space.sample``), distinct while the
    space allows.

    pymoo's own warm start passes the initial population as ``sampling`` (an array or a
    ``Population``); here the given genomes are the first of the sample instead, so the
    top-up is drawn from the run's seeded generator and a resumed run replays it.

    Args:
        space: the search space.
        rng: the seeded generator draws come from.
        given: genomes the sample starts with (distinct networks, at most ``n_samples``).
    """

    def __init__(self, space: SearchSpace, *, rng: np.random.Generator, given: Sequence[Genome] = ()) -> None:
        super().__init__()
        self.space, self.rng, self.given = space, rng, tuple(given)

    def _do(self, problem: Any, n_samples: int, *args: Any, **kwargs: Any) -> np.ndarray:
        drawn: dict[str, Genome] = {self.space.network_key(g): g for g in self.given[:n_samples]}
        for _ in range(100 * n_samples):  # a tiny space may hold fewer distinct genomes
            if len(drawn) == n_samples:
                break
            genome = self.space.sample(self.rng)
            drawn.setdefault(self.space.network_key(genome), genome)
        X = np.full((len(drawn), 1), None, dtype=object)
        X[:, 0] = list(drawn.values())
        return X


class GenomeCrossover(Crossover):
    """Two parents, two children by node-incoming crossover (SWAP paper, App. C, Fig. 14).

    Args:
        space: the search space.
        rng: the seeded generator draws come from.
        prob: probability that a mating crosses over (else the children are the parents).
    """

    def __init__(self, space: SearchSpace, *, rng: np.random.Generator, prob: float = 0.9) -> None:
        super().__init__(2, 2, prob=prob)
        self.space, self.rng = space, rng

    def _do(self, problem: Any, X: np.ndarray, *args: Any, **kwargs: Any) -> np.ndarray:
        Y = np.full_like(X, None, dtype=object)
        for k in range(X.shape[1]):
            Y[0, k, 0], Y[1, k, 0] = cx_node_incoming(X[0, k, 0], X[1, k, 0], self.space, rng=self.rng)
        return Y


class GenomeMutation(Mutation):
    """Applies a pure mutation operator to each offspring (default: SWAP-NAS's ``mut_random``).

    Args:
        space: the search space.
        rng: the seeded generator draws come from.
        operator: ``(genome, space, *, rng) -> genome``, e.g. ``mut_op`` or ``mut_connection``.
        prob: probability that an offspring is mutated.
    """

    def __init__(
        self, space: SearchSpace, *, rng: np.random.Generator, operator: MutationOperator = mut_random, prob: float = 1.0
    ) -> None:
        super().__init__(prob=prob)
        self.space, self.rng, self.operator = space, rng, operator

    def _do(self, problem: Any, X: np.ndarray, *args: Any, **kwargs: Any) -> np.ndarray:
        Y = np.full_like(X, None, dtype=object)
        for i in range(len(X)):
            Y[i, 0] = self.operator(X[i, 0], self.space, rng=self.rng)
        return Y


class GenomeDuplicateElimination(ElementwiseDuplicateElimination):
    """Two individuals are duplicates when their genomes have the same key.

    Args:
        key: genome -> key; by default the exact matrix key. Runs pass the space's
            ``network_key``, so the population never holds two copies of one network
            (isomorphic cells, or cells that differ only in edges that cannot reach the output).
    """

    def __init__(self, key: Callable[[Genome], str] | None = None) -> None:
        super().__init__()
        self.key = key or (lambda genome: genome.key)

    def is_equal(self, a: Individual, b: Individual) -> bool:
        return self.key(a.X[0]) == self.key(b.X[0])

    def _do(self, pop: Population, other: Population | None, is_duplicate: np.ndarray) -> np.ndarray:
        # the relation of is_equal with each key computed once instead of once per pair;
        # within ``pop`` the last of equal individuals survives, as in pymoo's pairwise loop
        keys = [self.key(ind.X[0]) for ind in pop]
        if other is None:
            seen: set[str] = set()
            for i in reversed(range(len(keys))):
                is_duplicate[i] |= keys[i] in seen
                seen.add(keys[i])
        else:
            taken = {self.key(ind.X[0]) for ind in other}
            for i, key in enumerate(keys):
                is_duplicate[i] |= key in taken
        return is_duplicate
