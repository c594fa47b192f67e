"""Multi-objective SWAP-NAS on pymoo: a proxy score (SWAP) up, the parameter count down.

The parts follow pymoo's split: :class:`ArchitectureProblem` (what), the operator classes
lifting :mod:`evonas.operators` to pymoo and the :data:`ALGORITHMS` registry (how), and the
façade :func:`run_moo` (run folder, checkpoints, exact resume).
"""

from evonas.moo.algorithms import ALGORITHMS, GenomeOperators, list_algorithms, make_algorithm
from evonas.moo.front import Normalisation, hypervolume, nb201_front_report, pareto_ranks
from evonas.moo.operators import GenomeCrossover, GenomeDuplicateElimination, GenomeMutation, GenomeSampling
from evonas.moo.problem import ArchitectureProblem, score_genomes
from evonas.moo.run import MooConfig, MooResult, run_moo

__all__ = [
    "ALGORITHMS",
    "ArchitectureProblem",
    "GenomeCrossover",
    "GenomeDuplicateElimination",
    "GenomeMutation",
    "GenomeOperators",
    "GenomeSampling",
    "MooConfig",
    "MooResult",
    "Normalisation",
    "hypervolume",
    "list_algorithms",
    "make_algorithm",
    "nb201_front_report",
    "pareto_ranks",
    "run_moo",
    "score_genomes",
]
