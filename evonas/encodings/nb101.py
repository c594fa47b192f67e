"""NAS-Bench-101 (Ying et al., ICML 2019): a DAG of at most 7 nodes whose ops sit on the nodes.

The genome is the benchmark's own encoding, the 7×7 upper-triangular adjacency matrix, with
each intermediate node's op code on the diagonal (``m[j, j]``): the node ops then travel with
their nodes when a permutation relabels the graph, node-incoming crossover swaps a node's
inputs *and* its op (one column), and op-mutation sees a node's op as one more position
beside the edges. Edges are plain connections (code 1). Nodes on no input-to-output path are
allowed and pruned, as the benchmark's model spec prunes them, and the 9-edge limit counts
the pruned cell; a cell of fewer nodes is a genome whose spare nodes are such dead nodes.
These limits are not per-node, so a crossover child may break them (too many edges, no
path left); the shared operator then hands back its parent.

Native notation: the benchmark API's model spec as JSON text,
``{"matrix": [[0, 1, ...], ...], "ops": ["input", "conv3x3-bn-relu", ..., "output"]}``,
read with :func:`json.loads` (never evaluated). :meth:`NB101Space.to_native` writes the
pruned spec, as the benchmark stores it.
"""

from __future__ import annotations

import functools
import itertools
import json
from typing import TYPE_CHECKING, Any

import numpy as np

from evonas.encodings.genome import Genome, digest
from evonas.encodings.space import SPACES, CellRules, NativeOrGenome, SearchSpace
from evonas.errors import InvalidGenomeError

if TYPE_CHECKING:
    import networkx as nx
    import torch.nn as nn  # annotations only: the spaces' rules load without torch

NB101_NODE_OPS = {1: "conv3x3-bn-relu", 2: "conv1x1-bn-relu", 3: "maxpool3x3"}
INPUT, OUTPUT = "input", "output"
_N = 7
_EDGE = 1


@SPACES.register("nb101")
class NB101Space(SearchSpace):
    """The NAS-Bench-101 cell space: ≤ 7 nodes, ≤ 9 edges, 3 node ops; 423,624 distinct cells.

    The count is the paper's, and ``benchmarks/bench_spaces.py`` arrives at it by counting
    the isomorphism classes of pruned labelled cells.

    Network arguments for :meth:`build`: ``C`` stem channels (128), ``stacks`` (3), ``cells``
    per stack (3), ``num_classes`` (10): the benchmark's CIFAR-10 network by default.
    """

    name = "nb101"
    cell_names = ("cell",)
    #: the scoring network: the benchmark's skeleton, narrow (16 stem channels) and one cell per stack
    scoring_net_args = {"C": 16, "cells": 1}
    pool_stem = True
    tiny_net_args = {"C": 8, "cells": 1}
    additive_params = False  # a node's width and its projections depend on the wiring
    rules = CellRules(
        n_nodes=_N, n_inputs=1, ops={_EDGE: "edge"}, search_ops=(_EDGE,), node_ops=NB101_NODE_OPS, max_edges=9, prune=True
    )

    # ---- notation ----------------------------------------------------------------------
    def from_native(self, text: str) -> Genome:
        """Parse a model spec ``{"matrix": ..., "ops": ...}`` (JSON text) into a genome."""
        matrix, ops = self.parse(text)
        n = len(ops)
        m = np.zeros((_N, _N), dtype=np.int64)
        place = [*range(n - 1), _N - 1]  # spec node k -> genome node; spare nodes stay dead
        for a, b in zip(*np.nonzero(matrix)):
            m[place[a], place[b]] = _EDGE
        for j in range(1, _N - 1):
            m[j, j] = self.rules.node_op_code(ops[j], f"nb101: ops[{j}]") if j < n - 1 else 1  # spare: any op
        return self.validate(Genome((m,)))

    def parse(self, text: str) -> tuple[np.ndarray, list[str]]:
        """Check model-spec JSON text: a square 0/1 upper-triangular matrix of 2..7 nodes and its op names."""
        if not isinstance(text, str):
            raise InvalidGenomeError(f"nb101: expected model-spec JSON text, got {type(text).__name__}")
        try:
            spec = json.loads(text)
        except json.JSONDecodeError as err:
            raise InvalidGenomeError(f"nb101: not JSON ({err.msg} at character {err.pos}): {text[:60]!r}") from None
        if not isinstance(spec, dict) or set(spec) != {"matrix", "ops"}:
            keys = sorted(spec) if isinstance(spec, dict) else type(spec).__name__
            raise InvalidGenomeError(f'nb101: a model spec is an object with keys "matrix" and "ops", got {keys}')
        ops, rows = spec["ops"], spec["matrix"]
        if not isinstance(ops, list) or not all(isinstance(o, str) for o in ops) or not 2 <= len(ops) <= _N:
            raise InvalidGenomeError(f'nb101: "ops" must be a list of 2..{_N} op names, got {ops!r}')
        n = len(ops)
        if (
            not isinstance(rows, list)
            or len(rows) != n
            or not all(isinstance(r, list) and len(r) == n and all(v in (0, 1) and not isinstance(v, float) for v in r) for r in rows)
        ):
            raise InvalidGenomeError(f'nb101: "matrix" must be {n}x{n} (one row per op) of 0/1 entries, got {rows!r}')
        matrix = np.array(rows, dtype=np.int64)
        below = np.argwhere(np.tril(matrix) != 0)
        if len(below):
            i, j = below[0]
            raise InvalidGenomeError(f"nb101: matrix[{i}][{j}] = 1 is on or below the diagonal; edges go from a lower to a higher node")
        if ops[0] != INPUT or ops[-1] != OUTPUT:
            raise InvalidGenomeError(f'nb101: "ops" must start with "input" and end with "output", got {ops!r}')
        for k, op in enumerate(ops[1:-1], start=1):
            self.rules.node_op_code(op, f"nb101: ops[{k}]")
        return matrix, ops

    def to_native(self, genome: Genome) -> str:
        """The pruned model spec as compact JSON text."""
        matrix, ops = self.spec(genome)
        return json.dumps({"matrix": matrix.tolist(), "ops": ops}, separators=(", ", ": "))

    def spec(self, arch: NativeOrGenome) -> tuple[np.ndarray, list[str]]:
        """The pruned cell, as the benchmark's model spec holds it: 0/1 matrix and op names."""
        (m,) = self._genome(arch).cells
        live = np.flatnonzero(self.rules.live_nodes(m))
        matrix = (np.triu(m, 1)[np.ix_(live, live)] != 0).astype(np.int64)
        ops = [INPUT, *(NB101_NODE_OPS[int(m[j, j])] for j in live[1:-1]), OUTPUT]
        return matrix, ops

    # ---- networks ----------------------------------------------------------------------
    def build(self, arch: NativeOrGenome, *, C: int = 128, stacks: int = 3, cells: int = 3, num_classes: int = 10,
              pool: int = 1) -> nn.Module:
        """The benchmark's network (Ying et al. 2019, Sec. 2.1 and Fig. 1) around this cell; ``pool``: an
        average-pool stem of that stride (:func:`~evonas.networks.pooled`)."""
        from evonas.networks import NB101Network, pooled

        (m,) = self._genome(arch).cells
        ops = [INPUT, *(NB101_NODE_OPS[int(m[j, j])] for j in range(1, _N - 1)), OUTPUT]
        return pooled(NB101Network((np.triu(m, 1) != 0).astype(int).tolist(), ops, C=C, stacks=stacks, cells=cells,
                                   num_classes=num_classes), pool)

    def count_params(self, arch: NativeOrGenome, **net_args: Any) -> int:
        """Parameter count of ``build(arch, **net_args)`` from the channel arithmetic, building nothing.

        Not additive (a node's width depends on the wiring), but a closed sum all the same:
        see :func:`~evonas.networks.nb101.count_nb101_params`.
        """
        from evonas.networks.nb101 import count_nb101_params

        self.check_net_args(net_args)
        matrix, ops = self.spec(arch)
        return count_nb101_params(matrix, ops, **{k: v for k, v in net_args.items() if k != "pool"})  # a pool has none

    def cell_graphs(self, arch: NativeOrGenome) -> dict[str, nx.MultiDiGraph]:
        """The pruned cell as a graph: nodes labelled with their ops, edges plain (no op)."""
        import networkx as nx

        matrix, ops = self.spec(arch)
        g = nx.MultiDiGraph()
        short = {INPUT: "in", OUTPUT: "out", **{op: op.replace("-bn-relu", "") for op in NB101_NODE_OPS.values()}}
        for k, op in enumerate(ops):
            kind = "input" if k == 0 else "output" if k == len(ops) - 1 else "node"
            g.add_node(k, kind=kind, label=short[op])
        for i, j in zip(*np.nonzero(matrix)):
            g.add_edge(int(i), int(j), op="")
        return {"cell": g}

    # ---- keys --------------------------------------------------------------------------
    def network_key(self, genome: Genome) -> str:
        """The canonical key: genomes that share it build the same network (see :meth:`SearchSpace.network_key`).

        Remembered per genome (up to :data:`KEY_MEMO` of them): a search asks it of the same
        genome many times (cache, budget, mutation), and each costs a pruning and 120 orderings.
        """
        memo = self.__dict__.setdefault("_network_keys", {})
        key = memo.get(genome.key)
        if key is None:
            if len(memo) >= KEY_MEMO:
                memo.clear()
            key = memo[genome.key] = self.canonical_key(genome)
        return key

    def canonical_key(self, genome: Genome) -> str:
        """Hash of the pruned cell's canonical form: equal exactly for isomorphic labelled graphs.

        The benchmark's notion of one architecture: after pruning, graphs that differ only by
        numbering their intermediate nodes (ops moving with them) are the same cell. The form
        is the lexicographically least (ops, matrix) over all orders of the intermediate
        nodes (at most 5! = 120), so unlike a Weisfeiler-Lehman hash it cannot collide.
        """
        matrix, ops = self.spec(genome)  # spec validates
        labels = np.array([0, *(self.rules.node_op_code(o, "nb101") for o in ops[1:-1]), 9])
        return digest(canonical_form(matrix, labels).hex())

    def _genome(self, arch: NativeOrGenome) -> Genome:
        return self.from_native(arch) if isinstance(arch, str) else self.validate(arch)


#: most genomes whose network key an NB101 space remembers
KEY_MEMO = 1 << 16


def canonical_form(matrix: np.ndarray, labels: np.ndarray) -> bytes:
    """The least ``(labels, matrix)`` bytes over all orders of the nodes between the first and the last.

    ``matrix`` is an n×n 0/1 adjacency matrix, ``labels`` the n node labels (small ints); the
    first and last nodes (input and output) stay in place. Two labelled graphs get the same
    form exactly when they are isomorphic.
    """
    n = len(labels)
    perms = _orders(n)
    rows = np.concatenate(
        [labels[perms], matrix[perms[:, :, None], perms[:, None, :]].reshape(len(perms), -1)], axis=1
    ).astype(np.uint8)
    best = np.lexsort(rows.T[::-1])[0]
    return bytes([n]) + rows[best].tobytes()


@functools.lru_cache(maxsize=None)
def _orders(n: int) -> np.ndarray:
    """Every node order of an n-node cell that keeps node 0 first and node n-1 last."""
    inner = list(itertools.permutations(range(1, n - 1))) if n > 2 else [()]
    return np.array([[0, *p, n - 1] if n > 1 else [0] for p in inner], dtype=np.int64)
