"""Performance predictors: a scikit-learn regressor from architecture features to evaluated accuracy.

A predictor-assisted search (PRE-NAS) refits one after every generation on the architectures
evaluated so far and lets it choose which candidates are worth evaluating. Features are the
genome's one-hot op-adjacency encoding, optionally with training-free scores (SWAP, params)
as extra columns: the two methods of this project in one model.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Mapping, Sequence

import numpy as np
from scipy.stats import rankdata

from evonas.encodings import Genome, SearchSpace
from evonas.errors import ConfigError

#: What a predictor is fitted to: the accuracies themselves, or their ranks (only the order of
#: candidates matters to a search, and ranks keep a few failed or very poor architectures from
#: dominating a squared loss).
TARGETS = ("value", "rank")

#: Short names of the regressors the PRE-NAS paper compares; any other scikit-learn
#: regressor is taken by its class name (e.g. ``ExtraTreesRegressor``).
ALIASES = {
    "rf": "RandomForestRegressor",
    "gbdt": "GradientBoostingRegressor",
    "svr": "SVR",
    "mlp": "MLPRegressor",
    "bayesian-ridge": "BayesianRidge",
    "kernel-ridge": "KernelRidge",
    "linear": "LinearRegression",
    "gp": "GaussianProcessRegressor",
}


def regressor_class(name: str) -> type:
    """The scikit-learn regressor class called ``name`` (an alias of :data:`ALIASES` or a class name)."""
    cls = _regressors().get(ALIASES.get(name, name))
    if cls is None:
        raise ConfigError(f"predictor = {name!r} is not a scikit-learn regressor; use one of "
                          f"{', '.join(ALIASES)} or a regressor's class name (e.g. ExtraTreesRegressor)")
    return cls


@functools.cache
def _regressors() -> dict[str, type]:
    from sklearn.utils import all_estimators

    return dict(all_estimators(type_filter="regressor"))


def make_regressor(name: str, seed: int) -> Any:
    """A fresh regressor behind a feature scaler (the scores' scales differ from the one-hot columns').

    Regressors with a ``random_state`` get ``seed``, so a fit is reproducible.
    """
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    cls = regressor_class(name)
    regressor = cls()
    if "random_state" in regressor.get_params():
        regressor.set_params(random_state=seed)
    return make_pipeline(StandardScaler(), regressor)


def one_hot(space: SearchSpace, genome: Genome) -> np.ndarray:
    """The genome as one-hot op-adjacency: for every edge position of every cell, which code it holds (0 = none),
    then for every op-carrying node (NAS-Bench-101), which node op."""
    rules = space.rules
    legal, allowed = rules.tables
    codes, nodes = np.flatnonzero(legal), list(rules.op_nodes)
    node_codes = np.array(sorted(rules.node_ops))
    parts = []
    for m in genome.cells:
        parts.append((m[allowed][:, None] == codes[None, :]).ravel())
        if nodes:
            parts.append((m[nodes, nodes][:, None] == node_codes[None, :]).ravel())
    return np.concatenate(parts).astype(np.float64)


class Predictor:
    """``genome -> predicted accuracy``, refitted on what has been evaluated.

    Args:
        space: the search space (for the one-hot encoding).
        regressor: a name for :func:`make_regressor` (default: random forest, the PRE-NAS
            paper's choice in the small-data regime).
        features: extra columns, name -> ``genome -> float`` (e.g. a SWAP scorer); each is
            computed once per genome.
        target: ``"value"`` fits the accuracies, ``"rank"`` their ranks scaled to [0, 1] (see
            :data:`TARGETS`); predictions are then only good for ordering.
    """

    def __init__(self, space: SearchSpace, regressor: str = "rf",
                 features: Mapping[str, Callable[[Genome], float]] | None = None, target: str = "value") -> None:
        regressor_class(regressor)  # an unknown name fails here, before anything runs
        if target not in TARGETS:
            raise ConfigError(f"target = {target!r}: use one of {', '.join(TARGETS)}")
        self.space, self.regressor, self.features, self.target = space, regressor, dict(features or {}), target
        self._extra: dict[str, list[float]] = {}
        self._model: Any = None

    def encode(self, genomes: Sequence[Genome]) -> np.ndarray:
        """The feature matrix of ``genomes`` (one row each)."""
        rows = []
        for genome in genomes:
            extra = self._extra.get(genome.key)
            if extra is None:
                extra = self._extra[genome.key] = [float(f(genome)) for f in self.features.values()]
            rows.append(np.concatenate([one_hot(self.space, genome), extra]))
        return np.vstack(rows)

    def fit(self, genomes: Sequence[Genome], accuracies: Sequence[float], *, seed: int = 0) -> Predictor:
        """Refit on evaluated architectures and their accuracies."""
        if len(genomes) < 2:
            raise ConfigError(f"a predictor needs at least 2 evaluated architectures to fit, got {len(genomes)}")
        y = np.asarray(accuracies, float)
        if self.target == "rank":
            y = (rankdata(y) - 1) / (len(y) - 1)
        self._model = make_regressor(self.regressor, seed).fit(self.encode(genomes), y)
        return self

    def predict(self, genomes: Sequence[Genome]) -> np.ndarray:
        """Predicted accuracies of ``genomes``."""
        if self._model is None:
            raise RuntimeError("Predictor.predict before fit")
        return self._model.predict(self.encode(genomes))
