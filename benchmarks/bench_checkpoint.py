"""What a checkpoint costs as a run grows: a random search with the table evaluator (lookups, no scoring).

With a table as the evaluator an evaluation costs microseconds, so the run's time is its
bookkeeping: the per-cycle checkpoint and ``log.csv``. The script prints, for each source
tree, the wall time of the whole run and the median time of the last 100 cycles' checkpoint
(``save_checkpoint`` + ``write_log``). ``--compare DIR`` runs another evonas tree (e.g. a
``git worktree`` of an older commit) in the same invocation, one after the other::

    python benchmarks/bench_checkpoint.py --evaluations 10000
    git worktree add /tmp/before REV && python benchmarks/bench_checkpoint.py --compare /tmp/before
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

TABLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "nb201_cifar10.csv"

CHILD = r"""
import json, statistics, sys, time
from pathlib import Path
import evonas.facade as facade, evonas.results as results
from evonas.config import SearchConfig

spent = []
for module, name in ((facade, "save_checkpoint"), (results, "write_log")):
    inner = getattr(module, name)
    def timed(*a, _inner=inner, **k):
        t = time.perf_counter(); out = _inner(*a, **k); spent.append(time.perf_counter() - t); return out
    setattr(module, name, timed)
config = SearchConfig.from_dict(dict(space="nb201", strategy="random", evaluator="table", table=sys.argv[1],
                                     evaluations=int(sys.argv[2]), population=20, seed=0))
t = time.perf_counter()
facade.run_search(config, Path(sys.argv[3]), progress=False)
wall = time.perf_counter() - t
per_cycle = [a + b for a, b in zip(spent[0::2], spent[1::2])]
print(json.dumps({"wall_s": wall, "cycles": len(per_cycle), "last100_ms": 1e3 * statistics.median(per_cycle[-100:])}))
"""


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--evaluations", type=int, default=10_000)
    p.add_argument("--table", type=Path, default=TABLE)
    p.add_argument("--compare", type=Path, default=None, help="another evonas source tree to time in the same run")
    args = p.parse_args()
    trees = {"this tree": str(Path(__file__).resolve().parents[1]),
             **({str(args.compare): str(args.compare.resolve())} if args.compare else {})}
    print(f"random search, table evaluator, {args.evaluations} evaluations, population 20")
    print(f"{'tree':<30} {'wall s':>8} {'cycles':>7} {'checkpoint ms (median, last 100 cycles)':>40}")
    for name, path in trees.items():
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "PYTHONPATH": path, "OMP_NUM_THREADS": "1"}
            out = subprocess.run([sys.executable, "-c", CHILD, str(args.table.resolve()), str(args.evaluations),
                                  str(Path(tmp) / "run")], env=env, capture_output=True, text=True, check=True)
            r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{name:<30} {r['wall_s']:>8.1f} {r['cycles']:>7} {r['last100_ms']:>40.1f}")


if __name__ == "__main__":
    main()
