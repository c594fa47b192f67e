"""Sizes, parameter ranges and proxy costs of the nb101 and macro spaces.

Per space:

1. **Distinct architectures.** macro: every one of the 3^8 genomes enumerated, distinct
   canonical keys counted. nb101: too many labelled specs to enumerate one by one (2^21 x 3^5
   for 7 nodes), so by classes: every upper-triangular 0/1 matrix of 2..7 nodes with at most 9
   edges whose nodes all lie on an input-output path (a pruned cell) is put in its
   isomorphism class (least adjacency bits over all orders of the intermediate nodes); the
   labellings of a class's intermediate nodes with the 3 ops are counted up to the class's
   automorphisms by Burnside's lemma (orbits = mean over automorphisms of 3^cycles). For 2..5
   nodes the same count is also made by brute force with ``NB101Space.canonical_key`` over
   every labelled spec, to check the method.
2. **Parameter range of the benchmark's network** (default ``build`` arguments). macro: every
   genome counted (``count_params``: additive, exact). nb101: every pruned matrix counted
   (``count_params``: the network's channel arithmetic, summed) with all intermediate nodes
   conv3x3 (a node's op adds the most parameters as conv3x3: the maximum) and all
   maxpool3x3 (none: the minimum); both extremes are then built and counted again.
3. **ms/arch per proxy** on the space's scoring network (``scoring_net_args``): median over
   ``--n`` sampled architectures of one seeded re-initialisation and score, 16 CIFAR-10
   images, one torch thread.

    nice -n 10 python benchmarks/bench_spaces.py --n 5
"""

from __future__ import annotations

import argparse
import itertools
import math
import platform
import statistics
import time
from collections import Counter

import numpy as np
import torch

from evonas import get_space
from evonas.data import load_images
from evonas.fitness import get_proxy, list_proxies, score
from evonas.networks import count_params_meta

OPTIONS = {"reg-swap": {"mu": 1.0, "sigma": 1.0}}  # a fixed centre and width: only the cost is measured here


# ---- nb101: classes of pruned cells ---------------------------------------------------------
def pruned_matrices(n: int, max_edges: int = 9) -> np.ndarray:
    """Every n-node upper-triangular 0/1 matrix with <= max_edges edges whose nodes all lie on an input-output path."""
    iu = np.triu_indices(n, 1)
    k = len(iu[0])
    out = []
    for edges in range(n - 1 if n > 2 else 1, min(max_edges, k) + 1):
        for chosen in itertools.combinations(range(k), edges):
            m = np.zeros((n, n), dtype=np.uint8)
            m[iu[0][list(chosen)], iu[1][list(chosen)]] = 1
            out.append(m)
    ms = np.array(out)
    if n == 2:
        return ms
    # every intermediate node needs an in-edge and an out-edge; in a DAG that means it is live
    inner = slice(1, n - 1)
    keep = (ms[:, :, inner].sum(axis=1) > 0).all(axis=1) & (ms[:, inner, :].sum(axis=2) > 0).all(axis=1)
    return ms[keep]


def nb101_classes(n: int) -> tuple[int, int, list[np.ndarray]]:
    """(pruned matrices, labelled classes by Burnside, one matrix per unlabelled class) for n nodes."""
    ms = pruned_matrices(n)
    if n == 2:
        return len(ms), 1, list(ms)
    perms = np.array([[0, *p, n - 1] for p in itertools.permutations(range(1, n - 1))])
    weights = (1 << np.arange(n * n, dtype=np.int64)).reshape(n, n)
    codes = np.empty((len(ms), len(perms)), dtype=np.int64)
    for start in range(0, len(ms), 1024):
        chunk = ms[start : start + 1024].astype(np.int64)
        permuted = chunk[:, perms[:, :, None], perms[:, None, :]]  # (B, P, n, n)
        codes[start : start + 1024] = (permuted * weights).sum(axis=(2, 3))
    canonical = codes.min(axis=1)
    _, first = np.unique(canonical, return_index=True)
    cycles = [sum(1 for _ in _cycles(p[1:-1])) for p in perms]
    labelled = 0
    for idx in first:
        automorphisms = np.flatnonzero(codes[idx] == codes[idx, 0])  # perms[0] is the identity
        labelled += sum(3 ** cycles[a] for a in automorphisms) // len(automorphisms)
    return len(ms), labelled, [ms[i] for i in first]


def _cycles(perm: np.ndarray):
    """The cycles of a permutation of its own values (node numbers), one yield per cycle."""
    mapping = {int(a): int(b) for a, b in zip(sorted(perm), perm)}
    seen = set()
    for start in mapping:
        if start not in seen:
            node = start
            while node not in seen:
                seen.add(node)
                node = mapping[node]
            yield start


def brute_force_count(n: int) -> int:
    """Distinct ``canonical_key``s over every labelled n-node spec with <= 9 edges (small n only)."""
    import json

    space = get_space("nb101")
    ops = list(space.rules.node_ops.values())
    keys = set()
    for m in pruned_matrices(n):
        for labels in itertools.product(ops, repeat=n - 2):
            text = json.dumps({"matrix": m.astype(int).tolist(), "ops": ["input", *labels, "output"]})
            keys.add(space.canonical_key(space.from_native(text)))
    return len(keys)


def nb101_report() -> None:
    import json

    space = get_space("nb101")
    t0 = time.perf_counter()
    total, per_n, lo, hi = 0, {}, (math.inf, None), (-1, None)
    for n in range(2, 8):
        matrices, labelled, reps = nb101_classes(n)
        per_n[n] = (matrices, len(reps), labelled)
        total += labelled
        for m in pruned_matrices(n):
            for op in ("maxpool3x3", "conv3x3-bn-relu"):
                text = json.dumps({"matrix": m.astype(int).tolist(), "ops": ["input", *[op] * (n - 2), "output"]})
                count = space.count_params(text)
                lo, hi = min(lo, (count, text), key=lambda t: t[0]), max(hi, (count, text), key=lambda t: t[0])
    seconds = time.perf_counter() - t0
    print("nb101 distinct architectures (isomorphism classes of pruned labelled cells), by nodes:")
    for n, (matrices, unlabelled, labelled) in per_n.items():
        print(f"  {n} nodes: {matrices:>7,} pruned matrices, {unlabelled:>6,} unlabelled classes, {labelled:>7,} labelled")
    print(f"  total: {total:,}   ({seconds:.0f} s, Burnside over classes)")
    for n in range(2, 6):
        bf = brute_force_count(n)
        print(f"  check, {n} nodes by brute force over every labelled spec: {bf:,} (Burnside {per_n[n][2]:,})")
    for label, (count, text) in (("min", lo), ("max", hi)):
        built = count_params_meta(lambda: space.build(text))
        print(f"  params {label}: {count:,} (the built network: {built:,})  {text}")


# ---- macro ---------------------------------------------------------------------------------
def macro_report() -> None:
    space = get_space("macro")
    t0 = time.perf_counter()
    genomes = list(space.enumerate())
    keys = {space.canonical_key(g) for g in genomes}
    params = [(space.count_params(g), space.to_native(g)) for g in genomes]
    seconds = time.perf_counter() - t0
    print(f"macro: {len(genomes):,} genomes, {len(keys):,} distinct networks (canonical keys), {seconds:.1f} s")
    print(f"  params min {min(params)[0]:,} ({min(params)[1]}), max {max(params)[0]:,} ({max(params)[1]}), "
          f"median {int(statistics.median(p for p, _ in params)):,}; every genome counted")


# ---- proxy costs ---------------------------------------------------------------------------
def proxy_costs(names: list[str], n: int) -> None:
    torch.set_num_threads(1)
    batch = load_images(None, samples=16)
    proxies = [p for p in list_proxies() if p != "ensemble"]  # its members' sum: see bench_ensemble.py
    table = {}
    for name in names:
        space = get_space(name)
        rng = np.random.default_rng(0)
        genomes = [space.sample(rng) for _ in range(n)]
        for proxy_name in proxies:
            proxy = get_proxy(proxy_name, **OPTIONS.get(proxy_name, {}))
            times = []
            for k, g in enumerate(genomes):
                t = time.perf_counter()
                score(proxy, space.build(g, **space.scoring_net_args), batch, repeats=1, seed=k)
                times.append(1e3 * (time.perf_counter() - t))
            table[(name, proxy_name)] = statistics.median(times)
    print(f"\nms/arch (median of {n} archs; build + 1 re-initialisation + score; 16 CIFAR-10 images; 1 torch thread)")
    print(f"{'proxy':<20}" + "".join(f"{name + ' ' + str(get_space(name).scoring_net_args or 'default'):>34}" for name in names))
    for proxy_name in proxies:
        print(f"{proxy_name:<20}" + "".join(f"{table[(name, proxy_name)]:>34.0f}" for name in names))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=5, help="architectures per proxy timing (default 5)")
    p.add_argument("--skip", choices=["count", "proxies"], action="append", default=[])
    args = p.parse_args()
    print(f"machine: {platform.machine()}, {torch.get_num_threads()} torch threads available, torch {torch.__version__}")
    if "count" not in args.skip:
        macro_report()
        nb101_report()
    if "proxies" not in args.skip:
        proxy_costs(["nb101", "macro"], args.n)


if __name__ == "__main__":
    main()
