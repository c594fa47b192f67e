"""Variation operators on genomes: pure functions ``(genome, space, *, rng) -> genome``.

Each returns a new valid genome (genomes are immutable) and never touches global random
state. They are lifted to DEAP's calling convention in :mod:`evonas.operators.deap` and to
pymoo's operator classes elsewhere: one implementation, every engine.
"""

from __future__ import annotations

import numpy as np

from evonas.encodings import Genome, SearchSpace


def mut_op(genome: Genome, space: SearchSpace, *, rng: np.random.Generator) -> Genome:
    """Op-mutation: give one existing edge another op of the space (SWAP paper, App. C, Fig. 13).

    Returns ``genome`` unchanged only when no edge can change (a space with one op).
    """
    candidates = [
        (c, i, j) for c, m in enumerate(genome.cells) for i, j in np.argwhere(m != 0) if _other_ops(space, m[i, j])
    ]
    if not candidates:
        return genome
    c, i, j = candidates[rng.integers(len(candidates))]
    m = genome.cells[c].copy()
    choices = _other_ops(space, m[i, j])
    m[i, j] = choices[rng.integers(len(choices))]
    return space.validate(genome.replace_cell(c, m))


def mut_connection(genome: Genome, space: SearchSpace, *, rng: np.random.Generator) -> Genome:
    """Connectivity-mutation: move one edge (with its op) to another free position.

    Only moves that keep the cell valid are drawn (for DARTS: the edge gets another source
    while its node keeps two distinct predecessors). Returns ``genome`` unchanged when no
    edge can move (e.g. an NB201 cell with every edge present).
    """
    moves = []
    for c, m in enumerate(genome.cells):
        free = np.argwhere(np.triu(m == 0, 1))
        for i, j in np.argwhere(m != 0):
            for a, b in free:
                if space.rules.in_degree is not None and b != j:
                    continue  # moving to another target would change two in-degrees
                moved = m.copy()
                moved[a, b], moved[i, j] = m[i, j], 0
                if space.is_valid_cell(moved):
                    moves.append((c, moved))
    if not moves:
        return genome
    c, moved = moves[rng.integers(len(moves))]
    return genome.replace_cell(c, moved)


def mut_random(genome: Genome, space: SearchSpace, *, rng: np.random.Generator) -> Genome:
    """Op- or connectivity-mutation with equal chance (the SWAP-NAS default mutation)."""
    operator = mut_op if rng.random() < 0.5 else mut_connection
    return operator(genome, space, rng=rng)


def cx_node_incoming(
    first: Genome, second: Genome, space: SearchSpace, *, rng: np.random.Generator
) -> tuple[Genome, Genome]:
    """Node-incoming crossover: swap one node's whole incoming column between two parents.

    SWAP paper, Appendix C, Fig. 14. For multi-cell genomes (DARTS normal + reduce) each
    cell swaps the column of its own randomly chosen node. A column carries the node's
    in-degree and distinct sources with it, so both children stay valid for every space
    whose rules are per-node; children that would still break a rule are replaced by their
    parents.
    """
    a_cells, b_cells = list(first.cells), list(second.cells)
    for c in range(len(a_cells)):
        j = int(rng.integers(space.rules.n_inputs, space.rules.n_nodes))
        a, b = a_cells[c].copy(), b_cells[c].copy()
        a[:, j], b[:, j] = b_cells[c][:, j], a_cells[c][:, j]
        a_cells[c], b_cells[c] = a, b
    children = Genome(tuple(a_cells)), Genome(tuple(b_cells))
    return tuple(child if space.is_valid(child) else parent for child, parent in zip(children, (first, second)))  # type: ignore[return-value]


def _other_ops(space: SearchSpace, code: int) -> list[int]:
    return [op for op in space.rules.search_ops if op != code]
