"""Contracts every registered space keeps: notation round trips, keys, sizes, builders, drawings."""

import numpy as np
import pytest
import torch

import evonas
from evonas.encodings.genome import parse_key
from evonas.networks import count_params_meta

NAMES = evonas.list_spaces()


def _genomes(space, n=30, seed=0):
    rng = np.random.default_rng(seed)
    return [space.sample(rng) for _ in range(n)]


@pytest.mark.parametrize("name", NAMES)
def test_native_text_round_trips_and_keeps_the_canonical_key(name):
    space = evonas.get_space(name)
    for g in _genomes(space):
        text = space.to_native(g)
        again = space.from_native(text)
        assert space.to_native(again) == text
        assert space.canonical_key(again) == space.canonical_key(g)


@pytest.mark.parametrize("name", NAMES)
def test_exact_keys_round_trip_and_samples_are_valid(name):
    space = evonas.get_space(name)
    for g in _genomes(space):
        assert space.validate(g) is g
        assert parse_key(g.key) == g
        assert space.is_valid(space.from_native(space.to_native(g)))


@pytest.mark.parametrize("name", NAMES)
def test_the_canonical_key_is_coarser_than_the_exact_key(name):
    space = evonas.get_space(name)
    genomes = _genomes(space, 60, seed=1)
    by_key = {}
    for g in genomes:
        by_key.setdefault(g.key, set()).add(space.canonical_key(g))
    assert all(len(keys) == 1 for keys in by_key.values())


@pytest.mark.parametrize("name", NAMES)
def test_counted_parameters_are_the_built_networks(name):
    space = evonas.get_space(name)
    args = space.scoring_net_args
    space.check_net_args(args)
    genomes = _genomes(space, 6, seed=2)
    for g in genomes:
        assert space.count_params(g, **args) == count_params_meta(lambda: space.build(g, **args))
    g = genomes[0]  # the default (benchmark) network, from native text too
    assert space.count_params(g) == count_params_meta(lambda: space.build(space.to_native(g)))


@pytest.mark.parametrize("name", NAMES)
def test_the_scoring_network_gives_logits(name):
    space = evonas.get_space(name)
    (g,) = _genomes(space, 1, seed=3)
    net = space.build(g, **space.scoring_net_args)
    out = net(torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(0)))
    assert out.shape == (2, 10) and torch.isfinite(out).all()


@pytest.mark.parametrize("name", NAMES)
def test_every_space_draws_and_describes(name, tmp_path):
    from evonas.diagrams import draw_architecture

    space = evonas.get_space(name)
    (g,) = _genomes(space, 1, seed=4)
    path = draw_architecture(space, g, tmp_path / "cell.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert space.describe(g).startswith(f"{space.cell_names[0]}:")


@pytest.mark.parametrize("name", NAMES)
def test_bad_native_text_is_one_clear_error(name):
    space = evonas.get_space(name)
    for bad in ("", "nonsense", "__import__('os')", "{}"):
        with pytest.raises(evonas.InvalidGenomeError, match=f"(?i){name}") as info:
            space.from_native(bad)
        assert "\n" not in str(info.value)


@pytest.mark.parametrize("name", NAMES)
def test_the_scoring_network_at_32_px_is_unchanged_and_bounded_at_224(name):
    """Issue 29: at 224 px the search's scoring network costs what it costs at 32 px (an average-pool stem
    of stride 7, no parameters); at 32 px it is ``scoring_net_args`` itself, so scores there do not move."""
    from evonas.fitness.flops import count_macs
    from evonas.networks import PoolStem, count_parameters

    space = evonas.get_space(name)
    if not space.pool_stem:
        pytest.skip(f"{name}: build takes no pool")
    assert space.scoring_net_args_at((3, 32, 32)) == dict(space.scoring_net_args)
    assert space.scoring_net_args_at((3, 63, 63)) == dict(space.scoring_net_args)
    (g,) = _genomes(space, 1, seed=4)
    small = space.build(g, **space.scoring_net_args_at((3, 32, 32))).eval()
    assert not isinstance(small, PoolStem)
    large_args = space.scoring_net_args_at((3, 224, 224))
    assert large_args == {**space.scoring_net_args, "pool": 7}
    large = space.build(g, **large_args).eval()
    macs = {side: count_macs(net, torch.zeros(1, 3, side, side)) for side, net in ((32, small), (224, large))}
    assert macs[224] <= 1.1 * macs[32]  # without the stem: about 49x
    assert count_parameters(large) == count_parameters(small) == space.count_params(g, **large_args)
    assert large(torch.zeros(2, 3, 224, 224)).shape == (2, 10)


def test_net_keeps_its_pool_and_gets_the_rules_otherwise():
    space = evonas.get_space("nb201")
    assert space.scoring_net_args_at((3, 224, 224), {"C": 8, "N": 1}) == {"C": 8, "N": 1, "pool": 7}
    assert space.scoring_net_args_at((3, 224, 224), {"C": 8, "pool": 1}) == {"C": 8, "pool": 1}
    assert space.scoring_net_args_at((3, 128, 96), None) == {"C": 16, "N": 5, "pool": 3}  # the shorter side
