"""What a finished (or running) search leaves in its run folder: tables, best genome, plots."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
from deap import tools

from evonas.cache import ScoreCache
from evonas.encodings import SearchSpace
from evonas.plots import figure


SCORED_COLUMNS = ["key", "native", "score", "params", "status", "error"]


def write_log(run_dir: Path, logbook: tools.Logbook, start: int = 0) -> Path:
    """``log.csv``: one row per cycle (cycle 0 = initial population).

    With ``start`` > 0 only the rows from ``start`` on are appended (the file holds the
    others already), so a run that writes it after every cycle does not rewrite it whole.
    """
    path = run_dir / "log.csv"
    rows = list(logbook)
    if not rows:
        return path
    with open(path, "a" if start else "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        if not start:
            writer.writeheader()
        writer.writerows(rows[start:])
    return path


def write_scored(run_dir: Path, space: SearchSpace, cache: ScoreCache) -> Path:
    """``scored.csv``: every distinct architecture evaluated (:func:`scored_frame`)."""
    path = run_dir / "scored.csv"
    scored_frame(space, cache).to_csv(path, index=False)
    return path


def scored_frame(space: SearchSpace, cache: ScoreCache) -> pd.DataFrame:
    """Every distinct architecture evaluated, in evaluation order and the space's notation (``scored.csv``'s rows).

    Failed ones carry their error (status ``failed``; over a budget: ``infeasible``); an
    evaluator's further values (``Evaluation.details``, e.g. an ensemble's members) are
    columns ``score_<name>`` after the fixed ones, the costs the run measures ``cost_<name>``.
    """
    rows, details = [], {}
    for g in cache.genomes.values():
        e = cache.get(g)
        named = {**{f"score_{k}": v for k, v in (e.details or {}).items()},
                 **{f"cost_{k}": v for k, v in (e.costs or {}).items()}}
        status = "infeasible" if e.infeasible else "failed" if e.failed else "ok"
        rows.append({"key": g.key, "native": space.to_native(g), "score": e.score, "params": e.params,
                     "status": status, "error": e.error or "", **named})
        details.update(dict.fromkeys(named))
    return pd.DataFrame(rows, columns=SCORED_COLUMNS + list(details))


def write_best(run_dir: Path, space: SearchSpace, best: dict) -> dict:
    """``best.json`` (native, matrices, score, sizes, extras: see :func:`evonas.facade.search`) and ``best.txt``, its summary for people.

    ``best.txt`` starts with the architecture in the space's own notation (one line, ready
    to paste into ``evonas inspect``); then the score, the sizes of the scored network and
    of the network to train, and the true accuracy when a ground-truth table was given.
    """
    native, score, params = best["native"], best["score"], best["params"]
    (run_dir / "best.json").write_text(json.dumps(best, indent=2) + "\n")
    lines = [native, f"score ({best.get('proxy', 'fitness')}): {score:.6g}"]
    if params is not None:
        line = f"parameters: {params:,} in the scored network"
        if best.get("train_params") is not None:
            line += f", {best['train_params']:,} in the network to train ({space.name} defaults of build())"
        lines.append(line)
    if best.get("costs"):
        budget = best.get("budget") or {}
        lines.append("costs of the network to deploy: " + ", ".join(
            f"{k} {v:.4g}" + (f" (budget {budget[k]:.4g})" if k in budget else "") for k, v in best["costs"].items()))
    if best.get("true_acc") is not None:
        where = f"index {best['index']}: " if "index" in best else ""
        lines.append(f"ground truth, {where}CIFAR-10 test accuracy {best['true_acc']:.2f} % "
                     f"(rank {best['true_rank']:,} of {best['table_size']:,})")
    lines += ["", "next:", f"  evonas inspect --space {space.name} {_quoted(native)}    # its matrix, size, canonical text",
              f"  evonas search --resume {run_dir} --cycles N                  # search further"]
    (run_dir / "best.txt").write_text("\n".join(lines) + "\n")
    return best


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def plot_run(
    run_dir: Path, logbook: tools.Logbook, scored: pd.DataFrame, *, title: str, score_name: str,
    best: dict, mu_params: float | None = None,
) -> list[Path]:
    """``convergence.png`` (best/mean score against the architectures evaluated so far) and ``score_vs_params.png`` (every scored
    architecture, the best one marked, and the size the regularisation favours, ``mu_params``)."""
    log = pd.DataFrame(list(logbook))
    paths = [run_dir / "convergence.png", run_dir / "score_vs_params.png"]
    spent = log["evals"].cumsum()  # the budget's unit: a query, a training, a proxy score
    with figure(paths[0]) as ax:
        ax.plot(spent, log["best"], label="best in population")
        ax.plot(spent, log["mean"], label="population mean")
        ax.set(xlabel="architectures evaluated", ylabel=score_name, title=f"{title}: convergence")
        ax.legend()
    with figure(paths[1]) as ax:
        ax.scatter(scored["params"], scored["score"], s=8, alpha=0.6, label=f"all {len(scored)} scored")
        ax.scatter([best["params"]], [best["score"]], s=120, marker="*", color="C3", zorder=3, label="best")
        if mu_params is not None:
            ax.axvline(mu_params, color="k", linestyle="--", linewidth=1, label="μ (size the factor favours)")
        ax.set(xlabel="parameters of the scored network", ylabel=score_name, title=title)
        ax.legend()
    return paths
