"""Per-weight saliency proxies: ``snip``, ``grasp``, ``fisher``, ``grad_norm``, ``synflow``, ``plain``, ``l2_norm``.

Abdelfattah et al. 2021 ("Zero-Cost Proxies for Lightweight NAS", ICLR) turned these pruning
saliencies into architecture scores: compute a saliency per weight (or per channel), sum it
over the network. They share one computation, written once here: a proxy yields ``(x, g)``
pairs, one per layer — a weight (or activation) and its gradient — and the score is the sum
over layers of ``_layer(x, g)``.

Choices common to the family (where implementations disagree):

* the layers are the conv and linear layers (:func:`layer_weights`, weights only, no biases
  and no normalisation parameters), as in Abdelfattah et al.;
* the loss is the cross-entropy of the logits against ``batch.targets``;
* gradients come from :func:`torch.autograd.grad`, so no ``.grad`` attribute is ever written
  and the network's gradients stay exactly as they were;
* sums are accumulated in float64.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from evonas.fitness.base import Batch, Proxy, register_proxy
from evonas.fitness.taps import FunctionTap, is_weighted

Pair = tuple[Tensor, Tensor | None]


def layer_weights(net: nn.Module) -> list[Tensor]:
    """The weights of ``net``'s conv and linear layers, in module order (each shared tensor once)."""
    seen: set[int] = set()
    weights = []
    for module in net.modules():
        if isinstance(module, (nn.modules.conv._ConvNd, nn.Linear)) and id(module.weight) not in seen:
            seen.add(id(module.weight))
            weights.append(module.weight)
    return weights


def loss_of(net: nn.Module, batch: Batch) -> Tensor:
    """Cross-entropy of ``net``'s logits on ``batch`` against its targets."""
    assert batch.targets is not None  # Proxy.session checks needs_targets
    return F.cross_entropy(net(batch.inputs), batch.targets.long())


class _Saliency(Proxy):
    """Sum over layers of a per-layer saliency ``_layer(x, g)`` of the pairs from ``_pairs``."""

    needs_grad = True
    needs_targets = True

    def _score(self, net: nn.Module, batch: Batch) -> float:
        with torch.enable_grad():
            pairs = self._pairs(net, batch)
        with torch.no_grad():
            return float(sum(self._layer(x.double(), None if g is None else g.double()) for x, g in pairs))

    def _pairs(self, net: nn.Module, batch: Batch) -> Iterable[Pair]:
        """(weight, gradient of the loss) for every layer; proxies needing other pairs override it."""
        weights = layer_weights(net)
        return zip(weights, torch.autograd.grad(loss_of(net, batch), weights, allow_unused=True, materialize_grads=True))

    def _layer(self, x: Tensor, g: Tensor | None) -> Tensor:
        raise NotImplementedError


@register_proxy("snip")
class Snip(_Saliency):
    """SNIP connection sensitivity Σ |θ ⊙ ∂L/∂θ| (Lee et al. 2019, "SNIP", Eq. 6 up to normalisation); higher is better.

    The per-weight saliency |θ ∂L/∂θ| summed over all conv and linear weights, unnormalised
    (normalising by the total would make every network score 1).
    """

    def _layer(self, x: Tensor, g: Tensor | None) -> Tensor:
        return (x * g).abs().sum()


@register_proxy("plain")
class Plain(_Saliency):
    """First-order Taylor term Σ θ ⊙ ∂L/∂θ, signed (Abdelfattah et al. 2021, Sec. 3, "plain"); higher is better."""

    def _layer(self, x: Tensor, g: Tensor | None) -> Tensor:
        return (x * g).sum()


@register_proxy("grad_norm")
class GradNorm(_Saliency):
    """Gradient norm at initialisation (Abdelfattah et al. 2021, Sec. 3, "grad_norm"); higher is better.

    Choice: the sum over layers of each layer's Euclidean norm ‖∂L/∂θ_l‖₂ (Abdelfattah et al.'s
    layer-wise definition), not the norm of the whole concatenated gradient.
    """

    def _layer(self, x: Tensor, g: Tensor | None) -> Tensor:
        return g.norm()


@register_proxy("l2_norm")
class L2Norm(_Saliency):
    """Sum over layers of the weights' Euclidean norm ‖θ_l‖₂ (Abdelfattah et al. 2021, "l2_norm"); higher is better.

    Needs neither gradients nor labels: at random init it mostly measures the network's size.
    """

    needs_grad = False
    needs_targets = False

    def _pairs(self, net: nn.Module, batch: Batch) -> Iterable[Pair]:
        return ((w, None) for w in layer_weights(net))

    def _layer(self, x: Tensor, g: Tensor | None) -> Tensor:
        return x.norm()


@register_proxy("grasp")
class Grasp(_Saliency):
    """GraSP: Σ −θ ⊙ (H ∂L/∂θ) (Wang et al. 2020, "Picking Winning Tickets Before Training", Eq. 8); higher is better.

    The Hessian-gradient product comes from differentiating ``(∂L/∂θ)ᵀ stop_grad(∂L/∂θ)``
    once more. Choices: one batch for both gradients and temperature 1 (the paper uses
    several batches and T = 200 when pruning); the sign as in Abdelfattah et al. 2021, so the
    summed score is used as is with higher taken as better.

    Scored at fan-in scaled weights (``fan_in_init``): behind BatchNorm, θ·(H g) scales as
    1/s² with a layer's weight scale s, so N(0, 1) draws reweight the layers by their fan-in
    and saturate the softmax, and the score stops ranking networks (NAS-Bench-201 Spearman
    ≈ 0.04 at N(0, 1), ≈ 0.5 at N(0, 1/fan_in), as published).
    """

    fan_in_init = True

    def _pairs(self, net: nn.Module, batch: Batch) -> Iterable[Pair]:
        weights = layer_weights(net)
        grads = torch.autograd.grad(loss_of(net, batch), weights, create_graph=True, allow_unused=True,
                                    materialize_grads=True)
        z = sum((g * g.detach()).sum() for g in grads)
        if not z.requires_grad:  # no weight reaches the loss: H g is zero
            return ((w, torch.zeros_like(w)) for w in weights)
        hg = torch.autograd.grad(z, weights, allow_unused=True, materialize_grads=True)
        return zip(weights, hg)

    def _layer(self, x: Tensor, g: Tensor | None) -> Tensor:
        return -(x * g).sum()


@register_proxy("fisher")
class Fisher(_Saliency):
    """Channel Fisher information Σ_c ½ E_n[(Σ_hw a ⊙ ∂L/∂a)²] (Turner et al. 2020, "BlockSwap", Sec. 3; Theis et al. 2018); higher is better.

    Choice: the activations ``a`` are the outputs of every conv and linear layer (Abdelfattah
    et al. 2021's placement), not only the block-internal ReLU outputs BlockSwap prunes; a
    linear output is a map with one spatial position. Their gradients are read through a
    zero tensor added to each output, so in-place ops after a layer cannot disturb them.
    """

    def _pairs(self, net: nn.Module, batch: Batch) -> Iterable[Pair]:
        acts: list[Tensor] = []
        probes: list[Tensor] = []

        def probe(func, args, out):  # type: ignore[no-untyped-def]
            if is_weighted(func, args) and out.shape[:1] == batch.inputs.shape[:1]:
                zero = torch.zeros_like(out, requires_grad=True)
                acts.append(out.detach())
                probes.append(zero)
                return out + zero
            return None

        with FunctionTap(probe):
            loss = loss_of(net, batch)
        return zip(acts, torch.autograd.grad(loss, probes, allow_unused=True, materialize_grads=True))

    def _layer(self, x: Tensor, g: Tensor | None) -> Tensor:
        per_channel = (x * g).reshape(x.shape[0], x.shape[1], -1).sum(2) if x.dim() > 2 else x * g
        return 0.5 * per_channel.pow(2).mean(0).sum()


@register_proxy("synflow")
class Synflow(_Saliency):
    """Synaptic flow Σ θ ⊙ ∂R/∂θ, R = 1ᵀ(Π|θ_l|)1 (Tanaka et al. 2020, "Pruning neural networks without any data", Alg. 1); higher is better.

    Data- and label-free: a float64 copy of the network with every parameter replaced by its
    absolute value is fed one all-ones input shaped like a sample; R is the sum of its
    outputs. Working on a copy leaves the network's weights, signs and dtype untouched.
    Choices: BatchNorm acts as the identity (eval mode with fresh statistics, i.e. as if the
    network had none — in training mode a constant input normalises to zero and the flow
    would vanish); the score is log-transformed as ``log1p`` (≈ log for the huge values of
    real networks, 0 for a network whose output does not depend on its weights), so the
    mean over re-initialisations is a mean of orders of magnitude, not dominated by one draw.
    """

    needs_targets = False

    def _pairs(self, net: nn.Module, batch: Batch) -> Iterable[Pair]:
        flow = copy.deepcopy(net).double()
        with torch.no_grad():
            for p in flow.parameters():
                p.abs_()
        for module in flow.modules():
            if isinstance(module, nn.modules.batchnorm._NormBase):
                module.eval()
                if module.running_mean is not None:
                    module.running_mean.zero_()
                    module.running_var.fill_(1.0)
        weights = layer_weights(flow)
        ones = torch.ones((1, *batch.inputs.shape[1:]), dtype=torch.float64, device=batch.inputs.device)
        out = flow(ones).sum()
        grads = (torch.autograd.grad(out, weights, allow_unused=True, materialize_grads=True) if out.requires_grad
                 else [torch.zeros_like(w) for w in weights])
        return zip(weights, grads)

    def _score(self, net: nn.Module, batch: Batch) -> float:
        return float(torch.log1p(torch.tensor(super()._score(net, batch), dtype=torch.float64)))

    def _layer(self, x: Tensor, g: Tensor | None) -> Tensor:
        return (x * g).sum()
