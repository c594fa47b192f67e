"""The search façade: one config in, one run folder out (config, log, scores, best, plots).

Only this module and the CLI read configuration; everything below takes explicit arguments.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
from deap import tools

from evonas.cache import ScoreCache, evaluate_safely
from evonas.config import SearchConfig
from evonas.checkpoint import SearchState, load_checkpoint, save_checkpoint
from evonas.encodings import Genome, SearchSpace, get_space
from evonas.errors import ConfigError, ProxyError
from evonas.evaluation import ArchitectureScorer
from evonas.data import load_images
from evonas.diagrams import draw_architecture
from evonas.fitness import get_proxy, size_options
from evonas.operators import Individual, fitness_class
from evonas.parallel import make_map
from evonas.progress import Progress
from evonas.results import plot_run, write_best, write_log, write_scored
from evonas.registry import Registry
from evonas.truth import ACCURACY as TEST_COLUMN, GroundTruth
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
    evaluator = EVALUATORS.get(config.evaluator)(config, space, out, progress)
    strategy = STRATEGIES.get(config.strategy)
    options, part_options = strategy.split(strategy.bind(config.strategy_options()))
    scorer_for = _feature_scorers(config, space) if part_options.get("features") else None
    config.save(out, resume=resume)
    scorer = evaluator.evaluate
    fitness = fitness_class(evaluator.direction)
    if resume:
        state = load_checkpoint(out, fitness, config.halloffame)
    else:
        rng = np.random.default_rng(config.seed)
        state = SearchState(0, [], ScoreCache(), tools.Logbook(), tools.HallOfFame(config.halloffame), rng)
    toolbox = make_toolbox(space, scorer, state.rng, fitness, tournament=options.pop("tournament", None),
                           remove=strategy.remove)
    if strategy.setup is not None:
        strategy.setup(toolbox, space, state.rng, scorer_for, **part_options)
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
    return _finish(out, config, space, state, population, logbook, truth, evaluator)


def _finish(out: Path, config: SearchConfig, space: SearchSpace, state: SearchState, population, logbook,
            truth: GroundTruth | None, evaluator: Evaluator) -> SearchResult:
    if not state.halloffame:
        raise ProxyError(f"every one of the {state.cache.misses} architectures scored failed; see {out / 'scored.csv'}")
    champion = state.halloffame[0]
    extra: dict[str, Any] = {
        "evaluator": config.evaluator, "score_name": evaluator.name, "proxy": config.proxy, "strategy": config.strategy, "mu": config.mu,
        "sigma": config.sigma,
        "cycles": logbook[-1]["cycle"], "evaluations": state.cache.misses, "cache_hits": state.cache.hits,
        "failed": state.cache.failures, "train_params": space.count_params(champion.genome),
        "seconds": round(float(sum(r["seconds"] for r in logbook)), 2),
    }
    if evaluator.report is not None:
        extra.update(evaluator.report(champion.genome))
    if truth is not None:
        extra.update(truth.report(space.to_native(champion.genome)))
    best = write_best(out, space, champion.genome, champion.fitness.values[0], champion.params, extra)
    write_scored(out, space, state.cache)
    write_log(out, logbook)
    mu = config.mu * 1e3 if config.mu is not None else None  # mu is in thousands of parameters
    plot_run(out, logbook, pd.read_csv(out / "scored.csv"), title=f"{config.strategy} on {config.space}, {evaluator.name}",
             score_name=evaluator.name, best=best, mu_params=mu)
    draw_architecture(space, champion.genome, out / "cell.png")
    return SearchResult(out, best, population, logbook)




@dataclass(frozen=True)
class Evaluator:
    """What a search evaluates architectures with.

    Attributes:
        evaluate: ``evaluate(genome) -> score | (score, params) | Evaluation`` (picklable, for workers).
        direction: +1 when higher scores are better, -1 when lower are.
        name: what the score is called in plots (the proxy, or the accuracy column).
        report: extra facts about the result for ``best.json`` (e.g. its test accuracy), read
            only after the search.
    """

    evaluate: Callable[..., Any]
    direction: int
    name: str
    report: Callable[[Genome], dict[str, Any]] | None = None


#: Evaluator builders ``(config, space, run_dir, progress) -> Evaluator``; each checks and reads
#: all it needs (data, tables, calibration) before the run folder is written.
EVALUATORS: Registry[Callable[..., Evaluator]] = Registry(
    "evaluator", "Register your own with @evonas.search.EVALUATORS.register('name') on a builder function.",
)


@EVALUATORS.register("proxy")
def proxy_evaluator(config: SearchConfig, space: SearchSpace, out: Path, progress: bool) -> Evaluator:
    """Training-free: the proxy (default regularised SWAP, calibrated from sizes alone) on the scoring network."""
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
    scorer = ArchitectureScorer(space=config.space, proxy=config.proxy, proxy_options=proxy_options,
                                net_args=net_args, batch=batch, repeats=config.repeats, seed=config.seed)
    return Evaluator(scorer, proxy.direction, config.proxy)


@EVALUATORS.register("table")
def table_evaluator(config: SearchConfig, space: SearchSpace, out: Path, progress: bool) -> Evaluator:
    """A benchmark table: the search reads its validation column (--valid-col), the result is reported with --test-col."""
    from evonas.fitness.evaluators import TableEvaluator, read_table

    assert config.table is not None  # checked by config.check()
    if config.valid_col is None:
        config.valid_col = "cifar10_valid_acc"
    evaluator = TableEvaluator.read(config.table, config.space, valid_col=config.valid_col, test_col=config.test_col)
    if config.test_col is None:  # the default column, where the table has it
        has_test = TEST_COLUMN in read_table(config.table, ("arch",)).columns
        config.test_col = TEST_COLUMN if has_test else None
        if not has_test and progress:
            print(f"--table {config.table}: no column {TEST_COLUMN!r}: the result's test accuracy is not reported "
                  "(name one with --test-col)", file=sys.stderr)
    report = None
    if config.test_col is not None:
        truth = GroundTruth(Path(config.table), read_table(config.table, ("arch", config.test_col)), config.test_col)
        report = lambda genome: truth.report(space.to_native(genome))  # noqa: E731
    return Evaluator(evaluator, +1, config.valid_col, report)


@EVALUATORS.register("train")
def train_evaluator(config: SearchConfig, space: SearchSpace, out: Path, progress: bool) -> Evaluator:
    """Short training of every evaluated architecture on --data; children start from their parent's weights."""
    from evonas.data import load_labelled
    from evonas.fitness.evaluators import TrainEvaluator
    from evonas.train import get_recipe
    from evonas.train.run import check_device, default_device

    recipe = get_recipe(config.recipe or "quick").override(epochs=config.epochs or 2)
    config.recipe, config.epochs = config.recipe or "quick", recipe.epochs
    net_args = dict(config.net or recipe.net_args(config.space))
    space.check_net_args(net_args)
    config.device = config.device or default_device()
    check_device(config.device)
    load_labelled(config.data, dataset=config.dataset, split="train")  # a bad --data fails now, not in a worker
    evaluator = TrainEvaluator(config.space, config.data, recipe, net_args, str(Path(out) / "weights"),
                               dataset=config.dataset, seed=config.seed, inherit=not config.no_inherit,
                               device=config.device)
    return Evaluator(evaluator, +1, "valid_acc", evaluator.report)


def _feature_scorers(config: SearchConfig, space: SearchSpace) -> Callable[[str], Callable[[Genome], float]]:
    """``scorer_for(proxy)``: a training-free ``genome -> score`` for predictor features (0 where the proxy fails).

    Scored on the space's scoring network (``--net`` sizes it, except with ``--evaluator
    train``, where it sizes the trained network) with the input batch of ``--data``.
    """
    batch = load_images(config.data, samples=config.samples, dataset=config.dataset)
    net_args = dict(space.scoring_net_args if config.evaluator == "train" else config.net or space.scoring_net_args)

    def scorer_for(name: str) -> Callable[[Genome], float]:
        get_proxy(name)  # a proxy that needs options (reg-swap) is refused here
        scorer = ArchitectureScorer(space=config.space, proxy=name, net_args=net_args, batch=batch,
                                    repeats=config.repeats, seed=config.seed)
        return lambda genome: evaluate_safely(scorer, genome).score or 0.0

    return scorer_for
