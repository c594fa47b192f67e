"""Score every NAS-Bench-201 architecture once with a proxy at the search's default settings.

Writes ``benchmarks/data/nb201_<proxy>.csv.gz``: one row per architecture (the benchmark's
``index`` and ``arch``, the raw proxy score and the scoring network's parameter count) under
a ``#`` header that records the settings and the command. No accuracy is read: the file
joins the shared ground-truth table by ``index`` for reporting. From it,
``bench_search_nb201.py --lookup`` runs multi-seed search studies in seconds, and any size
regularisation can be applied afterwards (``score * exp(-(params - mu)^2 / sigma)``).

Usage (about 40 minutes on 2 cores for ``swap``)::

    python benchmarks/score_nb201.py --workers 2
"""

from __future__ import annotations

import argparse
import csv
import gzip
import os
import platform
import sys
import time
from pathlib import Path

import torch

import evonas
from evonas.cache import evaluate_safely
from evonas.data import load_images
from evonas.evaluators import ArchitectureScorer
from evonas.parallel import make_map

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1] / "shared" / "data"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--proxy", default="swap")
    p.add_argument("--samples", type=int, default=16)
    p.add_argument("--repeats", type=int, default=4, help="re-initialisations (the search default)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--table", type=Path, default=SHARED / "nb201_cifar10.csv", help="where the arch strings come from")
    p.add_argument("--out", type=Path, default=None)
    args = p.parse_args()
    torch.set_num_threads(1)
    out = args.out or HERE / "data" / f"nb201_{args.proxy}.csv.gz"
    out.parent.mkdir(parents=True, exist_ok=True)

    import pandas as pd

    table = pd.read_csv(args.table, usecols=["index", "arch"])
    space = evonas.get_space("nb201")
    scorer = ArchitectureScorer(space="nb201", proxy=args.proxy, batch=load_images(None, samples=args.samples),
                                net_args=space.scoring_net_args, repeats=args.repeats, seed=args.seed)
    t0 = time.perf_counter()
    with make_map(args.workers, None, scorer) as map_fn:
        from functools import partial

        results = list(map_fn(partial(evaluate_safely, scorer), table["arch"].tolist()))
    seconds = time.perf_counter() - t0
    with gzip.open(out, "wt", newline="") as f:
        f.write(f"# {args.proxy} of all {len(table)} NAS-Bench-201 architectures, raw (no size factor)\n")
        f.write(f"# settings: network {space.scoring_net_args}, packaged CIFAR-10 batch, samples {args.samples}, "
                f"repeats {args.repeats}, seed {args.seed}, evonas {evonas.__version__}, torch {torch.__version__}\n")
        f.write(f"# command: python benchmarks/score_nb201.py --proxy {args.proxy} --samples {args.samples} "
                f"--repeats {args.repeats} --seed {args.seed} --workers {args.workers}\n")
        f.write(f"# machine: {platform.machine()}, {os.cpu_count()} cpus; {seconds:.0f} s in all\n")
        writer = csv.writer(f)
        writer.writerow(["index", "arch", "score", "params", "error"])
        for (index, arch), r in zip(table.itertuples(index=False), results):
            writer.writerow([index, arch, "" if r.score is None else repr(r.score), r.params or "", r.error or ""])
    print(f"{out}: {len(table)} architectures in {seconds:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
