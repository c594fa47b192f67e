"""FLOPs of the network to deploy, counted exactly on the meta device (no weights, no timing)."""

from __future__ import annotations

import torch

from evonas.costs.base import COSTS, Cost
from evonas.encodings import Genome
from evonas.fitness.flops import count_macs


@COSTS.register("flops")
class Flops(Cost):
    """Multiply-accumulates of one image through the network to deploy ("FLOPs" as NAS papers count them).

    Counted by :func:`evonas.fitness.flops.count_macs` on the meta device at the space's
    input resolution: every conv and linear layer, exactly (``torch.utils.flop_counter``
    counts 2 FLOPs per MAC of the same layers). Cached per network: a search asks again
    when it redraws a child to stay within budget.
    """

    name = "flops"
    unit = "MACs"

    def __init__(self, space) -> None:  # type: ignore[no-untyped-def]
        super().__init__(space)
        self._counted: dict[str, float] = {}

    def measure(self, genome: Genome) -> float:
        key = self.space.network_key(genome)
        if key not in self._counted:
            with torch.device("meta"):
                net = self.space.build(genome).eval()
                self._counted[key] = float(count_macs(net, torch.zeros(1, *self.space.input_shape)))
        return self._counted[key]

    def __getstate__(self) -> dict:
        return {"space": self.space, "_counted": {}}
