"""Scorers for tests/test_parallel.py that run inside worker processes (imported there by name)."""

import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from evonas.errors import ProxyError
from evonas.evaluators import ArchitectureScorer


@dataclass(frozen=True)
class Twice:
    """A cheap scorer: ``2 * x``; sleeps on small ``x`` so later tasks finish first."""

    def __call__(self, x: int) -> int:
        time.sleep(0.02 if x < 3 else 0.0)
        return 2 * x


@dataclass(frozen=True)
class KillOnce:
    """``2 * x``, but the first call anywhere kills its own worker process (a marker file remembers)."""

    marker: str

    def __call__(self, x: int) -> int:
        try:
            Path(self.marker).touch(exist_ok=False)
        except FileExistsError:
            return 2 * x
        os.kill(os.getpid(), signal.SIGKILL)


@dataclass(frozen=True)
class KillAlways:
    """Kills its worker process on every call."""

    def __call__(self, x: int) -> int:
        os.kill(os.getpid(), signal.SIGKILL)


@dataclass(frozen=True)
class DyingScorer(ArchitectureScorer):
    """An :class:`ArchitectureScorer` that kills its worker process while the file ``armed`` exists."""

    armed: str = ""

    def __call__(self, arch):  # type: ignore[no-untyped-def]
        if self.armed and Path(self.armed).exists():
            os.kill(os.getpid(), signal.SIGKILL)
        return super().__call__(arch)


@dataclass(frozen=True)
class FailsOnOne:
    """``2 * x``, but a :class:`ProxyError` for ``x == 1`` (a scorer's own error)."""

    def __call__(self, x: int) -> int:
        if x == 1:
            raise ProxyError("proxy gave NaN for x = 1")
        return 2 * x


def plus_one(scorer, x):
    return scorer(x) + 1


@dataclass(frozen=True)
class SmoothScore:
    """A deterministic, smooth score of a genome (its weighted op codes) that sleeps ``seconds``, or a random
    duration up to ``jitter`` seconds (real, unseeded timing: results must not depend on it)."""

    seconds: float = 0.0
    jitter: float = 0.0

    def __call__(self, genome) -> float:  # type: ignore[no-untyped-def]
        import random

        import numpy as np

        time.sleep(self.seconds + random.random() * self.jitter)
        codes = np.concatenate([cell.ravel() for cell in genome.cells]).astype(float)
        return float(np.dot(codes, np.cos(np.arange(codes.size))))
