"""Checkpoints of a single-objective search, in the run folder's one format (:mod:`evonas.runfolder`).

Everything needed to continue bit-for-bit is in it: the population and its scores, the
cache, the logbook, the hall of fame *in its order* (rebuilt by inserting, a tie would change
places, and ``best.json`` is its first), the idle-cycle count of the stop rule, a pipelined
search's random streams and the cycles it had in flight (bred again on resume), and the
state of the search's one random generator (every draw -- sampling, selection, variation --
comes from it; scores are seeded per architecture, and nothing touches Python's or
torch's global generators). A search killed at any moment leaves the previous checkpoint
intact. Nothing is ever unpickled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
from deap import tools

from evonas import runfolder
from evonas.cache import ScoreCache
from evonas.encodings import Genome
from evonas.errors import ConfigError
from evonas.evaluation import Evaluation
from evonas.operators import Individual
from evonas.strategy import assign
from evonas.strategy.pipeline import Bred

KIND = "search"
#: what a single-objective checkpoint must hold
NEEDS = ("cycle", "population", "halloffame", "cache", "rng")
#: how a resume finds how far the run got, before anything is written (the result: best.json)
FORMAT = runfolder.CheckpointFormat(
    KIND, NEEDS, lambda data: (int(data["cycle"]), int(data["cache"]["misses"]), int(data.get("stalled", 0))),
    "best.json")


@dataclass(frozen=True)
class Journaled:
    """What of a run the journal holds: its size in bytes, the cache's stores and the logbook's rows written to it."""

    size: int = 0
    cache: int = 0
    log: int = 0


@dataclass
class SearchState:
    """What a search needs to continue: population, cache, logbook, hall of fame, stop-rule state, RNG."""

    cycle: int
    population: list[Individual]
    cache: ScoreCache
    logbook: tools.Logbook
    halloffame: tools.HallOfFame
    rng: np.random.Generator
    stalled: int = 0
    lanes: list[dict] | None = None  # a pipelined search's random streams (evonas.strategy.pipeline)
    inflight: list[Bred] = field(default_factory=list)  # the cycles it had in flight
    journaled: Journaled = field(default_factory=Journaled)  # what the run folder's journal holds already
    prior_scorings: int = 0  # proxy scorings that chose the initial population (PRE-NAS's prior), not evaluations


def save_checkpoint(run_dir: Path, state: SearchState) -> None:
    """Write the state of ``run_dir``'s search after cycle ``state.cycle`` (atomic).

    The cache and the logbook grow with the run: only their new rows are appended to the
    journal (:func:`evonas.runfolder.append_journal`), and the checkpoint records the
    journal's size, so a checkpoint costs what the cycle added, not what the run holds.
    """
    state.journaled = journal(run_dir, state.journaled, state.cache, state.logbook)
    runfolder.save_checkpoint(run_dir, KIND, {
        "cycle": state.cycle,
        "stalled": state.stalled,
        "prior_scorings": state.prior_scorings,
        "population": [_individual_json(ind) for ind in state.population],
        "halloffame": [_individual_json(ind) for ind in state.halloffame],
        **journaled_fields(state.journaled, state.cache),
        "rng": {"numpy": state.rng.bit_generator.state},
        "pipeline": {"lanes": state.lanes, "inflight": [
            {"cycle": b.cycle, "rng": b.rng, "seen": b.seen, "population": [_individual_json(i) for i in b.population]}
            for b in state.inflight]},
    })


def load_checkpoint(run_dir: Path, fitness: type, halloffame_size: int, key: Callable[[Genome], str]) -> SearchState:
    """Read the state saved by :func:`save_checkpoint`; ``key`` is the cache's (the space's network key)."""
    return restore(runfolder.load_checkpoint(run_dir, KIND, NEEDS), run_dir, fitness, halloffame_size, key)


def restore(data: dict[str, Any], run_dir: Path, fitness: type, halloffame_size: int,
            key: Callable[[Genome], str]) -> SearchState:
    """The state in a checkpoint's ``data`` (as :func:`evonas.runfolder.load_checkpoint` read it); damaged is one line."""
    try:
        rng = np.random.Generator(np.random.PCG64())
        rng.bit_generator.state = data["rng"]["numpy"]
        cache, records = read_cache_and_log(data, run_dir, key)
        logbook = tools.Logbook()
        logbook.extend(records)
        logbook.header = list(records[0]) if records else None
        journaled = read_journaled(data, cache, logbook)
        hof = tools.HallOfFame(halloffame_size)
        for ind in (_individual(d, fitness) for d in data["halloffame"][:halloffame_size]):  # in the saved order
            hof.items.append(ind)
            hof.keys.insert(0, ind.fitness)
        return SearchState(
            cycle=int(data["cycle"]),
            population=[_individual(d, fitness) for d in data["population"]],
            cache=cache,
            logbook=logbook,
            halloffame=hof,
            rng=rng,
            stalled=int(data.get("stalled", 0)),
            lanes=data.get("pipeline", {}).get("lanes"),
            inflight=[Bred(int(b["cycle"]), b["rng"], [_individual(d, fitness) for d in b["population"]], int(b["seen"]))
                      for b in data.get("pipeline", {}).get("inflight", [])],
            journaled=journaled,
            prior_scorings=int(data.get("prior_scorings", 0)),
        )
    except (KeyError, ValueError, TypeError, OSError, RuntimeError) as err:
        raise ConfigError(f"--resume {run_dir}: checkpoint is damaged ({type(err).__name__}: {err})") from None


def journal(run_dir: Path, done: Journaled, cache: ScoreCache, log: Sequence[Any]) -> Journaled:
    """Append what is new since ``done`` -- the cache's stores, the log's rows -- to the run's journal; what it holds now.

    The one way a checkpoint keeps what grows with a run (single- and multi-objective
    alike): it costs what the step added, not what the run holds. A tail that a killed run
    appended after its last checkpoint is cut first (:func:`evonas.runfolder.append_journal`).
    """
    records = [{"cache": row} for row in cache.records(done.cache)]
    records += [{"log": row} for row in list(log)[done.log:]]
    size = runfolder.append_journal(run_dir, done.size, records)
    return Journaled(size, len(cache.stored), len(log))


def journaled_fields(done: Journaled, cache: ScoreCache) -> dict[str, Any]:
    """What a checkpoint holds of the journaled part: the journal's size and the cache's counts (its rows are journaled)."""
    return {"cache": {"hits": cache.hits, "misses": cache.misses}, "journal": done.size}


def read_journaled(data: dict[str, Any], cache: ScoreCache, log: Sequence[Any]) -> Journaled:
    """What the journal holds of a checkpoint read by :func:`read_cache_and_log` (none for a folder from before it)."""
    return Journaled(int(data["journal"]), len(cache.stored), len(log)) if "journal" in data else Journaled()


def read_cache_and_log(data: dict[str, Any], run_dir: Path, key: Callable[[Genome], str]) -> tuple[ScoreCache, list[dict]]:
    """The score cache and the log rows a checkpoint's ``data`` owns: from the journal, or inline (a run folder from
    before the journal: its ``logbook``, or a multi-objective run's ``hypervolume`` history)."""
    cache = ScoreCache(key)
    if "journal" in data:
        rows = runfolder.read_journal(run_dir, int(data["journal"]))
        cache.replay([r["cache"] for r in rows if "cache" in r])
        cache.hits, cache.misses = int(data["cache"]["hits"]), int(data["cache"]["misses"])
        return cache, [r["log"] for r in rows if "log" in r]
    cache.load_json(data["cache"])  # a run folder from before the journal (its next checkpoint starts one)
    return cache, list(data.get("logbook", data.get("hypervolume", [])))


def _individual_json(ind: Individual) -> dict[str, Any]:
    score = ind.fitness.values[0]
    return {"genome": ind.genome.to_json(), "score": score if math.isfinite(score) else None, "params": ind.params}


def _individual(d: dict[str, Any], fitness: type) -> Individual:
    """An individual from its JSON; a null score is a failed architecture (the worst fitness)."""
    ind = Individual(Genome.from_json(d["genome"]), fitness=fitness())
    score = None if d["score"] is None else float(d["score"])
    return assign(ind, Evaluation(score, d["params"]))

