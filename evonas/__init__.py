"""evonas: evolutionary neural architecture search with training-free fitness (SWAP-NAS)."""

from evonas import fitness, operators
from evonas.data import load_images
from evonas.encodings import Genome, SearchSpace, get_space, list_spaces
from evonas.errors import (
    ConfigError,
    DataError,
    EvonasError,
    InvalidGenomeError,
    ProxyError,
    UnknownNameError,
    WorkerError,
)
from evonas.fitness import calibrate, get_proxy, list_proxies

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "DataError",
    "EvonasError",
    "Genome",
    "InvalidGenomeError",
    "ProxyError",
    "SearchSpace",
    "UnknownNameError",
    "WorkerError",
    "calibrate",
    "fitness",
    "get_proxy",
    "get_space",
    "list_proxies",
    "list_spaces",
    "load_images",
    "operators",
]
