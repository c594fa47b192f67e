"""Random re-initialisation of a network's weights, as training-free proxies average over.

The SWAP reference study scores each architecture as the mean over re-initialisations with
conv and linear weights drawn from N(0, 1), their biases zero, and normalisation layers
reset to the identity affine map (weight 1, bias 0).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn

# module types -> value of their weight (None: draw from N(0, 1)); every bias becomes 0
_WEIGHT_VALUE: tuple[tuple[tuple[type[nn.Module], ...], float | None], ...] = (
    ((nn.modules.conv._ConvNd, nn.Linear), None),
    ((nn.modules.batchnorm._NormBase, nn.GroupNorm, nn.LayerNorm), 1.0),
)


def gaussian_initialiser(net: nn.Module, *, fan_in: bool = False) -> Callable[[torch.Generator], nn.Module]:
    """A function ``reinit(generator)`` that re-initialises ``net`` in place, as :func:`gaussian_init_`.

    With ``fan_in`` the conv and linear weights are drawn from N(0, 1/fan_in) instead of
    N(0, 1) (LeCun scaling), for proxies whose value depends on the weight scale (``grasp``).
    The tensors to reset are looked up once, so repeated re-initialisation (a proxy averaged
    over many draws) costs only the draws themselves.
    """
    drawn: list[tuple[Tensor, float]] = []
    fixed: list[tuple[Tensor, float]] = []
    for module in net.modules():
        for types, value in _WEIGHT_VALUE:
            if isinstance(module, types):
                weight, bias = getattr(module, "weight", None), getattr(module, "bias", None)
                if isinstance(weight, Tensor):
                    if value is None:
                        drawn.append((weight, weight[0].numel() ** -0.5 if fan_in else 1.0))
                    else:
                        fixed.append((weight, value))
                if isinstance(bias, Tensor):
                    fixed.append((bias, 0.0))
                break

    def reinit(generator: torch.Generator) -> nn.Module:
        with torch.no_grad():
            for weight, std in drawn:
                weight.normal_(0.0, std, generator=generator)
            for tensor, value in fixed:
                tensor.fill_(value)
        return net

    return reinit


def gaussian_init_(net: nn.Module, *, generator: torch.Generator) -> nn.Module:
    """Re-initialise ``net`` in place, drawing only from ``generator`` (the global RNG is untouched).

    Conv and linear weights ~ N(0, 1), norm-layer weights 1, their biases 0 (the SWAP
    reference study's initialisation); other modules keep their parameters. Returns ``net``.
    """
    return gaussian_initialiser(net)(generator)
