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
