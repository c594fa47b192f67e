"""Rank ensembles against their members: Spearman, Kendall, top-10 % and ms/arch on four ground-truth tables.

Every architecture of a table is built once on its space's scoring network and scored by
each member proxy (swap, synflow, nwot, params) with ``--repeats`` re-initialisations
(default 1, to keep it minutes; seed 0) on the packaged 16-image CIFAR-10 batch;
``reg-swap`` is swap times its size factor (calibrated from sizes, fixed seed), which is
exactly what the proxy computes. Each ensemble is then
:class:`evonas.fitness.Ensemble` over those member scores, with the reference sample of
:func:`evonas.fitness.reference_options` (64 architectures of the space, fixed seed, same
network, batch and repeats) — the same numbers a search with that ensemble would compute.
ms/arch of an ensemble = build + the sum of its members' times (median over architectures).
Correlations are with the tables' *validation* accuracies; no choice here reads a test column.

Member scores are kept in ``--out`` (one CSV per table, appended as they come), so a
killed run continues and the table is printed again in seconds.

Usage (about 25 minutes of one core per line on the shared machine at ``--repeats 1``, most of it NB201's)::

    python benchmarks/bench_ensemble.py --tables darts nb301 &
    python benchmarks/bench_ensemble.py --tables nb101 nb201
    python benchmarks/bench_ensemble.py                      # print every table from the kept scores
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

import evonas
from evonas.correlation import rank_agreement, select_rows
from evonas.data import load_images
from evonas.errors import ProxyError
from evonas.fitness import Ensemble, get_proxy, reference_options, score
from evonas.fitness.ensemble import COMBINERS
from evonas.networks import count_parameters

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
#: name -> (space, file, architecture column, validation-accuracy column, rows: None = all, else a seeded sample)
TABLES = {
    "darts": ("darts", "darts_cifar10_1000.csv", "genotype", "valid_acc", None),
    "nb301": ("darts", "nb301_cifar10_300.csv", "genotype", "valid_acc", None),
    "nb101": ("nb101", "nb101_cifar10_200.csv", "arch", "val_acc", None),
    "nb201": ("nb201", "nb201_cifar10.csv", "arch", "cifar10_valid_acc", 1000),
}
SCORED = ["swap", "synflow", "nwot", "params"]  # members scored per architecture; reg-swap is derived from swap
SIZE_STUDY = ["swap+params", "swap+synflow+params", "reg-swap+synflow+params"]
SINGLE = ["params", "swap", "reg-swap", "synflow", "nwot"]
ENSEMBLES = ["swap+params", "swap+synflow", "swap+nwot", "swap+synflow+nwot", "reg-swap+synflow",
             "swap+synflow+params", "reg-swap+synflow+nwot", "swap+nwot+params", "reg-swap+nwot",
             "reg-swap+nwot+params", "reg-swap+synflow+params", "swap+synflow+nwot+params"]


class MemberScores:
    """Member scores of architectures, kept in a CSV (``arch, member, value, ms``), scored where missing.

    ``build`` is kept as a member too: its value is the scoring network's parameter count.
    Other processes' files (``also``) are read as well; new scores go to ``path`` only.
    """

    def __init__(self, path: Path, space_name: str, repeats: int, seed: int = 0, also: tuple[Path, ...] = ()) -> None:
        self.path, self.space = path, evonas.get_space(space_name)
        self.net_args = dict(self.space.scoring_net_args)
        self.batch = load_images(None, samples=16)
        self.repeats, self.seed = repeats, seed
        self.values: dict[tuple[str, str], tuple[float, float]] = {}
        for kept in {path, *also}:
            if kept.exists():
                for row in csv.DictReader(open(kept)):
                    self.values[row["arch"], row["member"]] = (float(row["value"]), float(row["ms"]))

    def get(self, arch: str, members: list[str] = SCORED) -> dict[str, tuple[float, float]]:
        """``member -> (value, ms)`` for ``arch`` (value NaN where the member failed), and ``build``."""
        wanted = [*members, "build"]
        missing = [m for m in members if (arch, m) not in self.values]
        if missing or (arch, "build") not in self.values:
            self._score(arch, missing)
        return {m: self.values[arch, m] for m in wanted}

    def _score(self, arch: str, members: list[str]) -> None:
        t0 = time.perf_counter()
        net = self.space.build(arch, **self.net_args)
        rows = [("build", float(count_parameters(net)), 1e3 * (time.perf_counter() - t0))]
        for m in members:
            t0 = time.perf_counter()
            try:
                value = score(get_proxy(m), net, self.batch, repeats=self.repeats, seed=self.seed)
            except ProxyError:
                value = float("nan")
            rows.append((m, value, 1e3 * (time.perf_counter() - t0)))
        new = not self.path.exists()
        with open(self.path, "a", newline="") as f:
            writer = csv.writer(f)
            if new:
                writer.writerow(["arch", "member", "value", "ms"])
            for m, value, ms in rows:
                if (arch, m) not in self.values:
                    writer.writerow([arch, m, repr(value), f"{ms:.3f}"])
                    self.values[arch, m] = (value, ms)


def reference(space_name: str, repeats: int, path: Path) -> dict:
    """``reference_options`` for every member at once (kept in ``path``): what each ensemble is built with."""
    if path.exists():
        return json.loads(path.read_text())
    space = evonas.get_space(space_name)
    t0 = time.perf_counter()
    options = reference_options("ensemble", space, net_args=dict(space.scoring_net_args),
                                batch=load_images(None, samples=16), repeats=repeats, members=[*SCORED, "reg-swap"])
    options["seconds"] = time.perf_counter() - t0
    path.write_text(json.dumps(options))
    return options


def candidates(options: dict, ensembles: list[str] = ENSEMBLES) -> dict[str, tuple[list[str], object]]:
    """name -> (what it reads, ``values -> score``) for every single proxy and ensemble (and combiner) compared."""
    opts = options["options"]
    out: dict[str, tuple[list[str], object]] = {}
    for name in SINGLE:
        if name == "reg-swap":
            factor = get_proxy("reg-swap", **opts["reg-swap"]).size_factor
            out[name] = (["swap", "build"], lambda v, f=factor: v["swap"] * f(int(v["build"])))
        else:
            out[name] = ([name], lambda v, n=name: v[n])
    for name in ensembles:
        for combine in COMBINERS.names():
            members = name.split("+")
            ens = Ensemble(members=members, reference=options["reference"], options=opts, combine=combine, name=name)

            def value(v: dict, ens: Ensemble = ens) -> float:
                raw = dict(v)
                if "reg-swap" in ens.members:
                    raw["reg-swap"] = v["swap"] * ens.members["reg-swap"].size_factor(int(v["build"]))
                return ens.combine(raw)

            uses = [m for m in members if m != "reg-swap"] + (["swap", "build"] if "reg-swap" in members else [])
            out[f"{name} ({combine})"] = (sorted(set(uses)), value)
    return out


def run_table(name: str, args: argparse.Namespace) -> list[dict]:
    space_name, file, arch_col, acc_col, limit = TABLES[name]
    table = pd.read_csv(SHARED / file, dtype={arch_col: str})
    table = pd.DataFrame({"index": np.arange(len(table)), "arch": table[arch_col], "acc": table[acc_col].astype(float)})
    rows = select_rows(table, limit, 0)
    args.out.mkdir(parents=True, exist_ok=True)
    options = reference(space_name, args.repeats, args.out / f"{space_name}_reference_r{args.repeats}.json")
    store = MemberScores(args.out / f"{name}_r{args.repeats}.csv", space_name, args.repeats)
    per_arch = [store.get(arch) for arch in rows["arch"]]
    acc = rows["acc"].to_numpy()
    results = []
    for cand, (uses, fn) in candidates(options).items():
        values = _values(fn, uses, per_arch)
        ok = np.isfinite(values)
        rho, tau, top = rank_agreement(values[ok], acc[ok])
        ms = np.median([v["build"][1] + sum(v[m][1] for m in uses if m != "build") for v in per_arch])
        results.append({"table": name, "proxy": cand, "rho": rho, "tau": tau, "top10": top, "ms": ms,
                        "n": int(ok.sum()), "of": len(rows)})
    print(f"\n{name}: {len(rows)} archs of {file}, {acc_col}; {space_name} scoring network "
          f"{dict(evonas.get_space(space_name).scoring_net_args)}; repeats {args.repeats}; reference of "
          f"{len(options['reference']['swap'])} archs ({options['seconds']:.0f} s for all 5 members)")
    print(f"{'proxy':<38} {'rho':>6} {'tau':>6} {'top10':>6} {'ms/arch':>8}  n")
    for r in results:
        print(f"{r['proxy']:<38} {r['rho']:6.3f} {r['tau']:6.3f} {r['top10']:6.2f} {r['ms']:8.0f}  "
              f"{r['n']}" + ("" if r["n"] == r["of"] else f"/{r['of']}"))
    # the first k of the 64 are what reference_options(n=k) draws (same generator, same fixed seed)
    print("reference size: rho with the first 16 / 32 / 64 reference archs (log-rank)")
    for name in SIZE_STUDY:
        rhos = []
        for k in (16, 32, 64):
            cut = {**options, "reference": {m: v[:k] for m, v in options["reference"].items()}}
            uses, fn = candidates(cut, [name])[f"{name} (log-rank)"]
            values = _values(fn, uses, per_arch)
            ok = np.isfinite(values)
            rhos.append(rank_agreement(values[ok], acc[ok])[0])
        print(f"  {name:<36} " + " / ".join(f"{r:.3f}" for r in rhos))
    return results


def _values(fn: object, uses: list[str], per_arch: list[dict]) -> np.ndarray:
    """A candidate's score of every architecture (NaN where a member it reads failed)."""
    return np.array([fn({m: v[m][0] for m in v}) if all(np.isfinite(v[m][0]) for m in uses) else np.nan  # type: ignore[operator]
                     for v in per_arch])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tables", nargs="+", default=list(TABLES), choices=list(TABLES))
    p.add_argument("--repeats", type=int, default=1, help="re-initialisations per member score (default 1)")
    p.add_argument("--out", type=Path, default=Path("runs/bench_ensemble"))
    args = p.parse_args()
    torch.set_num_threads(1)
    results = [r for name in args.tables for r in run_table(name, args)]
    pd.DataFrame(results).to_csv(args.out / f"results_{'_'.join(args.tables)}_r{args.repeats}.csv", index=False)


if __name__ == "__main__":
    main()
