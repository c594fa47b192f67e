"""What a checkpoint costs as a run grows: a random search with the table evaluator (lookups, no scoring).

With a table as the evaluator an evaluation costs microseconds, so the run's time is its
bookkeeping: the per-cycle checkpoint and ``log.csv``. The script prints, for each source
tree, the wall time of the whole run and the median time of the last 100 cycles' checkpoint
(``save_checkpoint`` + ``write_log``). ``--compare DIR`` runs another evonas tree (e.g. a
``git worktree`` of an older commit) in the same invocation, one after the other::

    python benchmarks/bench_checkpoint.py --evaluations 10000
    git worktree add /tmp/before REV && python benchmarks/bench_checkpoint.py --compare /tmp/before

``--at N`` times the checkpoint of one cycle in a run that holds N evaluations and N log rows
already (a state built from the table's first N architectures, no search): the per-cycle
cost at that size, in seconds rather than the hour the whole run takes on a tree whose
checkpoint grows with the run.
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


AT = r"""
import inspect, json, statistics, sys, time
from pathlib import Path
import numpy as np, pandas as pd
from deap import tools
from evonas.cache import ScoreCache
from evonas.checkpoint import SearchState, save_checkpoint
from evonas.encodings import get_space
from evonas.evaluation import Evaluation
from evonas.results import write_log
from evonas.strategy.run import LOG_FIELDS

n, out = int(sys.argv[2]), Path(sys.argv[3])
out.mkdir()
space = get_space("nb201")
table = pd.read_csv(sys.argv[1]).head(n)
state = SearchState(0, [], ScoreCache(space.network_key), tools.Logbook(), tools.HallOfFame(10), np.random.default_rng(0))
appends = "start" in inspect.signature(write_log).parameters
times = []
for i, (arch, acc) in enumerate(zip(table["arch"], table["cifar10_valid_acc"])):
    state.cache.store(space.from_native(arch), Evaluation(float(acc), 1000))
    state.cache.misses += 1
    state.logbook.record(**{f: i if f == "cycle" else 0 for f in LOG_FIELDS})
    state.cycle = i
    if i < n - 21:
        continue
    t = time.perf_counter()
    save_checkpoint(out, state)
    write_log(out, state.logbook, start=len(state.logbook) - 1) if appends and i > n - 21 else write_log(out, state.logbook)
    if i > n - 21:  # the first save at this size writes everything once
        times.append(time.perf_counter() - t)
print(json.dumps({"ms": 1e3 * statistics.median(times), "checkpoint_bytes": (out / "checkpoint.json").stat().st_size}))
"""


def _child(code: str, tree: str, table: Path, n: int) -> dict:
    """Run ``code`` on the evonas of ``tree`` in a fresh process and return the JSON it prints last.

    The process starts in a temporary folder: started in a source tree, ``python -c`` would
    import that tree's evonas whatever PYTHONPATH says.
    """
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PYTHONPATH": tree, "OMP_NUM_THREADS": "1"}
        out = subprocess.run([sys.executable, "-c", code, str(table.resolve()), str(n), str(Path(tmp) / "run")],
                             env=env, cwd=tmp, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--evaluations", type=int, default=10_000)
    p.add_argument("--table", type=Path, default=TABLE)
    p.add_argument("--compare", type=Path, default=None, help="another evonas source tree to time in the same run")
    p.add_argument("--at", type=int, default=None, help="time one cycle's checkpoint in a run holding this many "
                                                        "evaluations (no search)")
    args = p.parse_args()
    trees = {"this tree": str(Path(__file__).resolve().parents[1]),
             **({str(args.compare): str(args.compare.resolve())} if args.compare else {})}
    if args.at is not None:
        print(f"one cycle's checkpoint (checkpoint.json + log.csv) in a run holding {args.at} evaluations; median of 20")
        print(f"{'tree':<30} {'ms':>8} {'checkpoint.json bytes':>22}")
        for name, path in trees.items():
            r = _child(AT, path, args.table, args.at)
            print(f"{name:<30} {r['ms']:>8.1f} {r['checkpoint_bytes']:>22,}")
        return
    print(f"random search, table evaluator, {args.evaluations} evaluations, population 20")
    print(f"{'tree':<30} {'wall s':>8} {'cycles':>7} {'checkpoint ms (median, last 100 cycles)':>40}")
    for name, path in trees.items():
        r = _child(CHILD, path, args.table, args.evaluations)
        print(f"{name:<30} {r['wall_s']:>8.1f} {r['cycles']:>7} {r['last100_ms']:>40.1f}")


if __name__ == "__main__":
    main()
