"""What deploying an architecture costs -- parameters, FLOPs, latency -- as objectives and budgets.

Importing this package registers ``params``, ``flops`` and ``latency``.
"""

from evonas.costs.base import COSTS, Cost, list_costs, make_cost
from evonas.costs.budget import Budget, Costed, cheap_check, redraw_within
from evonas.costs.flops import Flops
from evonas.costs.latency import LATENCY_FILE, Latency, read_latency_table
from evonas.costs.params import Params

__all__ = ["COSTS", "LATENCY_FILE", "Budget", "Cost", "Costed", "Flops", "Latency", "Params", "cheap_check", "list_costs",
           "make_cost", "read_latency_table", "redraw_within"]
