"""Compose your own SWAP-NAS: swap the proxy and the selection without touching evonas.

Runs in about a minute on 2 CPU cores:

    python examples/custom_toolbox.py
"""

import numpy as np
import torch
from deap import tools

import evonas
from evonas.cache import ScoreCache
from evonas.evaluators import ArchitectureScorer
from evonas.operators import MaxFitness
from evonas.strategy import SearchRun, StopRule, make_toolbox, swap_nas


def sel_plain_tournament(individuals, k, *, rng, size=3):
    """Another selection: the best k of a tournament of 3 (instead of half the population)."""
    picked = rng.choice(len(individuals), size=size, replace=False)
    return sorted((individuals[i] for i in picked), key=lambda ind: ind.fitness, reverse=True)[:k]


def main() -> None:
    torch.set_num_threads(1)  # the scoring networks are tiny: more threads only contend
    space = evonas.get_space("darts")
    rng = np.random.default_rng(0)
    batch = evonas.load_images(None, samples=16)  # the packaged CIFAR-10 batch

    # 1. plain (unregularised) SWAP on the stem-less scoring network as the fitness
    scorer = ArchitectureScorer(space="darts", proxy="swap", batch=batch, net_args=space.scoring_net_args, repeats=4)
    toolbox = make_toolbox(space, scorer, rng, MaxFitness)
    # 2. another selection, registered over the default one
    toolbox.register("select", sel_plain_tournament, rng=rng)
    # 3. only op-mutations, no connectivity changes
    toolbox.register("mutate", evonas.operators.mutOp, space=space, rng=rng)

    population = toolbox.population(n=8)
    hof = tools.HallOfFame(1)
    run = SearchRun(toolbox, StopRule(cycles=10), cache=ScoreCache(), halloffame=hof)
    population = swap_nas(population, toolbox, run, mutations=4, crossover=0.3, rng=rng)
    print(run.logbook)
    print("best:", space.to_native(hof[0].genome), "score", hof[0].fitness.values[0], "params", hof[0].params)


if __name__ == "__main__":
    main()
