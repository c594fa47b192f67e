"""``evonas search``: run SWAP-NAS and write a run folder (config, log, scores, best, plots)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from evonas.cli import RAY_HELP, WORKERS_HELP, parse_net_args
from evonas.errors import ConfigError

HELP = "Run a SWAP-NAS search (or --resume one) and write its results into --out."

# flag -> (SearchConfig field, type, help)
_FLAGS = {
    "--space": ("space", str, "search space (darts, nb201)"),
    "--dataset": ("dataset", str, "dataset of the input batch: cifar10 or cifar100 (sets normalisation)"),
    "--data": ("data", str, "input images: a CIFAR python-batch directory, an .npz/.npy file, or 'gaussian' (default: the packaged CIFAR-10 batch)"),
    "--proxy": ("proxy", str, "fitness proxy (default reg-swap)"),
    "--strategy": ("strategy", str, "search strategy: swap-nas (default), rea (regularised evolution), random"),
    "--population": ("population", int, "population size P"),
    "--cycles": ("cycles", int, "evolution cycles C (default 20, or unlimited with --evaluations)"),
    "--evaluations": ("evaluations", int, "budget: stop after this many distinct architectures are scored"),
    "--mutations": ("mutations", int, "swap-nas: children mutated from the parent per cycle (default 5)"),
    "--crossover": ("crossover", float, "swap-nas: probability of node-incoming crossover per cycle (default 0.5)"),
    "--tournament": ("tournament", int, "swap-nas, rea: tournament sample size (default: half the population)"),
    "--mu": ("mu", float, "regularisation centre, in thousands of parameters (with --sigma; default: calibrated)"),
    "--sigma": ("sigma", float, "regularisation width, in (thousands of parameters)^2"),
    "--target-size": ("target_size", float, "steer a regularised proxy to this size, in thousands of parameters of the scoring network (sets mu, and sigma = mu^2)"),
    "--samples": ("samples", int, "images per input batch S"),
    "--repeats": ("repeats", int, "re-initialisations averaged per score"),
    "--seed": ("seed", int, "random seed"),
    "--halloffame": ("halloffame", int, "best architectures kept"),
    "--ground-truth": ("ground_truth", str, "NAS-Bench-201 table (arch, cifar10_test_acc) to report the true accuracy of the result"),
    "--workers": ("workers", int, WORKERS_HELP),
    "--ray": ("ray", str, RAY_HELP),
    # multi-objective runs (pymoo); giving --objectives selects them
    "--objectives": ("objectives", str, "multi-objective search, e.g. 'swap,params': maximise the proxy, minimise parameters"),
    "--algorithm": ("algorithm", str, "multi-objective algorithm (nsga2, spea2, smsemoa, nsga3)"),
    "--generations": ("generations", int, "multi-objective generations"),
    "--budget": ("budget", float, "multi-objective: maximum parameters of the scoring network (constraint)"),
}


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", type=Path, help="TOML config file with the same keys as the flags (flags win)")
    p.add_argument("--out", type=Path, help="run folder to create (e.g. runs/NAME)")
    p.add_argument("--resume", type=Path, metavar="RUN_DIR", help="continue the search in RUN_DIR from its last checkpoint (with its --workers/--ray unless given again)")
    for flag, (dest, kind, text) in _FLAGS.items():
        p.add_argument(flag, dest=dest, type=kind, default=None, help=text)
    p.add_argument("--net", default=None, help="arguments of the scored network, replacing the space's scoring "
                   "network (darts: C=3,stem=false,pair=true; nb201: C=16,N=5), e.g. C=8,N=1")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print the result as one JSON line at the end")


def run(args: argparse.Namespace) -> int:
    from evonas.config import read_run_config, read_toml
    from evonas.moo import MooConfig, run_moo
    from evonas.search import SearchConfig, run_search

    progress = not args.no_progress
    if args.resume is not None:
        if args.out is not None and args.out != args.resume:
            raise ConfigError("--resume RUN_DIR continues that folder; drop --out")
        saved = read_run_config(args.resume)
        how = _execution(args, saved)
        if "objectives" in saved:
            return _report_moo(run_moo(MooConfig(**how), args.resume, resume=True, progress=progress), args.json)
        return _report(run_search(SearchConfig(**how), args.resume, resume=True, progress=progress), args.json)
    if args.out is None:
        raise ConfigError("--out RUN_DIR is required for a new search (or --resume RUN_DIR)")
    values = read_toml(args.config) if args.config is not None else {}
    values.update({dest: getattr(args, dest) for dest, *_ in _FLAGS.values() if getattr(args, dest) is not None})
    if args.net is not None:
        values["net"] = parse_net_args(args.net)
    if "objectives" in values:
        return _report_moo(run_moo(MooConfig.from_dict(values), args.out, progress=progress), args.json)
    return _report(run_search(SearchConfig.from_dict(values), args.out, progress=progress), args.json)


def _execution(args: argparse.Namespace, saved: dict) -> dict:
    """``workers`` and ``ray`` of a resumed run: the flags if any is given, else the saved ones."""
    given = {key: getattr(args, key) for key in ("workers", "ray") if getattr(args, key) is not None}
    return given or {key: saved[key] for key in ("workers", "ray") if key in saved}


def _report(result, as_json: bool) -> int:  # type: ignore[no-untyped-def]
    best = result.best
    print(f"best {best['space']} architecture (score {best['score']:.6g}, {best['params']:,} params):")
    print(best["native"])
    if best.get("true_acc") is not None:
        print(f"true CIFAR-10 test accuracy {best['true_acc']:.2f} % (rank {best['true_rank']} of {best['table_size']})")
    print(f"{best['evaluations']} architectures scored in {best['seconds']:.1f} s; results in {result.run_dir}")
    if as_json:
        print(json.dumps(best))
    return 0


def _report_moo(result, as_json: bool) -> int:  # type: ignore[no-untyped-def]
    front = result.front
    print(f"Pareto front: {len(front)} architectures, hypervolume {result.hypervolume[-1]['hypervolume']:.4f}, "
          f"{result.evaluations} architectures scored; results in {result.run_dir}")
    print(front.to_string(index=False, max_colwidth=80))
    if result.truth:
        print(f"true front: found-front hypervolume is {100 * result.truth['hypervolume_ratio']:.1f} % of the true front's")
    if as_json:
        print(json.dumps({"front": front.to_dict(orient="records"), "hypervolume": result.hypervolume[-1],
                          "evaluations": result.evaluations, "truth": result.truth}))
    return 0
