"""A params budget on NAS-Bench-201: the best network under 0.3 M parameters, found training-free.

For each seed, SWAP-NAS and random search run through the library's own search
(``evonas.facade.search``) with ``--budget params=B`` and the same evaluation count; each
returns one architecture, whose true CIFAR-10 *test* accuracy is reported (mean ± std over
seeds) against the best test accuracy of the whole table under the same budget (computed
from ``params_m_cifar10``). No search reads an accuracy: the fitness is regularised SWAP.

The fitness is read from ``benchmarks/data/nb201_swap.csv.gz`` (every architecture scored
once at the default settings, see ``score_nb201.py``) by an evaluator registered here, as
a user would; everything else -- the budget in the evaluation layer, children redrawn
within it, the strategies, the hall of fame -- is the library's code path. The size factor
is applied as the proxy evaluator applies it; ``--prior`` chooses its centre:

    space   mu = the largest scoring network of the space (the calibration without a budget)
    budget  mu = the largest scoring network within the budget (what the library does under
            a params budget: :func:`evonas.fitness.calibrate` with ``within``)

Usage::

    python benchmarks/bench_budget_nb201.py --seeds 10 --evaluations 100 --budget 300000
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import torch

import evonas
from evonas.costs import Budget, make_cost
from evonas.errors import ProxyError
from evonas.evaluators import EVALUATORS, Evaluator
from evonas.fitness import calibrate

HERE = Path(__file__).resolve().parent
TABLE = HERE.parents[1] / "shared" / "data" / "nb201_cifar10.csv"
SCORES = HERE / "data" / "nb201_swap.csv.gz"
SPACE = evonas.get_space("nb201")
#: the size factor of the next search (set per run: the builder reads it)
PRIOR: dict[str, float] = {}


class Lookup:
    """``genome -> (reg-swap, params)`` from the file of SWAP scores, with the size factor of :data:`PRIOR`."""

    def __init__(self, scores: pd.DataFrame, mu: float, sigma: float) -> None:
        self.swap = dict(zip(scores["arch"], scores["score"]))
        self.params = dict(zip(scores["arch"], scores["params"]))
        self.mu, self.sigma = mu, sigma

    def __call__(self, genome):  # type: ignore[no-untyped-def]
        arch = SPACE.to_native(genome)
        if not np.isfinite(self.swap[arch]):
            raise ProxyError(f"failed when the file was made: {arch}")
        params = int(self.params[arch])
        return float(self.swap[arch]) * float(np.exp(-((params / 1e3 - self.mu) ** 2) / self.sigma)), params


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--evaluations", type=int, default=100)
    p.add_argument("--budget", type=float, default=300000, help="largest parameter count of the CIFAR-10 network")
    p.add_argument("--population", type=int, default=10)
    p.add_argument("--priors", nargs="+", default=["space", "budget"])
    p.add_argument("--methods", nargs="+", default=["swap-nas", "random"])
    args = p.parse_args()

    scores = pd.read_csv(SCORES, comment="#")
    table = pd.read_csv(TABLE)
    within = table[table["params_m_cifar10"] * 1e6 <= args.budget]
    acc = dict(zip(table["arch"], table["cifar10_test_acc"]))
    budget = Budget((make_cost("params", SPACE),), {"params": args.budget})
    priors = {"space": calibrate(SPACE, net_args=SPACE.scoring_net_args, seed=0),
              "budget": calibrate(SPACE, net_args=SPACE.scoring_net_args, seed=0, within=budget.cheaply_within)}

    @EVALUATORS.register("swap-lookup")
    def lookup(config, space, run_dir, progress):  # type: ignore[no-untyped-def]
        """Regularised SWAP read from the file of scores."""
        return Evaluator(Lookup(scores, PRIOR["mu"], PRIOR["sigma"]), +1, "reg-swap (lookup)")

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE).stdout.strip()
    print(json.dumps({"machine": platform.processor() or platform.machine(), "torch": torch.__version__,
                      "commit": commit, "budget": args.budget, "table_within_budget": len(within),
                      "table_fraction_within": round(len(within) / len(table), 4),
                      "table_best_test_acc_within": float(within["cifar10_test_acc"].max()),
                      "random_within_mean_test_acc": round(float(within["cifar10_test_acc"].mean()), 3),
                      "priors_K": {k: {"mu": round(v[0], 3), "sigma": round(v[1], 1)} for k, v in priors.items()}}))
    ranks = within["cifar10_test_acc"].rank(ascending=False, method="min")
    acc_rank = dict(zip(within["arch"], ranks))
    for prior in args.priors:
        PRIOR.update(zip(("mu", "sigma"), priors[prior]))
        fitness = Lookup(scores, *priors[prior])
        values = {a: fitness(SPACE.from_native(a))[0] for a in within["arch"] if np.isfinite(fitness.swap[a])}
        optimum = max(values, key=values.get)
        print(json.dumps({"prior": prior, "proxy_optimum_within_budget": optimum, "its_test_acc": acc[optimum],
                          "its_test_rank_within_budget": int(acc_rank[optimum]), "of": len(within)}))
        found: dict[str, list[float]] = {}
        for method in args.methods:
            accs, reached = [], 0
            for seed in range(args.seeds):
                result = evonas.search(space="nb201", evaluator="swap-lookup", strategy=method, seed=seed,
                                       evaluations=args.evaluations, population=args.population,
                                       budget={"params": args.budget})
                assert result.best["costs"]["params"] <= args.budget
                accs.append(acc[result.best["native"]])
                reached += result.best["native"] == optimum
            found[method] = accs
            print(json.dumps({"prior": prior, "method": method, "seeds": args.seeds, "evaluations": args.evaluations,
                              "mean_test_acc": round(float(np.mean(accs)), 3), "std": round(float(np.std(accs)), 3),
                              "seeds_reaching_proxy_optimum": reached, "accs": accs}))
        if {"swap-nas", "random"} <= set(found):
            wins = sum(a > b for a, b in zip(found["swap-nas"], found["random"]))
            ties = sum(a == b for a, b in zip(found["swap-nas"], found["random"]))
            print(json.dumps({"prior": prior, "swap_nas_beats_random_seeds": wins, "ties": ties}))


if __name__ == "__main__":
    main()
