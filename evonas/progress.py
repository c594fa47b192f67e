"""The progress bar every search shows: over its evaluation budget if it has one, else over its cycles."""

from __future__ import annotations

import sys
from typing import Any


class Progress:
    """A tqdm bar for a search; the initial population is its own phase, cycles count from 1.

    Args:
        label: what runs (``swap-nas``, ``nsga2``, ...).
        cycles: cycles asked for (None: no limit).
        evaluations: the evaluation budget (None: none); the bar then counts evaluations.
        enabled: False for ``--no-progress``.
    """

    def __init__(self, label: str, *, cycles: int | None, evaluations: int | None, enabled: bool) -> None:
        from tqdm import tqdm

        self.label, self.by_evaluations = label, evaluations is not None
        self.bar = tqdm(total=evaluations if self.by_evaluations else cycles, desc=label, disable=not enabled,
                        file=sys.stderr, unit=" evals" if self.by_evaluations else " cycles")

    def start(self, cycle: int, evaluations: int) -> None:
        """Where the run stands before its first new cycle (0 and 0 for a new run)."""
        self.bar.n = evaluations if self.by_evaluations else cycle
        self.bar.set_description(f"{self.label} (initial population)" if cycle == 0 and not evaluations else self.label)
        self.bar.refresh()

    def update(self, cycle: int, evaluations: int, **postfix: Any) -> None:
        """After a cycle: move the bar and show ``postfix`` (same keys every time, numbers short)."""
        self.bar.set_description(self.label)
        self.bar.set_postfix({k: _short(v) for k, v in postfix.items()}, refresh=False)
        self.bar.update((evaluations if self.by_evaluations else cycle) - self.bar.n)

    def close(self) -> None:
        self.bar.close()


def _short(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return f"{value:,}" if isinstance(value, int) else str(value)
