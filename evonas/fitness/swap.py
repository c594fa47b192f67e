"""Sample-wise activation patterns: the SWAP-Score and the standard activation-pattern count.

Every activation whose input is a 4-D feature map (for a network without one, every
activation) is binarised, ``1`` where its input is > 0, and laid out as a V × S matrix: one
row per intermediate value, one column per sample (SWAP paper, Defs. 3.1 and 3.3). The
SWAP-Score counts its distinct rows (Def. 3.4), the standard activation-pattern measure its
distinct columns (Def. 3.2).

The paper binarises post-ReLU values; a ReLU's output is > 0 exactly where its input is, so
taking the sign of the *input* is the same rule for ReLU and extends it to every activation
that gates its input at 0: ReLU6, LeakyReLU, PReLU, RReLU, ELU, SELU, CELU, GELU, SiLU, Mish,
Hardswish (and hardtanh; the list is :data:`evonas.fitness.taps.ACTIVATIONS`). Saturating
functions (sigmoid, tanh, softplus) have no gate and are not counted. A network with none of
these raises :class:`ProxyError` rather than scoring 0.

Activations are found with a :class:`~torch.overrides.TorchFunctionMode`, which sees ``nn``
modules and functional calls (``F.gelu``, ``torch.relu``, ``Tensor.relu``, in place or not)
alike and registers nothing on the network.

Counting distinct rows never sorts the float matrix: each activation's signs are packed on
the fly, 8 samples to a word, by one matrix product with powers of two; a column's words
become one key, counted in a table of all 2**S keys (S <= 16) or by a sort. Every partial
sum of that product is an integer below 2**8, exact in bfloat16, the narrowest format a
float32 matrix product is computed in (autocast, TF32, ``set_float32_matmul_precision``):
the count is exact under all of them.
"""

from __future__ import annotations

import functools

import numpy as np
import torch
from torch import Tensor, nn

from evonas.fitness.base import Batch, Proxy, register_proxy, untouched
from evonas.fitness.taps import activation_signs

_WORD = 8  # samples per packed word: sums of distinct powers of two below 2**8 are exact even in bfloat16
_KEY = 8  # words per int64 key
_TABLE_MAX = 16  # up to this many samples, count keys in a table of all 2**S keys instead of sorting


def activation_matrix(net: nn.Module, inputs: Tensor) -> Tensor:
    """The binary V × S activation matrix of ``net`` on ``inputs`` (SWAP paper, Defs. 3.1 and 3.3).

    Row ``v`` holds intermediate value ``v`` for every sample; values of each activation
    follow each other in forward order. Meant for inspection and tests: the scores below
    never materialise it. The network is used as a proxy sees it (see :class:`Proxy`).
    """
    with untouched(net):
        bits = activation_signs(net, inputs, Tensor.bool)
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
        words = activation_signs(net, batch.inputs, _pack)
        return _count_distinct_columns(torch.cat(words, dim=1), batch.samples)


@register_proxy("activation-patterns")
class ActivationPatterns(Proxy):
    """Distinct per-sample activation patterns (SWAP paper, Def. 3.2); higher is better."""

    def _score(self, net: nn.Module, batch: Batch) -> float:
        bits = activation_signs(net, batch.inputs, Tensor.bool)
        rows = np.packbits(torch.cat(bits, dim=1).cpu().numpy(), axis=1)
        return int(np.unique(rows, axis=0).shape[0])


@functools.lru_cache(maxsize=64)
def _packer(samples: int, device: torch.device) -> Tensor:
    """(words, S) matrix: word ``k`` of a row is ``sum_s 2**(s - 8k) * bit_s`` over its 8 samples."""
    s = torch.arange(samples)
    packer = torch.zeros(-(-samples // _WORD), samples)
    packer[s // _WORD, s] = 2.0 ** (s % _WORD).float()
    return packer.to(device)


def _pack(signs: Tensor) -> Tensor:
    """(S, n) sign pattern (0.0 / 1.0) -> (words, n) codes, integers below 2**8."""
    return _packer(len(signs), signs.device) @ signs.float()


def _count_distinct_columns(words: Tensor, samples: int) -> int:
    """Distinct columns of a (words, V) matrix of 8-bit codes holding ``samples`` bits in all.

    Up to 16 samples a column's one or two words make a key below 2**16, formed in float32
    (exact: below 2**24) and counted in a table. Otherwise eight words make one int64 key
    (integer shifts); up to 64 samples a column is a single key, so counting is 1-D.
    """
    if samples <= _TABLE_MAX:
        w = words.float()  # exact: codes are integers below 2**8, also as bfloat16
        key = w[0] if len(w) == 1 else torch.add(w[0], w[1], alpha=1 << _WORD)
        return int(torch.bincount(key.int(), minlength=1 << samples).count_nonzero())
    ints = words.long()
    keys = ints[::_KEY]  # rows 0, 8, ...: the others are shifted into them, in place
    for k in range(1, min(_KEY, len(ints))):
        part = ints[k::_KEY]
        keys[: len(part)] |= part << (_WORD * k)
    if len(keys) == 1:
        return torch.unique(keys[0]).numel()
    return torch.unique(keys.T, dim=0).shape[0]
