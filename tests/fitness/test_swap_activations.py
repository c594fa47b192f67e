"""SWAP for any activation and any model: sign patterns of GELU, SiLU, LeakyReLU..., ResNet and ViT blocks."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from fitness_nets import images
from torch import Tensor, nn

from evonas.fitness import Batch, activation_matrix, activation_patterns, get_proxy, score, swap_score
from evonas.fitness.taps import ACTIVATIONS


class ConvThen(nn.Module):
    """A seeded conv, then ``act``; ``pre`` keeps the conv's output (the activation's input)."""

    def __init__(self, act) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        torch.manual_seed(0)
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.act = act
        self.pre: Tensor | None = None

    def forward(self, x: Tensor) -> Tensor:
        y = self.conv(x)
        self.pre = y.clone()
        return self.act(y)


PRELU_WEIGHT = torch.tensor([0.25])
# every spelling: nn modules, F, torch, Tensor methods, in place or not
SPELLINGS = {
    "nn.ReLU(inplace)": nn.ReLU(inplace=True),
    "nn.ReLU6": nn.ReLU6(),
    "nn.GELU": nn.GELU(),
    "nn.GELU(tanh)": nn.GELU("tanh"),
    "nn.SiLU(inplace)": nn.SiLU(inplace=True),
    "nn.LeakyReLU": nn.LeakyReLU(0.1),
    "nn.LeakyReLU(inplace)": nn.LeakyReLU(inplace=True),
    "nn.PReLU": nn.PReLU(),
    "nn.RReLU": nn.RReLU(),
    "nn.ELU(inplace)": nn.ELU(inplace=True),
    "nn.SELU": nn.SELU(),
    "nn.CELU": nn.CELU(),
    "nn.Mish": nn.Mish(),
    "nn.Hardswish": nn.Hardswish(),
    "nn.Hardtanh": nn.Hardtanh(),
    "F.gelu": F.gelu,
    "F.silu": F.silu,
    "F.silu(inplace)": lambda t: torch.nn.functional.silu(t, inplace=True),
    "F.leaky_relu_": F.leaky_relu_,
    "F.elu": F.elu,
    "F.relu6": F.relu6,
    "F.mish": F.mish,
    "F.hardswish(inplace)": lambda t: F.hardswish(t, inplace=True),
    "F.prelu": lambda t: F.prelu(t, PRELU_WEIGHT),
    "F.gelu(input=)": lambda t: F.gelu(input=t),
    "torch.relu_": torch.relu_,
    "torch.selu": torch.selu,
    "torch.celu_": torch.celu_,
    "torch.rrelu": torch.rrelu,
    "Tensor.relu": Tensor.relu,
    "Tensor.relu_": Tensor.relu_,
}


@pytest.mark.parametrize("act", SPELLINGS.values(), ids=SPELLINGS.keys())
def test_every_spelling_counts_the_sign_of_the_activation_input(act):
    net, x = ConvThen(act), images(12, size=4)
    matrix = activation_matrix(net, x)
    expected = (net.pre > 0).reshape(12, -1).T
    assert 0 < expected.sum() < expected.numel()
    assert torch.equal(matrix, expected)
    assert swap_score(net, x) == torch.unique(expected, dim=0).shape[0]
    assert activation_patterns(net, x) == torch.unique(expected.T, dim=0).shape[0]


def test_the_supported_list_names_every_activation_above():
    assert set(ACTIVATIONS) == {
        "relu", "relu6", "hardtanh", "leaky_relu", "rrelu", "prelu", "elu", "selu", "celu",
        "gelu", "silu", "mish", "hardswish",
    }


def _gelu(v: float) -> float:
    return 0.5 * v * (1 + math.erf(v / math.sqrt(2)))


def _leaky(v: float) -> float:
    return v if v > 0 else 0.01 * v


def _plain_swap(w1, w2, samples, act) -> int:  # type: ignore[no-untyped-def]
    """Distinct rows of the sign matrix of a two-layer MLP, in plain python (no torch)."""
    rows: list[tuple[bool, ...]] = []
    pre = [[sum(w * v for w, v in zip(row, s)) for row in w1] for s in samples]  # per sample, per unit
    rows += [tuple(p[j] > 0 for p in pre) for j in range(len(w1))]
    hidden = [[act(v) for v in p] for p in pre]
    pre2 = [[sum(w * v for w, v in zip(row, h)) for row in w2] for h in hidden]
    rows += [tuple(p[j] > 0 for p in pre2) for j in range(len(w2))]
    return len(set(rows))


W1 = [[1.0, -1.0], [0.5, 0.5], [-1.0, 2.0], [2.0, 1.0]]
W2 = [[1.0, 1.0, -1.0, 0.5], [-1.0, 0.5, 1.0, -0.25], [1.0, 1.0, -1.0, 0.5]]
SAMPLES = [[1.0, 0.5], [-1.0, 2.0], [0.3, -0.7], [2.0, 1.0], [-0.5, -0.5], [1.5, -2.0]]


@pytest.mark.parametrize(("module", "act"), [(nn.GELU, _gelu), (nn.LeakyReLU, _leaky)], ids=["gelu", "leaky_relu"])
def test_hand_made_mlp_scores_the_relu_rule_on_its_sign_patterns(module, act):
    net = nn.Sequential(nn.Linear(2, 4, bias=False), module(), nn.Linear(4, 3, bias=False), module())
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor(W1))
        net[2].weight.copy_(torch.tensor(W2))
    x = torch.tensor(SAMPLES)
    expected = _plain_swap(W1, W2, SAMPLES, act)
    assert swap_score(net, x) == expected
    # by hand: layer 1's rows 101101, 110100, 010000, 100101; layer 2's 101101, 010000, 101101
    # (its third unit copies its first): 7 rows, 4 distinct, a ReLU net's rule on these signs
    assert expected == 4


class BasicBlock(nn.Module):
    """torchvision's ResNet BasicBlock (one in-place ReLU module used twice, ``out += identity``)."""

    def __init__(self, c_in: int, c_out: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.downsample = (
            nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride, bias=False), nn.BatchNorm2d(c_out))
            if stride != 1 or c_in != c_out
            else None
        )

    def forward(self, x: Tensor) -> Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += identity
        return self.relu(out)


def resnet() -> nn.Module:
    """A small torchvision-style ResNet (stem, two stages of BasicBlocks, pooled linear head)."""
    torch.manual_seed(0)
    stem = nn.Sequential(nn.Conv2d(3, 8, 3, 1, 1, bias=False), nn.BatchNorm2d(8), nn.ReLU(inplace=True))
    blocks = [BasicBlock(8, 8, 1), BasicBlock(8, 16, 2)]
    return nn.Sequential(stem, *blocks, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10))


class ViTBlock(nn.Module):
    """Patch embedding, then one pre-norm transformer block (multi-head attention, GELU MLP), pooled head."""

    def __init__(self, dim: int = 16, patch: int = 4) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.embed = nn.Conv2d(3, dim, patch, patch)
        self.norm1, self.norm2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, 2, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(), nn.Linear(2 * dim, dim))
        self.head = nn.Linear(dim, 10)

    def forward(self, x: Tensor) -> Tensor:
        tokens = self.embed(x).flatten(2).transpose(1, 2)  # (S, patches, dim)
        h = self.norm1(tokens)
        tokens = tokens + self.attn(h, h, h, need_weights=False)[0]
        tokens = tokens + self.mlp(self.norm2(tokens))
        return self.head(tokens.mean(1))


def _reference(net: nn.Module, x: Tensor, kind: type[nn.Module]) -> int:
    """SWAP the obvious way: pre-hooks on ``kind`` modules read their inputs' signs; unique over rows."""
    signs: list[Tensor] = []
    handles = [
        m.register_forward_pre_hook(lambda m, i: signs.append((i[0] > 0).reshape(len(x), -1)))
        for m in net.modules()
        if isinstance(m, kind)
    ]
    try:
        with torch.no_grad():
            net(x)
    finally:
        for h in handles:
            h.remove()
    return torch.unique(torch.cat(signs, 1).T, dim=0).shape[0]


@pytest.mark.parametrize(("build", "kind"), [(resnet, nn.ReLU), (ViTBlock, nn.GELU)], ids=["resnet", "vit"])
def test_any_model_scores_through_the_same_api(build, kind):
    net, x = build(), images(16, size=16)
    assert swap_score(net, x) == _reference(net, x, kind) > 16
    before = {k: v.clone() for k, v in net.state_dict().items()}  # the reference ran BatchNorm in training mode
    batch = Batch(x)
    for name in ("swap", "activation-patterns", "nwot"):
        value = score(get_proxy(name), net, batch, repeats=2, seed=0)
        assert math.isfinite(value) and value > 0
        assert value == score(get_proxy(name), net, batch, repeats=2, seed=0)
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())


def test_functional_attention_with_f_gelu_counts_like_the_module():
    class Functional(ViTBlock):
        def forward(self, x: Tensor) -> Tensor:  # hand-written attention, F.gelu
            tokens = self.embed(x).flatten(2).transpose(1, 2)
            h = self.norm1(tokens)
            q = k = v = h
            attn = torch.softmax(q @ k.transpose(1, 2) / math.sqrt(h.shape[-1]), dim=-1)
            tokens = tokens + attn @ v
            m = self.mlp
            tokens = tokens + m[2](F.gelu(m[0](self.norm2(tokens))))
            return self.head(tokens.mean(1))

    net, x = Functional(), images(16, size=16)
    signs = activation_matrix(net, x)
    assert signs.shape == (16 * 32, 16)  # 16 patches x 32 MLP units, one GELU
    assert swap_score(net, x) == torch.unique(signs, dim=0).shape[0] > 16


class Relu(nn.Module):
    def forward(self, x: Tensor) -> Tensor:
        return torch.relu(x)


@pytest.mark.parametrize("samples", [16, 40, 100])
def test_count_stays_exact_when_matrix_products_lose_precision(samples):
    # bfloat16 keeps 8 significant bits: 16 samples packed into one float word would collide
    x = torch.randn(samples, 1, 64, 64, generator=torch.Generator().manual_seed(samples))
    exact = torch.unique((x > 0).reshape(samples, -1).T, dim=0).shape[0]
    assert exact > 1000
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert swap_score(Relu(), x) == exact
    previous = torch.get_float32_matmul_precision()
    try:
        torch.set_float32_matmul_precision("medium")
        assert swap_score(Relu(), x) == exact
    finally:
        torch.set_float32_matmul_precision(previous)
