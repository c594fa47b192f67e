"""Seeing what a forward pass computes without registering anything on the network.

A :class:`~torch.overrides.TorchFunctionMode` sees every torch call of a forward pass —
module and functional calls alike — and leaves no hook behind even if the pass raises. The
proxies that read layer outputs, activations or normalisation inputs (``flops``, ``fisher``,
``zen``) share this one tap; ``swap`` and ``nwot`` use the ReLU tap in :mod:`.swap`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch.nn.functional as F
from torch import Tensor
from torch.overrides import TorchFunctionMode

#: The weighted layers whose outputs the layer-wise proxies look at (the conv and linear layers).
CONVS = frozenset({F.conv1d, F.conv2d, F.conv3d})
LINEAR = F.linear
WEIGHTED = CONVS | {LINEAR}

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

