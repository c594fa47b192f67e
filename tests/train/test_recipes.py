"""Recipes: the published settings as registered, overrides checked, networks per space."""

import pytest

from evonas.errors import ConfigError, UnknownNameError
from evonas.train import RECIPES, default_recipe, get_recipe, list_recipes


def test_the_published_settings():
    darts = get_recipe("darts")
    assert (darts.epochs, darts.batch_size, darts.lr, darts.momentum, darts.weight_decay) == (600, 96, 0.025, 0.9, 3e-4)
    assert (darts.cutout, darts.drop_path, darts.auxiliary_weight, darts.grad_clip) == (16, 0.2, 0.4, 5.0)
    assert darts.net_args("darts") == {"C": 36, "layers": 20, "auxiliary": True}
    nb201 = get_recipe("nb201")
    assert (nb201.epochs, nb201.batch_size, nb201.lr, nb201.nesterov, nb201.weight_decay) == (200, 256, 0.1, True, 5e-4)
    assert nb201.crop_padding == 4 and nb201.flip and nb201.cutout == 0 and nb201.drop_path == 0
    assert nb201.net_args("nb201") == {"C": 16, "N": 5}
    assert set(get_recipe("quick").nets) == {"darts", "nb201"} and get_recipe("quick").epochs <= 10


@pytest.mark.parametrize("name", list_recipes())
def test_every_recipe_is_valid_and_round_trips_through_json(name):
    recipe = RECIPES.get(name)
    assert recipe.check() is recipe
    assert type(recipe)(**recipe.to_json()) == recipe


def test_overrides_are_checked_and_none_keeps_a_field():
    quick = get_recipe("quick")
    assert quick.override(epochs=2, lr=None).epochs == 2 and quick.override(lr=None).lr == quick.lr
    with pytest.raises(ConfigError, match="epochs = 0 is out of range"):
        quick.override(epochs=0)
    with pytest.raises(ConfigError, match="valid_fraction = 1.0 is out of range"):
        quick.override(valid_fraction=1.0)
    with pytest.raises(ConfigError, match="unknown field.*epoch\\b"):
        quick.override(epoch=3)


def test_default_recipes_and_unknown_names():
    assert default_recipe("darts") == "darts" and default_recipe("nb201") == "nb201" and default_recipe("other") == "quick"
    with pytest.raises(UnknownNameError, match="Did you mean 'quick'"):
        get_recipe("quik")
    with pytest.raises(ConfigError, match="no network for space 'darts'"):
        get_recipe("nb201").net_args("darts")


@pytest.mark.parametrize("side", [32, 64, 127, 128, 224])
def test_the_default_on_large_images_follows_the_network_rule(side):
    """One rule (SearchSpace.is_large) picks DARTS' ImageNet network and its recipe; the other spaces have no
    large-image network and keep their default at every size."""
    from evonas.encodings import get_space

    darts = get_space("darts")
    large = darts.is_large((3, side, side))
    assert large == (side >= darts.large_side) == ("imagenet" in darts.deploy_net_args((3, side, side), 10))
    assert default_recipe("darts", (3, side, side)) == ("darts-imagenet" if large else "darts")
    assert default_recipe("nb201", (3, side, side)) == "nb201"
    assert default_recipe("nb101", (3, side, side)) == default_recipe("macro", (3, side, side)) == "quick"
    assert get_recipe(default_recipe("darts", (3, side, side))).large_images == large


def test_darts_imagenet_is_dartss_train_imagenet():
    """DARTS' train_imagenet.py: 250 epochs, batch 128, SGD 0.1, wd 3e-5, x0.97 per epoch, smoothing 0.1, ..."""
    r = get_recipe("darts-imagenet")
    assert (r.epochs, r.batch_size, r.lr, r.momentum, r.weight_decay) == (250, 128, 0.1, 0.9, 3e-5)
    assert (r.schedule, r.gamma, r.label_smoothing, r.auxiliary_weight, r.grad_clip) == ("step", 0.97, 0.1, 0.4, 5.0)
    assert r.resized_crop == (0.08, 1.0) and r.flip and r.jitter == (0.4, 0.4, 0.4, 0.2) and r.crop_padding == 0
    assert round(224 * r.eval_resize) == 256 and r.cutout == 0 and r.drop_path == 0
    assert r.nets["darts"] == {"imagenet": True, "C": 48, "layers": 14, "auxiliary": True}


def test_the_step_schedule_multiplies_the_rate_each_epoch():
    import torch

    from evonas.train.recipes import SCHEDULES

    recipe = get_recipe("darts-imagenet")
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=recipe.lr)
    scheduler = SCHEDULES.get(recipe.schedule)(optimizer, recipe)
    for _ in range(3):
        optimizer.step()
        scheduler.step()
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.1 * 0.97 ** 3)
    with pytest.raises(ConfigError, match="schedule"):
        recipe.override(schedule="linear")
    with pytest.raises(ConfigError, match="jitter"):
        recipe.override(jitter=(0.4, 0.4, 0.4, 0.7))
