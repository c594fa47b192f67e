"""``evonas search``: run SWAP-NAS and write a run folder (config, log, scores, best, plots)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from evonas.cli import parse_net_args
from evonas.errors import ConfigError

HELP = "Run a SWAP-NAS search (or --resume one) and write its results into --out."

# flag -> (SearchConfig field, type, help)
_FLAGS = {
    "--space": ("space", str, "search space (darts, nb201)"),
    "--dataset": ("dataset", str, "dataset of the input batch: cifar10 or cifar100 (sets normalisation)"),
    "--data": ("data", str, "input images: a CIFAR python-batch directory, an .npz/.npy file, or 'gaussian' (default: the packaged CIFAR-10 batch)"),
    "--proxy": ("proxy", str, "fitness proxy (default reg-swap)"),
    "--population": ("population", int, "population size P"),
    "--cycles": ("cycles", int, "evolution cycles C"),
    "--mutations": ("mutations", int, "children mutated from the parent per cycle"),
    "--crossover": ("crossover", float, "probability of node-incoming crossover per cycle"),
    "--mu": ("mu", float, "regularisation centre, in thousands of parameters (with --sigma; default: calibrated)"),
    "--sigma": ("sigma", float, "regularisation width, in (thousands of parameters)^2"),
    "--samples": ("samples", int, "images per input batch S"),
    "--repeats": ("repeats", int, "re-initialisations averaged per score"),
    "--seed": ("seed", int, "random seed"),
    "--halloffame": ("halloffame", int, "best architectures kept"),
    "--ground-truth": ("ground_truth", str, "NAS-Bench-201 table (arch, cifar10_test_acc) to report the true accuracy of the result"),
}


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", type=Path, help="TOML config file with the same keys as the flags (flags win)")
    p.add_argument("--out", type=Path, help="run folder to create (e.g. runs/NAME)")
    p.add_argument("--resume", type=Path, metavar="RUN_DIR", help="continue the search in RUN_DIR from its last checkpoint")
    for flag, (dest, kind, text) in _FLAGS.items():
        p.add_argument(flag, dest=dest, type=kind, default=None, help=text)
    p.add_argument("--net", default=None, help="scoring network arguments, e.g. C=3,layers=1,stem=false")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print the result as one JSON line at the end")


def run(args: argparse.Namespace) -> int:
    from evonas.search import SearchConfig, run_search

    if args.resume is not None:
        if args.out is not None and args.out != args.resume:
            raise ConfigError("--resume RUN_DIR continues that folder; drop --out")
        result = run_search(SearchConfig(), args.resume, resume=True, progress=not args.no_progress)
    else:
        if args.out is None:
            raise ConfigError("--out RUN_DIR is required for a new search (or --resume RUN_DIR)")
        values = {}
        if args.config is not None:
            values.update(vars(SearchConfig.from_file(args.config)))
        values.update({dest: getattr(args, dest) for dest, *_ in _FLAGS.values() if getattr(args, dest) is not None})
        if args.net is not None:
            values["net"] = parse_net_args(args.net)
        result = run_search(SearchConfig.from_dict(values), args.out, progress=not args.no_progress)
    best = result.best
    print(f"best {best['space']} architecture (score {best['score']:.6g}, {best['params']:,} params):")
    print(best["native"])
    if best.get("true_acc") is not None:
        print(f"true CIFAR-10 test accuracy {best['true_acc']:.2f} % (rank {best['true_rank']} of {best['table_size']})")
    print(f"{best['evaluations']} architectures scored in {best['seconds']:.1f} s; results in {result.run_dir}")
    if args.json:
        print(json.dumps(best))
    return 0
