"""validate_layer: renaming, coercion, derived areas, and every problem collected once."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import geopandas as gpd
from shapely import LineString, Polygon, box

from landplan.errors import SchemaError
from landplan.policy import Policy
from landplan.units import MU_M2
from landplan.validation import validate_layer, validate_zone_layers
from landplan.zone import Zone

from .conftest import X0, Y0


def test_parcels_are_normalised(raw_parcels):
    parcels = validate_layer(raw_parcels, "parcels", source="parcels.gpkg")
    assert parcels["status"].tolist() == ["occupied", "idle", "state_reserve"]
    assert parcels["tenure"].tolist() == ["state", "state", "state"]
    assert parcels["area_m2"].tolist() == pytest.approx([10_000.0] * 3)
    assert parcels["area_mu"].tolist() == pytest.approx([10_000.0 / MU_M2] * 3)
    assert parcels["agreed_start"].tolist()[:2] == [
        pd.Timestamp("2024-01-15"),
        pd.Timestamp("2023-06-30"),
    ]
    assert pd.isna(parcels["agreed_start"].iloc[2])
    assert parcels.crs.to_epsg() == 4546
    assert list(parcels.index) == [0, 1, 2]
    # every schema column is there, typed, even when the file lacks it
    assert parcels["far_min"].dtype == "float64"
    assert parcels["extension_months"].dtype == "Int64"
    assert parcels["water_supply"].dtype == "boolean"


def test_input_is_not_changed(raw_parcels):
    before = raw_parcels.copy()
    validate_layer(raw_parcels, "parcels")
    pd.testing.assert_frame_equal(raw_parcels, before)


def test_chinese_column_aliases(raw_parcels):
    raw = raw_parcels.rename(
        columns={"parcel_id": "地块编号", "status": "状态", "land_use": "用地性质"}
    )
    parcels = validate_layer(raw, "parcels")
    assert parcels["parcel_id"].tolist() == ["P-1", "P-2", "P-3"]
    assert parcels["land_use"].tolist() == ["M1", "M2", "M3"]


def test_reprojects_to_working_crs(raw_parcels):
    lonlat = raw_parcels.to_crs("EPSG:4490")
    parcels = validate_layer(lonlat, "parcels")
    assert parcels.crs.to_epsg() == 4546
    assert parcels["area_m2"].tolist() == pytest.approx([10_000.0] * 3, rel=1e-6)


def test_extra_columns_pass_through(raw_parcels):
    raw = raw_parcels.assign(备注=["a", "b", "c"])
    assert validate_layer(raw, "parcels")["备注"].tolist() == ["a", "b", "c"]


def test_every_problem_is_collected(raw_parcels):
    raw = raw_parcels.copy()
    raw.loc[0, "status"] = "idel"
    raw.loc[1, "land_price_wan_yuan"] = -5.0
    raw.loc[2, "parcel_id"] = "P-1"
    with pytest.raises(SchemaError) as info:
        validate_layer(raw, "parcels", source="zone.gpkg")
    problems = info.value.problems
    assert {(p.feature, p.column) for p in problems} == {
        ("P-1", "status"),
        ("P-2", "land_price_wan_yuan"),
        ("P-1", "parcel_id"),
    }
    assert all(p.source == "zone.gpkg" for p in problems)
    message = str(info.value)
    assert message.startswith("4 problems found")  # the duplicate id on both rows
    assert "did you mean 'idle'?" in message


def test_unknown_status_suggests_nearest(raw_parcels):
    raw = raw_parcels.assign(status=["occupied", "ocupied", "state reserve"])
    with pytest.raises(
        SchemaError, match=r"unknown parcel status 'ocupied'.*did you mean 'occupied'"
    ):
        validate_layer(raw, "parcels")


def test_missing_id_names_the_row(raw_parcels):
    raw = raw_parcels.copy()
    raw.loc[1, "parcel_id"] = None
    with pytest.raises(SchemaError, match=r"row 2\s+parcel_id\s+missing id"):
        validate_layer(raw, "parcels")


def test_required_column_missing(raw_parcels):
    with pytest.raises(SchemaError, match=r"\*\s+status\s+required column missing"):
        validate_layer(raw_parcels.drop(columns="status"), "parcels")


def test_invalid_geometry_rejected_unless_repair_asked(raw_parcels):
    bowtie = Polygon([(X0, Y0 + 200), (X0 + 100, Y0 + 300), (X0 + 100, Y0 + 200), (X0, Y0 + 300)])
    raw = raw_parcels.copy()
    raw.loc[2, "geometry"] = bowtie
    with pytest.raises(SchemaError, match=r"P-3\s+geometry\s+invalid geometry: Self-intersection"):
        validate_layer(raw, "parcels")
    repaired = validate_layer(raw, "parcels", make_valid=True)
    assert repaired.geometry.is_valid.all()
    assert repaired.attrs["repaired"][0][0] == "P-3"
    assert repaired.loc[2, "area_m2"] == pytest.approx(5_000.0)


def test_wrong_geometry_type(raw_parcels):
    raw = raw_parcels.copy()
    raw.loc[0, "geometry"] = LineString([(X0, Y0), (X0 + 10, Y0)])
    with pytest.raises(SchemaError, match=r"P-1\s+geometry\s+wrong geometry type LineString"):
        validate_layer(raw, "parcels")


def test_empty_geometry(raw_parcels):
    raw = raw_parcels.copy()
    raw.loc[1, "geometry"] = Polygon()
    with pytest.raises(SchemaError, match=r"P-2\s+geometry\s+empty or missing geometry"):
        validate_layer(raw, "parcels")


def test_missing_crs_rejected_unless_named(raw_parcels):
    raw = raw_parcels.set_crs(None, allow_override=True)
    with pytest.raises(SchemaError, match=r"no CRS.*--crs"):
        validate_layer(raw, "parcels")
    assert validate_layer(raw, "parcels", crs="EPSG:4546").crs.to_epsg() == 4546


def test_named_crs_contradicting_file(raw_parcels):
    with pytest.raises(SchemaError, match="the file says its CRS is EPSG:4546"):
        validate_layer(raw_parcels, "parcels", crs="EPSG:4490")


def test_swapped_lat_lon_detected(raw_parcels):
    lonlat = raw_parcels.to_crs("EPSG:4490")
    swapped = lonlat.set_geometry(
        lonlat.geometry.map(lambda g: Polygon([(y, x) for x, y in g.exterior.coords])),
        crs="EPSG:4490",
    )
    with pytest.raises(
        SchemaError, match=r"P-1\s+geometry\s+coordinates .* look like latitude/longitude swapped"
    ):
        validate_layer(swapped, "parcels")


def test_degrees_under_projected_crs(raw_parcels):
    degrees = raw_parcels.to_crs("EPSG:4490").set_crs("EPSG:4546", allow_override=True)
    with pytest.raises(SchemaError, match="look like degrees, not metres of EPSG:4546"):
        validate_layer(degrees, "parcels")


def test_zero_floors_and_negative_money(raw_buildings, raw_projects):
    raw = raw_buildings.assign(floors=[0, 2])
    with pytest.raises(SchemaError, match=r"B-1\s+floors\s+zero or negative value 0"):
        validate_layer(raw, "buildings")
    projects = raw_projects.assign(investment_wan_yuan=[-10.0])
    with pytest.raises(SchemaError, match=r"J-1\s+investment_wan_yuan\s+zero or negative"):
        validate_layer(projects, "projects")


def test_vacant_over_floor_area(raw_buildings):
    raw = raw_buildings.assign(vacant_area_m2=[2000.0, 0.0])
    with pytest.raises(SchemaError, match=r"B-1\s+vacant_area_m2\s+vacant area 2000"):
        validate_layer(raw, "buildings")


def test_building_outside_its_parcel(raw_parcels, raw_buildings):
    parcels = validate_layer(raw_parcels, "parcels")
    raw = raw_buildings.copy()
    raw.loc[1, "geometry"] = box(X0 + 60, Y0 + 10, X0 + 160, Y0 + 45)  # half on P-2
    with pytest.raises(
        SchemaError, match=r"B-2\s+geometry\s+\d+% of the footprint lies outside parcel P-1"
    ):
        validate_layer(raw, "buildings", parcels=parcels)
    assert len(validate_layer(raw_buildings, "buildings", parcels=parcels)) == 2


def test_overlapping_parcels(raw_parcels):
    raw = raw_parcels.copy()
    raw.loc[1, "geometry"] = box(X0 + 90, Y0, X0 + 200, Y0 + 100)
    with pytest.raises(SchemaError, match=r"P-1\s+geometry\s+overlaps parcel P-2 by 1000.0 m²"):
        validate_layer(raw, "parcels")
    # a sliver within the tolerance is accepted
    raw.loc[1, "geometry"] = box(X0 + 99.995, Y0, X0 + 200, Y0 + 100)
    validate_layer(raw, "parcels")


def test_enterprise_on_missing_parcel(raw_parcels, raw_enterprises):
    parcels = validate_layer(raw_parcels, "parcels")
    ok = validate_layer(raw_enterprises, "enterprises", parcels=parcels)
    assert ok["parcel_id"].tolist() == ["P-1", "P-2;P-3"]
    bad = raw_enterprises.assign(parcel_id=["P-1", "P-2;P-9"])
    with pytest.raises(SchemaError, match=r"E-2\s+parcel_id\s+parcel P-9 does not exist"):
        validate_layer(bad, "enterprises", parcels=parcels)


def test_not_a_number_and_not_a_date(raw_parcels):
    raw = raw_parcels.assign(
        land_price_wan_yuan=["300", "n/a", "1,200.5"],
        agreed_start=["2024-01-15", "soon", "2024/2/3"],
    )
    with pytest.raises(SchemaError) as info:
        validate_layer(raw, "parcels")
    found = {(p.feature, p.column, p.problem) for p in info.value.problems}
    assert found == {
        ("P-2", "land_price_wan_yuan", "not a number: 'n/a'"),
        ("P-2", "agreed_start", "not a date: 'soon'"),
    }
    raw = raw.assign(
        land_price_wan_yuan=["300", None, "1,200.5"], agreed_start=["2024-01-15", None, "2024/2/3"]
    )
    parcels = validate_layer(raw, "parcels")
    assert parcels["land_price_wan_yuan"].iloc[2] == 1200.5
    assert parcels["agreed_start"].iloc[2] == pd.Timestamp("2024-02-03")


def test_numbers_typed_by_hand_among_numbers(raw_parcels):
    """A spreadsheet column of numbers with some cells typed as text ("1,850.5") reads whole."""
    raw = raw_parcels.assign(
        land_price_wan_yuan=pd.Series([300.0, "1,850.5", " 2,000 "], dtype=object)
    )
    parcels = validate_layer(raw, "parcels")
    assert parcels["land_price_wan_yuan"].tolist() == [300.0, 1850.5, 2000.0]
    bad = raw.assign(land_price_wan_yuan=pd.Series([300.0, "1,850.5", "约两千"], dtype=object))
    with pytest.raises(SchemaError) as info:
        validate_layer(bad, "parcels")
    assert [(p.feature, p.column) for p in info.value.problems] == [("P-3", "land_price_wan_yuan")]


def test_bool_values():
    raw = pd.DataFrame(
        {
            "project_id": ["a", "b", "c"],
            "name": ["x"] * 3,
            "stage": ["signed"] * 3,
            "investment_wan_yuan": [1.0] * 3,
            "land_mu_max": [10.0] * 3,
            "can_use_building": ["是", "no", None],
        }
    )
    projects = validate_layer(raw, "projects")
    assert projects["can_use_building"].tolist() == [True, False, False]  # default False
    assert projects["hazard"].tolist() == ["none"] * 3
    assert projects["tenure_ok"].tolist() == ["buy"] * 3


def test_project_without_demand(raw_projects):
    with pytest.raises(SchemaError, match="no land or floor-space demand"):
        validate_layer(raw_projects.assign(land_mu_min=[None], land_mu_max=[None]), "projects")


def test_empty_layer_has_every_column():
    empty = validate_layer(None, "buildings")
    assert len(empty) == 0
    assert "floor_area_m2" in empty.columns
    assert empty.crs.to_epsg() == 4546


def test_zone_validates_links_and_collects_across_layers(
    raw_parcels, raw_buildings, raw_enterprises, raw_projects, substation
):
    zone = Zone.from_layers(
        {
            "parcels": raw_parcels,
            "buildings": raw_buildings,
            "enterprises": raw_enterprises,
            "projects": raw_projects,
            "substations": substation,
        }
    )
    assert len(zone.parcels) == 3 and len(zone.roads) == 0
    assert zone.crs.to_epsg() == 4546
    bad_b = raw_buildings.assign(parcel_id=["P-1", "P-7"])
    bad_p = raw_projects.assign(stage=["maybe"])
    with pytest.raises(SchemaError) as info:
        validate_zone_layers(
            {"parcels": raw_parcels, "buildings": bad_b, "projects": bad_p},
            source={"buildings": "b.shp", "projects": "p.xlsx"},
        )
    found = {(p.source, p.feature, p.column) for p in info.value.problems}
    assert ("b.shp", "B-2", "parcel_id") in found
    assert ("p.xlsx", "J-1", "stage") in found


def test_policy_tolerance_is_used(raw_parcels):
    raw = raw_parcels.copy()
    raw.loc[1, "geometry"] = box(X0 + 95, Y0, X0 + 200, Y0 + 100)  # 500 m² overlap
    loose = Policy.default().replace(**{"validation.overlap_tolerance_m2": 600.0})
    assert len(validate_layer(raw, "parcels", policy=loose)) == 3
    with pytest.raises(SchemaError):
        validate_layer(raw, "parcels")


def test_validation_is_vectorised_at_scale():
    n = 20_000
    xs = X0 + 60 * (np.arange(n) % 200)
    ys = Y0 + 60 * (np.arange(n) // 200)
    raw = gpd.GeoDataFrame(
        {"parcel_id": [f"P-{i}" for i in range(n)], "status": ["occupied"] * n},
        geometry=[box(x, y, x + 50, y + 50) for x, y in zip(xs, ys, strict=True)],
        crs="EPSG:4546",
    )
    parcels = validate_layer(raw, "parcels")
    assert parcels["area_m2"].sum() == pytest.approx(n * 2500.0)
