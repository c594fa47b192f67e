"""NAS-Bench-201 (Dong & Yang, ICLR 2020): a 4-node cell, every edge present or ``none``.

Op codes follow the SWAP paper's Fig. 12; code 0 is ``none`` (no edge). Native notation:
``|op~0|+|op~0|op~1|+|op~0|op~1|op~2|``, one ``+``-separated group per node 1..3 listing
its incoming edges from nodes 0..j-1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from evonas.encodings.genome import Genome, digest
from evonas.encodings.space import SPACES, CellRules, NativeOrGenome, SearchSpace
from evonas.errors import InvalidGenomeError

if TYPE_CHECKING:
    import torch.nn as nn  # annotations only: the spaces' rules load without torch

NB201_OPS = {1: "nor_conv_3x3", 2: "nor_conv_1x1", 3: "avg_pool_3x3", 4: "skip_connect"}
_NONE = "none"


@SPACES.register("nb201")
class NB201Space(SearchSpace):
    """The NAS-Bench-201 cell space: 5 choices on 6 edges, 15,625 cells.

    Network arguments for :meth:`build`: ``C`` (16), ``N`` cells per stage (5), ``num_classes`` (10).
    """

    name = "nb201"
    cell_names = ("cell",)
    scoring_net_args = {"C": 16, "N": 5}
    pool_stem = True
    tiny_net_args = {"C": 8, "N": 1}
    additive_params = True
    rules = CellRules(n_nodes=4, n_inputs=1, ops=NB201_OPS, search_ops=(1, 2, 3, 4))

    def from_native(self, text: str) -> Genome:
        if not isinstance(text, str):
            raise InvalidGenomeError(f"nb201: expected an architecture string, got {type(text).__name__}")
        groups = text.strip().split("+")
        n = self.rules.n_nodes
        if len(groups) != n - 1:
            raise InvalidGenomeError(
                f"nb201: expected {n - 1} '+'-separated node groups like "
                f"'|nor_conv_3x3~0|+|none~0|skip_connect~1|+|...~0|...~1|...~2|', got {len(groups)} in {text!r}"
            )
        m = np.zeros((n, n), dtype=np.int64)
        for j, group in enumerate(groups, start=1):
            g = group.strip()
            if not (g.startswith("|") and g.endswith("|") and len(g) > 1):
                raise InvalidGenomeError(f"nb201: node {j} group {group!r} must look like '|op~0|op~1|'")
            edges = g[1:-1].split("|")
            if len(edges) != j:
                raise InvalidGenomeError(f"nb201: node {j} needs {j} incoming edge(s) (from nodes 0..{j - 1}), got {group!r}")
            for expected_src, edge in enumerate(edges):
                op, sep, src = edge.partition("~")
                if not sep or not src.isdigit() or int(src) != expected_src:
                    raise InvalidGenomeError(
                        f"nb201: node {j}, edge {edge!r}: expected 'op~{expected_src}' (edges listed by source 0..{j - 1})"
                    )
                m[expected_src, j] = 0 if op == _NONE else self.rules.op_code(op, f"nb201: node {j}, edge {edge!r}")
        return self.validate(Genome((m,)))

    def to_native(self, genome: Genome) -> str:
        (m,) = self.validate(genome).cells
        ops = {0: _NONE, **self.rules.ops}
        groups = ("|" + "|".join(f"{ops[int(m[i, j])]}~{i}" for i in range(j)) + "|" for j in range(1, self.rules.n_nodes))
        return "+".join(groups)

    def edges(self, arch: NativeOrGenome) -> list[tuple[int, int, str]]:
        """All six ``(source, target, op)`` edges, ``none`` included, as the builder takes them."""
        (m,) = self._genome(arch).cells
        ops = {0: _NONE, **self.rules.ops}
        n = self.rules.n_nodes
        return [(i, j, ops[int(m[i, j])]) for j in range(1, n) for i in range(j)]

    def build(self, arch: NativeOrGenome, *, C: int = 16, N: int = 5, num_classes: int = 10, pool: int = 1) -> nn.Module:
        """The benchmark's network around this cell; ``pool``: an average-pool stem of that stride (:func:`~evonas.networks.pooled`)."""
        from evonas.networks import NB201Network, pooled

        return pooled(NB201Network(self.edges(arch), C=C, N=N, num_classes=num_classes), pool)

    def canonical_key(self, genome: Genome) -> str:
        """Hash of the cell's output as an expression: node = sum of op(source) over its edges.

        Sums are unordered (isomorphic cells share a key), ``skip_connect`` is the identity,
        and a node with no input (all ``none``) is zero, so edges out of it vanish.
        """
        (m,) = self.validate(genome).cells
        expr: list[str | None] = ["x"]
        for j in range(1, self.rules.n_nodes):
            terms = sorted(
                expr[i] if m[i, j] == 4 else f"{self.rules.ops[int(m[i, j])]}({expr[i]})"
                for i in range(j)
                if m[i, j] != 0 and expr[i] is not None
            )
            expr.append(digest("+".join(terms)) if terms else None)
        return expr[-1] or "zero"

    def _genome(self, arch: NativeOrGenome) -> Genome:
        return self.from_native(arch) if isinstance(arch, str) else self.validate(arch)
