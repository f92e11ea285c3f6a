"""Every vector format GDAL writes here, read back; shapefile encodings; DXF drawings; layer choice.

The files are made in the tests with the libraries GIS tools use (GDAL through pyogrio, ezdxf
for CAD drawings, pyarrow for GeoParquet), then read with :func:`landplan.io.read_layer` and
compared with the frame written, by plain shapely measures.
"""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest

import geopandas as gpd
import pyogrio
import shapely
from shapely import box

from landplan.errors import ReadError, SchemaError
from landplan.io import read_layer, shapefile_encoding

from .conftest import X0, Y0

#: GDAL drivers that write polygons with attributes, and the file name each writes.
GDAL_WRITERS = {
    "GPKG": "parcels.gpkg",
    "ESRI Shapefile": "parcels.shp",
    "GeoJSON": "parcels.geojson",
    "GeoJSONSeq": "parcels.geojsonl",
    "FlatGeobuf": "parcels.fgb",
    "OpenFileGDB": "zone.gdb",
    "KML": "parcels.kml",
    "LIBKML": "parcels.kmz",
    "GML": "parcels.gml",
    "MapInfo File": "parcels.tab",
    "SQLite": "parcels.sqlite",
}


@pytest.fixture
def source() -> gpd.GeoDataFrame:
    """Three parcels as a land office's file holds them: Chinese names and text."""
    return gpd.GeoDataFrame(
        {
            "地块编号": ["P-1", "P-2", "P-3"],
            "状态": ["在用", "闲置", "储备用地"],
            "权利人": ["甲机械有限公司", "乙新材料公司", None],
        },
        geometry=[box(X0 + 120 * i, Y0, X0 + 120 * i + 100, Y0 + 80) for i in range(3)],
        crs="EPSG:4546",
    )


def _check(back: gpd.GeoDataFrame, source: gpd.GeoDataFrame, *, tolerance_m2: float = 0.5):
    # FlatGeobuf writes features in the order of its spatial index.
    back = back.sort_values("parcel_id")
    assert back["parcel_id"].tolist() == ["P-1", "P-2", "P-3"]
    assert back["status"].tolist() == ["occupied", "idle", "state_reserve"]
    assert back["holder"].tolist()[:2] == ["甲机械有限公司", "乙新材料公司"]
    assert back.crs.to_epsg() == 4546
    expected = shapely.area(source.geometry.array)  # 8000 m² each
    assert back["area_m2"].tolist() == pytest.approx(expected.tolist(), abs=tolerance_m2)


@pytest.mark.parametrize("driver", sorted(GDAL_WRITERS))
def test_every_gdal_format_reads_back(tmp_path, source, driver):
    if driver not in pyogrio.list_drivers(write=True):
        pytest.skip(f"GDAL here does not write {driver}")  # pragma: no cover
    path = tmp_path / GDAL_WRITERS[driver]
    frame = source
    if driver in ("KML", "LIBKML"):
        frame = source.to_crs("EPSG:4326")  # KML is WGS84 by definition
    options = {"layer": "parcels"} if driver in ("OpenFileGDB", "GPKG", "SQLite") else {}
    if driver == "ESRI Shapefile":
        # Chinese GIS software writes GBK: a field name of four characters fits ten bytes.
        options["encoding"] = "GBK"
    if driver == "MapInfo File":
        # MapInfo stores coordinates on a grid spanning the layer's bounds: give close ones.
        bounds = f"{X0 - 1000},{Y0 - 1000},{X0 + 1000},{Y0 + 1000}"
        options["layer_options"] = {"ENCODING": "CP936", "BOUNDS": bounds}
    pyogrio.write_dataframe(frame, path, driver=driver, **options)
    back = read_layer(path, "parcels")
    # KML keeps degrees to about 1e-7°, a centimetre here; areas agree to well under 1 m².
    _check(back, source, tolerance_m2=1.0)


def test_a_named_encoding_does_not_override_a_unicode_format(tmp_path, source):
    path = tmp_path / "parcels.gpkg"
    pyogrio.write_dataframe(source, path)
    _check(read_layer(path, "parcels", encoding="GBK"), source)


def test_gdal_csv_with_wkt(tmp_path, source):
    path = tmp_path / "parcels.csv"
    pyogrio.write_dataframe(source, path, driver="CSV", layer_options={"GEOMETRY": "AS_WKT"})
    # A CSV carries no CRS: its WKT is in the metres of the zone, named with --crs.
    _check(read_layer(path, "parcels", crs="EPSG:4546"), source)


def test_zipped_shapefile_without_cpg_in_gbk(tmp_path, source):
    shp = tmp_path / "dltb.shp"
    pyogrio.write_dataframe(source, shp, encoding="GBK")
    shp.with_suffix(".cpg").unlink()
    archive = tmp_path / "dltb.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in tmp_path.glob("dltb.*"):
            if part.suffix != ".zip":
                zf.write(part, part.name)
    _check(read_layer(archive, "parcels"), source)


def test_dbf_code_page_byte_is_honoured(tmp_path, source):
    shp = tmp_path / "p.shp"
    pyogrio.write_dataframe(source, shp, encoding="GBK")
    shp.with_suffix(".cpg").unlink()
    dbf = shp.with_suffix(".dbf")
    data = bytearray(dbf.read_bytes())
    for ldid, name in ((0x57, "GB18030"), (0x4D, "GB18030"), (0x00, "GB18030")):
        data[29] = ldid
        dbf.write_bytes(bytes(data))
        assert shapefile_encoding(shp) == name
        _check(read_layer(shp, "parcels"), source)
    data[29] = 0x03  # a DBF that says cp1252: GBK bytes are not cp1252 text
    dbf.write_bytes(bytes(data))
    assert shapefile_encoding(shp, encoding="GBK") == "GB18030"
    _check(read_layer(shp, "parcels", encoding="GBK"), source)


def test_utf8_shapefile_without_cpg(tmp_path, source):
    shp = tmp_path / "p.shp"
    # In UTF-8 a Chinese field name overruns the DBF's ten bytes; these names do not.
    source = source.rename(columns={"地块编号": "parcel_id", "状态": "status", "权利人": "holder"})
    pyogrio.write_dataframe(source, shp, encoding="UTF-8")
    shp.with_suffix(".cpg").unlink()
    assert shapefile_encoding(shp) == "UTF-8"
    _check(read_layer(shp, "parcels"), source)


def test_wrong_cpg_is_a_message_naming_the_encoding_that_fits(tmp_path, source):
    shp = tmp_path / "p.shp"
    pyogrio.write_dataframe(source, shp, encoding="GBK")
    shp.with_suffix(".cpg").write_text("UTF-8")
    with pytest.raises(ReadError, match=r"p\.shp: its \.cpg says 'UTF-8'.*pass --encoding GB18030"):
        read_layer(shp, "parcels")
    _check(read_layer(shp, "parcels", encoding="GB18030"), source)
    shp.with_suffix(".cpg").write_text("KLINGON-1")
    with pytest.raises(ReadError, match=r"its \.cpg names 'KLINGON-1', not an encoding"):
        read_layer(shp, "parcels")
    with pytest.raises(ReadError, match=r"unknown encoding 'nope'"):
        read_layer(shp, "parcels", encoding="nope")


def test_file_geodatabase_layer_choice(tmp_path, source):
    gdb = tmp_path / "三调.gdb"
    pyogrio.write_dataframe(source, gdb, layer="DLTB", driver="OpenFileGDB")
    pyogrio.write_dataframe(source.iloc[:1], gdb, layer="XZQ", driver="OpenFileGDB", append=True)
    with pytest.raises(ReadError, match=r"which layer holds the parcels\? The file has DLTB, XZQ"):
        read_layer(gdb, "parcels")
    _check(read_layer(gdb, "parcels", source_layer="DLTB"), source)
    with pytest.raises(ReadError, match=r"no layer 'ZD'; the file has DLTB, XZQ"):
        read_layer(gdb, "parcels", source_layer="ZD")


def test_zipped_file_geodatabase(tmp_path, source):
    gdb = tmp_path / "zone.gdb"
    pyogrio.write_dataframe(source, gdb, layer="DLTB", driver="OpenFileGDB")
    archive = tmp_path / "zone.gdb.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in gdb.iterdir():
            zf.write(part, f"zone.gdb/{part.name}")
    _check(read_layer(archive, "parcels"), source)


def test_geoparquet(tmp_path, source):
    path = tmp_path / "parcels.parquet"
    source.to_parquet(path)
    _check(read_layer(path, "parcels"), source)


def test_excel_sheet_by_name_and_position(tmp_path, source):
    path = tmp_path / "parcels.xlsx"
    table = pd.DataFrame(source.drop(columns="geometry"))
    table["wkt"] = source.to_crs("EPSG:4490").geometry.to_wkt(rounding_precision=10)
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"说明": ["封面"]}).to_excel(writer, sheet_name="封面", index=False)
        table.to_excel(writer, sheet_name="地块", index=False)
    _check(read_layer(path, "parcels", sheet="地块"), source, tolerance_m2=1.0)
    _check(read_layer(path, "parcels", sheet="2"), source, tolerance_m2=1.0)
    with pytest.raises(ReadError, match=r"no sheet 'ZD'; the workbook has 封面, 地块"):
        read_layer(path, "parcels", sheet="ZD")


def test_a_file_gdal_cannot_open_names_the_file(tmp_path):
    broken = tmp_path / "ZD.zip"
    broken.write_bytes(b"PK\x03\x04 cut short")
    with pytest.raises(
        ReadError, match=r"ZD\.zip: cannot open as a vector file \(not a readable zip"
    ):
        read_layer(broken, "parcels")
    path = tmp_path / "notes.txt"
    path.write_text("not a map")
    with pytest.raises(
        ReadError, match=r"notes\.txt: cannot open as a vector file .*GeoParquet, DXF"
    ):
        read_layer(path, "parcels")


# --- CAD drawings --------------------------------------------------------------------------------


def _drawing(path, *, version="R2010"):
    """A 宗地 drawing as CASS draws one: outlines, a hatch, a label text, an attributed block."""
    ezdxf = pytest.importorskip("ezdxf")
    doc = ezdxf.new(version)
    if version == "R2000":
        doc.header["$DWGCODEPAGE"] = "ANSI_936"
    msp = doc.modelspace()
    block = doc.blocks.new(name="ZDXX")
    block.add_attdef("ZDDM", (0, 0))
    block.add_attdef("QLR", (0, -3))
    first = [(X0, Y0), (X0 + 100, Y0), (X0 + 100, Y0 + 80), (X0, Y0 + 80)]
    msp.add_lwpolyline(first, close=True, dxfattribs={"layer": "JZX"})
    msp.add_text("P-1", dxfattribs={"layer": "ZDH"}).set_placement((X0 + 50, Y0 + 40))
    second = [(x + 120, y) for x, y in first]
    hatch = msp.add_hatch(dxfattribs={"layer": "JZX"})
    hatch.paths.add_polyline_path(second, is_closed=True)
    msp.add_lwpolyline(second, close=True, dxfattribs={"layer": "JZX"})  # its boundary too
    insert = msp.add_blockref("ZDXX", (X0 + 170, Y0 + 40), dxfattribs={"layer": "ZDH"})
    insert.add_auto_attribs({"ZDDM": "P-2", "QLR": "乙新材料公司"})
    msp.add_line((X0 - 50, Y0 - 10), (X0 + 400, Y0 - 10), dxfattribs={"layer": "DL"})
    msp.add_lwpolyline([(X0 + 240, Y0), (X0 + 300, Y0 + 10)], dxfattribs={"layer": "JZX"})
    # CASS saves older drawings in the system code page (GBK), R2007 and later in UTF-8.
    doc.saveas(path, encoding="gbk" if version == "R2000" else "utf-8")
    return path


@pytest.mark.parametrize("version", ["R2010", "R2000"])
def test_dxf_outlines_texts_and_block_attributes(tmp_path, version):
    path = _drawing(tmp_path / "zd.dxf", version=version)
    from landplan.io.dxf import read_dxf

    frame = read_dxf(path)
    assert len(frame) == 2  # the hatch and its boundary are one parcel; open lines are not
    texts = frame[["text", "ZDDM", "QLR"]].astype(object)
    assert texts.where(texts.notna(), None).values.tolist() == [
        ["P-1", None, None],
        [None, "P-2", "乙新材料公司"],
    ]
    assert frame.crs is None
    assert shapely.area(frame.geometry.array).tolist() == [8000.0, 8000.0]


def test_dxf_needs_a_crs_and_imports_with_one(tmp_path):
    path = _drawing(tmp_path / "zd.dxf")
    from landplan.io.dxf import read_dxf
    from landplan.validation import validate_layer

    raw = read_dxf(path)
    raw["parcel_id"] = raw["text"].fillna(raw["ZDDM"])
    raw["status"] = "occupied"
    with pytest.raises(SchemaError, match="the data have no CRS"):
        validate_layer(raw, "parcels")
    parcels = validate_layer(raw, "parcels", crs="EPSG:4546")
    assert parcels["parcel_id"].tolist() == ["P-1", "P-2"]
    assert parcels["area_mu"].tolist() == pytest.approx([12.0, 12.0])


def test_dxf_layer_choice(tmp_path):
    path = _drawing(tmp_path / "zd.dxf")
    from landplan.io.dxf import read_dxf

    with pytest.raises(ReadError, match=r"no closed polyline or hatch on layer\(s\) ZD; .*JZX"):
        read_dxf(path, cad_layers="ZD")
    assert len(read_dxf(path, cad_layers="JZX")) == 2
