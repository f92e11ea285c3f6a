"""The half-year report, checked against figures computed here from the sample's own files.

The sample's projects file dates each project's stage; the sample's history lands the seed
report's four signed projects (PJ-01..PJ-04) on parcels. The expected figures below are computed
from ``data/sample/projects.csv`` and ``data/sample/zone.gpkg`` with pandas and shapely, not
through landplan's report code.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest

import pyogrio

from landplan.cli import main
from landplan.errors import LandplanError
from landplan.io import read_zone
from landplan.report import (
    TOTAL,
    Figure,
    ReportError,
    half_year_report,
    parse_period,
    report_from_store,
    write_report,
)
from landplan.sample import record_history
from landplan.store import open_store

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
MU_M2 = 10000 / 15
SUPPLY = ["state_reserve", "idle", "low_efficiency", "reserved_leased"]
LANDED = {
    "PJ-01": "2026-04-20",
    "PJ-02": "2026-05-15",
    "PJ-03": "2026-06-10",
    "PJ-04": "2026-06-18",
}


def _store_with_history(url: str):
    zone = read_zone(SAMPLE / "zone.gpkg", projects=SAMPLE / "projects.csv")
    store = open_store(url)
    store.init()
    for name, frame in zone.layers().items():
        if len(frame):
            store.import_layer(name, frame, who="test")
    landings = record_history(store, who="test")
    return store, landings


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory):
    store, landings = _store_with_history(str(tmp_path_factory.mktemp("report") / "zone.gpkg"))
    yield store, landings
    store.close()


@pytest.fixture(scope="module")
def raw():
    """The sample's own tables, read without landplan."""
    projects = pd.read_csv(SAMPLE / "projects.csv", parse_dates=["stage_date"])
    parcels = pyogrio.read_dataframe(SAMPLE / "zone.gpkg", layer="parcels")
    parcels["mu"] = parcels.geometry.area / MU_M2
    buildings = pyogrio.read_dataframe(SAMPLE / "zone.gpkg", layer="buildings")
    return projects, parcels.set_index("parcel_id"), buildings


def _tiny_png() -> bytes:
    """A real 1 x 1 PNG, written with zlib alone."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
        + chunk(b"IEND", b"")
    )


def _between(dates: pd.Series, start: str, end: str) -> pd.Series:
    return (dates >= pd.Timestamp(start)) & (dates <= pd.Timestamp(end))


def _total(report, table: str) -> pd.Series:
    frame = report.tables[table]
    return frame[frame["row"] == TOTAL].iloc[0]


def test_landings_are_the_seed_projects_on_the_named_land(sample_store, raw):
    _, landings = sample_store
    _, parcels, _ = raw
    assert dict(zip(landings["project_id"], landings["landed"].astype(str), strict=True)) == LANDED
    assert landings["parcel_id"].map(parcels["status"]).tolist() == [
        "state_reserve",
        "state_reserve",
        "low_efficiency",
        "reserved_leased",
    ]
    assert parcels.loc[landings["parcel_id"].iloc[3], "tenure"] == "collective"


def test_first_half_of_2026_against_the_sample_files(sample_store, raw):
    store, landings = sample_store
    projects, parcels, buildings = raw
    report = report_from_store(store, period="2026H1")
    h1 = _between(projects["stage_date"], "2026-01-01", "2026-06-30")

    signed = projects[(projects["stage"] == "signed") & h1]
    total = _total(report, "signed_projects")
    assert total["projects"] == len(signed) == 6
    assert total["investment_yi_yuan"] == pytest.approx(signed["investment_wan_yuan"].sum() / 1e4)
    assert total["annual_output_yi_yuan"] == pytest.approx(
        signed["annual_output_wan_yuan"].sum() / 1e4
    )
    sites = landings.set_index("project_id")["parcel_id"]
    assert total["landed"] == len(LANDED)
    assert total["land_mu"] == pytest.approx(parcels.loc[sites, "mu"].sum(), rel=1e-6)
    village = parcels.loc[sites, "tenure"] == "collective"
    assert total["leased_village_land_mu"] == pytest.approx(
        parcels.loc[sites[village.to_numpy()], "mu"].sum(), rel=1e-6
    )
    rows = report.tables["signed_projects"].set_index("row")
    assert set(rows.index) == {*signed["project_id"], TOTAL}
    assert rows.loc["PJ-04", "site_parcels"] == sites["PJ-04"]
    assert rows.loc["PJ-10", "stage_at_end"] == "signed"
    assert pd.isna(rows.loc["PJ-10", "landed_date"])

    pipeline = projects[projects["stage"].isin(["prospect", "framework"]) & h1]
    total = _total(report, "pipeline_by_cluster")
    assert total["projects"] == len(pipeline) == 13
    assert total["investment_wan_yuan"] == pytest.approx(pipeline["investment_wan_yuan"].sum())
    by_cluster = report.tables["pipeline_by_cluster"].set_index("row")["projects"].drop(TOTAL)
    assert by_cluster.to_dict() == pipeline["cluster"].value_counts().to_dict()

    framework = projects[(projects["stage"] == "framework") & h1]
    agreements = report.tables["framework_agreements"].set_index("row")
    assert set(agreements.index) == {*framework["project_id"], TOTAL}
    assert agreements.loc["PJ-06", "agreement_date"] == pd.Timestamp("2026-06-23")
    assert agreements.loc["PJ-05", "agreement_date"] == pd.Timestamp("2026-06-23")

    supply = parcels[parcels["status"].isin(SUPPLY) & ~parcels.index.isin(sites)]
    total = _total(report, "land_supply")
    assert total["parcels"] == len(supply)
    assert total["area_mu"] == pytest.approx(supply["mu"].sum(), rel=1e-6)
    by_status = report.tables["land_supply"].set_index("row")["area_mu"].drop(TOTAL)
    assert by_status.to_dict() == pytest.approx(
        supply.groupby("status")["mu"].sum().reindex(SUPPLY).to_dict(), rel=1e-6
    )

    revitalised = report.tables["revitalised_low_efficiency"]
    assert revitalised["row"].tolist() == [sites["PJ-03"], TOTAL]
    assert _total(report, "revitalised_low_efficiency")["area_mu"] == pytest.approx(
        parcels.loc[sites["PJ-03"], "mu"], rel=1e-6
    )

    spare = buildings[buildings["status"].isin(["vacant", "partly_vacant", "low_efficiency"])]
    assert _total(report, "floor_space")["vacant_area_m2"] == pytest.approx(
        spare["vacant_area_m2"].sum()
    )


def test_april_and_may_count_only_what_happened_then(sample_store, raw):
    store, landings = sample_store
    projects, parcels, _ = raw
    report = report_from_store(store, start="2026-04-01", end="2026-05-31", lang="en")
    in_period = _between(projects["stage_date"], "2026-04-01", "2026-05-31")
    signed = projects[(projects["stage"] == "signed") & in_period]
    assert sorted(signed["project_id"]) == ["PJ-02", "PJ-03", "PJ-04"]
    rows = report.tables["signed_projects"].set_index("row")
    assert set(rows.index) == {*signed["project_id"], TOTAL}
    # PJ-02 landed on 15 May; PJ-03 and PJ-04 landed in June, after the period.
    assert rows.loc[TOTAL, "landed"] == 1
    assert rows.loc["PJ-03", "stage_at_end"] == "signed"
    sites = landings.set_index("project_id")["parcel_id"]
    assert rows.loc[TOTAL, "land_mu"] == pytest.approx(parcels.loc[sites["PJ-02"], "mu"], rel=1e-6)
    assert rows.loc[TOTAL, "leased_village_land_mu"] == 0
    # Parcels landed on after 31 May were still supply then; PJ-01's and PJ-02's were not.
    gone = sites[["PJ-01", "PJ-02"]]
    supply = parcels[parcels["status"].isin(SUPPLY) & ~parcels.index.isin(gone)]
    assert _total(report, "land_supply")["area_mu"] == pytest.approx(supply["mu"].sum(), rel=1e-6)
    assert report.tables["revitalised_low_efficiency"]["row"].tolist() == [TOTAL]
    assert "No low-efficiency land was revitalised in the period." in report.to_markdown()
    # Projects that entered the pipeline after the period are not in it.
    later = projects[projects["stage_date"] > pd.Timestamp("2026-05-31")]["project_id"]
    assert not set(report.tables["pipeline_projects"]["row"]) & set(later)


def test_every_number_in_the_text_is_a_cell_of_its_table(sample_store):
    store, _ = sample_store
    for lang in ("zh", "en"):
        report = report_from_store(store, period="2026H1", lang=lang)
        figures = report.figures()
        assert len(figures) > 40
        for fig in figures:
            table = report.tables[fig.table]
            cell = table.loc[table["row"] == fig.row, fig.column]
            assert len(cell) == 1, fig
            assert cell.iloc[0] == fig.value
        notes = report.notes()
        assert len(notes) == len(figures)
        markdown = report.to_markdown(markers=True)
        for number in notes["note"].unique():
            assert f"[^{number}]:" in markdown
        # without markers the text reads clean, and the appendix traces every number
        clean = report.to_markdown()
        _, appendix = clean.split("\n## 附录：文中数字来源\n" if lang == "zh" else "\n## Appendix")
        assert "[^" not in clean
        listed = re.findall(r"^(\d+)\. ", appendix, flags=re.MULTILINE)
        assert [int(n) for n in listed] == sorted(notes["note"].unique())
        page = report.to_html()
        assert "<sup>" not in page and page.count("<li>") == notes["note"].nunique()
        assert report.to_html(markers=True).count("<sup>") == len(figures)


def test_chinese_text_follows_the_seed_report(sample_store):
    store, _ = sample_store
    report = report_from_store(store, period="2026H1")
    text = report.to_markdown(markers=True)
    assert report.title == "2026年上半年招商引资与土地供应情况"
    assert "2026年上半年，签约引进6[^1]个项目，计划投资19.5[^1]亿元" in text
    assert "该项目为留用地招商项目，共租用留用地" in text
    assert "于6月23日签订框架协议" in text
    assert "本期盘活低效用地1[^" in text


def test_files_are_written_and_user_text_is_escaped(sample_store, tmp_path):
    store, _ = sample_store
    zone = store.load_zone()
    zone.projects.loc[zone.projects["project_id"] == "PJ-01", "name"] = (
        "<script>alert('x')</script> | *项目*"
    )
    report = half_year_report(
        zone, store.status_events(), reservations=store.reservations(), period="2026H1"
    )
    picture = tmp_path / "maps" / "overview.png"
    picture.parent.mkdir()
    picture.write_bytes(_tiny_png())
    paths = write_report(report, tmp_path / "out", images={"总览 <图>": picture})
    page = paths["html"].read_text(encoding="utf-8")
    assert "<script>" not in page
    # the tables and notes are shown as a reader reads them: labels, not identifiers
    import re

    seen = re.sub(r"<[^>]*>", " ", page.split("<body>", 1)[1])
    for ident in ("metal_smart_manufacturing", "state_reserve", "investment_yi_yuan"):
        assert ident not in seen
    assert "<th>计划投资(亿元)</th>" in page and "<td>金属智造</td>" in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert 'src="data:image/png;base64,iVBORw0KGgo' in page
    assert "总览 &lt;图&gt;" in page
    markdown = paths["markdown"].read_text(encoding="utf-8")
    assert r"\<script\>alert('x')\</script\> \| \*项目\*" in markdown
    assert r"![总览 \<图\>](../maps/overview.png)" in markdown
    sheets = pd.read_excel(paths["xlsx"], sheet_name=None)
    assert list(sheets)[:3] == ["主要数据", "签约项目", "储备项目"]
    assert len(sheets["主要数据"]) == len(report.figures())
    figures = sheets["主要数据"]
    assert figures["table_title / 表名"].iloc[0] == "签约项目"
    assert figures["column_label / 列名"].iloc[0] == "项目数"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"period": "2026Q1"}, "period '2026Q1' is not a half year; expected YYYYH1"),
        ({}, "a report needs a period: --period 2026H1, or both --from and --to"),
        ({"start": "2026-06-30", "end": "2026-01-01"}, "ends \\(2026-01-01\\) before it starts"),
        ({"start": "2026-13-01", "end": "2026-12-31"}, "the start date '2026-13-01' is not a date"),
        ({"period": "2026H1", "start": "2026-01-01"}, "not both"),
    ],
)
def test_bad_periods_say_what_is_expected(args, message):
    with pytest.raises(ReportError, match=message):
        parse_period(**args)
    assert issubclass(ReportError, LandplanError)


def test_second_half_and_custom_periods():
    assert parse_period("2025h2").start == dt.date(2025, 7, 1)
    assert parse_period("2025H2").name("zh") == "2025年下半年"
    custom = parse_period(start="2026-04-01", end="2026-05-31")
    assert custom.name("zh") == "2026年4月1日至2026年5月31日"


@pytest.mark.postgis
def test_report_from_postgis(postgis_url):
    store, _ = _store_with_history(postgis_url)
    try:
        report = report_from_store(store, period="2026H1")
        assert _total(report, "signed_projects")["landed"] == len(LANDED)
        assert isinstance(report.figures()[0], Figure)
    finally:
        store.close()


def test_report_command(sample_store, tmp_path, capsys):
    store, _ = sample_store
    with pytest.raises(SystemExit) as info:
        main(
            [
                "report",
                "--period",
                "2026H1",
                "--lang",
                "en",
                "--no-maps",
                "--db",
                store.location,
                "--out",
                str(tmp_path),
            ]
        )
    assert info.value.code in (0, None)
    assert "Investment attraction and land supply, the first half of 2026" in (
        capsys.readouterr().out
    )
    assert (tmp_path / "report.html").exists()
    with pytest.raises(SystemExit) as info:
        main(["report", "--period", "H1", "--db", store.location, "--out", str(tmp_path)])
    assert info.value.code == 2
    assert "不是半年" in capsys.readouterr().err


@pytest.mark.browser
def test_report_with_the_maps_of_the_period(sample_store, tmp_path, capsys):
    from landplan.maps import MapError, find_browser

    try:
        find_browser()
    except MapError as exc:
        pytest.skip(f"no Chromium to draw the report's maps: {exc}")
    store, _ = sample_store
    with pytest.raises(SystemExit) as info:
        main(["report", "--period", "2026H1", "--db", store.location, "--out", str(tmp_path)])
    assert info.value.code in (0, None)
    assert (tmp_path / "map_overview.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "map_corridor.png").exists()
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert (tmp_path / "map_audit.png").exists()
    assert (tmp_path / "map_revitalisation.png").exists()
    assert page.count('src="data:image/png;base64,') == 4
    assert "](map_overview.png)" in (tmp_path / "report.md").read_text(encoding="utf-8")


def test_corridor_phases_of_the_period(sample_store):
    from landplan.corridor import corridor

    store, _ = sample_store
    report = report_from_store(store, period="2026H1")
    phases = report.tables["corridor_phases"]
    # At the end of 2026H1 the zone is as the store holds it now.
    expected = corridor(store.load_zone()).phases
    assert phases["developable_mu"].iloc[:-1].tolist() == pytest.approx(
        expected["developable_mu"].tolist()
    )
    assert _total(report, "corridor_phases")["developable_mu"] == pytest.approx(
        expected["developable_mu"].sum()
    )
    assert "沿新城大道东扩4期剩余可开发土地" in report.to_markdown()


def test_idle_land_actions_due_come_from_the_audit_clock(sample_store):
    from landplan.audit import audit

    store, _ = sample_store
    report = report_from_store(store, period="2026H1")
    due = audit(store.load_zone(), as_of=dt.date(2026, 6, 30)).deadlines
    table = report.tables["idle_actions_due"]
    assert table["parcel_id"].iloc[:-1].tolist() == due["parcel_id"].tolist()
    assert _total(report, "idle_actions_due")["area_mu"] == pytest.approx(
        due.drop_duplicates("parcel_id")["area_mu"].sum()
    )
    assert (pd.to_datetime(due["deadline"]) > pd.Timestamp("2026-06-30")).all()


# --- a zone's first report: nothing landed, no events, no enterprises -----------------------------

_FRESH_LAYERS = ("parcels", "buildings", "constraints", "corridors", "substations", "roads")


def _fresh_store(url: str, *, projects: bool):
    """A store built as docs/store.md says: ``init``, then ``import`` of each sample layer."""
    store = open_store(url)
    store.init()
    zone = read_zone(SAMPLE / "zone.gpkg", projects=SAMPLE / "projects.csv")
    for name in _FRESH_LAYERS:
        store.import_layer(name, getattr(zone, name), who="test")
    if projects:
        # Stages as the office first keys them in: nobody has landed yet.
        early = zone.projects.assign(stage="signed")
        store.import_layer("projects", early, who="test")
    return store


@pytest.mark.parametrize("projects", [False, True], ids=["no-projects", "none-landed"])
def test_first_report_of_a_fresh_store_says_what_is_not_there(store_url, projects, tmp_path):
    store = _fresh_store(store_url, projects=projects)
    try:
        report = report_from_store(store, period="2026H1")
        write_report(report, tmp_path)
    finally:
        store.close()
    text = "".join(
        p if isinstance(p, str) else p.text
        for s in report.sections
        for para in s.paragraphs
        for p in para
    )
    assert "本期无" in text
    assert _total(report, "signed_projects")["landed"] == 0
    assert _total(report, "land_supply")["parcels"] > 0
    assert (tmp_path / "report.xlsx").exists()


def test_report_command_on_a_fresh_store(tmp_path, capsys):
    location = str(tmp_path / "zone.gpkg")
    _fresh_store(location, projects=True).close()
    with pytest.raises(SystemExit) as info:
        main(
            ["report", "--period", "2026H1", "--no-maps", "--db", location, "--out", str(tmp_path)]
        )
    captured = capsys.readouterr()
    assert info.value.code in (0, None), captured.err
    assert "Traceback" not in captured.err
