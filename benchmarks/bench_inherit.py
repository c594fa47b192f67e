"""Weight inheritance against training from scratch for mutated children of a trained parent (issue #13).

A NAS-Bench-201 parent is trained with a short budget on the shared CIFAR-10 subset. Each of
``--children`` op-mutated children (one edge changed) is then trained with the same child
budget twice, from the parent's weights (:func:`evonas.train.inherit`: every tensor but the
changed edge's) and from scratch (the same seeded initialisation), and is also evaluated as
inherited before any training. Reported: mean test accuracy on the subset's test images,
and the Spearman ρ of each method's accuracies with the benchmark's 200-epoch accuracy.

Usage::

    python benchmarks/bench_inherit.py                                   # 8 children, 3 + 1 epochs
    python benchmarks/bench_inherit.py --children 20 --parent-epochs 10 --child-epochs 3
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from scipy.stats import spearmanr

from evonas.cli import parse_net_args
from evonas.data import load_labelled
from evonas.encodings import get_space
from evonas.operators import mut_op
from evonas.train import build_seeded, evaluate, get_recipe, inherit, train

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
PARENT = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--parent", default=PARENT)
    p.add_argument("--children", type=int, default=8)
    p.add_argument("--parent-epochs", type=int, default=3)
    p.add_argument("--child-epochs", type=int, default=1)
    p.add_argument("--recipe", default="quick")
    p.add_argument("--net", default=None, help="network arguments (default: the recipe's nb201 network)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    space = get_space("nb201")
    base = get_recipe(args.recipe)
    net_args = parse_net_args(args.net) or base.net_args("nb201")
    table = pd.read_csv(SHARED / "nb201_cifar10.csv").set_index("arch")["cifar10_test_acc"]
    train_data, test_data = (load_labelled(SHARED / "cifar10_subset.npz", split=s) for s in ("train", "test"))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus, torch {torch.__version__}, {args.threads} thread(s)")
    print(f"parent {args.parent} (benchmark {table[args.parent]:.2f} %), {args.parent_epochs} epochs; "
          f"{args.children} op-mutated children, {args.child_epochs} epoch(s) each; recipe {args.recipe}, net {net_args}")
    started = time.perf_counter()
    parent = build_seeded(space, args.parent, seed=args.seed, **net_args)
    parent_final = train(parent, train_data, base.override(epochs=args.parent_epochs), seed=args.seed, test_data=test_data).final
    print(f"parent: test {parent_final['test_acc']:.1f} % after {args.parent_epochs} epochs "
          f"({time.perf_counter() - started:.0f} s)")
    rng = np.random.default_rng(args.seed)
    genome, children = space.from_native(args.parent), []
    while len(children) < args.children:  # distinct children
        child = mut_op(genome, space, rng=rng)
        if child not in children:
            children.append(child)
    recipe = base.override(epochs=args.child_epochs)
    rows = []
    for child in children:
        native = space.to_native(child)
        row = {"arch": native, "bench": table[native]}
        inherited = build_seeded(space, child, seed=args.seed + 1, **net_args)
        report = inherit(inherited, parent.state_dict())
        row["new_tensors"] = len(report.fresh)
        row["inherited_untrained"] = evaluate(inherited, test_data, None, recipe.batch_size)[1]
        row["inherited"] = train(inherited, train_data, recipe, seed=args.seed, test_data=test_data).final["test_acc"]
        scratch = build_seeded(space, child, seed=args.seed + 1, **net_args)
        row["scratch"] = train(scratch, train_data, recipe, seed=args.seed, test_data=test_data).final["test_acc"]
        rows.append(row)
        print(f"  bench {row['bench']:6.2f} %  {len(report.copied)} tensors inherited, {len(report.fresh)} new: untrained "
              f"{row['inherited_untrained']:5.1f} %, trained {row['inherited']:5.1f} %  |  scratch {row['scratch']:5.1f} %  {native}")
    frame = pd.DataFrame(rows)
    for column in ("inherited_untrained", "inherited", "scratch"):
        print(f"{column:>20}: mean test acc {frame[column].mean():5.1f} %, Spearman rho with the benchmark "
              f"{spearmanr(frame[column], frame['bench'])[0]:.3f} (n = {len(frame)})")
    wins = int((frame["inherited"] > frame["scratch"]).sum())
    print(f"inherited beat scratch for {wins} of {len(frame)} children; total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
