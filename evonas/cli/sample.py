"""``evonas sample``: draw random valid architectures of a space and show their sizes."""

from __future__ import annotations

import argparse

import numpy as np

from evonas.cli import parse_net_args
from evonas.encodings import get_space, list_spaces
from evonas.errors import ConfigError

HELP = "Sample random valid architectures of a space, build them and print their parameter counts."


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--space", required=True, help=f"search space ({', '.join(list_spaces())})")
    p.add_argument("-n", type=int, default=3, help="how many architectures (>= 1)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--net", default=None, help="network arguments, e.g. C=3,layers=1,stem=false")
    p.add_argument("--data", default=None, help="a class folder of images: the networks get one output per class")


def run(args: argparse.Namespace) -> int:
    if args.n < 1:
        raise ConfigError(f"-n {args.n}: must be a whole number >= 1 (how many architectures to sample)")
    space = get_space(args.space)
    net_args = parse_net_args(args.net)
    if args.data is not None:
        from evonas.data import class_folder, describe
        from evonas.errors import DataError

        if class_folder(args.data) is None:
            raise DataError(f"--data {args.data}: sample takes a class folder of images (DIR/<class>/<image>)")
        net_args.setdefault("num_classes", describe(args.data, dataset="cifar10").num_classes)
    rng = np.random.default_rng(args.seed)
    for _ in range(args.n):
        genome = space.sample(rng)
        print(f"{space.count_params(genome, **net_args):>12,}  {space.to_native(genome)}")
    return 0
