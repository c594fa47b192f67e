"""Weight inheritance: a child network starts from its trained parent's weights where they fit.

Network modules are named by the genome (each cell edge by source, target and op:
:func:`~evonas.networks.ops.edge_name`), so a tensor of the child with the parent's name and
shape is the same tensor of the same op on the same edge. Copying those, and only those,
gives an op-mutated child every trained weight except its changed edge's (the idea of
network morphisms in NAS: Elsken et al., "Efficient Multi-Objective NAS via Lamarckian
Evolution", ICLR 2019; Real et al., "Large-Scale Evolution of Image Classifiers", ICML 2017).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import torch
from torch import nn


@dataclass(frozen=True)
class InheritReport:
    """What :func:`inherit` copied.

    Attributes:
        copied: child tensors (parameters and buffers) set from the parent.
        mismatched: child tensors whose name the parent has with another shape (kept as they were).
        fresh: child tensors the parent has no tensor of that name for (kept as they were).
        unused: parent tensors the child has no place for.
        copied_numel: scalars copied.
        total_numel: scalars of the child's state.
    """

    copied: tuple[str, ...]
    mismatched: tuple[str, ...]
    fresh: tuple[str, ...]
    unused: tuple[str, ...]
    copied_numel: int
    total_numel: int

    @property
    def fraction(self) -> float:
        """Share of the child's scalars inherited."""
        return self.copied_numel / self.total_numel if self.total_numel else 1.0

    def __str__(self) -> str:
        return (f"inherited {len(self.copied)} of {len(self.copied) + len(self.mismatched) + len(self.fresh)} tensors "
                f"({100 * self.fraction:.1f} % of {self.total_numel:,} values); {len(self.fresh)} new, "
                f"{len(self.mismatched)} of another shape, {len(self.unused)} of the parent's unused")


def inherit(child: nn.Module, parent_state: Mapping[str, torch.Tensor]) -> InheritReport:
    """Copy into ``child`` every parameter and buffer of ``parent_state`` whose name and shape match.

    Args:
        child: the network to initialise (modified in place; tensors without a match keep
            their current values, e.g. a seeded initialisation).
        parent_state: the trained parent's ``state_dict()`` (or one loaded from its ``model.pt``).

    Returns:
        Which tensors were copied, and which were not and why.
    """
    target = child.state_dict()
    copied, mismatched, fresh = [], [], []
    with torch.no_grad():
        for name, tensor in target.items():
            source = parent_state.get(name)
            if source is None:
                fresh.append(name)
            elif source.shape != tensor.shape:
                mismatched.append(name)
            else:
                tensor.copy_(source)
                copied.append(name)
    unused = tuple(name for name in parent_state if name not in target)
    numel = {name: t.numel() for name, t in target.items()}
    return InheritReport(tuple(copied), tuple(mismatched), tuple(fresh), unused,
                         sum(numel[n] for n in copied), sum(numel.values()))
