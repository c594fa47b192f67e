"""Every export format loads back and computes what the network computes."""

import importlib.util

import numpy as np
import pytest
import torch

from evonas.encodings import get_space, list_spaces
from evonas.errors import ConfigError
from evonas.train import EXPORTERS, build_seeded, export

ARCHS = {
    "nb201": ("|nor_conv_3x3~0|+|none~0|skip_connect~1|+|nor_conv_1x1~0|none~1|avg_pool_3x3~2|", {"C": 4, "N": 1}),
    "darts": (None, {"C": 4, "layers": 3, "auxiliary": True}),
}
ARCHS.update({name: (None, get_space(name).tiny_net_args) for name in list_spaces() if name not in ARCHS})


def _net(space_name):
    space = get_space(space_name)
    arch, net_args = ARCHS[space_name]
    arch = arch or space.to_native(space.sample(np.random.default_rng(0)))
    net = build_seeded(space, arch, seed=0, **net_args)
    with torch.no_grad():  # trained-looking BN statistics, so eval mode differs from a fresh net
        for name, v in net.state_dict().items():
            if "running" in name:
                v.add_(0.5)
    return net.eval(), {"space": space_name, "native": arch, "net": net_args}


def _marks(fmt):
    """Skip a format whose optional packages are missing; ONNX export (torch.export + onnxscript) takes seconds."""
    missing = EXPORTERS.get(fmt).missing() + (["onnxruntime"] if fmt == "onnx" and not importlib.util.find_spec("onnxruntime") else [])
    skip = pytest.mark.skipif(bool(missing), reason=f"{fmt} export needs {', '.join(missing)} (pip install 'evonas[onnx]')")
    return [skip, pytest.mark.slow] if fmt == "onnx" else [skip]


@pytest.mark.parametrize("space", list(ARCHS))
@pytest.mark.parametrize("fmt", [pytest.param(f, marks=_marks(f)) for f in EXPORTERS.names()])
def test_an_export_loads_back_and_gives_the_same_logits(tmp_path, space, fmt):
    net, arch = _net(space)
    example = torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    path = export(net, tmp_path / f"model{EXPORTERS.get(fmt).suffix}", fmt, example=example, arch=arch)
    loaded = EXPORTERS.get(fmt).load(path)
    x = torch.randn(3, 3, 32, 32, generator=torch.Generator().manual_seed(1))  # another batch size than traced
    with torch.no_grad():
        torch.testing.assert_close(loaded(x), net(x), rtol=1e-4, atol=1e-5)


def test_a_missing_optional_package_is_one_clear_error(tmp_path, monkeypatch):
    import evonas.train.exporters as export_module

    monkeypatch.setattr(export_module.Exporter, "missing", lambda self: ["onnxscript"])
    net, arch = _net("nb201")
    with pytest.raises(ConfigError, match=r"needs onnxscript: pip install 'evonas\[onnx\]'"):
        export(net, tmp_path / "m.onnx", "onnx", example=torch.zeros(1, 3, 32, 32), arch=arch)
