"""DARTS (Liu et al., ICLR 2019): a normal and a reduction cell, two edges per node.

Each cell is a 6x6 matrix over nodes [c_{k-2}, c_{k-1}, n2, n3, n4, n5]; every intermediate
node has exactly two incoming edges from distinct predecessors, and all four are
concatenated into the cell output. Op codes are the DARTS ``PRIMITIVES`` order plus one, so
``none`` (code 1) is representable but left out of search unless ``include_none=True``.
Genotypes a matrix cannot hold (both edges of a node from the same predecessor, another
concat) are still built and scored from their ``Genotype(...)`` text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from evonas.encodings.genome import Genome, digest
from evonas.encodings.genotype import Edge, Genotype, parse_genotype
from evonas.encodings.space import SPACES, CellRules, NativeOrGenome, SearchSpace
from evonas.errors import ConfigError, InvalidGenomeError

if TYPE_CHECKING:
    import networkx as nx
    import torch.nn as nn  # annotations only: the spaces' rules load without torch

DARTS_OPS = {
    1: "none",
    2: "max_pool_3x3",
    3: "avg_pool_3x3",
    4: "skip_connect",
    5: "sep_conv_3x3",
    6: "sep_conv_5x5",
    7: "dil_conv_3x3",
    8: "dil_conv_5x5",
}
_N_NODES, _N_INPUTS = 6, 2
_CONCAT = tuple(range(_N_INPUTS, _N_NODES))


@SPACES.register("darts")
class DartsSpace(SearchSpace):
    """The DARTS cell space (normal + reduce cells).

    Args:
        include_none: also sample and mutate the ``none`` op (the DARTS search excludes it).

    Network arguments for :meth:`build`: ``C`` (36), ``layers`` (20), ``stem`` (True),
    ``num_classes`` (10) and ``pair`` (False). ``C=3, layers=1, stem=False`` is the SWAP study's
    scoring network (one reduction cell); ``C=3, stem=False, pair=True`` puts the normal and the
    reduction cell side by side. The scoring network of searches is a narrow evaluation network,
    ``C=4, layers=5, stem=True`` (N R N R N): of the candidates measured on both shared DARTS
    tables (``benchmarks/bench_scoring_nets.py``), the cheapest whose worst table was best.
    """

    name = "darts"
    cell_names = ("normal", "reduce")
    scoring_net_args = {"C": 4, "layers": 5, "stem": True}
    #: its SWAP ranks NB301 as well after 2 re-initialisations as after 4 (reg-swap ρ 0.619 / 0.624, ±0.035; issue #30)
    scoring_repeats = 2
    pool_stem = True
    tiny_net_args = {"C": 3, "layers": 1, "stem": False}
    additive_params = True
    blank_op = 1  # none: the matrix keeps its two edges per node, the op adds nothing

    def __init__(self, include_none: bool = False) -> None:
        search = tuple(c for c in DARTS_OPS if include_none or DARTS_OPS[c] != "none")
        self.rules = CellRules(n_nodes=_N_NODES, n_inputs=_N_INPUTS, ops=DARTS_OPS, search_ops=search, in_degree=2)

    # ---- notation ----------------------------------------------------------------------
    def from_native(self, text: str) -> Genome:
        genotype = self.parse(text)
        return self.validate(Genome(tuple(self._cell_matrix(genotype, name) for name in self.cell_names)))

    def to_native(self, genome: Genome) -> str:
        return str(self.to_genotype(genome))

    def parse(self, text: str) -> Genotype:
        """Parse and check ``Genotype(...)`` text (op names, inputs, edge counts); never evaluates it."""
        if not isinstance(text, str):
            raise InvalidGenomeError(f"darts: expected Genotype(...) text, got {type(text).__name__}")
        genotype = parse_genotype(text)
        for name in self.cell_names:
            edges, concat = genotype.cell(name)
            if len(edges) % 2:
                raise InvalidGenomeError(f"darts {name} cell: {len(edges)} edges; each node takes exactly two")
            for k, (op, src) in enumerate(edges):
                node = _N_INPUTS + k // 2
                self.rules.op_code(op, f"darts {name}[{k}]")
                if not 0 <= src < node:
                    raise InvalidGenomeError(
                        f"darts {name}[{k}] = {(op, src)!r}: node {node} can only take inputs 0..{node - 1}"
                    )
            n_states = _N_INPUTS + len(edges) // 2
            bad = [c for c in concat if not 0 <= c < n_states]
            if bad or not concat:
                raise InvalidGenomeError(f"darts {name}_concat {list(concat)}: entries must be nodes 0..{n_states - 1}")
        return genotype

    def _cell_matrix(self, genotype: Genotype, name: str) -> np.ndarray:
        edges, concat = genotype.cell(name)
        where = f"darts {name} cell"
        if len(edges) != 2 * (_N_NODES - _N_INPUTS):
            raise InvalidGenomeError(
                f"{where}: a matrix holds {_N_NODES - _N_INPUTS} nodes (8 edges), got {len(edges)} edges; "
                "build or score the genotype text directly"
            )
        if tuple(concat) != _CONCAT:
            raise InvalidGenomeError(
                f"{where}: {name}_concat={list(concat)} but a matrix cell concatenates all of {list(_CONCAT)}; "
                "build or score the genotype text directly"
            )
        m = np.zeros((_N_NODES, _N_NODES), dtype=np.int64)
        for k, (op, src) in enumerate(edges):
            node = _N_INPUTS + k // 2
            if m[src, node]:
                raise InvalidGenomeError(
                    f"{where}: node {node} takes both of its edges from node {src} "
                    f"({DARTS_OPS[int(m[src, node])]!r} and {op!r}); a matrix holds one op per "
                    "(source, target) pair, so this genotype has no matrix — build or score its text directly"
                )
            m[src, node] = self.rules.op_code(op, f"darts {name}[{k}]")
        return m

    def to_genotype(self, genome: Genome) -> Genotype:
        """The :class:`Genotype` of a genome; each node's edges are listed by source node."""
        cells = self.validate(genome).cells

        def edges(m: np.ndarray) -> tuple[Edge, ...]:
            return tuple((DARTS_OPS[int(m[i, j])], i) for j in _CONCAT for i in np.flatnonzero(m[:, j]).tolist())

        return Genotype(edges(cells[0]), _CONCAT, edges(cells[1]), _CONCAT)

    #: images at least this many pixels wide deploy DARTS' ImageNet network and train with its ImageNet recipe
    #: (the paper's 224 px; not 32 or 64 px)
    large_side = 128
    #: DARTS' ImageNet setting (Sec. 3.4): 14 cells, C = 48
    IMAGENET_NET = {"imagenet": True, "C": 48, "layers": 14}

    # ---- networks ----------------------------------------------------------------------
    def deploy_net_args(self, input_shape: tuple[int, ...], num_classes: int) -> dict[str, Any]:
        """The network to deploy for images of ``input_shape``: DARTS' ImageNet network (C = 48, 14 cells) for
        images :attr:`large_side` px or larger (:meth:`is_large`), its CIFAR network below; ``--net`` overrides either."""
        return {**(self.IMAGENET_NET if self.is_large(input_shape) else {}), "num_classes": num_classes}

    def build(
        self,
        arch: NativeOrGenome,
        *,
        C: int = 36,
        layers: int | None = None,
        stem: bool = True,
        num_classes: int = 10,
        pair: bool = False,
        auxiliary: bool = False,
        imagenet: bool = False,
        pool: int = 1,
    ) -> nn.Module:
        """The evaluation network (``layers`` cells, default 20; ``auxiliary`` adds DARTS'
        auxiliary head) or, with ``pair=True``, the :class:`~evonas.networks.DartsCellPair`
        scoring network (one cell of each kind); ``imagenet=True``: DARTS' ImageNet network
        (:class:`~evonas.networks.DartsNetworkImageNet`, its three-conv stem; ``stem`` does not apply).
        ``pool``: an average-pool stem of that stride in front of any of them (:func:`~evonas.networks.pooled`)."""
        from evonas.networks import pooled

        return pooled(self._network(arch, C=C, layers=layers, stem=stem, num_classes=num_classes, pair=pair,
                                    auxiliary=auxiliary, imagenet=imagenet), pool)

    def _network(self, arch: NativeOrGenome, *, C: int, layers: int | None, stem: bool, num_classes: int, pair: bool,
                 auxiliary: bool, imagenet: bool) -> nn.Module:
        from evonas.networks import DartsCellPair, DartsNetwork, DartsNetworkImageNet

        genotype = self.parse(arch) if isinstance(arch, str) else self.to_genotype(arch)
        if imagenet:
            if pair:
                raise ConfigError("darts: imagenet=True builds DARTS' ImageNet network, a stack of cells; drop pair")
            return DartsNetworkImageNet(genotype, C=C, num_classes=num_classes, layers=14 if layers is None else layers,
                                        auxiliary=auxiliary)
        if pair:
            given = [f"{k}={v}" for k, v in (("layers", layers), ("auxiliary", auxiliary)) if v not in (None, False)]
            if given:
                raise ConfigError(
                    f"darts: pair=True builds one normal and one reduction cell side by side; {', '.join(given)} "
                    f"{'does' if len(given) == 1 else 'do'} not apply (drop it, or drop pair for a stack of cells)"
                )
            return DartsCellPair(genotype, C=C, num_classes=num_classes, stem=stem)
        return DartsNetwork(genotype, C=C, num_classes=num_classes, layers=20 if layers is None else layers, stem=stem,
                            auxiliary=auxiliary)

    def cell_graphs(self, arch: NativeOrGenome) -> dict[str, nx.MultiDiGraph]:
        """The normal and reduction cells as graphs, as the DARTS paper draws them (its Figs. 4-5).

        Inputs ``c_{k-2}``, ``c_{k-1}``; intermediate nodes 0..3; the output ``c_{k}`` fed by
        the concatenated nodes (edges without an op). Read from the genotype, so text no
        matrix holds (two edges from one predecessor) is drawn too, as parallel edges.
        """
        import networkx as nx

        genotype = self.parse(arch) if isinstance(arch, str) else self.to_genotype(arch)
        graphs = {}
        for name in self.cell_names:
            edges, concat = genotype.cell(name)
            g = nx.MultiDiGraph()
            g.add_node(0, kind="input", label="c_{k-2}")
            g.add_node(1, kind="input", label="c_{k-1}")
            for node in range(_N_INPUTS, _N_INPUTS + len(edges) // 2):
                g.add_node(node, kind="node", label=str(node - _N_INPUTS))
            g.add_node("out", kind="output", label="c_{k}")
            for k, (op, src) in enumerate(edges):
                if op != "none":
                    g.add_edge(src, _N_INPUTS + k // 2, op=op)
            for node in concat:
                g.add_edge(node, "out", op="")
            graphs[name] = g
        return graphs

    def canonical_key(self, genome: Genome) -> str:
        """Hash of both cells as expressions: a node is the unordered sum of op(source).

        The concat of all intermediate nodes is also unordered (a channel permutation), so
        cells that differ only by numbering their intermediate nodes share a key.
        """
        keys = []
        for m in self.validate(genome).cells:
            expr = ["c0", "c1"]
            for j in range(_N_INPUTS, _N_NODES):
                terms = sorted(f"{DARTS_OPS[int(m[i, j])]}({expr[i]})" for i in np.flatnonzero(m[:, j]).tolist())
                expr.append(digest("+".join(terms)))
            keys.append(digest(",".join(sorted(expr[_N_INPUTS:]))))
        return "/".join(keys)
