"""Regression tests for the seams between parts (issue 19, items 1-11): each failed before the parts shared one contract."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import evonas
from evonas.cli import main
from evonas.config import SearchConfig
from evonas.errors import ConfigError, DataError, TrainingError
from evonas.evaluators import EVALUATORS, Evaluator
from evonas.facade import run_search
from test_search import flags

NB201_TINY = ["--space", "nb201", "--population", "4", "--samples", "2", "--repeats", "1", "--net", "C=4,N=1",
              "--no-progress"]
PACKAGE = Path(evonas.__file__).parent


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# ---- a user's evaluators, registered in the test --------------------------------------------
SEEN: list[tuple[str, str | None]] = []


def conv_count(genome) -> float:
    return float((genome.cells[0] == 1).sum() + 0.1 * (genome.cells[0] == 2).sum())


class Recording:
    """Records the parent offered with each genome."""

    def __call__(self, genome, parent=None):
        SEEN.append((genome.key, None if parent is None else parent.key))
        return conv_count(genome), 1000


class Diverging:
    """Training that diverges for every cell with a 1x1 convolution on edge 0 -> 1."""

    def __call__(self, genome):
        if genome.cells[0][0, 1] == 2:
            raise TrainingError("loss is nan after 3 steps")
        return conv_count(genome), 1000


class Tied:
    """Every architecture scores the same: which is best is the hall of fame's order, after a resume too."""

    def __call__(self, genome):
        return 1.0, 1000


def builder(factory):
    def build(config, space, run_dir, progress):
        return Evaluator(factory(), +1, "score")

    build.__doc__ = factory.__doc__
    return build


for name, factory in (("recording", Recording), ("diverging", Diverging), ("tied", Tied)):
    if name not in EVALUATORS:
        EVALUATORS.register(name)(builder(factory))


# ---- 1. pre-nas with the default (proxy) evaluator -------------------------------------------
def test_pre_nas_runs_with_the_default_proxy_evaluator(tmp_path):
    out = tmp_path / "run"
    assert main(["search", *NB201_TINY, "--strategy", "pre-nas", "--candidates", "4", "--evaluations", "8",
                 "--prior-samples", "8", "--out", str(out)]) == 0
    assert json.loads((out / "best.json").read_text())["evaluations"] == 8


# ---- 2. a tournament too small for the strategy ----------------------------------------------
def test_a_tournament_too_small_for_swap_nas_is_refused_before_anything_is_written(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["search", *NB201_TINY, "--tournament", "1", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "tournament = 1" in err and "[2, population = 4]" in err
    assert not out.exists()
    assert main(["search", *NB201_TINY, "--strategy", "rea", "--tournament", "1", "--cycles", "1",
                 "--out", str(out)]) == 0


# ---- 3. --out that is a file, or someone else's folder ---------------------------------------
def test_out_that_is_a_file_or_holds_other_files_is_refused_and_left_alone(tmp_path, capsys):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine")
    assert main(["search", *NB201_TINY, "--cycles", "1", "--out", str(a_file)]) == 2
    assert "is a file" in capsys.readouterr().err and a_file.read_text() == "mine"
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "config.json").write_text("{}")  # a run's name, so it would have been overwritten
    (folder / "thesis.tex").write_text("mine")
    assert main(["search", *NB201_TINY, "--cycles", "1", "--out", str(folder)]) == 2
    assert "thesis.tex" in capsys.readouterr().err
    assert files(folder) == ["config.json", "thesis.tex"] and (folder / "config.json").read_text() == "{}"


# ---- 4. ties and the stall counter survive a resume ------------------------------------------
def test_resume_is_exact_when_every_score_ties(tmp_path):
    values = {"space": "nb201", "population": 4, "evaluator": "tied", "evaluations": 20, "cycles": None,
              "halloffame": 5}
    whole, part = tmp_path / "whole", tmp_path / "part"
    run_search(SearchConfig.from_dict(values), whole, progress=False)
    run_search(SearchConfig.from_dict({**values, "cycles": 2}), part, progress=False)
    run_search(None, part, resume=True, changes={"evaluations": 20}, progress=False)
    for name in ("best.json",):
        a, b = (json.loads((d / name).read_text()) for d in (whole, part))
        assert {k: v for k, v in a.items() if k != "seconds"} == {k: v for k, v in b.items() if k != "seconds"}
    hof = [json.loads((d / "checkpoint.json").read_text())["halloffame"] for d in (whole, part)]
    assert hof[0] == hof[1] and len(hof[0]) == 5
    assert "stalled" in json.loads((part / "checkpoint.json").read_text())


# ---- 5. nb101: one network is one architecture -----------------------------------------------
def test_nb101_search_never_spends_its_budget_on_a_copy():
    space = evonas.get_space("nb101")
    result = evonas.search(space="nb101", evaluator="recording", population=6, evaluations=40, cycles=None, seed=0)
    networks = [space.canonical_key(g) for g in result.cache.genomes.values()]
    assert len(networks) == 40 == len(set(networks))


def test_nb101_mutation_changes_the_network():
    space = evonas.get_space("nb101")
    rng = np.random.default_rng(0)
    parents = [space.sample(rng) for _ in range(300)]
    same = sum(space.network_key(evonas.operators.mut_node_op(p, space, rng=rng)) == space.network_key(p) for p in parents)
    assert same <= 0.1 * len(parents)  # only where no node-op change reaches the output (was 57 %)


# ---- 6. a diverging training is data ---------------------------------------------------------
def test_a_diverging_training_is_a_failed_evaluation_not_a_crash(tmp_path):
    out = tmp_path / "run"
    result = run_search(SearchConfig(space="nb201", evaluator="diverging", population=6, evaluations=30, cycles=None),
                        out, progress=False)
    scored = pd.read_csv(out / "scored.csv")
    assert result.best["failed"] == (scored["status"] == "failed").sum() > 0
    assert set(scored.loc[scored["status"] == "failed", "error"]) == {"loss is nan after 3 steps"}
    assert len(scored) == 30


# ---- 7. every strategy offers the parent -----------------------------------------------------
@pytest.mark.parametrize("strategy", ["swap-nas", "rea", "pre-nas"])
def test_children_are_evaluated_with_their_parent(strategy):
    SEEN.clear()
    options = {"candidates": 4, "prior": "none"} if strategy == "pre-nas" else {}
    evonas.search(space="nb201", evaluator="recording", strategy=strategy, population=4, evaluations=16, cycles=None,
                  **options)
    initial, children = SEEN[:4], SEEN[4:]
    assert all(parent is None for _, parent in initial)
    assert children and all(parent is not None for _, parent in children)
    assert {p for _, p in children} <= {k for k, _ in SEEN}  # a parent was evaluated before


def test_no_inherit_is_honoured_by_every_evolutionary_strategy(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 255, size=(24, 3, 32, 32), dtype=np.uint8)
    data = tmp_path / "d.npz"
    np.savez(data, train_images=images[:16], train_labels=np.arange(16) % 10, test_images=images[16:],
             test_labels=np.arange(8) % 10)
    fractions = {}
    for inherit in (True, False):
        out = tmp_path / f"run-{inherit}"
        run_search(SearchConfig(space="nb201", strategy="rea", evaluator="train", data=str(data), epochs=1,
                                net={"C": 4, "N": 1}, population=3, evaluations=5, cycles=None, device="cpu",
                                samples=2, no_inherit=not inherit), out, progress=False)
        fractions[inherit] = [json.loads(p.read_text())["inherited_fraction"] for p in (out / "weights").glob("*.json")]
    assert any(f is not None and f > 0 for f in fractions[True])
    assert all(f is None for f in fractions[False])


# ---- 8. resume limits and equal values --------------------------------------------------------
def test_resume_with_a_budget_runs_to_it_and_an_equal_value_is_no_change(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["search", *NB201_TINY, "--cycles", "2", "--out", str(out)]) == 0
    assert main(["search", "--resume", str(out), "--evaluations", "20", "--net", "C=4,N=1", "--no-progress"]) == 0
    assert pd.read_csv(out / "log.csv")["evals"].sum() == 20
    assert main(["search", "--resume", str(out), "--evaluations", "20", "--no-progress"]) == 2
    assert "already" in capsys.readouterr().err
    assert main(["search", "--resume", str(out), "--net", "C=8,N=1", "--no-progress"]) == 2


# ---- 9. correlate: the usual architecture column without --arch-col -----------------------------
def test_correlate_finds_the_arch_column_when_only_the_accuracy_column_is_named(tmp_path):
    space = evonas.get_space("nb201")
    rng = np.random.default_rng(0)
    natives = [space.to_native(space.sample(rng)) for _ in range(6)]
    table = tmp_path / "t.csv"
    pd.DataFrame({"arch": natives, "acc": np.arange(6.0)}).to_csv(table, index=False)
    assert main(["correlate", "--table", str(table), "--space", "nb201", "--proxy", "params", "--acc-col", "acc",
                 "--net", "C=4,N=1", "--samples", "2", "--repeats", "1", "--out", str(tmp_path / "c"),
                 "--no-progress"]) == 0


# ---- 10. calibration is a property of the space, not of the seed --------------------------------
def test_calibration_does_not_depend_on_the_search_seed():
    from evonas.evaluators.builders import proxy_evaluator

    mus = set()
    for seed in (0, 1, 2):
        config = SearchConfig(space="darts", seed=seed, samples=2, repeats=1).check()
        proxy_evaluator(config, evonas.get_space("darts"), None, False)
        mus.add((config.mu, config.sigma))
    assert len(mus) == 1


# ---- 11. a table is checked whole, and a missing architecture is data --------------------------
def test_every_table_row_is_checked_before_the_search(tmp_path, capsys):
    space = evonas.get_space("nb201")
    rng = np.random.default_rng(0)
    natives = sorted({space.to_native(space.sample(rng)) for _ in range(40)})
    natives[30] = "|nor_conv_3x3~0|+|bogus~0|"
    table = tmp_path / "t.csv"
    pd.DataFrame({"arch": natives, "cifar10_valid_acc": np.linspace(0, 100, len(natives))}).to_csv(table, index=False)
    out = tmp_path / "run"
    assert main(["search", "--space", "nb201", "--evaluator", "table", "--table", str(table), "--evaluations", "10",
                 "--population", "4", "--no-progress", "--out", str(out)]) == 2
    assert "row 32" in capsys.readouterr().err and not out.exists()


def test_architectures_missing_from_the_table_are_failed_evaluations(tmp_path):
    space = evonas.get_space("nb201")
    rng = np.random.default_rng(0)
    natives = sorted({space.to_native(space.sample(rng)) for _ in range(300)})
    table = tmp_path / "t.csv"
    pd.DataFrame({"arch": natives, "cifar10_valid_acc": np.linspace(0, 100, len(natives))}).to_csv(table, index=False)
    out = tmp_path / "run"
    result = run_search(SearchConfig(space="nb201", evaluator="table", table=str(table), evaluations=40, cycles=None,
                                     population=6, strategy="rea"), out, progress=False)
    scored = pd.read_csv(out / "scored.csv")
    assert len(scored) == 40 and result.best["failed"] > 0
    assert scored.loc[scored["status"] == "failed", "error"].str.contains("is not in the table").all()
    assert result.best["native"] in set(natives)


# ---- the shape -------------------------------------------------------------------------------
def import_graph() -> nx.DiGraph:
    """evonas's own modules and the imports between them (function-level imports too)."""
    graph = nx.DiGraph()
    for path in PACKAGE.rglob("*.py"):
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
        graph.add_node(module)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("evonas"):
                targets = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name.startswith("evonas")]
            else:
                continue
            graph.add_edges_from((module, t) for t in targets)
    return graph


def test_the_package_has_no_import_circle():
    graph = import_graph()
    modules = {".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
               for p in PACKAGE.rglob("*.py")}
    circles = [sorted(c) for c in nx.strongly_connected_components(graph.subgraph(modules)) if len(c) > 1]
    assert circles == []


@pytest.mark.parametrize("lower, upper", [("evonas.config", "evonas.facade"), ("evonas.config", "evonas.strategy"),
                                          ("evonas.fitness", "evonas.train"), ("evonas.fitness", "evonas.evaluators"),
                                          ("evonas.train", "evonas.evaluators"), ("evonas.strategy", "evonas.facade")])
def test_layers_import_only_downwards(lower, upper):
    graph = import_graph()
    below = [m for m in graph if m == lower or m.startswith(lower + ".")]
    assert not [(m, t) for m in below for t in graph.successors(m) if t == upper or t.startswith(upper + ".")]


def test_a_search_in_memory_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = evonas.search(space="nb201", evaluator="recording", population=4, evaluations=10, cycles=None)
    assert result.run_dir is None and result.best["evaluations"] == 10 and files(tmp_path) == []
    assert result.best["score"] == result.halloffame[0].fitness.values[0]
    with pytest.raises(ConfigError, match="unknown key"):
        evonas.search(space="nb201", populaton=4)
    with pytest.raises(DataError):
        evonas.search(space="nb201", evaluator="table", table=str(tmp_path / "none.csv"))


# ---- rank ensembles and priors compose too (issue 20) -----------------------------------------
def test_an_ensemble_is_a_multi_objective_objective_with_its_members_in_scored_csv(tmp_path):
    out = tmp_path / "moo"
    assert main(["search", "--objectives", "swap+params,params", *flags(*NB201_TINY, "--samples", "8"), "--evaluations", "8",
                 "--out", str(out)]) == 0
    scored = pd.read_csv(out / "scored.csv")
    assert len(scored) == 8 and {"score_swap", "score_params"} <= set(scored.columns)


def test_pre_nas_takes_calibrated_and_ensemble_features_and_a_prior(tmp_path, shared_data):
    out = tmp_path / "run"
    assert main(["search", *flags(*NB201_TINY, "--samples", "8"), "--strategy", "pre-nas", "--evaluator", "table",
                 "--table", str(shared_data / "nb201_cifar10.csv"), "--features", "swap+params,reg-swap",
                 "--prior", "reg-swap", "--prior-samples", "20", "--candidates", "4", "--evaluations", "10",
                 "--out", str(out)]) == 0
    config = json.loads((out / "config.json").read_text())
    assert config["prior"] == "reg-swap" and config["features"] == ["swap+params", "reg-swap"]
    assert json.loads((out / "best.json").read_text())["evaluations"] == 10
