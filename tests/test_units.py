import numpy as np
import pytest

from landplan import units


def test_mu_and_hectare():
    assert units.MU_M2 == pytest.approx(666.6667, abs=1e-4)
    assert units.m2_to_mu(10_000.0) == pytest.approx(15.0)
    assert units.mu_to_m2(1.0) == pytest.approx(10_000 / 15)
    assert units.m2_to_ha(25_000.0) == pytest.approx(2.5)
    assert units.ha_to_m2(1.0) == 10_000.0
    np.testing.assert_allclose(units.m2_to_mu(np.array([0.0, 666.6666666667])), [0.0, 1.0])


def test_money():
    assert units.yi_to_wan_yuan(2.5) == 25_000.0
    assert units.wan_yuan_to_yi(5_000.0) == 0.5
