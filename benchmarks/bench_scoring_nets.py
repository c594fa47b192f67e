"""Which scoring network should a space's proxies run on? SWAP and reg-swap ρ per candidate network, per table.

For every ground-truth table chosen (``--tables``) and every candidate network of its space
(``--nets``, as ``--net`` takes them; by default the candidates below), each architecture is
built from its table text (parsed by the space's ``from_native``/``parse``, never evaluated)
and scored with SWAP (``--repeats`` seeded re-initialisations, the packaged batch of 16
CIFAR-10 images, one torch thread; timings interleaved across candidates, so load from other
jobs falls on all of them alike). reg-swap is the same score times the size factor with μ
and σ from ``evonas.calibrate`` on that network (sizes only, no accuracy), so it costs what
SWAP costs plus a parameter count. ``params`` ranks by the scoring network's size, and the
table's own size column (the benchmark network's parameters) is printed as a baseline.
Usage::

    python benchmarks/bench_scoring_nets.py --tables nb301 darts1000 --rows darts1000=200 --repeats 2
    python benchmarks/bench_scoring_nets.py --tables nb101 --repeats 2
    python benchmarks/bench_scoring_nets.py --tables nb301 --nets C=4,layers=5,stem=true --repeats 1 2 4

Several ``--repeats`` score every table once per count (a ``repeats`` column tells them apart).
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import torch

import evonas
from evonas.cli import parse_net_args
from evonas.correlation import rank_agreement, select_rows
from evonas.data import load_images
from evonas.evaluators.proxy import ArchitectureScorer

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DARTS_NETS = [
    "C=3,layers=1,stem=false",  # the SWAP study's one reduction cell
    "C=3,stem=false,pair=true",  # the pair default chosen on the 1000-arch table
    "C=8,stem=true,pair=true",
    "C=4,layers=3,stem=true",
    "C=4,layers=5,stem=true",
    "C=8,layers=5,stem=true",
    "C=8,layers=5,stem=false",
    "C=16,layers=5,stem=true",
    "C=8,layers=8,stem=true",
]
NB101_NETS = [
    "C=16,cells=1",  # the default chosen for cost
    "C=8,cells=1",
    "C=32,cells=1",
    "C=16,cells=2",
    "C=16,cells=3",
    "C=32,cells=2",
    "C=64,cells=1",
    "C=16,cells=1,stacks=1",
    "C=16,cells=1,stacks=2",
]


@dataclass(frozen=True)
class Table:
    """A ground-truth table: its space, file, columns and candidate networks."""

    space: str
    file: str
    arch: str
    acc: str
    size: str  # the benchmark network's parameter count, a baseline
    nets: tuple[str, ...]


TABLES = {
    "nb301": Table("darts", "nb301_cifar10_300.csv", "genotype", "valid_acc", "nb301_params", tuple(DARTS_NETS)),
    "darts1000": Table("darts", "darts_cifar10_1000.csv", "genotype", "valid_acc", "ref_params", tuple(DARTS_NETS)),
    "nb101": Table("nb101", "nb101_cifar10_200.csv", "arch", "val_acc", "params_m", tuple(NB101_NETS)),
}


def measure(name: str, table: Table, nets: list[str], rows: int | None, repeats: int, seed: int) -> pd.DataFrame:
    """Score the table's rows on every net; one result row per (net, proxy), plus the table's size baseline."""
    frame = select_rows(pd.read_csv(DATA / table.file, dtype={table.arch: str}), rows, seed)
    batch = load_images(None, samples=16)
    space = evonas.get_space(table.space)
    scorers = [ArchitectureScorer(space=table.space, proxy="swap", batch=batch, net_args=parse_net_args(net),
                                  repeats=repeats, seed=seed) for net in nets]
    swap, size, secs = ([[] for _ in nets] for _ in range(3))
    for i, arch in enumerate(frame[table.arch]):
        for k, scorer in enumerate(scorers):
            t0 = time.perf_counter()
            s, p = scorer(arch)[:2]
            secs[k].append(time.perf_counter() - t0)
            swap[k].append(s)
            size[k].append(p)
        if (i + 1) % 50 == 0:
            print(f"  {name}: {i + 1}/{len(frame)} archs", flush=True)
    acc = frame[table.acc].astype(float)
    out = [dict(table=name, n=len(frame), repeats=repeats, net=f"(benchmark network: {table.size})", proxy="params",
                **_agree(frame[table.size].astype(float), acc), ms=float("nan"))]
    for k, net in enumerate(nets):
        mu, sigma = evonas.calibrate(space, net_args=parse_net_args(net), seed=seed)
        reg = evonas.get_proxy("reg-swap", mu=mu, sigma=sigma)
        regs = [s * reg.size_factor(p) for s, p in zip(swap[k], size[k])]
        ms = 1e3 * statistics.median(secs[k])
        for proxy, values in (("swap", swap[k]), (f"reg-swap (mu={mu:.1f}K)", regs), ("params", size[k])):
            out.append(dict(table=name, n=len(frame), repeats=repeats, net=net, proxy=proxy, **_agree(values, acc), ms=ms))
    return pd.DataFrame(out)


def _agree(scores, acc) -> dict[str, float]:
    rho, tau, top = rank_agreement(scores, acc)
    return {"rho": rho, "tau": tau, "top10": top}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tables", nargs="+", choices=sorted(TABLES), default=sorted(TABLES))
    p.add_argument("--nets", nargs="+", default=None, help="candidate networks (default: the table's list)")
    p.add_argument("--rows", nargs="*", default=[], metavar="TABLE=N", help="score a seeded sample of N rows of TABLE")
    p.add_argument("--repeats", type=int, nargs="+", default=[4], help="re-initialisations per score (several: each)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--csv", type=Path, default=None, help="also write the result rows here")
    args = p.parse_args()
    rows = {k: int(v) for k, v in (item.split("=") for item in args.rows)}
    torch.set_num_threads(1)
    print(f"SWAP, {'/'.join(map(str, args.repeats))} repeats, S = 16 packaged CIFAR-10 images, seed {args.seed}; {platform.machine()}, "
          f"{os.cpu_count()} cpus, torch {torch.__version__}, 1 thread; ms/arch = median build + score of one arch")
    results = []
    for name, repeats in itertools.product(args.tables, args.repeats):
        table = TABLES[name]
        result = measure(name, table, list(args.nets or table.nets), rows.get(name), repeats, args.seed)
        results.append(result)
        print(result.to_string(index=False, float_format=lambda x: f"{x:.3f}"), flush=True)
        if args.csv:
            pd.concat(results).to_csv(args.csv, index=False)


if __name__ == "__main__":
    main()
