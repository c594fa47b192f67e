"""Time SWAP-Score scoring on the DARTS reference scoring network, against two baselines.

For each of ``--n`` architectures of the SWAP study's DARTS table, in one run and interleaved
(on a shared machine, (a) and (b) take the best of ``--rounds`` alternating timings):

  (a) ours:  ``score(get_proxy("swap"), net, batch, repeats=R, seed=i)``;
  (b) bare:  R times re-initialise and run the forward pass, nothing else (the floor);
  (c) naive: R times re-initialise, hook every ``nn.ReLU``, concatenate the float outputs and
             count ``torch.unique(sign-matrix, dim=0)`` (the reference implementation's way).

(a) and (c) see the same weights, so their scores must agree; the script checks it.
``--against DIR`` also times (a') the evonas of another checkout (e.g. an older commit,
``git worktree add ../old HEAD~3``) against (a) again, each in a worker process of its own,
in the same rounds as (a) and (b), and checks that its scores equal ours. ``--clock cpu`` (the default) times the CPU time of
the scoring thread, which other jobs on a shared machine disturb far less than wall time.
Network: stem-less DARTS network, C=3, one cell (the SWAP study's scoring network).

    python benchmarks/bench_swap.py --n 50 --against ../old
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import torch
from torch import nn

from evonas import get_space
from evonas.data import load_images
from evonas.fitness import Batch, get_proxy, score
from evonas.fitness.init import gaussian_initialiser

NET_ARGS = {"C": 3, "layers": 1, "stem": False}
CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "darts_cifar10_1000.csv"


def bare(net: nn.Module, batch: Batch, repeats: int, seed: int) -> None:
    reinit, generator = gaussian_initialiser(net), torch.Generator().manual_seed(seed)
    with torch.inference_mode():
        for _ in range(repeats):
            reinit(generator)(batch.inputs)


def naive(net: nn.Module, batch: Batch, repeats: int, seed: int) -> float:
    reinit, generator = gaussian_initialiser(net), torch.Generator().manual_seed(seed)
    outputs: list[torch.Tensor] = []

    def keep(module: nn.Module, args: tuple, out: torch.Tensor) -> None:
        if args[0].dim() == 4:
            outputs.append(out.detach())

    handles = [m.register_forward_hook(keep) for m in net.modules() if isinstance(m, nn.ReLU)]
    total = 0
    try:
        with torch.no_grad():
            for _ in range(repeats):
                outputs.clear()
                reinit(generator)
                net(batch.inputs)
                matrix = torch.cat([o.view(len(batch.inputs), -1) for o in outputs], 1)
                total += torch.unique(torch.sign(matrix).T, dim=0).shape[0]
    finally:
        for h in handles:
            h.remove()
    return total / repeats


CLOCKS = {"cpu": time.thread_time, "wall": time.perf_counter}
clock = CLOCKS["cpu"]


def timed(fn, *args, **kwargs) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    start = clock()
    value = fn(*args, **kwargs)
    return (clock() - start) * 1e3, value


def serve(args: argparse.Namespace) -> None:
    """Worker for ``--against``: for each arch index read from stdin, time (a) once and print 'ms score'."""
    table = pd.read_csv(args.csv)
    space, proxy, batch = get_space("darts"), get_proxy("swap"), load_images(samples=args.samples)
    nets: dict[int, nn.Module] = {}
    for line in sys.stdin:
        i = int(line)
        if i not in nets:
            nets = {i: space.build(table.genotype[i], **NET_ARGS)}
            score(proxy, nets[i], batch, repeats=1, seed=i)  # warm-up, as for ours
        elapsed, value = timed(score, proxy, nets[i], batch, repeats=args.repeats, seed=i)
        print(elapsed, value, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=50, help="architectures (first N rows of the table)")
    parser.add_argument("--repeats", type=int, default=32)
    parser.add_argument("--samples", type=int, default=16)
    parser.add_argument(
        "--threads", type=int, default=1, help="torch intra-op threads (1 is fastest for this tiny net)"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="interleaved timings of (a) and (b) per arch; the best counts"
    )
    parser.add_argument("--csv", type=Path, default=CSV)
    parser.add_argument("--no-naive", action="store_true", help="skip the slow (c) baseline")
    parser.add_argument("--against", type=Path, help="another evonas checkout to time as (a') in the same rounds")
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="cpu", help="thread CPU time or wall time")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    global clock
    clock = CLOCKS[args.clock]
    torch.set_num_threads(args.threads)
    if args.serve:
        return serve(args)
    workers: dict[str, subprocess.Popen] = {}
    if args.against:  # both checkouts in worker processes alike, so neither has the main process's warm caches
        worker_args = [f"--{k}={getattr(args, k)}" for k in ("csv", "samples", "repeats", "threads", "clock")]
        for key, root in (("w", Path(__file__).resolve().parents[1]), ("o", args.against.resolve())):
            workers[key] = subprocess.Popen(
                [sys.executable, __file__, "--serve", *worker_args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                text=True, env={**os.environ, "PYTHONPATH": str(root)},
            )
    table = pd.read_csv(args.csv).head(args.n)
    space, proxy = get_space("darts"), get_proxy("swap")
    batch = load_images(samples=args.samples) if args.samples <= 64 else load_images("gaussian", samples=args.samples)
    times: dict[str, list[float]] = {"a": [], "b": [], "c": [], "w": [], "o": []}
    mismatches = other_mismatches = 0
    keys = "ab" + "".join(workers)
    for i, text in enumerate(table.genotype):
        net = space.build(text, **NET_ARGS)
        score(proxy, net, batch, repeats=1, seed=i)  # warm-up: allocator, caches
        best = dict.fromkeys(keys, math.inf)
        values = {}
        for r in range(args.rounds):  # best of a few interleaved rounds, order rotating: robust to load
            for key in keys[r % len(keys) :] + keys[: r % len(keys)]:
                if key == "a":
                    elapsed, ours = timed(score, proxy, net, batch, repeats=args.repeats, seed=i)
                elif key == "b":
                    elapsed, _ = timed(bare, net, batch, args.repeats, i)
                else:
                    workers[key].stdin.write(f"{i}\n")
                    workers[key].stdin.flush()
                    ms, value = workers[key].stdout.readline().split()
                    elapsed, values[key] = float(ms), float(value)
                best[key] = min(best[key], elapsed)
        for key in keys:
            times[key].append(best[key])
        other_mismatches += bool(workers) and not values["w"] == values["o"] == ours
        if not args.no_naive:
            tc, reference = timed(naive, net, batch, args.repeats, i)
            times["c"].append(tc)
            mismatches += ours != reference
    med = {k: statistics.median(v) for k, v in times.items() if v}
    print(
        f"machine: {os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), torch {torch.__version__}, "
        f"{torch.get_num_threads()} thread(s)"
    )
    print(
        f"{args.n} DARTS archs, C=3 one-cell stem-less net, S={args.samples}, {args.repeats} repeats; "
        f"{args.clock} ms per arch ((a), (b): best of {args.rounds} interleaved rounds; (c): one round):"
    )
    print(f"  (a) evonas SWAP          median {med['a']:8.1f}")
    print(f"  (b) bare init + forward  median {med['b']:8.1f}")
    ratios = [a / b for a, b in zip(times["a"], times["b"])]
    print(
        f"  a/b = {med['a'] / med['b']:.3f} (ratio of medians; median of per-arch ratios {statistics.median(ratios):.3f})"
    )
    if workers:
        print(f"  (a) in a worker process  median {med['w']:8.1f}")
        print(f"  (a') {str(args.against)[-18:]:18s} median {med['o']:8.1f} (in a worker process)")
        print(
            f"  a/a' = {statistics.median(w / o for w, o in zip(times['w'], times['o'])):.3f} (median per arch); "
            f"scores (a) == (a') for {args.n - other_mismatches}/{args.n} archs"
        )
        for worker in workers.values():
            worker.stdin.close()
            worker.wait()
    if "c" in med:
        print(f"  (c) naive unique(dim=0)  median {med['c']:8.1f}")
        print(f"  c/a = {med['c'] / med['a']:.1f}; scores (a) == (c) for {args.n - mismatches}/{args.n} archs")


if __name__ == "__main__":
    main()
