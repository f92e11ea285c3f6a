"""Matching: every hard rule with its reason, assemblies against brute force, cut-outs, ranking."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import geopandas as gpd
import shapely
from shapely import LineString, Point, box

from landplan.demand import land_demand
from landplan.errors import LandplanError
from landplan.match import (
    COMPONENTS,
    feasible_parcels,
    match,
    parcel_adjacency,
    prepare_sites,
)
from landplan.match.sites import MatchContext, RoadIndex, nearest_distance
from landplan.policy import Policy
from landplan.sample import make_zone
from landplan.units import MU_M2
from landplan.zone import Zone
from tests.conftest import X0, Y0

CRS = "EPSG:4546"


def _frame(rows: list[dict], geometry: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geometry, crs=CRS)


def _parcels(specs: list[tuple]) -> gpd.GeoDataFrame:
    """(id, status, land_use, geometry) tuples, optionally with a tenure."""
    rows = [
        {
            "parcel_id": s[0],
            "status": s[1],
            "land_use": s[2],
            "tenure": s[4] if len(s) > 4 else None,
        }
        for s in specs
    ]
    return _frame(rows, [s[3] for s in specs])


def _avenue(y: float = Y0 - 10, x0: float = X0 - 500, x1: float = X0 + 5000) -> gpd.GeoDataFrame:
    return _frame(
        [{"road_id": "R-1", "kind": "avenue", "width_m": 20.0}], [LineString([(x0, y), (x1, y)])]
    )


def _zone(parcels, *, policy: Policy | None = None, **layers) -> Zone:
    return Zone.from_layers({"parcels": parcels, **layers}, policy=policy)


def _project(**changes) -> dict:
    base = {
        "project_id": "J-1",
        "name": "机械智造项目",
        "stage": "signed",
        "cluster": "machinery_equipment",
        "investment_wan_yuan": 20000.0,
        "fixed_investment_wan_yuan": 15000.0,
        "land_mu_min": 12.0,
        "land_mu_max": 18.0,
    }
    return {k: v for k, v in (base | changes).items() if v is not None}


def _cell(i: int, j: int = 0, size: float = 100.0):
    """A size × size parcel in column i, row j; 100 m gives 15 mu."""
    return box(X0 + size * i, Y0 + size * j, X0 + size * (i + 1), Y0 + size * (j + 1))


def reason_texts(result, pid: str) -> dict[str, str]:
    rej = result.rejections if hasattr(result, "rejections") else result[1]
    mine = rej.loc[rej["parcel_id"] == pid]
    return dict(zip(mine["rule"], mine["reason"], strict=True))


# --- the demand window ------------------------------------------------------------------------
def test_window_from_minimum_with_slack_and_storage_rule():
    policy = Policy.default()
    only_min = land_demand(pd.Series({"project_id": "A", "land_mu_min": 50.0}), policy)
    assert (only_min.min_mu, only_min.max_mu, only_min.target_mu) == pytest.approx((50, 60, 50))
    storage = land_demand(pd.Series({"project_id": "S", "storage_mwh": 200.0}), policy)
    # 200 MWh × 0.17 mu/MWh = 34 mu; storage connects at 110 kV by default
    assert storage.min_mu == pytest.approx(34.0)
    assert storage.voltage_kv == 110.0
    assert "200 MWh × 0.17 mu/MWh" in storage.basis


def test_window_capped_by_investment_intensity():
    # 9000 万元 at 200 万元/亩 allows 45 mu: the 40–50 mu window becomes 40–45, target 45
    demand = land_demand(
        pd.Series(
            {
                "project_id": "A",
                "land_mu_min": 40.0,
                "land_mu_max": 50.0,
                "fixed_investment_wan_yuan": 9000.0,
            }
        ),
        Policy.default(),
    )
    assert (demand.min_mu, demand.max_mu, demand.target_mu) == pytest.approx((40, 45, 45))
    assert demand.asked_max_m2 == pytest.approx(50 * MU_M2)
    assert not demand.window_empty


# --- hard rules, each with its reason -----------------------------------------------------------
def test_status_rule_rejects_occupied_land_and_says_what_is_offered():
    zone = _zone(
        _parcels([("A", "occupied", "M1", _cell(0)), ("B", "state_reserve", "M1", _cell(2))])
    )
    mask, rej = feasible_parcels(_project(), zone, lang="en")
    assert mask.tolist() == [False, True]
    reasons = reason_texts((mask, rej), "A")
    assert list(reasons) == ["status"]
    assert reasons["status"].startswith("status occupied is not offered for supply")
    assert "state_reserve" in reasons["status"]
    # in Chinese (the default) the statuses are named in words
    said = reason_texts(feasible_parcels(_project(), zone), "A")["status"]
    assert said == "用地状态为已用，不在可供应之列（可供应：储备用地、闲置、低效、留用地）"


def test_tenure_rule_keeps_village_reserved_land_for_lease_projects():
    parcels = _parcels([("V", "reserved_leased", "M1", _cell(0), "collective")])
    zone = _zone(parcels)
    buyer = reason_texts(feasible_parcels(_project(tenure_ok="buy"), zone, lang="en"), "V")
    assert "supplied by lease only" in buyer["tenure"]
    assert "tenure_ok = buy" in buyer["tenure"]
    mask, _ = feasible_parcels(_project(tenure_ok="lease"), zone, lang="en")
    assert mask.tolist() == [True]
    result = match(_project(tenure_ok="lease"), zone, lang="en")
    assert result.ranked.loc[0, "steps"].startswith("sign a lease with the village collective")
    assert result.ranked.loc[0, "readiness_months"] == 6


def test_land_use_rule_needs_m3_for_hazardous_waste():
    zone = _zone(
        _parcels([("A", "state_reserve", "M1", _cell(0)), ("B", "state_reserve", "M3", _cell(2))])
    )
    mask, rej = feasible_parcels(_project(hazard="hazardous_waste"), zone, lang="en")
    assert mask.tolist() == [False, True]
    reason = reason_texts((mask, rej), "A")["land_use"]
    assert reason == (
        "land-use class M1 does not suit a project with hazard hazardous_waste: it needs one of M3"
    )


def test_protected_rule_rejects_overlap_but_not_slivers():
    parcels = _parcels(
        [("A", "state_reserve", "M1", _cell(0)), ("B", "state_reserve", "M1", _cell(2))]
    )
    constraints = _frame(
        [
            {"constraint_id": "C-1", "kind": "ecological_red_line", "name": "大岭山红线"},
            # 0.5 m² along B's edge: a digitising sliver, under siting.sliver_area_m2
            {"constraint_id": "C-2", "kind": "basic_farmland", "name": "东片农田"},
        ],
        [
            box(X0 + 50, Y0, X0 + 150, Y0 + 100),
            box(X0 + 299.995, Y0, X0 + 300.5, Y0 + 100),
        ],
    )
    mask, rej = feasible_parcels(_project(), _zone(parcels, constraints=constraints), lang="en")
    assert mask.tolist() == [False, True]
    reason = reason_texts((mask, rej), "A")["protected"]
    assert reason == (
        "overlaps ecological red line 大岭山红线 by 5,000 m² (more than the 1 m² of a digitising "
        "sliver); never allocatable"
    )


def test_residential_setback_for_hazardous_projects_only():
    parcels = _parcels(
        [("A", "state_reserve", "M3", _cell(0)), ("B", "state_reserve", "M3", _cell(5))]
    )
    homes = _frame(
        [{"constraint_id": "H-1", "kind": "residential", "name": "石岗村"}],
        [box(X0 - 300, Y0, X0 - 200, Y0 + 100)],  # 200 m west of A, 700 m from B
    )
    zone = _zone(parcels, constraints=homes)
    mask, rej = feasible_parcels(_project(hazard="hazardous_waste"), zone, lang="en")
    assert mask.tolist() == [False, True]
    assert reason_texts((mask, rej), "A")["residential_setback"] == (
        "200.0 m from 石岗村; a hazardous_waste project needs at least 300 m"
    )
    assert feasible_parcels(_project(), zone, lang="en")[0].tolist() == [True, True]


def test_storage_needs_a_110kv_substation_and_distance_from_fuel_stations():
    parcels = _parcels(
        [
            ("A", "state_reserve", "U", _cell(0)),
            ("B", "state_reserve", "M1", _cell(10)),
            ("C", "state_reserve", "M1", _cell(40)),
        ]
    )
    fuel = _frame(
        [{"constraint_id": "F-1", "kind": "fuel_station", "name": "加油站"}],
        [box(X0 - 50, Y0, X0 - 30, Y0 + 20)],  # 30 m west of A
    )
    substations = _frame(
        [
            {"substation_id": "S-1", "name": "城东站", "voltage_kv": 110.0},
            {"substation_id": "S-2", "name": "小站", "voltage_kv": 35.0},
        ],
        [Point(X0 + 1000, Y0 + 500), Point(X0 + 4050, Y0 + 200)],
    )
    zone = _zone(parcels, constraints=fuel, substations=substations)
    storage = _project(
        hazard="energy_storage",
        storage_mwh=200.0,
        land_mu_min=None,
        land_mu_max=None,
        cluster="other",
    )
    mask, rej = feasible_parcels(storage, zone, lang="en")
    assert mask.tolist() == [False, True, False]
    assert reason_texts((mask, rej), "A")["fuel_station_setback"] == (
        "30.0 m from 加油站; a storage station needs at least 50 m"
    )
    # C lies 100 m from a 35 kV station, but 3,000+ m from the 110 kV one
    power = reason_texts((mask, rej), "C")["power"]
    assert power.startswith("nearest substation of ≥ 110 kV (城东站) is 3,")
    assert power.endswith("m away; a heavy user needs one within 3,000 m")


def test_area_rule_names_the_window_and_the_intensity_cap():
    parcels = _parcels(
        [
            ("small", "state_reserve", "M1", box(X0, Y0, X0 + 50, Y0 + 100)),  # 7.5 mu
            ("large", "state_reserve", "M1", box(X0 + 1000, Y0, X0 + 1150, Y0 + 150)),  # 33.75 mu
        ]
    )
    # 3000 万元 at 200 万元/亩 caps the site at 15 mu; 12–18 mu asked
    result = match(_project(fixed_investment_wan_yuan=3000.0), _zone(parcels), lang="en")
    assert result.ranked.empty
    assert reason_texts(result, "small")["area"] == (
        "area 7.5 mu is below the minimum 12.0 mu and it shares no boundary with another "
        "available parcel to assemble a site of 12.0–15.0 mu (capped where a larger site would "
        "bring the investment intensity below 200 万元/亩)"
    )
    large = reason_texts(result, "large")
    # 33.75 ≥ 1.5 × 15: a cut-out is tried, but the parcel has no road frontage
    assert large["cutout"].endswith("but no cut-out: no road frontage to cut a site from")


def test_empty_window_rejects_all_land_with_the_cap():
    zone = _zone(_parcels([("A", "state_reserve", "M1", _cell(0))]))
    result = match(_project(fixed_investment_wan_yuan=1000.0), zone, lang="en")
    assert result.demand.window_empty
    assert reason_texts(result, "A")["area"] == (
        "area 15.0 mu : the project's fixed-asset investment allows at most 5.0 mu at the "
        "control intensity, below the 12.0 mu it needs"
    )


def test_floor_space_rules_and_candidate():
    parcels = _parcels([("P", "occupied", "M1", _cell(0, size=200))])
    rows = [
        ("B-ok", "vacant", 3000.0, 8.0, 9.0),
        ("B-used", "in_use", 0.0, 8.0, 9.0),
        ("B-small", "partly_vacant", 1000.0, 8.0, 9.0),
        ("B-weak", "vacant", 3000.0, 3.0, 9.0),
        ("B-low", "vacant", 3000.0, 8.0, None),
    ]
    buildings = _frame(
        [
            {
                "building_id": b,
                "parcel_id": "P",
                "status": s,
                "floors": 1,
                "floor_area_m2": 3000.0,
                "vacant_area_m2": v,
                "floor_load_kn_m2": load,
                "clear_height_m": h,
            }
            for b, s, v, load, h in rows
        ],
        [box(X0 + 10 + 35 * k, Y0 + 10, X0 + 40 + 35 * k, Y0 + 60) for k in range(len(rows))],
    )
    zone = _zone(parcels, buildings=buildings)
    project = _project(
        land_mu_min=None,
        land_mu_max=None,
        floor_area_m2=2500.0,
        can_use_building=True,
        floor_load_min_kn_m2=5.0,
        clear_height_min_m=6.0,
    )
    result = match(project, zone, lang="en")
    assert result.ranked["candidate_id"].tolist() == ["floor:B-ok"]
    assert result.ranked.loc[0, "score_area_fit"] == pytest.approx(1 - 500 / 2500)
    rej = result.rejections.set_index("building_id")
    assert rej.loc["B-used", "reason"].startswith("building in_use: no floor space to let")
    assert rej.loc["B-small", "reason"] == (
        "vacant floor area 1,000 m² is less than the 2,500 m² needed"
    )
    assert rej.loc["B-weak", "reason"] == (
        "floor_load_kn_m2 3 kN/m²; the project needs at least 5 kN/m²"
    )
    assert rej.loc["B-low", "reason"] == (
        "clear_height_m not recorded; the project needs at least 6 m"
    )


# --- assemblies -----------------------------------------------------------------------------------
def test_adjacency_across_a_gap_but_not_at_a_corner():
    geoms = np.array(
        [
            _cell(0),
            box(X0 + 101, Y0, X0 + 200, Y0 + 100),  # 1 m gap: adjacent
            _cell(1, 1),  # touches the first only at a corner
            box(X0 + 205, Y0, X0 + 300, Y0 + 100),  # 5 m gap: not adjacent
        ],
        dtype=object,
    )
    i, j, shared = parcel_adjacency(geoms, tolerance_m=2.0, min_shared_m=20.0)
    assert sorted(zip(i.tolist(), j.tolist(), strict=True)) == [(0, 1), (1, 2)]
    # the facing edge (100 m) plus the first 1 m of the two edges leaving it, either way round
    by_pair = dict(zip(zip(i.tolist(), j.tolist(), strict=True), shared, strict=True))
    assert by_pair[(0, 1)] == pytest.approx(100 + 1 + 1)
    # the second's top edge from x = 101 (99 m) and 2 m of either side edge lie within 2 m of
    # the third's boundary; the third's 100 m bottom edge, 2 m of its right edge and √3 m of its
    # left one lie within 2 m of the second's: the shorter, 103 m, is shared
    assert by_pair[(1, 2)] == pytest.approx(99 + 2 + 2)


def test_assemblies_of_a_row_need_every_member():
    # three 15 mu parcels in a row; 25–35 mu asked: the pairs fit, the triple (45 mu) does not
    parcels = _parcels([(f"A{k}", "state_reserve", "M1", _cell(k)) for k in range(3)])
    result = match(
        _project(land_mu_min=25.0, land_mu_max=35.0, fixed_investment_wan_yuan=None), _zone(parcels)
    )
    assert sorted(result.ranked["candidate_id"]) == ["assembly:A0+A1", "assembly:A1+A2"]
    assert result.ranked["area_mu"].tolist() == pytest.approx([30.0, 30.0])
    assert set(result.ranked.geom_type) == {"Polygon"}


# --- cut-outs -----------------------------------------------------------------------------------
@settings(max_examples=25, deadline=None)
@given(
    width=st.floats(200.0, 600.0),
    depth=st.floats(200.0, 500.0),
    target_mu=st.floats(8.0, 40.0),
    tilt=st.floats(-30.0, 30.0),
)
def test_cutout_has_the_demanded_area_inside_its_parcel(width, depth, target_mu, tilt):
    parcel = shapely.affinity.rotate(box(X0, Y0, X0 + width, Y0 + depth), tilt, origin=(X0, Y0))
    road = shapely.affinity.rotate(
        LineString([(X0 - 500, Y0 - 15), (X0 + width + 500, Y0 - 15)]), tilt, origin=(X0, Y0)
    )
    zone = _zone(
        _parcels([("BIG", "state_reserve", "M1", parcel)]),
        roads=_frame([{"road_id": "R", "kind": "secondary", "width_m": 20.0}], [road]),
    )
    project = _project(land_mu_min=target_mu, land_mu_max=target_mu, fixed_investment_wan_yuan=None)
    result = match(project, zone, kinds=("cutout",))
    parcel_mu = width * depth / MU_M2
    if parcel_mu - target_mu < zone.policy.siting.cutout_min_remainder_mu:
        return
    assert result.ranked["kind"].tolist() == ["cutout"]
    site = result.ranked.iloc[0]
    assert site["area_mu"] == pytest.approx(target_mu, rel=0.01)
    assert shapely.area(site.geometry) == pytest.approx(target_mu * MU_M2, rel=0.01)
    assert parcel.buffer(0.01).contains(site.geometry)
    assert site["remainder_m2"] == pytest.approx(width * depth - site["area_m2"], rel=1e-6)
    assert site["frontage_m"] > 0


def test_cutout_is_a_square_on_the_frontage_leaving_the_rest():
    # 300 m × 300 m = 135 mu; 60 mu asked → a 200 m × 200 m square on the south road
    parcel = box(X0, Y0, X0 + 300, Y0 + 300)
    zone = _zone(_parcels([("BIG", "state_reserve", "M1", parcel)]), roads=_avenue())
    result = match(
        _project(land_mu_min=60.0, land_mu_max=60.0, fixed_investment_wan_yuan=None),
        zone,
        kinds=("cutout",),
    )
    site = result.ranked.iloc[0]
    minx, miny, maxx, maxy = site.geometry.bounds
    assert (maxx - minx, maxy - miny) == pytest.approx((200.0, 200.0), rel=0.01)
    assert miny == pytest.approx(Y0)
    assert site["remainder_m2"] / MU_M2 == pytest.approx(75.0, rel=0.01)
    assert site["steps"] == "none: net land (净地) ready to supply; survey and subdivide the parcel"
    assert site["readiness_months"] == 3


# --- ranking --------------------------------------------------------------------------------------
def test_score_components_by_hand():
    parcels = _parcels(
        [
            ("A", "state_reserve", "M1", _cell(0)),
            ("E", "occupied", "M1", _cell(5)),
            ("F", "idle", "M1", _cell(25)),
        ]
    )
    enterprises = _frame(
        [{"enterprise_id": "E-1", "parcel_id": "E", "cluster": "machinery_equipment"}],
        [Point(X0 + 550, Y0 + 50)],
    )
    substations = _frame([{"substation_id": "S", "voltage_kv": 110.0}], [Point(X0 + 50, Y0 + 1100)])
    corridors = _frame(
        [{"corridor_id": "C", "name": "新城大道", "phase_breaks_m": "0;2000;4000"}],
        [LineString([(X0 - 500, Y0 - 10), (X0 + 3500, Y0 - 10)])],
    )
    policy = Policy.default().replace(**{"ranking.frontage_full_m": 200.0})
    zone = _zone(
        parcels,
        policy=policy,
        enterprises=enterprises,
        substations=substations,
        corridors=corridors,
        roads=_avenue(),
    )
    result = match(_project(land_mu_min=14.0, land_mu_max=15.0), zone, lang="en")
    a = result.ranked.set_index("candidate_id").loc["parcel:A"]
    # south edge (100 m) and 10 m of each side lie within 20 m of the avenue's centre line
    assert a["frontage_m"] == pytest.approx(120.0)
    assert a["avenue_distance_m"] == pytest.approx(10.0)
    assert a["substation_distance_m"] == pytest.approx(1000.0)
    assert a["cluster_enterprises"] == 1
    assert a["corridor_phase"] == 1
    expected = {
        "area_fit": 1.0,
        "compactness": 1.0,
        "frontage": 0.6,
        "avenue_distance": 1 - 10 / 3000,
        "substation_distance": 0.8,
        "cluster_synergy": 0.2,
        "readiness": 1.0,
        "corridor_phase": 1.0,
    }
    for name, value in expected.items():
        assert a[f"score_{name}"] == pytest.approx(value), name
    weights = policy.ranking.weights
    assert a["score_total"] == pytest.approx(sum(weights[k] * v for k, v in expected.items()))
    f = result.ranked.set_index("candidate_id").loc["parcel:F"]
    # breaks 0;2000;4000 on a 4,000 m avenue make two phases (as the corridor analysis cuts
    # them); F lies 2,550 m along it: phase 2 of 2; idle land waits 12 of 24 months
    assert f["corridor_phase"] == 2
    assert f["score_corridor_phase"] == pytest.approx(1 - 1 / 2)
    assert f["score_readiness"] == pytest.approx(0.5)
    assert f["steps"].startswith("dispose of the idle land")
    assert result.ranked["candidate_id"].tolist() == ["parcel:A", "parcel:F"]
    assert result.ranked["rank"].tolist() == [1, 2]
    assert all(f"score_{c}" in result.ranked for c in COMPONENTS)
    assert a["reasons"] == (
        "15.0 mu for 15.0 mu; ready in 0 months (none: net land (净地) ready to supply); "
        "frontage 120 m; avenue 10 m; substation 1,000 m; 1 same-cluster enterprises within "
        "1,000 m; corridor phase 1"
    )
    # the same candidates said in Chinese, from what the match kept
    zh = result.sites_in("zh").set_index("candidate_id")
    assert zh.loc["parcel:A", "reasons"] == (
        "15.0亩（需求15.0亩）；即可供地（无需前置手续：净地，可直接供应）；临路120米；距大道10米；"
        "距变电站1,000米；1,000米内同产业集群企业1家；位于东扩第1期"
    )
    assert zh.loc["parcel:F", "reasons"].startswith(
        "15.0亩（需求15.0亩）；12个月内可供地（依国土资源部令第53号处置闲置土地"
    )
    assert zh.loc["parcel:F", "steps"].startswith("依国土资源部令第53号处置闲置土地")
    assert result.sites_in("en").equals(result.sites)
    # 15000 万元 on 15 mu
    assert a["investment_intensity_wan_yuan_per_mu"] == pytest.approx(1000.0)


def test_explain_says_why_offered_and_why_not():
    parcels = _parcels([("A", "state_reserve", "M1", _cell(0)), ("B", "occupied", "M1", _cell(3))])
    result = match(_project(), _zone(parcels), top=1, lang="en")
    offered = result.explain("A")
    assert offered.startswith("A for J-1:\n- offered as #1 (single parcel:A)")
    assert result.explain("B") == (
        "B for J-1:\n- not offered by rule status: status occupied is not offered for supply "
        "(offered: state_reserve, idle, low_efficiency, reserved_leased)"
    )
    with pytest.raises(LandplanError, match="'Z' is neither a candidate nor a rejected site"):
        result.explain("Z")
    said = match(_project(), _zone(parcels), top=1)
    assert said.explain("A").startswith("A（项目J-1）：\n- 推荐第1名（单宗地块 parcel:A），得分")
    assert said.explain("B") == (
        "B（项目J-1）：\n- 未推荐，规则“用地状态不可供应”：用地状态为已用，不在可供应之列"
        "（可供应：储备用地、闲置、低效、留用地）"
    )


def test_match_rejects_bad_options():
    zone = _zone(_parcels([("A", "state_reserve", "M1", _cell(0))]))
    with pytest.raises(LandplanError, match="unknown candidate kind"):
        match(_project(), zone, kinds=("parcels",))
    with pytest.raises(LandplanError, match="top must be a positive number"):
        match(_project(), zone, top=0)


def test_indexed_measures_equal_plain_shapely_on_a_generated_zone():
    """Frontage, adjacency and nearest distances against the rules' text in plain shapely."""
    zone = Zone.from_layers(make_zone(n_parcels=3000))
    policy = zone.policy
    geoms = np.asarray(zone.parcels.geometry.array, dtype=object)[:600]
    roads = RoadIndex.of(zone.roads, policy)

    # Frontage: the boundary inside the union of every road's reach, as one shape.
    width = zone.roads["width_m"].fillna(policy.siting.road_width_default_m)
    reach = width / 2 + policy.siting.frontage_tolerance_m
    within = shapely.union_all(
        shapely.buffer(np.asarray(zone.roads.geometry.array), reach.to_numpy(), quad_segs=64)
    )
    expected = shapely.length(shapely.intersection(shapely.boundary(geoms), within))
    np.testing.assert_allclose(roads.frontage_m(geoms), expected, atol=0.05)
    assert (expected > 0).sum() > 50

    # Adjacency: each boundary inside the other's tolerance buffer, both ways, the shorter.
    tol, min_shared = policy.siting.adjacency_tolerance_m, policy.siting.adjacency_min_shared_m
    pairs = {}
    for i, j in itertools.combinations(range(len(geoms)), 2):
        if not shapely.dwithin(geoms[i], geoms[j], tol):
            continue
        bi, bj = geoms[i].boundary, geoms[j].boundary
        shared = min(
            bi.intersection(bj.buffer(tol, quad_segs=64)).length,
            bj.intersection(bi.buffer(tol, quad_segs=64)).length,
        )
        if shared >= min_shared:
            pairs[i, j] = shared
    i, j, shared = parcel_adjacency(geoms, tolerance_m=tol, min_shared_m=min_shared)
    found = dict(zip(zip(i.tolist(), j.tolist(), strict=True), shared.tolist(), strict=True))
    assert found.keys() == pairs.keys()
    for key, length in pairs.items():
        assert found[key] == pytest.approx(length, abs=0.01)
    assert len(pairs) > 100

    # Nearest avenue and substation: the least distance to every one of them.
    for others in (roads.pieces[roads.avenue], np.asarray(zone.substations.geometry.array)):
        expected = np.array([shapely.distance(g, others).min() for g in geoms])
        np.testing.assert_array_equal(nearest_distance(geoms, others), expected)


def test_avenue_distance_by_projection_equals_the_nearest_piece(monkeypatch):
    """A bent avenue of several straight segments, sites on every side and beyond its ends."""
    policy = Policy.default()
    bends = [(X0, Y0), (X0 + 900, Y0 + 40), (X0 + 1500, Y0 + 700), (X0 + 1520, Y0 + 2100)]
    roads = _frame(
        [
            {"road_id": "A", "kind": "avenue", "width_m": 40.0},
            {"road_id": "B", "kind": "branch", "width_m": 12.0},
        ],
        [LineString(bends), LineString([(X0 - 300, Y0 - 300), (X0 - 300, Y0 + 900)])],
    )
    road_pieces = RoadIndex.of(roads, policy)
    rng = np.random.default_rng(7)
    x, y = rng.uniform(X0 - 800, X0 + 2400, 400), rng.uniform(Y0 - 800, Y0 + 2900, 400)
    boxes = shapely.box(x, y, x + rng.uniform(1, 300, 400), y + rng.uniform(1, 300, 400))
    turns = rng.uniform(0, 90, 400)
    sites = [shapely.affinity.rotate(g, a) for g, a in zip(boxes, turns, strict=True)]
    sites = np.asarray([*sites, None, shapely.Polygon()], dtype=object)
    expected = np.array(
        [
            shapely.distance(g, road_pieces.pieces[road_pieces.avenue]).min() if g else np.inf
            for g in sites
        ]
    )
    expected[np.isnan(expected)] = np.inf
    with monkeypatch.context() as patch:
        patch.setattr("landplan.match.sites.nearest_distance", None)  # projection only
        np.testing.assert_array_equal(road_pieces.avenue_distance_m(sites), expected)
    monkeypatch.setattr("landplan.match.sites._STRAIGHT_MAX_SEGMENTS", 0)  # the index instead
    np.testing.assert_array_equal(road_pieces.avenue_distance_m(sites), expected)


# --- the prepared site index --------------------------------------------------------------------
def _same_match(zone: Zone, sites, top: int | None = None) -> int:
    """Match every project of the zone with and without the prepared index; count candidates."""
    seen = 0
    for _, project in zone.projects.iterrows():
        alone = match(project, zone, top=top)
        shared = match(project, zone, top=top, sites=sites)
        pd.testing.assert_frame_equal(shared.ranked, alone.ranked)
        pd.testing.assert_frame_equal(shared.rejections, alone.rejections)
        assert shared.demand == alone.demand
        seen += len(alone.ranked)
    return seen


def test_prepared_sites_give_the_same_match_for_every_sample_project():
    zone = Zone.from_layers(make_zone())
    assert len(zone.projects) == 19
    sites = prepare_sites(zone)
    assert _same_match(zone, sites) > 100
    assert _same_match(zone, sites, top=3) > 100


def test_prepared_sites_give_the_same_match_on_a_random_medium_zone():
    zone = Zone.from_layers(make_zone(seed=20240611, n_parcels=4000))
    sites = prepare_sites(zone)
    assert _same_match(zone, sites) > 1000


def test_prepared_adjacency_and_measures_equal_those_of_the_parcels_alone():
    """The prepared pairs among any offered parcels are those found among these parcels alone."""
    zone = Zone.from_layers(make_zone(seed=5, n_parcels=3000))
    siting = zone.policy.siting
    sites = prepare_sites(zone)
    geoms = np.asarray(zone.parcels.geometry.array, dtype=object)
    rng = np.random.default_rng(11)
    for share in (1.0, 0.7, 0.3):
        chosen = np.sort(rng.choice(sites.offered, int(share * len(sites.offered)), replace=False))
        expected = parcel_adjacency(
            geoms[chosen],
            tolerance_m=siting.adjacency_tolerance_m,
            min_shared_m=siting.adjacency_min_shared_m,
        )
        found = sites.adjacency_among(chosen)
        as_dict = [
            dict(zip(zip(i.tolist(), j.tolist(), strict=True), d.tolist(), strict=True))
            for i, j, d in (expected, found)
        ]
        assert as_dict[0] == as_dict[1]
        assert len(as_dict[0]) > 10
    project = zone.projects.iloc[0]
    demand = land_demand(project, zone.policy)
    ctx = MatchContext.of(demand, zone, sites)
    some = rng.choice(len(geoms), 500, replace=False)
    alone = ctx.measures(geoms[some])
    for key, values in sites.measures.items():
        np.testing.assert_array_equal(values[some], alone[key])
    np.testing.assert_array_equal(
        sites.substation_distance(ctx.chosen, ctx.substations)[some],
        alone["substation_distance_m"],
    )


def test_prepared_sites_refuse_another_or_a_changed_zone():
    layers = make_zone()
    zone = Zone.from_layers(layers)
    sites = prepare_sites(zone)
    project = zone.projects.iloc[0]
    other = Zone.from_layers(make_zone(seed=3))
    with pytest.raises(LandplanError, match=r"prepared for another zone .*prepare_sites\(zone\)"):
        match(project, other, sites=sites)
    zone.parcels.loc[zone.parcels.index[0], "status"] = "occupied"
    with pytest.raises(LandplanError, match="statuses or areas have changed"):
        match(project, zone, sites=sites)
    zone.parcels = zone.parcels.copy()
    with pytest.raises(LandplanError, match="parcels are another table"):
        match(project, zone, sites=sites)
    sites = prepare_sites(zone)
    zone.roads = zone.roads.iloc[1:]
    with pytest.raises(LandplanError, match="roads, substations"):
        match(project, zone, sites=sites)


# --- regressions: each with the numbers of the case that showed it -------------------------------
def test_adjacency_is_the_same_in_either_order_at_a_t_junction():
    # a 100 m box under a 300 m one: their 100 m common edge, whichever comes first
    a, b = box(X0, Y0, X0 + 100, Y0 + 100), box(X0, Y0 + 100, X0 + 300, Y0 + 200)
    for geoms in ([a, b], [b, a]):
        i, j, shared = parcel_adjacency(
            np.array(geoms, dtype=object), tolerance_m=2.0, min_shared_m=20.0
        )
        assert (i.tolist(), j.tolist()) == ([0], [1])
        # 100 m of edge, and 2 m of either side edge next to it, both ways round
        assert shared[0] == pytest.approx(100.0 + 2.0 + 2.0)


def test_adjacency_of_offset_edges_and_an_edge_inside_a_longer_one():
    geoms = np.array(
        [
            box(X0, Y0, X0 + 100, Y0 + 100),
            box(X0 + 60, Y0 + 100, X0 + 160, Y0 + 200),  # offset: 40 m in common
            box(X0 + 100, Y0 - 50, X0 + 200, Y0 + 80),  # along the first's right edge, 80 m + 50 m
        ],
        dtype=object,
    )
    i, j, shared = parcel_adjacency(geoms, tolerance_m=2.0, min_shared_m=20.0)
    found = dict(zip(zip(i.tolist(), j.tolist(), strict=True), shared.tolist(), strict=True))
    # the common stretch, 2 m past its end along the same line, and 2 m of the edge leaving it
    assert found[(0, 1)] == pytest.approx(40.0 + 2.0 + 2.0)
    assert found[(0, 2)] == pytest.approx(80.0 + 2.0 + 2.0)
    assert (1, 2) not in found  # 20 m apart


def test_frontage_of_a_long_edge_near_a_straight_road_is_the_whole_edge():
    # a 200 m edge 15 m from a straight 20 m road (reach 10 + 10 m) fronts it over its length,
    # and 5 m of each side edge too: 210 m (the road was once credited ~24 m in pieces)
    parcels = _parcels([("A", "state_reserve", "M1", box(X0, Y0, X0 + 200, Y0 + 100))])
    roads = _frame(
        [{"road_id": "R", "kind": "secondary", "width_m": 20.0}],
        [LineString([(X0 - 1000, Y0 - 15), (X0 + 1200, Y0 - 15)])],
    )
    result = match(_project(land_mu_min=25.0, land_mu_max=35.0), _zone(parcels, roads=roads))
    assert result.ranked.loc[0, "frontage_m"] == pytest.approx(210.0)


def test_cutout_on_an_edge_digitised_with_a_vertex_every_40_m():
    plain = box(X0, Y0, X0 + 400, Y0 + 300)
    dense = shapely.segmentize(plain, 40.0)
    cuts = []
    for parcel in (plain, dense):
        zone = _zone(_parcels([("BIG", "state_reserve", "M1", parcel)]), roads=_avenue(Y0 - 15))
        result = match(_project(land_mu_min=30.0, land_mu_max=30.0), zone, kinds=("cutout",))
        assert result.ranked["kind"].tolist() == ["cutout"]
        cuts.append(result.ranked.geometry.iloc[0])
    assert cuts[0].symmetric_difference(cuts[1]).area < 1.0


def test_cutout_is_compact_where_a_centred_square_does_not_fit():
    # 294 m along the road but only 30 m deep, but for a 100 × 120 m block at its east end:
    # 12 mu fits there as a square (~89 m), not as a 27 × 294 m strip along the whole edge
    parcel = shapely.union(
        box(X0, Y0, X0 + 294, Y0 + 30), box(X0 + 194, Y0, X0 + 294, Y0 + 120)
    ).normalize()
    zone = _zone(_parcels([("L", "state_reserve", "M1", parcel)]), roads=_avenue(Y0 - 15))
    result = match(_project(land_mu_min=12.0, land_mu_max=12.0), zone, kinds=("cutout",))
    site = result.ranked.iloc[0]
    assert site["area_m2"] == pytest.approx(12 * MU_M2, rel=0.01)
    x0, _y0, x1, y1 = site.geometry.bounds
    assert (x1 - x0) == pytest.approx(y1 - Y0, rel=0.02)  # square: ~89 × 89 m
    assert x0 >= X0 + 194 - 1e-6


def test_cutout_of_a_parcel_too_close_to_a_village_on_its_far_side():
    # 360 mu (600 × 400 m); the village 200 m west of it: the parcel is refused whole for a
    # hazardous project, but a 70 mu cut-out at least 300 m from the village is offered
    parcel = box(X0, Y0, X0 + 600, Y0 + 400)
    village = box(X0 - 350, Y0, X0 - 200, Y0 + 150)
    zone = _zone(
        _parcels([("BIG", "state_reserve", "M3", parcel)]),
        roads=_avenue(Y0 - 15),
        constraints=_frame(
            [{"constraint_id": "V", "kind": "residential", "name": "石岗村"}], [village]
        ),
    )
    project = _project(hazard="hazardous_waste", land_mu_min=70.0, land_mu_max=70.0)
    mask, rej = feasible_parcels(project, zone, lang="en")
    assert not mask.iloc[0]
    assert reason_texts((mask, rej), "BIG")["residential_setback"].startswith("200.0 m from 石岗村")
    result = match(project, zone, kinds=("cutout",), lang="en")
    cut = result.ranked.geometry.iloc[0]
    assert cut.distance(village) >= 300.0
    assert cut.area == pytest.approx(70 * MU_M2, rel=0.01)
    said = result.explain("BIG")
    assert "offered as #1 (cutout cutout:BIG)" in said
    assert "not offered whole by rule residential_setback: 200.0 m from 石岗村" in said


def test_cutout_of_a_parcel_touching_the_red_line_by_100_m2():
    parcel = box(X0, Y0, X0 + 500, Y0 + 400)
    red = box(X0 + 490, Y0 + 390, X0 + 520, Y0 + 420)  # 10 × 10 m inside the parcel
    zone = _zone(
        _parcels([("BIG", "state_reserve", "M1", parcel)]),
        roads=_avenue(Y0 - 15),
        constraints=_frame(
            [{"constraint_id": "E", "kind": "ecological_red_line", "name": "大岭山红线"}], [red]
        ),
    )
    project = _project(land_mu_min=40.0, land_mu_max=40.0)
    assert reason_texts(feasible_parcels(project, zone, lang="en"), "BIG")["protected"].startswith(
        "overlaps ecological red line 大岭山红线 by 100 m²"
    )
    result = match(project, zone, kinds=("cutout",), lang="en")
    assert result.ranked["kind"].tolist() == ["cutout"]
    assert result.ranked.geometry.iloc[0].intersection(red).area <= 1.0


def test_cutout_is_judged_on_its_own_distance_to_the_substation():
    # the parcel's west edge is 2,989 m from the only substation: a cut-out centred on the
    # frontage would lie 3,2xx m away, beyond the 3,000 m rule; the one offered is within it
    parcel = box(X0, Y0, X0 + 600, Y0 + 400)
    zone = _zone(
        _parcels([("BIG", "state_reserve", "M1", parcel)]),
        roads=_avenue(Y0 - 15, x0=X0 - 3500),
        substations=_frame(
            [{"substation_id": "S", "voltage_kv": 110.0, "name": "城东站"}],
            [Point(X0 - 2989, Y0 + 200)],
        ),
    )
    project = _project(land_mu_min=20.0, land_mu_max=20.0, voltage_kv=110.0)
    result = match(project, zone, kinds=("cutout",))
    site = result.ranked.iloc[0]
    substation = Point(X0 - 2989, Y0 + 200)
    assert site.geometry.distance(substation) <= 3000.0
    assert site["substation_distance_m"] == pytest.approx(site.geometry.distance(substation))
    centred = box(X0 + 242, Y0, X0 + 358, Y0 + 115)
    assert centred.distance(substation) > 3000.0


def test_floor_space_obeys_the_siting_rules_of_land():
    parcels = _parcels(
        [
            ("M2-land", "occupied", "M2", _cell(0)),
            ("near", "occupied", "M3", _cell(3)),
            ("far", "occupied", "M3", _cell(9)),
        ]
    )
    homes = box(X0 + 300, Y0 + 102, X0 + 400, Y0 + 200)  # 2 m north of the "near" parcel
    footprints = [
        box(X0 + 10, Y0 + 10, X0 + 90, Y0 + 90),
        box(X0 + 310, Y0 + 10, X0 + 390, Y0 + 100),  # 2 m from the homes
        box(X0 + 910, Y0 + 10, X0 + 990, Y0 + 90),
    ]
    buildings = _frame(
        [
            {
                "building_id": f"B-{p}",
                "parcel_id": p,
                "status": "vacant",
                "floors": 1,
                "floor_area_m2": 6000.0,
                "vacant_area_m2": 6000.0,
            }
            for p in ("M2-land", "near", "far")
        ],
        footprints,
    )
    zone = _zone(
        parcels,
        buildings=buildings,
        constraints=_frame(
            [{"constraint_id": "H", "kind": "residential", "name": "石岗村"}], [homes]
        ),
    )
    project = _project(
        hazard="hazardous_waste",
        land_mu_min=None,
        land_mu_max=None,
        can_use_building=True,
        floor_area_m2=5000.0,
    )
    result = match(project, zone, lang="en")
    assert result.ranked["building_id"].tolist() == ["B-far"]
    rej = result.rejections.set_index("building_id")
    assert rej.loc["B-M2-land", "rule"] == "land_use"
    assert rej.loc["B-near", "rule"] == "residential_setback"
    assert rej.loc["B-near", "reason"].startswith("2.0 m from 石岗村")


def test_corridor_phase_of_candidates_is_that_of_the_corridor_analysis():
    from landplan.corridor import corridor

    zone = Zone.from_layers(make_zone())
    bands = corridor(zone).phases
    seen = set()
    for _, project in zone.projects.iterrows():
        ranked = match(project, zone).ranked
        points = shapely.point_on_surface(ranked.geometry.to_numpy())
        for point, phase in zip(points, ranked["corridor_phase"], strict=True):
            inside = [
                p for p, g in zip(bands["phase"], bands.geometry, strict=True) if g.covers(point)
            ]
            assert phase == (min(inside) if inside else 0)
            seen.add(phase)
    assert {1, 2, 3} <= seen  # the sample's breaks 4200;7000 give three phases, all used


def test_a_setback_of_exactly_its_distance_is_kept():
    parcels = _parcels([("A", "state_reserve", "M3", _cell(0))])
    homes = box(X0 - 400, Y0, X0 - 300, Y0 + 100)  # exactly 300.0 m west
    zone = _zone(
        parcels,
        constraints=_frame(
            [{"constraint_id": "H", "kind": "residential", "name": "石岗村"}], [homes]
        ),
    )
    mask, rej = feasible_parcels(_project(hazard="hazardous_waste"), zone, lang="en")
    assert mask.tolist() == [True]
    shifted = _zone(
        parcels,
        constraints=_frame(
            [{"constraint_id": "H", "kind": "residential", "name": "石岗村"}],
            [shapely.affinity.translate(homes, 0.5)],
        ),
    )
    mask, rej = feasible_parcels(_project(hazard="hazardous_waste"), shifted, lang="en")
    assert mask.tolist() == [False]
    assert reason_texts((mask, rej), "A")["residential_setback"] == (
        "299.5 m from 石岗村; a hazardous_waste project needs at least 300 m"
    )


def test_area_reason_when_every_assembly_overshoots_the_maximum():
    # two adjacent 15 mu parcels; 16–20 mu asked: together they make 30 mu, too much
    parcels = _parcels(
        [("A", "state_reserve", "M1", _cell(0)), ("B", "state_reserve", "M1", _cell(1))]
    )
    result = match(
        _project(land_mu_min=16.0, land_mu_max=20.0, fixed_investment_wan_yuan=None),
        _zone(parcels),
        lang="en",
    )
    assert result.ranked.empty
    assert reason_texts(result, "A")["area"] == (
        "area 15.0 mu is below the minimum 16.0 mu and no assembly of up to 4 adjacent "
        "available parcels with it lies in 16.0–20.0 mu (none superfluous) and passes every rule"
    )


def test_avenue_distance_from_the_corridors_layer_where_no_road_is_the_avenue():
    parcels = _parcels([("A", "state_reserve", "M1", _cell(0))])
    corridors = _frame(
        [{"corridor_id": "C", "name": "新城大道", "phase_breaks_m": None}],
        [LineString([(X0 - 500, Y0 - 40), (X0 + 3500, Y0 - 40)])],
    )
    result = match(
        _project(land_mu_min=14.0, land_mu_max=15.0), _zone(parcels, corridors=corridors), lang="en"
    )
    assert result.ranked.loc[0, "avenue_distance_m"] == pytest.approx(40.0)
    assert "avenue 40 m" in result.ranked.loc[0, "reasons"]


def test_a_site_without_a_substation_of_the_voltage_says_so_in_words():
    from landplan.match.score import reason_texts

    zone = Zone.from_layers(make_zone())
    project = zone.projects[zone.projects["project_id"] == "PJ-03"].iloc[0]
    ranked = match(project, zone).ranked.head(2).copy()
    assert len(ranked) == 2
    ranked["substation_distance_m"] = [np.inf, 250.0]
    demand = land_demand(project, zone.policy)
    zh = reason_texts(ranked, demand, zone.policy, "zh").tolist()
    en = reason_texts(ranked, demand, zone.policy, "en").tolist()
    assert "园区内无所需电压的变电站" in zh[0] and "inf" not in zh[0]
    assert "距变电站250米" in zh[1]
    assert "no substation of the voltage in the zone" in en[0] and "substation 250 m" in en[1]


def test_a_shared_index_measures_an_assembly_to_the_substations_of_each_projects_voltage():
    """Projects of one window but different voltages share assemblies, not their substations.

    Two 10 mu parcels make the only 20 mu assembly; a 110 kV substation stands 100 m from it
    and a 220 kV one 600 m. Each project's assembly is measured to the nearest substation of
    its own voltage, whichever project was matched first on the shared index.
    """
    parcels = _parcels(
        [
            ("A", "state_reserve", "M1", box(X0, Y0, X0 + 80, Y0 + 83.3)),
            ("B", "state_reserve", "M1", box(X0 + 80, Y0, X0 + 160, Y0 + 83.3)),
        ]
    )
    substations = _frame(
        [
            {"substation_id": "S-110", "voltage_kv": 110.0},
            {"substation_id": "S-220", "voltage_kv": 220.0},
        ],
        [Point(X0 + 80, Y0 + 183.3), Point(X0 + 80, Y0 + 683.3)],
    )
    zone = _zone(parcels, roads=_avenue(), substations=substations)
    any_kv = _project(land_mu_min=19.0, land_mu_max=21.0)
    high_kv = _project(project_id="J-2", land_mu_min=19.0, land_mu_max=21.0, voltage_kv=220.0)

    def assembly_distance(result) -> float:
        (found,) = result.ranked.loc[result.ranked["kind"] == "assembly", "substation_distance_m"]
        return float(found)

    for first, then in ((any_kv, high_kv), (high_kv, any_kv)):
        sites = prepare_sites(zone)
        match(first, zone, sites=sites)
        shared, alone = match(then, zone, sites=sites), match(then, zone)
        expected = 600.0 if then is high_kv else 100.0
        assert assembly_distance(alone) == pytest.approx(expected)
        assert assembly_distance(shared) == pytest.approx(expected)
        pd.testing.assert_frame_equal(shared.ranked, alone.ranked)
