"""The search façade: a config in, a result out -- in memory (:func:`search`) or as a run folder (:func:`run_search`).

Only this module, :mod:`evonas.moo.run` and the CLI read configuration; everything below
takes explicit arguments. Both kinds of search share one preamble (:func:`prepare`: resume
rules, range and registry checks, ground truth, the evaluator, the folder), one stop rule
(:class:`~evonas.strategy.StopRule`) and one checkpoint mechanism (:mod:`evonas.runfolder`).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
from deap import base, tools

from evonas.cache import ScoreCache
from evonas.checkpoint import FORMAT, SearchState, restore, save_checkpoint
from evonas.config import DEFAULT_PROXY, NO_PRIOR, SearchBase, SearchConfig
from evonas.costs import Budget
from evonas.encodings import Genome, SearchSpace, get_space
from evonas.errors import ConfigError, UnknownNameError
from evonas.evaluation import evaluate_safely
from evonas.preamble import Prepared, begin, check_common, nothing_found, prepare
from evonas.operators import Individual, fitness_class
from evonas.parallel import make_map
from evonas.progress import Progress
from evonas.tracking import tracked
from evonas.warmstart import seeded_population
from evonas.strategy import STRATEGIES, SearchRun, StopRule, make_toolbox


@dataclass
class SearchResult:
    """The outcome of :func:`search` (and of :func:`run_search`, which also wrote ``run_dir``).

    Attributes:
        best: the best architecture and the facts about it (as in ``best.json``).
        population: the final population.
        logbook: one record per cycle (cycle 0 = the initial population).
        halloffame: the best architectures seen, best first (ties: the first found first).
        cache: every evaluation, failures included, in evaluation order.
        run_dir: the run folder, or None for a search in memory.
    """

    best: dict[str, Any]
    population: list[Individual]
    logbook: tools.Logbook
    halloffame: tools.HallOfFame
    cache: ScoreCache
    run_dir: Path | None = None


def check_single(config: SearchConfig, space: SearchSpace) -> SearchConfig:
    """The single-objective names: proxy, strategy and its options, predictor, features; returns the config with
    its window resolved (a copy when it resolves one: ``config`` is never changed)."""
    from evonas.fitness import PROXIES

    if config.proxy is not None:
        PROXIES.get(config.proxy)  # the name only: options such as mu/sigma may still be unset
    strategy = STRATEGIES.get(config.strategy)
    options = strategy.bind(config.strategy_options(), population=config.population)
    if config.predictor is not None:
        from evonas.predictor import regressor_class

        regressor_class(config.predictor)
    for name in config.features or ():
        PROXIES.get(name)  # options (calibration, an ensemble's reference) are made when the scorer is
    resolved: dict[str, Any] = {}
    if config.prior is not None:
        check_prior(config.prior)
    elif "prior" in strategy.options:  # on by default: the search's own fitness proxy (resolved.json keeps it)
        resolved["prior"] = config.proxy or DEFAULT_PROXY
    if config.window is None and "window" in strategy.options:  # auto: resolved now, so resolved.json keeps it
        from evonas.strategy.pipeline import auto_window

        resolved["window"] = auto_window(config.workers, strategy.brood_size(options))
    return replace(config, **resolved) if resolved else config


def check_prior(name: str) -> None:
    """``--prior``: a registered proxy, or ``none``; anything else is refused in one line naming both."""
    from evonas.fitness import PROXIES

    if name == NO_PRIOR:
        return
    try:
        PROXIES.get(name)
    except UnknownNameError:
        raise ConfigError(f"--prior {name}: not a proxy; give {NO_PRIOR} (random initial population) or a proxy "
                          f"(evonas list proxies): {', '.join(PROXIES.names())}") from None


def resolve(config: SearchBase) -> SearchBase:
    """What a search of ``config`` runs on: a checked copy with every default it chooses before it starts filled in
    (the evaluator's calibration is chosen when it is built, and recorded in the run folder's ``resolved.json``)."""
    from evonas.preamble import resolve as resolve_config

    if isinstance(config, SearchConfig):
        return resolve_config(config, check_single)[0]
    from evonas.moo.run import check_moo

    return resolve_config(config, check_moo)[0]


def check(config: SearchBase) -> SearchSpace:
    """Every check of a config, ranges and names, for either kind of search; returns its space (``config`` unchanged)."""
    return get_space(resolve(config).space)


def search(config: SearchConfig | None = None, /, *, progress: bool = False, **settings: Any) -> SearchResult:
    """Run a single-objective search in memory and return its result; nothing is written.

    Give a :class:`~evonas.config.SearchConfig`, or its fields as keywords::

        result = evonas.search(space="nb201", strategy="rea", evaluations=30, population=8, repeats=1)
        result.best["native"], result.best["score"]

    The CLI's run folder (:func:`run_search`) is this search with a checkpoint after every
    cycle and the result written out.
    """
    if config is None:
        config = SearchConfig.from_dict(settings, where="search()")
    elif settings:
        raise ConfigError("search(): give a SearchConfig or keywords, not both")
    prepared = prepare(SearchConfig, config, None, progress=progress, check=check_single)
    try:
        with tracked(prepared.config, None, resume=False) as tracking:  # refuses --track: no run folder to log
            return _run(prepared, _state(prepared, None), None, progress, tracking.cycle)
    finally:
        prepared.evaluator.close()


def run_search(
    config: SearchConfig | None,
    out: Path,
    *,
    resume: bool = False,
    changes: dict[str, Any] | None = None,
    progress: bool = True,
) -> SearchResult:
    """Run a search (or with ``resume=True`` continue the one in ``out``) and write its run folder ``out``.

    Everything is checked first -- every config value, the network arguments, the ground
    truth, the calibration, the input data and, on resume, the checkpoint and whether there
    is anything left to do -- and the folder is written only then, so a start or a resume
    that fails leaves it as it was. On resume the saved config is used with ``changes``,
    which may only extend the run or change how it runs (see :data:`evonas.config.RESUMABLE`).
    """
    out = Path(out)
    prepared = prepare(SearchConfig, config, out, resume=resume, changes=changes, progress=progress, check=check_single,
                       checkpoint=FORMAT)
    state = _state(prepared, out)
    begin(out, prepared)
    try:
        with tracked(prepared.config, out, resume=prepared.resume) as tracking:
            result = _run(prepared, state, out, progress, tracking.cycle)
            _write(out, prepared, result)
    finally:
        prepared.evaluator.close()
    return result


def _state(prepared: Prepared, out: Path | None) -> SearchState:
    """Where the search starts: the checkpoint it continues (a damaged one is refused), or a new search's start."""
    config, space = prepared.config, prepared.space
    if prepared.resume:
        return restore(prepared.saved, out, fitness_class(prepared.evaluator.direction), config.halloffame,
                       space.network_key)
    return SearchState(0, [], ScoreCache(space.network_key), tools.Logbook(), tools.HallOfFame(config.halloffame),
                       np.random.default_rng(config.seed))


def _run(prepared: Prepared, state: SearchState, out: Path | None, progress: bool,
         on_log: Callable[[dict], None]) -> SearchResult:
    """The search itself: strategy over the toolbox, one :class:`SearchRun`, a checkpoint after every cycle (with
    ``out``); ``on_log`` gets every cycle's log row (the trackers')."""
    config, space, evaluator = prepared.config, prepared.space, prepared.evaluator
    strategy = STRATEGIES.get(config.strategy)
    options, part_options = strategy.split(strategy.bind(config.strategy_options(), population=config.population))
    fitness = fitness_class(evaluator.direction)
    stop = StopRule(config.cycles, config.evaluations)
    toolbox = make_toolbox(space, evaluator.call, state.rng, fitness, tournament=options.pop("tournament", None),
                           remove=strategy.remove)
    if prepared.budget is not None and prepared.budget.cheap_limits:
        _redraw_within(toolbox, prepared.budget, ("individual", "mutate", "mate"))
    if prepared.resume:  # the checkpoint holds the initial population: the prior is never drawn (nor scored) again
        part_options["prior"] = None
    prior = PriorTally(part_options.get("prior"))
    if strategy.setup is not None:
        scorer_for = None
        if part_options.get("features") or part_options.get("prior"):
            scorer_for = prior.scorers(_feature_scorers(config, space, evaluator.device))
        strategy.setup(toolbox, space, state.rng, scorer_for, **part_options)
        if prepared.budget is not None and prepared.budget.cheap_limits:
            _redraw_within(toolbox, prepared.budget, ("mutate_ops",))
    if not prepared.resume:  # a warm start's architectures first, topped up by the strategy's own sampling
        started = time.perf_counter()
        state.population = seeded_population(prepared.init.genomes if prepared.init else (), config.population,
                                             lambda genome: Individual(genome, fitness=fitness()),
                                             lambda n: toolbox.population(n=n))
        state.prior_scorings = prior.calls
        if progress and prior.calls:
            print(f"{config.strategy} prior: {prior.name} scored {prior.calls} random architectures for the initial "
                  f"population in {time.perf_counter() - started:.0f} s (proxy scorings, no evaluation spent; "
                  f"--prior {NO_PRIOR} turns it off)", file=sys.stderr)
    if "rng" in strategy.options:
        options["rng"] = state.rng

    bar = Progress(config.strategy, cycles=config.cycles, evaluations=config.evaluations, enabled=progress)
    bar.start(state.cycle, state.cache.misses)

    logged = 0  # rows of log.csv written by this process (the first write after a start or resume writes it whole)

    def on_cycle(run: SearchRun, population: list) -> None:
        nonlocal logged
        state.cycle, state.population, state.logbook, state.stalled = run.cycle, population, run.logbook, run.stalled
        state.lanes, state.inflight = run.lanes, run.inflight
        if out is not None:
            from evonas.results import write_log

            save_checkpoint(out, state)
            write_log(out, run.logbook, start=logged)
            logged = len(run.logbook)
        last = run.logbook[-1]
        on_log(last)
        bar.update(run.cycle, run.spent, best=last["best"], params=last["best_params"], failed=run.failures)

    run = SearchRun(toolbox, stop, cache=state.cache, halloffame=state.halloffame,
                    logbook=state.logbook if prepared.resume else None, start=state.cycle if prepared.resume else None,
                    stalled=state.stalled, on_cycle=on_cycle, lanes=state.lanes, inflight=state.inflight)
    with make_map(config.workers, config.ray, evaluator.evaluate, gpus_per_worker=config.gpus_per_worker,
                  device=evaluator.device) as map_fn:
        toolbox.register("map", map_fn)
        population = strategy.search(state.population, toolbox, run, **options)
    bar.close()
    if not run.halloffame:
        if out is not None:
            from evonas.results import write_scored

            write_scored(out, space, run.cache)
        raise nothing_found(run.cache, config.budget, out)
    return SearchResult(_best(prepared, run, state.prior_scorings), population, run.logbook, run.halloffame,
                        run.cache, out)


def _redraw_within(toolbox: base.Toolbox, budget: Budget, parts: tuple[str, ...]) -> None:
    """Children over a cheap limit (params, flops) are drawn again rather than spent as infeasible evaluations.

    The population (the toolbox's, or a strategy's own, e.g. PRE-NAS's prior) draws through
    ``individual`` when it is called, so it is drawn within the limits too.
    """
    from evonas.costs import redraw_within

    for part in parts:
        if hasattr(toolbox, part):
            toolbox.decorate(part, redraw_within(budget))


def _best(prepared: Prepared, run: SearchRun, prior_scorings: int) -> dict[str, Any]:
    """The champion (the hall of fame's first) and the facts about it, as ``best.json`` holds them; a strategy with
    a prior also gets it and its ``prior_scorings`` (proxy scorings of the initial population, not evaluations)."""
    config, space, evaluator = prepared.config, prepared.space, prepared.evaluator
    champion = run.halloffame[0]
    best: dict[str, Any] = {
        "space": space.name, "native": space.to_native(champion.genome), "genome": champion.genome.to_json(),
        "score": champion.fitness.values[0], "params": champion.params,
        "evaluator": config.evaluator, "score_name": evaluator.name, "proxy": config.proxy, "strategy": config.strategy,
        "mu": config.mu, "sigma": config.sigma,
        "cycles": run.logbook[-1]["cycle"], "evaluations": run.spent, "cache_hits": run.cache.hits,
        "failed": run.failures, "infeasible": run.cache.infeasible, "train_params": space.count_params(champion.genome),
        "costs": run.cache.get(champion.genome).costs or {}, "budget": dict(config.budget),
        "seconds": round(float(sum(r["seconds"] for r in run.logbook)), 2),
    }
    if "prior" in STRATEGIES.get(config.strategy).options:
        best.update(prior=config.prior, prior_scorings=prior_scorings)
    if evaluator.report is not None:
        best.update(evaluator.report(champion.genome))
    if prepared.truth is not None:
        best.update(prepared.truth.report(space.to_native(champion.genome)))
    return best


def _write(out: Path, prepared: Prepared, result: SearchResult) -> None:
    """The run folder's results: best.json/.txt, scored.csv, log.csv, plots, the cell drawing."""
    from evonas.diagrams import draw_architecture
    from evonas.results import plot_run, write_best, write_log, write_scored

    config, space = prepared.config, prepared.space
    genome = Genome.from_json(result.best["genome"])
    write_best(out, space, result.best)
    write_scored(out, space, result.cache)
    write_log(out, result.logbook)
    mu = config.mu * 1e3 if config.mu is not None else None  # mu is in thousands of parameters
    name = prepared.evaluator.name
    plot_run(out, result.logbook, pd.read_csv(out / "scored.csv"), title=f"{config.strategy} on {config.space}, {name}",
             score_name=name, best=result.best, mu_params=mu)
    draw_architecture(space, genome, out / "cell.png")


@dataclass
class PriorTally:
    """A strategy's prior (``name``, None: none) and how many proxy scorings it spent (``calls``).

    :meth:`scorers` hands the strategy the prior's scorer counted, higher-is-better (a
    lower-is-better proxy is negated, so the prior keeps its best) and failures last.
    """

    name: str | None
    calls: int = 0

    def scorers(self, features: Callable[[str], tuple[Callable[[Genome], float | None], int]]
                ) -> Callable[[str], Callable[[Genome], float]]:
        """``scorer_for(name)``: the prior's counted scorer for the prior's name, the features' (0 where it fails) else.

        ``features(name)`` gives a proxy's ``genome -> score`` (None where it fails) and its direction.
        """
        def scorer_for(name: str) -> Callable[[Genome], float]:
            score, direction = features(name)
            if name != self.name:
                return lambda genome: score(genome) or 0.0

            def counted(genome: Genome) -> float:
                self.calls += 1
                value = score(genome)
                return -np.inf if value is None else direction * value

            return counted

        return scorer_for


def _feature_scorers(config: SearchConfig, space: SearchSpace,
                     device: str) -> Callable[[str], tuple[Callable[[Genome], float | None], int]]:
    """``scorer_for(proxy)``: a training-free ``genome -> score`` (None where it fails) for predictor features and
    priors, and the proxy's direction (+1: higher is better).

    The search's own scorer: on the space's scoring network (``--net`` sizes it, except with
    ``--evaluator train``, where it sizes the trained network) with the input batch of
    ``--data``, ``--repeats`` and ``--seed``; a regularised proxy is calibrated and an ensemble
    gets its reference sample, as the proxy evaluator does -- the search's ``--proxy`` with
    the evaluator's own ``mu`` and ``sigma`` (given, or as it calibrated them); on the
    evaluator's ``device`` (``--device``).
    """
    from evonas.costs import cheap_check
    from evonas.evaluators.builders import deploy_shape, run_batch, scoring_net_args
    from evonas.evaluators.proxy import make_scorer, on_device
    from evonas.fitness import get_proxy

    batch = on_device(run_batch(config), device)
    net_args = scoring_net_args(config, space, None if config.evaluator == "train" else config.net)

    within = cheap_check(space, config.budget, **deploy_shape(config))

    def scorer_for(name: str) -> tuple[Callable[[Genome], float | None], int]:
        own = {"mu": config.mu, "sigma": config.sigma} if config.evaluator == "proxy" and name == config.proxy else {}
        scorer = make_scorer(space, name, batch=batch, net_args=net_args, repeats=config.repeats, seed=config.seed,
                             within=within, **own)
        return (lambda genome: evaluate_safely(scorer, genome).score), get_proxy(name, **scorer.proxy_options).direction

    return scorer_for


__all__ = ["Prepared", "SearchResult", "check", "check_common", "check_single", "prepare", "resolve", "run_search",
           "search"]
