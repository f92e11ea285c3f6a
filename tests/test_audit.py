"""The audit: every rule at its boundary, on tiny hand-made zones with hand-computed expectations.

Parcels are rectangles placed side by side; ``side=(100, 100)`` gives 10 000 m² = 15 mu.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import geopandas as gpd
from shapely import box

from landplan.audit import RULES, audit
from landplan.audit_io import write_audit
from landplan.errors import LandplanError, PolicyError
from landplan.labels import value_label
from landplan.policy import Policy
from landplan.zone import Zone
from tests.conftest import X0, Y0

AS_OF = "2025-06-30"


def make_zone(parcels, buildings=(), enterprises=(), policy=None) -> Zone:
    """Build a validated zone; a parcel's ``side`` is its (width, height) in metres."""
    rows, geoms, corners, x = [], [], {}, X0
    for spec in parcels:
        spec = dict(spec)
        w, h = spec.pop("side", (100.0, 100.0))
        spec.setdefault("status", "occupied")
        spec.setdefault("land_use", "M1")
        spec.setdefault("tenure", "state")
        rows.append(spec)
        geoms.append(box(x, Y0, x + w, Y0 + h))
        corners[spec["parcel_id"]] = x
        x += w + 10.0
    layers = {"parcels": gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4546")}
    if buildings:
        brows, bgeoms = [], []
        for i, spec in enumerate(buildings):
            spec = dict(spec)
            w, h = spec.pop("side", (10.0, 10.0))
            spec.setdefault("building_id", f"B-{i}")
            spec.setdefault("status", "in_use")
            spec.setdefault("floors", 1)
            x0 = corners[spec["parcel_id"]] + 1.0
            brows.append(spec)
            bgeoms.append(box(x0, Y0 + 1.0, x0 + w, Y0 + 1.0 + h))
        layers["buildings"] = gpd.GeoDataFrame(brows, geometry=bgeoms, crs="EPSG:4546")
    if enterprises:
        layers["enterprises"] = pd.DataFrame(list(enterprises))
    return Zone.from_layers(layers, policy=policy)


def flags_of(result, rule_id, outcome="fires"):
    f = result.flags
    return f[(f["rule_id"] == rule_id) & (f["outcome"] == outcome)]


def parcel(result, parcel_id):
    return result.parcels.set_index("parcel_id").loc[parcel_id]


# --- FAR, coverage and the storey over 8 m ------------------------------------------------------
@pytest.mark.parametrize(
    ("building", "far"),
    [
        ({"storey_height_m": 8.0}, 0.3),  # exactly 8 m is not "over 8 m": counts once
        ({"storey_height_m": 8.1}, 0.6),  # over 8 m: counts twice
        ({"height_m": 18.0, "floors": 2}, 0.6),  # 9 m storeys from height / floors
        ({"height_m": 16.0, "floors": 2}, 0.3),  # 8 m storeys
        ({}, 0.3),  # no height known: counts once
    ],
)
def test_far_counts_storeys_over_8m_twice(building, far):
    zone = make_zone(
        [{"parcel_id": "P-1"}],
        [{"parcel_id": "P-1", "floor_area_m2": 3000.0, "side": (30.0, 50.0), **building}],
    )
    row = parcel(audit(zone, as_of=AS_OF), "P-1")
    assert row["far"] == pytest.approx(far)
    assert row["far_floor_area_m2"] == pytest.approx(far * 10_000)
    assert row["floor_area_m2"] == pytest.approx(3000.0)


def test_coverage_below_minimum_fires_and_exact_minimum_passes():
    zone = make_zone(
        [{"parcel_id": "P-1"}, {"parcel_id": "P-2"}],
        [
            {"parcel_id": "P-1", "floor_area_m2": 8000.0, "floors": 4, "side": (40.0, 50.0)},
            {"parcel_id": "P-2", "floor_area_m2": 8000.0, "floors": 4, "side": (60.0, 50.0)},
        ],
    )
    result = audit(zone, as_of=AS_OF)
    assert parcel(result, "P-1")["coverage"] == pytest.approx(0.20)
    assert parcel(result, "P-2")["coverage"] == pytest.approx(0.30)
    fired = flags_of(result, "LE-COVERAGE")
    assert fired["parcel_id"].tolist() == ["P-1"]
    row = fired.iloc[0]
    assert (row["value"], row["threshold"]) == (pytest.approx(0.2), pytest.approx(0.3))
    assert row["reason"] == "建筑系数0.2，低于0.3（建筑系数控制值）"
    english = flags_of(audit(zone, as_of=AS_OF, lang="en"), "LE-COVERAGE").iloc[0]
    assert english["reason"] == "building coverage 0.2 < 0.3 (control.coverage_min)"
    assert row["source"].startswith("国土资发〔2008〕24号")


def test_far_minimum_depends_on_the_occupants_division():
    # Same FAR 0.65 on both: metal products (33) need 0.7, chemicals (26) need 0.6.
    zone = make_zone(
        [{"parcel_id": "P-1"}, {"parcel_id": "P-2"}, {"parcel_id": "P-3"}],
        [
            {"parcel_id": "P-1", "floor_area_m2": 6500.0, "floors": 2, "side": (60.0, 60.0)},
            {"parcel_id": "P-2", "floor_area_m2": 6500.0, "floors": 2, "side": (60.0, 60.0)},
            {"parcel_id": "P-3", "floor_area_m2": 7000.0, "floors": 2, "side": (60.0, 60.0)},
        ],
        [
            {"enterprise_id": "E-1", "parcel_id": "P-1", "industry_code": "C3311"},
            {"enterprise_id": "E-2", "parcel_id": "P-2", "industry_code": "2611"},
            {"enterprise_id": "E-3", "parcel_id": "P-3", "industry_code": "3311"},
        ],
    )
    result = audit(zone, as_of=AS_OF)
    fired = flags_of(result, "LE-FAR")
    assert fired["parcel_id"].tolist() == ["P-1"]  # P-3 has exactly 0.7: no flag
    assert fired.iloc[0]["threshold"] == pytest.approx(0.7)
    assert fired.iloc[0]["reason"] == "容积率0.65，低于0.7（行业大类33的容积率控制值）"
    english = flags_of(audit(zone, as_of=AS_OF, lang="en"), "LE-FAR").iloc[0]
    assert english["reason"] == "FAR 0.65 < 0.7 (minimum for GB/T 4754 division 33)"
    assert parcel(result, "P-2")["far_min_required"] == pytest.approx(0.6)


def test_far_minimum_of_a_shared_parcel_is_land_weighted():
    zone = make_zone(
        [{"parcel_id": "P-1"}],
        [{"parcel_id": "P-1", "floor_area_m2": 6000.0, "floors": 2, "side": (60.0, 60.0)}],
        [
            {"enterprise_id": "E-1", "parcel_id": "P-1", "industry_code": "3311"},  # 0.7
            {"enterprise_id": "E-2", "parcel_id": "P-1", "industry_code": "3911"},  # 1.0
        ],
    )
    row = parcel(audit(zone, as_of=AS_OF), "P-1")
    assert row["far_min_required"] == pytest.approx(0.85)
    assert row["far_min_basis"] == "2家企业的容积率控制值按用地加权"
    english = parcel(audit(zone, as_of=AS_OF, lang="en"), "P-1")
    assert english["far_min_basis"] == "land-weighted minimum of 2 occupants"


# --- the idle-land clock ------------------------------------------------------------------------
def _idle_zone(**fields):
    spec = {"parcel_id": "P-1", "status": "idle", "land_price_wan_yuan": 250.0}
    return make_zone([{**spec, **fields}])


@pytest.mark.parametrize(
    ("as_of", "state", "days_to_idle", "fee"),
    [
        ("2024-06-29", "not_due", 1.0, np.nan),  # one day short of the full year
        ("2024-06-30", "idle", 0.0, 50.0),  # exactly one year: idle, fee 20% of 250
        ("2025-06-29", "idle", -364.0, 50.0),
        ("2025-06-30", "recoverable", -365.0, 50.0),  # two full years: recovered
    ],
)
def test_idle_rule_1_at_one_and_two_full_years(as_of, state, days_to_idle, fee):
    result = audit(_idle_zone(agreed_start="2023-06-30"), as_of=as_of)
    row = parcel(result, "P-1")
    assert row["idle_rule"] == "IDLE-1"
    assert row["idle_state"] == state
    assert row["idle_date"] == pd.Timestamp("2024-06-30")
    assert row["recovery_date"] == pd.Timestamp("2025-06-30")
    assert row["days_to_idle"] == pytest.approx(days_to_idle)
    assert row["idle_fee_wan_yuan"] == pytest.approx(fee, nan_ok=True)
    assert row["idle_reason"].startswith("未动工；约定动工日期2023-06-30；")


def test_idle_fired_flag_explains_the_clock():
    result = audit(_idle_zone(agreed_start="2023-06-30"), as_of="2024-07-30")
    row = flags_of(result, "IDLE-1").iloc[0]
    assert (row["value"], row["threshold"]) == (396.0, 366.0)  # days since start, days to idle
    assert row["reason"] == (
        "未动工；约定动工日期2023-06-30；自2024-06-30起认定闲置；自2025-06-30起可无偿收回"
    )
    assert "满一年未动工" in row["source"] and "第二条" in row["source"]
    english = flags_of(
        audit(_idle_zone(agreed_start="2023-06-30"), as_of="2024-07-30", lang="en"), "IDLE-1"
    ).iloc[0]
    assert english["reason"] == (
        "not started; agreed start 2023-06-30; idle since 2024-06-30; recoverable from 2025-06-30"
    )
    assert english["source"].startswith("国土资源部令第53号 art. 2")


def test_extension_moves_the_idle_clock():
    zone = _idle_zone(agreed_start="2023-06-30", extension_months=12)
    row = parcel(audit(zone, as_of="2024-06-30"), "P-1")
    assert row["idle_state"] == "not_due"
    assert row["idle_clock_start"] == pd.Timestamp("2024-06-30")
    assert row["idle_date"] == pd.Timestamp("2025-06-30")
    assert row["recovery_date"] == pd.Timestamp("2026-06-30")
    assert row["days_to_idle"] == pytest.approx(365.0)
    assert "（动工期限延长12个月）；2025-06-30起认定闲置" in row["idle_reason"]
    english = parcel(audit(zone, as_of="2024-06-30", lang="en"), "P-1")
    assert "(12 months extension); idle from 2025-06-30" in english["idle_reason"]


def test_idle_land_fee_unknown_without_a_land_price():
    row = parcel(
        audit(_idle_zone(agreed_start="2023-06-30", land_price_wan_yuan=None), as_of=AS_OF), "P-1"
    )
    assert row["idle_state"] == "recoverable"
    assert np.isnan(row["idle_fee_wan_yuan"])


@pytest.mark.parametrize(
    ("developed", "invested", "state"),
    [
        (1 / 3, 0.5, "not_applicable"),  # exactly a third developed: not under 1/3
        (0.33, 0.5, "idle"),
        (0.5, 0.25, "not_applicable"),  # exactly 25% invested: not under
        (0.5, 0.2499, "idle"),
    ],
)
def test_idle_rule_2_share_boundaries(developed, invested, state):
    zone = _idle_zone(
        actual_start="2022-01-01",
        suspended_since="2024-01-01",
        developed_share=developed,
        invested_share=invested,
    )
    row = parcel(audit(zone, as_of="2025-01-01"), "P-1")
    assert row["idle_state"] == state
    assert row["idle_rule"] == ("IDLE-2" if state == "idle" else None)


def test_idle_rule_2_needs_a_full_year_of_suspension():
    zone = _idle_zone(
        actual_start="2022-01-01",
        suspended_since="2024-01-01",
        developed_share=0.2,
        invested_share=0.5,
    )
    before = parcel(audit(zone, as_of="2024-12-31"), "P-1")
    on = parcel(audit(zone, as_of="2025-01-01"), "P-1")
    assert (before["idle_state"], before["days_to_idle"]) == ("not_due", 1.0)
    assert on["idle_state"] == "idle"
    assert on["idle_reason"].startswith("已动工但开发面积占比0.2，自2024-01-01起中止开发；")
    english = parcel(audit(zone, as_of="2025-01-01", lang="en"), "P-1")
    assert english["idle_reason"].startswith(
        "started but developed share 0.2 and suspended since 2024-01-01;"
    )
    assert on["recovery_date"] == pd.Timestamp("2026-01-01")


def test_idle_missing_data_is_insufficient_not_a_pass():
    zone = make_zone(
        [
            {"parcel_id": "P-1", "status": "idle"},  # no agreed start, not started
            {
                "parcel_id": "P-2",
                "status": "under_construction",
                "actual_start": "2022-01-01",
                "suspended_since": "2024-01-01",
            },
        ]
    )
    result = audit(zone, as_of=AS_OF)
    assert parcel(result, "P-1")["idle_state"] == "insufficient_data"
    assert parcel(result, "P-1")["idle_missing"] == "agreed_start"
    # The data keep the codes of what is missing; the explanation names them.
    assert parcel(result, "P-2")["idle_missing"] == "developed_share;invested_share"
    rows = flags_of(result, "IDLE-2", "insufficient_data")
    assert rows["missing"].tolist() == ["developed_share;invested_share"]
    assert rows["reason"].tolist() == ["数据不足：缺已开发面积比例；已投资比例"]
    assert parcel(result, "P-1")["idle_reason"] == "数据不足：缺约定动工日期"
    assert (result.parcels["idle_state"] != "not_applicable").all()


def test_collective_and_unsupplied_land_have_no_idle_clock():
    zone = make_zone(
        [
            {"parcel_id": "P-1", "tenure": "collective", "agreed_start": "2020-01-01"},
            {"parcel_id": "P-2", "status": "state_reserve", "agreed_start": "2020-01-01"},
        ]
    )
    result = audit(zone, as_of=AS_OF)
    assert result.parcels["idle_state"].tolist() == ["not_applicable", "not_applicable"]
    assert result.flags[result.flags["rule_id"].str.startswith("IDLE")].empty


def test_deadlines_within_the_window():
    zone = make_zone(
        [
            {"parcel_id": "P-1", "status": "idle", "agreed_start": "2024-09-28"},  # idle in 90 d
            {"parcel_id": "P-2", "status": "idle", "agreed_start": "2024-09-29"},  # in 91 days
            {"parcel_id": "P-3", "status": "idle", "agreed_start": "2023-07-15"},  # recover in 15
        ]
    )
    deadlines = audit(zone, as_of=AS_OF).deadlines
    assert deadlines[["parcel_id", "event", "days_left"]].values.tolist() == [
        ["P-3", "becomes recoverable", 15.0],
        ["P-1", "becomes idle", 90.0],
    ]


# --- low-efficiency rules -----------------------------------------------------------------------
@pytest.mark.parametrize(("as_of", "fires"), [("2024-06-29", False), ("2024-06-30", True)])
def test_overdue_completion_two_full_years(as_of, fires):
    zone = make_zone(
        [
            {
                "parcel_id": "P-1",
                "status": "under_construction",
                "actual_start": "2021-01-01",
                "agreed_completion": "2022-06-30",
            }
        ]
    )
    fired = flags_of(audit(zone, as_of=as_of), "LE-OVERDUE")
    assert len(fired) == int(fires)
    if fires:
        assert (fired.iloc[0]["value"], fired.iloc[0]["threshold"]) == (731.0, 731.0)


def test_overdue_completion_is_not_flagged_on_idle_land():
    zone = make_zone(
        [
            {
                "parcel_id": "P-1",
                "status": "idle",
                "agreed_start": "2020-01-01",
                "agreed_completion": "2021-01-01",
            }
        ]
    )
    result = audit(zone, as_of=AS_OF)
    assert parcel(result, "P-1")["idle_state"] == "recoverable"
    assert flags_of(result, "LE-OVERDUE").empty


def _producing_zone(**enterprise):
    """One 15-mu parcel completed in 2020 with one enterprise; FAR and coverage fine."""
    return make_zone(
        [{"parcel_id": "P-1", "completed": "2020-01-01", "contract_investment_wan_yuan": 4500.0}],
        [{"parcel_id": "P-1", "floor_area_m2": 9000.0, "floors": 2, "side": (60.0, 60.0)}],
        [{"enterprise_id": "E-1", "parcel_id": "P-1", "industry_code": "3311", **enterprise}],
    )


def test_investment_intensity_against_the_contract_value():
    # 2000 / 15 mu = 133.3 < 50% of the contract's 4500 / 15 = 300
    result = audit(_producing_zone(fixed_investment_wan_yuan=2000.0), as_of=AS_OF)
    row = flags_of(result, "LE-INTENSITY").iloc[0]
    assert row["value"] == pytest.approx(2000 / 15)
    assert row["threshold"] == pytest.approx(150.0)
    assert row["reason"] == "投资强度133.33，低于150.0（合同约定投资强度300.0的50%）"
    english = flags_of(
        audit(_producing_zone(fixed_investment_wan_yuan=2000.0), as_of=AS_OF, lang="en"),
        "LE-INTENSITY",
    ).iloc[0]
    assert english["reason"] == (
        "investment intensity 133.33 < 150.0 (50% of the contract intensity 300.0)"
    )


def test_investment_intensity_against_the_control_value_without_a_contract():
    zone = make_zone(
        [{"parcel_id": "P-1", "completed": "2020-01-01"}],
        [{"parcel_id": "P-1", "floor_area_m2": 9000.0, "floors": 2, "side": (60.0, 60.0)}],
        [{"enterprise_id": "E-1", "parcel_id": "P-1", "fixed_investment_wan_yuan": 1500.0}],
    )
    result = audit(zone, as_of=AS_OF)
    assert flags_of(result, "LE-INTENSITY").empty  # 100 万元/亩 is exactly 50% of 200
    assert parcel(result, "P-1")["investment_intensity_wan_yuan_per_mu"] == pytest.approx(100.0)


def test_intensity_and_output_wait_for_two_years_after_completion():
    zone = make_zone(
        [{"parcel_id": "P-1", "completed": "2023-07-01"}],
        [{"parcel_id": "P-1", "floor_area_m2": 9000.0, "floors": 2, "side": (60.0, 60.0)}],
        [{"enterprise_id": "E-1", "parcel_id": "P-1", "output_wan_yuan": 0.0}],
    )
    assert flags_of(audit(zone, as_of=AS_OF), "LE-OUTPUT").empty
    assert len(flags_of(audit(zone, as_of="2025-07-01"), "LE-OUTPUT")) == 1


def test_output_per_mu_under_half_the_control_value():
    result = audit(_producing_zone(output_wan_yuan=2249.0), as_of=AS_OF)
    row = flags_of(result, "LE-OUTPUT").iloc[0]
    assert row["value"] == pytest.approx(2249.0 / 15)
    assert row["threshold"] == pytest.approx(150.0)
    assert flags_of(audit(_producing_zone(output_wan_yuan=2250.0), as_of=AS_OF), "LE-OUTPUT").empty


def test_missing_output_is_reported_as_insufficient_data():
    result = audit(_producing_zone(), as_of=AS_OF)
    row = flags_of(result, "LE-OUTPUT", "insufficient_data").iloc[0]
    assert row["missing"] == "output_wan_yuan"
    assert row["reason"] == "数据不足：缺工业总产值"
    english = flags_of(
        audit(_producing_zone(), as_of=AS_OF, lang="en"), "LE-OUTPUT", "insufficient_data"
    )
    assert english["reason"].tolist() == ["insufficient data: missing output (万元)"]
    assert flags_of(result, "LE-OUTPUT").empty
    assert "LE-OUTPUT" in parcel(result, "P-1")["insufficient_rules"].split(";")


@pytest.mark.parametrize(("as_of", "fires"), [("2025-06-29", False), ("2025-06-30", True)])
def test_stopped_for_a_full_year(as_of, fires):
    zone = _producing_zone(operating_status="half_stopped", stopped_since="2024-06-30")
    fired = flags_of(audit(zone, as_of=as_of), "LE-STOPPED")
    assert len(fired) == int(fires)
    if fires:
        row = fired.iloc[0]
        assert (row["parcel_id"], row["enterprise_id"]) == ("P-1", "E-1")
        assert row["reason"] == "自2024-06-30起半停产，至2025-06-30已满1年"
        english = flags_of(audit(zone, as_of=as_of, lang="en"), "LE-STOPPED").iloc[0]
        assert english["reason"] == (
            "production half-stopped since 2024-06-30; 1 full year(s) reached on 2025-06-30"
        )


def test_stopped_without_a_date_is_insufficient_data():
    result = audit(_producing_zone(operating_status="stopped"), as_of=AS_OF)
    row = flags_of(result, "LE-STOPPED", "insufficient_data").iloc[0]
    assert row["missing"] == "stopped_since"


@pytest.mark.parametrize(("last_tax", "fires"), [("2023-06-30", True), ("2023-07-01", False)])
def test_no_tax_for_two_full_years(last_tax, fires):
    fired = flags_of(audit(_producing_zone(last_tax_date=last_tax), as_of=AS_OF), "LE-NO-TAX")
    assert len(fired) == int(fires)


def test_tax_per_mu_under_a_third_of_the_area_weighted_zone_average():
    # Taxes 300, 150, 30 on 15 mu each: average 480 / 45 = 10.667; a third of it 3.556.
    # The third parcel (30 万元 on 15 mu = 2.0/mu) fires; 10 and 20 do not.
    zone = make_zone(
        [{"parcel_id": f"P-{i}"} for i in range(3)],
        [
            {"parcel_id": f"P-{i}", "floor_area_m2": 9000.0, "floors": 2, "side": (60.0, 60.0)}
            for i in range(3)
        ],
        [
            {"enterprise_id": f"E-{i}", "parcel_id": f"P-{i}", "tax_wan_yuan": tax}
            for i, tax in enumerate([300.0, 150.0, 30.0])
        ],
    )
    result = audit(zone, as_of=AS_OF)
    fired = flags_of(result, "LE-TAX-ZONE")
    assert fired["parcel_id"].tolist() == ["P-2"]
    assert fired.iloc[0]["value"] == pytest.approx(2.0)
    assert fired.iloc[0]["threshold"] == pytest.approx(480 / 45 / 3)
    totals = result.summary().set_index(["section", "item"])
    assert totals.loc[("total", "zone_tax_per_mu_wan_yuan"), "value"] == pytest.approx(480 / 45)


def test_dilapidated_buildings_fire():
    zone = make_zone(
        [{"parcel_id": "P-1"}],
        [
            {"parcel_id": "P-1", "floor_area_m2": 1000.0, "status": "dilapidated"},
            {"parcel_id": "P-1", "floor_area_m2": 3000.0},
        ],
    )
    row = flags_of(audit(zone, as_of=AS_OF), "LE-DILAPIDATED").iloc[0]
    assert row["value"] == pytest.approx(0.25)


def test_a_parcel_can_carry_several_rules():
    zone = _producing_zone(output_wan_yuan=100.0, fixed_investment_wan_yuan=100.0)
    row = parcel(audit(zone, as_of=AS_OF), "P-1")
    assert row["low_efficiency"]
    assert row["low_efficiency_rules"] == "LE-INTENSITY;LE-OUTPUT"


def test_a_policy_override_changes_the_threshold():
    policy = Policy.default().replace(**{"control.coverage_min": 0.45})
    zone = make_zone(
        [{"parcel_id": "P-1"}],
        [{"parcel_id": "P-1", "floor_area_m2": 9000.0, "floors": 2, "side": (60.0, 70.0)}],
        policy=policy,
    )
    row = flags_of(audit(zone, as_of=AS_OF), "LE-COVERAGE").iloc[0]
    assert (row["value"], row["threshold"]) == (pytest.approx(0.42), pytest.approx(0.45))


# --- apportionment ------------------------------------------------------------------------------
def test_an_enterprise_on_two_parcels_is_split_by_land_area():
    zone = make_zone(
        [{"parcel_id": "P-1"}, {"parcel_id": "P-2", "side": (50.0, 100.0)}],
        enterprises=[{"enterprise_id": "E-1", "parcel_id": "P-1;P-2", "output_wan_yuan": 3000.0}],
    )
    result = audit(zone, as_of=AS_OF)
    assert result.parcels["output_wan_yuan"].tolist() == pytest.approx([2000.0, 1000.0])
    assert result.enterprises["land_mu"].iloc[0] == pytest.approx(22.5)


def test_enterprises_sharing_a_parcel_split_its_land_equally():
    zone = make_zone(
        [{"parcel_id": "P-1"}],
        enterprises=[
            {"enterprise_id": "E-1", "parcel_id": "P-1", "tax_wan_yuan": 90.0},
            {"enterprise_id": "E-2", "parcel_id": "P-1", "tax_wan_yuan": 30.0},
        ],
    )
    result = audit(zone, as_of=AS_OF)
    assert result.enterprises["land_mu"].tolist() == pytest.approx([7.5, 7.5])
    assert result.enterprises["tax_per_mu_wan_yuan"].tolist() == pytest.approx([12.0, 4.0])
    assert parcel(result, "P-1")["tax_per_mu_wan_yuan"] == pytest.approx(8.0)


def test_a_parcel_figure_is_missing_when_one_occupant_lacks_it():
    zone = make_zone(
        [{"parcel_id": "P-1"}],
        enterprises=[
            {"enterprise_id": "E-1", "parcel_id": "P-1", "tax_wan_yuan": 90.0},
            {"enterprise_id": "E-2", "parcel_id": "P-1"},
        ],
    )
    assert np.isnan(parcel(audit(zone, as_of=AS_OF), "P-1")["tax_wan_yuan"])


# --- per-mu evaluation --------------------------------------------------------------------------
def _ranked_zone(taxes, overrides=None):
    """One 15-mu parcel per firm; firms differ only in tax, so tax decides the rank."""
    common = {
        "value_added_wan_yuan": 1500.0,
        "energy_tce": 750.0,
        "emissions_t": 30.0,
        "employees": 50,
        "rd_spend_wan_yuan": 30.0,
        "revenue_wan_yuan": 1000.0,
        "production_start": "2015-01-01",
    }
    return make_zone(
        [{"parcel_id": f"P-{i:02d}"} for i in range(len(taxes))],
        enterprises=[
            {"enterprise_id": f"E-{i:02d}", "parcel_id": f"P-{i:02d}", "tax_wan_yuan": t}
            | common
            | (overrides or {}).get(i, {})
            for i, t in enumerate(taxes)
        ],
    )


def test_score_is_value_over_benchmark_times_weight():
    result = audit(_ranked_zone([241.0 * 15 / 10]), as_of=AS_OF)
    row = result.enterprises.iloc[0]
    # tax 24.1/mu -> 30; VA 100/mu vs 136 -> 14.706; VA/tce 2 -> 20; VA/t 50 -> 10;
    # VA/employee 30 -> 10; R&D 3% -> 10
    assert row["score_tax_per_mu"] == pytest.approx(30.0)
    assert row["score_value_added_per_mu"] == pytest.approx(100 / 136 * 20)
    assert row["score"] == pytest.approx(30 + 100 / 136 * 20 + 20 + 10 + 10 + 10)


def test_classes_by_rank_20_40_35_5():
    result = audit(_ranked_zone([float(200 - i) for i in range(20)]), as_of=AS_OF)
    classes = "".join(result.enterprises["evaluation_class"])
    assert classes == "AAAA" + "B" * 8 + "C" * 7 + "D"
    d = flags_of(result, "LE-CLASS-D").iloc[0]
    assert (d["enterprise_id"], d["value"], d["threshold"]) == ("E-19", 0.95, 0.95)


def test_a_tie_at_the_class_cut_shares_the_better_class():
    taxes = [float(200 - i) for i in range(20)]
    taxes[4] = taxes[3]  # the 4th and 5th firm tie across the A/B cut
    result = audit(_ranked_zone(taxes), as_of=AS_OF)
    assert "".join(result.enterprises["evaluation_class"]) == "AAAAA" + "B" * 7 + "C" * 7 + "D"
    assert result.enterprises["rank"].iloc[3:5].tolist() == [4, 4]


def test_not_evaluated_firms_are_class_t_with_the_reason():
    zone = _ranked_zone(
        [100.0, 100.0, 100.0, 100.0],
        {
            0: {"industry_code": "4411"},
            1: {"production_start": "2024-01-01"},
            2: {"parcel_id": "P-02;P-03"},
        },
    )
    result = audit(zone, as_of=AS_OF)
    firms = result.enterprises.set_index("enterprise_id")
    assert firms.loc["E-00", "class_reason"] == "暂不评价：公用事业（行业大类44）"
    assert firms.loc["E-01", "class_reason"] == "暂不评价：投产不满2年（2024-01-01投产）"
    english = audit(zone, as_of=AS_OF, lang="en").enterprises.set_index("enterprise_id")
    assert english.loc["E-00", "class_reason"] == "not evaluated: utility (division 44)"
    assert english.loc["E-01", "class_reason"] == (
        "not evaluated: in production under 2 years (since 2024-01-01)"
    )
    assert english.loc["E-03", "class_reason"].endswith("rank 1 of 2")
    # P-03 is shared by E-02 and E-03: E-03 holds 7.5 mu, E-02 15 + 7.5 = 22.5 mu, so the
    # same tax weighs three times as much per mu for E-03, which ranks first of the two.
    assert firms["land_mu"].tolist() == pytest.approx([15.0, 15.0, 22.5, 7.5])
    assert firms["evaluation_class"].tolist() == ["T", "T", "B", "A"]
    assert firms.loc["E-03", "class_reason"].endswith("在2家参评企业中排第1名")


def test_a_missing_indicator_scores_the_average_not_zero():
    zone = _ranked_zone([150.0, 300.0, 450.0], {1: {"energy_tce": None}})
    firms = audit(zone, as_of=AS_OF).enterprises
    # All three use 750 tce where known: VA/tce 2.0 scores 20 for the other two.
    assert firms["score_value_added_per_tce"].tolist() == pytest.approx([20.0, 20.0, 20.0])
    assert firms["missing_indicators"].tolist() == ["", "value_added_per_tce_wan_yuan", ""]
    assert value_label("missing_indicators", "value_added_per_tce_wan_yuan;rd_intensity") == (
        "单位能耗增加值(万元/吨标煤)；研发经费投入强度"
    )


def test_small_firms_are_class_t():
    zone = make_zone(
        [{"parcel_id": "P-1", "side": (50.0, 50.0)}],  # 2500 m2 = 3.75 mu
        enterprises=[{"enterprise_id": "E-1", "parcel_id": "P-1", "tax_wan_yuan": 10.0}],
    )
    row = audit(zone, as_of=AS_OF).enterprises.iloc[0]
    assert row["evaluation_class"] == "T"
    assert row["class_reason"] == "暂不评价：用地3.75亩，不足5亩"
    english = audit(zone, as_of=AS_OF, lang="en").enterprises.iloc[0]
    assert english["class_reason"] == "not evaluated: land 3.75 mu under 5 mu"


# --- potential and summary ----------------------------------------------------------------------
def test_potential_floor_gain_vacancy_and_recoverable_land():
    zone = make_zone(
        [
            {"parcel_id": "P-1", "far_max": 2.0},
            {"parcel_id": "P-2"},
            {"parcel_id": "P-3", "status": "idle", "agreed_start": "2022-01-01"},
        ],
        [
            {
                "parcel_id": "P-1",
                "floor_area_m2": 5000.0,
                "vacant_area_m2": 1200.0,
                "side": (50.0, 60.0),
                "floors": 2,
            },
            {"parcel_id": "P-2", "floor_area_m2": 5000.0, "side": (50.0, 60.0), "floors": 2},
        ],
        [{"enterprise_id": "E-1", "parcel_id": "P-2", "industry_code": "3911"}],
    )
    result = audit(zone, as_of=AS_OF)
    rows = result.parcels.set_index("parcel_id")
    # P-1: (2.0 - 0.5) x 10000; P-2: raised to division 39's 1.0
    assert rows["far_gain_m2"].tolist() == pytest.approx([15_000.0, 5_000.0, 0.0])
    assert rows.loc["P-1", "vacancy"] == pytest.approx(0.24)
    assert rows["recoverable_land_mu"].tolist() == pytest.approx([0.0, 0.0, 15.0])
    totals = result.summary().set_index(["section", "item"])
    assert totals.loc[("total", "far_gain_m2"), "value"] == pytest.approx(20_000.0)
    assert totals.loc[("total", "vacant_area_m2"), "value"] == pytest.approx(1200.0)
    assert totals.loc[("total", "recoverable_land_mu"), "value"] == pytest.approx(15.0)
    assert totals.loc[("status", "idle"), "area_mu"] == pytest.approx(15.0)
    assert totals.loc[("idle_state", "recoverable"), "parcels"] == 1


def test_class_d_land_is_recoverable():
    result = audit(_ranked_zone([float(200 - i) for i in range(20)]), as_of=AS_OF)
    rows = result.parcels.set_index("parcel_id")
    assert rows.loc["P-19", "recoverable_land_mu"] == pytest.approx(15.0)
    assert rows.loc["P-19", "recoverable_basis"] == "亩均效益评价D类"
    assert rows["recoverable_land_mu"].sum() == pytest.approx(15.0)
    summary = result.summary().set_index(["section", "item"])
    assert summary.loc[("class", "A"), "parcels"] == 4
    assert summary.loc[("class", "D"), "area_mu"] == pytest.approx(15.0)


# --- interface ----------------------------------------------------------------------------------
def test_every_rule_cites_a_policy_source():
    policy = Policy.default()
    for rule in RULES.values():
        assert policy.source(rule.policy_key), rule.rule_id


def test_as_of_must_be_a_date():
    with pytest.raises(LandplanError, match=r"as_of must be a date such as 2025-06-30, got 'soon'"):
        audit(Zone.empty(), as_of="soon")


def test_repeated_parcel_ids_are_refused_whatever_built_the_zone():
    zone = make_zone([{"parcel_id": "P1"}, {"parcel_id": "P2"}, {"parcel_id": "P3"}])
    ids = pd.Series(["P1", "P2", "P1"], dtype="str", index=zone.parcels.index)
    twice = dataclasses.replace(zone, parcels=zone.parcels.assign(parcel_id=ids))
    with pytest.raises(LandplanError, match=r"found \['P1'\] more than once"):
        audit(twice, as_of=AS_OF)


def test_a_building_on_a_parcel_the_zone_lacks_is_named():
    zone = make_zone([{"parcel_id": "P1"}], buildings=[{"parcel_id": "P1", "floor_area_m2": 90.0}])
    lost = zone.buildings.assign(
        parcel_id=pd.Series(["P9"], dtype="str", index=zone.buildings.index)
    )
    with pytest.raises(LandplanError, match=r"buildings refer to parcel id\(s\) \['P9'\]"):
        audit(dataclasses.replace(zone, buildings=lost), as_of=AS_OF)


def test_unknown_target_far_choice_is_a_policy_error():
    with pytest.raises(PolicyError, match=r"'potential\.target_far' must be one of 'far_max', "):
        Policy.default().replace(**{"potential.target_far": "maximum"})


def test_rule_names_carry_the_policy_numbers():
    """LE-OUTPUT's name said 50% whatever output_share_min held."""
    zone = _producing_zone(output_wan_yuan=100.0)
    policy = zone.policy.replace(**{"low_efficiency.output_share_min": 0.6})
    zone = dataclasses.replace(zone, policy=policy)
    flags = flags_of(audit(zone, as_of=AS_OF), "LE-OUTPUT")
    assert not flags.empty
    assert set(flags["rule_zh"]) == {"竣工满2年亩均产值低于控制值的60%"}
    assert RULES["LE-OUTPUT"].text(zone.policy, "en") == (
        "completed 2 year(s), output per mu under 60% of the control value"
    )


def test_write_audit_writes_workbook_csv_and_geopackage(tmp_path):
    import openpyxl

    import pyogrio

    result = audit(_producing_zone(output_wan_yuan=100.0), as_of=AS_OF)
    paths = write_audit(result, tmp_path)
    book = openpyxl.load_workbook(paths["workbook"], read_only=True)
    assert book.sheetnames == ["需处置地块", "亩均产值偏低", "D类企业", "处置期限", "汇总", "参数"]
    english = write_audit(result, tmp_path / "en", lang="en")["workbook"]
    assert openpyxl.load_workbook(english, read_only=True).sheetnames == [
        "flagged_parcels",
        "LE-OUTPUT",
        "enterprises_class_d",
        "deadlines",
        "summary",
        "policy",
    ]
    book = openpyxl.load_workbook(paths["workbook"], read_only=True)
    headers = [c.value for c in next(book["亩均产值偏低"].iter_rows(max_row=1))]
    assert "threshold / 阈值" in headers and "reason / 原因" in headers
    flags = pd.read_csv(paths["csv:flags"])
    assert flags.loc[flags["outcome"] == "fires", "rule_id"].tolist() == ["LE-OUTPUT"]
    layer = pyogrio.read_dataframe(paths["geopackage"], layer="audit_parcels")
    assert layer["parcel_id"].tolist() == ["P-1"]
    assert layer["low_efficiency_rules"].tolist() == ["LE-OUTPUT"]


def _cli(args, capsys):
    from landplan.cli import main

    with pytest.raises(SystemExit) as info:
        main(args)
    out = capsys.readouterr()
    return info.value.code, out.out, out.err


def test_cli_audit_from_a_geopackage(tmp_path, capsys):
    from landplan.io import write_zone

    write_zone(_producing_zone(output_wan_yuan=100.0), tmp_path / "zone.gpkg")
    code, out, _ = _cli(
        [
            "audit",
            "--zone",
            str(tmp_path / "zone.gpkg"),
            "--as-of",
            AS_OF,
            "--out",
            str(tmp_path / "out"),
            "--lang",
            "en",
        ],
        capsys,
    )
    assert code == 0
    assert "1 parcels, 1 low-efficiency (15.0 mu)" in " ".join(out.split())
    assert (tmp_path / "out" / "audit.xlsx").exists()
    assert (tmp_path / "out" / "csv" / "summary.csv").exists()


def test_cli_audit_takes_one_zone_source(tmp_path, capsys):
    code, _, err = _cli(
        ["audit", "--db", "x.gpkg", "--zone", "y.gpkg", "--out", str(tmp_path)], capsys
    )
    assert code == 2
    assert "二者之一" in " ".join(err.split())


def test_cli_audit_from_the_store(tmp_path, capsys):
    from landplan.store import open_store

    db = tmp_path / "store.gpkg"
    zone = _producing_zone(output_wan_yuan=100.0)
    with open_store(db) as store:
        store.init()
        for name, frame in zone.layers().items():
            if len(frame):
                store.import_layer(name, frame, mode="replace", source="test", who="test")
    code, out, _ = _cli(
        [
            "audit",
            "--db",
            str(db),
            "--as-of",
            AS_OF,
            "--out",
            str(tmp_path / "out"),
            "--lang",
            "en",
        ],
        capsys,
    )
    assert code == 0
    assert "1 parcels, 1 low-efficiency (15.0 mu)" in " ".join(out.split())
    code, out, _ = _cli(
        ["audit", "--db", str(db), "--as-of", AS_OF, "--out", str(tmp_path)], capsys
    )
    assert code == 0
    assert "地块1宗，低效用地1宗（15.0亩）" in "".join(out.split())


def test_sample_zone_audit_is_consistent():
    from landplan.sample import AS_OF as SAMPLE_DAY
    from landplan.sample import make_zone as make_sample

    zone = Zone.from_layers(make_sample(n_parcels=450))
    result = audit(zone, as_of=SAMPLE_DAY)
    summary = result.summary().set_index(["section", "item"])
    total_mu = zone.parcels["area_mu"].sum()
    assert summary.loc["status", "area_mu"].sum() == pytest.approx(total_mu)
    assert summary.loc["idle_state", "area_mu"].sum() == pytest.approx(total_mu)
    # The sample cycles its idle parcels through every clock situation.
    assert {"not_due", "idle", "recoverable"} <= set(result.parcels["idle_state"])
    fired = result.flags[result.flags["outcome"] == "fires"]
    assert set(fired["parcel_id"]) <= set(zone.parcels["parcel_id"])
    assert (fired["source"] != "").all() and (fired["reason"] != "").all()
    low = result.parcels["low_efficiency"]
    assert summary.loc[("total", "low_efficiency"), "parcels"] == int(low.sum())


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(["13", "33", "C34", "园区", ""]), min_size=1, max_size=40),
    st.lists(st.integers(0, 12), min_size=1, max_size=40),
    st.sampled_from(["zh", "en"]),
)
def test_sentences_composed_once_per_value_are_composed_per_row(divisions, counts, lang):
    from landplan.audit import _compose_distinct
    from landplan.labels import compose

    division = np.array(divisions, dtype=object)
    n = np.array(counts)
    for key, field in (
        ("basis_far_division", {"division": division}),
        ("basis_far_several", {"n": n}),
    ):
        assert (
            _compose_distinct(key, lang, **field).tolist() == compose(key, lang, **field).tolist()
        )
