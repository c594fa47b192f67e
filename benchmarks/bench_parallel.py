"""Time parallel scoring: the ``evonas`` commands run serially, on 2 local workers and on 2 Ray actors.

What a user waits for: each mode runs the real command line in a fresh process (interpreter
start, imports and pool start-up included) and is timed wall-clock.

  correlate  ``evonas correlate`` on ``--n`` archs of the SWAP study's DARTS table (seeded
             sample), proxy swap, ``--repeats`` re-initialisations, S=16;
  search     ``evonas search``: a fixed small SWAP-NAS run on nb201 (reg-swap with fixed
             mu/sigma, so no calibration);
  overhead   in a fresh process, the pool's start-up (cold: no fork server yet) and then an
             ordered map of a no-op (builtin ``abs``) over ``--tasks`` items: the cost per task.

Modes: serial with 1 torch thread (the CLI's default), serial with 2 threads, ``--workers 2``
and ``--ray auto --workers 2`` against a cluster this script starts with ``ray start --head
--num-cpus 2`` before that mode and stops after it (neither counted, so Ray's daemons do not
run during the other modes; skipped if Ray is missing). The modes are
interleaved over ``--rounds`` rounds and each reports its median; speed-ups are against both
serial modes of the same run. The load average is printed all along: on 2 cores any
other busy process takes half the machine from the workers. Scores and the best
architecture must be identical in every mode; the script checks it.

    python benchmarks/bench_parallel.py              # --n 200 --repeats 32 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pandas as pd
import torch

from evonas.parallel import make_map

CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "darts_cifar10_1000.csv"
EVONAS = [sys.executable, "-m", "evonas"]
# mu, sigma: evonas.fitness.calibrate on nb201's scoring network (seed 0), fixed so no run calibrates
SEARCH = ["--space", "nb201", "--population", "10", "--cycles", "12", "--mutations", "6", "--samples", "16",
          "--repeats", "4", "--seed", "0", "--mu", "344", "--sigma", "203000"]


def load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def run(argv: list[str]) -> tuple[float, str]:
    """Wall seconds of one ``evonas`` command, and its standard output."""
    start = time.perf_counter()
    done = subprocess.run(EVONAS + argv, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"evonas {' '.join(argv)} failed:\n{done.stderr}")
    return seconds, done.stdout


def time_correlate(args: argparse.Namespace, flags: list[str]) -> tuple[float, float, list[float]]:
    """Wall seconds, the command's own scoring seconds, and the scores."""
    with tempfile.TemporaryDirectory() as out:
        seconds, stdout = run(["correlate", "--table", str(args.csv), "--space", "darts", "--proxy", "swap",
                               "--limit", str(args.n), "--repeats", str(args.repeats), "--samples", "16",
                               "--net", "C=3,layers=1,stem=false",  # the network the README's table was measured on
                               "--out", out, "--no-progress", "--json", *flags])
        scoring = json.loads(stdout.strip().splitlines()[-1])["seconds"]
        return seconds, scoring, pd.read_csv(Path(out) / "scores.csv")["score"].tolist()


def time_search(flags: list[str]) -> tuple[float, tuple]:
    """Wall seconds and (best architecture, its score)."""
    with tempfile.TemporaryDirectory() as out:
        seconds, stdout = run(["search", *SEARCH, "--out", f"{out}/run", "--no-progress", "--json", *flags])
        best = json.loads(stdout.strip().splitlines()[-1])
        return seconds, (best["native"], best["score"])


def time_overhead(tasks: int, workers: int, ray: str | None) -> tuple[float, float]:
    """Seconds per task of an ordered map of a no-op on a running pool, and its start-up seconds, in a fresh process."""
    code = f"import json, bench_parallel as b; print(json.dumps(b.overhead({tasks}, {workers}, {ray!r})))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).parent)
    return tuple(json.loads(done.stdout.strip().splitlines()[-1]))


def overhead(tasks: int, workers: int, ray: str | None) -> tuple[float, float]:
    """What :func:`time_overhead` measures, run in this process."""
    start = time.perf_counter()
    with make_map(workers, ray, abs) as map_fn:
        list(map_fn(abs, range(2 * workers)))  # warm: every worker started
        startup = time.perf_counter() - start
        start = time.perf_counter()
        list(map_fn(abs, range(tasks)))
        return (time.perf_counter() - start) / tasks, startup


RAY = shutil.which("ray", path=str(Path(sys.executable).parent)) or shutil.which("ray")


@contextmanager
def ray_cluster(needed: bool) -> Iterator[None]:
    """A 2-CPU Ray head on this machine for the block (what ``--ray auto`` finds), if ``needed``."""
    if not needed:
        yield
        return
    subprocess.run([RAY, "start", "--head", "--num-cpus", "2", "--include-dashboard", "false",
                    "--disable-usage-stats"], check=True, capture_output=True)
    try:
        yield
    finally:
        subprocess.run([RAY, "stop"], check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200, help="DARTS architectures to correlate")
    parser.add_argument("--repeats", type=int, default=32, help="re-initialisations per score")
    parser.add_argument("--tasks", type=int, default=2000, help="no-op tasks for the overhead")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; each mode reports its median")
    parser.add_argument("--no-ray", action="store_true", help="local processes only")
    parser.add_argument("--csv", type=Path, default=CSV)
    args = parser.parse_args()

    print(f"{os.cpu_count()} CPUs, torch {torch.__version__}; start: {load()}")
    modes: list[tuple[str, list[str], int, str | None]] = [  # name, flags, workers, ray address (overhead)
        ("serial, 1 thread (default)", [], 1, None),
        ("serial, 2 torch threads", ["--threads", "2"], 1, None),
        ("2 local workers", ["--workers", "2"], 2, None),
    ]
    if args.no_ray or RAY is None:
        print("Ray rows skipped" + ("" if args.no_ray else ": Ray is not installed"))
    else:
        modes.append(("2 Ray actors", ["--ray", "auto", "--workers", "2"], 2, "auto"))
    times: dict[str, list[tuple[float, ...]]] = {name: [] for name, *_ in modes}
    reference = None
    for round_ in range(args.rounds):  # rounds interleave the modes; each mode reports its median
        for name, flags, workers, address in modes if round_ % 2 == 0 else modes[::-1]:
            with ray_cluster(address is not None):
                corr, scoring, scores = time_correlate(args, flags)
                search, found = time_search(flags)
                per_task, startup = time_overhead(args.tasks, workers, address) if workers > 1 else (0.0, 0.0)
            reference = reference or (scores, found)
            assert (scores, found) == reference, f"{name}: results differ from the serial run"
            times[name].append((corr, scoring, search, per_task, startup))
            print(f"  round {round_ + 1}: {name}: correlate {corr:.1f} s (scoring {scoring:.1f} s), "
                  f"search {search:.1f} s ({load()})", flush=True)
    table = [(name, *(statistics.median(column) for column in zip(*times[name]))) for name, *_ in modes]

    serial = [row for row in table if row[0].startswith("serial")]  # 1 thread, 2 threads
    print(f"\nmedian of {args.rounds} interleaved rounds; wall time of the whole command; speed-up = a serial "
          "mode's time / this mode's time")
    print(f"correlate: evonas correlate, {args.n} DARTS archs, swap, {args.repeats} repeats, S=16")
    print(f"search: evonas search {' '.join(SEARCH)}")
    print("| mode | correlate | speed-up vs serial 1 thread / 2 threads | of which scoring | search "
          "| speed-up vs serial 1 thread / 2 threads | pool start-up (cold) | overhead per task |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, corr, scoring, search, per_task, startup in table:
        pool = name.startswith("2 ")
        print(f"| {name} | {corr:.1f} s | {' / '.join(f'{row[1] / corr:.2f}x' for row in serial)} | {scoring:.1f} s "
              f"| {search:.1f} s | {' / '.join(f'{row[3] / search:.2f}x' for row in serial)} "
              f"| {f'{startup:.2f} s' if pool else '-'} | {f'{1e3 * per_task:.3f} ms' if pool else '-'} |")
    print(f"identical scores and best architecture in every mode; end: {load()}")


if __name__ == "__main__":
    main()
