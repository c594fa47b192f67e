"""Variation operators on genomes: pure functions ``(genome, space, *, rng) -> genome``.

Each returns a new valid genome (genomes are immutable) and never touches global random
state. They are lifted to DEAP's calling convention in :mod:`evonas.operators.deap` and to
pymoo's operator classes elsewhere: one implementation, every engine.
"""

from __future__ import annotations

import numpy as np

from evonas.encodings import CellRules, Genome, SearchSpace


def mut_op(genome: Genome, space: SearchSpace, *, rng: np.random.Generator) -> Genome:
    """Op-mutation: give one edge another op of the space (SWAP paper, App. C, Fig. 13).

    Every op the space searches may be drawn, ``none`` included: where an edge may be absent
    (NAS-Bench-201, whose ``none`` is "no edge"), every edge position takes part and "no
    edge" is one of its values, so mutation alone reaches every cell. The change is drawn
    uniformly among those that keep the cell valid; ``genome`` comes back unchanged only
    when there is none (a space with one op).
    """
    rules, values = space.rules, space.rules.edge_values
    changes = []
    for c, m in enumerate(genome.cells):
        rows = m.tolist()
        changes.extend((c, i, j, v) for i, j in _op_positions(m, rules) for v in values if v != rows[i][j])
    for k in rng.permutation(len(changes)):
        c, i, j, value = changes[k]
        m = genome.cells[c].copy()
        m[i, j] = value
        if space.is_valid_cell(m):
            return genome.replace_cell(c, m)
    return genome


def mut_connection(genome: Genome, space: SearchSpace, *, rng: np.random.Generator) -> Genome:
    """Connectivity-mutation: move one edge (with its op) to another free position.

    Drawn uniformly among the moves that keep the cell valid (for DARTS: the edge gets
    another source while its node keeps two distinct predecessors). Returns ``genome``
    unchanged when no edge can move (e.g. an NB201 cell with every edge present).
    """
    fixed_in_degree = space.rules.in_degree is not None
    moves = []
    for c, m in enumerate(genome.cells):
        free = np.argwhere(np.triu(m == 0, 1)).tolist()
        for i, j in np.argwhere(m != 0).tolist():
            # with fixed in-degrees an edge keeps its target: another would change two in-degrees
            moves.extend((c, i, j, a, b) for a, b in free if not fixed_in_degree or b == j)
    for k in rng.permutation(len(moves)):
        c, i, j, a, b = moves[k]
        moved = genome.cells[c].copy()
        moved[a, b], moved[i, j] = moved[i, j], 0
        if space.is_valid_cell(moved):
            return genome.replace_cell(c, moved)
    return genome


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


def _op_positions(m: np.ndarray, rules: CellRules) -> list[tuple[int, int]]:
    """Where op-mutation may act: the edges, or every position into a non-input node when edges may be absent."""
    if rules.in_degree is not None:
        return [(int(i), int(j)) for i, j in np.argwhere(m != 0)]
    return [(i, j) for j in range(rules.n_inputs, rules.n_nodes) for i in range(j)]

