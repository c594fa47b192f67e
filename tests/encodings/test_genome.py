import numpy as np
import pytest

from evonas import Genome


def test_genome_is_an_immutable_value():
    m = np.zeros((4, 4), dtype=int)
    m[0, 1] = 3
    g = Genome.of(m)
    m[0, 2] = 1  # the caller's array is copied, not shared
    assert g.cells[0][0, 2] == 0
    with pytest.raises(ValueError):
        g.cells[0][0, 1] = 2
    assert g == Genome.of(g.cells[0].copy())
    assert hash(g) == hash(Genome.of(g.cells[0].tolist()))
    assert g != g.replace_cell(0, np.eye(4, k=1, dtype=int))


def test_json_round_trip_and_key():
    g = Genome.of(np.triu(np.ones((6, 6), dtype=int), 1) * 2, np.zeros((6, 6), dtype=int))
    assert Genome.from_json(g.to_json()) == g
    assert g.key == "6:" + "2" * 15 + "/6:" + "0" * 15


def test_connectivity_rules_explain_what_is_unreachable():
    """require_connected (checked with networkx): every node on an input -> output path."""
    import pytest

    from evonas.encodings import CellRules, SearchSpace
    from evonas.errors import InvalidGenomeError

    class Chain(SearchSpace):
        name, cell_names = "chain", ("cell",)
        rules = CellRules(n_nodes=4, n_inputs=1, ops={1: "op"}, search_ops=(1,), require_connected=True)
        from_native = to_native = build = canonical_key = None  # type: ignore[assignment]

    space = Chain.__new__(Chain)
    ok = np.array([[0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]])
    assert space.is_valid_cell(ok)
    dead_end = ok.copy()
    dead_end[2, 3], dead_end[1, 3] = 0, 1  # node 2 is fed but feeds nothing
    with pytest.raises(InvalidGenomeError, match="node 2 is not connected to the output node 3"):
        space.validate(Genome.of(dead_end))
    orphan = np.array([[0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]])  # node 2 feeds the output, fed by none
    with pytest.raises(InvalidGenomeError, match="node 2 is not reachable from an input node"):
        space.validate(Genome.of(orphan))
