"""The NAS-Bench-101 network (Ying et al., ICML 2019, Sec. 2.1, Fig. 1) built from a model spec.

Stem conv3×3-BN-ReLU with ``C`` channels; ``stacks`` stacks of ``cells`` cells, a 2×2 max-pool
between stacks after which the channels double; global average pool; dense classifier.
Inside a cell (the benchmark's channel arithmetic): the output's width is split over the
nodes that feed it (concatenated, the remainder going one channel each to the first ones);
every other node is as wide as its widest successor; the cell input reaches a node through a
1×1 conv-BN-ReLU projection to that node's width, other nodes' outputs are summed after
keeping their first channels (a node's successors are at most one channel narrower), and an
input-to-output edge adds a projection of the input to the concatenation.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from evonas.errors import ConfigError, InvalidGenomeError


class ConvBNReLU(nn.Sequential):
    """Conv (no bias) -> BN -> ReLU, "same" padding: the benchmark's conv op, projection and stem."""

    def __init__(self, C_in: int, C_out: int, kernel_size: int) -> None:
        super().__init__(
            nn.Conv2d(C_in, C_out, kernel_size, padding=kernel_size // 2, bias=False), nn.BatchNorm2d(C_out), nn.ReLU()
        )


def _node_op(op: str, C: int) -> nn.Module:
    if op == "conv3x3-bn-relu":
        return ConvBNReLU(C, C, 3)
    if op == "conv1x1-bn-relu":
        return ConvBNReLU(C, C, 1)
    if op == "maxpool3x3":
        return nn.MaxPool2d(3, stride=1, padding=1)
    raise InvalidGenomeError(f"NAS-Bench-101 cell: unknown node op {op!r}")


def prune(matrix: np.ndarray) -> np.ndarray:
    """The nodes on some input-to-output path (indices, in order); empty if the output is unreachable."""
    n = len(matrix)
    forward = np.zeros(n, dtype=bool)
    forward[0] = True
    for j in range(1, n):
        forward[j] = bool((forward[:j] & (matrix[:j, j] != 0)).any())
    backward = np.zeros(n, dtype=bool)
    backward[n - 1] = True
    for i in range(n - 2, -1, -1):
        backward[i] = bool((backward[i + 1 :] & (matrix[i, i + 1 :] != 0)).any())
    live = forward & backward
    return np.flatnonzero(live) if live[n - 1] else np.array([], dtype=np.int64)


def node_channels(C_in: int, C_out: int, matrix: np.ndarray) -> list[int]:
    """Width of every node of a pruned cell: input ``C_in``, output ``C_out``, the rest as the benchmark computes them."""
    n = len(matrix)
    width = [0] * n
    width[0], width[-1] = C_in, C_out
    if n == 2:
        return width
    feeding = [v for v in range(1, n - 1) if matrix[v, n - 1]]
    share, extra = divmod(C_out, len(feeding))
    for k, v in enumerate(feeding):
        width[v] = share + (k < extra)
    for v in range(n - 3, 0, -1):
        if not matrix[v, n - 1]:
            width[v] = max(width[d] for d in range(v + 1, n - 1) if matrix[v, d])
    return width


class NB101Cell(nn.Module):
    """One NAS-Bench-101 module for a model spec; nodes off every input-output path are pruned.

    Args:
        matrix: n×n 0/1 upper-triangular adjacency matrix (node 0 input, node n-1 output).
        ops: n op names, ``"input"`` first and ``"output"`` last.
        C_in, C_out: channels of the cell input and output.

    Modules are named by the spec's node numbers, so they follow the genome under weight
    inheritance: ``nodes["3_conv3x3-bn-relu"]`` is node 3's op, ``proj["0_3"]`` the
    projection of the input into node 3, ``proj["0_6"]`` the one added to the output.
    """

    def __init__(self, matrix: Sequence[Sequence[int]], ops: Sequence[str], C_in: int, C_out: int) -> None:
        super().__init__()
        full = np.asarray(matrix, dtype=np.int64)
        live = prune(full)
        if not len(live):
            raise InvalidGenomeError("NAS-Bench-101 cell: no path from the input to the output")
        m = full[np.ix_(live, live)]
        n = len(live)
        self.width = node_channels(C_in, C_out, m)
        self.nodes = nn.ModuleDict()
        self.proj = nn.ModuleDict()
        for t in range(1, n - 1):
            if m[0, t]:
                self.proj[f"0_{live[t]}"] = ConvBNReLU(C_in, self.width[t], 1)
            self.nodes[f"{live[t]}_{ops[live[t]]}"] = _node_op(ops[live[t]], self.width[t])
        if m[0, n - 1]:
            self.proj[f"0_{live[-1]}"] = ConvBNReLU(C_in, C_out, 1)
        self.matrix = m.tolist()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        m, n, width = self.matrix, len(self.matrix), self.width
        states: list[torch.Tensor] = [x]
        projections = iter(self.proj.values())
        for t, op in zip(range(1, n - 1), self.nodes.values()):
            terms = [states[s][:, : width[t]] for s in range(1, t) if m[s][t]]
            if m[0][t]:
                terms.append(next(projections)(x))
            states.append(op(sum(terms[1:], terms[0])))
        outs = [states[t] for t in range(1, n - 1) if m[t][n - 1]]
        out = torch.cat(outs, dim=1) if outs else None
        if m[0][n - 1]:
            skip = next(projections)(x)
            out = skip if out is None else out + skip
        return out


class NB101Network(nn.Module):
    """A NAS-Bench-101 cell stacked into the benchmark's CIFAR network, returning logits.

    Args:
        matrix: the model spec's adjacency matrix (see :class:`NB101Cell`).
        ops: the model spec's node ops.
        C: stem channels (the benchmark: 128).
        stacks: stacks of cells (3), a 2×2 max-pool and doubled channels before each but the first.
        cells: cells per stack (3).
        num_classes: classifier outputs.
    """

    def __init__(
        self,
        matrix: Sequence[Sequence[int]],
        ops: Sequence[str],
        C: int = 128,
        stacks: int = 3,
        cells: int = 3,
        num_classes: int = 10,
    ) -> None:
        super().__init__()
        if C < 1 or stacks < 1 or cells < 1:
            raise ConfigError(f"NB101Network: need C, stacks and cells >= 1, got C={C}, stacks={stacks}, cells={cells}")
        layers: list[nn.Module] = [ConvBNReLU(3, C, 3)]
        channels = C
        for stack in range(stacks):
            C_in = channels
            if stack:
                layers.append(nn.MaxPool2d(2, stride=2, ceil_mode=True))
                channels *= 2
            for _ in range(cells):
                layers.append(NB101Cell(matrix, ops, C_in, channels))
                C_in = channels
        self.features = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.classifier = nn.Linear(channels, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


def count_nb101_params(
    matrix: Sequence[Sequence[int]],
    ops: Sequence[str],
    C: int = 128,
    stacks: int = 3,
    cells: int = 3,
    num_classes: int = 10,
) -> int:
    """Parameters of ``NB101Network(matrix, ops, ...)`` without building it.

    The same channel arithmetic summed by hand (a conv-BN has ``k²·C_in·C_out + 2·C_out``):
    microseconds instead of the milliseconds a network takes even on the meta device, for
    the thousands of counts a size calibration makes. Tests hold it equal to the network.
    """
    full = np.asarray(matrix, dtype=np.int64)
    live = prune(full)
    if not len(live):
        raise InvalidGenomeError("NAS-Bench-101 cell: no path from the input to the output")
    m, names = full[np.ix_(live, live)], [ops[k] for k in live]
    n = len(live)
    kernel = {"conv3x3-bn-relu": 3, "conv1x1-bn-relu": 1}

    def conv_bn(c_in: int, c_out: int, k: int) -> int:
        return k * k * c_in * c_out + 2 * c_out

    total = conv_bn(3, C, 3)
    channels = C
    for stack in range(stacks):
        C_in = channels
        if stack:
            channels *= 2
        for _ in range(cells):
            width = node_channels(C_in, channels, m)
            for t in range(1, n - 1):
                total += conv_bn(C_in, width[t], 1) if m[0, t] else 0
                total += conv_bn(width[t], width[t], kernel[names[t]]) if names[t] in kernel else 0
            total += conv_bn(C_in, channels, 1) if m[0, n - 1] else 0
            C_in = channels
    return total + channels * num_classes + num_classes
