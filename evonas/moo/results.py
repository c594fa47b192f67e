"""The results of a multi-objective search: ``front.csv``, ``hypervolume.csv``, ``scored.csv``, the front plots and,
with a NAS-Bench-201 ground-truth table, ``truth.json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pymoo.core.algorithm import Algorithm

from evonas.cache import ScoreCache
from evonas.config import MooConfig
from evonas.encodings import SearchSpace
from evonas.moo.front import Normalisation, hypervolume, nb201_front_report, pareto_ranks, plot_front, plot_truth, sort_front
from evonas.moo.problem import ArchitectureProblem
from evonas.preamble import nothing_found
from evonas.results import write_scored
from evonas.truth import GroundTruth


def feasible(algorithm: Algorithm) -> np.ndarray:
    """Which members of the population are within every constraint (the budget; a failed one is not)."""
    return algorithm.pop.get("CV")[:, 0] <= 0


def scored(algorithm: Algorithm, cache: ScoreCache) -> np.ndarray:
    """Which members of the population have a score (evaluated, within the budget, and their proxy did not fail)."""
    return np.array([ind.X[0] in cache and not cache.get(ind.X[0]).failed for ind in algorithm.pop], dtype=bool)


def hypervolume_row(
    generation: int, algorithm: Algorithm, cache: ScoreCache, normalisation: Normalisation | None, space: SearchSpace
) -> dict[str, Any]:
    """Hypervolume of the feasible front (0 until some member was scored: nothing to normalise by yet)."""
    within = feasible(algorithm)
    F = algorithm.pop.get("F")[within]
    on_front = pareto_ranks(F) == 0
    networks = {space.canonical_key(ind.X[0]) for ind, on in zip(algorithm.pop[within], on_front) if on}
    return {
        "cycle": generation - 1,
        "evaluations": cache.misses,
        "front_size": len(networks),
        "hypervolume": 0.0 if normalisation is None else hypervolume(F[on_front], normalisation),
    }


def write_hypervolume(out: Path, history: list[dict[str, Any]]) -> Path:
    """``hypervolume.csv``: one row per generation."""
    path = out / "hypervolume.csv"
    pd.DataFrame(history, columns=["cycle", "evaluations", "front_size", "hypervolume"]).to_csv(path, index=False)
    return path


def finish(
    out: Path,
    config: MooConfig,
    space: SearchSpace,
    problem: ArchitectureProblem,
    algorithm: Algorithm,
    history: list,
    truth_table: GroundTruth | None,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any] | None]:
    """Write the results; returns (front, population, truth). A run with no feasible architecture is an error."""
    cache = problem.cache
    write_hypervolume(out, history)
    write_scored(out, space, cache)
    within = feasible(algorithm)
    if not within.any():
        raise nothing_found(cache, config.budget, out)
    genomes = [ind.X[0] for ind in algorithm.pop[within]]
    F = algorithm.pop.get("F")[within]
    costs = {f"cost_{name}": F[:, 1 + i] for i, name in enumerate(problem.costs)}
    population = sort_front(
        pd.DataFrame({
            "rank": pareto_ranks(F),
            "native": [space.to_native(g) for g in genomes],
            "score": problem.scores(F),
            "params": [cache.get(g).params for g in genomes],
            **costs,
            "key": [g.key for g in genomes],
            "network": [space.canonical_key(g) for g in genomes],
        }),
        by=next(iter(costs)),
    )
    # one row per network computed: copies (isomorphic cells, dead branches) are not counted twice
    population = population.drop_duplicates("network").reset_index(drop=True)
    table = pd.read_csv(out / "scored.csv")
    for i, name in enumerate(problem.costs):  # one plot per cost: front.png for the first, front_<cost>.png after
        title = f"{config.algorithm} on {config.space}: {config.proxy} vs {name}"
        plot_front(out / ("front.png" if i == 0 else f"front_{name}.png"), table, population,
                   score_name=config.proxy, cost=name, budget=config.budget.get(name), title=title)
    front = population[population["rank"] == 0].reset_index(drop=True)
    truth = None
    if truth_table is not None:
        truth = nb201_front_report(list(front["native"]), truth_table)
        (out / "truth.json").write_text(json.dumps(truth, indent=2) + "\n")
        plot_truth(out / "truth.png", truth, truth_table, title=f"{config.algorithm} on {config.space}: true accuracy")
    population.to_csv(out / "front.csv", index=False)  # last: a folder with front.csv holds a finished run
    return front, population, truth
