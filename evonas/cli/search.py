"""``evonas search``: run a search and write a run folder (config, log, scores, best, plots).

One vocabulary for single- and multi-objective search: every flag is a field of
:class:`~evonas.config.SearchConfig` or :class:`~evonas.moo.MooConfig` (the shared ones are
:class:`~evonas.config.SearchBase`'s), a TOML file (``--config``) takes the same names
without the dashes in front (``ground-truth`` or ``ground_truth``), and flags win over the
file. ``--objectives`` selects the multi-objective search; a flag that does not apply to the
chosen kind of search is refused, never ignored.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import typing
from pathlib import Path
from typing import Any

from evonas.cli import set_threads
from evonas.config import flag
from evonas.errors import ConfigError

HELP = "Run a search (or --resume one) and write its results into --out."
#: keys of a TOML file that set how the command runs rather than the search
RUNTIME = ("out", "threads", "no_progress", "json")
#: other spellings of a flag: a search that queries or trains counts its budget in queries
ALIASES = {"evaluations": ("--queries",)}


def _configs() -> tuple[type, type]:
    from evonas.config import MooConfig, SearchConfig  # torch-free: --help needs no torch

    return SearchConfig, MooConfig


def configure(p: argparse.ArgumentParser) -> None:
    single, multi = _configs()
    p.add_argument("--config", type=Path, help="TOML file with the same keys as the flags (flags win); with --resume, "
                                               "its keys are checked as flags are")
    p.add_argument("--out", type=Path, default=argparse.SUPPRESS, help="run folder to create, e.g. runs/NAME")
    p.add_argument("--resume", type=Path, metavar="RUN_DIR",
                   help="continue the search in RUN_DIR from its last checkpoint; may also give more --cycles or "
                        "--evaluations, --ground-truth, --workers, --ray, --gpus-per-worker, --device, --track")
    seen = set()
    for config, kind in ((single, ""), (multi, "multi-objective: ")):
        defaults = {f.name: _default(f) for f in dataclasses.fields(multi if config is single else single)}
        hints = typing.get_type_hints(config)
        for f in dataclasses.fields(config):
            if f.name in seen:
                continue
            seen.add(f.name)
            shared = f.name in defaults
            default = _default(f)
            text = f.metadata.get("help", "")
            if default is not None:
                text += f" (default: {_show(default)}"
                text += f"; multi-objective: {_show(defaults[f.name])})" if shared and defaults[f.name] != default else ")"
            names = [flag(f.name), *ALIASES.get(f.name, ())]
            if hints[f.name] is bool:
                p.add_argument(*names, dest=f.name, action="store_true", default=argparse.SUPPRESS,
                               help=("" if shared else kind) + f.metadata.get("help", ""))
                continue
            p.add_argument(*names, dest=f.name, type=_parser(hints[f.name]), default=argparse.SUPPRESS,
                           help=("" if shared else kind) + text)
    p.add_argument("--no-progress", action="store_true", default=argparse.SUPPRESS, help="no progress bar")
    p.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print the result as one JSON line at the end")


def run(args: argparse.Namespace) -> int:
    from evonas.config import read_toml
    from evonas.moo import run_moo
    from evonas.facade import run_search

    single, multi = _configs()
    fields = set(single.field_names()) | set(multi.field_names())
    given = {k: v for k, v in vars(args).items() if k in fields}
    file_values = {k.replace("-", "_"): v for k, v in (read_toml(args.config) if args.config else {}).items()}
    runtime = {**{k: file_values.pop(k) for k in RUNTIME if k in file_values},
               **{k: getattr(args, k) for k in RUNTIME if hasattr(args, k)}}
    if "threads" in runtime:  # from the file (the flag, if given, was applied already and wins here too)
        set_threads(runtime["threads"])
    progress, as_json = not runtime.get("no_progress", False), bool(runtime.get("json", False))

    if args.resume is not None:
        if "out" in runtime and Path(runtime["out"]) != args.resume:
            raise ConfigError("--resume RUN_DIR continues that folder; drop --out")
        args.run_dir = args.resume
        from evonas.config import read_run_config

        kind = multi if "objectives" in read_run_config(args.resume) else single
        if args.config:  # the file's keys are changes as flags are (flags win), checked by the same rule
            kind.from_dict(file_values, where=str(args.config))
        changes = {**file_values, **given}
        if kind is multi:
            return _report_moo(run_moo(None, args.resume, resume=True, changes=changes, progress=progress), as_json)
        return _report(run_search(None, args.resume, resume=True, changes=changes, progress=progress), as_json)

    if "out" not in runtime:
        raise ConfigError("--out RUN_DIR is required for a new search (or --resume RUN_DIR)")
    out = Path(runtime["out"])
    values = {**file_values, **given}
    config = multi if "objectives" in values else single
    _refuse_other_kind(values, config, single, multi)
    args.run_dir = out
    where = str(args.config) if args.config else "flags"
    if config is multi:
        return _report_moo(run_moo(multi.from_dict(values, where=where), out, progress=progress), as_json)
    return _report(run_search(single.from_dict(values, where=where), out, progress=progress), as_json)


def _refuse_other_kind(values: dict[str, Any], config: type, single: type, multi: type) -> None:
    """A key of the other kind of search is an error that says which kind takes it."""
    own = set(config.field_names())
    for key in values:
        if key.replace("-", "_") not in own and key.replace("-", "_") in set(single.field_names()) | set(multi.field_names()):
            if config is multi:
                raise ConfigError(f"{flag(key)} is an option of single-objective search; it does not apply with --objectives")
            raise ConfigError(f"{flag(key)} is an option of multi-objective search: give --objectives too (e.g. swap,params)")


def _default(f: dataclasses.Field) -> Any:
    return f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default  # type: ignore[misc]


def _show(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(map(str, value))
    if isinstance(value, dict):
        return ",".join(f"{k}={v}" for k, v in value.items()) or "the space's scoring network"
    return str(value)


def _parser(hint: Any) -> Any:
    """How a flag's text becomes the field's value (lists, network arguments and a number that may be a word,
    ``int | str`` such as ``--window auto``, stay text: the config parses them)."""
    options = [a for a in typing.get_args(hint) if a is not type(None)] or [hint]
    kind = typing.get_origin(options[0]) or options[0]
    return kind if kind in (int, float) and str not in options else str


def _report(result, as_json: bool) -> int:  # type: ignore[no-untyped-def]
    best = result.best
    print(f"best {best['space']} architecture ({best.get('score_name', 'score')} {best['score']:.6g}, "
          f"{best['params']:,} params):")
    print(best["native"])
    if best.get("costs"):
        print("costs of the network to deploy: " + ", ".join(f"{k} {v:.4g}" for k, v in best["costs"].items())
              + (f" (budget: {', '.join(f'{k} <= {v:.4g}' for k, v in best['budget'].items())})" if best.get("budget") else ""))
    if best.get("true_acc") is not None:
        print(f"true CIFAR-10 test accuracy {best['true_acc']:.2f} % (rank {best['true_rank']} of {best['table_size']})")
    print(f"{best['evaluations']} architectures scored in {best['seconds']:.1f} s; results in {result.run_dir}")
    if as_json:
        print(json.dumps(best))
    return 0


def _report_moo(result, as_json: bool) -> int:  # type: ignore[no-untyped-def]
    front = result.front
    print(f"Pareto front: {len(front)} distinct architectures, hypervolume {result.hypervolume[-1]['hypervolume']:.4f}, "
          f"{result.evaluations} architectures scored; results in {result.run_dir}")
    print(front.to_string(index=False, max_colwidth=None))
    if result.truth:
        print(f"true front: found-front hypervolume is {100 * result.truth['hypervolume_ratio']:.1f} % of the true "
              "(test accuracy, params) front's")
    if as_json:
        print(json.dumps({"front": front.to_dict(orient="records"), "hypervolume": result.hypervolume[-1],
                          "evaluations": result.evaluations, "truth": result.truth}))
    return 0
