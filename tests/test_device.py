"""--device for proxies: checked before anything is written, and the GPU benchmark runs on a CPU-only machine."""

import subprocess
import sys
from pathlib import Path

import pytest
import torch

from evonas.cli import main
from evonas.device import resolve_device
from evonas.errors import ConfigError

TINY = ["--space", "nb201", "--population", "4", "--samples", "4", "--repeats", "1", "--net", "C=4,N=1",
        "--cycles", "1", "--no-progress"]
ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_cuda_where_there_is_none_is_one_line_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["search", *TINY, "--device", "cuda", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--device cuda: no cuda device" in err and not out.exists()
    assert resolve_device("auto") == "cpu"
    with pytest.raises(ConfigError, match="not a device name"):
        resolve_device("gpu0")


def test_auto_device_runs_and_a_resume_may_run_elsewhere(tmp_path):
    out = tmp_path / "run"
    assert main(["search", *TINY, "--device", "auto", "--out", str(out)]) == 0
    assert main(["search", "--resume", str(out), "--cycles", "2", "--device", "cpu", "--no-progress"]) == 0


def test_the_device_benchmark_runs_on_cpu_alone(shared_data):
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_device.py"), "--n", "2", "--repeats", "1",
                           "--samples", "4", "--shared", str(shared_data)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "identical to cpu: 2/2" in done.stdout and done.stdout.strip().splitlines()[-1].startswith("{")


def test_a_cuda_index_beyond_the_devices_is_one_line_naming_device_and_count(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert resolve_device("cuda:1") == "cuda:1" and resolve_device("cuda") == "cuda"
    with pytest.raises(ConfigError) as err:
        resolve_device("cuda:2")
    message = str(err.value)
    assert "--device cuda:2" in message and "2 CUDA devices" in message and "\n" not in message
