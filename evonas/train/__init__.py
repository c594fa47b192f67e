"""From a found architecture to a trained model: recipes, the trainer, weight inheritance and export."""

from evonas.train.exporters import EXPORTERS, Exporter, export, list_formats
from evonas.train.inherit import InheritReport, inherit
from evonas.train.recipes import RECIPES, Recipe, default_recipe, get_recipe, list_recipes
from evonas.train.run import TrainConfig, TrainRun, load_network, run_training
from evonas.train.seeded import build_seeded, default_init_
from evonas.train.trainer import TrainResult, evaluate, train

__all__ = [
    "EXPORTERS",
    "RECIPES",
    "Exporter",
    "InheritReport",
    "Recipe",
    "TrainConfig",
    "TrainResult",
    "TrainRun",
    "build_seeded",
    "default_init_",
    "default_recipe",
    "evaluate",
    "export",
    "get_recipe",
    "inherit",
    "list_formats",
    "list_recipes",
    "load_network",
    "run_training",
    "train",
]
