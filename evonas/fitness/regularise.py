"""Size regularisation for any proxy, and its calibration from a space's size distribution.

Regularised SWAP (SWAP paper, Def. 3.5) multiplies the score by a Gaussian bump in the
parameter count Θ, ``exp(-(Θ - μ)² / σ)``, which steers a search towards a model size and
damps SWAP's growth with size. It is a wrapper around any higher-is-better proxy, not a flag
inside SWAP.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
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
    space: Any, *, n: int = 1000, net_args: dict[str, Any] | None = None, seed: int = 0, unit: float = 1e3
) -> tuple[float, float]:
    """``(mu, sigma)`` for :class:`Regularised`, from the sizes of ``n`` random architectures.

    The paper sets μ and σ by looking at the sizes of about 1000 sampled architectures; this
    is that step as a rule, see :func:`calibrate_sizes`. Sizes come from
    ``space.count_params`` (no weights are allocated). Accuracies are never consulted.

    Args:
        space: a search space (``sample(rng)``, ``count_params(arch, **net_args)``).
        n: architectures sampled.
        net_args: network arguments, e.g. ``dict(C=3, layers=1, stem=False)`` for the DARTS
            scoring network; must match the networks that will be scored.
        seed: seed of the sampling generator.
        unit: parameters per size unit (the ``unit`` the proxy will use).
    """
    if n < 2:
        raise ConfigError(f"calibrate: n must be at least 2 architectures, got {n}")
    rng = np.random.default_rng(seed)
    sizes = [space.count_params(space.sample(rng), **(net_args or {})) for _ in range(n)]
    return calibrate_sizes(sizes, unit=unit)


def size_options(
    proxy: str, space: Any, *, net_args: dict[str, Any], seed: int, mu: float | None = None, sigma: float | None = None
) -> dict[str, float]:
    """The options a registered proxy needs for its size factor.

    ``mu`` and ``sigma`` for a :class:`Regularised` proxy (as given, or from :func:`calibrate`
    on ``space`` when neither is), nothing for any other proxy.
    """
    factory = PROXIES.get(proxy)
    if not (isinstance(factory, type) and issubclass(factory, Regularised)):
        return {}
    if (mu is None) != (sigma is None):
        raise ConfigError("give both mu and sigma, or neither (then they are calibrated from sampled sizes)")
    if mu is None:
        mu, sigma = calibrate(space, net_args=net_args, seed=seed)
    return {"mu": mu, "sigma": sigma}


def calibrate_sizes(sizes: Sequence[float], *, unit: float = 1e3) -> tuple[float, float]:
    """The calibration rule: μ = median size, σ = 2·s², s = interquartile range / 1.349.

    ``s`` is the robust standard deviation of the sizes (IQR / 1.349 equals the standard
    deviation for a normal distribution, and outliers do not inflate it). With σ = 2·s² the
    factor is a Gaussian bump of standard deviation ``s`` around the typical size: one
    spread away a score keeps e^-1/2 ≈ 61 %, two spreads away e^-2 ≈ 14 %. The rule is
    unit-free: measuring sizes in another unit scales μ and s by the same number and σ by
    its square, so every architecture's factor is unchanged and the rule carries over
    between spaces whose sizes differ by orders of magnitude.
    """
    theta = np.asarray(sizes, dtype=float) / unit
    q1, median, q3 = np.percentile(theta, [25, 50, 75])
    spread = (q3 - q1) / 1.349
    if not spread > 0:
        raise ConfigError(f"calibrate: the sampled sizes have no spread (IQR 0 over {len(theta)} sizes)")
    return float(median), float(2 * spread**2)
