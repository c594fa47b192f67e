"""Time parallel scoring: serial against 2 local worker processes and 2 Ray actors, in one run.

Workloads (wall time, what a user waits for):

  correlate  ``--n`` archs of the SWAP study's DARTS table (seeded sample), proxy swap,
             ``--repeats`` re-initialisations, the space's scoring network, S=16;
  search     a fixed small SWAP-NAS run on nb201 (reg-swap with fixed mu/sigma, so no calibration);
  overhead   an ordered map of a no-op (builtin ``abs``) over ``--tasks`` items: cost per task.

Modes: serial with torch's default threads (the baseline: what a user gets without
``--workers``), serial with 1 thread (for context), ``--workers 2`` (pool start-up included)
and Ray with 2 actors on a local instance (``ray.init`` timed apart; skipped if Ray is
missing). The modes are interleaved over ``--rounds`` rounds and each keeps its best time,
which resists other processes' bursts; the load average is printed all along. Scores and
the best architecture must be identical in every mode; the script checks it.

    python benchmarks/bench_parallel.py              # --n 200 --repeats 32
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pandas as pd
import torch

from evonas import get_space
from evonas.correlation import correlate, read_table, select_rows
from evonas.data import load_images
from evonas.evaluation import ArchitectureScorer
from evonas.parallel import make_map
from evonas.search import SearchConfig, run_search

CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "darts_cifar10_1000.csv"
# mu, sigma: evonas.fitness.calibrate on nb201's scoring network (seed 0), fixed so no run calibrates
SEARCH = dict(space="nb201", population=10, cycles=12, mutations=6, samples=16, repeats=4, seed=0, mu=344.0, sigma=203000.0)


def load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


@contextmanager
def threads(n: int | None) -> Iterator[None]:
    """Torch intra-op threads of this process for the block (None: leave the default)."""
    before = torch.get_num_threads()
    torch.set_num_threads(n or before)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def time_correlate(rows: pd.DataFrame, scorer: ArchitectureScorer, workers: int, ray: str | None) -> tuple[float, list]:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        with make_map(workers, ray, scorer) as map_fn:
            correlate(rows, scorer, Path(out), progress=False, map_fn=map_fn)
        seconds = time.perf_counter() - start
        return seconds, pd.read_csv(Path(out) / "scores.csv")["score"].tolist()


def time_search(workers: int, ray: str | None) -> tuple[float, Any]:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        result = run_search(SearchConfig(**SEARCH, workers=workers, ray=ray), Path(out) / "run", progress=False)
        return time.perf_counter() - start, (result.best["native"], result.best["score"])


def time_overhead(tasks: int, workers: int, ray: str | None) -> float:
    """Seconds per task of an ordered map of a no-op, on a pool that is already running."""
    with make_map(workers, ray, abs) as map_fn:
        list(map_fn(abs, range(2 * workers)))  # warm: every worker started
        start = time.perf_counter()
        list(map_fn(abs, range(tasks)))
        return (time.perf_counter() - start) / tasks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200, help="DARTS architectures to correlate")
    parser.add_argument("--repeats", type=int, default=32, help="re-initialisations per score")
    parser.add_argument("--tasks", type=int, default=2000, help="no-op tasks for the overhead")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the best time of each mode counts")
    parser.add_argument("--no-ray", action="store_true", help="local processes only")
    parser.add_argument("--csv", type=Path, default=CSV)
    args = parser.parse_args()

    print(f"{os.cpu_count()} CPUs, torch {torch.__version__}, default {torch.get_num_threads()} torch threads; start: {load()}")
    space = get_space("darts")
    rows = select_rows(read_table(args.csv), args.n, seed=0)
    scorer = ArchitectureScorer(space="darts", proxy="swap", batch=load_images(None, samples=16),
                                net_args=space.scoring_net_args, repeats=args.repeats, seed=0)
    modes: list[tuple[str, int | None, int, str | None]] = [  # name, parent threads, workers, ray
        ("serial, default threads", None, 1, None),
        ("serial, 1 thread", 1, 1, None),
        ("2 local workers", None, 2, None),
    ]
    if not args.no_ray:
        try:
            import ray
        except ImportError:
            print("Ray is not installed: Ray rows skipped")
        else:
            start = time.perf_counter()
            ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
            print(f"ray.init (local, 2 CPUs): {time.perf_counter() - start:.1f} s, not counted below")
            modes.append(("2 Ray actors", None, 2, "auto"))

    best: dict[str, list[float]] = {name: [float("inf")] * 3 for name, *_ in modes}
    reference = None
    for round_ in range(args.rounds):  # rounds interleave the modes; the best time of each counts
        for name, parent_threads, workers, ray_address in modes if round_ % 2 == 0 else modes[::-1]:
            with threads(parent_threads):
                corr, scores = time_correlate(rows, scorer, workers, ray_address)
                search, found = time_search(workers, ray_address)
            per_task = time_overhead(args.tasks, workers, ray_address)
            reference = reference or (scores, found)
            assert (scores, found) == reference, f"{name}: results differ from the serial run"
            best[name] = [min(a, b) for a, b in zip(best[name], (corr, search, per_task))]
            print(f"  round {round_ + 1}: {name}: correlate {corr:.1f} s, search {search:.1f} s ({load()})", flush=True)
    table = [(name, *best[name]) for name, *_ in modes]

    base_corr, base_search = table[0][1], table[0][2]
    print(f"\nbest of {args.rounds} interleaved rounds")
    print(f"correlate: {args.n} DARTS archs, swap, {args.repeats} repeats, net {space.scoring_net_args}, S=16")
    print(f"search: {SEARCH}")
    print("| mode | correlate s | speed-up | search s | speed-up | overhead per task |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, corr, search, per_task in table:
        print(f"| {name} | {corr:.1f} | {base_corr / corr:.2f}x | {search:.1f} | {base_search / search:.2f}x "
              f"| {1e3 * per_task:.3f} ms |")
    print(f"identical scores and best architecture in every mode; end: {load()}")


if __name__ == "__main__":
    main()
