"""The parameter count as a proxy: the size Θ that regularised SWAP trades off (SWAP paper, Def. 3.5)."""

from __future__ import annotations

from torch import nn

from evonas.fitness.base import Batch, Proxy, register_proxy
from evonas.networks import count_parameters


@register_proxy("params")
class Params(Proxy):
    """Number of scalar parameters; a classic baseline proxy where bigger tends to train better.

    Weight values play no role, so re-initialising before scoring is pointless.
    """

    needs_init = False

    def _score(self, net: nn.Module, batch: Batch) -> float:
        return count_parameters(net)
