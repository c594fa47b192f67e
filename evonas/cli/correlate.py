"""``evonas correlate``: score a ground-truth table with a proxy; report Spearman, Kendall, top-10 %."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from evonas.cli import RAY_HELP, WORKERS_HELP, parse_net_args
from evonas.encodings import get_space, list_spaces

HELP = "Score every architecture of a ground-truth table with a proxy and report rank correlations."


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--table", type=Path, required=True, help="CSV of architectures and accuracies")
    p.add_argument("--space", required=True, help=f"search space ({', '.join(list_spaces())})")
    p.add_argument("--proxy", default="swap", help="registered proxy (see evonas.list_proxies()), or several joined "
                   "by '+' for their rank ensemble, e.g. swap+synflow (ranked against 64 sampled archs, fixed seed)")
    p.add_argument("--data", default=None, help="input images: a class folder (DIR/<class>/<image>), CIFAR python-batch "
                   "dir, .npz/.npy, 'gaussian' (default: packaged CIFAR-10 batch)")
    p.add_argument("--dataset", default=None, help="normalisation constants: cifar10, cifar100 or imagenet (default: "
                   "cifar10's; a class folder's own statistics)")
    p.add_argument("--image-size", type=int, default=None, help="side of the input images in pixels: a class folder's "
                   "are resized and centre-cropped to it (default: the data's own)")
    p.add_argument("--samples", type=int, default=16, help="images per batch S (>= 2, as in a search)")
    p.add_argument("--repeats", type=int, default=32, help="re-initialisations per score (>= 1)")
    p.add_argument("--limit", type=int, default=None, help="score a seeded random sample of N rows")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--mu", type=float, default=None, help="reg-swap centre (thousands of params); default calibrated")
    p.add_argument("--sigma", type=float, default=None, help="reg-swap width; default calibrated")
    p.add_argument("--target-size", type=float, default=None, help="reg-swap centre, with sigma = mu^2 (thousands of params)")
    p.add_argument("--net", default=None, help="arguments of the scored network, e.g. C=3,layers=1,stem=false for "
                   "the SWAP study's DARTS network (default: the space's scoring network)")
    p.add_argument("--arch-col", default=None, help="architecture column (default: genotype or arch)")
    p.add_argument("--acc-col", default=None, help="accuracy column (default: valid_acc or cifar10_test_acc)")
    p.add_argument("--out", type=Path, required=True, help="folder for scores.csv, settings.json, correlation.json, "
                   "scatter.png: new, or one correlate wrote (it continues the scores made with the same settings)")
    p.add_argument("--workers", type=int, default=1, help=WORKERS_HELP)
    p.add_argument("--device", default="cpu", help="where networks are built and scored: cpu, cuda, cuda:N or auto "
                                                   "(cuda when present); scores do not depend on it")
    p.add_argument("--ray", default=None, metavar="ADDRESS", help=RAY_HELP)
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--json", action="store_true", help="print the result as one JSON object on the last line")


def run(args: argparse.Namespace) -> int:
    from evonas.correlation import check_out, correlate, read_table, select_rows
    from evonas.data import describe, search_batch
    from evonas.device import resolve_device
    from evonas.evaluators.proxy import make_scorer, on_device
    from evonas.parallel import make_map

    check_scoring(args)
    check_out(args.out)
    space = get_space(args.space)
    shape = describe(args.data, dataset=args.dataset, image_size=args.image_size).shape
    net_args = space.scoring_net_args_at(shape, parse_net_args(args.net))
    rows = select_rows(read_table(args.table, args.arch_col, args.acc_col), args.limit, args.seed)
    device = resolve_device(args.device)
    batch = on_device(search_batch(args.data, samples=args.samples, dataset=args.dataset, seed=args.seed,
                                   image_size=args.image_size), device)
    scorer = make_scorer(space, args.proxy, batch=batch, net_args=net_args, repeats=args.repeats, seed=args.seed,
                         mu=args.mu, sigma=args.sigma, target=args.target_size)
    options = scorer.proxy_options
    size = {k: v for k, v in options.items() if k in ("mu", "sigma")}
    settings = {"table": str(args.table.resolve()), "arch_col": args.arch_col, "acc_col": args.acc_col,
                "space": args.space, "proxy": args.proxy, "options": options, "net": net_args, "data": args.data,
                "dataset": args.dataset, "image_size": args.image_size, "samples": args.samples, "repeats": args.repeats, "seed": args.seed}
    with make_map(args.workers, args.ray, scorer, device=device) as map_fn:  # Ray actors on CUDA hold a GPU
        result = correlate(rows, scorer, args.out, progress=not args.no_progress, map_fn=map_fn, settings=settings)
    summary = {"proxy": args.proxy, "space": args.space, **size, **result.as_json()}
    print(f"{args.proxy} on {args.table.name}: Spearman {result.spearman:.4f}, Kendall {result.kendall:.4f}, "
          f"top-10% precision {result.top10_precision:.3f}, n = {result.n}, failed = {result.failed}, "
          f"{result.seconds:.1f} s" + (f" ({result.ms_per_arch:.1f} ms/arch)" if result.ms_per_arch else " (nothing new to score)"))
    if args.json:
        print(json.dumps(summary))
    return 0


def check_scoring(args: argparse.Namespace) -> None:
    """The flags correlate shares with a search (--samples, --repeats, --workers, --ray), by the search's own rules.

    A search refuses ``--samples 1`` (SWAP needs two images to compare; every score would
    be NaN); correlate refuses what a search refuses, with the same message, before
    anything is read or written.
    """
    from evonas.config import SearchConfig

    SearchConfig(samples=args.samples, repeats=args.repeats, workers=args.workers, ray=args.ray).check_common()
