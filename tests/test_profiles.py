"""Import profiles, end to end: each profile's source as the bureau delivers it, into a store.

The samples use the published field names and codes; the values are invented. Each is written
in the format it usually comes in (the 三调 layer in a File Geodatabase with zone-prefixed
eastings, 宗地 as a zipped GBK shapefile without .cpg or .prj, ...) and imported into a real
store on both backends.
"""

from __future__ import annotations

import zipfile

import numpy as np
import pandas as pd
import pytest

import geopandas as gpd
import pyogrio
import shapely
from shapely import affinity, box

from landplan.errors import ReadError, SchemaError
from landplan.io import read_layer
from landplan.profiles import builtin_profiles, load_profile

from .conftest import X0, Y0
from .test_cli_import import REPORT_HEADERS
from .test_cli_store import run

#: Zone 37 of the 3° Gauss–Krüger grid, eastings with the zone number in front (EPSG:4525).
ZONE_37 = 37_000_000.0


def _boxes(n: int, *, x_offset: float = 0.0, size: float = 100.0) -> list:
    return [
        box(X0 + x_offset + 150 * i, Y0, X0 + x_offset + 150 * i + size, Y0 + size)
        for i in range(n)
    ]


def dltb_sample() -> gpd.GeoDataFrame:
    """Six DLTB patches (BSM ... BZ), in CGCS2000 zone 37 with the zone prefix (EPSG:4525)."""
    dlbm = ["0601", "0602", "1001", "0101", "05H1", "0508"]
    dlmc = ["工业用地", "采矿用地", "铁路用地", "水田", "商业服务业设施用地", "物流仓储用地"]
    dlmc[1] = "工业用地"  # a name that is not its code's: the survey's own typo
    geoms = [affinity.translate(g, ZONE_37) for g in _boxes(6)]
    tbmj = shapely.area(np.asarray(geoms, dtype=object))
    tbmj[4] *= 1.02  # an official area 2 % above the drawn one
    return gpd.GeoDataFrame(
        {
            "BSM": [f"44053121000{i:05d}" for i in range(1, 7)],
            "YSDM": ["2001010100"] * 6,
            "TBBH": ["0012", "0013", "0101", "0102", "0201", "0202"],
            "DLBM": dlbm,
            "DLMC": dlmc,
            "QSXZ": ["20", "10", "20", "30", "31", "40"],
            "QSDWDM": ["440531210000", "440531210000", "440531210000"] + ["440531211001"] * 3,
            "QSDWMC": ["国有", "国有", "国有", "石岗村股份经济合作社", "石岗村一组", "石岗村"],
            "ZLDWDM": ["440531211001"] * 6,
            "ZLDWMC": ["石岗村"] * 6,
            "TBMJ": np.round(tbmj, 2),
            "KCDLBM": [None, None, None, "1203", None, None],
            "KCXS": [0.0, 0.0, 0.0, 0.08, 0.0, 0.0],
            "TBDLMJ": np.round(tbmj, 2),
            "CZCSXM": ["202", "202", "202", None, "203", "203"],
            "SJNF": np.full(6, 2023, dtype=np.int32),
            "BZ": [None] * 6,
        },
        geometry=geoms,
        crs="EPSG:4525",
    )


def zd_sample() -> gpd.GeoDataFrame:
    """Four 宗地 with holders in Chinese (a zipped GBK shapefile has no .cpg, no .prj)."""
    geoms = _boxes(4, x_offset=1000)
    return gpd.GeoDataFrame(
        {
            "ZDDM": [f"441203001001GB{n:05d}" for n in (11, 12, 13, 14)],
            "QLR": [
                "广东某机械有限公司",
                "某新材料科技有限公司",
                "石岗村股份经济合作社",
                "某氢能公司",
            ],
            "ZDMJ": np.round(shapely.area(np.asarray(geoms, dtype=object)), 2),
            "TDYT": ["0601", "0601", "0508", "0601"],
            "QLXZ": ["102", "101", "201", "102"],
        },
        geometry=geoms,
        crs="EPSG:4546",
    )


def low_efficiency_sample() -> gpd.GeoDataFrame:
    geoms = _boxes(3, x_offset=2000)
    return gpd.GeoDataFrame(
        {
            "DKBH": ["DX-001", "DX-002", "DX-003"],
            "DKMC": ["原五金厂", "原纸箱厂", "旧砖厂"],
            "QLR": ["某五金制品厂", "某包装公司", "石岗村"],
            "DLBM": ["0601", "0601", "0602"],
            "QSXZ": ["20", "20", "30"],
            "DKMJ": np.round(shapely.area(np.asarray(geoms, dtype=object)), 1),
        },
        geometry=geoms,
        crs="EPSG:4546",
    )


def kg_sample() -> gpd.GeoDataFrame:
    geoms = _boxes(4, x_offset=3000)
    return gpd.GeoDataFrame(
        {
            "DKBH": ["KG-01-01", "KG-01-02", "KG-01-03", "KG-01-04"],
            "YDXZ": ["M1", "M3", "W1", "U12"],
            "RJLXX": [1.0, 0.8, 0.6, None],
            "RJL": [2.5, 1.5, 1.2, 0.8],
            "JZMD": [0.45, 0.4, 0.5, 0.3],
            "LDL": [0.15, 0.15, 0.1, 0.2],
            "YDMJ": np.round(shapely.area(np.asarray(geoms, dtype=object)), 1),
        },
        geometry=geoms,
        crs="EPSG:4546",
    )


def _zipped_gbk_shapefile(frame: gpd.GeoDataFrame, folder, name: str):
    shp = folder / f"{name}.shp"
    pyogrio.write_dataframe(frame, shp, encoding="GBK")
    archive = folder / f"{name}.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in folder.glob(f"{name}.*"):
            if part.suffix.lower() in (".shp", ".shx", ".dbf"):  # no .cpg, no .prj
                zf.write(part, part.name)
    return archive


def _gdb(folder):
    gdb = folder / "440531三调.gdb"
    pyogrio.write_dataframe(dltb_sample(), gdb, layer="DLTB", driver="OpenFileGDB")
    xzq = gpd.GeoDataFrame(
        {"XZQDM": ["440531211"], "XZQMC": ["某镇"]},
        geometry=[box(X0 + ZONE_37 - 100, Y0 - 100, X0 + ZONE_37 + 1000, Y0 + 300)],
        crs="EPSG:4525",
    )
    pyogrio.write_dataframe(xzq, gdb, layer="XZQ", driver="OpenFileGDB", append=True)
    return gdb


def test_builtin_profiles_parse():
    assert set(builtin_profiles()) == {"dltb", "zd", "low_efficiency", "kg"}
    for name in builtin_profiles():
        assert load_profile(name).layer == "parcels"


def test_dltb_profile(tmp_path):
    parcels = read_layer(_gdb(tmp_path), "parcels", profile="dltb")
    assert parcels["parcel_id"].tolist() == [f"44053121000{i:05d}" for i in range(1, 7)]
    assert parcels["land_use"].tolist() == ["M", "H", "H", "E", "B", "W"]
    assert parcels["land_use_code"].tolist() == ["0601", "0602", "1001", "0101", "05H1", "0508"]
    assert set(parcels["land_use_scheme"]) == {"gbt21010"}
    assert parcels["tenure"].tolist() == ["state"] * 3 + ["collective"] * 3
    assert parcels["status"].tolist() == ["occupied"] * 6
    assert parcels["village"].tolist()[3] == "石岗村股份经济合作社"
    assert parcels.crs.to_epsg() == 4546
    # The zone prefix is gone after reprojection to the working CRS (CM 111°E, same zone).
    assert parcels.geometry.iloc[0].bounds[0] == pytest.approx(X0, abs=0.01)
    assert parcels["area_m2"].tolist() == pytest.approx([10_000.0] * 6, abs=0.01)
    assert parcels["official_area_m2"].iloc[4] == pytest.approx(10_200.0)
    assert parcels["area_discrepancy_share"].iloc[4] == pytest.approx(1 / 1.02 - 1)
    assert parcels["CZCSXM"].tolist()[:3] == ["202"] * 3  # source fields kept
    notices = {(n.feature, n.column): n.problem for n in parcels.attrs["warnings"]}
    assert notices[("4405312100000005", "TBMJ")].startswith("official area 10,200.0 m²")
    assert notices[("4405312100000002", "DLMC")] == (
        "DLMC '工业用地' is not the name of GB/T 21010-2017 0602 采矿用地"
    )
    assert "covers M1/M2/M3: given M" in notices[("4405312100000001", "land_use")]
    assert len(notices) == 3


def test_dltb_unknown_ownership_code_is_reported_not_guessed(tmp_path):
    sample = dltb_sample()
    sample.loc[2, "QSXZ"] = "50"
    path = tmp_path / "dltb.gpkg"
    pyogrio.write_dataframe(sample, path, layer="DLTB")
    with pytest.raises(SchemaError) as info:
        read_layer(path, "parcels", profile="dltb")
    (problem,) = info.value.problems
    assert (problem.feature, problem.column) == ("4405312100000003", "QSXZ")
    assert problem.problem == "QSXZ code '50' is not in profile dltb's codes for tenure"
    assert "did you mean" not in str(info.value)


def test_a_missing_field_names_the_profile(tmp_path):
    path = tmp_path / "dltb.gpkg"
    pyogrio.write_dataframe(dltb_sample().drop(columns="QSXZ"), path, layer="DLTB")
    with pytest.raises(SchemaError, match=r"QSXZ\s+field missing\s+the field 'QSXZ' or '权属性质'"):
        read_layer(path, "parcels", profile="dltb")


def test_fields_named_by_their_chinese_aliases(tmp_path):
    aliases = {"BSM": "标识码", "DLBM": "地类编码", "DLMC": "地类名称", "QSXZ": "权属性质"}
    aliases |= {"QSDWMC": "权属单位名称", "ZLDWMC": "坐落单位名称", "TBMJ": "图斑面积"}
    path = tmp_path / "dltb.gpkg"
    pyogrio.write_dataframe(dltb_sample().rename(columns=aliases), path, layer="地类图斑")
    parcels = read_layer(path, "parcels", profile="dltb")
    assert parcels["land_use"].tolist() == ["M", "H", "H", "E", "B", "W"]
    fields = {n.column for n in parcels.attrs["warnings"]}
    assert fields == {"图斑面积", "地类名称", "land_use"}


def test_zd_profile_from_a_zipped_gbk_shapefile(tmp_path):
    archive = _zipped_gbk_shapefile(zd_sample(), tmp_path, "ZD")
    with pytest.raises(SchemaError, match="the data have no CRS"):
        read_layer(archive, "parcels", profile="zd")
    parcels = read_layer(archive, "parcels", profile="zd", crs="EPSG:4546")
    assert parcels["holder"].tolist()[:2] == ["广东某机械有限公司", "某新材料科技有限公司"]
    assert parcels["tenure"].tolist() == ["state", "state", "collective", "state"]
    assert parcels["land_use"].tolist() == ["M", "M", "W", "M"]
    assert parcels["area_discrepancy_share"].abs().max() < 1e-6


def test_low_efficiency_and_kg_profiles(tmp_path):
    path = tmp_path / "survey.gpkg"
    pyogrio.write_dataframe(low_efficiency_sample(), path, layer="DXYD")
    low = read_layer(path, "parcels", profile="low_efficiency")
    assert low["status"].tolist() == ["low_efficiency"] * 3
    assert low["land_use"].tolist() == ["M", "M", "H"]
    kg_path = tmp_path / "kg.geojson"
    pyogrio.write_dataframe(kg_sample(), kg_path)
    with pytest.raises(SchemaError, match=r"'U12' is not a code of GB 50137-2011"):
        read_layer(kg_path, "parcels", profile="kg")
    fixed = kg_sample().assign(YDXZ=["M1", "M3", "W1", "U1"])
    pyogrio.write_dataframe(fixed, kg_path)
    kg = read_layer(kg_path, "parcels", profile="kg")
    assert kg["land_use"].tolist() == ["M1", "M3", "W", "U"]
    assert kg["far_max"].tolist() == [2.5, 1.5, 1.2, 0.8]
    assert kg["status"].tolist() == ["planned"] * 4


def test_a_copied_and_edited_profile(tmp_path):
    text = builtin_profiles()["kg"].read_text(encoding="utf-8")
    mine = tmp_path / "kg-2023.toml"
    mine.write_text(text.replace('land_use_scheme = "gb50137"', 'land_use_scheme = "用地用海"'))
    path = tmp_path / "kg.gpkg"
    pyogrio.write_dataframe(kg_sample().assign(YDXZ=["100101", "100103", "1101", "1303"]), path)
    parcels = read_layer(path, "parcels", profile=mine)
    assert parcels["land_use"].tolist() == ["M1", "M3", "W", "U"]
    lenient = tmp_path / "kg-lenient.toml"
    lenient.write_text(
        text.replace('far_min = "RJLXX"', "").replace(
            "[defaults]", '[optional_fields]\nfar_min = ["RJLXX", "容积率下限"]\n\n[defaults]'
        )
    )
    pyogrio.write_dataframe(kg_sample().assign(YDXZ="M1").drop(columns="RJLXX"), path)
    assert read_layer(path, "parcels", profile=lenient)["far_min"].isna().all()
    with pytest.raises(SchemaError, match="RJLXX"):
        read_layer(path, "parcels", profile="kg")
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace("far_max = ", "far_maximum = ").replace("[area]", "[areas]"))
    with pytest.raises(ReadError) as info:
        load_profile(bad)
    assert "unknown section [areas]" in str(info.value)
    assert "fields.far_maximum: 'far_maximum' is not a column of parcels" in str(info.value)
    with pytest.raises(ReadError, match=r"no import profile 'dltbx': the built-in ones are dltb"):
        load_profile("dltbx")


@pytest.mark.parametrize("profile", ["dltb", "zd", "low_efficiency", "kg"])
def test_each_profile_end_to_end_into_the_store(store, tmp_path, profile):
    if profile == "dltb":
        path, options = _gdb(tmp_path), {}
    elif profile == "zd":
        path, options = _zipped_gbk_shapefile(zd_sample(), tmp_path, "ZD"), {"crs": "EPSG:4546"}
    elif profile == "low_efficiency":
        path, options = tmp_path / "survey.gpkg", {}
        pyogrio.write_dataframe(low_efficiency_sample(), path, layer="DXYD")
    else:
        path, options = tmp_path / "kg.gpkg", {}
        pyogrio.write_dataframe(kg_sample().assign(YDXZ=["M1", "M3", "W1", "U1"]), path)
    frame = read_layer(path, "parcels", profile=profile, policy=store.policy, **options)
    summary = store.import_layer("parcels", frame, source=str(path), mode="append")
    assert summary.inserted == len(frame)
    stored = store.load_layer("parcels")
    assert stored["parcel_id"].tolist() == frame["parcel_id"].tolist()
    for column in ("land_use", "tenure", "status", "holder"):
        given = frame[column].astype(object).where(frame[column].notna(), None)
        back = stored[column].astype(object).where(stored[column].notna(), None)
        assert back.tolist() == given.tolist(), column
    assert stored["land_use_code"].tolist() == frame["land_use_code"].tolist()
    assert stored["official_area_m2"].astype(float).tolist() == pytest.approx(
        frame["official_area_m2"].tolist()
    )


def test_cli_import_with_a_profile_and_a_problem_report(store_url, tmp_path, capsys):
    import openpyxl

    db = ("--db", store_url)
    assert run("init", *db) == 0
    gdb = _gdb(tmp_path)
    report = tmp_path / "problems.xlsx"
    assert (
        run("import", "parcels", str(gdb), "--profile", "dltb", "--problems", str(report), *db) == 0
    )
    captured = capsys.readouterr()
    assert "新增6个" in captured.out
    assert "全部0个问题和3个警告已写入" in captured.err.replace("\n", "")
    rows = list(openpyxl.load_workbook(report)["问题 problems"].values)
    assert list(rows[0]) == REPORT_HEADERS
    assert {r[3] for r in rows[1:]} == {"TBMJ", "DLMC", "land_use"}
    assert all(r[0] == "警告 warning" for r in rows[1:])
    df = pd.DataFrame(rows[1:], columns=rows[0])
    assert len(df) == 3
