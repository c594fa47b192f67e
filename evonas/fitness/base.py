"""The proxy protocol every fitness plugin implements, and the registry that names them.

A proxy scores a network on a small batch without training it. The public ``__call__``
does the bookkeeping every proxy shares (template method, as pymoo's ``do``/``_do``): it
shows the network in training mode, restores its buffers and modes afterwards, disables
autograd unless the proxy needs gradients and rejects non-finite scores. A plugin only
writes ``_score``. Adding one is a single small file::

    @register_proxy("my-proxy")
    class MyProxy(Proxy):
        def _score(self, net, batch):
            return ...
"""

from __future__ import annotations

import inspect
import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any, TypeVar

import torch
from torch import nn

from evonas.batch import Batch
from evonas.errors import ConfigError, DataError, ProxyError
from evonas.fitness.init import gaussian_initialiser
from evonas.registry import Registry


class Proxy(ABC):
    """A training-free fitness proxy: ``proxy(net, batch) -> float``.

    Contract: a call is deterministic for a given network state and batch; the network sees
    training mode (BatchNorm normalises with the batch's own statistics, as in the SWAP
    reference study) and afterwards has the same weights, buffers, modes and hooks as
    before; a NaN or infinite score raises :class:`ProxyError` naming the proxy.

    Attributes:
        name: registry name, used in error messages.
        direction: +1 if higher scores are better, -1 if lower are.
        needs_init: whether averaging over random re-initialisations makes sense (False for
            proxies that ignore weight values, such as the parameter count).
        fan_in_init: re-initialise conv and linear weights from N(0, 1/fan_in) rather than
            N(0, 1), for proxies that depend on the weight scale (see ``grasp``).
        needs_targets: whether ``batch.targets`` must be given.
        needs_grad: whether ``_score`` runs with autograd enabled.
        needs_batches: how many mini-batches ``_score`` cuts the batch into (statistics over
            mini-batches, e.g. ``zico``); the batch must have at least that many samples.
    """

    name: str = "proxy"
    direction: int = +1
    needs_init: bool = True
    fan_in_init: bool = False
    needs_targets: bool = False
    needs_grad: bool = False
    needs_batches: int = 1
    #: the flags above, which say how to run a proxy (a wrapper such as Regularised copies them)
    FLAGS = ("needs_init", "fan_in_init", "needs_targets", "needs_grad", "needs_batches")

    def __call__(self, net: nn.Module, batch: Batch) -> float:
        """Score ``net`` on ``batch`` (bookkeeping around :meth:`_score`)."""
        with self.session(net, batch) as score_once:
            return score_once()

    @contextmanager
    def session(self, net: nn.Module, batch: Batch) -> Iterator[Callable[[], float]]:
        """The bookkeeping of a call, done once for many scorings of ``net`` on ``batch``.

        Yields ``score_once()``; between calls the caller may change the weights (e.g.
        re-initialise them), and on exit the network's modes and buffers are restored, as
        after a single call. :func:`evonas.fitness.score` uses it to average over draws.
        """
        if self.needs_targets and batch.targets is None:
            raise DataError(f"proxy {self.name!r} needs targets, but the batch has none")
        if batch.samples < self.needs_batches:
            raise DataError(
                f"proxy {self.name!r} splits the batch into {self.needs_batches} mini-batches, "
                f"but it has only {batch.samples} samples"
            )
        with untouched(net), torch.inference_mode(not self.needs_grad):
            yield lambda: self._checked_score(net, batch)

    def score_parts(self, net: nn.Module, batch: Batch, *, repeats: int, seed: int) -> tuple[float, dict[str, float]]:
        """The mean score over ``repeats`` seeded re-initialisations, and the values it combines.

        What :func:`evonas.fitness.score` computes (see there); the second item is empty for
        a single proxy, and an ensemble (:class:`evonas.fitness.ensemble.Ensemble`) gives its
        members' own mean scores there, so a caller can report them beside the score.
        """
        if not self.needs_init:
            return self(net, batch), {}
        device = next((p.device for p in net.parameters()), torch.device("cpu"))
        generator = torch.Generator(device).manual_seed(seed)
        state = list(net.state_dict(keep_vars=True).values())
        saved = [t.detach().clone() for t in state]
        reinit, total = gaussian_initialiser(net, fan_in=self.fan_in_init), 0.0
        try:
            with self.session(net, batch) as score_once:
                for _ in range(repeats):
                    reinit(generator)
                    total += score_once()
        finally:
            with torch.no_grad():  # what load_state_dict does, without its key matching (~1 ms a network)
                for tensor, value in zip(state, saved):
                    tensor.copy_(value)
        return total / repeats, {}

    def _checked_score(self, net: nn.Module, batch: Batch) -> float:
        try:
            value = float(self._score(net, batch))
        except ProxyError as e:
            raise ProxyError(f"proxy {self.name!r}: {e}") from e
        if not math.isfinite(value):
            raise ProxyError(f"proxy {self.name!r} gave a non-finite score ({value}) for {type(net).__name__}")
        return value

    @abstractmethod
    def _score(self, net: nn.Module, batch: Batch) -> float:
        """The score itself; called in training mode, inside :func:`untouched`."""

    def __repr__(self) -> str:
        return f"<proxy {self.name!r}>"


@contextmanager
def untouched(net: nn.Module) -> Iterator[nn.Module]:
    """Put ``net`` in training mode, then restore the modes and every buffer.

    Training-mode BatchNorm updates its running statistics; restoring the buffers keeps a
    proxy call free of side effects, so scoring twice gives the same result. Only modules
    not already training are switched (setting a module attribute is slow in PyTorch).
    """
    modules = _all_modules(net)
    idle = [m for m in modules if not m.training]
    buffers = [(b, b.clone()) for m in modules for b in m._buffers.values() if b is not None]
    for module in idle:
        module.training = True
    try:
        yield net
    finally:
        with torch.no_grad():
            for buffer, saved in buffers:
                buffer.copy_(saved)
        for module in idle:
            module.training = False


def _all_modules(net: nn.Module) -> list[nn.Module]:
    """``net`` and its submodules, like ``net.modules()`` but several times faster.

    ``modules()`` builds a dotted name for every submodule; on the one-cell DARTS scoring
    network that costs about 5 % of a forward pass, paid twice per proxy call. A module
    shared in two places is listed twice, which is harmless here.
    """
    found, stack = [], [net]
    while stack:
        module = stack.pop()
        found.append(module)
        stack.extend(m for m in module._modules.values() if m is not None)
    return found


P = TypeVar("P", bound=type[Proxy])

#: joins member names into the name of their rank ensemble: ``swap+synflow+nwot``
ENSEMBLE_JOIN = "+"


class ProxyRegistry(Registry[type[Proxy]]):
    """The proxy registry; a name of registered proxies joined by ``+`` is their rank ensemble.

    ``get("swap+synflow")`` is the factory registered as ``ensemble`` with those members
    (see :mod:`evonas.fitness.ensemble`), so every place that takes a proxy name (the CLI,
    ``correlate``, the search) takes an ensemble without knowing about it.
    """

    def get(self, name: str) -> type[Proxy]:
        """The factory called ``name``; for ``a+b+...``, the ensemble of ``a``, ``b``, ..."""
        if ENSEMBLE_JOIN not in name:
            return super().get(name)
        members = name.split(ENSEMBLE_JOIN)
        for member in members:
            super().get(member)  # an unknown member is named, with near matches
        return partial(super().get("ensemble"), members=members, name=name)  # type: ignore[return-value]


PROXIES = ProxyRegistry(
    "proxy",
    "Add one with @evonas.fitness.register_proxy('name') on a Proxy subclass "
    "(see evonas/fitness/params.py for a complete example); join names with '+' for their rank ensemble.",
)


def register_proxy(name: str) -> Callable[[P], P]:
    """Decorator: register a :class:`Proxy` subclass as ``name`` (and set its ``name``).

    Its class attributes (``direction``, ``needs_*``) describe the proxy before it is built,
    e.g. ``PROXIES.get("reg-swap").direction`` while ``mu`` and ``sigma`` are still unknown.
    """

    def add(cls: P) -> P:
        cls.name = name
        return PROXIES.register(name)(cls)

    return add


def get_proxy(name: str, **options: Any) -> Proxy:
    """The proxy registered as ``name``, built with ``options`` (e.g. ``mu``/``sigma`` for ``reg-swap``)."""
    cls = PROXIES.get(name)
    signature = inspect.signature(cls)
    try:
        signature.bind(**options)
    except TypeError as e:
        raise ConfigError(f"proxy {name!r}: {e}; its options are {signature}") from None
    return cls(**options)


def list_proxies(pattern: str = "*") -> list[str]:
    """Names of the registered proxies matching a shell-style wildcard, sorted."""
    return PROXIES.names(pattern)
