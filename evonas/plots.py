"""Figures drawn straight into files, through matplotlib's object API.

Not pyplot: it keeps global figure state and ``matplotlib.use("Agg")`` would switch the
caller's backend (a notebook's, say). A bare ``Figure`` needs neither.
"""

from __future__ import annotations

import io
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from evonas.files import atomic_write

if TYPE_CHECKING:
    from matplotlib.axes import Axes


@contextmanager
def figure(path: Path, size: tuple[float, float] = (6, 4), dpi: int = 120) -> Iterator[Axes]:
    """Axes to draw on; on leaving the block the figure is laid out and saved to ``path`` (PNG), atomically."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=size)
    yield fig.subplots()
    fig.tight_layout()
    image = io.BytesIO()
    fig.savefig(image, dpi=dpi, format="png")
    atomic_write(Path(path), image.getvalue())
