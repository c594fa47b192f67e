"""SWAP-NAS on NAS-Bench-201 vs random search with the same number of evaluations.

For each seed: run ``evonas search`` (the README's default settings unless overridden), then
score as many random architectures with the same proxy and keep the best by proxy. Prints
the true CIFAR-10 test accuracy and rank (of 15,625) of both, mean ± std over seeds, and
the wall time. Usage::

    python benchmarks/bench_search_nb201.py --seeds 5 [--cycles 30 --population 10]
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

import evonas
from evonas.data import load_images
from evonas.evaluation import ArchitectureScorer
from evonas.fitness import size_options
from evonas.search import SearchConfig, run_search

TABLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "nb201_cifar10.csv"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--population", type=int, default=10)
    p.add_argument("--cycles", type=int, default=30)
    p.add_argument("--mutations", type=int, default=5)
    p.add_argument("--repeats", type=int, default=4)
    p.add_argument("--proxy", default="reg-swap", help="reg-swap (calibrated mu, sigma) or swap")
    p.add_argument("--table", type=Path, default=TABLE)
    args = p.parse_args()
    torch.set_num_threads(1)  # as the CLI does: the scoring networks are tiny
    table = pd.read_csv(args.table)
    acc = dict(zip(table["arch"], table["cifar10_test_acc"]))
    ranks = dict(zip(table["arch"], table["cifar10_test_acc"].rank(ascending=False, method="min").astype(int)))
    space = evonas.get_space("nb201")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cpus, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads")
    batch = load_images(None, samples=16)
    rows = []
    for seed in range(args.seeds):
        config = SearchConfig(space="nb201", population=args.population, cycles=args.cycles, mutations=args.mutations,
                              repeats=args.repeats, seed=seed, proxy=args.proxy)
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            result = run_search(config, Path(tmp) / "run", progress=False)
            seconds = time.perf_counter() - t0
        found = result.best["native"]
        evals = result.best["evaluations"]
        # random search: the same number of architectures, the same proxy, best by proxy
        rng = np.random.default_rng(10_000 + seed)
        options = size_options(args.proxy, space, net_args=space.scoring_net_args, seed=seed, mu=config.mu, sigma=config.sigma)
        scorer = ArchitectureScorer(space="nb201", proxy=args.proxy, batch=batch,
                                    proxy_options=options,
                                    net_args=space.scoring_net_args, repeats=args.repeats, seed=seed)
        t0 = time.perf_counter()
        candidates = [space.sample(rng) for _ in range(evals)]
        best_random = max(candidates, key=lambda g: scorer(g)[0])
        random_seconds = time.perf_counter() - t0
        native = space.to_native(best_random)
        rows.append({"seed": seed, "evals": evals, "swapnas_acc": acc[found], "swapnas_rank": ranks[found],
                     "swapnas_s": round(seconds, 1), "random_acc": acc[native], "random_rank": ranks[native],
                     "random_s": round(random_seconds, 1)})
        print(rows[-1], flush=True)
    df = pd.DataFrame(rows)
    print(df.to_string(index=False))
    for who in ("swapnas", "random"):
        print(f"{who}: true acc {df[f'{who}_acc'].mean():.2f} ± {df[f'{who}_acc'].std():.2f} %, "
              f"rank median {df[f'{who}_rank'].median():.0f} of {len(table)}, "
              f"median wall {df[f'{who}_s'].median():.1f} s")


if __name__ == "__main__":
    main()
