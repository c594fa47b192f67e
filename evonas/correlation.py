"""How well a proxy ranks architectures: score a ground-truth table, compare with accuracy.

Scores go to a per-architecture CSV row by row, so an interrupted run picks up where it
stopped. An architecture whose proxy value is NaN or infinite is recorded as failed
(counted and reported), never given a made-up number.
"""

from __future__ import annotations

import csv
import json
import math
import time
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np
import pandas as pd

from evonas.cache import evaluate_safely
from evonas.errors import ConfigError, DataError
from evonas.files import atomic_write, check_folder
from evonas.plots import figure
from evonas.tables import FINITE, check_columns, text_table, unique_rows

#: Known ground-truth tables: (architecture column, accuracy column).
#: the usual column names of the shared tables, in order of preference; each defaults on its own
ARCH_COLUMNS = ("genotype", "arch")
ACC_COLUMNS = ("valid_acc", "val_acc", "cifar10_test_acc")
SCORES_FILE = "scores.csv"
SETTINGS_FILE = "settings.json"
RESULT_FILE = "correlation.json"
SCATTER_FILE = "scatter.png"
#: what correlate writes into its --out folder; a folder holding anything else is someone else's
OWN_FILES = frozenset({SCORES_FILE, SETTINGS_FILE, RESULT_FILE, SCATTER_FILE})
_FIELDS = ["index", "arch", "acc", "score", "params", "status", "error"]


@dataclass
class Correlation:
    """Rank agreement between proxy scores and accuracies (failed architectures excluded)."""

    spearman: float
    kendall: float
    top10_precision: float
    n: int
    failed: int
    seconds: float
    ms_per_arch: float | None

    def as_json(self) -> dict[str, float | int | None]:
        """The fields for JSON: an undefined correlation (constant scores, < 2 archs) is null, not NaN."""
        return {k: None if isinstance(v, float) and not math.isfinite(v) else v for k, v in asdict(self).items()}


def read_table(path: Path, arch_col: str | None = None, acc_col: str | None = None) -> pd.DataFrame:
    """A ground-truth table as columns ``index, arch, acc``; a column not named is the first of the usual ones present.

    The usual names (:data:`ARCH_COLUMNS`, :data:`ACC_COLUMNS`) default independently, so
    naming only ``--acc-col`` still finds the architecture column. The table is checked by
    the rules of every table of architectures (:func:`evonas.tables.check_columns`): a
    missing column, an accuracy that is no finite number, or two rows of one architecture
    text is one line naming the file, the row and the column. Architectures stay the text
    written (scored by the space's builder, which takes a DARTS genotype no genome holds);
    one the space cannot build is scored as failed.
    """
    where, frame = text_table(Path(path), "--table")
    for flag, usual in (("--arch-col", ARCH_COLUMNS), ("--acc-col", ACC_COLUMNS)):
        if (arch_col if flag == "--arch-col" else acc_col) is None:
            present = [c for c in usual if c in frame.columns]
            if not present:
                raise DataError(f"{where}: columns {list(frame.columns)} hold none of the usual {usual}; "
                                f"name one with {flag}")
            arch_col, acc_col = (present[0], acc_col) if flag == "--arch-col" else (arch_col, present[0])
    assert arch_col is not None and acc_col is not None  # each named or defaulted above
    acc = check_columns(frame, where, required=(arch_col,), values={acc_col: FINITE},
                        hint="; name the columns with --arch-col and --acc-col")[acc_col]
    texts = frame[arch_col].tolist()
    unique_rows([text.strip() for text in texts], texts, where, "architecture")
    return pd.DataFrame({"index": np.arange(len(frame)), "arch": texts, "acc": acc})


def select_rows(table: pd.DataFrame, limit: int | None, seed: int) -> pd.DataFrame:
    """All rows, or a seeded random sample of ``limit`` rows kept in table order."""
    if limit is None or limit >= len(table):
        return table
    if limit < 1:
        raise ConfigError(f"--limit {limit}: must be >= 1")
    picked = np.sort(np.random.default_rng(seed).choice(len(table), size=limit, replace=False))
    return table.iloc[picked]


def rank_agreement(scores: Iterable[float], accs: Iterable[float], top: float = 0.1) -> tuple[float, float, float]:
    """Spearman ρ, Kendall τ and top-``top`` precision (share of the proxy's top archs that are truly top)."""
    from scipy import stats  # here, not at the top: parallel workers import this module, and scipy.stats costs 0.65 s

    s, a = np.asarray(list(scores), float), np.asarray(list(accs), float)
    k = max(1, int(round(top * len(s))))
    top_score = set(np.argsort(-s, kind="stable")[:k])
    top_acc = set(np.argsort(-a, kind="stable")[:k])
    return float(stats.spearmanr(s, a)[0]), float(stats.kendalltau(s, a)[0]), len(top_score & top_acc) / k


def correlate(
    rows: pd.DataFrame,
    scorer: Callable[[str], tuple[float, int]],
    out: Path,
    *,
    progress: bool = True,
    map_fn: Callable = map,
    settings: dict[str, Any] | None = None,
) -> Correlation:
    """Score ``rows`` (``index, arch, acc``) with ``scorer(arch) -> (score, params)``, write results to ``out``.

    Rows already in ``out/scores.csv`` are not scored again — if they were scored with the
    same ``settings`` (proxy, its options, network, data, samples, repeats, seed, table),
    which are kept in ``settings.json``; scores made otherwise are never mixed in. Writes
    ``scores.csv``, ``settings.json``, ``correlation.json`` and ``scatter.png``, into a
    folder holding nothing else (:func:`check_out`, before anything is written). ``map_fn``
    must keep the order of the rows (e.g. :func:`evonas.parallel.make_map`); results are
    written as they arrive.
    """
    from tqdm import tqdm

    out = check_out(out)
    path = out / SCORES_FILE
    _check_settings(out, settings or {})
    done = _done(path)
    out.mkdir(parents=True, exist_ok=True)
    atomic_write(out / SETTINGS_FILE, (json.dumps(settings or {}, indent=2, sort_keys=True) + "\n").encode())
    todo = rows[~rows["index"].isin(done)]
    t0 = time.perf_counter()
    new_file = not path.exists()
    with open(path, "a", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=_FIELDS)
        if new_file:
            writer.writeheader()
        results = map_fn(partial(evaluate_safely, scorer), todo["arch"].tolist())
        for (_, row), (value, params, error, *_) in tqdm(
            zip(todo.iterrows(), results), total=len(todo), initial=len(rows) - len(todo),
            desc="scoring", disable=not progress,
        ):
            writer.writerow({"index": row["index"], "arch": row["arch"], "acc": row["acc"],
                             "score": float("nan") if value is None else value, "params": params,
                             "status": "failed" if value is None else "ok", "error": error or ""})
            f.flush()
    seconds = time.perf_counter() - t0
    scored = pd.read_csv(path)
    scored = scored[scored["index"].isin(rows["index"])]
    ok = scored[scored["status"] == "ok"]
    rho, tau, top = rank_agreement(ok["score"], ok["acc"]) if len(ok) > 1 else (float("nan"),) * 3
    per_arch = round(1e3 * seconds / len(todo), 3) if len(todo) else None  # None: nothing new was scored
    result = Correlation(rho, tau, top, len(ok), int((scored["status"] != "ok").sum()), round(seconds, 3), per_arch)
    atomic_write(out / RESULT_FILE, (json.dumps(result.as_json(), indent=2) + "\n").encode())
    _scatter(out / SCATTER_FILE, ok, result)
    return result


def check_out(out: Path) -> Path:
    """``out`` if correlate may write there: absent, empty, or holding only its own files (see :data:`OWN_FILES`)."""
    return check_folder(out, OWN_FILES, "--out", whose="correlate's")


def _check_settings(out: Path, settings: dict[str, Any]) -> None:
    """Refuse to continue ``out`` when its scores were made with other settings."""
    if not (out / SCORES_FILE).exists():
        return
    try:
        previous = json.loads((out / SETTINGS_FILE).read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        raise DataError(f"{out} holds scores whose settings are unknown (no {SETTINGS_FILE}); use another --out") from None
    if previous != json.loads(json.dumps(settings, sort_keys=True)):
        diff = ", ".join(f"{k}: {previous.get(k)!r} there, {settings.get(k)!r} now"
                         for k in sorted(set(previous) | set(settings)) if previous.get(k) != settings.get(k))
        raise DataError(f"{out} holds scores made with other settings ({diff}); use another --out")


def _done(path: Path) -> set[int]:
    if not path.exists():
        return set()
    try:
        previous = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        return set()
    if list(previous.columns) != _FIELDS:
        raise DataError(f"{path}: not a scores file of evonas correlate (columns {list(previous.columns)}); use another --out")
    return set(previous["index"].tolist())


def _scatter(path: Path, ok: pd.DataFrame, result: Correlation) -> None:
    with figure(path, (5, 4)) as ax:
        ax.scatter(ok["score"], ok["acc"], s=6, alpha=0.5)
        ax.set(xlabel="proxy score", ylabel="accuracy (%)",
               title=f"Spearman ρ = {result.spearman:.3f}, Kendall τ = {result.kendall:.3f} (n = {result.n})")
