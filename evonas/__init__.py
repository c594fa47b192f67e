"""evonas: evolutionary neural architecture search with training-free fitness (SWAP-NAS).

The public names below load on first use (PEP 562), so ``import evonas`` and the command
line start without importing torch until something needs it.
"""

from importlib import import_module
from typing import Any

from evonas.errors import (
    ConfigError,
    DataError,
    EvonasError,
    ArchitectureFailure,
    InvalidGenomeError,
    NotInTableError,
    ProxyError,
    TrainingError,
    UnknownNameError,
    WorkerError,
)

__version__ = "0.1.0"

#: public name -> the module that defines it (a submodule stands for itself)
_LAZY = {
    "Genome": "evonas.encodings",
    "SearchSpace": "evonas.encodings",
    "get_space": "evonas.encodings",
    "list_spaces": "evonas.encodings",
    "load_images": "evonas.data",
    "calibrate": "evonas.fitness",
    "get_proxy": "evonas.fitness",
    "list_proxies": "evonas.fitness",
    "fitness": "evonas.fitness",
    "operators": "evonas.operators",
    "train": "evonas.train",
    "search": "evonas.facade",
    "run_search": "evonas.facade",
    "SearchResult": "evonas.facade",
    "SearchConfig": "evonas.config",
    "MooConfig": "evonas.config",
    "evaluators": "evonas.evaluators",
    "run_moo": "evonas.moo",
}

__all__ = [
    "ArchitectureFailure",
    "ConfigError",
    "DataError",
    "EvonasError",
    "InvalidGenomeError",
    "NotInTableError",
    "ProxyError",
    "TrainingError",
    "UnknownNameError",
    "WorkerError",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'evonas' has no attribute {name!r}")
    module = import_module(_LAZY[name])
    value = module if module.__name__ == f"evonas.{name}" else getattr(module, name)
    globals()[name] = value  # next time, a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
