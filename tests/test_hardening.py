"""Hostile and unlucky input: nothing lost, nothing written outside its place, no traceback."""

from __future__ import annotations

import dataclasses
import hashlib
import os
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import geopandas as gpd
import shapely

from landplan.cli import main
from landplan.errors import OutputError
from landplan.match import match
from landplan.match_report import write_match, write_review
from landplan.outputs import check_replace, output_path, safe_stem
from landplan.review import review
from landplan.store import open_store
from landplan.tables import write_workbook
from landplan.zone import Zone
from tests._store_data import constraints, parcels, projects

X0, Y0 = 602_600.0, 2_533_800.0


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
    assert {k: v for k, v in after.items() if not k.startswith("out")} == {
        **before,
        "p.toml": after["p.toml"],
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
    assert code == 2 and "is a landplan store" in err and "Traceback" not in err
    code, _, err = run(["demo", "--out", tmp_path], capsys)
    assert code == 2 and "a store the demo did not create" in err
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
