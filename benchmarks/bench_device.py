"""Scoring on CPU and on CUDA: ms per architecture, and whether the scores are identical.

Scores the same architectures (the first ``--n`` of the shared DARTS and NB201 tables) with
each space's scoring network on the CPU and, where CUDA is present, on the GPU -- there also
under reduced matmul precision (TF32, ``torch.set_float32_matmul_precision("medium")``) and
under bfloat16 autocast, which must not change a count. Prints one line per setting and one
JSON line at the end. Runs on a CPU-only machine as it is (the CUDA rows are skipped)::

    python benchmarks/bench_device.py                 # 200 DARTS + 200 NB201 archs, swap, 4 repeats
    python benchmarks/bench_device.py --n 20 --proxies swap synflow
"""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
import time
from pathlib import Path
from typing import Iterator

import pandas as pd
import torch

import evonas
from evonas.data import load_images
from evonas.evaluation import evaluate_safely
from evonas.evaluators.proxy import ArchitectureScorer, on_device

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
TABLES = {"darts": ("darts_cifar10_1000.csv", "genotype"), "nb201": ("nb201_cifar10.csv", "arch")}


@contextlib.contextmanager
def precision(mode: str, device: str) -> Iterator[None]:
    """``exact`` (default settings), ``tf32`` (reduced float32 matmul precision) or ``bf16`` (autocast)."""
    before = torch.get_float32_matmul_precision()
    try:
        if mode == "tf32":
            torch.set_float32_matmul_precision("medium")
        with torch.autocast(device.split(":")[0], dtype=torch.bfloat16) if mode == "bf16" else contextlib.nullcontext():
            yield
    finally:
        torch.set_float32_matmul_precision(before)


def score_all(space: str, proxy: str, archs: list[str], device: str, mode: str, samples: int, repeats: int,
              data: str | None) -> tuple[list, float]:
    batch = on_device(load_images(data, samples=samples), device)
    net_args = dict(evonas.get_space(space).scoring_net_args)
    scorer = ArchitectureScorer(space=space, proxy=proxy, batch=batch, net_args=net_args, repeats=repeats, seed=0)
    evaluate_safely(scorer, archs[0])  # warm-up (kernels, allocator)
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    with precision(mode, device):
        scores = [evaluate_safely(scorer, a).score for a in archs]
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    return scores, 1000 * (time.perf_counter() - t0) / len(archs)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=200, help="architectures per space")
    p.add_argument("--spaces", nargs="+", default=list(TABLES), choices=list(TABLES))
    p.add_argument("--proxies", nargs="+", default=["swap"])
    p.add_argument("--samples", type=int, default=16)
    p.add_argument("--repeats", type=int, default=4)
    p.add_argument("--data", default=None, help="input images (default: the packaged CIFAR-10 batch)")
    p.add_argument("--shared", type=Path, default=SHARED, help="folder of the shared tables")
    args = p.parse_args()
    torch.set_num_threads(1)
    settings = [("cpu", "exact")]
    if torch.cuda.is_available():
        settings += [("cuda", "exact"), ("cuda", "tf32"), ("cuda", "bf16")]
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
    print(f"machine: {platform.machine()}, torch {torch.__version__}, 1 CPU thread, GPU: {gpu}")
    rows = []
    for space in args.spaces:
        file, column = TABLES[space]
        archs = pd.read_csv(args.shared / file, dtype={column: str})[column].head(args.n).tolist()
        for proxy in args.proxies:
            reference = None
            for device, mode in settings:
                scores, ms = score_all(space, proxy, archs, device, mode, args.samples, args.repeats, args.data)
                reference = scores if reference is None else reference
                same = sum(a == b for a, b in zip(scores, reference))
                rows.append({"space": space, "proxy": proxy, "device": device, "precision": mode,
                             "ms_per_arch": round(ms, 2), "identical_to_cpu": f"{same}/{len(archs)}"})
                print(f"{space:6} {proxy:8} {device:5} {mode:6} {ms:9.2f} ms/arch  identical to cpu: {same}/{len(archs)}")
    print(json.dumps({"gpu": gpu, "rows": rows}))


if __name__ == "__main__":
    main()
