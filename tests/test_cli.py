"""The command line explains itself: `evonas list`, `--version`, defaults and units in `--help`."""

import subprocess
import sys

import pytest

from evonas.cli import build_parser, main


@pytest.mark.parametrize("kind, expected", [
    ("proxies", "reg-swap"), ("spaces", "nb201"), ("strategies", "rea"), ("algorithms", "nsga2"), ("datasets", "cifar100"),
    ("strategies", "pre-nas"), ("evaluators", "table"), ("predictors", "rf"), ("recipes", "quick"), ("costs", "latency"),
])
def test_list_names_each_entry_with_one_line(capsys, kind, expected):
    assert main(["list", kind]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.split()[0] == expected for line in lines)
    assert all(len(line.split(None, 1)) == 2 for line in lines), "every entry has a description"


def test_list_recipes_says_which_is_the_default_on_large_images(capsys):
    assert main(["list", "recipes"]) == 0
    marked = [line.split()[0] for line in capsys.readouterr().out.splitlines() if "px and up" in line]
    assert marked == ["darts-imagenet"]


def test_version(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.startswith("evonas 0.")


def test_help_shows_defaults_and_units(capsys):
    with pytest.raises(SystemExit):
        main(["search", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "population size (default: 10; multi-objective: 20)" in text
    assert "regularisation centre, in thousands of parameters" in text and "e.g. params=3e6,flops=6e8,latency=5" in text
    with pytest.raises(SystemExit):
        main(["correlate", "--help"])
    assert "(default: 32)" in " ".join(capsys.readouterr().out.split())


def test_cli_parses_without_importing_torch():
    code = "import sys; from evonas.cli import build_parser; build_parser(); print('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


def test_layers_import_only_downwards():
    """data does not need fitness (Batch sits below both); networks do not import encodings."""
    code = ("import sys; import evonas.data; import evonas.networks; "
            "print('evonas.fitness' in sys.modules, 'evonas.encodings' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]


def test_help_says_each_default_once():
    """Every command's --help printed defaults twice ("(default 32) (default: 32)") and "(default: None)"."""
    import argparse

    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    for name, sub in commands.items():
        formatter = sub._get_formatter()
        for action in sub._actions:
            if not action.option_strings or isinstance(action, argparse._HelpAction):
                continue
            said, shown = (action.help or "").lower().count("default"), formatter._expand_help(action).lower()
            assert shown.count("default") == (said or int(action.default not in (None, False, argparse.SUPPRESS))), (name, action.dest)
            assert "(default: none)" not in shown
