"""Checkpoints of a running search: one JSON file, replaced atomically after every cycle.

Everything needed to continue bit-for-bit is in it: the population and its scores, the
score cache, the logbook, the hall of fame and the state of the search's one random
generator (every draw — sampling, selection, variation — comes from it; scores are seeded
per architecture, and nothing touches Python's or torch's global generators). A search
killed at any moment leaves the previous checkpoint intact. Nothing is ever unpickled.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from deap import tools

from evonas.cache import Evaluation, ScoreCache
from evonas.config import CHECKPOINT_FILE
from evonas.encodings import Genome
from evonas.errors import ConfigError
from evonas.operators import Individual
from evonas.strategy import assign

STATE_FILE = CHECKPOINT_FILE


@dataclass
class SearchState:
    """What a search needs to continue: population, cache, logbook, hall of fame, RNGs."""

    cycle: int
    population: list[Individual]
    cache: ScoreCache
    logbook: tools.Logbook
    halloffame: tools.HallOfFame
    rng: np.random.Generator


def save_checkpoint(run_dir: Path, state: SearchState) -> None:
    """Write the state of ``run_dir``'s search after cycle ``state.cycle`` (atomic)."""
    data = {
        "cycle": state.cycle,
        "population": [_individual_json(ind) for ind in state.population],
        "halloffame": [_individual_json(ind) for ind in state.halloffame],
        "cache": state.cache.to_json(),
        "logbook": list(state.logbook),
        "rng": {"numpy": state.rng.bit_generator.state},
    }
    atomic_write(run_dir / STATE_FILE, json.dumps(data).encode())


def load_checkpoint(run_dir: Path, fitness: type, halloffame_size: int) -> SearchState:
    """Read the state saved by :func:`save_checkpoint`."""
    path = run_dir / STATE_FILE
    if not path.is_file():
        raise ConfigError(f"--resume {run_dir}: no {STATE_FILE} there (was a search started in this folder?)")
    try:
        data = json.loads(path.read_text())
        rng = np.random.Generator(np.random.PCG64())
        rng.bit_generator.state = data["rng"]["numpy"]
        cache = ScoreCache()
        cache.load_json(data["cache"])
        logbook = tools.Logbook()
        logbook.extend(data["logbook"])
        logbook.header = list(data["logbook"][0]) if data["logbook"] else None
        hof = tools.HallOfFame(halloffame_size)
        hof.update([_individual(d, fitness) for d in data["halloffame"]])
        return SearchState(
            cycle=int(data["cycle"]),
            population=[_individual(d, fitness) for d in data["population"]],
            cache=cache,
            logbook=logbook,
            halloffame=hof,
            rng=rng,
        )
    except (KeyError, ValueError, TypeError, OSError, RuntimeError) as err:
        raise ConfigError(f"--resume {run_dir}: checkpoint is damaged ({type(err).__name__}: {err})") from None


def _individual_json(ind: Individual) -> dict[str, Any]:
    score = ind.fitness.values[0]
    return {"genome": ind.genome.to_json(), "score": score if math.isfinite(score) else None, "params": ind.params}


def _individual(d: dict[str, Any], fitness: type) -> Individual:
    """An individual from its JSON; a null score is a failed architecture (the worst fitness)."""
    ind = Individual(Genome.from_json(d["genome"]), fitness=fitness())
    score = None if d["score"] is None else float(d["score"])
    return assign(ind, Evaluation(score, d["params"]))


def atomic_write(path: Path, payload: bytes) -> None:
    """Write ``payload`` to ``path`` so that a crash leaves either the old or the new file, never a torn one."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "wb") as f:
        f.write(payload)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
