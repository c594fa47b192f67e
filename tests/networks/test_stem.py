"""The scoring networks' average-pool stem: what it computes, and what it refuses."""

import pytest
import torch
import torch.nn.functional as F

import evonas
from evonas.errors import ConfigError
from evonas.fitness import Batch, get_proxy, score
from evonas.networks import PoolStem, count_parameters, pooled


def test_pool_one_is_the_network_itself():
    net = torch.nn.Conv2d(3, 4, 3)
    assert pooled(net, 1) is net


@pytest.mark.parametrize("pool", [0, -2, True, 2.0])
def test_a_pool_that_is_not_a_whole_number_from_one_is_refused(pool):
    with pytest.raises(ConfigError, match=r"--net pool=.*whole number >= 1"):
        pooled(torch.nn.Identity(), pool)


def test_the_stem_scores_the_network_on_pooled_images_and_adds_no_parameters(one_thread):
    space = evonas.get_space("darts")
    arch = space.sample(__import__("numpy").random.default_rng(0))
    x = torch.randn(8, 3, 64, 64, generator=torch.Generator().manual_seed(0))
    plain, stemmed = (space.build(arch, **space.tiny_net_args, pool=p) for p in (1, 2))
    assert isinstance(stemmed, PoolStem) and count_parameters(stemmed) == count_parameters(plain)
    swap = get_proxy("swap")
    assert score(swap, stemmed, Batch(x), repeats=1, seed=3) == score(swap, plain, Batch(F.avg_pool2d(x, 2)), repeats=1, seed=3)
