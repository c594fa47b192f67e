"""Warm starts (``--init``): the three sources, repeats and budgets noted, bad files one line, the run folder's record."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import evonas
from evonas.cli import main
from evonas.config import MooConfig, SearchConfig
from evonas.errors import ConfigError, DataError
from evonas.facade import run_search
from evonas.moo import run_moo
from evonas.warmstart import load_init, read_init, resolve_init, seeded_population

NB201 = evonas.get_space("nb201")
BEST = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"
ALL_CONV = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|"
SMALL = "|skip_connect~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|none~1|skip_connect~2|"


def table_flags(shared_data: Path, out: Path, *extra: str) -> list[str]:
    return ["search", "--space", "nb201", "--evaluator", "table", "--table", str(shared_data / "nb201_cifar10.csv"),
            "--strategy", "rea", "--population", "4", "--evaluations", "8", "--no-progress", "--out", str(out), *extra]


def natives(genomes) -> list[str]:
    return [NB201.to_native(g) for g in genomes]


def test_a_csv_and_a_json_list_give_the_same_architectures_in_order(tmp_path):
    pd.DataFrame({"arch": [SMALL, BEST], "note": ["a", "b"]}).to_csv(tmp_path / "a.csv", index=False)
    pd.DataFrame({"native": [SMALL, BEST]}).to_csv(tmp_path / "b.csv", index=False)  # a scored.csv's column
    (tmp_path / "c.json").write_text(json.dumps([SMALL, BEST]))
    (tmp_path / "d.json").write_text(json.dumps({"source": "a paper", "architectures": [SMALL, BEST]}))
    for name in ("a.csv", "b.csv", "c.json", "d.json"):
        warm = read_init(tmp_path / name, NB201)
        assert natives(warm.genomes) == [SMALL, BEST] and warm.notes == (), name


def test_repeats_are_left_out_with_a_note_naming_both_rows(tmp_path):
    spaced = BEST.replace("|+|", "| + |")  # the same network, written otherwise
    pd.DataFrame({"arch": [BEST, SMALL, spaced]}).to_csv(tmp_path / "a.csv", index=False)
    (tmp_path / "a.json").write_text(json.dumps([BEST, SMALL, BEST]))
    with pytest.warns(UserWarning, match=r"left out row 4, the same nb201 network as row 2"):
        warm = resolve_init(str(tmp_path / "a.csv"), NB201, 10, {})
    assert natives(warm.genomes) == [BEST, SMALL]
    assert read_init(tmp_path / "a.json", NB201).notes == (
        f"--init {tmp_path / 'a.json'}: left out item 3, the same nb201 network as item 1",)


def test_architectures_over_a_cheap_budget_are_left_out_with_a_note(tmp_path):
    """A documented choice: left out (noted, and kept in init.json's notes), not refused -- a hall of fame from a run
    without a budget still seeds one with a budget."""
    (tmp_path / "a.json").write_text(json.dumps([ALL_CONV, SMALL]))
    with pytest.warns(UserWarning, match=r"left out .*over budget: params 1\.532e\+06 > 1e\+06"):
        warm = resolve_init(str(tmp_path / "a.json"), NB201, 10, {"params": 1e6})
    assert natives(warm.genomes) == [SMALL] and len(warm.notes) == 1


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("bad.csv", f"arch\n{BEST}\n|nor_conv_3x3~0|+|bogus~0|\n", "bad.csv: row 3, column 'arch': "),
        ("cols.csv", f"genome\n{BEST}\n", "no column 'arch' (it has genome) (the architecture column is named arch or native or genotype)"),
        ("bad.json", json.dumps([BEST, "|x~0|"]), "bad.json: item 2: '|x~0|' is not a nb201 architecture"),
        ("num.json", json.dumps([BEST, 7]), "num.json: item 2 is int, not the text of a nb201 architecture"),
        ("obj.json", json.dumps({"archs": [BEST]}), "obj.json: expected a non-empty list of architecture texts"),
        ("torn.json", "[\"|", "torn.json: not JSON"),
        ("list.txt", BEST, "list.txt: expected a .csv table (an arch column), a .json list of architectures or a run folder"),
        ("many.json", json.dumps([BEST, SMALL, ALL_CONV, "|avg_pool_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|",
                                  "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"]),
         "many.json: 5 distinct architectures, more than --population 4; give --population 5 or more"),
    ],
)
def test_a_bad_init_file_is_one_line_and_nothing_is_written(tmp_path, capsys, shared_data, name, content, message):
    path = tmp_path / name
    path.write_text(content)
    code = main(table_flags(shared_data, tmp_path / "run", "--init", str(path)))
    err = capsys.readouterr().err.strip()
    assert code == 2 and message in err and "\n" not in err and "Traceback" not in err, err
    assert not (tmp_path / "run").exists()


def test_a_missing_init_is_one_line(tmp_path):
    with pytest.raises(DataError, match=r"--init .*nope\.csv: no such file$"):
        read_init(tmp_path / "nope.csv", NB201)
    with pytest.raises(DataError, match=r"--init .*nope: no such file or folder$"):
        read_init(tmp_path / "nope", NB201)


def test_a_run_folder_gives_its_hall_of_fame_best_first_or_its_front(tmp_path, shared_data):
    table = str(shared_data / "nb201_cifar10.csv")
    single = tmp_path / "single"
    run_search(SearchConfig(space="nb201", evaluator="table", table=table, strategy="rea", population=6,
                            evaluations=20, halloffame=5), single, progress=False)
    hof = [NB201.to_native(evonas.Genome.from_json(d["genome"]))
           for d in json.loads((single / "checkpoint.json").read_text())["halloffame"]]
    warm = read_init(single, NB201)
    assert natives(warm.genomes) == hof and hof[0] == json.loads((single / "best.json").read_text())["native"]

    multi = tmp_path / "multi"
    run_moo(MooConfig(space="nb201", evaluator="table", table=table, objectives=["accuracy", "params"], population=6,
                      evaluations=12), multi, progress=False)
    front = pd.read_csv(multi / "front.csv", dtype=str)
    assert natives(read_init(multi, NB201).genomes) == list(front.loc[front["rank"] == "0", "native"])

    with pytest.raises(DataError, match=r"that run searched --space nb201, this one --space darts$"):
        read_init(single, evonas.get_space("darts"))
    with pytest.raises(DataError, match="not a run folder with results"):
        read_init(tmp_path, NB201)


def test_the_population_is_the_given_architectures_then_the_search_s_own_sample(tmp_path, shared_data):
    (tmp_path / "a.json").write_text(json.dumps([BEST, SMALL]))
    values = dict(space="nb201", evaluator="table", table=str(shared_data / "nb201_cifar10.csv"), strategy="random",
                  population=5, evaluations=5, init=str(tmp_path / "a.json"))
    warm_run = evonas.search(**values)
    cold_run = evonas.search(**{**values, "init": None, "population": 3, "evaluations": 3})
    evaluated = natives(warm_run.cache.genomes.values())
    assert evaluated[:2] == [BEST, SMALL]
    assert evaluated[2:] == natives(cold_run.cache.genomes.values())  # topped up from the seeded generator
    assert warm_run.best["native"] == BEST
    assert seeded_population([1, 2], 2, str, lambda n: pytest.fail("nothing left to draw")) == ["1", "2"]


def test_the_run_folder_records_the_warm_start_and_a_resume_needs_no_file(tmp_path, shared_data, capsys):
    source = tmp_path / "a.csv"
    pd.DataFrame({"arch": [BEST, SMALL, BEST]}).to_csv(source, index=False)
    run = tmp_path / "run"
    assert main(table_flags(shared_data, run, "--init", str(source), "--cycles", "1")) == 0
    assert f"evonas search: note: --init {source}: left out row 4, the same nb201 network as row 2\n" in capsys.readouterr().err
    assert json.loads((run / "config.json").read_text())["init"] == str(source)
    record = json.loads((run / "init.json").read_text())
    assert record["architectures"] == [BEST, SMALL] and record["notes"] == [
        f"--init {source}: left out row 4, the same nb201 network as row 2"]
    assert natives(load_init(run, NB201).genomes) == [BEST, SMALL]
    source.unlink()
    assert main(["search", "--resume", str(run), "--evaluations", "8", "--no-progress"]) == 0
    code = main(["search", "--resume", str(run), "--init", str(tmp_path / "other.json"), "--evaluations", "9",
                 "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and f"--init {tmp_path / 'other.json'} cannot change when resuming" in err, err
    (run / "init.json").unlink()
    with pytest.raises(ConfigError, match="was warm-started .* init.json is missing"):
        run_search(None, run, resume=True, changes={"evaluations": 10}, progress=False)


def test_a_new_run_drops_a_failed_start_s_warm_start(tmp_path, shared_data):
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.json").write_text("{}")
    (run / "init.json").write_text("{}")  # a failed start's, which had --init
    run_search(SearchConfig(space="nb201", evaluator="table", table=str(shared_data / "nb201_cifar10.csv"),
                            strategy="rea", population=4, evaluations=6), run, progress=False)
    assert not (run / "init.json").exists()

