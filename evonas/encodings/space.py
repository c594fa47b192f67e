"""Search spaces: the rules a valid cell obeys, described by data, and the space registry.

A space subclass adds only what is specific to it: its native notation (``from_native`` /
``to_native``), its network builder and its function-level canonical key. Sampling,
enumeration and validation are generic and driven by :class:`CellRules`, which describes
three kinds of cell: ops on edges (NAS-Bench-201, DARTS), ops on nodes, kept on the matrix
diagonal (NAS-Bench-101), and a chain of layers (a stack-based macro space).
"""

from __future__ import annotations

import functools
import itertools
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping, Union

import numpy as np

from evonas.encodings.genome import Genome
from evonas.errors import InvalidGenomeError
from evonas.registry import Registry

if TYPE_CHECKING:
    import networkx as nx
    import torch.nn as nn  # annotations only: the spaces' rules load without torch


@dataclass(frozen=True)
class CellRules:
    """What a valid cell of a space looks like.

    Attributes:
        n_nodes: nodes of the cell, inputs first, in topological order.
        n_inputs: how many leading nodes are inputs (they have no incoming edges).
        ops: op code -> op name; code 0 (no edge) is implicit.
        search_ops: the codes sampling and mutation draw from (a subset of ``ops``).
        in_degree: exact number of incoming edges of every non-input node, or None for any.
        require_connected: every non-input node must lie on a path from an input to the
            last node (the cell output).
        node_ops: op code -> op name of ops that sit on *nodes* (NAS-Bench-101): every
            intermediate node ``j`` holds one in the diagonal entry ``[j, j]``; edges are then
            plain connections (``ops`` has one code). Empty: the diagonal stays 0.
        max_edges: at most this many edges per cell (after pruning, with ``prune``).
        prune: nodes on no input-to-output path are allowed and ignored, as NAS-Bench-101's
            model spec prunes them; the output must still be reachable from an input.
        chain: node ``j`` takes its one edge from node ``j - 1`` only: a stack of layers, not
            a DAG (set ``in_degree=1``). An edge cannot move, so connectivity-mutation does not
            apply.
    """

    n_nodes: int
    n_inputs: int
    ops: Mapping[int, str]
    search_ops: tuple[int, ...]
    in_degree: int | None = None
    require_connected: bool = False
    node_ops: Mapping[int, str] = field(default_factory=dict)
    max_edges: int | None = None
    prune: bool = False
    chain: bool = False

    def __post_init__(self) -> None:
        assert not self.chain or self.in_degree == 1, "a chain has in-degree 1"

    @property
    def edge_values(self) -> tuple[int, ...]:
        """The codes an edge position may hold in search: ``search_ops``, and 0 (no edge, the
        ``none`` op) where a node's in-degree is free, as on NAS-Bench-201."""
        return (0, *self.search_ops) if self.in_degree is None else self.search_ops

    @property
    def op_nodes(self) -> range:
        """The nodes that carry an op on the diagonal (the intermediate ones), empty without ``node_ops``."""
        return range(self.n_inputs, self.n_nodes - 1) if self.node_ops else range(0)

    def values_at(self, i: int, j: int) -> tuple[int, ...]:
        """The codes position ``[i, j]`` may hold in search: a node op on the diagonal, else :attr:`edge_values`."""
        return tuple(self.node_ops) if i == j else self.edge_values

    @functools.cached_property
    def tables(self) -> tuple[np.ndarray, np.ndarray]:
        """``(legal, allowed)``: which edge codes exist (0 included), and where edges may be
        (strictly upper triangle, into non-input nodes; only ``[j - 1, j]`` in a chain);
        validation reads them, fast."""
        legal = np.zeros(max(self.ops) + 1, dtype=bool)
        legal[[0, *self.ops]] = True
        allowed = np.triu(np.ones((self.n_nodes, self.n_nodes), dtype=bool), 1)
        if self.chain:
            allowed = np.eye(self.n_nodes, k=1, dtype=bool)
        allowed[:, : self.n_inputs] = False
        return legal, allowed

    @functools.cached_property
    def open_positions(self) -> list[tuple[int, int]]:
        """Where an edge may be or not be (free in-degree), then the op-carrying nodes' diagonal entries."""
        allowed = self.tables[1]
        edges = [(i, j) for j in range(self.n_inputs, self.n_nodes) for i in range(j) if allowed[i, j]]
        return edges + [(j, j) for j in self.op_nodes]

    @functools.cached_property
    def node_table(self) -> np.ndarray:
        """``diagonal[j]`` -> legal codes per node: 0 for inputs and the output, the node ops inside."""
        legal = np.zeros((self.n_nodes, max(self.node_ops, default=0) + 1), dtype=bool)
        legal[:, 0] = True
        for j in self.op_nodes:
            legal[j] = False
            legal[j, list(self.node_ops)] = True
        return legal

    def live_nodes(self, m: np.ndarray) -> np.ndarray:
        """Which nodes lie on a path from an input to the output (a node-op cell's diagonal ignored)."""
        edges = np.triu(m, 1) != 0
        n = self.n_nodes
        forward = np.zeros(n, dtype=bool)
        forward[: self.n_inputs] = True
        for j in range(self.n_inputs, n):
            forward[j] = bool((forward[:j] & edges[:j, j]).any())
        backward = np.zeros(n, dtype=bool)
        backward[n - 1] = True
        for i in range(n - 2, -1, -1):
            backward[i] = bool((backward[i + 1 :] & edges[i, i + 1 :]).any())
        return forward & backward

    def op_code(self, name: str, where: str) -> int:
        """The code of op ``name``; unknown names say which ones exist."""
        for code, op in self.ops.items():
            if op == name:
                return code
        raise InvalidGenomeError(f"{where}: unknown op {name!r}; known ops: {', '.join(self.ops.values())}")

    def node_op_code(self, name: str, where: str) -> int:
        """The code of node op ``name``; unknown names say which node ops exist."""
        for code, op in self.node_ops.items():
            if op == name:
                return code
        raise InvalidGenomeError(f"{where}: unknown op {name!r}; node ops are {', '.join(self.node_ops.values())}")


NativeOrGenome = Union[Genome, str]


class SearchSpace(ABC):
    """A cell-based search space: rules, notation, builders and keys.

    Subclasses set ``name``, ``cell_names`` and ``rules`` and implement the notation,
    builder and canonical key; everything else is shared.
    """

    name: str
    cell_names: tuple[str, ...]
    rules: CellRules
    #: network arguments of the (small) network a proxy scores during search and correlation
    scoring_net_args: dict[str, Any] = {}
    #: re-initialisations a search averages per proxy score when ``--repeats`` is not given: as many as the
    #: scoring network's ranking needs (each one is a forward pass; measured per space in docs/results/proxies.md)
    scoring_repeats: int = 4
    #: network arguments of the smallest network of the same kind (contract tests, smoke runs)
    tiny_net_args: dict[str, Any] = {}
    #: whether a genome's parameter count is a fixed base plus one cost per edge (each op
    #: owns its parameters; true of NB201 and DARTS, not of spaces whose ops depend on the
    #: wiring, such as NAS-Bench-101's projections): then counting needs no network
    additive_params: bool = False
    #: the shape of one input image of the network to deploy (``build()``'s defaults): CIFAR's 3 x 32 x 32
    input_shape: tuple[int, ...] = (3, 32, 32)
    #: the op code that adds no parameters: 0 (no edge), or a space's explicit ``none``
    blank_op: int = 0
    #: whether :meth:`build` takes ``pool`` (an average-pool stem of that stride, :func:`evonas.networks.pooled`):
    #: then the scoring network on large images gets one (:meth:`scoring_net_args_at`)
    pool_stem: bool = False
    #: the image side a scoring network's cells are built for (CIFAR's): larger images are pooled down to about it
    SCORING_SIDE = 32
    #: images at least this many pixels on their shorter side are large (:meth:`is_large`): the space deploys its
    #: large-image network on them and ``evonas train`` defaults to its large-image recipe; None: one network at any size
    large_side: int | None = None

    # ---- notation and networks: what each space defines -------------------------------
    @abstractmethod
    def from_native(self, text: str) -> Genome:
        """Parse the space's own notation into a validated genome."""

    @abstractmethod
    def to_native(self, genome: Genome) -> str:
        """The space's own notation for a genome (canonical text)."""

    @abstractmethod
    def build(self, arch: NativeOrGenome, **net_args: Any) -> nn.Module:
        """A freshly initialised PyTorch network for a genome or native text."""

    @abstractmethod
    def canonical_key(self, genome: Genome) -> str:
        """A key shared by all genomes that compute the same function (e.g. isomorphic cells)."""

    def network_key(self, genome: Genome) -> str:
        """A key shared by exactly the genomes that build the same network: what "the same architecture" means.

        The cache, the evaluation budget, every "already seen" check and duplicate
        elimination decide by it. By default the genome's own key: NAS-Bench-201 and DARTS
        build every edge (a branch that does not reach the output still computes, and a
        proxy still sees it), so two genomes are two networks. A space whose builder
        prunes or reorders (NAS-Bench-101's dead nodes, the macro space's identities)
        returns its :meth:`canonical_key`.
        """
        return genome.key

    def deploy_net_args(self, input_shape: tuple[int, ...], num_classes: int) -> dict[str, Any]:
        """Arguments of :meth:`build` for the network to deploy on images of ``input_shape`` with ``num_classes``.

        By default the space's own network with one output per class (its pooling is global,
        so any image size works); a space with a network for large images (DARTS' ImageNet
        network) chooses it here.
        """
        return {"num_classes": num_classes}

    def is_large(self, input_shape: tuple[int, ...]) -> bool:
        """Whether images of ``input_shape`` (..., H, W) get the space's large-image network and training recipe.

        The one rule both read: :meth:`deploy_net_args` and :func:`evonas.train.default_recipe`.
        """
        return self.large_side is not None and min(input_shape[-2:]) >= self.large_side

    def scoring_net_args_at(self, input_shape: tuple[int, ...], net: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The scoring network for images of ``input_shape``: ``net`` (``--net``) or :attr:`scoring_net_args`, and on
        large images an average-pool stem that keeps its cost bounded.

        The rule: ``pool = side // SCORING_SIDE`` for images of ``2 * SCORING_SIDE`` px (64) or more, so the
        network sees 32-63 px (224 px: pool 7, 32 px); smaller images get no stem, so scores at 32 px are those
        of :attr:`scoring_net_args` itself. A ``net`` that names ``pool`` keeps it (``pool=1``: no stem).
        The pool has no parameters: sizes, and the size prior calibrated on them, do not change.
        """
        args = dict(net or self.scoring_net_args)
        pool = min(input_shape[-2:]) // self.SCORING_SIDE
        if self.pool_stem and pool >= 2:
            args.setdefault("pool", pool)
        return args

    # ---- shared machinery ------------------------------------------------------------
    def check_net_args(self, net_args: Mapping[str, Any]) -> None:
        """Raise :class:`ConfigError` for a network argument :meth:`build` does not take, or of the wrong type.

        The allowed names are ``build``'s keyword arguments; a value must be of its default's
        type (a whole number where the default is one, true/false where it is a flag).
        """
        import inspect

        from evonas.errors import ConfigError

        params = {
            name: p for name, p in inspect.signature(self.build).parameters.items() if p.kind is inspect.Parameter.KEYWORD_ONLY
        }
        for name, value in net_args.items():
            if name not in params:
                raise ConfigError(f"--net {name}={value}: {self.name} networks take {', '.join(f'{k}' for k in params)}")
            default = params[name].default
            kind = bool if isinstance(default, bool) else int if isinstance(default, int) or default is None else type(default)
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                allowed = {bool: "true or false", int: "a whole number"}.get(kind, kind.__name__)
                raise ConfigError(f"--net {name}={value}: must be {allowed} (default {default})")

    def count_params(self, arch: NativeOrGenome, **net_args: Any) -> int:
        """Parameter count of ``build(arch, **net_args)``, without allocating weights.

        For a genome of an ``additive_params`` space, the sum of per-edge costs measured once
        per network configuration by probe networks (so it always agrees with ``build``,
        in microseconds); otherwise the network is built on the meta device.
        """
        from evonas.networks import count_params_meta

        def count(g: NativeOrGenome) -> int:
            return count_params_meta(lambda: self.build(g, **net_args))

        if isinstance(arch, Genome) and self.additive_params:
            return self.additive_count("params", count, arch, net_args)
        return count(arch)

    def additive_count(self, name: str, count: Callable[[Genome], int], genome: Genome,
                       net_args: Mapping[str, Any] | None = None) -> int:
        """``count(genome)`` as a base plus one cost per edge, each probed once per ``name`` and network configuration.

        For what each op owns in an ``additive_params`` space: its parameters, and its
        multiply-accumulates at fixed resolution (:class:`evonas.costs.Flops`).
        """
        key = (type(self), self.rules.search_ops, name, tuple(sorted((net_args or {}).items())))
        costs = _EDGE_COSTS.setdefault(key, {})
        cells = self.validate(genome).cells
        return self._edge_cost(costs, None, count) + sum(
            self._edge_cost(costs, (c, int(i), int(j), int(m[i, j])), count)
            for c, m in enumerate(cells)
            for i, j in zip(*np.nonzero(m))
        )

    def _edge_cost(self, costs: dict, edge: tuple[int, int, int, int] | None, count: Callable[[Genome], int]) -> int:
        """What one (cell, i, j, op) edge adds to ``count`` (None: the all-``blank_op`` base), probed once."""
        if edge not in costs:
            blank = self._blank()
            if edge is None or edge[3] == self.blank_op:
                costs[edge] = 0 if edge is not None else count(blank)
            else:
                c, i, j, op = edge
                probe = blank.cells[c].copy()
                if not probe[i, j] and self.rules.in_degree is not None:
                    probe[next(k for k in np.flatnonzero(probe[:, j]) if k != i), j] = 0  # keep the in-degree
                probe[i, j] = op
                costs[edge] = count(blank.replace_cell(c, probe)) - self._edge_cost(costs, None, count)
        return costs[edge]

    def _blank(self) -> Genome:
        """A valid genome whose every edge holds ``blank_op`` (each node fed by the first nodes)."""
        r = self.rules
        m = np.zeros((r.n_nodes, r.n_nodes), dtype=np.int64)
        if r.in_degree is not None:
            for j in range(r.n_inputs, r.n_nodes):
                m[np.flatnonzero(r.tables[1][:, j])[: r.in_degree], j] = self.blank_op
        return Genome(tuple(m for _ in self.cell_names))

    def validate(self, genome: Genome) -> Genome:
        """Return ``genome`` if it is valid here, else raise :class:`InvalidGenomeError` saying why."""
        if not isinstance(genome, Genome):
            raise InvalidGenomeError(f"{self.name}: expected a Genome, got {type(genome).__name__}")
        if len(genome.cells) != len(self.cell_names):
            raise InvalidGenomeError(
                f"{self.name}: a genome has {len(self.cell_names)} cell(s) "
                f"({', '.join(self.cell_names)}), got {len(genome.cells)}"
            )
        for cell_name, matrix in zip(self.cell_names, genome.cells):
            self._validate_cell(matrix, f"{self.name} {cell_name} cell")
        return genome

    def is_valid(self, genome: Genome) -> bool:
        """Whether :meth:`validate` accepts ``genome``."""
        try:
            self.validate(genome)
        except InvalidGenomeError:
            return False
        return True

    def is_valid_cell(self, matrix: np.ndarray) -> bool:
        """Whether one cell matrix obeys the rules (operators use it to filter candidate moves)."""
        try:
            self._validate_cell(matrix, "")
        except InvalidGenomeError:
            return False
        return True

    def _validate_cell(self, m: np.ndarray, where: str) -> None:
        r = self.rules
        n = r.n_nodes
        if self._obeys_local_rules(m) and not (r.require_connected or r.prune):
            return  # fast path; the checks below find and explain the problem
        if m.shape != (n, n):
            raise InvalidGenomeError(f"{where}: matrix must be {n}x{n}, got shape {m.shape}")
        below = np.argwhere(np.tril(m, -1 if r.node_ops else 0) != 0)
        if len(below):
            i, j = below[0]
            raise InvalidGenomeError(
                f"{where}: entry [{i}, {j}] = {m[i, j]} is {'below' if r.node_ops else 'on or below'} the diagonal; "
                "edges go from a lower to a higher node (upper triangle only)"
            )
        if r.node_ops:
            for j in range(n):
                v = int(m[j, j])
                if j in r.op_nodes and v not in r.node_ops:
                    raise InvalidGenomeError(
                        f"{where}: node {j} holds op code {v} on the diagonal; node ops are {_codes(r.node_ops)}"
                    )
                if j not in r.op_nodes and v != 0:
                    raise InvalidGenomeError(f"{where}: {'input' if j < r.n_inputs else 'output'} node {j} carries no op, "
                                             f"but diagonal entry [{j}, {j}] = {v}")
        off = np.triu(m, 1)
        unknown = np.argwhere((off != 0) & ~np.isin(off, list(r.ops)))
        if len(unknown):
            i, j = unknown[0]
            raise InvalidGenomeError(
                f"{where}: entry [{i}, {j}] = {m[i, j]} is not an op code; "
                f"codes are 0 (no edge) and {_codes(r.ops)}"
            )
        into_input = np.argwhere(off[:, : r.n_inputs] != 0)
        if len(into_input):
            i, j = into_input[0]
            raise InvalidGenomeError(f"{where}: edge [{i}, {j}] enters input node {j}; input nodes take no edges")
        if r.chain:
            stray = np.argwhere((off != 0) & ~r.tables[1])
            if len(stray):
                i, j = stray[0]
                raise InvalidGenomeError(
                    f"{where}: edge [{i}, {j}]: layer {j} takes its input from layer {j - 1} only (the cell is a chain)"
                )
        if r.in_degree is not None:
            degree = (off != 0).sum(axis=0)
            for j in range(r.n_inputs, n):
                if degree[j] != r.in_degree:
                    sources = [int(i) for i in np.flatnonzero(off[:, j])]
                    raise InvalidGenomeError(
                        f"{where}: node {j} has {degree[j]} incoming edge(s) (from {sources}); "
                        f"every intermediate node needs exactly {r.in_degree}"
                    )
        if r.prune:
            live = r.live_nodes(m)
            if not live[n - 1]:
                raise InvalidGenomeError(f"{where}: no path from the input to the output node {n - 1}")
            off = off * np.outer(live, live)  # edges of pruned nodes do not count
        if r.max_edges is not None and np.count_nonzero(off) > r.max_edges:
            raise InvalidGenomeError(
                f"{where}: {np.count_nonzero(off)} edges{' after pruning' if r.prune else ''}; at most {r.max_edges} allowed"
            )
        if r.require_connected:
            import networkx as nx  # here: only spaces that need connectivity pay its import

            graph = nx.DiGraph(np.argwhere(off != 0).tolist())
            graph.add_nodes_from(range(n))
            reach = set().union(*(nx.descendants(graph, i) | {i} for i in range(r.n_inputs)))
            to_out = nx.ancestors(graph, n - 1) | {n - 1}
            for j in range(r.n_inputs, n):
                if j not in reach:
                    raise InvalidGenomeError(f"{where}: node {j} is not reachable from an input node")
                if j not in to_out:
                    raise InvalidGenomeError(f"{where}: node {j} is not connected to the output node {n - 1}")

    def _obeys_local_rules(self, m: np.ndarray) -> bool:
        r = self.rules
        legal, allowed = r.tables
        if m.shape != allowed.shape or m.min() < 0:
            return False
        if r.node_ops:
            diag = np.diagonal(m)
            if diag.max() >= r.node_table.shape[1] or not r.node_table[np.arange(r.n_nodes), diag].all():
                return False
            m = np.triu(m, 1)
        if m.max() >= len(legal):
            return False
        edges = m != 0
        return bool(
            legal[m].all()
            and not (edges & ~allowed).any()
            and (r.in_degree is None or (edges[:, r.n_inputs :].sum(axis=0) == r.in_degree).all())
            and (r.max_edges is None or r.prune or edges.sum() <= r.max_edges)
        )

    def sample(self, rng: np.random.Generator) -> Genome:
        """A uniformly random valid genome (uniform over each node's incoming choices)."""
        while True:
            genome = Genome(tuple(self._sample_cell(rng) for _ in self.cell_names))
            if self.is_valid(genome):
                return genome

    def _sample_cell(self, rng: np.random.Generator) -> np.ndarray:
        r = self.rules
        allowed = r.tables[1]
        m = np.zeros((r.n_nodes, r.n_nodes), dtype=np.int64)
        for j in range(r.n_inputs, r.n_nodes):
            can = np.flatnonzero(allowed[:, j])
            if r.in_degree is None:
                m[can, j] = rng.choice(r.edge_values, size=len(can))
            else:
                sources = can[rng.choice(len(can), size=r.in_degree, replace=False)]
                m[sources, j] = rng.choice(r.search_ops, size=r.in_degree)
        nodes = np.array(r.op_nodes)
        if len(nodes):
            m[nodes, nodes] = rng.choice(list(r.node_ops), size=len(nodes))
        return m

    def enumerate(self) -> Iterator[Genome]:
        """Every valid genome over ``search_ops``, lazily (15,625 for nb201; DARTS is astronomically large)."""

        def cells_from(k: int) -> Iterator[tuple[np.ndarray, ...]]:
            if k == len(self.cell_names):
                yield ()
                return
            for m in self._enumerate_cells():
                for rest in cells_from(k + 1):
                    yield (m, *rest)

        for cells in cells_from(0):
            yield Genome(cells)

    def _enumerate_cells(self) -> Iterator[np.ndarray]:
        r = self.rules
        allowed = r.tables[1]
        choices_per_node = []
        for j in range(r.n_inputs, r.n_nodes):
            can = np.flatnonzero(allowed[:, j]).tolist()
            if r.in_degree is None:
                choices_per_node.append(
                    [dict(zip(can, ops)) for ops in itertools.product(r.edge_values, repeat=len(can))]
                )
            else:
                choices_per_node.append(
                    [
                        dict(zip(srcs, ops))
                        for srcs in itertools.combinations(can, r.in_degree)
                        for ops in itertools.product(r.search_ops, repeat=r.in_degree)
                    ]
                )
        nodes = list(r.op_nodes)
        checked = r.require_connected or r.prune or r.max_edges is not None
        for combo in itertools.product(*choices_per_node):
            m = np.zeros((r.n_nodes, r.n_nodes), dtype=np.int64)
            for j, edges in zip(range(r.n_inputs, r.n_nodes), combo):
                for i, op in edges.items():
                    m[i, j] = op
            for labels in itertools.product(r.node_ops, repeat=len(nodes)):
                m[nodes, nodes] = labels
                if not checked or self.is_valid_cell(m):
                    yield m.copy()

    def cell_graphs(self, arch: NativeOrGenome) -> dict[str, nx.MultiDiGraph]:
        """Each cell as a graph, for drawing: cell name -> ``networkx.MultiDiGraph``.

        Nodes carry a ``label`` and a ``kind`` (``input``, ``node`` or ``output``); each edge
        an ``op`` name. Edges holding no op (0 or ``none``) are left out. This default reads
        the genome matrices (the last node is the cell output); spaces whose cells have
        another output, or architectures no matrix holds, override it.
        """
        import networkx as nx

        genome = self.from_native(arch) if isinstance(arch, str) else self.validate(arch)
        r = self.rules
        graphs = {}
        for name, m in zip(self.cell_names, genome.cells):
            g = nx.MultiDiGraph()
            for k in range(r.n_nodes):
                if k < r.n_inputs:
                    g.add_node(k, kind="input", label="in" if r.n_inputs == 1 else f"in{k}")
                else:
                    g.add_node(k, kind="output" if k == r.n_nodes - 1 else "node", label="out" if k == r.n_nodes - 1 else str(k))
            for i, j in zip(*np.nonzero(np.triu(m, 1))):
                op = r.ops[int(m[i, j])]
                if op != "none":
                    g.add_edge(int(i), int(j), op=op)
            graphs[name] = g
        return graphs

    def describe(self, genome: Genome) -> str:
        """The matrices as text, one per cell, with op names as a legend."""
        lines = []
        for name, m in zip(self.cell_names, genome.cells):
            lines.append(f"{name}:")
            lines.extend("  " + " ".join(f"{v:d}" for v in row) for row in m)
        lines.append("ops: " + ", ".join(f"{c}={o}" for c, o in self.rules.ops.items()) + ", 0=no edge")
        if self.rules.node_ops:
            lines.append("node ops (diagonal): " + ", ".join(f"{c}={o}" for c, o in self.rules.node_ops.items()))
        return "\n".join(lines)


def _codes(ops: Mapping[int, str]) -> str:
    return ", ".join(f"{c} ({o})" for c, o in ops.items())


#: per network configuration: (cell, i, j, op) -> parameters the edge adds (None -> the base)
_EDGE_COSTS: dict[tuple, dict] = {}


SPACES: Registry[type[SearchSpace]] = Registry(
    "search space",
    "Register your own with @evonas.encodings.SPACES.register('name') on a SearchSpace subclass.",
)


def get_space(name: str, **options: Any) -> SearchSpace:
    """The search space registered as ``name`` (``"darts"``, ``"nb201"``, ...), built with ``options``."""
    return SPACES.get(name)(**options)


def list_spaces(pattern: str = "*") -> list[str]:
    """Names of the registered search spaces matching a shell-style wildcard."""
    return SPACES.names(pattern)
