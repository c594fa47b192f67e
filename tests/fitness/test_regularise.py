"""Size regularisation wraps any proxy; calibration is unit-free and uses sizes only."""

from __future__ import annotations

import math

import numpy as np
import pytest
from fitness_nets import cnn, images

from evonas.errors import ConfigError
from evonas.fitness import Batch, Proxy, Regularised, calibrate, calibrate_sizes, get_proxy
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


def test_calibration_rule_is_median_and_robust_spread():
    sizes = np.arange(1000, 3001, 10)  # uniform: median 2000, IQR 1000
    mu, sigma = calibrate_sizes(sizes)
    assert mu == pytest.approx(2.0)
    assert sigma == pytest.approx(2 * (1.0 / 1.349) ** 2)
    assert calibrate_sizes([*sizes, 10**9]) == pytest.approx((mu, sigma), rel=0.02), "an outlier barely moves it"


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
    assert mu == pytest.approx(np.median(sizes))
    assert 0 < sigma < (max(sizes) - min(sizes)) ** 2
    with pytest.raises(ConfigError, match="n must be"):
        calibrate(space, n=1)
