"""``landplan import`` and ``validate`` with the options their messages ask for."""

from __future__ import annotations

import pandas as pd
import pytest

import geopandas as gpd
import pyogrio
from shapely import box

from landplan.store import open_store

from .conftest import X0, Y0
from .test_cli_store import run


@pytest.fixture(autouse=True)
def _english(monkeypatch):
    # These tests read the English lines; tests/test_cli_lang.py reads the Chinese ones.
    monkeypatch.setenv("LANDPLAN_LANG", "en")


def _parcels(n: int = 3) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "地块编号": [f"P-{i + 1}" for i in range(n)],
            "状态": ["在用"] * n,
            "权利人": [f"企业{i + 1}" for i in range(n)],
        },
        geometry=[box(X0 + 120 * i, Y0, X0 + 120 * i + 100, Y0 + 80) for i in range(n)],
        crs="EPSG:4546",
    )


def test_source_layer_encoding_and_sheet_options(store_url, tmp_path, capsys):
    db = ("--db", store_url)
    assert run("init", *db) == 0
    gdb = tmp_path / "zone.gdb"
    pyogrio.write_dataframe(_parcels(), gdb, layer="DLTB", driver="OpenFileGDB")
    pyogrio.write_dataframe(_parcels(1), gdb, layer="XZQ", driver="OpenFileGDB", append=True)
    capsys.readouterr()
    assert run("import", "parcels", str(gdb), *db) == 2
    err = capsys.readouterr().err
    assert "--source-layer" in err and "Traceback" not in err
    assert run("import", "parcels", str(gdb), "--source-layer", "DLTB", *db) == 0
    assert "3 new" in capsys.readouterr().out

    shp = tmp_path / "gbk.shp"
    pyogrio.write_dataframe(_parcels(4).iloc[3:], shp, encoding="GBK")
    shp.with_suffix(".cpg").write_text("UTF-8")  # wrong: the text is GBK
    assert run("validate", str(shp), "--layer", "parcels") == 2
    err = capsys.readouterr().err
    assert "pass --encoding GB18030" in err and "Traceback" not in err
    assert run("validate", str(shp), "--layer", "parcels", "--encoding", "GB18030") == 0
    assert run("import", "parcels", str(shp), "--append", "--encoding", "GBK", *db) == 0

    book = tmp_path / "parcels.xlsx"
    table = pd.DataFrame(_parcels(5).iloc[4:].drop(columns="geometry"))
    table["wkt"] = _parcels(5).iloc[4:].to_crs("EPSG:4490").geometry.to_wkt(rounding_precision=10)
    with pd.ExcelWriter(book) as writer:
        pd.DataFrame({"说明": ["封面"]}).to_excel(writer, sheet_name="封面", index=False)
        table.to_excel(writer, sheet_name="地块", index=False)
    assert run("import", "parcels", str(book), "--append", "--sheet", "地块", *db) == 0
    with open_store(store_url) as store:
        stored = store.load_layer("parcels")
    assert stored["parcel_id"].tolist() == ["P-1", "P-2", "P-3", "P-4", "P-5"]
    assert stored["holder"].tolist()[3:] == ["企业4", "企业5"]


@pytest.mark.parametrize("option", ["--source-layer", "--encoding", "--sheet"])
def test_the_options_exist_on_both_commands(option, capsys):
    for command in ("import", "validate"):
        assert run(command, "--help") == 0
        assert option in capsys.readouterr().out


#: A problem report's columns, as a planner reads them.
REPORT_HEADERS = [
    "级别 severity",
    "文件 file",
    "要素 feature",
    "字段 column",
    "问题 problem",
    "应为 expected",
]


def _many_bad(tmp_path, n: int = 900):
    frame = gpd.GeoDataFrame(
        {
            "parcel_id": [f"P-{i}" for i in range(n)],
            "status": ['=HYPERLINK("http://x")' if i == 0 else "在用" for i in range(n)],
            "land_use": ["0601"] * n,  # no scheme: refused, every row
        },
        geometry=[box(X0 + 20 * i, Y0, X0 + 20 * i + 10, Y0 + 10) for i in range(n)],
        crs="EPSG:4546",
    )
    path = tmp_path / "many.gpkg"
    pyogrio.write_dataframe(frame, path)
    return path


def test_problems_written_in_full_with_a_summary_by_column(tmp_path, capsys):
    path = _many_bad(tmp_path)
    report = tmp_path / "problems.csv"
    assert run("validate", str(path), "--layer", "parcels", "--problems", str(report)) == 2
    err = capsys.readouterr().err
    assert "problems by column" in err and "land_use" in err and "900" in err
    assert f"all 901 problem(s) and 0 warning(s) written to {report}" in err
    written = pd.read_csv(report, encoding="utf-8-sig", dtype=str)
    assert len(written) == 901
    assert list(written.columns) == REPORT_HEADERS
    assert written["字段 column"].value_counts().to_dict() == {"land_use": 900, "status": 1}
    formula = written.loc[written["字段 column"] == "status", "问题 problem"].iloc[0]
    assert formula.startswith("unknown parcel status '=HYPERLINK")  # text, starts with a letter
    # Without --problems the screen says how to get them all.
    assert run("validate", str(path), "--layer", "parcels") == 2
    assert "--problems FILE.csv" in capsys.readouterr().err


def test_problems_as_xlsx_stay_text(tmp_path, capsys):
    import openpyxl

    from landplan.errors import Problem
    from landplan.problem_report import write_problems

    book = write_problems(
        tmp_path / "p.xlsx", [Problem("f.shp", "=1+1", "holder", "@SUM(A1)", "-2")]
    )
    sheet = openpyxl.load_workbook(book)["问题 problems"]
    cells = [c.value for c in sheet[2]]
    assert cells[2:] == ["=1+1", "holder", "@SUM(A1)", "-2"]
    assert all(c.data_type == "s" for c in sheet[2])
    csv = write_problems(tmp_path / "p.csv", [Problem("f.shp", "=1+1", "holder", "x", "y")])
    assert "'=1+1" in csv.read_text(encoding="utf-8-sig")
    with pytest.raises(ValueError, match=r"written as \.csv or \.xlsx"):
        write_problems(tmp_path / "p.txt", [])
