"""The evaluator as a search uses it, and the registry of evaluator builders."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from evonas.encodings import Genome, SearchSpace
from evonas.evaluation import Declared, takes_parent
from evonas.registry import Registry


@dataclass(frozen=True)
class Evaluator:
    """An evaluator as a search uses it.

    Attributes:
        evaluate: ``evaluate(genome, parent=None) -> Evaluation`` (or a number, or
            ``(score, params)``); picklable, for workers. A failure on one architecture
            raises an :class:`~evonas.errors.ArchitectureFailure`.
        direction: +1 when higher scores are better, -1 when lower are: the search's
            fitness direction comes from here, never from the caller.
        name: what the score is called in tables and plots (the proxy, or the accuracy column).
        report: extra facts about the result for ``best.json`` (e.g. its test accuracy), read
            only after the search.
        takes_parent: whether ``evaluate`` uses the parent (a trainer starting from its
            weights); it is passed only then. None: as ``evaluate``'s signature declares (a
            ``parent`` keyword), read once here.
        device: where ``evaluate`` builds its networks (``cpu``, ``cuda:1``): a Ray actor of
            an evaluator on CUDA holds a GPU (:func:`evonas.parallel.make_map`).
        close: releases what the evaluator holds (a search in memory's temporary weights
            folder); the search calls it when it ends, also when it raised.
    """

    evaluate: Callable[..., Any]
    direction: int
    name: str
    report: Callable[[Genome], dict[str, Any]] | None = None
    takes_parent: bool | None = None
    device: str = "cpu"
    close: Callable[[], None] = lambda: None

    def __post_init__(self) -> None:
        if self.takes_parent is None:
            object.__setattr__(self, "takes_parent", takes_parent(self.evaluate))

    @property
    def call(self) -> Declared:
        """``evaluate`` with its capability attached, as a search's toolbox holds it."""
        return Declared(self.evaluate, bool(self.takes_parent))


#: Builder of an evaluator: ``(config, space, run_dir, progress) -> Evaluator``; ``run_dir``
#: is None for a search in memory.
Builder = Callable[[Any, SearchSpace, "Path | None", bool], Evaluator]

EVALUATORS: Registry[Builder] = Registry(
    "evaluator", "Register your own with @evonas.evaluators.EVALUATORS.register('name') on a builder function.",
)


def build_evaluator(config: Any, space: SearchSpace, run_dir: Path | None = None, progress: bool = False) -> Evaluator:
    """The evaluator ``config.evaluator`` names, built (and checked) for ``space``."""
    return EVALUATORS.get(config.evaluator)(config, space, run_dir, progress)


