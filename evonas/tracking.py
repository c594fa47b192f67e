"""Experiment trackers: a search's parameters, per-cycle metrics and results sent to MLflow or TensorBoard.

One small protocol (:class:`Tracker`) with one implementation per tool, registered by name
in :data:`TRACKERS` (``--track mlflow,tensorboard``). A search opens them with
:func:`tracked` around its loop, calls :meth:`Tracking.cycle` where it writes its per-cycle
log (the row of ``log.csv``, or of ``hypervolume.csv`` for a multi-objective search), and
on leaving the block the trackers get the best architecture, its cell drawing and the run
folder; a search that fails or is interrupted is ended as such.

Where the data goes:

* **mlflow** -- the store of ``MLFLOW_TRACKING_URI`` when it is set (a server, a database,
  a ``file:`` store of the user's). Unset, a file store ``mlruns`` *beside* the run folder
  (``runs/NAME`` logs to ``runs/mlruns``), so every run of ``runs/`` lands in one store
  and the MLflow UI compares them. MLflow 3 refuses file stores unless
  ``MLFLOW_ALLOW_FILE_STORE=true`` and ``mlflow-skinny`` has no SQL store, so the variable
  is set for our own calls only; to view: ``MLFLOW_ALLOW_FILE_STORE=true mlflow ui
  --backend-store-uri runs/mlruns``. The experiment is ``MLFLOW_EXPERIMENT_NAME`` (default
  ``evonas``), the MLflow run is named after the folder, and a resumed search continues its
  MLflow run (found by the tag ``evonas.run_dir``).
* **tensorboard** -- event files in ``RUN_DIR/tensorboard`` (``tensorboard --logdir runs``
  shows every run), written with ``tensorboardX``, which needs neither TensorFlow nor the
  TensorBoard server.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import math
import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, ClassVar, Iterator, Mapping, Protocol, Sequence

import pandas as pd

from evonas.config import SearchBase
from evonas.diagrams import draw_architecture
from evonas.encodings import get_space
from evonas.errors import ConfigError
from evonas.registry import Registry

#: the MLflow experiment of a run when ``MLFLOW_EXPERIMENT_NAME`` is unset
EXPERIMENT = "evonas"
#: the MLflow file store used when ``MLFLOW_TRACKING_URI`` is unset, beside the run folder
MLFLOW_DIR = "mlruns"
#: the TensorBoard log directory inside the run folder
TENSORBOARD_DIR = "tensorboard"
#: the tag that finds a run folder's MLflow run again on resume
RUN_TAG = "evonas.run_dir"


class Tracker(Protocol):
    """One experiment tracker, for one run folder.

    Called in this order: :meth:`start` once (on resume too), :meth:`log` after every
    cycle, :meth:`end` once. A tracker never changes the run folder's own files.

    Attributes:
        writes_into_run: whether the tracker writes into the run folder (its files are then
            complete before another tracker copies the folder).
    """

    writes_into_run: ClassVar[bool]

    def start(self, params: Mapping[str, str], *, resume: bool) -> None:
        """Record the run's configuration (flattened to text); ``resume``: continue what an earlier start began."""

    def log(self, metrics: Mapping[str, float], step: int) -> None:
        """Record one cycle's metrics (``step``: the cycle)."""

    def end(self, status: str, best: Mapping[str, Any] | None, drawing: Path | None) -> None:
        """Finish: ``status`` is ``finished``, ``failed`` or ``killed``; the best architecture and its cell
        drawing when the run has them, and the run folder itself."""


@dataclasses.dataclass(frozen=True)
class TrackerSpec:
    """A registered tracker: how to make one for a run folder, and the pip extra it needs."""

    make: Callable[[Path], Tracker]
    module: str
    extra: str


TRACKERS: Registry[TrackerSpec] = Registry(
    "tracker", "Add one with evonas.tracking.TRACKERS.register(name)(TrackerSpec(make, module, extra)).")


def check_trackers(names: Sequence[str]) -> None:
    """Each name registered and its package installed; a missing one is one line naming the ``pip install``."""
    for name in names:
        spec = TRACKERS.get(name)
        if importlib.util.find_spec(spec.module) is None:
            raise ConfigError(f"--track {name} needs the package {spec.module}: pip install 'evonas[{spec.extra}]'")


@contextmanager
def tracked(config: SearchBase, out: Path | None, *, resume: bool) -> Iterator[Tracking]:
    """The trackers of ``config.track`` for the run folder ``out``, ended when the block ends.

    A block left normally ends them as finished, with the best architecture read from the
    folder; an exception ends them as failed (interrupted: killed) and propagates.
    """
    names = list(config.track or [])  # a field of every search config (SearchBase)
    if names and out is None:
        raise ConfigError("--track logs a run folder: run the search with a folder (evonas search --out, run_search)")
    check_trackers(names)
    trackers = [TRACKERS.get(name).make(Path(out)) for name in names]  # type: ignore[arg-type]
    tracking = Tracking(trackers, None if out is None else Path(out))
    params = flatten(dataclasses.asdict(config)) if names else {}
    for tracker in trackers:
        tracker.start(params, resume=resume)
    try:
        yield tracking
    except BaseException as err:
        tracking.end("killed" if isinstance(err, KeyboardInterrupt) else "failed")
        raise
    tracking.end("finished")


class Tracking:
    """The trackers of one run, fanned out: what a search loop calls."""

    def __init__(self, trackers: Sequence[Tracker], out: Path | None) -> None:
        self.trackers = list(trackers)
        self.out = out

    def cycle(self, row: Mapping[str, Any]) -> None:
        """One per-cycle log row (``cycle`` is the step; every other number a metric)."""
        if not self.trackers:
            return
        metrics = {k: float(v) for k, v in row.items()
                   if k != "cycle" and isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)}
        for tracker in self.trackers:
            tracker.log(metrics, int(row["cycle"]))

    def end(self, status: str) -> None:
        """End every tracker, those writing into the folder first (so the folder copied by others is complete)."""
        if not self.trackers:
            return
        best = read_best(self.out) if self.out is not None else None
        with tempfile.TemporaryDirectory() as tmp:
            drawing = best_drawing(self.out, best, Path(tmp)) if best is not None and self.out is not None else None
            for tracker in sorted(self.trackers, key=lambda t: not t.writes_into_run):
                tracker.end(status, best, drawing)


def flatten(config: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """A config as ``name -> text`` (nested tables as ``net.C``, lists comma-separated, unset values left out)."""
    out: dict[str, str] = {}
    for key, value in config.items():
        if isinstance(value, Mapping):
            out.update(flatten(value, f"{prefix}{key}."))
        elif value is not None:
            out[prefix + key] = ",".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
    return out


def read_best(out: Path) -> dict[str, Any] | None:
    """The run's best architecture: ``best.json``, or a multi-objective run's highest-scoring front member; None if
    the folder has neither yet."""
    best = out / "best.json"
    if best.is_file():
        return json.loads(best.read_text())
    front = out / "front.csv"
    if front.is_file():
        table = pd.read_csv(front)
        table = table[table["rank"] == 0] if "rank" in table else table
        if len(table):
            top = table.sort_values("score", ascending=False).iloc[0]
            space = json.loads((out / "config.json").read_text()).get("space")
            return {"space": space, "native": str(top["native"]), "score": float(top["score"]),
                    "params": int(top["params"]),
                    **{k: float(top[k]) for k in table.columns if str(k).startswith("cost_")}}
    return None


def best_drawing(out: Path, best: Mapping[str, Any], tmp: Path) -> Path | None:
    """The best architecture's cell drawing: the run's ``cell.png``, else drawn into ``tmp``."""
    if (out / "cell.png").is_file():
        return out / "cell.png"
    return draw_architecture(get_space(best["space"]), best["native"], tmp / "cell.png")


# ---- MLflow ------------------------------------------------------------------------------
class MlflowTracker:
    """Logs to MLflow through its client (``mlflow-skinny`` is enough); see the module docstring for where."""

    writes_into_run = False
    STATUS = {"finished": "FINISHED", "failed": "FAILED", "killed": "KILLED"}

    def __init__(self, out: Path) -> None:
        self.out = Path(out)
        self.uri = os.environ.get("MLFLOW_TRACKING_URI") or default_mlflow_uri(self.out)
        self.run_id: str | None = None

    @contextmanager
    def _client(self) -> Iterator[Any]:
        """An MLflow client; our default file store is allowed for the length of the call only."""
        from mlflow.exceptions import MlflowException
        from mlflow.tracking import MlflowClient

        ours = not os.environ.get("MLFLOW_TRACKING_URI")
        before = os.environ.get("MLFLOW_ALLOW_FILE_STORE")
        if ours:
            os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"
        try:
            yield MlflowClient(tracking_uri=self.uri)
        except MlflowException as err:
            first = str(err).split(". ")[0]
            raise ConfigError(f"--track mlflow: MLflow refused the store {self.uri} ({first}); see MLflow's docs on "
                              "tracking URIs (MLFLOW_TRACKING_URI, MLFLOW_ALLOW_FILE_STORE)") from None
        finally:
            if ours:
                if before is None:
                    os.environ.pop("MLFLOW_ALLOW_FILE_STORE", None)
                else:
                    os.environ["MLFLOW_ALLOW_FILE_STORE"] = before

    def start(self, params: Mapping[str, str], *, resume: bool) -> None:
        with self._client() as client:
            name = os.environ.get("MLFLOW_EXPERIMENT_NAME") or EXPERIMENT
            experiment = client.get_experiment_by_name(name)
            experiment_id = experiment.experiment_id if experiment is not None else client.create_experiment(name)
            where = str(self.out.resolve())
            earlier = client.search_runs([experiment_id], filter_string=f"tags.`{RUN_TAG}` = '{where}'",
                                         order_by=["attributes.start_time DESC"], max_results=1) if resume else []
            if earlier:
                self.run_id = earlier[0].info.run_id
                client.update_run(self.run_id, status="RUNNING")
                logged = earlier[0].data.params
                params = {k: v for k, v in params.items() if k not in logged}  # MLflow never changes a param
            else:
                self.run_id = client.create_run(experiment_id, run_name=self.out.name, tags={RUN_TAG: where}).info.run_id
            from mlflow.entities import Param

            items = [Param(k, v[:6000]) for k, v in params.items()]
            for i in range(0, len(items), 100):  # MLflow takes at most 100 params per batch
                client.log_batch(self.run_id, params=items[i:i + 100])
        print(f"mlflow: run {self.out.name} ({self.run_id}) in {self.uri}", file=sys.stderr)

    def log(self, metrics: Mapping[str, float], step: int) -> None:
        from mlflow.entities import Metric
        from mlflow.utils.time import get_current_time_millis

        now = get_current_time_millis()
        with self._client() as client:
            client.log_batch(self.run_id, metrics=[Metric(k, v, now, step) for k, v in metrics.items()])

    def end(self, status: str, best: Mapping[str, Any] | None, drawing: Path | None) -> None:
        with self._client() as client:
            if best is not None:
                client.set_tag(self.run_id, "best.native", best["native"])
                client.log_dict(self.run_id, dict(best), "best.json")
                if drawing is not None:
                    client.log_artifact(self.run_id, str(drawing))
            client.log_artifacts(self.run_id, str(self.out), artifact_path="run")
            client.set_terminated(self.run_id, status=self.STATUS[status])


def default_mlflow_uri(out: Path) -> str:
    """The file store beside the run folder (``runs/NAME`` -> ``runs/mlruns``), as a ``file:`` URI."""
    return (Path(out).resolve().parent / MLFLOW_DIR).as_uri()


# ---- TensorBoard -------------------------------------------------------------------------
class TensorBoardTracker:
    """Event files in ``RUN_DIR/tensorboard`` (tensorboardX): scalars per cycle, the config and the best
    architecture as text, its cell drawing as an image."""

    writes_into_run = True

    def __init__(self, out: Path) -> None:
        self.out = Path(out)
        self.writer: Any = None
        self.step = 0

    def start(self, params: Mapping[str, str], *, resume: bool) -> None:
        from tensorboardX import SummaryWriter

        self.writer = SummaryWriter(str(self.out / TENSORBOARD_DIR))
        table = "\n".join(["| key | value |", "|---|---|", *(f"| {k} | `{v}` |" for k, v in params.items())])
        self.writer.add_text("config", table)
        self.writer.flush()

    def log(self, metrics: Mapping[str, float], step: int) -> None:
        for name, value in metrics.items():
            self.writer.add_scalar(f"search/{name}", value, step)
        self.step = step
        self.writer.flush()  # a killed search keeps every cycle it logged

    def end(self, status: str, best: Mapping[str, Any] | None, drawing: Path | None) -> None:
        text = f"status: {status}"
        if best is not None:
            facts = {k: v for k, v in best.items() if not isinstance(v, (list, dict))}
            text = "\n".join([f"`{best['native']}`", "", text, *(f"* {k}: {v}" for k, v in facts.items() if k != "native")])
        self.writer.add_text("best", text, self.step)
        if drawing is not None:
            from matplotlib.image import imread

            image = imread(drawing)[..., :3]
            self.writer.add_image("best/cell", image, self.step, dataformats="HWC")
        self.writer.close()


TRACKERS.register("mlflow")(TrackerSpec(MlflowTracker, "mlflow", "mlflow"))
TRACKERS.register("tensorboard")(TrackerSpec(TensorBoardTracker, "tensorboardX", "tensorboard"))
