"""Scoring one architecture end to end: build the network, re-initialise, apply the proxy.

:class:`ArchitectureScorer` is a small picklable callable, so the same object serves the
serial loop, ``toolbox.map`` with a process pool, and remote workers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable

from evonas.encodings import Genome, SearchSpace, get_space
from evonas.encodings.space import NativeOrGenome
from evonas.evaluation import Evaluation
from evonas.fitness import Batch, get_proxy, score_parts
from evonas.networks import count_parameters


#: the seed of the size calibration and of an ensemble's reference: a property of the space and its
#: scoring network, the same for every search seed, so runs with different seeds optimise one objective
CALIBRATION_SEED = 0


def make_scorer(
    space: SearchSpace, proxy: str, *, batch: Batch, net_args: dict[str, Any], repeats: int, seed: int,
    mu: float | None = None, sigma: float | None = None, target: float | None = None,
    within: Callable[[Genome], bool] | None = None,
) -> ArchitectureScorer:
    """The scorer of ``proxy`` with all it needs: a regularised proxy's size factor (given, or calibrated from sizes
    alone), an ensemble's reference sample; both at :data:`CALIBRATION_SEED`. Read them from ``proxy_options``.

    The one way a search, PRE-NAS's features and priors, and ``correlate`` build a proxy scorer.
    Under a budget, ``within`` (:meth:`evonas.costs.Budget.cheaply_within`) restricts the
    size calibration to the architectures the search may return.
    """
    from evonas.fitness import reference_options, size_options

    options = size_options(proxy, space, net_args=net_args, seed=CALIBRATION_SEED, mu=mu, sigma=sigma, target=target,
                           within=within)
    options.update(reference_options(proxy, space, net_args=net_args, batch=batch, repeats=repeats))
    return ArchitectureScorer(space=space.name, proxy=proxy, proxy_options=options, net_args=net_args, batch=batch,
                              repeats=repeats, seed=seed)


def on_device(batch: Batch, device: str) -> Batch:
    """``batch`` with its tensors on ``device`` (moved once, before any network is scored)."""
    targets = None if batch.targets is None else batch.targets.to(device)
    return Batch(batch.inputs.to(device), targets)


@dataclass(frozen=True)
class ArchitectureScorer:
    """``scorer(genome_or_native_text) -> Evaluation(score, params, details)`` for one space, proxy and input batch.

    Args:
        space: registered space name.
        proxy: registered proxy name; ``proxy_options`` are passed to its factory.
        net_args: network arguments of the scored network (e.g. the stem-less DARTS cell).
        batch: the input batch (and targets, for proxies that need them); networks are built
            on its device (:func:`on_device`).
        repeats: re-initialisations averaged per score.
        seed: seed of the re-initialisations; every architecture gets the same seed, so a
            score does not depend on the order architectures are scored in.
    """

    space: str
    proxy: str
    batch: Batch
    proxy_options: dict[str, Any] = field(default_factory=dict)
    net_args: dict[str, Any] = field(default_factory=dict)
    space_options: dict[str, Any] = field(default_factory=dict)
    repeats: int = 32
    seed: int = 0

    @cached_property
    def _space(self) -> SearchSpace:
        return get_space(self.space, **self.space_options)

    @cached_property
    def _proxy(self) -> Any:
        return get_proxy(self.proxy, **self.proxy_options)

    def __call__(self, arch: NativeOrGenome) -> Evaluation:
        """The score, the scored network's size and, for an ensemble, each member's own score (``details``)."""
        net = self._space.build(arch, **self.net_args).to(self.batch.inputs.device)
        value, parts = score_parts(self._proxy, net, self.batch, repeats=self.repeats, seed=self.seed)
        return Evaluation(value, count_parameters(net), details=parts or None)

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}
