"""Is the trainer sound? Short training of NAS-Bench-201 architectures against the benchmark (issue #13).

Picks ``--n`` architectures spread evenly over the ranks of the table's CIFAR-10 test
accuracy (200 epochs, full CIFAR-10), trains each with one short budget on the shared
CIFAR-10 subset (its training images, 10 % held out for validation) and reports the
Spearman ρ between the accuracies reached (test images of the subset; validation too) and
the benchmark's. The table's accuracies only pick and score the sample: training never
reads them.

Usage::

    python benchmarks/bench_train_fidelity.py                              # 10 archs, quick recipe, 3 epochs
    python benchmarks/bench_train_fidelity.py --n 20 --epochs 10 --net C=16,N=5
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from scipy.stats import kendalltau, spearmanr

from evonas.cli import parse_net_args
from evonas.data import load_labelled
from evonas.encodings import get_space
from evonas.train import build_seeded, get_recipe, train

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def spread(table: pd.DataFrame, n: int) -> pd.DataFrame:
    """``n`` rows at evenly spaced ranks of the test accuracy, best and worst included."""
    ranked = table.sort_values("cifar10_test_acc", ascending=False).reset_index(drop=True)
    return ranked.iloc[np.linspace(0, len(ranked) - 1, n).round().astype(int)]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=10)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--recipe", default="quick")
    p.add_argument("--net", default=None, help="network arguments (default: the recipe's nb201 network)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out", type=Path, default=None, help="write the per-architecture table here (CSV)")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    space = get_space("nb201")
    recipe = get_recipe(args.recipe).override(epochs=args.epochs)
    net_args = parse_net_args(args.net) or recipe.net_args("nb201")
    train_data, test_data = (load_labelled(SHARED / "cifar10_subset.npz", split=s) for s in ("train", "test"))
    sample = spread(pd.read_csv(SHARED / "nb201_cifar10.csv"), args.n)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus, torch {torch.__version__}, {args.threads} thread(s)")
    print(f"{args.n} NB201 archs, recipe {args.recipe} for {args.epochs} epochs, net {net_args}, seed {args.seed}, "
          f"{len(train_data)} training images ({recipe.valid_fraction:.0%} held out), {len(test_data)} test images")
    rows, started = [], time.perf_counter()
    for _, row in sample.iterrows():
        net = build_seeded(space, row["arch"], seed=args.seed, **net_args)
        final = train(net, train_data, recipe, seed=args.seed, test_data=test_data).final
        rows.append({"index": row["index"], "arch": row["arch"], "bench_test_acc": row["cifar10_test_acc"],
                     "valid_acc": final["valid_acc"], "test_acc": final["test_acc"]})
        print(f"  bench {row['cifar10_test_acc']:6.2f} %  ->  valid {final['valid_acc']:5.1f} %  test {final['test_acc']:5.1f} %"
              f"  {row['arch']}")
    frame = pd.DataFrame(rows)
    if args.out:
        frame.to_csv(args.out, index=False)
    for column in ("test_acc", "valid_acc"):
        rho, tau = spearmanr(frame[column], frame["bench_test_acc"])[0], kendalltau(frame[column], frame["bench_test_acc"])[0]
        print(f"{column} vs benchmark test accuracy: Spearman rho {rho:.3f}, Kendall tau {tau:.3f} (n = {len(frame)})")
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
