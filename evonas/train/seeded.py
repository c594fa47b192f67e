"""Networks initialised from a seed alone: PyTorch's default initialisation, drawn from one generator.

PyTorch modules initialise themselves from the global RNG when constructed. A trained model
should depend on its seed and nothing else, so the network is built on the meta device (no
weights, no draws), allocated, and every parameter and buffer is then set here, from an
explicit ``torch.Generator``, with the distributions of PyTorch's own ``reset_parameters``.
The global RNG is neither read nor advanced.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from evonas.encodings import SearchSpace
from evonas.encodings.space import NativeOrGenome
from evonas.errors import ConfigError


def build_seeded(space: SearchSpace, arch: NativeOrGenome, *, seed: int, **net_args: Any) -> nn.Module:
    """``space.build(arch, **net_args)`` on the CPU, initialised from ``seed`` only.

    Raises:
        ConfigError: ``net_args`` names an argument ``space.build`` does not take.
    """
    space.check_net_args(net_args)
    with torch.device("meta"):
        net = space.build(arch, **net_args)
    net.to_empty(device="cpu")
    return default_init_(net, torch.Generator().manual_seed(seed))


def default_init_(net: nn.Module, generator: torch.Generator) -> nn.Module:
    """Set every parameter and buffer of ``net`` as PyTorch's ``reset_parameters`` would, drawing from ``generator``.

    Conv and linear weights: Kaiming-uniform with ``a = sqrt(5)``; their biases uniform in
    ±1/sqrt(fan_in); batch norm: weight 1, bias 0, running statistics reset. A module of any
    other kind that holds tensors of its own is an error, never silently left uninitialised.
    """
    with torch.no_grad():
        for module in net.modules():
            if isinstance(module, (nn.modules.conv._ConvNd, nn.Linear)):
                nn.init.kaiming_uniform_(module.weight, a=math.sqrt(5), generator=generator)
                if module.bias is not None:
                    bound = 1 / math.sqrt(module.weight[0].numel())
                    nn.init.uniform_(module.bias, -bound, bound, generator=generator)
            elif isinstance(module, nn.modules.batchnorm._NormBase):
                module.reset_parameters()  # ones, zeros and fresh statistics: no random draws
            elif any(True for _ in module.parameters(recurse=False)) or any(True for _ in module.buffers(recurse=False)):
                raise ConfigError(f"no seeded initialisation for {type(module).__name__}; add it to default_init_")
    return net
