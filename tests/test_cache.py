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


def test_checkpoint_journals_only_what_is_new_and_cuts_a_torn_tail(tmp_path, shared_data):
    """A checkpoint appends the cycle's new rows to journal.jsonl; what a killed run appended after it is cut on resume."""
    import json

    import pandas as pd

    from evonas.config import SearchConfig
    from evonas.facade import run_search

    def config(cycles: int) -> SearchConfig:
        return SearchConfig.from_dict(dict(space="nb201", strategy="rea", evaluator="table", population=6, seed=3,
                                           table=str(shared_data / "nb201_cifar10.csv"), cycles=cycles))

    whole, cut = tmp_path / "whole", tmp_path / "cut"
    run_search(config(12), whole, progress=False)
    run_search(config(5), cut, progress=False)
    saved = json.loads((cut / "checkpoint.json").read_text())
    assert set(saved["cache"]) == {"hits", "misses"} and "logbook" not in saved  # the rows live in the journal
    journal = (cut / "journal.jsonl").read_bytes()
    assert saved["journal"] == len(journal) and journal.count(b"\n") == len(saved["population"]) + 5 + 6
    with open(cut / "journal.jsonl", "ab") as f:  # killed after appending, before the checkpoint
        f.write(b'{"cache": ["torn", [[0')
    run_search(None, cut, resume=True, changes={"cycles": 12}, progress=False)
    for name in ("scored.csv", "log.csv"):
        a, b = pd.read_csv(whole / name), pd.read_csv(cut / name)
        assert a.drop(columns="seconds", errors="ignore").equals(b.drop(columns="seconds", errors="ignore")), name
    assert json.loads((whole / "best.json").read_text())["native"] == json.loads((cut / "best.json").read_text())["native"]
    assert b"torn" not in (cut / "journal.jsonl").read_bytes()
