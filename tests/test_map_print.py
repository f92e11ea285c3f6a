"""Print-ready maps: sheets measured in their PDF, and checked in headless Chromium in print mode.

Paper sizes in points, written out: A3 landscape 420 x 297 mm = 1190.6 x 841.9 pt, A4 landscape
297 x 210 mm = 841.9 x 595.3 pt.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from landplan import maps
from landplan.audit import audit
from landplan.maps.sheet import print_map

from .test_maps import map_zone

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def chromium():
    try:
        return maps.find_browser()
    except maps.MapError as exc:
        pytest.skip(f"no Chromium to print maps with: {exc}")


@pytest.fixture(scope="module")
def page_file(tmp_path_factory):
    return maps.save_map(maps.overview_map(map_zone()), tmp_path_factory.mktemp("p") / "m.html")


def _media_boxes(path) -> list[tuple[float, float]]:
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", path.read_bytes())
    return [(float(w), float(h)) for w, h in boxes]


@pytest.mark.parametrize(("paper", "size"), [("A3", (1190.6, 841.9)), ("A4", (841.9, 595.3))])
def test_pdf_sheet_is_one_landscape_page_of_the_paper(chromium, page_file, tmp_path, paper, size):
    path = print_map(page_file, tmp_path / "m.pdf", paper=paper, issuer="招商办", lang="zh")
    boxes = _media_boxes(path)
    assert len(boxes) == 1
    assert boxes[0] == pytest.approx(size, abs=1.5)


def test_png_sheet_has_the_paper_proportions(chromium, page_file, tmp_path):
    path = print_map(page_file, tmp_path / "m.png", paper="A4", scale=1)
    data = path.read_bytes()
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width / height == pytest.approx(297 / 210, rel=0.01)


def test_print_mode_has_title_block_north_arrow_metric_scale_and_no_controls(chromium, page_file):
    info = {
        "title": "开发区用地总览",
        "rows": [
            ["编制单位", "招商办"],
            ["编制日期", "2026年7月10日"],
            ["数据截至", "2026年6月30日"],
        ],
        "north": "北",
        "north_letter": "N",
    }
    with sync_api.sync_playwright() as p:
        engine = p.chromium.launch(executable_path=chromium, args=list(maps.CHROMIUM_ARGS))
        try:
            page = engine.new_page(viewport={"width": 1587, "height": 1123})
            page.route("http*://**", lambda route: route.abort())
            page.goto(page_file.resolve().as_uri())
            page.wait_for_function("window.landplan && window.landplan.ready === true")
            page.emulate_media(media="print")
            page.evaluate("info => landplan.print(landplan.map, info)", info)
            state = page.evaluate(
                """() => {
                  const shown = s => [...document.querySelectorAll(s)].some(
                    n => getComputedStyle(n).display !== 'none');
                  const map = landplan.map.getContainer().getBoundingClientRect();
                  const legend = document.querySelector('.lp-legend').getBoundingClientRect();
                  return {
                    controls: ['.leaflet-control-zoom', '.leaflet-control-layers',
                               '.lp-fullscreen', '.lp-measure'].filter(shown),
                    block: [...document.querySelectorAll('.lp-title-block th')]
                             .map(n => n.textContent),
                    title: document.querySelector('.lp-print-title').textContent,
                    north: !!landplan.map.getContainer().querySelector('.lp-north'),
                    scale: [...document.querySelectorAll('.leaflet-control-scale-line')]
                             .map(n => n.textContent),
                    legendOutside: legend.left >= map.right,
                    errors: landplan.errors,
                  };
                }"""
            )
        finally:
            engine.close()
    assert state["controls"] == []
    assert state["block"] == ["编制单位", "编制日期", "数据截至"]
    assert state["title"] == "开发区用地总览"
    assert state["north"]
    assert len(state["scale"]) == 1 and re.fullmatch(r"\d+ k?m", state["scale"][0])
    assert state["legendOutside"]
    assert state["errors"] == []


def test_bad_paper_and_suffix_are_refused(page_file, tmp_path):
    with pytest.raises(maps.MapError, match="expected paper 'A3' or 'A4'"):
        print_map(page_file, tmp_path / "m.pdf", paper="A0")
    with pytest.raises(maps.MapError, match=r"expected a \.pdf or \.png"):
        print_map(page_file, tmp_path / "m.svg")


def test_audit_popup_speaks_in_words(tmp_path):
    zone = map_zone()
    result = audit(zone, as_of="2026-06-30")
    m = maps.audit_map(zone, result)
    page = m.get_root().render()
    assert "imperial: false" in page
    layers = [c for c in m._children.values() if isinstance(c, maps.DataLayer)]
    part = layers[0].data["parts"][0]
    fields = part["fields"]
    assert "闲置土地计时" in fields and "面积" in fields
    assert not any(re.fullmatch(r"[a-z_]+", f) for f in fields), fields
    values = dict(zip(fields, part["values"], strict=True))
    assert all(v is None or "-" not in v.split("（")[0] for v in values["闲置土地计时"])
    assert all(v is None or ("m²" in v and "亩" in v) for v in values["面积"])


def test_idle_land_and_vacant_buildings_have_their_own_colours():
    assert maps.PARCEL_COLOURS["idle"] != maps.BUILDING_COLOURS["vacant"]
    assert pd.Series(maps.BUILDING_COLOURS).is_unique


def test_map_command_prints_a_sheet(chromium, tmp_path, capsys):
    from landplan.cli import main

    out = tmp_path / "overview"
    with pytest.raises(SystemExit) as info:
        main(
            [
                "map",
                "overview",
                "--out",
                f"{out}.html",
                "--pdf",
                f"{out}.pdf",
                "--paper",
                "A4",
                "--issuer",
                "新城产业园区招商办公室",
            ]
        )
    assert info.value.code in (0, None), capsys.readouterr().err
    assert _media_boxes(tmp_path / "overview.pdf")[0] == pytest.approx((841.9, 595.3), abs=1.5)
