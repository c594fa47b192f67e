"""A score cache: an architecture already scored is never scored again."""

from __future__ import annotations

from numbers import Real
from typing import Any, Callable, Iterable, Sequence

from evonas.encodings import Genome

Score = tuple[float, "int | None"]


class ScoreCache:
    """Maps a genome key to ``(score, params)``; counts hits and misses.

    Args:
        key: genome -> cache key. The default is the exact matrix key: SWAP also counts
            the activations of branches that do not reach the output, so two cells that
            compute the same function (``space.canonical_key``) can still score differently.
    """

    def __init__(self, key: Callable[[Genome], str] = lambda g: g.key) -> None:
        self.key = key
        self.scores: dict[str, Score] = {}
        self.hits = 0
        self.misses = 0

    def lookup(self, genomes: Iterable[Genome]) -> tuple[list[Score | None], list[Genome]]:
        """Cached scores (None where missing) and the distinct genomes still to score."""
        found: list[Score | None] = []
        todo: dict[str, Genome] = {}
        for g in genomes:
            k = self.key(g)
            score = self.scores.get(k)
            found.append(score)
            if score is None:
                todo.setdefault(k, g)
        self.hits += sum(s is not None for s in found)
        self.misses += len(todo)
        return found, list(todo.values())

    def store(self, genome: Genome, score: Score) -> None:
        self.scores[self.key(genome)] = score

    def __len__(self) -> int:
        return len(self.scores)

    def __contains__(self, genome: Genome) -> bool:
        return self.key(genome) in self.scores

    def to_json(self) -> dict:
        return {"scores": {k: list(v) for k, v in self.scores.items()}, "hits": self.hits, "misses": self.misses}

    def load_json(self, data: dict) -> None:
        self.scores = {k: (float(v[0]), None if v[1] is None else int(v[1])) for k, v in data["scores"].items()}
        self.hits, self.misses = int(data["hits"]), int(data["misses"])


def score_all(
    genomes: Sequence[Genome], scorer: Callable[[Genome], Any], cache: ScoreCache, *, map_fn: Callable = map
) -> list[Score]:
    """``(score, params)`` of every genome: cached ones looked up, the distinct others scored once via ``map_fn``.

    ``scorer(genome)`` returns a score, ``(score,)`` or ``(score, params)``. Pass a parallel
    map (``pool.map``, a Ray map) as ``map_fn`` to score the missing genomes concurrently.
    """
    _, missing = cache.lookup(genomes)
    for genome, result in zip(missing, map_fn(scorer, missing)):
        cache.store(genome, as_score(result))
    return [cache.scores[cache.key(g)] for g in genomes]


def as_score(result: object) -> Score:
    """Normalise a scorer's result to ``(score, params or None)``."""
    if isinstance(result, Real):
        return float(result), None
    values = tuple(result)  # type: ignore[arg-type]
    if len(values) == 1:
        return float(values[0]), None
    score, params = values
    return float(score), None if params is None else int(params)
