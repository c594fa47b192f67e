"""PyTorch networks for the DARTS, NAS-Bench-201, NAS-Bench-101 and NAS-Bench-Macro spaces, and parameter counting."""

from __future__ import annotations

from typing import Callable

import torch
from torch import nn

from evonas.networks.darts import DartsCellPair, DartsNetwork, DartsNetworkImageNet
from evonas.networks.macro import MacroNetwork
from evonas.networks.nb101 import NB101Network
from evonas.networks.nb201 import NB201Network
from evonas.networks.ops import OPS
from evonas.networks.stem import PoolStem, pooled

__all__ = ["DartsCellPair", "DartsNetwork", "DartsNetworkImageNet", "MacroNetwork", "NB101Network", "NB201Network", "OPS", "PoolStem", "count_parameters",
           "count_params_meta", "pooled"]


def count_parameters(module: nn.Module) -> int:
    """Number of scalar parameters (shared tensors counted once): the size Θ in the SWAP paper."""
    return sum(p.numel() for p in module.parameters())


def count_params_meta(build: Callable[[], nn.Module]) -> int:
    """``count_parameters(build())`` with the network built on the meta device: no memory, no init cost."""
    with torch.device("meta"):
        return count_parameters(build())
