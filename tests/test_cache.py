"""The score cache: evaluations (failures included) by genome, with the genomes themselves kept."""

import json

import numpy as np

import evonas
from evonas.cache import Evaluation, ScoreCache, score_all
from evonas.errors import ProxyError


def test_cache_keeps_genomes_and_failures_through_json():
    space = evonas.get_space("nb201")
    genomes = [space.sample(np.random.default_rng(s)) for s in range(4)]

    def scorer(g):
        if g is genomes[2]:
            raise ProxyError("dead cell")
        return 1.0, 7

    cache = ScoreCache()
    results = score_all(genomes, scorer, cache)
    assert results[2] == Evaluation(None, None, "dead cell") and results[0] == Evaluation(1.0, 7)
    again = ScoreCache()
    again.load_json(json.loads(json.dumps(cache.to_json())))
    assert list(again.genomes.values()) == genomes and again.scores == cache.scores and again.failures == 1


def test_a_limit_scores_only_that_many_new_genomes():
    space = evonas.get_space("nb201")
    genomes = [space.sample(np.random.default_rng(s)) for s in range(5)]
    cache = ScoreCache()
    results = score_all(genomes, lambda g: 2.0, cache, limit=2)
    assert [r is not None for r in results] == [True, True, False, False, False] and cache.misses == 2
