"""Model-size control (SWAP paper, Fig. 5): sweep the target size and watch the size of the found model.

DARTS space, the pair scoring network (both cells side by side, stem-less, C = 3; sizes
about 0.7-5 K parameters; the search default before issue #20, so passed explicitly). For
each target (``--target-size``, thousands of parameters: mu = target, sigma = target^2) and seed, runs a short SWAP-NAS search with
regularised SWAP and records the parameter count of the best architecture. Prints the
table and writes ``size_control.png``. Usage::

    python benchmarks/bench_size_control.py [--targets 1 2 3 4] [--seeds 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

import pandas as pd
import torch

from evonas.plots import figure
from evonas.facade import SearchConfig, run_search


PAIR = {"C": 3, "stem": False, "pair": True}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--targets", type=float, nargs="+", default=[1.0, 2.0, 3.0, 4.0])
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--population", type=int, default=10)
    p.add_argument("--cycles", type=int, default=20)
    p.add_argument("--repeats", type=int, default=4)
    p.add_argument("--out", type=Path, default=Path("size_control.png"))
    args = p.parse_args()
    torch.set_num_threads(1)  # as the CLI does: the scoring networks are tiny
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cpus, torch {torch.__version__}")
    rows = []
    for target in args.targets:
        for seed in range(args.seeds):
            config = SearchConfig(space="darts", population=args.population, cycles=args.cycles, repeats=args.repeats,
                                  target_size=target, seed=seed, net=PAIR)
            with tempfile.TemporaryDirectory() as tmp:
                t0 = time.perf_counter()
                best = run_search(config, Path(tmp) / "run", progress=False).best
            rows.append({"target (K)": target, "seed": seed, "found params": best["params"],
                         "seconds": round(time.perf_counter() - t0, 1)})
            print(rows[-1], flush=True)
    df = pd.DataFrame(rows)
    summary = df.groupby("target (K)")["found params"].agg(["mean", "std", "min", "max"]).round(0)
    print(summary.to_string())
    with figure(args.out, (5, 4)) as ax:
        ax.scatter(df["target (K)"], df["found params"] / 1e3, alpha=0.6, label="found (each seed)")
        ax.plot(args.targets, args.targets, "k--", lw=1, label="size = target")
        ax.set(xlabel="--target-size (thousands of parameters)", ylabel="found model (thousands of parameters)",
               title="SWAP-NAS model-size control, DARTS scoring network")
        ax.legend()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
