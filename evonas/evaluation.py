"""The one evaluator contract: ``evaluate(genome, parent=None) -> Evaluation``, failures as data.

Every evaluator -- a training-free proxy, a benchmark table, training, or the user's own --
is called the same way by every strategy: with the genome and, where the strategy knows
it, the genome it was derived from (an evaluator that trains may start from the parent's
weights; one that cannot use it ignores it). What comes back is one :class:`Evaluation`.
An :class:`~evonas.errors.ArchitectureFailure` on one architecture is a fact about that
architecture: it becomes a failed Evaluation (worst fitness, or infeasible), counted and
listed with its error, never the end of a search.
"""

from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass
from numbers import Real
from typing import Any, Callable, NamedTuple

from evonas.errors import ArchitectureFailure

#: how the error of an architecture over a cost budget starts ("over budget: flops 7.1e+08 > 6e+08")
OVER_BUDGET = "over budget"


class Evaluation(NamedTuple):
    """The outcome of evaluating one architecture.

    Attributes:
        score: the evaluator's value (higher or lower is better, as its direction says), or None if it failed.
        params: parameter count of the evaluated network, if the evaluator reports it.
        error: why the evaluation failed (None when it did not).
        details: further named values the evaluator measured (e.g. an ensemble's members),
            written as columns of ``scored.csv``.
        costs: the run's cost measures of the network to deploy (``params``, ``flops``,
            ``latency``: :mod:`evonas.costs`), written as ``cost_<name>`` columns.
    """

    score: float | None
    params: int | None = None
    error: str | None = None
    details: dict[str, float] | None = None
    costs: dict[str, float] | None = None

    @property
    def failed(self) -> bool:
        """Whether the architecture has no score (its evaluation failed, or it is over budget)."""
        return self.score is None

    @property
    def infeasible(self) -> bool:
        """Whether the architecture is over a cost budget (so it was never scored)."""
        return self.failed and (self.error or "").startswith(OVER_BUDGET)


def as_evaluation(result: object) -> Evaluation:
    """An evaluator's result as an :class:`Evaluation`: a number, ``(score,)``, ``(score, params)`` or an Evaluation.

    The plain shapes let a user's evaluator be a one-line function.
    """
    if isinstance(result, Evaluation):
        return result
    if isinstance(result, Real):
        return Evaluation(float(result))
    values = tuple(result)  # type: ignore[arg-type]
    if len(values) == 1:
        return Evaluation(float(values[0]))
    score, params = values
    return Evaluation(float(score), None if params is None else int(params))


def takes_parent(evaluate: Callable[..., Any]) -> bool:
    """Whether a plain function declares, by its signature, that it takes the parent (a ``parent`` keyword, or ``**kwargs``).

    Read once, where an evaluate function enters a search (:func:`declared`,
    :class:`~evonas.evaluators.Evaluator`); what is passed on from there is the declared field.
    """
    try:
        params = inspect.signature(evaluate).parameters.values()
    except (TypeError, ValueError):  # a builtin without a signature
        return False
    return any(p.name == "parent" or p.kind is inspect.Parameter.VAR_KEYWORD for p in params)


@dataclass(frozen=True)
class Declared:
    """An evaluate function with its capability declared: the parent is passed on only where ``takes_parent`` says it is used.

    What a search's toolbox holds (:func:`evonas.strategy.make_toolbox`), so every call is
    ``evaluate(genome, parent=...)`` and nothing is asked of the function at call time.
    Picklable when ``evaluate`` is, for workers.
    """

    evaluate: Callable[..., Any]
    takes_parent: bool = False

    def __call__(self, genome: Any, parent: Any = None) -> Any:
        if parent is not None and self.takes_parent:
            return self.evaluate(genome, parent=parent)
        return self.evaluate(genome)


def declared(evaluate: Callable[..., Any]) -> Declared:
    """``evaluate`` as a :class:`Declared`: as it is if it is one (also inside DEAP's ``partial``), else as its signature declares."""
    inner = evaluate
    while isinstance(inner, functools.partial) and not inner.args and not inner.keywords:
        inner = inner.func  # a toolbox part: DEAP's register wraps it in a partial
    return inner if isinstance(inner, Declared) else Declared(evaluate, takes_parent(evaluate))


def evaluate_safely(evaluate: Callable[..., Any], task: Any) -> Evaluation:
    """``evaluate(genome, parent=...)`` as an :class:`Evaluation`; an ArchitectureFailure becomes a failed one.

    ``task`` is a genome, or a ``(genome, parent)`` pair; the parent is passed only to an
    evaluator that takes it (:func:`declared`). Module level, so
    ``functools.partial(evaluate_safely, evaluator)`` travels to worker processes.
    """
    genome, parent = task if isinstance(task, tuple) else (task, None)
    try:
        return as_evaluation(evaluate(genome) if parent is None else declared(evaluate)(genome, parent))
    except ArchitectureFailure as err:
        return Evaluation(None, None, str(err))
