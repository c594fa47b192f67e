"""``evonas report``: the HTML parses, every image is embedded, what each kind of folder holds is shown (and what
it lacks is said), and headless Chromium renders it with no console error."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from evonas.cli import main
from evonas.errors import ConfigError, DataError
from evonas.report import read_run, write_report
from tests.conftest import find_shared_data

SEARCH = "--space nb201 --evaluations 12 --population 6 --repeats 1 --samples 8 --net C=8,N=1 --no-progress".split()


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    """A finished search (with ground truth and a training of its best), a multi-objective search, a search
    stopped mid-run, a failed start, and a training folder of its own."""
    root = tmp_path_factory.mktemp("runs")
    truth = find_shared_data() / "nb201_cifar10.csv"
    assert main(["search", *SEARCH, "--ground-truth", str(truth), "--out", str(root / "quick")]) == 0
    assert main(["search", *SEARCH, "--objectives", "swap,params", "--out", str(root / "pareto")]) == 0
    stopped = root / "stopped"  # what a search killed after a checkpoint holds: nothing of its end
    shutil.copytree(root / "quick", stopped)
    for name in ("best.json", "best.txt", "scored.csv", "convergence.png", "score_vs_params.png", "cell.png"):
        (stopped / name).unlink()
    failed = root / "failed"
    failed.mkdir()
    shutil.copy(root / "quick" / "config.json", failed)
    images = np.load(find_shared_data() / "cifar10_subset.npz")
    np.savez(root / "tiny.npz", train_images=images["train_images"][:40], train_labels=images["train_labels"][:40],
             test_images=images["test_images"][:16], test_labels=images["test_labels"][:16])
    arch = json.loads((root / "quick" / "best.json").read_text())["native"]
    assert main(["train", "--space", "nb201", arch, "--data", str(root / "tiny.npz"), "--epochs", "1",
                 "--recipe", "quick", "--no-progress", "--out", str(root / "trained")]) == 0
    return {"quick": root / "quick", "pareto": root / "pareto", "stopped": stopped, "failed": failed,
            "trained": root / "trained"}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[str] = []
        self.links: list[str] = []
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs.get("src", ""))
        for key in ("href", "src"):
            if key in attrs and tag != "img":
                self.links.append(attrs[key])

    def handle_data(self, data):
        self.text.append(data)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


@pytest.mark.slow
def test_report_of_several_runs_is_self_contained(runs, tmp_path):
    out = tmp_path / "report.html"
    assert main(["report", *(str(runs[k]) for k in ("quick", "pareto", "stopped", "failed", "trained")),
                 "--out", str(out)]) == 0
    page = _parse(out)
    text = " ".join(page.text)
    assert page.images and all(src.startswith("data:image/png;base64,") for src in page.images)
    assert all(base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n" for src in page.images)
    assert "script" not in page.tags and "link" not in page.tags  # no script, no external style sheet
    assert all(link.startswith("#") for link in page.links)  # nothing fetched from anywhere
    for name in ("quick", "pareto", "stopped", "failed", "trained", "Comparison", "Configuration differences"):
        assert name in text
    best = json.loads((runs["quick"] / "best.json").read_text())
    assert best["native"] in text and f"{best['true_acc']:.6g}" in text
    front = (runs["pareto"] / "front.csv").read_text()
    assert "Front: swap against params" in text and text.count("Front members") == 1
    assert any(line.split(",")[1] in text for line in front.splitlines()[1:])
    assert "running or stopped" in text and "best.json, plots: not written yet" in text
    assert "scores read from checkpoint.json" in text
    assert "stopped before its first checkpoint" in text
    assert "Learning curve" in text
    assert "best reg-swap on nb201: quick, stopped" in text  # convergence overlaid for the same space


@pytest.mark.slow
def test_each_kind_of_folder_says_what_it_holds(runs):
    quick = read_run(runs["quick"])
    assert quick.status == "finished" and quick.training is None and len(quick.architectures) == 3
    assert quick.architectures[0].native == json.loads((runs["quick"] / "best.json").read_text())["native"]
    assert "true accuracy (%)" in quick.architectures[1].facts  # the hall of fame, looked up in the ground truth
    stopped = read_run(runs["stopped"])
    assert stopped.status.startswith("running or stopped") and [a.native for a in stopped.architectures] == [
        a.native for a in quick.architectures]
    assert stopped.facts["evaluations"] == quick.facts["evaluations"]  # read from the checkpoint's cache
    failed = read_run(runs["failed"])
    assert failed.pictures == [] and failed.architectures == [] and any("log.csv" in n for n in failed.notes)
    pareto = read_run(runs["pareto"])
    assert pareto.kind == "multi-objective search" and [p.title for p in pareto.pictures] == [
        "Hypervolume", "Front: swap against params"]
    trained = read_run(runs["trained"])
    assert trained.kind == "training" and trained.status == "finished" and trained.facts["epochs"] == 1


def test_a_stopped_multi_objective_search_is_read_from_its_journal(runs, tmp_path):
    """A multi-objective checkpoint holds no cache rows: the report reads its scores through the journal."""
    stopped = tmp_path / "pareto-stopped"
    shutil.copytree(runs["pareto"], stopped)
    for name in ("scored.csv", "front.csv", "front.png", "front_params.png"):
        (stopped / name).unlink(missing_ok=True)
    assert "scores" not in json.loads((stopped / "checkpoint.json").read_text())["cache"]
    view = read_run(stopped)
    assert view.status.startswith("running or stopped") and view.facts["evaluations"] == 12
    assert any("scores read from checkpoint.json" in note for note in view.notes)


@pytest.mark.parametrize("kind", ["quick", "pareto"])
def test_both_kinds_of_search_say_a_run_failed_by_one_rule(runs, tmp_path, kind):
    """Scores but neither a result nor a checkpoint: every evaluation failed (also for a multi-objective search)."""
    failed = tmp_path / kind
    failed.mkdir()
    for name in ("config.json", "scored.csv"):
        shutil.copy(runs[kind] / name, failed)
    view = read_run(failed)
    assert view.status.startswith("failed (no architecture could be evaluated"), view.status
    assert view.facts["evaluations"] == 12


def test_a_training_inside_a_search_folder_is_shown_with_it(runs, tmp_path):
    nested = tmp_path / "searched"
    shutil.copytree(runs["quick"], nested)
    shutil.copytree(runs["trained"], nested / "train")
    view = read_run(nested)
    assert view.training is not None and view.training.kind == "training"


def test_report_never_replaces_a_file(runs, tmp_path):
    out = tmp_path / "report.html"
    out.write_text("mine")
    with pytest.raises(ConfigError, match=r"^--out .*report.html exists: evonas never replaces a file"):
        write_report([runs["quick"]], out)
    assert out.read_text() == "mine"
    assert main(["report", str(runs["quick"]), "--out", str(out)]) == 2


def test_not_a_run_folder_is_one_line_and_nothing_is_written(runs, tmp_path):
    (tmp_path / "notes").mkdir()
    with pytest.raises(DataError, match=r"notes: not a run folder \(no config.json"):
        write_report([runs["quick"], tmp_path / "notes"], tmp_path / "report.html")
    with pytest.raises(DataError, match="no such run folder"):
        write_report([tmp_path / "absent"], tmp_path / "report.html")
    assert not (tmp_path / "report.html").exists()


# ---- headless Chromium ---------------------------------------------------------------------
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--enable-logging=stderr", "--v=0", "--window-size=1280,2000"]


def _chromium() -> str:
    """Debian's ``chromium``; skipped where it is absent, except on CI (``.ci/run`` installs it)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("chromium not found (CI=true: .ci/run installs it with apt-get install -y chromium)")
        pytest.skip("chromium not installed (apt-get install -y chromium)")
    return found


def _render(chromium: str, page: Path, tmp: Path, *extra: str) -> tuple[str, list[str]]:
    """Chromium's output for ``page`` and the page's console messages (every one is an error here)."""
    done = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp / 'profile'}", *extra,
                           page.resolve().as_uri()], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, [line for line in done.stderr.splitlines() if ":CONSOLE" in line]


@pytest.mark.slow
def test_chromium_renders_the_report(runs, tmp_path):
    chromium = _chromium()
    control = tmp_path / "control.html"  # the console check can fail: a page that logs an error is caught
    control.write_text("<html><body><script>console.error('control-error')</script></body></html>")
    assert any("control-error" in line for line in _render(chromium, control, tmp_path, "--dump-dom")[1])

    out = write_report([runs["quick"], runs["pareto"]], tmp_path / "report.html")
    dom, console = _render(chromium, out, tmp_path, "--dump-dom")
    assert console == []
    best = json.loads((runs["quick"] / "best.json").read_text())["native"]
    for shown in ("quick", "pareto", best, "Comparison", "Best architectures", "Front members"):
        assert shown in dom
    assert dom.count("<img") == out.read_text().count("<img") > 5

    shot = tmp_path / "report.png"
    _, console = _render(chromium, out, tmp_path, f"--screenshot={shot}")
    assert console == []
    from matplotlib.image import imread

    pixels = imread(shot)
    assert pixels.shape[:2] == (2000, 1280)
    assert len(np.unique(pixels.reshape(-1, pixels.shape[-1])[::97], axis=0)) > 50  # drawn, not a blank page
