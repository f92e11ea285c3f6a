"""The command line: readable errors with exit status 2, never a traceback."""

from __future__ import annotations

import pytest

import pyogrio

from landplan.cli import main


@pytest.fixture(autouse=True)
def _english(monkeypatch):
    # These tests read the English lines; tests/test_cli_lang.py reads the Chinese ones.
    monkeypatch.setenv("LANDPLAN_LANG", "en")


def run(args, capsys):
    with pytest.raises(SystemExit) as info:
        main(args)
    out = capsys.readouterr()
    return info.value.code, out.out, out.err


def test_validate_ok(tmp_path, raw_parcels, capsys):
    path = tmp_path / "parcels.gpkg"
    pyogrio.write_dataframe(raw_parcels, path)
    code, out, _ = run(["validate", str(path), "--layer", "parcels"], capsys)
    assert code == 0
    assert "3 parcels, valid" in out
    assert "total area: 45.0 mu" in out


def test_validate_reports_every_problem(tmp_path, raw_parcels, capsys):
    path = tmp_path / "parcels.geojson"
    pyogrio.write_dataframe(raw_parcels.assign(status=["occupied", "idel", "[bold]x"]), path)
    code, _, err = run(["validate", str(path), "--layer", "parcels"], capsys)
    assert code == 2
    assert "Traceback" not in err
    assert "2 problems found" in err
    assert "P-2" in err and "did you mean 'idle'?" in err
    assert "'[bold]x'" in err  # user text is shown literally, not as markup


def test_unknown_layer_and_missing_file(tmp_path, raw_parcels, capsys):
    path = tmp_path / "parcels.gpkg"
    pyogrio.write_dataframe(raw_parcels, path)
    code, _, err = run(["validate", str(path), "--layer", "plots"], capsys)
    assert code == 2
    assert "unknown layer 'plots'; expected one of parcels, buildings" in err
    code, _, err = run(["validate", str(tmp_path / "x.gpkg"), "--layer", "parcels"], capsys)
    assert code == 2 and "no such file" in err
