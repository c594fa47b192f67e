import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import evonas
from evonas import Genome, InvalidGenomeError

SPACE = evonas.get_space("nb201")
ENTRIES = st.lists(st.integers(0, 4), min_size=6, max_size=6)


def matrix(entries):
    m = np.zeros((4, 4), dtype=int)
    m[np.triu_indices(4, 1)] = entries
    return m


def test_registry():
    assert {"darts", "nb201"} <= set(evonas.list_spaces())
    assert evonas.list_spaces("nb2*") == ["nb201"]
    with pytest.raises(evonas.UnknownNameError, match="nb201"):
        evonas.get_space("nb210")


def test_enumerates_exactly_the_15625_cells():
    genomes = list(SPACE.enumerate())
    assert len(genomes) == 15625 == len({g.key for g in genomes})
    assert all(SPACE.is_valid(g) for g in genomes[::97])


def test_round_trip_over_the_whole_benchmark_table(shared_data):
    import pandas as pd

    archs = pd.read_csv(shared_data / "nb201_cifar10.csv")["arch"]
    assert len(archs) == 15625
    genomes = [SPACE.from_native(a) for a in archs]
    assert [SPACE.to_native(g) for g in genomes] == list(archs)
    assert len({g.key for g in genomes}) == 15625


@given(ENTRIES)
def test_round_trip_from_matrix(entries):
    g = Genome.of(matrix(entries))
    text = SPACE.to_native(g)
    assert SPACE.from_native(text) == g


@settings(max_examples=50)
@given(st.integers(0, 2**32 - 1))
def test_samples_are_valid_and_seeded(seed):
    a = SPACE.sample(np.random.default_rng(seed))
    assert SPACE.is_valid(a)
    assert SPACE.sample(np.random.default_rng(seed)) == a


def test_op_codes_follow_the_paper():
    g = SPACE.from_native("|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|")
    assert g.cells[0].tolist() == [[0, 1, 2, 4], [0, 0, 3, 0], [0, 0, 0, 1], [0, 0, 0, 0]]


def test_canonical_key_merges_isomorphic_cells_only():
    # node1 = conv(x), node2 = pool(x), out = pool(node1) + conv(node2) ...
    a = matrix([1, 3, 0, 0, 3, 1])
    # ... is the same function as node1 = pool(x), node2 = conv(x), out = conv(node1) + pool(node2)
    b = matrix([3, 1, 0, 0, 1, 3])
    assert SPACE.canonical_key(Genome.of(a)) == SPACE.canonical_key(Genome.of(b))
    # a dead branch (node 2 feeds nothing) does not change the function
    c = matrix([1, 3, 0, 0, 3, 0])
    d = matrix([1, 2, 0, 0, 3, 0])
    assert SPACE.canonical_key(Genome.of(c)) == SPACE.canonical_key(Genome.of(d))
    # but another op on a live edge does
    e = matrix([2, 3, 0, 0, 3, 1])
    assert SPACE.canonical_key(Genome.of(a)) != SPACE.canonical_key(Genome.of(e))
    keys = {SPACE.canonical_key(g) for g in SPACE.enumerate()}
    assert 6000 < len(keys) < 15625


@pytest.mark.parametrize(
    "text, message",
    [
        ("|nor_conv_3x3~0|+|none~0|skip_connect~1|", "expected 3 '\\+'-separated node groups"),
        ("|conv~0|+|none~0|skip_connect~1|+|none~0|none~1|none~2|", "unknown op 'conv'"),
        ("|nor_conv_3x3~1|+|none~0|skip_connect~1|+|none~0|none~1|none~2|", "expected 'op~0'"),
        ("|nor_conv_3x3~0|+|none~0|+|none~0|none~1|none~2|", "node 2 needs 2 incoming"),
        ("nor_conv_3x3~0+|none~0|skip_connect~1|+|none~0|none~1|none~2|", "must look like"),
    ],
)
def test_bad_native_text_says_what_is_wrong(text, message):
    with pytest.raises(InvalidGenomeError, match=message):
        SPACE.from_native(text)


@pytest.mark.parametrize(
    "cells, message",
    [
        ((np.zeros((3, 3), dtype=int),), "must be 4x4"),
        ((np.eye(4, dtype=int),), r"entry \[0, 0\] = 1 is on or below the diagonal"),
        ((matrix([1, 1, 1, 1, 9, 1]),), r"entry \[1, 3\] = 9 is not an op code"),
        ((matrix([1] * 6), matrix([1] * 6)), "has 1 cell"),
    ],
)
def test_invalid_matrices_name_the_problem(cells, message):
    with pytest.raises(InvalidGenomeError, match=message):
        SPACE.validate(Genome(cells))


@pytest.mark.parametrize("net_args", [{}, {"C": 8, "N": 1, "num_classes": 100}])
def test_count_params_without_building_agrees_with_the_built_network(net_args):
    from evonas.networks import count_parameters

    rng = np.random.default_rng(5)
    for g in [SPACE.sample(rng) for _ in range(8)] + [Genome.of(np.zeros((4, 4), int)), Genome.of(matrix([1] * 6))]:
        assert SPACE.count_params(g, **net_args) == count_parameters(SPACE.build(g, **net_args))
    assert SPACE.count_params("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|") == 1531546
