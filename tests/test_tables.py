import pandas as pd
import pytest
from openpyxl import load_workbook

from landplan.tables import header, write_csvs, write_workbook


def test_headers_are_bilingual():
    assert header("parcel_id") == "parcel_id / 地块编号"
    assert header("parcel_id", "zh") == "地块编号"
    assert header("unlabelled_thing") == "unlabelled_thing"
    labels = {"far": "容积率", "status": "结果状态"}
    assert header("far", "en", labels) == "far"
    assert header("far", labels=labels) == "far / 容积率"
    assert header("far") == "far"  # labels are per call, nothing is left behind
    assert header("status", labels=labels) == "status / 结果状态"  # a result's own sense wins


def test_workbook_and_csv(tmp_path):
    frame = pd.DataFrame(
        {
            "parcel_id": ["P-1", "P-2"],
            "area_mu": [15.0, None],
            "agreed_start": pd.to_datetime(["2024-01-01", None]),
        }
    )
    path = write_workbook(tmp_path / "out.xlsx", {"parcels": frame, "empty": frame.iloc[:0]})
    book = load_workbook(path)
    assert book.sheetnames == ["parcels", "empty"]
    rows = list(book["parcels"].values)
    assert rows[0] == (
        "parcel_id / 地块编号",
        "area_mu / 用地面积(亩)",
        "agreed_start / 约定动工日期",
    )
    assert rows[1] == ("P-1", 15.0, "2024-01-01")
    again = write_workbook(tmp_path / "again.xlsx", {"parcels": frame, "empty": frame.iloc[:0]})
    assert again.read_bytes() == path.read_bytes()
    csvs = write_csvs(tmp_path / "csv", {"parcels": frame})
    text = csvs["parcels"].read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "parcel_id,area_mu,agreed_start"
    assert pd.read_csv(csvs["parcels"])["area_mu"].tolist()[0] == pytest.approx(15.0)
