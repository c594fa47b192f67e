"""Costs of the network to deploy -- params, flops, latency -- as measures, objectives and budgets in every search."""

from __future__ import annotations

import json
import pickle
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

import evonas
import evonas.config
import evonas.facade
from evonas.cli import main
from evonas.config import MooConfig, SearchConfig, read_run_config
from evonas.costs import COSTS, Budget, Costed, Latency, list_costs, make_cost, read_latency_table
from evonas.encodings.genome import digest
from evonas.errors import ConfigError, DataError, UnknownNameError
from evonas.evaluation import Evaluation
from evonas.moo import run_moo
from evonas.strategy import STRATEGIES

SPACES = evonas.list_spaces()
NB201 = evonas.get_space("nb201")


@pytest.fixture(autouse=True)
def _one_thread(one_thread):
    """One torch thread (the shared fixture)."""


@pytest.fixture
def fake_latency(monkeypatch):
    """Latency without timing: a deterministic function of the architecture (ms in [1, 9)), every call recorded."""
    timed: list[str] = []

    def fake(self, genome):
        native = self.space.to_native(genome)
        timed.append(native)
        return 1.0 + int(digest(native)[:4], 16) % 8000 / 1000

    monkeypatch.setattr(Latency, "time", fake)
    return timed


def key(native: str) -> str:
    """The network key of an NB201 architecture: what latency tables are looked up by."""
    return NB201.network_key(NB201.from_native(native))


def tiny(**values) -> dict:
    """A tiny single-objective NB201 search: plain SWAP on the smallest scoring network."""
    return {"space": "nb201", "population": 4, "samples": 2, "repeats": 1, "seed": 1, "proxy": "swap",
            "net": dict(NB201.tiny_net_args), "evaluations": 12, "cycles": None, **values}


# ---- the measures ---------------------------------------------------------------------------
@pytest.mark.parametrize("space", SPACES)
@pytest.mark.parametrize("name", list_costs())
def test_every_cost_measures_every_space(name, space, fake_latency):
    sp = evonas.get_space(space)
    cost = make_cost(name, sp)
    values = [cost.measure(sp.sample(np.random.default_rng(seed))) for seed in range(3)]
    assert all(np.isfinite(v) and v > 0 for v in values)
    assert cost.name == name and COSTS.get(name).unit
    again = pickle.loads(pickle.dumps(cost))  # costs travel to worker processes
    assert again.measure(sp.sample(np.random.default_rng(0))) == values[0]


def test_real_latency_is_a_positive_median_with_threads_restored():
    cost = Latency(NB201, runs=3, warmup=1, threads=1)
    threads = torch.get_num_threads()
    ms = Latency.time(cost, NB201.from_native("|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|"))
    assert ms > 0 and torch.get_num_threads() == threads
    with pytest.raises(ConfigError, match="--latency-runs 0"):
        Latency(NB201, runs=0)


@pytest.mark.parametrize("space", SPACES)
def test_flops_agree_with_torchs_own_counter(space):
    """Counted on the meta device; torch's FlopCounterMode on a real forward pass counts 2 FLOPs per MAC."""
    sp, cost = evonas.get_space(space), make_cost("flops", evonas.get_space(space))
    for seed in range(4):
        genome = sp.sample(np.random.default_rng(seed))
        net = sp.build(genome).eval()
        with FlopCounterMode(display=False) as counter, torch.no_grad():
            net(torch.zeros(1, *sp.input_shape))
        assert cost.measure(genome) == counter.get_total_flops() / 2


def test_params_are_those_of_the_nb201_cifar10_network(shared_data):
    table = pd.read_csv(shared_data / "nb201_cifar10.csv").sample(500, random_state=0)
    cost = make_cost("params", NB201)
    measured = np.array([cost.measure(NB201.from_native(a)) for a in table["arch"]]) / 1e6
    np.testing.assert_allclose(measured, table["params_m_cifar10"], atol=5e-7)


# ---- the latency table and cache ---------------------------------------------------------
CONV = "|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|"
POOL = "|avg_pool_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|"


@pytest.mark.parametrize("rows, message", [
    ("arch,time\nx,1\n", "no column 'ms'"),
    (f"arch,ms\n{CONV},2.5\n|conv_9x9~0|,1\n", "row 3, column 'arch': '|conv_9x9~0|' is not a nb201 architecture"),
    (f"arch,ms\n{CONV},0\n", "row 2, column 'ms': '0' is not a finite number > 0"),
    (f"arch,ms\n{CONV},fast\n", "row 2, column 'ms': 'fast' is not a finite number > 0"),
    (f"arch,ms\n{CONV},inf\n", "row 2, column 'ms': 'inf' is not a finite number > 0"),
    # issue 28, defect 11: a repeated row was read last-wins
    (f"arch,ms\n{CONV},2.5\n{POOL},1\n {CONV} ,2.6\n", "rows 2 and 4 are the same nb201 network"),
])
def test_a_bad_latency_table_is_one_line_naming_file_and_row(tmp_path, rows, message):
    path = tmp_path / "lat.csv"
    path.write_text(rows)
    with pytest.raises(DataError) as err:
        read_latency_table(path, NB201)
    assert str(err.value).startswith(f"--latency-table {path}: ") and message in str(err.value)
    assert "\n" not in str(err.value)
    with pytest.raises(DataError, match=re.escape(message)):
        evonas.facade.run_search(SearchConfig.from_dict(tiny(budget="latency=5", latency_table=str(path))),
                                 tmp_path / "run", progress=False)
    assert not (tmp_path / "run").exists(), "checked before the folder is written"


def test_a_latency_table_is_looked_up_by_network_however_written(tmp_path, fake_latency):
    path = tmp_path / "lat.csv"
    path.write_text(f"arch,ms\n  {CONV} ,2.5\n{POOL},1\n")
    cost = Latency(NB201, table=path)
    assert cost.measure(NB201.from_native(CONV)) == 2.5 and cost.measure(NB201.from_native(POOL)) == 1
    assert fake_latency == []


def test_the_runs_own_latency_cache_keeps_the_first_of_two_timings(tmp_path, fake_latency):
    """Two workers may both time one architecture and append it: a resume reads the first, it does not refuse."""
    cache = tmp_path / "latency.csv"
    cache.write_text(f"arch,ms\n{CONV},2.5\n{POOL},1\n{CONV},2.7\n")
    assert Latency(NB201, cache=cache).measure(NB201.from_native(CONV)) == 2.5 and fake_latency == []
    cache.write_text(f"arch,ms\n{CONV},-1\n")
    with pytest.raises(DataError, match=rf"^the run's {re.escape(str(cache))}: row 2, column 'ms'"):
        Latency(NB201, cache=cache).measure(NB201.from_native(CONV))


def test_a_latency_table_is_read_not_timed_and_a_run_writes_one(tmp_path, fake_latency):
    first = tmp_path / "first"
    evonas.facade.run_search(SearchConfig.from_dict(tiny(budget="latency=100")), first, progress=False)
    timed = list(fake_latency)
    table = read_latency_table(first / "latency.csv", NB201)
    assert sorted(table) == sorted(key(native) for native in timed) and len(set(timed)) == len(timed)
    fake_latency.clear()
    again = evonas.facade.run_search(SearchConfig.from_dict(tiny(budget="latency=100",
                                                                 latency_table=str(first / "latency.csv"))),
                                     tmp_path / "again", progress=False)
    assert fake_latency == [] and again.best["costs"]["latency"] == table[key(again.best["native"])]


def test_a_killed_and_resumed_run_times_no_architecture_twice(tmp_path, fake_latency, monkeypatch):
    run = tmp_path / "run"
    evonas.facade.run_search(SearchConfig.from_dict(tiny(budget="latency=100", evaluations=None, cycles=1)), run,
                             progress=False)
    before = len(fake_latency)
    timing = Latency.time

    def killed(self, genome):  # the process dies after timing two architectures past the last checkpoint
        if len(fake_latency) == before + 2:
            raise KeyboardInterrupt
        return timing(self, genome)

    monkeypatch.setattr(Latency, "time", killed)
    with pytest.raises(KeyboardInterrupt):
        evonas.facade.run_search(None, run, resume=True, changes={"cycles": 4}, progress=False)
    monkeypatch.setattr(Latency, "time", timing)
    result = evonas.facade.run_search(None, run, resume=True, changes={"cycles": 4}, progress=False)
    assert len(fake_latency) > before + 2 and len(set(fake_latency)) == len(fake_latency), "each timed once"
    assert result.best["cycles"] == 4
    scored = pd.read_csv(run / "scored.csv")
    assert set(map(key, scored["native"])) <= set(read_latency_table(run / "latency.csv", NB201))


ARCHS = [NB201.to_native(NB201.sample(np.random.default_rng(seed))) for seed in range(12)]


def _time_all(cache: str, order: list[str], start) -> None:
    """A worker process: wait for the others, then measure every architecture of ``order`` against the shared cache."""
    import time

    def slow(self, genome):  # long enough that the workers' timings would overlap without the lock
        time.sleep(0.01)
        return 2.0

    Latency.time = slow
    start.wait()
    latency = Latency(NB201, cache=cache)
    for native in order:
        latency.measure(NB201.from_native(native))


def test_workers_appending_at_once_leave_a_well_formed_cache_with_each_architecture_timed_once(tmp_path):
    import multiprocessing

    cache = tmp_path / "latency.csv"
    context = multiprocessing.get_context("fork")
    start = context.Barrier(4)
    workers = [context.Process(target=_time_all, args=(str(cache), ARCHS[i:] + ARCHS[:i], start)) for i in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(30)
    assert [w.exitcode for w in workers] == [0] * 4
    lines = cache.read_text().splitlines()
    assert lines[0] == "arch,ms" and sorted(lines[1:]) == sorted(f"{a},2" for a in set(ARCHS)), "each timed once"
    assert read_latency_table(cache, NB201) == {NB201.network_key(NB201.from_native(a)): 2.0 for a in ARCHS}


@pytest.mark.parametrize("text, torn", [("", False), ("arch,ms\n{0},3\n", False), ("arch,m", True),
                                        ("arch,ms\n{0},3\n|nor_conv_3x3~0|+|no", True), ("arch,ms\n{0},3", True)])
def test_a_torn_or_empty_cache_is_repaired_not_an_error(tmp_path, fake_latency, text, torn):
    """A process killed while writing latency.csv (or before its header) leaves a line without its end: cut off."""
    import warnings

    cache = tmp_path / "latency.csv"
    cache.write_text(text.format(ARCHS[0]))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ms = Latency(NB201, cache=cache).measure(NB201.from_native(ARCHS[1]))
    assert [str(w.message).count("half-written") for w in caught] == ([1] if torn else [])
    known = {key(ARCHS[0]): 3.0} if text.count("\n") >= 2 else {}
    assert read_latency_table(cache, NB201) == {**known, key(ARCHS[1]): ms}
    assert fake_latency == [ARCHS[1]]


def key(native: str) -> str:
    """The network key latencies are kept under."""
    return NB201.network_key(NB201.from_native(native))


def test_an_architecture_two_workers_meet_is_timed_once(tmp_path, fake_latency):
    """Two cycles in flight on two workers: each worker's copy of the cost sees what the other timed meanwhile."""
    latency = Latency(NB201, cache=tmp_path / "latency.csv")
    latency.measure(NB201.from_native(ARCHS[0]))
    first, second = (pickle.loads(pickle.dumps(latency)) for _ in range(2))  # as each worker receives it
    assert first.measure(NB201.from_native(ARCHS[0])) == second.measure(NB201.from_native(ARCHS[0]))  # read back
    first.measure(NB201.from_native(ARCHS[1]))
    assert second.measure(NB201.from_native(ARCHS[1])) == first.times[key(ARCHS[1])]  # timed by the first meanwhile
    assert fake_latency == ARCHS[:2]


def test_a_bad_row_in_the_runs_own_cache_names_latency_csv_not_the_flag(tmp_path):
    cache = tmp_path / "latency.csv"
    cache.write_text(f"arch,ms\n{ARCHS[0]},fast\n")
    with pytest.raises(evonas.errors.DataError, match=r"^the run's .*latency.csv: row 2, column 'ms': 'fast' .*the run's latency cache") as err:
        Latency(NB201, cache=cache).measure(NB201.from_native(ARCHS[1]))
    assert "--latency-table" not in str(err.value) and "\n" not in str(err.value)


def test_a_resume_may_not_move_a_run_whose_latencies_it_times(tmp_path, fake_latency, monkeypatch):
    run = tmp_path / "run"
    evonas.facade.run_search(SearchConfig.from_dict(tiny(budget="latency=100", evaluations=None, cycles=1)), run,
                             progress=False)
    before = {p.name: p.read_bytes() for p in run.iterdir() if p.is_file()}
    with monkeypatch.context() as m, \
            pytest.raises(ConfigError, match=r"--device auto cannot change when resuming .*timed on cpu") as err:
        m.setattr(torch.cuda, "is_available", lambda: True)  # --device auto: cuda here
        evonas.facade.run_search(None, run, resume=True, changes={"cycles": 2, "device": "auto"}, progress=False)
    assert "latency.csv" in str(err.value) and "\n" not in str(err.value)
    assert {p.name: p.read_bytes() for p in run.iterdir() if p.is_file()} == before, "refused before anything is written"
    reads = []
    monkeypatch.setattr(evonas.config, "read_run_config", lambda folder: reads.append(folder) or read_run_config(folder))
    evonas.facade.run_search(None, run, resume=True, changes={"cycles": 2, "device": "cpu"}, progress=False)
    assert reads == [run], "the one resume rule reads the saved config once, the device rule with it"


@pytest.mark.parametrize("kind, values, moves", [
    (SearchConfig, tiny(budget="latency=100"), False),
    (MooConfig, {"objectives": "swap,latency"}, False),
    (SearchConfig, tiny(budget="latency=100", latency_table="t.csv"), True),  # nothing is timed
    (SearchConfig, tiny(budget="params=1e6"), True),  # no latency measured
])
def test_the_resume_rule_keeps_the_device_of_a_run_that_times_latency(tmp_path, kind, values, moves):
    kind.from_dict(values).save(tmp_path)
    if moves:
        assert kind.resumed(tmp_path, {"device": "cuda:1"})[1].device == "cuda:1"
        return
    with pytest.raises(ConfigError, match=r"^--device cuda:1 cannot change when resuming .*: its latencies \(.*"
                                          r"latency.csv\) were timed on cpu; resume with --device cpu, or start a new "
                                          r"run with --out$"):
        kind.resumed(tmp_path, {"device": "cuda:1"})
    assert kind.resumed(tmp_path, {"device": "cpu", "cycles": 3})[1].cycles == 3, "the same device is no change"


def test_auto_is_the_device_it_stands_for_when_a_resume_keeps_the_device(tmp_path, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    SearchConfig.from_dict(tiny(budget="latency=100")).save(tmp_path)
    assert SearchConfig.resumed(tmp_path, {"device": "auto"})[1].device == "auto", "auto is cpu here"


def test_a_failed_evaluation_keeps_its_costs(tmp_path):
    """The costs are measured before the evaluator runs: its failure loses its score, not them (scored.csv)."""
    from evonas.cache import ScoreCache, evaluate_safely
    from evonas.errors import ProxyError
    from evonas.results import write_scored

    def evaluate(genome, parent=None):
        raise ProxyError("the proxy is nan")

    genome, parent = (NB201.from_native(a) for a in ARCHS[:2])
    costed = Costed(evaluate, Budget((make_cost("params", NB201), make_cost("flops", NB201)), {"params": 1e9}))
    result = evaluate_safely(costed, (genome, parent))
    assert result.failed and not result.infeasible and result.error == "the proxy is nan"
    assert result.costs == {"params": NB201.count_params(genome), "flops": make_cost("flops", NB201).measure(genome)}
    cache = ScoreCache()
    cache.store(genome, result)
    scored = pd.read_csv(write_scored(tmp_path, NB201, cache))
    assert scored.loc[0, "status"] == "failed" and scored.loc[0, "cost_params"] == result.costs["params"]


# ---- budgets --------------------------------------------------------------------------------
def test_an_over_budget_architecture_is_never_scored():
    def evaluate(genome):
        raise AssertionError("scored an architecture over budget")

    genome = NB201.from_native("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|")
    costed = Costed(evaluate, Budget((make_cost("params", NB201), make_cost("flops", NB201)), {"flops": 1e8}))
    result = costed(genome)
    assert result.infeasible and result.failed and result.error.startswith("over budget: flops")
    assert round(result.costs["params"] / 1e4) == 153 and result.costs["flops"] > 1e8  # the 1.53 M all-conv cell
    assert not Evaluation(None, None, "a proxy failed").infeasible


@pytest.mark.parametrize("window", [1, 3])
@pytest.mark.parametrize("strategy", sorted(STRATEGIES.names()))
def test_over_budget_is_never_best_in_any_strategy(strategy, window, tmp_path, fake_latency):
    """A timed budget (never redrawn) meets over-budget children: infeasible, counted in log.csv, never best,
    with one cycle in flight or several (the pipelined steady state settles them the same way)."""
    options = {"pre-nas": {"candidates": 4, "per_cycle": 2, "predictor": "linear", "prior_samples": 4}}.get(strategy, {})
    if window > 1:
        if "window" not in STRATEGIES.get(strategy).options:
            pytest.skip(f"{strategy} has no window")
        options["window"] = window
    run = tmp_path / "run"
    result = evonas.facade.run_search(
        SearchConfig.from_dict(tiny(strategy=strategy, budget="latency=4.5,params=1e6", evaluations=16, **options)),
        run, progress=False)
    scored, log = pd.read_csv(run / "scored.csv"), pd.read_csv(run / "log.csv")
    infeasible = scored[scored["status"] == "infeasible"]
    assert len(infeasible) > 0 and log["infeasible"].sum() == len(infeasible) == result.best["infeasible"]
    assert infeasible["score"].isna().all() and infeasible["error"].str.startswith("over budget:").all()
    best = json.loads((run / "best.json").read_text())
    assert best["costs"]["latency"] <= 4.5 and best["costs"]["params"] <= 1e6
    assert best["budget"] == {"latency": 4.5, "params": 1e6}
    for ind in result.halloffame:
        costs = result.cache.get(ind.genome).costs
        assert costs["latency"] <= 4.5 and costs["params"] <= 1e6
    assert {"cost_latency", "cost_params"} <= set(scored.columns)


@pytest.mark.parametrize("strategy", sorted(STRATEGIES.names()))
def test_a_cheap_budget_redraws_children_rather_than_spending_evaluations(strategy):
    options = {"pre-nas": {"candidates": 4, "per_cycle": 2, "predictor": "linear", "prior_samples": 4}}.get(strategy, {})
    limit = 3e5  # about a quarter of NB201 is within it
    result = evonas.search(**tiny(strategy=strategy, budget={"params": limit}, evaluations=16, **options))
    costs = [e.costs["params"] for e in result.cache.scores.values()]
    assert len(costs) == 16 and max(costs) <= limit and result.best["costs"]["params"] <= limit
    free = evonas.search(**tiny(strategy=strategy, evaluations=16, **options))
    assert max(NB201.count_params(g) for g in free.cache.genomes.values()) > limit, "the budget binds"


def test_multi_objective_budgets_are_constraints(tmp_path):
    run = tmp_path / "run"
    result = run_moo(MooConfig.from_dict({"space": "nb201", "population": 8, "cycles": 3, "samples": 2, "repeats": 1,
                                          "net": dict(NB201.tiny_net_args), "objectives": "swap,flops",
                                          "budget": "params=3e5"}), run, progress=False)
    front = pd.read_csv(run / "front.csv")
    assert {"cost_flops"} <= set(front.columns) and len(result.front) >= 1
    assert all(NB201.count_params(NB201.from_native(a)) <= 3e5 for a in result.population["native"])
    scored = pd.read_csv(run / "scored.csv")
    assert (scored.loc[scored["cost_params"] > 3e5, "status"] == "infeasible").all()


def test_three_objectives_run_with_nsga3(tmp_path, fake_latency, capsys):
    run = tmp_path / "run"
    args = ["search", "--objectives", "swap,params,latency", "--space", "nb201", "--population", "8", "--cycles", "2",
            "--samples", "2", "--repeats", "1", "--net", "C=4,N=1", "--out", str(run), "--no-progress"]
    assert main(args) == 0
    assert json.loads((run / "resolved.json").read_text())["algorithm"] == "nsga3"
    front = pd.read_csv(run / "front.csv")
    assert {"cost_params", "cost_latency"} <= set(front.columns)
    assert (run / "front.png").is_file() and (run / "front_latency.png").is_file()
    with pytest.raises(ConfigError, match="nsga2 does not suit 3 objectives"):
        evonas.facade.check(MooConfig.from_dict({"objectives": "swap,params,flops", "algorithm": "nsga2"}))


@pytest.mark.parametrize("value, message", [
    ("300000", "--budget params=300000"), ("params=-1", "params=-1.0: a limit must be a number > 0"),
    ("params", "expected COST=LIMIT"),
])
def test_bad_budgets_are_one_line(tmp_path, capsys, value, message):
    for objectives in ([], ["--objectives", "swap,params"]):
        assert main(["search", "--space", "nb201", "--budget", value, "--out", str(tmp_path / "run"), *objectives]) == 2
        error = capsys.readouterr().err
        assert message in error and error.count("\n") == 1
    assert not (tmp_path / "run").exists()
    with pytest.raises(UnknownNameError, match="unknown cost 'size'"):
        evonas.facade.check(SearchConfig.from_dict({"budget": "size=3"}))
    with pytest.raises(ConfigError, match="--latency-runs applies only where latency is measured"):
        evonas.facade.check(SearchConfig.from_dict({"budget": "params=3e5", "latency_runs": 3}))
    with pytest.raises(ConfigError, match="PROXY,COST"):
        evonas.facade.check(MooConfig.from_dict({"objectives": "swap,size"}))


def test_the_size_prior_centres_on_the_top_of_the_budget(tmp_path):
    """Regularised SWAP under a params budget: mu is the largest scoring network within it, not the space's."""
    free = evonas.facade.run_search(SearchConfig.from_dict(tiny(proxy="reg-swap", evaluations=4)), tmp_path / "free",
                                    progress=False)
    budgeted = evonas.facade.run_search(SearchConfig.from_dict(tiny(proxy="reg-swap", evaluations=4,
                                                                    budget={"params": 3e5})), tmp_path / "b",
                                        progress=False)
    mu_free, mu_budget = free.best["mu"], budgeted.best["mu"]
    assert mu_budget < mu_free
    # the scoring network here is the tiny one; the budget is on the network to deploy
    within = [g for g in (NB201.sample(np.random.default_rng(s)) for s in range(300)) if NB201.count_params(g) <= 3e5]
    assert max(NB201.count_params(g, **NB201.tiny_net_args) for g in within) / 1e3 <= mu_budget
    assert json.loads((tmp_path / "b" / "resolved.json").read_text())["mu"] == mu_budget


def test_nsga3_breaks_ties_between_equally_over_budget_architectures_by_the_seed():
    """Two architectures over budget by the same amount tie on G; the tie is drawn from the run's seeded generator."""
    from pymoo.core.population import Population

    from evonas.moo.algorithms import ALGORITHMS, GenomeOperators

    operators = GenomeOperators.create(NB201, np.random.default_rng(0))
    selection = ALGORITHMS.get("nsga3")(8, operators, 3).mating.selection
    pop = Population.new(CV=np.full((4, 1), 0.25), F=np.zeros((4, 3)))
    P = np.array([[0, 1], [2, 3]] * 20)
    draws = [selection.func_comp(pop, P, random_state=np.random.default_rng(7))[:, 0].tolist() for _ in range(2)]
    assert draws[0] == draws[1] and len(set(draws[0])) == 4


#: DARTS-V2 (the DARTS paper's genotypes.py)
_DARTS_V2 = ("Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), "
             "('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], "
             "normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), "
             "('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), "
             "('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])")


@pytest.mark.slow
def test_a_budget_on_a_224px_folder_is_checked_against_the_imagenet_network(tmp_path, shared_data):
    """Costs are those of the network deployed on the run's images: DARTS' ImageNet network at 224 px, 3 classes."""
    from evonas.cli.inspect import count_flops
    from evonas.networks import count_params_meta
    from evonas.preamble import make_budget
    from tests.conftest import write_class_folder

    data = write_class_folder(tmp_path / "imgs", shared_data, per_class=2, classes=3, size=224)
    space = evonas.get_space("darts")
    genome = space.from_native(_DARTS_V2)
    config = SearchConfig(space="darts", data=str(data), image_size=224, budget={"flops": 6e8, "params": 5e6})
    budget = make_budget(config, space, None)
    imagenet = {"imagenet": True, "C": 48, "layers": 14, "num_classes": 3}
    assert all(cost.net_args == imagenet and cost.input_shape == (3, 224, 224) for cost in budget.costs)
    costs, over = budget.measure(genome)
    assert costs["flops"] == count_flops(space, _DARTS_V2, imagenet, (3, 224, 224))  # the per-edge sum is exact
    assert costs["params"] == count_params_meta(lambda: space.build(_DARTS_V2, **imagenet))
    assert 3.8e6 < costs["params"] < 4.1e6 and over is None  # 4.7 M less a 1000-class classifier; CIFAR: 3.3 M
    tight = make_budget(SearchConfig(space="darts", data=str(data), image_size=224, budget={"params": 3.6e6}), space, None)
    assert "params" in tight.measure(genome)[1]  # 3.3 M on CIFAR would pass


def test_costs_follow_the_image_size_of_the_run():
    """The same network at 64 px costs four times the multiply-adds of 32 px (conv layers scale with the area)."""
    space = evonas.get_space("nb201")
    genome = space.from_native("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|")
    small = make_cost("flops", space).measure(genome)
    assert make_cost("flops", space, input_shape=(3, 32, 32), num_classes=10).measure(genome) == small
    assert make_cost("flops", space, input_shape=(3, 64, 64), num_classes=10).measure(genome) == pytest.approx(4 * small, rel=0.01)
    assert make_cost("params", space, num_classes=100).measure(genome) > make_cost("params", space).measure(genome)
