"""Scale-out of the pipelined steady state: utilisation and speed-up on 1-64 workers whose evaluations take a known time.

The evaluator sleeps ``--seconds`` (0.2 s) and returns a deterministic score of the genome
(drawn from its key's hash), so 64 workers fit on 2 cores, cycles keep finding new
architectures and the run reaches its budget. Each run is SWAP-NAS (population 20,
5 mutants, crossover 0.5) on the DARTS space until ``max(--min-evals, --per-worker x
workers)`` (100, 40) distinct architectures are evaluated, timed from after the pool is warm (every
worker started). One JSON line per run:

- ``utilisation``: busy worker-time / (workers x wall), busy = evaluations finished by the
  end x seconds (``finished``: a duplicate that two cycles in flight both evaluated counts,
  it kept a worker busy; one still running when the search stopped does not);
- ``useful``: the same with only the distinct evaluations the search counted;
- ``speedup``: ideal serial time (distinct evaluations x seconds) / wall.

Windows: 1 (the synchronous search) and the default (``auto_window``). With ``--ray`` the
same on Ray actors of a local instance (``ray.init(num_cpus=N)``), and ``--overhead``
measures a Ray task's overhead (no-op items, one per task vs batched).

    python benchmarks/bench_scaling.py                       # local processes: 1, 2, 8, 16, 32, 64
    python benchmarks/bench_scaling.py --ray --workers 2,8,16 --overhead
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np


@dataclass(frozen=True)
class SleepScore:
    """Sleeps ``seconds``, returns a deterministic score of the genome: a value drawn from its key's hash.

    A smooth score (a fixed linear function of the op codes) made the population converge on
    its optimum after ~1,000 evaluations, whose neighbours were then all scored: cycles found
    nothing new. Drawn per architecture, better ones keep turning up and the run reaches its budget.
    """

    seconds: float

    def __call__(self, genome: Any) -> float:
        time.sleep(self.seconds)
        digest = hashlib.blake2b(genome.key.encode(), digest_size=8).digest()
        return int.from_bytes(digest, "little") / 2**64


class Counting:
    """A map that keeps what it ran, so the evaluations finished by a moment (the busy worker-time) can be counted."""

    def __init__(self, map_fn: Callable) -> None:
        self.map_fn, self.mapped, self.tasks = map_fn, 0, []

    def __call__(self, fn: Callable, items: Sequence) -> Any:
        items = list(items)
        self.mapped += len(items)
        return self.map_fn(fn, items)

    def submit(self, fn: Callable, items: Sequence) -> list:
        from evonas.parallel import submit

        tasks = submit(self.map_fn, fn, items)
        self.tasks += tasks
        return tasks

    def finished(self) -> int:
        """Evaluations finished so far: those mapped, and those submitted that are done (not those cut off at the end)."""
        def done(task: Any) -> bool:
            if hasattr(task, "future"):  # a local process
                return task.future.done() and not task.future.cancelled()
            if hasattr(task, "ref"):  # Ray
                import ray

                return task.ref is not None and bool(ray.wait([task.ref], timeout=0)[0])
            return True  # run at once (serial)

        return self.mapped + sum(map(done, self.tasks))


def one_run(workers: int, window: int, evaluations: int, seconds: float, ray: bool) -> dict:
    """One timed search on a warm pool."""
    from evonas.encodings import get_space
    from evonas.operators import fitness_class
    from evonas.parallel import ProcessMap, RayMap
    from evonas.strategy import STRATEGIES, SearchRun, StopRule, make_toolbox

    space, rng, scorer = get_space("darts"), np.random.default_rng(0), SleepScore(seconds)
    strategy = STRATEGIES.get("swap-nas")
    toolbox = make_toolbox(space, scorer, rng, fitness_class(1), remove=strategy.remove)
    pool = RayMap("local", workers, scorer) if ray else ProcessMap(workers, scorer) if workers > 1 else None
    try:
        if isinstance(pool, RayMap):
            list(pool(abs, range(4 * workers)))  # every actor started and holding the scorer
        elif pool is not None:
            pool.warm()
        counting = Counting(pool if pool is not None else map)
        toolbox.register("map", counting)
        run = SearchRun(toolbox, StopRule(None, evaluations, stall=10**6))  # the budget ends it, never a stall
        start = time.perf_counter()
        strategy.search(toolbox.population(n=20), toolbox, run, mutations=5, crossover=0.5, window=window, rng=rng)
        wall = time.perf_counter() - start
        finished = counting.finished()
    finally:
        if pool is not None:
            pool.close()
    return {"backend": "ray" if ray else "local", "workers": workers, "window": window, "evaluations": run.spent,
            "finished": finished, "cycles": run.cycle, "wall_s": round(wall, 2),
            "utilisation": round(finished * seconds / (workers * wall), 3),
            "useful": round(run.spent * seconds / (workers * wall), 3),
            "speedup": round(run.spent * seconds / wall, 2), "ideal_speedup": workers}


def ray_overhead(tasks: int, actors: int) -> list[dict]:
    """Seconds per no-op item submitted to a :class:`~evonas.parallel.RayMap`: one per Ray task, and batched."""
    from evonas.parallel import RayMap

    rows = []
    pool = RayMap("local", actors, abs)
    try:
        list(pool(abs, range(4 * actors)))
        for batched in (False, True):
            pool.TASK_SECONDS = RayMap.TASK_SECONDS if batched else 0.0
            pool.batch = 1
            list(f.result() for f in pool.submit(abs, range(200)))  # the batch size settles
            start = time.perf_counter()
            futures = pool.submit(abs, range(tasks))
            _ = [f.result() for f in futures]
            per = (time.perf_counter() - start) / tasks
            rows.append({"ray_overhead": "batched" if batched else "one per task", "actors": actors,
                         "items": tasks, "batch": pool.batch, "ms_per_item": round(per * 1e3, 4)})
    finally:
        pool.close()
    return rows


def main() -> None:
    from evonas.strategy.pipeline import auto_window

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", default="1,2,8,16,32,64", help="comma-separated worker counts")
    parser.add_argument("--seconds", type=float, default=0.2, help="the evaluator's cost")
    parser.add_argument("--per-worker", type=int, default=40, help="evaluations per worker")
    parser.add_argument("--min-evals", type=int, default=100, help="at least this many evaluations")
    parser.add_argument("--windows", default="1,auto", help="windows to run (numbers or auto)")
    parser.add_argument("--ray", action="store_true", help="Ray actors of a local instance instead of processes")
    parser.add_argument("--overhead", action="store_true", help="with --ray: measure a Ray task's overhead too")
    args = parser.parse_args()

    if args.ray:
        import ray

        ray.init(num_cpus=max(int(w) for w in args.workers.split(",")), include_dashboard=False,
                 log_to_driver=False)
    print(json.dumps({"cpus": os.cpu_count(), "load": os.getloadavg()[0], "seconds": args.seconds}))
    brood = 5 + 0.5
    for workers in (int(w) for w in args.workers.split(",")):
        evaluations = max(args.min_evals, args.per_worker * workers)
        windows = {auto_window(workers, brood) if w == "auto" else int(w) for w in args.windows.split(",")}
        for window in sorted(windows):
            row = one_run(workers, window, evaluations, args.seconds, args.ray)
            row["default"] = window == auto_window(workers, brood)
            print(json.dumps(row), flush=True)
    if args.ray and args.overhead:
        for row in ray_overhead(2000, 2):
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    import bench_scaling  # so the evaluator pickles as bench_scaling.SleepScore, importable in workers

    bench_scaling.main()
