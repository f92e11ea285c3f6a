import csv
import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from landplan.labels import (
    column_label,
    compose,
    message,
    translate_values,
    value_label,
    value_texts,
)
from landplan.tables import header, text_width, write_csvs, write_workbook

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


def test_headers_are_bilingual():
    assert header("parcel_id") == "parcel_id / 地块编号"
    assert header("parcel_id", "zh") == "地块编号"
    assert header("unlabelled_thing") == "unlabelled_thing"
    labels = {"far": "容积率(计容)", "status": "结果状态"}
    assert header("far", "en", labels) == "far"
    assert header("far", labels=labels) == "far / 容积率(计容)"
    assert header("far") == "far / 容积率"  # labels are per call, nothing is left behind
    assert header("status", labels=labels) == "status / 结果状态"


def test_one_label_per_column_and_the_wrong_ones_fixed():
    # `name` is not a parcel's name on a sheet of companies or projects; `value` is no target
    assert column_label("name") == "名称"
    assert column_label("value") == "数值"
    assert column_label("start_m") == column_label("start_m") == "起点桩号(米)"
    assert column_label("item") == "事项"
    assert column_label("area_mu", "en") == "area (mu)"
    for legacy in ("report", "audit_io", "match_report", "plan_report"):
        module = __import__(f"landplan.{legacy}", fromlist=["x"])
        aliases = [v for k, v in vars(module).items() if k.endswith("_LABELS")]
        assert aliases and all(a["start_m"] == "起点桩号(米)" for a in aliases)


def test_enumeration_values_are_labelled():
    assert value_label("status", "occupied") == "已用"
    assert value_label("status", "vacant") == "空置"
    assert value_label("tenure", "state") == "国有"
    assert value_label("land_use", "M1") == "一类工业用地(M1)"
    assert value_label("cluster", "metal_smart_manufacturing") == "金属智造"
    assert value_label("kind", "cutout") == "地块分割"
    assert value_label("stage", "framework") == "框架协议"
    assert value_label("principle", "industrial_leverage") == "产业带动强"
    assert value_label("rule", "protected").startswith("涉及生态保护红线")
    assert value_label("idle_rule", "IDLE-1") == "超过约定动工日期满1年未动工"  # default policy
    assert value_label("status", "unknown value") == "unknown value"
    summary = pd.DataFrame({"section": ["status", "class"], "item": ["idle", "D"]})
    shown = translate_values(summary)
    assert shown["item"].tolist() == ["闲置", "D类：整治淘汰"]
    assert shown["section"].tolist() == ["状态", "亩均评价类别"]


def test_cjk_width():
    assert text_width("园区ab") == 6


@pytest.fixture
def table():
    return pd.DataFrame(
        {
            "parcel_id": ["P-1", "P-2"],
            "name": ["信嘉数控机床有限公司园区一号地块", None],
            "status": ["occupied", "state_reserve"],
            "tenure": ["state", "collective"],
            "area_mu": [1055.55555555556, None],
            "area_m2": [703703.7037, 20.0],
            "investment_wan_yuan": [12345.678, 1.0],
            "coverage": [0.3512, 0.2],
            "agreed_start": pd.to_datetime(["2024-01-01", None]),
            "holder": HOSTILE[:2],
        }
    )


def test_workbook_is_fit_to_send(tmp_path, table):
    path = write_workbook(tmp_path / "out.xlsx", {"parcels": table, "empty": table.iloc[:0]})
    book = load_workbook(path)
    assert book.sheetnames == ["parcels", "empty"]
    sheet = book["parcels"]
    rows = list(sheet.values)
    assert rows[0][:5] == (
        "parcel_id / 地块编号",
        "name / 名称",
        "status / 状态",
        "tenure / 权属",
        "area_mu / 用地面积(亩)",
    )
    # translated values, real numbers and dates
    assert rows[1][2:5] == ("已用", "国有", pytest.approx(1055.55555555556))
    assert rows[2][2:4] == ("储备用地", "集体")
    assert rows[1][8] == dt.datetime(2024, 1, 1)
    assert rows[2][8] is None and rows[2][4] is None
    formats = {c.column_letter: c.number_format for c in sheet[2]}
    assert formats["E"] == "#,##0.00"  # 亩, two decimals, thousands apart
    assert formats["F"] == "#,##0"  # m²
    assert formats["G"] == "#,##0.00"  # 万元
    assert formats["H"] == "0.0%"
    assert formats["I"] == "yyyy-mm-dd"
    # widths fit the Chinese name (two columns per character)
    assert sheet.column_dimensions["B"].width >= 2 * len("信嘉数控机床有限公司园区一号地块")
    # frozen header, filter, print set-up
    assert sheet.freeze_panes == "B2"  # the header and, on a wide sheet, the id column
    assert sheet.auto_filter.ref == "A1:J3"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    # as many pages wide as ~200 characters of columns each (1, the default, is left unset),
    # as many pages down as needed; a sheet that wide repeats its id column on each page
    total = sum(sheet.column_dimensions[c].width for c in "ABCDEFGHIJ")
    assert (sheet.page_setup.fitToWidth or 1) == math.ceil(total / 200) == 2
    assert sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_cols == "$A:$A"
    assert sheet.print_title_rows == "$1:$1"
    again = write_workbook(tmp_path / "again.xlsx", {"parcels": table, "empty": table.iloc[:0]})
    assert again.read_bytes() == path.read_bytes()


def test_workbook_english(tmp_path, table):
    path = write_workbook(tmp_path / "en.xlsx", {"parcels": table}, lang="en")
    rows = list(load_workbook(path)["parcels"].values)
    assert rows[0][2] == "status"
    assert rows[1][2:4] == ("occupied", "state-owned")


def test_formula_text_is_text_in_workbooks(tmp_path):
    frame = pd.DataFrame({"holder": HOSTILE, "reason": HOSTILE})
    path = write_workbook(tmp_path / "x.xlsx", {"t": frame})
    sheet = load_workbook(path)["t"]
    for row, text in enumerate(HOSTILE, start=2):
        for column in ("A", "B"):
            cell = sheet[f"{column}{row}"]
            assert cell.data_type == "s", (text, cell.data_type)
            # a carriage return is stored as Excel's _x000D_ escape, which Excel decodes
            assert cell.value in (text, text.replace("\r", "_x000D_"))
            assert cell.quotePrefix
    # the file holds no formula element at all
    import zipfile

    with zipfile.ZipFile(path) as z:
        assert "<f>" not in z.read("xl/worksheets/sheet1.xml").decode("utf-8")


def test_workbook_and_csv(tmp_path):
    frame = pd.DataFrame(
        {
            "parcel_id": ["P-1", "P-2"],
            "area_mu": [15.0, None],
            "agreed_start": pd.to_datetime(["2024-01-01", None]),
        }
    )
    csvs = write_csvs(tmp_path / "csv", {"parcels": frame})
    text = csvs["parcels"].read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "parcel_id,area_mu,agreed_start"
    assert text.splitlines()[1] == "P-1,15.0,2024-01-01"
    assert pd.read_csv(csvs["parcels"])["area_mu"].tolist()[0] == pytest.approx(15.0)


def test_formula_text_is_neutralised_in_csv(tmp_path):
    frame = pd.DataFrame({"holder": HOSTILE, "area_mu": [-1.0] * len(HOSTILE)})
    for lang in ("en", "zh"):
        path = write_csvs(tmp_path / lang, {"t": frame}, lang=lang)["t"]
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        assert [r[0] for r in rows[1:]] == ["'" + t for t in HOSTILE]
        # numbers stay numbers: a negative area is not text
        assert {r[1] for r in rows[1:]} == {"-1.0"}


def test_free_text_with_a_semicolon_is_left_as_written():
    assert value_label("reason", "not started; agreed start 2025-01-17") == (
        "not started; agreed start 2025-01-17"
    )
    assert value_label("reason", "no_feasible_site") == "无可行选址"


def test_awkward_text_reads_back_as_xlsxwriter_writes_it(tmp_path):
    import xlsxwriter

    awkward = [
        "a<b&c>d",
        "&amp; already",
        " leading and trailing ",
        "bell\x07char",
        "行\n两行",
        "<tag/>" * 3000,
        "长" * 20_000,
        None,
        "=SUM(A1)",
    ]
    ours = write_workbook(tmp_path / "ours.xlsx", {"t": pd.DataFrame({"note": awkward})})
    plain = xlsxwriter.Workbook(str(tmp_path / "plain.xlsx"))
    sheet = plain.add_worksheet("t")
    for row, text in enumerate(awkward, start=1):
        if text is not None:
            sheet.write_string(row, 0, text)
    plain.close()

    def cells(path):
        book = load_workbook(path)
        return [c.value for c in book["t"]["A"][1:]]

    assert cells(ours) == cells(tmp_path / "plain.xlsx")


def test_compose_fills_a_template_column_by_column_in_one_language():
    n = 100_000
    days = np.arange(n)
    since = np.array([f"2025-01-{1 + d % 28:02d}" for d in days], dtype=object)
    zh = compose("class_recent", "zh", years=2, since=since)
    en = compose("class_recent", "en", years=2, since=since)
    assert zh.dtype == object and len(zh) == len(en) == n
    # The oracle is Python's own formatting of each row.
    assert zh.tolist() == [f"投产不满2年（{s}投产）" for s in since]
    assert en.tolist() == [f"in production under 2 years (since {s})" for s in since]
    # Numbers not yet text are written with str; a scalar takes its placeholder's spec.
    assert compose(
        "class_ranked", "en", score=np.array(["1.5"]), rank=days[:1] + 7, n=9
    ).tolist() == ["score 1.5, rank 7 of 9"]
    assert compose("class_small", "zh", land=np.array([], dtype=object), minimum=5).tolist() == []
    assert compose("idle_exempt", "en").tolist() == [message("idle_exempt", "en")]


def test_compose_refuses_fields_of_different_lengths():
    with pytest.raises(ValueError, match="rows"):
        compose("class_small", "zh", land=np.array(["1"]), minimum=np.array(["1", "2"]))


def test_value_texts_label_each_value_once():
    missing = np.array(["agreed_start", "developed_share;invested_share", "", None], dtype=object)
    assert value_texts("idle_missing", missing, "zh").tolist() == [
        "约定动工日期",
        "已开发面积比例；已投资比例",
        "",
        None,
    ]
    assert value_texts("unit", np.array(["days", "万元/亩"]), "zh").tolist() == ["天", "万元/亩"]


def test_a_workbook_deflated_faster_reads_back_and_leaves_xlsxwriter_as_it_was(tmp_path):
    import zipfile

    import xlsxwriter.workbook
    from openpyxl import load_workbook

    frame = pd.DataFrame({"parcel_id": [f"P{i:05d}" for i in range(500)], "area_mu": 1.5})
    path = write_workbook(tmp_path / "t.xlsx", {"t": frame}, lang="en", translate=False)
    with zipfile.ZipFile(path) as archive:
        assert {i.compress_type for i in archive.infolist()} == {zipfile.ZIP_DEFLATED}
    rows = list(load_workbook(path)["t"].iter_rows(values_only=True))
    assert rows[0] == ("parcel_id", "area_mu")
    assert rows[1:] == list(frame.itertuples(index=False, name=None))
    # Other workbooks of the process keep xlsxwriter's own ZIP file and level.
    assert xlsxwriter.workbook.ZipFile is zipfile.ZipFile
    from landplan.tables import _workbook_class

    assert _workbook_class().__mro__[1] is xlsxwriter.Workbook
