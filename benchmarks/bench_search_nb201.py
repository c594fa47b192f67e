"""Search quality on NAS-Bench-201: SWAP-NAS against REA and random search at equal evaluations.

For each budget (distinct architectures scored) and seed, every method returns one
architecture; the table reports the mean ± std of its true CIFAR-10 *test* accuracy, its
median rank among all 15,625, and per seed whether SWAP-NAS beat each baseline (paired).
No search reads an accuracy: the fitness is training-free; the test column is for reporting.

Methods:
    swap-nas         SWAP-NAS (the library's default strategy and fitness)
    rea              regularised evolution, same fitness, same toolbox parts
    random           random search, best by the same fitness
    random-params    random search, best by parameter count (a free proxy, a strong baseline here)
    swap-nas-params  SWAP-NAS with the parameter count as fitness: what size alone reaches
    swap-nas A+B     SWAP-NAS with the rank ensemble of proxies A and B (``--ensembles A+B ...``,
                     lookup mode only; see below)

Two modes:
    --lookup (default)  fitness read from ``benchmarks/data/nb201_swap.csv.gz`` (every
                        architecture scored once at the default settings, seed 0; see
                        ``score_nb201.py``): exactly the search code, seconds per run. The
                        size factor is applied per seed as the search calibrates it.
                        Rank ensembles read their members' scores from the scores kept by
                        ``bench_ensemble.py`` (``--members``: NB201 at C = 16, N = 5, 1
                        re-initialisation, seed 0) and score the architectures missing there
                        on demand, with the same settings; their reference sample is
                        ``bench_ensemble.py``'s (64 architectures, fixed seed), so the
                        fitness is exactly the ensemble proxy at 1 repeat.
    --live              every architecture scored for real (``evonas.facade.run_search``),
                        re-initialisation seed = search seed; wall time per search reported.

Usage::

    python benchmarks/bench_search_nb201.py                       # lookup, 10 seeds, budgets 100 300 1000
    python benchmarks/bench_search_nb201.py --live --budgets 300 --seeds 10 --methods swap-nas
    python benchmarks/bench_search_nb201.py --budgets 100 --methods swap-nas --ensembles swap+synflow+params
    python benchmarks/bench_search_nb201.py --budgets 100 --methods swap-nas rea --window 8
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
from deap import tools

import evonas
from evonas.errors import ProxyError
from evonas.fitness import size_options
from evonas.operators import MaxFitness
from evonas.strategy import SearchRun, StopRule, get_strategy, make_toolbox

from bench_ensemble import MemberScores, candidates, reference  # noqa: E402  (the script's own folder)

HERE = Path(__file__).resolve().parent
TABLE = HERE.parents[1] / "shared" / "data" / "nb201_cifar10.csv"
SCORES = HERE / "data" / "nb201_swap.csv.gz"
METHODS = {  # name -> (strategy, fitness)
    "swap-nas": ("swap-nas", "reg-swap"),
    "rea": ("rea", "reg-swap"),
    "random": ("random", "reg-swap"),
    "random-params": ("random", "params"),
    "swap-nas-params": ("swap-nas", "params"),
}


class Lookup:
    """``genome -> (score, params)`` from the file of scores: the search's fitness without the networks."""

    def __init__(self, scores: pd.DataFrame, fitness: str, mu: float | None, sigma: float | None) -> None:
        self.swap = dict(zip(scores["arch"], scores["score"]))
        self.params = dict(zip(scores["arch"], scores["params"]))
        self.fitness, self.mu, self.sigma = fitness, mu, sigma
        self.space = evonas.get_space("nb201")

    def __call__(self, genome):  # type: ignore[no-untyped-def]
        arch = self.space.to_native(genome)
        if not np.isfinite(self.swap[arch]):
            raise ProxyError(f"failed when the file was made: {arch}")
        params = int(self.params[arch])
        if self.fitness == "params":
            return float(params), params
        factor = 1.0 if self.mu is None else float(np.exp(-((params / 1e3 - self.mu) ** 2) / self.sigma))
        return float(self.swap[arch]) * factor, params


class EnsembleLookup:
    """``genome -> (score, params)`` for a rank ensemble, from (and adding to) the member scores of ``bench_ensemble.py``."""

    def __init__(self, name: str, store: MemberScores, reference: dict, combine: str = "log-rank") -> None:
        self.uses, self.value = candidates(reference, [name])[f"{name} ({combine})"]
        self.store = store
        self.space = evonas.get_space("nb201")

    def __call__(self, genome):  # type: ignore[no-untyped-def]
        values = self.store.get(self.space.to_native(genome), [m for m in self.uses if m != "build"])
        raw = {m: v for m, (v, _) in values.items()}
        if not all(np.isfinite(raw[m]) for m in self.uses):
            raise ProxyError(f"a member failed: {raw}")
        return self.value(raw), int(raw["build"])


def lookup_search(method: str, scores: pd.DataFrame, seed: int, budget: int, population: int,
                  members: tuple[MemberScores, dict] | None = None, window: int = 1) -> str:
    """The architecture one method returns, its fitness read from the file (or, for an ensemble, the kept member scores)."""
    strategy_name, fitness = METHODS.get(method) or ("swap-nas", method.split(" ", 1)[1])
    space = evonas.get_space("nb201")
    if "+" in fitness:
        assert members is not None
        evaluate = EnsembleLookup(fitness, *members)
    else:
        options = size_options(fitness, space, net_args=space.scoring_net_args, seed=0)  # calibration: a property of the space
        evaluate = Lookup(scores, fitness, options.get("mu"), options.get("sigma"))
    rng = np.random.default_rng(seed)
    strategy = get_strategy(strategy_name)
    toolbox = make_toolbox(space, evaluate, rng, MaxFitness, remove=strategy.remove)
    hof = tools.HallOfFame(10)  # as the search keeps (DEAP breaks ties by the hall of fame's size)
    kwargs = {"rng": rng} if "rng" in strategy.options else {}
    if "window" in strategy.options:
        kwargs["window"] = window
    strategy.search(toolbox.population(n=population), toolbox, SearchRun(toolbox, StopRule(None, budget), halloffame=hof), **kwargs)
    return space.to_native(hof[0].genome)


def live_search(method: str, seed: int, budget: int, population: int, workers: int,
                window: int = 1) -> tuple[str, float]:
    """The architecture one method returns with every architecture scored for real, and the wall time."""
    from evonas.facade import SearchConfig, run_search

    strategy, fitness = METHODS[method]
    config = SearchConfig(space="nb201", strategy=strategy, proxy=fitness, population=population,
                          evaluations=budget, seed=seed, workers=workers, window=window)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        result = run_search(config, Path(tmp) / "run", progress=False)
        return result.best["native"], time.perf_counter() - t0


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--live", action="store_true", help="score every architecture for real (slow)")
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--budgets", type=int, nargs="+", default=[100, 300, 1000])
    p.add_argument("--methods", nargs="+", default=list(METHODS)[:4], choices=list(METHODS))
    p.add_argument("--ensembles", nargs="*", default=[], help="rank ensembles to search with, e.g. swap+synflow+params")
    p.add_argument("--members", type=Path, default=Path("runs/bench_ensemble"),
                   help="bench_ensemble.py's --out: member scores and reference, read and added to")
    p.add_argument("--population", type=int, default=10)
    p.add_argument("--workers", type=int, default=1, help="live mode: scoring processes per search")
    p.add_argument("--window", type=int, default=1, help="cycles in flight of the steady-state strategies (1: synchronous)")
    p.add_argument("--table", type=Path, default=TABLE)
    p.add_argument("--scores", type=Path, default=SCORES)
    args = p.parse_args()
    torch.set_num_threads(1)
    table = pd.read_csv(args.table)
    acc = dict(zip(table["arch"], table["cifar10_test_acc"]))
    rank = dict(zip(table["arch"], table["cifar10_test_acc"].rank(ascending=False, method="min").astype(int)))
    mode = "live" if args.live else f"lookup ({args.scores.name})"
    print(f"mode: {mode}; machine: {platform.machine()}, {os.cpu_count()} cpus, torch {torch.__version__}; "
          f"population {args.population}, seeds 0..{args.seeds - 1}, window {args.window}")
    scores = None if args.live else pd.read_csv(args.scores, comment="#")
    members = None
    if args.ensembles:
        if args.live:
            p.error("--ensembles: lookup mode only")
        args.members.mkdir(parents=True, exist_ok=True)
        kept = tuple(args.members.glob("nb201_r1*.csv"))
        store = MemberScores(args.members / f"nb201_r1_search{os.getpid()}.csv", "nb201", 1, also=kept)
        members = (store, reference("nb201", 1, args.members / "nb201_reference_r1.json"))
    methods = [*args.methods, *(f"swap-nas {name}" for name in args.ensembles)]
    if scores is not None:
        ceiling(scores, acc, rank, args.seeds)
    rows = []
    for budget in args.budgets:
        for seed in range(args.seeds):
            for method in methods:
                if args.live:
                    arch, seconds = live_search(method, seed, budget, args.population, args.workers, args.window)
                else:
                    t0 = time.perf_counter()
                    arch = lookup_search(method, scores, seed, budget, args.population, members, args.window)
                    seconds = time.perf_counter() - t0
                rows.append({"budget": budget, "seed": seed, "method": method, "acc": acc[arch], "rank": rank[arch],
                             "seconds": seconds, "arch": arch})
            if args.live or args.ensembles:
                print(pd.DataFrame(rows[-len(methods):]).to_string(index=False, header=False), flush=True)
    report(pd.DataFrame(rows), methods)


def ceiling(scores: pd.DataFrame, acc: dict, rank: dict, seeds: int) -> None:
    """The proxy ceiling: the true accuracy of the best architecture of all 15,625 by the fitness itself."""
    space = evonas.get_space("nb201")
    found = []
    for seed in range(seeds):
        options = size_options("reg-swap", space, net_args=space.scoring_net_args, seed=0)
        reg = scores["score"] * np.exp(-((scores["params"] / 1e3 - options["mu"]) ** 2) / options["sigma"])
        found.append(scores["arch"].iloc[int(np.argmax(reg.to_numpy()))])
    by_swap = scores["arch"].iloc[int(scores["score"].to_numpy().argmax())]
    by_params = scores["arch"].iloc[int(scores["params"].to_numpy().argmax())]
    accs = [acc[a] for a in found]
    print(f"proxy ceiling (best of all 15,625 by the fitness): reg-swap {np.mean(accs):.2f} % "
          f"(rank {int(np.median([rank[a] for a in found]))}; per-seed calibration), "
          f"plain swap {acc[by_swap]:.2f} % (rank {rank[by_swap]}), params {acc[by_params]:.2f} % (rank {rank[by_params]})")
    options = size_options("reg-swap", space, net_args=space.scoring_net_args, seed=0)
    reg = scores["score"] * np.exp(-((scores["params"] / 1e3 - options["mu"]) ** 2) / options["sigma"])
    for name, values in (("reg-swap", reg), ("swap", scores["score"]), ("params", scores["params"])):
        top = scores["arch"].iloc[np.argsort(-values.to_numpy(), kind="stable")[:50]]
        print(f"  top-10 / top-50 of all by {name}: mean test accuracy {np.mean([acc[a] for a in top[:10]]):.2f} / "
              f"{np.mean([acc[a] for a in top]):.2f} %")


def report(df: pd.DataFrame, methods: list[str]) -> None:
    print()
    print(f"{'budget':>6} {'method':<32} {'test acc %':>14} {'median rank':>12} {'s/search':>9}  SWAP-NAS wins/ties/losses")
    for budget, part in df.groupby("budget"):
        ours = part[part["method"] == "swap-nas"].set_index("seed")["acc"]
        for method in methods:
            m = part[part["method"] == method]
            line = (f"{budget:>6} {method:<32} {m['acc'].mean():>7.2f} ± {m['acc'].std():<4.2f} "
                    f"{m['rank'].median():>12.0f} {m['seconds'].median():>9.2f}")
            if method != "swap-nas" and len(ours):
                theirs = m.set_index("seed")["acc"]
                diff = ours - theirs
                line += f"  {(diff > 0).sum()}/{(diff == 0).sum()}/{(diff < 0).sum()}"
            print(line)


if __name__ == "__main__":
    main()
