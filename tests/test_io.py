"""Reading and writing files: every format, encodings, bad files, and round trips."""

from __future__ import annotations

import pandas as pd
import pytest

import geopandas as gpd
import pyogrio
from shapely import Polygon, box

from landplan.errors import ReadError, SchemaError
from landplan.io import read_layer, read_zone, write_layer, write_zone
from landplan.validation import validate_layer
from landplan.zone import Zone

from .conftest import X0, Y0


def _write_shp(frame, path, **options):
    """Write a shapefile as GIS tools do: field names cut to ten characters."""
    frame = frame.rename(columns={c: c[:10] for c in frame.columns if c != "geometry"})
    for c in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[c]):  # .dbf dates are text here
            frame[c] = frame[c].dt.strftime("%Y-%m-%d")
    pyogrio.write_dataframe(frame, path, **options)
    return path


@pytest.fixture
def parcels(raw_parcels):
    return validate_layer(raw_parcels.assign(holder=["甲公司", "乙公司", None]), "parcels")


# --- round trips ---------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".csv", ".xlsx", ".shp"])
def test_round_trip_keeps_crs_ids_areas_attributes(tmp_path, parcels, suffix):
    path = (
        write_layer(parcels, tmp_path / f"parcels{suffix}", layer="parcels")
        if suffix != ".shp"
        else None
    )
    if suffix == ".shp":
        path = _write_shp(
            parcels[
                ["parcel_id", "status", "holder", "land_price_wan_yuan", "agreed_start", "geometry"]
            ],
            tmp_path / "parcels.shp",
        )
    back = read_layer(path, "parcels")
    assert back.crs.to_epsg() == 4546
    assert back["parcel_id"].tolist() == ["P-1", "P-2", "P-3"]
    assert back["area_m2"].tolist() == pytest.approx(parcels["area_m2"].tolist(), rel=1e-6)
    assert back["status"].tolist() == ["occupied", "idle", "state_reserve"]
    assert back["holder"].tolist()[:2] == ["甲公司", "乙公司"]
    assert back["land_price_wan_yuan"].tolist()[:2] == [300.0, 250.0]
    assert back["agreed_start"].iloc[1] == pd.Timestamp("2023-06-30")


def test_zone_round_trip(
    tmp_path, raw_parcels, raw_buildings, raw_enterprises, raw_projects, substation
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
    path = write_zone(zone, tmp_path / "zone.gpkg")
    # layer_styles holds the default QGIS styles of parcels and buildings
    assert set(pyogrio.list_layers(path)[:, 0]) - {"layer_styles"} == {
        "parcels",
        "buildings",
        "enterprises",
        "projects",
        "substations",
    }
    back = read_zone(path)
    assert back.buildings["vacant_area_m2"].tolist() == [0.0, 1000.0]
    assert back.enterprises["parcel_id"].tolist() == ["P-1", "P-2;P-3"]
    assert back.projects["stage"].tolist() == ["signed"]
    assert back.substations.crs.to_epsg() == 4546


# --- encodings -------------------------------------------------------------------------------


@pytest.mark.parametrize("with_cpg", [True, False])
def test_gbk_shapefile(tmp_path, parcels, with_cpg):
    path = tmp_path / "gbk.shp"
    frame = parcels[["parcel_id", "status", "holder", "geometry"]].assign(
        status=["已用", "闲置", "储备用地"]
    )
    pyogrio.write_dataframe(frame, path, encoding="GBK")
    if not with_cpg:
        path.with_suffix(".cpg").unlink()
    else:
        assert path.with_suffix(".cpg").exists()
    back = read_layer(path, "parcels")
    assert back["holder"].tolist()[:2] == ["甲公司", "乙公司"]
    assert back["status"].tolist() == ["occupied", "idle", "state_reserve"]


def test_gbk_csv_with_lonlat(tmp_path):
    table = pd.DataFrame(
        {
            "编号": ["S-1"],
            "名称": ["东区变电站"],
            "电压等级": [110],
            "经度": [112.01],
            "纬度": [22.91],
        }
    )
    path = tmp_path / "substations.csv"
    table.to_csv(path, index=False, encoding="gbk")
    subs = read_layer(path, "substations")
    assert subs["name"].tolist() == ["东区变电站"]
    assert subs.crs.to_epsg() == 4546
    assert subs.geometry.iloc[0].x == pytest.approx(603_630, abs=50)


# --- bad files: one file per problem, each error names file, feature and column ----------------


def _bowtie():
    return Polygon([(X0, Y0 + 200), (X0 + 100, Y0 + 300), (X0 + 100, Y0 + 200), (X0, Y0 + 300)])


BAD_PARCEL_FILES = {
    "missing_id": (
        lambda f: f.assign(parcel_id=["P-1", None, "P-3"]),
        "row 2",
        "parcel_id",
        "missing id",
    ),
    "duplicate_id": (
        lambda f: f.assign(parcel_id=["P-1", "P-1", "P-3"]),
        "P-1",
        "parcel_id",
        "duplicate id",
    ),
    "unknown_status": (
        lambda f: f.assign(status=["occupied", "vacantish", "idle"]),
        "P-2",
        "status",
        "unknown parcel status",
    ),
    "invalid_geometry": (
        lambda f: f.assign(
            geometry=[
                box(X0, Y0, X0 + 50, Y0 + 50),
                box(X0 + 100, Y0, X0 + 150, Y0 + 50),
                _bowtie(),
            ]
        ),
        "P-3",
        "geometry",
        "invalid geometry",
    ),
    "negative_price": (
        lambda f: f.assign(land_price_wan_yuan=[1.0, -2.0, 3.0]),
        "P-2",
        "land_price_wan_yuan",
        "below the minimum",
    ),
    "overlap": (
        lambda f: f.assign(
            geometry=[
                box(X0, Y0, X0 + 100, Y0 + 100),
                box(X0 + 50, Y0, X0 + 150, Y0 + 100),
                box(X0 + 300, Y0, X0 + 400, Y0 + 100),
            ]
        ),
        "P-1",
        "geometry",
        "overlaps parcel P-2",
    ),
    "bad_date": (
        lambda f: f.assign(agreed_start=["2024-01-01", "2024-13-45", None]),
        "P-2",
        "agreed_start",
        "not a date",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_PARCEL_FILES))
@pytest.mark.parametrize("suffix", [".gpkg", ".geojson"])
def test_bad_parcel_file(tmp_path, raw_parcels, case, suffix):
    change, feature, column, problem = BAD_PARCEL_FILES[case]
    path = tmp_path / f"{case}{suffix}"
    pyogrio.write_dataframe(change(raw_parcels), path)
    with pytest.raises(SchemaError) as info:
        read_layer(path, "parcels")
    rows = [(p.source, p.feature, p.column) for p in info.value.problems if problem in p.problem]
    assert (str(path), feature, column) in rows, str(info.value)
    assert str(path) in str(info.value) and feature in str(info.value) and column in str(info.value)


def test_shapefile_without_prj(tmp_path, raw_parcels):
    path = _write_shp(raw_parcels, tmp_path / "noprj.shp")
    path.with_suffix(".prj").unlink()
    with pytest.raises(SchemaError, match=r"noprj.shp\s+\*\s+geometry\s+the data have no CRS"):
        read_layer(path, "parcels")
    assert read_layer(path, "parcels", crs="EPSG:4546")["area_m2"].sum() == pytest.approx(30_000)


def test_swapped_latlon_geojson(tmp_path, raw_parcels):
    lonlat = raw_parcels.to_crs("EPSG:4490")
    swapped = lonlat.set_geometry(
        lonlat.geometry.map(lambda g: Polygon([(y, x) for x, y in g.exterior.coords])),
        crs="EPSG:4490",
    )
    path = tmp_path / "swapped.gpkg"
    pyogrio.write_dataframe(swapped, path)
    with pytest.raises(SchemaError, match="latitude/longitude swapped"):
        read_layer(path, "parcels")


def test_bad_wkt_in_csv(tmp_path):
    path = tmp_path / "parcels.csv"
    path.write_text(
        "parcel_id,status,wkt\n"
        'P-1,idle,"POLYGON ((112 22.9, 112.001 22.9, 112.001 22.901, 112 22.9))"\n'
        'P-2,idle,"POLYGON ((112 22"\n',
        encoding="utf-8",
    )
    with pytest.raises(SchemaError) as info:
        read_layer(path, "parcels")
    assert next((p.feature, p.column) for p in info.value.problems) == ("row 3", "wkt")


def test_zero_floors_xlsx(tmp_path, raw_buildings):
    path = tmp_path / "buildings.xlsx"
    table = pd.DataFrame(raw_buildings.drop(columns="geometry")).assign(floors=[0, 2])
    table["wkt"] = raw_buildings.to_crs("EPSG:4490").geometry.to_wkt()
    table.to_excel(path, index=False)
    with pytest.raises(SchemaError, match=r"B-1\s+floors\s+zero or negative"):
        read_layer(path, "buildings")


def test_truncated_geopackage(tmp_path, parcels):
    path = write_layer(parcels, tmp_path / "zone.gpkg", layer="parcels")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(ReadError, match=r"zone.gpkg: cannot"):
        read_layer(path, "parcels")


def test_wrong_layer_name(tmp_path, parcels):
    path = write_layer(parcels, tmp_path / "zone.gpkg", layer="parcels")
    write_layer(parcels, path, layer="other", append=True)
    with pytest.raises(ReadError, match=r"no layer 'plots'; the file has parcels, other"):
        read_layer(path, "parcels", source_layer="plots")
    assert len(read_layer(path, "parcels")) == 3


def test_not_a_file_of_its_kind(tmp_path):
    path = tmp_path / "parcels.gpkg"
    path.write_text("this is not a geopackage")
    with pytest.raises(ReadError, match=r"parcels\.gpkg: cannot"):
        read_layer(path, "parcels")
    with pytest.raises(ReadError, match="no such file"):
        read_layer(tmp_path / "missing.shp", "parcels")
    text = path.with_suffix(".txt")
    text.touch()
    with pytest.raises(ReadError, match=r"parcels\.txt: cannot open .*GDAL recognises no format"):
        read_layer(text, "parcels")
    bad_xlsx = tmp_path / "broken.xlsx"
    bad_xlsx.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(ReadError, match=r"broken\.xlsx: not a readable Excel workbook"):
        read_layer(bad_xlsx, "projects")


def test_wrong_encoding_named(tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes(
        "project_id,name,stage,investment_wan_yuan,land_mu_max\nJ-1,机械,signed,10,5\n".encode(
            "gbk"
        )
    )
    assert read_layer(path, "projects")["name"].tolist() == ["机械"]
    with pytest.raises(ReadError, match="pass --encoding"):
        read_layer(path, "projects", encoding="utf-8")


def test_geojson_is_written_in_wgs84(tmp_path, parcels):
    path = write_layer(parcels, tmp_path / "p.geojson")
    assert gpd.read_file(path).crs.to_epsg() == 4326
