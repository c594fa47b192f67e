"""Checkpoints of a running search in safe formats: JSON plus a tensors-only ``torch.save``.

Everything needed to continue bit-for-bit is saved after every cycle: the population and
its scores, the score cache, the logbook, the hall of fame and every RNG state (numpy
generator, Python ``random``, torch). Files are replaced atomically, so a search killed at
any moment leaves the previous checkpoint intact. Nothing is ever unpickled.
"""

from __future__ import annotations

import json
import math
import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from deap import tools

from evonas.cache import Evaluation, ScoreCache
from evonas.encodings import Genome
from evonas.errors import ConfigError
from evonas.operators import Individual
from evonas.strategy import assign

STATE_FILE = "checkpoint.json"
TORCH_FILE = "checkpoint_torch.pt"


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
        "rng": {"numpy": state.rng.bit_generator.state, "python": _python_state()},
    }
    atomic_write(run_dir / STATE_FILE, json.dumps(data).encode())
    tmp = run_dir / (TORCH_FILE + ".tmp")
    torch.save({"cpu": torch.get_rng_state()}, tmp)
    os.replace(tmp, run_dir / TORCH_FILE)


def load_checkpoint(run_dir: Path, fitness: type, halloffame_size: int) -> SearchState:
    """Read the state saved by :func:`save_checkpoint` and restore the global RNGs."""
    path = run_dir / STATE_FILE
    if not path.is_file():
        raise ConfigError(f"--resume {run_dir}: no {STATE_FILE} there (was a search started in this folder?)")
    try:
        data = json.loads(path.read_text())
        rng = np.random.Generator(np.random.PCG64())
        rng.bit_generator.state = data["rng"]["numpy"]
        random.setstate(_tuples(data["rng"]["python"]))
        torch_state = torch.load(run_dir / TORCH_FILE, weights_only=True)
        torch.set_rng_state(torch_state["cpu"])
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


def _python_state() -> list:
    version, internal, gauss = random.getstate()
    return [version, list(internal), gauss]


def _tuples(state: list) -> tuple:
    version, internal, gauss = state
    return (version, tuple(internal), gauss)


def atomic_write(path: Path, payload: bytes) -> None:
    """Write ``payload`` to ``path`` so that a crash leaves either the old or the new file, never a torn one."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "wb") as f:
        f.write(payload)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
