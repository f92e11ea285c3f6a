"""Every analysis result keeps one contract: tables(), layers() where it has geometry, summary().

Run on the packaged sample zone; the writers' files are opened with openpyxl and GDAL's reader,
not with landplan, to see that every column a reader gets carries a Chinese header.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import geopandas as gpd
import pyogrio

from landplan import labels
from landplan.allocate import allocate
from landplan.audit import audit
from landplan.audit_io import write_audit
from landplan.capacity import capacity
from landplan.corridor import corridor
from landplan.io import read_zone
from landplan.match import match
from landplan.match_report import write_match, write_review
from landplan.plan_report import write_allocation, write_capacity, write_corridor
from landplan.report import report_from_store, write_report
from landplan.result import Result, SpatialResult, Tables
from landplan.review import review
from landplan.revitalise import revitalise
from landplan.revitalise_io import write_revitalisation
from landplan.sample import AS_OF, record_history
from landplan.store import open_store

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
CJK = re.compile(r"[\u4e00-\u9fff]")
SPATIAL = {"audit", "match", "allocation", "corridor", "revitalise"}
#: Tables the sample zone leaves empty: every pipeline project gets a site.
EMPTY_ON_THE_SAMPLE = {("allocation", "unplaced")}


@pytest.fixture(scope="module")
def zone():
    return read_zone(SAMPLE / "zone.gpkg", projects=SAMPLE / "projects.csv")


@pytest.fixture(scope="module")
def results(zone, tmp_path_factory):
    project = zone.projects.set_index("project_id", drop=False).loc["PJ-06"]
    audited = audit(zone, as_of=AS_OF)
    store = open_store(tmp_path_factory.mktemp("result") / "zone.gpkg")
    store.init()
    for name, frame in zone.layers().items():
        if len(frame):
            store.import_layer(name, frame, who="test")
    record_history(store, who="test")
    found = {
        "audit": audited,
        "review": review(project, zone),
        "match": match(project, zone, top=10),
        "allocation": allocate(None, zone),
        "capacity": capacity(zone, start=dt.date(2026, 7, 1)),
        "corridor": corridor(zone),
        "revitalise": revitalise(zone, audited),
        "report": report_from_store(store, period="2026H1"),
    }
    store.close()
    return found


NAMES = ["audit", "review", "match", "allocation", "capacity", "corridor", "revitalise", "report"]


@pytest.mark.parametrize("name", NAMES)
def test_every_result_offers_tables_and_a_summary(results, name):
    result = results[name]
    assert isinstance(result, Result)
    tables = result.tables()
    assert type(tables) is dict and tables
    for table_name, table in tables.items():
        assert isinstance(table, pd.DataFrame), table_name
        if (name, table_name) not in EMPTY_ON_THE_SAMPLE:
            assert len(table), f"{name}.tables()[{table_name!r}] is empty on the sample zone"
    summary = result.summary()
    assert isinstance(summary, pd.DataFrame) and len(summary)


@pytest.mark.parametrize("name", NAMES)
def test_results_with_geometry_offer_their_layers(results, zone, name):
    result = results[name]
    assert isinstance(result, SpatialResult) == (name in SPATIAL)
    if name not in SPATIAL:
        return
    layers = result.layers()
    assert layers
    for layer_name, layer in layers.items():
        assert isinstance(layer, gpd.GeoDataFrame), layer_name
        assert layer.crs == zone.crs, layer_name
        assert len(layer) and layer.geometry.notna().all(), layer_name


def test_the_contract_holds_the_results_own_tables(results, zone):
    audited, plan = results["audit"], results["revitalise"]
    assert audited.tables()["parcels"] is audited.parcels
    assert audited.summary() is audited.totals
    assert (
        audited.layers()["audit_parcels"]["parcel_id"].tolist()
        == zone.parcels["parcel_id"].tolist()
    )
    assert plan.layers()["revitalise_uses"] is plan.uses
    found = results["match"]
    assert (
        found.tables()["candidates"]["candidate_id"].tolist()
        == found.sites["candidate_id"].tolist()
    )
    by_rule = found.tables()["rejections_by_rule"].set_index("rule")["count"]
    assert by_rule.to_dict() == found.rejections["rule"].value_counts().to_dict()
    verdict = results["review"].summary().set_index("item")["value"]
    assert verdict["verdict"] == results["review"].verdict
    assert results["review"].text().startswith("PJ-06 ")


def test_the_report_keeps_its_tables_mapping_and_calls_it(results):
    report = results["report"]
    assert isinstance(report.tables, Tables)
    assert report.tables()["signed_projects"] is report.tables["signed_projects"]
    figures = report.summary().set_index("item")["value"]
    # Each number of the text, once, with the value of its table cell.
    for fig in report.figures():
        table = report.tables[fig.table].set_index("row")
        assert figures[f"{fig.table}.{fig.row}.{fig.column}"] == table.loc[fig.row, fig.column]


@pytest.mark.parametrize("name", NAMES)
def test_every_column_of_every_result_has_a_chinese_label(results, name):
    result = results[name]
    frames = dict(result.tables())
    if isinstance(result, SpatialResult):
        frames |= {f"layer {k}": v for k, v in result.layers().items()}
    unlabelled = sorted(
        {
            f"{table}.{column}"
            for table, frame in frames.items()
            for column in frame.columns
            if column != "geometry" and not CJK.search(labels.column_label(str(column), "zh"))
        }
    )
    assert unlabelled == []


def _headers(path: Path) -> dict[str, list[str]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return {
            sheet.title: [str(c.value) for c in next(sheet.iter_rows(max_row=1))]
            for sheet in book.worksheets
            if sheet.max_row
        }
    finally:
        book.close()


def test_every_column_a_writer_emits_has_a_chinese_header(results, zone, tmp_path):
    written = [
        write_audit(results["audit"], tmp_path / "audit")["workbook"],
        write_review(results["review"], tmp_path / "review"),
        *write_match(results["match"], tmp_path / "match", zone=zone, review=results["review"]),
        *write_allocation(results["allocation"], tmp_path / "allocation"),
        *write_capacity(results["capacity"], tmp_path / "capacity"),
        *write_corridor(results["corridor"], tmp_path / "corridor"),
        write_revitalisation(results["revitalise"], tmp_path / "revitalise")["workbook"],
        write_report(results["report"], tmp_path / "report", pdf=False)["xlsx"],
    ]
    books = [p for p in written if p.suffix == ".xlsx"]
    assert len(books) == 8
    bad = [
        f"{book.parent.name}/{book.name}[{sheet}]: {header!r}"
        for book in books
        for sheet, headers in _headers(book).items()
        for header in headers
        if not CJK.search(header)
    ]
    assert bad == []
    # The GeoPackages keep identifiers as field names, and carry the Chinese as QGIS aliases.
    for gpkg in [p for p in written if p.suffix == ".gpkg"]:
        for layer_name, _ in pyogrio.list_layers(gpkg):
            fields = pyogrio.read_info(gpkg, layer=layer_name)["fields"]
            assert all(not CJK.search(f) for f in fields), (gpkg.name, layer_name)
