"""The samples a proxy sees: one mini-batch of inputs, and targets for the proxies that need them.

It sits below ``evonas.data`` (which makes batches) and ``evonas.fitness`` (which reads
them), so neither depends on the other.
"""

from __future__ import annotations

from dataclasses import dataclass

from torch import Tensor

from evonas.errors import DataError


@dataclass(frozen=True)
class Batch:
    """The samples a proxy sees: ``inputs`` (S, ...) and, for proxies that need them, ``targets`` (S,)."""

    inputs: Tensor
    targets: Tensor | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.inputs, Tensor) or self.inputs.dim() < 2:
            raise DataError(f"Batch.inputs must be a tensor shaped (samples, ...), got {_describe(self.inputs)}")
        if self.targets is not None and (
            not isinstance(self.targets, Tensor) or self.targets.shape[:1] != self.inputs.shape[:1]
        ):
            raise DataError(
                f"Batch.targets must be a tensor with one entry per sample ({len(self.inputs)}), "
                f"got {_describe(self.targets)}"
            )

    @property
    def samples(self) -> int:
        """Number of samples S."""
        return self.inputs.shape[0]


def _describe(x: object) -> str:
    return f"tensor of shape {tuple(x.shape)}" if isinstance(x, Tensor) else type(x).__name__
