"""Every operator keeps every individual valid: thousands of random applications per space."""

import numpy as np
import pytest
from deap import base
from hypothesis import given, settings
from hypothesis import strategies as st

import evonas
from evonas.operators import (
    Individual,
    cx_node_incoming,
    cxNodeIncoming,
    mut_connection,
    mut_op,
    mut_random,
    mutRandom,
)

SPACES = [evonas.get_space(name) for name in evonas.list_spaces()] + [evonas.get_space("darts", include_none=True)]
IDS = [s.name for s in SPACES[:-1]] + ["darts+none"]
SEEDS = st.integers(0, 2**32 - 1)


@pytest.mark.parametrize("space", SPACES, ids=IDS)
@settings(max_examples=60, deadline=None)
@given(seed=SEEDS)
def test_chains_of_mutations_and_crossovers_stay_valid(space, seed):
    rng = np.random.default_rng(seed)
    a, b = space.sample(rng), space.sample(rng)
    for _ in range(20):
        a = space.validate(mut_random(a, space, rng=rng))
        b = space.validate(mut_op(b, space, rng=rng))
        b = space.validate(mut_connection(b, space, rng=rng))
        a, b = (space.validate(c) for c in cx_node_incoming(a, b, space, rng=rng))


@pytest.mark.parametrize("space", SPACES, ids=IDS)
def test_op_mutation_changes_exactly_one_op(space):
    rng = np.random.default_rng(1)
    for _ in range(200):
        g = space.sample(rng)
        h = mut_op(g, space, rng=rng)
        diff = [(c, i, j) for c in range(len(g.cells)) for i, j in np.argwhere(g.cells[c] != h.cells[c])]
        assert len(diff) == 1
        c, i, j = diff[0]
        assert h.cells[c][i, j] in space.rules.values_at(i, j)  # an edge's op, or a node's (on the diagonal)
        if space.rules.in_degree is not None and i != j:  # DARTS: an op changes on an existing edge, the edge stays
            assert g.cells[c][i, j] != 0 and h.cells[c][i, j] != 0


def test_op_mutation_on_nb201_draws_none_and_changes_the_number_of_edges():
    space = evonas.get_space("nb201")
    rng = np.random.default_rng(4)
    seen, edge_changes = set(), set()
    for _ in range(2000):
        g = space.sample(rng)
        h = mut_op(g, space, rng=rng)
        (i, j), = np.argwhere(g.cells[0] != h.cells[0])
        seen.add((int(g.cells[0][i, j]), int(h.cells[0][i, j])))
        edge_changes.add(int(np.count_nonzero(h.cells[0]) - np.count_nonzero(g.cells[0])))
    assert seen == {(a, b) for a in range(5) for b in range(5) if a != b}  # every op to every other, none included
    assert edge_changes == {-1, 0, 1}


@pytest.mark.slow
def test_mutation_alone_reaches_every_nb201_cell():
    """Repeated op-mutation (no crossover) from a few starts covers all 15,625 cells."""
    space = evonas.get_space("nb201")
    rng = np.random.default_rng(5)
    reached = set()
    for _ in range(4):
        g = space.sample(rng)
        for _ in range(60_000):  # covering 15,625 states by random steps takes ~n ln n = 150,000
            g = mut_op(g, space, rng=rng)
            reached.add(g.key)
    assert len(reached) == 15_625


@pytest.mark.parametrize("space", [s for s in SPACES if s.name == "darts"], ids=["darts", "darts+none"])
def test_mutation_alone_reaches_every_op_on_every_edge_of_darts(space):
    """The DARTS space is too large to cover; every (cell, source, node, op) a genome can hold is reached."""
    rng = np.random.default_rng(6)
    reached = set()
    g = space.sample(rng)
    for _ in range(20_000):
        g = mut_random(g, space, rng=rng)
        for c, m in enumerate(g.cells):
            reached.update((c, int(i), int(j), int(m[i, j])) for i, j in np.argwhere(m != 0))
    r = space.rules
    possible = {(c, i, j, op) for c in range(2) for j in range(r.n_inputs, r.n_nodes) for i in range(j) for op in r.search_ops}
    assert reached == possible


def _can_move_an_edge(g, space):
    """Brute force: is there any edge move (one edge to a free allowed position) that keeps ``g`` valid?"""
    allowed = space.rules.tables[1]
    for c, m in enumerate(g.cells):
        for i, j in np.argwhere(np.triu(m, 1) != 0):
            for a, b in np.argwhere((m == 0) & allowed):
                if space.rules.in_degree is not None and b != j:
                    continue
                moved = m.copy()
                moved[a, b], moved[i, j] = m[i, j], 0
                if space.is_valid_cell(moved):
                    return True
    return False


@pytest.mark.parametrize("space", SPACES, ids=IDS)
def test_connection_mutation_moves_one_edge_with_its_op(space):
    rng = np.random.default_rng(2)
    moved = 0
    for _ in range(200):
        g = space.sample(rng)
        h = mut_connection(g, space, rng=rng)
        if h == g:
            assert not _can_move_an_edge(g, space)  # e.g. an NB201 cell with all six edges, or any chain
            continue
        moved += 1
        changed = [c for c in range(len(g.cells)) if not np.array_equal(g.cells[c], h.cells[c])]
        assert len(changed) == 1
        a, b = g.cells[changed[0]], h.cells[changed[0]]
        assert np.count_nonzero(a) == np.count_nonzero(b)
        assert sorted(a[a != 0]) == sorted(b[b != 0])
        assert np.count_nonzero(a != b) == 2
    if space.rules.chain:
        assert moved == 0, "connectivity-mutation does not apply to a chain of layers"
    else:
        assert moved > 100  # nb201: a cell with all six edges present (p = 0.26) cannot move one


@pytest.mark.parametrize("space", SPACES, ids=IDS)
def test_crossover_swaps_whole_incoming_columns(space):
    rng = np.random.default_rng(3)
    for _ in range(100):
        a, b = space.sample(rng), space.sample(rng)
        c, d = cx_node_incoming(a, b, space, rng=rng)
        # a child that breaks a rule beyond its columns (NB101's 9 edges, its input-output path) is its parent
        swapped = (c != a or c == b) and (d != b or d == a)
        for k in range(len(a.cells)):
            for node in range(space.rules.n_nodes):
                col = lambda g: tuple(g.cells[k][:, node])  # noqa: E731
                assert {col(c), col(d)} <= {col(a), col(b)}
                if swapped:
                    assert {col(c), col(d)} == {col(a), col(b)}


def test_operators_are_reproducible_and_never_touch_global_random():
    import random

    space = evonas.get_space("darts")
    random.seed(0)
    np.random.seed(0)
    before = random.random(), np.random.random()
    runs = []
    for _ in range(2):
        rng = np.random.default_rng(7)
        g = space.sample(rng)
        for _ in range(10):
            g = mut_random(g, space, rng=rng)
        runs.append(g)
    assert runs[0] == runs[1]
    random.seed(0)
    np.random.seed(0)
    assert (random.random(), np.random.random()) == before


def test_deap_adapters_work_in_a_toolbox():
    space = evonas.get_space("nb201")
    rng = np.random.default_rng(0)
    toolbox = base.Toolbox()
    toolbox.register("mutate", mutRandom, space=space, rng=rng)
    toolbox.register("mate", cxNodeIncoming, space=space, rng=rng)
    a, b = Individual(space.sample(rng)), Individual(space.sample(rng))
    a.fitness.values = (1.0,)
    out = toolbox.mutate(a)
    assert out == (a,) and not a.fitness.valid
    c, d = toolbox.mate(a, b)
    assert c is a and d is b and space.is_valid(c.genome) and space.is_valid(d.genome)
