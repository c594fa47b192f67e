"""Small networks for the fitness tests, and an independent SWAP reference (helpers, not tests)."""

from __future__ import annotations

import itertools

import torch
import torch.nn.functional as F
from torch import nn


def cnn(channels: tuple[int, ...] = (3, 8, 8), kernel: int = 3, head_relu: bool = False, seed: int = 0) -> nn.Module:
    """Conv-BN-ReLU stack with ``nn.ReLU`` modules, then a linear head (optionally with a 2-D ReLU)."""
    torch.manual_seed(seed)
    layers: list[nn.Module] = []
    for c_in, c_out in itertools.pairwise(channels):
        layers += [nn.Conv2d(c_in, c_out, kernel, padding=kernel // 2), nn.BatchNorm2d(c_out), nn.ReLU()]
    head = [nn.Linear(channels[-1], 6), nn.ReLU(), nn.Linear(6, 4)] if head_relu else [nn.Linear(channels[-1], 4)]
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), *head)


def mlp(widths: tuple[int, ...] = (12, 16, 16), seed: int = 0) -> nn.Module:
    """Linear-ReLU stack: no 4-D ReLU, so every hidden ReLU output counts."""
    torch.manual_seed(seed)
    layers: list[nn.Module] = []
    for w_in, w_out in itertools.pairwise(widths):
        layers += [nn.Linear(w_in, w_out), nn.ReLU()]
    return nn.Sequential(nn.Flatten(), *layers, nn.Linear(widths[-1], 3))


class FunctionalCNN(nn.Module):
    """The same computation as ``cnn((3, 8, 8, 8, 8, 8))``, with each ReLU spelled a different functional way."""

    def __init__(self, seed: int = 0) -> None:
        super().__init__()
        self.seq = cnn((3, 8, 8, 8, 8, 8), seed=seed)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        conv = [m for m in self.seq if isinstance(m, (nn.Conv2d, nn.BatchNorm2d))]
        relus = [F.relu, torch.relu, torch.Tensor.relu, lambda t: F.relu(t, inplace=True), torch.Tensor.relu_]
        for (c, bn), relu in zip(zip(conv[::2], conv[1::2]), relus):
            x = relu(bn(c(x)))
        return self.seq[-1](self.seq[-2](self.seq[-3](x)))


def reference_swap(net: nn.Module, x: torch.Tensor) -> tuple[int, int]:
    """(SWAP, activation patterns) the obvious way: hooks on nn.ReLU modules, unique over the sign matrix."""
    outs: list[torch.Tensor] = []
    handles = [
        m.register_forward_hook(lambda m, i, o: outs.append((i[0].dim(), o.detach().clone())))
        for m in net.modules()
        if isinstance(m, nn.ReLU)
    ]
    try:
        with torch.no_grad():
            net(x)
    finally:
        for h in handles:
            h.remove()
    kept = [o for d, o in outs if d == 4] or [o for d, o in outs]
    matrix = torch.cat([o.reshape(len(x), -1) for o in kept], 1).sign()
    return torch.unique(matrix.T, dim=0).shape[0], torch.unique(matrix, dim=0).shape[0]


def images(samples: int = 16, size: int = 8, seed: int = 0) -> torch.Tensor:
    """Seeded N(0, 1) images (samples, 3, size, size)."""
    return torch.randn(samples, 3, size, size, generator=torch.Generator().manual_seed(seed))


# one fixed architecture per space: convolutions, pooling, skips and `none` in both
DARTS_ARCH = (
    "Genotype(normal=[('sep_conv_3x3', 0), ('skip_connect', 1), ('max_pool_3x3', 0), ('dil_conv_3x3', 2), "
    "('none', 1), ('avg_pool_3x3', 2), ('sep_conv_5x5', 3), ('skip_connect', 0)], normal_concat=range(2, 6), "
    "reduce=[('sep_conv_3x3', 0), ('skip_connect', 1), ('max_pool_3x3', 0), ('dil_conv_3x3', 2), "
    "('none', 1), ('avg_pool_3x3', 2), ('sep_conv_5x5', 3), ('skip_connect', 0)], reduce_concat=range(2, 6))"
)
NB201_ARCH = "|nor_conv_3x3~0|+|skip_connect~0|avg_pool_3x3~1|+|none~0|nor_conv_1x1~1|skip_connect~2|"


def darts_net() -> nn.Module:
    """The SWAP study's DARTS scoring network (stem-less, C = 3, one cell) for :data:`DARTS_ARCH`."""
    from evonas import get_space

    torch.manual_seed(0)
    return get_space("darts").build(DARTS_ARCH, C=3, layers=1, stem=False)


def nb201_net() -> nn.Module:
    """A small NAS-Bench-201 network (C = 8, N = 1) for :data:`NB201_ARCH`."""
    from evonas import get_space

    torch.manual_seed(0)
    return get_space("nb201").build(NB201_ARCH, C=8, N=1)


def sampled_net(space: str) -> nn.Module:
    """The space's ``tiny_net_args`` network for a genome sampled with seed 0."""
    import numpy as np

    from evonas import get_space

    sp = get_space(space)
    genome = sp.sample(np.random.default_rng(0))
    torch.manual_seed(0)
    return sp.build(genome, **sp.tiny_net_args)
