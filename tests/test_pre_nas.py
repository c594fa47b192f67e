"""PRE-NAS: stratified choice, topology-preserving mutation, the predictor, and the strategy on stand-in accuracies."""

import numpy as np
import pytest
from deap import tools
from scipy.stats import spearmanr

import evonas
from evonas.cache import ScoreCache
from evonas.errors import ConfigError
from evonas.operators import Individual, MaxFitness, sel_stratified
from evonas.predictor import ALIASES, Predictor, one_hot, regressor_class
from evonas.strategy import SearchRun, StopRule, get_strategy, make_toolbox
from evonas.strategy.pre_nas import MAX_OP_CHANGES

NB201 = evonas.get_space("nb201")


def conv_count(genome, parent=None):
    """A stand-in accuracy: how many 3x3 convolutions the cell has, plus a little for 1x1 ones."""
    m = genome.cells[0]
    return float((m == 1).sum() + 0.3 * (m == 2).sum()), 1000


# --- stratified selection -------------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_stratified_choice_takes_the_top_and_one_per_lower_stratum(k):
    names = [f"c{i}" for i in range(20)]
    predicted = np.arange(20.0)  # c19 is predicted best
    for seed in range(30):
        picked = sel_stratified(names, predicted, k, rng=np.random.default_rng(seed))
        assert len(picked) == len(set(picked)) == k
        assert picked[0] == "c19"
        rest = sorted(19 - int(p[1:]) - 1 for p in picked[1:])  # ranks among the other 19, 0 = second best
        strata = np.array_split(np.arange(19), k - 1) if k > 1 else []
        assert [int(np.searchsorted([s[-1] for s in strata], r)) for r in rest] == list(range(k - 1))


def test_stratified_choice_reaches_below_the_top_k():
    """Not top-k: over many draws the lower strata's candidates are evaluated too."""
    predicted = np.arange(20.0)
    seen = set()
    for seed in range(50):
        seen.update(sel_stratified(list(range(20)), predicted, 3, rng=np.random.default_rng(seed)))
    assert min(seen) < 5  # the bottom quarter was chosen at least once
    assert sel_stratified(["a", "b"], [1.0, 2.0], 3, rng=np.random.default_rng(0)) == ["b", "a"]
    with pytest.raises(ValueError, match="at least 1"):
        sel_stratified(["a"], [1.0], 0, rng=np.random.default_rng(0))


# --- topologically homogeneous offspring -------------------------------------------------


@pytest.mark.parametrize("name", evonas.list_spaces())
def test_candidates_differ_from_their_parent_in_ops_only(name):
    """PRE-NAS's offspring share the parent's graph: edges keep their places where a space fixes
    them (DARTS); on NB201, whose graph is the whole cell, one edge changes its op (none included)."""
    space = evonas.get_space(name)
    rng = np.random.default_rng(0)
    toolbox = make_toolbox(space, conv_count, rng, MaxFitness)
    get_strategy("pre-nas").setup(toolbox, space, rng, None)
    for _ in range(100):
        parent = Individual(space.sample(rng), fitness=MaxFitness())
        (child,) = toolbox.mutate_ops(toolbox.clone(parent))
        space.validate(child.genome)
        changed = sum(int((a != b).sum()) for a, b in zip(parent.genome.cells, child.genome.cells))
        assert changed == 1
        if space.rules.in_degree is not None or space.rules.node_ops:
            for a, b in zip(parent.genome.cells, child.genome.cells):
                assert np.array_equal(a != 0, b != 0)


# --- predictor ------------------------------------------------------------------------------


def test_one_hot_has_one_code_per_edge_position():
    genome = NB201.sample(np.random.default_rng(0))
    x = one_hot(NB201, genome)
    legal, allowed = NB201.rules.tables
    assert x.shape == (allowed.sum() * legal.sum(),)
    assert x.reshape(allowed.sum(), legal.sum()).sum(axis=1).tolist() == [1] * allowed.sum()


def test_random_forest_learns_a_function_of_the_ops():
    rng = np.random.default_rng(0)
    genomes = list({g.key: g for g in (NB201.sample(rng) for _ in range(300))}.values())
    y = [conv_count(g)[0] for g in genomes]
    model = Predictor(NB201).fit(genomes[:100], y[:100], seed=0)
    rho = spearmanr(model.predict(genomes[100:]), y[100:])[0]
    assert rho > 0.85


def test_every_alias_names_a_regressor_and_unknown_names_are_refused():
    for alias in ALIASES:
        assert hasattr(regressor_class(alias), "fit")
    assert regressor_class("ExtraTreesRegressor").__name__ == "ExtraTreesRegressor"
    with pytest.raises(ConfigError, match="not a scikit-learn regressor.*rf"):
        Predictor(NB201, "forest")


def test_extra_features_are_computed_once_per_architecture():
    calls = []

    def swap_like(genome):
        calls.append(genome.key)
        return float(len(calls))

    rng = np.random.default_rng(0)
    genomes = [NB201.sample(rng) for _ in range(5)]
    model = Predictor(NB201, features={"swap": swap_like})
    assert model.encode(genomes).shape[1] == one_hot(NB201, genomes[0]).size + 1
    model.fit(genomes, [1, 2, 3, 4, 5])
    model.predict(genomes)
    assert len(calls) == len({g.key for g in genomes})


def test_rank_target_fits_the_order_and_unknown_targets_are_refused():
    rng = np.random.default_rng(0)
    genomes = list({g.key: g for g in (NB201.sample(rng) for _ in range(300))}.values())
    y = [conv_count(g)[0] ** 3 for g in genomes]  # a monotone transform: the ranks are conv_count's
    model = Predictor(NB201, "svr", target="rank").fit(genomes[:100], y[:100], seed=0)
    predicted = model.predict(genomes[100:])
    assert spearmanr(predicted, y[100:])[0] > 0.85
    assert -0.5 < predicted.min() and predicted.max() < 1.5  # on the scale of ranks in [0, 1], not of y
    with pytest.raises(ConfigError, match="target = 'order'.*value, rank"):
        Predictor(NB201, target="order")


def test_a_prior_picks_the_initial_population_from_many_samples_without_evaluating_them():
    rng = np.random.default_rng(0)
    entry = get_strategy("pre-nas")
    evaluated = []
    toolbox = make_toolbox(NB201, lambda g, parent=None: evaluated.append(g) or conv_count(g), rng, MaxFitness)
    entry.setup(toolbox, NB201, rng, lambda name: (lambda g: conv_count(g)[0]), prior="conv", prior_samples=200)
    population = toolbox.population(n=10)
    assert len({ind.genome.key for ind in population}) == 10 and not evaluated
    prior_scores = [conv_count(ind.genome)[0] for ind in population]
    random_scores = [conv_count(NB201.sample(rng))[0] for _ in range(200)]
    assert min(prior_scores) >= np.quantile(random_scores, 0.9)  # the top 10 of 200 draws


def test_features_or_a_prior_without_scorers_are_refused():
    rng = np.random.default_rng(0)
    for options in ({"prior": "swap"}, {"features": ["swap"]}):
        with pytest.raises(ConfigError, match="need training-free scorers"):
            get_strategy("pre-nas").setup(make_toolbox(NB201, conv_count, rng, MaxFitness), NB201, rng, None, **options)
    with pytest.raises(ConfigError, match="prior_samples = 0: must be at least 1"):
        get_strategy("pre-nas").setup(make_toolbox(NB201, conv_count, rng, MaxFitness), NB201, rng,
                                      lambda name: conv_count, prior="conv", prior_samples=0)


# --- the strategy ---------------------------------------------------------------------------


def run_pre_nas(seed, evaluations, evaluate=conv_count, **options):
    rng = np.random.default_rng(seed)
    entry = get_strategy("pre-nas")
    toolbox = make_toolbox(NB201, evaluate, rng, MaxFitness, remove=entry.remove)
    search_options, parts = entry.split(options)
    entry.setup(toolbox, NB201, rng, None, **parts)
    cache, hof = ScoreCache(), tools.HallOfFame(1)
    search_run = SearchRun(toolbox, StopRule(None, evaluations), cache=cache, halloffame=hof)
    pop = entry.search(toolbox.population(n=10), toolbox, search_run, **search_options)
    return pop, search_run.logbook, hof, cache


def test_budget_is_the_number_of_evaluated_architectures():
    _, log, _, cache = run_pre_nas(0, 37)
    assert cache.misses == 37 == sum(r["evals"] for r in log)


def test_children_are_evaluated_with_their_parent_and_share_its_topology():
    pairs = []

    def evaluate(genome, parent=None):
        pairs.append((genome, parent))
        return conv_count(genome)

    run_pre_nas(1, 40, evaluate=evaluate)
    initial, children = pairs[:10], pairs[10:]
    assert all(parent is None for _, parent in initial)
    assert children and all(parent is not None for _, parent in children)
    for genome, parent in children:
        assert 1 <= (genome.cells[0] != parent.cells[0]).sum() <= MAX_OP_CHANGES  # an op-mutant of its parent


def test_pre_nas_beats_random_sampling_with_the_same_budget():
    found, random_best = [], []
    for seed in range(5):
        _, _, hof, cache = run_pre_nas(seed, 40)
        found.append(hof[0].fitness.values[0])
        rng = np.random.default_rng(seed + 100)
        random_best.append(max(conv_count(NB201.sample(rng))[0] for _ in range(cache.misses)))
    assert np.mean(found) > np.mean(random_best)


def test_pre_nas_refuses_options_it_does_not_take():
    with pytest.raises(ConfigError, match="strategy 'pre-nas' has no option mutations.*candidates"):
        get_strategy("pre-nas").bind({"mutations": 3})
    with pytest.raises(ConfigError, match="strategy 'swap-nas' has no option candidates"):
        get_strategy("swap-nas").bind({"candidates": 3})


def test_individuals_keep_their_params_from_the_evaluation():
    pop, *_ = run_pre_nas(2, 20)
    assert all(isinstance(ind, Individual) and ind.params == 1000 for ind in pop)


@pytest.mark.slow
def test_a_prior_is_kept_under_a_budget_and_stays_within_it():
    """A params budget redraws children; the prior's initial population survives it (issue 28, defect 5)."""
    limit = 6e5
    settings = dict(space="nb201", strategy="pre-nas", population=4, evaluations=4, samples=2, repeats=1,
                    net=dict(NB201.tiny_net_args), proxy="swap", candidates=4, budget={"params": limit})
    plain = evonas.search(**settings, prior="none")
    prior = evonas.search(**settings, prior="params", prior_samples=40)
    sizes = [NB201.count_params(ind.genome) for ind in prior.population]
    assert all(size <= limit for size in sizes)
    assert [i.genome.key for i in prior.population] != [i.genome.key for i in plain.population]
    assert sum(sizes) > sum(NB201.count_params(ind.genome) for ind in plain.population)  # the prior picks the largest


def test_features_and_prior_are_scored_on_the_device_of_the_search(monkeypatch):
    """--device moves the features' and the prior's input batch as it moves the evaluator's (faked: no GPU here)."""
    import torch

    import evonas.evaluators.proxy as proxy
    import evonas.facade
    from evonas.config import SearchConfig

    moved, real = [], proxy.on_device
    monkeypatch.setattr(proxy, "on_device", lambda batch, device: moved.append(device) or real(batch, "cpu"))
    evonas.facade._feature_scorers(SearchConfig(samples=2), NB201, "cuda:1")
    assert moved == ["cuda:1"]
    told, features = [], evonas.facade._feature_scorers
    monkeypatch.setattr(evonas.facade, "_feature_scorers", lambda config, space, device: told.append(device) or (
        lambda name: ((lambda genome: conv_count(genome)[0]), +1)))
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)  # --device auto: cuda
    evonas.search(space="nb201", strategy="pre-nas", candidates=4, prior="synflow", prior_samples=8, evaluations=5,
                  cycles=None, population=4, samples=2, repeats=1, device="auto", proxy="swap",
                  net=dict(NB201.tiny_net_args))
    assert told == ["cuda"] and moved[1:] == ["cuda"]  # the search's device, as the evaluator's batch has it


# --- the prior through evonas.search and the CLI (issue 30, item 5) -----------------------------
TINY = dict(space="nb201", strategy="pre-nas", population=4, samples=2, repeats=1, net=dict(NB201.tiny_net_args),
            proxy="swap", candidates=4, cycles=None, seed=5)
TINY_FLAGS = ["search", "--space", "nb201", "--strategy", "pre-nas", "--population", "4", "--samples", "2",
              "--repeats", "1", "--net", "C=4,N=1", "--proxy", "swap", "--candidates", "4", "--seed", "5"]


def test_the_prior_is_on_by_default_and_is_the_searchs_own_proxy(shared_data):
    from evonas.config import SearchConfig
    from evonas.facade import resolve

    table = str(shared_data / "nb201_cifar10.csv")
    assert resolve(SearchConfig(strategy="pre-nas", proxy="synflow")).prior == "synflow"
    assert resolve(SearchConfig(strategy="pre-nas", evaluator="table", table=table)).prior == "reg-swap"  # the default proxy
    assert resolve(SearchConfig(strategy="pre-nas", prior="none")).prior == "none"
    assert resolve(SearchConfig(strategy="rea")).prior is None  # a strategy without a prior gets none
    result = evonas.search(**{**TINY, "proxy": "synflow"}, evaluations=6, prior_samples=12)  # tiny SWAP ties
    assert result.best["prior"] == "synflow" and result.best["prior_scorings"] == 12 and result.best["evaluations"] == 6
    plain = evonas.search(**{**TINY, "proxy": "synflow"}, evaluations=6, prior="none")
    assert plain.best["prior"] == "none" and plain.best["prior_scorings"] == 0
    rea = evonas.search(**{**TINY, "proxy": "synflow", "strategy": "rea", "candidates": None}, evaluations=4)
    first = lambda r: [g.key for g in list(r.cache.genomes.values())[:4]]  # noqa: E731  the initial population
    assert first(plain) == first(rea) != first(result)  # off: the random initial sample every strategy draws


def test_a_lower_is_better_prior_keeps_its_lowest_and_failures_come_last():
    from evonas.facade import PriorTally
    from evonas.strategy.pre_nas import top_by_prior

    tally = PriorTally("ntk")
    score = tally.scorers(lambda name: ((lambda g: None if conv_count(g)[0] == 0 else conv_count(g)[0]), -1))("ntk")
    toolbox = make_toolbox(NB201, conv_count, np.random.default_rng(0), MaxFitness)
    chosen = [conv_count(ind.genome)[0] for ind in top_by_prior(toolbox, score, 200, 10)]
    assert tally.calls >= 190 and 0 not in chosen and max(chosen) <= 1.0 + 1e-9  # the lowest, none of the failed


def test_prior_none_turns_it_off_and_its_scorings_are_recorded(tmp_path, capsys):
    from evonas.cli import main
    import json

    on, off = tmp_path / "on", tmp_path / "off"
    assert main([*TINY_FLAGS, "--evaluations", "6", "--prior-samples", "10", "--out", str(on)]) == 0
    assert "pre-nas prior: swap scored 10 random architectures" in capsys.readouterr().err
    assert main([*TINY_FLAGS, "--evaluations", "6", "--prior", "none", "--no-progress", "--out", str(off)]) == 0
    best_on, best_off = (json.loads((d / "best.json").read_text()) for d in (on, off))
    assert (best_on["prior"], best_on["prior_scorings"], best_on["evaluations"]) == ("swap", 10, 6)
    assert (best_off["prior"], best_off["prior_scorings"]) == ("none", 0)
    assert json.loads((on / "resolved.json").read_text())["prior"] == "swap"
    assert json.loads((on / "checkpoint.json").read_text())["prior_scorings"] == 10


def test_a_resumed_run_keeps_the_priors_initial_population_and_never_scores_it_again(tmp_path, monkeypatch):
    import json

    import evonas.facade
    from evonas.cli import main

    whole, part = tmp_path / "whole", tmp_path / "part"
    args = [*TINY_FLAGS, "--prior-samples", "10", "--no-progress"]
    assert main([*args, "--evaluations", "12", "--out", str(whole)]) == 0
    assert main([*args, "--evaluations", "6", "--out", str(part)]) == 0

    def no_scoring(*args, **kwargs):
        raise AssertionError("a resume scored the prior again")

    monkeypatch.setattr(evonas.facade, "_feature_scorers", no_scoring)
    assert main(["search", "--resume", str(part), "--evaluations", "12", "--no-progress"]) == 0
    assert (whole / "scored.csv").read_text() == (part / "scored.csv").read_text()  # the same initial 4 and after
    a, b = (json.loads((d / "best.json").read_text()) for d in (whole, part))
    assert b["prior_scorings"] == 10 and {k: v for k, v in a.items() if k != "seconds"} == {
        k: v for k, v in b.items() if k != "seconds"}


def test_a_folder_from_before_the_default_prior_resumes_as_it_ran_without_one(tmp_path):
    """Its config saved ``prior: null``, which then meant no prior: the record must not turn it into reg-swap."""
    import json

    from evonas.cli import main

    run = tmp_path / "old"
    assert main([*TINY_FLAGS, "--prior", "none", "--evaluations", "6", "--no-progress", "--out", str(run)]) == 0
    for name in ("config.json", "resolved.json"):  # as a folder written before issue 30 holds them
        path = run / name
        path.write_text(json.dumps({**json.loads(path.read_text()), "prior": None}))
    assert main(["search", "--resume", str(run), "--evaluations", "12", "--no-progress"]) == 0
    best = json.loads((run / "best.json").read_text())
    assert json.loads((run / "resolved.json").read_text())["prior"] == "none"
    assert best["prior"] == "none" and best["prior_scorings"] == 0


@pytest.mark.parametrize("value", ["swpa", "None "])
def test_a_bad_prior_is_refused_in_one_line_before_anything_is_written(tmp_path, capsys, value):
    from evonas.cli import main

    out = tmp_path / "run"
    assert main([*TINY_FLAGS, "--prior", value, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"--prior {value}" in err and "give none" in err and "reg-swap" in err
    assert not out.exists()
