"""A generated battery of hostile inputs, files and command-line arguments.

For each input landplan either reads it correctly, or exits with status 2 and a message naming
the file, the feature, the column and what was expected; it never prints a traceback, and a
refused command leaves the store exactly as it was.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import geopandas as gpd
import pyogrio
import shapely

from landplan.cli import main
from landplan.store import open_store
from landplan.validation import normalise_id
from tests._store_data import X0, Y0, constraints, parcels, projects

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(autouse=True)
def wide_console(monkeypatch):
    import landplan.cli

    monkeypatch.setattr(landplan.cli.console, "_width", 400)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A store with parcels, constraints, projects, one reservation and one status change."""
    db = tmp_path_factory.mktemp("battery") / "template.gpkg"
    with open_store(db) as store:
        store.init()
        store.import_layer("parcels", parcels())
        store.import_layer("constraints", constraints())
        store.import_layer("projects", projects())
        store.reserve("PR-1", ["P-2"], who="王工")
        store.set_status("parcels", "P-1", "low_efficiency", reason="x", effective="2026-01-05")
    return db


@pytest.fixture
def fresh(template, tmp_path_factory):
    """A function returning a new copy of the template store for each example."""

    def make() -> Path:
        db = tmp_path_factory.mktemp("store") / "zone.gpkg"
        shutil.copy(template, db)
        return db

    return make


def content(db: Path) -> dict[str, str]:
    """Everything the store holds, as text to compare (layers, history, reservations)."""
    with open_store(db) as store:
        out = {
            name: store.load_layer(name).drop(columns="geometry").to_json(date_format="iso")
            for name in ("parcels", "projects", "constraints")
        }
        out["geometry"] = str(shapely.to_wkb(store.load_layer("parcels").geometry.array).tolist())
        out["events"] = store.status_events().drop(columns="recorded_at").to_json(date_format="iso")
        out["reservations"] = store.reservations(active=False).to_json(date_format="iso")
    return out


def run(args, capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main([str(a) for a in args])
    captured = capsys.readouterr()
    return info.value.code or 0, captured.out, captured.err


def assert_refused_cleanly(code: int, err: str) -> None:
    assert code in (0, 2), (code, err)
    assert "Traceback" not in err, err
    if code == 2:
        assert err.startswith(("错误：", "error:")), err  # Chinese by default


# --- files ----------------------------------------------------------------------------------------

TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=12
)
IDS = st.one_of(
    st.sampled_from(["P-7", "p-7", "Ｐ-8", "P-\u200b9", "P;10", "P,11", "", " ", "[/]", "P-2"]),
    TEXT,
)
STATUSES = st.one_of(st.sampled_from(["idle", "闲置", "occupied", "vacant", "", "IDLE"]), TEXT)
DATES = st.one_of(
    st.sampled_from(
        ["2024-03-01", "2024/3/1", "2024年3月1日", "24/3/1", "3/1/2024", "2024-02-30", "45352", ""]
    ),
    TEXT,
)
NUMBERS = st.one_of(
    st.sampled_from(["12.5", "1,200", "-3", "inf", "1e308", "nan", "", "十"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


def _geometry(kind: str, i: int):
    x, y = X0 + 1000 + 150 * i, Y0
    return {
        "box": shapely.box(x, y, x + 100, y + 100),
        "overlap": shapely.box(X0 + 10, Y0 + 10, X0 + 90, Y0 + 90),  # P-1's ground
        "bowtie": shapely.Polygon([(x, y), (x + 100, y + 100), (x + 100, y), (x, y + 100)]),
        "point": shapely.Point(x, y),
        "z": shapely.force_3d(shapely.box(x, y, x + 100, y + 100), 5.0),
        "far": shapely.box(x + 9e6, y, x + 9e6 + 100, y + 100),
        "empty": shapely.Polygon(),
        "none": None,
    }[kind]


ROWS = st.lists(
    st.tuples(
        IDS,
        STATUSES,
        DATES,
        NUMBERS,
        st.sampled_from(["box", "box", "box", "overlap", "bowtie", "point", "z", "far", "empty"]),
    ),
    min_size=1,
    max_size=4,
)


@SETTINGS
@given(rows=ROWS, mode=st.sampled_from(["--upsert", "--append", "--replace", None]))
def test_hostile_parcel_files(rows, mode, fresh, capsys, tmp_path_factory):
    db = fresh()
    folder = tmp_path_factory.mktemp("file")
    source = folder / "地块.gpkg"
    frame = gpd.GeoDataFrame(
        {
            "parcel_id": [r[0] for r in rows],
            "status": [r[1] for r in rows],
            "agreed_start": [r[2] for r in rows],
            "land_price_wan_yuan": [r[3] for r in rows],
        },
        geometry=[_geometry(r[4], i) for i, r in enumerate(rows)],
        crs="EPSG:4546",
    )
    pyogrio.write_dataframe(frame, source, layer="parcels", geometry_type="Unknown")
    before = content(db)
    args = ["import", "parcels", source, "--db", db, *([mode] if mode else [])]
    code, _, err = run(args, capsys)
    assert_refused_cleanly(code, err)
    if code == 2:
        assert content(db) == before
        if "problem" in err:
            # The problem table: every row names the file, a feature, a column and what to give.
            assert "file" in err and "feature" in err and "column" in err and "expected" in err
            assert str(source) in err
        return
    # Read correctly: every id landed as it reads, with its status.
    with open_store(db) as store:
        stored = store.load_layer("parcels").set_index("parcel_id")
    for r in rows:
        pid = normalise_id(r[0])
        assert pid in stored.index
        assert stored.loc[pid, "status"] is not None


PROJECT_ROWS = st.lists(
    st.tuples(
        IDS,
        st.one_of(st.sampled_from(["signed", "已签约", "framework", "landed", "签", ""]), TEXT),
        DATES,
        NUMBERS,
        NUMBERS,
    ),
    min_size=1,
    max_size=4,
)


@SETTINGS
@given(rows=PROJECT_ROWS, as_excel=st.booleans())
def test_hostile_project_tables(rows, as_excel, fresh, capsys, tmp_path_factory):
    db = fresh()
    folder = tmp_path_factory.mktemp("table")
    table = pd.DataFrame(
        {
            "项目编号": [r[0] for r in rows],
            "项目名称": ["项目"] * len(rows),
            "stage": [r[1] for r in rows],
            "stage_date": [r[2] for r in rows],
            "investment_wan_yuan": [r[3] for r in rows],
            "land_mu_min": [r[4] for r in rows],
        }
    )
    source = folder / ("项目.xlsx" if as_excel else "项目.csv")
    if as_excel:
        table.to_excel(source, index=False)
    else:
        table.to_csv(source, index=False, encoding="utf-8-sig")
    before = content(db)
    code, _, err = run(["import", "projects", source, "--upsert", "--db", db], capsys)
    assert_refused_cleanly(code, err)
    if code == 2:
        assert content(db) == before
        if "problem" in err:
            assert "feature" in err and "column" in err and "expected" in err
            assert str(source) in err
        return
    with open_store(db) as store:
        stored = store.load_layer("projects").set_index("project_id")
    for r in rows:
        assert normalise_id(r[0]) in stored.index


# --- command-line arguments -----------------------------------------------------------------------

WORDS = st.one_of(
    st.sampled_from(
        ["P-1", "P-2", "P-4", "PR-1", "PR-2", "p-1", "Ｐ-2", "[/]", "../x", "", "-", "--db", "nope"]
    ),
    TEXT.filter(lambda t: not t.startswith("-")),
)
COMMANDS = st.one_of(
    st.tuples(
        st.just("status"),
        st.just("set"),
        st.sampled_from(["parcel", "building", "project", "road", "x"]),
        WORDS,
        st.one_of(STATUSES, st.sampled_from(["signed", "landed"])),
        st.just("--reason"),
        TEXT,
        st.just("--date"),
        DATES.filter(lambda t: not t.startswith("-")).map(lambda t: t or "2026-01-01"),
    ),
    st.tuples(st.just("status"), st.just("history"), WORDS),
    st.tuples(st.just("status"), st.just("on"), DATES.filter(lambda t: not t.startswith("-"))),
    st.tuples(
        st.just("status"),
        st.just("retract"),
        st.sampled_from(["parcel", "project"]),
        WORDS,
        st.just("--reason"),
        TEXT,
    ),
    st.tuples(st.just("reserve"), WORDS, WORDS, WORDS),
    st.tuples(st.just("release"), WORDS, WORDS),
    st.tuples(st.just("reservations"), st.just("--project"), WORDS),
    st.tuples(st.just("review"), WORDS),
)


@SETTINGS
@given(command=COMMANDS)
def test_hostile_command_lines(command, fresh, capsys, tmp_path_factory, monkeypatch):
    db = fresh()
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))
    before = content(db)
    code, out, err = run([*command, "--db", db], capsys)
    # Typer's own usage errors (a missing argument) exit 2 too, with a usage message.
    assert code in (0, 2), (command, code, err)
    assert "Traceback" not in err and "Traceback" not in out, err
    if code == 2:
        assert content(db) == before, command
        assert err.strip(), command
