"""``evonas inspect``: validate an architecture, show its matrix, size and canonical text."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from evonas.cli import parse_net_args
from evonas.encodings import SearchSpace, get_space, list_spaces
from evonas.errors import InvalidGenomeError
from evonas.files import check_files

HELP = "Validate an architecture and show its matrix, parameter count and canonical text."


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--space", required=True, help=f"search space ({', '.join(list_spaces())})")
    p.add_argument("arch", help="the architecture in the space's own notation (DARTS Genotype(...) / NB201 string)")
    p.add_argument("--net", default=None, help="network arguments, e.g. C=3,layers=1,stem=false")
    p.add_argument("--dataset", default=None, help="size the network for this dataset's images and classes: cifar10, "
                   "cifar100 or imagenet (DARTS' ImageNet network); default cifar10")
    p.add_argument("--image-size", type=int, default=None, help="side of the input images in pixels (default: the "
                   "dataset's); FLOPs are counted at it")
    p.add_argument("--classes", type=int, default=None, help="classifier outputs (default: the dataset's)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.add_argument("--draw", type=Path, default=None, metavar="FILE", help="draw the cell(s) as graphs into the PNG "
                   "FILE (a new file: an existing one is never replaced)")


def run(args: argparse.Namespace) -> int:
    from evonas.data import describe

    space = get_space(args.space)
    if args.draw is not None:
        check_files([args.draw], "--draw")
    spec = describe(None, dataset=args.dataset, image_size=args.image_size)
    deploy = space.deploy_net_args(spec.shape, spec.num_classes if args.classes is None else args.classes)
    net_args = {**deploy, **parse_net_args(args.net)}  # --net overrides the network the images choose
    space.check_net_args(net_args)
    try:
        genome = space.from_native(args.arch)
        why_no_matrix = None
    except InvalidGenomeError as err:
        genome, why_no_matrix = None, str(err)
        if not hasattr(space, "parse"):
            raise
        space.parse(args.arch)  # still raises if the text itself is invalid
    params = space.count_params(args.arch, **net_args)
    flops = count_flops(space, args.arch, net_args, spec.shape)
    if args.draw is not None:
        from evonas.diagrams import draw_architecture

        draw_architecture(space, args.arch, args.draw)
    report = {
        "space": space.name,
        "valid": True,
        "native": space.to_native(genome) if genome is not None else args.arch.strip(),
        "matrix": genome.to_json() if genome is not None else None,
        "no_matrix_because": why_no_matrix,
        "key": genome.key if genome is not None else None,
        "canonical_key": space.canonical_key(genome) if genome is not None else None,
        "params": params,
        "flops": flops,
        "input_shape": list(spec.shape),
        "net_args": net_args,
        "drawing": None if args.draw is None else str(args.draw),
    }
    if args.json:
        print(json.dumps(report))
        return 0
    print(f"valid {space.name} architecture")
    print(f"native:  {report['native']}")
    if genome is not None:
        print(space.describe(genome))
        print(f"key:     {genome.key}   canonical: {report['canonical_key']}")
    else:
        print(f"no matrix: {why_no_matrix}")
    print(f"params:  {params:,}" + (f"  ({', '.join(f'{k}={v}' for k, v in net_args.items())})" if net_args else ""))
    print(f"flops:   {flops:,} multiply-adds at {'x'.join(map(str, spec.shape))}")
    if args.draw is not None:
        print(f"drawing: {args.draw}")
    return 0


def count_flops(space: SearchSpace, arch: str, net_args: dict, shape: tuple[int, ...]) -> int:
    """Multiply-adds of one image of ``shape`` through ``arch``'s network, counted on the meta device."""
    import torch

    from evonas.fitness.flops import count_macs

    with torch.device("meta"):
        return count_macs(space.build(arch, **net_args).eval(), torch.zeros(1, *shape))
