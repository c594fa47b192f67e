"""Seeing what a forward pass computes without registering anything on the network.

A :class:`~torch.overrides.TorchFunctionMode` sees every torch call of a forward pass —
module and functional calls alike — and leaves no hook behind even if the pass raises. The
proxies that read layer outputs, activations or normalisation inputs (``flops``, ``fisher``,
``zen``) share :class:`FunctionTap`; ``swap``, ``activation-patterns`` and ``nwot`` read ReLU
outputs through :func:`relu_outputs`, a leaner tap (ReLU calls only, kept as they happen).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.overrides import TorchFunctionMode

from evonas.errors import ProxyError

#: The weighted layers whose outputs the layer-wise proxies look at (the conv and linear layers).
CONVS = frozenset({F.conv1d, F.conv2d, F.conv3d})
LINEAR = F.linear
WEIGHTED = CONVS | {LINEAR}

#: Every way of applying a ReLU: module, functional, tensor method, in place or not.
RELUS = frozenset({F.relu, F.relu_, torch.relu, torch.relu_, Tensor.relu, Tensor.relu_})

#: ``on(func, args, out)`` sees every call; what it returns (if not None) replaces the output.
OnCall = Callable[[Any, tuple, Any], Any]


class FunctionTap(TorchFunctionMode):
    """While active, passes every torch call's function, positional arguments and output to ``on``.

    Calls made inside ``on`` are not tapped (the mode is inactive in its own handler).
    """

    def __init__(self, on: OnCall) -> None:
        super().__init__()
        self.on = on

    def __torch_function__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
        out = func(*args, **kwargs) if kwargs else func(*args)
        replaced = self.on(func, args, out)
        return out if replaced is None else replaced


def is_weighted(func: Any, args: tuple) -> bool:
    """Whether a tapped call is a conv or linear layer applied to a batch."""
    return func in WEIGHTED and len(args) > 1 and isinstance(args[0], Tensor)


class ReluTap(TorchFunctionMode):
    """While active, applies ``keep`` to every ReLU output over the batch, flattened to (S, values)."""

    def __init__(self, samples: int, keep: Callable[[Tensor], Tensor]) -> None:
        super().__init__()
        self.samples = samples
        self.keep = keep
        self.maps: list[Tensor] = []
        self.other: list[Tensor] = []

    def __torch_function__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
        out = func(*args, **kwargs) if kwargs else func(*args)
        if func in RELUS and out.dim() and len(out) == self.samples:
            # binarise at once: a later in-place op may overwrite an in-place ReLU's output
            (self.maps if out.dim() == 4 else self.other).append(self.keep(out.reshape(self.samples, -1)))
        return out


def relu_outputs(net: nn.Module, inputs: Tensor, keep: Callable[[Tensor], Tensor]) -> list[Tensor]:
    """``keep`` of every counted ReLU output of one forward pass, each flattened to (samples, values).

    The outputs of ReLUs on 4-D feature maps (or, for a network without any, of every ReLU):
    the intermediate values of SWAP (Def. 3.1) and NWOT. Raises :class:`ProxyError` when the
    network's output is not finite.
    """
    with torch.inference_mode(), ReluTap(len(inputs), keep) as tap:
        out = net(inputs)
    if isinstance(out, Tensor) and not torch.isfinite(out).all():
        raise ProxyError(f"{type(net).__name__} produced non-finite outputs; activation patterns are undefined")
    return tap.maps or tap.other
