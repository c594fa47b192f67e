"""Fitness judged at the top: what a fitness puts first on NAS-Bench-201, and what a search with it returns.

A search only ever sees the top of its fitness, so Spearman ρ over a whole table is the wrong
yardstick for choosing one. For each candidate fitness and each params budget (0.2, 0.3, 0.5,
0.8 M and none) this prints

* **top-k**: the mean *validation* accuracy (``cifar10_valid_acc``; choose on this only) of
  the fitness's top-1, top-5 and top-20 among the architectures within the budget -- of the
  whole table (every candidate that reads SWAP and the parameter count only) and of a seeded
  sample (every candidate, also those with other proxies as members) -- next to ``params``
  alone and random choice (the mean of the sample within the budget), with ρ for reference;
* **search**: what SWAP-NAS returns with that fitness through the library's own search
  (``evonas.search`` with ``budget={"params": B}``, P = 10, 5 mutations, 10 seeds, 100
  evaluations): mean ± std *test* accuracy (reported, never read), and per seed wins/ties/losses
  against random search with the same fitness and against SWAP-NAS on ``params`` alone, all at
  equal evaluations.

Every proxy is scored once and combined offline: SWAP of all 15,625 architectures comes from
``benchmarks/data/nb201_swap.csv.gz`` (the search's defaults: C = 16, N = 5, 16 packaged images,
4 re-initialisations, seed 0), and so does every proxy of :data:`TABLE_MEMBERS` that
``score_nb201.py --proxy NAME`` has scored (``nb201_synflow.csv.gz``: 1 re-initialisation), each
tried in rank ensembles with SWAP at a grid of weights; other proxies of the seeded sample (``--sample`` rows of the
shared table, seed 0) are scored here with ``--score`` at 1 re-initialisation and kept in
``--out`` with their time per architecture, so every later run reads them back in seconds.
Rank ensembles rank each member among its values on the first 64 architectures of the seeded
sample (as :func:`evonas.fitness.reference_options` ranks among 64 seeded draws) and add the
log ranks (AZ-NAS), with a weight per member where named ``w``. No candidate reads an accuracy.

``--others`` prints the same candidates' Spearman ρ and top-k on the DARTS (NB301, 300 archs,
cells differ) and NB101 (200 archs) tables of ``../shared/data``, against the benchmark
network's parameter count and the scoring network's (scored with ``--score nb301`` /
``--score nb101``, SWAP at 2 re-initialisations as in ``bench_scoring_nets.py``).

Usage::

    nice -n 19 python benchmarks/score_nb201.py --proxy synflow --repeats 1 --workers 2   # the whole table, ~25 min
    nice -n 19 python benchmarks/bench_fitness_top.py --score nb201 --members zico nwot jacov synflow snip grad_norm
    nice -n 19 python benchmarks/bench_fitness_top.py --score nb301 --members swap --repeats 2
    nice -n 19 python benchmarks/bench_fitness_top.py --score nb101 --members swap --repeats 2
    nice -n 19 python benchmarks/bench_fitness_top.py --score nb301 --members synflow --repeats 2   # and nb101
    python benchmarks/bench_fitness_top.py                 # the tables (top-k, search, other spaces)
    python benchmarks/bench_fitness_top.py --cost reg-swap swap+synflow   # CPU per architecture, one run
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from scipy.stats import spearmanr

import evonas
from evonas.correlation import select_rows
from evonas.costs import Budget, make_cost
from evonas.errors import ProxyError
from evonas.evaluators import EVALUATORS, Evaluator
from evonas.fitness import calibrate
from evonas.fitness.ensemble import REFERENCE_SIZE, Ranks
from evonas.fitness.regularise import width

from bench_ensemble import TABLES, MemberScores  # noqa: E402  (the script's own folder)

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1] / "shared" / "data"
SCORES = HERE / "data" / "nb201_swap.csv.gz"
#: proxies scored on the whole NB201 table too (``score_nb201.py --proxy NAME`` writes ``data/nb201_NAME.csv.gz``)
TABLE_MEMBERS = ("synflow",)
SPACE = evonas.get_space("nb201")
BUDGETS = (200_000, 300_000, 500_000, 800_000, None)
TOPS = (1, 5, 20)


@dataclass
class Context:
    """What a fitness may know before a search: the budget and sizes/scores of sampled architectures, no accuracy."""

    budget_k: float | None  # params budget, thousands of parameters of the scoring network (= the CIFAR-10 network)
    mu_space: float  # the paper's calibration: the largest size of the whole space (K)
    mu_top: float  # reg-swap's calibration (evonas.calibrate, within the budget): the largest size found
    sizes: np.ndarray  # sizes (K) of 1000 seeded draws within the budget
    reference: pd.DataFrame  # members' values on the reference sample (ranks are taken among them)


Fitness = Callable[[pd.DataFrame, Context], np.ndarray]


def gaussian(mu: Callable[[Context], float], sigma: Callable[[Context], float] | None = None) -> Fitness:
    """reg-swap with μ (and σ, by default μ²) from a rule: Ψ · exp(-(Θ - μ)² / σ)."""
    def fitness(f: pd.DataFrame, c: Context) -> np.ndarray:
        m = mu(c)
        s = width(m) if sigma is None else sigma(c)
        return f["swap"].to_numpy() * np.exp(-((f["theta"].to_numpy() - m) ** 2) / s)
    return fitness


def log_ranks(ranks: Ranks, values: np.ndarray) -> np.ndarray:
    """:meth:`Ranks.log_rank` of many values at once (NaN stays NaN)."""
    v = np.asarray(values, dtype=float)
    lo, hi = ranks.points[0], ranks.points[-1]
    with np.errstate(invalid="ignore", divide="ignore"):
        inside = np.log(np.interp(v, ranks.points, ranks.mid))
        below = np.log(ranks.mid[0]) + (v - lo) / ranks.scale
        above = np.log1p(-(1 - ranks.mid[-1]) * np.exp(-(v - hi) / ranks.scale))
    return np.where(v < lo, below, np.where(v > hi, above, inside))


def ensemble(**weights: float) -> Fitness:
    """Weighted sum of the members' log ranks among the reference (AZ-NAS's combination); ``theta`` is the size."""
    def fitness(f: pd.DataFrame, c: Context) -> np.ndarray:
        total = np.zeros(len(f))
        for member, w in weights.items():
            value = reg_top if member == "reg-swap" else (lambda g, _, m=member: g[m].to_numpy())
            ref = value(c.reference, c)
            total = total + w * log_ranks(Ranks(ref[np.isfinite(ref)]), value(f, c))
        return total
    return fitness


reg_top = gaussian(lambda c: c.mu_top)


def candidates(extras: list[str], members: list[str] | tuple[str, ...] = ()) -> dict[str, Fitness]:
    """Every fitness compared: name -> ``(frame of swap, theta, params, extras; context) -> values``.

    ``members`` are proxies known on the whole table: each gets a grid of weights in rank
    ensembles with SWAP (and the parameter count), to be chosen on validation accuracy.
    """
    out: dict[str, Fitness] = {
        "params": lambda f, c: f["theta"].to_numpy(),
        "swap": lambda f, c: f["swap"].to_numpy(),
        "reg-swap (paper: mu at the largest network, space)": gaussian(lambda c: c.mu_space),
        "reg-swap (mu at the largest within the budget: current)": reg_top,
        "reg-swap mu=budget": gaussian(lambda c: c.budget_k or c.mu_space),
        "reg-swap mu=q90 of sampled sizes": gaussian(lambda c: float(np.percentile(c.sizes, 90))),
        "reg-swap mu=q75": gaussian(lambda c: float(np.percentile(c.sizes, 75))),
        "reg-swap mu=mean, sigma=2 var": gaussian(lambda c: float(c.sizes.mean()), lambda c: 2 * float(c.sizes.var())),
        "reg-swap mu=top, sigma=mu^2/4": gaussian(lambda c: c.mu_top, lambda c: c.mu_top**2 / 4),
        "reg-swap mu=top, sigma=4 mu^2": gaussian(lambda c: c.mu_top, lambda c: 4 * c.mu_top**2),
        "log swap + 0.5 log params": lambda f, c: np.log(f["swap"].to_numpy()) + 0.5 * np.log(f["theta"].to_numpy()),
        # diagnostics, not candidates: the size first, ties (NB201 has 28 sizes) broken by SWAP or against it
        "(diagnostic) params, ties by swap": lambda f, c: f["theta"].to_numpy() + 1e-9 * f["swap"].to_numpy(),
        "(diagnostic) params, ties by -swap": lambda f, c: f["theta"].to_numpy() - 1e-9 * f["swap"].to_numpy(),
    }
    for w in (0.25, 0.5, 1.0, 2.0):
        out[f"swap+params (w params {w:g})"] = ensemble(swap=1.0, theta=w)
    for x in members:
        out[f"{x} (alone)"] = lambda f, c, x=x: f[x].to_numpy()
        for w in (0.25, 0.5, 1.0, 2.0, 4.0):
            out[f"swap+{x} (w {x} {w:g})"] = ensemble(swap=1.0, **{x: w})
        for w in (0.5, 1.0, 2.0):
            for wp in (0.5, 1.0):
                out[f"swap+{x}+params (w {x} {w:g}, params {wp:g})"] = ensemble(swap=1.0, theta=wp, **{x: w})
        for w in (0.5, 1.0, 2.0):
            out[f"reg-swap+{x} (w {x} {w:g})"] = ensemble(**{"reg-swap": 1.0, x: w})
    for x in extras:
        out[f"swap+{x}"] = ensemble(swap=1.0, **{x: 1.0})
        out[f"swap+{x}+params"] = ensemble(swap=1.0, theta=1.0, **{x: 1.0})
        out[f"reg-swap+{x}"] = ensemble(**{"reg-swap": 1.0, x: 1.0})
        out[f"{x} (alone)"] = lambda f, c, x=x: f[x].to_numpy()
    return out


def context(budget: int | None, frame_ref: pd.DataFrame) -> Context:
    """The context a fitness is calibrated with under ``budget`` (sizes of seeded draws; ranks of the reference)."""
    net = SPACE.scoring_net_args
    within = None
    if budget is not None:
        within = Budget((make_cost("params", SPACE),), {"params": budget}).cheaply_within
    mu_top, _ = calibrate(SPACE, net_args=net, seed=0, within=within)
    rng = np.random.default_rng(0)
    sizes = []
    while len(sizes) < 1000:
        g = SPACE.sample(rng)
        if within is None or within(g):
            sizes.append(SPACE.count_params(g, **net) / 1e3)
    mu_space, _ = calibrate(SPACE, net_args=net, seed=0)
    return Context(None if budget is None else budget / 1e3, mu_space, mu_top, np.array(sizes), frame_ref)


def skip_edge(sample: pd.DataFrame, members: list[str]) -> str:
    """Which proxies see what the best NB201 cells share, a skip connection on the edge 0 -> 3.

    For accuracy and each proxy: the mean residual of its rank (in [0, 1]) after a straight-line
    fit on the rank of the parameter count, for cells with that skip and without it.
    """
    skip = (sample["arch"].str.split("+").str[2].str.startswith("|skip_connect~0|")).to_numpy()
    size = sample["theta"].rank(pct=True).to_numpy()
    lines = [f"the skip 0 -> 3 ({skip.sum()} of {len(sample)} sample archs): mean rank residual after size, with / without"]
    for m in ["cifar10_valid_acc", *members]:
        r = sample[m].rank(pct=True).to_numpy()
        ok = np.isfinite(r)
        res = r - np.polyval(np.polyfit(size[ok], r[ok], 1), size)
        lines.append(f"  {m:<18} {np.nanmean(res[skip]):+.3f} / {np.nanmean(res[~skip]):+.3f}")
    return "\n".join(lines)


def top_k(values: np.ndarray, acc: np.ndarray, k: int) -> float:
    """Mean accuracy of the ``k`` best by ``values`` (NaN values last; ties in table order)."""
    v = np.where(np.isfinite(values), values, -np.inf)
    return float(acc[np.argsort(-v, kind="stable")[:k]].mean())


def load_nb201(out: Path, extras: list[str]) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """(every architecture with swap, theta, the :data:`TABLE_MEMBERS` scored, accuracies; the seeded sample with
    the extra members it has; the table members found)."""
    scores = pd.read_csv(SCORES, comment="#")
    table = pd.read_csv(SHARED / "nb201_cifar10.csv")
    full = scores.merge(table, on=["index", "arch"])
    full = full[np.isfinite(full["score"])].rename(columns={"score": "swap"}).reset_index(drop=True)
    full["theta"] = full["params"] / 1e3
    members = [m for m in TABLE_MEMBERS if (HERE / "data" / f"nb201_{m}.csv.gz").exists()]
    for m in members:
        other = pd.read_csv(HERE / "data" / f"nb201_{m}.csv.gz", comment="#", usecols=["index", "score"])
        full = full.merge(other.rename(columns={"score": m}), on="index", how="left")
    sample = select_rows(table[["arch"]], 1000, 0)
    kept = out / "nb201_r1.csv"
    if extras and kept.exists():
        long = pd.read_csv(kept)
        wide = long.pivot_table(index="arch", columns="member", values="value", aggfunc="first")
        have = [m for m in extras if m in wide.columns and m not in members]
        sample = sample.merge(wide[have].dropna(how="all").reset_index(), on="arch")
    sample = sample.merge(full, on="arch")
    return full, sample.reset_index(drop=True), members


def measure_top(name: str, fit: Fitness, frame: pd.DataFrame, ctx: Context, limit: float | None) -> dict:
    within = frame if limit is None else frame[frame["params"] <= limit]
    values = fit(within, ctx)
    ok = np.isfinite(values)
    acc = within["cifar10_valid_acc"].to_numpy()
    row = {"fitness": name, "rho": float(spearmanr(values[ok], acc[ok])[0])}
    for k in TOPS:
        row[f"top{k}"] = top_k(values, acc, k)
    return row


SEARCH: dict[str, object] = {}


@EVALUATORS.register("fitness-lookup")
def _lookup(config, space, run_dir, progress):  # type: ignore[no-untyped-def]
    """The current candidate fitness, read from the file of scores."""
    return Evaluator(SEARCH["evaluate"], +1, "fitness (lookup)")


def search_archs(values: dict[str, float], params: dict[str, int], strategy: str, budget: int | None,
                 seeds: int, evaluations: int) -> list[str]:
    """What ``strategy`` returns, per seed, with the fitness ``values`` (arch -> value)."""
    def evaluate(genome):  # type: ignore[no-untyped-def]
        arch = SPACE.to_native(genome)
        v = values.get(arch, float("nan"))
        if not np.isfinite(v):
            raise ProxyError(f"no finite score for {arch}")
        return float(v), int(params[arch])

    SEARCH["evaluate"] = evaluate
    found = []
    for seed in range(seeds):
        kwargs = {} if budget is None else {"budget": {"params": budget}}
        result = evonas.search(space="nb201", evaluator="fitness-lookup", strategy=strategy, seed=seed,
                               evaluations=evaluations, population=10, **kwargs)
        found.append(result.best["native"])
    return found


def wins(a: list[float], b: list[float]) -> str:
    d = np.asarray(a) - np.asarray(b)
    return f"{(d > 0).sum()}/{(d == 0).sum()}/{(d < 0).sum()}"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--score", choices=list(TABLES), help="score a table's architectures with --members, then stop")
    p.add_argument("--members", nargs="+", default=[])
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--sample", type=int, default=1000, help="rows of the NB201 sample (seed 0) scored by --score nb201")
    p.add_argument("--extras", nargs="*", default=["zico", "nwot", "jacov", "synflow", "snip", "grad_norm"],
                   help="other proxies of the sample to try as members (kept in --out)")
    p.add_argument("--search", nargs="*", default=None, help="candidates to search with (default: those on the whole table)")
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--evaluations", type=int, default=100)
    p.add_argument("--no-search", action="store_true")
    p.add_argument("--search-budgets", nargs="+", default=None, metavar="B",
                   help="params budgets of the searches (default: all; 'none' for no budget)")
    p.add_argument("--others", action="store_true", help="also the NB301 and NB101 tables")
    p.add_argument("--out", type=Path, default=Path("runs/fitness_top"))
    p.add_argument("--cost", nargs="+", metavar="PROXY", default=None,
                   help="time these proxies per NB201 architecture, interleaved in one run (search defaults), then stop")
    p.add_argument("--cost-archs", type=int, default=40)
    args = p.parse_args()
    torch.set_num_threads(1)
    if args.cost:
        cost_per_arch(args.cost, args.cost_archs)
        return
    if args.score:
        score_table(args)
        return
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE).stdout.strip()
    print(f"commit {commit}; {platform.machine()}, {os.cpu_count()} cpus, torch {torch.__version__}; "
          f"SWAP-NAS P = 10, {args.evaluations} evaluations, seeds 0..{args.seeds - 1}")
    full, sample, members = load_nb201(args.out, args.extras)
    extras = [m for m in args.extras if m in sample.columns and m not in members]
    cands = candidates(extras, members)
    reads_extras = {n for n in cands if any(x in n for x in extras)}
    ref = sample.iloc[:REFERENCE_SIZE][["swap", "theta", *members, *extras]]
    print(f"whole table: swap, params and {members or 'no other proxy'}; sample: {len(sample)} archs (seed 0) with "
          f"{extras or 'no other proxies'}; reference: its first {len(ref)}")
    print(cost_table(args.out, extras))
    params = dict(zip(full["arch"], full["params"]))
    rows = []
    for budget in BUDGETS:
        ctx = context(budget, ref)
        label = "none" if budget is None else f"{budget / 1e6:g} M"
        for scope, frame in (("table", full), ("sample", sample)):
            within = frame if budget is None else frame[frame["params"] <= budget]
            va = within["cifar10_valid_acc"]
            print(f"\nbudget {label}, {scope}: {len(within)} archs within; valid acc best {va.max():.2f}, "
                  f"random choice {va.mean():.2f}; ρ and mean valid acc of the top-k")
            print(f"  {'fitness':<58} {'rho':>6} " + " ".join(f"{'top' + str(k):>7}" for k in TOPS))
            for name, fit in cands.items():
                if scope == "table" and name in reads_extras:
                    continue
                r = measure_top(name, fit, frame, ctx, budget)
                rows.append({"budget": label, "scope": scope, **r})
                print(f"  {name:<58} {r['rho']:6.3f} " + " ".join(f"{r[f'top{k}']:7.2f}" for k in TOPS))
    pd.DataFrame(rows).to_csv(args.out / "top.csv", index=False)
    print(skip_edge(sample, ["swap", *members, *extras]))
    if not args.no_search:
        chosen = args.search if args.search is not None else [n for n in cands if n not in reads_extras]
        budgets = BUDGETS if args.search_budgets is None else tuple(
            None if b == "none" else int(float(b)) for b in args.search_budgets)
        run_searches(chosen, cands, full, ref, params, budgets, args)
    if args.others:
        other_tables(args.out)


def run_searches(chosen: list[str], cands: dict[str, Fitness], full: pd.DataFrame, ref: pd.DataFrame,
                 params: dict, budgets: tuple[int | None, ...], args: argparse.Namespace) -> None:
    valid = dict(zip(full["arch"], full["cifar10_valid_acc"]))
    test = dict(zip(full["arch"], full["cifar10_test_acc"]))
    print(f"\nSearch (lookup through evonas.search, P = 10, {args.evaluations} evaluations): validation / test accuracy of "
          f"what it returns, mean ± std over {args.seeds} seeds; per seed wins/ties/losses (test) of SWAP-NAS with the "
          f"fitness against random search with it and against SWAP-NAS on params alone")
    print(f"  {'budget':>6} {'fitness':<58} {'SWAP-NAS valid':>14} {'test':>13} {'random: test':>13} {'vs random':>9} "
          f"{'vs params':>9}")
    rows = []
    for budget in budgets:
        ctx = context(budget, ref)
        label = "none" if budget is None else f"{budget / 1e6:g} M"
        base = search_archs(dict(zip(full["arch"], full["theta"])), params, "swap-nas", budget, args.seeds, args.evaluations)
        for name in chosen:
            values = dict(zip(full["arch"], cands[name](full, ctx)))
            ours = search_archs(values, params, "swap-nas", budget, args.seeds, args.evaluations)
            rand = search_archs(values, params, "random", budget, args.seeds, args.evaluations)
            rows.append({"budget": label, "fitness": name, "swap_nas": ours, "random": rand, "params_search": base})
            t_ours, t_rand, t_base = ([test[a] for a in archs] for archs in (ours, rand, base))
            v_ours = [valid[a] for a in ours]
            print(f"  {label:>6} {name:<58} {np.mean(v_ours):7.2f} ± {np.std(v_ours):4.2f} {np.mean(t_ours):6.2f} ± "
                  f"{np.std(t_ours):4.2f} {np.mean(t_rand):6.2f} ± {np.std(t_rand):4.2f} {wins(t_ours, t_rand):>9} "
                  f"{wins(t_ours, t_base):>9}", flush=True)
        t_base, v_base = [test[a] for a in base], [valid[a] for a in base]
        print(f"  {label:>6} {'(SWAP-NAS on params alone)':<58} {np.mean(v_base):7.2f} ± {np.std(v_base):4.2f} "
              f"{np.mean(t_base):6.2f} ± {np.std(t_base):4.2f}", flush=True)
    tag = "_".join("none" if b is None else str(b) for b in budgets)
    pd.DataFrame(rows).to_json(args.out / f"search_{tag}.json", orient="records")


def score_table(args: argparse.Namespace) -> None:
    """Score a table's architectures (for nb201 the seeded sample) with ``--members``; kept in ``--out``."""
    space_name, file, arch_col, _, _ = TABLES[args.score]
    table = pd.read_csv(SHARED / file, dtype={arch_col: str})
    rows = select_rows(pd.DataFrame({"arch": table[arch_col]}), args.sample if args.score == "nb201" else None, 0)
    args.out.mkdir(parents=True, exist_ok=True)
    store = MemberScores(args.out / f"{args.score}_r{args.repeats}.csv", space_name, args.repeats)
    for i, arch in enumerate(rows["arch"]):
        store.get(arch, args.members)
        if i % 50 == 0:
            print(f"{i} of {len(rows)}", flush=True)


def cost_per_arch(proxies: list[str], n: int) -> None:
    """Median seconds per architecture of each proxy as a search scores it (4 re-initialisations, 16 images, the
    scoring network), the proxies taking turns on the same ``n`` seeded architectures, so load hits all alike;
    and the one-off set-up (calibration, an ensemble's 64-architecture reference), timed once."""
    import time

    from evonas.data import load_images
    from evonas.evaluators.proxy import make_scorer

    batch = load_images(None, samples=16)
    scorers, setup = {}, {}
    for proxy in proxies:
        t0 = time.process_time()
        scorers[proxy] = make_scorer(SPACE, proxy, batch=batch, net_args=dict(SPACE.scoring_net_args), repeats=4, seed=0)
        setup[proxy] = time.process_time() - t0
    rng = np.random.default_rng(1)
    archs = [SPACE.sample(rng) for _ in range(n)]
    times: dict[str, list[float]] = {proxy: [] for proxy in proxies}
    for i, arch in enumerate(archs):
        for proxy in proxies[i % 2:] + proxies[:i % 2]:  # alternate who goes first
            t0 = time.process_time()
            scorers[proxy](arch)
            times[proxy].append(time.process_time() - t0)
    base = float(np.median(times[proxies[0]]))
    for proxy in proxies:
        med = float(np.median(times[proxy]))
        print(f"{proxy:<24} median {1e3 * med:6.0f} ms/arch CPU ({med / base:.2f}x {proxies[0]}), "
              f"set-up {setup[proxy]:.1f} s CPU, {n} archs (seed 1), one torch thread")


def cost_table(out: Path, extras: list[str]) -> str:
    """Median ms per architecture of each kept member (1 re-initialisation; as they were scored)."""
    kept = out / "nb201_r1.csv"
    if not kept.exists():
        return "no kept member scores"
    ms = pd.read_csv(kept).groupby("member")["ms"].median()
    return "median ms/arch at 1 re-initialisation (build separate): " + ", ".join(
        f"{m} {ms[m]:.0f}" for m in ["build", *extras] if m in ms)


def other_tables(out: Path) -> None:
    """ρ and top-k (validation accuracy) of the candidates on NB301 and NB101, against size.

    Those of (SWAP, size) always; those with a :data:`TABLE_MEMBERS` proxy where the table was
    scored with it (``--score nb301 --members synflow --repeats 2``).
    """
    for name, size_col in (("nb301", "nb301_params"), ("nb101", "params_m")):
        space_name, file, arch_col, acc_col, _ = TABLES[name]
        kept = out / f"{name}_r2.csv"
        if not kept.exists():
            print(f"\n{name}: not scored (--score {name} --members swap --repeats 2)")
            continue
        table = pd.read_csv(SHARED / file, dtype={arch_col: str})
        wide = pd.read_csv(kept).pivot_table(index="arch", columns="member", values="value", aggfunc="first")
        frame = table.rename(columns={arch_col: "arch"}).merge(wide.reset_index(), on="arch")
        frame = frame.assign(theta=frame["build"] / 1e3, params=frame["build"], bench=frame[size_col])
        frame = frame[np.isfinite(frame["swap"])].reset_index(drop=True)
        space = evonas.get_space(space_name)
        mu, _ = calibrate(space, net_args=dict(space.scoring_net_args), seed=0)
        rng = np.random.default_rng(0)
        sizes = np.array([space.count_params(space.sample(rng), **space.scoring_net_args) for _ in range(200)]) / 1e3
        ref_rows = frame.sample(n=min(REFERENCE_SIZE, len(frame)), random_state=0)
        present = [m for m in TABLE_MEMBERS if m in frame.columns]
        ref = ref_rows[["swap", "theta", *present]]
        ctx = Context(None, mu, mu, sizes, ref)
        acc = frame[acc_col].to_numpy()
        print(f"\n{name}: {len(frame)} archs, {acc_col}; scoring network {dict(space.scoring_net_args)}, "
              f"μ = {mu:.1f} K; benchmark network size ({size_col}): ρ {spearmanr(frame['bench'], acc)[0]:.3f}, "
              + " ".join(f"top{k} {top_k(frame['bench'].to_numpy(), acc, k):.2f}" for k in TOPS)
              + f"; best {acc.max():.2f}, mean {acc.mean():.2f}")
        print(f"  {'fitness':<58} {'rho':>6} " + " ".join(f"{'top' + str(k):>7}" for k in TOPS))
        for cand, fit in candidates([], present).items():
            if "budget" in cand:
                continue
            values = fit(frame, ctx)
            print(f"  {cand:<58} {spearmanr(values, acc)[0]:6.3f} " + " ".join(f"{top_k(values, acc, k):7.2f}" for k in TOPS))


if __name__ == "__main__":
    main()
