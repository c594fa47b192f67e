"""A proxy's score for an architecture: its mean over seeded random re-initialisations.

Training-free scores depend on the random weights they are computed at; the SWAP reference
study averages 32 re-initialisations. Everything here draws from its own seeded
``torch.Generator``, so scores are reproducible (also in another process) and the global RNG
is left alone.
"""

from __future__ import annotations

import torch
from torch import nn

from evonas.errors import ConfigError
from evonas.fitness.base import Batch, Proxy
from evonas.fitness.init import gaussian_initialiser


def score(proxy: Proxy, net: nn.Module, batch: Batch, *, repeats: int = 32, seed: int) -> float:
    """Mean of ``proxy(net, batch)`` over ``repeats`` re-initialisations of ``net``.

    Weights are drawn as in :func:`~evonas.fitness.init.gaussian_init_` (fan-in scaled if
    ``proxy.fan_in_init``) from a generator seeded with ``seed``; the network's own weights and buffers are restored afterwards, so
    the result depends only on the architecture, the batch and ``seed``. A proxy without
    ``needs_init`` (e.g. ``params``) is called once on the weights as they are.
    """
    if repeats < 1:
        raise ConfigError(f"score: repeats must be at least 1, got {repeats}")
    if not proxy.needs_init:
        return proxy(net, batch)
    device = next((p.device for p in net.parameters()), torch.device("cpu"))
    generator = torch.Generator(device).manual_seed(seed)
    state = list(net.state_dict(keep_vars=True).values())
    saved = [t.detach().clone() for t in state]
    reinit, total = gaussian_initialiser(net, fan_in=proxy.fan_in_init), 0.0
    try:
        with proxy.session(net, batch) as score_once:
            for _ in range(repeats):
                reinit(generator)
                total += score_once()
    finally:
        with torch.no_grad():  # what load_state_dict does, without its key matching (~1 ms a network)
            for tensor, value in zip(state, saved):
                tensor.copy_(value)
    return total / repeats
