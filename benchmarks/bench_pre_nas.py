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

``--predictors`` instead measures predictor quality alone: each scikit-learn regressor fitted
on N random architectures' validation accuracies, Spearman ρ of its predictions on 1000
held-out random architectures (mean over the seeds), with and without the SWAP features.

Usage::

    python benchmarks/bench_pre_nas.py                         # 10 seeds, 50 100 150 queries
    python benchmarks/bench_pre_nas.py --methods pre-nas --budgets 100 --seeds 3
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
from evonas.predictor import ALIASES, Predictor
from evonas.strategy import SearchRun, StopRule, get_strategy, make_toolbox

HERE = Path(__file__).resolve().parent
TABLE = HERE.parents[1] / "shared" / "data" / "nb201_cifar10.csv"
SCORES = HERE / "data" / "nb201_swap.csv.gz"
METHODS = {  # name -> (strategy, options)
    "random": ("random", {}),
    "rea": ("rea", {}),
    "pre-nas": ("pre-nas", {}),
    "pre-nas-swap": ("pre-nas", {"features": ["swap", "params"]}),
}


def lookup_features() -> dict[str, dict[str, float]]:
    """SWAP score and parameter count of every NB201 architecture, by its text."""
    scores = pd.read_csv(SCORES, comment="#").set_index("arch")
    return {"swap": scores["score"].to_dict(), "params": scores["params"].astype(float).to_dict()}


def search(method: str, seed: int, budget: int, evaluator: TableEvaluator, features: dict, population: int) -> str:
    """One search; the text of the architecture with the best validation accuracy it queried."""
    space = evonas.get_space("nb201")
    strategy_name, options = METHODS[method]
    strategy = get_strategy(strategy_name)
    rng = np.random.default_rng(seed)
    toolbox = make_toolbox(space, evaluator, rng, MaxFitness, remove=strategy.remove)
    own, parts = strategy.split(dict(options))
    if strategy.setup is not None:
        scorer_for = lambda name: (lambda g, table=features[name]: table[space.to_native(g)])  # noqa: E731
        strategy.setup(toolbox, space, rng, scorer_for, **parts)
    if "rng" in strategy.options:
        own["rng"] = rng
    hof = tools.HallOfFame(1)
    strategy.search(toolbox.population(n=population), toolbox, SearchRun(toolbox, StopRule(None, budget), halloffame=hof), **own)
    return space.to_native(hof[0].genome)


def compare(args: argparse.Namespace, table: pd.DataFrame) -> None:
    evaluator = TableEvaluator.read(TABLE, "nb201", valid_col="cifar10_valid_acc")
    test = table.set_index("arch")["cifar10_test_acc"]
    features = lookup_features() if any("swap" in m for m in args.methods) else {}
    print(f"{'queries':>7}  {'method':<13} {'test acc (mean ± std)':>22}  {'median rank':>11}  {'s/search':>8}")
    for budget in args.budgets:
        for method in args.methods:
            started = time.perf_counter()
            found = [search(method, seed, budget, evaluator, features, args.population) for seed in range(args.seeds)]
            seconds = (time.perf_counter() - started) / args.seeds
            acc = test[found].to_numpy()
            ranks = [int((test > a).sum()) + 1 for a in acc]
            print(f"{budget:>7}  {method:<13} {acc.mean():>14.2f} ± {acc.std():.2f}  {np.median(ranks):>11.0f}  "
                  f"{seconds:>8.1f}", flush=True)


def predictors(args: argparse.Namespace, table: pd.DataFrame) -> None:
    space = evonas.get_space("nb201")
    valid = table.set_index("arch")["cifar10_valid_acc"]
    features = lookup_features()
    extra = {name: (lambda g, t=features[name]: t[space.to_native(g)]) for name in ("swap", "params")}
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
                    model = Predictor(space, name, feats).fit(train, [valid[space.to_native(g)] for g in train], seed=seed)
                    rhos[n].append(spearmanr(model.predict(held_out), y_held)[0])
            print(f"{name:<15} {label:<16} " + " ".join(f"{np.mean(rhos[n]):>9.3f}" for n in sizes), flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    p.add_argument("--budgets", nargs="+", type=int, default=[50, 100, 150])
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--population", type=int, default=10, help="initial random architectures (queried)")
    p.add_argument("--predictors", action="store_true", help="measure predictor quality instead of searching")
    p.add_argument("--regressors", nargs="+", default=list(ALIASES))
    p.add_argument("--train-sizes", nargs="+", type=int, default=[20, 50, 100])
    args = p.parse_args()
    warnings.filterwarnings("ignore", message=".*Maximum iterations.*")  # MLPRegressor's, at its default max_iter
    table = pd.read_csv(TABLE)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus; seeds 0..{args.seeds - 1}; evonas {evonas.__version__}")
    (predictors if args.predictors else compare)(args, table)


if __name__ == "__main__":
    main()
