"""Whether the default ``--workers`` should use a second core: scoring time of the README job's evaluator, 1 vs 2 workers.

The README's main job (``evonas search --space nb201 --evaluations 100``) runs the default
evaluator on one worker. This scores one fixed set of ``--archs`` NB201 architectures (40)
through :func:`evonas.parallel.make_map` with 1 and 2 workers, interleaved ``--repeats``
times (3; the order alternates), timed after the workers are warm (pool start-up not timed),
and prints each time and the medians. Run it on an otherwise idle machine: a loaded one
measures the other load.

    python benchmarks/bench_default_workers.py --archs 40 --repeats 3
"""

from __future__ import annotations

import argparse
import statistics
import time
from functools import partial

import numpy as np

from evonas.config import SearchConfig
from evonas.evaluation import evaluate_safely
from evonas.facade import check_single
from evonas.parallel import make_map
from evonas.preamble import prepare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archs", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    config = SearchConfig.from_dict({"space": "nb201", "evaluations": 100}, where="bench_default_workers")
    prepared = prepare(SearchConfig, config, None, check=check_single)
    scorer, rng = prepared.evaluator.evaluate, np.random.default_rng(123)
    genomes = [prepared.space.sample(rng) for _ in range(args.archs)]
    times: dict[int, list[float]] = {1: [], 2: []}
    for repeat in range(args.repeats):
        for workers in (1, 2) if repeat % 2 == 0 else (2, 1):
            with make_map(workers, None, scorer) as map_fn:
                list(map_fn(partial(evaluate_safely, scorer), genomes[:workers]))  # every worker warm
                start = time.perf_counter()
                list(map_fn(partial(evaluate_safely, scorer), genomes))
                times[workers].append(time.perf_counter() - start)
            print(f"repeat {repeat} workers {workers}: {times[workers][-1]:.2f} s", flush=True)
    print({f"median workers={w}": round(statistics.median(t), 2) for w, t in times.items()})


if __name__ == "__main__":
    main()
