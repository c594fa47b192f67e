"""Multi-objective SWAP-NAS on pymoo: operator wrappers, problem, fronts, reproducibility, kill-and-resume.

A cheap fake scorer stands in for SWAP (score = conv ops, params = the real count of a tiny
network), so the whole file runs in seconds.
"""

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pymoo.core.duplicate import ElementwiseDuplicateElimination
from pymoo.core.population import Population

import evonas
from evonas.facade import check
from evonas.cli import main
from evonas.cache import ScoreCache
from evonas.checkpoint import read_cache_and_log
from evonas.runfolder import read_journal
from evonas.errors import ConfigError, DataError, ProxyError, UnknownNameError
from evonas.moo import (
    ALGORITHMS,
    ArchitectureProblem,
    GenomeCrossover,
    GenomeDuplicateElimination,
    GenomeMutation,
    GenomeSampling,
    MooConfig,
    nb201_front_report,
    run_moo,
    score_genomes,
)

CONV_OPS = (1, 2)  # nb201 nor_conv_3x3, nor_conv_1x1
NB201 = evonas.get_space("nb201")


@dataclass
class FakeScorer:
    """score = number of conv edges, params = parameters of a tiny nb201 network (C=4, N=1)."""

    delay: float = field(default=0.0, compare=False)

    def __call__(self, genome):
        time.sleep(self.delay)
        return float(np.isin(genome.cells[0], CONV_OPS).sum()), NB201.count_params(genome, C=4, N=1)


def small_config(**changes) -> MooConfig:
    return MooConfig(**{"population": 8, "cycles": 5, "seed": 3, **changes})


def run_fake(out, *, delay: float = 0.0, resume: bool = False, **changes):
    """The run the tests (and the killed subprocess) make."""
    if resume:  # the folder's own config, with the changes given
        return run_moo(None, Path(out), resume=True, changes=changes, progress=False, scorer=FakeScorer(delay))
    return run_moo(small_config(**changes), Path(out), progress=False, scorer=FakeScorer(delay))


def files(run: Path, names=("front.csv", "hypervolume.csv", "scored.csv")) -> dict:
    return {name: (run / name).read_text() for name in names}


def unscored_problem() -> ArchitectureProblem:
    return ArchitectureProblem(FakeScorer(), ScoreCache())


# ---- operators --------------------------------------------------------------------------
@pytest.mark.parametrize("space_name", ["nb201", "darts"])
def test_operator_wrappers_keep_validity(space_name):
    space = evonas.get_space(space_name)
    rng = np.random.default_rng(0)
    problem, state = unscored_problem(), np.random.default_rng(1)
    pop = GenomeSampling(space, rng=rng).do(problem, 12, random_state=state)
    assert len(pop) == 12 and len({ind.X[0].key for ind in pop}) == 12
    crossover, mutation = GenomeCrossover(space, rng=rng, prob=1.0), GenomeMutation(space, rng=rng)
    for _ in range(15):
        parents = state.permutation(len(pop))[: 2 * 6].reshape(6, 2)
        children = crossover.do(problem, pop, parents=parents, random_state=state)
        pop = mutation.do(problem, children, random_state=state)
        assert len(pop) == 12
        for ind in pop:
            space.validate(ind.X[0])


def test_operators_draw_from_their_own_generator_not_pymoos():
    space = evonas.get_space("nb201")
    problem = unscored_problem()
    outputs = []
    for pymoo_state in (1, 2):
        rng = np.random.default_rng(0)
        pop = GenomeSampling(space, rng=rng).do(problem, 6, random_state=np.random.default_rng(pymoo_state))
        pop = GenomeMutation(space, rng=rng).do(problem, pop, random_state=np.random.default_rng(pymoo_state))
        outputs.append([ind.X[0].key for ind in pop])
    assert outputs[0] == outputs[1]


def test_duplicate_elimination_removes_equal_genomes():
    space = evonas.get_space("nb201")
    a, b, c = (space.sample(np.random.default_rng(s)) for s in range(3))
    twin = evonas.Genome.from_json(a.to_json())  # equal matrices, another object
    pop = Population.new("X", np.array([[a], [b], [twin], [c], [b]], dtype=object))
    elimination = GenomeDuplicateElimination()
    kept = elimination.do(pop)
    assert sorted(ind.X[0].key for ind in kept) == sorted({a.key, b.key, c.key})
    # same survivors, same order, as pymoo's own pairwise loop over is_equal
    pairwise = ElementwiseDuplicateElimination(cmp_func=elimination.is_equal).do(pop)
    assert [ind.X[0].key for ind in kept] == [ind.X[0].key for ind in pairwise]
    other = Population.new("X", np.array([[c]], dtype=object))
    assert sorted(ind.X[0].key for ind in elimination.do(pop, other)) == sorted({a.key, b.key})


# ---- problem and evaluation -------------------------------------------------------------
def test_score_genomes_maps_only_genomes_missing_from_the_cache():
    space = evonas.get_space("nb201")
    genomes = [space.sample(np.random.default_rng(s)) for s in range(4)]
    mapped = []

    def recording_map(fn, items):
        mapped.append([g.key for g in items])
        return map(fn, items)

    cache = ScoreCache()
    first = score_genomes(genomes[:3] + genomes[:1], FakeScorer(), cache, map_fn=recording_map)
    second = score_genomes(genomes[::-1], FakeScorer(), cache, map_fn=recording_map)
    assert mapped == [[g.key for g in genomes[:3]], [genomes[3].key]]
    assert first[3] == first[0] and second[::-1][:3] == first[:3]
    assert tuple(second[0])[:2] == FakeScorer()(genomes[3])


def test_problem_objectives_and_budget_constraint():
    space = evonas.get_space("nb201")
    genomes = [space.sample(np.random.default_rng(s)) for s in range(5)]
    X = np.array([[g] for g in genomes], dtype=object)
    out = ArchitectureProblem(FakeScorer(), ScoreCache(), limits={"params": 6000}).evaluate(X, return_as_dictionary=True)
    expected = np.array([FakeScorer()(g) for g in genomes])
    np.testing.assert_array_equal(out["F"], np.column_stack([-expected[:, 0], expected[:, 1]]))
    np.testing.assert_array_equal(out["G"][:, 0], expected[:, 1] / 6000 - 1)
    lower_better = ArchitectureProblem(FakeScorer(), ScoreCache(), direction=-1).evaluate(X, return_as_dictionary=True)
    np.testing.assert_array_equal(lower_better["F"][:, 0], expected[:, 0])


# ---- runs -------------------------------------------------------------------------------
def assert_monotone_front(front: pd.DataFrame) -> None:
    """Non-dominated: sorted by the parameter cost ascending, score strictly increasing (over distinct points)."""
    points = front[["cost_params", "score"]].drop_duplicates().sort_values("cost_params")
    assert points["cost_params"].is_unique
    assert (np.diff(points["score"].to_numpy()) > 0).all()


@pytest.mark.parametrize("algorithm", ALGORITHMS.names())
def test_every_registered_algorithm_finds_a_monotone_front(tmp_path, algorithm):
    result = run_fake(tmp_path / algorithm, algorithm=algorithm, cycles=3)
    assert len(result.front) >= 2
    assert_monotone_front(result.front)
    assert (result.population["rank"] >= 0).all() and (result.front["rank"] == 0).all()
    assert [row["cycle"] for row in result.hypervolume] == [0, 1, 2, 3]


def test_run_folder_holds_everything(tmp_path):
    run = tmp_path / "run"
    result = run_fake(run)
    for name in ["config.json", "checkpoint.json", "front.csv", "hypervolume.csv", "scored.csv", "front.png"]:
        assert (run / name).is_file(), name
    front = pd.read_csv(run / "front.csv")
    assert list(front.columns) == ["rank", "native", "score", "params", "cost_params", "key", "network"]
    assert front["network"].is_unique, "one row per network computed"
    space = evonas.get_space("nb201")
    for row in front.itertuples():
        assert space.to_native(space.from_native(row.native)) == row.native
        assert (row.score, row.params) == FakeScorer()(space.from_native(row.native))
        assert row.cost_params == space.count_params(space.from_native(row.native))  # the network to deploy
    assert_monotone_front(front[front["rank"] == 0])
    scored = pd.read_csv(run / "scored.csv")
    assert len(scored) == result.evaluations and scored["key"].is_unique and set(front["key"]) <= set(scored["key"])
    # nothing on the front is dominated by any architecture scored during the run
    for row in front[front["rank"] == 0].itertuples():
        assert not ((scored["cost_params"] <= row.cost_params) & (scored["score"] >= row.score)
                    & ((scored["cost_params"] < row.cost_params) | (scored["score"] > row.score))).any()
    assert MooConfig.from_dict(json.loads((run / "config.json").read_text())) == small_config()
    assert MooConfig.from_dict(json.loads((run / "resolved.json").read_text())) == small_config(algorithm="nsga2", repeats=4)  # the space's scoring_repeats, filled in


def test_hypervolume_never_decreases_under_elitist_nsga2(tmp_path):
    # elitism keeps every front point while the front fits the population (at 8 it fills it,
    # and crowding may drop a point): 16 leaves room
    result = run_fake(tmp_path / "run", cycles=9, population=16)
    hv = [row["hypervolume"] for row in result.hypervolume]
    assert all(later >= earlier for earlier, later in zip(hv, hv[1:]))
    assert hv[-1] > hv[0] > 0


def test_budget_keeps_the_front_feasible(tmp_path):
    result = run_fake(tmp_path / "run", budget={"params": 300000})
    assert (result.population["cost_params"] <= 300000).all() and len(result.front) >= 2


def test_same_seed_same_front_other_seed_other_run(tmp_path):
    run_fake(tmp_path / "a")
    run_fake(tmp_path / "b")
    run_fake(tmp_path / "c", seed=4)
    assert files(tmp_path / "a") == files(tmp_path / "b")
    assert files(tmp_path / "a", ["scored.csv"]) != files(tmp_path / "c", ["scored.csv"])


def test_killed_run_resumes_to_the_same_front(tmp_path):
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    run_fake(whole, cycles=9)
    driver = (
        f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
        f"from test_moo import run_fake; run_fake({str(killed)!r}, delay=0.05, cycles=9)"
    )
    repo = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": os.pathsep.join([repo, os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-c", driver], env=env, cwd=repo, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        ckpt = killed / "checkpoint.json"
        if ckpt.exists() and json.loads(ckpt.read_text())["generation"] >= 3:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL, proc.stderr.read()
    assert not (killed / "front.csv").exists()  # really interrupted
    assert json.loads((killed / "checkpoint.json").read_text())["generation"] < 10
    result = run_fake(killed, resume=True)
    assert files(killed) == files(whole)
    whole_state = json.loads((whole / "checkpoint.json").read_text())
    assert json.loads((killed / "checkpoint.json").read_text()) == whole_state
    assert result.evaluations == whole_state["cache"]["misses"]


def test_resume_refuses_a_checkpoint_it_cannot_reproduce(tmp_path):
    run = tmp_path / "run"
    run_fake(run, cycles=2)
    state = json.loads((run / "checkpoint.json").read_text())
    changed = json.loads(json.dumps(state))
    changed["population"][0]["F"][0] -= 1.0
    (run / "checkpoint.json").write_text(json.dumps(changed))
    with pytest.raises(ConfigError, match="did not reproduce"):
        run_fake(run, resume=True, cycles=3)
    (run / "checkpoint.json").write_text(json.dumps(inline(run, state, drop_last=True)))  # a cache without its last row
    (run / "journal.jsonl").unlink()
    with pytest.raises(ConfigError, match="did not reproduce"):
        run_fake(run, resume=True, cycles=3)


def inline(run: Path, state: dict, drop_last: bool = False) -> dict:
    """``state`` as a checkpoint from before the journal wrote it: the cache and the hypervolume history inline."""
    cache, history = read_cache_and_log(state, run, evonas.get_space("nb201").network_key)
    old = {k: v for k, v in state.items() if k != "journal"}
    old["cache"], old["hypervolume"] = cache.to_json(), history
    if drop_last:
        old["cache"]["scores"].popitem()
    return old


def test_a_checkpoint_journals_the_cache_and_cuts_a_torn_tail_on_resume(tmp_path):
    """The checkpoint holds no cache rows (they are appended to the journal); what a killed run appended after its
    last checkpoint -- here half a line -- is cut on resume, and the run ends as the uninterrupted one."""
    whole, run = tmp_path / "whole", tmp_path / "run"
    run_fake(whole, cycles=4)
    run_fake(run, cycles=2)
    state = json.loads((run / "checkpoint.json").read_text())
    assert set(state["cache"]) == {"hits", "misses"} and "hypervolume" not in state
    rows = read_journal(run, state["journal"])
    assert sum("cache" in r for r in rows) == state["cache"]["misses"] and sum("log" in r for r in rows) == 3
    with open(run / "journal.jsonl", "ab") as f:
        f.write(b'{"cache":["torn')
    run_fake(run, resume=True, cycles=4)
    assert files(run) == files(whole)
    assert (run / "journal.jsonl").read_bytes() == (whole / "journal.jsonl").read_bytes()
    assert (run / "checkpoint.json").read_text() == (whole / "checkpoint.json").read_text()


def test_a_run_folder_from_before_the_journal_resumes_to_the_same_front(tmp_path):
    whole, run = tmp_path / "whole", tmp_path / "run"
    run_fake(whole, cycles=4)
    run_fake(run, cycles=2)
    (run / "checkpoint.json").write_text(json.dumps(inline(run, json.loads((run / "checkpoint.json").read_text()))))
    (run / "journal.jsonl").unlink()
    run_fake(run, resume=True, cycles=4)
    assert files(run) == files(whole)
    assert json.loads((run / "checkpoint.json").read_text()) == json.loads((whole / "checkpoint.json").read_text())


def test_config_errors_name_the_value(tmp_path):
    with pytest.raises(ConfigError, match="PROXY,params"):
        check(MooConfig(objectives=["params", "swap"]))
    with pytest.raises(ConfigError, match="reg-swap"):
        check(MooConfig(objectives=["reg-swap", "params"]))
    with pytest.raises(UnknownNameError, match="nsga2"):
        check(MooConfig(algorithm="nsga-2"))
    with pytest.raises(ConfigError, match="budget"):
        check(MooConfig(budget=-1))
    assert MooConfig.from_dict({"objectives": "swap, params"}).objectives == ["swap", "params"]
    run_fake(tmp_path / "run", cycles=0)
    with pytest.raises(ConfigError, match="already holds a run"):
        run_fake(tmp_path / "run", cycles=0)


# ---- NAS-Bench-201 ground truth ---------------------------------------------------------
def test_nb201_front_report_on_a_dummy_table():
    space = evonas.get_space("nb201")
    small, mid, big, bad, unknown = (space.to_native(space.sample(np.random.default_rng(seed))) for seed in range(5))
    table = pd.DataFrame({
        "arch": [small, mid, big, bad],
        "params_m_cifar10": [0.1, 0.5, 1.0, 0.8],
        "cifar10_test_acc": [80.0, 90.0, 94.0, 85.0],
    })
    truth = nb201_front_report([small, mid, big], table)
    assert truth["hypervolume_ratio"] == pytest.approx(1.0)
    assert truth["on_true_front"] == 3 and [m["native"] for m in truth["true_front"]] == [small, mid, big]
    partial = nb201_front_report([small, bad, unknown], table)
    assert [m["on_true_front"] for m in partial["members"]] == [True, False, False]
    assert partial["members"][1]["true_acc"] == 85.0 and partial["members"][2]["true_acc"] is None
    assert 0 < partial["hypervolume_ratio"] < 1
    with pytest.raises(DataError, match="cifar10_test_acc"):
        nb201_front_report([small], table.drop(columns="cifar10_test_acc"))


def test_run_reports_the_true_front_of_nb201(tmp_path, shared_data):
    result = run_fake(tmp_path / "run", ground_truth=str(shared_data / "nb201_cifar10.csv"))
    truth = json.loads((tmp_path / "run" / "truth.json").read_text())
    assert truth == json.loads(json.dumps(result.truth)) and truth["table_size"] == 15625
    assert [m["native"] for m in truth["members"]] == list(result.front["native"])
    assert all(10 <= m["true_acc"] <= 95 for m in truth["members"])
    assert 0 < truth["hypervolume"] <= truth["true_hypervolume"]
    assert (tmp_path / "run" / "truth.png").stat().st_size > 1000  # true accuracy against parameters


def test_cli_multi_objective_shares_the_vocabulary(tmp_path, capsys):
    """`--cycles` and `--evaluations` mean the same with --objectives; full architecture strings are printed."""
    out = tmp_path / "run"
    args = ["search", "--objectives", "swap,params", "--space", "nb201", "--population", "6", "--cycles", "2",
            "--samples", "8", "--repeats", "1", "--net", "C=8,N=1", "--no-progress", "--out", str(out)]
    assert main(args) == 0
    text = capsys.readouterr().out
    hv = pd.read_csv(out / "hypervolume.csv")
    assert list(hv["cycle"]) == [0, 1, 2]
    front = pd.read_csv(out / "front.csv")
    assert all(native in text for native in front.loc[front["rank"] == 0, "native"])
    assert main(["search", "--resume", str(out), "--cycles", "3", "--no-progress"]) == 0
    assert list(pd.read_csv(out / "hypervolume.csv")["cycle"]) == [0, 1, 2, 3]


@dataclass
class FailsOnPools(FakeScorer):
    """FakeScorer, but a cell with an average pool fails as a dead cell does."""

    def __call__(self, genome):
        if (genome.cells[0] == 3).any():
            raise ProxyError("zero output")
        return super().__call__(genome)


def test_failed_architectures_are_infeasible_and_listed(tmp_path):
    result = run_moo(small_config(), tmp_path / "run", progress=False, scorer=FailsOnPools())
    scored = pd.read_csv(tmp_path / "run" / "scored.csv")
    failed = scored[scored["status"] == "failed"]
    assert len(failed) > 0 and (failed["error"] == "zero output").all()
    assert not set(failed["key"]) & set(result.population["key"]), "a failed architecture is never on a front"
    assert len(result.front) >= 2 and all(h["hypervolume"] > 0 for h in result.hypervolume)
