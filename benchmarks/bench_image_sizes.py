"""SWAP's cost at 32, 64, 128 and 224 px on each space's scoring network, with and without the pool stem.

For each space, image side and network -- ``plain``: the space's scoring network built at that
side (``scoring_net_args``, the only network before the stem), ``stem``: the search's network
(:meth:`evonas.encodings.SearchSpace.scoring_net_args_at`: an average-pool stem of stride
side // 32 from 64 px) -- and each of ``--n`` seeded architectures, times in thread CPU time
(best of ``--rounds``):

  swap:    ``score(get_proxy("swap"), net, batch, repeats=1, seed=k)``: re-initialise, forward with
           the sign taps, count the distinct patterns;
  forward: re-initialise and the bare forward pass, nothing else (the floor);

and prints their medians, ``swap / forward`` and the pattern-counting part ``swap - forward``
per forward. The batch: 16 real CIFAR-10 images (``../shared/data``) upsampled (bilinear) to the
side, normalised as the SWAP study's. Meant to run under ``nice -n 19`` with one torch thread::

    nice -n 19 python benchmarks/bench_image_sizes.py [--spaces darts nb201] [--sides 32 224] [--n 5]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from evonas import get_space
from evonas.data import load_images
from evonas.fitness import Batch, get_proxy, score
from evonas.fitness.init import gaussian_initialiser


def forward(net: nn.Module, batch: Batch, seed: int) -> None:
    reinit, generator = gaussian_initialiser(net), torch.Generator().manual_seed(seed)
    with torch.inference_mode():
        reinit(generator)(batch.inputs)


def best_ms(fn, *args, rounds: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(rounds):
        start = time.thread_time()
        fn(*args)
        times.append((time.thread_time() - start) * 1e3)
    return min(times)


def measure(space_name: str, side: int, stem: bool, batch: Batch, n: int, rounds: int) -> dict[str, float]:
    """Median ms of swap and of the bare forward over ``n`` archs sampled with seed 0."""
    space, proxy = get_space(space_name), get_proxy("swap")
    net_args = space.scoring_net_args_at(batch.inputs.shape[1:]) if stem else dict(space.scoring_net_args)
    rng = np.random.default_rng(0)
    swap_ms, fwd_ms = [], []
    for k in range(n):
        net = space.build(space.sample(rng), **net_args)
        score(proxy, net, batch, repeats=1, seed=k)  # warm-up: allocator, caches
        swap_ms.append(best_ms(lambda: score(proxy, net, batch, repeats=1, seed=k), rounds=rounds))
        fwd_ms.append(best_ms(forward, net, batch, k, rounds=rounds))
    swap, fwd = statistics.median(swap_ms), statistics.median(fwd_ms)
    return {"swap": swap, "forward": fwd, "count": max(swap - fwd, 0.0), "pool": net_args.get("pool", 1)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--spaces", nargs="+", default=["darts", "nb201", "nb101", "macro"])
    p.add_argument("--sides", type=int, nargs="+", default=[32, 64, 128, 224])
    p.add_argument("--n", type=int, default=5, help="architectures per cell of the table (median)")
    p.add_argument("--rounds", type=int, default=2, help="timings per architecture; the best counts")
    p.add_argument("--samples", type=int, default=16)
    args = p.parse_args()
    torch.set_num_threads(1)
    base = load_images(samples=args.samples)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    print(f"# commit {commit}; {platform.machine()}, torch {torch.__version__}, 1 thread; {args.samples} CIFAR-10 "
          f"images upsampled; median of {args.n} archs (seed 0), best of {args.rounds} rounds, thread CPU ms")
    print(f"{'space':<7}{'side':>5}{'net':>6}{'pool':>5}{'swap ms':>10}{'fwd ms':>10}{'count ms':>10}"
          f"{'swap/fwd':>9}{'count/fwd':>10}{'swap/32px':>10}")
    for name in args.spaces:
        at32: dict[bool, float] = {}
        for side in args.sides:
            inputs = base.inputs if side == base.inputs.shape[-1] else F.interpolate(
                base.inputs, size=(side, side), mode="bilinear", align_corners=False)
            batch = Batch(inputs.contiguous(), base.targets)
            for stem in (False, True):
                if stem and side < 2 * get_space(name).SCORING_SIDE:
                    continue  # the same network as plain
                r = measure(name, side, stem, batch, args.n, args.rounds)
                at32.setdefault(stem, r["swap"]) if side == 32 else None
                ref = at32.get(False)
                print(f"{name:<7}{side:>5}{'stem' if stem else 'plain':>6}{r['pool']:>5}{r['swap']:>10.1f}"
                      f"{r['forward']:>10.1f}{r['count']:>10.1f}{r['swap'] / r['forward']:>9.2f}"
                      f"{r['count'] / r['forward']:>10.2f}{(r['swap'] / ref if ref else float('nan')):>10.1f}", flush=True)


if __name__ == "__main__":
    main()
