"""Wall time per epoch of the ``quick`` recipe on the shared CIFAR-10 subset (issue #13).

Trains a few architectures of each space for a few epochs exactly as ``evonas train --recipe
quick`` does (5170 training images, 10 % held out for validation, the 1017 test images
evaluated after every epoch) and reports seconds per epoch: the median over the epochs of
each architecture (the whole epoch: training, validation and test evaluation).

Usage::

    python benchmarks/bench_train_quick.py                          # nb201 and darts, 3 archs, 2 epochs
    python benchmarks/bench_train_quick.py --spaces nb201 --archs 5 --threads 2
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
from pathlib import Path

import numpy as np
import torch

from evonas.data import load_labelled
from evonas.encodings import get_space
from evonas.networks import count_parameters
from evonas.train import build_seeded, get_recipe, train

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "cifar10_subset.npz"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--spaces", nargs="+", default=["nb201", "darts"])
    p.add_argument("--archs", type=int, default=3, help="random architectures per space")
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--data", type=Path, default=DATA)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus, torch {torch.__version__}, {args.threads} thread(s); "
          f"load average {os.getloadavg()[0]:.2f}")
    train_data, test_data = (load_labelled(args.data, split=s) for s in ("train", "test"))
    recipe = get_recipe("quick").override(epochs=args.epochs)
    print(f"quick recipe, {args.epochs} epochs of {len(train_data)} training images "
          f"({recipe.valid_fraction:.0%} held out), batch {recipe.batch_size}, {len(test_data)} test images")
    for name in args.spaces:
        space, net_args = get_space(name), recipe.net_args(name)
        per_arch = []
        for k in range(args.archs):
            genome = space.sample(np.random.default_rng(k))
            net = build_seeded(space, genome, seed=0, **net_args)
            result = train(net, train_data, recipe, seed=0, test_data=test_data)
            seconds = statistics.median(r["seconds"] for r in result.history)
            per_arch.append(seconds)
            print(f"  {name} arch {k}: {count_parameters(net):>8,} params, {seconds:6.2f} s/epoch, "
                  f"test {result.final['test_acc']:.1f} %  {space.to_native(genome)}")
        print(f"{name} ({', '.join(f'{a}={v}' for a, v in net_args.items())}): median {statistics.median(per_arch):.2f} "
              f"s/epoch (range {min(per_arch):.2f}-{max(per_arch):.2f}) over {args.archs} archs")


if __name__ == "__main__":
    main()
