"""The proxy contract, checked for every registered proxy, and the registry's errors."""

from __future__ import annotations

import inspect
import math
from functools import partial

import pytest
import torch
from fitness_nets import cnn, darts_net, images, mlp, nb201_net, sampled_net
from torch import nn

from evonas.encodings import list_spaces
from evonas.errors import ConfigError, DataError, ProxyError, UnknownNameError
from evonas.fitness import PROXIES, Batch, Proxy, get_proxy, list_proxies, score

# options for proxies that cannot be built without them; every such proxy must be listed
OPTIONS = {
    "reg-swap": {"mu": 0.5, "sigma": 0.5},
    "ensemble": {"members": ["swap", "params"], "reference": {"swap": [1.0, 5.0, 9.0], "params": [10, 100, 1000]}},
}


def test_builtin_proxies_are_registered():
    assert list_proxies() == [
        "activation-patterns", "ensemble", "epe_nas", "fisher", "flops", "grad_norm", "grasp", "jacov", "l2_norm", "ntk",
        "nwot", "params", "plain", "reg-swap", "snip", "swap", "synflow", "zen", "zico",
    ]
    assert list_proxies("reg-*") == ["reg-swap"]


@pytest.mark.parametrize("name", list_proxies())
def test_required_options_are_known_to_these_tests(name):
    required = [
        p.name for p in inspect.signature(PROXIES.get(name)).parameters.values() if p.default is inspect.Parameter.empty
    ]
    assert set(required) <= set(OPTIONS.get(name, {})), f"add test options for proxy {name!r}"


def _mixed_mode_cnn() -> nn.Module:
    net = cnn((3, 4, 4)).eval()
    net.apply(lambda m: m.train() if isinstance(m, nn.BatchNorm2d) else None)  # mixed modes must survive
    return net


# networks every proxy must handle: (factory, inputs); targets are < 3, valid for every head
NETS = {
    "cnn": (_mixed_mode_cnn, lambda: images(8)),
    "mlp": (mlp, lambda: torch.randn(8, 12, generator=torch.Generator().manual_seed(0))),
    "darts": (darts_net, lambda: images(8)),
    "nb201": (nb201_net, lambda: images(8)),
    # every registered space: the smallest network of its kind, for a sampled architecture
    **{f"{space}-sampled": (partial(sampled_net, space), lambda: images(8)) for space in list_spaces()},
}


@pytest.mark.parametrize("name", list_proxies())
def test_proxy_declares_itself(name):
    proxy = get_proxy(name, **OPTIONS.get(name, {}))
    assert isinstance(proxy, Proxy) and proxy.name == name
    assert proxy.direction in (+1, -1)
    flags = ("direction", "needs_init", "needs_targets", "needs_grad")
    assert all(isinstance(getattr(proxy, f), bool) for f in flags[1:])
    assert isinstance(proxy.needs_batches, int) and proxy.needs_batches >= 1
    registered = PROXIES.get(name)  # readable without building the proxy (e.g. before mu, sigma are known)
    assert [getattr(registered, f) for f in ("name", *flags)] == [getattr(proxy, f) for f in ("name", *flags)]
    assert inspect.getdoc(registered), f"proxy {name!r}: document it (what it measures, its paper)"


@pytest.mark.parametrize("net_name", list(NETS))
@pytest.mark.parametrize("name", list_proxies())
def test_proxy_contract(name, net_name):
    proxy = get_proxy(name, **OPTIONS.get(name, {}))
    make_net, make_inputs = NETS[net_name]
    net = make_net()
    batch = Batch(make_inputs(), torch.arange(8) % 3)
    first = next(net.parameters())
    first.grad = torch.ones_like(first)  # an existing gradient must survive untouched
    modes = [m.training for m in net.modules()]
    before = {k: v.clone() for k, v in net.state_dict().items()}
    kinds = [(p.dtype, p.requires_grad) for p in net.parameters()]

    value = proxy(net, batch)
    assert isinstance(value, float) and math.isfinite(value)
    assert proxy(net, batch) == value, "proxies are deterministic"
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items()), "weights and buffers unchanged"
    assert [(p.dtype, p.requires_grad) for p in net.parameters()] == kinds, "dtypes unchanged"
    assert [m.training for m in net.modules()] == modes
    assert not any(m._forward_hooks or m._forward_pre_hooks or m._backward_hooks for m in net.modules())
    assert torch.equal(first.grad, torch.ones_like(first))
    assert all(p.grad is None for p in list(net.parameters())[1:]), "no gradient left behind"
    if net_name in ("darts", "nb201") or net_name.endswith("-sampled"):  # space networks: seeded re-initialisations
        averaged = score(proxy, net, batch, repeats=2, seed=3)
        assert math.isfinite(averaged) and averaged == score(proxy, net, batch, repeats=2, seed=3)
        assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())


def test_unknown_name_suggests_near_matches():
    with pytest.raises(UnknownNameError, match="'swap'") as e:
        get_proxy("swpa")
    assert "register_proxy" in str(e.value)


def test_bad_or_missing_options_are_config_errors():
    with pytest.raises(ConfigError, match="reg-swap.*mu"):
        get_proxy("reg-swap")
    with pytest.raises(ConfigError, match="swap"):
        get_proxy("swap", mu=1.0)


class _Constant(Proxy):
    name = "constant"
    needs_targets = True

    def __init__(self, value: float) -> None:
        self.value = value

    def _score(self, net, batch):
        return self.value


def test_non_finite_scores_raise_proxy_error_naming_the_proxy():
    batch = Batch(images(2), torch.zeros(2))
    assert _Constant(2.0)(cnn(), batch) == 2.0
    for bad in (math.nan, math.inf):
        with pytest.raises(ProxyError, match="'constant'"):
            _Constant(bad)(cnn(), batch)


def test_missing_targets_are_a_data_error():
    with pytest.raises(DataError, match="'constant' needs targets"):
        _Constant(1.0)(cnn(), Batch(images(2)))


def test_batch_checks_its_fields():
    assert Batch(images(3)).samples == 3
    with pytest.raises(DataError, match="inputs"):
        Batch([1, 2, 3])
    with pytest.raises(DataError, match="one entry per sample"):
        Batch(images(3), torch.zeros(2))
