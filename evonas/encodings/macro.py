"""NAS-Bench-Macro (Su et al., CVPR 2021): 8 layers of MobileNetV2 blocks, 3^8 = 6561 networks.

A stack-based space, held as a chain in the upper-triangular matrix: node ``k`` is the output
of layer ``k`` (node 0 the stem's), and entry ``[k - 1, k]`` is layer ``k``'s block, so the
shared operators, searches and proxies work on it unchanged. Op-mutation gives one layer
another block and node-incoming crossover swaps one layer; connectivity-mutation does not
apply (every layer reads the one before it) and leaves a genome as it is.

Native notation: the benchmark's 8-digit string, ``"02012100"``: 0 = identity, 1 = inverted
residual with kernel 3 and expansion 3, 2 = kernel 5 and expansion 6.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from evonas.encodings.genome import Genome
from evonas.encodings.space import SPACES, CellRules, NativeOrGenome, SearchSpace
from evonas.errors import InvalidGenomeError

if TYPE_CHECKING:
    import torch.nn as nn  # annotations only: the spaces' rules load without torch

#: matrix code -> block; the native digit is the code minus one
MACRO_OPS = {1: "identity", 2: "ir_k3_e3", 3: "ir_k5_e6"}
_STAGES = (2, 3, 3)
_LAYERS = sum(_STAGES)


@SPACES.register("macro")
class MacroSpace(SearchSpace):
    """The NAS-Bench-Macro space: 8 MobileNetV2-block layers in stages of 2, 3, 3 (6561 networks).

    Network arguments for :meth:`build`: ``C`` stem channels (32), ``head`` channels (1280),
    ``num_classes`` (10): the benchmark's CIFAR-10 network by default.
    """

    name = "macro"
    cell_names = ("layers",)
    scoring_net_args: dict = {}  # the benchmark's own network: small enough to score as it is
    pool_stem = True
    tiny_net_args = {"C": 8, "head": 32}
    additive_params = True  # a layer's parameters depend on its block and its place only
    blank_op = 1  # identity: its projections, where there are any, belong to the base network
    rules = CellRules(n_nodes=_LAYERS + 1, n_inputs=1, ops=MACRO_OPS, search_ops=(1, 2, 3), in_degree=1, chain=True)

    def from_native(self, text: str) -> Genome:
        if not isinstance(text, str):
            raise InvalidGenomeError(f"macro: expected an {_LAYERS}-digit string like '02012100', got {type(text).__name__}")
        digits = text.strip()
        if len(digits) != _LAYERS or any(d not in "012" for d in digits):
            raise InvalidGenomeError(
                f"macro: {text!r} must be {_LAYERS} digits, one per layer: 0 (identity), 1 (k3 e3) or 2 (k5 e6)"
            )
        m = np.zeros((_LAYERS + 1, _LAYERS + 1), dtype=np.int64)
        for k, d in enumerate(digits):
            m[k, k + 1] = int(d) + 1
        return self.validate(Genome((m,)))

    def to_native(self, genome: Genome) -> str:
        (m,) = self.validate(genome).cells
        return "".join(str(int(m[k, k + 1]) - 1) for k in range(_LAYERS))

    def blocks(self, arch: NativeOrGenome) -> list[str]:
        """The block name of each layer."""
        (m,) = (self.from_native(arch) if isinstance(arch, str) else self.validate(arch)).cells
        return [MACRO_OPS[int(m[k, k + 1])] for k in range(_LAYERS)]

    def build(self, arch: NativeOrGenome, *, C: int = 32, head: int = 1280, num_classes: int = 10, pool: int = 1) -> nn.Module:
        """The benchmark's network; ``pool``: an average-pool stem of that stride (:func:`~evonas.networks.pooled`)."""
        from evonas.networks import MacroNetwork, pooled

        return pooled(MacroNetwork(self.blocks(arch), C=C, head=head, num_classes=num_classes), pool)

    def network_key(self, genome: Genome) -> str:
        """The canonical key: genomes that share it build the same network (see :meth:`SearchSpace.network_key`)."""
        return self.canonical_key(genome)

    def canonical_key(self, genome: Genome) -> str:
        """The native string with each stage's true identities moved to its end.

        Only the first layer of a stage changes stride and width; an identity elsewhere is
        ``nn.Identity``, so where it sits in its stage does not change the network.
        """
        digits = self.to_native(genome)
        key, start = [], 0
        for size in _STAGES:
            first, rest = digits[start], [d for d in digits[start + 1 : start + size] if d != "0"]
            key.append(first + "".join(rest).ljust(size - 1, "0"))
            start += size
        return "".join(key)
