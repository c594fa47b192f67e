"""A benchmark table as the evaluator: an architecture's validation accuracy is looked up (a query).

What a search reads is the validation column only; the test column is for reporting what
it found, afterwards. An architecture the table does not hold is a failed evaluation
(:class:`~evonas.errors.NotInTableError`), not the end of the search.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from evonas import truth
from evonas.encodings import Genome, SearchSpace, get_space
from evonas.errors import ConfigError, DataError, EvonasError, NotInTableError
from evonas.evaluation import Evaluation


@dataclass(frozen=True)
class TableEvaluator:
    """A benchmark table as the "training": an architecture's accuracy is looked up (a query).

    Args:
        space: registered space name; the table's ``arch_col`` holds its native notation.
        accuracy: native text -> validation accuracy (what the search reads).
        params: native text -> parameter count of the benchmark's network, where the table has
            one (otherwise the space's default network is counted).
        where: the table's path, for messages.
    """

    space: str
    accuracy: dict[str, float]
    params: dict[str, int] = field(default_factory=dict)
    where: str = "<table>"

    @classmethod
    def read(cls, path: str | Path, space: str, *, valid_col: str, test_col: str | None = None,
             arch_col: str = "arch", params_col: str | None = "params_m_cifar10") -> TableEvaluator:
        """Read and check a CSV table; every problem is one error line naming the file and the column."""
        frame = read_table(path, needs=(arch_col, valid_col))
        if test_col is not None and test_col == valid_col:
            raise ConfigError(f"--valid-col and --test-col are both {valid_col!r}: a search must not read the "
                              "accuracy it is reported with (that fits the test set)")
        rules = get_space(space)
        for row, text in enumerate(frame[arch_col].astype(str)):  # every row: a bad one fails now, not mid-search
            try:
                rules.from_native(text)
            except EvonasError as err:
                raise DataError(f"--table {path}: column {arch_col!r} row {row + 2} is not a {space} architecture "
                                f"({err})") from None
        values = pd.to_numeric(frame[valid_col], errors="coerce")
        if values.isna().any():
            row = int(values.isna().to_numpy().argmax())
            raise DataError(f"--table {path}: column {valid_col!r} row {row + 2} is not a number: {frame[valid_col].iloc[row]!r}")
        sizes = {}
        if params_col and params_col in frame:
            scale = 1e6 if params_col.startswith("params_m") else 1.0
            sizes = {str(a): int(round(float(p) * scale)) for a, p in zip(frame[arch_col], frame[params_col])}
        return cls(space, dict(zip(frame[arch_col].astype(str), values.astype(float))), sizes, str(path))

    @cached_property
    def _space(self) -> SearchSpace:
        return get_space(self.space)

    def __call__(self, genome: Genome | str, parent: Genome | None = None) -> Evaluation:
        native = genome if isinstance(genome, str) else self._space.to_native(genome)
        if native not in self.accuracy:
            raise NotInTableError(f"--table {self.where}: architecture {native} is not in the table "
                                  f"({len(self.accuracy)} rows)")
        size = self.params.get(native)
        return Evaluation(self.accuracy[native], size if size is not None else self._space.count_params(native))

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}


def read_table(path: str | Path, needs: tuple[str, ...]) -> pd.DataFrame:
    """A ``--table`` CSV with the columns ``needs`` (see :func:`evonas.truth.read_table`)."""
    return truth.read_table(path, needs, hint="; name the columns with --valid-col / --test-col")
