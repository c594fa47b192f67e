"""The NAS-Bench-Macro network (Su et al., CVPR 2021, "Prioritized Architecture Sampling"): 8 searchable layers.

Stem conv3×3 + BN + ReLU; three stages of 2, 3 and 3 layers whose first layer has stride 2
and doubles the channels (32 → 64 → 128 → 256); head conv1×1 to 1280 + BN + ReLU, global
average pool, linear. A layer is an identity (a 1×1 conv + BN projection where stride or
width change) or a MobileNetV2 inverted residual (Sandler et al. 2018). No conv has a bias.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from evonas.errors import ConfigError, InvalidGenomeError
from evonas.networks.ops import edge_name

#: block name -> (kernel, expansion); ``identity`` has none
MACRO_BLOCKS: dict[str, tuple[int, int] | None] = {"identity": None, "ir_k3_e3": (3, 3), "ir_k5_e6": (5, 6)}
STAGES = (2, 3, 3)


class InvertedResidual(nn.Module):
    """MobileNetV2 block: 1×1 expand + BN + ReLU, k×k depthwise + BN + ReLU, 1×1 project + BN.

    The hidden width is ``C_in * expansion``; the input is added back when the shapes match.
    """

    def __init__(self, C_in: int, C_out: int, stride: int, kernel_size: int, expansion: int) -> None:
        super().__init__()
        hidden = C_in * expansion
        self.residual = stride == 1 and C_in == C_out
        self.body = nn.Sequential(
            nn.Conv2d(C_in, hidden, 1, bias=False), nn.BatchNorm2d(hidden), nn.ReLU(),
            nn.Conv2d(hidden, hidden, kernel_size, stride=stride, padding=kernel_size // 2, groups=hidden, bias=False),
            nn.BatchNorm2d(hidden), nn.ReLU(),
            nn.Conv2d(hidden, C_out, 1, bias=False), nn.BatchNorm2d(C_out),
        )  # fmt: skip

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.body(x)
        return x + y if self.residual else y


def block(name: str, C_in: int, C_out: int, stride: int) -> nn.Module:
    """One searchable layer by name (see :data:`MACRO_BLOCKS`)."""
    if name not in MACRO_BLOCKS:
        raise InvalidGenomeError(f"macro: unknown block {name!r}; blocks are {', '.join(MACRO_BLOCKS)}")
    shape = MACRO_BLOCKS[name]
    if shape is None:
        if stride == 1 and C_in == C_out:
            return nn.Identity()
        return nn.Sequential(nn.Conv2d(C_in, C_out, 1, stride=stride, bias=False), nn.BatchNorm2d(C_out))
    return InvertedResidual(C_in, C_out, stride, *shape)


class MacroNetwork(nn.Module):
    """Eight layers in stages of 2, 3, 3 between the stem and the head, returning logits.

    Args:
        blocks: one block name per layer (8).
        C: stem channels (32); each stage doubles them.
        head: channels of the 1×1 head conv (1280).
        num_classes: classifier outputs.

    Layer ``k`` (0-based) is ``layers["{k}_{k+1}_{block}"]``: named like a cell edge by
    :func:`~evonas.networks.ops.edge_name`, so unchanged layers keep their weights under
    weight inheritance.
    """

    def __init__(self, blocks: Sequence[str], C: int = 32, head: int = 1280, num_classes: int = 10) -> None:
        super().__init__()
        if len(blocks) != sum(STAGES):
            raise InvalidGenomeError(f"macro: {len(blocks)} layers given; the network has {sum(STAGES)} ({'+'.join(map(str, STAGES))})")
        if C < 1 or head < 1:
            raise ConfigError(f"MacroNetwork: need C >= 1 and head >= 1, got C={C}, head={head}")
        self.stem = nn.Sequential(nn.Conv2d(3, C, 3, padding=1, bias=False), nn.BatchNorm2d(C), nn.ReLU())
        self.layers = nn.ModuleDict()
        k, channels = 0, C
        for size in STAGES:
            for first in [True] + [False] * (size - 1):
                C_out = 2 * channels if first else channels
                self.layers[edge_name(k, k + 1, blocks[k])] = block(blocks[k], channels, C_out, 2 if first else 1)
                k, channels = k + 1, C_out
        self.head = nn.Sequential(
            nn.Conv2d(channels, head, 1, bias=False), nn.BatchNorm2d(head), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten()
        )
        self.classifier = nn.Linear(head, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        for layer in self.layers.values():
            x = layer(x)
        return self.classifier(self.head(x))
