"""Fixed cost of the command line: ``evonas --help``, and a 4-architecture ``evonas correlate`` serial and with ``--workers 2``.

Each command runs ``--runs`` times in a fresh process, interleaved; prints the median wall
time. The difference of the two correlates is what ``--workers 2`` adds before any
architecture is scored (pool start-up). ``--compare DIR`` times the evonas source tree in
DIR (e.g. a ``git worktree`` of an older commit) alongside, interleaved, for a before/after
in one run::

    python benchmarks/bench_startup.py
    git worktree add /tmp/before REV && python benchmarks/bench_startup.py --compare /tmp/before
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TABLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "darts_cifar10_1000.csv"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--table", type=Path, default=TABLE)
    p.add_argument("--compare", type=Path, default=None, help="another evonas source tree to time alongside")
    args = p.parse_args()
    correlate = ["correlate", "--table", str(args.table.resolve()), "--space", "darts", "--limit", "4", "--repeats", "1",
                 "--no-progress"]
    commands = {"evonas --help": ["--help"], "correlate, serial": correlate, "correlate, --workers 2": [*correlate, "--workers", "2"]}
    trees = {"installed": None, **({f"{args.compare}": str(args.compare.resolve())} if args.compare else {})}
    times: dict[tuple[str, str], list[float]] = {(tree, name): [] for tree in trees for name in commands}
    for _ in range(args.runs):
        for tree, path in trees.items():
            env = {**os.environ, **({"PYTHONPATH": path} if path else {})}
            for name, argv in commands.items():
                with tempfile.TemporaryDirectory() as out:  # also the working directory: no source tree shadows
                    start = time.perf_counter()
                    subprocess.run([sys.executable, "-m", "evonas", *argv, *(["--out", out] if argv[0] == "correlate" else [])],
                                   check=True, capture_output=True, env=env, cwd=out)
                    times[tree, name].append(time.perf_counter() - start)
    for tree in trees:
        print(f"evonas from {tree}:")
        for name in commands:
            values = times[tree, name]
            print(f"  {name:24s} median {statistics.median(values):.2f} s  ({', '.join(f'{v:.2f}' for v in values)})")
        added = statistics.median(times[tree, "correlate, --workers 2"]) - statistics.median(times[tree, "correlate, serial"])
        print(f"  --workers 2 adds {added:.2f} s")


if __name__ == "__main__":
    main()
