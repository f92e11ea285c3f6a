"""The audit's files: a workbook of what a person reads, full tables in CSV and GeoPackage."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from openpyxl import load_workbook

import pyogrio

from landplan import tables
from landplan.audit import RULES, audit
from landplan.audit_io import write_audit
from landplan.labels import vocabulary_codes
from landplan.sample import AS_OF, make_zone
from landplan.tables import write_workbook
from landplan.zone import Zone


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    zone = Zone.from_layers(make_zone(n_parcels=1200))
    out = tmp_path_factory.mktemp("audit")
    result = audit(zone, as_of=AS_OF)
    return zone, result, write_audit(result, out, lang="zh")


def _rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def test_flagged_sheet_lists_every_parcel_a_rule_fires_on(written):
    zone, _, paths = written
    book = load_workbook(paths["workbook"], read_only=True)
    rows = _rows(book["需处置地块"])
    assert rows[0][0] == "地块编号"
    shown = [r[0] for r in rows[1:]]
    # The oracle is the full flags table as a script reads it back, not the audit's columns.
    flags = pd.read_csv(paths["csv:flags"], encoding="utf-8-sig")
    fired = flags.loc[flags["结果"] == "触发", "地块编号"]
    assert len(shown) == len(set(shown)) > 50
    assert set(shown) == set(fired)
    assert set(shown) <= set(zone.parcels["parcel_id"])


def test_each_rule_has_its_sheet_with_every_parcel_it_fires_on(written):
    _, result, paths = written
    book = load_workbook(paths["workbook"], read_only=True)
    fires = result.flags[result.flags["outcome"] == "fires"]
    counts = fires.groupby("rule_id").size()
    assert len(counts) >= 8
    for rule_id, n in counts.items():
        rows = _rows(book[RULES[rule_id].short])
        assert len(rows) == n + 1, rule_id
        assert rows[0][0] == "地块编号"
        assert {r[0] for r in rows[1:]} == set(fires.loc[fires["rule_id"] == rule_id, "parcel_id"])


def test_workbook_reads_in_chinese_with_the_shared_formats(written):
    _, result, paths = written
    book = load_workbook(paths["workbook"])
    sheet = book["需处置地块"]
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["地块编号", "名称", "状态", "土地使用权人", "用地面积(亩)"]
    assert sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref.startswith("A1:")
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    statuses = {c.value for c in sheet["C"][1:]}
    # Chinese labels only: no identifier of a status reaches the sheet.
    assert statuses and not statuses & {"idle", "low_efficiency", "occupied", "under_construction"}
    second = {header[i]: c for i, c in enumerate(sheet[2])}
    assert second["用地面积(亩)"].number_format == "#,##0.00"
    assert second["用地面积(亩)"].data_type == "n"
    assert second["建筑系数"].number_format == "0.0%"
    first = result.parcels.set_index("parcel_id").loc[second["地块编号"].value]
    assert second["用地面积(亩)"].value == pytest.approx(first["area_mu"], rel=1e-12)
    d = book["D类企业"]
    assert {c.value for c in d["A"][1:]} == set(
        result.enterprises.loc[result.enterprises["evaluation_class"] == "D", "enterprise_id"]
    )


# Words a Chinese workbook keeps as they are: names of coordinate systems and a tile provider.
_KEPT = {"CGCS", "EPSG", "CARTO"}
_ASCII_WORD = re.compile(r"[A-Za-z]{3,}")
_IDENTIFIER = re.compile(r"(?<![A-Za-z_])[a-z_]{4,}(?![A-Za-z_])")


def test_the_chinese_workbook_holds_no_english_word_and_no_code(written):
    _, result, paths = written
    book = load_workbook(paths["workbook"], read_only=True)
    # Every rule that fires has its sheet, and no sheet is named in English.
    assert (
        len(book.sheetnames)
        == 5 + result.flags.loc[result.flags["outcome"] == "fires", "rule_id"].nunique()
    )
    assert not [n for n in book.sheetnames if _ASCII_WORD.search(n)], book.sheetnames
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in book.sheetnames)
    prose = {"原因", "单位", "依据", "闲置认定说明", "分类说明", "缺项指标", "分类", "事项"}
    english, codes, seen = set(), set(), set()
    for sheet in book.worksheets:
        rows = _rows(sheet)
        for i, title in enumerate(rows[0]):
            codes |= set(_IDENTIFIER.findall(str(title))) & vocabulary_codes()
            # The policy's parameters and values are shown as the policy file writes them.
            if sheet.title == "参数" and title in ("参数", "数值"):
                continue
            texts = [row[i] for row in rows[1:] if isinstance(row[i], str)]
            if title in prose and texts:
                seen.add(title)
                english |= {w for t in texts for w in _ASCII_WORD.findall(t)} - _KEPT
            codes |= {w for t in texts for w in _IDENTIFIER.findall(t)} & vocabulary_codes()
    assert {"原因", "单位", "依据", "分类说明", "事项"} <= seen
    assert not english, sorted(english)
    assert not codes, sorted(codes)
    rows = _rows(book["未按期动工"])
    unit = rows[0].index("单位")
    assert {row[unit] for row in rows[1:]} == {"天"}


def test_full_tables_hold_every_parcel(written):
    zone, result, paths = written
    table = pd.read_csv(paths["csv:parcels"], encoding="utf-8-sig")
    assert len(table) == len(zone.parcels)
    assert set(table["地块编号"]) == set(zone.parcels["parcel_id"])
    layer = pyogrio.read_dataframe(paths["geopackage"], layer="audit_parcels")
    assert sorted(layer["parcel_id"]) == sorted(zone.parcels["parcel_id"])
    flags = pd.read_csv(paths["csv:flags"], encoding="utf-8-sig")
    assert len(flags) == len(result.flags)


def test_a_table_longer_than_a_worksheet_continues_on_numbered_sheets(tmp_path, monkeypatch):
    monkeypatch.setattr(tables, "EXCEL_ROWS", 5)  # a header and four rows a sheet
    frame = pd.DataFrame({"parcel_id": [f"P-{i}" for i in range(9)], "area_mu": range(9)})
    path = write_workbook(tmp_path / "long.xlsx", {"parcels": frame, "empty": frame.iloc[:0]})
    book = load_workbook(path)
    assert book.sheetnames == ["parcels", "parcels (2)", "parcels (3)", "empty"]
    seen = []
    for name in book.sheetnames[:3]:
        rows = _rows(book[name])
        assert rows[0] == ("parcel_id / 地块编号", "area_mu / 用地面积(亩)")
        assert len(rows) <= 5
        assert book[name].auto_filter.ref == f"A1:B{max(len(rows), 2)}"
        seen += [r[0] for r in rows[1:]]
    assert seen == frame["parcel_id"].tolist()
    assert _rows(book["empty"]) == [("parcel_id / 地块编号", "area_mu / 用地面积(亩)")]
