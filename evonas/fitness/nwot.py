"""NASWOT: how differently a network's activations code the samples of a batch (Mellor et al. 2021)."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from evonas.errors import ProxyError
from evonas.fitness.base import Batch, Proxy, register_proxy
from evonas.fitness.taps import activation_signs


def _hamming_kernel(signs: Tensor) -> Tensor:
    """(S, S) matrix N_A − d_H(c_i, c_j) of one activation's binary codes c (S, N_A), 1 where its input is > 0."""
    c = signs.double()
    return c @ c.T + (1 - c) @ (1 - c).T


@register_proxy("nwot")
class Nwot(Proxy):
    """log |K_H|, K_H = Σ_ReLUs (N_A − d_H(c_i, c_j)) (Mellor et al. 2021, "Neural Architecture Search without Training", ICML, Eq. 2); higher is better.

    c_i is sample i's binary code (which units are active) at a ReLU; the kernel counts, for
    every pair of samples, the units coded alike, summed over ReLUs. Choices: the activations
    are those SWAP counts (any gating activation, GELU and SiLU too, coded by the sign of its
    input; those of 4-D feature maps, or every one in a network without any; see
    :mod:`evonas.fitness.swap`), found without hooks; the log-determinant is taken in float64
    with ``slogdet``; a singular kernel (two samples with identical codes everywhere, e.g. a
    network whose cell is disconnected) has log-determinant −∞ and raises ``ProxyError``.
    """

    def _score(self, net: nn.Module, batch: Batch) -> float:
        kernels = activation_signs(net, batch.inputs, _hamming_kernel)
        sign, logdet = torch.linalg.slogdet(sum(kernels))
        if sign <= 0:
            raise ProxyError("the Hamming kernel is singular (two samples share every activation code); log|K| = -inf")
        return float(logdet)
