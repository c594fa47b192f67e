"""Seeded networks: PyTorch's default initialisation from one seed, the global RNG untouched."""

import math

import numpy as np
import pytest
import torch

from evonas.encodings import get_space, list_spaces
from evonas.errors import ConfigError
from evonas.train import build_seeded


def _weights(net):
    return {k: v.clone() for k, v in net.state_dict().items()}


SMALL = {"nb201": {"C": 4, "N": 1}, "darts": {"C": 4, "layers": 3, "auxiliary": True}}


@pytest.mark.parametrize("space, net_args", [(name, SMALL.get(name, get_space(name).tiny_net_args)) for name in list_spaces()])
def test_same_seed_same_network_other_seed_other_network_global_rng_untouched(space, net_args):
    sp = get_space(space)
    arch = sp.sample(np.random.default_rng(0))
    torch.manual_seed(123)
    before = torch.get_rng_state()
    a = _weights(build_seeded(sp, arch, seed=1, **net_args))
    assert torch.equal(torch.get_rng_state(), before), "the global RNG is neither read nor advanced"
    b = _weights(build_seeded(sp, arch, seed=1, **net_args))
    c = _weights(build_seeded(sp, arch, seed=2, **net_args))
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert any(not torch.equal(a[k], c[k]) for k in a if k.endswith("weight"))


def test_the_distributions_of_pytorchs_defaults():
    net = build_seeded(get_space("nb201"), "|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|", seed=0, C=8, N=1)
    conv = net.features[0][0].weight
    bound = math.sqrt(6 / ((1 + 5) * conv[0].numel()))  # kaiming_uniform_(a=sqrt(5))
    assert conv.abs().max() <= bound and conv.abs().max() > 0.9 * bound
    bias_bound = 1 / math.sqrt(net.classifier.weight.shape[1])
    assert net.classifier.bias.abs().max() <= bias_bound and net.classifier.bias.abs().max() > 0
    bn = net.features[0][1]
    assert torch.equal(bn.weight, torch.ones(8)) and torch.equal(bn.running_var, torch.ones(8))
    assert int(bn.num_batches_tracked) == 0


def test_unknown_network_arguments_are_named():
    with pytest.raises(ConfigError, match="--net layers=3: nb201 networks take C, N, num_classes"):
        build_seeded(get_space("nb201"), "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", seed=0, layers=3)
