"""A score cache: an architecture already scored is never scored again."""

from __future__ import annotations

from typing import Callable, Iterable

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
