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
