"""Where a NAS-Bench-201 search with a size prior ends: which proxy orders the largest cells by accuracy?

Every size-regularised fitness puts the largest cells first (see ``bench_fitness_top.py``), so
what decides what a search returns is how a proxy orders the *top of the size order*. This
scores the ``--block`` largest cells of NB201 (ties in index order) and ``--random`` seeded
random ones with SWAP at ``--samples`` images (1 re-initialisation; the 16-image SWAP at 4
comes from ``benchmarks/data/nb201_swap.csv.gz``) and with each of ``--members`` (1
re-initialisation, the packaged 16 images), then prints, within the block: Spearman ρ with
validation accuracy, the validation accuracy of each proxy's top-1 / top-5 / top-10, and
the mean rank percentile of the cells with a ``skip_connect`` on the edge 0 → 3 (the residual
every one of NB201's best cells has) against the rest; and the same top-k for reg-swap (μ =
the largest cell, σ = μ²) in a rank ensemble with each member. No search reads a test column;
it is printed for the top-1 only.

Usage::

    nice -n 19 python benchmarks/bench_top_block.py                  # ~15 min on one core
    nice -n 19 python benchmarks/bench_top_block.py --members synflow --samples 32 --block 50
    nice -n 19 python benchmarks/bench_top_block.py --variants   # ways of counting SWAP itself, ~1 min

``--variants`` instead counts SWAP's patterns other ways from one forward pass per cell (1
re-initialisation, seed 0, 16 images): over the whole network (SWAP), summed per activation,
over the first or last third of the activations (forward order), with batch normalisation
in evaluation mode (at initialisation: no normalisation at all), and the share of distinct
values among all activation values.
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from scipy.stats import rankdata, spearmanr

import evonas
from evonas.data import load_images
from evonas.errors import EvonasError
from evonas.evaluators import ArchitectureScorer
from evonas.fitness.init import gaussian_init_
from evonas.fitness.swap import _count_distinct_columns, _pack
from evonas.fitness.taps import activation_signs

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1] / "shared" / "data"
SPACE = evonas.get_space("nb201")


def candidates(block: int, random: int) -> pd.DataFrame:
    """The ``block`` largest cells (ties by index) and ``random`` seeded others, with the 16-image SWAP at 4 re-inits."""
    table = pd.read_csv(SHARED / "nb201_cifar10.csv")
    swap = pd.read_csv(HERE / "data" / "nb201_swap.csv.gz", comment="#")[["index", "score", "params"]]
    table = table.merge(swap.rename(columns={"score": "swap16"}), on="index")
    top = table.sort_values(["params", "index"], ascending=[False, True]).head(block)
    others = table.sample(random, random_state=0)
    frame = pd.concat([top, others]).drop_duplicates("index").reset_index(drop=True)
    frame["in_block"] = frame.index < len(top)
    frame["skip03"] = frame["arch"].str.split("+").str[2].str.startswith("|skip_connect~0")
    return frame


def score(frame: pd.DataFrame, proxy: str, samples: int) -> tuple[np.ndarray, float]:
    """One re-initialisation of ``proxy`` on every row (NaN where it fails); median CPU seconds per architecture."""
    scorer = ArchitectureScorer(space="nb201", proxy=proxy, batch=load_images(None, samples=samples),
                                net_args=SPACE.scoring_net_args, repeats=1, seed=0)
    values, times = [], []
    for text in frame["arch"]:
        start = time.process_time()
        try:
            result = scorer(SPACE.from_native(text))
            values.append(result.score if result.error is None else np.nan)
        except EvonasError:
            values.append(np.nan)
        times.append(time.process_time() - start)
    return np.asarray(values, dtype=float), float(np.median(times))


def order(frame: pd.DataFrame, values: np.ndarray) -> np.ndarray:
    """Rows best first by ``values`` (NaN last, ties in index order)."""
    return np.lexsort((frame["index"].to_numpy(), -np.nan_to_num(values, nan=-np.inf)))


def top_k(frame: pd.DataFrame, values: np.ndarray, k: int) -> float:
    return float(frame["cifar10_valid_acc"].to_numpy()[order(frame, values)[:k]].mean())


def row(name: str, block: pd.DataFrame, values: np.ndarray, cost: str | None = None) -> str:
    """One table row; ``cost`` fills a last column (ms per architecture, or a dash) where the table has one."""
    ok = np.isfinite(values)
    rho = spearmanr(values[ok], block["cifar10_valid_acc"][ok])[0]
    pct = pd.Series(values).rank(pct=True).to_numpy()
    skip = block["skip03"].to_numpy()
    first = order(block, values)[0]
    return (f"| {name} | {rho:+.3f} | {top_k(block, values, 1):.2f} | {top_k(block, values, 5):.2f} | "
            f"{top_k(block, values, 10):.2f} | {block['cifar10_test_acc'].iloc[first]:.2f} | "
            f"{np.nanmean(pct[skip]):.2f} / {np.nanmean(pct[~skip]):.2f} |" + ("" if cost is None else f" {cost} |"))


def variants(frame: pd.DataFrame, samples: int = 16) -> dict[str, np.ndarray]:
    """SWAP's patterns counted several ways, from one forward pass per cell and BN mode (see ``--variants``)."""
    inputs = load_images(None, samples=samples).inputs
    found: dict[str, list[float]] = {}
    for text in frame["arch"]:
        net = SPACE.build(SPACE.from_native(text), **SPACE.scoring_net_args)
        for training in (True, False):
            gaussian_init_(net, generator=torch.Generator().manual_seed(0))
            words = activation_signs(net.train(training), inputs, _pack)
            count = {"swap, BN in training mode (the proxy)": _count_distinct_columns(torch.cat(words, 1), samples)}
            if not training:
                count = {"swap, BN in evaluation mode": count["swap, BN in training mode (the proxy)"]}
            else:
                third = len(words) // 3
                count.update({
                    "swap summed per activation": sum(_count_distinct_columns(w, samples) for w in words),
                    "swap of the first third": _count_distinct_columns(torch.cat(words[:third], 1), samples),
                    "swap of the last third": _count_distinct_columns(torch.cat(words[-third:], 1), samples),
                    "distinct share of all values": (_count_distinct_columns(torch.cat(words, 1), samples)
                                                     / sum(w.shape[1] for w in words)),
                })
            for name, value in count.items():
                found.setdefault(name, []).append(float(value))
    return {name: np.asarray(values) for name, values in found.items()}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--block", type=int, default=150, help="how many of the largest cells")
    p.add_argument("--random", type=int, default=60, help="seeded random cells scored beside them")
    p.add_argument("--samples", type=int, default=64, help="images for the second SWAP (the packaged batch has 64)")
    p.add_argument("--members", nargs="*", default=["zico", "synflow", "jacov", "grad_norm", "snip", "nwot"])
    p.add_argument("--variants", action="store_true", help="count SWAP's patterns other ways instead (block only)")
    args = p.parse_args()
    torch.set_num_threads(1)
    frame = candidates(args.block, args.random)
    if args.variants:
        block = frame[frame["in_block"]].reset_index(drop=True)
        print(f"# {platform.machine()}, {torch.__version__}; the {len(block)} largest NB201 cells, 1 re-initialisation")
        print("| count | ρ in block | top-1 | top-5 | top-10 | test of top-1 | rank pct, skip 0 → 3 / rest |")
        print("|---|---|---|---|---|---|---|")
        for name, values in variants(block).items():
            print(row(name, block, values))
        return
    mu = float(frame["params"].max())
    reg = lambda s: s * np.exp(-((frame["params"] - mu) ** 2) / mu**2)  # noqa: E731
    columns = {"params": (frame["params"].to_numpy(float), None), "swap (16 images, 4 re-inits)": (frame["swap16"].to_numpy(), None),
               "reg-swap (16 images)": (reg(frame["swap16"]).to_numpy(), None)}
    wide, sec = score(frame, "swap", args.samples)
    columns[f"swap ({args.samples} images)"] = (wide, sec)
    columns[f"reg-swap ({args.samples} images)"] = (reg(pd.Series(wide)).to_numpy(), sec)
    for member in args.members:
        columns[member] = score(frame, member, 16)
    block = frame[frame["in_block"]].reset_index(drop=True)
    n = len(block)
    print(f"# {platform.machine()}, {torch.__version__}; the {n} largest NB201 cells "
          f"({int(block['skip03'].sum())} with skip 0 -> 3; valid {block['cifar10_valid_acc'].mean():.2f} mean, "
          f"{block['cifar10_valid_acc'].max():.2f} best)")
    print("| proxy | ρ in block | top-1 | top-5 | top-10 | test of top-1 | rank pct, skip 0 → 3 / rest | ms/arch |")
    print("|---|---|---|---|---|---|---|---|")
    for name, (values, seconds) in columns.items():
        print(row(name, block, values[:n], "—" if seconds is None else f"{1000 * seconds:.0f}"))
    reg16 = columns["reg-swap (16 images)"][0][:n]
    for member in args.members:
        values = columns[member][0][:n]
        ok = np.isfinite(values)
        total = np.full(n, np.nan)
        total[ok] = np.log(rankdata(reg16[ok]) / ok.sum()) + np.log(rankdata(values[ok]) / ok.sum())
        print(row(f"reg-swap + {member} (log ranks in the block)", block, total, "—"))


if __name__ == "__main__":
    main()
