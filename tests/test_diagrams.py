"""Cell diagrams: the graphs a space gives, and the PNGs drawn from them."""

import json

import pandas as pd

from evonas.cli import main
from evonas.diagrams import draw_architecture
from evonas.encodings import get_space, parse_genotype

NB201 = "|nor_conv_3x3~0|+|none~0|skip_connect~1|+|nor_conv_1x1~0|none~1|avg_pool_3x3~2|"
PNG = b"\x89PNG\r\n\x1a\n"


def test_nb201_graph_has_the_cells_ops_and_no_none_edges():
    (g,) = get_space("nb201").cell_graphs(NB201).values()
    assert sorted((u, v, d["op"]) for u, v, d in g.edges(data=True)) == [
        (0, 1, "nor_conv_3x3"), (0, 3, "nor_conv_1x1"), (1, 2, "skip_connect"), (2, 3, "avg_pool_3x3"),
    ]  # fmt: skip
    assert [g.nodes[n]["kind"] for n in g] == ["input", "node", "node", "output"]


def test_darts_graphs_hold_both_cells_parallel_edges_and_the_concat(shared_data):
    text = pd.read_csv(shared_data / "darts_cifar10_1000.csv")["genotype"].iloc[0]  # node 2 reads state 0 twice
    graphs = get_space("darts").cell_graphs(text)
    assert list(graphs) == ["normal", "reduce"]
    g = graphs["normal"]
    assert [d["op"] for _, _, d in g.in_edges("out", data=True)] == [""] * 4  # the concat of nodes 2..5
    ops_into_3 = sorted(d["op"] for u, _, d in g.in_edges(3, data=True))
    assert ops_into_3 == ["sep_conv_3x3", "sep_conv_5x5"]
    assert g.number_of_edges() == 4 + sum(op != "none" for op, _ in parse_genotype(text).normal)


def test_drawings_are_pngs_sized_to_their_cells(tmp_path):
    import numpy as np
    from PIL import Image

    darts, nb201 = get_space("darts"), get_space("nb201")

    draw_architecture(darts, darts.sample(np.random.default_rng(0)), tmp_path / "darts.png")
    draw_architecture(nb201, NB201, tmp_path / "nb201.png")
    for name in ("darts", "nb201"):
        assert (tmp_path / f"{name}.png").read_bytes()[:8] == PNG
    wide, narrow = (Image.open(tmp_path / f"{n}.png").size for n in ("darts", "nb201"))
    assert wide[0] > 1.5 * narrow[0], "two cells side by side"


def test_inspect_draws_any_architecture(tmp_path, capsys):
    assert main(["inspect", "--space", "nb201", NB201, "--draw", str(tmp_path / "cell.png"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["drawing"] == str(tmp_path / "cell.png")
    assert (tmp_path / "cell.png").read_bytes()[:8] == PNG
