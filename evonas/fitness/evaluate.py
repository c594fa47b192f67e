"""A proxy's score for an architecture: its mean over seeded random re-initialisations.

Training-free scores depend on the random weights they are computed at; the SWAP reference
study averages 32 re-initialisations. Everything here draws from its own seeded
``torch.Generator``, so scores are reproducible (also in another process) and the global RNG
is left alone.
"""

from __future__ import annotations

from torch import nn

from evonas.errors import ConfigError
from evonas.fitness.base import Batch, Proxy


def score(proxy: Proxy, net: nn.Module, batch: Batch, *, repeats: int = 32, seed: int) -> float:
    """Mean of ``proxy(net, batch)`` over ``repeats`` re-initialisations of ``net``.

    Weights are drawn as in :func:`~evonas.fitness.init.gaussian_init_` (fan-in scaled if
    ``proxy.fan_in_init``) from a generator seeded with ``seed``; the network's own weights and buffers are restored afterwards, so
    the result depends only on the architecture, the batch and ``seed``. A proxy without
    ``needs_init`` (e.g. ``params``) is called once on the weights as they are. An
    ensemble averages each member on its own and combines the means.
    """
    return score_parts(proxy, net, batch, repeats=repeats, seed=seed)[0]


def score_parts(
    proxy: Proxy, net: nn.Module, batch: Batch, *, repeats: int = 32, seed: int
) -> tuple[float, dict[str, float]]:
    """:func:`score` and the values it was combined from: ``{member: its mean score}`` for an ensemble, ``{}`` otherwise."""
    if repeats < 1:
        raise ConfigError(f"score: repeats must be at least 1, got {repeats}")
    return proxy.score_parts(net, batch, repeats=repeats, seed=seed)
