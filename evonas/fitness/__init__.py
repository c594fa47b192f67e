"""How good an architecture *looks* without training: proxies, their registry and scoring.

Importing this package registers the built-in proxies: ``swap``, ``activation-patterns``,
``params`` and ``reg-swap``.
"""

from evonas.fitness import params, regularise, swap  # noqa: F401  (register the built-in proxies)
from evonas.fitness.base import PROXIES, Batch, Proxy, get_proxy, list_proxies, register_proxy, untouched
from evonas.fitness.evaluate import score, score_architecture
from evonas.fitness.init import gaussian_init_, gaussian_initialiser
from evonas.fitness.params import Params
from evonas.fitness.regularise import RegSwap, Regularised, calibrate, calibrate_sizes
from evonas.fitness.swap import ActivationPatterns, Swap, activation_matrix, activation_patterns, swap_score

__all__ = [
    "PROXIES",
    "ActivationPatterns",
    "Batch",
    "Params",
    "Proxy",
    "RegSwap",
    "Regularised",
    "Swap",
    "activation_matrix",
    "activation_patterns",
    "calibrate",
    "calibrate_sizes",
    "gaussian_init_",
    "gaussian_initialiser",
    "get_proxy",
    "list_proxies",
    "register_proxy",
    "score",
    "score_architecture",
    "swap_score",
    "untouched",
]
