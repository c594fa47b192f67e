"""What an architecture *is*: genomes, search-space rules and native notations."""

from evonas.encodings.darts import DartsSpace
from evonas.encodings.genome import Genome
from evonas.encodings.genotype import Genotype, parse_genotype
from evonas.encodings.macro import MacroSpace
from evonas.encodings.nb101 import NB101Space
from evonas.encodings.nb201 import NB201Space
from evonas.encodings.space import SPACES, CellRules, SearchSpace, get_space, list_spaces

__all__ = [
    "SPACES",
    "CellRules",
    "DartsSpace",
    "Genome",
    "Genotype",
    "MacroSpace",
    "NB101Space",
    "NB201Space",
    "SearchSpace",
    "get_space",
    "list_spaces",
    "parse_genotype",
]
