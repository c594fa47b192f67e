"""TE-NAS's trainability measure: the condition number of the neural tangent kernel (Chen et al. 2021)."""

from __future__ import annotations

import torch
from torch import nn

from evonas.errors import ProxyError
from evonas.fitness.base import Batch, Proxy, register_proxy
from evonas.fitness.saliency import layer_weights


@register_proxy("ntk")
class Ntk(Proxy):
    """Condition number κ = λ_max / λ_min of the empirical NTK on the batch (Chen et al. 2021, "TE-NAS", ICLR, Sec. 3.1); lower is better.

    Θ = J Jᵀ, where row s of J is the gradient of the sum of sample s's logits with respect
    to every conv and linear weight (the per-sample gradients TE-NAS takes), computed in
    training mode on the whole batch. Choices: eigenvalues in float64; a kernel that is
    singular to working precision (λ_min ≤ S·ε·λ_max, e.g. a disconnected cell) has κ = ∞
    and raises ``ProxyError`` rather than returning an arbitrary huge number; the network's
    given weights are used (N(0, 1) after re-initialisation, where TE-NAS uses Kaiming init).
    """

    direction = -1
    needs_grad = True

    def _score(self, net: nn.Module, batch: Batch) -> float:
        weights = layer_weights(net)
        with torch.enable_grad():
            logits = net(batch.inputs)
            per_sample = logits.reshape(len(logits), -1).sum(1)
            eye = torch.eye(len(logits), dtype=logits.dtype, device=logits.device)
            grads = torch.autograd.grad(per_sample, weights, grad_outputs=eye, is_grads_batched=True, allow_unused=True)
        # a weight the output does not depend on (a dead branch) adds a zero column: leave it out
        used = [g.reshape(len(logits), -1) for g in grads if g is not None]
        if not used:
            raise ProxyError("the output depends on no weight; the NTK is zero")
        jac = torch.cat(used, dim=1).double()
        eig = torch.linalg.eigvalsh(jac @ jac.T)
        top, bottom = eig[-1], eig[0]
        if not top > 0 or bottom <= len(eig) * torch.finfo(torch.float64).eps * top:
            raise ProxyError(f"the NTK is singular (eigenvalues {float(bottom):.3g} .. {float(top):.3g}); κ = inf")
        return float(top / bottom)
