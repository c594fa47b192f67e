"""The registered evaluators, built from a run's config: ``proxy``, ``table`` and ``train``.

Each builder checks and reads everything it needs (data, tables, calibration) before a run
folder is written, and fills in the defaults it chose into ``config`` -- the search's resolved
copy, never the user's (:func:`evonas.preamble.prepare`) -- so that the run folder's
``resolved.json`` keeps them and a resumed run evaluates the same way.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from evonas.encodings import SearchSpace
from evonas.evaluators.base import EVALUATORS, Evaluator
from evonas.truth import ACCURACY as TEST_COLUMN, GroundTruth



def run_batch(config: Any) -> Any:
    """The input batch of a search (:func:`evonas.data.search_batch`); a class folder's chosen size is saved in ``config``.

    Saving the size (the median shorter side, unless given) keeps a resumed run on the same images.
    """
    from evonas.data import class_folder, describe, search_batch

    if config.image_size is None and class_folder(config.data) is not None:
        config.image_size = describe(config.data, dataset=config.dataset).shape[-1]
    return search_batch(config.data, samples=config.samples, dataset=config.dataset, seed=config.seed,
                        image_size=config.image_size)


def deploy_shape(config: Any) -> dict[str, Any]:
    """The run's ``input_shape`` and ``num_classes``: what its costs are measured at (:class:`evonas.costs.Cost`).

    From the data's facts (:func:`evonas.data.describe`): a class folder's classes at ``--image-size``
    (or its median size), else ``--dataset``'s (CIFAR-10's 3 x 32 x 32, 10 classes).
    """
    from evonas.data import describe

    spec = describe(config.data, dataset=config.dataset, image_size=config.image_size)
    return {"input_shape": spec.shape, "num_classes": spec.num_classes}


def scoring_net_args(config: Any, space: SearchSpace, net: dict[str, Any] | None) -> dict[str, Any]:
    """``net`` (``--net``) or the space's scoring network at the run's image size (on large images behind an
    average-pool stem: :meth:`~evonas.encodings.SearchSpace.scoring_net_args_at`), one output per class of a class folder."""
    from evonas.data import class_folder, describe

    spec = describe(config.data, dataset=config.dataset, image_size=config.image_size)
    net_args = space.scoring_net_args_at(spec.shape, net)  # --net replaces the scoring network, as build() reads it
    if class_folder(config.data) is not None:
        net_args.setdefault("num_classes", spec.num_classes)
    return net_args


@EVALUATORS.register("proxy")
def proxy_evaluator(config: Any, space: SearchSpace, run_dir: Path | None, progress: bool) -> Evaluator:
    """Training-free: the proxy (default regularised SWAP, calibrated from sizes alone) on the scoring network.

    Networks are built and scored on ``--device`` (default cpu; ``auto``: cuda when present),
    the input batch moved there once.
    """
    from evonas.costs import cheap_check
    from evonas.device import resolve_device
    from evonas.evaluators.proxy import make_scorer, on_device
    from evonas.fitness import get_proxy

    net_args = scoring_net_args(config, space, config.net)
    mu, sigma, target = (getattr(config, name, None) for name in ("mu", "sigma", "target_size"))
    device = resolve_device(config.device)
    batch = on_device(run_batch(config), device)
    scorer = make_scorer(space, config.proxy, batch=batch, net_args=net_args, repeats=config.repeats,
                         seed=config.seed, mu=mu, sigma=sigma, target=target,
                         within=cheap_check(space, config.budget, **deploy_shape(config)))  # under a budget, the prior centres on its top
    options = scorer.proxy_options
    if progress and net_args.get("pool", 1) > 1 and "pool" not in (config.net or {}):
        print(f"scoring network: an average-pool stem of stride {net_args['pool']} in front of it at "
              f"{config.image_size} px (--net pool=1 with the network's other arguments: none)", file=sys.stderr)
    if "mu" in options and hasattr(config, "mu"):  # saved with the run, so --resume scores with the same factor
        config.mu, config.sigma, config.target_size = options["mu"], options["sigma"], None
        if progress and mu is None and target is None:
            where = f"{config.space} within --budget" if cheap_check(space, config.budget) else config.space
            print(f"{config.proxy}: mu = {config.mu:.6g} K parameters (the largest scoring network of {where}), "
                  f"sigma = mu^2 = {config.sigma:.6g}", file=sys.stderr)
    return Evaluator(scorer, get_proxy(config.proxy, **options).direction, config.proxy, takes_parent=False, device=device)


@EVALUATORS.register("table")
def table_evaluator(config: Any, space: SearchSpace, run_dir: Path | None, progress: bool) -> Evaluator:
    """A benchmark table: the search reads its validation column (--valid-col), the result is reported with --test-col."""
    from evonas.evaluators.table import TableEvaluator, read_table

    config.valid_col = config.valid_col or "cifar10_valid_acc"
    table = read_table(config.table, space, valid_col=config.valid_col, test_col=config.test_col,
                       optional=(TEST_COLUMN,) if config.test_col is None else ())
    evaluator = TableEvaluator.of(table, config.valid_col)
    if config.test_col is None:  # the default column, where the table has it
        has_test = TEST_COLUMN in table.frame
        config.test_col = TEST_COLUMN if has_test else None
        if not has_test and progress:
            print(f"--table {config.table}: no column {TEST_COLUMN!r}: the result's test accuracy is not reported "
                  "(name one with --test-col)", file=sys.stderr)
    report = None
    if config.test_col is not None:
        report = GroundTruth(table, config.test_col).report
    return Evaluator(evaluator, +1, config.valid_col, report, takes_parent=False)


@EVALUATORS.register("train")
def train_evaluator(config: Any, space: SearchSpace, run_dir: Path | None, progress: bool) -> Evaluator:
    """Short training of every evaluated architecture on --data; children start from their parent's weights.

    The weights are kept in the run folder's ``weights/``; a search in memory keeps them in a
    temporary folder that goes with the evaluator (removed when the search is over, also when
    it raised: :class:`~evonas.evaluators.train.TrainEvaluator` with an empty ``store``).
    """
    from evonas.data import load_labelled
    from evonas.evaluators.train import TrainEvaluator
    from evonas.train import get_recipe
    from evonas.device import resolve_device

    recipe = get_recipe(config.recipe or "quick").override(epochs=config.epochs or 2)
    config.recipe, config.epochs = config.recipe or "quick", recipe.epochs
    net_args = dict(config.net or recipe.net_args(config.space))
    config.device = resolve_device(config.device, "auto")
    data = load_labelled(config.data, dataset=config.dataset, split="train",  # a bad --data fails now, not in a worker
                         image_size=config.image_size)
    net_args.setdefault("num_classes", data.spec.num_classes)
    space.check_net_args(net_args)
    store = str(Path(run_dir) / "weights") if run_dir is not None else ""
    evaluator = TrainEvaluator(config.space, config.data, recipe, net_args, store, dataset=config.dataset,
                               seed=config.seed, inherit=not config.no_inherit, device=config.device,
                               image_size=config.image_size)
    return Evaluator(evaluator, +1, "valid_acc", evaluator.report, takes_parent=True, device=config.device,
                     close=evaluator.close)
