"""Size regularisation wraps any proxy; calibration is unit-free and uses sizes only."""

from __future__ import annotations

import math

import numpy as np
import pytest
from fitness_nets import cnn, images

from evonas.errors import ConfigError
from evonas.fitness import Batch, Proxy, Regularised, calibrate, calibrate_sizes, get_proxy, size_options
from evonas.networks import count_parameters


def test_reg_swap_is_swap_times_the_size_factor():
    net, batch = cnn((3, 4, 4)), Batch(images(8))
    theta = count_parameters(net) / 1e3
    mu, sigma = theta + 0.1, 0.05
    expected = get_proxy("swap")(net, batch) * math.exp(-(0.1**2) / sigma)
    assert get_proxy("reg-swap", mu=mu, sigma=sigma)(net, batch) == pytest.approx(expected)


def test_size_factor_shape_and_unit():
    reg = Regularised(get_proxy("params"), mu=2.0, sigma=0.5)
    assert reg.size_factor(2000) == 1.0
    assert reg.size_factor(2500) == pytest.approx(math.exp(-0.5))
    assert reg.size_factor(1500) == reg.size_factor(2500)
    in_params = Regularised(get_proxy("params"), mu=2000.0, sigma=0.5e6, unit=1)
    assert in_params.size_factor(2700) == pytest.approx(reg.size_factor(2700))


def test_wrapper_takes_its_flags_from_the_wrapped_proxy():
    reg = Regularised(get_proxy("params"), mu=1.0, sigma=1.0)
    assert reg.name == "reg-params" and not reg.needs_init and reg.direction == +1


def test_invalid_regularisation_is_refused():
    class LowerIsBetter(Proxy):
        name, direction = "loss", -1

        def _score(self, net, batch):
            return 1.0

    with pytest.raises(ConfigError, match="higher-is-better"):
        Regularised(LowerIsBetter(), mu=1.0, sigma=1.0)
    with pytest.raises(ConfigError, match="sigma"):
        get_proxy("reg-swap", mu=1.0, sigma=0.0)


def test_calibration_rule_centres_a_gentle_prior_at_the_largest_size():
    sizes = np.arange(1000, 3001, 10)
    mu, sigma = calibrate_sizes(sizes)
    assert mu == pytest.approx(3.0) and sigma == pytest.approx(3.0**2)
    reg = Regularised(get_proxy("params"), mu=mu, sigma=sigma)
    factors = [reg.size_factor(s) for s in sizes]
    assert factors == sorted(factors), "larger is never penalised more inside the sampled range"
    assert reg.size_factor(3000) == 1.0 and reg.size_factor(0) == pytest.approx(np.exp(-1))


def test_target_size_and_explicit_options():
    space = evonas_space()
    net_args = {"C": 3, "layers": 1, "stem": False}
    assert size_options("reg-swap", space, net_args=net_args, seed=0, target=1.5) == {"mu": 1.5, "sigma": 2.25}
    assert size_options("reg-swap", space, net_args=net_args, seed=0, mu=2.0, sigma=1.0) == {"mu": 2.0, "sigma": 1.0}
    assert size_options("swap", space, net_args=net_args, seed=0) == {}
    with pytest.raises(ConfigError, match="proxy 'swap' has none"):
        size_options("swap", space, net_args=net_args, seed=0, mu=1.0, sigma=1.0)
    with pytest.raises(ConfigError, match="not both"):
        size_options("reg-swap", space, net_args=net_args, seed=0, target=1.0, mu=1.0, sigma=1.0)
    with pytest.raises(ConfigError, match="both mu and sigma"):
        size_options("reg-swap", space, net_args=net_args, seed=0, mu=1.0)
    with pytest.raises(ConfigError, match="> 0"):
        size_options("reg-swap", space, net_args=net_args, seed=0, target=-1.0)


def evonas_space():
    import evonas

    return evonas.get_space("darts")


def test_calibration_is_unit_free():
    sizes = np.random.default_rng(0).lognormal(7, 0.4, size=500)
    factors = []
    for unit in (1.0, 1e3, 1e6):
        mu, sigma = calibrate_sizes(sizes, unit=unit)
        reg = Regularised(get_proxy("params"), mu=mu, sigma=sigma, unit=unit)
        factors.append([reg.size_factor(s) for s in sizes[:20]])
    np.testing.assert_allclose(factors[0], factors[1], rtol=1e-9)
    np.testing.assert_allclose(factors[0], factors[2], rtol=1e-9)


def test_sizes_without_spread_are_refused():
    with pytest.raises(ConfigError, match="spread"):
        calibrate_sizes([1000] * 10)


def test_calibrate_on_a_search_space():
    evonas = pytest.importorskip("evonas")
    if not hasattr(evonas, "get_space"):
        pytest.skip("evonas.get_space is not available yet")
    space = evonas.get_space("darts")
    net_args = {"C": 3, "layers": 1, "stem": False}
    mu, sigma = calibrate(space, n=60, net_args=net_args, seed=1)
    assert (mu, sigma) == calibrate(space, n=60, net_args=net_args, seed=1)
    rng = np.random.default_rng(1)
    sizes = [space.count_params(space.sample(rng), **net_args) / 1e3 for _ in range(60)]
    assert mu > max(sizes) and sigma == pytest.approx(mu**2), "climbing finds a larger network than the sample"


def test_calibration_finds_the_top_of_nb201():
    import evonas

    space = evonas.get_space("nb201")
    mu, sigma = calibrate(space, n=200, net_args=space.scoring_net_args, seed=0)
    assert mu == pytest.approx(1531.546)  # the all-nor_conv_3x3 cell: 1.53 M parameters (shared table)
    with pytest.raises(ConfigError, match="n must be"):
        calibrate(space, n=1)
