"""Input-Jacobian proxies: ``jacov`` (Mellor et al. 2020, v1) and ``epe_nas`` (Lopes et al. 2021).

Both start from the same computation, written once in :func:`input_jacobians`: for every
sample, the gradient of the sum of the network's outputs with respect to that sample's input
pixels, one row per sample. A network that separates inputs well gives weakly correlated rows.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from evonas.errors import ProxyError
from evonas.fitness.base import Batch, Proxy, register_proxy

_K = 1e-5  # the small constant both papers add before taking logarithms


def input_jacobians(net: nn.Module, inputs: Tensor) -> Tensor:
    """(S, D) float64 rows ∂(Σ outputs)/∂x_s: the batch's summed output differentiated per input pixel.

    The network runs in training mode on the whole batch, as in both papers, so BatchNorm
    couples the samples; no weight gradient is computed or stored.
    """
    with torch.enable_grad():
        x = inputs.detach().clone().requires_grad_(True)
        out = net(x)
        (grad,) = torch.autograd.grad(out.sum(), x, allow_unused=True, materialize_grads=True)
    return grad.reshape(len(x), -1).double()


def _correlations(rows: Tensor, what: str) -> Tensor:
    corr = torch.corrcoef(rows)
    if not torch.isfinite(corr).all():
        raise ProxyError(f"a Jacobian row is constant, so the {what} correlation matrix is undefined")
    return corr


@register_proxy("jacov")
class Jacov(Proxy):
    """Jacobian covariance score −Σ_i [log(λ_i + k) + 1/(λ_i + k)] (Mellor et al. 2020, arXiv:2006.04647v1, Eq. 2); higher is better.

    λ_i are the eigenvalues of the correlation matrix of the per-sample input Jacobians,
    k = 1e-5. The score peaks when the Jacobians are uncorrelated (all λ = 1).
    """

    needs_grad = True

    def _score(self, net: nn.Module, batch: Batch) -> float:
        eig = torch.linalg.eigvalsh(_correlations(input_jacobians(net, batch.inputs), "Jacobian"))
        return float(-(torch.log(eig + _K) + 1.0 / (eig + _K)).sum())


@register_proxy("epe_nas")
class EpeNas(Proxy):
    """EPE-NAS score Σ_c |Σ_ij log(|Σ_c,ij| + k)| (Lopes et al. 2021, "EPE-NAS", Eqs. 2-4); higher is better.

    Σ_c is the correlation matrix of the input Jacobians of the batch's samples of class c
    (k = 1e-5): per-class Jacobian correlations, so a network scores well when samples of one
    class are told apart. Choices: classes with a single sample in the batch contribute
    nothing (their correlation matrix is the constant 1); the per-class normalisation the
    paper applies for more than 100 classes is not applied.
    """

    needs_grad = True
    needs_targets = True

    def _score(self, net: nn.Module, batch: Batch) -> float:
        assert batch.targets is not None
        jac = input_jacobians(net, batch.inputs)
        total = 0.0
        for label in torch.unique(batch.targets):
            rows = jac[batch.targets == label]
            if len(rows) > 1:
                total += abs(float(torch.log(_correlations(rows, "per-class").abs() + _K).sum()))
        return total
