"""The trainer: it learns, it is seeded, it writes its folder, it resumes exactly, DARTS' extras act."""

import json

import pandas as pd
import pytest
import torch

from evonas.encodings import get_space
from evonas.errors import TrainingError
from evonas.train import build_seeded, get_recipe, train
from evonas.train.trainer import METRICS, load_checkpoint

from train_data import NB201_ARCH, TINY_NB201, labelled

RECIPE = get_recipe("quick").override(epochs=3, batch_size=32, lr=0.1)


def _net(seed=0, arch=NB201_ARCH, **net_args):
    return build_seeded(get_space("nb201"), arch, seed=seed, **(net_args or TINY_NB201))


def _state(net):
    return {k: v.clone() for k, v in net.state_dict().items()}


def test_it_learns_and_writes_its_folder(tmp_path):
    data, test = labelled(160, 0), labelled(40, 1)
    result = train(_net(), data, RECIPE, seed=0, test_data=test, out=tmp_path)
    metrics = pd.read_csv(tmp_path / "metrics.csv")
    assert list(metrics.columns) == METRICS and list(metrics["epoch"]) == [1, 2, 3]
    assert metrics["train_loss"].iloc[-1] < metrics["train_loss"].iloc[0]
    assert metrics["lr"].iloc[0] == RECIPE.lr and metrics["lr"].is_monotonic_decreasing  # cosine, per epoch
    assert metrics["valid_acc"].notna().all() and metrics["test_acc"].notna().all()
    assert (tmp_path / "learning_curve.png").read_bytes()[:4] == b"\x89PNG"
    saved = torch.load(tmp_path / "model.pt", weights_only=True)
    assert all(torch.equal(saved[k], v) for k, v in result.net.state_dict().items())
    assert result.final["epoch"] == 3 and json.loads((tmp_path / "checkpoint.json").read_text())["epochs_done"] == 3


def test_same_seed_same_model_other_seed_other_model():
    data = labelled(96, 0)
    recipe = RECIPE.override(epochs=1)
    a, b, c = (_state(train(_net(), data, recipe, seed=s).net) for s in (0, 0, 1))
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert any(not torch.equal(a[k], c[k]) for k in a if k.endswith("weight"))


@pytest.mark.parametrize("stop_after", [1, 2])
def test_resume_equals_the_uninterrupted_run(tmp_path, monkeypatch, stop_after):
    data, test = labelled(96, 0), labelled(32, 1)
    whole = train(_net(), data, RECIPE, seed=0, test_data=test, out=tmp_path / "whole")
    import evonas.train.trainer as trainer

    class Killed(Exception):
        pass

    real = trainer.save_checkpoint

    def save_then_die(out, net, optimizer, scheduler, history):
        real(out, net, optimizer, scheduler, history)
        if len(history) == stop_after:
            raise Killed

    monkeypatch.setattr(trainer, "save_checkpoint", save_then_die)
    with pytest.raises(Killed):
        train(_net(), data, RECIPE, seed=0, test_data=test, out=tmp_path / "cut")
    monkeypatch.undo()
    resumed = train(_net(seed=7), data, RECIPE, seed=0, test_data=test, out=tmp_path / "cut", resume=True)
    metrics = [pd.read_csv(tmp_path / run / "metrics.csv").drop(columns="seconds") for run in ("whole", "cut")]
    assert metrics[0].equals(metrics[1])
    assert all(torch.equal(v, resumed.net.state_dict()[k]) for k, v in whole.net.state_dict().items())


def test_a_checkpoint_whose_json_is_ahead_of_its_tensors_resumes_from_the_tensors(tmp_path):
    data = labelled(64, 0)
    train(_net(), data, RECIPE.override(epochs=2), seed=0, out=tmp_path)
    state = json.loads((tmp_path / "checkpoint.json").read_text())
    state["history"].append({**state["history"][-1], "epoch": 3})  # as if killed between the two writes
    (tmp_path / "checkpoint.json").write_text(json.dumps(state))
    net = _net()
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    assert len(load_checkpoint(tmp_path, net, opt, torch.optim.lr_scheduler.CosineAnnealingLR(opt, 2))) == 2


def test_darts_recipe_ramps_drop_path_and_trains_the_auxiliary_head():
    space = get_space("darts")
    import numpy as np

    arch = space.sample(np.random.default_rng(0))
    net = build_seeded(space, arch, seed=0, C=4, layers=3, auxiliary=True)
    head_before = _state(net.auxiliary_head)
    recipe = get_recipe("darts").override(epochs=2, batch_size=32, valid_fraction=0.25)
    result = train(net, labelled(64, 0), recipe, seed=0)
    assert [row["drop_path"] for row in result.history] == [0.0, pytest.approx(0.1)]
    assert any(not torch.equal(v, net.auxiliary_head.state_dict()[k]) for k, v in head_before.items())
    assert net.drop_path_prob == 0.0 and net.drop_path_generator is None, "a trained network is left as built"


def test_a_diverging_run_is_one_clear_error():
    with pytest.raises(TrainingError, match="training diverged"):
        train(_net(), labelled(64, 0), RECIPE.override(lr=1e30, epochs=1), seed=0)
