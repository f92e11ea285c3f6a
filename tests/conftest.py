"""Shared fixtures: tiny hand-made layers in the working CRS, and the run's skip policy.

With ``LANDPLAN_REQUIRE_POSTGIS=1`` or ``LANDPLAN_REQUIRE_BROWSER=1`` (as CI sets them), a run that
skipped any test fails: a PostGIS or browser test that did not run is not a pass.
"""

from __future__ import annotations

import os

import pytest

# The store tests' fixtures (a store on each backend); registered here, at the root, so that
# pytest rewrites their asserts.
pytest_plugins = ["tests._store_fixtures"]

_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    required = [
        v for v in ("LANDPLAN_REQUIRE_POSTGIS", "LANDPLAN_REQUIRE_BROWSER") if os.environ.get(v)
    ]
    if required and _skipped:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(
                f"FAILED: {len(_skipped)} test(s) skipped while {', '.join(required)} is set: "
                + ", ".join(_skipped[:10]),
                red=True,
            )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# --- tiny hand-made layers ----------------------------------------------------------------------
import pandas as pd  # noqa: E402

import geopandas as gpd  # noqa: E402
from shapely import Point, box  # noqa: E402

#: A point of the sample zone (112.0°E, 22.9°N) in EPSG:4546, metres.
X0, Y0 = 602_600.0, 2_533_800.0


@pytest.fixture
def raw_parcels() -> gpd.GeoDataFrame:
    """Three 100 m x 100 m parcels side by side (15 mu each), as a file would give them."""
    return gpd.GeoDataFrame(
        {
            "parcel_id": ["P-1", "P-2", "P-3"],
            "status": ["occupied", "闲置", "state_reserve"],
            "land_use": ["M1", "M2", "M3"],
            "tenure": ["state", "国有", "state"],
            "land_price_wan_yuan": [300.0, 250.0, None],
            "agreed_start": ["2024-01-15", "2023/06/30", None],
        },
        geometry=[box(X0 + 100 * i, Y0, X0 + 100 * (i + 1), Y0 + 100) for i in range(3)],
        crs="EPSG:4546",
    )


@pytest.fixture
def raw_buildings() -> gpd.GeoDataFrame:
    """Two buildings on P-1, one partly vacant."""
    return gpd.GeoDataFrame(
        {
            "building_id": ["B-1", "B-2"],
            "parcel_id": ["P-1", "P-1"],
            "status": ["in_use", "部分空置"],
            "floors": [1, 3],
            "floor_area_m2": [1200.0, 3000.0],
            "vacant_area_m2": [0.0, 1000.0],
        },
        geometry=[box(X0 + 10, Y0 + 10, X0 + 50, Y0 + 40), box(X0 + 60, Y0 + 10, X0 + 90, Y0 + 45)],
        crs="EPSG:4546",
    )


@pytest.fixture
def raw_enterprises() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "enterprise_id": ["E-1", "E-2"],
            "name": ["甲公司", "乙公司"],
            "parcel_id": ["P-1", "P-2；P-3"],
            "industry_code": ["3311", "C3411"],
            "output_wan_yuan": [5000.0, 800.0],
        }
    )


@pytest.fixture
def raw_projects() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "project_id": ["J-1"],
            "name": ["机械智造项目"],
            "stage": ["已签约"],
            "investment_wan_yuan": [50000.0],
            "land_mu_min": [40.0],
            "land_mu_max": [50.0],
        }
    )


@pytest.fixture
def substation() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"substation_id": ["S-1"], "voltage_kv": [110.0]},
        geometry=[Point(X0 + 500, Y0 + 500)],
        crs="EPSG:4546",
    )


@pytest.fixture(scope="session")
def demo_out(tmp_path_factory):
    """The demo run once for the session: its folder, the files it listed and its steps."""
    from landplan.demo import run_demo

    out = tmp_path_factory.mktemp("demo")
    steps: list = []
    written = run_demo(out, on_step=steps.append)
    return out, written, steps
