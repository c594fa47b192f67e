"""The NAS-Bench-201 network (Dong & Yang 2020, "NAS-Bench-201", Sec. 2.1) built from a cell's edges.

Macro skeleton: conv3×3 + BN stem; three stages of ``N`` cells with ``C``, ``2C`` and ``4C``
channels, separated by stride-2 residual blocks; BN + ReLU; global average pool; linear layer.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from evonas.errors import ConfigError, InvalidGenomeError
from evonas.networks.ops import OPS, ReLUConvBN, edge_name

NB201Edge = tuple[int, int, str]


class NB201Cell(nn.Module):
    """A DAG cell: node 0 is the input, node ``j`` sums ``op_ij(node i)`` over ``i < j``, the last is the output.

    Args:
        edges: ``(src, dst, op)`` triples; an absent edge is op ``none`` or simply left out.
        C: channels of every node (all ops keep channels and resolution).

    Each edge's module is named by :func:`~evonas.networks.ops.edge_name` (``ops["0_3_nor_conv_3x3"]``).
    """

    def __init__(self, edges: Sequence[NB201Edge], C: int) -> None:
        super().__init__()
        edges = sorted(edges, key=lambda e: (e[1], e[0]))
        self.n_nodes = _check_cell(edges)
        self.ops = nn.ModuleDict()
        for src, dst, op in edges:
            self.ops[edge_name(src, dst, op, self.ops)] = OPS.get(op)(C, C, 1, True)
        self.wiring = tuple((src, dst) for src, dst, _ in edges)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        nodes = [x]
        for j in range(1, self.n_nodes):
            nodes.append(sum(op(nodes[i]) for (i, d), op in zip(self.wiring, self.ops.values()) if d == j))
        return nodes[-1]


class ResidualReduction(nn.Module):
    """The stride-2 ResNet basic block between stages; its shortcut is AvgPool2d(2) + conv1×1 (no BN).

    The pool rounds up (``ceil_mode``) so odd sizes halve like the strided conv; even sizes as in NB201.
    """

    def __init__(self, C_in: int, C_out: int) -> None:
        super().__init__()
        self.conv_a = ReLUConvBN(C_in, C_out, 3, stride=2)
        self.conv_b = ReLUConvBN(C_out, C_out, 3)
        self.shortcut = nn.Sequential(nn.AvgPool2d(2, ceil_mode=True), nn.Conv2d(C_in, C_out, 1, bias=False))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv_b(self.conv_a(x)) + self.shortcut(x)


class NB201Network(nn.Module):
    """A NAS-Bench-201 cell stacked into the benchmark's CIFAR network, returning logits.

    Args:
        edges: the cell as ``(src, dst, op)`` triples over nodes ``0..3`` (0 input, 3 output).
        C: channels of the first stage (the benchmark uses 16).
        N: cells per stage (the benchmark uses 5).
        num_classes: classifier outputs.
    """

    def __init__(self, edges: Sequence[NB201Edge], C: int = 16, N: int = 5, num_classes: int = 10) -> None:
        super().__init__()
        if C < 1 or N < 0:
            raise ConfigError(f"NB201Network: need C >= 1 and N >= 0, got C={C}, N={N}")
        layers: list[nn.Module] = [nn.Sequential(nn.Conv2d(3, C, 3, padding=1, bias=False), nn.BatchNorm2d(C))]
        for stage, C_stage in enumerate((C, 2 * C, 4 * C)):
            if stage:
                layers.append(ResidualReduction(C_stage // 2, C_stage))
            layers.extend(NB201Cell(edges, C_stage) for _ in range(N))
        layers += [nn.BatchNorm2d(4 * C), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten()]
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(4 * C, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


def _check_cell(edges: Sequence[NB201Edge]) -> int:
    """Number of nodes of a wirable cell (space-specific rules live with the encodings)."""
    if not edges:
        raise InvalidGenomeError("NAS-Bench-201 cell: no edges given")
    for src, dst, op in edges:
        if not 0 <= src < dst:
            raise InvalidGenomeError(f"NAS-Bench-201 cell: edge ({src}, {dst}, {op!r}) must go from a lower node")
    n_nodes = max(dst for _, dst, _ in edges) + 1
    fed = {dst for _, dst, _ in edges}
    missing = [j for j in range(1, n_nodes) if j not in fed]
    if missing:
        raise InvalidGenomeError(f"NAS-Bench-201 cell: node(s) {missing} have no incoming edge")
    return n_nodes
