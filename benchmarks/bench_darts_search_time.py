"""Time the paper-sized DARTS search on the default scoring network against the pair network, in one run.

The search of issue #30: ``evonas.search(space="darts", population=20, mutations=5,
evaluations=N, workers=1)`` (SWAP-NAS, regularised SWAP, the packaged batch), one torch
thread. Each round runs, back to back and each in a fresh process of its own:

  before   the default scoring network with the defaults of another checkout (``--against DIR``,
           e.g. ``git worktree add ../before <commit>``); left out without ``--against``;
  pair     ``--net C=3,stem=false,pair=true --repeats 4``: the pair network as issue #30 timed it;
  pair-d   the pair network with this checkout's default re-initialisations;
  after    this checkout's defaults (the space's scoring network and ``scoring_repeats``);
  after-2  the same with 2 re-initialisations.

Printed per configuration: the median over rounds of the wall time and of the search
process's CPU time (on a shared machine the CPU time is the steadier figure), each also as a
ratio to ``pair``, and the best score found. Usage::

    nice -n 10 python benchmarks/bench_darts_search_time.py --evaluations 1000 --against ../before
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

PAIR = "C=3,stem=false,pair=true"
HERE = Path(__file__).resolve().parents[1]


def child(settings: dict) -> None:
    """Run one search in this process and print its times as one JSON line."""
    import torch

    import evonas

    torch.set_num_threads(1)
    wall, cpu = time.perf_counter(), time.process_time()
    result = evonas.search(**settings)
    print(json.dumps({"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
                      "score": result.best["score"]}))


def run(root: Path, settings: dict) -> dict:
    """One search in a fresh process that imports the evonas of ``root``."""
    out = subprocess.run([sys.executable, __file__, "--child", json.dumps(settings)], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(root)}, cwd=root, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--evaluations", type=int, default=1000)
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--against", type=Path, default=None, help="the checkout whose defaults are 'before'")
    p.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child is not None:
        return child(json.loads(args.child))
    base = {"space": "darts", "population": 20, "mutations": 5, "evaluations": args.evaluations, "workers": 1,
            "seed": args.seed}
    runs = {"pair": (HERE, {**base, "net": PAIR, "repeats": 4}), "pair-d": (HERE, {**base, "net": PAIR}),
            "after": (HERE, base), "after-2": (HERE, {**base, "repeats": 2})}
    if args.against is not None:
        runs = {"before": (args.against.resolve(), base), **runs}
    print(f"darts search: population 20, 5 mutations, {args.evaluations} evaluations, 1 worker, 1 torch thread, "
          f"{args.rounds} round(s); {platform.machine()}, {os.cpu_count()} cpus", flush=True)
    times: dict[str, list[dict]] = {name: [] for name in runs}
    for r in range(args.rounds):
        for name, (root, settings) in runs.items():
            times[name].append(run(root, settings))
            print(f"  round {r + 1} {name:7s} wall {times[name][-1]['wall']:7.1f} s  cpu {times[name][-1]['cpu']:7.1f} s",
                  flush=True)
    med = {name: {k: statistics.median(t[k] for t in ts) for k in ("wall", "cpu")} for name, ts in times.items()}
    print(f"{'config':8s} {'wall s':>8s} {'/pair':>6s} {'cpu s':>8s} {'/pair':>6s}  best score")
    for name, m in med.items():
        print(f"{name:8s} {m['wall']:8.1f} {m['wall'] / med['pair']['wall']:6.2f} {m['cpu']:8.1f} "
              f"{m['cpu'] / med['pair']['cpu']:6.2f}  {times[name][0]['score']:.1f}")


if __name__ == "__main__":
    main()
