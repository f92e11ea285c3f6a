"""Attribute-only updates (ids plus columns, no geometry) and the history of every attribute."""

from __future__ import annotations

import pandas as pd
import pytest

import shapely

from landplan.errors import SchemaError, StaleWriteError
from tests._store_data import parcels

from .test_cli_store import run


def _unchanged(before: pd.DataFrame, after: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(
        pd.DataFrame(before.drop(columns="geometry")), pd.DataFrame(after.drop(columns="geometry"))
    )
    assert shapely.equals(before.geometry.array, after.geometry.array).all()


def test_contract_dates_from_a_spreadsheet(zone_store, tmp_path):
    before = zone_store.load_layer("parcels")
    table = pd.DataFrame(
        {
            "地块编号": ["P-2", "P-4", "P-1"],
            "约定动工日期": ["2025-03-01", "2025/9/30", None],  # empty: P-1 keeps its date
            "土地使用权人": [None, "丁公司", "甲公司（变更）"],
        }
    )
    summary = zone_store.update_attributes(
        "parcels", table, source="contracts.xlsx", who="王工", reason="出让合同台账"
    )
    assert (summary.rows, summary.changed, summary.attribute_events) == (3, 3, 4)
    after = zone_store.load_layer("parcels")
    assert after["agreed_start"].tolist()[:4] == [
        pd.Timestamp("2023-03-01"),
        pd.Timestamp("2025-03-01"),
        pd.Timestamp("2020-01-15"),
        pd.Timestamp("2025-09-30"),
    ]
    assert after["holder"].tolist()[:4] == ["甲公司（变更）", None, "乙公司", "丁公司"]
    assert after["version"].tolist() == [2, 2, 1, 2, 1]
    assert after["status"].tolist() == before["status"].tolist()
    assert shapely.equals(before.geometry.array, after.geometry.array).all()
    assert zone_store.status_events("parcels").empty  # no status event for an attribute
    history = zone_store.attribute_history("parcels")
    assert history[["feature_id", "column_name", "old_value", "new_value"]].values.tolist() == [
        ["P-2", "agreed_start", None, "2025-03-01"],
        ["P-4", "holder", None, "丁公司"],
        ["P-4", "agreed_start", None, "2025-09-30"],
        ["P-1", "holder", "甲公司", "甲公司（变更）"],
    ]
    assert set(history["who"]) == {"王工"} and set(history["reason"]) == {"出让合同台账"}
    assert history["recorded_at"].iloc[0].tzinfo is not None


def test_numbers_and_dates_written_as_text_in_a_typed_column(zone_store):
    table = pd.DataFrame(
        {
            "parcel_id": ["P-1", "P-2", "P-3"],
            "land_price_wan_yuan": [1200, "1,850.5", None],
            "agreed_start": [pd.Timestamp("2025-01-01"), "2025/6/30", None],
        }
    )
    zone_store.update_attributes("parcels", table)
    after = zone_store.load_layer("parcels")
    assert after["land_price_wan_yuan"].tolist()[:2] == [1200.0, 1850.5]
    assert pd.isna(after["land_price_wan_yuan"].iloc[2])
    assert after["agreed_start"].tolist()[:3] == [
        pd.Timestamp("2025-01-01"),
        pd.Timestamp("2025-06-30"),
        pd.Timestamp("2020-01-15"),  # empty: kept
    ]


def test_all_or_nothing(zone_store):
    before = zone_store.load_layer("parcels")
    table = pd.DataFrame(
        {
            "parcel_id": ["P-1", "P-9", "P-3"],
            "agreed_start": ["2025-01-01", "2025-01-01", "2025-13-45"],
        }
    )
    with pytest.raises(SchemaError, match=r"P-9\s+parcel_id\s+parcels holds no feature 'P-9'"):
        zone_store.update_attributes("parcels", table)
    _unchanged(before, zone_store.load_layer("parcels"))
    with pytest.raises(SchemaError, match=r"P-3\s+agreed_start\s+not a date"):
        zone_store.update_attributes("parcels", table.iloc[[0, 2]])
    _unchanged(before, zone_store.load_layer("parcels"))
    assert zone_store.attribute_history("parcels").empty


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (pd.DataFrame({"parcel_id": ["P-1"], "status": ["idle"]}), "landplan status set"),
        (pd.DataFrame({"parcel_id": ["P-1"], "area_m2": [5.0]}), "not a column an update can"),
        (pd.DataFrame({"parcel_id": ["P-1"], "holdr": ["x"]}), "not a column an update can"),
        (pd.DataFrame({"parcel_id": ["P-1", "P-1"], "holder": ["x", "y"]}), "id given twice"),
        (pd.DataFrame({"holder": ["x"]}), "no id column"),
    ],
)
def test_refused_tables(zone_store, table, message):
    before = zone_store.load_layer("parcels")
    with pytest.raises(SchemaError, match=message):
        zone_store.update_attributes("parcels", table)
    _unchanged(before, zone_store.load_layer("parcels"))


def test_stale_rows_are_refused(zone_store):
    zone_store.update_attributes("parcels", pd.DataFrame({"parcel_id": ["P-1"], "holder": ["A"]}))
    stale = pd.DataFrame({"parcel_id": ["P-1"], "holder": ["B"], "version": [1]})
    with pytest.raises(StaleWriteError, match="read at version 1, the store has 2"):
        zone_store.update_attributes("parcels", stale)
    assert zone_store.load_layer("parcels")["holder"].iloc[0] == "A"


def test_an_upsert_keeps_the_history_of_every_attribute(zone_store):
    changed = parcels()
    changed.loc[0, "holder"] = "甲公司（新）"
    changed.loc[2, "power_kva"] = 3150.0
    changed.loc[2, "status"] = "idle"
    summary = zone_store.import_layer("parcels", changed, mode="upsert", who="李工")
    assert summary.status_events == 1
    history = zone_store.attribute_history("parcels")
    assert history[
        ["feature_id", "column_name", "old_value", "new_value", "who"]
    ].values.tolist() == [
        ["P-1", "holder", "甲公司", "甲公司（新）", "李工"],
        ["P-3", "power_kva", "2500.0", "3150.0", "李工"],
    ]
    # The same data again changes nothing and records nothing.
    zone_store.import_layer("parcels", changed, mode="upsert")
    assert len(zone_store.attribute_history("parcels")) == 2
    assert len(zone_store.status_events("parcels")) == 1


def test_cli_update_and_history(store_url, tmp_path, capsys):
    db = ("--db", store_url)
    assert run("init", *db) == 0
    source = tmp_path / "parcels.gpkg"
    parcels().to_file(source, layer="parcels")
    assert run("import", "parcels", str(source), *db) == 0
    book = tmp_path / "合同台账.xlsx"
    pd.DataFrame({"parcel_id": ["P-2"], "约定动工日期": [pd.Timestamp("2025-03-01")]}).to_excel(
        book, index=False
    )
    capsys.readouterr()
    assert run("update", "parcels", str(book), "--reason", "合同", "--who", "王工", *db) == 0
    assert "共1行，1个要素有变更，记录属性变更1项" in capsys.readouterr().out
    assert run("status", "history", "P-2", *db) == 0
    out = capsys.readouterr().out
    assert "属性变更" in out and "约定" in out  # the field by its Chinese name
    assert "agreed_start" not in out
    bad = tmp_path / "bad.csv"
    bad.write_text("parcel_id,agreed_start\nP-1,2025-02-30\nP-7,2025-01-01\n", encoding="utf-8")
    report = tmp_path / "problems.csv"
    assert run("update", "parcels", str(bad), "--problems", str(report), *db) == 2
    err = capsys.readouterr().err
    assert "未更新地块" in err and "Traceback" not in err
    written = pd.read_csv(report, encoding="utf-8-sig")
    assert sorted(written["要素 feature"]) == ["P-7"]  # ids first: the dates wait for them
