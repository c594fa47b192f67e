"""SWAP-NAS as a DEAP-style algorithm, on a cheap proxy so it runs in milliseconds."""

import numpy as np
from deap import tools

import evonas
from evonas.cache import ScoreCache
from evonas.operators import Individual, MaxFitness
from evonas.strategy import make_toolbox
from evonas.strategy import evaluate_all, swap_nas

SPACE = evonas.get_space("nb201")
calls = []


def conv_count(genome):
    """A cheap stand-in proxy: how many 3x3 convolutions the cell has (max 6)."""
    calls.append(genome.key)
    return float((genome.cells[0] == 1).sum()), 1000


def run(seed, cycles=30, population=10, evaluate=conv_count):
    rng = np.random.default_rng(seed)
    toolbox = make_toolbox(SPACE, evaluate, rng, MaxFitness)
    pop = toolbox.population(n=population)
    hof = tools.HallOfFame(3)
    cache = ScoreCache()
    pop, log = swap_nas(pop, toolbox, cycles, 5, 0.5, rng, cache=cache, halloffame=hof)
    return pop, log, hof, cache


def test_search_beats_random_sampling_with_the_same_budget():
    found, random_best = [], []
    for seed in range(5):
        pop, log, hof, cache = run(seed)
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
    assert set(log[0]) >= {"cycle", "evals", "cache_hits", "best", "mean", "best_params", "seconds"}
    assert sum(r["evals"] for r in log) == cache.misses == len(calls) == len(set(calls))
    assert sum(r["cache_hits"] for r in log) == cache.hits > 0
    bests = [r["best"] for r in log]
    assert bests == sorted(bests)  # steady state with worst-removal never loses the best
    assert hof[0].fitness.values[0] == bests[-1]


def test_same_seed_same_result_other_seed_differs():
    a = run(3)[0]
    b = run(3)[0]
    c = run(4)[0]
    assert [i.genome for i in a] == [i.genome for i in b]
    assert [i.genome for i in a] != [i.genome for i in c]


def test_evaluate_all_accepts_plain_numbers_and_scores_each_genome_once():
    rng = np.random.default_rng(0)
    g = SPACE.sample(rng)
    seen = []
    toolbox = make_toolbox(SPACE, lambda genome: seen.append(genome) or 2.0, rng, MaxFitness)
    inds = [Individual(g), Individual(g), Individual(SPACE.sample(rng))]
    assert evaluate_all(toolbox, inds) == 2
    assert len(seen) == 2 and all(i.fitness.values == (2.0,) for i in inds) and inds[0].params is None
