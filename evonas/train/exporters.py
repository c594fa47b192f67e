"""Exporting a network for use outside evonas: TorchScript, ONNX or a plain state dict, by name.

Each format is an :class:`Exporter` in ``EXPORTERS`` that writes a file and can load it back
as a callable, so every registered format is tested the same way (outputs of the loaded
export against the network's own).
"""

from __future__ import annotations

import importlib.util
import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import torch
from torch import nn

from evonas.errors import ConfigError
from evonas.files import check_files, staging
from evonas.registry import Registry

Forward = Callable[[torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class Exporter:
    """One export format.

    Attributes:
        suffix: file name ending of the export (``model<suffix>``).
        write: ``write(net, example, path, arch)`` saves ``net`` (in eval mode) traced on the
            example input batch; ``arch`` describes the network (space, native, net args).
            It writes ``path`` and the files of ``beside``, nothing else.
        load: ``load(path)`` gives a function from an input batch to logits.
        needs: modules that must be importable to use the format.
        beside: suffixes of the files written beside ``path`` (``path.with_suffix(s)``), e.g.
            the state dict's architecture JSON: checked with ``path`` before anything is written.
    """

    suffix: str
    write: Callable[[nn.Module, torch.Tensor, Path, dict[str, Any]], None]
    load: Callable[[Path], Forward]
    needs: tuple[str, ...] = ()
    beside: tuple[str, ...] = ()

    def missing(self) -> list[str]:
        """The modules of ``needs`` that are not installed."""
        return [m for m in self.needs if importlib.util.find_spec(m) is None]

    def targets(self, path: Path) -> list[Path]:
        """Every file an export to ``path`` writes: ``path``, then the files beside it."""
        return [Path(path), *(Path(path).with_suffix(s) for s in self.beside)]


EXPORTERS: Registry[Exporter] = Registry(
    "export format", "Add one with evonas.train.EXPORTERS.register('name')(Exporter(...))."
)


def export(net: nn.Module, path: Path, fmt: str, *, example: torch.Tensor, arch: dict[str, Any],
           own: bool = False) -> Path:
    """Write ``net`` to ``path`` in format ``fmt`` (see ``EXPORTERS``); returns ``path``.

    Every file the export writes (``path`` and those beside it) is checked first
    (:func:`evonas.files.check_files`): none may exist unless ``own`` (the export's default
    file, which an earlier export wrote); then all are written at once, atomically.

    Args:
        net: the network (put in eval mode).
        path: the file to write.
        fmt: a registered format.
        example: an input batch to trace the network on.
        arch: what the network is (space, native, net args), saved with it where the format can.
        own: ``path`` is the export's own default file, which may be replaced.

    Raises:
        UnknownNameError: an unknown format.
        ConfigError: the format needs a package that is not installed, or a target may not be written.
    """
    exporter = EXPORTERS.get(fmt)
    missing = exporter.missing()
    if missing:
        raise ConfigError(f"--format {fmt} needs {', '.join(missing)}: pip install 'evonas[{fmt}]'")
    path = check_files(exporter.targets(path), own=own)[0]
    net.eval()
    with staging(path.parent) as tmp:
        exporter.write(net, example, tmp / path.name, arch)
    return path


# ---- TorchScript -------------------------------------------------------------------------
def _write_torchscript(net: nn.Module, example: torch.Tensor, path: Path, arch: dict[str, Any]) -> None:
    with warnings.catch_warnings():  # torch >= 2.9 deprecates TorchScript for torch.export; it still loads everywhere
        warnings.simplefilter("ignore", DeprecationWarning)
        traced = torch.jit.trace(net, example, check_trace=False)
        torch.jit.save(traced, str(path), _extra_files={"arch.json": json.dumps(arch)})


def _load_torchscript(path: Path) -> Forward:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return torch.jit.load(str(path), map_location="cpu")


EXPORTERS.register("torchscript")(Exporter(".torchscript.pt", _write_torchscript, _load_torchscript))


# ---- ONNX --------------------------------------------------------------------------------
def _write_onnx(net: nn.Module, example: torch.Tensor, path: Path, arch: dict[str, Any]) -> None:
    batch = torch.export.Dim("batch", min=1)
    torch.onnx.export(net, (example,), str(path), input_names=["images"], output_names=["logits"],
                      dynamic_shapes=({0: batch},), external_data=False, verbose=False)


def _load_onnx(path: Path) -> Forward:
    import numpy as np
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])

    def forward(x: torch.Tensor) -> torch.Tensor:
        (logits,) = session.run(None, {"images": np.ascontiguousarray(x.numpy())})
        return torch.from_numpy(logits)

    return forward


EXPORTERS.register("onnx")(Exporter(".onnx", _write_onnx, _load_onnx, needs=("onnx", "onnxscript")))


# ---- state dict --------------------------------------------------------------------------
def _write_state_dict(net: nn.Module, example: torch.Tensor, path: Path, arch: dict[str, Any]) -> None:
    torch.save({k: v.detach().cpu() for k, v in net.state_dict().items()}, path)
    path.with_suffix(".json").write_text(json.dumps(arch, indent=2) + "\n")  # export() checked it and moves it into place


def _load_state_dict(path: Path) -> Forward:
    """Rebuild the network from the ``.json`` beside the weights, then load them (``weights_only``)."""
    from evonas.encodings import get_space
    from evonas.train.seeded import build_seeded

    arch = json.loads(path.with_suffix(".json").read_text())
    net = build_seeded(get_space(arch["space"]), arch["native"], seed=0, **arch["net"])
    net.load_state_dict(torch.load(path, weights_only=True, map_location="cpu"))
    return net.eval()


EXPORTERS.register("state_dict")(Exporter(".state_dict.pt", _write_state_dict, _load_state_dict, beside=(".json",)))


def list_formats() -> list[str]:
    """Names of the registered export formats."""
    return EXPORTERS.names()
