"""``evonas report``: one self-contained HTML page about one or more run folders, to look at rather than read.

For each run: its configuration and provenance (the command that repeats it, when it was
written), convergence, score against size, the front of a multi-objective search (one plot
per cost), the best architectures drawn as cells with their costs and, when ground truth
was given, their true accuracy; a training folder's learning curve. For several runs: a
comparison table, convergence overlaid for runs of the same space, and the configuration
keys in which they differ.

Only what a folder holds is read, so a running, stopped, resumed, failed or finished
search, a multi-objective search and a training folder all report; what is missing is
said. Images are PNGs inlined as ``data:`` URIs and the style sheet is inline: the file
needs no network and no JavaScript to view.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import html
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from evonas.config import MooConfig, SearchConfig, flag
from evonas.diagrams import draw_architecture
from evonas.encodings import Genome, SearchSpace, get_space
from evonas.errors import ConfigError, DataError, EvonasError
from evonas.files import atomic_write, check_files
from evonas.moo.front import plot_front
from evonas.plots import figure
from evonas.results import scored_frame
from evonas.truth import GroundTruth

#: best architectures drawn per run
TOP = 3
#: front members drawn per multi-objective run (spread along the first cost)
FRONT_DRAWN = 4
#: what a report calls each kind of search
KINDS = {SearchConfig: "search", MooConfig: "multi-objective search"}


@dataclass
class Picture:
    """One PNG of the page."""

    title: str
    png: bytes


@dataclass
class Architecture:
    """One architecture shown: its text, the facts about it (score, size, costs, true accuracy) and its cells."""

    native: str
    facts: dict[str, Any]
    drawing: bytes | None


@dataclass
class RunView:
    """What a report shows of one folder, read from the files it holds.

    Attributes:
        curve: the run's progress for overlays: columns ``evaluations`` and ``value``.
        curve_name: what ``value`` is (the best score's name, ``hypervolume``, ``validation accuracy``).
        notes: what is missing from the folder, and why.
    """

    path: Path
    kind: str
    config: dict[str, Any]
    status: str
    facts: dict[str, Any] = field(default_factory=dict)
    pictures: list[Picture] = field(default_factory=list)
    architectures: list[Architecture] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    curve: pd.DataFrame | None = None
    curve_name: str = ""
    command: str = ""
    training: RunView | None = None

    @property
    def name(self) -> str:
        return self.path.name or str(self.path)

    @property
    def space(self) -> str:
        return str(self.config.get("space", "?"))


# ---- reading a folder --------------------------------------------------------------------
def read_run(path: Path) -> RunView:
    """The report's view of the run folder ``path``: a search, a multi-objective search or a training folder."""
    path = Path(path)
    if not path.is_dir():
        raise DataError(f"{path}: no such run folder")
    if (path / "train.json").is_file():
        return _read_training(path)
    if not (path / "config.json").is_file():
        raise DataError(f"{path}: not a run folder (no config.json of evonas search, no train.json of evonas train)")
    config = _json(path / "config.json")
    if config is None:
        raise DataError(f"{path}/config.json: not JSON; the folder cannot be reported")
    config = {**config, **(_json(path / "resolved.json") or {})}  # what the run ran on: the defaults it chose filled in
    return (_read_moo if "objectives" in config else _read_search)(path, config)


def _open(path: Path, config: dict[str, Any], kind: type[SearchConfig] | type[MooConfig],
          result: str) -> tuple[RunView, SearchSpace | None, dict[str, Any] | None, pd.DataFrame | None, Any]:
    """The opening every search folder's reading shares: (view, space, checkpoint, scores, result).

    ``result`` is the file the search writes when it ends (``best.json``, ``front.csv``;
    None: not written yet); the status follows from it, the scores and the checkpoint.
    """
    view = RunView(path, KINDS[kind], config, "", command=_command(config, kind))
    space = _space(view)
    checkpoint = _json(path / "checkpoint.json")
    done = READERS[Path(result).suffix](path / result)
    scored = _scored(view, space, checkpoint)
    view.status = _status(path, finished=done is not None, failed=scored is not None and done is None and checkpoint is None)
    return view, space, checkpoint, scored, done


def _read_search(path: Path, config: dict[str, Any]) -> RunView:
    view, space, checkpoint, scored, best = _open(path, config, SearchConfig, "best.json")
    log = _csv(path / "log.csv")
    if log is None:
        view.notes.append("log.csv: not written yet (it gets a row after every cycle)")
    if best is None:
        view.notes.append("best.json, plots: not written yet (they are written when the search ends)")
    score_name = (best or {}).get("score_name") or config.get("proxy") or config.get("evaluator", "score")
    truth = _truth(view)
    if log is not None and len(log):
        spent = log["evals"].cumsum()
        view.curve, view.curve_name = pd.DataFrame({"evaluations": spent, "value": log["best"]}), f"best {score_name}"
        view.pictures.append(Picture("Convergence", _png(lambda p: _plot_convergence(p, spent, log, score_name))))
        view.facts.update(cycles=int(log["cycle"].iloc[-1]), seconds=round(float(log["seconds"].sum()), 1))
    hall = [(Genome.from_json(d["genome"]), d["score"], d["params"]) for d in (checkpoint or {}).get("halloffame", [])]
    champions = [(space.to_native(g), s, p) for g, s, p in hall if s is not None][:TOP] if space is not None else []
    if not champions and best is not None:
        champions = [(best["native"], best["score"], best["params"])]
    for rank, (native, score, params) in enumerate(champions, 1):
        facts = {score_name: score, "params (scored network)": params, **_costs(scored, native), **_true(truth, native)}
        if rank == 1 and best is not None and best.get("true_acc") is not None:
            facts.setdefault("true accuracy (%)", best["true_acc"])
        view.architectures.append(Architecture(native, facts, _drawing(space, native)))
    if scored is not None:
        ok = scored[scored["status"] == "ok"]
        view.facts.update(evaluations=len(scored), failed=int((scored["status"] == "failed").sum()))
        if len(ok):
            view.pictures.append(Picture("Score against size", _png(
                lambda p: _plot_score_vs_size(p, ok, champions[:1], score_name, config.get("mu")))))
    if champions:
        native, score, params = champions[0]
        view.facts.update({"best " + score_name: score, "best params": params, "best architecture": native,
                           **{f"best {k}": v for k, v in _true(truth, native).items()}})
    _read_nested_training(view)
    return view


def _read_moo(path: Path, config: dict[str, Any]) -> RunView:
    view, space, _, scored, front_all = _open(path, config, MooConfig, "front.csv")
    history = _csv(path / "hypervolume.csv")
    objectives = config.get("objectives") or ["score", "params"]
    costs = objectives[1:]
    if history is not None and len(history):
        view.curve, view.curve_name = history.rename(columns={"hypervolume": "value"}), "hypervolume"
        view.pictures.append(Picture("Hypervolume", _png(lambda p: _plot_hypervolume(p, history))))
        view.facts.update(generations=int(history["cycle"].iloc[-1]) + 1,
                          hypervolume=float(history["hypervolume"].iloc[-1]))
    else:
        view.notes.append("hypervolume.csv: not written yet (it gets a row after every generation)")
    if scored is not None:
        view.facts.update(evaluations=len(scored))
    if front_all is None:
        view.notes.append("front.csv, front plots: not written yet (they are written when the search ends)")
        return view
    front = front_all[front_all["rank"] == 0]
    view.facts["front size"] = len(front)
    for cost in costs:
        if scored is not None:
            title = f"Front: {objectives[0]} against {cost}"
            view.pictures.append(Picture(title, _png(lambda p, c=cost: plot_front(
                p, scored[scored["status"] == "ok"], front_all, score_name=objectives[0], cost=c,
                budget=(config.get("budget") or {}).get(c), title=title))))
    truth_report = _json(path / "truth.json")
    true = {m["native"]: m for m in (truth_report or {}).get("members", [])}
    if truth_report is not None and "hypervolume_ratio" in truth_report:
        view.facts["hypervolume of the true front (%)"] = round(100 * float(truth_report["hypervolume_ratio"]), 1)
    order = front.sort_values(f"cost_{costs[0]}" if f"cost_{costs[0]}" in front else "params")
    picks = sorted(set(np.linspace(0, len(order) - 1, min(len(order), FRONT_DRAWN)).round().astype(int)))
    for _, row in order.iloc[picks].iterrows():
        facts = {objectives[0]: row["score"], "params (scored network)": row["params"],
                 **{k[5:]: row[k] for k in order.columns if str(k).startswith("cost_")}}
        if row["native"] in true and true[row["native"]].get("true_acc") is not None:
            facts["true accuracy (%)"] = true[row["native"]]["true_acc"]
            facts["on the true front"] = true[row["native"]]["on_true_front"]
        view.architectures.append(Architecture(row["native"], facts, _drawing(space, row["native"])))
    return view


def _read_training(path: Path) -> RunView:
    from evonas.train.trainer import plot_learning_curve

    spec = _json(path / "train.json") or {}
    config = {**spec.get("config", {}), **({"recipe": spec["recipe"].get("name", spec["recipe"])}
                                           if isinstance(spec.get("recipe"), dict) else {})}
    view = RunView(path, "training", config, "")
    result = _json(path / "result.json")
    view.status = _status(path, finished=result is not None, failed=False)
    metrics = _csv(path / "metrics.csv")
    if metrics is not None and len(metrics):
        view.pictures.append(Picture("Learning curve", _png(
            lambda p: plot_learning_curve(p, metrics.to_dict("records")))))
        view.curve = pd.DataFrame({"evaluations": metrics["epoch"], "value": metrics["valid_acc"]})
        view.curve_name = "validation accuracy (%)"
        last = metrics.iloc[-1]
        view.facts.update(epochs=int(last["epoch"]), **{f"{k} (%)": round(float(last[k]), 2)
                                                         for k in ("valid_acc", "test_acc") if pd.notna(last[k])})
    else:
        view.notes.append("metrics.csv: no epoch finished yet")
    if result is None:
        view.notes.append("result.json, model.pt: not written yet (they are written when the training ends)")
    space = _space(view)
    if config.get("arch"):
        facts = {"params": (result or {}).get("params"), **{k: view.facts[k] for k in view.facts if "acc" in k}}
        view.architectures.append(Architecture(config["arch"], facts, _drawing(space, config["arch"])))
    return view


def _read_nested_training(view: RunView) -> None:
    """A search folder's ``train/`` (``evonas train RUN_DIR``), shown inside the search's section."""
    if (view.path / "train" / "train.json").is_file():
        view.training = _read_training(view.path / "train")


def _status(path: Path, *, finished: bool, failed: bool) -> str:
    if finished:
        return "finished"
    if failed:
        return "failed (no architecture could be evaluated; see scored.csv)"
    if (path / "checkpoint.json").is_file():
        when = _time((path / "checkpoint.json").stat().st_mtime)
        return f"running or stopped (last checkpoint {when}; an ended one continues with --resume {path})"
    return "stopped before its first checkpoint (a failed start: only its configuration is there)"


def _space(view: RunView) -> SearchSpace | None:
    try:
        return get_space(view.space)
    except EvonasError as err:
        view.notes.append(f"space {view.space!r}: {err} (no architecture can be drawn)")
        return None


def _scored(view: RunView, space: SearchSpace | None, checkpoint: dict[str, Any] | None) -> pd.DataFrame | None:
    """``scored.csv``, or the scores of the checkpoint's cache while the search runs."""
    scored = _csv(view.path / "scored.csv", dtype={"native": str})
    if scored is not None:
        return scored
    if checkpoint is None or space is None or "cache" not in checkpoint:
        view.notes.append("scored.csv: not written yet, and no checkpoint to read scores from")
        return None
    from evonas.checkpoint import read_cache_and_log

    cache = read_cache_and_log(checkpoint, view.path, space.network_key)[0]
    view.notes.append("scored.csv: not written yet; scores read from checkpoint.json")
    return scored_frame(space, cache)


def _truth(view: RunView) -> GroundTruth | None:
    source = view.config.get("ground_truth")
    if not source:
        return None
    try:
        return GroundTruth.read(source, view.space)
    except EvonasError as err:
        view.notes.append(f"ground truth: {err} (true accuracies of the hall of fame are not shown)")
        return None


def _true(truth: GroundTruth | None, native: str) -> dict[str, Any]:
    if truth is None:
        return {}
    report = truth.report(native)
    return {} if report["true_acc"] is None else {"true accuracy (%)": report["true_acc"], "true rank": report["true_rank"]}


def _costs(scored: pd.DataFrame | None, native: str) -> dict[str, Any]:
    if scored is None:
        return {}
    row = scored[scored["native"] == native]
    return {c[5:]: row[c].iloc[0] for c in scored.columns if str(c).startswith("cost_")} if len(row) else {}


def _drawing(space: SearchSpace | None, native: str) -> bytes | None:
    if space is None:
        return None
    try:
        return _png(lambda p: draw_architecture(space, native, p))
    except EvonasError:
        return None


def _command(config: Mapping[str, Any], kind: type) -> str:
    """The ``evonas search`` command that starts this run again (every value that differs from its default)."""
    defaults = {f.name: f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default  # type: ignore[misc]
                for f in dataclasses.fields(kind)}
    parts = ["evonas search"]
    for key, value in config.items():
        if key not in defaults or value == defaults[key] or value is None:
            continue
        if value is True:
            parts.append(flag(key))
            continue
        text = (",".join(map(str, value)) if isinstance(value, list)
                else ",".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else str(value))
        parts.append(f"{flag(key)} {_quote(text)}")
    return " ".join(parts)


def _quote(text: str) -> str:
    return text if text and all(c.isalnum() or c in "._-,=/:+" for c in text) else "'" + text.replace("'", "'\\''") + "'"


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _csv(path: Path, **options: Any) -> pd.DataFrame | None:
    try:
        return pd.read_csv(path, **options)
    except (OSError, ValueError, pd.errors.ParserError):
        return None


#: how a folder's file is read, by its suffix (None: absent or unreadable)
READERS: dict[str, Callable[[Path], Any]] = {".json": _json, ".csv": _csv}


def _time(stamp: float) -> str:
    return datetime.datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M")


# ---- figures -----------------------------------------------------------------------------
def _png(draw: Callable[[Path], Any]) -> bytes:
    """What ``draw(path)`` saves, as PNG bytes (the figure functions of the package draw into files)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "figure.png"
        draw(path)
        return path.read_bytes()


def _plot_convergence(path: Path, spent: pd.Series, log: pd.DataFrame, score_name: str) -> None:
    with figure(path) as ax:
        ax.plot(spent, log["best"], label="best in population")
        ax.plot(spent, log["mean"], label="population mean")
        ax.set(xlabel="architectures evaluated", ylabel=score_name)
        ax.legend()


def _plot_score_vs_size(path: Path, ok: pd.DataFrame, best: list, score_name: str, mu: float | None) -> None:
    with figure(path) as ax:
        ax.scatter(ok["params"], ok["score"], s=8, alpha=0.6, label=f"all {len(ok)} scored")
        for _, score, params in best:
            ax.scatter([params], [score], s=140, marker="*", color="C3", zorder=3, label="best")
        if mu is not None:
            ax.axvline(mu * 1e3, color="k", linestyle="--", linewidth=1, label="μ (size the factor favours)")
        ax.set(xlabel="parameters of the scored network", ylabel=score_name)
        ax.legend()


def _plot_hypervolume(path: Path, history: pd.DataFrame) -> None:
    with figure(path) as ax:
        ax.plot(history["evaluations"], history["hypervolume"], marker="o" if len(history) < 30 else None)
        ax.set(xlabel="architectures evaluated", ylabel="hypervolume (normalised)")


def _plot_overlay(path: Path, runs: Sequence[RunView], ylabel: str) -> None:
    with figure(path, size=(7, 4.2)) as ax:
        for run in runs:
            ax.plot(run.curve["evaluations"], run.curve["value"], label=run.name)
        ax.set(xlabel="epoch" if "validation" in ylabel else "architectures evaluated", ylabel=ylabel)
        ax.legend()


# ---- the page ----------------------------------------------------------------------------
def render(runs: Sequence[RunView]) -> str:
    """The HTML page of ``runs`` (self-contained: inline style, images as ``data:`` URIs, no script)."""
    from evonas import __version__

    names = [r.name for r in runs]
    title = "evonas report: " + ", ".join(names)
    parts = [f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{_e(title)}</title>"
             f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><style>{STYLE}</style></head><body>",
             f"<header><h1>evonas report</h1><p class=\"muted\">{len(runs)} run{'s' * (len(runs) > 1)}, written "
             f"{_time(datetime.datetime.now().timestamp())} by evonas {_e(__version__)}</p>",
             "<nav>" + " ".join(f"<a href=\"#run-{i}\">{_e(n)}</a>" for i, n in enumerate(names)) + "</nav></header>"]
    if len(runs) > 1:
        parts.append(_comparison(runs))
    parts += [_section(i, run) for i, run in enumerate(runs)]
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _comparison(runs: Sequence[RunView]) -> str:
    keys = ["kind", "status", "space", "method", "evaluations"]
    rows = []
    for i, run in enumerate(runs):
        method = run.config.get("strategy") or run.config.get("algorithm") or run.config.get("recipe") or ""
        headline = {k: v for k, v in run.facts.items() if k.startswith("best ") and k != "best architecture"}
        headline.update({k: run.facts[k] for k in ("hypervolume", "front size", "valid_acc (%)", "test_acc (%)")
                         if k in run.facts})
        rows.append((i, run, {"kind": run.kind, "status": run.status.split(" (")[0], "space": run.space,
                              "method": method, "evaluations": run.facts.get("evaluations", "")}, headline))
    extra = list(dict.fromkeys(k for *_, h in rows for k in h))
    head = "".join(f"<th>{_e(k)}</th>" for k in ["run", *keys, *extra])
    body = "".join(
        f"<tr><td><a href=\"#run-{i}\">{_e(run.name)}</a></td>"
        + "".join(f"<td>{_e(_fmt(base[k]))}</td>" for k in keys)
        + "".join(f"<td>{_e(_fmt(headline.get(k, '')))}</td>" for k in extra) + "</tr>"
        for i, run, base, headline in rows)
    out = ["<section class=\"comparison\"><h2>Comparison</h2>", f"<table><tr>{head}</tr>{body}</table>"]
    groups: dict[tuple[str, str], list[RunView]] = {}
    for run in runs:
        if run.curve is not None:
            groups.setdefault((run.space, run.curve_name), []).append(run)
    overlays = [(key, group) for key, group in groups.items() if len(group) > 1]
    out.append("<div class=\"figures\">" + "".join(
        _figure(Picture(f"{name} on {space}: {', '.join(r.name for r in group)}",
                        _png(lambda p, g=group, n=name: _plot_overlay(p, g, n))))
        for (space, name), group in overlays) + "</div>")
    if not overlays:
        out.append("<p class=\"muted\">No convergence overlaid: no two runs share a space and a measure of progress.</p>")
    out.append(_differences(runs))
    return "\n".join(out) + "</section>"


def _differences(runs: Sequence[RunView]) -> str:
    keys = list(dict.fromkeys(k for run in runs for k in run.config))
    differ = [k for k in keys if len({json.dumps(run.config.get(k), sort_keys=True) for run in runs}) > 1]
    if not differ:
        return "<h3>Configuration differences</h3><p>The runs have the same configuration.</p>"
    head = "".join(f"<th>{_e(run.name)}</th>" for run in runs)
    body = "".join(f"<tr><th>{_e(k)}</th>" + "".join(f"<td>{_e(_fmt(run.config.get(k, '—')))}</td>" for run in runs)
                   + "</tr>" for k in differ)
    return f"<h3>Configuration differences</h3><table class=\"config\"><tr><th>key</th>{head}</tr>{body}</table>"


def _section(i: int, run: RunView, nested: bool = False) -> str:
    status_class = "ok" if run.status == "finished" else "bad" if run.status.startswith(("failed", "stopped")) else "warn"
    heading = "h3" if nested else "h2"
    out = [f"<section id=\"run-{i}\" class=\"run\">" if not nested else "<section class=\"nested\">",
           f"<{heading}>{_e(run.name)} <span class=\"kind\">{_e(run.kind)}</span> "
           f"<span class=\"status {status_class}\">{_e(run.status)}</span></{heading}>",
           "<dl class=\"provenance\">", f"<dt>folder</dt><dd><code>{_e(str(run.path.resolve()))}</code></dd>"]
    created = run.path / ("train.json" if run.kind == "training" else "config.json")
    if created.exists():
        out.append(f"<dt>started</dt><dd>{_time(created.stat().st_mtime)}</dd>")
    latest = max((p.stat().st_mtime for p in run.path.iterdir() if p.is_file()), default=None)
    if latest is not None:
        out.append(f"<dt>last written</dt><dd>{_time(latest)}</dd>")
    if run.command:
        out.append(f"<dt>command</dt><dd><code>{_e(run.command)} --out {_e(run.name)}</code></dd>")
    out.append("</dl>")
    if run.facts:
        out.append("<table class=\"facts\">" + "".join(f"<tr><th>{_e(k)}</th><td>{_e(_fmt(v))}</td></tr>"
                                                        for k, v in run.facts.items()) + "</table>")
    if run.notes:
        out.append("<div class=\"notes\"><strong>Not in this folder</strong><ul>"
                   + "".join(f"<li>{_e(n)}</li>" for n in run.notes) + "</ul></div>")
    if run.pictures:
        out.append("<div class=\"figures\">" + "".join(_figure(p) for p in run.pictures) + "</div>")
    if run.architectures:
        label = "Front members" if run.kind.startswith("multi") else "Architecture" if run.kind == "training" \
            else "Best architectures"
        out.append(f"<h3>{label}</h3><div class=\"archs\">" + "".join(_architecture(a) for a in run.architectures)
                   + "</div>")
    out.append("<details><summary>Configuration</summary><table class=\"config\">"
               + "".join(f"<tr><th>{_e(k)}</th><td>{_e(_fmt(v))}</td></tr>" for k, v in run.config.items())
               + "</table></details>")
    if run.training is not None:
        out.append(_section(i, run.training, nested=True))
    return "\n".join(out) + "</section>"


def _figure(picture: Picture) -> str:
    src = "data:image/png;base64," + base64.b64encode(picture.png).decode("ascii")
    return f"<figure><img src=\"{src}\" alt=\"{_e(picture.title)}\"><figcaption>{_e(picture.title)}</figcaption></figure>"


def _architecture(arch: Architecture) -> str:
    image = "" if arch.drawing is None else _figure(Picture("cell drawing", arch.drawing)).replace(
        "<figcaption>cell drawing</figcaption>", "")
    facts = "".join(f"<tr><th>{_e(k)}</th><td>{_e(_fmt(v))}</td></tr>" for k, v in arch.facts.items() if v is not None)
    return f"<div class=\"arch\"><code class=\"native\">{_e(arch.native)}</code>{image}<table>{facts}</table></div>"


def _fmt(value: Any) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (float, np.floating)):
        return f"{value:,.0f}" if float(value).is_integer() and abs(value) >= 1000 else f"{value:.6g}"
    if isinstance(value, (int, np.integer)):
        return f"{value:,}" if abs(int(value)) >= 10000 else str(value)
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items()) or "—"
    return "—" if value is None else str(value)


def _e(text: str) -> str:
    return html.escape(str(text), quote=True)


STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1280px;padding:1.2rem 2rem;
color:#1d2330;background:#fafbfc;line-height:1.4}
header{border-bottom:2px solid #d5dbe5;margin-bottom:1rem}h1{margin:.2rem 0}
nav a{margin-right:.8rem}a{color:#1f5fbf}
section.run,section.comparison{background:#fff;border:1px solid #d5dbe5;border-radius:8px;padding:.8rem 1.2rem;margin:1.2rem 0}
section.nested{border-top:1px dashed #c3cad6;margin-top:1rem}
h2{margin:.3rem 0}.kind{font-size:.7em;color:#556;font-weight:normal;margin-left:.4rem}
.status{font-size:.6em;padding:.15rem .5rem;border-radius:1rem;margin-left:.4rem;vertical-align:middle;font-weight:normal}
.ok{background:#dff3e4;color:#1c6b32}.warn{background:#fff3d6;color:#7a5500}.bad{background:#fde2e1;color:#8a1f17}
.muted{color:#667}dl.provenance{display:grid;grid-template-columns:max-content auto;gap:.15rem .8rem;font-size:.9em}
dt{color:#556}dd{margin:0}code{font-size:.88em;word-break:break-all}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9em}th,td{border:1px solid #e1e5ec;padding:.2rem .5rem;
text-align:left;vertical-align:top}th{background:#f3f5f8;font-weight:600}
.notes{background:#fff8e6;border-left:4px solid #e5a400;padding:.3rem .8rem;margin:.6rem 0;font-size:.9em}
.notes ul{margin:.2rem 0}.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(400px,1fr));gap:1rem}
figure{margin:0}figure img{width:100%;height:auto;border:1px solid #eef0f3}.arch figure img{width:auto;max-width:100%}
figcaption{font-size:.85em;color:#556;text-align:center}
.archs{display:grid;grid-template-columns:repeat(auto-fill,minmax(380px,1fr));gap:1rem}
.arch{border:1px solid #e1e5ec;border-radius:6px;padding:.5rem}.arch img{max-height:300px}
code.native{display:block;background:#f3f5f8;padding:.3rem;margin-bottom:.3rem}
details{margin:.6rem 0}summary{cursor:pointer;color:#1f5fbf}
"""


# ---- writing -----------------------------------------------------------------------------
def write_report(runs: Iterable[Path], out: Path) -> Path:
    """Read every folder of ``runs``, then write their report to the new file ``out`` (an existing file is refused)."""
    out = Path(out)
    check_files([out], "--out")
    views = [read_run(Path(p)) for p in runs]
    if not views:
        raise ConfigError("give at least one run folder")
    atomic_write(out, render(views).encode("utf-8"))
    return out
