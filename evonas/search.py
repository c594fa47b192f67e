"""The search façade: one config in, one run folder out (config, log, scores, best, plots).

Only this module and the CLI read configuration; everything below takes explicit arguments.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from deap import tools

from evonas.cache import ScoreCache
from evonas.config import SearchConfig
from evonas.checkpoint import SearchState, load_checkpoint, save_checkpoint
from evonas.encodings import SearchSpace, get_space
from evonas.errors import ConfigError, ProxyError
from evonas.evaluation import ArchitectureScorer
from evonas.data import load_images
from evonas.diagrams import draw_architecture
from evonas.fitness import get_proxy, size_options
from evonas.operators import Individual, fitness_class
from evonas.parallel import make_map
from evonas.progress import Progress
from evonas.results import plot_run, write_best, write_log, write_scored
from evonas.truth import GroundTruth
from evonas.strategy import STRATEGIES, make_toolbox


@dataclass
class SearchResult:
    """The outcome of :func:`run_search`."""

    run_dir: Path
    best: dict[str, Any]
    population: list[Individual]
    logbook: tools.Logbook


def run_search(
    config: SearchConfig | None,
    out: Path,
    *,
    resume: bool = False,
    changes: dict[str, Any] | None = None,
    progress: bool = True,
) -> SearchResult:
    """Run a search (or with ``resume=True`` continue the one in ``out``) and write its run folder ``out``.

    Everything is checked first — every config value, the network arguments, the ground
    truth, the calibration and the input data — and the folder is written only then, so a
    start that fails leaves nothing behind. On resume the saved config is used with
    ``changes`` applied, which may only extend the run or change how it runs (see
    :data:`evonas.config.RESUMABLE`).
    """
    out = Path(out)
    if resume:
        config = SearchConfig.resumed_from(out, changes)
    elif config is None:
        raise ConfigError("run_search: give a SearchConfig for a new search (or resume=True)")
    config.check()
    truth = GroundTruth.read(config.ground_truth, config.space) if config.ground_truth else None
    space = get_space(config.space)
    net_args = dict(config.net or space.scoring_net_args)  # --net replaces the scoring network, as build() reads it
    proxy_options = size_options(config.proxy, space, net_args=net_args, seed=config.seed, mu=config.mu,
                                 sigma=config.sigma, target=config.target_size)
    if proxy_options:  # saved with the run, so --resume scores with the same factor
        calibrated = config.mu is None and config.target_size is None
        config.mu, config.sigma, config.target_size = proxy_options["mu"], proxy_options["sigma"], None
        if progress and calibrated:
            print(f"{config.proxy}: mu = {config.mu:.6g} K parameters (the largest scoring network of {config.space}), "
                  f"sigma = mu^2 = {config.sigma:.6g}", file=sys.stderr)
    proxy = get_proxy(config.proxy, **proxy_options)
    batch = load_images(config.data, samples=config.samples, dataset=config.dataset)
    config.save(out, resume=resume)
    scorer = ArchitectureScorer(
        space=config.space, proxy=config.proxy, proxy_options=proxy_options, net_args=net_args,
        batch=batch, repeats=config.repeats, seed=config.seed,
    )
    fitness = fitness_class(proxy.direction)
    if resume:
        state = load_checkpoint(out, fitness, config.halloffame)
    else:
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

    bar = Progress(config.strategy, cycles=config.cycles, evaluations=config.evaluations, enabled=progress)
    bar.start(state.cycle if resume else 0, state.cache.misses)

    def on_cycle(cycle: int, population: list, logbook: tools.Logbook) -> None:
        state.cycle, state.population, state.logbook = cycle, population, logbook
        save_checkpoint(out, state)
        write_log(out, logbook)
        last = logbook[-1]
        bar.update(cycle, state.cache.misses, best=last["best"], params=last["best_params"], failed=state.cache.failures)

    with make_map(config.workers, config.ray, scorer) as map_fn:
        toolbox.register("map", map_fn)
        population, logbook = strategy.search(
            state.population, toolbox, config.cycles, evaluations=config.evaluations,
            cache=state.cache, halloffame=state.halloffame, logbook=state.logbook if resume else None,
            start=state.cycle if resume else None, on_cycle=on_cycle, **options,
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
    write_scored(out, space, state.cache)
    write_log(out, logbook)
    mu = config.mu * 1e3 if config.mu is not None else None  # mu is in thousands of parameters
    plot_run(out, logbook, pd.read_csv(out / "scored.csv"), title=f"{config.strategy} on {config.space}, {config.proxy}",
             score_name=config.proxy, best=best, mu_params=mu)
    draw_architecture(space, champion.genome, out / "cell.png")
    return SearchResult(out, best, population, logbook)


