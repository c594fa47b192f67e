"""Ground-truth tables of trained architectures, read to *report* what a search found, never during it.

A training-free search reads no accuracy; ``--ground-truth`` names a benchmark table (the
shared NAS-Bench-201 one: ``index``, ``arch``, ``cifar10_test_acc``, ...) whose test accuracy
is looked up for the result afterwards. The table is read and checked by the one reader of
tables (:func:`evonas.tables.read_arch_table`) before the search starts, so a wrong path,
column or value costs seconds, not a finished search.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from evonas.encodings import Genome, SearchSpace, get_space
from evonas.tables import FINITE, INDEX, PERCENT, ArchTable, read_arch_table

ACCURACY = "cifar10_test_acc"


@dataclass(frozen=True)
class GroundTruth:
    """A table of trained accuracies, looked up by network (an architecture's row, however its text was written).

    Attributes:
        table: the checked table.
        accuracy: the column :meth:`report` reads (an accuracy in percent).
    """

    table: ArchTable
    accuracy: str = ACCURACY

    @property
    def frame(self) -> pd.DataFrame:
        """The table's rows: the architecture column (canonical text) and the value columns read."""
        return self.table.frame

    @classmethod
    def read(cls, source: str | Path | pd.DataFrame, space: str | SearchSpace,
             columns: Sequence[str] = ("arch", ACCURACY), *, accuracy: str = ACCURACY,
             flag: str = "--ground-truth") -> GroundTruth:
        """Read and check a CSV (or a DataFrame) of ``space``'s architectures; every problem is one error line.

        Args:
            source: the table, or a DataFrame already read.
            space: the space (or its name) whose notation the first of ``columns`` holds.
            columns: the architecture column, then the value columns needed (each a finite number).
            accuracy: the column :meth:`report` reads, a number in [0, 100] (default: CIFAR-10 test accuracy).
            flag: the option the table was given with, for messages.
        """
        arch, *others = columns
        values = {**{c: FINITE for c in others}, accuracy: PERCENT}
        rules = get_space(space) if isinstance(space, str) else space
        return cls(read_arch_table(source, rules, arch=arch, values=values, optional={"index": INDEX}, flag=flag),
                   accuracy)

    def report(self, arch: Genome | str) -> dict[str, Any]:
        """True accuracy, rank (1 = best) and benchmark index of an architecture (genome or text), ready for JSON."""
        acc = self.frame[self.accuracy].to_numpy(float)
        out: dict[str, Any] = {"true_acc": None, "true_rank": None, "table_size": len(acc),
                               "table_best_acc": float(acc.max())}
        row = self.table.row(arch)
        if row is not None:
            value = float(acc[row])
            out.update(true_acc=value, true_rank=int((acc > value).sum()) + 1)
            if "index" in self.frame:
                out["index"] = int(self.frame["index"].iloc[row])
        return out
