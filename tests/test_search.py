"""`evonas search`: the run folder, clear errors, and kill-and-resume identity (a real SIGKILL)."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from evonas.cli import main

TINY = ["--space", "nb201", "--population", "6", "--cycles", "8", "--mutations", "3", "--samples", "8",
        "--repeats", "2", "--net", "C=8,N=1", "--seed", "1", "--no-progress"]


def flags(*args: str) -> list[str]:
    """``args`` with a flag given again replacing its earlier value (the CLI refuses a flag given twice)."""
    given: dict[str, list[str]] = {}
    for arg in args:
        if arg.startswith("--"):
            given.pop(arg, None)
            given[arg] = []
            last = arg
        else:
            given[last].append(arg)
    return [part for flag, values in given.items() for part in (flag, *values)]


def search(*args: str) -> subprocess.Popen:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.Popen([sys.executable, "-m", "evonas.cli", "search", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def final_state(run: Path) -> tuple:
    state = json.loads((run / "checkpoint.json").read_text())
    best = json.loads((run / "best.json").read_text())
    return [(p["genome"], p["score"]) for p in state["population"]], best["native"], best["score"]


def test_run_folder_holds_everything(tmp_path, shared_data):
    run = tmp_path / "run"
    assert main(["search", *TINY, "--out", str(run), "--ground-truth", str(shared_data / "nb201_cifar10.csv")]) == 0
    for name in ["config.json", "resolved.json", "log.csv", "scored.csv", "best.txt", "best.json", "convergence.png",
                 "score_vs_params.png", "checkpoint.json", "cell.png"]:
        assert (run / name).is_file(), name
    log = pd.read_csv(run / "log.csv")
    assert list(log["cycle"]) == list(range(9))
    scored = pd.read_csv(run / "scored.csv")
    assert len(scored) == log["evals"].sum() and scored["key"].is_unique
    best = json.loads((run / "best.json").read_text())
    summary = (run / "best.txt").read_text().splitlines()
    assert summary[0] == best["native"] and f"{best['train_params']:,}" in summary[2]
    assert "test accuracy" in summary[3] and "evonas inspect --space nb201" in "\n".join(summary)
    assert best["train_params"] == 1_531_546 or best["train_params"] > best["params"]  # the C=16, N=5 benchmark net
    assert 0 <= best["index"] < 15625
    assert best["score"] == scored["score"].max()
    assert 10 <= best["true_acc"] <= 94.37 and 1 <= best["true_rank"] <= 15625
    config, resolved = (json.loads((run / name).read_text()) for name in ("config.json", "resolved.json"))
    assert config["mu"] is None and resolved["mu"] > 0 and resolved["sigma"] > 0  # calibrated, saved for --resume


def test_killed_search_resumes_to_the_same_result(tmp_path):
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    assert search(*TINY, "--out", str(whole)).wait(timeout=300) == 0
    proc = search(*TINY, "--out", str(killed))
    deadline = time.time() + 300
    while time.time() < deadline:
        ckpt = killed / "checkpoint.json"
        if ckpt.exists() and json.loads(ckpt.read_text())["cycle"] >= 3:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (killed / "best.json").exists(), "the search finished before it could be killed"
    resumed = search("--resume", str(killed))
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    assert final_state(killed) == final_state(whole)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--space", "nb202"], "unknown search space 'nb202'"),
        (["--proxy", "swapp"], "unknown proxy 'swapp'"),
        (["--mu", "1.0"], "give both mu and sigma"),
        (["--mu", "1.0", "--sigma", "0"], "sigma = 0.0 is impossible"),
        (["--population", "1"], "population = 1 is out of range"),
        (["--crossover", "1.5"], "crossover = 1.5 is out of range"),
        (["--data", "/no/such/dir"], "/no/such/dir"),
        (["--ground-truth", "/no/such.csv"], "--ground-truth /no/such.csv: no such file"),
        (["--space", "darts", "--net", "C=3", "--ground-truth", "/no/such.csv"], "/no/such.csv: no such file"),
        (["--strategy", "rea", "--crossover", "0.2"], "strategy 'rea' has no option crossover"),
        (["--strategy", "random", "--tournament", "3"], "strategy 'random' has no option mutations, tournament"),
        (["--proxy", "swap", "--target-size", "300"], "proxy 'swap' has none"),
        (["--evaluations", "0"], "evaluations = 0 is out of range"),
        (["--tournament", "99"], "tournament = 99 is out of range"),
    ],
)
def test_bad_input_is_one_clear_line(tmp_path, capsys, args, message):
    code = main(["search", *flags(*TINY, "--out", str(tmp_path / "r"), *args)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and message in err and "\n" not in err and "Traceback" not in err
    if "ground-truth" in " ".join(args):
        assert not (tmp_path / "r").exists(), "the ground truth is checked before anything is written"


def test_failed_architectures_never_abort_a_search(tmp_path):
    """A proxy that fails on every cell with an average pool: the search ends, failures are listed."""
    import torch

    from evonas.errors import ProxyError
    from evonas.fitness import PROXIES, Proxy, register_proxy

    if "test-fails-on-pools" not in PROXIES:

        @register_proxy("test-fails-on-pools")
        class FailsOnPools(Proxy):
            needs_init = False

            def _score(self, net, batch):
                if any(isinstance(m, torch.nn.AvgPool2d) and m.kernel_size == 3 for m in net.modules()):
                    raise ProxyError("zero output")
                return float(sum(p.numel() for p in net.parameters()))

    run = tmp_path / "run"
    assert main(["search", *TINY, "--proxy", "test-fails-on-pools", "--out", str(run)]) == 0
    scored = pd.read_csv(run / "scored.csv")
    failed = scored[scored["status"] == "failed"]
    assert len(failed) > 0 and (failed["error"].str.contains("zero output")).all() and failed["score"].isna().all()
    assert pd.read_csv(run / "log.csv")["failed"].sum() == len(failed)
    best = json.loads((run / "best.json").read_text())
    assert "avg_pool_3x3" not in best["native"] and best["failed"] == len(failed)


def ground_truth_with(path: Path, shared_data: Path, value: str, rows: int = 300) -> Path:
    """The first ``rows`` rows of the shared NB201 table, the test accuracy of its 7th row replaced by ``value``."""
    lines = (shared_data / "nb201_cifar10.csv").read_text().splitlines()[: rows + 1]
    head, row = lines[0].split(","), lines[7].split(",")
    row[head.index("cifar10_test_acc")] = value
    path.write_text("\n".join([*lines[:7], ",".join(row), *lines[8:]]) + "\n")
    return path


def test_a_ground_truth_with_a_bad_accuracy_is_refused_before_the_run(tmp_path, capsys, shared_data):
    """Issue 28, defect 2: an accuracy that is no number crashed after the whole search; best.json was not written."""
    table, run = ground_truth_with(tmp_path / "bad.csv", shared_data, "abc"), tmp_path / "run"
    assert main(["search", *TINY, "--out", str(run), "--ground-truth", str(table)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith(f"--ground-truth {table}: row 8, column 'cifar10_test_acc': 'abc' is not a number in [0, 100]")
    assert "\n" not in err and not run.exists()


def test_a_run_that_stopped_before_its_results_resumes_to_write_them(tmp_path, shared_data, monkeypatch):
    """Issue 28, defect 2: a run that ended its search but not its results (best.json) resumes with a corrected
    ground truth to the result an uninterrupted run writes; it was refused as "done already"."""
    from evonas.truth import GroundTruth

    table = ground_truth_with(tmp_path / "truth.csv", shared_data, "93.5")
    whole, broken = tmp_path / "whole", tmp_path / "broken"
    assert main(["search", *flags(*TINY, "--cycles", "2"), "--out", str(whole), "--ground-truth", str(table)]) == 0
    report = GroundTruth.report

    def crash(self, arch):
        raise ValueError("the table broke")

    monkeypatch.setattr(GroundTruth, "report", crash)
    with pytest.raises(ValueError, match="the table broke"):
        main(["search", *flags(*TINY, "--cycles", "2"), "--out", str(broken), "--ground-truth", str(table)])
    assert (broken / "checkpoint.json").exists() and not (broken / "best.json").exists()
    monkeypatch.setattr(GroundTruth, "report", report)
    assert main(["search", "--resume", str(broken), "--ground-truth", str(table), "--no-progress"]) == 0
    a, b = (json.loads((d / "best.json").read_text()) for d in (whole, broken))
    assert {k: v for k, v in a.items() if k != "seconds"} == {k: v for k, v in b.items() if k != "seconds"}
    assert b["table_size"] == 300
    logs = [pd.read_csv(d / "log.csv").drop(columns="seconds") for d in (whole, broken)]
    pd.testing.assert_frame_equal(*logs)


def test_config_file_and_resume_errors(tmp_path, capsys):
    cfg = tmp_path / "c.toml"
    cfg.write_text('space = "nb201"\npopulaton = 4\n')
    assert main(["search", "--config", str(cfg), "--out", str(tmp_path / "r")]) == 2
    assert "unknown key(s) populaton" in capsys.readouterr().err
    assert main(["search", "--resume", str(tmp_path / "nothing")]) == 2
    assert "no config.json there" in capsys.readouterr().err


# ---- nothing lost: everything is checked before the run folder exists (issue #12) ----------
@pytest.mark.parametrize(
    "args, toml, message",
    [
        (["--samples", "100"], "", "100 samples"),
        (["--dataset", "cifar11"], "", "unknown dataset 'cifar11'"),
        ([], "population = 4.5\n", "population = 4.5 must be a whole number"),
        ([], 'population = "ten"\n', "population = 'ten' must be a whole number"),
        ([], "cycles = 2.5\n", "cycles = 2.5 must be a whole number"),
        ([], "mu = true\nsigma = 1\n", "mu = True must be a number"),
        (["--net", "foo=3"], "", "--net foo=3: nb201 networks take C, N, num_classes"),
        (["--net", "C=2.5"], "", "--net C=2.5: must be a whole number"),
        ([], 'net = "C=8,N=1.5"\n', "--net N=1.5: must be a whole number"),
        (["--objectives", "swap,params", "--mutations", "3"], "", "--mutations is an option of single-objective search"),
        (["--algorithm", "nsga2"], "", "--algorithm is an option of multi-objective search"),
    ],
)
def test_a_failed_start_leaves_nothing_behind(tmp_path, capsys, args, toml, message):
    cfg = tmp_path / "c.toml"
    cfg.write_text(toml)
    code = main(["search", "--no-progress", "--config", str(cfg), "--out", str(tmp_path / "r"), *args])
    err = capsys.readouterr().err.strip()
    assert code == 2 and message in err and "\n" not in err and "Traceback" not in err, err
    assert not (tmp_path / "r").exists()


def test_a_folder_without_a_checkpoint_is_started_afresh(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.json").write_text('{"population": 4.5}')  # what a failed start used to leave
    assert main(["search", *flags(*TINY, "--cycles", "1", "--out", str(run))]) == 0
    assert json.loads((run / "config.json").read_text())["population"] == 6


def test_toml_keys_are_the_flag_names_and_net_may_be_text(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('space = "nb201"\npopulation = 4\ncycles = 1\nsamples = 8\nrepeats = 1\nnet = "C=8,N=1"\n'
                   'threads = 1\nno-progress = true\nground_truth = "/no/such.csv"\n')
    assert main(["search", "--config", str(cfg), "--out", str(tmp_path / "r")]) == 2  # the table is checked
    cfg.write_text(cfg.read_text().replace('ground_truth = "/no/such.csv"\n', "target-size = 50\n"))
    assert main(["search", "--config", str(cfg), "--out", str(tmp_path / "r")]) == 0
    config = json.loads((tmp_path / "r" / "config.json").read_text())
    resolved = json.loads((tmp_path / "r" / "resolved.json").read_text())
    assert config["net"] == {"C": 8, "N": 1} and config["target_size"] == 50 and config["mu"] is None
    assert resolved["mu"] == 50 and resolved["sigma"] == 2500 and resolved["target_size"] is None


def test_resume_applies_safe_changes_and_refuses_the_others(tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["search", *flags(*TINY, "--cycles", "0", "--out", str(run))]) == 0
    assert main(["search", "--resume", str(run), "--population", "12"]) == 2
    assert "--population 12 cannot change when resuming" in capsys.readouterr().err
    assert main(["search", "--resume", str(run), "--cycles", "2", "--no-progress"]) == 0
    log = pd.read_csv(run / "log.csv")
    assert list(log["cycle"]) == [0, 1, 2], "a cycle-0 checkpoint is not scored and logged twice"
    assert json.loads((run / "config.json").read_text())["cycles"] == 2


def test_search_touches_no_global_random_state_and_writes_one_checkpoint(tmp_path):
    import random

    import torch

    from evonas.facade import SearchConfig, run_search

    random.seed(11)
    torch.manual_seed(11)
    before = random.getstate()
    run_search(SearchConfig(population=4, cycles=1, samples=8, repeats=1, net={"C": 8, "N": 1}), tmp_path / "r",
               progress=False)
    assert random.getstate() == before, "Python's generator is neither seeded nor drawn from"
    assert torch.initial_seed() == 11, "torch's global generator is not re-seeded (building a network draws from it)"
    assert sorted(p.name for p in (tmp_path / "r").glob("checkpoint*")) == ["checkpoint.json"]


def test_progress_counts_the_cycles_asked_for():
    from evonas.progress import Progress

    bar = Progress("swap-nas", cycles=30, evaluations=None, enabled=True)
    bar.start(0, 0)
    bar.update(1, 6, best=1.5, params=10, failed=0)
    assert (bar.bar.total, bar.bar.n) == (30, 1)
    budget = Progress("rea", cycles=None, evaluations=100, enabled=True)
    budget.update(3, 13, best=None, params=None, failed=0)
    assert (budget.bar.total, budget.bar.n) == (100, 13)


def test_ctrl_c_says_how_to_resume(tmp_path, capsys, monkeypatch):
    import evonas.facade

    run = tmp_path / "run"
    assert main(["search", *flags(*TINY, "--cycles", "0", "--out", str(tmp_path / "done"))]) == 0

    def interrupted(config, out, **kwargs):
        (Path(out) / "checkpoint.json").parent.mkdir(parents=True, exist_ok=True)
        (Path(out) / "checkpoint.json").write_text("{}")
        raise KeyboardInterrupt

    monkeypatch.setattr(evonas.facade, "run_search", interrupted)
    assert main(["search", *TINY, "--out", str(run)]) == 130
    assert f"continue with: evonas search --resume {run}" in capsys.readouterr().err


# ---- one resume rule: every check before anything is written (issue 28) ----------------------
def hashes(folder: Path) -> dict:
    import hashlib

    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.mark.slow
def test_a_refused_resume_leaves_the_folder_byte_identical(tmp_path, capsys):
    run, moo = tmp_path / "run", tmp_path / "moo"
    assert main(["search", *flags(*TINY, "--cycles", "1", "--out", str(run))]) == 0
    assert main(["search", "--objectives", "swap,params", "--space", "nb201", "--population", "4", "--cycles", "0",
                 "--samples", "8", "--repeats", "1", "--net", "C=8,N=1", "--no-progress", "--out", str(moo)]) == 0
    more = tmp_path / "more.toml"
    more.write_text('budget = "params=1e6"\n')
    before = hashes(run)
    refused = {
        "evaluations already": ["--evaluations", "3", "--workers", "2"],
        "nothing new": [],
        "cannot change": ["--seed", "5"],
        "--budget params=1e6 cannot change": ["--config", str(more), "--cycles", "3"],
    }
    capsys.readouterr()
    for message, args in refused.items():
        assert main(["search", "--resume", str(run), "--no-progress", *args]) == 2, message
        err = capsys.readouterr().err
        assert (message if message != "nothing new" else "evaluations already") in err and err.count("\n") == 1, err
        assert hashes(run) == before, message
    # a single-objective folder holding a multi-objective checkpoint
    (run / "checkpoint.json").write_bytes((moo / "checkpoint.json").read_bytes())
    before = hashes(run)
    assert main(["search", "--resume", str(run), "--cycles", "5", "--no-progress"]) == 2
    assert "holds a moo run" in capsys.readouterr().err and hashes(run) == before


def test_resume_reads_its_config_file_by_the_rules_of_flags(tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["search", *flags(*TINY, "--cycles", "0", "--out", str(run))]) == 0
    more = tmp_path / "more.toml"
    more.write_text("cycles = 2\nseed = 1\n")  # the same seed is no change
    assert main(["search", "--resume", str(run), "--config", str(more), "--no-progress"]) == 0
    assert list(pd.read_csv(run / "log.csv")["cycle"]) == [0, 1, 2]
    more.write_text("cycles = 3\npopulaton = 4\n")
    assert main(["search", "--resume", str(run), "--config", str(more)]) == 2
    assert f"{more}: unknown key(s) populaton" in capsys.readouterr().err


@pytest.mark.slow
def test_a_resume_runs_on_what_the_run_resolved(tmp_path):
    """More workers on resume keep the window the run resolved; the calibration stays; old folders resume alike."""
    whole, part, old = tmp_path / "whole", tmp_path / "part", tmp_path / "old"
    assert main(["search", *flags(*TINY, "--cycles", "3", "--out", str(whole))]) == 0
    for folder in (part, old):
        assert main(["search", *flags(*TINY, "--cycles", "1", "--out", str(folder))]) == 0
    resolved = json.loads((old / "resolved.json").read_text())
    (old / "resolved.json").unlink()  # a folder from before resolved.json: its config.json held the resolved values
    del resolved["window"]  # ... and, from before --window, no window (RunConfig.BEFORE)
    (old / "config.json").write_text(json.dumps(resolved))
    for folder in (part, old):
        assert main(["search", "--resume", str(folder), "--cycles", "3", "--workers", "8", "--no-progress"]) == 0
        assert final_state(folder) == final_state(whole)
        saved = json.loads((folder / "resolved.json").read_text())
        assert saved["window"] == 1 and saved["workers"] == 8 and saved["mu"] == resolved["mu"]
    assert json.loads((part / "config.json").read_text())["window"] is None  # as the user asked: auto


def test_search_never_changes_the_callers_config():
    import dataclasses

    import evonas
    from evonas.config import SearchConfig

    config = SearchConfig(population=4, cycles=1, samples=8, repeats=1, net={"C": 8, "N": 1}, workers=1)
    asked = dataclasses.asdict(config)
    first = evonas.search(config)
    assert dataclasses.asdict(config) == asked
    second = evonas.search(config)
    assert dataclasses.asdict(config) == asked
    assert (first.best["native"], first.best["mu"]) == (second.best["native"], second.best["mu"])
    assert [ind.genome.key for ind in first.population] == [ind.genome.key for ind in second.population]
    config.budget = {"params": 3e5}  # reused with a budget: calibrated anew, within it
    assert evonas.search(config).best["mu"] < first.best["mu"]


@pytest.mark.parametrize("args, message", [
    (["--budget", "params=1e5,params=2e9"], "--budget params=1e5,params=2e9: params is limited twice"),
    (["--budget", "params=1e5", "--budget", "params=2e9"], "--budget is given twice"),
    (["--evaluations", "3", "--queries", "4"], "--evaluations is given twice (as --evaluations and --queries)"),
    (["--objectives", "swap,params", "--objectives", "swap,flops"], "--objectives is given twice"),
    (["--net", "C=8,C=16"], "--net C=8,C=16: C is given twice"),
])
def test_a_repeated_flag_or_key_is_one_line(tmp_path, capsys, args, message):
    assert main(["search", "--out", str(tmp_path / "r"), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err
    assert not (tmp_path / "r").exists()


@pytest.mark.slow
def test_a_run_with_every_architecture_over_the_budget_is_one_line(tmp_path, capsys):
    args = ["--space", "nb201", "--population", "2", "--evaluations", "3", "--samples", "8", "--repeats", "1",
            "--net", "C=8,N=1", "--budget", "params=1000", "--no-progress"]
    assert main(["search", *args, "--proxy", "swap", "--out", str(tmp_path / "single")]) == 2
    single = capsys.readouterr()
    assert main(["search", *args, "--objectives", "swap,flops", "--out", str(tmp_path / "moo")]) == 2
    moo = capsys.readouterr()
    for result in (single, moo):
        assert "architectures evaluated were over --budget params=1000 (the smallest seen: params " in result.err
        assert result.err.count("\n") == 1 and "failed" not in result.err and "Empty DataFrame" not in result.out
    assert not (tmp_path / "moo" / "front.csv").exists() and (tmp_path / "moo" / "scored.csv").is_file()


# ---- re-initialisations: the space's declared default unless --repeats is given (issue #30) ---------------------------

@pytest.mark.parametrize("space", ["darts", "nb201", "nb101"])
def test_repeats_default_to_the_spaces_scoring_repeats_and_a_given_count_wins(space):
    from evonas import SearchConfig, get_space
    from evonas.facade import resolve

    declared = get_space(space).scoring_repeats
    assert isinstance(declared, int) and declared >= 1
    assert SearchConfig(space=space).repeats is None  # the user's config keeps "not given"
    assert resolve(SearchConfig(space=space)).repeats == declared
    assert resolve(SearchConfig(space=space, repeats=3)).repeats == 3


def test_darts_declares_fewer_repeats_than_the_others_and_the_evaluator_scores_with_them(monkeypatch):
    """DARTS' stacked scoring network ranks NB301 as well at 2 re-initialisations as at 4
    (docs/results/proxies.md); the proxy evaluator's scorer uses the resolved count."""
    from evonas import SearchConfig, get_space
    from evonas.evaluators import builders
    from evonas.facade import resolve

    assert get_space("darts").scoring_repeats == 2 < get_space("nb201").scoring_repeats == 4
    class Seen(Exception):
        pass

    def make_scorer(*args, repeats, **kwargs):
        raise Seen(repeats)

    monkeypatch.setattr("evonas.evaluators.proxy.make_scorer", make_scorer)
    for given, want in ((None, 2), (3, 3)):
        config = resolve(SearchConfig(space="darts", repeats=given))
        with pytest.raises(Seen) as seen:
            builders.proxy_evaluator(config, get_space("darts"), None, False)
        assert seen.value.args == (want,)


def test_a_resolved_run_keeps_its_repeats_and_a_bad_count_is_refused(tmp_path, capsys):
    assert main(["search", "--space", "nb201", "--population", "2", "--evaluations", "2", "--samples", "8",
                 "--net", "C=8,N=1", "--no-progress", "--out", str(tmp_path / "r")]) == 0
    assert json.loads((tmp_path / "r" / "resolved.json").read_text())["repeats"] == 4
    assert json.loads((tmp_path / "r" / "config.json").read_text())["repeats"] is None
    assert main(["search", "--space", "nb201", "--repeats", "0", "--out", str(tmp_path / "bad")]) != 0
    assert "repeats" in capsys.readouterr().err
