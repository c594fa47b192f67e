"""The cost contract: what deploying an architecture costs (parameters, FLOPs, latency), measured by name.

A cost is a property of the network a user deploys -- the space's ``build()`` defaults, at
the space's input resolution -- not of the small network a proxy scores. Costs are
minimised: they are the second (and further) objectives of a multi-objective search and
the limits of ``--budget`` in every search.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from evonas.encodings import Genome, SearchSpace
from evonas.registry import Registry


class Cost(ABC):
    """A cost measure of the network to deploy; lower is better.

    Subclasses set ``name``, ``unit`` and ``cheap`` and implement :meth:`measure`. A cheap
    cost is computed from shapes alone (no timing, no weights), in microseconds to
    milliseconds, so a search may redraw a child that exceeds its budget before scoring it.
    """

    name: ClassVar[str]
    unit: ClassVar[str]
    cheap: ClassVar[bool] = True

    def __init__(self, space: SearchSpace) -> None:
        self.space = space

    @abstractmethod
    def measure(self, genome: Genome) -> float:
        """The cost of ``genome``'s network; an :class:`~evonas.errors.ArchitectureFailure` if it cannot be measured."""


COSTS: Registry[type[Cost]] = Registry(
    "cost", "Register your own with @evonas.costs.COSTS.register('name') on a Cost subclass.",
)


def make_cost(name: str, space: SearchSpace, options: dict[str, Any] | None = None) -> Cost:
    """The cost registered as ``name`` for ``space``, with its options (e.g. latency's ``runs``)."""
    return COSTS.get(name)(space, **(options or {}))


def list_costs(pattern: str = "*") -> list[str]:
    """Names of the registered costs matching a shell-style wildcard."""
    return COSTS.names(pattern)
