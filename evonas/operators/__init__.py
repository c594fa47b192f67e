"""How an architecture *changes*: pure variation operators, selection, and their DEAP adapters."""

from evonas.operators.individual import (
    Individual,
    MaxFitness,
    MinFitness,
    deap_crossover,
    deap_mutation,
    fitness_class,
)
from evonas.operators.selection import remove_oldest, remove_worst, sel_stratified, sel_tournament_top
from evonas.operators.variation import cx_node_incoming, mut_connection, mut_node_op, mut_op, mut_random

#: DEAP-convention versions of the variation operators, ready for ``toolbox.register``.
mutOp = deap_mutation(mut_op)
mutConnection = deap_mutation(mut_connection)
mutRandom = deap_mutation(mut_random)
mutNodeOp = deap_mutation(mut_node_op)
cxNodeIncoming = deap_crossover(cx_node_incoming)

__all__ = [
    "Individual",
    "MaxFitness",
    "MinFitness",
    "cxNodeIncoming",
    "cx_node_incoming",
    "deap_crossover",
    "deap_mutation",
    "fitness_class",
    "mutConnection",
    "mutNodeOp",
    "mutOp",
    "mutRandom",
    "mut_connection",
    "mut_node_op",
    "mut_op",
    "mut_random",
    "remove_oldest",
    "remove_worst",
    "sel_stratified",
    "sel_tournament_top",
]
