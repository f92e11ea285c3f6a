"""Exports a planner sends on: each format opened by the software that reads it.

Workbooks with openpyxl, CSV with the csv module and pandas, GeoJSON as JSON, shapefiles and
GeoPackages with GDAL (pyogrio) and, for what QGIS reads, the GeoPackage's own tables with
sqlite3 and its styles as XML.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sqlite3
import xml.etree.ElementTree as ET

import pandas as pd
import pytest
from openpyxl import load_workbook

import geopandas as gpd
import pyogrio
import shapely

from landplan.cli import main
from landplan.io import write_layer
from landplan.io.export import GPKG_VERSION, gpkg_version
from tests._store_data import CRS, box


def run(*args: str) -> int:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    return info.value.code or 0


@pytest.fixture
def exported(zone_store, tmp_path):
    location = zone_store.location
    return lambda name, *extra: (
        run("export", "parcels", str(tmp_path / name), "--db", location, *extra),
        tmp_path / name,
    )


def test_xlsx_is_a_workbook_with_real_cells(exported):
    code, path = exported("parcels.xlsx")
    assert code == 0 and path.is_file()
    sheet = load_workbook(path)["parcels"]
    head = [c.value for c in sheet[1]]
    assert head[:3] == ["parcel_id", "name", "status"] or head[0] == "parcel_id"
    rows = {
        r[0]: dict(zip(head, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert rows["P-1"]["agreed_start"] == dt.datetime(2023, 3, 1)
    assert rows["P-1"]["status"] == "idle"  # identifiers, so the file reads back
    assert rows["P-1"]["power_kva"] == 800
    assert rows["P-1"]["geometry"].startswith("POLYGON") or rows["P-1"]["geometry"].startswith(
        "MULTIPOLYGON"
    )
    column = head.index("area_mu") + 1
    assert sheet.cell(row=2, column=column).number_format == "#,##0.00"
    assert sheet.freeze_panes is not None and sheet.auto_filter.ref


def test_csv_is_a_table_with_wkt(exported):
    code, path = exported("parcels.csv")
    assert code == 0
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    first = next(r for r in rows if r["parcel_id"] == "P-1")
    assert first["agreed_start"] == "2023-03-01"
    assert first["holder"] == "甲公司"
    lonlat = shapely.from_wkt(first["geometry"])
    assert 100 < lonlat.centroid.x < 125 and 15 < lonlat.centroid.y < 30


def test_geojson_is_rfc_7946(exported):
    code, path = exported("parcels.geojson")
    assert code == 0
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert "crs" not in doc
    ring = doc["features"][0]["geometry"]["coordinates"][0]
    ring = ring[0] if isinstance(ring[0][0], list) else ring
    lon, lat = ring[0]
    assert 100 < lon < 125 and 15 < lat < 30
    assert len(str(lon).split(".")[1]) <= 9  # 0.1 mm: areas survive the round trip
    props = {f["properties"]["parcel_id"]: f["properties"] for f in doc["features"]}
    assert props["P-1"]["agreed_start"] == "2023-03-01"


@pytest.mark.parametrize("encoding", ["UTF-8", "GBK"])
def test_shapefile_with_its_encoding_and_dates(exported, encoding):
    code, path = exported(f"parcels_{encoding}.shp", "--encoding", encoding)
    assert code == 0  # and no warning: pytest turns any into an error
    assert path.with_suffix(".cpg").read_text().strip() == encoding
    dbf = path.with_suffix(".dbf").read_bytes()
    assert "甲公司".encode(encoding.lower().replace("-", "")) in dbf
    info = pyogrio.read_info(path)
    types = dict(zip(info["fields"], info["ogr_types"], strict=True))
    assert types["agreed_sta"] == "OFTDate"
    back = pyogrio.read_dataframe(path)
    assert back.loc[back["parcel_id"] == "P-1", "holder"].item() == "甲公司"
    assert len({name.lower() for name in info["fields"]}) == len(info["fields"])


def test_unsupported_formats_are_refused_with_the_list(exported, capsys):
    code, path = exported("parcels.dxf")
    assert code == 2 and not path.exists()
    err = capsys.readouterr().err
    assert "不能写成 '.dxf'" in err  # the command speaks Chinese by default
    for suffix in (".gpkg", ".shp", ".geojson", ".csv", ".xlsx"):
        assert suffix in err
    code, _ = exported("p.shp", "--encoding", "latin-1")
    assert code == 2
    assert "应为 UTF-8 或 GBK" in capsys.readouterr().err


def test_geopackage_is_ready_for_qgis(exported):
    code, path = exported("parcels.gpkg")
    assert code == 0
    assert gpkg_version(path) == GPKG_VERSION == "1.2"
    frame = pyogrio.read_dataframe(path, layer="parcels")
    assert frame["parcel_id"].tolist() == ["P-1", "P-2", "P-3", "P-4", "P-5"]
    assert (
        pyogrio.read_info(path, layer="parcels")["ogr_types"][
            list(frame.columns).index("agreed_start")
        ]
        == "OFTDate"
    )
    with sqlite3.connect(path) as conn:
        aliases = dict(
            conn.execute(
                "SELECT column_name, name FROM gpkg_data_columns WHERE table_name='parcels'"
            ).fetchall()
        )
        coded = dict(
            conn.execute(
                "SELECT c.value, c.description FROM gpkg_data_column_constraints c JOIN "
                "gpkg_data_columns d ON d.constraint_name = c.constraint_name "
                "WHERE d.column_name='status' AND c.constraint_type='enum'"
            ).fetchall()
        )
        extensions = {r[0] for r in conn.execute("SELECT table_name FROM gpkg_extensions")}
        qml, sld, default = conn.execute(
            "SELECT styleQML, styleSLD, useAsDefault FROM layer_styles WHERE f_table_name='parcels'"
        ).fetchone()
    assert aliases["parcel_id"] == "地块编号" and aliases["status"] == "状态"
    assert coded["idle"] == "闲置" and coded["state_reserve"] == "储备用地"
    assert {"gpkg_data_columns", "gpkg_data_column_constraints"} <= extensions
    assert default == 1
    rules = ET.fromstring(qml.split("\n", 1)[1]).findall(".//rule")
    assert {"label": "闲置", "filter": "\"status\" = 'idle'"}.items() <= rules[1].attrib.items()
    assert rules[-1].attrib["filter"] == "ELSE"
    names = ET.fromstring(sld.split("\n", 1)[1]).findall(
        ".//{http://www.opengis.net/se}Rule/{http://www.opengis.net/se}Name"
    )
    assert [n.text for n in names][:2] == ["已用", "闲置"]


def test_mixed_polygons_are_declared_multipolygon(tmp_path):
    frame = gpd.GeoDataFrame(
        {"constraint_id": ["C-1", "C-2"], "kind": ["ecological_red_line", "basic_farmland"]},
        geometry=[box(0), shapely.MultiPolygon([box(2), box(4)])],
        crs=CRS,
    )
    path = write_layer(frame, tmp_path / "c.gpkg", layer="constraints")
    assert dict(pyogrio.list_layers(path).tolist())["constraints"] == "MultiPolygon"
    back = pyogrio.read_dataframe(path, layer="constraints")
    assert set(back.geom_type) == {"MultiPolygon"}
    assert shapely.area(back.geometry.values).tolist() == pytest.approx([1e4, 2e4])


def test_the_arrow_write_and_the_feature_write_give_the_same_layer(tmp_path, monkeypatch):
    import landplan.io.export as export

    frame = gpd.GeoDataFrame(
        {
            "road_id": ["R-1", None, "=1+1", "路"],
            "width_m": [12.0, float("nan"), 7.5, 0.0],
            "lanes": pd.array([2, None, 4, 1], dtype="Int64"),
            "lit": pd.array([True, None, False, True], dtype="boolean"),
            "opened": pd.to_datetime(["2020-01-02", None, "2021-03-04", "2022-05-06"]),
        },
        geometry=[
            shapely.LineString([(0, 0), (10, 0)]),
            shapely.MultiLineString([[(0, 5), (5, 5)], [(6, 5), (9, 5)]]),
            None,
            shapely.LineString([(0, 0), (0, 10), (0, 20)]),
        ],
        crs=CRS,
    )
    written = {}
    for arrow in (True, False):
        monkeypatch.setattr(export, "_ARROW_WRITE", arrow)
        written[arrow] = write_layer(frame, tmp_path / f"{arrow}.gpkg", layer="roads")
    new, old = (pyogrio.read_info(written[k], layer="roads") for k in (True, False))
    assert new["fields"].tolist() == old["fields"].tolist()
    assert new["dtypes"].tolist() == old["dtypes"].tolist()
    assert new["geometry_type"] == old["geometry_type"] == "MultiLineString"
    a, b = (pyogrio.read_dataframe(written[k], layer="roads") for k in (True, False))
    pd.testing.assert_frame_equal(
        pd.DataFrame(a.drop(columns="geometry")), pd.DataFrame(b.drop(columns="geometry"))
    )
    assert a.geometry.isna().tolist() == [False, False, True, False]
    assert a.geometry.dropna().geom_equals(b.geometry.dropna()).all()


def test_audit_and_candidate_layers_carry_their_styles(tmp_path):
    frame = gpd.GeoDataFrame(
        {
            "parcel_id": ["P-1", "P-2", "P-3"],
            "idle_state": ["idle", "recoverable", "not_due"],
            "low_efficiency": [False, False, True],
            "evaluation_class": ["T", "T", "D"],
        },
        geometry=[box(0), box(1), box(2)],
        crs=CRS,
    )
    path = write_layer(frame, tmp_path / "audit.gpkg", layer="audit_parcels")
    with sqlite3.connect(path) as conn:
        (qml,) = conn.execute("SELECT styleQML FROM layer_styles").fetchone()
        coded = conn.execute(
            "SELECT value, description FROM gpkg_data_column_constraints "
            "WHERE constraint_name='audit_parcels_evaluation_class'"
        ).fetchall()
    labels = [r.attrib["label"] for r in ET.fromstring(qml.split("\n", 1)[1]).iter("rule")]
    assert labels == ["可无偿收回", "已认定闲置", "低效用地", "其他"]
    assert ("D", "D类：整治淘汰") in coded
    sites = gpd.GeoDataFrame(
        {"candidate_id": ["a", "b"], "kind": ["single", "cutout"], "parcel_ids": ["P-1", "P-2"]},
        geometry=[box(0), box(1)],
        crs=CRS,
    )
    path = write_layer(sites, tmp_path / "m.gpkg", layer="candidates")
    with sqlite3.connect(path) as conn:
        (sld,) = conn.execute("SELECT styleSLD FROM layer_styles").fetchone()
    assert "单宗地块" in sld and "地块分割" in sld
    assert pd.notna(pyogrio.read_dataframe(path, layer="candidates")["kind"]).all()
