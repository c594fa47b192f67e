"""Composition is the contract: every registered strategy x evaluator x space, single- and multi-objective.

Each combination runs to its evaluation budget exactly, writes its result, treats one
failing architecture as data, and resumes from a mid-run checkpoint to the identical
result (ties included). A strategy or evaluator registered here, as a user would, joins
the matrix with no other change.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import evonas
import evonas.facade
import evonas.preamble
from evonas.checkpoint import read_cache_and_log
from evonas.config import MooConfig, SearchConfig
from evonas.encodings.genome import digest
from evonas.errors import ConfigError, ProxyError
from evonas.evaluation import takes_parent
from evonas.evaluators import EVALUATORS, Evaluator
from evonas.moo import list_algorithms, run_moo
from evonas.strategy import STRATEGIES, draw_fresh, register_strategy
from evonas.operators import remove_worst

BUDGET = 10  # more than one cycle of every strategy after the initial 4, so a run stopped after cycle 1 can go on
SPACES = evonas.list_spaces()


# ---- a user's own parts, registered as a user would -----------------------------------------
def synthetic_accuracy(space: str, native: str) -> float:
    """A deterministic stand-in accuracy with many ties (coarse steps), so tie order matters."""
    return 50.0 + int(digest(space + native)[:2], 16) % 5


class Synthetic:
    """A user's evaluator: no ``parent`` argument (it is offered, and this one cannot take it)."""

    def __init__(self, space: str) -> None:
        self.space = space

    def __call__(self, genome):
        space = evonas.get_space(self.space)
        return synthetic_accuracy(self.space, space.to_native(genome)), synthetic_params(space, genome)


def synthetic_params(space, genome) -> int:
    return space.count_params(genome, **space.tiny_net_args)


if "synthetic" not in EVALUATORS:
    @EVALUATORS.register("synthetic")
    def synthetic_evaluator(config, space, run_dir, progress):
        """A user's stand-in accuracy with many ties."""
        return Evaluator(Synthetic(space.name), +1, "synthetic")

if "mutate-best" not in STRATEGIES:
    @register_strategy("mutate-best", remove=remove_worst, selects=0, summary="a user's strategy: mutate the best")
    def mutate_best(population, toolbox, run):
        run.begin(population)
        for cycle in run.cycles():
            parent = max(population, key=lambda ind: ind.fitness)
            children = run.evaluate(draw_fresh(lambda: toolbox.mutate(toolbox.clone(parent))[0], 2, run.cache),
                                    parent=parent)
            population.extend(children)
            for _ in children:
                toolbox.remove(population)
            run.record(cycle, population, children)
        return population


class FailingOn:
    """Wraps an evaluator so that one chosen network fails (as a diverging proxy would)."""

    def __init__(self, inner, key, space):
        self.inner, self.key, self.space = inner, key, space

    def __call__(self, genome, parent=None):
        if evonas.get_space(self.space).network_key(genome) == self.key:
            raise ProxyError("injected failure")
        if parent is not None and takes_parent(self.inner):
            return self.inner(genome, parent=parent)
        return self.inner(genome)


# ---- settings -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def train_npz(tmp_path_factory) -> str:
    rng = np.random.default_rng(0)
    path = tmp_path_factory.mktemp("data") / "tiny.npz"
    images = rng.integers(0, 255, size=(24, 3, 32, 32), dtype=np.uint8)
    labels = np.arange(24) % 10
    np.savez(path, train_images=images[:16], train_labels=labels[:16], test_images=images[16:], test_labels=labels[16:])
    return str(path)


@pytest.fixture(autouse=True)
def no_pictures(monkeypatch):
    """Plots and cell drawings are tested on their own; here they would be most of the time."""
    for name in ("evonas.results.plot_run", "evonas.diagrams.draw_architecture", "evonas.moo.results.plot_front"):
        monkeypatch.setattr(name, lambda *args, **kwargs: None)


@pytest.fixture(autouse=True)
def _one_thread(one_thread):
    """Every test here runs on one torch thread (the shared ``one_thread`` fixture)."""


def settings(space: str, evaluator: str, tmp: Path, train_npz: str, table: Path | None) -> dict:
    tiny = evonas.get_space(space).tiny_net_args
    values = {"space": space, "population": 4, "samples": 2, "repeats": 1, "seed": 3, "evaluator": evaluator,
              "evaluations": BUDGET, "cycles": None}
    if evaluator == "proxy":  # plain SWAP: reg-swap's calibration is tested on its own
        values.update(net=dict(tiny), proxy="swap")
    if evaluator == "train":
        values.update(net=dict(tiny), data=train_npz, epochs=1, device="cpu")
    if evaluator == "table":
        values["table"] = str(table)
    return values


def strategy_options(strategy: str) -> dict:
    # PRE-NAS with its default prior (the search's proxy, reg-swap with a table or training), on a few samples
    return {"swap-nas": {"mutations": 2}, "pre-nas": {"candidates": 4, "per_cycle": 2, "predictor": "linear",
                                                       "prior_samples": 6}}.get(strategy, {})


def make_table(space: str, visited: list[str], where: Path) -> Path:
    """A benchmark table of every architecture a synthetic run visited: a table run then walks the same path."""
    path, rules = where / f"{space}.csv", evonas.get_space(space)
    pd.DataFrame({"arch": visited, "cifar10_valid_acc": [synthetic_accuracy(space, a) for a in visited],
                  "cifar10_test_acc": [synthetic_accuracy(space, a + "test") for a in visited],
                  "params_m_cifar10": [synthetic_params(rules, rules.from_native(a)) / 1e6 for a in visited],
                  }).to_csv(path, index=False)
    return path


def wrapped(monkeypatch, key, space):
    build = evonas.preamble.build_evaluator

    def failing(config, sp, run_dir=None, progress=False):
        inner = build(config, sp, run_dir, progress)
        return Evaluator(FailingOn(inner.evaluate, key, space), inner.direction, inner.name, inner.report)

    monkeypatch.setattr(evonas.preamble, "build_evaluator", failing)


def assert_failures_are_data(scored: pd.DataFrame) -> None:
    """The injected failure is listed with its error; any other is a table's missing row (after the path changed)."""
    errors = list(scored.loc[scored["status"] == "failed", "error"])
    assert errors.count("injected failure") == 1
    assert all(e == "injected failure" or "is not in the table" in e for e in errors), errors


def folder_bytes(run: Path) -> dict:
    return {p.name: p.read_bytes() for p in sorted(run.rglob("*")) if p.is_file()}


def refused_resumes_leave_it_as_it_was(part: Path, resume) -> None:  # type: ignore[no-untyped-def]
    """Resumes that are refused (a change of what is searched, a damaged checkpoint, nothing left to do) write nothing."""
    before = folder_bytes(part)
    for changes in ({"seed": 99, "evaluations": BUDGET}, {"population": 5}, {"cycles": 0}):
        with pytest.raises(ConfigError):
            resume(part, changes)
        assert folder_bytes(part) == before, changes


def folder_state(run: Path, multi: bool) -> dict:
    checkpoint = json.loads((run / "checkpoint.json").read_text())
    scored = pd.read_csv(run / "scored.csv")[["key", "score", "status", "error"]].astype(object).fillna("")
    state = {"population": checkpoint["population"], "scored": scored.to_dict("records")}
    if multi:
        state["front"] = pd.read_csv(run / "front.csv").astype(object).fillna("").to_dict("records")
    else:
        best = json.loads((run / "best.json").read_text())
        same = {k: v for k, v in best.items() if k not in ("seconds", "weights")}  # weights: a path in the folder
        state.update(best=same, hof=checkpoint["halloffame"])
    return state


# ---- the matrix -----------------------------------------------------------------------------
#: the library's evaluators and the ones registered here (not those other test modules register for their own checks)
EVALUATOR_NAMES = sorted(e for e in EVALUATORS.names()
                         if EVALUATORS.get(e).__module__ in ("evonas.evaluators.builders", __name__))


@pytest.mark.parametrize("space", SPACES)
@pytest.mark.parametrize("evaluator", EVALUATOR_NAMES)
@pytest.mark.parametrize("strategy", sorted(STRATEGIES.names()))
def test_every_strategy_evaluator_and_space_compose(strategy, evaluator, space, tmp_path, train_npz, monkeypatch):
    options = strategy_options(strategy)
    table = None
    if evaluator == "table":
        walk = evonas.search(**settings(space, "synthetic", tmp_path, train_npz, None), strategy=strategy, **options)
        table = make_table(space, [evonas.get_space(space).to_native(g) for g in walk.cache.genomes.values()], tmp_path)
    values = {**settings(space, evaluator, tmp_path, train_npz, table), "strategy": strategy, **options}

    # in memory, to its budget exactly
    plain = evonas.search(**values)
    assert plain.best["evaluations"] == BUDGET == len(plain.cache) and plain.run_dir is None
    assert sum(r["evals"] for r in plain.logbook) == BUDGET

    # one architecture fails (evaluated after the initial population): it is data
    victim = list(plain.cache.scores)[-2]
    wrapped(monkeypatch, victim, space)
    whole = tmp_path / "whole"
    result = evonas.facade.run_search(SearchConfig.from_dict(values), whole, progress=False)
    scored = pd.read_csv(whole / "scored.csv")
    assert len(scored) == BUDGET and result.best["evaluations"] == BUDGET
    assert_failures_are_data(scored)
    assert result.best["failed"] == (scored["status"] == "failed").sum()
    assert (whole / "best.json").is_file() and result.best["score"] == scored["score"].max()

    # stopped after one cycle, then resumed: identical to the uninterrupted run
    part = tmp_path / "part"
    evonas.facade.run_search(SearchConfig.from_dict({**values, "cycles": 1}), part, progress=False)
    refused_resumes_leave_it_as_it_was(part, lambda run, changes: evonas.facade.run_search(
        None, run, resume=True, changes=changes, progress=False))
    evonas.facade.run_search(None, part, resume=True, changes={"evaluations": BUDGET}, progress=False)
    assert folder_state(part, False) == folder_state(whole, False)


#: train is covered single-objective (its cost); the user's synthetic evaluator walks every table run
MOO_EVALUATORS = [e for e in EVALUATOR_NAMES if e not in ("train", "synthetic")]


@pytest.mark.parametrize("space", SPACES)
@pytest.mark.parametrize("evaluator", MOO_EVALUATORS)
@pytest.mark.parametrize("algorithm", list_algorithms())
def test_every_algorithm_evaluator_and_space_compose_multi_objective(algorithm, evaluator, space, tmp_path, train_npz,
                                                                    monkeypatch):
    table = None
    if evaluator == "table":
        walk_dir = tmp_path / "walk"
        walk = run_moo(MooConfig.from_dict({**settings(space, "synthetic", tmp_path, train_npz, None),
                                            "algorithm": algorithm, "objectives": ["accuracy", "params"]}),
                       walk_dir, progress=False)
        visited = pd.read_csv(walk_dir / "scored.csv")["native"].astype(str).tolist()
        assert walk.evaluations == BUDGET
        table = make_table(space, visited, tmp_path)
    objectives = ["swap", "params"] if evaluator == "proxy" else ["accuracy", "params"]
    values = {**settings(space, evaluator, tmp_path, train_npz, table), "algorithm": algorithm,
              "objectives": objectives}
    values.pop("proxy", None)  # the first objective names it

    first = tmp_path / "first"
    run_moo(MooConfig.from_dict(values), first, progress=False)
    victim = list(read_cache_and_log(json.loads((first / "checkpoint.json").read_text()), first,
                                     evonas.get_space(space).network_key)[0].scores)[-2]
    wrapped(monkeypatch, victim, space)

    whole = tmp_path / "whole"
    result = run_moo(MooConfig.from_dict(values), whole, progress=False)
    scored = pd.read_csv(whole / "scored.csv")
    assert result.evaluations == BUDGET == len(scored)
    assert_failures_are_data(scored)
    assert len(result.front) >= 1

    part = tmp_path / "part"
    run_moo(MooConfig.from_dict({**values, "cycles": 0}), part, progress=False)
    refused_resumes_leave_it_as_it_was(part, lambda run, changes: run_moo(None, run, resume=True, changes=changes,
                                                                          progress=False))
    run_moo(None, part, resume=True, changes={"evaluations": BUDGET}, progress=False)
    assert folder_state(part, True) == folder_state(whole, True)


def binding_params(space: str) -> float:
    """A params budget that binds: the 75th percentile of the deployed sizes of a few sampled architectures."""
    sp = evonas.get_space(space)
    return float(np.percentile([sp.count_params(sp.sample(np.random.default_rng(s))) for s in range(15)], 75))


@pytest.mark.parametrize("space", SPACES)
@pytest.mark.parametrize("strategy", sorted(STRATEGIES.names()))
def test_every_strategy_and_space_compose_under_a_budget(strategy, space, tmp_path, train_npz):
    """A params budget: to the evaluation budget exactly, every architecture within it, resumed identically."""
    if (strategy, space) == ("pre-nas", "nb101"):
        pytest.skip("PRE-NAS mutates ops only: within a binding budget a NAS-Bench-101 parent's few op-mutants run out "
                    "within 10 evaluations, and the search stalls (honestly: StopRule) rather than reaching the budget")
    limit = binding_params(space)
    values = {**settings(space, "proxy", tmp_path, train_npz, None), "strategy": strategy, **strategy_options(strategy),
              "budget": {"params": limit}}
    whole = tmp_path / "whole"
    result = evonas.facade.run_search(SearchConfig.from_dict(values), whole, progress=False)
    scored = pd.read_csv(whole / "scored.csv")
    assert result.best["evaluations"] == BUDGET == len(scored)
    assert result.best["costs"]["params"] <= limit
    assert (scored.loc[scored["status"] == "ok", "cost_params"] <= limit).all()
    part = tmp_path / "part"
    evonas.facade.run_search(SearchConfig.from_dict({**values, "cycles": 1}), part, progress=False)
    evonas.facade.run_search(None, part, resume=True, changes={"evaluations": BUDGET}, progress=False)
    assert folder_state(part, False) == folder_state(whole, False)


@pytest.mark.parametrize("space", SPACES)
@pytest.mark.parametrize("algorithm", list_algorithms())
def test_every_algorithm_and_space_compose_under_a_budget(algorithm, space, tmp_path, train_npz):
    """FLOPs minimised under a params budget: exact budget, a feasible front, resumed identically."""
    limit = binding_params(space)
    values = {**settings(space, "proxy", tmp_path, train_npz, None), "algorithm": algorithm,
              "objectives": ["swap", "flops"], "budget": {"params": limit}}
    values.pop("proxy")
    whole = tmp_path / "whole"
    result = run_moo(MooConfig.from_dict(values), whole, progress=False)
    scored = pd.read_csv(whole / "scored.csv")
    assert result.evaluations == BUDGET == len(scored)
    sp = evonas.get_space(space)
    assert all(sp.count_params(sp.from_native(a)) <= limit for a in result.population["native"])
    assert (scored.loc[scored["cost_params"] > limit, "status"] == "infeasible").all()
    part = tmp_path / "part"
    try:
        run_moo(MooConfig.from_dict({**values, "cycles": 0}), part, progress=False)
    except ConfigError as err:  # its first generation may hold no architecture within the budget: an error, resumable
        assert "were over --budget" in str(err)
    run_moo(None, part, resume=True, changes={"evaluations": BUDGET}, progress=False)
    assert folder_state(part, True) == folder_state(whole, True)


# ---- the --init dimension: a warm start composes with every strategy and algorithm -------------
def warm_start_file(space: str, where: Path) -> tuple[Path, list[str]]:
    """A JSON list of two architectures (and a repeat of the first, which is left out with a note)."""
    sp = evonas.get_space(space)
    rng = np.random.default_rng(1234)
    natives = list(dict.fromkeys(sp.to_native(sp.sample(rng)) for _ in range(4)))[:2]
    path = where / "init.json"
    path.write_text(json.dumps([*natives, natives[0]]))
    return path, natives


def network_keys(space: str, natives) -> set[str]:
    sp = evonas.get_space(space)
    return {sp.network_key(sp.from_native(a)) for a in natives}


@pytest.mark.parametrize("space", SPACES)
@pytest.mark.parametrize("strategy", sorted(STRATEGIES.names()))
def test_every_strategy_and_space_compose_with_a_warm_start(strategy, space, tmp_path, train_npz):
    """--init: the initial population holds the given architectures, the budget is exact, and a resume -- with the
    file gone -- ends where the uninterrupted run does."""
    source, natives = warm_start_file(space, tmp_path)
    values = {**settings(space, "synthetic", tmp_path, train_npz, None), "strategy": strategy,
              **strategy_options(strategy), "init": str(source)}
    whole = tmp_path / "whole"
    with pytest.warns(UserWarning, match="left out item 3, the same"):
        result = evonas.facade.run_search(SearchConfig.from_dict(values), whole, progress=False)
    assert result.best["evaluations"] == BUDGET
    first = pd.read_csv(whole / "scored.csv", dtype=str)["native"].tolist()[:4]  # cycle 0: the initial population
    assert network_keys(space, natives) <= network_keys(space, first)
    assert json.loads((whole / "init.json").read_text())["architectures"] == natives
    part = tmp_path / "part"
    with pytest.warns(UserWarning):
        evonas.facade.run_search(SearchConfig.from_dict({**values, "cycles": 1}), part, progress=False)
    source.unlink()  # the run folder keeps what it needs
    with pytest.raises(ConfigError, match="--init .* cannot change when resuming"):
        evonas.facade.run_search(None, part, resume=True, changes={"init": str(tmp_path / "other.csv")}, progress=False)
    evonas.facade.run_search(None, part, resume=True, changes={"evaluations": BUDGET}, progress=False)
    assert folder_state(part, False) == folder_state(whole, False)


@pytest.mark.parametrize("space", SPACES)
@pytest.mark.parametrize("algorithm", list_algorithms())
def test_every_algorithm_and_space_compose_with_a_warm_start(algorithm, space, tmp_path, train_npz):
    """--init in the multi-objective search: pymoo's initial sample starts with the given architectures, and the
    replay of a resumed run (file gone) reproduces them from init.json."""
    source, natives = warm_start_file(space, tmp_path)
    values = {**settings(space, "synthetic", tmp_path, train_npz, None), "algorithm": algorithm,
              "objectives": ["accuracy", "params"], "init": str(source)}
    whole = tmp_path / "whole"
    with pytest.warns(UserWarning, match="left out item 3"):
        result = run_moo(MooConfig.from_dict(values), whole, progress=False)
    assert result.evaluations == BUDGET
    first = pd.read_csv(whole / "scored.csv", dtype=str)["native"].tolist()[:4]
    assert network_keys(space, natives) <= network_keys(space, first)
    part = tmp_path / "part"
    with pytest.warns(UserWarning):
        run_moo(MooConfig.from_dict({**values, "cycles": 0}), part, progress=False)
    source.unlink()
    run_moo(None, part, resume=True, changes={"evaluations": BUDGET}, progress=False)
    assert folder_state(part, True) == folder_state(whole, True)
