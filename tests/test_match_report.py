"""Project files, the review and match outputs (XLSX, GeoPackage) and the commands."""

from __future__ import annotations

import pandas as pd
import pytest

import pyogrio
import shapely

from landplan.cli import main
from landplan.errors import ReadError
from landplan.io import read_projects

PROJECT_TOML = """
[project]
project_id = "J-9"
"项目名称" = "机械智造项目"
stage = "已签约"
cluster = "机械装备"
investment_wan_yuan = 20000.0
fixed_investment_wan_yuan = 12000.0
land_mu_min = 45.0
land_mu_max = 50.0
"""


def run(args, capsys):
    with pytest.raises(SystemExit) as info:
        main(args)
    out = capsys.readouterr()
    return info.value.code, out.out, out.err


def test_read_projects_from_toml_in_any_spelling(tmp_path):
    path = tmp_path / "project.toml"
    path.write_text(PROJECT_TOML, encoding="utf-8")
    frame = read_projects(path)
    row = frame.iloc[0]
    assert (row["project_id"], row["name"], row["stage"], row["cluster"]) == (
        "J-9",
        "机械智造项目",
        "signed",
        "machinery_equipment",
    )
    assert row["land_mu_max"] == pytest.approx(50.0)
    many = tmp_path / "many.toml"
    many.write_text(
        '[[projects]]\nproject_id = "A"\nname = "a"\nstage = "signed"\n'
        "investment_wan_yuan = 1.0\nland_mu_min = 5.0\n"
        '[[projects]]\nproject_id = "B"\nname = "b"\nstage = "prospect"\n'
        "investment_wan_yuan = 2.0\nland_mu_min = 6.0\n",
        encoding="utf-8",
    )
    assert read_projects(many)["project_id"].tolist() == ["A", "B"]


def test_read_projects_says_what_a_toml_file_should_hold(tmp_path):
    path = tmp_path / "empty.toml"
    path.write_text("[project]\n", encoding="utf-8")
    with pytest.raises(ReadError, match=r"no project found; expected top-level project keys"):
        read_projects(path)


def test_match_command_writes_workbook_and_sites(tmp_path, capsys):
    args = ["match", "PJ-03", "--top", "5", "--out", str(tmp_path)]
    code, out, err = run([*args, "--lang", "en"], capsys)
    assert code == 0, err
    assert "PJ-03" in out and "rejected: status" in out
    book = pd.read_excel(tmp_path / "match_PJ-03.xlsx", sheet_name=None)
    assert list(book) == ["demand", "review", "candidates", "rejections", "rejections_by_rule"]
    table = book["candidates"]
    assert len(table) == 5
    # in English the headers are the identifiers and the reasons English
    assert "score_total" in table.columns
    assert table["reasons"].str.contains(" mu for ").all()
    sites = pyogrio.read_dataframe(tmp_path / "match_PJ-03.gpkg", layer="candidates")
    assert sites["candidate_id"].tolist() == table["candidate_id"].tolist()
    assert set(sites.geom_type) <= {"Polygon", "MultiPolygon"}
    # the GeoPackage's polygons have the areas the table reports (cut-outs included)
    land = sites["kind"] != "floor_space"
    assert shapely.area(sites.geometry[land].values) == pytest.approx(
        sites.loc[land, "area_m2"].to_numpy(), rel=0.01
    )
    rejected = pyogrio.read_dataframe(tmp_path / "match_PJ-03.gpkg", layer="rejected")
    assert len(rejected) and "status" not in set(rejected["rule"])


def test_match_explain_and_review_from_a_project_file(tmp_path, capsys):
    path = tmp_path / "project.toml"
    path.write_text(PROJECT_TOML, encoding="utf-8")
    code, out, err = run(["match", "--project-file", str(path), "--explain", "P-0001"], capsys)
    assert code == 0, err
    assert out.startswith("P-0001（项目J-9）：\n- 未推荐，规则“用地状态不可供应”：用地状态为在建")
    args = ["match", "--project-file", str(path), "--explain", "P-0001", "--lang", "en"]
    code, out, err = run(args, capsys)
    assert code == 0, err
    assert "P-0001 for J-9:" in out
    assert "not offered by rule status: status under_construction" in out
    code, out, err = run(["review", "--project-file", str(path), "--out", str(tmp_path)], capsys)
    assert code == 0, err
    # 12000 万元 / 50 mu = 240 万元/亩 ≥ 200
    assert "240" in out
    verdict = pd.read_excel(tmp_path / "review_J-9.xlsx", sheet_name="评审结论")
    assert verdict.iloc[0, 0] == "评审结论"
    assert verdict.iloc[0, 1] in ("准予入园", "附条件入园", "不予入园")


def test_unknown_project_is_a_clear_error(capsys):
    code, _, err = run(["review", "PJ-99"], capsys)
    assert code == 2
    assert "没有项目「PJ-99」；应为 PJ-01" in err  # "no project 'PJ-99'; expected one of PJ-01"


def test_review_site_area_option(capsys):
    # PJ-03: fixed investment 17000 万元 on 100 mu = 170 万元/亩, below 200: rejected
    code, out, _ = run(["review", "PJ-03", "--site-mu", "100", "--lang", "en"], capsys)
    assert code == 0
    assert "reject" in out
    assert f"{17000 / 100:,.1f}" in out


def test_review_and_match_print_chinese_by_default(capsys):
    code, out, _ = run(["review", "PJ-03", "--site-mu", "100"], capsys)
    assert code == 0
    assert "PJ-03 入园评审：不予入园" in out
    assert "投资强度大" in out and "industrial_leverage" not in out
    code, out, _ = run(["match", "PJ-03", "--top", "3"], capsys)
    assert code == 0
    assert "未入选（按规则）：用地状态不可供应" in out
    code, _, err = run(["review", "PJ-03", "--lang", "fr"], capsys)
    assert code == 2 and "--lang 应为 zh 或 en，而不是 'fr'" in err


def test_version(capsys):
    from landplan import __version__

    code, out, _ = run(["--version"], capsys)
    assert code == 0 and out.strip() == f"landplan {__version__}"


def test_demo_reviews_and_matches_the_report_projects(demo_out):
    from landplan.demo import REPORT_PROJECTS

    out, steps_written, _ = demo_out
    written = {path.name: step for step, path in steps_written}
    assert written["match_summary.xlsx"] == "review and match the report's projects"
    summary = pd.read_excel(out / "match" / "match_summary.xlsx")
    assert summary.iloc[:, 0].tolist() == list(REPORT_PROJECTS)
    assert {f"match_{p}.gpkg" for p in REPORT_PROJECTS} <= set(written)


def test_match_reads_the_zone_from_a_store(tmp_path, capsys):
    from landplan.io import read_zone
    from landplan.store import open_store

    sample = read_zone("data/sample/zone.gpkg", projects="data/sample/projects.csv")
    store = open_store(tmp_path / "zone.gpkg")
    store.init()
    for name, frame in sample.layers().items():
        if len(frame):
            store.import_layer(name, frame, mode="replace", source=f"sample:{name}", who="test")
    code, out, err = run(
        ["match", "PJ-02", "--db", str(tmp_path / "zone.gpkg"), "--top", "3"], capsys
    )
    assert code == 0, err
    _, from_file, _ = run(["match", "PJ-02", "--top", "3"], capsys)
    # the same zone through the store gives the same ranking
    assert out == from_file
