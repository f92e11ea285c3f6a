"""Admission review on the five principles: values, thresholds, scores and verdicts by hand."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import geopandas as gpd
from shapely import Point, box

from landplan.errors import InfeasibleError
from landplan.review import PRINCIPLES, review
from landplan.zone import Zone
from tests.conftest import X0, Y0


def _zone(*, chain_leader: bool = True) -> Zone:
    parcels = gpd.GeoDataFrame(
        {"parcel_id": ["P-1"], "status": ["occupied"], "land_use": ["M1"]},
        geometry=[box(X0, Y0, X0 + 100, Y0 + 100)],
        crs="EPSG:4546",
    )
    enterprises = gpd.GeoDataFrame(
        {
            "enterprise_id": ["E-1"],
            "name": ["链主机械"],
            "parcel_id": ["P-1"],
            "cluster": ["machinery_equipment"],
            "chain_leader": [chain_leader],
        },
        geometry=[Point(X0 + 50, Y0 + 50)],
        crs="EPSG:4546",
    )
    return Zone.from_layers({"parcels": parcels, "enterprises": enterprises})


# Fixed 12000 万元 on 50 mu = 240 万元/亩 (control 200: passes); tax 400 / 50 = 8 万元/亩
# (control 10: fails, share 0.8); energy 900 / 30000 = 0.03 tce/万元 (cap 0.05: passes);
# R&D 2% against 3% and not high-tech (fails, share 2/3).
PROJECT = {
    "project_id": "J-1",
    "name": "机械智造项目",
    "stage": "signed",
    "cluster": "machinery_equipment",
    "investment_wan_yuan": 15000.0,
    "fixed_investment_wan_yuan": 12000.0,
    "annual_output_wan_yuan": 30000.0,
    "annual_tax_wan_yuan": 400.0,
    "energy_tce": 900.0,
    "rd_share": 0.02,
    "high_tech": False,
    "land_mu_min": 50.0,
    "land_mu_max": 50.0,
}


def _row(result, principle: str) -> pd.Series:
    return result.principles.set_index("principle").loc[principle]


def test_principles_values_scores_and_conditional_admission():
    result = review(PROJECT, _zone())
    assert list(result.principles["principle"]) == list(PRINCIPLES)
    intensity = _row(result, "investment_intensity")
    assert intensity["value"] == pytest.approx(240.0)
    assert intensity["threshold"] == pytest.approx(200.0)
    assert bool(intensity["passed"])
    assert "12,000 万元 / 50.0 亩 = 240.0 万元/亩" in intensity["reason"]
    fiscal = _row(result, "fiscal_contribution")
    assert fiscal["value"] == pytest.approx(8.0)
    assert not bool(fiscal["passed"])
    assert fiscal["score"] == pytest.approx(25.0 * 0.8)
    energy = _row(result, "energy_intensity")
    assert energy["value"] == pytest.approx(0.03)
    assert bool(energy["passed"])
    tech = _row(result, "technology_content")
    assert tech["score"] == pytest.approx(15.0 * 2 / 3)
    assert "R&D share 2.0%" in tech["reason"]
    leverage = _row(result, "industrial_leverage")
    assert leverage["score"] == pytest.approx(20.0)
    assert "链主机械" in leverage["reason"]
    # 20 + 25 + 20 + 15 + 10
    assert result.score == pytest.approx(90.0)
    assert result.verdict == "admit_with_conditions"
    assert any(r.startswith("condition fiscal_contribution fails") for r in result.reasons)
    assert any(r.startswith("condition technology_content fails") for r in result.reasons)


def test_larger_site_lowers_intensity_below_control_and_rejects():
    result = review(PROJECT, _zone(), site_area_m2=70 * 10000 / 15)
    intensity = _row(result, "investment_intensity")
    assert intensity["value"] == pytest.approx(12000.0 / 70.0)
    assert not bool(intensity["passed"])
    assert result.verdict == "reject"
    assert result.site_area_mu == pytest.approx(70.0)
    assert result.reasons[0].startswith("essential principle investment_intensity fails")


def test_every_principle_passing_admits():
    project = {**PROJECT, "annual_tax_wan_yuan": 600.0, "high_tech": True}
    result = review(project, _zone())
    assert result.verdict == "admit"
    assert result.score == pytest.approx(100.0)
    assert result.reasons == ("every principle passes",)


def test_leverage_without_chain_leader_and_outside_clusters():
    half = _row(review(PROJECT, _zone(chain_leader=False)), "industrial_leverage")
    assert half["score"] == pytest.approx(10.0)
    assert "no chain-leader enterprise" in half["reason"]
    other = _row(review({**PROJECT, "cluster": "other"}, _zone()), "industrial_leverage")
    assert not bool(other["passed"]) and other["score"] == 0.0
    assert "not one of the zone's target clusters" in other["reason"]


def test_energy_intensity_above_cap_rejects():
    result = review({**PROJECT, "energy_tce": 3000.0}, _zone())
    energy = _row(result, "energy_intensity")
    assert energy["value"] == pytest.approx(0.1)
    assert energy["score"] == pytest.approx(15.0 * 0.5)
    assert result.verdict == "reject"


def test_missing_figures_fail_with_the_fix():
    project = {k: v for k, v in PROJECT.items() if k not in ("fixed_investment_wan_yuan",)}
    result = review({**project, "annual_output_wan_yuan": None}, _zone())
    intensity = _row(result, "investment_intensity")
    assert "fixed_investment_wan_yuan not given" in intensity["reason"]
    assert "add it to the project" in intensity["reason"]
    energy = _row(result, "energy_intensity")
    assert "annual_output_wan_yuan not given" in energy["reason"]
    assert result.verdict == "reject"


def test_small_floor_demand_is_advised_standard_factory_space():
    project = {**PROJECT, "floor_area_m2": 6000.0, "can_use_building": True}
    result = review(project, _zone())
    assert result.floor_space_advised
    assert any("6,000 m² fits standard factory floor space" in r for r in result.reasons)
    large = review({**PROJECT, "floor_area_m2": 25000.0}, _zone())
    assert not large.floor_space_advised


def test_floor_space_only_project_skips_per_mu_principles():
    project = {k: v for k, v in PROJECT.items() if k not in ("land_mu_min", "land_mu_max")} | {
        "floor_area_m2": 6000.0,
        "can_use_building": True,
    }
    result = review(project, _zone())
    assert bool(_row(result, "investment_intensity")["passed"])
    assert "does not apply" in _row(result, "fiscal_contribution")["reason"]


def test_floor_demand_without_consent_to_use_buildings_is_infeasible():
    project = {k: v for k, v in PROJECT.items() if k not in ("land_mu_min", "land_mu_max")}
    project |= {"floor_area_m2": 6000.0, "can_use_building": False}
    with pytest.raises(InfeasibleError, match="states no demand: expected land_mu_min"):
        review(project, _zone())


def test_leverage_of_a_project_naming_no_cluster():
    row = _row(review({**PROJECT, "cluster": None}, _zone()), "industrial_leverage")
    assert row["reason"].startswith("the project names no industry cluster")
    assert "nan" not in row["reason"]


def test_reasons_read_in_chinese_with_the_policys_numbers():
    """A zh reason is composed in Chinese from the policy's values, not translated English."""
    from landplan.labels import vocabulary_codes
    from landplan.policy import Policy
    from landplan.sample import make_zone
    from landplan.zone import Zone

    policy = Policy.default().replace(**{"control.investment_intensity_min_wan_yuan_per_mu": 333.0})
    zone = Zone.from_layers(make_zone(), policy=policy)
    result = review(zone.projects.set_index("project_id", drop=False).loc["PJ-06"], zone)
    zh = result.principles_text("zh").set_index("principle")
    assert "不低于控制值333" in zh.loc["investment_intensity", "reason"]
    assert (
        "at least the control value 333"
        in result.principles.set_index("principle").loc["investment_intensity", "reason"]
    )
    assert zh.loc["industrial_leverage", "value"] == "其他"
    assert zh.loc["energy_intensity", "unit"] == "吨标准煤/万元"
    lines = result.reason_lines("zh")
    assert lines[0].startswith("“产业带动强”未达标")
    assert any(line.startswith("必备原则“能耗强度低”未达标") for line in lines)
    text = " ".join([*lines, *zh["reason"], *zh["threshold"].astype(str)])
    words = set(re.findall(r"(?<![A-Za-z_])[a-z_]{4,}(?![A-Za-z_])", text))
    assert not words & vocabulary_codes(), text
    assert result.reason_lines("en") == list(result.reasons)
