"""PRE-NAS on NAS-Bench-201 CIFAR-10: query-based search against random search and REA at equal queries.

Every method queries the benchmark table for *validation* accuracy (``cifar10_valid_acc``)
and returns the architecture with the best validation accuracy among those it queried; the
table reports the mean ± std of that architecture's *test* accuracy (``cifar10_test_acc``,
never read by a search) over the seeds, per budget of queries. Each run is exactly the
library's strategy code over :class:`~evonas.evaluators.TableEvaluator`.

Methods:
    random        random search
    rea           regularised evolution (Real et al. 2019), query-based
    pre-nas       PRE-NAS with the one-hot op-adjacency predictor (random forest)
    pre-nas-swap  PRE-NAS whose predictor also sees SWAP and the parameter count (training-free,
                  read from ``benchmarks/data/nb201_swap.csv.gz``: every NB201 architecture
                  scored once, see ``score_nb201.py``)
    pre-nas-prior PRE-NAS whose initial population is the top by reg-swap of 1000 random
                  architectures (``prior``; training-free, from the same file, no query spent)
    rea-prior     REA from that same initial population: what the prior does without a predictor

The table also gives the mean validation accuracy of what was found (what settings are
chosen by) and in how many seeds that was the best-by-validation architecture of all 15,625.
``--set KEY=VALUE`` overrides the pre-nas methods' options (the levers: predictor, target,
features, prior, prior_samples, candidates, per_cycle, tournament).

``--predictors`` instead measures predictor quality alone: each scikit-learn regressor fitted
on N random architectures' validation accuracies, Spearman ρ of its predictions on 1000
held-out random architectures (mean over the seeds), with and without the SWAP features.

Usage::

    python benchmarks/bench_pre_nas.py                         # 10 seeds, 50 100 150 queries
    python benchmarks/bench_pre_nas.py --methods pre-nas --budgets 100 --seeds 3
    python benchmarks/bench_pre_nas.py --methods pre-nas --budgets 100 --set predictor=gbdt per_cycle=1
    python benchmarks/bench_pre_nas.py --predictors            # rho after 20 / 50 / 100 archs
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from deap import tools
from scipy.stats import spearmanr

import evonas
from evonas.evaluators import TableEvaluator
from evonas.operators import MaxFitness
from evonas.predictor import ALIASES, TARGETS, Predictor
from evonas.strategy import SearchRun, StopRule, get_strategy, make_toolbox
from evonas.strategy.pre_nas import top_by_prior

HERE = Path(__file__).resolve().parent
TABLE = HERE.parents[1] / "shared" / "data" / "nb201_cifar10.csv"
SCORES = HERE / "data" / "nb201_swap.csv.gz"
METHODS = {  # name -> (strategy, options)
    "random": ("random", {}),
    "rea": ("rea", {}),
    "pre-nas": ("pre-nas", {}),
    "pre-nas-swap": ("pre-nas", {"features": ["swap", "params"]}),
    "pre-nas-prior": ("pre-nas", {"prior": "reg-swap"}),
    "rea-prior": ("rea", {"prior": "reg-swap"}),  # the control: the same initial population, no predictor
}


def lookup_features() -> dict[str, dict[str, float]]:
    """SWAP score, parameter count and reg-swap of every NB201 architecture, by its text.

    reg-swap is SWAP times the size factor with the library's size-only calibration
    (μ = the largest network, σ = μ²: ``exp(-((Θ - μ) / μ)²)``).
    """
    scores = pd.read_csv(SCORES, comment="#").set_index("arch")
    params = scores["params"].astype(float)
    mu = params.max()
    reg_swap = scores["score"] * np.exp(-(((params - mu) / mu) ** 2))
    return {"swap": scores["score"].to_dict(), "params": params.to_dict(), "reg-swap": reg_swap.to_dict()}


def parse_options(pairs: list[str]) -> dict:
    """``KEY=VALUE`` pairs as strategy options: numbers as numbers, ``none`` as None, ``features`` as a list."""
    options: dict = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        key = key.replace("-", "_")
        if key == "features":
            options[key] = [v for v in value.split(",") if v]
        elif value.lower() == "none":
            options[key] = None
        else:
            try:
                options[key] = int(value)
            except ValueError:
                try:
                    options[key] = float(value)
                except ValueError:
                    options[key] = value
    return options


def search(method: str, seed: int, budget: int, evaluator: TableEvaluator, features: dict, population: int,
           extra: dict | None = None) -> str:
    """One search; the text of the architecture with the best validation accuracy it queried.

    ``extra`` options (``--set``) override a PRE-NAS method's; ``tournament`` sizes the toolbox's selection.
    """
    space = evonas.get_space("nb201")
    strategy_name, options = METHODS[method]
    options = {**options, **(extra or {})} if strategy_name == "pre-nas" else dict(options)
    tournament = options.pop("tournament", None)
    strategy = get_strategy(strategy_name)
    rng = np.random.default_rng(seed)
    toolbox = make_toolbox(space, evaluator, rng, MaxFitness, tournament=tournament, remove=strategy.remove)
    scorer_for = lambda name: (lambda g, table=features[name]: table[space.to_native(g)])  # noqa: E731
    if strategy.setup is None and "prior" in options:  # REA, random: PRE-NAS's training-free initial population
        toolbox.register("population", top_by_prior, toolbox, scorer_for(options.pop("prior")),
                         options.pop("prior_samples", 1000))
    own, parts = strategy.split(options)
    if strategy.setup is not None:
        strategy.setup(toolbox, space, rng, scorer_for, **parts)
    if "rng" in strategy.options:
        own["rng"] = rng
    hof = tools.HallOfFame(1)
    strategy.search(toolbox.population(n=population), toolbox, SearchRun(toolbox, StopRule(None, budget), halloffame=hof), **own)
    return space.to_native(hof[0].genome)


def compare(args: argparse.Namespace, table: pd.DataFrame) -> None:
    evaluator = TableEvaluator.read(TABLE, "nb201", valid_col="cifar10_valid_acc")
    test = table.set_index("arch")["cifar10_test_acc"]
    valid = table.set_index("arch")["cifar10_valid_acc"]
    features = lookup_features()
    extra = parse_options(args.set)
    if extra:
        print(f"pre-nas options: {extra}")
    print(f"{'queries':>7}  {'method':<13} {'valid acc':>9}  {'test acc (mean ± std)':>22}  {'median rank':>11}  "
          f"{'top-1 found':>11}  {'s/search':>8}")
    best_valid = valid.idxmax()
    for budget in args.budgets:
        for method in args.methods:
            started = time.perf_counter()
            found = [search(method, seed, budget, evaluator, features, args.population, extra)
                     for seed in range(args.first_seed, args.first_seed + args.seeds)]
            seconds = (time.perf_counter() - started) / args.seeds
            acc = test[found].to_numpy()
            ranks = [int((test > a).sum()) + 1 for a in acc]
            hits = sum(f == best_valid for f in found)
            print(f"{budget:>7}  {method:<13} {valid[found].mean():>9.2f}  {acc.mean():>14.2f} ± {acc.std():.2f}  "
                  f"{np.median(ranks):>11.0f}  {hits:>5}/{args.seeds:<5}  {seconds:>8.1f}", flush=True)


def predictors(args: argparse.Namespace, table: pd.DataFrame) -> None:
    space = evonas.get_space("nb201")
    valid = table.set_index("arch")["cifar10_valid_acc"]
    features = lookup_features()
    extra = {name: (lambda g, t=features[name]: t[space.to_native(g)]) for name in ("swap", "params")}
    print(f"target: {args.target}")
    sizes = args.train_sizes
    print(f"{'regressor':<15} {'features':<16} " + " ".join(f"{'rho @' + str(n):>9}" for n in sizes))
    for name in args.regressors:
        for label, feats in (("one-hot", {}), ("one-hot+swap", extra)):
            rhos = {n: [] for n in sizes}
            for seed in range(args.seeds):
                rng = np.random.default_rng(seed)
                archs = list({g.key: g for g in (space.sample(rng) for _ in range(3000))}.values())
                held_out, pool = archs[:1000], archs[1000:]
                y_held = [valid[space.to_native(g)] for g in held_out]
                for n in sizes:
                    train = pool[:n]
                    model = Predictor(space, name, feats, args.target).fit(train, [valid[space.to_native(g)] for g in train], seed=seed)
                    rhos[n].append(spearmanr(model.predict(held_out), y_held)[0])
            print(f"{name:<15} {label:<16} " + " ".join(f"{np.mean(rhos[n]):>9.3f}" for n in sizes), flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    p.add_argument("--budgets", nargs="+", type=int, default=[50, 100, 150])
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--first-seed", type=int, default=0, help="seeds first-seed .. first-seed + seeds - 1 (fresh "
                                                              "seeds check a default chosen on seeds 0..9)")
    p.add_argument("--population", type=int, default=10, help="initial random architectures (queried)")
    p.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE",
                   help="PRE-NAS options for the pre-nas methods, e.g. predictor=gbdt per_cycle=1 prior=reg-swap "
                        "tournament=3 (the levers of the README's table)")
    p.add_argument("--predictors", action="store_true", help="measure predictor quality instead of searching")
    p.add_argument("--regressors", nargs="+", default=list(ALIASES))
    p.add_argument("--train-sizes", nargs="+", type=int, default=[20, 50, 100])
    p.add_argument("--target", default="value", choices=TARGETS, help="--predictors: fit accuracies or their ranks")
    args = p.parse_args()
    warnings.filterwarnings("ignore", message=".*Maximum iterations.*")  # MLPRegressor's, at its default max_iter
    table = pd.read_csv(TABLE)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus; seeds {args.first_seed}.."
          f"{args.first_seed + args.seeds - 1}; evonas {evonas.__version__}")
    (predictors if args.predictors else compare)(args, table)


if __name__ == "__main__":
    main()
