"""What a warm start (``--init``) saves: evaluations to reach a cold run's best on NAS-Bench-201 (issue 31).

Regularised evolution queries the benchmark table (``--evaluator table``: it reads
``cifar10_valid_acc`` only; ``cifar10_test_acc`` is reported, never searched). For each seed
``s`` a cold run spends ``--evaluations``; its best validation accuracy is the target. Two
warm runs with the same seed and budget then start from

- ``hof``: the hall of fame of the cold run of seed ``s + 1`` (its run folder given to
  ``--init``; the population is as large as the hall of fame, so nothing is sampled), and
- ``published``: ``benchmarks/data/nb201_published.json``, architectures published for
  NAS-Bench-201 (ResNet, DARTS, three GDAS runs; the file names its sources), topped up
  by sampling.

Reported per seed and summarised: evaluations the cold run needed to first reach its own
best, evaluations each warm run needed to reach that value (``-``: not within the budget;
the warm start's own architectures count: they are evaluated like any others), and the test
accuracy of each run's best. The hall of fame's evaluations were spent by another run: a
warm start saves this run's evaluations, not the total.

Usage::

    nice -n 19 python benchmarks/bench_warm_start.py                       # 10 seeds, 150 evaluations
    nice -n 19 python benchmarks/bench_warm_start.py --seeds 3 --evaluations 60
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import evonas
from evonas.config import SearchConfig
from evonas.facade import run_search

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1] / "shared" / "data"
PUBLISHED = HERE / "data" / "nb201_published.json"


def first_reaching(scores: list[float], target: float) -> int | None:
    """The 1-based evaluation at which the running best first reaches ``target`` (None: never)."""
    best = np.maximum.accumulate(np.asarray(scores, dtype=float))
    hits = np.flatnonzero(best >= target - 1e-9)
    return int(hits[0]) + 1 if len(hits) else None


def trajectory(result: evonas.SearchResult) -> list[float]:
    """Validation accuracies in evaluation order (failures: -inf)."""
    return [result.cache.get(g).score if not result.cache.get(g).failed else -np.inf
            for g in result.cache.genomes.values()]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--evaluations", type=int, default=150)
    p.add_argument("--population", type=int, default=10, help="also the hall of fame's size")
    p.add_argument("--table", type=Path, default=SHARED / "nb201_cifar10.csv")
    args = p.parse_args()
    test = pd.read_csv(args.table).set_index("arch")["cifar10_test_acc"]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE).stdout.strip()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus; commit {commit}; evonas {evonas.__version__}")
    print(f"NB201, rea, --evaluator table (searches cifar10_valid_acc, reports cifar10_test_acc), population "
          f"{args.population}, {args.evaluations} evaluations, seeds 0..{args.seeds - 1}")
    base = dict(space="nb201", evaluator="table", table=str(args.table), strategy="rea", population=args.population,
                halloffame=args.population, evaluations=args.evaluations, cycles=None)
    started = time.perf_counter()
    rows = []
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the published list's top-up notes, none expected
        cold = {s: run_search(SearchConfig(**base, seed=s), Path(tmp) / f"cold{s}", progress=False)
                for s in range(args.seeds)}
        for s in range(args.seeds):
            target_scores = trajectory(cold[s])
            target = max(target_scores)
            warm = {"hof": evonas.search(**base, seed=s, init=str(Path(tmp) / f"cold{(s + 1) % args.seeds}")),
                    "published": evonas.search(**base, seed=s, init=str(PUBLISHED))}
            rows.append({
                "seed": s, "target_valid": target, "cold_evals": first_reaching(target_scores, target),
                **{f"{k}_evals": first_reaching(trajectory(r), target) for k, r in warm.items()},
                "cold_test": test[cold[s].best["native"]],
                **{f"{k}_test": test[r.best["native"]] for k, r in warm.items()},
            })
    frame = pd.DataFrame(rows)
    show = frame.copy()
    for c in ("cold_evals", "hof_evals", "published_evals"):
        show[c] = show[c].map(lambda v: "-" if pd.isna(v) else str(int(v)))
    print(show.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    print("\nsummary (median evaluations to reach the cold run's best, among the runs that reached it; "
          "mean test accuracy of the best found):")
    for name in ("cold", "hof", "published"):
        reached = frame[f"{name}_evals"].dropna()
        print(f"  {name:<10} reached {len(reached):>2}/{len(frame)}  median {reached.median():6.1f} evaluations  "
              f"test {frame[f'{name}_test'].mean():.2f} %")
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
