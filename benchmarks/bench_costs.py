"""Cost measures on this machine: latency repeatability, latency against FLOPs and params, time per measurement.

Times the NAS-Bench-201 network to deploy (C = 16, N = 5, one 3 x 32 x 32 image per pass
unless ``--batch``) for the same ``--archs`` random architectures in two full passes, one
after the other, by the library's protocol (:class:`evonas.costs.Latency`: warm-up, median
of timed runs, fixed threads), and prints one JSON line per figure:

- repeatability: Spearman (and Pearson) between the two passes, and the median relative
  difference per architecture;
- Spearman of latency (mean of the passes) with FLOPs and with params;
- ms per measurement of each cost: params and flops cold (the first call in the process),
  over the first pass (which still probes per-edge costs it has not met) and steady (a
  second pass: per-edge sums only); latency per architecture and pass.

Usage::

    python benchmarks/bench_costs.py --archs 50 --batch 1 --threads 1 --runs 10 --warmup 3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import time
from pathlib import Path

import numpy as np
from scipy.stats import pearsonr, spearmanr

import evonas
from evonas.costs import make_cost

HERE = Path(__file__).resolve().parent


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--archs", type=int, default=50)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()

    space = evonas.get_space("nb201")
    rng = np.random.default_rng(args.seed)
    genomes = [space.sample(rng) for _ in range(args.archs)]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE).stdout.strip()
    print(json.dumps({"machine": f"{platform.machine()}, {os.cpu_count()} cpus", "commit": commit,
                      "device": "cpu", "archs": args.archs, "batch": args.batch, "threads": args.threads,
                      "runs": args.runs, "warmup": args.warmup, "network": "nb201 C=16 N=5, 3x32x32"}))

    values, per_ms = {}, {}
    for name in ("params", "flops"):
        cost = make_cost(name, space)
        t0 = time.perf_counter()
        first = cost.measure(genomes[0])
        cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        values[name] = np.array([first] + [cost.measure(g) for g in genomes[1:]])
        first_pass = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = np.array([cost.measure(g) for g in genomes])
        assert (again == values[name]).all()
        per_ms[name] = {"cold_first_ms": round(1e3 * cold, 2),
                        "first_pass_ms": round(1e3 * first_pass / (len(genomes) - 1), 4),
                        "steady_ms": round(1e3 * (time.perf_counter() - t0) / len(genomes), 4)}
    latency = make_cost("latency", space, {"batch": args.batch, "threads": args.threads, "runs": args.runs,
                                           "warmup": args.warmup})
    passes = []
    for _ in range(2):
        t0 = time.perf_counter()
        passes.append(np.array([latency.time(g) for g in genomes]))
        per_ms.setdefault("latency", []).append(round(1e3 * (time.perf_counter() - t0) / len(genomes), 2))
    a, b = passes
    print(json.dumps({"figure": "repeatability", "spearman": round(float(spearmanr(a, b)[0]), 4),
                      "pearson": round(float(pearsonr(a, b)[0]), 4),
                      "median_rel_diff": round(float(np.median(np.abs(a - b) / ((a + b) / 2))), 4),
                      "latency_ms_range": [round(float(min(a.min(), b.min())), 3), round(float(max(a.max(), b.max())), 3)]}))
    mean = (a + b) / 2
    print(json.dumps({"figure": "latency vs counts",
                      "spearman_latency_flops": round(float(spearmanr(mean, values["flops"])[0]), 4),
                      "spearman_latency_params": round(float(spearmanr(mean, values["params"])[0]), 4),
                      "spearman_flops_params": round(float(spearmanr(values["flops"], values["params"])[0]), 4)}))
    print(json.dumps({"figure": "ms per measurement", "params": per_ms["params"], "flops": per_ms["flops"],
                      "latency_ms_per_arch_per_pass": per_ms["latency"]}))


if __name__ == "__main__":
    main()
