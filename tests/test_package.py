"""The package's surface: public names resolve, and starting the CLI does not import torch."""

import subprocess
import sys

import pytest

import evonas


def test_every_public_name_resolves():
    for name in evonas.__all__:
        assert getattr(evonas, name) is not None, name
    assert evonas.get_space("nb201").name == "nb201"
    assert "swap" in evonas.list_proxies()
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        evonas.nope  # noqa: B018


def test_the_command_line_parser_starts_without_torch():
    code = "import sys, evonas.cli; evonas.cli.build_parser(); print('torch' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"  # so `evonas --help` is instant and workers' start overlaps torch's import


def test_python_dash_m_evonas_is_the_command():
    done = subprocess.run([sys.executable, "-m", "evonas", "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "correlate" in done.stdout
