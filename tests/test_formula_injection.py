"""Text from data never reaches a spreadsheet as a live formula, whichever writer wrote it.

The sample zone is given holders, names and companies that a spreadsheet would evaluate
(``=``, ``+``, ``-``, ``@``, tab, carriage return); every writer of XLSX and CSV files then runs,
and each file is opened the way a spreadsheet opens it: openpyxl for the workbooks (every such
text is a string cell marked as quoted, and the file holds no formula), the csv module for CSV
files (no field that is not a number starts with one of the characters).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from landplan.allocate import allocate
from landplan.audit import audit
from landplan.audit_io import write_audit
from landplan.capacity import capacity
from landplan.cli import main
from landplan.corridor import corridor
from landplan.io import read_layer, read_zone, write_layer
from landplan.match import match
from landplan.match_report import write_match, write_review
from landplan.plan_report import write_allocation, write_capacity, write_corridor
from landplan.report import half_year_report, write_report
from landplan.review import review
from landplan.store import open_store

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
PREFIXES = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = ['=HYPERLINK("http://evil","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1)", "\t=1", "\r=1"]


def _hostile(values: pd.Series) -> list[str]:
    return [HOSTILE[i % len(HOSTILE)] + str(v) for i, v in enumerate(values)]


@pytest.fixture(scope="module")
def zone():
    zone = read_zone(SAMPLE / "zone.gpkg", projects=SAMPLE / "projects.csv")
    parcels = zone.parcels.assign(
        holder=_hostile(zone.parcels["parcel_id"]), name=_hostile(zone.parcels["parcel_id"])
    )
    projects = zone.projects.assign(
        name=_hostile(zone.projects["project_id"]), company=_hostile(zone.projects["project_id"])
    )
    enterprises = zone.enterprises.assign(name=_hostile(zone.enterprises["enterprise_id"]))
    return dataclasses.replace(zone, parcels=parcels, projects=projects, enterprises=enterprises)


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def check_workbook(path: Path) -> int:
    """Return how many hostile texts the workbook holds, each checked to be quoted text."""
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert "<f>" not in z.read(name).decode("utf-8"), (
                    f"{path.name}: {name} has a formula"
                )
    seen = 0
    for sheet in load_workbook(path):
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith((*PREFIXES, "_x000D_")):
                    assert cell.data_type == "s" and cell.quotePrefix, (path.name, cell.coordinate)
                    seen += 1
    return seen


def check_csv(path: Path) -> int:
    """Return how many neutralised texts the CSV holds; fail on any live one."""
    seen = 0
    with open(path, encoding="utf-8-sig", newline="") as f:
        for row in csv.reader(f):
            for field in row:
                assert not (field.startswith(PREFIXES) and not _number(field)), (path.name, field)
                seen += field.startswith("'") and field[1:].startswith(PREFIXES)
    return seen


def test_audit_workbook_and_csv(zone, tmp_path):
    paths = write_audit(audit(zone, as_of="2026-06-30"), tmp_path)
    assert check_workbook(paths["workbook"]) > 0
    assert sum(check_csv(p) for k, p in paths.items() if k.startswith("csv:")) > 0


def test_match_and_review_workbooks(zone, tmp_path):
    project = zone.projects.set_index("project_id").loc["PJ-03"].to_dict() | {"project_id": "PJ-03"}
    found = match(project, zone, top=5)
    done = review(project, zone)
    for path in write_match(found, tmp_path, zone=zone, review=done):
        if path.suffix == ".xlsx":
            check_workbook(path)
    check_workbook(write_review(done, tmp_path))


def test_plan_workbooks(zone, tmp_path):
    two = zone.projects[zone.projects["project_id"].isin(["PJ-05", "PJ-06"])]
    for path in write_allocation(allocate(two, zone), tmp_path / "a"):
        if path.suffix == ".xlsx":
            assert check_workbook(path) > 0
    check_workbook(write_capacity(capacity(zone, start=dt.date(2026, 7, 1)), tmp_path / "c")[0])
    check_workbook(write_corridor(corridor(zone), tmp_path / "k")[0])


def test_report_workbook(zone, tmp_path):
    events = pd.DataFrame(
        {
            "layer": ["projects", "projects"],
            "feature_id": ["PJ-01", "PJ-01"],
            "old_status": ["prospect", "signed"],
            "new_status": ["signed", "landed"],
            "effective_date": ["2026-03-01", "2026-04-01"],
            "reason": ["=1+1", "@x"],
        }
    )
    report = half_year_report(zone, events, period="2026H1")
    paths = write_report(report, tmp_path)
    assert check_workbook(paths["xlsx"]) > 0


def test_layer_exports(zone, tmp_path):
    assert check_csv(write_layer(zone.parcels, tmp_path / "p.csv")) > 0
    assert check_workbook(write_layer(zone.parcels, tmp_path / "p.xlsx")) > 0


def test_neutralised_csv_reads_back_as_its_text(zone, tmp_path):
    path = write_layer(zone.parcels, tmp_path / "p.csv")
    back = read_layer(path, "parcels")
    # Import strips the surrounding whitespace of text (tabs, returns) as it does for any file.
    expected = zone.parcels.set_index("parcel_id")["name"].str.strip()
    assert back.set_index("parcel_id")["name"].to_dict() == expected.to_dict()
    assert back["name"].str.startswith("=").any()


def test_status_on_csv(zone, tmp_path, capsys):
    location = tmp_path / "zone.gpkg"
    with open_store(location) as store:
        store.init()
        ids = [f"{'=+-@'[i % 4]}{p}" for i, p in enumerate(zone.parcels["parcel_id"])]
        store.import_layer("parcels", zone.parcels.assign(parcel_id=ids))
    out = tmp_path / "status.csv"
    with pytest.raises(SystemExit) as info:
        main(["status", "on", "2026-06-30", "--db", str(location), "--out", str(out)])
    assert info.value.code in (0, None), capsys.readouterr().err
    assert check_csv(out) > 0
