"""Contract tests for every registered cell operation (parametrised over the registry)."""

import pytest
import torch
from torch import nn

from evonas.errors import UnknownNameError
from evonas.networks import OPS, count_parameters


@pytest.mark.parametrize("name", OPS.names())
@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("C_in, C_out", [(4, 4), (4, 6)])
@pytest.mark.parametrize("size", [8, 7])
def test_op_output_shape(name, stride, C_in, C_out, size):
    op = OPS.get(name)(C_in, C_out, stride, True)
    x = torch.randn(2, C_in, size, size, generator=torch.Generator().manual_seed(0))
    out_size = -(-size // stride)
    assert op(x).shape == (2, C_out, out_size, out_size)


@pytest.mark.parametrize("name", OPS.names())
def test_op_relus_are_modules_and_not_inplace(name):
    op = OPS.get(name)(4, 4, 1, True)
    assert not any(isinstance(m, nn.ReLU) and m.inplace for m in op.modules())
    assert count_parameters(op) == 0 or any(isinstance(m, nn.ReLU) for m in op.modules())


@pytest.mark.parametrize("affine, bn_params", [(True, 2 * 4), (False, 0)])
def test_affine_controls_batchnorm_parameters(affine, bn_params):
    op = OPS.get("nor_conv_1x1")(4, 4, 1, affine)
    assert count_parameters(op) == 4 * 4 + bn_params


def test_parameter_free_ops():
    for name in ("none", "skip_connect", "avg_pool_3x3", "max_pool_3x3"):
        assert count_parameters(OPS.get(name)(4, 4, 1, True)) == 0, name
    x = torch.randn(1, 4, 5, 5)
    assert OPS.get("skip_connect")(4, 4, 1, True)(x) is x
    assert not OPS.get("none")(4, 4, 2, True)(x).any()


def test_unknown_op_suggests_near_match():
    with pytest.raises(UnknownNameError, match="sep_conv_3x3"):
        OPS.get("sep_conv3x3")


# ---- the fast CPU pools (issue #30): PyTorch's output, bit for bit ----------------------------------------------------

def _bits(t: torch.Tensor) -> torch.Tensor:
    return t.contiguous().view(torch.int32)


@pytest.mark.parametrize("shape", [(16, 4, 32, 32), (3, 5, 7, 9), (2, 3, 2, 5), (2, 3, 1, 1)])
@pytest.mark.parametrize("kernel, stride, padding", [(3, 1, 1), (3, 2, 1), (2, 2, 0), (5, 1, 2), (3, 3, 0), (1, 1, 0)])
def test_fast_pools_equal_pytorchs_bit_for_bit(shape, kernel, stride, padding):
    from evonas.networks.ops import AvgPool, MaxPool

    if min(shape[-2:]) + 2 * padding < kernel:
        pytest.skip("window larger than the padded map")
    g = torch.Generator().manual_seed(sum(shape) + kernel)
    for scale in (1.0, 1e-30, 1e30):
        x = torch.randn(*shape, generator=g) * scale
        x[0, 0, 0] = 0.0  # a row of ties
        x[-1, -1] = -0.0
        with torch.inference_mode():
            want_max, got_max = nn.MaxPool2d(kernel, stride, padding)(x), MaxPool(kernel, stride, padding)(x)
            want_avg = nn.AvgPool2d(kernel, stride, padding, count_include_pad=False)(x)
            got_avg = AvgPool(kernel, stride, padding)(x)
        assert torch.equal(_bits(got_max), _bits(want_max))
        assert torch.equal(_bits(got_avg), _bits(want_avg))


def test_a_dilated_or_ceil_mode_max_pool_is_pytorchs():
    from evonas.networks.ops import MaxPool

    x = torch.randn(2, 3, 9, 9, generator=torch.Generator().manual_seed(0))
    with torch.inference_mode():
        for options in ({"dilation": 2}, {"ceil_mode": True}):
            assert torch.equal(MaxPool(3, 2, 1, **options)(x), nn.MaxPool2d(3, 2, 1, **options)(x))


def test_fast_pools_propagate_nan_and_keep_pytorchs_gradient():
    from evonas.networks.ops import AvgPool, MaxPool

    x = torch.randn(2, 3, 6, 6, generator=torch.Generator().manual_seed(0))
    x[0, 1, 2, 2] = float("nan")
    with torch.no_grad():
        assert torch.equal(MaxPool(3, 1, 1)(x).isnan(), nn.MaxPool2d(3, 1, 1)(x).isnan())
        assert torch.equal(AvgPool(3, 1, 1)(x).isnan(), nn.AvgPool2d(3, 1, 1, count_include_pad=False)(x).isnan())
    y = torch.zeros(1, 1, 4, 4, requires_grad=True)  # all ties: PyTorch's kernel gives each window's gradient to one element
    MaxPool(3, 1, 1)(y).sum().backward()
    want = torch.zeros(1, 1, 4, 4, requires_grad=True)
    nn.MaxPool2d(3, 1, 1)(want).sum().backward()
    assert torch.equal(y.grad, want.grad)


def test_pool_ops_are_the_fast_pools_and_still_pytorchs_modules():
    from evonas.networks.ops import AvgPool, MaxPool

    for name, cls, base in (("max_pool_3x3", MaxPool, nn.MaxPool2d), ("avg_pool_3x3", AvgPool, nn.AvgPool2d)):
        pool = OPS.get(name)(4, 4, 2, True)[-1]
        assert type(pool) is cls and isinstance(pool, base) and pool.stride == 2
    assert not OPS.get("avg_pool_3x3")(4, 4, 1, True)[-1].count_include_pad
