"""The scoring networks' downsampling stem for large images: an average pool in front of the network.

A scoring network is built at the size of the run's images, so without a stem its cost grows
with the number of pixels (about 49x from 32 to 224 px). The SWAP paper scores ImageNet
architectures on small cell networks; an average pool of stride ``pool`` in front of the
network keeps its cells on feature maps of CIFAR's size (:meth:`evonas.encodings.SearchSpace.scoring_net_args_at`
chooses ``pool`` from the image size). The pool has no parameters, so the network's size --
the SWAP size prior's Θ, and the prior calibrated from it -- is the same with and without it.
"""

from __future__ import annotations

from torch import Tensor, nn

from evonas.errors import ConfigError


class PoolStem(nn.Module):
    """``net(avg_pool(x, pool))``: ``net`` on images ``pool`` times smaller on each side."""

    def __init__(self, net: nn.Module, pool: int) -> None:
        super().__init__()
        self.pool = nn.AvgPool2d(pool)
        self.net = net

    def forward(self, x: Tensor) -> Tensor:
        return self.net(self.pool(x))


def pooled(net: nn.Module, pool: int) -> nn.Module:
    """``net`` behind an average-pool stem of stride ``pool``; ``pool = 1`` returns ``net`` itself, unchanged."""
    if isinstance(pool, bool) or not isinstance(pool, int) or pool < 1:
        raise ConfigError(f"--net pool={pool}: the stem's stride must be a whole number >= 1 (1: no stem)")
    return net if pool == 1 else PoolStem(net, pool)
