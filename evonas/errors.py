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


class ArchitectureFailure(EvonasError):
    """One architecture could not be evaluated: a fact about it, recorded as data, never the end of a search.

    Every evaluator's failure on one architecture is one of these (a proxy's non-finite
    value, a diverging training, an architecture missing from a benchmark table); a search
    gives it the worst fitness (or makes it infeasible), counts it and lists it with its error.
    """


class ProxyError(ArchitectureFailure, ArithmeticError):
    """A fitness proxy produced a non-finite value for an architecture."""


class WorkerError(EvonasError, RuntimeError):
    """A worker process (local or Ray) died while scoring, again after its task was retried."""


class TrainingError(ArchitectureFailure, ArithmeticError):
    """Training a network diverged (a non-finite loss)."""


class NotInTableError(ArchitectureFailure, LookupError):
    """A table-driven evaluator was asked for an architecture its table does not hold."""


class Note(UserWarning):
    """Something evonas left out of what it was given, said rather than done silently (a repeat in an ``--init`` file);
    the CLI prints it as one ``note:`` line."""
