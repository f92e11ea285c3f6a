"""Maps by structure: layers, feature counts, legends, escaping, self-containment, GCJ-02."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

import folium
import geopandas as gpd
import shapely
from folium.plugins import Fullscreen
from shapely import LineString, Point, Polygon, box

from landplan import maps
from landplan.errors import CRSMismatchError, LandplanError
from landplan.gcj02 import gcj02_to_wgs84, geometry_to_gcj02, in_china, wgs84_to_gcj02
from landplan.labels import value_label
from landplan.policy import Policy
from landplan.zone import Zone

from .conftest import X0, Y0

#: Text that runs as script if a map puts it into the page unescaped.
XSS = "<img src=x onerror=alert(1)>"
TEMPLATE = "`${alert(2)}`"


def map_zone(policy: Policy | None = None) -> Zone:
    """Three parcels (one named with markup, one with a template literal), a building,
    a corridor with a phase break at 150 m, a river, a fuel station, a road, a substation."""
    parcels = gpd.GeoDataFrame(
        {
            "parcel_id": ["P-1", "P-2", "P-3"],
            "name": [XSS, TEMPLATE, "甲地块"],
            "status": ["occupied", "idle", "state_reserve"],
            "land_use": ["M1", "M2", "M3"],
        },
        geometry=[box(X0 + 100 * i, Y0, X0 + 100 * (i + 1), Y0 + 100) for i in range(3)],
        crs="EPSG:4546",
    )
    buildings = gpd.GeoDataFrame(
        {
            "building_id": ["B-1"],
            "parcel_id": ["P-1"],
            "status": ["vacant"],
            "floors": [2],
            "floor_area_m2": [1000.0],
            "vacant_area_m2": [1000.0],
        },
        geometry=[box(X0 + 10, Y0 + 10, X0 + 50, Y0 + 40)],
        crs="EPSG:4546",
    )
    corridors = gpd.GeoDataFrame(
        {
            "corridor_id": ["C-1"],
            "name": ["东扩大道"],
            "phase_breaks_m": ["150"],
            "width_m": [300.0],
        },
        geometry=[LineString([(X0, Y0 - 50), (X0 + 300, Y0 - 50)])],
        crs="EPSG:4546",
    )
    constraints = gpd.GeoDataFrame(
        {"constraint_id": ["K-1", "K-2"], "kind": ["river", "fuel_station"]},
        geometry=[LineString([(X0, Y0 + 200), (X0 + 300, Y0 + 250)]), Point(X0 + 350, Y0)],
        crs="EPSG:4546",
    )
    roads = gpd.GeoDataFrame(
        {"road_id": ["R-1"], "kind": ["avenue"], "name": ["东扩大道"]},
        geometry=[LineString([(X0, Y0 - 50), (X0 + 300, Y0 - 50)])],
        crs="EPSG:4546",
    )
    substations = gpd.GeoDataFrame(
        {"substation_id": ["S-1"], "voltage_kv": [110.0]},
        geometry=[Point(X0 + 500, Y0 + 500)],
        crs="EPSG:4546",
    )
    return Zone.from_layers(
        {
            "parcels": parcels,
            "buildings": buildings,
            "corridors": corridors,
            "constraints": constraints,
            "roads": roads,
            "substations": substations,
        },
        policy=policy,
    )


#: Features per layer of the overview of map_zone(), counted by hand from the frames above.
OVERVIEW_COUNTS = {
    "管控区": 2,
    "发展轴分期": 2,
    "地块（按状态）": 3,
    "厂房（按状态）": 1,
    "道路": 1,
    "变电站": 1,
}


@pytest.fixture
def zone() -> Zone:
    return map_zone()


def payloads(m: folium.Map) -> dict[str, dict]:
    """The data each landplan layer puts into the page, decoded as the browser decodes it."""
    return {
        json.loads(json.dumps(child.data))["name"]: json.loads(child.payload)
        for child in m._children.values()
        if isinstance(child, maps.DataLayer)
    }


def legend(m: folium.Map) -> dict:
    return next(c.spec for c in m._children.values() if isinstance(c, maps.Legend))


def decode_xy(part: dict) -> np.ndarray:
    """Undo the delta encoding: absolute lon/lat pairs."""
    return np.cumsum(np.asarray(part["xy"]).reshape(-1, 2), axis=0) / part["scale"]


# --- structure -------------------------------------------------------------------------------


def test_overview_layers_and_counts_in_chinese(zone):
    m = maps.overview_map(zone)
    assert maps.layer_counts(m) == OVERVIEW_COUNTS
    spec = legend(m)
    assert spec["title"] == "开发区用地总览"
    parcels = next(s for s in spec["sections"] if s["title"] == "地块（按状态）")
    assert [e["label"] for e in parcels["entries"]] == ["已用 (1)", "闲置 (1)", "储备用地 (1)"]
    constraints = payloads(m)["管控区"]
    # a river (line) and a fuel station (point) in one layer, as two geometry parts
    assert [p["geom"] for p in constraints["parts"]] == ["line", "point"]


def test_overview_in_english(zone):
    m = maps.overview_map(zone, lang="en")
    assert set(maps.layer_counts(m)) == {
        "Constraints",
        "Parcels by status",
        "Buildings by status",
        "Roads",
        "Corridor phases",
        "Substations",
    }
    parcels = payloads(m)["Parcels by status"]["parts"][0]
    area = parcels["values"][parcels["fields"].index("Area")]
    assert area[0] == "10,000 m² (15.00 mu)"  # a 100 m x 100 m parcel: 10000 m² = 15 mu
    status = parcels["values"][parcels["fields"].index("status")]
    assert status == ["occupied", "idle", "state reserve land"]


def test_controls_scale_and_layer_control_present(zone):
    page = maps.overview_map(zone).get_root().render()
    assert "L.control.scale" in page
    assert "L.control.layers" in page
    assert "landplan.fullscreen(" in page and "landplan.measure(" in page
    assert "landplan.legend(" in page


def test_corridor_phases_split_at_breaks(zone):
    phases = payloads(maps.overview_map(zone, lang="en"))["Corridor phases"]["parts"][0]
    ends = phases["values"][phases["fields"].index("end (m)")]
    assert ends == ["150", "300"]


# --- escaping --------------------------------------------------------------------------------


def test_page_holds_no_raw_markup_backtick_or_interpolation_from_data(zone, tmp_path):
    path = maps.save_map(maps.overview_map(zone), tmp_path / "m.html")
    page = path.read_text(encoding="utf-8")
    assert XSS not in page
    assert "<img" not in page
    assert "`" not in page
    assert "${" not in page
    # ... while the names are intact once the page's JavaScript decodes them
    titles = payloads(maps.overview_map(zone))["地块（按状态）"]["parts"][0]["titles"]
    assert titles == [f"P-1 {XSS}", f"P-2 {TEMPLATE}", "P-3 甲地块"]


def test_js_json_escapes_every_breakout_character():
    text = maps.js_json({"v": "</script><b>&'`${x}`\u2028"})
    assert not re.search(r"[<>&'`$\u2028]", text)
    assert json.loads(text) == {"v": "</script><b>&'`${x}`\u2028"}


def test_html_text_for_innerhtml_places():
    assert maps.html_text(f"{XSS}{TEMPLATE}") == (
        "&lt;img src=x onerror=alert(1)&gt;&#96;&#36;{alert(2)}&#96;"
    )


def test_project_name_in_title_is_escaped(zone):
    candidates = gpd.GeoDataFrame(
        {"rank": [1], "kind": ["single"], "score": [0.9]},
        geometry=[box(X0, Y0, X0 + 100, Y0 + 100)],
        crs="EPSG:4546",
    )
    m = maps.project_map(zone, candidates, {"project_id": "J-1", "name": XSS})
    assert legend(m)["title"] == f"项目选址：J-1 {XSS}"
    assert XSS not in m.get_root().render()


# --- self-contained --------------------------------------------------------------------------


def test_saved_page_carries_leaflet_and_loads_nothing_from_a_cdn(zone, tmp_path):
    page = maps.save_map(maps.overview_map(zone), tmp_path / "m.html").read_text("utf-8")
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+href=", page)
    assert 'version="1.9.4"' in page  # Leaflet itself, inline
    assert "sourceMappingURL" not in page
    assert "url(images/" not in page  # its control icons as data URIs
    for cdn in ("cdn.jsdelivr.net", "code.jquery.com", "cdnjs.cloudflare.com", "bootstrapcdn"):
        assert cdn not in page


def test_save_map_refuses_an_element_that_loads_from_a_cdn(zone, tmp_path):
    m = maps.overview_map(zone)
    Fullscreen().add_to(m)
    with pytest.raises(maps.MapError, match=r"found 2 resource\(s\) loaded from the network"):
        maps.save_map(m, tmp_path / "m.html")


def test_draws_on_a_given_map(zone):
    given = folium.Map(tiles=None)
    m = maps.overview_map(zone, m=given)
    assert m is given
    assert m.default_js == [] and m.default_css == []
    assert len(maps.layer_counts(m)) == 6


# --- large layers: simplification, rounding, canvas ------------------------------------------


def test_geometry_round_trips_within_the_rounding(zone):
    part = payloads(maps.overview_map(zone))["地块（按状态）"]["parts"][0]
    expected = shapely.get_coordinates(zone.parcels.to_crs("EPSG:4326").geometry.to_numpy())
    np.testing.assert_allclose(decode_xy(part), expected, atol=0.6e-6)
    assert part["lengths"] == [[5, 5, 5], [1, 1, 1]]  # vertices per ring, rings per polygon


def test_display_simplification_drops_needless_vertices():
    # a 100 m square whose edges carry 400 vertices 1 cm off the straight line
    t = np.linspace(0, 400, 400, endpoint=False)
    side = np.minimum(t // 100, 3)
    u = t % 100
    wobble = 0.01 * (np.arange(400) % 2)
    x = np.choose(side.astype(int), [u, 100 + wobble, 100 - u, wobble])
    y = np.choose(side.astype(int), [wobble, u, 100 + wobble, 100 - u])
    parcels = gpd.GeoDataFrame(
        {"parcel_id": ["P-1"], "status": ["idle"]},
        geometry=[Polygon(np.column_stack([X0 + x, Y0 + y]))],
        crs="EPSG:4546",
    )
    zone = Zone.from_layers({"parcels": parcels})
    part = payloads(maps.overview_map(zone))["地块（按状态）"]["parts"][0]
    assert part["lengths"][0] == [5]
    unsimplified = Zone.from_layers(
        {"parcels": parcels}, policy=Policy.default().replace(**{"maps.simplify_tolerance_m": 0.0})
    )
    assert payloads(maps.overview_map(unsimplified))["地块（按状态）"]["parts"][0]["lengths"][
        0
    ] == [401]


def test_canvas_above_the_policy_threshold():
    at_two = map_zone(Policy.default().replace(**{"maps.canvas_min_features": 2}))
    layers = payloads(maps.overview_map(at_two))
    assert layers["地块（按状态）"]["parts"][0]["canvas"] is True  # 3 parcels > 2
    assert layers["厂房（按状态）"]["parts"][0]["canvas"] is False  # 1 building


def test_frame_without_crs_is_refused(zone):
    candidates = gpd.GeoDataFrame(
        {"rank": [1], "kind": ["single"], "score": [1.0]}, geometry=[box(0, 0, 1, 1)]
    )
    with pytest.raises(CRSMismatchError, match="expected a layer with a CRS"):
        maps.project_map(zone, candidates, {"name": "x"})


# --- basemaps ----------------------------------------------------------------------------------


def tiles(m: folium.Map) -> dict[str, str]:
    return {
        c.layer_name: c.tiles
        for c in m._children.values()
        if isinstance(c, folium.raster_layers.TileLayer)
    }


def test_standard_basemaps_osm_and_carto(zone):
    assert set(tiles(maps.overview_map(zone, lang="en"))) == {"OpenStreetMap", "CartoDB Positron"}


def test_tianditu_needs_a_key_and_carries_it(zone):
    with pytest.raises(maps.MapError, match="expected a Tianditu key"):
        maps.overview_map(zone, basemap="tianditu")
    m = maps.overview_map(zone, basemap="tianditu", tianditu_key="k&ey")
    page = m.get_root().render()
    assert '"tk": "k%26ey"' in page
    assert "天地图 矢量" in tiles(m)


def test_tianditu_is_the_default_where_a_key_is_configured(zone):
    assert next(iter(tiles(maps.overview_map(zone, tianditu_key="key")))) == "天地图 矢量"
    assert "天地图 矢量" not in tiles(maps.overview_map(zone))


def test_unknown_choice_is_a_landplan_error(zone):
    with pytest.raises(LandplanError, match="expected lang to be one of 'zh', 'en', found 'fr'"):
        maps.overview_map(zone, lang="fr")


def test_amap_shifts_data_to_gcj02(zone):
    standard = payloads(maps.overview_map(zone))["地块（按状态）"]["parts"][0]
    amap_map = maps.overview_map(zone, basemap="amap")
    shifted = payloads(amap_map)["地块（按状态）"]["parts"][0]
    lon, lat = wgs84_to_gcj02(*decode_xy(standard).T)
    np.testing.assert_allclose(decode_xy(shifted), np.column_stack([lon, lat]), atol=1.1e-6)
    # the shift near Yunfu is several hundred metres, mostly east-west
    assert 0.003 < (decode_xy(shifted) - decode_xy(standard))[0, 0] < 0.008
    assert set(tiles(amap_map)) == {"高德地图", "高德 卫星"}


def test_tile_hosts():
    hosts = maps.tile_hosts()
    assert "tile.openstreetmap.org" in hosts
    assert "*.basemaps.cartocdn.com" in hosts
    assert "webrd0*.is.autonavi.com" in hosts


# --- GCJ-02 against published pairs ------------------------------------------------------------

# (WGS84 lat, lng, GCJ-02 lat, lng) from the test suite of googollee/eviltransform
# (python/test.py, TESTS: Shanghai, Shenzhen, Beijing).
EVILTRANSFORM_PAIRS = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),
]


@pytest.mark.parametrize(("wlat", "wlng", "glat", "glng"), EVILTRANSFORM_PAIRS)
def test_gcj02_matches_published_pairs(wlat, wlng, glat, glng):
    lon, lat = wgs84_to_gcj02(wlng, wlat)
    assert float(lon) == pytest.approx(glng, abs=1e-9)
    assert float(lat) == pytest.approx(glat, abs=1e-9)
    back_lon, back_lat = gcj02_to_wgs84(glng, glat)
    assert float(back_lon) == pytest.approx(wlng, abs=1e-8)
    assert float(back_lat) == pytest.approx(wlat, abs=1e-8)


def test_gcj02_inverse_matches_gcoord():
    # hujiulong/gcoord test/unit/crs/GCJ02.spec.js: GCJ02 -> WGS84 of [123, 45], to 5 places
    lon, lat = gcj02_to_wgs84(123.0, 45.0)
    assert float(lon) == pytest.approx(122.99395597, abs=5e-6)
    assert float(lat) == pytest.approx(44.99804071, abs=5e-6)


def test_gcj02_leaves_points_outside_china():
    lon, lat = wgs84_to_gcj02([2.35, 183.0, 112.0], [48.85, 45.0, 22.9])
    assert lon[:2].tolist() == [2.35, 183.0] and lat[:2].tolist() == [48.85, 45.0]
    assert in_china([2.35, 112.0], [48.85, 22.9]).tolist() == [False, True]
    assert lon[2] != 112.0


def test_geometry_to_gcj02_moves_every_vertex():
    square = box(112.0, 22.9, 112.01, 22.91)
    moved = geometry_to_gcj02(np.array([square]))[0]
    lon, lat = wgs84_to_gcj02(*shapely.get_coordinates(square).T)
    np.testing.assert_allclose(shapely.get_coordinates(moved), np.column_stack([lon, lat]))


# --- analysis maps on the frames the analyses return -------------------------------------------


@pytest.fixture
def audit_result():
    parcels = pd.DataFrame(
        {
            "parcel_id": ["P-1", "P-2", "P-3"],
            "per_mu_class": ["A", "D", "T"],
            "tax_per_mu_wan_yuan": [25.0, 2.5, None],
            "days_to_idle": [None, -200.0, 40.0],
            "days_to_recovery": [None, -10.0, 405.0],
        }
    )
    flags = pd.DataFrame(
        {
            "parcel_id": ["P-2", "P-2"],
            "rule": ["idle.not_started", "low_efficiency.tax_per_mu"],
            "reason": ["no start 1 year after 2023-06-30", f"tax 2.5 < 10 {XSS}"],
        }
    )
    return {"parcels": parcels, "flags": flags}


def test_audit_map_classes_flags_and_deadlines(zone, audit_result):
    m = maps.audit_map(zone, audit_result, lang="en")
    assert maps.layer_counts(m) == {
        "Per-mu class": 3,
        "Flagged parcels": 1,
        "Idle-land deadlines": 2,
    }
    layers = payloads(m)
    deadlines = layers["Idle-land deadlines"]["parts"][0]
    styles = [s["fillColor"] for s in deadlines["styles"]]
    # P-2 past its recovery date, P-3 within 90 days of becoming idle
    assert [styles[c] for c in deadlines["cat"]] == ["#67000d", "#fdae61"]
    flagged = layers["Flagged parcels"]["parts"][0]
    rules = flagged["values"][flagged["fields"].index("Rules fired")]
    assert rules == [
        f"idle.not_started: no start 1 year after 2023-06-30\n"
        f"low_efficiency.tax_per_mu: tax 2.5 < 10 {XSS}"
    ]
    classes = [e["label"] for e in legend(m)["sections"][0]["entries"]]
    assert classes == ["A: develop first (1)", "D: rectify (1)", "T: not evaluated (1)"]


def test_audit_map_names_missing_columns(zone):
    with pytest.raises(maps.MapError, match="expected audit parcels with column"):
        maps.audit_map(zone, {"parcels": pd.DataFrame({"parcel_id": ["P-1"]})})


def test_project_map_numbers_top_sites_and_greys_rejections():
    zone = map_zone(Policy.default().replace(**{"maps.candidates_numbered": 1}))
    candidates = gpd.GeoDataFrame(
        {
            "rank": [2, 1],
            "kind": ["assembly", "cutout"],
            "score": [0.7, 0.9],
            "score_area": [0.5, 1.0],
            "parcel_ids": ["P-2;P-3", "P-1"],
        },
        geometry=[box(X0 + 100, Y0, X0 + 300, Y0 + 100), box(X0, Y0, X0 + 60, Y0 + 100)],
        crs="EPSG:4546",
    )
    rejections = pd.DataFrame(
        {"parcel_id": ["P-3"], "rule": ["siting.red_line"], "reason": ["inside the red line"]}
    )
    project = {"project_id": "J-1", "name": "机械", "land_mu_min": 8, "land_mu_max": 12}
    m = maps.project_map(zone, candidates, project, rejections=rejections, lang="en")
    # the company's map shows the zone's roads, avenue, substations and constraints too
    assert maps.layer_counts(m) == {
        "Parcels": 3,
        "Constraints": len(zone.constraints),
        "Roads": len(zone.roads),
        "Avenue": len(zone.corridors),
        "Substations": len(zone.substations),
        "Rejected parcels": 1,
        "Candidate sites": 2,
    }
    sites = payloads(m)["Candidate sites"]["parts"][0]
    assert sites["labels"] == ["1", None]  # sorted by rank; only the first numbered
    assert sites["values"][sites["fields"].index("Kind")] == [
        "cut-out of a parcel",
        "assembly of parcels",
    ]
    # reasons in words; internal scores only on request
    reasons = sites["values"][sites["fields"].index("Why this site")]
    assert reasons[0].startswith("9.0 mu (needs 8–12 mu)")
    assert not any(f.startswith("score") for f in sites["fields"])
    scored = maps.project_map(zone, candidates, project, lang="en", scores=True)
    part = payloads(scored)["Candidate sites"]["parts"][0]
    assert part["values"][part["fields"].index("score area")] == ["1", "0.5"]
    rejected = payloads(m)["Rejected parcels"]["parts"][0]
    assert rejected["values"] == [["siting.red_line: inside the red line"]]


def test_allocation_map_colours_each_project(zone):
    allocation = pd.DataFrame(
        {"parcel_id": ["P-1", "P-3", None], "project_id": ["J-1", "J-2", "J-3"]}
    )
    m = maps.allocation_map(zone, allocation, lang="en")
    assert maps.layer_counts(m) == {"Parcels": 3, "Allocation": 2}
    part = payloads(m)["Allocation"]["parts"][0]
    assert len(set(part["cat"])) == 2


def test_allocation_map_names_stages_and_kinds_in_words(zone):
    allocation = pd.DataFrame(
        {"parcel_id": ["P-1"], "project_id": ["J-1"], "stage": ["signed"], "kind": ["cutout"]}
    )
    part = payloads(maps.allocation_map(zone, allocation))["用地分配"]["parts"][0]
    shown = {
        field: [v["labels"][c] for c in v["codes"]] if isinstance(v, dict) else v
        for field, v in zip(part["fields"], part["values"], strict=True)
    }
    assert shown["项目阶段"] == [value_label("stage", "signed")]
    assert shown["类型"] == ["地块分割"]


def test_corridor_map_places_parcels_in_phases(zone):
    m = maps.corridor_map(zone, lang="en")
    assert maps.layer_counts(m) == {
        "Parcels": 3,
        "Corridor phases": 2,
        "Parcels by phase": 3,
        "Avenue": 1,
    }
    part = payloads(m)["Parcels by phase"]["parts"][0]
    # P-1 centred 50 m along the avenue (phase 1, 0-150 m), P-3 at 250 m (phase 2)
    phase = part["values"][part["fields"].index("phase")]
    assert phase[0] == "1" and phase[2] == "2"


def test_corridor_map_takes_a_result(zone):
    phases = gpd.GeoDataFrame(
        {"phase": [1], "supply_mu": [45.0]},
        geometry=[box(X0, Y0 - 100, X0 + 300, Y0 + 100)],
        crs="EPSG:4546",
    )
    result = {"phases": phases, "parcels": pd.DataFrame({"parcel_id": ["P-2"], "phase": [1]})}
    m = maps.corridor_map(zone, result, lang="en")
    assert maps.layer_counts(m)["Parcels by phase"] == 1
    part = payloads(m)["Corridor phases"]["parts"][0]
    assert part["values"][part["fields"].index("supply incl. planned (mu)")] == ["45"]


# --- command line ------------------------------------------------------------------------------


def test_map_command_writes_a_self_contained_page(tmp_path, capsys):
    from landplan.cli import main
    from landplan.io import write_zone

    gpkg = write_zone(map_zone(), tmp_path / "zone.gpkg")
    out = tmp_path / "overview.html"
    with pytest.raises(SystemExit) as info:
        main(["map", "overview", "--zone", str(gpkg), "--out", str(out), "--lang", "en"])
    assert info.value.code == 0
    assert "Parcels by status 3" in capsys.readouterr().out
    page = out.read_text(encoding="utf-8")
    assert "landplan.dataLayer(" in page and XSS not in page
    with pytest.raises(SystemExit) as info:
        main(["map", "corridor", "--zone", str(gpkg), "--out", str(out), "--lang", "xx"])
    assert info.value.code == 2
    # the command checks its --lang as every command does, before reading the zone
    assert "--lang 应为 zh 或 en，而不是 'xx'" in capsys.readouterr().err


def grid_zone(n: int) -> Zone:
    """n parcels 50 m square in a row, alternately idle and occupied."""
    parcels = gpd.GeoDataFrame(
        {
            "parcel_id": [f"P-{i}" for i in range(n)],
            "status": ["idle", "occupied"] * (n // 2),
        },
        geometry=[box(X0 + 50 * i, Y0, X0 + 50 * (i + 1), Y0 + 50) for i in range(n)],
        crs="EPSG:4546",
    )
    return Zone.from_layers({"parcels": parcels})


def test_repeated_values_sent_once_with_codes():
    part = payloads(maps.overview_map(grid_zone(40), lang="en"))["Parcels by status"]["parts"][0]
    status = part["values"][part["fields"].index("status")]
    assert status["labels"] == ["idle", "occupied"]
    assert status["codes"] == [0, 1] * 20
    # unique values stay a plain list
    assert len(part["titles"]) == 40


def test_the_zones_tianditu_key_comes_from_its_policy(zone):
    import dataclasses

    keyed = dataclasses.replace(
        zone, policy=zone.policy.replace(**{"maps.tianditu_key": "zone-key"})
    )
    m = maps.overview_map(keyed)
    assert next(iter(tiles(m))) == "天地图 矢量"
    assert '"tk": "zone-key"' in m.get_root().render()
    # a key given for the map wins over the policy's; amap ignores both
    assert '"tk": "mine"' in maps.overview_map(keyed, tianditu_key="mine").get_root().render()
    assert "天地图 矢量" not in tiles(maps.overview_map(keyed, basemap="amap"))
    assert zone.policy.maps.tianditu_key == ""


def test_the_map_command_reads_tianditu_key_from_the_environment(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from landplan.cli import app

    monkeypatch.setenv("TIANDITU_KEY", "env-key")
    out = tmp_path / "m.html"
    result = CliRunner().invoke(app, ["map", "overview", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert '"tk": "env-key"' in out.read_text(encoding="utf-8")


def test_popups_name_the_project_holding_a_reservation(zone, audit_result):
    import dataclasses

    named = dataclasses.replace(
        zone, projects=pd.DataFrame({"project_id": ["PJ-9"], "name": ["储能电站"]})
    )
    held = pd.DataFrame(
        {
            "project_id": ["PJ-9", "PJ-8"],
            "parcel_id": ["P-2", "P-3"],
            "reserved_at": pd.to_datetime(["2026-05-01 09:30", "2026-04-02 08:00"]),
            # PJ-8's reservation was released: it no longer holds P-3
            "released_at": pd.to_datetime([None, "2026-04-20"]),
        }
    )
    overview = payloads(maps.overview_map(named, reservations=held))["地块（按状态）"]["parts"][0]
    shown = overview["values"][overview["fields"].index("已预留给")]
    assert shown[1] == "PJ-9 储能电站（2026-05-01起）"
    assert not shown[0] and not shown[2]
    audit = payloads(maps.audit_map(named, audit_result, lang="en", reservations=held))
    part = audit["Per-mu class"]["parts"][0]
    assert part["values"][part["fields"].index("Reserved for")][1] == (
        "PJ-9 储能电站 (since 2026-05-01)"
    )
    # without a store's reservations the popup has no such line
    plain = payloads(maps.overview_map(zone))["地块（按状态）"]["parts"][0]
    assert "已预留给" not in plain["fields"]
