"""`evonas train` and `evonas export`: search run -> trained model -> export; errors; kill and resume."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from evonas.cli import main

NB201 = "|nor_conv_3x3~0|+|none~0|skip_connect~1|+|nor_conv_1x1~0|none~1|avg_pool_3x3~2|"
TINY = ["--recipe", "quick", "--net", "C=4,N=1", "--batch-size", "32", "--no-progress"]


@pytest.fixture(scope="module")
def tiny_npz(tmp_path_factory):
    rng = np.random.default_rng(0)
    path = tmp_path_factory.mktemp("data") / "tiny.npz"
    np.savez(path, train_images=rng.integers(0, 256, (64, 3, 32, 32), dtype=np.uint8), train_labels=np.arange(64) % 10,
             test_images=rng.integers(0, 256, (16, 3, 32, 32), dtype=np.uint8), test_labels=np.arange(16) % 10)
    return str(path)


@pytest.fixture(autouse=True)
def _one_thread(one_thread):
    """Every test here runs on one torch thread (the shared ``one_thread`` fixture)."""


def _search_run(folder: Path, native: str = NB201) -> Path:
    """A search run folder as `evonas search` leaves it, as far as `train` and `export` read it."""
    folder.mkdir(parents=True)
    (folder / "best.json").write_text(json.dumps({"space": "nb201", "native": native, "score": 1.0}))
    return folder


def test_search_run_to_trained_model_to_exports(tmp_path, tiny_npz, capsys):
    run = _search_run(tmp_path / "run")
    assert main(["train", str(run), *TINY, "--epochs", "2", "--data", tiny_npz, "--json"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    folder = run / "train"
    for name in ["train.json", "metrics.csv", "learning_curve.png", "cell.png", "model.pt", "result.json",
                 "checkpoint.json", "checkpoint.pt"]:
        assert (folder / name).is_file(), name
    assert summary["native"] == NB201 and summary["epochs"] == 2 and summary["net"] == {"C": 4, "N": 1, "num_classes": 10}
    assert len(pd.read_csv(folder / "metrics.csv")) == 2
    saved = json.loads((folder / "train.json").read_text())
    assert saved["recipe"]["epochs"] == 2 and saved["recipe"]["batch_size"] == 32 and saved["config"]["source"] == str(run)

    assert main(["export", str(run), "--format", "state_dict"]) == 0
    assert "trained weights" in capsys.readouterr().out
    weights = torch.load(folder / "model.state_dict.pt", weights_only=True)
    trained = torch.load(folder / "model.pt", weights_only=True)
    assert weights.keys() == trained.keys() and all(torch.equal(weights[k], trained[k]) for k in weights)
    assert main(["export", str(run), "--format", "torchscript", "--out", str(tmp_path / "m.pt")]) == 0
    assert (tmp_path / "m.pt").is_file()


def test_export_without_a_training_gives_the_untrained_network(tmp_path, capsys):
    run = _search_run(tmp_path / "run")
    assert main(["export", str(run), "--format", "state_dict"]) == 0
    assert "untrained" in capsys.readouterr().out
    arch = json.loads((run / "model.state_dict.json").read_text())
    assert arch == {"space": "nb201", "native": NB201, "net": {"C": 16, "N": 5}}  # the benchmark's network


def test_train_an_architecture_given_by_text(tmp_path, tiny_npz, capsys):
    out = tmp_path / "t"
    assert main(["train", "--space", "nb201", NB201, *TINY, "--epochs", "1", "--valid-fraction", "0",
                 "--data", tiny_npz, "--out", str(out)]) == 0
    assert "validation -" in capsys.readouterr().out  # nothing held out
    assert pd.read_csv(out / "metrics.csv")["valid_acc"].isna().all()


QUICK = ["--recipe", "quick", "--data", "DATA"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--recipe", "fast", "--data", "DATA"], "unknown training recipe 'fast'"),
        (["--recipe", "quick", "--data", "/no/such.npz"], "/no/such.npz: no such file"),
        ([*QUICK, "--device", "cuda:0" if not torch.cuda.is_available() else "cuda:99"], "cuda"),
        ([*QUICK, "--device", "gpu"], "--device 'gpu': not a device name"),
        ([*QUICK, "--net", "layers=3"], "--net layers=3: nb201 networks take C, N, num_classes"),
        ([*QUICK, "--epochs", "0"], "epochs = 0 is out of range"),
        ([*QUICK, "--lr", "-1"], "lr = -1.0 is out of range"),
        (["--recipe", "darts", "--data", "DATA"], "recipe has no network for space 'nb201'"),
        (["--recipe", "quick"], "--data is required"),
    ],
)
def test_bad_input_is_one_clear_line_and_writes_nothing(tmp_path, tiny_npz, capsys, args, message):
    run = _search_run(tmp_path / "run")
    assert main(["train", str(run), "--no-progress", *(tiny_npz if a == "DATA" else a for a in args)]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err and "Traceback" not in err
    assert not (run / "train").exists(), "nothing is written before the input is checked"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "--space", "nb201", "|bad~0|", "--out", "X", "--data", "D"], "nb201: expected 3 '+'-separated node groups"),
        (["train", "--space", "nb201", NB201], "--out TRAIN_DIR is required"),
        (["train", "NO_RUN"], "no best.json there"),
        (["train"], "give a search run folder"),
        (["train", "--resume", "NO_RUN"], "no train.json there"),
        (["export", "NO_RUN"], "no best.json there"),
        (["export", "NO_RUN", "--format", "tflite"], "unknown export format 'tflite'"),
    ],
)
def test_other_bad_input(tmp_path, capsys, argv, message):
    argv = [str(tmp_path / a) if a in ("X", "NO_RUN") else a for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err


def _train(*args: str) -> subprocess.Popen:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.Popen([sys.executable, "-m", "evonas.cli", "train", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_killed_training_resumes_to_the_same_result(tmp_path, tiny_npz):
    args = ["--space", "nb201", NB201, *TINY, "--epochs", "8", "--data", tiny_npz, "--seed", "3"]
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    proc = _train(*args, "--out", str(whole))
    assert proc.wait(timeout=300) == 0, proc.stderr.read()
    proc = _train(*args, "--out", str(killed))
    deadline = time.time() + 300
    while time.time() < deadline:
        ckpt = killed / "checkpoint.json"
        if ckpt.exists() and json.loads(ckpt.read_text())["epochs_done"] >= 3:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (killed / "model.pt").exists(), "the training finished before it could be killed"
    resumed = _train("--resume", str(killed), "--no-progress")
    _, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    metrics = [pd.read_csv(run / "metrics.csv").drop(columns="seconds") for run in (whole, killed)]
    assert metrics[0].equals(metrics[1])
    a, b = (torch.load(run / "model.pt", weights_only=True) for run in (whole, killed))
    assert all(torch.equal(a[k], b[k]) for k in a)


# ---- issue 28, defect 1: export checks every file it writes before writing any -----------------
@pytest.fixture(scope="module")
def trained_run(tmp_path_factory, tiny_npz):
    """A search run folder with a finished training, a scored.csv, and no export yet."""
    run = _search_run(tmp_path_factory.mktemp("trained") / "run")
    (run / "scored.csv").write_text("arch,score\nx,1.0\n")
    assert main(["train", str(run), *TINY, "--epochs", "1", "--data", tiny_npz]) == 0
    return run


def _contents(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(
    "args, message",
    [
        (["--format", "state_dict", "--out", "RUN/best.pt"], "would write RUN/best.json beside it, but that file exists"),
        (["--format", "state_dict", "--out", "RUN/train/model.pt"], "--out RUN/train/model.pt exists"),
        (["--out", "RUN/scored.csv"], "--out RUN/scored.csv exists"),
        (["--out", "RUN/train/model.pt"], "--out RUN/train/model.pt exists"),
        (["--out", "/missing/dir/m.pt"], "the folder /missing/dir does not exist"),
        (["--out", "RUN/best.json/m.pt"], "RUN/best.json is a file, not a folder"),
        (["--out", "RUN/train"], "--out RUN/train is a folder; name a file"),
        (["--format", "state_dict", "--out", "RUN/m.json"], "the file written beside it would be RUN/m.json itself"),
    ],
)
def test_export_never_replaces_a_file_it_did_not_write(trained_run, capsys, args, message):
    """Old code replaced best.json with the sidecar, the weights it had just read, scored.csv; a missing folder was a traceback."""
    before = _contents(trained_run)
    args = [a.replace("RUN", str(trained_run)) for a in args]
    assert main(["export", str(trained_run), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert message.replace("RUN", str(trained_run)) in err and "\n" not in err and "Traceback" not in err
    assert "evonas never replaces a file it did not write" in err or "exists" not in message
    assert _contents(trained_run) == before, "nothing is written when a target is refused"


def test_export_again_replaces_only_its_own_default_file(tmp_path, trained_run, capsys):
    """The documented `evonas export RUN` may be run again (its model.<format> is its own); a named file is never replaced."""
    run = tmp_path / "run"
    import shutil

    shutil.copytree(trained_run, run)
    for _ in range(2):
        assert main(["export", str(run), "--format", "state_dict"]) == 0
    assert {"model.state_dict.pt", "model.state_dict.json"} <= set(_contents(run / "train"))
    mine = tmp_path / "mine.pt"
    assert main(["export", str(run), "--out", str(mine)]) == 0
    first = mine.read_bytes()
    capsys.readouterr()
    assert main(["export", str(run), "--out", str(mine), "--seed", "1"]) == 2
    assert "exists" in capsys.readouterr().err and mine.read_bytes() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.pt", "run"], "no temporary file is left behind"


@pytest.mark.parametrize("out", ["RUN", "FILE"])
def test_a_training_never_writes_into_someone_elses_folder(tmp_path, tiny_npz, capsys, out):
    """`train RUN --out RUN` used to write train.json, model.pt, ... among the search run's files."""
    run = _search_run(tmp_path / "run")
    (tmp_path / "file").write_text("mine")
    target = run if out == "RUN" else tmp_path / "file"
    before = _contents(tmp_path)
    assert main(["train", str(run), *TINY, "--epochs", "1", "--data", tiny_npz, "--out", str(target)]) == 2
    err = capsys.readouterr().err.strip()
    assert ("holds files that are not a training's (best.json)" if out == "RUN" else "is a file") in err and "\n" not in err
    assert _contents(tmp_path) == before
