"""Genomes: immutable op-adjacency matrices, one per cell, with an exact key."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True, eq=False)
class Genome:
    """One or more cells, each an upper-triangular op-adjacency matrix.

    ``cells[c][i, j]`` (i < j) is the op code on the edge from node i to node j of cell c;
    0 means no edge. A space whose ops sit on nodes (NAS-Bench-101) keeps node j's op code
    on the diagonal, ``cells[c][j, j]``. The matrices are read-only copies, so a genome is a value: it can be
    shared between individuals, cached and hashed. Which codes and shapes are legal is the
    business of the search space (``space.validate``), not of the genome.
    """

    cells: tuple[np.ndarray, ...]

    def __post_init__(self) -> None:
        frozen = []
        for cell in self.cells:
            if not _is_frozen(cell):  # a frozen matrix is shared: copying it would change nothing
                cell = np.array(cell, dtype=np.int64, copy=True)
                cell.setflags(write=False)
            frozen.append(cell)
        object.__setattr__(self, "cells", tuple(frozen))

    @classmethod
    def of(cls, *cells: npt.ArrayLike) -> Genome:
        """``Genome.of(m1, m2)`` — a genome from matrices (nested lists or arrays)."""
        return cls(tuple(np.asarray(c) for c in cells))

    @property
    def key(self) -> str:
        """Exact, compact text key: equal keys ⇔ equal matrices.

        ``"n:"`` and the strict upper triangle row by row; ``"nd:"`` and the upper triangle
        with the diagonal when a diagonal entry (a node op) is set.
        """
        return "/".join(_cell_key(m) for m in self.cells)

    def replace_cell(self, index: int, matrix: npt.ArrayLike) -> Genome:
        """A copy with cell ``index`` replaced."""
        cells = list(self.cells)
        cells[index] = np.asarray(matrix)
        return Genome(tuple(cells))

    def to_json(self) -> list[list[list[int]]]:
        """Plain nested lists (JSON-ready)."""
        return [m.tolist() for m in self.cells]

    @classmethod
    def from_json(cls, data: Sequence[Sequence[Sequence[int]]]) -> Genome:
        """Inverse of :meth:`to_json`."""
        return cls(tuple(np.asarray(c) for c in data))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Genome):
            return NotImplemented
        return len(self.cells) == len(other.cells) and all(
            a.shape == b.shape and np.array_equal(a, b) for a, b in zip(self.cells, other.cells)
        )

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        return f"Genome({self.key!r})"


def digest(text: str) -> str:
    """A short, stable hash of a text (the building block of the spaces' canonical keys)."""
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def _is_frozen(cell: object) -> bool:
    """A read-only int64 matrix that owns its data (nothing else can write to it)."""
    return isinstance(cell, np.ndarray) and cell.dtype == np.int64 and not cell.flags.writeable and cell.flags.owndata


def _cell_key(m: np.ndarray) -> str:
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        return repr(m.tolist())
    n = m.shape[0]
    diagonal = bool(np.diagonal(m).any())
    return f"{n}{'d' if diagonal else ''}:" + "".join(_digit(v) for v in m[_upper(n, 0 if diagonal else 1)].tolist())


@functools.lru_cache(maxsize=None)
def _upper(n: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.triu_indices(n, k)``, computed once per shape: keys are asked for in every lookup of a search."""
    rows, cols = np.triu_indices(n, k)
    rows.setflags(write=False)
    cols.setflags(write=False)
    return rows, cols


def _digit(v: int) -> str:
    return "0123456789abcdefghijklmnopqrstuvwxyz"[v] if 0 <= v < 36 else f"({v})"


def parse_key(key: str) -> Genome:
    """Inverse of :attr:`Genome.key` for square matrices with codes below 36."""
    cells = []
    for part in key.split("/"):
        size, _, digits = part.partition(":")
        diagonal = size.endswith("d")
        n = int(size.removesuffix("d"))
        m = np.zeros((n, n), dtype=np.int64)
        m[np.triu_indices(n, 0 if diagonal else 1)] = [int(d, 36) for d in digits]
        cells.append(m)
    return Genome(tuple(cells))
