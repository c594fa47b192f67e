"""The proxy league table: every registered proxy's rank agreement with trained accuracy, on two spaces.

For each space and proxy, :func:`evonas.correlation.correlate` scores the architectures with an
:class:`~evonas.evaluation.ArchitectureScorer` and compares with accuracy. Settings (the
defaults; each can be changed by a flag):

* inputs: the first ``--samples`` 16 CIFAR-10 training images in file order with their labels
  (the SWAP study's batch, packaged with evonas);
* ``darts``: all 1000 archs of ``shared/data/darts_cifar10_1000.csv`` (validation accuracy),
  on the SWAP study's stem-less scoring network (C = 3, one cell);
* ``nb201``: a seeded sample (``--seed`` 0) of ``--nb201-limit`` 1000 of the 15,625 archs of
  ``shared/data/nb201_cifar10.csv`` (test accuracy after 200 epochs), on a reduced network
  C = 8, N = 1 (the benchmark's is C = 16, N = 5: about 10x the cost per arch);
* ``--repeats`` 1 re-initialisation (N(0, 1) weights as in the SWAP study; N(0, 1/fan-in) for
  proxies with ``fan_in_init``, i.e. grasp) per score, same
  seed for every arch; ``reg-swap`` gets μ, σ from :func:`evonas.fitness.calibrate`;
* one intra-op thread (two are several times slower on these tiny networks here).

Writes, under ``--out``: ``<space>/<proxy>/`` (the harness's ``scores.csv``, which makes an
interrupted run resume), ``<space>/<proxy>.times.csv`` (per-arch milliseconds; beside the folder,
which holds only correlate's files), ``league.csv`` (space ×
proxy: Spearman ρ, Kendall τ, top-10 % precision — of ``direction × score``, so higher is better
for every proxy, ``ntk`` included — median ms/arch, n scored, failed, of archs; failed archs
are left out) and
``league.png`` (heat map of ρ and τ, proxies × spaces, like the SWAP paper's Fig. 4); prints
the table. Spaces run one after the other; on two cores run one process per space and a
last one to gather both (it only reads the finished scores)::

    python benchmarks/league_table.py --spaces darts --out /work/runs/league &
    python benchmarks/league_table.py --spaces nb201 --out /work/runs/league &
    wait; python benchmarks/league_table.py --gather --out /work/runs/league
"""

from __future__ import annotations

import argparse
import csv
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from evonas import get_space
from evonas.correlation import SCORES_FILE, correlate, rank_agreement, read_table, select_rows
from evonas.data import load_images
from evonas.evaluators import ArchitectureScorer
from evonas.fitness import PROXIES, list_proxies, size_options
from evonas.plots import figure

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
TABLES = {"darts": DATA / "darts_cifar10_1000.csv", "nb201": DATA / "nb201_cifar10.csv"}
# the order proxies are run in: size baselines and the headline proxies first, the costly
# ones (several backward passes: grasp's double backward, ntk's per-sample gradients) last,
# so a time-boxed run finishes as many as it can; proxies not listed run after these
ORDER = ("params", "flops", "l2_norm", "nwot", "synflow", "swap", "zen", "zico", "snip", "grad_norm", "jacov",
         "fisher", "epe_nas", "plain", "reg-swap", "activation-patterns", "grasp", "ntk")


@dataclass
class TimedScorer:
    """An :class:`ArchitectureScorer` that appends each architecture's wall time (ms) to ``times.csv``."""

    scorer: ArchitectureScorer
    path: Path

    def __call__(self, arch: str) -> tuple[float, int]:
        t0 = time.perf_counter()
        try:
            return self.scorer(arch)
        finally:
            with open(self.path, "a", newline="") as f:
                csv.writer(f).writerow([arch, round(1e3 * (time.perf_counter() - t0), 3)])


def run_space(space_name: str, proxies: list[str], args: argparse.Namespace) -> list[dict[str, Any]]:
    space = get_space(space_name)
    # the networks the README's table was measured on: the SWAP study's one-cell DARTS network
    # (fixed here, so the table stays reproducible whatever the search's scoring network)
    net_args = {"C": 3, "layers": 1, "stem": False} if space_name == "darts" else {"C": args.nb201_C, "N": args.nb201_N}
    limit = args.darts_limit if space_name == "darts" else args.nb201_limit
    rows = select_rows(read_table(TABLES[space_name]), limit, args.seed)
    batch = load_images(None, samples=args.samples)
    results = []
    for name in proxies:
        options = {} if args.gather else size_options(name, space, net_args=net_args, seed=args.seed)
        out = args.out / space_name / name
        times_csv = out.with_name(f"{name}.times.csv")
        out.mkdir(parents=True, exist_ok=True)
        if not args.gather:
            scorer = ArchitectureScorer(space=space_name, proxy=name, batch=batch, proxy_options=options,
                                        net_args=net_args, repeats=args.repeats, seed=args.seed)
            correlate(rows, TimedScorer(scorer, times_csv), out, progress=args.progress)
        if not (out / SCORES_FILE).exists():
            continue
        # oriented by the proxy's direction, so higher ρ, τ and top-10 % are better for every proxy
        direction = PROXIES.get(name).direction
        scored = pd.read_csv(out / SCORES_FILE)
        scored = scored[scored["index"].isin(rows["index"])]
        ok = scored[scored["status"] == "ok"]
        rho, tau, top = rank_agreement(direction * ok["score"], ok["acc"]) if len(ok) > 1 else (float("nan"),) * 3
        times = pd.read_csv(times_csv, header=None, names=["arch", "ms"]) if times_csv.exists() else None
        median = statistics.median(times["ms"]) if times is not None and len(times) else float("nan")
        failed = len(scored) - len(ok)
        row = {"space": space_name, "proxy": name, "direction": direction, "spearman": rho, "kendall": tau,
               "top10_precision": top, "median_ms_per_arch": median, "n": len(ok), "failed": failed,
               "of": len(rows)}
        print(f"{space_name:6s} {name:20s} rho {rho:+.3f}  tau {tau:+.3f}  top10 {top:.3f}  {median:8.1f} ms  "
              f"n={len(ok)} failed={failed} of {len(rows)}", flush=True)
        results.append(row)
    return results


def heat_map(table: pd.DataFrame, path: Path) -> None:
    spearman = table.pivot(index="proxy", columns="space", values="spearman")
    kendall = table.pivot(index="proxy", columns="space", values="kendall")
    grid = pd.concat({"Spearman ρ": spearman, "Kendall τ": kendall}, axis=1)
    grid = grid.loc[spearman.mean(axis=1).sort_values(ascending=False).index]
    with figure(path, (1.4 * grid.shape[1] + 2.5, 0.38 * grid.shape[0] + 1.5), dpi=130) as ax:
        image = ax.imshow(grid.to_numpy(float), cmap="RdYlGn", vmin=-1, vmax=1, aspect="auto")
        ax.set_xticks(range(grid.shape[1]), [f"{space}\n{stat}" for stat, space in grid.columns])
        ax.set_yticks(range(grid.shape[0]), grid.index)
        for (i, j), value in np.ndenumerate(grid.to_numpy(float)):
            if np.isfinite(value):  # NaN (constant scores, or not run) stays blank
                ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=8)
        ax.figure.colorbar(image, ax=ax, fraction=0.05)
        ax.set_title("Proxy rank correlation with accuracy")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--spaces", default="darts,nb201", help="comma-separated: darts, nb201")
    p.add_argument("--proxies", default="*", help="comma-separated names or wildcards (default: all registered)")
    p.add_argument("--limit", type=int, default=None, help="archs per space (overrides both limits below)")
    p.add_argument("--darts-limit", type=int, default=None, help="DARTS archs (default: all 1000)")
    p.add_argument("--nb201-limit", type=int, default=1000, help="seeded NB201 sample size (default 1000)")
    p.add_argument("--nb201-C", type=int, default=8, help="NB201 scoring network channels (default 8)")
    p.add_argument("--nb201-N", type=int, default=1, help="NB201 cells per stage (default 1)")
    p.add_argument("--repeats", type=int, default=1, help="re-initialisations per score (default 1)")
    p.add_argument("--samples", type=int, default=16, help="images per batch (default 16)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out", type=Path, default=Path("/work/runs/league"))
    p.add_argument("--progress", action="store_true")
    p.add_argument("--gather", action="store_true",
                   help="score nothing: tabulate the scores already in --out (partial runs: n < of)")
    args = p.parse_args()
    if args.limit is not None:
        args.darts_limit = args.nb201_limit = args.limit
    torch.set_num_threads(args.threads)

    names = sorted({n for pattern in args.proxies.split(",") for n in list_proxies(pattern.strip())}
                   - {"ensemble"})  # rank ensembles need a reference sample: see bench_ensemble.py
    names.sort(key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))
    rows = [row for space in args.spaces.split(",") for row in run_space(space.strip(), names, args)]
    table = pd.DataFrame(rows)
    args.out.mkdir(parents=True, exist_ok=True)
    suffix = "" if args.spaces == "darts,nb201" and args.proxies == "*" else "_" + args.spaces.replace(",", "_")
    table.to_csv(args.out / f"league{suffix}.csv", index=False, float_format="%.4f")
    heat_map(table, args.out / f"league{suffix}.png")
    print()
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"\nwrote {args.out / f'league{suffix}.csv'} and .png")


if __name__ == "__main__":
    main()
