"""Matching: every hard rule with its reason, assemblies against brute force, cut-outs, ranking."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import geopandas as gpd
import shapely
from shapely import LineString, Point, box

from landplan.demand import land_demand
from landplan.errors import LandplanError
from landplan.match import (
    COMPONENTS,
    _Context,
    _nearest_distance,
    _Roads,
    feasible_parcels,
    match,
    parcel_adjacency,
    prepare_sites,
)
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


def _reasons(result, pid: str) -> dict[str, str]:
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
    mask, rej = feasible_parcels(_project(), zone)
    assert mask.tolist() == [False, True]
    reasons = _reasons((mask, rej), "A")
    assert list(reasons) == ["status"]
    assert reasons["status"].startswith("status occupied is not offered for supply")
    assert "state_reserve" in reasons["status"]


def test_tenure_rule_keeps_village_reserved_land_for_lease_projects():
    parcels = _parcels([("V", "reserved_leased", "M1", _cell(0), "collective")])
    zone = _zone(parcels)
    buyer = _reasons(feasible_parcels(_project(tenure_ok="buy"), zone), "V")
    assert "supplied by lease only" in buyer["tenure"]
    assert "tenure_ok = buy" in buyer["tenure"]
    mask, _ = feasible_parcels(_project(tenure_ok="lease"), zone)
    assert mask.tolist() == [True]
    result = match(_project(tenure_ok="lease"), zone)
    assert result.ranked.loc[0, "steps"].startswith("sign a lease with the village collective")
    assert result.ranked.loc[0, "readiness_months"] == 6


def test_land_use_rule_needs_m3_for_hazardous_waste():
    zone = _zone(
        _parcels([("A", "state_reserve", "M1", _cell(0)), ("B", "state_reserve", "M3", _cell(2))])
    )
    mask, rej = feasible_parcels(_project(hazard="hazardous_waste"), zone)
    assert mask.tolist() == [False, True]
    reason = _reasons((mask, rej), "A")["land_use"]
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
    mask, rej = feasible_parcels(_project(), _zone(parcels, constraints=constraints))
    assert mask.tolist() == [False, True]
    reason = _reasons((mask, rej), "A")["protected"]
    assert reason == "overlaps ecological red line 大岭山红线 by 5,000 m²; never allocatable"


def test_residential_setback_for_hazardous_projects_only():
    parcels = _parcels(
        [("A", "state_reserve", "M3", _cell(0)), ("B", "state_reserve", "M3", _cell(5))]
    )
    homes = _frame(
        [{"constraint_id": "H-1", "kind": "residential", "name": "石岗村"}],
        [box(X0 - 300, Y0, X0 - 200, Y0 + 100)],  # 200 m west of A, 700 m from B
    )
    zone = _zone(parcels, constraints=homes)
    mask, rej = feasible_parcels(_project(hazard="hazardous_waste"), zone)
    assert mask.tolist() == [False, True]
    assert _reasons((mask, rej), "A")["residential_setback"] == (
        "200 m from 石岗村; a hazardous_waste project needs at least 300 m"
    )
    assert feasible_parcels(_project(), zone)[0].tolist() == [True, True]


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
    mask, rej = feasible_parcels(storage, zone)
    assert mask.tolist() == [False, True, False]
    assert _reasons((mask, rej), "A")["fuel_station_setback"] == (
        "30 m from 加油站; a storage station needs at least 50 m"
    )
    # C lies 100 m from a 35 kV station, but 3,000+ m from the 110 kV one
    power = _reasons((mask, rej), "C")["power"]
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
    result = match(_project(fixed_investment_wan_yuan=3000.0), _zone(parcels))
    assert result.ranked.empty
    assert _reasons(result, "small")["area"] == (
        "area 7.5 mu is below the minimum 12.0 mu and no assembly of adjacent available parcels "
        "reaches it"
    )
    large = _reasons(result, "large")
    # 33.75 ≥ 1.5 × 15: a cut-out is tried, but the parcel has no road frontage
    assert large["cutout"].endswith("but no cut-out: no road frontage to cut a site from")


def test_empty_window_rejects_all_land_with_the_cap():
    zone = _zone(_parcels([("A", "state_reserve", "M1", _cell(0))]))
    result = match(_project(fixed_investment_wan_yuan=1000.0), zone)
    assert result.demand.window_empty
    assert _reasons(result, "A")["area"] == (
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
    result = match(project, zone)
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
    # the facing edge (100 m) plus the first 1 m (resp. 1 m and 2 m) of the edges leaving it
    by_pair = dict(zip(zip(i.tolist(), j.tolist(), strict=True), shared, strict=True))
    assert by_pair[(0, 1)] == pytest.approx(100 + 1 + 1)
    assert by_pair[(1, 2)] == pytest.approx(100 + 100 / (10001**0.5 - 1) + 2)


def test_assemblies_of_a_row_need_every_member():
    # three 15 mu parcels in a row; 25–35 mu asked: the pairs fit, the triple (45 mu) does not
    parcels = _parcels([(f"A{k}", "state_reserve", "M1", _cell(k)) for k in range(3)])
    result = match(
        _project(land_mu_min=25.0, land_mu_max=35.0, fixed_investment_wan_yuan=None), _zone(parcels)
    )
    assert sorted(result.ranked["candidate_id"]) == ["assembly:A0+A1", "assembly:A1+A2"]
    assert result.ranked["area_mu"].tolist() == pytest.approx([30.0, 30.0])
    assert set(result.ranked.geom_type) == {"Polygon"}


def _brute_force(zone: Zone, project: dict) -> set[frozenset[str]]:
    """Every subset of parcels the rules allow, checked one by one."""
    policy = zone.policy
    siting = policy.siting
    demand = land_demand(pd.Series(project), policy)
    parcels = zone.parcels
    hazardous = project.get("hazard") in siting.hazardous_kinds
    allowed = siting.hazardous_land_use if hazardous else siting.industrial_land_use
    ok = []
    for row in parcels.itertuples():
        lease_only = row.status in siting.lease_only_statuses or row.tenure == "collective"
        if (
            row.status in siting.available_statuses
            and not (lease_only and project.get("tenure_ok", "buy") == "buy")
            and row.land_use in allowed
        ):
            ok.append(row)
    tol, shared = siting.adjacency_tolerance_m, siting.adjacency_min_shared_m

    def adjacent(a, b) -> bool:
        near = a.geometry.boundary.intersection(b.geometry.buffer(tol)).length
        return a.geometry.distance(b.geometry) <= tol and near >= shared

    found = set()
    for size in range(1, siting.max_group_size + 1):
        for group in itertools.combinations(ok, size):
            areas = [g.area_m2 for g in group]
            total = sum(areas)
            if not demand.min_m2 <= total <= demand.max_m2:
                continue
            if size > 1 and total - min(areas) >= demand.min_m2:
                continue
            reached, todo = {0}, [0]
            while todo:
                k = todo.pop()
                for m in range(size):
                    if m not in reached and adjacent(group[k], group[m]):
                        reached.add(m)
                        todo.append(m)
            if len(reached) == size:
                found.add(frozenset(g.parcel_id for g in group))
    return found


@st.composite
def tiny_zones(draw):
    nx = draw(st.integers(2, 4))
    ny = draw(st.integers(1, 3))
    widths = draw(st.lists(st.sampled_from([40.0, 60.0, 80.0, 120.0]), min_size=nx, max_size=nx))
    heights = draw(st.lists(st.sampled_from([50.0, 70.0, 100.0]), min_size=ny, max_size=ny))
    xs = X0 + np.concatenate([[0.0], np.cumsum(widths)])
    ys = Y0 + np.concatenate([[0.0], np.cumsum(heights)])
    specs = []
    for i in range(nx):
        for j in range(ny):
            gap = draw(st.sampled_from([0.0, 0.0, 1.0, 3.0]))  # 3 m exceeds the 2 m tolerance
            status = draw(
                st.sampled_from(
                    ["state_reserve", "state_reserve", "idle", "occupied", "reserved_leased"]
                )
            )
            land_use = draw(st.sampled_from(["M1", "M2", "M3", "M3", "R"]))
            tenure = "collective" if status == "reserved_leased" else "state"
            geom = box(xs[i], ys[j], xs[i + 1] - gap, ys[j + 1])
            specs.append((f"P{i}{j}", status, land_use, geom, tenure))
    low = draw(st.sampled_from([4.0, 6.0, 9.0, 12.0, 20.0]))
    high = low * draw(st.sampled_from([1.0, 1.5, 2.0, 3.0]))
    project = _project(
        land_mu_min=low,
        land_mu_max=high,
        fixed_investment_wan_yuan=None,
        tenure_ok=draw(st.sampled_from(["buy", "lease"])),
        hazard=draw(st.sampled_from(["none", "none", "hazardous_waste"])),
    )
    return _parcels(specs), project


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_zones())
def test_parcels_and_assemblies_equal_brute_force(case):
    parcels, project = case
    zone = _zone(parcels)
    result = match(project, zone, kinds=("single", "assembly"))
    got = {frozenset(ids.split(";")) for ids in result.ranked["parcel_ids"]}
    assert got == _brute_force(zone, project)
    assert len(got) == len(result.ranked)


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
    result = match(_project(land_mu_min=14.0, land_mu_max=15.0), zone)
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
    # F's centre lies 2,550 m along the avenue: phase 2 of 3; idle land waits 12 of 24 months
    assert f["corridor_phase"] == 2
    assert f["score_corridor_phase"] == pytest.approx(1 - 1 / 3)
    assert f["score_readiness"] == pytest.approx(0.5)
    assert f["steps"].startswith("dispose of the idle land")
    assert result.ranked["candidate_id"].tolist() == ["parcel:A", "parcel:F"]
    assert result.ranked["rank"].tolist() == [1, 2]
    assert all(f"score_{c}" in result.ranked for c in COMPONENTS)
    assert "ready in 0 months" in a["reasons"]
    # 15000 万元 on 15 mu
    assert a["investment_intensity_wan_yuan_per_mu"] == pytest.approx(1000.0)


def test_explain_says_why_offered_and_why_not():
    parcels = _parcels([("A", "state_reserve", "M1", _cell(0)), ("B", "occupied", "M1", _cell(3))])
    result = match(_project(), _zone(parcels), top=1)
    offered = result.explain("A")
    assert offered.startswith("A for J-1:\n- offered as #1 (single parcel:A)")
    assert result.explain("B") == (
        "B for J-1:\n- not offered by rule status: status occupied is not offered for supply "
        "(offered: state_reserve, idle, low_efficiency, reserved_leased)"
    )
    with pytest.raises(LandplanError, match="'Z' is neither a candidate nor a rejected site"):
        result.explain("Z")


def test_match_rejects_bad_options():
    zone = _zone(_parcels([("A", "state_reserve", "M1", _cell(0))]))
    with pytest.raises(LandplanError, match="unknown candidate kind"):
        match(_project(), zone, kinds=("parcels",))
    with pytest.raises(LandplanError, match="top must be a positive number"):
        match(_project(), zone, top=0)


def test_indexed_measures_equal_a_straightforward_computation():
    """Frontage, adjacency and nearest distances on a generated zone, against no index at all."""

    def point_segment_distance(p, c, d):
        cd = d - c
        length2 = (cd**2).sum(axis=1)
        s = np.clip(((p - c) * cd).sum(axis=1) / np.where(length2 > 0, length2, 1.0), 0.0, 1.0)
        return np.hypot(*(p - c - s[:, None] * cd).T)

    zone = Zone.from_layers(make_zone(n_parcels=3000))
    policy = zone.policy
    geoms = np.asarray(zone.parcels.geometry.array, dtype=object)[:600]
    roads = _Roads.of(zone.roads, policy)

    # Frontage: every boundary segment against every road piece, the best piece credited.
    expected = np.zeros(len(geoms))
    for k, geom in enumerate(geoms):
        ring = shapely.get_coordinates(geom.exterior)
        for a, b in itertools.pairwise(ring):
            d0 = point_segment_distance(np.tile(a, (len(roads.start), 1)), roads.start, roads.end)
            d1 = point_segment_distance(np.tile(b, (len(roads.start), 1)), roads.start, roads.end)
            lo, hi, r = np.minimum(d0, d1), np.maximum(d0, d1), roads.reach
            share = np.where(
                hi <= r, 1.0, np.where(lo > r, 0.0, (r - lo) / np.maximum(hi - lo, 1e-12))
            )
            expected[k] += (np.hypot(*(b - a)) * share).max()
    np.testing.assert_array_equal(roads.frontage_m(geoms), expected)
    assert (expected > 0).sum() > 50

    # Adjacency: every pair within the tolerance, each boundary segment of one against the other.
    tol, min_shared = policy.siting.adjacency_tolerance_m, policy.siting.adjacency_min_shared_m
    pairs = {}
    for i, j in itertools.combinations(range(len(geoms)), 2):
        if not shapely.dwithin(geoms[i], geoms[j], tol):
            continue
        shared = 0.0
        for a, b in itertools.pairwise(shapely.get_coordinates(geoms[j].exterior)):
            d0, d1 = geoms[i].distance(Point(a)), geoms[i].distance(Point(b))
            lo, hi = min(d0, d1), max(d0, d1)
            share = 1.0 if hi <= tol else 0.0 if lo > tol else (tol - lo) / max(hi - lo, 1e-12)
            shared += float(np.hypot(*(b - a))) * share
        if shared >= min_shared:
            pairs[i, j] = shared
    i, j, shared = parcel_adjacency(geoms, tolerance_m=tol, min_shared_m=min_shared)
    assert dict(zip(zip(i.tolist(), j.tolist(), strict=True), shared.tolist(), strict=True)) == (
        pairs
    )
    assert len(pairs) > 100

    # Nearest avenue and substation: the least distance to every one of them.
    for others in (roads.pieces[roads.avenue], np.asarray(zone.substations.geometry.array)):
        expected = np.array([shapely.distance(g, others).min() for g in geoms])
        np.testing.assert_array_equal(_nearest_distance(geoms, others), expected)


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
    road_pieces = _Roads.of(roads, policy)
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
        patch.setattr("landplan.match._nearest_distance", None)  # projection only
        np.testing.assert_array_equal(road_pieces.avenue_distance_m(sites), expected)
    monkeypatch.setattr("landplan.match._STRAIGHT_MAX_SEGMENTS", 0)  # the index instead
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
    ctx = _Context.of(project, demand, zone, sites)
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
