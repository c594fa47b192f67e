"""The pipelined steady state: window 1 is the synchronous search, any window gives one result with any
number of workers and any timing, and a run killed with cycles in flight resumes to the same result."""

import json
import signal
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evonas.cli import main
from evonas.encodings import get_space
from evonas.errors import ConfigError
from evonas.facade import SearchConfig, check, resolve
from evonas.operators import fitness_class
from evonas.parallel import make_map
from evonas.strategy import STRATEGIES, SearchRun, StopRule, make_toolbox
from evonas.strategy.pipeline import auto_window
from parallel_helpers import SmoothScore
from test_search import TINY, final_state, flags, search

sys.path.insert(0, str(Path(__file__).parent / "fixtures"))
from window1_reference import RUNS, reference  # noqa: E402

REFERENCE = json.loads((Path(__file__).parent / "fixtures" / "window1_reference.json").read_text())


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_window_1_is_the_synchronous_search(name, shared_data):
    strategy, seed = name.split("/")
    got = json.loads(json.dumps(reference(strategy, int(seed), window=1)))
    # the log gained an ``infeasible`` column after the reference was recorded: none without a budget
    assert all(row.pop("infeasible") == 0 for row in got["log"])
    assert got == REFERENCE[name]


def run_strategy(strategy: str, window: int, workers: int, jitter: float = 0.0, evaluations: int = 60) -> tuple:
    """A seeded run on the smooth score: final population, logbook (without timings) and the cache's order."""
    space, rng = get_space("nb201"), np.random.default_rng(3)
    scorer = SmoothScore(jitter=jitter)
    toolbox = make_toolbox(space, scorer, rng, fitness_class(1), remove=STRATEGIES.get(strategy).remove)
    run = SearchRun(toolbox, StopRule(None, evaluations))
    with make_map(workers, None, scorer) as map_fn:
        toolbox.register("map", map_fn)
        population = STRATEGIES.get(strategy).search(toolbox.population(n=8), toolbox, run, window=window, rng=rng)
    log = [{k: v for k, v in row.items() if k != "seconds"} for row in run.logbook]
    return [ind.genome.key for ind in population], log, list(run.cache.scores)


def test_a_window_changes_the_search_and_keeps_its_budget():
    one, four = run_strategy("swap-nas", 1, 1), run_strategy("swap-nas", 4, 1)
    assert one != four
    assert sum(row["evals"] for row in four[1]) == 60 == len(four[2])


@pytest.mark.slow
@pytest.mark.parametrize("strategy", ["swap-nas", "rea"])
def test_any_number_of_workers_and_any_timing_give_one_result(strategy):
    serial = run_strategy(strategy, 4, 1)
    for workers in (2, 4):
        assert run_strategy(strategy, 4, workers, jitter=0.02) == serial, workers


def test_a_pipelined_search_stops_at_its_cycle_limit_and_merges_in_order():
    space, rng = get_space("nb201"), np.random.default_rng(0)
    toolbox = make_toolbox(space, SmoothScore(), rng, fitness_class(1))
    run = SearchRun(toolbox, StopRule(7, None))
    STRATEGIES.get("swap-nas").search(toolbox.population(n=6), toolbox, run, window=5, rng=rng)
    assert [row["cycle"] for row in run.logbook] == list(range(8))
    assert run.inflight == []


def test_no_evaluation_is_submitted_that_the_budget_would_drop():
    """Cycles behind ones whose evaluations in flight already use up the budget submit nothing (REA: exactly the budget)."""
    space = get_space("nb201")
    for strategy, window, most in (("rea", 8, 30), ("swap-nas", 8, 46)):  # before: 37 and 66 of 30
        rng, calls = np.random.default_rng(3), []
        toolbox = make_toolbox(space, lambda genome: calls.append(1) or SmoothScore()(genome), rng, fitness_class(1),
                               remove=STRATEGIES.get(strategy).remove)
        run = SearchRun(toolbox, StopRule(None, 30))
        STRATEGIES.get(strategy).search(toolbox.population(n=8), toolbox, run, window=window, rng=rng)
        assert run.spent == 30 and len(calls) <= most, (strategy, len(calls))


@pytest.mark.slow
def test_killed_pipelined_search_resumes_to_the_same_result(tmp_path):
    args = [*TINY, "--window", "3"]
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    assert search(*args, "--out", str(whole)).wait(timeout=300) == 0
    proc = search(*args, "--out", str(killed))
    deadline, state = time.time() + 300, {}
    while time.time() < deadline:
        ckpt = killed / "checkpoint.json"
        if ckpt.exists():
            try:
                state = json.loads(ckpt.read_text())
            except json.JSONDecodeError:
                continue
            if state["cycle"] >= 3:
                break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (killed / "best.json").exists(), "the search finished before it could be killed"
    assert len(state["pipeline"]["inflight"]) == 2  # cycles in flight when it was killed: bred again on resume
    resumed = search("--resume", str(killed))
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    assert final_state(killed) == final_state(whole)
    assert json.loads((killed / "config.json").read_text())["window"] == 3


@pytest.mark.parametrize("args, message", [
    (["--window", "0"], "window = 0 is out of range"),
    (["--window", "two"], "--window two: must be a whole number >= 1 or auto"),
    (["--window", "-3"], "--window -3: must be a whole number >= 1 or auto"),
    (["--gpus-per-worker", "0.5"], "gpus_per_worker = 0.5 is out of range: must be >= 0, with --ray"),
    (["--gpus-per-worker", "-1", "--ray", "local"], "gpus_per_worker = -1.0 is out of range"),
])
def test_bad_window_or_gpus_is_one_line_before_anything_is_written(tmp_path, capsys, args, message):
    out = tmp_path / "run"
    assert main(["search", "--out", str(out), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1, err
    assert not out.exists()


def test_a_strategy_without_a_window_refuses_one(monkeypatch):
    from evonas.strategy import Strategy

    def windowless(population, toolbox, run):
        return population

    monkeypatch.setitem(STRATEGIES._entries, "windowless", Strategy("windowless", windowless, len, "no window", 0))
    with pytest.raises(ConfigError, match="strategy 'windowless' has no option window"):
        check(SearchConfig(strategy="windowless", window=2).check())
    assert resolve(SearchConfig(strategy="windowless", workers=8)).window is None  # auto: nothing to resolve for it
    check(SearchConfig(strategy="windowless", window=1).check())  # one cycle at a time: how every strategy runs


def test_a_run_from_before_windows_resumes_synchronously(tmp_path):
    """A run folder whose config.json predates --window ran one cycle at a time; more workers on resume keep it so."""
    run = tmp_path / "run"
    assert main(["search", *flags(*TINY, "--cycles", "2", "--out", str(run))]) == 0
    saved = json.loads((run / "config.json").read_text())
    del saved["window"]
    (run / "config.json").write_text(json.dumps(saved))
    resumed = SearchConfig.resumed_from(run, {"workers": 8, "cycles": 3})
    check(resumed.check())
    assert resumed.window == 1 and resumed.workers == 8


def test_auto_window_follows_the_workers_and_is_saved(tmp_path):
    assert auto_window(1, 5.5) == auto_window(2, 5.5) == auto_window(2, 1) == 1
    assert auto_window(64, 5.5) == 47 and auto_window(64, 1) == 256
    config = SearchConfig(workers=16)
    assert resolve(config).window == auto_window(16, 5.5) and config.window is None  # resolved in a copy
    assert SearchConfig.from_dict({"window": "auto"}).window is None
    assert SearchConfig.from_dict({"window": 4}).window == 4


def test_gpus_per_worker_on_a_cluster_without_gpus_is_refused(monkeypatch):
    pytest.importorskip("ray")
    from evonas import parallel

    class NoGpuRay:
        exceptions = None

        @staticmethod
        def is_initialized():
            return True

        @staticmethod
        def cluster_resources():
            return {"CPU": 2.0}

    monkeypatch.setitem(sys.modules, "ray", NoGpuRay)
    monkeypatch.setitem(sys.modules, "ray.util", type("M", (), {"ActorPool": object}))
    with pytest.raises(ConfigError, match=r"--gpus-per-worker 0.5: the Ray cluster at auto has no GPUs"):
        parallel.RayMap("auto", 2, abs, gpus_per_worker=0.5)


def test_a_finished_pipelined_run_resumed_adds_no_cycle(tmp_path):
    """Its checkpoint keeps cycles bred past its end; resuming merges none of them (issue 28, defect 6)."""
    space, rng = get_space("nb201"), np.random.default_rng(0)
    toolbox = make_toolbox(space, SmoothScore(), rng, fitness_class(1))
    saved = {}
    run = SearchRun(toolbox, StopRule(None, 20), on_cycle=lambda r, p: saved.update(
        cycle=r.cycle, inflight=list(r.inflight), lanes=[dict(lane) for lane in r.lanes or []], population=list(p)))
    STRATEGIES.get("swap-nas").search(toolbox.population(n=6), toolbox, run, window=4, rng=rng)
    assert saved["inflight"], "cycles were in flight at the last checkpoint"
    log = list(run.logbook)
    again = SearchRun(toolbox, StopRule(None, 20), cache=run.cache, logbook=run.logbook, start=saved["cycle"],
                      lanes=saved["lanes"], inflight=saved["inflight"])
    population = STRATEGIES.get("swap-nas").search(list(saved["population"]), toolbox, again, window=4, rng=rng)
    assert list(again.logbook) == log and again.cycle == saved["cycle"] and again.inflight == []
    assert population == saved["population"]


def test_a_finished_pipelined_run_resumed_changes_nothing_and_finishes_its_results(tmp_path, capsys):
    from test_search import hashes

    run = tmp_path / "run"
    args = flags(*TINY, "--cycles", "3", "--window", "3", "--out", str(run))
    assert main(["search", *args]) == 0
    before = hashes(run)
    assert main(["search", "--resume", str(run), "--no-progress"]) == 2
    assert "already" in capsys.readouterr().err and hashes(run) == before
    (run / "best.json").unlink()  # killed after its last checkpoint, before its results were written
    assert main(["search", "--resume", str(run), "--no-progress"]) == 0
    assert hashes(run)["best.json"] == before["best.json"]
    assert list(pd.read_csv(run / "log.csv")["cycle"]) == [0, 1, 2, 3]
