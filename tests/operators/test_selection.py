import numpy as np
import pytest

import evonas
from evonas.operators import Individual, MinFitness, remove_worst, sel_tournament_top


def population(scores, fitness=None):
    space = evonas.get_space("nb201")
    rng = np.random.default_rng(0)
    pop = []
    for s in scores:
        ind = Individual(space.sample(rng), fitness=fitness() if fitness else None)
        ind.fitness.values = (s,)
        pop.append(ind)
    return pop


def test_tournament_returns_best_of_half_the_population():
    pop = population(range(10))
    rng = np.random.default_rng(0)
    firsts = set()
    for _ in range(200):
        best, second = sel_tournament_top(pop, 2, rng=rng)
        assert best.fitness.values[0] > second.fitness.values[0]
        assert best.fitness.values[0] >= 4  # best of 5 distinct scores out of 0..9
        firsts.add(best.fitness.values[0])
    assert firsts == {4, 5, 6, 7, 8, 9}


def test_tournament_honours_minimisation_and_sample_size():
    pop = population(range(10), fitness=MinFitness)
    (best,) = sel_tournament_top(pop, rng=np.random.default_rng(0), sample_size=10)
    assert best.fitness.values[0] == 0
    with pytest.raises(ValueError, match="cannot yield"):
        sel_tournament_top(pop, 3, rng=np.random.default_rng(0), sample_size=2)


def test_remove_worst():
    pop = population([3, 1, 2, 1])
    worst = remove_worst(pop)
    assert worst.fitness.values[0] == 1 and len(pop) == 3
    assert sorted(i.fitness.values[0] for i in pop) == [1, 2, 3]
