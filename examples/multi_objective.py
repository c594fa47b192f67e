"""Multi-objective SWAP-NAS on NAS-Bench-201: SWAP up, parameters down, with NSGA-II on pymoo.

Scores a small scoring network (C=8, N=1) with the plain SWAP proxy, then compares the
found front with the true (accuracy, parameters) front of all 15,625 architectures when the
ground-truth table is around. A few minutes on 2 CPU cores; ``--workers 2`` scores in
parallel, ``--resume`` continues a killed run exactly:

    python examples/multi_objective.py --out runs/moo-nb201
    python examples/multi_objective.py --out runs/moo-nb201 --resume
"""

import argparse
import multiprocessing
from pathlib import Path

import torch

from evonas.data import load_images
from evonas.evaluators import ArchitectureScorer
from evonas.moo import MooConfig, run_moo

TABLE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "nb201_cifar10.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("runs/moo-nb201"))
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--workers", type=int, default=1, help="processes scoring architectures in parallel")
    args = parser.parse_args()

    config = MooConfig(
        space="nb201", objectives=["swap", "params"], algorithm="nsga2", population=12, cycles=5,
        samples=16, repeats=2, net={"C": 8, "N": 1}, seed=0,
        ground_truth=str(TABLE) if TABLE.is_file() else None,
    )
    # the scorer run_moo would build from this config, spelled out: swap it for any genome -> (score, params)
    scorer = ArchitectureScorer(space="nb201", proxy="swap", batch=load_images(None, samples=16),
                                net_args={"C": 8, "N": 1}, repeats=2, seed=config.seed)
    if args.workers > 1:
        with multiprocessing.get_context("spawn").Pool(args.workers, initializer=torch.set_num_threads, initargs=(1,)) as pool:
            result = run_moo(config, args.out, resume=args.resume, scorer=scorer, map_fn=pool.map)
    else:
        result = run_moo(config, args.out, resume=args.resume, scorer=scorer)

    print(result.front[["native", "score", "params"]].to_string(index=False))
    print(f"{result.evaluations} architectures scored; hypervolume per generation:",
          " ".join(f"{row['hypervolume']:.3f}" for row in result.hypervolume))
    if result.truth:
        accs = ", ".join(f"{m['true_acc']:.1f}" for m in result.truth["members"])
        print(f"true CIFAR-10 accuracy of the front: {accs}")
        print(f"{result.truth['on_true_front']} of {len(result.front)} on the true front; hypervolume "
              f"{result.truth['hypervolume']:.3f} of the true front's {result.truth['true_hypervolume']:.3f} "
              f"({100 * result.truth['hypervolume_ratio']:.1f} %)")
    print(f"results in {result.run_dir}")


if __name__ == "__main__":
    main()
