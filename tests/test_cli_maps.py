"""`landplan map KIND`: every kind of map from the command line, on the sample zone."""

from __future__ import annotations

import pytest

from landplan.cli import main


def run(args, capsys):
    with pytest.raises(SystemExit) as info:
        main(args)
    out = capsys.readouterr()
    return info.value.code, out.out, out.err


@pytest.mark.parametrize(
    ("args", "layer"),
    [
        (["audit", "--as-of", "2026-06-30"], "LE-FAR"),
        (["project", "PJ-06", "--top", "5"], "地块分割"),
        (["allocation"], "PJ-06"),
        (["corridor", "--lang", "en"], "Phase"),
    ],
)
def test_map_kinds(tmp_path, monkeypatch, capsys, args, layer):
    monkeypatch.chdir(tmp_path)  # no store here: the sample zone is used
    out = tmp_path / "m.html"
    code, stdout, err = run(["map", *args, "--out", str(out)], capsys)
    assert code == 0, err
    en = "--lang" in args
    assert ("using the sample zone" if en else "使用示例园区") in err.replace("\n", "")
    assert f"{'wrote' if en else '已写出'} {out}" in stdout
    page = out.read_text(encoding="utf-8")
    assert layer in page
    assert "https://unpkg.com" not in page and "cdn.jsdelivr" not in page


def test_project_map_needs_its_project(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(["map", "project", "--out", str(tmp_path / "m.html")], capsys)
    assert code == 2
    assert "项目图须给出项目" in err  # "a project map needs its project"
    code, _, err = run(["map", "project", "PJ-99", "--out", str(tmp_path / "m.html")], capsys)
    assert code == 2
    assert "没有项目「PJ-99」" in err  # "no project 'PJ-99'"
