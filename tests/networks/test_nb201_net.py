"""NAS-Bench-201 network: parameter counts against the benchmark table, and forward passes."""

import csv
import numpy as np
import pytest
import torch

from evonas.errors import ConfigError, InvalidGenomeError
from evonas.networks import NB201Network, count_parameters, count_params_meta


def parse_arch(arch):
    """The cell's ``(src, dst, op)`` edges, read by the library's own parser (tested in tests/encodings)."""
    import evonas

    return evonas.get_space("nb201").edges(arch)


def all_edges(op):
    return [(i, j, op) for j in range(1, 4) for i in range(j)]


def test_param_counts_match_benchmark_table(shared_data):
    with open(shared_data / "nb201_cifar10.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    sample = [rows[i] for i in np.random.default_rng(0).choice(len(rows), size=300, replace=False)]
    # Every cell edge maps C -> C at stride 1, so the count cannot depend on which edge an op
    # sits on: build once per multiset of ops (rows sharing one must then agree with the table).
    counts = {}
    wrong = []
    for row in sample:
        edges = parse_arch(row["arch"])
        key = tuple(sorted(op for _, _, op in edges))
        if key not in counts:
            counts[key] = count_params_meta(lambda: NB201Network(edges))
        if round(counts[key] / 1e6, 6) != float(row["params_m_cifar10"]):
            wrong.append((row["arch"], counts[key], row["params_m_cifar10"]))
    assert not wrong, f"{len(wrong)} of {len(sample)} differ, e.g. {wrong[0]}"


def test_largest_cell_has_the_benchmarks_1_53m_parameters():
    assert count_params_meta(lambda: NB201Network(all_edges("nor_conv_3x3"))) == 1_531_546


@pytest.mark.parametrize(
    "arch",
    [
        "|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_1x1~1|skip_connect~2|",
        "|skip_connect~0|+|none~0|none~1|+|none~0|none~1|nor_conv_3x3~2|",
    ],
)
@pytest.mark.parametrize("size", [32, 31])
def test_forward_gives_logits_and_gradients(arch, size):
    torch.manual_seed(0)
    net = NB201Network(parse_arch(arch), C=8, N=1)
    logits = net(torch.randn(2, 3, size, size))
    assert logits.shape == (2, 10) and torch.isfinite(logits).all()
    logits.sum().backward()
    assert net.classifier.weight.grad is not None


def test_all_none_cell_ignores_its_input():
    net = NB201Network(all_edges("none"), C=4, N=1).eval()
    out = net(torch.randn(3, 3, 16, 16))
    torch.testing.assert_close(out, out[:1].expand_as(out))


def test_meta_count_agrees_with_built_network():
    for arch in ("|nor_conv_1x1~0|+|avg_pool_3x3~0|skip_connect~1|+|none~0|nor_conv_3x3~1|skip_connect~2|",):
        edges = parse_arch(arch)
        for kwargs in (dict(), dict(C=8, N=2, num_classes=100)):
            assert count_params_meta(lambda: NB201Network(edges, **kwargs)) == count_parameters(
                NB201Network(edges, **kwargs)
            )


@pytest.mark.parametrize(
    "edges, error",
    [
        ([(1, 1, "none")], InvalidGenomeError),
        ([(0, 1, "none"), (0, 3, "none")], InvalidGenomeError),
        ([], InvalidGenomeError),
    ],
)
def test_unwirable_cells_are_rejected(edges, error):
    with pytest.raises(error):
        NB201Network(edges, C=4, N=1)


def test_bad_sizes_are_rejected():
    with pytest.raises(ConfigError, match="C=0"):
        NB201Network(all_edges("none"), C=0)


def test_edge_modules_are_named_by_source_target_and_op():
    cell = NB201Network(all_edges("nor_conv_3x3"), C=4, N=1).features[1]
    assert list(cell.ops) == [f"{i}_{j}_nor_conv_3x3" for j in range(1, 4) for i in range(j)]
