"""Multi-objective search against each cost on NAS-Bench-201: found fronts against the true (accuracy, cost) fronts.

For ``--objectives swap,COST`` with COST in params, flops and latency, and each seed,
``evonas.moo.run_moo`` runs NSGA-II (population 20, 10 generations after the initial
sample: the defaults) with the plain SWAP score read from ``benchmarks/data/nb201_swap.csv.gz``
(a scorer passed to ``run_moo``; the costs are measured by the library, live) and reports
the hypervolume of the found front, in (-test accuracy, cost), as a share of the true
front's -- normalised by the true front's ideal and nadir, reference point 1.1 -- the
measure ``truth.json`` reports for params.

- params, flops: the true front of all 15,625 architectures (FLOPs counted for each).
- latency: 15,625 networks cannot be timed here, so the "true" front is that of a pool:
  ``--latency-subset`` random architectures timed once before the searches, plus every
  architecture the run itself evaluated (timed during the run, same protocol: batch 1,
  1 thread, median of 10 after 3 warm-up). The ratio is over that pool, stated as such;
  for params and flops the same ratio over the same kind of pool is printed too
  (``ratio_over_pool``), to show how much the pool's weaker front inflates it.

Usage::

    python benchmarks/bench_moo_costs.py --seeds 5 --latency-subset 500
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

import evonas
from evonas.config import MooConfig
from evonas.costs import make_cost
from evonas.errors import ProxyError
from evonas.moo import run_moo
from evonas.moo.front import front_ratio

HERE = Path(__file__).resolve().parent
TABLE = HERE.parents[1] / "shared" / "data" / "nb201_cifar10.csv"
SCORES = HERE / "data" / "nb201_swap.csv.gz"
SPACE = evonas.get_space("nb201")


class PlainSwap:
    """``genome -> (swap, params)`` from the file of scores (no size factor: the costs are objectives)."""

    def __init__(self, scores: pd.DataFrame) -> None:
        self.swap = dict(zip(scores["arch"], scores["score"]))
        self.params = dict(zip(scores["arch"], scores["params"]))

    def __call__(self, genome):  # type: ignore[no-untyped-def]
        arch = SPACE.to_native(genome)
        if not np.isfinite(self.swap[arch]):
            raise ProxyError(f"failed when the file was made: {arch}")
        return float(self.swap[arch]), int(self.params[arch])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--costs", nargs="+", default=["params", "flops", "latency"])
    p.add_argument("--latency-subset", type=int, default=500)
    args = p.parse_args()

    table = pd.read_csv(TABLE)
    acc = dict(zip(table["arch"], table["cifar10_test_acc"]))
    scorer = PlainSwap(pd.read_csv(SCORES, comment="#"))
    counted = {name: make_cost(name, SPACE) for name in ("params", "flops")}
    genomes = [SPACE.from_native(a) for a in table["arch"]]
    column = {name: np.array([cost.measure(g) for g in genomes]) for name, cost in counted.items()}
    latency = make_cost("latency", SPACE)  # the library's defaults: batch 1, 1 thread, 10 runs, 3 warm-up
    subset = table["arch"].sample(args.latency_subset, random_state=0).tolist()  # drawn whatever the costs run
    subset_ms = {a: latency.time(SPACE.from_native(a)) for a in subset} if "latency" in args.costs else {}
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE).stdout.strip()
    print(json.dumps({"machine": f"{platform.machine()}, {os.cpu_count()} cpus", "commit": commit, "seeds": args.seeds,
                      "algorithm": "nsga2", "population": 20, "cycles": 10, "latency_subset": len(subset_ms)}))

    for cost in args.costs:
        ratios, sizes, evaluations, pool_ratios = [], [], [], []
        for seed in range(args.seeds):
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / "run"
                result = run_moo(MooConfig(space="nb201", objectives=["swap", cost], seed=seed), out,
                                 progress=False, scorer=scorer)
                scored = pd.read_csv(out / "scored.csv")
            front = result.front
            found = np.column_stack([-front["native"].map(acc).to_numpy(float), front[f"cost_{cost}"].to_numpy(float)])
            if cost == "latency":
                pool = {**dict(zip(scored["native"], scored["cost_latency"])), **subset_ms}
                everything = np.column_stack([-np.array([acc[a] for a in pool]), np.array(list(pool.values()))])
            else:
                everything = np.column_stack([-table["cifar10_test_acc"].to_numpy(float), column[cost]])
            hv_found, hv_true = front_ratio(found, everything)
            ratios.append(hv_found / hv_true)
            pool_ratio = None
            if cost != "latency":  # the same ratio over a latency-style pool, to show what the pool does to it
                pool = sorted(set(scored["native"]) | set(subset))
                index = {a: i for i, a in enumerate(table["arch"])}
                rows = [index[a] for a in pool]
                pool_found, pool_true = front_ratio(found, everything[rows])
                pool_ratio = round(pool_found / pool_true, 4)
                pool_ratios.append(pool_ratio)
            sizes.append(len(front))
            evaluations.append(result.evaluations)
            print(json.dumps({"objectives": f"swap,{cost}", "seed": seed, "hypervolume_ratio": round(ratios[-1], 4),
                              "front_size": len(front), "evaluations": result.evaluations,
                              "reference": "pool" if cost == "latency" else "all 15625",
                              **({"pool": len(everything)} if cost == "latency" else {"ratio_over_pool": pool_ratio})}))
        print(json.dumps({"objectives": f"swap,{cost}", "summary": True,
                          "hypervolume_ratio_mean": round(float(np.mean(ratios)), 4),
                          "std": round(float(np.std(ratios)), 4), "front_size_mean": float(np.mean(sizes)),
                          **({"ratio_over_pool_mean": round(float(np.mean(pool_ratios)), 4)} if pool_ratios else {}),
                          "evaluations_mean": float(np.mean(evaluations))}))


if __name__ == "__main__":
    main()
