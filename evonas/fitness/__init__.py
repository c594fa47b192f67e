"""How good an architecture *looks* without training: proxies, their registry and scoring.

Importing this package registers the built-in proxies: ``swap``, ``activation-patterns``,
``params``, ``reg-swap``, ``flops``, ``nwot``, ``synflow``, ``snip``, ``grasp``, ``fisher``,
``grad_norm``, ``plain``, ``l2_norm``, ``jacov``, ``epe_nas``, ``zen``, ``zico``, ``ntk``, and ``ensemble``
(rank ensembles of the others, also spelled ``swap+synflow``).
"""

from evonas.fitness import (  # noqa: F401  (register the built-in proxies)
    ensemble, flops, jacobian, ntk, nwot, params, regularise, saliency, swap, zen, zico,
)
from evonas.fitness.base import PROXIES, Batch, Proxy, get_proxy, list_proxies, register_proxy, untouched
from evonas.fitness.ensemble import Ensemble, reference_options
from evonas.fitness.evaluate import score, score_parts
from evonas.fitness.flops import Flops
from evonas.fitness.init import gaussian_init_, gaussian_initialiser
from evonas.fitness.jacobian import EpeNas, Jacov, input_jacobians
from evonas.fitness.ntk import Ntk
from evonas.fitness.nwot import Nwot
from evonas.fitness.params import Params
from evonas.fitness.regularise import RegSwap, Regularised, calibrate, calibrate_sizes, size_options
from evonas.fitness.saliency import Fisher, GradNorm, Grasp, L2Norm, Plain, Snip, Synflow, layer_weights
from evonas.fitness.swap import ActivationPatterns, Swap, activation_matrix, activation_patterns, swap_score
from evonas.fitness.zen import Zen
from evonas.fitness.zico import Zico

__all__ = [
    "PROXIES",
    "ActivationPatterns",
    "Batch",
    "Ensemble",
    "EpeNas",
    "Fisher",
    "Flops",
    "GradNorm",
    "Grasp",
    "Jacov",
    "L2Norm",
    "Ntk",
    "Nwot",
    "Params",
    "Plain",
    "Proxy",
    "RegSwap",
    "Regularised",
    "Snip",
    "Swap",
    "Synflow",
    "Zen",
    "Zico",
    "activation_matrix",
    "activation_patterns",
    "calibrate",
    "calibrate_sizes",
    "size_options",
    "gaussian_init_",
    "gaussian_initialiser",
    "get_proxy",
    "input_jacobians",
    "layer_weights",
    "list_proxies",
    "register_proxy",
    "reference_options",
    "score",
    "score_parts",
    "swap_score",
    "untouched",
]
