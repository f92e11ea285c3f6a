"""Basemaps, and the map a page starts from and how it is finished.

Tianditu where a key is configured, AMap with the GCJ-02 shift, OpenStreetMap otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote, urlsplit

import numpy as np

import folium
import geopandas as gpd

from landplan.errors import MapError
from landplan.labels import Lang
from landplan.maps.page import (
    Basemap,
    Bounds,
    Controls,
    DataLayer,
    Legend,
    MapLayer,
    Ready,
    aggregated_layer,
    html_text,
    layer_payload,
    make_self_contained,
    map_text,
)
from landplan.policy import Policy

_ATTRIBUTION = {
    "osm": "&copy; OpenStreetMap contributors",
    "carto": "&copy; OpenStreetMap contributors &copy; CARTO",
    "tianditu": "&copy; 天地图 Tianditu",
    "amap": "&copy; 高德地图 AMap",
}


_SUBDOMAINS = {
    "carto": "abcd",
    "tianditu_vector": "01234567",
    "tianditu_labels": "01234567",
    "tianditu_imagery": "01234567",
    "amap": "1234",
    "amap_imagery": "1234",
}


def _tile(
    m: folium.Map,
    key: str,
    *,
    policy: Policy,
    lang: Lang,
    overlay: bool = False,
    show: bool = False,
    **options,
) -> None:
    attribution = _ATTRIBUTION[key.split("_")[0]]
    folium.TileLayer(
        tiles=policy.maps.tiles[key],
        attr=attribution,
        name=html_text(map_text(key, lang)),
        overlay=overlay,
        control=True,
        show=show,
        max_zoom=19,
        subdomains=_SUBDOMAINS.get(key, "abc"),
        **options,
    ).add_to(m)


def _add_basemaps(
    m: folium.Map, basemap: Basemap, *, policy: Policy, lang: Lang, tianditu_key: str | None
) -> None:
    if basemap == "amap":
        _tile(
            m,
            "amap",
            policy=policy,
            lang=lang,
            show=True,
            language="zh_cn" if lang == "zh" else "en",
        )
        _tile(m, "amap_imagery", policy=policy, lang=lang)
        return
    if basemap == "tianditu":
        if not tianditu_key:
            raise MapError.of("out_tianditu_key")
        tk = quote(tianditu_key, safe="")
        _tile(m, "tianditu_vector", policy=policy, lang=lang, show=True, tk=tk)
        _tile(m, "tianditu_imagery", policy=policy, lang=lang, tk=tk)
        _tile(m, "tianditu_labels", policy=policy, lang=lang, overlay=True, show=True, tk=tk)
    # Only the first base layer is switched on: each one shown would fetch its own tiles.
    _tile(m, "osm", policy=policy, lang=lang, show=basemap == "standard")
    _tile(m, "carto", policy=policy, lang=lang)


def tile_hosts(policy: Policy | None = None) -> list[str]:
    """Return the tile host names a map may request (``*`` where a subdomain goes).

    Everything else a landplan map needs is inside the page; this is the allow-list for a
    firewall, a proxy, or a test that the page asks for nothing else.
    """
    policy = policy or Policy.default()
    hosts = {urlsplit(url.replace("{s}", "*")).hostname for url in policy.maps.tiles.values()}
    return sorted(h for h in hosts if h)


def _check_choice(name: str, value: str, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise MapError.of(
            "out_choice", name=name, allowed=", ".join(map(repr, allowed)), value=value
        )


def start_map(
    frames: Sequence[gpd.GeoDataFrame],
    *,
    m: folium.Map | None,
    lang: Lang,
    basemap: Basemap,
    tianditu_key: str | None,
    policy: Policy,
) -> folium.Map:
    """Return the map to draw on: ``m`` or a new one fitted to ``frames``, with its basemaps."""
    _check_choice("lang", lang, ("zh", "en"))
    _check_choice("basemap", basemap, ("auto", "standard", "tianditu", "amap"))
    # A key given for the map wins; else the zone's own, kept in its policy ([maps] tianditu_key).
    tianditu_key = tianditu_key or policy.maps.tianditu_key or None
    if basemap == "auto":
        # Tianditu (CGCS2000, China's official map) wherever a key is configured.
        basemap = "tianditu" if tianditu_key else "standard"
    if m is None:
        # The scale is landplan's own (metric only); folium's shows feet and miles too.
        m = folium.Map(tiles=None, control_scale=False, zoom_start=14)
        _add_basemaps(m, basemap, policy=policy, lang=lang, tianditu_key=tianditu_key)
    make_self_contained(m)
    shown = [f for f in frames if f is not None and len(f) and f.crs is not None]
    if shown:
        bounds = np.array([f.to_crs("EPSG:4326").total_bounds for f in shown])
        west, south = np.nanmin(bounds[:, :2], axis=0)
        east, north = np.nanmax(bounds[:, 2:], axis=0)
        if basemap == "amap":
            (west, east), (south, north) = _gcj_bounds(west, east, south, north)
        if np.isfinite([west, south, east, north]).all():
            box = [[float(south), float(west)], [float(north), float(east)]]
            m.fit_bounds(box)
            m.add_child(Bounds(box), name="landplan_bounds")
    return m


def _gcj_bounds(west, east, south, north):
    from landplan.gcj02 import wgs84_to_gcj02

    lon, lat = wgs84_to_gcj02(np.array([west, east]), np.array([south, north]))
    return (float(lon[0]), float(lon[1])), (float(lat[0]), float(lat[1]))


def finish_map(
    m: folium.Map,
    specs: Sequence[MapLayer],
    *,
    title: str,
    lang: Lang,
    basemap: Basemap,
    policy: Policy,
) -> folium.Map:
    """Add the layers, the legend and the controls to ``m`` and return it."""
    sections = []
    limit = int(policy.maps.aggregate_above_features)
    big = [spec for spec in specs if spec.aggregate and len(spec.frame) > limit]
    if big:
        title += map_text("aggregated_title", lang).format(n=max(len(spec.frame) for spec in big))
        specs = [
            aggregated_layer(s, policy, lang) if s.aggregate and len(s.frame) > limit else s
            for s in specs
        ]
    for spec in specs:
        payload = layer_payload(spec, policy=policy, gcj02=basemap == "amap", lang=lang)
        DataLayer(payload, name=spec.name, show=spec.show).add_to(m)
        if spec.legend and payload["legend"]:
            sections.append({"title": spec.name, "entries": payload["legend"]})
    m.add_child(Legend({"title": title, "sections": sections}), name="landplan_legend")
    m.add_child(Controls(lang), name="landplan_controls")
    folium.LayerControl(collapsed=True).add_to(m)
    m.add_child(Ready(), name="landplan_ready")
    return m
