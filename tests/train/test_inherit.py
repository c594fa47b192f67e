"""Weight inheritance: an identical child takes everything; a mutated one all but its changed edge."""

import numpy as np
import pytest
import torch

from evonas.encodings import get_space, list_spaces
from evonas.operators import mut_connection, mut_op
from evonas.train import build_seeded, inherit

NETS = {"nb201": {"C": 4, "N": 1}, "darts": {"C": 4, "layers": 3, "auxiliary": True}}
NETS.update({name: get_space(name).tiny_net_args for name in list_spaces() if name not in NETS})


def _trained_parent(space, genome):
    """A parent whose weights and BN statistics differ from any fresh initialisation."""
    net = build_seeded(space, genome, seed=0, **NETS[space.name])
    with torch.no_grad():
        for v in net.state_dict().values():
            v.add_(torch.rand(v.shape, generator=torch.Generator().manual_seed(v.numel())).to(v.dtype) + 1)
    return net


def _changed_cells(parent, child):
    return [c for c, (a, b) in enumerate(zip(parent.cells, child.cells)) if not np.array_equal(a, b)]


@pytest.mark.parametrize("name", list_spaces())
def test_an_identical_genome_inherits_everything_and_computes_the_same(name):
    space = get_space(name)
    genome = space.sample(np.random.default_rng(0))
    parent = _trained_parent(space, genome)
    child = build_seeded(space, genome, seed=1, **NETS[name])
    report = inherit(child, parent.state_dict())
    assert not report.fresh and not report.mismatched and not report.unused and report.fraction == 1.0
    x = torch.randn(2, 3, 32, 32)
    torch.testing.assert_close(child.eval()(x), parent.eval()(x), rtol=0, atol=0)


# spaces in which every op owns its parameters (a changed op changes no other module)
ADDITIVE = [name for name in list_spaces() if get_space(name).additive_params]


@pytest.mark.parametrize("name", ADDITIVE)
@pytest.mark.parametrize("seed", range(3))
def test_an_op_mutated_child_inherits_all_but_the_changed_edge(name, seed):
    space = get_space(name)
    rng = np.random.default_rng(seed)
    genome = space.sample(rng)
    mutant = mut_op(genome, space, rng=rng)
    (c,) = _changed_cells(genome, mutant)
    (i,), (j,) = np.nonzero(genome.cells[c] != mutant.cells[c])
    old_op, new_op = (space.rules.ops.get(int(g.cells[c][i, j]), "none") for g in (genome, mutant))
    parent, child = _trained_parent(space, genome), build_seeded(space, mutant, seed=1, **NETS[name])
    report = inherit(child, parent.state_dict())
    changed = f".{i}_{j}_{new_op}."  # the edge's (or layer's) module, named by edge_name
    assert report.copied and all(changed in n for n in report.fresh) and not report.mismatched
    assert all(f".{i}_{j}_{old_op}." in n for n in report.unused)
    child_state = child.state_dict()
    for n in report.copied:
        assert torch.equal(child_state[n], parent.state_dict()[n])
    # every tensor of the child outside the changed edge was inherited: nothing else is fresh
    outside = [n for n in child_state if changed not in n]
    assert set(outside) == set(report.copied)


def _moved_conv(space):
    """A genome and a connection-mutant of it whose moved edge holds a convolution (so it has weights)."""
    for seed in range(100):
        rng = np.random.default_rng(seed)
        genome = space.sample(rng)
        moved = mut_connection(genome, space, rng=rng)
        (c,) = _changed_cells(genome, moved)
        (new,) = np.argwhere((moved.cells[c] != 0) & (genome.cells[c] == 0))
        op = space.rules.ops[int(moved.cells[c][tuple(new)])]
        if "conv" in op:
            return genome, moved, (*new, op)
    raise AssertionError("no such mutant in 100 draws")


def test_a_moved_darts_edge_starts_fresh_and_the_others_keep_their_weights():
    space = get_space("darts")
    genome, moved, (i, j, op) = _moved_conv(space)
    report = inherit(build_seeded(space, moved, seed=1, **NETS["darts"]), _trained_parent(space, genome).state_dict())
    assert report.fresh and all(f".ops.{i}_{j}_{op}." in n for n in report.fresh) and report.fraction > 0.5
    assert not report.mismatched


def test_another_width_is_reported_as_mismatched():
    space = get_space("nb201")
    genome = space.sample(np.random.default_rng(0))
    parent = build_seeded(space, genome, seed=0, C=4, N=1)
    report = inherit(build_seeded(space, genome, seed=0, C=8, N=1), parent.state_dict())
    assert report.mismatched and "of another shape" in str(report) and report.fraction < 0.1
