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
from evonas.errors import ConfigError
from evonas.evaluation import ArchitectureScorer
from evonas.data import load_images
from evonas.fitness import PROXIES, get_proxy, size_options
from evonas.operators import Individual, fitness_class
from evonas.parallel import check_rules, make_map
from evonas.results import nb201_truth, plot_run, write_best, write_log, write_scored
from evonas.strategy import make_toolbox, swap_nas



@dataclass
class SearchConfig(RunConfig):
    """Everything that defines a SWAP-NAS run (the CLI flags and config-file keys have these names)."""

    space: str = "nb201"
    dataset: str = "cifar10"
    data: str | None = None
    proxy: str = "reg-swap"
    population: int = 10
    cycles: int = 20
    mutations: int = 5
    crossover: float = 0.5
    mu: float | None = None
    sigma: float | None = None
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
        self.check_ranges({
            "population": (self.population >= 2, ">= 2"),
            "cycles": (self.cycles >= 0, ">= 0"),
            "mutations": (self.mutations >= 1, ">= 1"),
            "crossover": (0.0 <= self.crossover <= 1.0, "in [0, 1]"),
            "samples": (self.samples >= 2, ">= 2"),
            "repeats": (self.repeats >= 1, ">= 1"),
            "halloffame": (self.halloffame >= 1, ">= 1"),
            **check_rules(self.workers, self.ray),
        })
        if (self.mu is None) != (self.sigma is None):
            raise ConfigError("give both mu and sigma, or neither (then they are calibrated from sampled sizes)")
        if self.sigma is not None and not self.sigma > 0:
            raise ConfigError(f"sigma = {self.sigma} is impossible: it divides (params - mu)^2, so it must be > 0")
        if self.mu is not None and not self.mu > 0:
            raise ConfigError(f"mu = {self.mu} is impossible: it is a model size (in thousands of parameters), so > 0")
        return self


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
    space = get_space(config.space)
    net_args = {**space.scoring_net_args, **config.net}
    proxy_options = size_options(config.proxy, space, net_args=net_args, seed=config.seed, mu=config.mu, sigma=config.sigma)
    config.mu, config.sigma = proxy_options.get("mu", config.mu), proxy_options.get("sigma", config.sigma)
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
    toolbox = make_toolbox(space, scorer, state.rng, fitness)
    if not resume:
        state.population = toolbox.population(n=config.population)

    bar = _progress(config.cycles, state.cycle if resume else -1, progress)

    def on_cycle(cycle: int, population: list, logbook: tools.Logbook) -> None:
        state.cycle, state.population, state.logbook = cycle, population, logbook
        save_checkpoint(out, state)
        write_log(out, logbook)
        last = logbook[-1]
        bar.set_postfix(best=f"{last['best']:.4g}", params=last["best_params"], refresh=False)
        bar.update(1)

    with make_map(config.workers, config.ray, scorer) as map_fn:
        toolbox.register("map", map_fn)
        population, logbook = swap_nas(
            state.population, toolbox, config.cycles, config.mutations, config.crossover, state.rng,
            cache=state.cache, halloffame=state.halloffame, logbook=state.logbook if resume else None,
            start=state.cycle if resume else 0, on_cycle=on_cycle,
        )
    bar.close()
    return _finish(out, config, space, state, population, logbook)


def _finish(out: Path, config: SearchConfig, space: SearchSpace, state: SearchState, population, logbook) -> SearchResult:
    champion = state.halloffame[0]
    extra: dict[str, Any] = {
        "proxy": config.proxy, "mu": config.mu, "sigma": config.sigma, "cycles": config.cycles,
        "evaluations": state.cache.misses, "cache_hits": state.cache.hits,
        "seconds": round(float(sum(r["seconds"] for r in logbook)), 2),
    }
    if config.ground_truth and space.name == "nb201":
        extra.update(nb201_truth(space, champion.genome, Path(config.ground_truth)))
    best = write_best(out, space, champion.genome, champion.fitness.values[0], champion.params, extra)
    genomes = _scored_genomes(state.cache)
    write_scored(out, space, state.cache, genomes)
    write_log(out, logbook)
    plot_run(out, logbook, pd.read_csv(out / "scored.csv"), config.proxy)
    return SearchResult(out, best, population, logbook)


def _scored_genomes(cache: ScoreCache) -> list[Genome]:
    from evonas.encodings.genome import parse_key

    return [parse_key(k) for k in cache.scores]


def _progress(total: int, done: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total + 1, initial=done + 1, desc="SWAP-NAS cycles", disable=not enabled, file=sys.stderr)
