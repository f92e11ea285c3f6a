"""Maps in a real browser: headless Chromium, network off except for (stubbed) tiles."""

from __future__ import annotations

import base64
import fnmatch
from urllib.parse import urlsplit

import pandas as pd
import pytest

import geopandas as gpd
from pyproj import Geod
from shapely import box

from landplan import maps
from landplan.policy import Policy
from landplan.units import MU_M2

from .conftest import X0, Y0
from .test_maps import OVERVIEW_COUNTS, XSS, map_zone

pytestmark = pytest.mark.browser

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

# A 1x1 transparent PNG served for every tile, so the tile layers work without a network.
BLANK_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


@pytest.fixture(scope="module")
def browser():
    try:
        executable = maps.find_browser()
    except maps.MapError as exc:
        pytest.skip(f"no Chromium to test maps in: {exc}")
    with sync_api.sync_playwright() as p:
        engine = p.chromium.launch(executable_path=executable, args=list(maps.CHROMIUM_ARGS))
        yield engine
        engine.close()


# screenshot() runs its own Playwright session, which cannot start while the module's browser
# fixture holds one in this thread: this test comes first, before the fixture is created.
def test_screenshot_writes_a_png(tmp_path):
    try:
        maps.find_browser()
    except maps.MapError as exc:
        pytest.skip(f"no Chromium to test maps in: {exc}")
    html_path = maps.save_map(maps.overview_map(map_zone()), tmp_path / "m.html")
    png = maps.screenshot(html_path, tmp_path / "m.png", width=640, height=480)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(data[16:20], "big") == 640


class Visit:
    """A page opened with every request recorded; tiles stubbed, everything else refused."""

    def __init__(self, browser, path):
        self.tile_hosts = maps.tile_hosts()
        self.refused: list[str] = []
        self.tiles: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.context = browser.new_context(viewport={"width": 1000, "height": 700})
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on(
            "console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None
        )
        self.page.on("dialog", self._dialog)
        self.page.goto(path.as_uri())
        self.page.wait_for_function("window.landplan && window.landplan.ready === true")

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route):
        url = route.request.url
        scheme = urlsplit(url).scheme
        host = urlsplit(url).hostname or ""
        if scheme in ("file", "data"):
            route.continue_()
        elif any(fnmatch.fnmatch(host, pattern) for pattern in self.tile_hosts):
            self.tiles.append(url)
            route.fulfill(status=200, content_type="image/png", body=BLANK_PNG)
        else:
            self.refused.append(url)
            route.abort()

    def eval(self, script, arg=None):
        return self.page.evaluate(script, arg)

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, tmp_path):
    opened = []

    def open_map(m, name="map.html"):
        v = Visit(browser, maps.save_map(m, tmp_path / name))
        opened.append(v)
        return v

    yield open_map
    for v in opened:
        v.close()


COUNT_LAYERS = """() => Object.fromEntries(Object.entries(landplan.layers).map(
    ([name, group]) => [name, group.getLayers().length]))"""

# Features actually on the map: each has been added to the map and to a renderer.
COUNT_DRAWN = """(name) => landplan.layers[name].getLayers().filter(
    (l) => l._map && l._renderer && (l._path || l._renderer instanceof L.Canvas)).length"""


def test_overview_draws_every_feature_without_errors_or_requests(visit):
    v = visit(maps.overview_map(map_zone()))
    assert v.errors == []
    assert v.eval(COUNT_LAYERS) == OVERVIEW_COUNTS
    for name, count in OVERVIEW_COUNTS.items():
        assert v.eval(COUNT_DRAWN, name) == count
    # SVG below the canvas threshold: one path per feature in the DOM
    assert v.eval("document.querySelectorAll('path.leaflet-interactive').length") == 10
    assert v.refused == []
    assert v.tiles  # the basemap asked for tiles, and only tiles went out


def test_legend_scale_and_controls_present(visit):
    v = visit(maps.overview_map(map_zone(), lang="en"))
    legend = v.eval("document.querySelector('.lp-legend').textContent")
    assert "Parcels by status" in legend and "idle (1)" in legend
    for selector in (
        ".leaflet-control-scale",
        ".leaflet-control-layers",
        ".lp-fullscreen a",
        ".lp-measure a",
    ):
        assert v.eval(f"!!document.querySelector({selector!r})"), selector


def click_feature(v, layer, index):
    """Click the middle of a drawn polygon, as a user would."""
    point = v.eval(
        """([name, i]) => {
            const layer = landplan.layers[name].getLayers()[i];
            const p = landplan.map.latLngToContainerPoint(layer.getCenter());
            const box = landplan.map.getContainer().getBoundingClientRect();
            return [p.x + box.left, p.y + box.top];
        }""",
        [layer, index],
    )
    v.page.mouse.click(*point)
    v.page.wait_for_selector(".leaflet-popup-content")
    return v.eval("document.querySelector('.leaflet-popup-content')")


@pytest.mark.parametrize("canvas", [False, True], ids=["svg", "canvas"])
def test_click_opens_popup_with_markup_shown_as_text(visit, canvas):
    policy = Policy.default().replace(**{"maps.canvas_min_features": 0 if canvas else 10**6})
    m = maps.overview_map(map_zone(policy))
    # buildings and roads off, so the click lands on the parcel
    v = visit(m)
    v.eval("landplan.map.removeLayer(landplan.layers['厂房（按状态）'])")
    assert v.eval("!!document.querySelector('canvas')") is canvas
    click_feature(v, "地块（按状态）", 0)
    text = v.eval("document.querySelector('.leaflet-popup-content').textContent")
    assert XSS in text
    assert v.eval("document.querySelectorAll('.leaflet-popup-content img').length") == 0
    assert v.dialogs == []
    assert v.errors == []


def test_template_literal_in_data_is_inert(visit):
    v = visit(maps.overview_map(map_zone()))
    v.eval("landplan.map.removeLayer(landplan.layers['厂房（按状态）'])")
    click_feature(v, "地块（按状态）", 1)
    text = v.eval("document.querySelector('.leaflet-popup-content').textContent")
    assert "`${alert(2)}`" in text
    assert v.dialogs == []


def test_measure_control_reports_geodesic_length_and_area(visit):
    v = visit(maps.overview_map(map_zone(), lang="en"))
    corners = gpd.GeoSeries(
        gpd.points_from_xy([X0, X0 + 300, X0 + 300], [Y0, Y0, Y0 + 100]), crs="EPSG:4546"
    ).to_crs("EPSG:4326")
    v.page.click(".lp-measure a")
    for pt in corners:
        v.eval(
            "([lat, lng]) => landplan.map.fire('click', {latlng: L.latLng(lat, lng)})",
            [pt.y, pt.x],
        )
    state = v.eval(
        "({l: landplan.measureControl.state.length_m, a: landplan.measureControl.state.area_m2})"
    )
    geod = Geod(ellps="WGS84")
    lons, lats = corners.x.to_list(), corners.y.to_list()
    length = geod.line_length(lons, lats)
    area = abs(geod.polygon_area_perimeter(lons, lats)[0])
    assert state["l"] == pytest.approx(length, rel=0.005)  # 400 m on the ground
    assert state["a"] == pytest.approx(area, rel=0.01)  # 15 000 m²
    readout = v.eval("document.querySelector('.lp-measure-readout').textContent")
    assert f"{state['a'] / MU_M2:.1f} mu" in readout


def test_fullscreen_button_enters_fullscreen(visit):
    v = visit(maps.overview_map(map_zone()))
    v.page.click(".lp-fullscreen a")
    v.page.wait_for_function("document.fullscreenElement !== null")
    assert v.eval("document.fullscreenElement === landplan.map.getContainer()")


def test_amap_requests_only_amap_tiles(visit):
    v = visit(maps.overview_map(map_zone(), basemap="amap"))
    assert v.refused == []
    assert v.tiles and all("autonavi.com" in url for url in v.tiles)
    assert v.errors == []


def test_analysis_maps_open_cleanly(visit):
    zone = map_zone()
    audit = {
        "parcels": pd.DataFrame({"parcel_id": ["P-1", "P-2"], "per_mu_class": ["A", "D"]}),
        "flags": pd.DataFrame({"parcel_id": ["P-2"], "rule": ["r"], "reason": [XSS]}),
    }
    candidates = gpd.GeoDataFrame(
        {"rank": [1], "kind": ["single"], "score": [1.0]},
        geometry=[box(X0, Y0, X0 + 100, Y0 + 100)],
        crs="EPSG:4546",
    )
    allocation = pd.DataFrame({"parcel_id": ["P-1"], "project_id": ["J-1"]})
    for name, m in {
        "audit": maps.audit_map(zone, audit),
        "project": maps.project_map(zone, candidates, {"name": XSS}),
        "allocation": maps.allocation_map(zone, allocation),
        "corridor": maps.corridor_map(zone),
    }.items():
        v = visit(m, f"{name}.html")
        assert v.errors == [], name
        assert v.refused == [], name
        assert v.eval("!!document.querySelector('.lp-legend')"), name


def test_project_labels_drawn(visit):
    candidates = gpd.GeoDataFrame(
        {"rank": [1, 2], "kind": ["single", "assembly"], "score": [1.0, 0.5]},
        geometry=[box(X0, Y0, X0 + 100, Y0 + 100), box(X0 + 100, Y0, X0 + 300, Y0 + 100)],
        crs="EPSG:4546",
    )
    v = visit(maps.project_map(map_zone(), candidates, {"name": "p"}))
    labels = v.eval("[...document.querySelectorAll('.lp-label')].map((e) => e.textContent)")
    assert sorted(labels) == ["1", "2"]


def test_popup_of_a_coded_column(visit):
    from .test_maps import grid_zone

    v = visit(maps.overview_map(grid_zone(40), lang="en"))
    click_feature(v, "Parcels by status", 3)
    text = v.eval("document.querySelector('.leaflet-popup-content').textContent")
    assert text.startswith("P-3") and "statusoccupied" in text
