"""Trackers: runs logged to MLflow and TensorBoard are read back with the tools' own readers, nothing mocked."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

import evonas
from evonas.cli import main
from evonas.config import MooConfig, SearchConfig
from evonas.errors import ConfigError, UnknownNameError
from evonas.moo import run_moo
from evonas.tracking import TENSORBOARD_DIR, TRACKERS, TrackerSpec, check_trackers, default_mlflow_uri, flatten, tracked

TINY = dict(space="nb201", population=6, repeats=1, samples=8, net={"C": 8, "N": 1})


def _search(out: Path, track: list[str], **more) -> evonas.SearchResult:
    config = SearchConfig(**{**TINY, "evaluations": 12, **more}, track=track)
    return evonas.run_search(config, out, progress=False)


@pytest.fixture
def mlflow_store(monkeypatch):
    """MLflow's client for reading a local file store (our default, or MLFLOW_TRACKING_URI's)."""
    pytest.importorskip("mlflow", reason="pip install 'evonas[mlflow]'")
    from mlflow.tracking import MlflowClient

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("MLFLOW_ALLOW_FILE_STORE", raising=False)
    monkeypatch.delenv("MLFLOW_EXPERIMENT_NAME", raising=False)

    def client(uri: str) -> MlflowClient:
        os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"  # reading a file store, as a user does
        try:
            reader = MlflowClient(tracking_uri=uri)
            reader.search_experiments()  # builds the store while the variable is set
            return reader
        finally:
            del os.environ["MLFLOW_ALLOW_FILE_STORE"]

    return client


def _only_run(client, name: str = "evonas"):
    experiment = client.get_experiment_by_name(name)
    runs = client.search_runs([experiment.experiment_id])
    assert len(runs) == 1
    return runs[0]


def _artifacts(client, run_id: str, path: str | None = None) -> set[str]:
    return {a.path for a in client.list_artifacts(run_id, path)}


def test_flatten_config_for_params():
    flat = flatten({"space": "nb201", "net": {"C": 8}, "track": ["mlflow", "tensorboard"], "mu": None})
    assert flat == {"space": "nb201", "net.C": "8", "track": "mlflow,tensorboard"}


def test_unknown_tracker_refused_before_the_folder_is_written(tmp_path):
    with pytest.raises(UnknownNameError, match="unknown tracker 'mlflwo'.*mlflow"):
        _search(tmp_path / "run", ["mlflwo"])
    assert not (tmp_path / "run").exists()


def test_missing_extra_is_one_line_naming_the_pip_install(monkeypatch, tmp_path):
    monkeypatch.setitem(TRACKERS._entries, "absent", TrackerSpec(lambda out: None, "evonas_no_such_module", "absent"))
    with pytest.raises(ConfigError, match=r"^--track absent needs the package evonas_no_such_module: "
                                          r"pip install 'evonas\[absent\]'$"):
        check_trackers(["absent"])
    code = main(["search", *"--space nb201 --evaluations 6 --population 6 --track absent --out".split(),
                 str(tmp_path / "run")])
    assert code == 2 and not (tmp_path / "run").exists()


def test_track_needs_a_run_folder():
    with pytest.raises(ConfigError, match="--track logs a run folder"):
        evonas.search(**TINY, evaluations=6, track=["tensorboard"])


def test_track_is_read_from_text_and_may_change_on_resume(tmp_path):
    assert SearchConfig.from_dict({"track": "mlflow, tensorboard"}).track == ["mlflow", "tensorboard"]
    _search(tmp_path / "run", [])
    more = SearchConfig.resumed_from(tmp_path / "run", {"evaluations": 18, "track": "tensorboard"})
    assert more.track == ["tensorboard"]


def test_mlflow_default_store_beside_the_run_folder(tmp_path, mlflow_store):
    out = tmp_path / "runs" / "first"
    _search(out, ["mlflow"], ground_truth=None)
    assert "MLFLOW_ALLOW_FILE_STORE" not in os.environ  # set for our calls only
    assert default_mlflow_uri(out) == (tmp_path / "runs" / "mlruns").as_uri()
    client = mlflow_store(default_mlflow_uri(out))
    run = _only_run(client)
    assert run.info.run_name == "first" and run.info.status == "FINISHED"
    assert run.data.params["space"] == "nb201" and run.data.params["net.C"] == "8"
    log = pd.read_csv(out / "log.csv")
    history = client.get_metric_history(run.info.run_id, "best")
    assert [m.step for m in history] == list(log["cycle"])
    assert [m.value for m in history] == pytest.approx(list(log["best"]))
    best = json.loads((out / "best.json").read_text())
    assert run.data.tags["best.native"] == best["native"]
    assert {"best.json", "cell.png", "run"} <= _artifacts(client, run.info.run_id)
    assert {"run/log.csv", "run/best.json", "run/config.json"} <= _artifacts(client, run.info.run_id, "run")

    # a resumed search continues the same MLflow run, and may start tracking only now
    evonas.run_search(None, out, resume=True, changes={"evaluations": 20}, progress=False)
    run = _only_run(client)
    history = client.get_metric_history(run.info.run_id, "best")
    assert [m.step for m in history] == list(pd.read_csv(out / "log.csv")["cycle"])
    assert run.info.status == "FINISHED"


def test_mlflow_honours_tracking_uri(tmp_path, mlflow_store, monkeypatch):
    store = tmp_path / "elsewhere"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", store.as_uri())
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")  # the user's choice of a file store, and its opt-in
    monkeypatch.setenv("MLFLOW_EXPERIMENT_NAME", "nas-study")
    _search(tmp_path / "runs" / "a", ["mlflow"])
    assert not (tmp_path / "runs" / "mlruns").exists()
    assert os.environ["MLFLOW_ALLOW_FILE_STORE"] == "true"
    assert _only_run(mlflow_store(store.as_uri()), "nas-study").info.run_name == "a"


def test_mlflow_refusing_a_file_store_is_one_line(tmp_path, mlflow_store, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", (tmp_path / "store").as_uri())  # a file store without the opt-in
    with pytest.raises(ConfigError, match=r"^--track mlflow: MLflow refused the store file:.*MLFLOW_ALLOW_FILE_STORE"):
        _search(tmp_path / "run", ["mlflow"])


def test_mlflow_run_of_a_failed_search_is_failed(tmp_path, mlflow_store):
    out = tmp_path / "runs" / "broken"
    out.mkdir(parents=True)
    config = SearchConfig(**TINY, track=["mlflow"])
    with pytest.raises(RuntimeError, match="boom"), tracked(config, out, resume=False) as tracking:
        tracking.cycle({"cycle": 0, "best": 1.5, "mean": float("nan"), "note": "text"})
        raise RuntimeError("boom")
    client = mlflow_store(default_mlflow_uri(out))
    run = _only_run(client)
    assert run.info.status == "FAILED"
    assert run.data.metrics == {"best": 1.5}  # NaN and text are not metrics
    assert "best.json" not in _artifacts(client, run.info.run_id)


def test_mlflow_multi_objective(tmp_path, mlflow_store):
    out = tmp_path / "runs" / "moo"
    config = MooConfig(**TINY, evaluations=12, objectives=["swap", "params"], track=["mlflow"])
    result = run_moo(config, out, progress=False)
    client = mlflow_store(default_mlflow_uri(out))
    run = _only_run(client)
    history = client.get_metric_history(run.info.run_id, "hypervolume")
    assert [m.value for m in history] == pytest.approx([h["hypervolume"] for h in result.hypervolume])
    assert {"best.json", "cell.png", "run"} <= _artifacts(client, run.info.run_id)
    top = result.front.sort_values("score", ascending=False).iloc[0]
    assert run.data.tags["best.native"] == top["native"]
    assert not (out / "cell.png").exists()  # drawn for the tracker, not into the run folder


def test_tensorboard_events_read_back(tmp_path):
    pytest.importorskip("tensorboardX", reason="pip install 'evonas[tensorboard]'")
    accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator",
                                      reason="the test reads events with TensorBoard's own reader")
    out = tmp_path / "run"
    code = main(["search", *"--space nb201 --evaluations 12 --population 6 --repeats 1 --samples 8 --net C=8,N=1".split(),
                 "--track", "tensorboard", "--no-progress", "--out", str(out)])
    assert code == 0
    events = accumulator.EventAccumulator(str(out / TENSORBOARD_DIR), size_guidance={"scalars": 0, "images": 0,
                                                                                        "tensors": 0})
    events.Reload()
    log = pd.read_csv(out / "log.csv")
    best = events.Scalars("search/best")
    assert [e.step for e in best] == list(log["cycle"])
    assert [e.value for e in best] == pytest.approx(list(log["best"]), rel=1e-6)
    assert {"search/mean", "search/evals", "search/best_params"} <= set(events.Tags()["scalars"])
    assert events.Images("best/cell")[0].width > 100
    native = json.loads((out / "best.json").read_text())["native"]
    texts = {tag: events.Tensors(tag)[0].tensor_proto.string_val[0].decode() for tag in events.Tags()["tensors"]}
    assert native in texts["best/text_summary"] and "| space | `nb201` |" in texts["config/text_summary"]
