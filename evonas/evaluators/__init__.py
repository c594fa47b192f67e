"""Evaluators: what a search evaluates architectures with, one contract for all (see :mod:`evonas.evaluation`).

This layer sits above :mod:`evonas.fitness` (training-free proxies) and :mod:`evonas.train`
(training): an evaluator is built from a run's config by a registered builder, checks and
reads everything it needs (data, tables, calibration) before a run folder is written, and
is then called as ``evaluate(genome, parent=None) -> Evaluation`` by every strategy,
single- or multi-objective, serially or on workers. Registered: ``proxy``, ``table`` and
``train``; add your own with ``@EVALUATORS.register("name")`` on a builder::

    @EVALUATORS.register("my-eval")
    def my_evaluator(config, space, run_dir, progress):
        return Evaluator(lambda genome, parent=None: my_score(genome), direction=+1, name="my score")
"""

from evonas.evaluators import builders  # noqa: F401  (register proxy, table, train)
from evonas.evaluators.base import EVALUATORS, Builder, Evaluator, build_evaluator
from evonas.evaluators.proxy import ArchitectureScorer
from evonas.evaluators.table import TableEvaluator, read_table
from evonas.evaluators.train import TrainEvaluator

__all__ = ["EVALUATORS", "ArchitectureScorer", "Builder", "Evaluator", "TableEvaluator", "TrainEvaluator",
           "build_evaluator", "read_table"]
