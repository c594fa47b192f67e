"""ZiCo: gradients that are large and consistent across mini-batches (Li et al. 2023)."""

from __future__ import annotations

import torch
from torch import nn

from evonas.errors import ConfigError
from evonas.fitness.base import Batch, Proxy, register_proxy
from evonas.fitness.saliency import layer_weights, loss_of


@register_proxy("zico")
class Zico(Proxy):
    """ZiCo = Σ_l log Σ_{θ∈l} E_b[|∂L_b/∂θ|] / σ_b(∂L_b/∂θ) (Li et al. 2023, "ZiCo", ICLR, Eq. 9); higher is better.

    The statistics run over mini-batches b: the batch is split into ``splits`` equal parts
    (the paper needs at least two; its default is two), each giving one cross-entropy
    gradient of every conv and linear weight. Choices: σ is the population standard
    deviation over mini-batches; weights whose gradient does not vary (σ = 0) are left out,
    as are layers whose sum is then zero (no finite log) — the convention of the authors'
    reference code.

    Args:
        splits: number of mini-batches the batch is cut into (>= 2; its ``needs_batches``);
            leftover samples are dropped.
    """

    needs_grad = True
    needs_targets = True
    needs_batches = 2

    def __init__(self, splits: int = 2) -> None:
        if splits < 2:
            raise ConfigError(f"zico: splits must be at least 2 (statistics over mini-batches), got {splits}")
        self.splits = self.needs_batches = splits

    def _score(self, net: nn.Module, batch: Batch) -> float:
        size = batch.samples // self.splits
        weights = layer_weights(net)
        per_batch = []
        with torch.enable_grad():
            for b in range(self.splits):
                part = slice(b * size, (b + 1) * size)
                loss = loss_of(net, Batch(batch.inputs[part], batch.targets[part]))
                per_batch.append(torch.autograd.grad(loss, weights, allow_unused=True, materialize_grads=True))
        total = 0.0
        for grads in zip(*per_batch):
            g = torch.stack(grads).double().reshape(self.splits, -1)
            std = g.std(0, unbiased=False)
            keep = std > 0
            ratio = (g.abs().mean(0)[keep] / std[keep]).sum()
            if ratio > 0:
                total += float(torch.log(ratio))
        return total
