"""Zen-score: expressivity of a network's feature map under Gaussian inputs (Lin et al. 2021)."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from evonas.errors import ProxyError
from evonas.fitness.base import Batch, Proxy, register_proxy
from evonas.fitness.taps import LINEAR, FunctionTap


class _Features:
    """Collects, during one forward pass, the pre-GAP feature map and the BatchNorm input statistics."""

    def __init__(self) -> None:
        self.last_map: Tensor | None = None  # the latest 4-D output with more than one position
        self.feature: Tensor | None = None
        self.bn_log_std: list[float] = []

    def __call__(self, func, args, out):  # type: ignore[no-untyped-def]
        if func is F.batch_norm:
            x = args[0]
            dims = [0, *range(2, x.dim())]
            var = x.double().var(dim=dims, unbiased=False).mean()
            if var > 0:  # a BatchNorm on a dead (all-zero) branch scales nothing
                self.bn_log_std.append(0.5 * math.log(float(var)))
        elif func is LINEAR and isinstance(args[0], Tensor):
            # the classifier's input, or the last spatial map before it was pooled away
            self.feature = self.last_map if self.last_map is not None else args[0]
            self.last_map = None
        if isinstance(out, Tensor) and out.dim() == 4 and out.shape[2] * out.shape[3] > 1:
            self.last_map = out
        return None


def _forward(net: nn.Module, x: Tensor) -> _Features:
    seen = _Features()
    with FunctionTap(seen):
        out = net(x)
    if seen.feature is None:  # no linear layer: the output is the feature map
        seen.feature = seen.last_map if seen.last_map is not None else out
    return seen


@register_proxy("zen")
class Zen(Proxy):
    """Zen-score log Δ + Σ_BN log σ̄ (Lin et al. 2021, "Zen-NAS", ICCV, Eqs. 5-7 / Alg. 1); higher is better.

    Δ = E_x ‖f(x) − f(x + αε)‖_F with x, ε ~ N(0, 1) shaped like the batch's inputs (the
    images themselves are not used), α = 0.01, and f the pre-GAP feature map; σ̄ is the
    square root of a BatchNorm layer's input variance averaged over channels, measured in
    the forward pass of x (the correction for BN's rescaling). Choices:

    * f is found generically: the last 4-D map with more than one spatial position computed
      before the last linear layer (the map global pooling reduces, in NB201 and DARTS
      networks); without such a map, the input of the last linear layer (an MLP's
      penultimate features); without a linear layer, the output;
    * the Frobenius norm per sample as in the paper (the authors' code uses an L1 sum);
    * BatchNorm layers whose input is identically zero (on a branch cut off by ``none``
      ops) are skipped: they carry no signal to rescale;
    * the Gaussian draws come from a generator seeded with ``seed``, so the score is
      deterministic; the network's weights are those given (N(0, 1) after re-initialisation,
      the initialisation the paper assumes).
    """

    def __init__(self, alpha: float = 0.01, seed: int = 0) -> None:
        self.alpha = alpha
        self.seed = seed

    def _score(self, net: nn.Module, batch: Batch) -> float:
        g = torch.Generator(batch.inputs.device).manual_seed(self.seed)
        x = torch.randn(batch.inputs.shape, generator=g, device=batch.inputs.device)
        eps = torch.randn(batch.inputs.shape, generator=g, device=batch.inputs.device)
        clean = _forward(net, x)
        noisy = _forward(net, x + self.alpha * eps)
        delta = (clean.feature - noisy.feature).double().reshape(len(x), -1).norm(dim=1).mean()
        if delta <= 0:
            raise ProxyError("the feature map does not depend on the input (Δ = 0); log Δ = -inf")
        return float(torch.log(delta)) + sum(clean.bn_log_std)
