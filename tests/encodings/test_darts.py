import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import evonas
from evonas import InvalidGenomeError
from evonas.encodings import parse_genotype

SPACE = evonas.get_space("darts")
DARTS_V2 = (
    "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), "
    "('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], "
    "reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), "
    "('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])"
)
SEEDS = st.integers(0, 2**32 - 1)


@settings(max_examples=100)
@given(SEEDS)
def test_sampled_genomes_round_trip_through_genotype_text(seed):
    g = SPACE.sample(np.random.default_rng(seed))
    assert SPACE.is_valid(g)
    assert "none" not in SPACE.to_native(g)
    text = SPACE.to_native(g)
    assert SPACE.from_native(text) == g
    assert SPACE.to_native(SPACE.from_native(text)) == text
    assert str(parse_genotype(text)) == text


def test_include_none_option_samples_none():
    space = evonas.get_space("darts", include_none=True)
    rng = np.random.default_rng(0)
    assert any("none" in space.to_native(space.sample(rng)) for _ in range(20))


def test_shared_table_parses_and_duplicate_predecessors_are_explained(shared_data):
    import pandas as pd

    texts = pd.read_csv(shared_data / "darts_cifar10_1000.csv")["genotype"]
    held, refused = 0, 0
    for text in texts:
        assert str(SPACE.parse(text)) == text
        try:
            g = SPACE.from_native(text)
        except InvalidGenomeError as err:
            assert "takes both of its edges from node" in str(err)
            refused += 1
        else:
            held += 1
            # lossless: the same edges, listed by source within each node
            again = parse_genotype(SPACE.to_native(g))
            original = parse_genotype(text)
            for cell in ("normal", "reduce"):
                a, b = getattr(again, cell), getattr(original, cell)
                assert [sorted(a[k : k + 2], key=lambda e: e[1]) for k in range(0, 8, 2)] == [
                    sorted(b[k : k + 2], key=lambda e: e[1]) for k in range(0, 8, 2)
                ]
    assert (held, refused) == (189, 811)


def test_darts_v2_matrix():
    g = SPACE.from_native(DARTS_V2)
    normal = g.cells[0]
    assert normal[0, 2] == normal[1, 2] == 5  # sep_conv_3x3
    assert normal[2, 5] == 7  # dil_conv_3x3
    assert (np.count_nonzero(normal, axis=0)[2:] == 2).all()


def test_canonical_key_ignores_node_numbering():
    # normal cell: node 2 and node 3 both read only inputs; swapping them relabels the cell
    a = SPACE.from_native(DARTS_V2)
    m = a.cells[0].copy()
    m[:, [2, 3]] = m[:, [3, 2]]
    # nodes 4 and 5 read 0/1/2 only; fix their columns to read what they read before
    m[[2, 3], :] = m[[3, 2], :]
    b = a.replace_cell(0, np.triu(m, 1))
    if SPACE.is_valid(b):
        assert SPACE.canonical_key(a) == SPACE.canonical_key(b)
    other = a.replace_cell(1, a.cells[0])
    assert SPACE.canonical_key(other) != SPACE.canonical_key(a)


@pytest.mark.parametrize(
    "text, message",
    [
        ("Genotype(normal=[], normal_concat=[2])", "missing field"),
        ("genotype = __import__('os')", "not a DARTS genotype"),
        (DARTS_V2.replace("('sep_conv_3x3', 0)", "(__import__('os').system('echo hi'), 0)", 1), "not a literal"),
        (DARTS_V2.replace("'dil_conv_3x3', 2", "'conv_7x7', 2"), "unknown op 'conv_7x7'"),
        (DARTS_V2.replace("('dil_conv_3x3', 2)", "('dil_conv_3x3', 5)"), "node 5 can only take inputs 0..4"),
        (DARTS_V2.replace("normal_concat=[2, 3, 4, 5]", "normal_concat=[2, 3, 4]"), "concatenates all of"),
        (DARTS_V2.replace(", ('dil_conv_3x3', 2)], normal_concat", "], normal_concat"), "7 edges; each node takes exactly two"),
        (DARTS_V2.replace("normal=", "nromal="), "unknown field 'nromal'"),
    ],
)
def test_bad_genotype_text_says_what_is_wrong(text, message):
    with pytest.raises(InvalidGenomeError, match=message):
        SPACE.from_native(text)


def test_invalid_matrices_name_the_problem():
    g = SPACE.from_native(DARTS_V2)
    m = g.cells[0].copy()
    m[3, 4] = 5  # node 4 gets a third edge
    with pytest.raises(InvalidGenomeError, match=r"normal cell: node 4 has 3 incoming edge\(s\)"):
        SPACE.validate(g.replace_cell(0, m))
    m = g.cells[1].copy()
    m[0, 1] = 2
    with pytest.raises(InvalidGenomeError, match="enters input node 1"):
        SPACE.validate(g.replace_cell(1, m))
