"""The ``evonas`` command line: one sub-command per module, registered by name.

Errors of the :class:`~evonas.errors.EvonasError` family end the program with a one-line
message and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from pathlib import Path

from evonas.runfolder import CHECKPOINT_FILE
from evonas.config import parse_net_args  # noqa: F401  (parse_net_args: the commands' --net)
from evonas.errors import ConfigError, EvonasError
from evonas.parallel import prestart

#: Sub-commands, each a module ``evonas.cli.<name>`` defining ``HELP``, ``configure(parser)`` and ``run(args)``.
COMMANDS = ("list", "inspect", "sample", "correlate", "search", "train", "export", "report")
#: Help of the ``--workers`` and ``--ray`` flags, shared by the commands that score.
WORKERS_HELP = "score on N local worker processes (default 1: serial); with --ray, N Ray actors (default: one per cluster CPU)"
RAY_HELP = "score on a Ray cluster: its ADDRESS, 'auto' (the one `ray start` made here) or 'local' (a new one)"


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every available sub-command."""
    from evonas import __version__

    parser = argparse.ArgumentParser(prog="evonas", description="Evolutionary NAS with training-free fitness.")
    parser.add_argument("--version", action="version", version=f"evonas {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"evonas.cli.{name}")
        except ModuleNotFoundError as err:  # a command still being written
            if err.name != f"evonas.cli.{name}":
                raise
            continue
        p = sub.add_parser(name, help=module.HELP, description=module.HELP,
                           formatter_class=argparse.ArgumentDefaultsHelpFormatter)
        p.add_argument(
            "--threads", type=int, default=argparse.SUPPRESS,
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
        set_threads(getattr(args, "threads", 1))
        return int(args._run(args) or 0)
    except EvonasError as err:
        print(f"evonas {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        run_dir = getattr(args, "run_dir", None)
        hint = f"; continue with: evonas {args.command} --resume {run_dir}" if run_dir and (Path(run_dir) / CHECKPOINT_FILE).exists() else ""
        print(f"evonas {args.command}: interrupted{hint}", file=sys.stderr)
        return 130


def set_threads(threads: int) -> None:
    """Torch threads of this process (``--threads``)."""
    if not isinstance(threads, int) or threads < 1:
        raise ConfigError(f"--threads {threads}: must be a whole number >= 1")
    import torch

    torch.set_num_threads(threads)
