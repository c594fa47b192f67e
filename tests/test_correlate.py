"""`evonas correlate`: the figures, the files, failures, resume and clear errors."""

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ConstantInputWarning

from evonas.cli import main
from evonas.correlation import correlate, rank_agreement, read_table, select_rows
from evonas.errors import DataError, ProxyError


def test_rank_agreement_against_scipy_and_by_hand():
    acc = np.arange(20.0)
    assert rank_agreement(acc, acc) == (1.0, 1.0, 1.0)
    rho, tau, top = rank_agreement(-acc, acc)
    assert rho == tau == -1.0 and top == 0.0


def test_cli_on_the_darts_table_with_json_and_resume(tmp_path, shared_data, capsys):
    args = ["correlate", "--table", str(shared_data / "darts_cifar10_1000.csv"), "--space", "darts",
            "--proxy", "params", "--limit", "40", "--repeats", "1", "--out", str(tmp_path), "--json", "--no-progress",
            "--net", "C=3,layers=1,stem=false"]  # the SWAP study's network, whose sizes the table holds
    assert main(args) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert {"spearman", "kendall", "n", "failed", "seconds"} <= set(summary)
    assert summary["n"] == 40 and summary["failed"] == 0
    scores = pd.read_csv(tmp_path / "scores.csv")
    table = pd.read_csv(shared_data / "darts_cifar10_1000.csv")
    assert (scores["params"].to_numpy() == table["ref_params"].to_numpy()[scores["index"]]).all()
    assert (tmp_path / "scatter.png").stat().st_size > 1000
    # run again: nothing is rescored, same figures
    assert main(args) == 0
    again = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert again["spearman"] == summary["spearman"] and len(pd.read_csv(tmp_path / "scores.csv")) == 40


def test_interrupted_run_resumes_from_the_csv(tmp_path, shared_data):
    rows = select_rows(read_table(shared_data / "nb201_cifar10.csv"), 30, seed=0)
    calls = []

    def scorer(arch):
        calls.append(arch)
        if len(calls) == 12:
            raise KeyboardInterrupt
        return float(len(arch)), 1

    with pytest.raises(KeyboardInterrupt):
        correlate(rows, scorer, tmp_path, progress=False)
    assert len(pd.read_csv(tmp_path / "scores.csv")) == 11
    calls.clear()
    result = correlate(rows, lambda a: (calls.append(a) or float(len(a)), 1), tmp_path, progress=False)
    assert len(calls) == 19 and result.n == 30


def test_non_finite_scores_are_counted_as_failed(tmp_path, shared_data):
    rows = select_rows(read_table(shared_data / "nb201_cifar10.csv"), 20, seed=1)

    def scorer(arch):
        if "none~0|none~1|none~2" in arch or hash(arch) % 4 == 0:
            raise ProxyError(f"swap gave nan for {arch}")
        return float(arch.count("conv")), 1

    result = correlate(rows, scorer, tmp_path, progress=False)
    scores = pd.read_csv(tmp_path / "scores.csv")
    assert result.failed == (scores["status"] == "failed").sum() > 0
    assert result.n + result.failed == 20
    assert scores.loc[scores["status"] == "failed", "error"].str.contains("nan").all()


def test_constant_scores_give_null_correlations_in_valid_json(tmp_path, shared_data):
    rows = select_rows(read_table(shared_data / "nb201_cifar10.csv"), 10, seed=0)
    with pytest.warns(ConstantInputWarning):  # scipy says why the correlation is undefined
        result = correlate(rows, lambda arch: (16.0, 1), tmp_path, progress=False)
    assert math.isnan(result.spearman)
    saved = json.loads((tmp_path / "correlation.json").read_text(), parse_constant=_refuse)
    assert saved["spearman"] is None and saved["kendall"] is None and saved["n"] == 10


def _refuse(constant: str) -> None:
    raise AssertionError(f"{constant} is not JSON")


def test_table_errors(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        read_table(tmp_path / "missing.csv")
    bad = tmp_path / "t.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match="--arch-col"):
        read_table(bad)
    with pytest.raises(DataError, match=rf"^--table {bad}: no column 'acc' \(it has a, b\); .*--acc-col"):
        read_table(bad, "a", "acc")


@pytest.mark.parametrize("text, message", [
    ("arch,valid_acc\nx,90\ny,fast\n", r"row 3, column 'valid_acc': 'fast' is not a finite number"),
    ("arch,valid_acc\nx,90\ny,\n", r"row 3, column 'valid_acc': '' is not a finite number"),  # read as NaN before
    ("arch,valid_acc\nx,90\ny,inf\n", r"row 3, column 'valid_acc': 'inf' is not a finite number"),
    ("arch,valid_acc\nx,90\ny,91\n x ,92\n", r"rows 2 and 4 are the same architecture \(x\); keep one row"),
    ("arch,valid_acc\n", r"no rows"),
])
def test_a_bad_table_is_one_line_naming_file_row_and_column_as_every_table_reader(tmp_path, text, message):
    """correlate's table is checked by the rules of evonas.tables (its architectures stay text: no genome needed)."""
    table = tmp_path / "t.csv"
    table.write_text(text)
    with pytest.raises(DataError, match=rf"^--table {table}: {message}") as err:
        read_table(table)
    assert "\n" not in str(err.value)


def test_darts_genotypes_no_matrix_holds_are_read_as_written(shared_data):
    from evonas import get_space

    rows = read_table(shared_data / "darts_cifar10_1000.csv")
    table = pd.read_csv(shared_data / "darts_cifar10_1000.csv", dtype=str)
    assert rows["arch"].tolist() == table["genotype"].tolist() and len(rows) == 1000
    with pytest.raises(Exception, match="build or score"):  # what read_arch_table would refuse, correlate scores
        get_space("darts").from_native(rows["arch"].iloc[1])


def test_scores_of_other_settings_are_never_reused(tmp_path, shared_data, capsys):
    """`--proxy params` then `--proxy flops` into one --out: refused in one line, not printed as flops."""
    table = str(shared_data / "nb201_cifar10.csv")
    base = ["correlate", "--table", table, "--space", "nb201", "--limit", "5", "--repeats", "1", "--net", "C=8,N=1",
            "--out", str(tmp_path), "--no-progress", "--json"]
    assert main([*base, "--proxy", "params"]) == 0
    capsys.readouterr()
    assert main([*base, "--proxy", "flops"]) == 2
    err = capsys.readouterr().err
    assert "holds scores made with other settings (proxy: 'params' there, 'flops' now)" in err and "\n" not in err.strip()
    assert main([*base, "--proxy", "params"]) == 0  # same settings: continues, scores nothing new
    again = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert again["ms_per_arch"] is None and again["n"] == 5


@pytest.mark.parametrize("space_name", ["nb101", "macro"])
def test_cli_reads_native_text_columns_as_written(tmp_path, capsys, space_name):
    """Model-spec JSON (quoted, with commas) and 8-digit strings with leading zeros reach the space intact."""
    import csv

    from evonas import get_space

    space = get_space(space_name)
    rng = np.random.default_rng(0)
    archs = list(dict.fromkeys(space.to_native(space.sample(rng)) for _ in range(12)))
    if space_name == "macro":
        archs[0] = "00120000"  # read as a number, it would be 120000
    net = space.tiny_net_args
    accs = [float(space.count_params(a, **net)) for a in archs]  # a made-up accuracy that the params proxy ranks exactly
    table = tmp_path / "t.csv"
    with open(table, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["architecture", "accuracy"])
        writer.writerows(zip(archs, accs))
    net_text = ",".join(f"{k}={v}" for k, v in net.items())
    args = ["correlate", "--table", str(table), "--space", space_name, "--proxy", "params", "--repeats", "1",
            "--arch-col", "architecture", "--acc-col", "accuracy", "--net", net_text, "--out", str(tmp_path / "out"),
            "--json", "--no-progress"]
    assert main(args) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["n"] == len(archs) and summary["failed"] == 0
    assert summary["spearman"] == pytest.approx(1.0)
    assert read_table(table, "architecture", "accuracy")["arch"].tolist() == archs


def test_cli_takes_a_rank_ensemble_and_keeps_its_reference(tmp_path, shared_data, capsys):
    args = ["correlate", "--table", str(shared_data / "darts_cifar10_1000.csv"), "--space", "darts",
            "--proxy", "swap+params", "--limit", "12", "--repeats", "1", "--out", str(tmp_path), "--json",
            "--no-progress", "--net", "C=3,layers=1,stem=false"]
    assert main(args) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["proxy"] == "swap+params" and summary["n"] == 12 and "reference" not in summary
    settings = json.loads((tmp_path / "settings.json").read_text())
    assert [len(v) for v in settings["options"]["reference"].values()] == [64, 64]
    scores = pd.read_csv(tmp_path / "scores.csv")
    assert (scores["score"] < 0).all()  # mean log ranks
    assert main(args) == 0  # same reference again (fixed seed): the run continues, nothing is refused


# ---- issue 28: correlate checks its flags and its --out folder before it writes -----------------
@pytest.mark.parametrize("flag, value", [("--repeats", "0"), ("--samples", "1"), ("--workers", "0")])
def test_correlate_refuses_what_a_search_refuses_before_writing(tmp_path, shared_data, capsys, flag, value):
    """--repeats 0 wrote settings.json and scores.csv before refusing; --samples 1 gave rho = NaN."""
    out = tmp_path / "c"
    table = str(shared_data / "nb201_cifar10.csv")
    assert main(["correlate", "--table", table, "--space", "nb201", "--limit", "4", "--net", "C=4,N=1",
                 "--out", str(out), "--no-progress", flag, value]) == 2
    said = capsys.readouterr().err.strip().split("error: ", 1)[1]
    assert not out.exists(), "nothing is written before the flags are checked"
    assert main(["search", "--space", "nb201", "--evaluations", "2", "--out", str(tmp_path / "s"), flag, value]) == 2
    assert said == capsys.readouterr().err.strip().split("error: ", 1)[1], "the search's rule and message"


@pytest.mark.parametrize("holds", ["a search run", "a file"])
def test_correlate_never_writes_into_someone_elses_folder(tmp_path, shared_data, capsys, holds):
    out = tmp_path / "out"
    if holds == "a search run":
        out.mkdir()
        (out / "best.json").write_text("{}")
        (out / "checkpoint.json").write_text("{}")
    else:
        out.write_text("mine")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert main(["correlate", "--table", str(shared_data / "nb201_cifar10.csv"), "--space", "nb201", "--limit", "4",
                 "--proxy", "params", "--out", str(out), "--no-progress"]) == 2
    err = capsys.readouterr().err.strip()
    assert ("holds files that are not correlate's" if holds == "a search run" else "is a file") in err and "\n" not in err
    assert before == {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}


def test_correlate_on_ray_gives_its_actors_the_device_it_scores_on(tmp_path, shared_data, monkeypatch):
    """Issue 28, defect 14: correlate's Ray actors are told --device as a search's are (faked: no GPU here)."""
    import evonas.device
    import evonas.evaluators.proxy
    import evonas.parallel
    from evonas.parallel import SerialMap

    told = []

    class RecordingRay(SerialMap):
        def __init__(self, address, workers, scorer, gpus_per_worker=None, *, device="cpu"):
            told.append(device)

    monkeypatch.setattr(evonas.parallel, "RayMap", RecordingRay)
    monkeypatch.setattr(evonas.device, "resolve_device", lambda device: "cuda:1")
    monkeypatch.setattr(evonas.evaluators.proxy, "on_device", lambda batch, device: batch)
    assert main(["correlate", "--table", str(shared_data / "darts_cifar10_1000.csv"), "--space", "darts",
                 "--proxy", "params", "--limit", "4", "--repeats", "1", "--out", str(tmp_path / "c"), "--no-progress",
                 "--net", "C=3,layers=1,stem=false", "--ray", "local", "--workers", "2", "--device", "cuda:1"]) == 0
    assert told == ["cuda:1"]
