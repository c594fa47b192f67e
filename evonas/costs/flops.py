"""FLOPs of the network to deploy, counted exactly on the meta device (no weights, no timing)."""

from __future__ import annotations

from typing import Any

import torch

from evonas.costs.base import COSTS, Cost
from evonas.encodings import Genome, SearchSpace
from evonas.fitness.flops import count_macs


@COSTS.register("flops")
class Flops(Cost):
    """Multiply-accumulates of one image through the network to deploy ("FLOPs" as NAS papers count them).

    Counted by :func:`evonas.fitness.flops.count_macs` on the meta device at the run's image
    size (:attr:`~evonas.costs.Cost.input_shape`): every conv and linear layer, exactly (``torch.utils.flop_counter``
    counts 2 FLOPs per MAC of the same layers). Where each op owns its compute (an
    ``additive_params`` space: NB201, DARTS) the count is a sum of per-edge costs probed
    once (:meth:`~evonas.encodings.SearchSpace.additive_count`), microseconds per genome;
    elsewhere each network is counted once and cached.
    """

    name = "flops"
    unit = "MACs"

    def __init__(self, space: SearchSpace, **deploy: Any) -> None:
        super().__init__(space, **deploy)
        self._counted: dict[str, float] = {}

    def measure(self, genome: Genome) -> float:
        if self.space.additive_params:
            return float(self.space.additive_count("flops", self.count, genome,
                                                  {**self.net_args, "input_shape": self.input_shape}))
        key = self.space.network_key(genome)
        if key not in self._counted:
            self._counted[key] = float(self.count(genome))
        return self._counted[key]

    def count(self, genome: Genome) -> int:
        """Count ``genome``'s network now, on the meta device."""
        with torch.device("meta"):
            return count_macs(self.build(genome).eval(), torch.zeros(1, *self.input_shape))

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_counted": {}}
