"""The DARTS ``Genotype(...)`` notation: a safe parser and printer.

A genotype lists, per cell, two ``(op, input)`` pairs for each intermediate node, plus the
nodes concatenated into the cell output. It can hold what a matrix cannot (two edges of one
node from the same predecessor), so networks are built from it directly.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from evonas.errors import InvalidGenomeError

Edge = tuple[str, int]

_FIELDS = ("normal", "normal_concat", "reduce", "reduce_concat")
_ARG = re.compile(r"\s*(\w+)\s*=\s*")


@dataclass(frozen=True)
class Genotype:
    """A DARTS genotype (Liu et al., 2019): ``normal``/``reduce`` edge lists and their concats."""

    normal: tuple[Edge, ...]
    normal_concat: tuple[int, ...]
    reduce: tuple[Edge, ...]
    reduce_concat: tuple[int, ...]

    def cell(self, name: str) -> tuple[tuple[Edge, ...], tuple[int, ...]]:
        """``(edges, concat)`` of the ``"normal"`` or ``"reduce"`` cell."""
        return getattr(self, name), getattr(self, f"{name}_concat")

    def __str__(self) -> str:
        def edges(es: tuple[Edge, ...]) -> str:
            return "[" + ", ".join(f"({op!r}, {i})" for op, i in es) + "]"

        def ints(xs: tuple[int, ...]) -> str:
            return "[" + ", ".join(map(str, xs)) + "]"

        return (
            f"Genotype(normal={edges(self.normal)}, normal_concat={ints(self.normal_concat)}, "
            f"reduce={edges(self.reduce)}, reduce_concat={ints(self.reduce_concat)})"
        )


def parse_genotype(text: str) -> Genotype:
    """Parse ``Genotype(normal=[...], normal_concat=[...], reduce=[...], reduce_concat=[...])``.

    Each argument is read with :func:`ast.literal_eval`, so no code in ``text`` is ever run.
    ``range(a, b)`` is accepted for the concats (the DARTS repo prints them that way).
    """
    stripped = text.strip()
    if not (stripped.startswith("Genotype(") and stripped.endswith(")")):
        raise InvalidGenomeError(
            f"not a DARTS genotype: expected 'Genotype(normal=[...], normal_concat=[...], "
            f"reduce=[...], reduce_concat=[...])', got {_short(text)}"
        )
    body = stripped[len("Genotype(") : -1]
    starts = list(_ARG.finditer(body))
    values: dict[str, object] = {}
    for k, match in enumerate(starts):
        if k == 0 and body[: match.start()].strip():
            raise InvalidGenomeError(f"DARTS genotype: unexpected text before {match.group(1)!r}")
        end = starts[k + 1].start() if k + 1 < len(starts) else len(body)
        raw = body[match.end() : end].strip().rstrip(",").strip()
        name = match.group(1)
        if name not in _FIELDS:
            raise InvalidGenomeError(f"DARTS genotype: unknown field {name!r}; fields are {', '.join(_FIELDS)}")
        if name in values:
            raise InvalidGenomeError(f"DARTS genotype: field {name!r} given twice")
        values[name] = _literal(name, raw)
    missing = [f for f in _FIELDS if f not in values]
    if missing:
        raise InvalidGenomeError(f"DARTS genotype: missing field(s) {', '.join(missing)}")
    return Genotype(
        normal=_edges("normal", values["normal"]),
        normal_concat=_ints("normal_concat", values["normal_concat"]),
        reduce=_edges("reduce", values["reduce"]),
        reduce_concat=_ints("reduce_concat", values["reduce_concat"]),
    )


def _literal(name: str, raw: str) -> object:
    m = re.fullmatch(r"range\(\s*(-?\d+)\s*,\s*(-?\d+)\s*\)", raw)
    if m:
        return list(range(int(m.group(1)), int(m.group(2))))
    try:
        return ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        raise InvalidGenomeError(f"DARTS genotype: field {name!r} is not a literal list: {_short(raw)}") from None


def _edges(name: str, value: object) -> tuple[Edge, ...]:
    if not isinstance(value, (list, tuple)):
        raise InvalidGenomeError(f"DARTS genotype: {name!r} must be a list of (op, input) pairs")
    out = []
    for k, item in enumerate(value):
        if not (
            isinstance(item, (list, tuple))
            and len(item) == 2
            and isinstance(item[0], str)
            and isinstance(item[1], int)
            and not isinstance(item[1], bool)
        ):
            raise InvalidGenomeError(f"DARTS genotype: {name}[{k}] must be an (op, input) pair, got {item!r}")
        out.append((item[0], item[1]))
    return tuple(out)


def _ints(name: str, value: object) -> tuple[int, ...]:
    if not (isinstance(value, (list, tuple)) and all(isinstance(x, int) and not isinstance(x, bool) for x in value)):
        raise InvalidGenomeError(f"DARTS genotype: {name!r} must be a list of node indices, got {value!r}")
    return tuple(value)


def _short(text: str, n: int = 80) -> str:
    return repr(text if len(text) <= n else text[:n] + "...")
