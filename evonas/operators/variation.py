"""Variation operators on genomes: pure functions ``(genome, space, *, rng) -> genome``.

Each returns a new valid genome (genomes are immutable) and never touches global random
state. They are lifted to DEAP's calling convention in :mod:`evonas.operators.deap` and to
pymoo's operator classes elsewhere: one implementation, every engine.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np

from evonas.encodings import CellRules, Genome, SearchSpace


def mut_op(genome: Genome, space: SearchSpace, *, rng: np.random.Generator) -> Genome:
    """Op-mutation: give one edge another op of the space (SWAP paper, App. C, Fig. 13).

    Every op the space searches may be drawn, ``none`` included: where an edge may be absent
    (NAS-Bench-201, whose ``none`` is "no edge"), every edge position takes part and "no
    edge" is one of its values, so mutation alone reaches every cell. Where ops sit on nodes
    (NAS-Bench-101) a node's op is one more position, beside the edges that may come and go;
    in a chain (the macro space) a position is a layer, its value the layer's block. The
    change is drawn uniformly among those that keep the cell valid; ``genome`` comes back
    unchanged only when there is none (a space with one op).
    """
    rules = space.rules
    edge_values, node_values = rules.edge_values, tuple(rules.node_ops)  # rules.values_at, hoisted: this loop is hot
    changes = []
    for c, m in enumerate(genome.cells):
        rows = m.tolist()
        changes.extend(
            (c, i, j, v)
            for i, j in _op_positions(m, rules)
            for v in (node_values if i == j else edge_values)
            if v != rows[i][j]
        )
    def changed(k: int) -> tuple[int, np.ndarray]:
        c, i, j, value = changes[k]
        m = genome.cells[c].copy()
        m[i, j] = value
        return c, m

    return _first_new_network(genome, space, map(changed, rng.permutation(len(changes))))


def mut_connection(genome: Genome, space: SearchSpace, *, rng: np.random.Generator) -> Genome:
    """Connectivity-mutation: move one edge (with its op) to another free position.

    Drawn uniformly among the moves that keep the cell valid (for DARTS: the edge gets
    another source while its node keeps two distinct predecessors). Returns ``genome``
    unchanged when no edge can move (e.g. an NB201 cell with every edge present). It does
    not apply to a chain (``CellRules.chain``: each layer reads the one before it), whose
    genomes always come back unchanged. A node's op (the diagonal) stays where it is.
    """
    if space.rules.chain:
        return genome
    fixed_in_degree = space.rules.in_degree is not None
    allowed = space.rules.tables[1]
    moves = []
    for c, m in enumerate(genome.cells):
        free = np.argwhere((m == 0) & allowed).tolist()
        for i, j in np.argwhere(np.triu(m, 1) != 0).tolist():
            # with fixed in-degrees an edge keeps its target: another would change two in-degrees
            moves.extend((c, i, j, a, b) for a, b in free if not fixed_in_degree or b == j)
    def moved(k: int) -> tuple[int, np.ndarray]:
        c, i, j, a, b = moves[k]
        m = genome.cells[c].copy()
        m[a, b], m[i, j] = m[i, j], 0
        return c, m

    return _first_new_network(genome, space, map(moved, rng.permutation(len(moves))))


def mut_random(genome: Genome, space: SearchSpace, *, rng: np.random.Generator) -> Genome:
    """Op- or connectivity-mutation with equal chance (the SWAP-NAS default mutation).

    On a chain, where connectivity-mutation does not apply, always op-mutation (no draw is
    spent on a move that cannot change anything).
    """
    if space.rules.chain:
        return mut_op(genome, space, rng=rng)
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
    """Where op-mutation may act: the edges, or every allowed position into a non-input node
    when edges may be absent; and the nodes of a space whose ops sit on nodes."""
    if rules.in_degree is not None:
        return [(int(i), int(j)) for i, j in np.argwhere(np.triu(m, 1) != 0)] + [(j, j) for j in rules.op_nodes]
    return rules.open_positions


def mut_node_op(genome: Genome, space: SearchSpace, *, rng: np.random.Generator) -> Genome:
    """Node-op mutation: give one op-carrying node another op; the graph stays (NAS-Bench-101).

    Where ops sit on nodes, this is the op change that keeps the topology (PRE-NAS's
    offspring); ``genome`` comes back unchanged for a space without node ops.
    """
    nodes, ops = list(space.rules.op_nodes), tuple(space.rules.node_ops)
    changes = [(c, j, v) for c, m in enumerate(genome.cells) for j in nodes for v in ops if v != m[j, j]]
    def changed(k: int) -> tuple[int, np.ndarray]:
        c, j, value = changes[k]
        m = genome.cells[c].copy()
        m[j, j] = value
        return c, m

    return _first_new_network(genome, space, map(changed, rng.permutation(len(changes))))


def _first_new_network(genome: Genome, space: SearchSpace, candidates: Iterator[tuple[int, np.ndarray]]) -> Genome:
    """The first valid candidate ``(cell index, new cell)`` that builds another network than ``genome``.

    A change the network does not see (a NAS-Bench-101 op on a node pruned away) is no
    mutation: it would spend an evaluation on a copy. When every valid candidate is such a
    change, the first valid one is returned; with none valid, ``genome`` itself.
    """
    parent, fallback = space.network_key(genome), None
    for c, m in candidates:
        if space.is_valid_cell(m):
            child = genome.replace_cell(c, m)
            if space.network_key(child) != parent:
                return child
            if fallback is None:
                fallback = child
    return genome if fallback is None else fallback
