"""Hostile and unlucky input: nothing lost, nothing written outside its place, no traceback."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import geopandas as gpd
import shapely

from landplan.cli import main
from landplan.errors import OutputError, StoreError
from landplan.match import match
from landplan.match_report import write_match, write_review
from landplan.outputs import check_replace, output_path, safe_stem
from landplan.review import review
from landplan.store import open_store
from landplan.tables import write_workbook
from landplan.zone import Zone
from tests._concurrency import at_once
from tests._store_data import constraints, parcels, projects

X0, Y0 = 602_600.0, 2_533_800.0


@pytest.fixture(autouse=True)
def wide_console(monkeypatch):
    """Tables printed on one line per row, so tests read them whole."""
    import landplan.cli

    monkeypatch.setattr(landplan.cli.console, "_width", 400)


def run(args, capsys):
    with pytest.raises(SystemExit) as info:
        main([str(a) for a in args])
    out = capsys.readouterr()
    return info.value.code, out.out, out.err


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under a folder with the hash of its bytes."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def tiny():
    """Four 60 mu state-reserve parcels and one project, matched and reviewed once."""
    land = gpd.GeoDataFrame(
        {
            "parcel_id": [f"P-{i}" for i in range(4)],
            "status": ["state_reserve"] * 4,
            "land_use": ["M1"] * 4,
        },
        geometry=[shapely.box(X0 + 200 * i, Y0, X0 + 200 * (i + 1), Y0 + 200) for i in range(4)],
        crs="EPSG:4546",
    )
    pipeline = pd.DataFrame(
        {
            "project_id": ["J-1"],
            "name": ["机械智造项目"],
            "stage": ["signed"],
            "investment_wan_yuan": [50000.0],
            "land_mu_min": [40.0],
            "land_mu_max": [70.0],
        }
    )
    zone = Zone.from_layers({"parcels": land, "projects": pipeline})
    row = zone.projects.iloc[0]
    return zone, match(row, zone), review(row, zone)


# --- 1. output file names from ids ---------------------------------------------------------------

HOSTILE_IDS = st.one_of(
    st.sampled_from(
        [
            "../../landplan",
            "x/../../landplan",
            "/etc/passwd",
            "..",
            ".",
            "",
            "CON",
            "a\\b",
            "a\x00b",
            "PJ\u200b-1",
            "ＰＪ－１",
            "a" * 400,
            "机械/装备",
            "~",
            "-rf",
        ]
    ),
    st.text(min_size=0, max_size=60),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ident=HOSTILE_IDS)
def test_every_output_named_after_an_id_stays_inside_its_folder(tiny, tmp_path_factory, ident):
    zone, found, verdict = tiny
    root = tmp_path_factory.mktemp("outputs")
    out = root / "deep" / "out"
    (root / "landplan.gpkg").write_bytes(b"not to be touched")
    before = snapshot(root)
    written = [
        *write_match(dataclasses.replace(found, project_id=ident), out, zone=zone, review=verdict),
        write_review(dataclasses.replace(verdict, project_id=ident), out),
    ]
    for path in written:
        assert path.resolve().parent == out.resolve(), path
        assert len(path.name.encode()) < 255
    after = snapshot(root)
    assert {
        k: v for k, v in after.items() if not k.startswith(f"deep{os.sep}out{os.sep}")
    } == before
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in written)


def test_ids_that_differ_only_where_a_name_cannot_hold_them_get_two_files(tmp_path):
    names = {safe_stem(i) for i in ("a/b", "a_b", "a\\b", "a b", "a:b")}
    assert len(names) == 5
    assert output_path(tmp_path, "match", "a/b", ".xlsx").parent == tmp_path


def test_match_with_a_path_as_project_id_leaves_the_store_alone(tmp_path, capsys, monkeypatch):
    """The reported case: an id with ``/`` and ``..`` deleted and rewrote the store."""
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "landplan.gpkg"
    with open_store(db) as store:
        store.init()
        store.import_layer("parcels", parcels())
        store.import_layer("constraints", constraints())
        store.import_layer("projects", projects())
    before = snapshot(tmp_path)
    project = tmp_path / "p.toml"
    project.write_text(
        '[project]\nproject_id = "x/../../landplan"\nname = "机械"\nstage = "signed"\n'
        "investment_wan_yuan = 20000.0\nland_mu_min = 10.0\nland_mu_max = 30.0\n",
        encoding="utf-8",
    )
    for command in ("match", "review"):
        code, _, err = run(
            [command, "--db", db, "--project-file", project, "--out", tmp_path / "out"], capsys
        )
        assert code in (None, 0), err
    after = snapshot(tmp_path)
    # Beside the untouched store, match keeps the zone's site index under its one fixed name.
    kept = "landplan.gpkg.sites.npz"
    assert kept in after
    assert {k: v for k, v in after.items() if not k.startswith("out")} == {
        **before,
        "p.toml": after["p.toml"],
        kept: after[kept],
    }
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        f"{kind}_{safe_stem('x/../../landplan')}{suffix}"
        for kind, suffix in (("match", ".xlsx"), ("match", ".gpkg"), ("review", ".xlsx"))
    )


def test_outputs_never_replace_a_store_or_a_foreign_file(tmp_path, tiny):
    zone, found, verdict = tiny
    out = tmp_path / "out"
    out.mkdir()
    stem = safe_stem(found.project_id)
    with open_store(out / f"match_{stem}.gpkg") as store:
        store.init()
    before = snapshot(out)
    with pytest.raises(OutputError, match="is a landplan store, not a landplan match output"):
        write_match(found, out, zone=zone)
    assert snapshot(out) == before
    # A user's own workbook under the review's name is kept, and so is a link.
    (out / f"review_{stem}.xlsx").unlink(missing_ok=True)
    write_workbook(out / "mine.xlsx", {"budget": pd.DataFrame({"a": [1]})})
    os.replace(out / "mine.xlsx", out / f"review_{stem}.xlsx")
    with pytest.raises(OutputError, match="landplan's workbook output, not a landplan review"):
        write_review(verdict, out)
    target = tmp_path / "elsewhere.xlsx"
    target.write_bytes(b"x")
    (out / f"review_{stem}.xlsx").unlink()
    (out / f"review_{stem}.xlsx").symlink_to(target)
    with pytest.raises(OutputError, match="outside the output folder"):
        write_review(verdict, out)
    assert target.read_bytes() == b"x"


def test_outputs_replace_their_own_earlier_runs(tmp_path, tiny):
    zone, found, verdict = tiny
    first = [*write_match(found, tmp_path, zone=zone), write_review(verdict, tmp_path)]
    again = [*write_match(found, tmp_path, zone=zone), write_review(verdict, tmp_path)]
    assert first == again
    # A workbook written before outputs were marked is recognised by its sheets, and only then.
    old = tmp_path / "old.xlsx"
    with pd.ExcelWriter(old) as writer:
        pd.DataFrame({"a": [1]}).to_excel(writer, sheet_name="demand")
        pd.DataFrame({"a": [1]}).to_excel(writer, sheet_name="candidates")
    check_replace(old, "match", parts=["demand", "review", "candidates"])
    with pytest.raises(OutputError, match="not a landplan output"):
        check_replace(old, "match", parts=["demand"])


def test_export_and_demo_never_replace_a_store(tmp_path, capsys):
    db = tmp_path / "landplan.gpkg"
    with open_store(db) as store:
        store.init()
        store.import_layer("parcels", parcels())
    before = snapshot(tmp_path)
    code, _, err = run(["export", "parcels", db, "--db", db], capsys)
    assert code == 2 and "是 landplan 数据库" in err and "Traceback" not in err
    code, _, err = run(["demo", "--out", tmp_path], capsys)
    assert code == 2 and "不是演示创建的数据库" in err
    assert snapshot(tmp_path)["landplan.gpkg"] == before["landplan.gpkg"]


# --- 6 and 13. ids: normalised, compared without case or width, never holding separators ---------


def _parcels_with_ids(ids):
    return gpd.GeoDataFrame(
        {"parcel_id": ids, "status": ["state_reserve"] * len(ids)},
        geometry=[
            shapely.box(X0 + 200 * i, Y0, X0 + 200 * i + 100, Y0 + 100) for i in range(len(ids))
        ],
        crs="EPSG:4546",
    )


def test_ids_are_normalised_and_their_variants_reported_as_duplicates():
    from landplan.errors import SchemaError
    from landplan.validation import validate_layer

    clean = validate_layer(
        _parcels_with_ids(["ＰＪ－１", "P-2\u200b", " P  3 ", "地块\ufeff4"]), "parcels"
    )
    assert clean["parcel_id"].tolist() == ["PJ-1", "P-2", "P 3", "地块4"]
    with pytest.raises(SchemaError) as info:
        validate_layer(_parcels_with_ids(["P-1", "p-1", "Ｐ-1", "P-\u200b1", "P-9"]), "parcels")
    rows = [(p.feature, p.problem) for p in info.value.problems]
    but = "but for case, width or invisible characters"
    zero_width = "P-\u200b1"
    assert rows == [
        ("P-1", "duplicate id 'P-1'"),
        ("p-1", f"duplicate id 'p-1': the same id as 'P-1' {but}"),
        ("Ｐ-1", f"duplicate id 'Ｐ-1': the same id as 'P-1' {but}"),
        (zero_width, f"duplicate id {zero_width!r}: the same id as 'P-1' {but}"),
    ]


def test_building_links_are_normalised_like_the_ids_they_point_to():
    from landplan.validation import validate_layer

    land = validate_layer(_parcels_with_ids(["P-1"]), "parcels")
    buildings = gpd.GeoDataFrame(
        {
            "building_id": ["B-1"],
            "parcel_id": ["Ｐ-1\u200b"],
            "status": ["in_use"],
            "floors": [1],
            "floor_area_m2": [1600.0],
        },
        geometry=[shapely.box(X0 + 10, Y0 + 10, X0 + 50, Y0 + 50)],
        crs="EPSG:4546",
    )
    assert validate_layer(buildings, "buildings", parcels=land)["parcel_id"].tolist() == ["P-1"]


@pytest.mark.parametrize("bad", ["P-1;P-2", "P,3", "P，4", "P；5"])
def test_ids_holding_a_list_separator_are_refused(bad):
    from landplan.errors import SchemaError
    from landplan.validation import validate_layer

    with pytest.raises(SchemaError, match="contains a list separator") as info:
        validate_layer(_parcels_with_ids([bad, "P-9"]), "parcels")
    (problem,) = info.value.problems
    assert problem.column == "parcel_id"
    assert "without ';' or ','" in problem.expected


def test_store_refuses_an_id_that_differs_from_a_stored_one_only_in_case(store):
    from landplan.errors import SchemaError

    store.import_layer("parcels", parcels())
    before = store.load_layer("parcels")
    again = parcels().iloc[[1]].copy()
    again["parcel_id"] = ["p-2"]
    for mode in ("append", "upsert"):
        with pytest.raises(SchemaError, match="the same id as 'P-2' in the store but for case"):
            store.import_layer("parcels", again, mode=mode)
    pd.testing.assert_frame_equal(store.load_layer("parcels"), before)
    # Lookups normalise what is typed: a full-width or zero-width variant finds the parcel.
    event = store.set_status("parcels", "Ｐ-2\u200b", "idle", reason="test", effective="2026-01-01")
    assert event["feature_id"] == "P-2"


# --- 10. markup in data text ---------------------------------------------------------------------


def test_markup_in_data_text_is_printed_as_text(zone_store, store_url, capsys):
    db = store_url
    reason = "[/] closed [bold]at once"
    code, out, err = run(
        [
            "status",
            "set",
            "parcel",
            "P-2",
            "idle",
            "--reason",
            reason,
            "--who",
            "[red]王工",
            "--db",
            db,
        ],
        capsys,
    )
    assert code in (None, 0), err
    code, out, err = run(["status", "history", "P-2", "--db", db], capsys)
    assert code in (None, 0), err
    assert "[/] closed [bold]at once" in out and "[red]王工" in out
    code, out, err = run(["reserve", "PR-1", "P-1", "--note", "[/]", "--db", db], capsys)
    assert code in (None, 0), err  # it exited 1 after committing
    assert "已为项目 PR-1 预留地块 P-1" in out
    code, out, err = run(["reservations", "--db", db], capsys)
    assert code in (None, 0), err
    assert "[/]" in out


# --- 11. a held lock, concurrent plain imports ---------------------------------------------------


def test_a_held_sqlite_lock_gives_a_message_after_a_bounded_wait(tmp_path, capsys, monkeypatch):
    import sqlite3
    import time

    db = tmp_path / "zone.gpkg"
    with open_store(db) as store:
        store.init()
        store.import_layer("parcels", parcels())
        store.import_layer("projects", projects())
    monkeypatch.setenv("LANDPLAN_LOCK_TIMEOUT", "0.5")
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        before = snapshot(tmp_path)
        for args in (
            ["status", "history", "P-1"],
            ["status", "set", "parcel", "P-2", "idle", "--reason", "x"],
            ["reserve", "PR-1", "P-2"],
            ["reservations"],
        ):
            started = time.monotonic()
            code, _, err = run([*args, "--db", db], capsys)
            assert time.monotonic() - started < 10
            assert code == 2, err
            assert "locked by another process (waited 0.5 s" in err and "Traceback" not in err
    finally:
        holder.rollback()
        holder.close()
    assert snapshot(tmp_path) == before


def test_two_plain_imports_at_once_land_once(store_url, tmp_path):
    import subprocess
    import sys

    with open_store(store_url) as store:
        store.init()
    source = tmp_path / "parcels.gpkg"
    parcels().to_file(source, layer="parcels")
    landplan = str(Path(sys.executable).with_name("landplan"))
    command = [landplan, "import", "parcels", str(source), "--db", store_url]
    procs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    results = [(p.returncode, err) for p, err in zip(procs, errors, strict=True)]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 2, 2], results
    # The command speaks Chinese by default: "parcels already holds 5 feature(s)".
    assert all("已有5个要素" in err for code, err in results if code == 2)
    with open_store(store_url) as store:
        assert store.count("parcels") == 5


# --- 12. no tracebacks ---------------------------------------------------------------------------


def test_an_alias_beside_its_id_column_is_one_problem(tmp_path, capsys):
    source = tmp_path / "alias.gpkg"
    frame = parcels()
    frame["地块编号"] = frame["parcel_id"]
    frame.to_file(source)
    code, _, err = run(["validate", source, "--layer", "parcels"], capsys)
    assert code == 2 and "Traceback" not in err
    assert "parcel_id、地块编号 这几列都表示地块编号" in err  # "columns [...] all mean 'parcel_id'"


def test_an_unknown_crs_is_named(tmp_path, capsys):
    source = tmp_path / "nocrs.geojson"
    parcels().to_file(source)
    code, _, err = run(["validate", source, "--layer", "parcels", "--crs", "EPSG:999999"], capsys)
    assert code == 2 and "Traceback" not in err
    assert "EPSG:999999" in err


def _import_polygon_z(tmp_path, capsys) -> tuple[Path, str]:
    """A new store fed the five parcels with Z coordinates; the store and what import printed."""
    db = tmp_path / "zone.gpkg"
    with open_store(db) as store:
        store.init()
    source = tmp_path / "z.gpkg"
    frame = parcels()
    frame["geometry"] = shapely.force_3d(frame.geometry.array, 12.5)
    frame.to_file(source)
    code, out, err = run(["import", "parcels", source, "--db", db], capsys)
    assert code in (None, 0), err
    return db, out


def test_polygon_z_is_stored_in_2d_with_a_notice(tmp_path, capsys):
    import sqlite3

    import pyogrio

    db, out = _import_polygon_z(tmp_path, capsys)
    # The command speaks Chinese: "5 feature(s) had Z coordinates (3D); heights were dropped".
    assert "5个要素带有 Z 坐标（三维）；已舍去高程" in " ".join(out.split())
    back = pyogrio.read_dataframe(db, layer="parcels")
    assert not back.geometry.has_z.any()
    with sqlite3.connect(db) as con:
        blobs = [b for (b,) in con.execute("SELECT geom FROM parcels")]
        declared = con.execute(
            "SELECT z FROM gpkg_geometry_columns WHERE table_name = 'parcels'"
        ).fetchone()
    # GeoPackage header flags: envelope code 1 (XY) for every blob, as the table declares z = 0.
    assert declared == (0,) and {(b[3] >> 1) & 0x07 for b in blobs} == {1}
    # After the 8-byte header and the 32-byte XY envelope: ISO WKB type 6, a 2D MultiPolygon.
    assert {int.from_bytes(b[41:45], "little") for b in blobs} == {6}


def _gdal_validator() -> list[str] | None:
    """GDAL's own GeoPackage validator (python3-gdal's osgeo_utils), where installed."""
    import subprocess

    python = "/usr/bin/python3"
    if not Path(python).exists():
        return None
    probe = subprocess.run(
        [python, "-c", "import osgeo_utils.samples.validate_gpkg"], capture_output=True
    )
    return [python, "-m", "osgeo_utils.samples.validate_gpkg"] if probe.returncode == 0 else None


@pytest.mark.skipif(_gdal_validator() is None, reason="needs python3-gdal (GDAL's validate_gpkg)")
def test_a_store_holding_polygon_z_input_passes_gdal_validation(tmp_path, capsys):
    """3D input made the store fail GDAL's check (Req 19: z in a geometry, not declared)."""
    import subprocess

    db, _ = _import_polygon_z(tmp_path, capsys)
    checked = subprocess.run([*_gdal_validator(), str(db)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.skipif(_gdal_validator() is None, reason="needs python3-gdal (Debian's GDAL)")
def test_debians_gdal_opens_the_store_without_a_warning(tmp_path, capsys):
    """GDAL 3.6 (Debian 12's, under its QGIS) warned on every open of a store stamped 1.4."""
    import subprocess

    db, _ = _import_polygon_z(tmp_path, capsys)
    probe = (
        "import sys\n"
        "from osgeo import gdal\n"
        "gdal.UseExceptions()\n"
        "said = []\n"
        "gdal.PushErrorHandler(lambda cls, no, msg: said.append(msg))\n"
        "ds = gdal.OpenEx(sys.argv[1])\n"
        "print(ds.GetLayerCount(), said)\n"
    )
    opened = subprocess.run(
        [_gdal_validator()[0], "-c", probe, str(db)], capture_output=True, text=True
    )
    assert opened.returncode == 0, opened.stderr
    count, said = opened.stdout.split(" ", 1)
    assert int(count) > 0 and said.strip() == "[]", opened.stdout


def test_a_read_only_store_and_damaged_metadata_are_messages(tmp_path, capsys):
    import sqlite3

    db = tmp_path / "zone.gpkg"
    with open_store(db) as store:
        store.init()
        store.import_layer("parcels", parcels())
    with sqlite3.connect(db) as con:
        con.execute("UPDATE landplan_meta SET value = 'EPSG:nonsense' WHERE key = 'working_crs'")
    code, _, err = run(["status", "history", "P-1", "--db", db], capsys)
    assert code == 2 and "数据库元数据已损坏" in err and "Traceback" not in err
    with sqlite3.connect(db) as con:
        con.execute("UPDATE landplan_meta SET value = 'EPSG:4546' WHERE key = 'working_crs'")
        con.execute("DROP TABLE reservations")
    code, _, err = run(["reservations", "--db", db], capsys)
    assert code == 2 and "not a complete landplan store" in err and "Traceback" not in err


def test_a_read_only_store_refuses_writes_with_a_message(tmp_path):
    import sqlalchemy as sa

    from landplan.errors import StoreError
    from landplan.store import _sqlite

    db = tmp_path / "zone.gpkg"
    with open_store(db) as store:
        store.init()
        store.import_layer("parcels", parcels())
    store = open_store(db)
    # The file opened read-only, as SQLite opens a file it may not write.
    engine = sa.create_engine(f"sqlite:///file:{db}?mode=ro&uri=true")
    sa.event.listen(engine, "connect", _sqlite._register)
    sa.event.listen(engine, "begin", store._backend._begin)
    store._backend.engine = engine
    with pytest.raises(StoreError, match=r"the file is read-only; .*nothing was written"):
        store.set_status("parcels", "P-2", "idle", reason="x")
    assert store.status_on("parcels", "2026-01-01")["P-2"] == "state_reserve"
    store.close()


def test_concurrent_init_creates_one_store(store_url):
    stores = [open_store(store_url) for _ in range(4)]
    results = at_once([s.init for s in stores])
    for s in stores:
        s.close()
    assert sorted(results, key=str) == [False, False, False, True], results
    with open_store(store_url) as store:
        assert store.count("parcels") == 0


def test_a_full_disk_during_an_import_rolls_back_with_a_message(tmp_path, capsys, monkeypatch):
    """SQLite's own "database or disk is full", made by capping the file's pages."""
    import sqlite3

    from landplan.sample import make_zone
    from landplan.store import _sqlite

    db = tmp_path / "zone.gpkg"
    with open_store(db) as store:
        store.init()
        store.import_layer("parcels", parcels())
    before = content_of(db)
    with sqlite3.connect(db) as con:
        pages = con.execute("PRAGMA page_count").fetchone()[0]
    register = _sqlite._register

    def capped(dbapi_conn, record=None):
        register(dbapi_conn, record)
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages + 2}")

    monkeypatch.setattr(_sqlite, "_register", capped)
    source = tmp_path / "many.gpkg"
    make_zone(n_parcels=300)["parcels"].to_file(source, layer="parcels")
    code, _, err = run(["import", "parcels", source, "--replace", "--db", db], capsys)
    assert code == 2 and "Traceback" not in err, err
    assert "the disk is full; the transaction was rolled back" in err and "未写入任何内容" in err
    monkeypatch.setattr(_sqlite, "_register", register)
    assert content_of(db) == before


def content_of(db: Path) -> tuple[str, str]:
    with open_store(db) as store:
        frame = store.load_layer("parcels")
        table = frame.drop(columns="geometry").to_json(date_format="iso")
        return table, str(frame.geometry.to_wkt().tolist())


def test_an_unwritable_output_folder_is_a_message(tmp_path, capsys, monkeypatch):
    import errno

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "out" / "audit.xlsx"))

    monkeypatch.setattr("xlsxwriter.Workbook", full)  # what landplan.tables writes with
    code, _, err = run(["audit", "--out", tmp_path / "out", "--as-of", "2026-06-30"], capsys)
    assert code == 2 and "Traceback" not in err
    assert "audit.xlsx：No space left on device" in err


# --- 8. import --replace and reservations ---------------------------------------------------------


def test_replace_refuses_to_drop_a_reserved_parcel_unless_forced(zone_store, capsys, tmp_path):
    from landplan.errors import SchemaError

    zone_store.reserve("PR-1", ["P-2"], who="王工")
    kept = parcels().loc[lambda f: f["parcel_id"] != "P-2"]
    before = zone_store.load_layer("parcels")
    with pytest.raises(
        SchemaError, match="reserved for project PR-1: --replace would drop"
    ) as info:
        zone_store.import_layer("parcels", kept, mode="replace")
    assert [p.feature for p in info.value.problems] == ["P-2"]
    pd.testing.assert_frame_equal(zone_store.load_layer("parcels"), before)
    assert zone_store.reservations()["parcel_id"].tolist() == ["P-2"]
    summary = zone_store.import_layer("parcels", kept, mode="replace", force=True, who="李工")
    assert summary.deleted == 1
    assert zone_store.reservations().empty
    ended = zone_store.reservations(active=False).iloc[0]
    assert (ended["parcel_id"], ended["released_by"]) == ("P-2", "李工")
    assert ended["release_reason"] == "parcel dropped by import <parcels> (replace --force)"


# --- 7. the same ground under two ids -------------------------------------------------------------


def _copy_of(parcel_id: str, new_id: str, dx: float = 0.0) -> gpd.GeoDataFrame:
    frame = parcels().loc[lambda f: f["parcel_id"] == parcel_id].copy()
    frame["parcel_id"] = [new_id]
    frame["geometry"] = frame.geometry.translate(dx, 0)
    return frame


def test_appending_or_upserting_ground_the_store_holds_is_refused(zone_store):
    from landplan.errors import SchemaError

    before = zone_store.load_layer("parcels")
    for mode in ("append", "upsert"):
        with pytest.raises(
            SchemaError, match=re.escape("overlaps parcel P-2 in the store by 9000.0 m²")
        ):
            zone_store.import_layer("parcels", _copy_of("P-2", "P-2-copy", dx=10.0), mode=mode)
    pd.testing.assert_frame_equal(zone_store.load_layer("parcels"), before)
    # Within the tolerance (1 m²) it is a digitising sliver, and a parcel may redraw its own ground.
    moved = _copy_of("P-2", "P-2", dx=0.005)
    zone_store.import_layer("parcels", moved, mode="upsert")
    sliver = _copy_of("P-5", "P-6", dx=99.995)
    zone_store.import_layer("parcels", sliver, mode="append")
    assert zone_store.count("parcels") == 6


def test_a_reservation_refuses_ground_overlapping_a_reserved_parcel(store_url):
    from landplan.errors import ReservationError
    from landplan.policy import Policy

    lenient = Policy.default().replace(**{"validation.overlap_tolerance_m2": 1e9})
    with open_store(store_url, policy=lenient) as store:
        store.init()
        both = pd.concat([parcels(), _copy_of("P-2", "P-2-copy", dx=30.0)], ignore_index=True)
        store.import_layer("parcels", gpd.GeoDataFrame(both, crs=parcels().crs))
        store.import_layer("projects", projects())
    with open_store(store_url) as store:
        store.reserve("PR-1", ["P-2"])
        with pytest.raises(
            ReservationError,
            match=re.escape(
                "P-2-copy: overlaps parcel P-2 by 7000.0 m², which is reserved for project PR-1"
            ),
        ):
            store.reserve("PR-2", ["P-2-copy", "P-1"])
        assert store.reservations()["parcel_id"].tolist() == ["P-2"]
        store.release("PR-1")
        store.reserve("PR-2", ["P-2-copy"])


# --- 9. effective dating, one way, and retraction -------------------------------------------------


def test_a_future_status_does_not_hold_now_and_can_be_retracted(zone_store, store_url, capsys):
    import datetime as dt

    today = dt.datetime.now(dt.UTC).date()
    typo = ["--reason", "typo year", "--date", "2062-03-01", "--db", store_url]
    code, out, err = run(["status", "set", "parcel", "P-2", "idle", *typo], capsys)
    assert code in (None, 0), err
    assert "生效日期在将来，自2062-03-01起生效" in out
    # The change is recorded but not in force: every reading agrees.
    assert zone_store.load_layer("parcels").set_index("parcel_id").loc["P-2", "status"] == (
        "state_reserve"
    )
    assert zone_store.status_on("parcels", today)["P-2"] == "state_reserve"
    assert zone_store.status_on("parcels", "2062-03-01")["P-2"] == "idle"
    zone = zone_store.load_zone()
    assert zone.parcels.set_index("parcel_id").loc["P-2", "status"] == "state_reserve"
    code, out, _ = run(["status", "on", today.isoformat(), "--db", store_url], capsys)
    assert code in (None, 0)
    # Without retraction the typo blocks every earlier date.
    with pytest.raises(StoreError, match="or retract that change first"):
        zone_store.set_status("parcels", "P-2", "idle", reason="x", effective="2026-03-01")
    code, out, err = run(
        ["status", "retract", "parcel", "P-2", "--reason", "wrong year", "--db", store_url], capsys
    )
    assert code in (None, 0), err
    assert "已撤回2062-03-01生效、改为“闲置”的变更" in out
    zone_store.set_status("parcels", "P-2", "idle", reason="not started", effective="2026-03-01")
    history = zone_store.status_history("parcels", "P-2")
    rows = [
        (f"{r.effective_date:%Y-%m-%d}", r.new_status, r.retracted, pd.notna(r.retracts))
        for r in history.itertuples()
    ]
    assert rows == [
        ("2026-03-01", "idle", False, False),
        ("2062-03-01", "idle", True, False),
        ("2062-03-01", "state_reserve", False, True),
    ]
    standing = zone_store.status_events("parcels")
    assert standing[["feature_id", "new_status"]].values.tolist() == [["P-2", "idle"]]
    assert zone_store.status_on("parcels", "2030-01-01")["P-2"] == "idle"
    assert zone_store.status_on("parcels", "2026-02-28")["P-2"] == "state_reserve"
    code, out, err = run(["status", "history", "P-2", "--db", store_url], capsys)
    assert "typo year（已撤回）" in out and "wrong year（撤回此前的变更）" in out
    code, out, err = run(["status", "history", "P-2", "--db", store_url, "--lang", "en"], capsys)
    assert "typo year (retracted)" in out and "wrong year (retracts an earlier change)" in out


def test_retracting_a_change_in_force_restores_the_status_before_it(zone_store):
    zone_store.set_status("parcels", "P-2", "occupied", reason="sold", effective="2026-01-05")
    assert zone_store.load_layer("parcels").set_index("parcel_id").loc["P-2", "status"] == (
        "occupied"
    )
    event = zone_store.retract_status("parcels", "P-2", reason="entered on the wrong parcel")
    assert (event["old_status"], event["new_status"]) == ("occupied", "state_reserve")
    row = zone_store.load_layer("parcels").set_index("parcel_id").loc["P-2"]
    assert (row["status"], row["version"]) == ("state_reserve", 3)
    with pytest.raises(StoreError, match="has no status change to retract"):
        zone_store.retract_status("parcels", "P-2", reason="again")


# --- 5. dates and money read as written, or refused ---------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2024-03-01", "2024-03-01"),
        ("2024/3/1", "2024-03-01"),
        ("2024.3.1", "2024-03-01"),
        ("2024年3月1日", "2024-03-01"),
        ("２０２４年３月１日", "2024-03-01"),
        ("20240301", "2024-03-01"),
        ("2024-03-01 08:30", "2024-03-01"),
        (45352, "2024-03-01"),  # Excel's serial for 2024-03-01
        ("45352", "2024-03-01"),
    ],
)
def test_accepted_date_forms(given, expected):
    from landplan.validation import validate_layer

    frame = _parcels_with_ids(["P-1"])
    frame["agreed_start"] = pd.Series([given], dtype=object)
    assert f"{validate_layer(frame, 'parcels').loc[0, 'agreed_start']:%Y-%m-%d}" == expected


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        ("24/3/1", "ambiguous date '24/3/1'"),  # was read as 2001-03-24
        ("3/1/2024", "ambiguous date '3/1/2024'"),
        ("01-03-2024", "ambiguous date '01-03-2024'"),
        ("2024-02-30", "not a date: '2024-02-30'"),
        ("March 2024", "not a date: 'March 2024'"),
        ("下周", "not a date: '下周'"),
    ],
)
def test_ambiguous_and_wrong_dates_are_refused_with_row_and_column(given, problem):
    from landplan.errors import SchemaError
    from landplan.validation import validate_layer

    frame = _parcels_with_ids(["P-1", "P-2"])
    frame["agreed_start"] = pd.Series(["2024-01-01", given], dtype=object)
    with pytest.raises(SchemaError) as info:
        validate_layer(frame, "parcels", source="地块.xlsx")
    (p,) = info.value.problems
    assert (p.source, p.feature, p.column) == ("地块.xlsx", "P-2", "agreed_start")
    assert p.problem.startswith(problem)
    assert "2024年3月1日" in p.expected and "Excel" in p.expected


@pytest.mark.parametrize("given", ["inf", "-inf", "1e308", float("inf"), "nan"])
def test_money_that_is_no_number_is_refused(given):
    from landplan.errors import SchemaError
    from landplan.validation import validate_layer

    frame = pd.DataFrame(
        {
            "project_id": ["PJ-1"],
            "name": ["x"],
            "stage": ["signed"],
            "investment_wan_yuan": pd.Series([given], dtype=object),
            "land_mu_min": [10.0],
        }
    )
    with pytest.raises(SchemaError) as info:
        validate_layer(frame, "projects")
    (p,) = info.value.problems
    assert (p.feature, p.column) == ("PJ-1", "investment_wan_yuan")


def test_a_status_date_on_the_command_line_takes_the_same_forms(zone_store):
    event = zone_store.set_status("parcels", "P-2", "idle", reason="x", effective="2026年1月5日")
    assert f"{event['effective_date']}" == "2026-01-05"
    with pytest.raises(StoreError, match="'26/1/5' is not a date"):
        zone_store.set_status("parcels", "P-1", "occupied", reason="x", effective="26/1/5")


# --- 14. parcels outside the working CRS's zone --------------------------------------------------


def test_parcels_outside_the_working_zone_are_reported_with_their_area_error(tmp_path, capsys):
    import re as regex

    from landplan.validation import validate_layer

    # A parcel near Shenzhen (114.05°E) in a zone working in CM 111°E (EPSG:4546).
    far = gpd.GeoDataFrame(
        {"parcel_id": ["SZ-1"], "status": ["idle"]},
        geometry=[shapely.box(114.05, 22.55, 114.052, 22.552)],
        crs="EPSG:4490",
    )
    frame = validate_layer(far, "parcels")
    (notice,) = frame.attrs["notices"]
    assert "1 feature(s) lie outside the working CRS's zone (EPSG:4546" in notice
    assert "'EPSG:4547'" in notice  # CGCS2000 3-degree zone CM 114°E
    # The oracle: the same parcel's area in its own zone's projection.
    true_area = far.to_crs("EPSG:4547").area.iloc[0]
    claimed = float(regex.search(r"enlarged by up to ([0-9.]+)%", notice).group(1)) / 100
    assert frame["area_m2"].iloc[0] / true_area - 1 == pytest.approx(claimed, abs=2e-4)
    inside = validate_layer(parcels(), "parcels")
    assert inside.attrs["notices"] == []
    # The import says so too.
    db = tmp_path / "zone.gpkg"
    with open_store(db) as store:
        store.init()
    source = tmp_path / "far.gpkg"
    far.to_file(source)
    code, out, err = run(["import", "parcels", source, "--db", db], capsys)
    assert code in (None, 0), err
    assert "1个要素位于工作坐标系分带（EPSG:4546" in out  # "lie outside the working CRS's zone"


def test_commands_write_only_inside_their_output_folders_whatever_the_ids(
    tmp_path, capsys, monkeypatch
):
    """Every command writing files, on a zone whose ids are paths, device names and dots."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    hostile = ["../../evil", "CON", "地块/1", "..", "x\\..\\y"]
    land = gpd.GeoDataFrame(
        {"parcel_id": hostile, "status": ["state_reserve"] * 5, "land_use": ["M1"] * 5},
        geometry=[shapely.box(X0 + 200 * i, Y0, X0 + 200 * (i + 1), Y0 + 200) for i in range(5)],
        crs="EPSG:4546",
    )
    zone_file = tmp_path / "zone.gpkg"
    land.to_file(zone_file, layer="parcels")
    projects_file = tmp_path / "projects.csv"
    pd.DataFrame(
        {
            "project_id": ["../../../../tmp/pwn", "NUL"],
            "name": ["a", "b"],
            "stage": ["signed", "signed"],
            "investment_wan_yuan": [50000.0, 30000.0],
            "land_mu_min": [40.0, 40.0],
            "land_mu_max": [70.0, 70.0],
        }
    ).to_csv(projects_file, index=False)
    zone = ["--zone", zone_file, "--projects", projects_file]
    before = snapshot(tmp_path)
    commands = [
        ["audit", "--zone", zone_file, "--out", "out/audit", "--as-of", "2026-06-30"],
        ["match", "../../../../tmp/pwn", *zone, "--out", "out/match"],
        ["review", "NUL", *zone, "--out", "out/review"],
        ["allocate", *zone, "--out", "out/allocate"],
        ["capacity", *zone, "--out", "out/capacity", "--start", "2026-07-01"],
        ["map", "project", "NUL", *zone, "--out", "out/map/project.html"],
    ]
    for args in commands:
        code, _, err = run(args, capsys)
        assert code in (None, 0), (args, err)
    after = snapshot(tmp_path)
    new = sorted(set(after) - set(before))
    assert new and all(name.startswith(f"work{os.sep}out{os.sep}") for name in new), new
    assert {k: after[k] for k in before} == before
    assert not Path("/tmp/pwn.xlsx").exists() and not Path("/tmp/pwn.gpkg").exists()


@pytest.mark.postgis
def test_a_held_postgis_lock_gives_a_message_after_a_bounded_wait(postgis_url, capsys, monkeypatch):
    import time

    import sqlalchemy as sa

    with open_store(postgis_url) as store:
        store.init()
        store.import_layer("parcels", parcels())
    monkeypatch.setenv("LANDPLAN_LOCK_TIMEOUT", "0.5")
    holder = sa.create_engine(postgis_url)
    with holder.connect() as conn:
        conn.execute(sa.text("LOCK TABLE parcels IN ACCESS EXCLUSIVE MODE"))
        for args in (
            ["status", "history", "P-1"],
            ["status", "set", "parcel", "P-2", "idle", "--reason", "x"],
        ):
            started = time.monotonic()
            code, _, err = run([*args, "--db", postgis_url], capsys)
            assert time.monotonic() - started < 10
            assert code == 2, err
            assert "another session holds a lock (waited 0.5 s" in err and "Traceback" not in err
        conn.rollback()
    holder.dispose()
    with open_store(postgis_url) as store:
        assert store.status_on("parcels", "2030-01-01")["P-2"] == "state_reserve"


def test_init_refuses_a_geopackage_of_other_layers(tmp_path, capsys):
    other = tmp_path / "地块.gpkg"
    parcels().to_file(other, layer="地块")
    before = snapshot(tmp_path)
    code, _, err = run(["init", "--db", other], capsys)
    assert code == 2 and "Traceback" not in err
    assert "是存有其他图层（地块）的 GeoPackage" in err  # "is a GeoPackage holding other layers"
    assert snapshot(tmp_path) == before
