"""Where networks are built and scored: device names checked before a run starts (``--device cpu|cuda|auto``)."""

from __future__ import annotations

import torch

from evonas.errors import ConfigError

#: what ``--device`` takes besides torch's own names (``cpu``, ``cuda``, ``cuda:1``, ``mps``)
AUTO = "auto"


def default_device() -> str:
    """``cuda`` when present, else ``cpu``."""
    return "cuda" if torch.cuda.is_available() else "cpu"


def check_device(name: str) -> torch.device:
    """``torch.device(name)`` if this machine has it, else :class:`ConfigError` (before anything is written)."""
    try:
        device = torch.device(name)
    except (RuntimeError, ValueError):
        raise ConfigError(f"--device {name!r}: not a device name (cpu, cuda, cuda:1, mps, auto)") from None
    backend = getattr(torch, device.type, None)
    if device.type != "cpu" and not (backend is not None and hasattr(backend, "is_available") and backend.is_available()):
        raise ConfigError(f"--device {name}: no {device.type} device on this machine; use --device cpu (or auto)")
    if device.type == "cuda" and device.index is not None and device.index >= torch.cuda.device_count():
        count = torch.cuda.device_count()
        raise ConfigError(f"--device {name}: this machine has {count} CUDA device{'s' if count != 1 else ''} "
                          f"(cuda:0 to cuda:{count - 1}); use one of them, cuda or auto")
    return device


def resolve_device(name: str | None, default: str = "cpu") -> str:
    """The device to use: ``name`` checked, ``auto`` = :func:`default_device`, None = ``default``."""
    name = default if name is None else name
    name = default_device() if name == AUTO else name
    check_device(name)
    return name
