"""Strategies as DEAP-style algorithms, on a cheap stand-in proxy so they run in milliseconds."""

import math

import numpy as np
import pytest
from deap import tools

import evonas
from evonas.cache import Evaluation, ScoreCache
from evonas.errors import ConfigError, ProxyError
from evonas.operators import Individual, MaxFitness, MinFitness
from evonas.strategy import (
    STRATEGIES,
    SearchRun,
    StopRule,
    evaluate_all,
    get_strategy,
    make_toolbox,
    random_search,
    regularised_evolution,
    swap_nas,
)

SPACE = evonas.get_space("nb201")
calls = []


def conv_count(genome):
    """A cheap stand-in proxy: how many 3x3 convolutions the cell has (max 6)."""
    calls.append(genome.key)
    return float((genome.cells[0] == 1).sum()), 1000


def run(seed, cycles=30, population=10, evaluate=conv_count, strategy="swap-nas", evaluations=None, **options):
    rng = np.random.default_rng(seed)
    entry = get_strategy(strategy)
    toolbox = make_toolbox(SPACE, evaluate, rng, MaxFitness, remove=entry.remove)
    pop = toolbox.population(n=population)
    hof = tools.HallOfFame(3)
    cache = ScoreCache()
    if "rng" in entry.options:
        options["rng"] = rng
    search_run = SearchRun(toolbox, StopRule(cycles, evaluations), cache=cache, halloffame=hof)
    pop = entry.search(pop, toolbox, search_run, **options)
    return pop, search_run.logbook, hof, cache


@pytest.mark.parametrize("strategy", ["swap-nas", "rea"])
def test_evolution_beats_random_sampling_with_the_same_budget(strategy):
    found, random_best = [], []
    for seed in range(5):
        pop, log, hof, cache = run(seed, strategy=strategy, cycles=None, evaluations=60)
        assert cache.misses == 60
        found.append(hof[0].fitness.values[0])
        rng = np.random.default_rng(seed + 100)
        random_best.append(max(conv_count(SPACE.sample(rng))[0] for _ in range(cache.misses)))
    assert np.mean(found) > np.mean(random_best)
    assert max(found) == 6


def test_logbook_population_size_and_cache():
    calls.clear()
    pop, log, hof, cache = run(0, cycles=15)
    assert len(pop) == 10
    assert [r["cycle"] for r in log] == list(range(16))
    assert set(log[0]) >= {"cycle", "evals", "cache_hits", "failed", "best", "mean", "best_params", "distinct", "seconds"}
    assert sum(r["evals"] for r in log) == cache.misses == len(calls) == len(set(calls))
    bests = [r["best"] for r in log]
    assert bests == sorted(bests)  # steady state with worst-removal never loses the best
    assert hof[0].fitness.values[0] == bests[-1]
    assert all(1 <= r["distinct"] <= 10 for r in log)


def test_children_already_scored_are_redrawn(monkeypatch):
    """A converging population keeps finding new architectures instead of idling on cache hits."""
    redrawn = [run(seed, cycles=20)[3] for seed in range(4)]
    monkeypatch.setattr("evonas.strategy.run.REDRAWS", 1)
    plain = [run(seed, cycles=20)[3] for seed in range(4)]
    assert sum(c.misses for c in redrawn) > 1.3 * sum(c.misses for c in plain)
    assert sum(c.hits for c in redrawn) < sum(c.hits for c in plain)


@pytest.mark.parametrize("budget", [10, 37, 100])
def test_evaluation_budget_is_exact(budget):
    for strategy in ("swap-nas", "rea", "random"):
        pop, log, hof, cache = run(1, cycles=None, evaluations=budget, strategy=strategy)
        assert cache.misses == budget == sum(r["evals"] for r in log), strategy
    pop, log, hof, cache = run(1, cycles=3, evaluations=1000)
    assert log[-1]["cycle"] == 3  # cycles stop first


def test_a_search_without_limits_is_refused():
    with pytest.raises(ConfigError, match="limit"):
        run(0, cycles=None)


def test_rea_removes_the_oldest_and_keeps_age_order():
    pop, log, hof, cache = run(2, cycles=25, strategy="rea")
    assert len(pop) == 10 and [r["cycle"] for r in log] == list(range(26))
    # after 25 cycles of one child each, the 10 members are the 10 youngest children
    assert all(r["evals"] + r["cache_hits"] == 1 for r in log[1:])


def test_random_search_keeps_the_best_it_scored():
    pop, log, hof, cache = run(3, cycles=40, strategy="random")
    best = max(s.score for s in cache.scores.values())
    assert hof[0].fitness.values[0] == best == max(ind.fitness.values[0] for ind in pop)


def failing_on_pools(genome):
    """Fails (as a dead cell does) on every cell with an average pool; else counts 3x3 convolutions."""
    if (genome.cells[0] == 3).any():
        raise ProxyError("zero output")
    return conv_count(genome)


@pytest.mark.parametrize("strategy", ["swap-nas", "rea", "random"])
def test_failed_architectures_are_the_worst_fitness_and_counted(strategy):
    pop, log, hof, cache = run(4, cycles=20, evaluate=failing_on_pools, strategy=strategy)
    failed = [k for k, e in cache.scores.items() if e.failed]
    assert failed and sum(r["failed"] for r in log) == len(failed) == cache.failures
    assert all(e.error == "zero output" for e in cache.scores.values() if e.failed)
    assert all(math.isfinite(ind.fitness.values[0]) for ind in hof)
    assert all(r["best"] is not None and math.isfinite(r["best"]) for r in log)


def test_failure_is_worst_for_lower_is_better_fitness_too():
    toolbox = make_toolbox(SPACE, lambda g: (_ for _ in ()).throw(ProxyError("nan")), np.random.default_rng(0), MinFitness)
    ind = Individual(SPACE.sample(np.random.default_rng(0)), fitness=MinFitness())
    good = Individual(SPACE.sample(np.random.default_rng(1)), fitness=MinFitness())
    good.fitness.values = (1e9,)
    assert evaluate_all(toolbox, [ind]) == [ind]
    assert ind.fitness.values == (math.inf,) and good.fitness > ind.fitness


def test_same_seed_same_result_other_seed_differs():
    for strategy in ("swap-nas", "rea", "random"):
        (a, _, _, ca), (b, _, _, cb), (_, _, _, cc) = (run(s, strategy=strategy) for s in (3, 3, 4))
        assert [i.genome for i in a] == [i.genome for i in b] and list(ca.scores) == list(cb.scores)
        assert list(ca.scores) != list(cc.scores)  # the architectures scored, in order


def test_evaluate_all_accepts_plain_numbers_and_scores_each_genome_once():
    rng = np.random.default_rng(0)
    g = SPACE.sample(rng)
    seen = []
    toolbox = make_toolbox(SPACE, lambda genome: seen.append(genome) or 2.0, rng, MaxFitness)
    inds = [Individual(g), Individual(g), Individual(SPACE.sample(rng))]
    assert evaluate_all(toolbox, inds) == inds
    assert len(seen) == 2 and all(i.fitness.values == (2.0,) for i in inds) and inds[0].params is None


def test_evaluate_all_within_a_limit_returns_only_the_scored():
    rng = np.random.default_rng(0)
    toolbox = make_toolbox(SPACE, conv_count, rng, MaxFitness)
    inds = toolbox.population(n=5)
    cache = ScoreCache()
    scored = evaluate_all(toolbox, inds, cache, limit=3)
    assert len(scored) == 3 == cache.misses and all(not i.fitness.valid for i in inds if i not in scored)


def test_registry_lists_strategies_and_refuses_options_they_do_not_take():
    assert {"swap-nas", "rea", "random"} <= set(STRATEGIES.names())
    assert get_strategy("swap-nas").options == ("mutations", "crossover", "window", "rng", "tournament")
    assert get_strategy("rea").bind({"tournament": 3, "mutations": None}) == {"tournament": 3}
    with pytest.raises(ConfigError, match="strategy 'rea' has no option crossover"):
        get_strategy("rea").bind({"crossover": 0.5})
    with pytest.raises(ConfigError, match="tournament"):
        get_strategy("random").bind({"tournament": 3})
    with pytest.raises(evonas.UnknownNameError, match="Did you mean 'rea'"):
        get_strategy("reaa")


def test_strategy_functions_are_exported():
    assert swap_nas.__name__ == "swap_nas" and regularised_evolution and random_search
    assert Evaluation(None).failed and not Evaluation(1.0).failed
