"""A direct DARTS search at 224 px on a class folder, and its size control (SWAP paper, Sec. 4.2.2 and Fig. 8).

Writes a class-folder dataset of real CIFAR-10 training images (``../shared/data``) upsampled
to 256 px as JPEG (``--classes`` classes x ``--per-class`` images), then

1. times ``evonas search --space darts --data DIR --image-size 224`` end to end (SWAP-NAS,
   regularised SWAP with the size prior calibrated on the scoring network at that size -- the
   search's C = 4, 5-cell network behind its average-pool stem of stride 7 --, ``--population``,
   ``--evaluations``), against the paper's 9 GPU-minutes for P = 20 and 1000 evaluations;
2. sweeps ``--target-size`` (thousands of parameters of the scoring network: mu = target,
   sigma = mu^2) over ``--targets`` x ``--seeds`` small searches and prints the size of the best
   scoring network and of the network it deploys at 224 px (DARTS' ImageNet network, C = 48,
   14 cells, one output per class): Fig. 8's shape is sizes rising with mu.

One torch thread per process (the CLI's), run under ``nice -n 19``::

    nice -n 19 python benchmarks/bench_imagenet_search.py [--evaluations 1000] [--targets 10 14 18 22]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import platform
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from evonas import get_space
from evonas.cli import main as cli

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "cifar10_subset.npz"


def write_folder(root: Path, classes: int, per_class: int, side: int) -> None:
    """``root/<class>/NNNN.jpg``: the first ``per_class`` training images of each of the first ``classes`` classes."""
    with np.load(SHARED) as npz:
        images, labels, names = npz["train_images"], npz["train_labels"], npz["label_names"]
    for c in range(classes):
        folder = root / str(names[c])
        folder.mkdir(parents=True)
        for k, i in enumerate(np.flatnonzero(labels == c)[:per_class]):
            image = Image.fromarray(images[i].transpose(1, 2, 0)).resize((side, side), Image.Resampling.BICUBIC)
            image.save(folder / f"{k:04d}.jpg", quality=95)


def search(data: Path, out: Path, *options: str) -> tuple[float, float, dict]:
    """Wall and CPU seconds of one ``evonas search`` on ``data`` at 224 px, and its ``best.json``."""
    start, cpu = time.perf_counter(), time.process_time()
    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        cli(["search", "--space", "darts", "--data", str(data), "--image-size", "224", "--out", str(out),
             "--no-progress", *options])
    return time.perf_counter() - start, time.process_time() - cpu, json.loads((out / "best.json").read_text())


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--classes", type=int, default=3)
    p.add_argument("--per-class", type=int, default=20)
    p.add_argument("--population", type=int, default=20)
    p.add_argument("--evaluations", type=int, default=1000, help="of the timed search (the paper's: 1000)")
    p.add_argument("--targets", type=float, nargs="+", default=[10.0, 14.0, 18.0, 22.0])
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--sweep-population", type=int, default=10)
    p.add_argument("--sweep-evaluations", type=int, default=40)
    p.add_argument("--sweep-repeats", type=int, default=2)
    p.add_argument("--skip-timed", action="store_true")
    args = p.parse_args()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    print(f"# commit {commit}; {platform.machine()}, torch {torch.__version__}; {args.classes} classes x "
          f"{args.per_class} CIFAR-10 images at 256 px (JPEG), searched at 224 px")
    space = get_space("darts")
    deploy = space.deploy_net_args((3, 224, 224), args.classes)

    def deployed(best: dict) -> float:
        return space.count_params(best["native"], **deploy) / 1e6

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "photos"
        write_folder(data, args.classes, args.per_class, 256)
        if not args.skip_timed:
            seconds, cpu, best = search(data, Path(tmp) / "timed", "--population", str(args.population),
                                   "--evaluations", str(args.evaluations))
            run = json.loads((Path(tmp) / "timed" / "resolved.json").read_text())
            print(f"timed search: P = {args.population}, {args.evaluations} evaluations, repeats {run.get('repeats')}, "
                  f"mu = {run.get('mu'):.4g} K: {seconds:.1f} s wall, {cpu:.1f} s CPU ({cpu / args.evaluations * 1e3:.0f} "
                  f"CPU ms/evaluation, all included: x {1000 / args.evaluations:.3g} = {cpu * 1000 / args.evaluations / 60:.1f} "
                  f"CPU min for 1000); "
                  f"best scores {best['params'] / 1e3:.1f} K, deploys {deployed(best):.2f} M", flush=True)
        print(f"{'target K':>9}{'seed':>5}{'scoring K':>10}{'deployed M':>11}{'wall s':>8}{'CPU s':>7}")
        rows: dict[float, list[tuple[float, float]]] = {}
        for target in args.targets:
            for seed in range(args.seeds):
                seconds, cpu, best = search(data, Path(tmp) / f"t{target}-{seed}", "--target-size", str(target),
                                       "--seed", str(seed), "--population", str(args.sweep_population),
                                       "--evaluations", str(args.sweep_evaluations), "--repeats", str(args.sweep_repeats))
                rows.setdefault(target, []).append((best["params"] / 1e3, deployed(best)))
                print(f"{target:>9.1f}{seed:>5}{rows[target][-1][0]:>10.1f}{rows[target][-1][1]:>11.2f}{seconds:>8.1f}{cpu:>7.1f}",
                      flush=True)
        print(f"{'target K':>9}{'scoring K (mean)':>18}{'deployed M (mean, min-max)':>30}")
        for target, found in rows.items():
            dep = [d for _, d in found]
            print(f"{target:>9.1f}{statistics.mean(s for s, _ in found):>18.1f}"
                  f"{statistics.mean(dep):>12.2f} ({min(dep):.2f}-{max(dep):.2f})")


if __name__ == "__main__":
    main()
