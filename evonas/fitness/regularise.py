"""Size regularisation for any proxy, and its calibration from a space's size distribution.

Regularised SWAP (SWAP paper, Def. 3.5) multiplies the score by a Gaussian in the parameter
count Θ, ``exp(-(Θ - μ)² / σ)``. Centred at the top of a space's sizes it is a gentle prior
for capacity, which breaks SWAP's ties where its count saturates (2^S patterns) and raises
its correlation with accuracy; centred on a chosen size it steers a search there. It is a
wrapper around any higher-is-better proxy, not a flag inside SWAP.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from torch import nn

from evonas.errors import ConfigError
from evonas.fitness.base import PROXIES, Batch, Proxy, register_proxy
from evonas.fitness.swap import Swap
from evonas.networks import count_parameters


class Regularised(Proxy):
    """``proxy`` times the size factor ``exp(-((Θ - mu)² / sigma))`` (SWAP paper, Def. 3.5).

    Args:
        proxy: a proxy where higher is better (the factor only ever shrinks scores).
        mu: preferred size, in ``unit`` parameters.
        sigma: width, in ``unit`` squared (σ divides a squared size); see :func:`calibrate`.
        unit: parameters per size unit; the paper uses thousands (1e3) for the one-cell DARTS
            scoring network and millions (1e6) for NAS-Bench-201.
        name: registry name; ``"reg-<proxy name>"`` by default.
    """

    def __init__(self, proxy: Proxy, *, mu: float, sigma: float, unit: float = 1e3, name: str | None = None) -> None:
        if proxy.direction != +1:
            raise ConfigError(f"cannot regularise proxy {proxy.name!r}: the size factor needs higher-is-better scores")
        if not (sigma > 0 and unit > 0 and math.isfinite(mu)):
            raise ConfigError(
                f"size regularisation needs finite mu and sigma > 0, unit > 0; got {mu=}, {sigma=}, {unit=}"
            )
        self.proxy = proxy
        self.mu, self.sigma, self.unit = float(mu), float(sigma), float(unit)
        self.name = name or f"reg-{proxy.name}"
        for flag in Proxy.FLAGS:  # run the wrapped proxy as it expects
            setattr(self, flag, getattr(proxy, flag))

    def size_factor(self, n_params: int) -> float:
        """``exp(-((Θ - mu)² / sigma))`` with Θ = ``n_params / unit``: 1 at ``mu``, towards 0 far from it."""
        return math.exp(-((n_params / self.unit - self.mu) ** 2) / self.sigma)

    def _score(self, net: nn.Module, batch: Batch) -> float:
        return self.proxy._score(net, batch) * self.size_factor(count_parameters(net))

    def __repr__(self) -> str:
        size = f"mu={self.mu:g}, sigma={self.sigma:g}, unit={self.unit:g}"
        return f"<proxy {self.name!r}: {self.proxy!r} x size factor ({size})>"


@register_proxy("reg-swap")
class RegSwap(Regularised):
    """Regularised SWAP-Score Ψ' = Ψ · exp(-((Θ - μ)² / σ)) (SWAP paper, Def. 3.5).

    :class:`Regularised` around :class:`~evonas.fitness.swap.Swap`; take ``mu`` and
    ``sigma`` from :func:`calibrate` (same ``unit``) or give them explicitly.
    """

    def __init__(self, *, mu: float, sigma: float, unit: float = 1e3) -> None:
        super().__init__(Swap(), mu=mu, sigma=sigma, unit=unit, name="reg-swap")


def calibrate(
    space: Any, *, n: int = 1000, net_args: dict[str, Any] | None = None, seed: int = 0, unit: float = 1e3,
    within: Callable[[Any], bool] | None = None,
) -> tuple[float, float]:
    """``(mu, sigma)`` for :class:`Regularised`, from the sizes of the space: see :func:`calibrate_sizes`.

    The paper sets μ and σ by looking at the sizes of about 1000 sampled architectures; this
    is that step as a rule. The sizes are those of ``n`` random architectures and of the
    largest one :func:`largest_size` finds by climbing the parameter count from them, so
    μ sits at the top of the space (a random sample seldom holds its largest network:
    NAS-Bench-201's all-3x3 cell has one chance in 15,625). Sizes come from
    ``space.count_params`` (no weights are allocated). Accuracies are never consulted.

    Args:
        space: a search space (``sample(rng)``, ``count_params(arch, **net_args)``).
        n: architectures sampled.
        net_args: network arguments of the scored networks (e.g. the space's
            ``scoring_net_args``); must match the networks that will be scored.
        seed: seed of the sampling generator.
        unit: parameters per size unit (the ``unit`` the proxy will use).
        within: a search under a budget (``--budget params=...``): only architectures it
            accepts are sampled and climbed to, so μ is the top of what the search may return
            (a prior centred on the space's top would favour sizes the budget forbids and
            barely separate those it allows).
    """
    if n < 2:
        raise ConfigError(f"calibrate: n must be at least 2 architectures, got {n}")
    rng = np.random.default_rng(seed)
    net_args = net_args or {}
    draws = (space.sample(rng) for _ in range(100 * n))
    genomes = list(itertools.islice((g for g in draws if within is None or within(g)), n))
    if len(genomes) < 2:
        raise ConfigError(f"calibrate: fewer than 2 of {100 * n} sampled architectures are within the budget")
    sizes = [space.count_params(g, **net_args) for g in genomes]
    start = genomes[int(np.argmax(sizes))]
    top = largest_size(space, start, net_args=net_args, rng=rng, within=within)
    return calibrate_sizes([*sizes, top], unit=unit)


def largest_size(
    space: Any, start: Any, *, net_args: dict[str, Any], rng: np.random.Generator, patience: int = 500,
    within: Callable[[Any], bool] | None = None,
) -> int:
    """The parameter count of the largest architecture found by hill-climbing it from ``start``.

    Repeated mutation (``evonas.operators.mut_random``) keeps every change that enlarges the
    network (and, with ``within``, stays within it), until ``patience`` mutations in a row do not.
    """
    from evonas.operators import mut_random

    best, size, failures = start, space.count_params(start, **net_args), 0
    while failures < patience:
        candidate = mut_random(best, space, rng=rng)
        bigger = space.count_params(candidate, **net_args)
        if bigger > size and (within is None or within(candidate)):
            best, size, failures = candidate, bigger, 0
        else:
            failures += 1
    return size


def size_options(
    proxy: str,
    space: Any,
    *,
    net_args: dict[str, Any],
    seed: int,
    mu: float | None = None,
    sigma: float | None = None,
    target: float | None = None,
    within: Callable[[Any], bool] | None = None,
) -> dict[str, float]:
    """The options a registered proxy needs for its size factor.

    ``mu`` and ``sigma`` for a :class:`Regularised` proxy, nothing for any other: as given;
    or, for a ``target`` size, ``mu = target`` and ``sigma`` by :func:`width`; or, when none
    of them is given, from :func:`calibrate` on ``space`` (under a budget, on the
    architectures ``within`` it). Sizes are in thousands of parameters of the scoring network.
    """
    factory = PROXIES.get(proxy)
    regularised = isinstance(factory, type) and issubclass(factory, Regularised)
    if not regularised:
        given = [name for name, value in (("mu", mu), ("sigma", sigma), ("target-size", target)) if value is not None]
        if given:
            raise ConfigError(f"{', '.join(given)} set the size factor of a regularised proxy; proxy {proxy!r} has none")
        return {}
    if target is not None:
        if mu is not None or sigma is not None:
            raise ConfigError("give target-size, or mu and sigma, not both (target-size sets mu and sigma)")
        if not target > 0:
            raise ConfigError(f"target-size = {target} is impossible: it is a model size (thousands of parameters), so > 0")
        return {"mu": float(target), "sigma": width(target)}
    if (mu is None) != (sigma is None):
        raise ConfigError("give both mu and sigma, or neither (then they are calibrated from sampled sizes)")
    if mu is None:
        mu, sigma = calibrate(space, net_args=net_args, seed=seed, within=within)
    return {"mu": mu, "sigma": sigma}


def width(mu: float) -> float:
    """σ of a size factor centred at ``mu``: ``mu²``, the paper's μ = σ in the unit where ``mu`` is 1.

    Unit-free (σ scales with the square of the size unit, as it must) and the same shape
    at every size: the factor is e^-1 ≈ 0.37 at size 0 and at ``2·mu``.
    """
    return mu**2


def calibrate_sizes(sizes: Sequence[float], *, unit: float = 1e3) -> tuple[float, float]:
    """The calibration rule: μ = the largest size, σ = μ² (see :func:`width`).

    The SWAP paper's own study of μ and σ (Appendix B) finds correlation set mainly by μ and
    best with μ at or above the top of the sampled sizes, with μ = σ in the unit where sizes
    are O(1), and a small σ ruinous: a gentle prior for capacity across the whole range, not
    a bump around the typical size. This rule is that habit made unit-free: in units of the
    largest size, μ = σ = 1. The factor then rises monotonically from e^-1 ≈ 0.37 at size 0
    to 1 at the top, so where SWAP saturates (2^S patterns) the larger network wins. It
    reads sizes only (no accuracy); measuring them in another unit scales μ by that number
    and σ by its square, so every architecture's factor is unchanged and the rule carries
    over between spaces whose sizes differ by orders of magnitude.
    """
    theta = np.asarray(sizes, dtype=float) / unit
    if len(theta) < 2 or not theta.max() > theta.min():
        raise ConfigError(f"calibrate: the sampled sizes have no spread (all {len(theta)} equal)")
    mu = float(theta.max())
    return mu, width(mu)
