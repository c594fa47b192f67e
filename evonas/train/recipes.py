"""Training recipes as data: the published evaluation settings, registered by name.

A recipe says how a found architecture is trained: optimiser and schedule (a name in
``SCHEDULES``), augmentation,
regularisation, the validation share, and the size of the network per search space. Every
field can be overridden (``Recipe.override``, the ``evonas train`` flags); the registry holds
the published settings unchanged.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import torch

from evonas.encodings import get_space
from evonas.errors import ConfigError
from evonas.registry import Registry

#: ``schedule(optimizer, recipe)`` -> the learning-rate scheduler, stepped once per epoch
SCHEDULES: Registry[Callable[[torch.optim.Optimizer, "Recipe"], torch.optim.lr_scheduler.LRScheduler]] = Registry(
    "learning-rate schedule", "Add one with evonas.train.recipes.SCHEDULES.register('name') on a function "
    "(optimizer, recipe) -> scheduler.",
)


@SCHEDULES.register("cosine")
def cosine(optimizer: torch.optim.Optimizer, recipe: "Recipe") -> torch.optim.lr_scheduler.LRScheduler:
    """Cosine annealing from ``lr`` to 0 over the epochs (DARTS' CIFAR and NAS-Bench-201's training)."""
    return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=recipe.epochs, eta_min=0.0)


@SCHEDULES.register("step")
def step(optimizer: torch.optim.Optimizer, recipe: "Recipe") -> torch.optim.lr_scheduler.LRScheduler:
    """``lr`` multiplied by ``gamma`` after every epoch (DARTS' ImageNet training: ``StepLR(1, gamma=0.97)``)."""
    return torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=recipe.gamma)


@dataclass(frozen=True)
class Recipe:
    """How to train a network: SGD with momentum from ``lr`` on a schedule, the recipe's augmentation, cross-entropy.

    Attributes:
        epochs: passes over the training images.
        batch_size: images per SGD step.
        lr: initial learning rate.
        schedule: how the learning rate moves, stepped once per epoch: a name in ``SCHEDULES``
            (``cosine``: annealed to 0; ``step``: multiplied by ``gamma``).
        gamma: the ``step`` schedule's factor per epoch.
        momentum: SGD momentum.
        nesterov: Nesterov momentum.
        weight_decay: L2 penalty on every parameter.
        grad_clip: clip the gradient norm to this value (None: no clipping).
        crop_padding: random 32×32 crops of the image padded by this many black pixels (0: none).
        flip: random horizontal flips.
        cutout: side of a square zeroed at a random place of each training image (0: none;
            DeVries & Taylor 2017).
        resized_crop: random-resized crops (Szegedy et al. 2015, as torchvision's
            ``RandomResizedCrop``): each training image is cut to a random part of this range
            of its area (aspect ratio 3/4..4/3) and resized to the image size; None: the whole
            image resized (shorter side) and centre-cropped.
        jitter: colour jitter of the training images: brightness, contrast, saturation (each a
            factor drawn from [1 - v, 1 + v]) and hue (a shift drawn from [-v, v] turns), applied in a
            random order; factors and order drawn per image, as torchvision's ``ColorJitter``; zeros: none.
        eval_resize: validation and test images are resized (shorter side) to this many times
            the image size, then centre-cropped to it (ImageNet's 256 -> 224: 256/224).
        label_smoothing: training targets smoothed by this share (Szegedy et al. 2016).
        drop_path: drop-path probability of the cells' edges, ramped linearly from 0 over the
            epochs (networks with a ``drop_path_prob`` attribute: DARTS).
        auxiliary_weight: weight of the auxiliary head's loss (networks built with one: DARTS).
        valid_fraction: share of the training images held out for validation (0: none).
        nets: search space -> network arguments of ``space.build``.
        large_images: the recipe of those spaces' large-image networks: :func:`default_recipe` chooses it for
            images a space calls large (:meth:`~evonas.encodings.SearchSpace.is_large`), and only for those.
    """

    epochs: int
    batch_size: int
    lr: float
    schedule: str = "cosine"
    gamma: float = 0.97
    momentum: float = 0.9
    nesterov: bool = False
    weight_decay: float = 0.0
    grad_clip: float | None = None
    crop_padding: int = 4
    flip: bool = True
    cutout: int = 0
    resized_crop: tuple[float, float] | None = None
    jitter: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    eval_resize: float = 1.0
    label_smoothing: float = 0.0
    drop_path: float = 0.0
    auxiliary_weight: float = 0.0
    valid_fraction: float = 0.1
    nets: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    large_images: bool = False

    def __post_init__(self) -> None:
        # JSON gives lists back (train.json); the recipe keeps tuples
        if self.resized_crop is not None:
            object.__setattr__(self, "resized_crop", tuple(self.resized_crop))
        object.__setattr__(self, "jitter", tuple(self.jitter))

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
            "schedule": (self.schedule in SCHEDULES, f"one of {', '.join(SCHEDULES.names())}"),
            "gamma": (0 < self.gamma <= 1, "in (0, 1]"),
            "momentum": (0 <= self.momentum < 1, "in [0, 1)"),
            "nesterov": (not self.nesterov or self.momentum > 0, "off when momentum = 0 (SGD requires momentum for Nesterov)"),
            "weight_decay": (self.weight_decay >= 0, ">= 0"),
            "grad_clip": (self.grad_clip is None or self.grad_clip > 0, "> 0 (or unset)"),
            "crop_padding": (self.crop_padding >= 0, ">= 0"),
            "cutout": (self.cutout >= 0, ">= 0"),
            "resized_crop": (self.resized_crop is None or (len(self.resized_crop) == 2
                                                           and 0 < self.resized_crop[0] <= self.resized_crop[1] <= 1),
                             "two shares of the area, 0 < low <= high <= 1 (or unset)"),
            "jitter": (len(self.jitter) == 4 and all(v >= 0 for v in self.jitter) and max(self.jitter[:3]) <= 1
                       and self.jitter[3] <= 0.5, "four values: brightness, contrast, saturation in [0, 1], hue in [0, 0.5]"),
            "eval_resize": (self.eval_resize >= 1, ">= 1 (the share of the resized image the centre crop keeps is 1/eval_resize)"),
            "label_smoothing": (0 <= self.label_smoothing < 1, "in [0, 1)"),
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
        data["resized_crop"] = None if self.resized_crop is None else list(self.resized_crop)
        data["jitter"] = list(self.jitter)
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
#: DARTS' ImageNet evaluation (Liu et al., ICLR 2019, Sec. 3.4 and App. A.2; its ``train_imagenet.py``):
#: 14 cells, C = 48 with the three-convolution stem, 250 epochs, batch 128, SGD 0.1, momentum 0.9,
#: weight decay 3e-5, lr x 0.97 after every epoch, label smoothing 0.1, auxiliary weight 0.4,
#: gradient clipping 5; random-resized crop, flip and colour jitter (0.4, 0.4, 0.4, 0.2) for
#: training, resize 256 -> centre crop 224 for validation. No drop-path and no cutout.
RECIPES.register("darts-imagenet")(
    Recipe(
        epochs=250, batch_size=128, lr=0.1, schedule="step", gamma=0.97, momentum=0.9, weight_decay=3e-5,
        grad_clip=5.0, crop_padding=0, flip=True, resized_crop=(0.08, 1.0), jitter=(0.4, 0.4, 0.4, 0.2),
        eval_resize=256 / 224, label_smoothing=0.1, auxiliary_weight=0.4,
        nets={"darts": {**get_space("darts").IMAGENET_NET, "auxiliary": True}}, large_images=True,
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


def default_recipe(space: str, input_shape: tuple[int, ...] | None = None) -> str:
    """The recipe a space's architectures are trained with unless told: its own paper's, else ``quick``; on images of
    ``input_shape`` the space calls large (:meth:`~evonas.encodings.SearchSpace.is_large`: DARTS' from its ``large_side``), the
    first registered ``large_images`` recipe with a network for it (``darts-imagenet``).

    A space without a large-image network (NAS-Bench-201, -101, the macro space) keeps its recipe at every size.
    """
    if input_shape is not None and get_space(space).is_large(input_shape):
        large = [name for name in RECIPES.names() if RECIPES.get(name).large_images and space in RECIPES.get(name).nets]
        if large:
            return large[0]
    own = RECIPES.get(space) if space in RECIPES else None
    return space if own is not None and space in own.nets and not own.large_images else "quick"
