"""Sample-wise activation patterns: the SWAP-Score and the standard activation-pattern count.

Every value leaving a ReLU whose input is a 4-D feature map (for a network without one,
every ReLU output) is binarised (``> 0``) and laid out as a V × S matrix: one row per
intermediate value, one column per sample (SWAP paper, Defs. 3.1 and 3.3). The SWAP-Score
counts its distinct rows (Def. 3.4), the standard activation-pattern measure its distinct
columns (Def. 3.2).

ReLUs are found with a :class:`~torch.overrides.TorchFunctionMode`, which sees ``nn.ReLU``
modules and functional calls (``F.relu``, ``torch.relu``, ``Tensor.relu``, in place or not)
alike and registers nothing on the network. Measured on the DARTS scoring network, it costs
about 8 % of a forward pass more than forward hooks on the ``nn.ReLU`` modules (0.33 ms of
4.1 ms); hooks are cheaper but miss functional calls, so the score would not be exact.

Counting distinct rows never sorts the float matrix: each ReLU output is packed on the fly,
16 samples to a word, by one matrix product with powers of two (exact in float32), and the
concatenated codes are counted in a table of all 2**S codes (S <= 16) or by a 1-D sort.
"""

from __future__ import annotations

import functools

import numpy as np
import torch
from torch import Tensor, nn

from evonas.errors import ProxyError
from evonas.fitness.base import Batch, Proxy, register_proxy, untouched
from evonas.fitness.taps import relu_outputs

_WORD = 16  # samples per packed word; sums of distinct powers of two below 2**16 are exact in float32
_TABLE_MAX = 16  # up to this many samples, count codes in a table of all 2**S codes instead of sorting


def activation_matrix(net: nn.Module, inputs: Tensor) -> Tensor:
    """The binary V × S activation matrix of ``net`` on ``inputs`` (SWAP paper, Defs. 3.1 and 3.3).

    Row ``v`` holds intermediate value ``v`` for every sample; values of each ReLU output
    follow each other in forward order. Meant for inspection and tests: the scores below
    never materialise it. The network is used as a proxy sees it (see :class:`Proxy`).
    """
    with untouched(net):
        bits = relu_outputs(net, inputs, lambda a: a > 0)
    if not bits:
        return torch.zeros(0, len(inputs), dtype=torch.bool)
    return torch.cat(bits, dim=1).T


def swap_score(net: nn.Module, inputs: Tensor) -> int:
    """SWAP-Score Ψ: the number of distinct rows of the activation matrix (SWAP paper, Def. 3.4).

    Uses the network's current weights (no re-initialisation; see :func:`evonas.fitness.score`),
    in training mode, and leaves it unchanged: the ``swap`` proxy on one batch.
    Equals ``torch.unique(activation_matrix(net, inputs), dim=0).shape[0]``.
    """
    return int(Swap()(net, Batch(inputs)))


def activation_patterns(net: nn.Module, inputs: Tensor) -> int:
    """Number of distinct per-sample activation patterns: distinct columns of the activation matrix.

    The standard measure SWAP is contrasted with (SWAP paper, Def. 3.2); at most S. The
    ``activation-patterns`` proxy on one batch.
    """
    return int(ActivationPatterns()(net, Batch(inputs)))


@register_proxy("swap")
class Swap(Proxy):
    """SWAP-Score Ψ of a network on a batch (SWAP paper, Def. 3.4); higher is better."""

    def _score(self, net: nn.Module, batch: Batch) -> float:
        words = relu_outputs(net, batch.inputs, _pack)
        if not words:
            return 0
        codes = torch.cat(words, dim=1)
        if codes.sum().isnan():  # a NaN activation makes its code, hence the sum, NaN
            raise ProxyError(f"{type(net).__name__} produced NaN activations; SWAP is undefined")
        return _count_distinct_columns(codes.long(), batch.samples)


@register_proxy("activation-patterns")
class ActivationPatterns(Proxy):
    """Distinct per-sample activation patterns (SWAP paper, Def. 3.2); higher is better."""

    def _score(self, net: nn.Module, batch: Batch) -> float:
        bits = relu_outputs(net, batch.inputs, lambda a: a > 0)
        if not bits:
            return 1
        rows = np.packbits(torch.cat(bits, dim=1).cpu().numpy(), axis=1)
        return int(np.unique(rows, axis=0).shape[0])


@functools.lru_cache(maxsize=64)
def _packer(samples: int, device: torch.device) -> Tensor:
    """(words, S) matrix: word ``k`` of a row is ``sum_s 2**(s - 16k) * bit_s`` over its 16 samples."""
    s = torch.arange(samples)
    packer = torch.zeros(-(-samples // _WORD), samples)
    packer[s // _WORD, s] = 2.0 ** (s % _WORD).float()
    return packer.to(device)


def _pack(activations: Tensor) -> Tensor:
    """(S, n) ReLU outputs -> (words, n) float codes; ``sign`` is 1 exactly where an output is > 0."""
    return _packer(len(activations), activations.device) @ activations.sign().float()


def _count_distinct_columns(words: Tensor, samples: int) -> int:
    """Distinct columns of a (words, V) int64 matrix of 16-bit words holding ``samples`` bits each.

    Four words make one int64 key (in place: ``words`` is scratch); up to 64 samples a
    column is a single key, so counting is 1-D.
    """
    keys = words[0::4]
    for k in range(1, min(4, len(words))):
        part = words[k::4]
        keys[: len(part)] |= part << (_WORD * k)
    if samples <= _TABLE_MAX:
        return int(torch.bincount(keys[0], minlength=1 << samples).count_nonzero())
    if len(keys) == 1:
        return torch.unique(keys[0]).numel()
    return torch.unique(keys.T, dim=0).shape[0]
