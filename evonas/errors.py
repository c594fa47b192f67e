"""One exception family for evonas: catch ``EvonasError`` for anything the library raises.

Each class also subclasses the builtin it refines, so ``except ValueError`` keeps working.
"""

from __future__ import annotations


class EvonasError(Exception):
    """Base class of every error evonas raises on purpose."""


class InvalidGenomeError(EvonasError, ValueError):
    """A genome, matrix or native architecture text breaks the rules of its search space."""


class UnknownNameError(EvonasError, ValueError):
    """A registry was asked for a name it does not hold (space, proxy, operator, ...)."""


class ConfigError(EvonasError, ValueError):
    """A configuration value (CLI flag, config file entry, keyword) is out of range."""


class DataError(EvonasError, ValueError):
    """An input file or directory is missing or not in a format evonas reads."""


class ProxyError(EvonasError, ArithmeticError):
    """A fitness proxy produced a non-finite value for an architecture."""


class WorkerError(EvonasError, RuntimeError):
    """A worker process (local or Ray) died while scoring, again after its task was retried."""


class TrainingError(EvonasError, ArithmeticError):
    """Training a network diverged (a non-finite loss)."""
