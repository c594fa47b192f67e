"""The run folder: one mechanism for every command that writes one (search, multi-objective search, training).

A run folder holds ``config.json`` (what the user asked for), ``resolved.json`` (what the
run runs on: the defaults and calibrations it chose), and ``checkpoint.json`` (the state
after the last finished step: a cycle, a generation, an epoch), each replaced atomically, beside the run's tables and plots. Checkpoints are JSON (tensors, where a run
has them, go beside it through :func:`atomic_write` too); nothing is ever unpickled. A
new run refuses a folder that holds a run, or anything that is not a run's file, before
it writes a byte.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from dataclasses import dataclass
from typing import Any, Callable

from evonas.errors import ConfigError
from evonas.files import atomic_write, check_folder  # noqa: F401  (atomic_write: re-exported for the run folder's writers)

CONFIG_FILE = "config.json"
#: the config a run runs on: the user's with every default it chose filled in (e.g. a calibration)
RESOLVED_FILE = "resolved.json"
#: written after every step; a folder holds a run (that --resume continues) once it has one
CHECKPOINT_FILE = "checkpoint.json"
#: what a checkpoint appends to instead of rewriting (the cache and the log grow with the run)
JOURNAL_FILE = "journal.jsonl"
#: the architectures a warm-started run (``--init``) seeded its population with (:mod:`evonas.warmstart`)
INIT_FILE = "init.json"
#: every latency the run measured (:mod:`evonas.costs.latency`), timed on the run's ``--device``
LATENCY_FILE = "latency.csv"
#: what a run may write into its folder; a new run starts only in a folder holding nothing else
RUN_FILES = frozenset({
    CONFIG_FILE, RESOLVED_FILE, CHECKPOINT_FILE, "checkpoint.pt", "log.csv", "scored.csv", "best.json", "best.txt",
    "convergence.png", "score_vs_params.png", "cell.png", "front.csv", "front.png", "hypervolume.csv",
    "truth.json", "truth.png", "weights", "train.json", "metrics.csv", "learning_curve.png", "model.pt",
    "result.json", "costs.json", LATENCY_FILE, JOURNAL_FILE, "tensorboard", "front_flops.png", "front_latency.png", "front_params.png",
    INIT_FILE,
})


def check_new(out: Path, flag: str = "--out") -> None:
    """Raise :class:`ConfigError` unless ``out`` may hold a new run: absent, empty, or only a failed start's files.

    A folder with a checkpoint holds a run (resume it instead); a file, or a folder with
    anything a run does not write, is someone else's and is never overwritten.
    """
    out = Path(out)
    if (out / CHECKPOINT_FILE).exists():
        raise ConfigError(f"{out} already holds a run; resume it with --resume {out} or choose another {flag}")
    check_folder(out, RUN_FILES, flag)


def write_json(out: Path, name: str, data: Any) -> None:
    """``name`` in ``out`` as JSON, atomically (a config, a checkpoint)."""
    out.mkdir(parents=True, exist_ok=True)
    atomic_write(out / name, (json.dumps(data, indent=None if name == CHECKPOINT_FILE else 2) + "\n").encode())


@dataclass(frozen=True)
class CheckpointFormat:
    """How a kind of run keeps its checkpoint, so that a resume is checked before anything is written.

    Attributes:
        kind: what ``checkpoint.json`` says it holds (``search``, ``moo``).
        needs: the keys it must have.
        progress: ``progress(state) -> (cycles, evaluations, stalled)``: how far the run got.
        result: the file written once the run has finished (its results are complete).
    """

    kind: str
    needs: tuple[str, ...]
    progress: Callable[[dict[str, Any]], tuple[int, int, int]]
    result: str


def save_checkpoint(out: Path, kind: str, state: dict[str, Any]) -> None:
    """The state of a ``kind`` run (``search``, ``moo``, ``train``) after its last step, atomically."""
    write_json(out, CHECKPOINT_FILE, {"kind": kind, **state})


def load_checkpoint(out: Path, kind: str, needs: tuple[str, ...] = ()) -> dict[str, Any]:
    """The state saved by :func:`save_checkpoint`; a missing, damaged or other kind of checkpoint is one error line."""
    path = Path(out) / CHECKPOINT_FILE
    if not path.is_file():
        raise ConfigError(f"--resume {out}: no {CHECKPOINT_FILE} there (was a run started in this folder?)")
    try:
        data = json.loads(path.read_text())
        other = data.get("kind", kind)
        for key in needs if other == kind else ():
            data[key]  # noqa: B018 (presence check)
    except (KeyError, ValueError, TypeError, OSError, AttributeError) as err:
        raise ConfigError(f"--resume {out}: {CHECKPOINT_FILE} is damaged ({type(err).__name__}: {err})") from None
    if other != kind:
        raise ConfigError(f"--resume {out}: {CHECKPOINT_FILE} holds a {other} run, but {CONFIG_FILE} a {kind} run's "
                          "settings; resume a folder that one command wrote whole")
    return data


def append_journal(out: Path, size: int, records: list[Any]) -> int:
    """Append ``records`` as JSON lines to the journal, first cutting it back to the ``size`` bytes a checkpoint owns.

    A checkpoint stores only the journal's size: what a killed run appended after its last
    checkpoint is cut off here, so the journal always ends where the checkpoint says.
    Returns the new size (for the next checkpoint).
    """
    path = Path(out) / JOURNAL_FILE
    payload = "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in records).encode()
    with open(path, "r+b" if path.exists() else "wb") as f:
        f.truncate(size)
        f.seek(size)
        f.write(payload)
        f.flush()
        os.fsync(f.fileno())
    return size + len(payload)


def read_journal(out: Path, size: int) -> list[Any]:
    """The records of the journal's first ``size`` bytes (what the checkpoint owns); a short journal is damage."""
    path = Path(out) / JOURNAL_FILE
    try:
        with open(path, "rb") as f:
            data = f.read(size)
        if len(data) != size:
            raise ValueError(f"it has {len(data)} bytes, the checkpoint owns {size}")
        return [json.loads(line) for line in data.splitlines()]
    except (OSError, ValueError) as err:
        raise ConfigError(f"--resume {out}: {JOURNAL_FILE} is damaged ({type(err).__name__}: {err})") from None


def read_json(out: Path, name: str) -> dict[str, Any]:
    """A JSON file of a run folder (``config.json`` for --resume); missing or damaged is one error line."""
    path = Path(out) / name
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"--resume {out}: no {name} there (was a run started in this folder?)") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ConfigError(f"--resume {out}: {name} is damaged ({err})") from None
