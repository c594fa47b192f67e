"""`evonas inspect` and `evonas sample`: validation, matrices, sizes and one-line errors."""

import json

import pandas as pd
import pytest

from evonas.cli import main

NB201 = "|nor_conv_3x3~0|+|none~0|skip_connect~1|+|nor_conv_1x1~0|none~1|avg_pool_3x3~2|"


def test_inspect_nb201_json(capsys):
    assert main(["inspect", "--space", "nb201", NB201, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["native"] == NB201 and report["params"] == 344346
    assert report["matrix"] == [[[0, 1, 0, 2], [0, 0, 4, 0], [0, 0, 0, 3], [0, 0, 0, 0]]]


def test_inspect_darts_without_a_matrix_still_counts_params(shared_data, capsys):
    row = pd.read_csv(shared_data / "darts_cifar10_1000.csv").iloc[0]
    assert main(["inspect", "--space", "darts", row["genotype"], "--net", "C=3,layers=1,stem=false", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["matrix"] is None and "takes both of its edges from node" in report["no_matrix_because"]
    assert report["params"] == row["ref_params"] == 1906


@pytest.mark.parametrize(
    "args, message",
    [
        (["inspect", "--space", "nb201", "|conv~0|"], "expected 3 '+'-separated node groups"),
        (["inspect", "--space", "darts", "Genotype(normal=[('x', 0)])"], "missing field"),
        (["inspect", "--space", "nb", NB201], "unknown search space 'nb'"),
        (["inspect", "--space", "nb201", NB201, "--net", "C=big"], "value of 'C' must be a number"),
        (["sample", "--space", "nb201", "--threads", "0"], "--threads 0"),
    ],
)
def test_bad_input_is_one_clear_line(capsys, args, message):
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err


def test_sample_prints_valid_architectures(capsys):
    assert main(["sample", "--space", "darts", "-n", "2", "--net", "C=3,layers=1,stem=false"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and all("Genotype(normal=" in line for line in lines)


def test_sample_refuses_a_count_below_one(capsys):
    """`sample -n -3` printed nothing and exited 0."""
    assert main(["sample", "--space", "nb201", "-n", "-3"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "-n -3: must be a whole number >= 1" in captured.err


def test_draw_makes_a_new_png_and_never_replaces_a_file(tmp_path, capsys):
    """--draw onto an existing file replaced it; into a missing folder it was a traceback."""
    png = tmp_path / "cell.png"
    assert main(["inspect", "--space", "nb201", NB201, "--draw", str(png)]) == 0
    assert png.read_bytes().startswith(b"\x89PNG") and sorted(tmp_path.iterdir()) == [png]
    mine = tmp_path / "notes.txt"
    mine.write_text("mine")
    for target, message in [(png, "exists"), (mine, "exists"), (tmp_path / "no" / "c.png", "does not exist")]:
        capsys.readouterr()
        assert main(["inspect", "--space", "nb201", NB201, "--draw", str(target)]) == 2
        err = capsys.readouterr().err.strip()
        assert f"--draw {target}" in err and message in err and "\n" not in err
    assert mine.read_text() == "mine" and not (tmp_path / "no").exists()
