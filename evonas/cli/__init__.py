"""The ``evonas`` command line: one sub-command per module, registered by name.

Errors of the :class:`~evonas.errors.EvonasError` family end the program with a one-line
message and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from evonas.errors import ConfigError, EvonasError
from evonas.parallel import prestart

#: Sub-commands, each a module ``evonas.cli.<name>`` defining ``HELP``, ``configure(parser)`` and ``run(args)``.
COMMANDS = ("inspect", "sample", "correlate", "search")
#: Help of the ``--workers`` and ``--ray`` flags, shared by the commands that score.
WORKERS_HELP = "score on N local worker processes (default 1: serial); with --ray, N Ray actors (default: one per cluster CPU)"
RAY_HELP = "score on a Ray cluster: its ADDRESS, 'auto' (the one `ray start` made here) or 'local' (a new one)"


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every available sub-command."""
    parser = argparse.ArgumentParser(prog="evonas", description="Evolutionary NAS with training-free fitness.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"evonas.cli.{name}")
        except ModuleNotFoundError as err:  # a command still being written
            if err.name != f"evonas.cli.{name}":
                raise
            continue
        p = sub.add_parser(name, help=module.HELP, description=module.HELP)
        p.add_argument(
            "--threads", type=int, default=1,
            help="torch threads in this process (default 1: scoring networks are tiny, and more threads "
            "only contend; use --workers to parallelise)",
        )
        module.configure(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``evonas`` console script."""
    args = build_parser().parse_args(argv)
    try:
        prestart(getattr(args, "workers", None) or 1, getattr(args, "ray", None))  # before torch: overlap its import
        _set_threads(args.threads)
        return int(args._run(args) or 0)
    except EvonasError as err:
        print(f"evonas {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"evonas {args.command}: interrupted", file=sys.stderr)
        return 130


def _set_threads(threads: int) -> None:
    if threads < 1:
        raise ConfigError(f"--threads {threads}: must be >= 1")
    import torch

    torch.set_num_threads(threads)


def parse_net_args(text: str | None) -> dict[str, object]:
    """``"C=3,layers=1,stem=false"`` -> ``{"C": 3, "layers": 1, "stem": False}``."""
    out: dict[str, object] = {}
    for item in filter(None, (s.strip() for s in (text or "").split(","))):
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--net: expected KEY=VALUE pairs separated by commas, got {item!r}")
        v = value.strip()
        if v.lower() in ("true", "false"):
            out[key.strip()] = v.lower() == "true"
        else:
            try:
                out[key.strip()] = int(v)
            except ValueError:
                try:
                    out[key.strip()] = float(v)
                except ValueError:
                    raise ConfigError(f"--net: value of {key.strip()!r} must be a number or true/false, got {v!r}") from None
    return out
