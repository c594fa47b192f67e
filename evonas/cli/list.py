"""``evonas list``: what is registered — proxies, spaces, strategies, algorithms, datasets — with one line each."""

from __future__ import annotations

import argparse
import inspect
from typing import Any, Callable

HELP = ("List the registered proxies, spaces, strategies, evaluators, predictors, recipes, multi-objective algorithms, "
        "datasets or costs.")


def _proxies() -> list[tuple[str, str]]:
    from evonas.fitness import PROXIES

    return [(name, _first_line(PROXIES.get(name))) for name in PROXIES.names()]


def _spaces() -> list[tuple[str, str]]:
    from evonas.encodings import SPACES, get_space

    rows = []
    for name in SPACES.names():
        space = get_space(name)
        net = ",".join(f"{k}={str(v).lower() if isinstance(v, bool) else v}" for k, v in space.scoring_net_args.items())
        rows.append((name, f"{_first_line(SPACES.get(name))} Scoring network: " + (f"--net {net}" if net else "build()'s defaults")))
    return rows


def _strategies() -> list[tuple[str, str]]:
    from evonas.strategy import STRATEGIES

    return [(name, STRATEGIES.get(name).summary) for name in STRATEGIES.names()]


def _algorithms() -> list[tuple[str, str]]:
    from evonas.moo import ALGORITHMS

    from evonas.moo.algorithms import suits

    return [(name, _first_line(ALGORITHMS.get(name)) + (" [2 or more objectives]" if suits(ALGORITHMS.get(name), 3)
                                                         else " [2 objectives]")) for name in ALGORITHMS.names()]


def _evaluators() -> list[tuple[str, str]]:
    from evonas.evaluators import EVALUATORS

    return [(name, _first_line(EVALUATORS.get(name))) for name in EVALUATORS.names()]


def _predictors() -> list[tuple[str, str]]:
    from evonas.predictor import ALIASES

    return [(alias, f"scikit-learn {name} (any other regressor by its class name)") for alias, name in ALIASES.items()]


def _recipes() -> list[tuple[str, str]]:
    from evonas.train import RECIPES

    from evonas.encodings import get_space
    from evonas.train.recipes import Recipe

    def large(r: Recipe) -> str:
        """Where :func:`evonas.train.default_recipe` chooses it: images its spaces call large."""
        sides = sorted({get_space(s).large_side for s in r.nets if get_space(s).large_side is not None})
        return f" [the default on images of {' / '.join(map(str, sides))} px and up]" if r.large_images and sides else ""

    return [(name, f"{r.epochs} epochs, batch {r.batch_size}, lr {r.lr}; networks: "
                   + "; ".join(f"{s} {','.join(f'{k}={v}' for k, v in a.items())}" for s, a in r.nets.items()) + large(r))
            for name, r in ((n, RECIPES.get(n)) for n in RECIPES.names())]


def _costs() -> list[tuple[str, str]]:
    from evonas.costs import COSTS

    return [(name, f"{_first_line(COSTS.get(name))} [{COSTS.get(name).unit}; "
                   f"{'cheap: counted' if COSTS.get(name).cheap else 'measured'}]") for name in COSTS.names()]


def _datasets() -> list[tuple[str, str]]:
    from evonas.data import DATASETS

    return [(name, f"python batches in {DATASETS.get(name).folder}/, mean {DATASETS.get(name).mean}")
            for name in DATASETS.names()]


KINDS: dict[str, Callable[[], list[tuple[str, str]]]] = {
    "proxies": _proxies, "spaces": _spaces, "strategies": _strategies, "algorithms": _algorithms, "datasets": _datasets,
    "evaluators": _evaluators, "predictors": _predictors, "recipes": _recipes, "costs": _costs,
}


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("kind", choices=list(KINDS), help="what to list")


def run(args: argparse.Namespace) -> int:
    rows = KINDS[args.kind]()
    width = max(len(name) for name, _ in rows)
    for name, text in rows:
        print(f"{name:<{width}}  {text}")
    return 0


def _first_line(obj: Any) -> str:
    doc = (inspect.getdoc(obj) or "").strip()
    return doc.splitlines()[0] if doc else "(no docstring)"
