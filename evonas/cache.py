"""What scoring an architecture gave, failures included, and a cache so it is never scored twice.

A proxy can fail on an architecture (a cell whose output is all zeros, a singular kernel, a
non-finite activation): that is a fact about the architecture, not a fault of the run. It
is kept as an :class:`Evaluation` with its error, counted, cached like any score and
written out, so one dead cell never aborts a search and ``--resume`` never meets it again.
"""

from __future__ import annotations

from functools import partial
from numbers import Real
from typing import Any, Callable, NamedTuple, Sequence

from evonas.encodings import Genome
from evonas.errors import ProxyError


class Evaluation(NamedTuple):
    """The outcome of scoring one architecture.

    Attributes:
        score: the proxy's value, or None if it failed.
        params: parameter count of the scored network, if the scorer reports it.
        error: why the score failed (None when it did not).
    """

    score: float | None
    params: int | None = None
    error: str | None = None

    @property
    def failed(self) -> bool:
        """Whether the architecture could not be scored."""
        return self.score is None


#: Older name of :class:`Evaluation` (a ``(score, params)`` pair before failures were data).
Score = Evaluation


def as_evaluation(result: object) -> Evaluation:
    """A scorer's result as an :class:`Evaluation`: a number, ``(score,)``, ``(score, params)`` or an Evaluation."""
    if isinstance(result, Evaluation):
        return result
    if isinstance(result, Real):
        return Evaluation(float(result))
    values = tuple(result)  # type: ignore[arg-type]
    if len(values) == 1:
        return Evaluation(float(values[0]))
    score, params = values
    return Evaluation(float(score), None if params is None else int(params))


def evaluate_safely(scorer: Callable[[Any], Any], arch: Any) -> Evaluation:
    """``scorer(arch)`` as an :class:`Evaluation`; a :class:`ProxyError` becomes a failed one.

    Module level, so ``functools.partial(evaluate_safely, scorer)`` travels to worker processes.
    """
    try:
        return as_evaluation(scorer(arch))
    except ProxyError as err:
        return Evaluation(None, None, str(err))


class ScoreCache:
    """Maps a genome key to its :class:`Evaluation`; counts hits, misses (distinct evaluations) and failures.

    Args:
        key: genome -> cache key. The default is the exact matrix key: SWAP also counts
            the activations of branches that do not reach the output, so two cells that
            compute the same function (``space.canonical_key``) can still score differently.
    """

    def __init__(self, key: Callable[[Genome], str] = lambda g: g.key) -> None:
        self.key = key
        self.scores: dict[str, Evaluation] = {}
        self.genomes: dict[str, Genome] = {}  # the genome of every key, in scoring order
        self.hits = 0
        self.misses = 0

    @property
    def failures(self) -> int:
        """How many of the evaluated architectures failed."""
        return sum(e.failed for e in self.scores.values())

    def lookup(self, genomes: Sequence[Genome], limit: int | None = None) -> tuple[list[Evaluation | None], list[Genome]]:
        """Cached evaluations (None where missing) and the distinct genomes to score, at most ``limit`` of them.

        Counts a hit per genome found and a miss per genome to score (the caller scores them).
        """
        found = [self.scores.get(self.key(g)) for g in genomes]
        todo: dict[str, Genome] = {}
        for g, score in zip(genomes, found):
            if score is None:
                todo.setdefault(self.key(g), g)
        missing = list(todo.values())[: None if limit is None else max(limit, 0)]
        self.hits += sum(s is not None for s in found)
        self.misses += len(missing)
        return found, missing

    def store(self, genome: Genome, evaluation: Evaluation) -> None:
        key = self.key(genome)
        self.scores[key] = evaluation
        self.genomes.setdefault(key, genome)

    def get(self, genome: Genome) -> Evaluation:
        """The evaluation of a genome in the cache."""
        return self.scores[self.key(genome)]

    def __len__(self) -> int:
        return len(self.scores)

    def __contains__(self, genome: Genome) -> bool:
        return self.key(genome) in self.scores

    def to_json(self) -> dict:
        return {"scores": {k: list(v) for k, v in self.scores.items()},
                "genomes": {k: g.to_json() for k, g in self.genomes.items()}, "hits": self.hits, "misses": self.misses}

    def load_json(self, data: dict) -> None:
        def evaluation(v: list) -> Evaluation:
            score, params, *error = v
            return Evaluation(None if score is None else float(score), None if params is None else int(params),
                              error[0] if error else None)

        self.scores = {k: evaluation(v) for k, v in data["scores"].items()}
        self.genomes = {k: Genome.from_json(g) for k, g in data["genomes"].items()}
        self.hits, self.misses = int(data["hits"]), int(data["misses"])


def score_all(
    genomes: Sequence[Genome],
    scorer: Callable[[Genome], Any],
    cache: ScoreCache,
    *,
    map_fn: Callable = map,
    limit: int | None = None,
) -> list[Evaluation | None]:
    """The :class:`Evaluation` of every genome: cached ones looked up, the distinct others scored once via ``map_fn``.

    ``scorer(genome)`` returns a score, ``(score,)``, ``(score, params)`` or an Evaluation; a
    :class:`ProxyError` it raises is recorded as a failed evaluation. Pass a parallel map
    (``pool.map``, a Ray map) as ``map_fn`` to score the missing genomes concurrently. With
    ``limit``, at most that many new genomes are scored (a budget); the genomes left over
    get None.
    """
    _, missing = cache.lookup(genomes, limit)
    for genome, result in zip(missing, map_fn(partial(evaluate_safely, scorer), missing)):
        cache.store(genome, result)
    return [cache.scores.get(cache.key(g)) for g in genomes]

