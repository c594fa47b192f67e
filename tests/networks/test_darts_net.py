"""DARTS network: parameter counts against the SWAP study's table and DARTS-V2, and forward passes."""

import csv
import pytest
import torch

from evonas.encodings.genotype import Genotype, parse_genotype
from evonas.errors import InvalidGenomeError
from evonas.networks import DartsNetwork, count_parameters, count_params_meta

_V2_NORMAL = (
    ("sep_conv_3x3", 0), ("sep_conv_3x3", 1), ("sep_conv_3x3", 0), ("sep_conv_3x3", 1),
    ("sep_conv_3x3", 1), ("skip_connect", 0), ("skip_connect", 0), ("dil_conv_3x3", 2),
)  # fmt: skip
_V2_REDUCE = (
    ("max_pool_3x3", 0), ("max_pool_3x3", 1), ("skip_connect", 2), ("max_pool_3x3", 1),
    ("max_pool_3x3", 0), ("skip_connect", 2), ("skip_connect", 2), ("max_pool_3x3", 1),
)  # fmt: skip
DARTS_V2 = Genotype(_V2_NORMAL, (2, 3, 4, 5), _V2_REDUCE, (2, 3, 4, 5))

# Duplicate inputs (node 2 reads state 0 twice, node 4 reads state 1 twice) and `none` ops.
DUPLICATES = Genotype(
    normal=(("none", 0), ("dil_conv_5x5", 0), ("sep_conv_5x5", 1), ("sep_conv_5x5", 1),
            ("skip_connect", 3), ("none", 3), ("avg_pool_3x3", 0), ("skip_connect", 0)),
    normal_concat=(2, 3, 4, 5),
    reduce=(("skip_connect", 0), ("skip_connect", 0), ("none", 1), ("max_pool_3x3", 1),
            ("none", 2), ("none", 2), ("dil_conv_3x3", 4), ("sep_conv_3x3", 1)),
    reduce_concat=(2, 3, 4, 5),
)  # fmt: skip


def _table(data):
    with open(data / "darts_cifar10_1000.csv", newline="") as f:
        return [(parse_genotype(row["genotype"]), int(row["ref_params"])) for row in csv.DictReader(f)]


def _scoring_net(genotype):
    return DartsNetwork(genotype, C=3, layers=1, stem=False)


def test_scoring_network_matches_swap_reference_param_counts(shared_data):
    table = _table(shared_data)
    assert len(table) == 1000 and table[0][1] == 1906
    wrong = [(str(g), ref, n) for g, ref in table if (n := count_params_meta(lambda: _scoring_net(g))) != ref]
    assert not wrong, f"{len(wrong)} of 1000 differ, e.g. {wrong[0]}"


def test_scoring_network_is_one_reduction_cell():
    net = _scoring_net(DARTS_V2)
    cell_out = net.cells[0](x := torch.randn(1, 3, 32, 32), x)
    assert len(net.cells) == 1 and cell_out.shape == (1, 4 * 6, 16, 16)
    assert net.classifier.in_features == 24


def test_darts_v2_has_darts_papers_size():
    n = count_params_meta(lambda: DartsNetwork(DARTS_V2, C=36, layers=20))
    assert abs(n - 3.3e6) <= 0.1e6
    assert n == 3_349_342  # DARTS' train.py logs "param size = 3.349342MB" for this network


@pytest.mark.parametrize("genotype", [DARTS_V2, DUPLICATES], ids=["darts_v2", "duplicates_and_none"])
@pytest.mark.parametrize(
    "kwargs", [dict(C=8, layers=5), dict(C=3, layers=1, stem=False)], ids=["stem_c8_l5", "scoring"]
)
@pytest.mark.parametrize("size", [32, 31])
def test_forward_gives_logits_and_gradients(genotype, kwargs, size):
    torch.manual_seed(0)
    net = DartsNetwork(genotype, **kwargs)
    logits = net(torch.randn(2, 3, size, size))
    assert logits.shape == (2, 10) and torch.isfinite(logits).all()
    logits.sum().backward()
    assert net.classifier.weight.grad is not None


def test_auxiliary_head_is_used_only_by_forward_aux():
    net = DartsNetwork(DARTS_V2, C=8, layers=5, num_classes=7, auxiliary=True)
    x = torch.randn(2, 3, 32, 32)
    logits, aux = net.forward_aux(x)
    assert logits.shape == aux.shape == (2, 7)
    torch.testing.assert_close(net(x), logits)
    assert DartsNetwork(DARTS_V2, C=8, layers=5).forward_aux(x)[1] is None


def test_meta_count_agrees_with_built_network():
    for genotype, kwargs in [(DARTS_V2, dict(C=8, layers=5)), (DUPLICATES, dict(C=3, layers=1, stem=False))]:
        assert count_params_meta(lambda: DartsNetwork(genotype, **kwargs)) == count_parameters(
            DartsNetwork(genotype, **kwargs)
        )


def test_unwirable_genotypes_are_rejected_before_building():
    """One DARTS cell check, the space's (DartsSpace.parse), before any network is built."""
    import evonas

    space = evonas.get_space("darts")
    bad_input = Genotype(DARTS_V2.normal[:-1] + (("skip_connect", 5),), (2, 3, 4, 5), DARTS_V2.reduce, (2, 3, 4, 5))
    with pytest.raises(InvalidGenomeError, match=r"normal\[7\].*node 5 can only take inputs 0..4"):
        space.build(str(bad_input), C=4, layers=3)
    unknown_op = Genotype(DARTS_V2.normal, (2, 3, 4, 5), (("conv_7x7", 0),) + DARTS_V2.reduce[1:], (2, 3, 4, 5))
    with pytest.raises(InvalidGenomeError, match="unknown op 'conv_7x7'"):
        space.build(str(unknown_op), C=4, layers=3)


# ---- the search's scoring network: both cells side by side ------------------------------
def test_cell_pair_holds_one_cell_of_each_kind_with_their_own_parameters():
    from evonas.networks import DartsCellPair

    pair = DartsCellPair(DARTS_V2, C=3)
    x = torch.randn(2, 3, 32, 32)
    assert pair(x).shape == (2, 10)
    assert pair.normal(x, x).shape == (2, 4 * 3, 32, 32) and pair.reduce(x, x).shape == (2, 4 * 6, 16, 16)
    normal_only = DartsNetwork(DARTS_V2, C=3, layers=1, stem=False, reductions=())
    reduce_only = _scoring_net(DARTS_V2)
    cells = lambda net: sum(p.numel() for c in net.cells for p in c.parameters())  # noqa: E731
    assert count_parameters(pair) - count_parameters(pair.classifier) == cells(normal_only) + cells(reduce_only)


def test_space_builds_the_pair_only_as_one_cell_each():
    import evonas
    from evonas.errors import ConfigError
    from evonas.networks import DartsCellPair

    space = evonas.get_space("darts")
    assert isinstance(space.build(str(DARTS_V2), C=3, stem=False, pair=True), DartsCellPair)
    default = space.build(str(DARTS_V2), **space.scoring_net_args)  # the searches' network: a narrow stack
    assert isinstance(default, DartsNetwork) and len(default.cells) == 5
    with pytest.raises(ConfigError, match="layers=1 does not apply"):
        space.build(str(DARTS_V2), C=3, pair=True, layers=1)
    with pytest.raises(ConfigError, match="reductions"):
        DartsNetwork(DARTS_V2, C=3, layers=2, reductions=(5,))


def test_edge_modules_are_named_by_source_target_and_op():
    cell = DartsNetwork(DARTS_V2, C=4, layers=3).cells[0]
    assert list(cell.ops)[:4] == ["0_2_sep_conv_3x3", "1_2_sep_conv_3x3", "0_3_sep_conv_3x3", "1_3_sep_conv_3x3"]
    dup = DartsNetwork(DUPLICATES, C=4, layers=3).cells[1]  # reduction cell: node 2 reads state 0 twice
    assert list(dup.ops)[:2] == ["0_2_skip_connect", "0_2_skip_connect_2"]


def test_drop_path_acts_in_training_only_and_follows_its_generator():
    net = DartsNetwork(DARTS_V2, C=4, layers=3)
    x = torch.randn(4, 3, 16, 16)
    net.eval()
    reference = net(x)
    net.drop_path_prob = 0.5
    torch.testing.assert_close(net(x), reference)  # eval mode: no drop-path
    net.train()

    def run(seed):
        net.drop_path_generator = torch.Generator().manual_seed(seed)
        return net(x)

    assert torch.equal(run(0), run(0)) and not torch.equal(run(0), run(1))
    net.drop_path_prob = 0.0
    net.drop_path_generator = None
    torch.manual_seed(0)
    a = net(x)
    torch.manual_seed(1)
    assert torch.equal(a, net(x)), "without drop-path, training mode draws nothing"


POOLS = Genotype(  # every pool, at stride 1 and 2, at every resolution of the scoring network
    normal=(("max_pool_3x3", 0), ("avg_pool_3x3", 1), ("avg_pool_3x3", 2), ("max_pool_3x3", 1),
            ("sep_conv_3x3", 3), ("avg_pool_3x3", 0), ("max_pool_3x3", 4), ("dil_conv_3x3", 2)),
    normal_concat=(2, 3, 4, 5),
    reduce=(("avg_pool_3x3", 0), ("max_pool_3x3", 1), ("max_pool_3x3", 2), ("avg_pool_3x3", 0),
            ("skip_connect", 3), ("avg_pool_3x3", 1), ("sep_conv_5x5", 4), ("max_pool_3x3", 2)),
    reduce_concat=(2, 3, 4, 5),
)  # fmt: skip


@pytest.mark.parametrize("genotype", [POOLS, DARTS_V2, DUPLICATES], ids=["pools", "v2", "duplicates"])
def test_scoring_network_scores_as_with_pytorchs_pools_bit_for_bit(genotype, one_thread):
    """The fast CPU pools (issue #30) change no score: the default scoring network with them and with
    ``nn.MaxPool2d`` / ``nn.AvgPool2d`` in their place gives the same logits and the same SWAP score."""
    import copy

    from torch import nn

    from evonas import get_space
    from evonas.data import load_images
    from evonas.fitness import get_proxy, score
    from evonas.networks.ops import AvgPool, MaxPool

    space = get_space("darts")
    net = space.build(str(genotype), **space.scoring_net_args)
    plain = copy.deepcopy(net)
    swapped = 0
    for module in plain.modules():
        for name, child in module.named_children():
            if isinstance(child, (MaxPool, AvgPool)):
                base = nn.MaxPool2d if isinstance(child, MaxPool) else nn.AvgPool2d
                setattr(module, name, base(3, child.stride, 1, **({} if base is nn.MaxPool2d else {"count_include_pad": False})))
                swapped += 1
    assert swapped == sum(op.startswith(("max", "avg")) for op, _ in genotype.normal * 3 + genotype.reduce * 2)
    batch = load_images(None, samples=16)
    with torch.inference_mode():
        assert torch.equal(net(batch.inputs), plain(batch.inputs))
    swap = get_proxy("swap")
    assert score(swap, net, batch, repeats=2, seed=3) == score(swap, plain, batch, repeats=2, seed=3)
