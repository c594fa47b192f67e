"""``evonas train``: train a search run's best architecture (or any architecture) with a named recipe."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from evonas.cli import parse_net_args
from evonas.errors import ConfigError

HELP = "Train a search run's best architecture (RUN_DIR), or --space S ARCH, with a recipe; --resume a killed run."

# flag -> (recipe field, type, help)
_RECIPE_FLAGS = {
    "--epochs": ("epochs", int, "epochs (recipe: darts 600, nb201 200, quick 5)"),
    "--batch-size": ("batch_size", int, "images per SGD step"),
    "--lr": ("lr", float, "initial learning rate (cosine-annealed to 0)"),
    "--weight-decay": ("weight_decay", float, "weight decay"),
    "--valid-fraction": ("valid_fraction", float, "share of the training images held out for validation (0: none)"),
    "--cutout": ("cutout", int, "cutout square side (0: none)"),
    "--drop-path": ("drop_path", float, "final drop-path probability (DARTS networks)"),
}


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", nargs="?", help="a search run folder (its best.json), or with --space the architecture "
                   "in the space's notation")
    p.add_argument("--space", default=None, help="train the architecture SOURCE of this space instead of a run's best")
    p.add_argument("--recipe", default=None, help="training recipe: darts, darts-imagenet, nb201 (the papers' "
                   "settings) or quick (a CPU smoke run); default: the space's own, on images the space calls large "
                   "(DARTS' ImageNet network) its large-image recipe, darts-imagenet")
    for flag, (dest, kind, text) in _RECIPE_FLAGS.items():
        p.add_argument(flag, dest=dest, type=kind, default=None, help=text)
    p.add_argument("--net", default=None, help="network arguments replacing the recipe's, e.g. C=16,N=5 or C=36,layers=20")
    p.add_argument("--data", default=None, help="training and test images: a class folder (DIR/<class>/<image>; "
                   "DIR/train and DIR/val, or a held-out tenth as the test set; read image by image), a CIFAR "
                   "python-batch directory or an .npz with train_images/train_labels/test_images/test_labels "
                   "(default: the search run's own --data)")
    p.add_argument("--dataset", default=None, help="cifar10, cifar100 or imagenet: normalisation (and CIFAR's classes); "
                   "default: the search run's, else cifar10's or a class folder's own statistics")
    p.add_argument("--image-size", type=int, default=None, help="side of the images in pixels: a class folder's are "
                   "resized and centre-cropped to it (default: the search run's, else the data's own)")
    p.add_argument("--workers", type=int, default=0, help="DataLoader worker processes decoding and cropping images "
                   "(0: the training process)")
    p.add_argument("--seed", type=int, default=0, help="seeds the initialisation and every draw of training")
    p.add_argument("--device", default=None, help="cpu, cuda, cuda:1, ... (default: cuda when present, else cpu)")
    p.add_argument("--out", type=Path, default=None, help="training folder: new, empty or a failed start's "
                   "(default: RUN_DIR/train)")
    p.add_argument("--resume", type=Path, default=None, metavar="TRAIN_DIR",
                   help="continue the training in TRAIN_DIR from its last epoch (same result as an uninterrupted run)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print the result as one JSON line at the end")


def run(args: argparse.Namespace) -> int:
    from evonas.train.run import (TRAIN_SUBDIR, TrainConfig, best_of_run, default_device, read_training, run_data,
                                  run_training)

    progress = not args.no_progress
    if args.resume is not None:
        if args.source is not None or (args.out is not None and args.out != args.resume):
            raise ConfigError("--resume TRAIN_DIR continues that training with its saved settings; drop the other arguments")
        device = args.device or read_training(args.resume)["config"]["device"]  # the same device: the same result
        return _report(run_training(TrainConfig(device=device, workers=args.workers), args.resume, resume=True,
                                    progress=progress), args.json)
    device = args.device or default_device()
    if args.source is None:
        raise ConfigError("give a search run folder (evonas train RUN_DIR) or an architecture (evonas train --space S ARCH)")
    if args.space is not None:
        space, arch, source = args.space, args.source, None
        if args.out is None:
            raise ConfigError("--out TRAIN_DIR is required when training an architecture given with --space")
    else:
        best = best_of_run(Path(args.source))
        space, arch, source = best["space"], best["native"], args.source
    saved = run_data(Path(source)) if source is not None else {}  # the run's images, at the size it scored them
    data, dataset, image_size = (getattr(args, key) if getattr(args, key) is not None else saved.get(key)
                                 for key in ("data", "dataset", "image_size"))
    out = args.out if args.out is not None else Path(args.source) / TRAIN_SUBDIR
    overrides = {dest: getattr(args, dest) for dest, *_ in _RECIPE_FLAGS.values() if getattr(args, dest) is not None}
    config = TrainConfig(space=space, arch=arch, recipe=args.recipe or "", overrides=overrides,
                         net=parse_net_args(args.net), data=data, dataset=dataset, seed=args.seed,
                         device=device, source=source, image_size=image_size, workers=args.workers)
    return _report(run_training(config, out, progress=progress), args.json)


def _report(run, as_json: bool) -> int:  # type: ignore[no-untyped-def]
    s = run.summary
    valid = "-" if s["valid_acc"] is None else f"{s['valid_acc']:.2f} %"
    print(f"trained {s['space']} architecture ({s['params']:,} params, recipe {s['recipe']}, {s['epochs']} epoch(s), "
          f"{s['seconds_training']:.1f} s): validation {valid}, test {s['test_acc']:.2f} %")
    print(f"results in {run.out} (metrics.csv, learning_curve.png, cell.png, model.pt)")
    if as_json:
        print(json.dumps(s))
    return 0
