"""What a finished (or running) search leaves in its run folder: tables, best genome, plots."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import pandas as pd
from deap import tools

from evonas.cache import ScoreCache
from evonas.encodings import Genome, SearchSpace
from evonas.plots import figure


SCORED_COLUMNS = ["key", "native", "score", "params", "status", "error"]


def write_log(run_dir: Path, logbook: tools.Logbook) -> Path:
    """``log.csv``: one row per cycle (cycle 0 = initial population)."""
    path = run_dir / "log.csv"
    pd.DataFrame(list(logbook)).to_csv(path, index=False)
    return path


def write_scored(run_dir: Path, space: SearchSpace, cache: ScoreCache, genomes: Sequence[Genome]) -> Path:
    """``scored.csv``: every distinct architecture scored, in the space's own notation; a failed one with its error."""
    rows = []
    for g in genomes:
        score, params, error = cache.get(g)
        rows.append({"key": g.key, "native": space.to_native(g), "score": score, "params": params,
                     "status": "failed" if score is None else "ok", "error": error or ""})
    path = run_dir / "scored.csv"
    pd.DataFrame(rows, columns=SCORED_COLUMNS).to_csv(path, index=False)
    return path


def write_best(run_dir: Path, space: SearchSpace, genome: Genome, score: float, params: int | None, extra: dict) -> dict:
    """``best.txt`` (native notation) and ``best.json`` (native, matrices, score, params, extras)."""
    native = space.to_native(genome)
    (run_dir / "best.txt").write_text(native + "\n")
    best = {"space": space.name, "native": native, "genome": genome.to_json(), "score": score, "params": params, **extra}
    (run_dir / "best.json").write_text(json.dumps(best, indent=2) + "\n")
    return best


def plot_run(run_dir: Path, logbook: tools.Logbook, scored: pd.DataFrame, score_name: str) -> list[Path]:
    """``convergence.png`` (best/mean score per cycle) and ``score_vs_params.png`` (every scored arch)."""
    log = pd.DataFrame(list(logbook))
    paths = [run_dir / "convergence.png", run_dir / "score_vs_params.png"]
    with figure(paths[0]) as ax:
        ax.plot(log["cycle"], log["best"], label="best in population")
        ax.plot(log["cycle"], log["mean"], label="population mean")
        ax.set(xlabel="cycle", ylabel=score_name, title="SWAP-NAS convergence")
        ax.legend()
    with figure(paths[1]) as ax:
        ax.scatter(scored["params"], scored["score"], s=8, alpha=0.6)
        ax.set(xlabel="parameters", ylabel=score_name, title=f"all {len(scored)} scored architectures")
    return paths


def nb201_truth(space: SearchSpace, genome: Genome, table: Path) -> dict:
    """True CIFAR-10 test accuracy of ``genome`` and its rank among all archs of a NAS-Bench-201 table."""
    df = pd.read_csv(table)
    if not {"arch", "cifar10_test_acc"} <= set(df.columns):
        from evonas.errors import DataError

        raise DataError(f"{table}: a NAS-Bench-201 table needs columns 'arch' and 'cifar10_test_acc'")
    native = space.to_native(genome)
    acc = df.loc[df["arch"] == native, "cifar10_test_acc"]
    if acc.empty:
        return {"true_acc": None, "true_rank": None, "table_size": len(df)}
    value = float(acc.iloc[0])
    return {
        "true_acc": value,
        "true_rank": int((df["cifar10_test_acc"] > value).sum()) + 1,
        "table_size": len(df),
        "table_best_acc": float(df["cifar10_test_acc"].max()),
    }
