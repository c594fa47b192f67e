"""``evonas export``: write a run's network as TorchScript, ONNX or a state dict."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = "Export a run's network (trained weights if it was trained, else untrained) as torchscript, onnx or state_dict."


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("run_dir", type=Path, help="a search run folder (its best architecture; trained if RUN_DIR/train "
                   "holds a finished training) or a training folder")
    p.add_argument("--format", default="torchscript", help="torchscript (default), onnx (pip install 'evonas[onnx]') "
                   "or state_dict (weights + architecture JSON)")
    p.add_argument("--out", type=Path, default=None, help="a new file to write (default: model.<format> beside the "
                   "weights, or in RUN_DIR, replacing an earlier export there); an existing file is never replaced")
    p.add_argument("--seed", type=int, default=0, help="initialisation of an untrained network")


def run(args: argparse.Namespace) -> int:
    import torch

    from evonas.train.exporters import EXPORTERS, export
    from evonas.train.run import load_network

    exporter = EXPORTERS.get(args.format)  # an unknown format fails before the network is built
    loaded = load_network(args.run_dir, seed=args.seed)
    folder = loaded.weights.parent if loaded.weights is not None else args.run_dir
    default = folder / f"model{exporter.suffix}"
    out = args.out if args.out is not None else default
    # the default file is export's own (no other command writes model.<format>): exporting again replaces it;
    # any other existing file, the run's own included, is refused before anything is written
    own = out.resolve() == default.resolve()
    example = torch.randn(2, *loaded.input_shape, generator=torch.Generator().manual_seed(0))
    export(loaded.net, out, args.format, example=example, arch=loaded.arch, own=own)
    what = f"trained weights of {loaded.weights}" if loaded.weights is not None else "untrained (no finished training found)"
    print(f"{loaded.arch['space']} network, {what}, exported as {args.format} to {out}")
    return 0
