"""Supply against demand, with figures computed by hand."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import geopandas as gpd
from shapely import box

from landplan.capacity import capacity
from landplan.errors import LandplanError
from landplan.zone import Zone

X0, Y0 = 602_600.0, 2_533_800.0
START = dt.date(2026, 7, 1)  # quarter 2026Q3


def make_zone() -> Zone:
    """Supply: 30 mu state reserve (ready now), 15 mu idle (12 months), 15 mu planned (24
    months), 15 mu occupied (not supply). A vacant standard factory of 2 000 m2.

    Demand: J1 signed 40 mu (x 0.95 = 38, now), J2 framework 20 mu (x 0.6 = 12, in 6 months),
    J3 prospect storage of 100 MWh (x 0.17 = 17 mu, x 0.25 = 4.25, in 12 months), J4 signed
    floor space 3 000 m2 (x 0.95 = 2 850 m2), J5 landed (not pipeline).
    """
    parcels = gpd.GeoDataFrame(
        {
            "parcel_id": ["R", "I", "P", "O"],
            "status": ["state_reserve", "idle", "planned", "occupied"],
            "land_use": ["M1", "M2", "M1", "M1"],
        },
        geometry=[
            box(X0, Y0, X0 + 200, Y0 + 100),
            box(X0 + 200, Y0, X0 + 300, Y0 + 100),
            box(X0 + 300, Y0, X0 + 400, Y0 + 100),
            box(X0 + 400, Y0, X0 + 500, Y0 + 100),
        ],
        crs="EPSG:4546",
    )
    buildings = gpd.GeoDataFrame(
        {
            "building_id": ["B1"],
            "parcel_id": ["O"],
            "status": ["vacant"],
            "floors": [2],
            "floor_area_m2": [2000.0],
            "vacant_area_m2": [2000.0],
            "floor_load_kn_m2": [6.0],
            "clear_height_m": [9.0],
            "standard_factory": [True],
        },
        geometry=[box(X0 + 410, Y0 + 10, X0 + 460, Y0 + 30)],
        crs="EPSG:4546",
    )
    projects = pd.DataFrame(
        {
            "project_id": ["J1", "J2", "J3", "J4", "J5"],
            "name": ["a", "b", "c", "d", "e"],
            "stage": ["signed", "framework", "prospect", "signed", "landed"],
            "cluster": ["metal_smart_manufacturing", "new_materials", "other", "other", "other"],
            "investment_wan_yuan": [1000.0] * 5,
            "land_mu_min": [30.0, 20.0, None, None, 10.0],
            "land_mu_max": [40.0, None, None, None, 10.0],
            "storage_mwh": [None, None, 100.0, None, None],
            "floor_area_m2": [None, None, None, 3000.0, None],
            "can_use_building": [False, False, False, True, False],
        }
    )
    return Zone.from_layers({"parcels": parcels, "buildings": buildings, "projects": projects})


def test_supply_by_status_with_readiness():
    balance = capacity(make_zone(), start=START)
    supply = balance.supply.set_index("status")
    assert supply["area_mu"].to_dict() == pytest.approx(
        {"state_reserve": 30.0, "idle": 15.0, "planned": 15.0}
    )
    assert supply.loc["idle", "ready_quarter"] == "2027Q3"
    assert supply.loc["planned", "ready_quarter"] == "2028Q3"
    assert supply.loc["state_reserve", "ready_quarter"] == "2026Q3"


def test_demand_expected_by_stage_probability():
    balance = capacity(make_zone(), start=START)
    p = balance.projects.set_index("project_id")
    assert list(p.index) == ["J1", "J2", "J3", "J4"]
    assert p["demand_mu"].tolist() == pytest.approx([40.0, 20.0, 17.0, 0.0])
    assert p["expected_mu"].tolist() == pytest.approx([38.0, 12.0, 4.25, 0.0])
    assert p.loc["J4", "demand"] == "floor_space"
    assert p.loc["J4", "expected_floor_m2"] == pytest.approx(2850.0)
    assert p["need_quarter"].tolist() == ["2026Q3", "2027Q1", "2027Q3", "2026Q3"]


def test_balance_by_quarter_and_the_source_that_closes_it():
    q = capacity(make_zone(), start=START).by_quarter.set_index("quarter")
    assert q.loc["2026Q3", "shortfall_mu"] == pytest.approx(8.0)  # 38 - 30
    assert q.loc["2026Q3", "closing_source"] == "idle"  # 45 >= 38 in 2027Q3
    assert q.loc["2026Q3", "closing_quarter"] == "2027Q3"
    assert q.loc["2027Q1", "shortfall_mu"] == pytest.approx(20.0)  # 50 - 30
    assert q.loc["2027Q1", "closing_source"] == "planned"  # only 60 >= 50, in 2028Q3
    assert q.loc["2027Q3", "shortfall_mu"] == pytest.approx(9.25)  # 54.25 - 45
    assert q.loc["2028Q3", "balance_mu"] == pytest.approx(5.75)  # 60 - 54.25
    assert q.loc["2028Q3", "shortfall_mu"] == 0.0
    assert pd.isna(q.loc["2028Q3", "closing_source"])


def test_shortfall_no_supply_closes():
    zone = make_zone()
    projects = zone.projects.copy()
    projects.loc[0, "land_mu_max"] = 100.0  # 95 expected > 60 supply, ever
    q = capacity(zone, projects, start=START).by_quarter.set_index("quarter")
    assert q.loc["2026Q3", "closing_source"] == "none: new land needed"
    assert q.loc["later", "shortfall_mu"] == pytest.approx(95.0 + 12.0 + 4.25 - 60.0)


def test_clusters_share_ready_land_by_their_demand():
    c = capacity(make_zone(), start=START).by_cluster
    row = c.set_index(["cluster", "quarter"])
    # 2027Q1: demand 38 (metal) + 12 (new materials) = 50 against 30 mu ready.
    assert row.loc[("metal_smart_manufacturing", "2027Q1"), "landable_mu"] == pytest.approx(22.8)
    assert row.loc[("metal_smart_manufacturing", "2027Q1"), "shortfall_mu"] == pytest.approx(15.2)
    assert row.loc[("new_materials", "2027Q1"), "landable_mu"] == pytest.approx(7.2)


def test_floor_space_by_characteristics_and_balance():
    balance = capacity(make_zone(), start=START)
    fs = balance.floor_space
    assert fs[["standard_factory", "floor_load_band", "clear_height_band"]].iloc[0].tolist() == [
        True,
        "5-8 kN/m2",
        "8-10 m",
    ]
    assert fs["vacant_area_m2"].sum() == 2000.0
    fb = balance.floor_balance.set_index("item")["value"]
    assert fb["balance_floor_m2"] == pytest.approx(2000.0 - 2850.0)


def test_horizon_must_be_positive():
    with pytest.raises(LandplanError, match="at least one quarter, got 0"):
        capacity(make_zone(), start=START, horizon_quarters=0)


def test_land_demand_is_the_target_matching_makes_sites_to():
    # 40–50 mu asked, 9,000 万元 fixed investment at 200 万元/亩: matching makes sites of 45 mu,
    # and supply and demand count the same 45 mu (once 50)
    zone = make_zone()
    projects = zone.projects.copy()
    projects.loc[0, ["land_mu_min", "land_mu_max"]] = [40.0, 50.0]
    projects["fixed_investment_wan_yuan"] = [9000.0, None, None, None, None]
    p = capacity(zone, projects, start=START).projects.set_index("project_id")
    assert p.loc["J1", "demand_mu"] == pytest.approx(45.0)
    from landplan.demand import land_demand

    assert land_demand(projects.iloc[0], zone.policy).target_mu == pytest.approx(45.0)
