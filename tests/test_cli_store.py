"""The store's commands: init, import, export, status, reserve, release."""

from __future__ import annotations

import pytest

import pyogrio

from landplan.cli import main
from tests._store_data import constraints, parcels, projects


@pytest.fixture(autouse=True)
def _english(monkeypatch):
    # These tests read the English lines; tests/test_cli_lang.py reads the Chinese ones.
    monkeypatch.setenv("LANDPLAN_LANG", "en")


def run(*argv: str) -> int:
    try:
        main(list(argv))
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


@pytest.fixture
def files(tmp_path):
    out = {}
    for name, frame in (
        ("parcels", parcels()),
        ("constraints", constraints()),
        ("projects", projects()),
    ):
        out[name] = tmp_path / f"{name}.gpkg"
        frame.to_file(out[name], layer=name)
    return out


def test_store_workflow(store_url, files, tmp_path, capsys):
    db = ("--db", store_url)
    assert run("init", *db) == 0
    assert "store created" in capsys.readouterr().out
    for name, path in files.items():
        assert run("import", name, str(path), *db) == 0
    assert "5 new" in capsys.readouterr().out
    assert (
        run(
            "status",
            "set",
            "parcel",
            "P-1",
            "occupied",
            "--reason",
            "land transferred",
            "--date",
            "2026-06-30",
            "--who",
            "王工",
            *db,
        )
        == 0
    )
    assert "idle → occupied" in capsys.readouterr().out
    assert run("status", "history", "P-1", *db) == 0
    out = capsys.readouterr().out
    assert "land transferred" in out and "2026-06-30" in out
    assert run("status", "on", "2026-01-01", *db, "--lang", "en") == 0
    assert "idle" in capsys.readouterr().out
    assert run("status", "on", "2026-01-01", *db, "--lang", "zh") == 0
    assert "闲置" in capsys.readouterr().out
    assert (
        run(
            "status",
            "set",
            "project",
            "PR-1",
            "landed",
            "--reason",
            "land handed over",
            "--date",
            "2026-05-20",
            *db,
        )
        == 0
    )
    assert "projects PR-1: signed → landed from 2026-05-20" in capsys.readouterr().out
    assert run("status", "history", "PR-1", *db) == 0
    assert "land handed over" in capsys.readouterr().out
    assert run("reserve", "PR-1", "P-2", "P-5", "--note", "phase 1", *db) == 0
    assert "reserved P-2, P-5 for PR-1" in capsys.readouterr().out
    assert run("reserve", "PR-2", "P-2", "P-4", *db) == 2
    err = capsys.readouterr().err
    assert "P-2: already reserved for project PR-1" in err
    assert "P-4: lies in ecological_red_line C-1" in err
    assert run("release", "PR-1", "P-5", *db) == 0
    assert run("reservations", *db) == 0
    assert "P-2" in capsys.readouterr().out
    out_file = tmp_path / "export.gpkg"
    assert run("export", "parcels", str(out_file), *db) == 0
    assert len(pyogrio.read_dataframe(out_file, layer="parcels")) == 5


def test_import_refuses_to_overwrite_without_a_mode(tmp_path, files, capsys):
    db = ("--db", str(tmp_path / "z.gpkg"))
    run("init", *db)
    assert run("import", "parcels", str(files["parcels"]), *db) == 0
    assert run("import", "parcels", str(files["parcels"]), *db) == 2
    assert "already holds 5 feature(s); choose --replace" in capsys.readouterr().err
    assert run("import", "parcels", str(files["parcels"]), "--replace", "--upsert", *db) == 2


def test_bad_file_reports_every_bad_row_and_writes_nothing(tmp_path, capsys):
    db = ("--db", str(tmp_path / "z.gpkg"))
    run("init", *db)
    bad = parcels()
    bad.loc[1, "status"] = "sold-ish"
    bad.loc[3, "status"] = "gone"
    path = tmp_path / "bad.gpkg"
    bad.to_file(path)
    assert run("import", "parcels", str(path), *db) == 2
    err = capsys.readouterr().err
    assert "nothing was written" in err
    assert "P-2" in err and "P-4" in err and "status" in err
    assert run("export", "parcels", str(tmp_path / "empty.gpkg"), *db) == 0
    assert "wrote 0 parcels" in capsys.readouterr().out


def test_commands_on_a_missing_store_say_how_to_create_it(tmp_path, capsys):
    assert run("status", "history", "P-1", "--db", str(tmp_path / "none.gpkg")) == 2
    assert "landplan init --db" in capsys.readouterr().err
    assert not (tmp_path / "none.gpkg").exists()
