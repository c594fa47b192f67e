"""Which network should score DARTS architectures? SWAP's ρ on the shared table, and the cost, per candidate.

The SWAP study scores a DARTS genotype with one stem-less cell, C = 3 (a reduction cell,
so the normal cell plays no part). A search over genomes whose two cells differ needs a
network in which both count. For each candidate network (``--nets``, as ``--net`` takes
them) this scores the shared table's architectures with SWAP (``--repeats``
re-initialisations, the packaged batch) and prints Spearman ρ with the trained accuracy
and the median milliseconds per architecture (timings interleaved across candidates, one
torch thread). Usage::

    python benchmarks/darts_scoring_net.py                 # all 1000 archs, 4 repeats
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from pathlib import Path

import pandas as pd
import torch

import evonas
from evonas.cli import parse_net_args
from evonas.correlation import rank_agreement
from evonas.data import load_images
from evonas.evaluators import ArchitectureScorer

TABLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "darts_cifar10_1000.csv"
NETS = ["C=3,layers=1,stem=false", "C=3,layers=3,stem=false", "C=3,layers=5,stem=false", "C=3,stem=false,pair=true"]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--nets", nargs="+", default=NETS)
    p.add_argument("--limit", type=int, default=1000)
    p.add_argument("--repeats", type=int, default=4)
    p.add_argument("--table", type=Path, default=TABLE)
    args = p.parse_args()
    torch.set_num_threads(1)
    table = pd.read_csv(args.table).head(args.limit)
    batch = load_images(None, samples=16)
    scorers = [ArchitectureScorer(space="darts", proxy="swap", batch=batch, net_args=parse_net_args(net),
                                  repeats=args.repeats) for net in args.nets]
    scores = [[] for _ in scorers]
    times = [[] for _ in scorers]
    for arch in table["genotype"]:
        for k, scorer in enumerate(scorers):
            t0 = time.perf_counter()
            scores[k].append(scorer(arch)[0])
            times[k].append(time.perf_counter() - t0)
    print(f"{len(table)} DARTS archs of {args.table.name}, SWAP, {args.repeats} repeats, S = 16; "
          f"{platform.machine()}, {os.cpu_count()} cpus, torch {torch.__version__}, 1 thread")
    space = evonas.get_space("darts")
    first = table["genotype"].iloc[0]
    for net, s, t in zip(args.nets, scores, times):
        rho, tau, top = rank_agreement(s, table["valid_acc"])
        params = space.count_params(first, **parse_net_args(net))
        print(f"  --net {net:<28} rho {rho:.4f}  tau {tau:.4f}  top-10% {top:.2f}  "
              f"{1e3 * statistics.median(t):6.1f} ms/arch  ({params:,} params for the first arch)")


if __name__ == "__main__":
    main()
