"""Averaging a proxy over seeded re-initialisations: reproducible, and nothing global is touched."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch
from fitness_nets import cnn, images

from evonas.errors import ConfigError
from evonas.fitness import Batch, Proxy, gaussian_init_, get_proxy, score

REPO = Path(__file__).resolve().parents[2]
SCRIPT = """
import sys, torch
sys.path[:0] = [{tests!r}, {repo!r}]
from fitness_nets import cnn, images
from evonas.fitness import Batch, get_proxy, score
print(repr(score(get_proxy("swap"), cnn((3, 4, 4)), Batch(images(16)), repeats=4, seed=7)))
"""


def test_same_seed_same_score_other_seed_other_score():
    net, batch, swap = cnn((3, 4, 4)), Batch(images(16)), get_proxy("swap")
    a = score(swap, net, batch, repeats=4, seed=7)
    assert score(swap, net, batch, repeats=4, seed=7) == a
    assert score(swap, net, batch, repeats=4, seed=8) != a


def test_same_score_in_another_process():
    net, batch = cnn((3, 4, 4)), Batch(images(16))
    here = score(get_proxy("swap"), net, batch, repeats=4, seed=7)
    code = SCRIPT.format(tests=str(Path(__file__).parent), repo=str(REPO))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert float(out) == here


def test_score_is_the_mean_over_seeded_reinitialisations():
    net, batch, swap = cnn((3, 4, 4)), Batch(images(16)), get_proxy("swap")
    generator = torch.Generator().manual_seed(3)
    by_hand = [swap(gaussian_init_(cnn((3, 4, 4)), generator=generator), batch) for _ in range(3)]
    assert len(set(by_hand)) > 1
    assert score(swap, net, batch, repeats=3, seed=3) == pytest.approx(sum(by_hand) / 3)


def test_global_rng_and_network_are_left_alone():
    net, batch = cnn((3, 4, 4)), Batch(images(16))
    weights = {k: v.clone() for k, v in net.state_dict().items()}
    rng = torch.get_rng_state()
    score(get_proxy("swap"), net, batch, repeats=2, seed=0)
    assert torch.equal(torch.get_rng_state(), rng)
    assert all(torch.equal(weights[k], v) for k, v in net.state_dict().items())


def test_proxies_without_init_are_called_once_on_the_given_weights():
    class Counting(Proxy):
        name, needs_init, calls = "counting", False, 0

        def _score(self, net, batch):
            Counting.calls += 1
            return float(net[0].weight.sum())

    net = cnn((3, 4))
    assert score(Counting(), net, Batch(images(2)), repeats=32, seed=0) == pytest.approx(
        float(net[0].weight.detach().sum())
    )
    assert Counting.calls == 1
    assert score(get_proxy("params"), net, Batch(images(2)), seed=0) == sum(p.numel() for p in net.parameters())


def test_repeats_must_be_positive():
    with pytest.raises(ConfigError, match="repeats"):
        score(get_proxy("swap"), cnn(), Batch(images(2)), repeats=0, seed=0)


def test_the_scorer_builds_from_the_space_and_scores_genome_and_text_alike():
    """One build-and-score path: ArchitectureScorer (every search, correlate and worker uses it)."""
    import numpy as np

    import evonas
    from evonas.evaluators import ArchitectureScorer

    space = evonas.get_space("darts")
    genome = space.sample(np.random.default_rng(0))
    net_args = {"C": 3, "layers": 1, "stem": False}
    batch, swap = Batch(images(16, size=16)), get_proxy("swap")
    scorer = ArchitectureScorer(space="darts", proxy="swap", batch=batch, net_args=net_args, repeats=2, seed=5)
    value, params, *_ = scorer(genome)
    assert value == score(swap, space.build(genome, **net_args), batch, repeats=2, seed=5)
    assert scorer(space.to_native(genome))[:2] == (value, params) and params == space.count_params(genome, **net_args)


@pytest.mark.parametrize("cell", [0, 1], ids=["normal", "reduce"])
def test_darts_scoring_network_counts_each_cell(cell):
    """Changing only the normal (or only the reduction) cell changes the search's DARTS score.

    In the SWAP study's one-cell network the single cell is a reduction cell, so there the
    normal cell has no effect at all; the search's scoring network holds both.
    """
    import numpy as np

    from evonas.data import load_images
    from evonas.evaluators import ArchitectureScorer
    from evonas.operators import mut_op

    space = evonas_space("darts")
    rng = np.random.default_rng(0)
    batch = load_images(None, samples=16)  # 8 samples saturate: at most 2^8 patterns
    search = ArchitectureScorer(space="darts", proxy="swap", batch=batch, net_args=space.scoring_net_args, repeats=1)
    study = ArchitectureScorer(space="darts", proxy="swap", batch=batch, net_args={"C": 3, "layers": 1, "stem": False},
                               repeats=1)
    changed = 0
    for _ in range(6):
        g = space.sample(rng)
        while np.array_equal((h := mut_op(g, space, rng=rng)).cells[cell], g.cells[cell]):
            pass  # a mutation of the other cell: draw again
        h = g.replace_cell(cell, h.cells[cell])
        changed += search(g)[0] != search(h)[0]
        if cell == 0:
            assert study(g)[0] == study(h)[0], "the one-cell network cannot see the normal cell"
    # a pool whose output reaches no ReLU (only the concat) is invisible to SWAP, in any network
    assert changed >= 4


def evonas_space(name):
    import evonas

    return evonas.get_space(name)
