"""Seeing what a forward pass computes without registering anything on the network.

A :class:`~torch.overrides.TorchFunctionMode` sees every torch call of a forward pass —
module and functional calls alike — and leaves no hook behind even if the pass raises. The
proxies that read layer outputs, activations or normalisation inputs (``flops``, ``fisher``,
``zen``) share :class:`FunctionTap`; ``swap``, ``activation-patterns`` and ``nwot`` read the
sign patterns of activations through :func:`activation_signs`, a leaner tap (activation calls
only, binarised as they happen).
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

#: The activations whose sign patterns SWAP, activation patterns and NWOT count. Each is
#: positive exactly where its input is (``nn.ReLU6`` is a ``hardtanh`` from 0 to 6).
ACTIVATIONS = (
    "relu", "relu6", "hardtanh", "leaky_relu", "rrelu", "prelu", "elu", "selu", "celu",
    "gelu", "silu", "mish", "hardswish",
)


def _spellings(names: tuple[str, ...]) -> frozenset[Any]:
    """Every way of calling the named activations: the ``nn`` modules (they call ``F``), ``F``,
    ``torch`` and tensor methods, in place (``name_``) or not; ``torch._C._nn`` is where ``F``'s
    wrappers end."""
    return frozenset(
        getattr(space, name + suffix)
        for space in (F, torch, Tensor, torch._C._nn)
        for name in names
        for suffix in ("", "_")
        if hasattr(space, name + suffix)
    )


GATES = _spellings(ACTIVATIONS)
#: The ReLUs: their output is >= 0 and > 0 exactly where the input is, so its sign already is
#: the pattern (one pass over the values fewer than clamping the input's sign).
RELUS = _spellings(("relu", "relu6"))

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


class SignTap(TorchFunctionMode):
    """While active, applies ``keep`` to the sign pattern of every activation's input over the batch.

    The pattern is ``1.0`` where the activation's input is > 0 and ``0.0`` elsewhere, flattened
    to (S, values): for a ReLU its binarised output (read from the output, which is the same and
    cheaper); for GELU, SiLU, LeakyReLU, ELU and the rest what their gate decides, read before
    the call, so an in-place activation cannot overwrite it (a ReLU's is read right after it,
    before any later in-place op). Only calls on batch-first tensors count. ``keep`` must not
    hold on to its argument (a reused buffer): it returns what it needs.
    """

    def __init__(self, samples: int, keep: Callable[[Tensor], Tensor]) -> None:
        super().__init__()
        self.samples = samples
        self.keep = keep
        self.maps: list[Tensor] = []
        self.other: list[Tensor] = []
        self.scratch = torch.empty(0)

    def __torch_function__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
        if func in GATES:
            x = args[0] if args else kwargs.get("input")
            if isinstance(x, Tensor) and x.dim() and len(x) == self.samples:
                return self._tapped(func, x, args, kwargs or {})
        return func(*args, **kwargs) if kwargs else func(*args)

    def _tapped(self, func: Any, x: Tensor, args: tuple, kwargs: dict) -> Any:
        """Call the activation ``func`` on ``x`` and keep its signs: the output's for a ReLU, else the input's."""
        found = self.maps if x.dim() == 4 else self.other
        if func in RELUS:
            out = func(*args, **kwargs)
            found.append(self.keep(self._signs(out)))
            return out
        found.append(self.keep(self._signs(x).clamp_(min=0)))  # clamp_: -1 -> 0
        return func(*args, **kwargs)

    def _signs(self, t: Tensor) -> Tensor:
        """``sign(t)`` as (S, values), in a buffer the next call reuses (no new memory per call).

        ``sign`` is 0 at 0 and at NaN; it and ``clamp_`` are fast float kernels, several times
        faster than a comparison, which writes a bool tensor.
        """
        if self.scratch.numel() < t.numel() or self.scratch.dtype != t.dtype or self.scratch.device != t.device:
            self.scratch = torch.empty(t.numel(), dtype=t.dtype, device=t.device)
        signs = self.scratch[: t.numel()].view(self.samples, -1)
        return torch.sign(t.reshape(self.samples, -1), out=signs)


def activation_signs(net: nn.Module, inputs: Tensor, keep: Callable[[Tensor], Tensor]) -> list[Tensor]:
    """``keep`` of the sign pattern of every counted activation of one forward pass (see :class:`SignTap`).

    The activations (of :data:`ACTIVATIONS`) on 4-D feature maps, or, for a network without
    any, every one: the intermediate values of SWAP (Def. 3.1) and NWOT. Raises
    :class:`ProxyError` when the network's output is not finite (a NaN activation makes it
    NaN) or when no activation was seen, rather than scoring a network it cannot read.
    """
    with torch.inference_mode(), SignTap(len(inputs), keep) as tap:
        out = net(inputs)
    if isinstance(out, Tensor) and not torch.isfinite(out).all():
        raise ProxyError(f"{type(net).__name__} produced non-finite outputs; activation patterns are undefined")
    if not (tap.maps or tap.other):
        raise ProxyError(
            f"no supported activation was seen in {type(net).__name__} (on batch-first tensors; "
            f"supported: {', '.join(ACTIVATIONS)})"
        )
    return tap.maps or tap.other
