"""DARTS networks built from a genotype: the evaluation network and the scoring networks.

:class:`DartsNetwork` is DARTS' evaluation network (Liu et al. 2019, ``NetworkCIFAR``): a
stack of ``layers`` cells; the cells at ``layers // 3`` and ``2 * layers // 3`` are reduction
cells that halve the resolution and double the channels. Each cell reads the outputs of the
two cells before it. Without the stem the input goes straight into the first cell:
``C=3, layers=1, stem=False`` is the network the SWAP study scores DARTS architectures with;
its one cell is a reduction cell, so the normal cell plays no part in it.

:class:`DartsCellPair` puts one normal and one reduction cell side by side on the input, so
both count; it ranks the 1000 shared archs (normal = reduce) best, but not NAS-Bench-301's,
whose cells differ. Searches score on a narrow evaluation network (``C=4, layers=5``, with
the stem): see ``DartsSpace.scoring_net_args``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

import torch
from torch import nn

from evonas.errors import ConfigError
from evonas.networks.ops import OPS, FactorizedReduce, ReLUConvBN, drop_path, edge_name

#: ``(op name, input state)`` of one edge of a cell
Edge = tuple[str, int]


class Cells(Protocol):
    """A genotype as the builders read it (:class:`evonas.encodings.Genotype`, checked by ``DartsSpace.parse``)."""

    def cell(self, name: str) -> tuple[Sequence[Edge], Sequence[int]]: ...


class DartsCell(nn.Module):
    """One DARTS cell: two preprocessed inputs, then nodes that each sum two ops of earlier states.

    Args:
        edges: two ``(op, input)`` pairs per intermediate node; input 0 and 1 are the cell
            inputs, ``k + 2`` is intermediate node ``k``. Both edges may read the same state.
        concat: the states concatenated into the cell output.
        C_prev_prev: channels of the output of the cell two back.
        C_prev: channels of the output of the previous cell.
        C: channels of every state inside this cell.
        reduction: halve the resolution (stride 2 on the edges that read the cell inputs).
        reduction_prev: the previous cell halved the resolution, so input 0 must be reduced too.

    Each edge's module is named by :func:`~evonas.networks.ops.edge_name` (``ops["1_3_sep_conv_3x3"]``).
    """

    def __init__(
        self,
        edges: Sequence[Edge],
        concat: Sequence[int],
        C_prev_prev: int,
        C_prev: int,
        C: int,
        reduction: bool,
        reduction_prev: bool,
    ) -> None:
        super().__init__()
        self.preprocess0 = FactorizedReduce(C_prev_prev, C) if reduction_prev else ReLUConvBN(C_prev_prev, C, 1)
        self.preprocess1 = ReLUConvBN(C_prev, C, 1)
        self.ops = nn.ModuleDict()
        for k, (op, i) in enumerate(edges):
            self.ops[edge_name(i, 2 + k // 2, op, self.ops)] = OPS.get(op)(C, C, 2 if reduction and i < 2 else 1, True)
        self.inputs = tuple(i for _, i in edges)
        self.concat = tuple(concat)
        self.C_out = len(concat) * C

    def forward(
        self, s0: torch.Tensor, s1: torch.Tensor, drop_prob: float = 0.0, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        """The cell output; with ``drop_prob > 0`` every edge but the identities is drop-path'ed (DARTS)."""
        states = [self.preprocess0(s0), self.preprocess1(s1)]
        ops = list(self.ops.values())
        for a in range(0, len(ops), 2):
            h = [ops[k](states[self.inputs[k]]) for k in (a, a + 1)]
            if drop_prob > 0:
                h = [x if isinstance(ops[k], nn.Identity) else drop_path(x, drop_prob, generator) for k, x in zip((a, a + 1), h)]
            states.append(h[0] + h[1])
        return torch.cat([states[i] for i in self.concat], dim=1)


class AuxiliaryHead(nn.Module):
    """DARTS' auxiliary classifier on the 8×8 features after the second reduction (32×32 inputs)."""

    def __init__(self, C: int, num_classes: int) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.ReLU(),
            nn.AvgPool2d(5, stride=3, count_include_pad=False),
            nn.Conv2d(C, 128, 1, bias=False),
            nn.BatchNorm2d(128),
            nn.ReLU(),
            nn.Conv2d(128, 768, 2, bias=False),
            nn.BatchNorm2d(768),
            nn.ReLU(),
        )
        self.classifier = nn.Linear(768, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x).flatten(1))


class DartsNetwork(nn.Module):
    """A DARTS genotype as a CIFAR-style network returning logits.

    Args:
        genotype: the normal and reduction cells.
        C: channels of the first cell's states (doubled at every reduction cell).
        num_classes: classifier outputs.
        layers: number of cells.
        stem: prepend DARTS' conv3×3 (``in_channels`` -> ``3C``) + BN; without it the input
            feeds the first cell directly, as in SWAP's scoring network.
        in_channels: channels of the input images.
        auxiliary: add DARTS' auxiliary head after cell ``2 * layers // 3``; its logits come
            from :meth:`forward_aux`, :meth:`forward` ignores it.
        reductions: indices of the reduction cells; default DARTS' ``layers // 3`` and
            ``2 * layers // 3``.
    """

    def __init__(
        self,
        genotype: Cells,
        C: int,
        num_classes: int = 10,
        layers: int = 8,
        stem: bool = True,
        in_channels: int = 3,
        auxiliary: bool = False,
        reductions: Sequence[int] | None = None,
    ) -> None:
        super().__init__()
        if C < 1 or layers < 1:
            raise ConfigError(f"DartsNetwork: need C >= 1 and layers >= 1, got C={C}, layers={layers}")
        if reductions is not None and not all(isinstance(i, int) and 0 <= i < layers for i in reductions):
            raise ConfigError(f"DartsNetwork: reductions {list(reductions)} must be cell indices in 0..{layers - 1}")
        C_stem = 3 * C if stem else in_channels
        self.stem: nn.Module = nn.Identity()
        if stem:
            self.stem = nn.Sequential(nn.Conv2d(in_channels, C_stem, 3, padding=1, bias=False), nn.BatchNorm2d(C_stem))
        C_prev = self._stack(genotype, C, C_stem, layers, reductions, False, auxiliary, num_classes, AuxiliaryHead)
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(C_prev, num_classes)
        #: drop-path probability of the cells' edges in training mode (a trainer ramps it, as DARTS does)
        self.drop_path_prob = 0.0
        #: the generator drop-path masks are drawn from (None: the global RNG)
        self.drop_path_generator: torch.Generator | None = None

    def _stack(self, genotype: Cells, C: int, C_in: int, layers: int, reductions: Sequence[int] | None,
               reduction_prev: bool, auxiliary: bool, num_classes: int, head: type[nn.Module]) -> int:
        """Build the cells (and the auxiliary head); return the channels of the last cell's output."""
        reductions = {layers // 3, 2 * layers // 3} if reductions is None else set(reductions)
        self.aux_after = 2 * layers // 3
        self.auxiliary_head: nn.Module | None = None
        self.cells = nn.ModuleList()
        C_prev_prev = C_prev = C_in
        C_curr = C
        for i in range(layers):
            reduction = i in reductions
            C_curr *= 2 if reduction else 1
            edges, concat = genotype.cell("reduce" if reduction else "normal")
            cell = DartsCell(edges, concat, C_prev_prev, C_prev, C_curr, reduction, reduction_prev)
            self.cells.append(cell)
            C_prev_prev, C_prev, reduction_prev = C_prev, cell.C_out, reduction
            if auxiliary and i == self.aux_after:
                self.auxiliary_head = head(C_prev, num_classes)
        return C_prev

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for features in self._cell_outputs(x):
            pass
        return self._classify(features)

    def forward_aux(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """``(logits, auxiliary logits)`` for training with DARTS' auxiliary loss (None without the head)."""
        outputs = list(self._cell_outputs(x))
        head = self.auxiliary_head
        return self._classify(outputs[-1]), None if head is None else head(outputs[self.aux_after])

    def _cell_outputs(self, x: torch.Tensor) -> Iterator[torch.Tensor]:
        s0 = s1 = self.stem(x)
        drop = self.drop_path_prob if self.training else 0.0
        for cell in self.cells:
            s0, s1 = s1, cell(s0, s1, drop, self.drop_path_generator)
            yield s1

    def _classify(self, features: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.global_pooling(features).flatten(1))


class DartsCellPair(nn.Module):
    """The normal and the reduction cell side by side on the same input: a scoring network where both count.

    The SWAP study scores a genotype with one cell on the raw input (a reduction cell). A
    stack of cells is no substitute: each cell's activations are then shaped by the cells
    before it, and on the 1000 shared DARTS architectures SWAP's Spearman ρ fell from 0.91
    (one cell) to 0.78-0.85 for stacks of 2-8 cells. Here each cell sees the input as the
    single cell of the study does, the normal cell with ``C`` channels per state and the
    reduction cell with ``2C`` (as a reduction doubles them in the evaluation network); each
    is pooled, and one linear layer classifies both. SWAP then counts the patterns of both
    cells (ρ 0.93 on the shared table, where both cells are the same; 0.39 on 300
    NAS-Bench-301 archs whose cells differ, which is why it is no longer the default).

    Args:
        genotype: the normal and reduction cells.
        C: channels of the normal cell's states.
        num_classes: classifier outputs.
        stem: prepend DARTS' conv3×3 (``in_channels`` -> ``3C``) + BN before both cells.
        in_channels: channels of the input images.
    """

    def __init__(self, genotype: Cells, C: int, num_classes: int = 10, stem: bool = False, in_channels: int = 3) -> None:
        super().__init__()
        if C < 1:
            raise ConfigError(f"DartsCellPair: need C >= 1, got C={C}")
        C_in = 3 * C if stem else in_channels
        self.stem: nn.Module = nn.Identity()
        if stem:
            self.stem = nn.Sequential(nn.Conv2d(in_channels, C_in, 3, padding=1, bias=False), nn.BatchNorm2d(C_in))
        self.normal = DartsCell(*genotype.cell("normal"), C_in, C_in, C, reduction=False, reduction_prev=False)
        self.reduce = DartsCell(*genotype.cell("reduce"), C_in, C_in, 2 * C, reduction=True, reduction_prev=False)
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(self.normal.C_out + self.reduce.C_out, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = self.stem(x)
        pooled = [self.global_pooling(cell(s, s)).flatten(1) for cell in (self.normal, self.reduce)]
        return self.classifier(torch.cat(pooled, dim=1))


class AuxiliaryHeadImageNet(nn.Module):
    """DARTS' ImageNet auxiliary classifier on the 7×7 features after the second reduction (224 px inputs).

    As in DARTS' ``AuxiliaryHeadImageNet``, with no batch norm after the 768-channel conv (the
    paper's experiments ran without it); the pooling is adaptive (2×2), so any input size works.
    """

    def __init__(self, C: int, num_classes: int) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(2),
            nn.Conv2d(C, 128, 1, bias=False),
            nn.BatchNorm2d(128),
            nn.ReLU(),
            nn.Conv2d(128, 768, 2, bias=False),
            nn.ReLU(),
        )
        self.classifier = nn.Linear(768, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x).flatten(1))


class DartsNetworkImageNet(DartsNetwork):
    """A DARTS genotype as DARTS' ImageNet network (Liu et al. 2019, Sec. 3.4; its ``NetworkImageNet``).

    A stem of three stride-2 3×3 convolutions (``in_channels`` -> C/2 -> C, then C -> C; total
    stride 8: 224 px become 28), then ``layers`` cells (reductions at ``layers // 3`` and
    ``2 * layers // 3``: 28 -> 14 -> 7), global pooling and a classifier. The first cell
    reads the outputs of both stem stages, the first at twice the resolution (so it reduces
    it). The pooling is adaptive, so images of any size work; DARTS' ImageNet setting is
    ``C=48, layers=14`` at 224 px (DARTS-V2: 4.7 M parameters as published; 530 M multiply-adds of
    its convolutions and classifier, where the paper reports 574 M without saying what else it
    counted -- quark0/darts issue #46).

    Args:
        genotype: the normal and reduction cells.
        C: channels of the first cell's states (doubled at every reduction cell).
        num_classes: classifier outputs.
        layers: number of cells.
        in_channels: channels of the input images.
        auxiliary: add DARTS' ImageNet auxiliary head after cell ``2 * layers // 3``.
    """

    def __init__(self, genotype: Cells, C: int = 48, num_classes: int = 1000, layers: int = 14, in_channels: int = 3,
                 auxiliary: bool = False) -> None:
        nn.Module.__init__(self)
        if C < 2 or layers < 1:
            raise ConfigError(f"DartsNetworkImageNet: need C >= 2 and layers >= 1, got C={C}, layers={layers}")
        self.stem0 = nn.Sequential(
            nn.Conv2d(in_channels, C // 2, 3, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(C // 2),
            nn.ReLU(),
            nn.Conv2d(C // 2, C, 3, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(C),
        )
        self.stem1 = nn.Sequential(nn.ReLU(), nn.Conv2d(C, C, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(C))
        C_prev = self._stack(genotype, C, C, layers, None, True, auxiliary, num_classes, AuxiliaryHeadImageNet)
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(C_prev, num_classes)
        self.drop_path_prob = 0.0
        self.drop_path_generator: torch.Generator | None = None

    def _cell_outputs(self, x: torch.Tensor) -> Iterator[torch.Tensor]:
        s0 = self.stem0(x)
        s1 = self.stem1(s0)
        drop = self.drop_path_prob if self.training else 0.0
        for cell in self.cells:
            s0, s1 = s1, cell(s0, s1, drop, self.drop_path_generator)
            yield s1
