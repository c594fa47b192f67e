"""Checkpoints of a multi-objective search, in the run folder's one format (:mod:`evonas.runfolder`).

How resume is exact: the checkpoint holds the population with its objective values, both
generator states (our operators' and pymoo's) and the generation, all in JSON; the score
cache and the hypervolume history grow with the run, so their new rows are appended to the
run's journal as a single-objective search's are (:func:`evonas.checkpoint.journal`), and
the checkpoint records the journal's size. Rather than rebuild pymoo's algorithm object (pickling it
is forbidden here, and its hidden state -- ranks, crowding distances, archives -- differs
per algorithm), a resumed run *replays* the saved generations: a fresh algorithm with the
same seeds asks for the same offspring, and every one of them is answered from the saved
score cache, so no architecture is scored twice. The replayed population and generator
states must then equal the saved ones (else :class:`ConfigError`, before anything is
written), and the run continues exactly as the uninterrupted run would. Replay costs
pymoo's bookkeeping only, milliseconds per generation.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pymoo.core.algorithm import Algorithm

from evonas import runfolder
from evonas.checkpoint import Journaled, journal, journaled_fields, read_cache_and_log, read_journaled
from evonas.errors import ConfigError
from evonas.moo.algorithms import ask_and_tell
from evonas.moo.front import Normalisation
from evonas.moo.problem import ArchitectureProblem

KIND = "moo"
#: what a multi-objective checkpoint holds
SAVED = ("generation", "population", "cache", "rng", "normalisation")
#: how a resume finds how far the run got (generation 1 is the initial sample, cycle 0), before anything is written
FORMAT = runfolder.CheckpointFormat(
    KIND, SAVED, lambda data: (int(data["generation"]) - 1, int(data["cache"]["misses"]), int(data.get("stalled", 0))),
    "front.csv")


@dataclass
class MooState:
    """Where a multi-objective search stands after ``generation`` generations (0: it has not started)."""

    generation: int = 0
    stalled: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)
    normalisation: Normalisation | None = None
    journaled: Journaled = field(default_factory=Journaled)  # what the run folder's journal holds already


def save_checkpoint(out: Path, state: MooState, algorithm: Algorithm, problem: ArchitectureProblem,
                    rng: np.random.Generator) -> None:
    """Write the state of ``out``'s search after generation ``state.generation`` (atomic; cache and history journaled)."""
    state.journaled = journal(out, state.journaled, problem.cache, state.history)
    runfolder.save_checkpoint(out, KIND, {
        "generation": state.generation,
        "stalled": state.stalled,
        "population": _population(algorithm),
        **journaled_fields(state.journaled, problem.cache),
        "rng": {"operators": rng.bit_generator.state, "algorithm": algorithm.random_state.bit_generator.state},
        "normalisation": None if state.normalisation is None else dataclasses.asdict(state.normalisation),
    })


def restore(saved: dict[str, Any], out: Path, algorithm: Algorithm, problem: ArchitectureProblem,
            rng: np.random.Generator) -> MooState:
    """Replay the saved generations on a fresh ``algorithm`` (set up with the run's seeds) and check they reproduce it.

    Every offspring is answered from the saved cache (nothing is evaluated); ``problem``'s
    cache then holds the saved one. Damaged or not reproduced: one line, nothing written.
    A run folder from before the journal (its cache and history inline) resumes alike.
    """
    try:
        done = int(saved["generation"])
        problem.cache, history = read_cache_and_log(saved, out, problem.cache.key)
        problem.limit = 0  # a replay evaluates nothing: every answer comes from the saved cache
        for _ in range(done):
            ask_and_tell(algorithm, problem)
        same = (
            _population(algorithm) == saved["population"]
            and rng.bit_generator.state == saved["rng"]["operators"]
            and algorithm.random_state.bit_generator.state == saved["rng"]["algorithm"]
        )
        # the replay's cache hits are not part of the run
        problem.cache.hits, problem.cache.misses = int(saved["cache"]["hits"]), int(saved["cache"]["misses"])
        norm = saved["normalisation"]
        state = MooState(done, int(saved.get("stalled", 0)), history,
                         None if norm is None else Normalisation(**{k: tuple(v) for k, v in norm.items()}),
                         read_journaled(saved, problem.cache, history))
    except (KeyError, ValueError, TypeError, AttributeError) as err:
        raise ConfigError(f"--resume {out}: {runfolder.CHECKPOINT_FILE} is damaged ({type(err).__name__}: {err})") from None
    if not same:
        raise ConfigError(
            f"--resume {out}: replaying generations 1..{done} did not reproduce the saved "
            "population and generator states (was evonas or pymoo upgraded?); start a new run"
        )
    return state


def _population(algorithm: Algorithm) -> list[dict[str, Any]]:
    return [{"genome": ind.X[0].to_json(), "F": ind.F.tolist(), "G": ind.G.tolist()} for ind in algorithm.pop]
