"""Cell diagrams: an architecture's cells drawn as graphs, edges labelled with their ops.

The graphs come from the space (``SearchSpace.cell_graphs``: networkx), the drawing from
matplotlib through :func:`evonas.plots.figure`. Cells sit side by side (DARTS: normal and
reduction, as in the SWAP paper's Figs. 19-22), nodes in layers by their depth from the
inputs, so edges point left to right.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from evonas.encodings import SearchSpace
from evonas.encodings.space import NativeOrGenome
from evonas.plots import figure

if TYPE_CHECKING:
    import networkx as nx

_COLOURS = {"input": "#9ecae1", "node": "#fdd0a2", "output": "#a1d99b"}
_STEP_X, _STEP_Y, _GAP = 1.6, 1.0, 0.5  # layer spacing, node spacing in a layer, space between cells (inches)


def draw_architecture(space: SearchSpace, arch: NativeOrGenome, path: Path) -> Path:
    """Draw every cell of ``arch`` into the PNG ``path``."""
    return draw_cells(space.cell_graphs(arch), path, title=f"{space.name} cell" + ("s" if len(space.cell_names) > 1 else ""))


def draw_cells(graphs: Mapping[str, nx.MultiDiGraph], path: Path, title: str = "") -> Path:
    """Draw the graphs of ``SearchSpace.cell_graphs`` side by side into the PNG ``path``."""
    import networkx as nx

    layouts, left = [], 0.0
    for g in graphs.values():
        pos = {n: (x + left, y) for n, (x, y) in _layered(g).items()}
        layouts.append(pos)
        left = max(x for x, _ in pos.values()) + _GAP + _STEP_X / 2
    bends = [_bends(g, pos) for g, pos in zip(graphs.values(), layouts)]
    # an arc3 curve's middle lies rad * dx / 2 below its chord's (edges run left to right): room for all
    middles = [(pos[u][1] + pos[v][1]) / 2 - rad * (pos[v][0] - pos[u][0]) / 2
               for b, pos in zip(bends, layouts) for (u, v, _), rad in b.items()]
    ys = [y for pos in layouts for _, y in pos.values()] + middles
    top, bottom = max(ys), min(ys)
    with figure(Path(path), size=(left + 0.4, top - bottom + 2.2), dpi=110) as ax:
        for (name, g), pos, bend in zip(graphs.items(), layouts, bends):
            colours = [_COLOURS.get(g.nodes[n].get("kind"), "#dddddd") for n in g]
            nx.draw_networkx_nodes(g, pos, ax=ax, node_color=colours, node_size=900, edgecolors="#444444")
            nx.draw_networkx_labels(g, pos, ax=ax, labels={n: _tex(g.nodes[n]["label"]) for n in g}, font_size=9)
            for edge, rad in bend.items():
                op, style = g.edges[edge]["op"], f"arc3,rad={rad:.2f}"
                nx.draw_networkx_edges(g, pos, ax=ax, edgelist=[edge], connectionstyle=style, node_size=900,
                                       arrows=True, arrowsize=12, edge_color="#555555" if op else "#bbbbbb")
                if op:
                    nx.draw_networkx_edge_labels(g, pos, ax=ax, edge_labels={edge: op}, connectionstyle=style,
                                                 node_size=900, font_size=7, bbox={"boxstyle": "round,pad=0.15",
                                                 "fc": "white", "ec": "none", "alpha": 0.85})
            xs = [x for x, _ in pos.values()]
            ax.text((min(xs) + max(xs)) / 2, top + 0.55, name, ha="center", va="bottom", fontsize=11, weight="bold")
        ax.set_xlim(-_STEP_X / 2, left - _GAP)
        ax.set_ylim(bottom - 0.7, top + 1.0)
        ax.set_axis_off()
        if title:
            ax.set_title(title, fontsize=10)
    return Path(path)


def _layered(g: nx.MultiDiGraph) -> dict[Any, tuple[float, float]]:
    """One column per topological generation (so edges point right), the nodes of a column spread around y = 0."""
    import networkx as nx

    pos = {}
    for depth, layer in enumerate(nx.topological_generations(g)):
        for i, node in enumerate(sorted(layer, key=str)):
            pos[node] = (depth * _STEP_X, ((len(layer) - 1) / 2 - i) * _STEP_Y)
    return pos


def _bends(g: nx.MultiDiGraph, pos: Mapping[Any, tuple[float, float]]) -> dict[tuple, float]:
    """The signed curvature (matplotlib's arc3 ``rad``) of each edge.

    Slight between neighbouring columns, stronger for edges that skip columns, so they pass
    beside the nodes between; away from the middle of the drawing (up for edges in its upper
    half); parallel edges bent further apart.
    """
    bends = {}
    for u, v, key in g.edges(keys=True):
        span = round(abs(pos[v][0] - pos[u][0]) / _STEP_X)
        away = -1.0 if pos[u][1] + pos[v][1] > 0 else 1.0  # positive rad bends a rightward edge down
        bends[(u, v, key)] = away * (0.1 + 0.12 * (span - 1) + 0.3 * key)
    return bends


def _tex(label: str) -> str:
    return f"${label}$" if "_" in label else label
