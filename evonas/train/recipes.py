"""Training recipes as data: the published evaluation settings, registered by name.

A recipe says how a found architecture is trained: optimiser and schedule, augmentation,
regularisation, the validation share, and the size of the network per search space. Every
field can be overridden (``Recipe.override``, the ``evonas train`` flags); the registry holds
the published settings unchanged.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Mapping

from evonas.errors import ConfigError
from evonas.registry import Registry


@dataclass(frozen=True)
class Recipe:
    """How to train a network: SGD with momentum, cosine-annealed from ``lr`` to 0 over ``epochs``.

    Attributes:
        epochs: passes over the training images.
        batch_size: images per SGD step.
        lr: initial learning rate (cosine annealing to 0, stepped once per epoch).
        momentum: SGD momentum.
        nesterov: Nesterov momentum.
        weight_decay: L2 penalty on every parameter.
        grad_clip: clip the gradient norm to this value (None: no clipping).
        crop_padding: random 32×32 crops of the image padded by this many black pixels (0: none).
        flip: random horizontal flips.
        cutout: side of a square zeroed at a random place of each training image (0: none;
            DeVries & Taylor 2017).
        drop_path: drop-path probability of the cells' edges, ramped linearly from 0 over the
            epochs (networks with a ``drop_path_prob`` attribute: DARTS).
        auxiliary_weight: weight of the auxiliary head's loss (networks built with one: DARTS).
        valid_fraction: share of the training images held out for validation (0: none).
        nets: search space -> network arguments of ``space.build``.
    """

    epochs: int
    batch_size: int
    lr: float
    momentum: float = 0.9
    nesterov: bool = False
    weight_decay: float = 0.0
    grad_clip: float | None = None
    crop_padding: int = 4
    flip: bool = True
    cutout: int = 0
    drop_path: float = 0.0
    auxiliary_weight: float = 0.0
    valid_fraction: float = 0.1
    nets: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def override(self, **values: Any) -> Recipe:
        """A copy with the given fields replaced (``None`` keeps a field), checked."""
        names = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(values) - names)
        if unknown:
            raise ConfigError(f"recipe: unknown field(s) {', '.join(unknown)}; fields: {', '.join(sorted(names))}")
        return dataclasses.replace(self, **{k: v for k, v in values.items() if v is not None}).check()

    def check(self) -> Recipe:
        """Return ``self`` if every field is in range, else raise :class:`ConfigError` naming the first that is not."""
        rules = {
            "epochs": (self.epochs >= 1, ">= 1"),
            "batch_size": (self.batch_size >= 1, ">= 1"),
            "lr": (self.lr > 0, "> 0"),
            "momentum": (0 <= self.momentum < 1, "in [0, 1)"),
            "nesterov": (not self.nesterov or self.momentum > 0, "off when momentum = 0 (SGD requires momentum for Nesterov)"),
            "weight_decay": (self.weight_decay >= 0, ">= 0"),
            "grad_clip": (self.grad_clip is None or self.grad_clip > 0, "> 0 (or unset)"),
            "crop_padding": (self.crop_padding >= 0, ">= 0"),
            "cutout": (self.cutout >= 0, ">= 0"),
            "drop_path": (0 <= self.drop_path < 1, "in [0, 1)"),
            "auxiliary_weight": (self.auxiliary_weight >= 0, ">= 0"),
            "valid_fraction": (0 <= self.valid_fraction < 1, "in [0, 1)"),
        }
        for name, (ok, allowed) in rules.items():
            if not ok:
                raise ConfigError(f"recipe: {name} = {getattr(self, name)!r} is out of range: must be {allowed}")
        return self

    def net_args(self, space: str) -> dict[str, Any]:
        """The network arguments this recipe gives networks of ``space``."""
        if space not in self.nets:
            raise ConfigError(f"recipe has no network for space {space!r} (it has {', '.join(self.nets) or 'none'}); "
                              "give its size with --net")
        return dict(self.nets[space])

    def to_json(self) -> dict[str, Any]:
        """Plain values (JSON-ready); ``Recipe(**recipe.to_json())`` gives it back."""
        data = dataclasses.asdict(self)
        data["nets"] = {space: dict(args) for space, args in self.nets.items()}
        return data


RECIPES: Registry[Recipe] = Registry(
    "training recipe", "Add one with evonas.train.RECIPES.register('name')(Recipe(...))."
)

#: DARTS' CIFAR-10 evaluation (Liu et al., ICLR 2019, Sec. 3.3 and App. A.2; its ``train.py``):
#: 20 cells, C = 36, 600 epochs, batch 96, SGD 0.025 -> 0 (cosine), momentum 0.9, weight decay
#: 3e-4, cutout 16, drop-path 0.2, auxiliary head weight 0.4, gradient clipping 5.
RECIPES.register("darts")(
    Recipe(
        epochs=600, batch_size=96, lr=0.025, momentum=0.9, weight_decay=3e-4, grad_clip=5.0,
        cutout=16, drop_path=0.2, auxiliary_weight=0.4,
        nets={"darts": {"C": 36, "layers": 20, "auxiliary": True}},
    )
)
#: NAS-Bench-201's training (Dong & Yang, ICLR 2020, Sec. 2.3, Table 2): C = 16, N = 5,
#: 200 epochs, batch 256, SGD Nesterov momentum 0.9, lr 0.1 -> 0 (cosine), weight decay 5e-4,
#: random crop (padding 4) and flip.
RECIPES.register("nb201")(
    Recipe(
        epochs=200, batch_size=256, lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4,
        nets={"nb201": {"C": 16, "N": 5}},
    )
)
#: A CPU smoke run: a few epochs of reduced networks with NAS-Bench-201's optimiser.
RECIPES.register("quick")(
    Recipe(
        epochs=5, batch_size=64, lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4,
        nets={"darts": {"C": 8, "layers": 5}, "nb201": {"C": 8, "N": 1}},
    )
)


def get_recipe(name: str) -> Recipe:
    """The recipe registered as ``name`` (``"darts"``, ``"nb201"``, ``"quick"``, ...)."""
    return RECIPES.get(name)


def list_recipes(pattern: str = "*") -> list[str]:
    """Names of the registered recipes matching a shell-style wildcard."""
    return RECIPES.names(pattern)


def default_recipe(space: str) -> str:
    """The recipe a space's architectures are trained with unless told: its own paper's, else ``quick``."""
    return space if space in RECIPES and space in RECIPES.get(space).nets else "quick"
