"""The demo runs end to end on the sample zone and writes what it says it writes."""

from __future__ import annotations

import pandas as pd
import pytest

from landplan.cli import main
from landplan.demo import zone_overview
from landplan.io import read_zone
from landplan.labels import value_label
from landplan.store import open_store


def test_demo_writes_every_file_it_lists(demo_out):
    out, written, steps = demo_out
    assert steps[0] == "sample zone"
    assert all(path.exists() and path.stat().st_size > 0 for _, path in written)
    assert (out / "sample" / "zone.gpkg").exists()
    store = open_store(out / "landplan.gpkg")
    assert store.count("parcels") == 450
    assert store.count("projects") == 19


def test_demo_balances_supply_and_phases_the_avenue(demo_out):
    out, _, steps = demo_out
    assert {"supply and demand", "corridor expansion"} <= set(steps)
    phases = pd.read_excel(out / "corridor" / "corridor.xlsx", sheet_name="分期")
    assert len(phases) == 4  # the sample's breaks 4200;7000;8200 m and the avenue's end
    by_quarter = pd.read_excel(out / "capacity" / "capacity.xlsx", sheet_name="分季度")
    assert by_quarter.iloc[0, 0] == "2026Q3"


def test_overview_matches_the_zone(demo_out):
    out, _, _ = demo_out
    zone = read_zone(out / "sample" / "zone.gpkg", projects=out / "sample" / "projects.csv")
    overview = zone_overview(zone)
    by_status = overview["parcels_by_status"].set_index("status")
    assert by_status["parcels"].sum() == len(zone.parcels) == 450
    assert by_status.loc["idle", "area_mu"] == pytest.approx(
        zone.parcels.loc[zone.parcels["status"] == "idle", "area_mu"].sum()
    )
    assert by_status["area_share"].sum() == pytest.approx(1.0)
    sheet = pd.read_excel(out / "zone_overview.xlsx", sheet_name="分状态地块")
    # the workbook shows each status by its Chinese label
    assert sheet.iloc[:, 0].tolist() == [value_label("status", s) for s in by_status.index]


def test_sample_command(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        main(["sample", "--out", str(tmp_path), "--parcels", "60", "--seed", "7"])
    assert info.value.code == 0
    assert "zone.gpkg" in capsys.readouterr().out
    assert len(read_zone(tmp_path / "zone.gpkg").parcels) == 60
    with pytest.raises(SystemExit) as info:
        main(["sample", "--out", str(tmp_path), "--parcels", "0"])
    assert info.value.code == 2


def test_demo_writes_the_half_year_report(demo_out):
    out, written, steps = demo_out
    assert steps.index("half-year history") < steps.index("maps") < steps.index("half-year report")
    text = (out / "report" / "report.md").read_text(encoding="utf-8")
    assert "2026年上半年，签约引进6个项目" in text and "附录：文中数字来源" in text
    assert "该项目为留用地招商项目" in text
    assert (out / "report-en" / "report.html").exists()
    assert (out / "report" / "report.xlsx") in [path for _, path in written]
    if (out / "maps" / "overview.png").exists():
        page = (out / "report" / "report.html").read_text(encoding="utf-8")
        assert page.count('src="data:image/png;base64,') == 4


def test_demo_plans_the_revitalisation(demo_out):
    out, written, steps = demo_out
    assert steps.index("audit idle and low-efficiency land") < steps.index("revitalisation plan")
    paths = [path for _, path in written]
    assert out / "revitalise" / "revitalise.xlsx" in paths
    assert out / "maps" / "revitalisation.html" in paths
    totals = pd.read_excel(out / "revitalise" / "revitalise.xlsx", sheet_name="汇总")
    assert totals.iloc[-1, 0] == "合计 / total"
