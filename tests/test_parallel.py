"""Parallel scoring: the same results with 1, 2 or N workers, local or on Ray; a dying worker loses nothing.

What runs inside workers lives in ``parallel_helpers`` (light imports, so a restarted worker is quick).
"""

import json
import os
import sys
import time
from functools import partial
from pathlib import Path

import pandas as pd
import pytest

import evonas.evaluators.builders
import evonas.facade
from evonas.cli import main
from evonas.errors import ConfigError, ProxyError
from evonas.evaluators import ArchitectureScorer
from evonas.moo import MooConfig, run_moo
from evonas.parallel import WorkerError, _dumps, make_map
from evonas.facade import SearchConfig, run_search
from parallel_helpers import DyingScorer, FailsOnOne, KillAlways, KillOnce, Twice, plus_one

TINY = dict(space="nb201", population=6, cycles=6, mutations=3, samples=8, repeats=2, net={"C": 8, "N": 1}, seed=1)


def final_state(run: Path) -> tuple:
    state = json.loads((run / "checkpoint.json").read_text())
    best = json.loads((run / "best.json").read_text())
    return [(p["genome"], p["score"]) for p in state["population"]], best["native"], best["score"]


@pytest.fixture(scope="module")
def serial_run(tmp_path_factory) -> Path:
    """The tiny search, run serially (the reference every parallel run must reproduce)."""
    out = tmp_path_factory.mktemp("serial") / "run"
    run_search(SearchConfig(**TINY), out, progress=False)
    return out


# ---- local worker processes ----------------------------------------------------------------
def test_map_keeps_the_order_and_tasks_carry_no_scorer():
    scorer = Twice()
    with make_map(2, None, scorer) as pmap:
        assert list(pmap(scorer, range(12))) == [2 * x for x in range(12)]
        assert list(pmap(partial(plus_one, scorer), range(5))) == [2 * x + 1 for x in range(5)]
    # a task's function is a reference to the worker's scorer, not the scorer with its batch
    big = ArchitectureScorer(space="nb201", proxy="swap", batch=_batch())
    assert len(_dumps(partial(plus_one, big), big)) < 200 < len(_dumps(big))


def _batch():
    import torch

    from evonas.fitness import Batch

    return Batch(torch.zeros(16, 3, 32, 32))


def test_search_finds_the_same_with_1_and_2_workers(tmp_path, serial_run):
    run_search(SearchConfig(**TINY, workers=2), tmp_path / "two", progress=False)
    assert final_state(tmp_path / "two") == final_state(serial_run)
    assert (tmp_path / "two" / "scored.csv").read_text() == (serial_run / "scored.csv").read_text()


def test_multi_objective_search_finds_the_same_front_with_2_workers(tmp_path):
    config = dict(space="nb201", objectives=["swap", "params"], population=6, cycles=2, samples=8,
                  repeats=2, net={"C": 8, "N": 1}, seed=2)
    one = run_moo(MooConfig(**config), tmp_path / "one", progress=False)
    two = run_moo(MooConfig(**config, workers=2), tmp_path / "two", progress=False)
    pd.testing.assert_frame_equal(one.population, two.population)
    assert one.hypervolume == two.hypervolume


def test_correlate_gives_the_same_scores_with_1_and_2_workers(tmp_path, shared_data):
    args = ["correlate", "--table", str(shared_data / "nb201_cifar10.csv"), "--space", "nb201", "--proxy", "swap",
            "--limit", "12", "--samples", "16", "--repeats", "1", "--net", "C=8,N=1", "--no-progress"]
    assert main([*args, "--out", str(tmp_path / "one")]) == 0
    assert main([*args, "--out", str(tmp_path / "two"), "--workers", "2"]) == 0
    one, two = (pd.read_csv(tmp_path / name / "scores.csv") for name in ("one", "two"))
    assert len(one) == 12 and (one["status"] == "ok").all()
    pd.testing.assert_frame_equal(one, two)


def test_a_scorer_error_reaches_the_caller_as_itself():
    with make_map(2, None, FailsOnOne()) as pmap, pytest.raises(ProxyError, match="^proxy gave NaN for x = 1$"):
        list(pmap(pmap.scorer, range(4)))


def test_a_killed_worker_task_is_retried(tmp_path):
    marker = tmp_path / "killed"
    scorer = KillOnce(str(marker))
    with make_map(2, None, scorer) as pmap:
        assert list(pmap(scorer, range(10))) == [2 * x for x in range(10)]
    assert marker.exists()  # a worker really died


def test_a_worker_dying_twice_is_one_clear_error():
    scorer = KillAlways()
    with make_map(2, None, scorer) as pmap, pytest.raises(WorkerError) as err:
        list(pmap(scorer, range(4)))
    assert "died twice" in str(err.value) and "\n" not in str(err.value)


def test_a_search_whose_workers_die_resumes_to_the_same_result(tmp_path, serial_run, monkeypatch):
    """Workers killed in cycle 3: a clear error, the checkpoint of cycle 2 intact, --resume finishes the run."""
    armed, run = tmp_path / "armed", tmp_path / "run"
    monkeypatch.setattr(evonas.evaluators.proxy, "ArchitectureScorer", partial(DyingScorer, armed=str(armed)))
    save = evonas.facade.save_checkpoint

    def save_then_arm(out, state):
        save(out, state)
        if state.cycle == 2:
            armed.touch()

    monkeypatch.setattr(evonas.facade, "save_checkpoint", save_then_arm)
    with pytest.raises(WorkerError, match="died twice"):
        run_search(SearchConfig(**TINY, workers=2), run, progress=False)
    assert json.loads((run / "checkpoint.json").read_text())["cycle"] in (2, 3, 4, 5)
    assert not (run / "best.json").exists()
    armed.unlink()
    run_search(None, run, resume=True, changes={"workers": 2}, progress=False)
    assert final_state(run) == final_state(serial_run)


def test_bad_settings_are_config_errors(tmp_path, capsys, monkeypatch):
    with pytest.raises(ConfigError, match="workers = 0 is out of range"):
        SearchConfig(workers=0).check()
    with pytest.raises(ConfigError, match="workers = -1 is out of range"):
        MooConfig(workers=-1).check()
    with pytest.raises(ConfigError, match="picklable"), make_map(2, None, lambda x: x):
        pass
    assert main(["search", "--out", str(tmp_path / "r"), "--workers", "0"]) == 2
    assert "workers = 0 is out of range" in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "ray", None)  # as if Ray were not installed
    with pytest.raises(ConfigError, match=r"Ray is not installed; pip install 'evonas\[ray\]'"), make_map(1, "auto", Twice()):
        pass


# ---- Ray ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ray_session():
    """One local Ray instance for this module: 2 CPUs, no dashboard, loopback only."""
    os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"  # read at import: bind to 127.0.0.1
    ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'evonas[ray]')")
    from ray.job_config import JobConfig

    job = JobConfig(code_search_path=[str(Path(__file__).parent), str(Path(__file__).parents[1])])
    ray.init(address="local", num_cpus=2, include_dashboard=False, object_store_memory=80 * 2**20,
             job_config=job, log_to_driver=False)
    yield ray
    ray.shutdown()


def test_an_unreachable_ray_address_fails_fast(monkeypatch):
    ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'evonas[ray]')")
    monkeypatch.setattr(ray, "is_initialized", lambda: False)  # as if no session: connect to the address
    start = time.perf_counter()
    with pytest.raises(ConfigError, match="--ray 127.0.0.1:1: nothing answers at 127.0.0.1 port 1"):
        make_map(2, "127.0.0.1:1", Twice()).__enter__()
    assert time.perf_counter() - start < 10


def test_ray_search_finds_the_same_as_serial(tmp_path, serial_run, ray_session):
    run_search(SearchConfig(**TINY, workers=2, ray="auto"), tmp_path / "ray", progress=False)
    assert final_state(tmp_path / "ray") == final_state(serial_run)
    assert ray_session.is_initialized()  # the session of the caller is used, not shut down


def test_ray_passes_a_scorer_error_on_as_itself(ray_session):
    with make_map(2, "auto", FailsOnOne()) as rmap, pytest.raises(ProxyError, match="^proxy gave NaN for x = 1$"):
        list(rmap(rmap.scorer, range(4)))


def test_ray_retries_a_killed_actor_and_reports_a_second_death(tmp_path, ray_session):
    marker = tmp_path / "killed"
    scorer = KillOnce(str(marker))
    with make_map(2, "auto", scorer) as rmap:
        assert list(rmap(scorer, range(8))) == [2 * x for x in range(8)]
    assert marker.exists()
    killer = KillAlways()
    with make_map(2, "auto", killer) as rmap, pytest.raises(WorkerError, match="died twice"):
        list(rmap(killer, range(2)))


# ---- what a map is told about the evaluator ----------------------------------------------------
def test_ray_actors_get_a_gpu_for_an_evaluator_on_cuda_behind_any_wrapper(monkeypatch):
    """The device is the evaluator's declared field, carried past wrappers (a budget's Costed), not sniffed."""
    from evonas.evaluators import EVALUATORS, Evaluator
    from evonas.parallel import SerialMap

    told = []

    class RecordingRay(SerialMap):
        def __init__(self, address, workers, scorer, gpus_per_worker=None, *, device="cpu"):
            told.append(device)

    monkeypatch.setattr(evonas.parallel, "RayMap", RecordingRay)
    monkeypatch.setitem(EVALUATORS._entries, "on-cuda", lambda config, space, run_dir, progress: Evaluator(
        lambda genome: float(genome.cells[0].sum()), +1, "ops", device="cuda:1"))
    evonas.search(space="nb201", evaluator="on-cuda", ray="local", workers=2, budget="params=1e9", population=4,
                  evaluations=6, cycles=None)
    assert told == ["cuda:1"]


def test_a_map_that_starts_work_without_waiting_says_so_by_its_type():
    from evonas.parallel import Map, submit

    with make_map(1, None, Twice()) as serial:
        assert isinstance(serial, Map) and [t.result() for t in submit(serial, abs, [-1, 2])] == [1, 2]
    assert [t.result() for t in submit(map, abs, [-1, 2])] == [1, 2]  # any other map: run at once
