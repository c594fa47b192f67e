"""Cell operations shared by the DARTS and NAS-Bench-201 spaces, created by name from ``OPS``.

Every entry is a factory ``(C_in, C_out, stride, affine) -> nn.Module`` (the DARTS convention,
Liu et al. 2019, also used by NAS-Bench-201, Dong & Yang 2020). Activations are separate,
non-in-place ``nn.ReLU`` modules so that activation-based proxies can hook them.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator
from functools import partial
from typing import Callable, Container

import torch
from torch import nn

from evonas.registry import Registry

OpFactory = Callable[[int, int, int, bool], nn.Module]

OPS: Registry[OpFactory] = Registry(
    "operation",
    how_to_add="Add one with @OPS.register(name) on a factory (C_in, C_out, stride, affine) -> nn.Module "
    "in evonas.networks.ops.",
)


def edge_name(src: int, dst: int, op: str, taken: Container[str] = ()) -> str:
    """The module name of a cell edge: ``"{src}_{dst}_{op}"``.

    Naming an edge's module by where it sits *and* which op it holds makes the names of a
    network a function of its genome: an edge whose op is unchanged keeps its name (and so
    its weights under :func:`evonas.train.inherit`), a mutated or moved edge gets a new one.
    ``taken`` holds the names already used in the cell; a second edge with the same source,
    target and op (DARTS genotypes may have one) is suffixed ``_2``.
    """
    name = f"{src}_{dst}_{op}"
    return f"{name}_2" if name in taken else name


class ReLUConvBN(nn.Sequential):
    """ReLU -> conv -> BN: the one parametric block every cell op is made of.

    Args:
        C_in: input channels.
        C_out: output channels.
        kernel_size: square kernel; padding keeps the size ("same") at stride 1.
        stride: spatial stride of the (first) conv.
        dilation: dilation of the k×k conv.
        affine: whether the BatchNorm has a learnable scale and shift.
        separable: make the conv depthwise k×k followed by pointwise 1×1 (DARTS ``dil_conv``).
    """

    def __init__(
        self,
        C_in: int,
        C_out: int,
        kernel_size: int,
        stride: int = 1,
        dilation: int = 1,
        affine: bool = True,
        separable: bool = False,
    ) -> None:
        padding = dilation * (kernel_size - 1) // 2
        spatial = nn.Conv2d(
            C_in,
            C_in if separable else C_out,
            kernel_size,
            stride=stride,
            padding=padding,
            dilation=dilation,
            groups=C_in if separable else 1,
            bias=False,
        )
        pointwise = [nn.Conv2d(C_in, C_out, 1, bias=False)] if separable else []
        super().__init__(nn.ReLU(), spatial, *pointwise, nn.BatchNorm2d(C_out, affine=affine))


class FactorizedReduce(nn.Module):
    """Change channels (and stride) with two 1×1 convs on grids offset by one pixel, concatenated.

    DARTS' parameter-light skip path: unlike a single strided 1×1 conv it sees every pixel.
    The output has ``ceil(H / stride)`` rows, like the padded 3×3 ops beside it, also for odd H.
    """

    def __init__(self, C_in: int, C_out: int, stride: int = 2, affine: bool = True) -> None:
        super().__init__()
        self.relu = nn.ReLU()
        halves = (C_out // 2, C_out - C_out // 2)
        self.convs = nn.ModuleList(nn.Conv2d(C_in, c, 1, stride=stride, bias=False) for c in halves)
        self.bn = nn.BatchNorm2d(C_out, affine=affine)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(x)
        shifted = nn.functional.pad(x, (0, 1, 0, 1))[:, :, 1:, 1:]
        return self.bn(torch.cat([self.convs[0](x), self.convs[1](shifted)], dim=1))


def drop_path(x: torch.Tensor, p: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """Zero each sample of ``x`` with probability ``p`` and scale the rest by ``1 / (1 - p)``.

    Drop-path regularisation of cell edges (FractalNet, Larsson et al. 2017), as DARTS'
    evaluation training applies it (Liu et al. 2019). The mask is drawn on the CPU from
    ``generator`` only, so a seeded run does not depend on the global RNG or the device.
    """
    keep = 1.0 - p
    mask = torch.empty(x.shape[0], *(1,) * (x.dim() - 1)).bernoulli_(keep, generator=generator)
    return x * mask.to(x.device, x.dtype) / keep


class Zero(nn.Module):
    """The ``none`` op: zeros shaped like the output of a real op on the same edge; no parameters."""

    def __init__(self, C_out: int, stride: int) -> None:
        super().__init__()
        self.C_out = C_out
        self.stride = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, _, h, w = x.shape
        return x.new_zeros(n, self.C_out, -(-h // self.stride), -(-w // self.stride))

    def extra_repr(self) -> str:
        return f"C_out={self.C_out}, stride={self.stride}"


@OPS.register("none")
def _none(C_in: int, C_out: int, stride: int, affine: bool) -> nn.Module:
    return Zero(C_out, stride)


@OPS.register("skip_connect")
def _skip_connect(C_in: int, C_out: int, stride: int, affine: bool) -> nn.Module:
    if stride == 1 and C_in == C_out:
        return nn.Identity()
    return FactorizedReduce(C_in, C_out, stride, affine)


def _shifted(x: torch.Tensor, kernel: int, stride: int, padding: int, fill: float, dims: tuple[int, ...]) -> Iterator[torch.Tensor]:
    """The views of ``x`` (padded with ``fill``) that a square pooling window reads along ``dims`` (-2: rows, -1: columns).

    With ``dims=(-2, -1)`` there are ``kernel ** 2`` views, in row-major order: view ``(i, j)``
    holds, at every output position, the window's element in row ``i``, column ``j``; with
    one dim, the ``kernel`` views along it (the other dim kept whole). A pool is then an
    elementwise reduction of the views.
    """
    padded = nn.functional.pad(x, (padding,) * 4, value=fill) if padding else x
    outs = {d: (x.shape[d] + 2 * padding - kernel) // stride + 1 for d in dims}
    for offsets in itertools.product(range(kernel), repeat=len(dims)):
        cut = [slice(None), slice(None)]
        for d, o in zip(dims, offsets):
            cut[d] = slice(o, o + stride * (outs[d] - 1) + 1, stride)
        yield padded[(..., *cut)]


def _cpu_inference(pool: nn.Module, x: torch.Tensor) -> bool:
    """Whether the shifted-view pool applies: a CPU tensor without autograd, a square window, no ceil mode.

    On CUDA and under autograd PyTorch's own kernel is used (fast there; and its gradient
    goes to one element of a tie, where ``torch.maximum``'s would be split).
    """
    return (x.device.type == "cpu" and not (torch.is_grad_enabled() and x.requires_grad) and x.dim() == 4
            and not pool.ceil_mode and all(isinstance(v, int) for v in (pool.kernel_size, pool.stride, pool.padding)))


class MaxPool(nn.MaxPool2d):
    """``nn.MaxPool2d``, with the same output bit for bit, several times faster on the CPU for the cells' small maps.

    PyTorch's CPU max pool costs about 3 ms on a 16 x 4 x 32 x 32 batch (torch 2.13), 8x a
    depthwise 3x3 conv of the same map: with the average pool a fifth of scoring a DARTS
    network. Here it is a maximum over the window's columns, then over its rows, of shifted
    views (max is exact in any order); see :func:`_cpu_inference` for when PyTorch's kernel
    runs instead.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.return_indices or self.dilation != 1 or not _cpu_inference(self, x):
            return super().forward(x)
        padded = nn.functional.pad(x, (self.padding,) * 4, value=float("-inf")) if self.padding else x
        out = padded
        for dim in (-1, -2):  # the window's columns, then its rows
            views = _shifted(out, self.kernel_size, self.stride, 0, 0.0, (dim,))
            out = next(views).clone()
            for view in views:
                torch.maximum(out, view, out=out)
        return out


class AvgPool(nn.AvgPool2d):
    """``nn.AvgPool2d(..., count_include_pad=False)``, with the same output bit for bit, several times faster on the CPU
    at stride 1.

    PyTorch's CPU kernel is slow at stride 1 on small maps (1 ms on 16 x 4 x 32 x 32). Here the
    shifted views are summed in the order that kernel adds a window's elements (row by row,
    from 0.0; the zero padding adds nothing), then divided by the number of elements in the
    window, as it does. At other strides, on CUDA and under autograd, PyTorch's kernel runs.
    """

    def __init__(self, kernel_size: int, stride: int | None = None, padding: int = 0) -> None:
        super().__init__(kernel_size, stride, padding, count_include_pad=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.divisor_override is not None or self.stride != 1 or not _cpu_inference(self, x):
            return super().forward(x)
        views = list(_shifted(x, self.kernel_size, 1, self.padding, 0.0, (-2, -1)))
        out = torch.zeros(views[0].shape, dtype=x.dtype, device=x.device)
        for view in views:
            out += view
        return out.div_(_window_sizes(*x.shape[-2:], self.kernel_size, 1, self.padding, x.dtype, x.device))


@functools.lru_cache(maxsize=64)
def _window_sizes(height: int, width: int, kernel: int, stride: int, padding: int, dtype: torch.dtype,
                  device: torch.device) -> torch.Tensor:
    """(rows, cols) number of input elements (not padding) in each pooling window, as PyTorch's kernel counts them."""

    def inside(size: int) -> list[int]:
        starts = range(-padding, size + padding - kernel + 1, stride)
        return [min(start + kernel, size) - max(start, 0) for start in starts]

    return torch.tensor(inside(height), dtype=dtype, device=device)[:, None] * torch.tensor(inside(width), dtype=dtype, device=device)


def _pool(pool: Callable[..., nn.Module], C_in: int, C_out: int, stride: int, affine: bool) -> nn.Module:
    # NAS-Bench-201 convention: a 1×1 ReLUConvBN first when the channel count must change.
    adapt = [] if C_in == C_out else [ReLUConvBN(C_in, C_out, 1, affine=affine)]
    return nn.Sequential(*adapt, pool(3, stride=stride, padding=1))


def _sep_conv(kernel_size: int, C_in: int, C_out: int, stride: int, affine: bool) -> nn.Module:
    """DARTS separable conv: the dilation-free ``dil_conv`` twice, only the first one strided."""
    return nn.Sequential(
        ReLUConvBN(C_in, C_in, kernel_size, stride, affine=affine, separable=True),
        ReLUConvBN(C_in, C_out, kernel_size, 1, affine=affine, separable=True),
    )


def _dil_conv(kernel_size: int, C_in: int, C_out: int, stride: int, affine: bool) -> nn.Module:
    return ReLUConvBN(C_in, C_out, kernel_size, stride, dilation=2, affine=affine, separable=True)


def _nor_conv(kernel_size: int, C_in: int, C_out: int, stride: int, affine: bool) -> nn.Module:
    return ReLUConvBN(C_in, C_out, kernel_size, stride, affine=affine)


OPS.register("avg_pool_3x3")(partial(_pool, AvgPool))
OPS.register("max_pool_3x3")(partial(_pool, MaxPool))
for _k in (3, 5):
    OPS.register(f"sep_conv_{_k}x{_k}")(partial(_sep_conv, _k))
    OPS.register(f"dil_conv_{_k}x{_k}")(partial(_dil_conv, _k))
for _k in (1, 3):
    OPS.register(f"nor_conv_{_k}x{_k}")(partial(_nor_conv, _k))
del _k
