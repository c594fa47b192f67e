"""The strategy registry: a search strategy is a function over toolbox parts, chosen by name."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, Callable

from evonas.errors import ConfigError
from evonas.registry import Registry

#: Arguments every strategy takes (the façade passes them); the rest of a strategy's
#: keyword arguments are its options (e.g. SWAP-NAS's ``mutations`` and ``crossover``).
COMMON = ("population", "toolbox", "run")
#: Arguments of every ``setup`` hook (the façade passes them); the rest are strategy options too.
SETUP_COMMON = ("toolbox", "space", "rng", "scorer_for")


@dataclass(frozen=True)
class Strategy:
    """A registered strategy: the search function, its replacement rule and a one-line summary.

    Attributes:
        search: ``search(population, toolbox, run, **options) -> population``; ``run`` is the
            :class:`~evonas.strategy.SearchRun` (budget, cache, logbook, checkpoint hook).
        remove: the toolbox's ``remove`` part it is meant with (worst or oldest).
        summary: one line for ``evonas list strategies`` and ``--help``.
        selects: how many individuals it takes from one tournament ``select`` (0: it does
            not select; then ``tournament``, the sample size, is not one of its options).
        setup: registers the toolbox parts only this strategy uses (PRE-NAS: the predictor),
            as ``setup(toolbox, space, rng, scorer_for, **options)``; ``scorer_for(proxy)``
            gives a training-free ``genome -> score`` for features.
        brood: evaluations one cycle submits, ``brood(options)`` with every option's default
            filled in; the default ``window`` (:func:`~evonas.strategy.pipeline.auto_window`)
            follows from it. Only a strategy with a ``window`` option has one.
    """

    name: str
    search: Callable[..., Any]
    remove: Callable[..., Any]
    summary: str
    selects: int = 1
    setup: Callable[..., None] | None = None
    brood: Callable[[dict[str, Any]], float] | None = None

    def brood_size(self, options: dict[str, Any]) -> float:
        """Evaluations a cycle submits with ``options`` (the others at their defaults); 1 if not declared."""
        functions = [self.search, *([self.setup] if self.setup else [])]
        defaults = {name: p.default for fn in functions for name, p in inspect.signature(fn).parameters.items()
                    if p.default is not inspect.Parameter.empty}
        return float(self.brood({**defaults, **options})) if self.brood else 1.0

    @property
    def options(self) -> tuple[str, ...]:
        """The strategy's own arguments, e.g. ``('mutations', 'crossover', 'rng', 'tournament')``.

        Those of the search function beyond :data:`COMMON`, and ``tournament`` if it selects.
        """
        own = tuple(p for p in inspect.signature(self.search).parameters if p not in COMMON)
        parts = tuple(p for p in inspect.signature(self.setup).parameters if p not in SETUP_COMMON) if self.setup else ()
        return own + ("tournament",) * bool(self.selects) + parts

    def split(self, options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """``options`` as (the search function's, the setup hook's)."""
        parts = set(inspect.signature(self.setup).parameters) - set(SETUP_COMMON) if self.setup else set()
        return {k: v for k, v in options.items() if k not in parts}, {k: v for k, v in options.items() if k in parts}

    def bind(self, given: dict[str, Any], population: int | None = None) -> dict[str, Any]:
        """The options in ``given`` this strategy takes; one it does not take (and is not None) is an error.

        ``window = 1`` (one cycle at a time) is accepted by every strategy.

        With the ``population`` size, a ``tournament`` too small to give the individuals
        the strategy selects, or larger than the population, is an error too.
        """
        if given.get("window") == 1 and "window" not in self.options:
            given = {**given, "window": None}  # one cycle at a time is how every strategy runs
        unknown = sorted(k for k, v in given.items() if v is not None and k not in self.options)
        if unknown:
            takes = ", ".join(o for o in self.options if o != "rng") or "none"
            raise ConfigError(f"strategy {self.name!r} has no option {', '.join(unknown)}; its options: {takes}")
        size = given.get("tournament")
        if size is not None and population is not None and not self.selects <= size <= population:
            raise ConfigError(f"tournament = {size} is out of range: must be in [{self.selects}, population = {population}] "
                              f"(strategy {self.name!r} takes the best {self.selects} of each tournament)")
        return {k: v for k, v in given.items() if v is not None}


STRATEGIES: Registry[Strategy] = Registry(
    "strategy", "Register your own with @evonas.strategy.register_strategy('name', remove=..., summary=...).",
)


def register_strategy(name: str, *, remove: Callable[..., Any], summary: str, selects: int = 1,
                      setup: Callable[..., None] | None = None,
                      brood: Callable[[dict[str, Any]], float] | None = None) -> Callable:
    """Decorator: register a search function as strategy ``name`` (see :class:`Strategy`)."""

    def add(search: Callable) -> Callable:
        STRATEGIES.register(name)(Strategy(name, search, remove, summary, selects, setup, brood))
        return search

    return add


def get_strategy(name: str) -> Strategy:
    """The strategy registered as ``name`` (``swap-nas``, ``rea``, ``random``, ...)."""
    return STRATEGIES.get(name)


def list_strategies(pattern: str = "*") -> list[str]:
    """Names of the registered strategies matching a shell-style wildcard."""
    return STRATEGIES.names(pattern)
