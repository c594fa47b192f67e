"""NAS-Bench-101 cells: the model-spec notation, pruning, the 9-edge limit and the isomorphism key."""

import json

import networkx as nx
import numpy as np
import pytest

import evonas
from evonas.errors import InvalidGenomeError
from evonas.operators import mut_op

SPACE = evonas.get_space("nb101")
C3, C1, MP = "conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3"


def spec(matrix, ops):
    return json.dumps({"matrix": matrix, "ops": ["input", *ops, "output"]})


def chain(n):
    """An n-node chain input -> 1 -> ... -> output as a 0/1 matrix."""
    return [[int(j == i + 1) for j in range(n)] for i in range(n)]


def test_a_smaller_cell_round_trips_exactly_and_its_spare_nodes_are_dead():
    text = spec([[0, 1, 1, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]], [C3, MP])
    g = SPACE.from_native(text)
    assert SPACE.to_native(g) == json.dumps(json.loads(text), separators=(", ", ": "))
    (m,) = g.cells
    edges = np.triu(m, 1)
    assert m[0, 1] == m[2, 6] == 1 and not edges[3:6].any() and not edges[:, 3:6].any()  # nodes 3..5 spare
    assert not SPACE.rules.live_nodes(m)[3:6].any()


def test_pruning_removes_nodes_off_every_input_output_path():
    dangling = [[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0], [0, 0, 0, 0]]  # node 2 reads the input, feeds nothing
    g = SPACE.from_native(spec(dangling, [C1, C3]))
    assert json.loads(SPACE.to_native(g)) == {"matrix": [[0, 1, 0], [0, 0, 1], [0, 0, 0]], "ops": ["input", C1, "output"]}
    assert SPACE.canonical_key(g) == SPACE.canonical_key(SPACE.from_native(spec(chain(3), [C1])))


def test_the_nine_edge_limit_counts_the_pruned_cell():
    full = np.triu(np.ones((7, 7), dtype=int), 1)
    with pytest.raises(InvalidGenomeError, match="21 edges after pruning; at most 9"):
        SPACE.from_native(spec(full.tolist(), [C3] * 5))
    m = np.zeros((7, 7), dtype=int)
    m[0, 1] = m[1, 6] = 1  # the live path: 2 edges
    m[0, 2] = m[2, 3] = m[3, 4] = m[4, 5] = m[0, 3] = m[0, 4] = m[0, 5] = m[2, 4] = 1  # 8 edges into dead ends
    g = SPACE.from_native(spec(m.tolist(), [C3] * 5))  # 10 edges, 2 of them live: valid
    assert json.loads(SPACE.to_native(g))["matrix"] == chain(3)


def test_a_cell_without_an_input_output_path_is_invalid():
    with pytest.raises(InvalidGenomeError, match="no path from the input to the output"):
        SPACE.from_native(spec([[0, 1, 0], [0, 0, 0], [0, 0, 0]], [C3]))


@pytest.mark.parametrize(
    "text, message",
    [
        ("{'matrix': [[0]]}", "not JSON"),
        ('{"matrix": [[0, 1], [0, 0]]}', 'keys "matrix" and "ops"'),
        (spec(chain(3), ["conv5x5"]), "unknown op 'conv5x5'"),
        (spec([[0, 1, 0], [0, 0, 1]], [C3]), "3x3"),
        (spec([[0, 2, 0], [0, 0, 1], [0, 0, 0]], [C3]), "0/1"),
        (spec([[0, 1, 0], [1, 0, 1], [0, 0, 0]], [C3]), "below the diagonal"),
        (spec(chain(8), [C3] * 6), "2..7 op names"),
        (json.dumps({"matrix": chain(3), "ops": ["output", C3, "input"]}), 'start with "input"'),
    ],
)
def test_bad_specs_are_one_clear_line(text, message):
    with pytest.raises(InvalidGenomeError, match=message) as info:
        SPACE.from_native(text)
    assert "\n" not in str(info.value)


def _graph(g):
    matrix, ops = SPACE.spec(g)
    graph = nx.from_numpy_array(matrix, create_using=nx.DiGraph)
    nx.set_node_attributes(graph, dict(enumerate(ops)), "op")
    return graph


def _relabelled(g, rng):
    """The same cell, its intermediate nodes renumbered by a random topological order."""
    graph = _graph(g)
    n = graph.number_of_nodes()
    order = [0]
    while len(order) < n - 1:
        ready = [v for v in graph if v not in order and v != n - 1 and all(u in order for u in graph.predecessors(v))]
        order.append(ready[rng.integers(len(ready))])
    order.append(n - 1)
    matrix, ops = SPACE.spec(g)
    return json.dumps({"matrix": matrix[np.ix_(order, order)].tolist(), "ops": [ops[k] for k in order]})


def test_isomorphic_cells_share_the_key_and_the_key_agrees_with_networkx():
    rng = np.random.default_rng(0)
    genomes = [SPACE.sample(rng) for _ in range(150)]
    for g in genomes[:60]:
        assert SPACE.canonical_key(SPACE.from_native(_relabelled(g, rng))) == SPACE.canonical_key(g)
    same_op = lambda a, b: a["op"] == b["op"]  # noqa: E731
    small = [g for g in genomes if len(SPACE.spec(g)[1]) <= 5] + [SPACE.from_native(_relabelled(g, rng)) for g in genomes[:40]]
    seen = [(SPACE.canonical_key(g), _graph(g)) for g in small]
    pairs = 0
    for key_a, a in seen:
        for key_b, b in seen[:30]:
            if a.number_of_nodes() == b.number_of_nodes() and a.number_of_edges() == b.number_of_edges():
                pairs += 1
                assert (key_a == key_b) == nx.is_isomorphic(a, b, node_match=same_op)
    assert pairs > 200


def test_op_mutation_changes_node_ops_as_well_as_edges():
    rng = np.random.default_rng(1)
    node_changes, edge_changes = 0, 0
    for _ in range(300):
        g = SPACE.sample(rng)
        (i, j), = np.argwhere(mut_op(g, SPACE, rng=rng).cells[0] != g.cells[0])
        node_changes += i == j
        edge_changes += i != j
    assert node_changes > 30 and edge_changes > 30


def test_sampling_reaches_every_size_and_op():
    rng = np.random.default_rng(2)
    sizes, ops = set(), set()
    for _ in range(500):
        matrix, names = SPACE.spec(SPACE.sample(rng))
        sizes.add(len(names))
        ops.update(names[1:-1])
        assert matrix.sum() <= 9
    assert {5, 6, 7} <= sizes and ops == {C3, C1, MP}
