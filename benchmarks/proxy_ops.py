"""What does a proxy reward? Rank correlation of each operation's count with the proxy and with accuracy.

A proxy that follows an operation which accuracy does not (or ignores one accuracy follows)
ranks badly on a space rich in that operation, however correct its code. For ``--n`` archs of
a ground-truth table (seeded sample) scored on the space's scoring network, prints Spearman ρ
of the proxy with accuracy, then per operation: ρ(count, proxy) and ρ(count, accuracy)::

    python benchmarks/proxy_ops.py --space darts --proxy jacov
    python benchmarks/proxy_ops.py --space nb201 --proxy jacov --table ../shared/data/nb201_cifar10.csv
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import numpy as np
import torch
from scipy.stats import spearmanr

from evonas import get_proxy, get_space, load_images
from evonas.correlation import read_table, select_rows
from evonas.evaluators import ArchitectureScorer

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--space", default="darts")
    p.add_argument("--proxy", default="jacov")
    p.add_argument("--table", type=Path, default=DATA / "darts_cifar10_1000.csv")
    p.add_argument("--n", type=int, default=150)
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    torch.set_num_threads(1)

    space = get_space(args.space)
    rows = select_rows(read_table(args.table), args.n, args.seed)
    scorer = ArchitectureScorer(space=args.space, proxy=args.proxy, batch=load_images(None, samples=16),
                                net_args=space.scoring_net_args, repeats=args.repeats, seed=args.seed)
    direction = get_proxy(args.proxy).direction  # so that higher is better for every proxy
    scores = np.array([direction * scorer(arch)[0] for arch in rows["arch"]])
    acc = rows["acc"].to_numpy()
    ok = np.isfinite(scores)
    print(f"{args.proxy} on {args.n} {args.space} archs (seed {args.seed}, {args.repeats} repeat(s)): "
          f"rho(proxy, accuracy) = {spearmanr(scores[ok], acc[ok])[0]:+.3f}; {int((~ok).sum())} non-finite left out")
    print(f"{'operation':16s} {'rho(count, proxy)':>18s} {'rho(count, acc)':>16s}")
    for op in sorted(set(space.rules.ops.values()) | {"none"}):
        counts = np.array([len(re.findall(rf"\b{op}\b", arch)) for arch in rows["arch"]])
        if counts.min() == counts.max():
            continue
        print(f"{op:16s} {spearmanr(counts[ok], scores[ok])[0]:+18.3f} {spearmanr(counts[ok], acc[ok])[0]:+16.3f}")


if __name__ == "__main__":
    main()
