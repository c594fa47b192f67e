"""The NAS-Bench-101 network: parameter counts against an independent implementation, shapes, names."""

import json

import numpy as np
import pytest
import torch

import evonas
from evonas.networks.nb101 import NB101Network, node_channels
from evonas.operators import mut_op

SPACE = evonas.get_space("nb101")


def _reference_count(matrix, ops, **kwargs):
    """Parameters of nasbench-pytorch's network for the spec, its empty placeholder modules left out."""
    nb = pytest.importorskip("nasbench_pytorch.model")
    spec = nb.ModelSpec(np.array(matrix), list(ops))
    with torch.device("meta"):
        net = nb.Network(spec, **kwargs)
    placeholders = sum(p.numel() for m in net.modules() if type(m).__name__ == "Placeholder" for p in m.parameters())
    return sum(p.numel() for p in net.parameters()) - placeholders


@pytest.mark.slow
def test_parameter_counts_match_nasbench_pytorch_on_many_random_cells():
    """The independent implementation (the ``nasbench-pytorch`` package, test extra) of the benchmark's network."""
    rng = np.random.default_rng(0)
    for _ in range(60):
        g = SPACE.sample(rng)
        matrix, ops = SPACE.spec(g)
        assert SPACE.count_params(g) == _reference_count(matrix, ops)
        assert SPACE.count_params(g, C=16, cells=1) == _reference_count(matrix, ops, stem_out_channels=16,
                                                                        num_modules_per_stack=1)


def test_parameter_counts_match_nasbench_pytorch_on_a_few_cells():
    rng = np.random.default_rng(1)
    for _ in range(6):
        g = SPACE.sample(rng)
        assert SPACE.count_params(g, C=16, cells=1) == _reference_count(*SPACE.spec(g), stem_out_channels=16,
                                                                        num_modules_per_stack=1)


def _by_formula(matrix, ops, C=128, stacks=3, cells=3, classes=10):
    """The count written out from the paper's description (Ying et al. 2019, Sec. 2.1), for cells in which every
    intermediate node feeds the output (so each is ``C_out / k`` wide, up to the remainder)."""
    m, n = np.asarray(matrix), len(ops)
    conv_bn = lambda c_in, c_out, k: c_in * c_out * k * k + 2 * c_out  # noqa: E731
    total = conv_bn(3, C, 3) + (C * 2 ** (stacks - 1)) * classes + classes
    for stack in range(stacks):
        c_out = C * 2**stack
        for cell in range(cells):
            c_in = c_out // 2 if stack and cell == 0 else c_out
            k = n - 2
            widths = [c_out // k + (v < c_out % k) for v in range(k)]
            for v, w in enumerate(widths, start=1):
                total += conv_bn(c_in, w, 1) if m[0, v] else 0
                total += {"conv3x3-bn-relu": conv_bn(w, w, 3), "conv1x1-bn-relu": conv_bn(w, w, 1)}.get(ops[v], 0)
            total += conv_bn(c_in, c_out, 1) if m[0, n - 1] else 0
    return total


@pytest.mark.parametrize("n", [2, 3, 5, 6])
def test_parameter_counts_by_the_papers_formula(n):
    """Input to every node, every node to the output: fan-out cells whose widths the formula gives directly."""
    matrix = np.zeros((n, n), dtype=int)
    matrix[0, 1 : n - 1] = 1
    matrix[1 : n - 1, n - 1] = 1
    matrix[0, n - 1] = 2 * (n - 2) + 1 <= 9  # the input -> output edge too, within the 9 edges
    ops = ["input", *(["conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3"] * 2)[: n - 2], "output"]
    text = json.dumps({"matrix": matrix.tolist(), "ops": ops})
    assert SPACE.count_params(text) == _by_formula(matrix, ops)
    assert SPACE.count_params(text, C=8, stacks=2, cells=1) == _by_formula(matrix, ops, C=8, stacks=2, cells=1)


def test_node_widths_split_the_output_and_follow_successors():
    # 0 -> 1 -> 2 -> 4(out), 1 -> 3 -> 4: nodes 2 and 3 feed the output; node 1 is as wide as its widest successor
    m = np.array([[0, 1, 0, 0, 0], [0, 0, 1, 1, 0], [0, 0, 0, 0, 1], [0, 0, 0, 0, 1], [0, 0, 0, 0, 0]])
    assert node_channels(7, 11, m) == [7, 6, 6, 5, 11]


def test_the_network_runs_and_is_shaped_as_the_benchmark():
    rng = np.random.default_rng(2)
    for _ in range(4):
        matrix, ops = SPACE.spec(SPACE.sample(rng))
        net = NB101Network(matrix.tolist(), ops, C=8, stacks=3, cells=1)
        out = net(torch.randn(2, 3, 32, 32))
        assert out.shape == (2, 10)
        assert net.classifier.in_features == 8 * 4
        assert sum(isinstance(m, torch.nn.MaxPool2d) and m.kernel_size == 2 for m in net.features) == 2


def test_an_op_mutated_node_renames_only_its_own_module():
    """Modules are named by genome node and op, so weight inheritance keeps every unchanged one."""
    rng = np.random.default_rng(3)
    checked = 0
    while checked < 5:
        g = SPACE.sample(rng)
        h = mut_op(g, SPACE, rng=rng)
        (i, j), = np.argwhere(g.cells[0] != h.cells[0])
        if i != j or not SPACE.rules.live_nodes(g.cells[0])[j]:
            continue
        checked += 1
        names = lambda x: set(dict(SPACE.build(x, C=8, cells=1).named_modules()))  # noqa: E731
        changed = names(g) ^ names(h)
        assert changed and all(f"nodes.{j}_" in name for name in changed)
