"""Evaluators that measure accuracy: the benchmark table (queries) and short training (with inheritance)."""

import json

import numpy as np
import pandas as pd
import pytest

import evonas
from evonas.cli import main
from evonas.errors import ConfigError, DataError, NotInTableError
from evonas.evaluation import evaluate_safely
from evonas.evaluators import TableEvaluator, TrainEvaluator
from evonas.train import get_recipe

NB201 = evonas.get_space("nb201")


@pytest.fixture(scope="module")
def table(shared_data):
    return shared_data / "nb201_cifar10.csv"


def small_table(tmp_path, rows=50, **columns):
    rng = np.random.default_rng(0)
    archs = list({NB201.to_native(g) for g in (NB201.sample(rng) for _ in range(rows))})
    frame = pd.DataFrame({"arch": archs, **{k: v(len(archs)) for k, v in columns.items()}})
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    return path, frame


def test_table_reads_the_validation_column(table):
    evaluator = TableEvaluator.read(table, "nb201", valid_col="cifar10_valid_acc")
    frame = pd.read_csv(table)
    row = frame.loc[(frame["cifar10_valid_acc"] - frame["cifar10_test_acc"]).abs() > 1].iloc[0]
    result = evaluator(NB201.from_native(row["arch"]))
    assert result.score == pytest.approx(row["cifar10_valid_acc"]) and result.score != row["cifar10_test_acc"]
    assert result.params == pytest.approx(row["params_m_cifar10"] * 1e6, abs=1)


def test_an_architecture_missing_from_the_table_is_a_failed_evaluation(tmp_path):
    path, frame = small_table(tmp_path, valid=lambda n: np.arange(n, dtype=float))
    evaluator = TableEvaluator.read(path, "nb201", valid_col="valid")
    rng = np.random.default_rng(5)
    absent = next(g for g in (NB201.sample(rng) for _ in range(1000)) if NB201.to_native(g) not in set(frame["arch"]))
    with pytest.raises(NotInTableError, match=r"is not in the table \(\d+ rows\)"):
        evaluator(absent)
    assert evaluate_safely(evaluator, absent).failed  # data for a search, not its end


def test_table_problems_are_one_line_errors(tmp_path, table):
    with pytest.raises(DataError, match="no such file"):
        TableEvaluator.read(tmp_path / "none.csv", "nb201", valid_col="v")
    with pytest.raises(DataError, match="no column 'valid'"):
        TableEvaluator.read(table, "nb201", valid_col="valid")
    with pytest.raises(ConfigError, match="must not read the accuracy it is reported with"):
        TableEvaluator.read(table, "nb201", valid_col="cifar10_test_acc", test_col="cifar10_test_acc")
    with pytest.raises(DataError, match="row 2, column 'arch': .* is not a darts architecture"):
        TableEvaluator.read(table, "darts", valid_col="cifar10_valid_acc")
    path, _ = small_table(tmp_path, valid=lambda n: ["x"] * n)
    with pytest.raises(DataError, match="row 2, column 'valid': 'x' is not a number in \\[0, 100\\]"):
        TableEvaluator.read(path, "nb201", valid_col="valid")


def test_table_rows_are_found_however_the_architecture_is_written(tmp_path):
    """Issue 28, defect 8: a leading space in the text made every lookup miss."""
    path, frame = small_table(tmp_path, valid=lambda n: np.linspace(10, 90, n))
    padded = frame.assign(arch=" " + frame["arch"] + "  ")
    padded.to_csv(path, index=False)
    evaluator = TableEvaluator.read(path, "nb201", valid_col="valid")
    for native, valid in zip(frame["arch"], frame["valid"]):
        assert evaluator(NB201.from_native(native)).score == valid


def test_a_table_with_two_rows_of_one_architecture_is_refused_naming_both(tmp_path):
    """Issue 28, defect 8: the evaluator read the last row, the report the first; now neither guesses."""
    path, frame = small_table(tmp_path, valid=lambda n: np.linspace(10, 90, n))
    pd.concat([frame, frame.iloc[[3]].assign(valid=99.0)]).to_csv(path, index=False)
    with pytest.raises(DataError, match=rf"--table {path}: rows 5 and {len(frame) + 2} are the same nb201 network"):
        TableEvaluator.read(path, "nb201", valid_col="valid")


@pytest.mark.parametrize("column, value, allowed", [
    ("valid", "inf", "a number in \\[0, 100\\]"),
    ("params_m_cifar10", "big", "a finite number > 0"),
    ("params_m_cifar10", "-inf", "a finite number > 0"),
])
def test_a_bad_value_of_a_table_is_one_line(tmp_path, capsys, column, value, allowed):
    """Issue 28, defect 8: ``inf`` was accepted, and a size that is no number was a traceback."""
    path, frame = small_table(tmp_path, valid=lambda n: np.linspace(10, 90, n), params_m_cifar10=lambda n: [0.5] * n)
    frame.astype(object).assign(**{column: [value] + [frame[column][1]] * (len(frame) - 1)}).to_csv(path, index=False)
    message = rf"--table {path}: row 2, column '{column}': '{value}' is not {allowed}"
    with pytest.raises(DataError, match=message):
        TableEvaluator.read(path, "nb201", valid_col="valid")
    out = tmp_path / "run"
    assert main(["search", "--space", "nb201", "--strategy", "random", "--evaluator", "table", "--table", str(path),
                 "--valid-col", "valid", "--queries", "4", "--out", str(out), "--no-progress"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and f"row 2, column '{column}'" in err and not out.exists()


PRE = ["search", "--space", "nb201", "--strategy", "pre-nas", "--evaluator", "table", "--population", "6",
       "--candidates", "8", "--prior", "none", "--no-progress"]  # the prior (on by default): tests/test_pre_nas.py


def test_pre_nas_search_reads_validation_and_reports_test_accuracy(tmp_path, table):
    out = tmp_path / "pre"
    assert main([*PRE, "--table", str(table), "--queries", "30", "--out", str(out)]) == 0
    best = json.loads((out / "best.json").read_text())
    frame = pd.read_csv(table).set_index("arch")
    assert best["evaluations"] == 30 and best["evaluator"] == "table"
    assert best["score"] == pytest.approx(frame.loc[best["native"], "cifar10_valid_acc"])
    assert best["true_acc"] == pytest.approx(frame.loc[best["native"], "cifar10_test_acc"])
    scored = pd.read_csv(out / "scored.csv")
    assert len(scored) == 30 and best["score"] == scored["score"].max()  # the best validation accuracy queried


def test_a_search_never_reads_the_test_column(tmp_path):
    """Test accuracies that would mislead the search: it must find the best by validation anyway."""
    path, frame = small_table(tmp_path, rows=3000, valid=lambda n: np.linspace(0, 100, n),
                              test=lambda n: np.linspace(100, 0, n))
    out = tmp_path / "run"
    assert main(["search", "--space", "nb201", "--strategy", "random", "--evaluator", "table", "--table", str(path),
                 "--valid-col", "valid", "--test-col", "test", "--queries", "40", "--out", str(out), "--no-progress"]) == 0
    best = json.loads((out / "best.json").read_text())
    assert best["true_acc"] == pytest.approx(100 - best["score"])


def test_resumed_pre_nas_search_ends_as_an_uninterrupted_one(tmp_path, table):
    whole, part = tmp_path / "whole", tmp_path / "part"
    args = [*PRE, "--table", str(table)]
    assert main([*args, "--queries", "30", "--out", str(whole)]) == 0
    assert main([*args, "--queries", "18", "--out", str(part)]) == 0
    assert main(["search", "--resume", str(part), "--queries", "30", "--no-progress"]) == 0
    assert (whole / "scored.csv").read_text() == (part / "scored.csv").read_text()
    a, b = (json.loads((d / "best.json").read_text()) for d in (whole, part))
    assert {k: v for k, v in a.items() if k != "seconds"} == {k: v for k, v in b.items() if k != "seconds"}


@pytest.mark.parametrize("flags, message", [
    (["--table", "t.csv"], "--table is an option of --evaluator table"),
    (["--evaluator", "table"], "--evaluator table needs --table"),
    (["--evaluator", "table", "--table", "T", "--epochs", "2"], "--epochs is an option of --evaluator train"),
    (["--evaluator", "table", "--table", "T", "--mu", "3"], "--mu is an option of --evaluator proxy"),
    (["--evaluator", "train", "--no-inherit", "--proxy", "swap"], "--proxy is an option of --evaluator proxy"),
    (["--evaluator", "oracle"], "Unknown evaluator 'oracle'|unknown evaluator 'oracle'"),
    (["--strategy", "pre-nas", "--mutations", "2"], "strategy 'pre-nas' has no option mutations"),
    (["--strategy", "pre-nas", "--predictor", "forest"], "not a scikit-learn regressor"),
])
def test_evaluator_options_are_checked_before_anything_is_written(tmp_path, table, flags, message, capsys):
    flags = [str(table) if f == "T" else f for f in flags]
    out = tmp_path / "run"
    assert main(["search", *flags, "--out", str(out), "--no-progress"]) != 0
    assert pytest.importorskip("re").search(message, capsys.readouterr().err, flags=2)
    assert not out.exists()


def test_training_children_inherit_their_parent_weights(tmp_path):
    recipe = get_recipe("quick").override(epochs=1, batch_size=32)
    args = dict(space="nb201", data=None, recipe=recipe, net_args={"C": 4, "N": 1}, seed=0)
    parent = NB201.from_native("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|")
    child = NB201.from_native("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|avg_pool_3x3~1|nor_conv_1x1~2|")
    inheriting = TrainEvaluator(store=str(tmp_path / "w"), **args)
    result = inheriting(parent)
    assert 0 <= result.score <= 100 and result.params > 0
    assert inheriting.path(parent, ".pt").is_file()
    inheriting(child, parent=parent)
    assert json.loads(inheriting.path(child, ".json").read_text())["inherited_fraction"] > 0.8
    scratch = TrainEvaluator(store=str(tmp_path / "w"), inherit=False, **args)
    scratch_child = NB201.from_native("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|avg_pool_3x3~1|skip_connect~2|")
    scratch(scratch_child, parent=parent)
    assert json.loads(scratch.path(scratch_child, ".json").read_text())["inherited_fraction"] is None
    assert inheriting.report(child)["trained_valid_acc"] is not None


@pytest.mark.slow
def test_queries_do_not_depend_on_the_number_of_workers(tmp_path, table):
    runs = []
    for workers in (1, 2):
        out = tmp_path / f"w{workers}"
        assert main([*PRE, "--table", str(table), "--queries", "24", "--workers", str(workers), "--out", str(out)]) == 0
        runs.append((out / "scored.csv").read_text())
    assert runs[0] == runs[1]


def _in_memory_train_search(tmp_path, monkeypatch):
    """Search settings for a tiny in-memory search with the train evaluator; temporary folders go to ``tmp_path/tmp``."""
    import tempfile

    rng = np.random.default_rng(0)
    images = rng.integers(0, 255, size=(24, 3, 32, 32), dtype=np.uint8)
    np.savez(tmp_path / "d.npz", train_images=images[:16], train_labels=np.arange(16) % 10,
             test_images=images[16:], test_labels=np.arange(8) % 10)
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    return dict(space="nb201", strategy="rea", evaluator="train", data=str(tmp_path / "d.npz"), epochs=1,
                net={"C": 4, "N": 1}, population=2, evaluations=2, cycles=None, device="cpu", samples=2)


def test_an_in_memory_train_search_leaves_no_temporary_weights(tmp_path, monkeypatch, one_thread):
    """`evonas.search(..., evaluator="train")` left its evonas-weights-* folder behind."""
    settings = _in_memory_train_search(tmp_path, monkeypatch)
    result = evonas.search(**settings)
    assert result.best["trained_valid_acc"] is not None and "weights" not in result.best  # its weights are gone
    assert [p for p in (tmp_path / "tmp").iterdir() if p.name.startswith("evonas-")] == []


def test_an_in_memory_train_search_that_raises_leaves_no_temporary_weights(tmp_path, monkeypatch, one_thread):
    settings = _in_memory_train_search(tmp_path, monkeypatch)
    seen = []

    def interrupted(*args, **kwargs):
        seen.extend((tmp_path / "tmp").iterdir())
        raise KeyboardInterrupt

    monkeypatch.setattr("evonas.train.train", interrupted)
    try:
        evonas.search(**settings)
    except KeyboardInterrupt:
        pass
    assert [p.name[:15] for p in seen] == ["evonas-weights-"]
    assert [p for p in (tmp_path / "tmp").iterdir() if p.name.startswith("evonas-")] == []
