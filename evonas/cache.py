"""What scoring an architecture gave, failures included, and a cache so it is never scored twice.

A proxy can fail on an architecture (a cell whose output is all zeros, a singular kernel, a
non-finite activation): that is a fact about the architecture, not a fault of the run. It
is kept as an :class:`Evaluation` with its error, counted, cached like any score and
written out, so one dead cell never aborts a search and ``--resume`` never meets it again.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Callable, Sequence

from evonas.encodings import Genome
from evonas.evaluation import Evaluation, as_evaluation, evaluate_safely

__all__ = ["Evaluation", "ScoreCache", "as_evaluation", "evaluate_safely", "score_all", "task"]


class ScoreCache:
    """Maps a genome key to its :class:`Evaluation`; counts hits, misses (distinct evaluations) and failures.

    Args:
        key: genome -> cache key: ``space.network_key``, so two genomes that build the same
            network (NAS-Bench-101's pruned, isomorphic cells) are one architecture to the
            cache, the budget and every "already seen" check. The default, the exact matrix
            key, is for a cache without a space.
    """

    def __init__(self, key: Callable[[Genome], str] = lambda g: g.key) -> None:
        self.key = key
        self.scores: dict[str, Evaluation] = {}
        self.genomes: dict[str, Genome] = {}  # the genome of every key, in scoring order
        self.stored: list[str] = []  # the key of every store, in order: what a checkpoint journals
        self.hits = 0
        self.misses = 0
        self._counts = {"failed": 0, "infeasible": 0}  # kept as scores are stored: read every cycle

    @property
    def failures(self) -> int:
        """How many of the evaluated architectures failed (over-budget ones are :attr:`infeasible`, not failed)."""
        return self._counts["failed"]

    @property
    def infeasible(self) -> int:
        """How many of the architectures drawn were over a cost budget (never scored)."""
        return self._counts["infeasible"]

    def _put(self, key: str, evaluation: Evaluation) -> None:
        """Set ``key``'s evaluation, keeping the failure counts."""
        for old_or_new, sign in ((self.scores.get(key), -1), (evaluation, 1)):
            if old_or_new is not None:
                self._counts["infeasible"] += sign * old_or_new.infeasible
                self._counts["failed"] += sign * (old_or_new.failed and not old_or_new.infeasible)
        self.scores[key] = evaluation

    def lookup(self, genomes: Sequence[Genome], limit: int | None = None) -> tuple[list[Evaluation | None], list[Genome]]:
        """Cached evaluations (None where missing) and the distinct genomes to score, at most ``limit`` of them.

        Counts a hit per genome found and a miss per genome to score (the caller scores them).
        """
        found = [self.scores.get(self.key(g)) for g in genomes]
        missing = self.missing(genomes, limit)
        self.hits += sum(s is not None for s in found)
        self.misses += len(missing)
        return found, missing

    def missing(self, genomes: Sequence[Genome], limit: int | None = None) -> list[Genome]:
        """The distinct genomes not in the cache, in order, at most ``limit`` of them (counts nothing)."""
        todo: dict[str, Genome] = {}
        for g in genomes:
            if self.key(g) not in self.scores:
                todo.setdefault(self.key(g), g)
        return list(todo.values())[: None if limit is None else max(limit, 0)]

    def store(self, genome: Genome, evaluation: Evaluation) -> None:
        """Keep ``evaluation`` as the one of ``genome``'s network (the first genome seen names it)."""
        key = self.key(genome)
        self._put(key, evaluation)
        self.genomes.setdefault(key, genome)
        self.stored.append(key)

    def get(self, genome: Genome) -> Evaluation:
        """The evaluation of a genome in the cache."""
        return self.scores[self.key(genome)]

    def __len__(self) -> int:
        return len(self.scores)

    def __contains__(self, genome: Genome) -> bool:
        return self.key(genome) in self.scores

    def to_json(self) -> dict:
        return {"scores": {k: [v.score, v.params, v.error, v.details, v.costs] for k, v in self.scores.items()},
                "genomes": {k: g.to_json() for k, g in self.genomes.items()}, "hits": self.hits, "misses": self.misses}

    def load_json(self, data: dict) -> None:
        self.scores, self._counts = {}, {"failed": 0, "infeasible": 0}
        for k, v in data["scores"].items():
            self._put(k, _evaluation(v))
        self.genomes = {k: Genome.from_json(g) for k, g in data["genomes"].items()}
        self.stored = list(self.scores)
        self.hits, self.misses = int(data["hits"]), int(data["misses"])

    def records(self, since: int = 0) -> list[list]:
        """The stores from the ``since``-th on, as JSON-ready rows ``[key, genome, score, params, error, details, costs]``.

        A checkpoint appends only these to the run's journal, so saving costs what is new,
        not the whole cache (:func:`evonas.runfolder.append_journal`).
        """
        rows = []
        for key in self.stored[since:]:
            v = self.scores[key]
            rows.append([key, self.genomes[key].to_json(), v.score, v.params, v.error, v.details, v.costs])
        return rows

    def replay(self, rows: list[list]) -> None:
        """Store the rows of :meth:`records` again, in order (hits and misses are the checkpoint's to restore)."""
        for key, genome, *value in rows:
            self._put(key, _evaluation(value))
            self.genomes.setdefault(key, Genome.from_json(genome))
            self.stored.append(key)


def _evaluation(v: list) -> Evaluation:
    """An :class:`Evaluation` from its JSON row ``[score, params, error, details, costs]`` (older rows are shorter)."""
    score, params, *rest = v
    error, details, costs = (rest + [None, None, None])[:3]
    return Evaluation(None if score is None else float(score), None if params is None else int(params),
                      error, details, costs)


def score_all(
    genomes: Sequence[Genome],
    evaluate: Callable[..., Any],
    cache: ScoreCache,
    *,
    map_fn: Callable = map,
    limit: int | None = None,
    parents: Sequence[Genome | None] | None = None,
) -> list[Evaluation | None]:
    """The :class:`Evaluation` of every genome: cached ones looked up, the distinct others evaluated once via ``map_fn``.

    ``evaluate(genome, parent=...)`` follows :mod:`evonas.evaluation`'s contract (a failure
    on one architecture is a failed evaluation). ``parents[i]`` is offered with
    ``genomes[i]``. Pass a parallel map (``pool.map``, a Ray map) as ``map_fn`` to evaluate
    concurrently. With ``limit``, at most that many new genomes are evaluated (a budget);
    the genomes left over get None.
    """
    parent_of = {cache.key(g): p for g, p in zip(genomes, parents or [None] * len(genomes))}
    _, missing = cache.lookup(genomes, limit)
    tasks = [task(g, parent_of[cache.key(g)]) for g in missing]
    for genome, result in zip(missing, map_fn(partial(evaluate_safely, evaluate), tasks)):
        cache.store(genome, result)
    return [cache.scores.get(cache.key(g)) for g in genomes]


def task(genome: Genome, parent: Genome | None) -> Genome | tuple[Genome, Genome]:
    """What an evaluation task carries: the genome, with its parent where there is one (:func:`evaluate_safely`)."""
    return genome if parent is None else (genome, parent)
