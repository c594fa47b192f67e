"""Tables of architectures: one reader for every CSV that names architectures, one a row, with numbers beside them.

Ground truth (``--ground-truth``), the table evaluator (``--table``), latency tables
(``--latency-table``, and the run's own ``latency.csv``) and the architecture lists of
other commands all read the same way, as scikit-learn's ``check_array`` checks every
estimator's input: :func:`read_arch_table` parses each architecture with the space's own
parser (never ``eval``), keys it by the space's :meth:`~evonas.encodings.SearchSpace.network_key`
(the key of the score cache: whitespace and notation variants of one network meet),
refuses two rows of one network naming both, and checks every value column finite and in
its declared :class:`Range`. Each problem is one line naming the file, the row (the header
is row 1) and the column, raised before a search writes anything. ``evonas correlate``,
whose tables hold architectures a genome cannot (DARTS genotypes with no matrix), reads
its table by the same checks of columns, values and repeated rows (:func:`check_columns`,
:func:`unique_rows`), keyed by the text written.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Mapping, Sequence

import numpy as np
import pandas as pd

from evonas.encodings import Genome, SearchSpace
from evonas.errors import DataError, EvonasError


@dataclass(frozen=True)
class Range:
    """What a value column may hold: finite numbers from ``low`` to ``high`` (``open_low``: ``low`` itself excluded)."""

    low: float = -math.inf
    high: float = math.inf
    open_low: bool = False

    def holds(self, values: np.ndarray) -> np.ndarray:
        """Which of ``values`` are finite and in range."""
        above = values > self.low if self.open_low else values >= self.low
        return np.isfinite(values) & above & (values <= self.high)

    def __str__(self) -> str:
        if math.isinf(self.low) and math.isinf(self.high):
            return "a finite number"
        if math.isinf(self.high):
            return f"a finite number {'>' if self.open_low else '>='} {self.low:g}"
        return f"a number in {'(' if self.open_low else '['}{self.low:g}, {self.high:g}]"


#: any finite number
FINITE = Range()
#: an accuracy in percent
PERCENT = Range(0, 100)
#: a size or a time: a finite number above 0
POSITIVE = Range(0, open_low=True)
#: a benchmark's row index
INDEX = Range(0)


@dataclass(frozen=True)
class ArchTable:
    """A checked table: one row per network, in file order.

    Attributes:
        where: the flag and file, for messages (``--table runs/t.csv``).
        space: the space whose notation the architecture column holds.
        arch: the name of the architecture column.
        frame: the architecture column, now the space's canonical text (``to_native``), and
            the value columns asked for, as floats; index 0..n-1.
        genomes: each row's genome.
        rows: network key -> row position in ``frame``.
        repeats: with ``duplicates="first"``, each row left out as ``(its file row, the row it repeats)``
            (the header is row 1), so a caller can say what it dropped.
    """

    where: str
    space: SearchSpace
    arch: str
    frame: pd.DataFrame
    genomes: tuple[Genome, ...]
    rows: dict[str, int]
    repeats: tuple[tuple[int, int], ...] = ()

    def key(self, arch: Genome | str) -> str:
        """The network key of a genome or of text in the space's notation (what rows are looked up by)."""
        genome = self.space.from_native(arch.strip()) if isinstance(arch, str) else arch
        return self.space.network_key(genome)

    def row(self, arch: Genome | str) -> int | None:
        """The row position of ``arch``'s network, None if the table does not hold it."""
        return self.rows.get(self.key(arch))

    def column(self, name: str) -> dict[str, float]:
        """``network key -> value`` of one value column (a plain dict: it travels to workers cheaply)."""
        return dict(zip(self.rows, self.frame[name].to_numpy(float).tolist()))

    def __len__(self) -> int:
        return len(self.frame)


def read_arch_table(
    source: str | Path | pd.DataFrame,
    space: SearchSpace,
    *,
    arch: str = "arch",
    values: Mapping[str, Range] | None = None,
    optional: Mapping[str, Range] | None = None,
    flag: str = "--table",
    hint: str = "",
    duplicates: Literal["refuse", "first"] = "refuse",
) -> ArchTable:
    """Read, parse and check a table of ``space``'s architectures; every problem is one :class:`DataError` line.

    Args:
        source: a CSV file, or a DataFrame already read (named ``<table>`` in messages).
        space: the search space whose notation the column ``arch`` holds.
        arch: the architecture column.
        values: the value columns the table must have, each with the range its values must lie in.
        optional: value columns checked and kept where the table has them.
        flag: the option the file was given with, for messages.
        hint: appended to the message of a missing column (how to name another).
        duplicates: ``"refuse"`` two rows of one network (naming both), or keep the ``"first"``
            (a cache that two workers may both have written to).
    """
    where, frame = text_table(source, flag)
    numbers = check_columns(frame, where, required=(arch,), values=values, optional=optional, hint=hint)
    genomes = [_parse(space, text, where, f"row {p + 2}, column {arch!r}") for p, text in enumerate(frame[arch])]
    keys = [space.network_key(genome) for genome in genomes]
    kept, repeats = unique_rows(keys, frame[arch].tolist(), where, f"{space.name} network", duplicates=duplicates)
    out = pd.DataFrame({arch: [space.to_native(genomes[p]) for p in kept], **{c: v[kept] for c, v in numbers.items()}})
    return ArchTable(where, space, arch, out, tuple(genomes[p] for p in kept), {keys[p]: i for i, p in enumerate(kept)},
                     tuple(repeats))


def text_table(source: str | Path | pd.DataFrame, flag: str) -> tuple[str, pd.DataFrame]:
    """(where, table): a CSV file, every cell as the text written, or a DataFrame already read (``<table>`` in messages)."""
    if isinstance(source, pd.DataFrame):
        return f"{flag} <table>", source.astype(str)
    where = f"{flag} {source}"
    return where, _read_csv(Path(source), where)


def check_columns(frame: pd.DataFrame, where: str, *, required: Sequence[str] = (),
                  values: Mapping[str, Range] | None = None, optional: Mapping[str, Range] | None = None,
                  hint: str = "") -> dict[str, np.ndarray]:
    """The checks of every table's columns, before its architectures are read: the value columns as floats.

    A column named twice, a ``required`` or ``values`` column missing (``hint`` appended:
    how to name another), no rows, or a value that is not a number in its :class:`Range`
    (``optional`` columns: where present) is one :class:`DataError` line naming ``where``,
    the row and the column.
    """
    values, optional = dict(values or {}), dict(optional or {})
    twice = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
    if twice:
        raise DataError(f"{where}: column {', '.join(map(repr, twice))} appears twice")
    missing = [c for c in (*required, *values) if c not in frame.columns]
    if missing:
        raise DataError(f"{where}: no column {', '.join(map(repr, missing))} "
                        f"(it has {', '.join(map(str, frame.columns)) or 'none'}){hint}")
    if not len(frame):
        raise DataError(f"{where}: no rows (a header and one row per architecture)")
    checks = {**values, **{c: r for c, r in optional.items() if c in frame.columns}}
    return {column: _numbers(frame[column], column, allowed, where) for column, allowed in checks.items()}


def unique_rows(keys: Sequence[str], texts: Sequence[str], where: str, what: str, *,
                duplicates: Literal["refuse", "first"] = "refuse") -> tuple[list[int], list[tuple[int, int]]]:
    """The positions to keep, the first of each key, and each row left out as (its file row, the row it repeats).

    ``keys`` say which rows are one architecture (a network key; text where there is no
    genome), ``texts`` what each row holds, for the message. ``duplicates="refuse"``: a
    second row of a key is one :class:`DataError` line naming both rows (the header is row 1).
    """
    first: dict[str, int] = {}
    kept, repeats = [], []
    for position, key in enumerate(keys):
        if key not in first:
            first[key] = position
            kept.append(position)
        elif duplicates == "first":
            repeats.append((position + 2, first[key] + 2))
        else:
            raise DataError(f"{where}: rows {first[key] + 2} and {position + 2} are the same {what} "
                            f"({_short(texts[first[key]].strip())}); keep one row per architecture")
    return kept, repeats


def _read_csv(path: Path, where: str) -> pd.DataFrame:
    """Every cell as the text written (no NA guessing: ``n/a`` or an empty cell is refused by name, not read as NaN)."""
    if not path.is_file():
        raise DataError(f"{where}: no such file")
    try:
        rows = pd.read_csv(path, dtype=str, keep_default_na=False, header=None)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise DataError(f"{where}: not a CSV table ({' '.join(str(err).split())})") from None
    # the header is read as a row, so a column named twice keeps its name (pandas would rename it ``a.1``)
    return pd.DataFrame(rows.iloc[1:].to_numpy(), columns=list(rows.iloc[0]))


def _numbers(column: pd.Series, name: str, allowed: Range, where: str) -> np.ndarray:
    """The column as floats; the first text that is no number, or a number out of ``allowed``, is one error line."""
    numbers = pd.to_numeric(column.str.strip(), errors="coerce").to_numpy(float)
    bad = np.flatnonzero(~allowed.holds(numbers))
    if len(bad):
        row = int(bad[0])
        raise DataError(f"{where}: row {row + 2}, column {name!r}: {column.iloc[row]!r} is not {allowed}")
    return numbers


def _parse(space: SearchSpace, text: str, where: str, at: str) -> Genome:
    try:
        return space.from_native(text.strip())
    except (EvonasError, ValueError) as err:
        reason = " ".join(str(err).split())
        raise DataError(f"{where}: {at}: {_short(text)!r} is not a {space.name} architecture ({reason})") from None


def _short(text: str, n: int = 80) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."
