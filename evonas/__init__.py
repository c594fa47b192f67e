"""evonas: evolutionary neural architecture search with training-free fitness (SWAP-NAS)."""

from evonas.encodings import Genome, SearchSpace, get_space, list_spaces
from evonas.errors import (
    ConfigError,
    DataError,
    EvonasError,
    InvalidGenomeError,
    ProxyError,
    UnknownNameError,
)

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
    "get_space",
    "list_spaces",
]
