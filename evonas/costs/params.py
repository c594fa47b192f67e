"""Parameters of the network to deploy: the size a hard budget ("under 3 M parameters") limits."""

from __future__ import annotations

from evonas.costs.base import COSTS, Cost
from evonas.encodings import Genome


@COSTS.register("params")
class Params(Cost):
    """Parameter count of the network to deploy (the space's ``build()`` defaults, e.g. NB201's C = 16, N = 5,
    with the run's classes; DARTS' ImageNet network for images of 128 px or more)."""

    name = "params"
    unit = "parameters"

    def measure(self, genome: Genome) -> float:
        return float(self.space.count_params(genome, **self.net_args))
