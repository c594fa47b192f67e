"""The evaluator as a search uses it, and the registry of evaluator builders."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from evonas.encodings import Genome, SearchSpace
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
    """

    evaluate: Callable[..., Any]
    direction: int
    name: str
    report: Callable[[Genome], dict[str, Any]] | None = None


#: Builder of an evaluator: ``(config, space, run_dir, progress) -> Evaluator``; ``run_dir``
#: is None for a search in memory.
Builder = Callable[[Any, SearchSpace, "Path | None", bool], Evaluator]

EVALUATORS: Registry[Builder] = Registry(
    "evaluator", "Register your own with @evonas.evaluators.EVALUATORS.register('name') on a builder function.",
)


def build_evaluator(config: Any, space: SearchSpace, run_dir: Path | None = None, progress: bool = False) -> Evaluator:
    """The evaluator ``config.evaluator`` names, built (and checked) for ``space``."""
    return EVALUATORS.get(config.evaluator)(config, space, run_dir, progress)


