"""Rank ensembles of proxies: members made unit-free by their ranks in a reference sample of the space.

Proxies disagree in unit and scale (SWAP counts patterns, synflow is a log-sum, params a
count), so they cannot be added as they are. Each member's score is mapped to its rank
among that member's scores on a *reference sample*: architectures drawn from the space with
a fixed seed and scored on the scoring network with the search's batch, before the search
starts (:func:`reference_options`, as :func:`~evonas.fitness.regularise.size_options`
calibrates ``reg-swap``). Ranks are in (0, 1) and combined by a registered rule
(:data:`COMBINERS`); the default sums their logarithms, as AZ-NAS does (Lee & Ham, CVPR
2024, Eq. 9), so an architecture must rank well on every member. A name of proxies joined
by ``+`` (``swap+synflow``) is the ensemble of those proxies::

    options = reference_options("swap+synflow", space, net_args=space.scoring_net_args, batch=batch, repeats=4)
    proxy = get_proxy("swap+synflow", **options)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from torch import nn

from evonas.errors import ConfigError, ProxyError
from evonas.fitness.base import ENSEMBLE_JOIN, Batch, Proxy, get_proxy, register_proxy
from evonas.fitness.evaluate import score
from evonas.fitness.regularise import size_options
from evonas.registry import Registry

#: the reference sample: its size and the seed of its sampling and re-initialisations (never the search's)
REFERENCE_SIZE = 64
REFERENCE_SEED = 0


class Ranks:
    """Where a value falls among one member's reference scores: a smoothed empirical CDF in (0, 1).

    Between the reference values it interpolates their mid-ranks ((i + ½) / n for the i-th
    of n distinct values; ties share one); beyond them it goes on exponentially, with the
    mean gap between reference values as its scale, so it never reaches 0 or 1 and keeps
    ordering architectures better (or worse) than the whole sample instead of tying them.

    Args:
        values: the member's scores on the reference sample, oriented so higher is better.
    """

    def __init__(self, values: Sequence[float]) -> None:
        x = np.sort(np.asarray(values, dtype=float))
        self.points, counts = np.unique(x, return_counts=True)
        if len(self.points) < 2:
            raise ConfigError(f"an ensemble member needs at least 2 distinct reference scores, got {len(self.points)}")
        self.mid = (np.cumsum(counts) - counts / 2) / len(x)
        self.scale = float(self.points[-1] - self.points[0]) / (len(self.points) - 1)

    def log_rank(self, value: float) -> float:
        """log of the rank of ``value`` (finite for every finite value, however far out)."""
        lo, hi = self.points[0], self.points[-1]
        if value < lo:
            return math.log(self.mid[0]) + (value - lo) / self.scale
        if value > hi:
            return math.log1p(-(1 - self.mid[-1]) * math.exp(-(value - hi) / self.scale))
        return math.log(float(np.interp(value, self.points, self.mid)))


#: rules ``(log ranks of the members) -> score``, higher is better
COMBINERS: Registry[Callable[[np.ndarray], float]] = Registry(
    "rank combiner", "Add one with @evonas.fitness.ensemble.COMBINERS.register('name') on a function of log ranks."
)


@COMBINERS.register("log-rank")
def mean_log_rank(log_ranks: np.ndarray) -> float:
    """Mean log rank (AZ-NAS, Eq. 9): a low rank on any member costs much, a high one gains little."""
    return float(np.mean(log_ranks))


@COMBINERS.register("mean-rank")
def mean_rank(log_ranks: np.ndarray) -> float:
    """Mean rank, the empirical CDFs averaged: every member's rank counts linearly."""
    return float(np.mean(np.exp(log_ranks)))


@register_proxy("ensemble")
class Ensemble(Proxy):
    """A rank ensemble of registered proxies (AZ-NAS, Lee & Ham, CVPR 2024), unit-free and direction-aware.

    Each member's score (flipped if its direction is -1) is ranked among its scores on the
    reference sample (:class:`Ranks`), and the ranks are combined by ``combine``.
    :meth:`score_parts` (what searches and ``correlate`` use) averages every member over the
    re-initialisations on its own, with its own initialisation, and ranks the means, as the
    reference was made; a plain call ranks the members' values at the current weights.

    Args:
        members: registered proxy names, at least two, e.g. ``["swap", "synflow"]``.
        reference: member -> its raw scores on the reference sample (see :func:`reference_options`);
            required (None only so that a missing one is explained).
        options: member -> its options (e.g. ``mu``, ``sigma`` for ``reg-swap``).
        combine: a name in :data:`COMBINERS`.
        name: the proxy's name; ``swap+synflow`` when built from that name.
    """

    def __init__(
        self,
        *,
        members: Sequence[str],
        reference: Mapping[str, Sequence[float]] | None = None,
        options: Mapping[str, Mapping[str, Any]] | None = None,
        combine: str = "log-rank",
        name: str = "ensemble",
    ) -> None:
        members = list(members)
        if len(members) < 2 or len(set(members)) < len(members):
            raise ConfigError(f"an ensemble needs at least two distinct members, got {members}")
        missing = [m for m in members if m not in (reference or {})]
        if missing:
            raise ConfigError(f"rank ensemble {name!r}: no reference scores for {missing}; they are the options "
                              "evonas.fitness.reference_options() returns, computed before a run starts")
        assert reference is not None
        options = options or {}
        self.members = {m: get_proxy(m, **options.get(m, {})) for m in members}
        self.ranks = {m: Ranks([p.direction * v for v in reference[m]]) for m, p in self.members.items()}
        self.combiner = COMBINERS.get(combine)
        self.name = name
        proxies = list(self.members.values())
        self.needs_init = any(p.needs_init for p in proxies)
        self.needs_targets = any(p.needs_targets for p in proxies)
        self.needs_grad = any(p.needs_grad for p in proxies)
        self.needs_batches = max(p.needs_batches for p in proxies)

    def combine(self, values: Mapping[str, float]) -> float:
        """The ensemble's score from its members' raw scores (e.g. ones read back from a file)."""
        log_ranks = [self.ranks[m].log_rank(p.direction * values[m]) for m, p in self.members.items()]
        return self.combiner(np.asarray(log_ranks))

    def score_parts(self, net: nn.Module, batch: Batch, *, repeats: int, seed: int) -> tuple[float, dict[str, float]]:
        """The combined score and every member's mean score over the same ``repeats`` draws of ``seed``."""
        values = {}
        for m, proxy in self.members.items():
            try:
                values[m] = score(proxy, net, batch, repeats=repeats, seed=seed)
            except ProxyError as e:
                raise ProxyError(f"ensemble {self.name!r}: {e}") from e
        return self.combine(values), values

    def _score(self, net: nn.Module, batch: Batch) -> float:
        return self.combine({m: proxy(net, batch) for m, proxy in self.members.items()})

    def __repr__(self) -> str:
        return f"<proxy {self.name!r}: rank ensemble of {list(self.members)}>"


def ensemble_members(proxy: str, members: Sequence[str] | None = None) -> list[str] | None:
    """The members of the ensemble called ``proxy`` (``a+b``, or ``ensemble`` with ``members``); None if it is none."""
    if ENSEMBLE_JOIN in proxy:
        return proxy.split(ENSEMBLE_JOIN)
    if proxy == "ensemble":
        if not members:
            raise ConfigError("proxy 'ensemble' needs its members, e.g. members=['swap', 'synflow'] (or say 'swap+synflow')")
        return list(members)
    return None


def reference_options(
    proxy: str,
    space: Any,
    *,
    net_args: dict[str, Any],
    batch: Batch,
    repeats: int,
    members: Sequence[str] | None = None,
    n: int = REFERENCE_SIZE,
) -> dict[str, Any]:
    """The options an ensemble proxy needs: its members' scores on a reference sample; nothing for any other.

    The sample is ``n`` architectures drawn from ``space`` by a generator seeded with
    :data:`REFERENCE_SEED`, built with ``net_args`` and scored by every member with
    ``repeats`` re-initialisations of that same fixed seed: a property of the space, the
    scoring network and the batch, never of the search's seed. A regularised member is
    calibrated as :func:`size_options` does (also with the fixed seed). An architecture a
    member fails on is left out of that member's reference. No accuracy is read. Cost:
    ``n`` times one architecture's scoring by all members (NB201 at C = 16, N = 5 with
    swap, synflow and nwot, 4 repeats: about 80 s on one core).

    Returns:
        ``{"reference": {member: [scores]}, "options": {member: its options}}`` for an
        ensemble, ``{}`` for any other proxy, so callers can always merge it into the options.
    """
    names = ensemble_members(proxy, members)
    if names is None:
        return {}
    if n < 2:
        raise ConfigError(f"reference_options: n must be at least 2 architectures, got {n}")
    options = {m: size_options(m, space, net_args=net_args, seed=REFERENCE_SEED) for m in names}
    proxies = {m: get_proxy(m, **options[m]) for m in names}
    rng = np.random.default_rng(REFERENCE_SEED)
    reference: dict[str, list[float]] = {m: [] for m in names}
    for _ in range(n):
        net = space.build(space.sample(rng), **net_args).to(batch.inputs.device)
        for m, member in proxies.items():
            try:
                reference[m].append(score(member, net, batch, repeats=repeats, seed=REFERENCE_SEED))
            except ProxyError:
                continue
    result: dict[str, Any] = {"reference": reference, "options": {m: o for m, o in options.items() if o}}
    if members is not None and proxy == "ensemble":
        result["members"] = list(names)
    return result
