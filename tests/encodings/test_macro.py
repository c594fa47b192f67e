"""NAS-Bench-Macro: the 8-digit notation, the chain genome, its canonical key and operators."""

import numpy as np
import pytest
import torch

import evonas
from evonas.errors import InvalidGenomeError
from evonas.operators import cx_node_incoming, mut_connection, mut_op, mut_random

SPACE = evonas.get_space("macro")
STAGES = (2, 3, 3)


def test_the_benchmarks_parameter_count():
    """NAS-Bench-Macro's own figure for this architecture (10 classes)."""
    assert SPACE.count_params("02012100") == 890_666
    assert sum(p.numel() for p in SPACE.build("02012100").parameters()) == 890_666


def test_the_genome_is_a_chain_of_layer_choices():
    (m,) = SPACE.from_native("02012100").cells
    assert [int(m[k, k + 1]) - 1 for k in range(8)] == [0, 2, 0, 1, 2, 1, 0, 0]
    assert np.count_nonzero(m) == 8
    off_chain = m.copy()
    off_chain[0, 1], off_chain[0, 2] = 0, 1
    with pytest.raises(InvalidGenomeError, match="layer 2 takes its input from layer 1 only"):
        SPACE.validate(evonas.Genome.of(off_chain))


@pytest.mark.parametrize("text", ["0201210", "020121003", "0201210a", "0 201210"])
def test_bad_strings_are_one_clear_line(text):
    with pytest.raises(InvalidGenomeError, match="8 digits"):
        SPACE.from_native(text)


def test_enumeration_and_canonical_classes():
    genomes = list(SPACE.enumerate())
    assert len(genomes) == 3**8 == len({SPACE.to_native(g) for g in genomes})
    # a stage of s layers: 3 choices for its first, then the non-identity blocks in order (2^k for k of them)
    per_stage = [3 * sum(2**k for k in range(s)) for s in STAGES]
    assert len({SPACE.canonical_key(g) for g in genomes}) == int(np.prod(per_stage))


def test_a_true_identity_moved_within_its_stage_is_the_same_network():
    a, b = "01201100", "01210100"  # stage 3 (layers 6-8): 1,0,0 both; stage 2: 2,0,1 vs 2,1,0
    assert SPACE.canonical_key(SPACE.from_native(a)) == SPACE.canonical_key(SPACE.from_native(b))
    assert SPACE.canonical_key(SPACE.from_native("00120000")) != SPACE.canonical_key(SPACE.from_native("00012000"))
    torch.manual_seed(0)
    net_a, net_b = SPACE.build(a, C=8, head=16).eval(), SPACE.build(b, C=8, head=16).eval()
    for part in ("stem", "head", "classifier"):
        getattr(net_b, part).load_state_dict(getattr(net_a, part).state_dict())
    blocks_a = [m for m in net_a.layers.values() if not isinstance(m, torch.nn.Identity)]
    blocks_b = [m for m in net_b.layers.values() if not isinstance(m, torch.nn.Identity)]
    for ma, mb in zip(blocks_a, blocks_b, strict=True):  # the same blocks in the same order
        mb.load_state_dict(ma.state_dict())
    x = torch.randn(2, 3, 32, 32)
    assert torch.allclose(net_a(x), net_b(x))


def test_an_identity_that_changes_the_shape_is_a_projection():
    net = SPACE.build("00000000")
    firsts = [name for name in net.layers if name.split("_")[0] in ("0", "2", "5")]
    assert all(isinstance(net.layers[n], torch.nn.Sequential) for n in firsts)
    others = [name for name in net.layers if name not in firsts]
    assert all(isinstance(net.layers[n], torch.nn.Identity) for n in others)


def test_operators_change_layers_and_never_the_wiring():
    rng = np.random.default_rng(0)
    for _ in range(200):
        g = SPACE.sample(rng)
        assert mut_connection(g, SPACE, rng=rng) == g  # a chain: connectivity-mutation does not apply
        for h in (mut_op(g, SPACE, rng=rng), mut_random(g, SPACE, rng=rng)):
            assert sum(a != b for a, b in zip(SPACE.to_native(g), SPACE.to_native(h))) == 1
        c, d = cx_node_incoming(g, SPACE.sample(rng), SPACE, rng=rng)
        assert SPACE.is_valid(c) and SPACE.is_valid(d)
