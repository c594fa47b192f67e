"""The cost contract: what deploying an architecture costs (parameters, FLOPs, latency), measured by name.

A cost is a property of the network a user deploys -- the space's network for the run's images
(:meth:`~evonas.encodings.SearchSpace.deploy_net_args`: DARTS' ImageNet network at 224 px), at
the run's image size and class count -- not of the small network a proxy scores. Costs are
minimised: they are the second (and further) objectives of a multi-objective search and
the limits of ``--budget`` in every search.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar, Mapping

from evonas.encodings import Genome, SearchSpace
from evonas.registry import Registry


class Cost(ABC):
    """A cost measure of the network to deploy; lower is better.

    Subclasses set ``name``, ``unit`` and ``cheap`` and implement :meth:`measure`. A cheap
    cost is computed from shapes alone (no timing, no weights), in microseconds to
    milliseconds, so a search may redraw a child that exceeds its budget before scoring it.

    Args:
        space: the search space.
        input_shape: one image of the run's data, (channels, height, width); None: the
            space's own (:attr:`~evonas.encodings.SearchSpace.input_shape`, CIFAR's 32 px).
        num_classes: the run's classes; None: ``build()``'s default (10).

    Attributes:
        input_shape: the shape costs are measured at.
        net_args: ``build()`` arguments of the network to deploy at that shape (``{}`` when
            neither argument is given: the space's defaults).
    """

    name: ClassVar[str]
    unit: ClassVar[str]
    cheap: ClassVar[bool] = True

    def __init__(self, space: SearchSpace, *, input_shape: tuple[int, ...] | None = None,
                 num_classes: int | None = None) -> None:
        self.space = space
        self.input_shape = tuple(space.input_shape if input_shape is None else input_shape)
        self.net_args: Mapping[str, Any] = {}
        if input_shape is not None or num_classes is not None:
            self.net_args = space.deploy_net_args(self.input_shape, 10 if num_classes is None else num_classes)

    def build(self, genome: Genome) -> Any:
        """``genome``'s network to deploy (:attr:`net_args`), freshly initialised."""
        return self.space.build(genome, **self.net_args)

    @abstractmethod
    def measure(self, genome: Genome) -> float:
        """The cost of ``genome``'s network; an :class:`~evonas.errors.ArchitectureFailure` if it cannot be measured."""


COSTS: Registry[type[Cost]] = Registry(
    "cost", "Register your own with @evonas.costs.COSTS.register('name') on a Cost subclass.",
)


def make_cost(name: str, space: SearchSpace, options: dict[str, Any] | None = None, *,
              input_shape: tuple[int, ...] | None = None, num_classes: int | None = None) -> Cost:
    """The cost registered as ``name`` for ``space`` at the run's image shape and class count, with its options
    (e.g. latency's ``runs``)."""
    return COSTS.get(name)(space, input_shape=input_shape, num_classes=num_classes, **(options or {}))


def list_costs(pattern: str = "*") -> list[str]:
    """Names of the registered costs matching a shell-style wildcard."""
    return COSTS.names(pattern)
