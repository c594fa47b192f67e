"""A benchmark table as the evaluator: an architecture's validation accuracy is looked up (a query).

What a search reads is the validation column only; the test column is for reporting what
it found, afterwards. An architecture the table does not hold is a failed evaluation
(:class:`~evonas.errors.NotInTableError`), not the end of the search. The table is read
by the one reader of tables (:func:`evonas.tables.read_arch_table`): rows are looked up
by network, so however an architecture's text is written it finds its row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from evonas.encodings import Genome, SearchSpace, get_space
from evonas.errors import ConfigError, NotInTableError
from evonas.evaluation import Evaluation
from evonas.tables import INDEX, PERCENT, POSITIVE, ArchTable, read_arch_table

#: the column of parameter counts the shared NAS-Bench-201 table has (in millions)
PARAMS_COLUMN = "params_m_cifar10"
#: how to name other columns, added to a missing column's message
HINT = "; name the columns with --valid-col / --test-col"


@dataclass(frozen=True)
class TableEvaluator:
    """A benchmark table as the "training": an architecture's accuracy is looked up (a query).

    Args:
        space: registered space name; the table's architecture column holds its native notation.
        accuracy: network key -> validation accuracy (what the search reads).
        params: network key -> parameter count of the benchmark's network, where the table has
            one (otherwise the space's default network is counted).
        where: the flag and path of the table, for messages.
    """

    space: str
    accuracy: dict[str, float]
    params: dict[str, int] = field(default_factory=dict)
    where: str = "--table <table>"

    @classmethod
    def read(cls, path: str | Path, space: str, *, valid_col: str, test_col: str | None = None,
             arch_col: str = "arch", params_col: str | None = PARAMS_COLUMN) -> TableEvaluator:
        """Read and check a CSV table; every problem is one error line naming the file, the row and the column."""
        return cls.of(read_table(path, get_space(space), valid_col=valid_col, test_col=test_col, arch_col=arch_col,
                           params_col=params_col), valid_col, params_col)

    @classmethod
    def of(cls, table: ArchTable, valid_col: str, params_col: str | None = PARAMS_COLUMN) -> TableEvaluator:
        """The evaluator of a table from :func:`read_table` (``params_col`` in millions if it starts ``params_m``)."""
        sizes = {}
        if params_col is not None and params_col in table.frame:
            scale = 1e6 if params_col.startswith("params_m") else 1.0
            sizes = {key: int(round(p * scale)) for key, p in table.column(params_col).items()}
        return cls(table.space.name, table.column(valid_col), sizes, table.where)

    @cached_property
    def _space(self) -> SearchSpace:
        return get_space(self.space)

    def __call__(self, genome: Genome | str, parent: Genome | None = None) -> Evaluation:
        genome = self._space.from_native(genome.strip()) if isinstance(genome, str) else genome
        key = self._space.network_key(genome)
        if key not in self.accuracy:
            raise NotInTableError(f"{self.where}: architecture {self._space.to_native(genome)} is not in the table "
                                  f"({len(self.accuracy)} rows)")
        size = self.params.get(key)
        return Evaluation(self.accuracy[key], size if size is not None else self._space.count_params(genome))

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}


def read_table(path: str | Path, space: SearchSpace, *, valid_col: str, test_col: str | None = None,
               arch_col: str = "arch", params_col: str | None = PARAMS_COLUMN,
               optional: tuple[str, ...] = ()) -> ArchTable:
    """A ``--table`` CSV checked for a search: the validation (and test) accuracies in [0, 100], sizes above 0.

    ``optional`` names more accuracy columns checked where the table has them (the default
    test column); a benchmark ``index`` is checked and kept where there is one. A search
    must not read the accuracy it is reported with, so ``valid_col`` and ``test_col`` differ.
    """
    if test_col is not None and test_col == valid_col:
        raise ConfigError(f"--valid-col and --test-col are both {valid_col!r}: a search must not read the "
                          "accuracy it is reported with (that fits the test set)")
    values = {valid_col: PERCENT, **({test_col: PERCENT} if test_col is not None else {})}
    extra = {**{c: PERCENT for c in optional}, **({params_col: POSITIVE} if params_col is not None else {}),
             "index": INDEX}
    return read_arch_table(path, space, arch=arch_col, values=values, optional=extra, flag="--table", hint=HINT)
