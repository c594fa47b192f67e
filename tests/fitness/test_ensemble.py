"""Rank ensembles: ranks against a reference, names joined by '+', direction, member scores, the reference sample."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from fitness_nets import images, nb201_net

import evonas
from evonas.errors import ConfigError, ProxyError, UnknownNameError
from evonas.fitness import PROXIES, Batch, Ensemble, get_proxy, reference_options, score, score_parts
from evonas.fitness.ensemble import Ranks

REFERENCE = {"swap": [10.0, 20.0, 30.0, 40.0], "params": [100.0, 200.0, 300.0, 400.0], "ntk": [1.0, 2.0, 3.0, 4.0]}


def test_ranks_are_mid_ranks_inside_and_stay_in_0_1_beyond_the_reference():
    ranks = Ranks([3.0, 1.0, 2.0, 2.0])  # 1, 2, 2, 3: the tied 2s share the mid-rank 0.5
    assert math.exp(ranks.log_rank(1.0)) == pytest.approx(0.125)
    assert math.exp(ranks.log_rank(2.0)) == pytest.approx(0.5)
    assert math.exp(ranks.log_rank(3.0)) == pytest.approx(0.875)
    values = [-1e9, -5.0, 0.0, 1.0, 1.5, 2.5, 3.0, 4.0, 8.0, 1e9]
    logs = [ranks.log_rank(v) for v in values]
    assert all(math.isfinite(x) and x <= 0 for x in logs)
    assert all(a < b for a, b in zip(logs[:-2], logs[1:-1])), "strictly increasing, beyond the sample too"
    assert logs[-1] <= 0.0 and logs[-1] >= logs[-2]


def test_ranks_are_unit_free():
    ref = np.random.default_rng(0).lognormal(size=32)
    for value in (0.01, 0.7, 1.3, 50.0):
        assert Ranks(1000 * ref).log_rank(1000 * value) == pytest.approx(Ranks(ref).log_rank(value))


def test_a_constant_reference_is_refused():
    with pytest.raises(ConfigError, match="2 distinct"):
        Ranks([5.0, 5.0, 5.0])


def test_plus_names_resolve_to_the_ensemble_of_those_members():
    proxy = get_proxy("swap+params", reference=REFERENCE)
    assert isinstance(proxy, Ensemble) and proxy.name == "swap+params"
    assert list(proxy.members) == ["swap", "params"] and proxy.direction == +1
    assert "swap+params" not in evonas.list_proxies() and "ensemble" in evonas.list_proxies()
    with pytest.raises(UnknownNameError, match="'swap'"):
        PROXIES.get("swpa+params")
    with pytest.raises(ConfigError, match="reference"):
        get_proxy("swap+params")
    with pytest.raises(ConfigError, match="distinct"):
        get_proxy("swap+swap", reference=REFERENCE)
    with pytest.raises(ConfigError, match="no reference scores for \\['params'\\]"):
        get_proxy("swap+params", reference={"swap": REFERENCE["swap"]})


def test_a_member_where_lower_is_better_is_flipped():
    assert get_proxy("ntk").direction == -1
    proxy = get_proxy("params+ntk", reference=REFERENCE)
    assert proxy.combine({"params": 250.0, "ntk": 1.5}) > proxy.combine({"params": 250.0, "ntk": 3.5})
    assert proxy.combine({"params": 350.0, "ntk": 2.5}) > proxy.combine({"params": 150.0, "ntk": 2.5})


def test_log_rank_punishes_one_poor_member_more_than_mean_rank():
    log = get_proxy("swap+params", reference=REFERENCE)
    mean = get_proxy("swap+params", reference=REFERENCE, combine="mean-rank")
    balanced, lopsided = {"swap": 29.0, "params": 290.0}, {"swap": 40.0, "params": 200.0}
    assert log.combine(balanced) > log.combine(lopsided)
    assert mean.combine(balanced) < mean.combine(lopsided)
    with pytest.raises(UnknownNameError, match="log-rank"):
        get_proxy("swap+params", reference=REFERENCE, combine="sum")


def test_score_parts_gives_each_members_own_mean_score():
    net, batch = nb201_net(), Batch(images(8))
    proxy = get_proxy("swap+synflow+params", reference={**REFERENCE, "synflow": [1.0, 2.0, 3.0]})
    value, parts = score_parts(proxy, net, batch, repeats=2, seed=3)
    assert list(parts) == ["swap", "synflow", "params"]
    for name, member in proxy.members.items():
        assert parts[name] == score(member, net, batch, repeats=2, seed=3)
    assert value == proxy.combine(parts) == score(proxy, net, batch, repeats=2, seed=3)
    assert score_parts(get_proxy("swap"), net, batch, repeats=2, seed=3) == (parts["swap"], {})


def test_a_failing_member_fails_the_ensemble_naming_both():
    net, batch = nb201_net(), Batch(torch.full((8, 3, 8, 8), float("nan")))
    with pytest.raises(ProxyError, match="ensemble 'swap\\+synflow': proxy 'swap'"):
        score(get_proxy("swap+synflow", reference={**REFERENCE, "synflow": [1.0, 2.0]}), net, batch, repeats=1, seed=0)


def test_reference_options_sample_the_space_with_a_fixed_seed():
    space = evonas.get_space("nb201")
    batch, net_args = Batch(images(8)), {"C": 4, "N": 1}
    options = reference_options("reg-swap+params", space, net_args=net_args, batch=batch, repeats=1, n=6)
    assert set(options) == {"reference", "options"} and set(options["options"]) == {"reg-swap"}
    assert set(options["options"]["reg-swap"]) == {"mu", "sigma"}
    assert [len(v) for v in options["reference"].values()] == [6, 6]
    rng = np.random.default_rng(0)
    sizes = [float(space.count_params(space.sample(rng), **net_args)) for _ in range(6)]
    assert options["reference"]["params"] == sizes  # the space's own sample, seed 0, on the scoring network
    again = reference_options("reg-swap+params", space, net_args=net_args, batch=batch, repeats=1, n=6)
    assert again == options
    assert reference_options("swap", space, net_args=net_args, batch=batch, repeats=1) == {}
    with pytest.raises(ConfigError, match="members"):
        reference_options("ensemble", space, net_args=net_args, batch=batch, repeats=1)
    named = reference_options("ensemble", space, net_args=net_args, batch=batch, repeats=1, n=6,
                              members=["reg-swap", "params"])
    assert named == {**options, "members": ["reg-swap", "params"]}
    proxy = get_proxy("ensemble", **named)
    assert isinstance(proxy, Ensemble) and list(proxy.members) == ["reg-swap", "params"]


def test_the_core_scorer_takes_an_ensemble_with_its_reference_options_and_pickles():
    import pickle

    from evonas.evaluators.proxy import ArchitectureScorer

    space, batch, net_args = evonas.get_space("nb201"), Batch(images(8)), {"C": 4, "N": 1}
    options = reference_options("swap+params", space, net_args=net_args, batch=batch, repeats=1, n=8)
    scorer = ArchitectureScorer(space="nb201", proxy="swap+params", proxy_options=options, batch=batch,
                                net_args=net_args, repeats=2, seed=1)
    arch = "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|nor_conv_3x3~0|none~1|avg_pool_3x3~2|"
    result = scorer(arch)
    value, params, details = result.score, result.params, result.details
    net = space.build(arch, **net_args)
    expected, parts = score_parts(get_proxy("swap+params", **options), net, batch, repeats=2, seed=1)
    assert value == expected and parts["params"] == params and details == parts  # the members reach scored.csv
    assert pickle.loads(pickle.dumps(scorer))(arch) == result
