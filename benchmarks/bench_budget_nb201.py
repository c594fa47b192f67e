"""Params budgets on NAS-Bench-201: the best network under each budget, found training-free, by several fitness rules.

For each seed, SWAP-NAS and random search run through the library's own search
(``evonas.facade.search``) with ``--budget params=B`` and the same evaluation count; each
returns one architecture, whose true CIFAR-10 *test* accuracy is reported (mean ± std over
seeds) against the best test accuracy of the whole table under the same budget (computed
from ``params_m_cifar10``). No search reads an accuracy: the fitness is regularised SWAP.

The fitness is read from ``benchmarks/data/nb201_swap.csv.gz`` (every architecture scored
once at the default settings, see ``score_nb201.py``) by an evaluator registered here, as
a user would; everything else -- the budget in the evaluation layer, children redrawn
within it, the strategies, the hall of fame -- is the library's code path. ``--rules``
chooses how the score is made from raw SWAP Ψ and the scoring network's size Θ (K params);
each rule reads sizes (and, for ``resid``, SWAP scores) of a calibration sample only, never
an accuracy:

    space    reg-swap, μ = the largest scoring network of the space (no budget considered)
    top      reg-swap, μ = the largest scoring network within the budget (the library's
             default under a params budget: :func:`evonas.fitness.calibrate` with ``within``)
    q50 q75 q90  reg-swap, μ = that quantile of the sizes of 1000 architectures sampled
             within the budget, σ = μ² (the size prior placed inside the budget's range)
    meanstd  reg-swap with μ, σ from that sample's statistics: exp(-(Θ-mean)² / (2 sd²))
    resid    size-neutral SWAP: log Ψ minus its least-squares fit on log Θ over the sample
    swap     raw SWAP (no size factor)

For every budget (``--budgets``, parameters of the CIFAR-10 network) and rule it prints
the rule's Spearman ρ with test accuracy over all architectures within the budget, the
test accuracy of the rule's optimum within the budget, and SWAP-NAS and random search
(mean ± std over seeds, same evaluations).

Usage::

    python benchmarks/bench_budget_nb201.py --seeds 10 --evaluations 100 --budgets 200000 300000 500000 800000 1200000
"""

from __future__ import annotations

import argparse
import itertools
import json
import platform
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from scipy.stats import spearmanr

import evonas
from evonas.costs import Budget, make_cost
from evonas.errors import ProxyError
from evonas.evaluators import EVALUATORS, Evaluator
from evonas.fitness import calibrate
from evonas.fitness.regularise import width

HERE = Path(__file__).resolve().parent
TABLE = HERE.parents[1] / "shared" / "data" / "nb201_cifar10.csv"
SCORES = HERE / "data" / "nb201_swap.csv.gz"
SPACE = evonas.get_space("nb201")


class Lookup:
    """``genome -> (score, params)`` from the file of SWAP scores, the score made by ``rule`` (Ψ, Θ in K) -> float."""

    def __init__(self, scores: pd.DataFrame, rule: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> None:
        self.swap = dict(zip(scores["arch"], scores["score"]))
        self.params = dict(zip(scores["arch"], scores["params"]))
        self.rule = rule

    def __call__(self, genome):  # type: ignore[no-untyped-def]
        arch = SPACE.to_native(genome)
        if not np.isfinite(self.swap[arch]):
            raise ProxyError(f"failed when the file was made: {arch}")
        params = int(self.params[arch])
        return float(self.rule(np.array([self.swap[arch]]), np.array([params / 1e3]))[0]), params


def gaussian(mu: float, sigma: float) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """reg-swap: Ψ · exp(-(Θ - μ)² / σ)."""
    return lambda swap, theta: swap * np.exp(-((theta - mu) ** 2) / sigma)


def make_rules(scores: pd.DataFrame, budget: Budget) -> dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]]:
    """Every rule of the docstring, calibrated for ``budget`` on sizes (and SWAP scores) of sampled archs only."""
    net = SPACE.scoring_net_args
    rng = np.random.default_rng(0)
    draws = (SPACE.sample(rng) for _ in range(100_000))
    sample = list(itertools.islice((g for g in draws if budget.cheaply_within(g)), 1000))
    swap = dict(zip(scores["arch"], scores["score"]))
    theta = np.array([SPACE.count_params(g, **net) for g in sample]) / 1e3
    psi = np.array([swap[SPACE.to_native(g)] for g in sample])
    ok = np.isfinite(psi) & (psi > 0)
    slope, intercept = np.polyfit(np.log(theta[ok]), np.log(psi[ok]), 1)
    rules = {"space": gaussian(*calibrate(SPACE, net_args=net, seed=0)),
             "top": gaussian(*calibrate(SPACE, net_args=net, seed=0, within=budget.cheaply_within)),
             "meanstd": gaussian(float(theta.mean()), 2 * float(theta.var())),
             "resid": lambda s, t: np.log(s) - (slope * np.log(t) + intercept),
             "swap": lambda s, t: s}
    for q in (50, 75, 90):
        mu = float(np.percentile(theta, q))
        rules[f"q{q}"] = gaussian(mu, width(mu))
    return rules


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--evaluations", type=int, default=100)
    p.add_argument("--budgets", type=float, nargs="+", default=[300000],
                   help="largest parameter counts of the CIFAR-10 network")
    p.add_argument("--population", type=int, default=10)
    p.add_argument("--rules", nargs="+", default=["top"], choices=RULES)
    p.add_argument("--methods", nargs="+", default=["swap-nas", "random"])
    args = p.parse_args()

    scores = pd.read_csv(SCORES, comment="#")
    table = pd.read_csv(TABLE)
    acc = dict(zip(table["arch"], table["cifar10_test_acc"]))
    current: dict[str, Lookup] = {}

    @EVALUATORS.register("swap-lookup")
    def lookup(config, space, run_dir, progress):  # type: ignore[no-untyped-def]
        """SWAP made into a fitness by the current rule, read from the file of scores."""
        return Evaluator(current["fitness"], +1, "swap rule (lookup)")

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE).stdout.strip()
    print(json.dumps({"machine": platform.processor() or platform.machine(), "torch": torch.__version__,
                      "commit": commit, "seeds": args.seeds, "evaluations": args.evaluations}))
    for limit in args.budgets:
        within = table[table["params_m_cifar10"] * 1e6 <= limit]
        within = within[within["arch"].map(dict(zip(scores["arch"], np.isfinite(scores["score"]))))]
        budget = Budget((make_cost("params", SPACE),), {"params": limit})
        print(json.dumps({"budget": limit, "table_within_budget": len(within),
                          "table_best_test_acc_within": float(within["cifar10_test_acc"].max()),
                          "random_within_mean_test_acc": round(float(within["cifar10_test_acc"].mean()), 3)}))
        ranks = dict(zip(within["arch"], within["cifar10_test_acc"].rank(ascending=False, method="min")))
        rules = make_rules(scores, budget)
        for name in args.rules:
            fitness = current["fitness"] = Lookup(scores, rules[name])
            values = {a: fitness(SPACE.from_native(a))[0] for a in within["arch"]}
            optimum = max(values, key=values.get)
            rho = float(spearmanr([values[a] for a in within["arch"]], within["cifar10_test_acc"])[0])
            row = {"budget": limit, "rule": name, "spearman_within": round(rho, 3), "optimum_test_acc": acc[optimum],
                   "optimum_rank_within": int(ranks[optimum]), "of": len(within), "optimum": optimum}
            for method in args.methods:
                accs = []
                for seed in range(args.seeds):
                    result = evonas.search(space="nb201", evaluator="swap-lookup", strategy=method, seed=seed,
                                           evaluations=args.evaluations, population=args.population,
                                           budget={"params": limit})
                    assert result.best["costs"]["params"] <= limit
                    accs.append(acc[result.best["native"]])
                row[method] = f"{np.mean(accs):.2f} ± {np.std(accs):.2f}"
                row[f"{method}_accs"] = accs
            if {"swap-nas", "random"} <= set(args.methods):
                row["swap_nas_beats_random_seeds"] = sum(
                    a > b for a, b in zip(row["swap-nas_accs"], row["random_accs"]))
            print(json.dumps(row, ensure_ascii=False), flush=True)


RULES = ("space", "top", "q50", "q75", "q90", "meanstd", "resid", "swap")


if __name__ == "__main__":
    main()
