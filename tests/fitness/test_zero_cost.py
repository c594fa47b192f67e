"""The zero-cost proxies against their papers' definitions, computed the obvious way on tiny networks."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from fitness_nets import cnn, images, mlp
from torch import nn

from evonas.errors import ConfigError, DataError, ProxyError
from evonas.fitness import Batch, get_proxy


def _mlp_batch() -> tuple[nn.Module, Batch]:
    return mlp(), Batch(torch.randn(8, 12, generator=torch.Generator().manual_seed(1)), torch.arange(8) % 3)


def _weights_and_grads(net: nn.Module, batch: Batch) -> list[tuple[torch.Tensor, torch.Tensor]]:
    net = net.train()
    F.cross_entropy(net(batch.inputs), batch.targets).backward()
    pairs = [(m.weight.detach().clone(), m.weight.grad.clone()) for m in net.modules() if isinstance(m, nn.Linear)]
    net.zero_grad(set_to_none=True)
    return pairs


def test_gradient_saliencies_match_backward():
    net, batch = _mlp_batch()
    pairs = _weights_and_grads(mlp(), batch)
    expected = {
        "snip": sum(float((w * g).abs().sum()) for w, g in pairs),
        "plain": sum(float((w * g).sum()) for w, g in pairs),
        "grad_norm": sum(float(g.norm()) for w, g in pairs),
        "l2_norm": sum(float(w.norm()) for w, g in pairs),
    }
    for name, value in expected.items():
        assert get_proxy(name)(net, batch) == pytest.approx(value, rel=1e-5), name


def test_synflow_of_a_bias_free_linear_chain_is_depth_times_the_path_sum():
    # R = 1ᵀ|W3||W2||W1|1 is homogeneous of degree 1 in each layer, so Σ θ ∂R/∂θ = depth · R
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(5, 4, bias=False), nn.ReLU(), nn.Linear(4, 3, bias=False), nn.Linear(3, 2, bias=False))
    ws = [m.weight.detach().double().abs() for m in net if isinstance(m, nn.Linear)]
    r = float(torch.ones(2, dtype=torch.float64) @ ws[2] @ ws[1] @ ws[0] @ torch.ones(5, dtype=torch.float64))
    assert get_proxy("synflow")(net, Batch(torch.randn(4, 5))) == pytest.approx(math.log1p(3 * r), rel=1e-12)
    assert all(p.dtype == torch.float32 and (p < 0).any() for p in net.parameters()), "signs and dtype kept"


def test_nwot_is_the_log_determinant_of_the_hamming_kernel():
    net, x = cnn((3, 6, 6)), images(8)
    codes = []
    hooks = [m.register_forward_hook(lambda m, i, o: codes.append((o > 0).double().flatten(1)))
             for m in net.modules() if isinstance(m, nn.ReLU)]
    with torch.no_grad():
        net.train()(x)
    for h in hooks:
        h.remove()
    k = sum(c @ c.T + (1 - c) @ (1 - c).T for c in codes)
    assert get_proxy("nwot")(net, Batch(x)) == pytest.approx(float(torch.logdet(k)), rel=1e-9)


def test_flops_count_multiply_accumulates_per_sample():
    net = cnn((3, 4))  # conv 3->4, 3x3, "same" on 8x8, then linear 4->4
    assert get_proxy("flops")(net, Batch(images(2))) == 8 * 8 * 4 * 27 + 4 * 4


def test_jacov_peaks_for_uncorrelated_jacobians():
    # a linear map's input Jacobian is the same row for every sample: maximally correlated
    net = nn.Linear(12, 3)
    identical = get_proxy("jacov")(net, Batch(torch.randn(6, 12)))
    varied = get_proxy("jacov")(mlp((12, 64, 64)), Batch(torch.randn(6, 12, generator=torch.Generator().manual_seed(2))))
    assert varied > identical


def test_ntk_is_lower_better_and_singular_kernels_raise():
    ntk = get_proxy("ntk")
    assert ntk.direction == -1
    assert ntk(mlp(), Batch(torch.randn(4, 12))) >= 1.0
    with pytest.raises(ProxyError, match="'ntk'.*singular"):
        ntk(mlp(), Batch(torch.ones(4, 12)))  # identical samples: rank-one kernel


def test_zico_needs_several_mini_batches():
    with pytest.raises(ConfigError, match="splits"):
        get_proxy("zico", splits=1)
    assert get_proxy("zico").needs_batches == 2 and get_proxy("zico", splits=4).needs_batches == 4
    with pytest.raises(DataError, match="'zico' splits the batch into 4 mini-batches"):
        get_proxy("zico", splits=4)(mlp(), Batch(torch.randn(3, 12), torch.zeros(3)))


def test_zen_reads_the_pre_pooling_feature_map():
    # scaling the classifier changes the logits but not the map before global pooling
    net, batch = cnn((3, 4, 4)), Batch(images(4))
    before = get_proxy("zen")(net, batch)
    with torch.no_grad():
        net[-1].weight.mul_(10)
    assert get_proxy("zen")(net, batch) == before


def test_label_free_proxies_do_not_need_targets():
    for name in ("flops", "nwot", "synflow", "l2_norm", "jacov", "zen", "ntk"):
        assert not get_proxy(name).needs_targets, name
    for name in ("snip", "grasp", "fisher", "grad_norm", "plain", "epe_nas", "zico"):
        assert get_proxy(name).needs_targets and get_proxy(name).needs_grad, name
