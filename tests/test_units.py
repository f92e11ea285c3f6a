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


@pytest.mark.parametrize("decimals", [0, 1, 2])
@pytest.mark.parametrize("thousands", [True, False])
def test_fixed_text_writes_what_python_writes(decimals, thousands):
    from landplan._format import fixed_text

    rng = np.random.default_rng(decimals)
    values = np.concatenate(
        [
            rng.uniform(-1e7, 1e7, 20_000),
            rng.uniform(0, 10, 20_000).round(decimals + 1),  # many ties and near-ties
            np.arange(-400, 400) / 8,
            [0.0, -0.0, -0.04, 0.15, 1.005, 2.5, 999.5, 999_999.95, 1e15, -1e15, 1e300],
            [np.nan, np.inf, -np.inf],
        ]
    )
    spec = f"{',' if thousands else ''}.{decimals}f"
    expected = [format(float(v), spec) for v in values]
    assert fixed_text(values, decimals, thousands=thousands).tolist() == expected
