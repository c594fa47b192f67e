"""Pareto fronts of a run: non-dominated ranks, hypervolume, tables, plot, and the NAS-Bench-201 truth.

Hypervolume is measured in a normalised objective space with a fixed reference point: each
minimised objective ``f`` becomes ``(f - ideal) / (nadir - ideal)``, with ``ideal`` and
``nadir`` fixed once per run (the search: the objective-wise min and max of the initial
population; the NAS-Bench-201 truth: of the true front, as pymoo derives them from a
Pareto front; the whole table would stretch accuracy down to 10 % and flatten every
difference that matters), and the reference point is
``(1.1, 1.1)`` — a tenth beyond the nadir, so the extreme points of a front also count.
Points beyond the reference point count zero. The box from the ideal to the reference
point has volume 1.1² = 1.21; a search front that improves on its initial population's
ideal point exceeds it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd
from pymoo.indicators.hv import HV
from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

from evonas.plots import figure
from evonas.truth import GroundTruth

REFERENCE_POINT = 1.1
NB201_COLUMNS = ("arch", "params_m_cifar10", "cifar10_test_acc")


@dataclass(frozen=True)
class Normalisation:
    """Fixed affine map of minimised objectives onto [0, 1] (ideal -> 0, nadir -> 1)."""

    ideal: tuple[float, ...]
    nadir: tuple[float, ...]

    @classmethod
    def of(cls, F: np.ndarray) -> Normalisation:
        """Objective-wise min and max of ``F`` (an objective without spread gets a unit range)."""
        F = np.asarray(F, dtype=float)
        ideal, nadir = F.min(axis=0), F.max(axis=0)
        nadir = np.where(nadir > ideal, nadir, ideal + 1.0)
        return cls(tuple(map(float, ideal)), tuple(map(float, nadir)))

    def __call__(self, F: np.ndarray) -> np.ndarray:
        ideal, nadir = np.asarray(self.ideal), np.asarray(self.nadir)
        return (np.asarray(F, dtype=float) - ideal) / (nadir - ideal)


def hypervolume(F: np.ndarray, normalisation: Normalisation) -> float:
    """Hypervolume (Zitzler & Thiele, PPSN 1998) of the minimised points ``F`` in normalised space.

    The volume dominated by ``F`` and bounded by the reference point (1.1, ..., 1.1).
    """
    F = np.asarray(F, dtype=float).reshape(-1, len(normalisation.ideal))
    if len(F) == 0:
        return 0.0
    return float(HV(ref_point=np.full(F.shape[1], REFERENCE_POINT))(normalisation(F)))


def pareto_ranks(F: np.ndarray) -> np.ndarray:
    """Non-dominated sorting rank of every row of ``F`` (0 = not dominated by any other row)."""
    F = np.asarray(F, dtype=float)
    if len(F) == 0:
        return np.zeros(0, dtype=int)
    _, rank = NonDominatedSorting().do(F, return_rank=True)
    return np.asarray(rank, dtype=int)


def sort_front(table: pd.DataFrame, by: str = "params") -> pd.DataFrame:
    """Rows ordered by rank, then the cost column ``by``, then score (descending), then key: a deterministic order."""
    order = table.assign(_neg=-table["score"]).sort_values(["rank", by, "_neg", "key"], kind="stable")
    return order.drop(columns="_neg").reset_index(drop=True)


def plot_front(
    path: Path, scored: pd.DataFrame, front: pd.DataFrame, *, score_name: str, cost: str = "params",
    budget: float | None = None, title: str | None = None,
) -> Path:
    """``front.png``: every scored architecture in grey against one ``cost``, the front (rank 0) on top.

    ``scored`` and ``front`` have a ``cost_<cost>`` column (else ``params``); with more than
    one cost the front is the projection of the multi-objective front, so no staircase.
    """
    column = f"cost_{cost}" if f"cost_{cost}" in front else "params"
    best = front[front["rank"] == 0].sort_values(column)
    two = not any(c.startswith("cost_") and c != column for c in front.columns)
    x = scored[column] if column in scored else scored["params"]
    with figure(path) as ax:
        ax.scatter(x, scored["score"], s=8, color="0.7", label=f"all {len(scored)} scored")
        if two:
            ax.step(best[column], best["score"], where="post", color="C3", alpha=0.6)
        ax.scatter(best[column], best["score"], s=24, color="C3", zorder=3, label=f"front ({len(best)})")
        if budget is not None:
            ax.axvline(budget, color="k", linestyle="--", linewidth=1, label=f"{cost} budget")
        ax.set(xlabel=cost, ylabel=score_name, title=title or f"{score_name} vs {cost}: Pareto front")
        ax.legend()
    return path


def plot_truth(path: Path, report: dict[str, Any], truth: GroundTruth, *, title: str) -> Path:
    """``truth.png``: true accuracy against parameters — the whole table, its true front, and the found front."""
    df = truth.frame
    true_front = pd.DataFrame(report["true_front"])
    found = pd.DataFrame([m for m in report["members"] if m["true_acc"] is not None])
    with figure(path) as ax:
        ax.scatter(df["params_m_cifar10"], df["cifar10_test_acc"], s=3, color="0.8", label=f"all {len(df):,}")
        ax.step(true_front["true_params_m"], true_front["true_acc"], where="post", color="k", lw=1, label="true front")
        if len(found):
            ax.scatter(found["true_params_m"], found["true_acc"], s=24, color="C3", zorder=3, label=f"found ({len(found)})")
        ax.set(xlabel="parameters (millions)", ylabel="CIFAR-10 test accuracy (%)", ylim=(80, 95), title=title)
        ax.legend(loc="lower right")
    return path


def front_ratio(found: np.ndarray, everything: np.ndarray) -> tuple[float, float]:
    """Hypervolumes of a found front and of the true front of ``everything`` (minimised rows), normalised by the true front.

    The measure :func:`nb201_front_report` reports, for any cost: ideal and nadir of the
    true front, reference point (1.1, ..., 1.1). Returns ``(found, true)``.
    """
    everything = np.asarray(everything, dtype=float)
    true_front = everything[pareto_ranks(everything) == 0]
    normalisation = Normalisation.of(true_front)
    found = np.asarray(found, dtype=float).reshape(-1, everything.shape[1])
    return hypervolume(found, normalisation), hypervolume(true_front, normalisation)


def nb201_front_report(natives: Sequence[str], table: GroundTruth | pd.DataFrame | Path | str) -> dict[str, Any]:
    """A found front against the true (accuracy up, parameters down) front of a NAS-Bench-201 table.

    Args:
        natives: the front's architectures in NAS-Bench-201 notation.
        table: the ground truth (or the path of its CSV) with columns ``arch``,
            ``params_m_cifar10``, ``cifar10_test_acc`` covering the space (15,625 rows).

    Returns:
        ``members`` (true accuracy, parameters in millions and whether each lies on the true
        front), the true front itself, and the hypervolumes of found and true front in
        (-accuracy, params) space normalised by the true front's ideal and nadir, with
        reference point (1.1, 1.1), and their ratio.
    """
    df = (table if isinstance(table, GroundTruth) else GroundTruth.read(table, "nb201", NB201_COLUMNS)).frame
    F_all = np.column_stack([-df["cifar10_test_acc"].to_numpy(float), df["params_m_cifar10"].to_numpy(float)])
    on_front = pareto_ranks(F_all) == 0
    true_front = F_all[on_front]
    normalisation = Normalisation.of(true_front)
    lookup = df.set_index("arch")
    members, found = [], []
    for native in natives:
        if native not in lookup.index:
            members.append({"native": native, "true_acc": None, "true_params_m": None, "on_true_front": False})
            continue
        row = lookup.loc[native]
        point = np.array([-float(row["cifar10_test_acc"]), float(row["params_m_cifar10"])])
        dominated = bool(np.any(np.all(true_front <= point, axis=1) & np.any(true_front < point, axis=1)))
        members.append({
            "native": native,
            "true_acc": -point[0],
            "true_params_m": point[1],
            "on_true_front": not dominated,
        })
        found.append(point)
    hv_found = hypervolume(np.array(found).reshape(-1, 2), normalisation)
    hv_true = hypervolume(true_front, normalisation)
    return {
        "members": members,
        "on_true_front": sum(m["on_true_front"] for m in members),
        "true_front": [
            {"native": a, "true_acc": float(acc), "true_params_m": float(p)}
            for a, acc, p in df.loc[on_front, ["arch", "cifar10_test_acc", "params_m_cifar10"]]
            .sort_values("params_m_cifar10")
            .itertuples(index=False)
        ],
        "hypervolume": hv_found,
        "true_hypervolume": hv_true,
        "hypervolume_ratio": hv_found / hv_true if hv_true > 0 else None,
        "reference_point": [REFERENCE_POINT, REFERENCE_POINT],
        "normalisation": {"objectives": ["-cifar10_test_acc", "params_m_cifar10"], "ideal": list(normalisation.ideal), "nadir": list(normalisation.nadir)},
        "table_size": len(df),
    }
