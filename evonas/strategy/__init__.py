"""How a search *runs*: strategies as functions over a DEAP toolbox, and the bookkeeping they share.

Like ``deap.algorithms``, each strategy is one function over named toolbox parts, so any
part (proxy, selection, mutation, parallel ``map``) is swapped by re-registering it.
Importing this package registers ``swap-nas``, ``rea``, ``random`` and ``pre-nas``.
"""

from evonas.strategy.registry import STRATEGIES, Strategy, get_strategy, list_strategies, register_strategy
from evonas.strategy.run import LOG_FIELDS, SearchRun, StopRule, assign, draw_fresh, evaluate_all, make_toolbox
from evonas.strategy.swap_nas import swap_nas
from evonas.strategy.rea import regularised_evolution
from evonas.strategy.random_search import random_search
from evonas.strategy.pre_nas import pre_nas, predictor_parts

__all__ = [
    "LOG_FIELDS",
    "STRATEGIES",
    "SearchRun",
    "StopRule",
    "Strategy",
    "assign",
    "draw_fresh",
    "evaluate_all",
    "get_strategy",
    "list_strategies",
    "make_toolbox",
    "pre_nas",
    "predictor_parts",
    "random_search",
    "register_strategy",
    "regularised_evolution",
    "swap_nas",
]
