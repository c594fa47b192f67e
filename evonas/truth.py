"""Ground-truth tables of trained architectures, read to *report* what a search found, never during it.

A training-free search reads no accuracy; ``--ground-truth`` names a benchmark table (the
shared NAS-Bench-201 one: ``index``, ``arch``, ``cifar10_test_acc``, ...) whose test accuracy
is looked up for the result afterwards. The table is read and checked before the search
starts, so a wrong path or column costs seconds, not a finished search.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from evonas.errors import ConfigError, DataError

#: Spaces whose native notation the NAS-Bench-201 tables use.
TABLE_SPACES = ("nb201",)
ACCURACY = "cifar10_test_acc"


@dataclass(frozen=True)
class GroundTruth:
    """A table of trained accuracies keyed by architecture text (``arch``)."""

    path: Path
    frame: pd.DataFrame
    accuracy: str = ACCURACY

    @classmethod
    def read(cls, source: str | Path | pd.DataFrame, space: str, columns: Sequence[str] = ("arch", ACCURACY),
             *, accuracy: str = ACCURACY, flag: str = "--ground-truth") -> GroundTruth:
        """Read and check a CSV (or a DataFrame) for a search over ``space``; every problem is one error line.

        ``accuracy`` is the column :meth:`report` reads (default: CIFAR-10 test accuracy).
        """
        path = Path("<table>") if isinstance(source, pd.DataFrame) else Path(source)
        if space not in TABLE_SPACES:
            raise ConfigError(f"{flag} {path}: tables of trained accuracies exist for {', '.join(TABLE_SPACES)}, "
                              f"not for space {space!r}")
        frame = source if isinstance(source, pd.DataFrame) else read_table(path, columns, flag=flag)
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise DataError(f"{flag} {path}: no column {', '.join(map(repr, missing))} "
                            f"(it has {', '.join(map(str, frame.columns))})")
        return cls(path, frame, accuracy)

    def report(self, native: str) -> dict[str, Any]:
        """True test accuracy, rank (1 = best) and benchmark index of one architecture, as JSON-ready values."""
        acc = self.frame[self.accuracy]
        hit = self.frame.loc[self.frame["arch"] == native]
        out: dict[str, Any] = {"true_acc": None, "true_rank": None, "table_size": len(self.frame),
                               "table_best_acc": float(acc.max())}
        if len(hit):
            value = float(hit[self.accuracy].iloc[0])
            out.update(true_acc=value, true_rank=int((acc > value).sum()) + 1)
            if "index" in hit:
                out["index"] = int(hit["index"].iloc[0])
        return out


def read_table(path: str | Path, needs: Sequence[str], *, flag: str = "--table", hint: str = "") -> pd.DataFrame:
    """A CSV table with the columns ``needs`` (the first, the architecture text, read as text); one error line else."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{flag} {path}: no such file")
    try:
        frame = pd.read_csv(path, dtype={needs[0]: str})
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise DataError(f"{flag} {path}: not a CSV table ({err})") from None
    missing = [c for c in needs if c not in frame.columns]
    if missing:
        raise DataError(f"{flag} {path}: no column {', '.join(map(repr, missing))} "
                        f"(it has {', '.join(map(str, frame.columns))}){hint}")
    return frame
