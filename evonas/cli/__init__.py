"""The ``evonas`` command line: one sub-command per module, registered by name.

Errors of the :class:`~evonas.errors.EvonasError` family end the program with a one-line
message and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings
from typing import Any, Sequence

from pathlib import Path

from evonas.runfolder import CHECKPOINT_FILE
from evonas.config import parse_net_args  # noqa: F401  (parse_net_args: the commands' --net)
from evonas.errors import ConfigError, EvonasError, Note
from evonas.parallel import prestart

#: Sub-commands, each a module ``evonas.cli.<name>`` defining ``HELP``, ``configure(parser)`` and ``run(args)``.
COMMANDS = ("list", "inspect", "sample", "correlate", "search", "train", "export", "report")
#: Help of the ``--workers`` and ``--ray`` flags, shared by the commands that score.
WORKERS_HELP = "score on N local worker processes (default 1: serial); with --ray, N Ray actors (default: one per cluster CPU)"
RAY_HELP = "score on a Ray cluster: its ADDRESS, 'auto' (the one `ray start` made here) or 'local' (a new one)"


class HelpFormatter(argparse.HelpFormatter):
    """Every flag's default said once: its help's own words where they name it, else ``(default: X)`` appended.

    argparse's ``ArgumentDefaultsHelpFormatter`` appends to every help, also to one that
    already says its default (and ``(default: None)`` to a flag that has none).
    """

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if ("default" in text.lower() or not action.option_strings
                or action.default in (None, False, argparse.SUPPRESS)):
            return text
        return text + " (default: %(default)s)"


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
                           formatter_class=HelpFormatter)
        p.register("action", None, _Once)  # every flag given at most once (a repeated one is refused, not last-wins)
        p.register("action", "store", _Once)
        p.register("action", "store_true", _OnceTrue)
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
        with warnings.catch_warnings():
            warnings.showwarning = _note_line(args.command, warnings.showwarning)
            refuse_repeated(args)
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


def _note_line(command: str, show: Any) -> Any:
    """``warnings.showwarning`` that prints a :class:`~evonas.errors.Note` as one ``note:`` line (others as before)."""
    def showwarning(message, category, filename, lineno, file=None, line=None):  # type: ignore[no-untyped-def]
        if issubclass(category, Note):
            print(f"evonas {command}: note: {message}", file=sys.stderr)
        else:
            show(message, category, filename, lineno, file, line)
    return showwarning


class _Once(argparse.Action):
    """Store a flag's value, noting which flags were given (so a repeated one is refused, not silently last-wins)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        _note(namespace, self, option_string)
        setattr(namespace, self.dest, values)


class _OnceTrue(argparse.Action):
    """``store_true``, noting the flag as :class:`_Once` does."""

    def __init__(self, option_strings: Sequence[str], dest: str, default: Any = False, required: bool = False,
                 help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, const=True, default=default, required=required, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        _note(namespace, self, option_string)
        setattr(namespace, self.dest, True)


#: where the parser notes the flags given (name -> how they were spelt), and those given more than once
GIVEN, REPEATED = "_given_flags", "_repeated_flags"


def _note(namespace: argparse.Namespace, action: argparse.Action, option_string: str | None) -> None:
    if option_string is None:  # a positional argument
        return
    given = namespace.__dict__.setdefault(GIVEN, {})
    if action.dest in given:
        namespace.__dict__.setdefault(REPEATED, []).append((given[action.dest], option_string))
    given.setdefault(action.dest, option_string)


def refuse_repeated(args: argparse.Namespace) -> None:
    """A flag given twice (in any spelling, e.g. ``--evaluations`` and ``--queries``) is one error line."""
    for first, again in getattr(args, REPEATED, [])[:1]:
        also = "" if first == again else f" (as {first} and {again})"
        raise ConfigError(f"{first} is given twice{also}; give each flag once")


def set_threads(threads: int) -> None:
    """Torch threads of this process (``--threads``)."""
    if not isinstance(threads, int) or threads < 1:
        raise ConfigError(f"--threads {threads}: must be a whole number >= 1")
    import torch

    torch.set_num_threads(threads)
