"""The search façade: one config in, one run folder out (config, log, scores, best, plots).

Only this module and the CLI read configuration; everything below takes explicit arguments.
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from deap import tools

from evonas.cache import ScoreCache
from evonas.config import RunConfig
from evonas.checkpoint import SearchState, load_checkpoint, save_checkpoint
from evonas.encodings import Genome, SearchSpace, get_space
from evonas.errors import ConfigError, ProxyError
from evonas.evaluation import ArchitectureScorer
from evonas.data import load_images
from evonas.fitness import PROXIES, get_proxy, size_options
from evonas.operators import Individual, fitness_class
from evonas.parallel import check_rules, make_map
from evonas.results import plot_run, write_best, write_log, write_scored
from evonas.truth import GroundTruth
from evonas.strategy import STRATEGIES, make_toolbox

#: Cycles of a search given neither ``cycles`` nor ``evaluations``.
DEFAULT_CYCLES = 20


@dataclass
class SearchConfig(RunConfig):
    """Everything that defines a SWAP-NAS run (the CLI flags and config-file keys have these names)."""

    space: str = "nb201"
    dataset: str = "cifar10"
    data: str | None = None
    proxy: str = "reg-swap"
    strategy: str = "swap-nas"
    population: int = 10
    cycles: int | None = None
    evaluations: int | None = None
    mutations: int | None = None
    crossover: float | None = None
    tournament: int | None = None
    mu: float | None = None
    sigma: float | None = None
    target_size: float | None = None
    samples: int = 16
    repeats: int = 4
    seed: int = 0
    net: dict[str, Any] = field(default_factory=dict)
    halloffame: int = 10
    ground_truth: str | None = None
    workers: int = 1
    ray: str | None = None

    def check(self) -> SearchConfig:
        """Raise :class:`ConfigError` naming the first out-of-range value."""
        get_space(self.space)
        PROXIES.get(self.proxy)  # the name only: options such as mu/sigma may still be unset
        STRATEGIES.get(self.strategy).bind(self.strategy_options())
        if self.cycles is None and self.evaluations is None:
            self.cycles = DEFAULT_CYCLES
        self.check_ranges({
            "population": (self.population >= 2, ">= 2"),
            "cycles": (self.cycles is None or self.cycles >= 0, ">= 0 (or unset: until the evaluation budget is spent)"),
            "evaluations": (self.evaluations is None or self.evaluations >= 1, ">= 1 distinct architectures (or unset)"),
            "mutations": (self.mutations is None or self.mutations >= 1, ">= 1"),
            "crossover": (self.crossover is None or 0.0 <= self.crossover <= 1.0, "in [0, 1]"),
            "tournament": (self.tournament is None or 1 <= self.tournament <= self.population,
                           f"in [1, population = {self.population}]"),
            "samples": (self.samples >= 2, ">= 2"),
            "repeats": (self.repeats >= 1, ">= 1"),
            "halloffame": (self.halloffame >= 1, ">= 1"),
            **check_rules(self.workers, self.ray),
        })
        if self.sigma is not None and not self.sigma > 0:
            raise ConfigError(f"sigma = {self.sigma} is impossible: it divides (params - mu)^2, so it must be > 0")
        if self.mu is not None and not self.mu > 0:
            raise ConfigError(f"mu = {self.mu} is impossible: it is a model size (in thousands of parameters), so > 0")
        return self

    def strategy_options(self) -> dict[str, Any]:
        """The strategy options given (None: the strategy's default)."""
        return {"mutations": self.mutations, "crossover": self.crossover, "tournament": self.tournament}


@dataclass
class SearchResult:
    """The outcome of :func:`run_search`."""

    run_dir: Path
    best: dict[str, Any]
    population: list[Individual]
    logbook: tools.Logbook


def run_search(config: SearchConfig, out: Path, *, resume: bool = False, progress: bool = True) -> SearchResult:
    """Run (or with ``resume=True`` continue) a SWAP-NAS search and write its run folder ``out``.

    On resume the run's saved settings are used, except ``workers`` and ``ray``: they say how
    to run, not what (results do not depend on them), so they are taken from ``config``.
    """
    out = Path(out)
    if resume:
        config = config.resumed_from(out)
    config.check()
    truth = GroundTruth.read(config.ground_truth, config.space) if config.ground_truth else None
    space = get_space(config.space)
    net_args = dict(config.net or space.scoring_net_args)  # --net replaces the scoring network, as build() reads it
    proxy_options = size_options(config.proxy, space, net_args=net_args, seed=config.seed, mu=config.mu,
                                 sigma=config.sigma, target=config.target_size)
    if proxy_options:  # saved with the run, so --resume scores with the same factor
        config.mu, config.sigma, config.target_size = proxy_options["mu"], proxy_options["sigma"], None
    proxy = get_proxy(config.proxy, **proxy_options)
    if not resume:
        config.save(out)

    batch = load_images(config.data, samples=config.samples, dataset=config.dataset)
    scorer = ArchitectureScorer(
        space=config.space, proxy=config.proxy, proxy_options=proxy_options, net_args=net_args,
        batch=batch, repeats=config.repeats, seed=config.seed,
    )
    fitness = fitness_class(proxy.direction)
    if resume:
        state = load_checkpoint(out, fitness, config.halloffame)
    else:
        random.seed(config.seed)
        torch.manual_seed(config.seed)
        rng = np.random.default_rng(config.seed)
        state = SearchState(0, [], ScoreCache(), tools.Logbook(), tools.HallOfFame(config.halloffame), rng)
    strategy = STRATEGIES.get(config.strategy)
    options = strategy.bind(config.strategy_options())
    toolbox = make_toolbox(space, scorer, state.rng, fitness, tournament=options.pop("tournament", None),
                           remove=strategy.remove)
    if not resume:
        state.population = toolbox.population(n=config.population)
    if "rng" in strategy.options:
        options["rng"] = state.rng

    bar = _progress(config, state, progress)

    def on_cycle(cycle: int, population: list, logbook: tools.Logbook) -> None:
        state.cycle, state.population, state.logbook = cycle, population, logbook
        save_checkpoint(out, state)
        write_log(out, logbook)
        last = logbook[-1]
        bar.set_postfix(best=_short(last["best"]), params=last["best_params"], failed=state.cache.failures, refresh=False)
        bar.update(state.cache.misses - bar.n if config.evaluations else 1)

    with make_map(config.workers, config.ray, scorer) as map_fn:
        toolbox.register("map", map_fn)
        population, logbook = strategy.search(
            state.population, toolbox, config.cycles, evaluations=config.evaluations,
            cache=state.cache, halloffame=state.halloffame, logbook=state.logbook if resume else None,
            start=state.cycle if resume else 0, on_cycle=on_cycle, **options,
        )
    bar.close()
    return _finish(out, config, space, state, population, logbook, truth)


def _finish(out: Path, config: SearchConfig, space: SearchSpace, state: SearchState, population, logbook,
            truth: GroundTruth | None) -> SearchResult:
    if not state.halloffame:
        raise ProxyError(f"every one of the {state.cache.misses} architectures scored failed; see {out / 'scored.csv'}")
    champion = state.halloffame[0]
    extra: dict[str, Any] = {
        "proxy": config.proxy, "strategy": config.strategy, "mu": config.mu, "sigma": config.sigma,
        "cycles": logbook[-1]["cycle"], "evaluations": state.cache.misses, "cache_hits": state.cache.hits,
        "failed": state.cache.failures, "train_params": space.count_params(champion.genome),
        "seconds": round(float(sum(r["seconds"] for r in logbook)), 2),
    }
    if truth is not None:
        extra.update(truth.report(space.to_native(champion.genome)))
    best = write_best(out, space, champion.genome, champion.fitness.values[0], champion.params, extra)
    genomes = _scored_genomes(state.cache)
    write_scored(out, space, state.cache, genomes)
    write_log(out, logbook)
    plot_run(out, logbook, pd.read_csv(out / "scored.csv"), config.proxy)
    return SearchResult(out, best, population, logbook)


def _scored_genomes(cache: ScoreCache) -> list[Genome]:
    from evonas.encodings.genome import parse_key

    return [parse_key(k) for k in cache.scores]


def _progress(config: SearchConfig, state: SearchState, enabled: bool):
    """A bar over the evaluation budget if there is one, else over the cycles (cycle 0 included)."""
    from tqdm import tqdm

    if config.evaluations:
        return tqdm(total=config.evaluations, initial=state.cache.misses, desc=f"{config.strategy} evaluations",
                    disable=not enabled, file=sys.stderr)
    done = state.cycle + 1 if state.logbook else 0
    return tqdm(total=config.cycles + 1, initial=done, desc=f"{config.strategy} cycles", disable=not enabled, file=sys.stderr)


def _short(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"
