"""SWAP-Score and activation patterns: exact against the obvious implementation, and side-effect free."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from fitness_nets import FunctionalCNN, cnn, images, mlp, reference_swap
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch import nn

from evonas.errors import ProxyError
from evonas.fitness import Batch, activation_matrix, activation_patterns, gaussian_init_, get_proxy, swap_score

SAMPLES = st.sampled_from([2, 3, 15, 16, 17, 31, 33, 48, 63, 64, 65, 100])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    samples=SAMPLES,
    channels=st.lists(st.integers(1, 6), min_size=1, max_size=3),
    kernel=st.sampled_from([1, 3]),
    head_relu=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_cnn_matches_unique_over_sign_matrix(samples, channels, kernel, head_relu, seed):
    net = cnn((3, *channels), kernel=kernel, head_relu=head_relu, seed=seed)
    gaussian_init_(net, generator=torch.Generator().manual_seed(seed))
    x = images(samples, size=4, seed=seed)
    assert (swap_score(net, x), activation_patterns(net, x)) == reference_swap(net, x)


@settings(max_examples=15, deadline=None)
@given(samples=SAMPLES, widths=st.lists(st.integers(1, 12), min_size=1, max_size=3), seed=st.integers(0, 2**16))
def test_mlp_counts_every_hidden_relu(samples, widths, seed):
    net = mlp((12, *widths), seed=seed)
    x = torch.randn(samples, 12, generator=torch.Generator().manual_seed(seed))
    assert (swap_score(net, x), activation_patterns(net, x)) == reference_swap(net, x)
    assert activation_matrix(net, x).shape == (sum(widths), samples)


def test_equals_unique_rows_of_the_activation_matrix():
    net, x = cnn((3, 4, 4)), images(40)
    matrix = activation_matrix(net, x)
    assert matrix.shape == (2 * 4 * 8 * 8, 40) and matrix.dtype == torch.bool
    assert swap_score(net, x) == torch.unique(matrix, dim=0).shape[0]
    assert activation_patterns(net, x) == torch.unique(matrix.T, dim=0).shape[0]


def test_only_4d_relus_count_when_there_are_any():
    net, x = cnn((3, 4), head_relu=True), images(8)
    assert activation_matrix(net, x).shape[0] == 4 * 8 * 8  # the head's 2-D ReLU is left out


def test_functional_relus_are_caught_like_modules():
    functional = FunctionalCNN(seed=3)
    x = images(16)
    assert activation_matrix(functional, x).shape[0] == 5 * 8 * 8 * 8
    assert torch.equal(activation_matrix(functional, x), activation_matrix(functional.seq, x))
    assert swap_score(functional, x) == reference_swap(functional.seq, x)[0]


def test_in_place_relu_is_binarised_before_later_in_place_ops():
    class Overwrite(nn.Module):
        def forward(self, x):
            y = F.relu(x, inplace=True)
            y.mul_(-1)  # would turn every active value off if read after the forward
            return y

    x = images(4)
    expected = (x > 0).reshape(4, -1).T
    assert torch.equal(activation_matrix(Overwrite(), x.clone()), expected)


def test_value_is_the_number_of_distinct_rows_by_construction():
    class Identity(nn.Module):
        def forward(self, x):
            return torch.relu(x)

    # rows: (1,0,1) twice, (0,1,1), (0,0,0): three distinct rows, three distinct columns
    x = torch.tensor([[1.0, -1.0, 0.0, 2.0], [-1.0, 2.0, 0.0, -3.0], [1.0, 1.0, -1.0, 5.0]]).reshape(3, 1, 2, 2)
    assert swap_score(Identity(), x) == 3
    assert activation_patterns(Identity(), x) == 3


@pytest.mark.parametrize("name", ["swap", "activation-patterns", "nwot"])
@pytest.mark.parametrize("act", [nn.Identity(), nn.Sigmoid(), nn.Tanh()], ids=["none", "sigmoid", "tanh"])
def test_network_without_a_supported_activation_raises_instead_of_scoring(name, act):
    net, x = nn.Sequential(nn.Flatten(), nn.Linear(192, 2), act), images(5)
    with pytest.raises(ProxyError, match=f"^proxy '{name}': no supported activation was seen in Sequential") as e:
        get_proxy(name)(net, Batch(x))
    assert "\n" not in str(e.value) and "gelu" in str(e.value)


def test_no_hooks_no_changes_and_repeatable():
    net, x = cnn((3, 6, 6)), images(16)
    net.eval()
    before = {k: v.clone() for k, v in net.state_dict().items()}
    proxy = get_proxy("swap")
    first = proxy(net, Batch(x))
    assert proxy(net, Batch(x)) == first == swap_score(net.train(), x)
    net.eval()
    for m in net.modules():
        assert not (m._forward_hooks or m._forward_pre_hooks or m._backward_hooks)
        assert not m.training
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())
    assert not torch._C._is_torch_function_mode_enabled()


def test_nan_activations_raise_proxy_error_naming_the_proxy():
    class Poisoned(nn.Module):
        def forward(self, x):
            return torch.relu(x * float("nan"))

    with pytest.raises(ProxyError, match="'swap'"):
        get_proxy("swap")(Poisoned(), Batch(images(4)))
    with pytest.raises(ProxyError):
        swap_score(Poisoned(), images(4))


def test_darts_scoring_network_matches_reference():
    darts = pytest.importorskip("evonas.networks.darts")
    genotype = pytest.importorskip("evonas.encodings.genotype").parse_genotype(
        "Genotype(normal=[('sep_conv_3x3', 0), ('skip_connect', 1), ('max_pool_3x3', 0), ('dil_conv_5x5', 2), "
        "('none', 1), ('avg_pool_3x3', 3), ('sep_conv_5x5', 4), ('skip_connect', 0)], normal_concat=[2, 3, 4, 5], "
        "reduce=[('sep_conv_3x3', 0), ('skip_connect', 1), ('max_pool_3x3', 0), ('dil_conv_5x5', 2), "
        "('none', 1), ('avg_pool_3x3', 3), ('sep_conv_5x5', 4), ('skip_connect', 0)], reduce_concat=[2, 3, 4, 5])"
    )
    net = darts.DartsNetwork(genotype, C=3, layers=1, stem=False)
    gaussian_init_(net, generator=torch.Generator().manual_seed(0))
    x = images(16, size=32)
    assert swap_score(net, x) == reference_swap(net, x)[0] > 1000
