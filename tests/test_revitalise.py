"""The revitalisation plan: each mode's rule on hand-made parcels, with the arithmetic written out.

Parcels are boxes in EPSG:4546; 100 m × 100 m = 10 000 m² = 15 mu, 80 m × 80 m = 6 400 m² = 9.6 mu.
The audit date is 2025-06-30 throughout (the sample zone's tests use its own date).

Per-mu classes come from the audit's ranking; with ``evaluation.class_shares`` A 0, B 0.5, C 0,
D 0.5 a zone of two evaluated firms has its better firm in class B and the other in class D.
"""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest

import geopandas as gpd
import pyogrio
from shapely import LineString, box

from landplan._geom import shared_boundary
from landplan.audit import audit
from landplan.errors import LandplanError, PolicyError
from landplan.kinds import KINDS
from landplan.maps.revitalisation import revitalisation_map
from landplan.policy import Policy
from landplan.revitalise import MODES, revitalise
from landplan.revitalise_io import write_revitalisation
from landplan.vocab import PROJECT_STAGE
from landplan.zone import Zone
from tests.conftest import X0, Y0

AS_OF = "2025-06-30"
TWO_CLASSES = {"A": 0.0, "B": 0.5, "C": 0.0, "D": 0.5}


def _policy(**changes) -> Policy:
    return Policy.default().replace(**{"evaluation.class_shares": TWO_CLASSES, **changes})


def zone_of(parcels, buildings=(), enterprises=(), roads=(), projects=(), policy=None) -> Zone:
    """A zone from specs; each parcel and building gives its box as (x0, y0, x1, y1) from X0, Y0."""

    def shapes(specs):
        rows, geoms = [], []
        for spec in specs:
            spec = dict(spec)
            x0, y0, x1, y1 = spec.pop("box")
            rows.append(spec)
            geoms.append(box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1))
        return gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4546")

    parcels = [{"status": "occupied", "land_use": "M1", "tenure": "state", **p} for p in parcels]
    layers = {"parcels": shapes(parcels)}
    if buildings:
        layers["buildings"] = shapes([{"status": "in_use", "floors": 1, **b} for b in buildings])
    if enterprises:
        layers["enterprises"] = pd.DataFrame(list(enterprises))
    if roads:
        layers["roads"] = gpd.GeoDataFrame(
            [{k: v for k, v in r.items() if k != "line"} for r in roads],
            geometry=[LineString([(X0 + x, Y0 + y) for x, y in r["line"]]) for r in roads],
            crs="EPSG:4546",
        )
    if projects:
        layers["projects"] = pd.DataFrame(list(projects))
    return Zone.from_layers(layers, policy=policy or _policy())


def building(building_id, parcel_id, floor_area_m2, box, **extra):
    """A factory building of ``floor_area_m2`` on ``box``, in use, one storey unless told."""
    return {
        "building_id": building_id,
        "parcel_id": parcel_id,
        "floor_area_m2": floor_area_m2,
        "box": box,
        **extra,
    }


def firm(enterprise_id, parcel_id, tax_wan_yuan, **extra):
    """A metal-products firm (GB/T 4754 division 33: FAR minimum 0.7), producing unless told."""
    return {
        "enterprise_id": enterprise_id,
        "parcel_id": parcel_id,
        "industry_code": "3311",
        "tax_wan_yuan": tax_wan_yuan,
        "operating_status": "producing",
        **extra,
    }


def plan_of(zone: Zone, **kwargs):
    return revitalise(zone, audit(zone, as_of=AS_OF), **kwargs)


def row(plan, parcel_id):
    return plan.parcels.set_index("parcel_id").loc[parcel_id]


def day(text):
    return pd.Timestamp(text)


# --- 依法收回 -----------------------------------------------------------------------------------
def test_idle_land_is_recovered_after_its_recovery_date_and_the_procedure():
    zone = zone_of(
        [
            # not started: idle on 2024-01-10, recoverable from 2025-01-10 (before the audit)
            {
                "parcel_id": "P-1",
                "status": "idle",
                "agreed_start": "2023-01-10",
                "box": (0, 0, 100, 100),
            },
            # not started: idle on 2025-03-15, recoverable from 2026-03-15 (after the audit)
            {
                "parcel_id": "P-2",
                "status": "idle",
                "agreed_start": "2024-03-15",
                "box": (200, 0, 300, 100),
            },
        ]
    )
    plan = plan_of(zone)
    p1, p2 = row(plan, "P-1"), row(plan, "P-2")
    assert (p1["mode"], p1["basis_zh"], p2["mode"], p2["basis_zh"]) == (
        "recover",
        "依法收回",
        "recover",
        "依法收回",
    )
    # recovered 6 months (recovery_procedure_months) after max(recovery date, audit date)
    assert p1["land_date"] == day("2025-12-30")  # 2025-06-30 + 6 months
    assert p2["land_date"] == day("2026-09-15")  # 2026-03-15 + 6 months
    assert (p1["quarter"], p2["quarter"]) == ("2025Q4", "2026Q3")
    assert p1["land_mu"] == pytest.approx(15.0)  # the whole parcel, 10 000 m²
    assert "2025-01-10" in p1["reason_zh"] and "国土资源部令第53号" in p1["reason_zh"]
    assert "recoverable free of charge from 2026-03-15" in p2["reason_en"]


def _two_firms(d_firm: dict, *, d_box=(200, 0, 300, 100), roads=(), **zone_kwargs) -> Zone:
    """P-1 holds a class-B firm (FAR 0.8, out of scope); P-2 the class-D firm ``d_firm``."""
    return zone_of(
        [
            {"parcel_id": "P-1", "box": (0, 0, 100, 100)},
            {"parcel_id": "P-2", "box": d_box},
        ],
        buildings=[
            # 8 000 m² on 10 000 m²: FAR 0.8 ≥ 0.7 (division 33), coverage 0.4 ≥ 0.3
            building("B-1", "P-1", 8000.0, (0, 0, 40, 100), floors=2),
            building("B-2", "P-2", 8000.0, (d_box[0], d_box[1], d_box[0] + 40, d_box[3]), floors=2),
        ],
        enterprises=[firm("E-1", "P-1", 300.0), firm("E-2", "P-2", 0.0, **d_firm)],
        roads=roads,
        **zone_kwargs,
    )


# --- 协议收储 -----------------------------------------------------------------------------------
def test_long_stopped_class_d_firm_sells_its_land_to_the_reserve():
    # stopped since 2023-05-01: two full years on 2025-05-01, before the audit
    zone = _two_firms({"operating_status": "stopped", "stopped_since": "2023-05-01"})
    result = audit(zone, as_of=AS_OF)
    assert result.enterprises.set_index("enterprise_id")["evaluation_class"].to_dict() == {
        "E-1": "B",
        "E-2": "D",
    }
    plan = revitalise(zone, result)
    p2 = row(plan, "P-2")
    assert (p2["mode"], p2["basis_zh"]) == ("recover", "协议收储")
    assert p2["land_mu"] == pytest.approx(15.0)  # the class-D firm's land: all of P-2
    assert p2["land_date"] == day("2026-06-30")  # 2025-06-30 + 12 months of agreement
    assert p2["quarter"] == "2026Q2"
    assert "E-2 D类、停产自2023-05-01满2年" in p2["reason_zh"]
    assert "P-1" not in set(plan.parcels["parcel_id"])  # class B with FAR 0.8: nothing to do


# --- 二次开发 / 产业转型 --------------------------------------------------------------------------
AVENUE = {"road_id": "R-1", "kind": "avenue", "width_m": 40.0}


def test_class_d_land_near_the_avenue_is_redeveloped_far_from_it_rectified():
    # stopped since 2024-01-01: 1.5 years, short of the 2 full years of 协议收储
    firm = {"operating_status": "stopped", "stopped_since": "2024-01-01"}
    # the avenue runs 500 m north of P-2's top edge (y = 100 + 500)
    near = _two_firms(firm, roads=[{**AVENUE, "line": [(-1000, 600), (2000, 600)]}])
    p2 = row(plan_of(near), "P-2")
    assert p2["mode"] == "redevelop"
    assert p2["land_mu"] == pytest.approx(15.0)
    assert p2["land_date"] == day("2026-06-30")  # 12 months of agreement
    assert "距大道500米（≤ 1500米）" in p2["reason_zh"]
    # 2 000 m away (> 1 500 m) and no road along it: class D but not well placed
    far = _two_firms(firm, roads=[{**AVENUE, "line": [(-1000, 2100), (2000, 2100)]}])
    p2 = row(plan_of(far), "P-2")
    assert p2["mode"] == "rectify"
    assert p2["land_mu"] == 0.0
    assert "亩均效益评价D类" in p2["reason_zh"]


# --- 增容技改 -----------------------------------------------------------------------------------
def _densify_zone(far_max: float) -> Zone:
    return zone_of(
        [
            {"parcel_id": "P-1", "far_max": far_max, "box": (0, 0, 100, 100)},
            {"parcel_id": "P-2", "box": (200, 0, 300, 100)},
        ],
        buildings=[
            # 3 000 m² on 10 000 m²: FAR 0.3 < 0.7; footprint 3 000 m², coverage 0.3
            building("B-1", "P-1", 3000.0, (0, 0, 30, 100)),
            building("B-2", "P-2", 8000.0, (200, 0, 240, 100), floors=2),
        ],
        enterprises=[firm("E-1", "P-1", 300.0), firm("E-2", "P-2", 0.0)],
    )


def test_low_far_class_b_parcel_with_a_worthwhile_gain_is_densified():
    plan = plan_of(_densify_zone(far_max=1.5))
    p1 = row(plan, "P-1")
    assert p1["mode"] == "densify"
    assert p1["evaluation_class"] == "B"
    # raised from FAR 0.3 to the planned maximum 1.5: (1.5 − 0.3) × 10 000 m² = 12 000 m²
    assert p1["floor_added_m2"] == pytest.approx(12_000.0)
    assert p1["land_mu"] == 0.0
    assert p1["agreement_date"] == day("2025-12-30")  # + 6 months of agreement
    assert p1["floor_added_date"] == day("2027-06-30")  # + 6 + 18 months of construction
    assert p1["quarter"] == "2027Q2"
    assert "可增建筑面积12000平方米" in p1["reason_zh"]
    b1 = plan.buildings.set_index("building_id").loc["B-1"]
    assert (b1["mode"], b1["floor_let_m2"]) == ("densify", 0.0)


def test_a_gain_below_the_minimum_is_not_worth_densifying():
    # (0.55 − 0.3) × 10 000 m² = 2 500 m² < densify_gain_min_m2 = 3 000 m²
    p1 = row(plan_of(_densify_zone(far_max=0.55)), "P-1")
    assert p1["mode"] == "rectify"
    assert p1["floor_added_m2"] == 0.0
    assert "容积率低于行业控制值" in p1["reason_zh"]


# --- 整合归宗 -----------------------------------------------------------------------------------
LE = {"status": "low_efficiency"}


def _small_parcels(policy=None, *, recoverable_first=False) -> Zone:
    first = (
        {"parcel_id": "P-A", "status": "idle", "agreed_start": "2023-01-10"}
        if recoverable_first
        else {"parcel_id": "P-A", **LE}
    )
    return zone_of(
        [
            {**first, "box": (0, 0, 80, 80)},  # 9.6 mu each
            {"parcel_id": "P-B", **LE, "box": (80, 0, 160, 80)},  # shares 80 m with A
            {"parcel_id": "P-C", **LE, "box": (160, 0, 240, 80)},  # shares 80 m with B
            {"parcel_id": "P-D", **LE, "box": (240, 80, 320, 160)},  # C's corner only
            {"parcel_id": "P-F", **LE, "box": (0, 300, 80, 380)},
            {"parcel_id": "P-G", **LE, "box": (80, 365, 160, 445)},  # 15 m with F
            {"parcel_id": "P-H", **LE, "box": (600, 0, 680, 80)},
            {"parcel_id": "P-I", **LE, "box": (680, 0, 760, 80)},  # 9.6 + 9.6 = 19.2 < 20
        ],
        policy=policy,
    )


def test_small_adjacent_low_efficiency_parcels_are_consolidated():
    plan = plan_of(_small_parcels())
    mode = plan.parcels.set_index("parcel_id")["mode"].to_dict()
    # A + B + C = 3 × 9.6 = 28.8 mu ≥ 20: one site. D touches C at a corner; F and G share 15 m
    # (< 20 m); H + I make 19.2 mu (< 20): each stays where it is.
    assert {k for k, v in mode.items() if v == "consolidate"} == {"P-A", "P-B", "P-C"}
    assert {k for k, v in mode.items() if v == "rectify"} == {"P-D", "P-F", "P-G", "P-H", "P-I"}
    b = row(plan, "P-B")
    assert b["group_id"] == "G-P-A"
    assert b["land_mu"] == pytest.approx(9.6)
    assert b["land_date"] == day("2026-12-30")  # + 18 months of agreement
    # B shares 80 m with A and 80 m with C, each measured 80 + 2 × 2 m at the edges' ends
    assert "共用边界168米" in b["reason_zh"]
    assert "P-A、P-B、P-C合计28.8亩" in b["reason_zh"]


def buffered_shared(a, b, tolerance_m):
    """The oracle: plain shapely on the exact shapes, each boundary inside the other's buffer."""
    a_in_b = a.boundary.intersection(b.boundary.buffer(tolerance_m, quad_segs=64)).length
    b_in_a = b.boundary.intersection(a.boundary.buffer(tolerance_m, quad_segs=64)).length
    return min(a_in_b, b_in_a)


def test_shared_boundary_agrees_with_plain_shapely():
    a, b, c = box(0, 0, 80, 80), box(80, 0, 160, 80), box(160.5, 10, 240, 50)  # c: 0.5 m gap
    corner = box(160, 80, 240, 160)  # touches b at its corner (160, 80) only
    geoms = np.array([a, b, c, corner])
    i, j, shared = shared_boundary(geoms, tolerance_m=2.0)
    measured = dict(zip(zip(i.tolist(), j.tolist(), strict=True), shared.tolist(), strict=True))
    for (p, q), length in measured.items():
        assert length == pytest.approx(buffered_shared(geoms[p], geoms[q], 2.0), abs=1e-3)
    # a straight common edge of 80 m measures 80 + 2 × 2 m (the meeting edges' first 2 m)
    assert measured[(0, 1)] == pytest.approx(84.0)
    # the corner touch shares about 2 × 2 m: far below the 20 m that joins parcels
    assert 0.0 < measured[(1, 3)] < 20.0
    assert measured[(1, 2)] >= 40.0  # c's 40 m edge 0.5 m from b's: the gap is closed


def test_sample_consolidation_agrees_with_a_brute_force_grouping(sample_plan):
    """Every pair of candidates measured with plain shapely, groups by union-find."""
    zone, result, plan = sample_plan
    rules = zone.policy.revitalise
    a = result.parcels.set_index("parcel_id")
    p = plan.parcels.set_index("parcel_id")
    low = a["low_efficiency"] | a["status"].isin(["idle", "low_efficiency"])
    # candidates: small low-efficiency parcels the rule before (recover) did not take
    ids = [pid for pid in p.index if p.loc[pid, "mode"] != "recover" and low[pid]]
    ids = [pid for pid in ids if a.loc[pid, "area_mu"] < rules.small_parcel_max_mu]
    shapes = zone.parcels.set_index("parcel_id").geometry
    parent = {pid: pid for pid in ids}

    def root(x):
        while parent[x] != x:
            x = parent[x]
        return x

    for n, x in enumerate(ids):
        for y in ids[n + 1 :]:
            if shapes[x].distance(shapes[y]) > rules.shared_boundary_tolerance_m:
                continue
            length = buffered_shared(shapes[x], shapes[y], rules.shared_boundary_tolerance_m)
            if length >= rules.shared_boundary_min_m:
                parent[root(x)] = root(y)
    groups = {}
    for x in ids:
        groups.setdefault(root(x), []).append(x)
    expected = {
        x
        for members in groups.values()
        if len(members) > 1 and a.loc[members, "area_mu"].sum() >= rules.consolidated_min_mu
        for x in members
    }
    assert expected  # the sample has such a group
    assert set(p.index[p["mode"] == "consolidate"]) == expected


def test_the_mode_order_decides_between_two_rules_that_hold():
    # A is idle past its recovery date and small: recovered first by default, leaving B + C
    # (19.2 mu) too small to consolidate ...
    default = plan_of(_small_parcels(recoverable_first=True))
    modes = default.parcels.set_index("parcel_id")["mode"]
    assert (modes["P-A"], modes["P-B"], modes["P-C"]) == ("recover", "rectify", "rectify")
    # ... unless the zone consolidates first.
    order = ["consolidate", "recover", "redevelop", "densify", "village_lease", "let_floor"]
    policy = _policy(**{"revitalise.mode_order": [*order, "rectify"]})
    first = plan_of(_small_parcels(policy, recoverable_first=True))
    modes = first.parcels.set_index("parcel_id")["mode"]
    assert (modes["P-A"], modes["P-B"], modes["P-C"]) == ("consolidate",) * 3


@pytest.mark.parametrize(
    "order",
    [["recover"], ["recover", "rectify", "rectify"], ["rectify", "recover"], ["sell", "rectify"]],
)
def test_a_mode_order_without_rectify_last_is_refused(order):
    zone = _small_parcels(_policy(**{"revitalise.mode_order": order}))
    with pytest.raises(PolicyError, match="must list modes of recover, consolidate"):
        plan_of(zone)


# --- 留用地合作开发, and who could use it --------------------------------------------------------
def _project(pid, tenure_ok, **extra):
    return {
        "project_id": pid,
        "name": f"项目{pid}",
        "stage": "signed",
        "investment_wan_yuan": 5000.0,
        "land_mu_min": 12.0,
        "land_mu_max": 15.0,
        "tenure_ok": tenure_ok,
        **extra,
    }


def test_village_land_is_leased_to_projects_that_accept_a_lease_only():
    zone = zone_of(
        [
            {
                "parcel_id": "P-V",
                "status": "reserved_leased",
                "tenure": "collective",
                "box": (0, 0, 100, 100),
            },
            # occupied land that would fit is not released, so no project is offered it
            {"parcel_id": "P-O", "box": (200, 0, 300, 100), "far_min": 0.0},
        ],
        projects=[
            _project("PJ-L", "lease"),
            _project("PJ-B", "buy"),
            _project("PJ-X", "lease", stage="in_production"),
        ],
    )
    plan = plan_of(zone)
    v = row(plan, "P-V")
    assert v["mode"] == "village_lease"
    assert v["land_mu"] == pytest.approx(15.0)
    assert v["land_date"] == day("2025-12-30")  # + readiness.reserved_leased_months = 6
    assert plan.uses["project_id"].tolist() == ["PJ-L"]  # PJ-X is in production: not pipeline
    use = plan.uses.iloc[0]
    assert (use["kind"], use["parcel_ids"], use["modes"], use["quarter"]) == (
        "single",
        "P-V",
        "village_lease",
        "2025Q4",
    )
    assert use["text_en"] == "PJ-L could take the 15.0 mu to be leased on P-V from 2025Q4"
    assert use["text_zh"] == "PJ-L（项目PJ-L）可自2025Q4起使用P-V租用的15.0亩"
    assert plan.unmatched["project_id"].tolist() == ["PJ-B"]
    assert v["projects"] == "PJ-L 项目PJ-L（2025Q4）"


def test_recovered_land_is_offered_from_its_recovery_date():
    zone = zone_of(
        [
            {
                "parcel_id": "P-1",
                "status": "idle",
                "agreed_start": "2024-03-15",
                "box": (0, 0, 100, 100),
            }
        ],
        projects=[_project("PJ-1", "buy")],
    )
    use = plan_of(zone).uses.iloc[0]
    # recoverable from 2026-03-15, recovered 6 months later
    assert use["available_from"] == day("2026-09-15")
    assert use["text_en"] == "PJ-1 could take the 15.0 mu to be recovered from P-1 from 2026Q3"


# --- 厂房招商 -----------------------------------------------------------------------------------
PARTLY = {"status": "partly_vacant", "floors": 2}


def test_vacant_floor_space_is_let_and_an_under_used_parcel_planned():
    zone = zone_of(
        [
            {"parcel_id": "P-1", "far_min": 0.4, "box": (0, 0, 100, 100)},
            {"parcel_id": "P-2", "far_min": 0.4, "box": (200, 0, 300, 100)},
        ],
        buildings=[
            # 2 000 of 5 000 m² vacant: vacancy 0.4 ≥ 0.2, the parcel is under-used
            building("B-1", "P-1", 5000.0, (0, 0, 50, 60), **PARTLY, vacant_area_m2=2000.0),
            # 500 of 5 000 m²: vacancy 0.1; the parcel is in use, the space is still let
            building("B-2", "P-2", 5000.0, (200, 0, 250, 60), **PARTLY, vacant_area_m2=500.0),
        ],
        projects=[
            _project(
                "PJ-F",
                "either",
                can_use_building=True,
                floor_area_m2=1800.0,
                land_mu_min=None,
                land_mu_max=None,
            )
        ],
    )
    plan = plan_of(zone)
    assert plan.parcels["parcel_id"].tolist() == ["P-1"]
    p1 = row(plan, "P-1")
    assert (p1["mode"], p1["floor_let_m2"], p1["quarter"]) == ("let_floor", 2000.0, "2025Q3")
    let = plan.buildings.set_index("building_id")
    assert let["mode"].to_dict() == {"B-1": "let_floor", "B-2": "let_floor"}
    assert let["floor_let_m2"].to_dict() == {"B-1": 2000.0, "B-2": 500.0}
    assert let.loc["B-1", "let_date"] == day("2025-07-30")  # + readiness.floor_space_months = 1
    total = plan.totals.set_index(["section", "item"]).loc[("total", "total")]
    assert total["floor_let_m2"] == 2500.0
    use = plan.uses.iloc[0]
    assert (use["kind"], use["building_id"], use["modes"]) == ("floor_space", "B-1", "let_floor")


def test_buildings_go_with_land_that_changes_hands():
    zone = zone_of(
        [
            {"parcel_id": "P-A", **LE, "box": (0, 0, 80, 80)},
            {"parcel_id": "P-B", **LE, "box": (80, 0, 160, 80)},
            {"parcel_id": "P-C", **LE, "box": (160, 0, 240, 80)},
        ],
        buildings=[
            building("B-1", "P-A", 1000.0, (0, 0, 20, 50), status="vacant", vacant_area_m2=1000.0)
        ],
    )
    plan = plan_of(zone)
    b1 = plan.buildings.set_index("building_id").loc["B-1"]
    assert (b1["mode"], b1["floor_let_m2"]) == ("consolidate", 0.0)
    assert b1["reason_zh"].startswith("随地块：")


# --- the sample zone: totals against an independent sum -----------------------------------------
@pytest.fixture(scope="module")
def sample_plan():
    from landplan.sample import AS_OF as SAMPLE_DAY
    from landplan.sample import make_zone

    zone = Zone.from_layers(make_zone())
    result = audit(zone, as_of=SAMPLE_DAY)
    return zone, result, revitalise(zone, result)


def test_every_mode_occurs_on_the_sample_and_each_parcel_has_one(sample_plan):
    _, _, plan = sample_plan
    assert set(plan.parcels["mode"]) == set(MODES.values)
    assert plan.parcels["parcel_id"].is_unique
    assert plan.parcels["reason_zh"].str.len().min() > 0


def test_totals_match_an_independent_sum(sample_plan):
    _, _, plan = sample_plan
    totals = plan.totals.set_index(["section", "item"])
    land, added, let, count = {}, {}, {}, {}
    for r in plan.parcels.itertuples():
        land[r.mode] = land.get(r.mode, 0.0) + r.land_mu
        added[r.mode] = added.get(r.mode, 0.0) + r.floor_added_m2
        count[r.mode] = count.get(r.mode, 0) + 1
    for r in plan.buildings.itertuples():
        let[r.mode] = let.get(r.mode, 0.0) + r.floor_let_m2
    for mode in MODES.values:
        got = totals.loc[("mode", mode)]
        assert got["land_mu"] == pytest.approx(land.get(mode, 0.0)), mode
        assert got["floor_added_m2"] == pytest.approx(added.get(mode, 0.0)), mode
        assert got["floor_let_m2"] == pytest.approx(let.get(mode, 0.0)), mode
        assert got["parcels"] == count.get(mode, 0), mode
    total = totals.loc[("total", "total")]
    assert total["land_mu"] == pytest.approx(sum(land.values()))
    assert total["floor_let_m2"] == pytest.approx(sum(let.values()))
    # every section partitions the same land and floor space
    for section in ("mode", "cluster", "corridor_phase", "quarter"):
        part = totals.loc[section]
        for column in ("land_mu", "floor_added_m2", "floor_let_m2"):
            assert part[column].sum() == pytest.approx(total[column]), (section, column)
    # quarters: the land of each quarter is the land whose date falls in it
    by_quarter = {}
    for r in plan.parcels.itertuples():
        if r.land_mu > 0:
            q = f"{r.land_date.year}Q{(r.land_date.month - 1) // 3 + 1}"
            by_quarter[q] = by_quarter.get(q, 0.0) + r.land_mu
    for q, mu in by_quarter.items():
        assert totals.loc[("quarter", q), "land_mu"] == pytest.approx(mu)


def test_sample_releases_agree_with_the_audit(sample_plan):
    _, result, plan = sample_plan
    a = result.parcels.set_index("parcel_id")
    p = plan.parcels.set_index("parcel_id")
    legal = a[
        (a["idle_state"] == "recoverable")
        | ((a["idle_state"] == "idle") & a["recovery_date"].notna())
    ]
    recovered = p[(p["mode"] == "recover") & (p["basis_zh"] == "依法收回")]
    assert set(recovered.index) == set(legal.index)
    assert recovered["land_mu"].sum() == pytest.approx(legal["area_mu"].sum())
    dense = p[p["mode"] == "densify"]
    assert dense["floor_added_m2"].to_numpy() == pytest.approx(
        a.loc[dense.index, "far_gain_m2"].to_numpy()
    )
    assert (a.loc[dense.index, "low_efficiency_rules"].str.contains("LE-FAR")).all()


def test_uses_are_made_of_released_sites_only(sample_plan):
    zone, _, plan = sample_plan
    p = plan.parcels.set_index("parcel_id")
    released = set(p.index[p["land_mu"] > 0])
    let = set(plan.buildings.loc[plan.buildings["floor_let_m2"] > 0, "building_id"])
    assert len(plan.uses) and set(plan.uses["kind"]) <= set(KINDS)
    for use in plan.uses.itertuples():
        if use.kind == "floor_space":
            assert use.building_id in let
            continue
        members = use.parcel_ids.split(";")
        assert set(members) <= released, use
        assert use.available_from == max(p.loc[m, "land_date"] for m in members)
    stages = set(zone.projects.set_index("project_id").loc[plan.uses["project_id"], "stage"])
    assert stages <= set(zone.policy.capacity.stage_probability)
    assert plan.uses.groupby("project_id").size().max() <= 3


# --- workbook, GeoPackage, map ------------------------------------------------------------------
def test_workbook_is_chinese_first_and_names_no_identifier(sample_plan, tmp_path):
    _, _, plan = sample_plan
    paths = write_revitalisation(plan, tmp_path)
    book = openpyxl.load_workbook(paths["workbook"])
    assert book.sheetnames == ["汇总", "盘活地块", "盘活厂房", "可用项目", "未匹配项目", "参数"]
    sheet = book["盘活地块"]
    header = [c.value for c in sheet[1]]
    assert header[0] == "地块编号 / parcel" and "盘活模式 / mode" in header
    mode_col = header.index("盘活模式 / mode")
    values = {r[mode_col] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert values == {MODES.label(m, "zh") for m in MODES.values}
    land_col = header.index("盘活土地(亩) / land released (mu)")
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    order = [MODES.label(m, "zh") for m in MODES.values]
    ranks = [order.index(r[mode_col]) for r in rows]
    assert ranks == sorted(ranks)  # mode by mode
    recovered = [r[land_col] for r in rows if r[mode_col] == order[0]]
    assert recovered == sorted(recovered, reverse=True)  # the largest releases first
    assert sheet.cell(row=2, column=land_col + 1).number_format == "#,##0.00"
    uses = book["可用项目"]
    header = [c.value for c in uses[1]]
    shown = {
        column: {r[header.index(column)] for r in uses.iter_rows(min_row=2, values_only=True)}
        for column in ("选址类型 / kind of site", "盘活模式 / modes", "项目阶段 / stage")
    }
    identifiers = {*MODES.values, *KINDS, *PROJECT_STAGE.values}
    for column, values in shown.items():
        for value in values:
            assert not set(str(value).split("；")) & identifiers, (column, value)
    assert "依法收回 / 协议收储" in shown["盘活模式 / modes"]
    layers = dict(pyogrio.list_layers(paths["geopackage"]))
    assert set(layers) == {"revitalise_parcels", "revitalise_buildings", "revitalise_uses"}
    sites = gpd.read_file(paths["geopackage"], layer="revitalise_uses")
    assert len(sites) == len(plan.uses)
    # each site as matching offers it: a cut-out lies inside the parcel it is cut from
    cuts = sites[sites["kind"] == "cutout"]
    parcels = plan.parcels.set_index("parcel_id").geometry
    assert len(cuts) and all(
        parcels[c.parcel_ids].buffer(0.01).contains(c.geometry) for c in cuts.itertuples()
    )
    back = gpd.read_file(paths["geopackage"], layer="revitalise_parcels")
    assert len(back) == len(plan.parcels)
    assert back["land_mu"].sum() == pytest.approx(plan.parcels["land_mu"].sum())


def test_map_legend_is_plain_chinese_with_every_mode(sample_plan):
    from landplan.maps import layer_counts

    zone, _, plan = sample_plan
    m = revitalisation_map(zone, plan)
    counts = layer_counts(m)
    assert counts["盘活地块（按模式）"] == len(plan.parcels)
    assert counts["招商厂房"] == int((plan.buildings["mode"] == "let_floor").sum())
    assert counts["项目可用选址"] == len(plan.uses)
    page = m.get_root().render()
    for mode in MODES.values:
        assert (
            MODES.label(mode, "zh").replace("/", "\\u002f") in page
            or MODES.label(mode, "zh") in page
        )
    for code in ("LE-FAR", "IDLE-1", "LE-CLASS-D", '"recover"', "let_floor"):
        assert code not in page, code


def test_map_in_headless_chromium(sample_plan, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    from landplan import maps

    try:
        executable = maps.find_browser()
    except maps.MapError as exc:
        pytest.skip(f"no Chromium to test maps in: {exc}")
    zone, _, plan = sample_plan
    path = maps.save_map(revitalisation_map(zone, plan), tmp_path / "rev.html")
    with sync_api.sync_playwright() as p:
        engine = p.chromium.launch(executable_path=executable, args=list(maps.CHROMIUM_ARGS))
        try:
            context = engine.new_context(viewport={"width": 1200, "height": 800})
            refused, errors = [], []
            # tiles are refused: the page must build without any network
            context.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if route.request.url.startswith(("file:", "data:"))
                    else (refused.append(route.request.url), route.abort())
                ),
            )
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(path.as_uri())
            page.wait_for_function("window.landplan && window.landplan.ready === true")
            drawn = page.evaluate(
                "(name) => landplan.layers[name].getLayers().filter((l) => l._map).length",
                "盘活地块（按模式）",
            )
            legend = page.evaluate("document.querySelector('.lp-legend').textContent")
            labels = page.evaluate("document.querySelectorAll('.lp-label').length")
            # a click on a recovered parcel opens its popup with the projects that could use it
            target = plan.parcels.index[plan.parcels["projects"].notna().to_numpy()][0]
            text = page.evaluate(
                """([name, i]) => {
                    const layer = landplan.layers[name].getLayers()[i];
                    layer.fire('click', {latlng: layer.getCenter()}, true);
                    return document.querySelector('.leaflet-popup-content').textContent;
                }""",
                ["盘活地块（按模式）", int(target)],
            )
        finally:
            engine.close()
    assert errors == []
    assert drawn == len(plan.parcels)
    assert "依法收回 / 协议收储" in legend and "厂房招商" in legend and "LE-" not in legend
    usable = (plan.parcels["land_mu"] >= zone.policy.revitalise.consolidated_min_mu).sum()
    assert labels == usable
    assert "可用项目" in text and plan.parcels.loc[target, "projects"] in text
    assert all(not u.startswith(("file:", "data:")) for u in refused)


# --- the command line ---------------------------------------------------------------------------
def _cli(args, capsys):
    from landplan.cli import main

    with pytest.raises(SystemExit) as info:
        main(args)
    out = capsys.readouterr()
    return info.value.code, " ".join(out.out.split()), " ".join(out.err.split())


@pytest.fixture(scope="module")
def sample_files(tmp_path_factory):
    from landplan.sample import write_sample

    return write_sample(tmp_path_factory.mktemp("sample"))


def test_cli_writes_the_plan(sample_files, tmp_path, capsys):
    args = ["--zone", str(sample_files["gpkg"]), "--projects", str(sample_files["csv"])]
    code, out, _ = _cli(
        ["revitalise", "--as-of", "2026-06-30", "--out", str(tmp_path), *args], capsys
    )
    assert code == 0
    assert "盘活方案（核查日期2026-06-30）" in out and "整合归宗" in out
    code, out, _ = _cli(
        ["revitalise", "--as-of", "2026-06-30", "--out", str(tmp_path), "--lang", "en", *args],
        capsys,
    )
    assert "revitalisation plan as of 2026-06-30" in out and "consolidation of small parcels" in out
    assert (tmp_path / "revitalise.xlsx").exists() and (tmp_path / "revitalise.gpkg").exists()
    html = tmp_path / "rev.html"
    code, out, _ = _cli(
        ["map", "revitalisation", "--as-of", "2026-06-30", "--out", str(html), *args], capsys
    )
    assert code == 0 and html.exists() and "盘活地块（按模式）" in out


def test_cli_bad_mode_order_exits_2(sample_files, tmp_path, capsys):
    bad = tmp_path / "policy.toml"
    bad.write_text('[revitalise]\nmode_order = ["recover", "sell"]\n', encoding="utf-8")
    code, _, err = _cli(
        [
            "revitalise",
            "--zone",
            str(sample_files["gpkg"]),
            "--policy",
            str(bad),
            "--out",
            str(tmp_path),
        ],
        capsys,
    )
    assert code == 2
    # The command speaks Chinese by default: the modes by their names, the last one named.
    assert "Traceback" not in err and "并以「整治提升」（兜底方式）结尾" in err, err
    assert "实为：「依法收回 / 协议收储」、「sell」" in err, err


def test_plan_from_the_store_equals_the_plan_in_memory(store, sample_plan):
    zone, result, plan = sample_plan
    for name, frame in zone.layers().items():
        if len(frame):
            store.import_layer(name, frame, mode="replace", source="test", who="test")
    loaded = store.load_zone()
    again = revitalise(loaded, audit(loaded, as_of=result.as_of))
    cols = ["parcel_id", "mode", "land_mu", "floor_added_m2", "floor_let_m2", "quarter"]
    left = plan.parcels[cols].sort_values("parcel_id", ignore_index=True)
    right = again.parcels[cols].sort_values("parcel_id", ignore_index=True)
    pd.testing.assert_frame_equal(left, right, check_exact=False, rtol=1e-9)
    assert sorted(again.uses["text_en"]) == sorted(plan.uses["text_en"])


# --- the half-year report: land revitalised against the plan ------------------------------------
def test_report_sets_land_revitalised_against_the_plan(store):
    from landplan.report import report_from_store

    zone = zone_of(
        [
            # idle, recoverable from 2025-06-01: on the plan's eve (2025-12-31) it is recovered
            # six months later, on 2026-06-30, inside 2026H1
            {
                "parcel_id": "P-1",
                "status": "idle",
                "agreed_start": "2023-06-01",
                "box": (0, 0, 100, 100),
            },
            # recoverable from 2026-10-01: recovered 2027-04-01, after the period
            {
                "parcel_id": "P-2",
                "status": "idle",
                "agreed_start": "2024-10-01",
                "box": (200, 0, 300, 100),
            },
            # village land: leased, not revitalised, so not in the comparison
            {
                "parcel_id": "P-V",
                "status": "reserved_leased",
                "tenure": "collective",
                "box": (400, 0, 500, 100),
            },
            # 80 × 80 m = 9.6 mu of low-efficiency land, put back in use on 2026-05-10
            {"parcel_id": "P-3", **LE, "box": (600, 0, 680, 80)},
        ],
        projects=[_project("PJ-1", "buy", stage="prospect", stage_date="2025-10-01")],
    )
    for name, frame in zone.layers().items():
        if len(frame):
            store.import_layer(name, frame, mode="replace", source="test", who="test")
    store.set_status(
        "parcels", "P-3", "occupied", reason="再开发完成", effective="2026-05-10", who="t"
    )
    # PJ-1 never reaches a signed stage: the report must still be written (it once raised)
    report = report_from_store(store, period="2026H1")
    table = report.tables["revitalisation_plan"].set_index("row")
    assert table.loc["total", "planned_parcels"] == 1  # P-1 only
    assert table.loc["total", "planned_mu"] == pytest.approx(15.0)
    assert table.loc["recover", "planned_mu"] == pytest.approx(15.0)
    # P-3 was low-efficiency on the eve; the plan had it rectified in place
    assert table.loc["rectify", "revitalised_mu"] == pytest.approx(9.6)
    assert table.loc["total", "revitalised_parcels"] == 1
    text = "".join(
        getattr(p, "text", p) for s in report.sections for para in s.paragraphs for p in para
    )
    assert "本期盘活低效用地1" in text and "期初盘活计划安排本期盘活土地1" in text


def test_a_class_d_share_of_a_parcel_is_bought_but_not_offered_whole():
    # E-1 (class B) and E-2 (class D, stopped since 2023-05-01) share P-1 in equal land shares:
    # 15 mu / 2 = 7.5 mu each; the reserve buys E-2's 7.5 mu, which has no shape of its own
    zone = zone_of(
        [{"parcel_id": "P-1", "box": (0, 0, 100, 100)}],
        buildings=[building("B-1", "P-1", 8000.0, (0, 0, 40, 100), floors=2)],
        enterprises=[
            firm("E-1", "P-1", 300.0),
            firm("E-2", "P-1", 0.0, operating_status="stopped", stopped_since="2023-05-01"),
        ],
        projects=[
            _project("PJ-1", "buy", land_mu_min=5.0, land_mu_max=8.0, investment_wan_yuan=2000.0)
        ],
    )
    plan = plan_of(zone)
    p1 = row(plan, "P-1")
    assert (p1["mode"], p1["basis_zh"]) == ("recover", "协议收储")
    assert p1["land_mu"] == pytest.approx(7.5)
    assert plan.uses.empty
    assert plan.unmatched["project_id"].tolist() == ["PJ-1"]


def test_english_map_names_modes_and_recovery_in_english(sample_plan):
    from landplan import maps

    zone, _, plan = sample_plan
    m = revitalisation_map(zone, plan, lang="en")
    layer = next(
        c
        for c in m._children.values()
        if isinstance(c, maps.DataLayer) and c.data["name"] == "Parcels by mode"
    )
    counts = plan.parcels["mode"].value_counts()
    assert [e["label"] for e in layer.data["legend"]] == [
        f"{MODES.label(mode, 'en')} ({counts[mode]})" for mode in MODES.values
    ]
    part = layer.data["parts"][0]
    basis = part["values"][part["fields"].index("How")]
    shown = set(basis["labels"]) if isinstance(basis, dict) else set(basis) - {None}
    assert shown == {"recovered by law (idle land)", "bought into the reserve"}
    labels = {t for t in part["labels"] if t}
    assert labels and all(t.endswith(" mu") for t in labels)


def test_every_policy_problem_is_listed_at_once():
    policy = _policy(
        **{
            "revitalise.densify_classes": ["B", "E"],
            "revitalise.mode_order": ["recover", "sell"],
            "revitalise.candidates_per_project": 0,
        }
    )
    with pytest.raises(PolicyError, match="3 problem") as info:
        plan_of(_small_parcels(policy))
    text = str(info.value)
    assert "densify_classes" in text and "['E']" in text
    assert "end with 'rectify'" in text and "candidates_per_project must be at least 1" in text
    # numbers and statuses are refused when the policy is made
    with pytest.raises(PolicyError, match="construction_months"):
        _policy(**{"revitalise.construction_months": -3})
    with pytest.raises(PolicyError, match="village_statuses"):
        _policy(**{"revitalise.village_statuses": ["reserved_lesaed"]})


def test_projects_without_their_columns_are_refused():
    zone = _small_parcels()
    with pytest.raises(LandplanError, match=r"the projects lack column\(s\) \['stage'\]"):
        plan_of(zone, projects=pd.DataFrame({"project_id": ["PJ-1"], "name": ["x"]}))


def test_a_cut_out_of_released_land_is_said_to_be_part_of_it():
    # 100 × 200 m = 30 mu recovered; a project of 10–12 mu gets a cut-out (30 ≥ 1.5 × 12)
    zone = zone_of(
        [
            {
                "parcel_id": "P-1",
                "status": "idle",
                "agreed_start": "2023-01-10",
                "box": (0, 0, 100, 200),
            }
        ],
        roads=[{**AVENUE, "line": [(-100, -20), (300, -20)]}],
        projects=[_project("PJ-C", "buy", land_mu_min=10.0, land_mu_max=12.0)],
    )
    uses = plan_of(zone).uses
    cut = uses[uses["kind"] == "cutout"].iloc[0]
    assert cut["text_en"] == (
        f"PJ-C could take {cut['area_mu']:.1f} mu of the land to be recovered from P-1 from 2025Q4"
    )
    assert cut["text_zh"].endswith(f"P-1收回土地中的{cut['area_mu']:.1f}亩")


def test_an_empty_zone_gives_an_empty_plan_that_still_writes(tmp_path):
    zone = Zone.empty()
    plan = revitalise(zone, audit(zone, as_of=AS_OF))
    assert plan.parcels.empty and plan.buildings.empty and plan.uses.empty
    assert plan.totals["section"].tolist() == ["total"]
    assert plan.summary().set_index("item")["value"].to_dict() == {
        "parcels": 0,
        "buildings": 0,
        "land_mu": 0.0,
        "floor_added_m2": 0.0,
        "floor_let_m2": 0.0,
        "projects_served": 0,
    }
    paths = write_revitalisation(plan, tmp_path)
    assert openpyxl.load_workbook(paths["workbook"]).sheetnames[0] == "汇总"
    assert len(gpd.read_file(paths["geopackage"], layer="revitalise_parcels")) == 0


def test_location_of_some_parcels_equals_the_whole_zones_measures(sample_plan):
    """The redevelopment rule measures only its candidates: the same as the zone's index."""
    from landplan.match import prepare_sites
    from landplan.revitalise import _location

    zone, _, _ = sample_plan
    whole = prepare_sites(zone).measures
    some = np.zeros(len(zone.parcels), dtype=bool)
    some[::7] = True
    got = _location(zone, some)
    for key in ("avenue_distance_m", "frontage_m"):
        assert got[key][some] == pytest.approx(np.asarray(whole[key])[some]), key
    assert np.isinf(got["avenue_distance_m"][~some]).all()
    assert (got["frontage_m"][~some] == 0).all()


def test_the_plan_replaces_its_own_files_but_never_a_users(sample_plan, tmp_path):
    from landplan.errors import OutputError

    _, _, plan = sample_plan
    write_revitalisation(plan, tmp_path)
    write_revitalisation(plan, tmp_path)  # its own output is replaced
    user = tmp_path / "user"
    user.mkdir()
    pd.DataFrame({"a": [1]}).to_excel(user / "revitalise.xlsx", sheet_name="我的台账", index=False)
    with pytest.raises(OutputError):
        write_revitalisation(plan, user)
    assert not (user / "revitalise.gpkg").exists()  # nothing half written
    assert openpyxl.load_workbook(user / "revitalise.xlsx").sheetnames == ["我的台账"]
