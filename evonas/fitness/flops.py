"""Multiply-accumulate count: the compute of a forward pass, a classic size baseline proxy."""

from __future__ import annotations

import math

import torch
from torch import nn

from evonas.fitness.base import Batch, Proxy, register_proxy
from evonas.fitness.taps import CONVS, FunctionTap, is_weighted


@register_proxy("flops")
class Flops(Proxy):
    """Multiply-accumulates per sample of every conv and linear layer ("FLOPs" as NAS papers count them); higher is better.

    Measured on a forward pass of the batch (its resolution sets the count): a conv output
    element costs C_in/groups × kernel size, a linear one its input features. Pooling,
    normalisation, additions and the ``none`` op count nothing (the usual convention, e.g.
    Abdelfattah et al. 2021's ``flops`` baseline). Weight values play no role, so
    re-initialising before scoring is pointless.
    """

    needs_init = False

    def _score(self, net: nn.Module, batch: Batch) -> float:
        return float(count_macs(net, batch.inputs))


def count_macs(net: nn.Module, inputs: torch.Tensor) -> int:
    """Multiply-accumulates per sample of a forward pass of ``inputs`` through every conv and linear layer.

    Works on the meta device too (shapes alone decide the count), so the network to deploy
    is counted without allocating its weights (:class:`evonas.costs.Flops`).
    """
    total = 0

    def count(func, args, out):  # type: ignore[no-untyped-def]
        nonlocal total
        if is_weighted(func, args):
            weight = args[1]
            per_output = math.prod(weight.shape[1:]) if func in CONVS else weight.shape[1]
            total += out.numel() // len(out) * per_output
        return None

    with torch.inference_mode(), FunctionTap(count):
        net(inputs)
    return total
