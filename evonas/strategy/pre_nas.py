"""PRE-NAS, predictor-assisted evolution (Peng, Song, Ciesielski, Fayek, Chang: GECCO 2022 / IEEE TEVC 2023).

Where SWAP-NAS scores thousands of architectures without training, PRE-NAS evaluates (trains,
or queries a benchmark for) very few: a performance predictor fitted on those evaluated so
far decides which candidates of each generation deserve it. No code was released; the
paper's description is followed, and each detail is a documented default:

- candidates of a generation are op-mutations of one parent (topologically homogeneous
  offspring), so the predictor ranks op choices on a shared graph. The graph is the
  space's: a DARTS child keeps its parent's edges; NAS-Bench-201's graph is the fixed
  complete cell whose edges each carry one of five ops, ``none`` among them (as the
  benchmark defines it), so ``none`` is an op like the others there; a NAS-Bench-101 child
  keeps its edges and changes one node's op;
- which candidates are evaluated: the best-predicted and one from each lower percentile
  stratum (:func:`~evonas.operators.sel_stratified`);
- the evaluated ones start from the parent's trained weights when the evaluator trains
  (weight inheritance, :class:`~evonas.evaluators.TrainEvaluator`);
- the predictor is a random forest, refitted on every evaluated architecture each cycle;
- not in the paper: ``prior`` lets a training-free proxy (e.g. reg-swap) pick the initial
  population from many random architectures (:func:`top_by_prior`), which costs no
  evaluations, only ``prior_samples`` proxy scorings; on NAS-Bench-201 it was the lever that
  mattered (docs/results/pre-nas.md). Here it is off unless given; ``evonas.search`` and
  ``evonas search`` turn it on with the search's own proxy (``--prior none``: off).
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
from deap import base

from evonas import operators
from evonas.cache import ScoreCache
from evonas.encodings import Genome, SearchSpace
from evonas.errors import ConfigError
from evonas.operators import Individual
from evonas.predictor import Predictor
from evonas.strategy.registry import register_strategy
from evonas.strategy.pipeline import steady_state
from evonas.strategy.run import SearchRun, draw_fresh


def predictor_parts(
    toolbox: base.Toolbox,
    space: SearchSpace,
    rng: np.random.Generator,
    scorer_for: Callable[[str], Callable[[Genome], float]] | None = None,
    *,
    predictor: str = "rf",
    features: Sequence[str] = (),
    target: str = "value",
    prior: str | None = None,
    prior_samples: int = 1000,
) -> None:
    """Register PRE-NAS's own toolbox parts: ``fit_predictor``, ``predict``, ``mutate_ops``, ``select_for_evaluation``
    (and ``population``, with a prior).

    Args:
        predictor: a scikit-learn regressor (:data:`evonas.predictor.ALIASES` or a class name).
        features: training-free proxies whose scores join the one-hot encoding as features
            (e.g. ``["swap", "params"]``); ``scorer_for(name)`` gives their scorers.
        target: what the predictor is fitted to (:data:`evonas.predictor.TARGETS`).
        prior: a training-free proxy that picks the initial population: ``population(n)``
            draws ``prior_samples`` random architectures and keeps the ``n`` that
            ``scorer_for(prior)`` scores highest (none of them is evaluated for it; the
            scorer is higher-is-better, as :class:`evonas.facade.PriorTally` hands it);
            ``None``: ``n`` random architectures (the search façade's default is the
            search's proxy, :func:`evonas.facade.check_single`).
        prior_samples: how many random architectures the prior scores (1000: fewer and more
            both chose worse on NAS-Bench-201, docs/results/pre-nas.md).
    """
    if (features or prior) and scorer_for is None:
        raise ConfigError("pre-nas features and prior need training-free scorers (scorer_for), none were given")
    if prior_samples < 1:
        raise ConfigError(f"prior_samples = {prior_samples}: must be at least 1")
    extra = {name: scorer_for(name) for name in features} if features else {}
    model = Predictor(space, predictor, extra, target)
    if prior:
        toolbox.register("population", top_by_prior, toolbox, scorer_for(prior), prior_samples)
    toolbox.register("fit_predictor", lambda genomes, accuracies: model.fit(genomes, accuracies,
                                                                            seed=int(rng.integers(2**31))))
    toolbox.register("predict", model.predict)
    # ops on nodes (NAS-Bench-101): change a node's op; ops on edges: change an edge's op
    toolbox.register("mutate_ops", operators.mutNodeOp if space.rules.node_ops else operators.mutOp, space=space, rng=rng)
    toolbox.register("select_for_evaluation", operators.sel_stratified, rng=rng)


def top_by_prior(toolbox: base.Toolbox, score: Callable[[Genome], float], samples: int, n: int) -> list[Individual]:
    """The ``n`` best-scoring of ``samples`` distinct random architectures (at least ``n`` are drawn).

    ``score`` is higher-is-better; the draws come from ``toolbox.individual`` (the search's one
    generator, within a cheap budget when the toolbox redraws), so the choice is the seed's.
    """
    drawn = [toolbox.individual() for _ in range(max(n, samples))]
    distinct = list({ind.genome.key: ind for ind in drawn}.values())
    scores = [score(ind.genome) for ind in distinct]
    order = np.argsort(-np.asarray(scores, dtype=float), kind="stable")
    return [distinct[i] for i in order[:n]]


#: Most op changes an offspring may differ from its parent by (when every closer one was evaluated).
MAX_OP_CHANGES = 3


def op_mutants(toolbox: base.Toolbox, parent: Individual, n: int, seen: ScoreCache) -> list[Individual]:
    """Up to ``n`` distinct, not yet evaluated ``mutate_ops`` offspring of ``parent``, as close to it as possible.

    One op change first; once every such neighbour of a good parent has been evaluated, two
    changes, then three (:data:`MAX_OP_CHANGES`), so a cycle is not wasted on a parent whose
    neighbourhood is used up.
    """
    def mutant(changes: int) -> Individual:
        child = toolbox.clone(parent)
        for _ in range(changes):
            (child,) = toolbox.mutate_ops(child)
        return child

    for changes in range(1, MAX_OP_CHANGES + 1):
        drawn = draw_fresh(lambda: mutant(changes), n, seen)
        fresh = list({seen.key(c.genome): c for c in drawn if c.genome not in seen}.values())
        if fresh:
            return fresh
    return []


@register_strategy("pre-nas", remove=operators.remove_worst, setup=predictor_parts, selects=1,
                   brood=lambda o: o["per_cycle"],
                   summary="PRE-NAS (Peng et al. 2023): a predictor picks which op-mutants of a parent to evaluate")
def pre_nas(
    population: list,
    toolbox: base.Toolbox,
    run: SearchRun,
    candidates: int = 20,
    per_cycle: int = 2,
    window: int = 1,
    *,
    rng: np.random.Generator | None = None,
) -> list:
    """Run PRE-NAS on ``population``; the budget ``evaluations`` counts evaluated (trained or queried) architectures.

    Toolbox parts used: ``evaluate(genome, parent=...)`` (the expensive accuracy), ``map``,
    ``fit_predictor(genomes, accuracies)``, ``predict(genomes)``, ``mutate_ops(ind)``
    (topology-preserving), ``select_for_evaluation(candidates, predicted, k)``, ``select``
    (tournament) and ``remove``. Pseudocode::

        evaluate(P)                                   # random architectures
        for cycle in 1..C (while the budget lasts):
            fit_predictor(every architecture evaluated so far)
            parent = select(P, 1)
            offspring = op_mutants(parent, candidates)      # unseen, distinct, same topology
            chosen = select_for_evaluation(offspring, predict(offspring), per_cycle)
            evaluate(chosen, parent=parent)           # a trainer starts them from the parent's weights
            for child in chosen: P.append(child); remove(P)

    Args:
        candidates: offspring mutated from the parent per cycle, ranked by the predictor.
        per_cycle: how many of them are evaluated.
        population, run, window, rng: as for :func:`~evonas.strategy.swap_nas` (with a window, a cycle's
            predictor is fitted on what was evaluated when it was bred).
    """
    def breed(population: list, seen: ScoreCache):
        known = [(g, seen.get(g).score) for g in seen.genomes.values() if not seen.get(g).failed]
        (parent,) = toolbox.select(population, 1)
        offspring = op_mutants(toolbox, parent, candidates, seen)
        chosen = []
        if offspring and len(known) >= 2:
            toolbox.fit_predictor([g for g, _ in known], [s for _, s in known])
            chosen = toolbox.select_for_evaluation(offspring, toolbox.predict([c.genome for c in offspring]), per_cycle)
        elif offspring:  # too little data to fit: evaluate at random
            chosen = offspring[:per_cycle]
        evaluated = yield chosen, parent
        return evaluated, evaluated

    return steady_state(population, toolbox, run, breed, window=window, rng=rng)
