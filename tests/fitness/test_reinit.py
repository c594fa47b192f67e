"""The reference study's Gaussian re-initialisation, drawn from a private generator."""

from __future__ import annotations

import torch
from torch import nn

from evonas.fitness import gaussian_init_


def _net() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(3, 64, 3),
        nn.BatchNorm2d(64),
        nn.GroupNorm(8, 64),
        nn.PReLU(),
        nn.Flatten(),
        nn.Linear(10, 300),
        nn.LayerNorm(300),
    )


def test_values_follow_the_reference_study():
    net = _net()
    for m in net.modules():
        if hasattr(m, "bias") and m.bias is not None:
            nn.init.constant_(m.bias, 5.0)
    prelu = net[3].weight.clone()
    gaussian_init_(net, generator=torch.Generator().manual_seed(0))
    conv, bn, gn, _, _, linear, ln = net
    for layer in (conv, linear):
        w = layer.weight.detach()
        assert abs(float(w.mean())) < 0.05 and abs(float(w.std()) - 1) < 0.05
        assert torch.all(layer.bias == 0)
    for norm in (bn, gn, ln):
        assert torch.all(norm.weight == 1) and torch.all(norm.bias == 0)
    assert torch.equal(net[3].weight, prelu), "modules without a rule keep their parameters"


def test_generator_alone_decides_the_draw():
    a, b = _net(), _net()
    rng = torch.get_rng_state()
    gaussian_init_(a, generator=torch.Generator().manual_seed(1))
    torch.manual_seed(123)
    gaussian_init_(b, generator=torch.Generator().manual_seed(1))
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    gaussian_init_(b, generator=torch.Generator().manual_seed(2))
    assert not torch.equal(a[0].weight, b[0].weight)
    torch.set_rng_state(rng)


def test_fan_in_scaling_for_scale_dependent_proxies():
    from evonas.fitness import gaussian_initialiser, get_proxy

    net = _net()
    gaussian_initialiser(net, fan_in=True)(torch.Generator().manual_seed(0))
    conv, linear = net[0], net[5]
    assert abs(conv.weight.std().item() * 27**0.5 - 1) < 0.05  # fan-in 3·3·3
    assert abs(linear.weight.std().item() * 10**0.5 - 1) < 0.05
    assert (conv.bias == 0).all() and (net[1].weight == 1).all()
    assert get_proxy("grasp").fan_in_init and not get_proxy("swap").fan_in_init
