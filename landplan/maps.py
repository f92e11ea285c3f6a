r"""Maps a planner can send: self-contained, escaped, bilingual Folium maps.

This is the only module that imports folium. Each map function takes loaded frames (a
:class:`~landplan.zone.Zone` and the result frames of an analysis), reprojects a copy to
EPSG:4326 (and to GCJ-02 for AMap tiles), draws onto ``m`` or a new map, and returns the
``folium.Map``. Nothing is fetched: the page carries Leaflet (from the ``django-js-lib-leaflet``
package) and landplan's own controls inline, so a saved map opens from a file or an e-mail
attachment with only the basemap tiles needing a network.

Every value from data reaches the page as JSON with ``<``, ``>``, ``&``, quotes, backticks and
``$`` written as ``\\uXXXX`` escapes, and is put on screen with ``textContent``: a parcel called
``<img src=x onerror=alert(1)>`` shows as that text and never runs.

Large layers are simplified for display (``policy.maps.simplify_tolerance_m``), written as
delta-encoded integer coordinates rounded to ``policy.maps.coordinate_decimals`` places, with
columnar popup values, and drawn on a canvas above ``policy.maps.canvas_min_features``
features; ``benchmarks/bench_maps.py`` measures this beside ``GeoDataFrame.explore()``.
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, urlsplit

import numpy as np
import pandas as pd
from branca.element import MacroElement

import folium
import geopandas as gpd
import shapely
from folium.template import Template

from landplan import vocab
from landplan.corridor import phase_bands
from landplan.errors import CRSMismatchError, MapError
from landplan.gcj02 import geometry_to_gcj02
from landplan.kinds import KINDS
from landplan.labels import Lang, column_label, value_labels
from landplan.layers import split_list
from landplan.outputs import writing
from landplan.policy import Policy
from landplan.units import MU_M2

__all__ = [
    "CHROMIUM_ARGS",
    "Basemap",
    "Lang",
    "MapError",
    "allocation_map",
    "audit_map",
    "corridor_map",
    "find_browser",
    "layer_counts",
    "overview_map",
    "project_map",
    "save_map",
    "screenshot",
    "tile_hosts",
]

Basemap = Literal["auto", "standard", "tianditu", "amap"]


# --- bilingual text -------------------------------------------------------------------------

_TEXT: dict[str, tuple[str, str]] = {
    "parcels": ("Parcels by status", "地块（按状态）"),
    "parcels_context": ("Parcels", "地块"),
    "buildings": ("Buildings by status", "厂房（按状态）"),
    "constraints": ("Constraints", "管控区"),
    "roads": ("Roads", "道路"),
    "corridor": ("Corridor phases", "发展轴分期"),
    "corridor_line": ("Avenue", "大道"),
    "substations": ("Substations", "变电站"),
    "per_mu_class": ("Per-mu class", "亩均效益分类"),
    "flags": ("Flagged parcels", "预警地块"),
    "deadlines": ("Idle-land deadlines", "闲置土地处置期限"),
    "candidates": ("Candidate sites", "候选选址"),
    "rejected": ("Rejected parcels", "排除地块"),
    "allocation": ("Allocation", "用地分配"),
    "unallocated": ("Not allocated", "未分配"),
    "corridor_parcels": ("Parcels by phase", "地块（按分期）"),
    "osm": ("OpenStreetMap", "OpenStreetMap"),
    "carto": ("CartoDB Positron", "CartoDB 浅色"),
    "tianditu_vector": ("Tianditu map", "天地图 矢量"),
    "tianditu_imagery": ("Tianditu imagery", "天地图 影像"),
    "tianditu_labels": ("Tianditu labels", "天地图 注记"),
    "amap": ("AMap", "高德地图"),
    "amap_imagery": ("AMap imagery", "高德 卫星"),
    "fullscreen_enter": ("Full screen", "全屏"),
    "fullscreen_exit": ("Exit full screen", "退出全屏"),
    "measure_start": ("Measure distance and area", "测量距离和面积"),
    "measure_stop": ("Stop measuring", "结束测量"),
    "measure_hint": ("Click the map to add points", "在地图上点击添加测量点"),
    "length": ("Length", "长度"),
    "area": ("Area", "面积"),
    "mu": ("mu", "亩"),
    "other": ("other", "其他"),
    "rule": ("Rules fired", "触发规则"),
    "idle_clock": ("Idle-land clock", "闲置土地计时"),
    "reservation": ("Reserved for", "已预留给"),
    "reasons": ("Why this site", "推荐理由"),
    "parcels_of_site": ("Parcels", "地块"),
    "rejection": ("Reason", "排除原因"),
    "phase": ("Phase", "分期"),
    "overdue": ("recovery date passed", "已超过无偿收回期限"),
    "recovery_soon": ("recovery within the warning period", "临近无偿收回期限"),
    "idle_soon": ("idle within the warning period", "临近认定闲置"),
    "clock_running": ("clock running", "计时中"),
    "project": ("Project", "项目"),
    "rank": ("Rank", "排名"),
    "kind": ("Kind", "类型"),
    "score": ("Score", "得分"),
    "aggregated": (
        " (per {cell:g} m cell, coloured as most of its area)",
        "（按{cell:g}米网格汇总，每格按面积最大者着色）",
    ),
    "aggregated_title": (
        " — {n:,} features are too many to draw: the zone's own layers are shown per grid cell",
        "（要素{n:,}个，过多无法逐个绘制：全区图层按网格汇总显示）",
    ),
    "cell_features": ("Features in the cell", "网格内要素数"),
    "cell_area": ("Their area", "要素面积"),
}


def _t(key: str, lang: Lang) -> str:
    en, zh = _TEXT[key]
    return zh if lang == "zh" else en


def _field_label(column: str, lang: Lang) -> str:
    return column_label(column, lang)


def _html_text(text: object) -> str:
    """Escape text for places Leaflet fills with innerHTML (layer names, attributions).

    Backticks and ``$`` are written as entities too, so the text cannot close or interpolate a
    JavaScript template literal anywhere it is copied.
    """
    return html.escape(str(text), quote=True).replace("`", "&#96;").replace("$", "&#36;")


_JS_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "'": "\\u0027",
    "`": "\\u0060",
    "$": "\\u0024",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_JS_UNSAFE = re.compile("[<>&'`$\u2028\u2029]")


def _js_json(value: Any) -> str:
    r"""Serialise to JSON safe to place inside a ``<script>`` block and any JavaScript string.

    ``\\u`` escapes decode to the same characters in JavaScript, so the data is unchanged while
    the page source holds no ``</script>``, markup, backtick or ``${`` from data.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _JS_UNSAFE.sub(lambda match: _JS_ESCAPES[match.group(0)], text)


# --- palettes --------------------------------------------------------------------------------

_PARCEL_COLOURS = {
    "occupied": "#8c8c8c",
    "idle": "#d7191c",
    "low_efficiency": "#fdae61",
    "reserved_leased": "#a6611a",
    "state_reserve": "#1a9641",
    "under_construction": "#2b83ba",
    "planned": "#c2a5cf",
}
# Vacant floor space in teal, apart from the reds of idle land: the two are different offers.
_BUILDING_COLOURS = {
    "in_use": "#4d4d4d",
    "vacant": "#01857a",
    "partly_vacant": "#7fcdbb",
    "low_efficiency": "#fdae61",
    "dilapidated": "#762a83",
    "under_construction": "#2b83ba",
}
_CONSTRAINT_COLOURS = {
    "ecological_red_line": "#006d2c",
    "basic_farmland": "#b8e186",
    "water_protection": "#3182bd",
    "residential": "#e7298a",
    "river": "#6baed6",
    "fuel_station": "#e6550d",
}
_ROAD_WEIGHTS = {"avenue": 5, "secondary": 3, "branch": 1.5}
_CLASS_COLOURS = {"A": "#1a9641", "B": "#a6d96a", "C": "#fdae61", "D": "#d7191c", "T": "#bababa"}


def _domain_labels(domain: str) -> dict[str, tuple[str, str]]:
    """Return a value domain of the label registry as identifier -> (English, Chinese)."""
    zh = value_labels(domain, "zh")
    return {k: (en, zh[k]) for k, en in value_labels(domain, "en").items()}


# The class and kind labels, from the one label registry (kept under their old names).
_CLASS_LABELS = _domain_labels("evaluation_class")
_KIND_COLOURS = {name: k.color for name, k in KINDS.items()}
_KIND_LABELS = {k: _domain_labels("kind")[k] for k in _KIND_COLOURS}
_DEADLINE_COLOURS = {
    "overdue": "#67000d",
    "recovery_soon": "#d7191c",
    "idle_soon": "#fdae61",
    "clock_running": "#ffffbf",
}
# Qualitative colours for projects and phases (ColorBrewer Set1/Dark2 mixed for contrast).
_CYCLE = (
    "#e41a1c",
    "#377eb8",
    "#4daf4a",
    "#984ea3",
    "#ff7f00",
    "#a65628",
    "#f781bf",
    "#1b9e77",
    "#d95f02",
    "#7570b3",
)
_GREY = "#9e9e9e"


@dataclass
class _Category:
    """How one category of features is drawn, and its legend entry."""

    label: str
    color: str
    fill: str | None = None
    weight: float = 1.0
    fill_opacity: float = 0.55
    dash: str | None = None
    radius: float = 6.0

    def style(self) -> dict[str, Any]:
        style: dict[str, Any] = {
            "color": self.color,
            "weight": self.weight,
            "opacity": 0.9,
            "fill": self.fill is not None,
            "fillColor": self.fill or self.color,
            "fillOpacity": self.fill_opacity if self.fill is not None else 0.0,
            "radius": self.radius,
        }
        if self.dash:
            style["dashArray"] = self.dash
        return style


def _vocab_categories(
    vocabulary: vocab.Vocabulary,
    colours: Mapping[str, str],
    lang: Lang,
    *,
    outline: str | None = None,
    weight: float = 1.0,
    fill_opacity: float = 0.55,
) -> dict[str, _Category]:
    return {
        key: _Category(
            label=vocabulary.label(key, lang),
            color=outline or colours[key],
            fill=colours[key],
            weight=weight,
            fill_opacity=fill_opacity,
        )
        for key in vocabulary.values
        if key in colours
    }


# --- geometry for display --------------------------------------------------------------------


def _display_geometry(frame: gpd.GeoDataFrame, *, policy: Policy, gcj02: bool) -> np.ndarray:
    """Simplify in the frame's metric CRS, then convert to EPSG:4326 (and GCJ-02 if asked)."""
    if frame.crs is None:
        raise CRSMismatchError(
            f"expected a layer with a CRS to draw on a map, found none on a frame of "
            f"{len(frame)} rows; set it with frame.set_crs('EPSG:4546') (or the data's CRS)"
        )
    geoms = frame.geometry.array
    tolerance = float(policy.maps.simplify_tolerance_m)
    if frame.crs.is_projected and tolerance > 0:
        # preserve_topology keeps small parcels from collapsing to nothing at display scale.
        geoms = shapely.simplify(np.asarray(geoms), tolerance, preserve_topology=True)
    out = gpd.GeoSeries(geoms, crs=frame.crs).to_crs("EPSG:4326").to_numpy()
    if gcj02:
        out = geometry_to_gcj02(out)
    return out


# Drawing family by shapely type id: Point, LineString, LinearRing, Polygon, MultiPoint,
# MultiLineString, MultiPolygon, GeometryCollection (not drawn).
_FAMILY_BY_TYPE_ID = np.array(
    ["point", "line", "line", "polygon", "point", "line", "polygon", ""], dtype=object
)


def _encode_geometry(geoms: np.ndarray, family: str, decimals: int) -> dict[str, Any]:
    """Encode one geometry family as delta-encoded integer coordinates with run lengths.

    Rounding to ``decimals`` places and writing each vertex as the difference from the one
    before makes most numbers two or three digits long; the page decodes them in one pass.
    """
    if family == "point":
        # Multi-points are drawn at a representative point: a marker per part is noise here.
        geoms = shapely.point_on_surface(geoms)
    _, coords, offsets = shapely.to_ragged_array(geoms)
    scale = 10**decimals
    ints = np.rint(coords[:, :2] * scale).astype(np.int64)
    deltas = np.diff(ints, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    return {
        "geom": family,
        "scale": scale,
        "xy": deltas.ravel().tolist(),
        "lengths": [np.diff(o).tolist() for o in offsets],
    }


def _formatted(values: pd.Series) -> list[str | None]:
    """Format a column for popups, vectorised; missing values become None (not shown)."""
    missing = values.isna().to_numpy()
    if pd.api.types.is_bool_dtype(values):
        text = values.astype(str)
    elif pd.api.types.is_integer_dtype(values):
        text = values.astype("Int64").astype(str)
    elif pd.api.types.is_float_dtype(values):
        rounded = values.round(2)
        whole = (rounded % 1 == 0).to_numpy()
        text = rounded.astype(str)
        # Only whole values are cast (an infinite distance elsewhere in the column is not).
        text = text.where(~whole, rounded.where(whole, 0).astype(np.int64).astype(str))
    elif pd.api.types.is_datetime64_any_dtype(values):
        text = values.dt.strftime("%Y-%m-%d")
    else:
        text = values.astype(str)
    out = np.asarray(text.to_numpy(dtype=object), dtype=object).copy()
    out[missing] = None
    return out.tolist()


def _column(values: pd.Series) -> list[str | None] | dict[str, list]:
    """Popup values of one column: a list, or codes into a table where values repeat.

    Status, land use and other vocabulary columns hold a handful of labels over many features;
    sending each label once and a small integer per feature is what keeps large pages small.
    """
    text = _formatted(values)
    codes, labels = pd.factorize(pd.Series(text, dtype=object), use_na_sentinel=True)
    if len(labels) * 4 < len(text):
        return {"codes": codes.tolist(), "labels": labels.tolist()}
    return text


@dataclass
class _LayerSpec:
    """What to draw for one overlay: frame, category per feature, popup fields."""

    frame: gpd.GeoDataFrame
    name: str
    categories: Mapping[str, _Category]
    category: pd.Series
    title: pd.Series | None = None
    fields: Mapping[str, pd.Series] = field(default_factory=dict)
    labels: pd.Series | None = None
    show: bool = True
    legend: bool = True
    default: _Category | None = None
    # A layer of the whole zone, drawn as context: aggregated when too large to draw whole.
    aggregate: bool = False


class _DataLayer(folium.map.Layer):
    """One overlay drawn by landplan's runtime from compact, escaped data."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = landplan.dataLayer(
                {{ this._parent.get_name() }}, {{ this.payload }}
            );
        {% endmacro %}
        """
    )

    def __init__(self, payload: dict[str, Any], *, name: str, show: bool) -> None:
        super().__init__(name=_html_text(name), overlay=True, control=True, show=show)
        self._name = "LandplanLayer"
        self.data = payload
        self.payload = _js_json(payload)

    @property
    def feature_count(self) -> int:
        """Number of features the layer draws."""
        return sum(len(part["cat"]) for part in self.data["parts"])


def _layer_payload(spec: _LayerSpec, *, policy: Policy, gcj02: bool, lang: Lang) -> dict:
    frame = spec.frame
    categories = dict(spec.categories)
    default = spec.default or _Category(label=_t("other", lang), color=_GREY, fill=_GREY)
    keys = list(categories)
    codes = pd.Index(keys, dtype=object).get_indexer(spec.category.to_numpy(dtype=object))
    # Features of an unknown category get the default style, which sits after the known ones.
    codes = np.where(codes < 0, len(keys), codes)
    styles = [c.style() for c in categories.values()] + [default.style()]
    geoms = _display_geometry(frame, policy=policy, gcj02=gcj02)
    family = _FAMILY_BY_TYPE_ID[np.clip(shapely.get_type_id(geoms), 0, 7)]
    decimals = int(policy.maps.coordinate_decimals)
    canvas = len(frame) > int(policy.maps.canvas_min_features)
    parts = []
    empty = shapely.is_empty(geoms) | shapely.is_missing(geoms)
    for name in ("polygon", "line", "point"):
        mask = (family == name) & ~empty
        if not mask.any():
            continue
        part = _encode_geometry(geoms[mask], name, decimals)
        part["cat"] = codes[mask].tolist()
        part["fields"] = [_field_label(k, lang) if k in frame else k for k in spec.fields]
        part["values"] = [_column(v[mask].reset_index(drop=True)) for v in spec.fields.values()]
        part["titles"] = (
            None if spec.title is None else _formatted(spec.title[mask].reset_index(drop=True))
        )
        part["labels"] = (
            None if spec.labels is None else _formatted(spec.labels[mask].reset_index(drop=True))
        )
        part["canvas"] = canvas
        part["styles"] = styles
        parts.append(part)
    counts = pd.Series(codes).value_counts()
    legend = [
        {
            "label": f"{cat.label} ({int(counts.get(i, 0))})",
            "color": cat.color,
            "fill": cat.fill,
            "shape": _legend_shape(family, cat),
            "dash": bool(cat.dash),
        }
        for i, cat in enumerate([*categories.values(), default])
        if counts.get(i, 0)
    ]
    return {"name": spec.name, "parts": parts, "legend": legend}


def _legend_shape(family: np.ndarray, cat: _Category) -> str:
    present = set(family.tolist())
    if present == {"point"}:
        return "point"
    if cat.fill is None or present == {"line"}:
        return "line"
    return "area"


# --- page assets -----------------------------------------------------------------------------


def _read_asset(package: str, name: str) -> str:
    try:
        return (resources.files(package) / name).read_text(encoding="utf-8")
    except ModuleNotFoundError as exc:
        raise MapError(
            f"expected the {package!r} package (it carries the map's JavaScript), found it "
            "missing; install landplan's dependencies: pip install landplan"
        ) from exc


def _leaflet_assets() -> tuple[str, str]:
    """Leaflet's JavaScript and CSS from the installed package, images inlined as data URIs."""
    root = "static/js_lib_leaflet"
    script = _read_asset("js_lib_leaflet", f"{root}/leaflet.js")
    # The source-map comment would make developer tools request a file that is not there.
    script = re.sub(r"//# sourceMappingURL=\S+\s*$", "", script)
    css = _read_asset("js_lib_leaflet", f"{root}/leaflet.css")

    def inline(match: re.Match[str]) -> str:
        path = resources.files("js_lib_leaflet") / root / match.group(1)
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    css = re.sub(r"url\((images/[\w.-]+\.png)\)", inline, css)
    return script, css


def _script_block(source: str) -> str:
    # A literal "</script" inside the code would end the block early.
    return "<script>" + source.replace("</script", "<\\/script") + "</script>"


class _Assets(MacroElement):
    """Leaflet and landplan's runtime, inline in the page head."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>{{ this.css }}</style>
            {{ this.scripts }}
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "LandplanAssets"
        leaflet_js, leaflet_css = _leaflet_assets()
        own_js = _read_asset("landplan", "static/landplan-maps.js")
        own_css = _read_asset("landplan", "static/landplan-maps.css")
        self.css = leaflet_css + "\n" + own_css
        self.scripts = _script_block(leaflet_js) + _script_block(own_js)


class _Legend(MacroElement):
    _template = Template(
        """
        {% macro script(this, kwargs) %}
            landplan.legend({{ this._parent.get_name() }}, {{ this.payload }});
        {% endmacro %}
        """
    )

    def __init__(self, spec: dict[str, Any]) -> None:
        super().__init__()
        self._name = "LandplanLegend"
        self.spec = spec
        self.payload = _js_json(spec)


class _Controls(MacroElement):
    _template = Template(
        """
        {% macro script(this, kwargs) %}
            L.control.scale({metric: true, imperial: false, maxWidth: 160})
                .addTo({{ this._parent.get_name() }});
            landplan.fullscreen({{ this._parent.get_name() }}, {{ this.fullscreen }});
            landplan.measure({{ this._parent.get_name() }}, {{ this.measure }});
        {% endmacro %}
        """
    )

    def __init__(self, lang: Lang) -> None:
        super().__init__()
        self._name = "LandplanControls"
        self.fullscreen = _js_json(
            {"enter": _t("fullscreen_enter", lang), "exit": _t("fullscreen_exit", lang)}
        )
        self.measure = _js_json(
            {
                "start": _t("measure_start", lang),
                "stop": _t("measure_stop", lang),
                "hint": _t("measure_hint", lang),
                "length": _t("length", lang),
                "area": _t("area", lang),
                "mu": _t("mu", lang),
                "mu_m2": MU_M2,
            }
        )


class _Bounds(MacroElement):
    # The extent the map opened on, kept for a print layout to fit again after resizing.
    _template = Template(
        """
        {% macro script(this, kwargs) %}
            landplan.bounds = {{ this.payload }};
        {% endmacro %}
        """
    )

    def __init__(self, box: list[list[float]]) -> None:
        super().__init__()
        self._name = "LandplanBounds"
        self.payload = _js_json(box)


class _SheetNotes(MacroElement):
    # Numbered notes a printed sheet lists beside the map (a project's sites and their reasons).
    _template = Template(
        """
        {% macro script(this, kwargs) %}
            landplan.notes = {{ this.payload }};
        {% endmacro %}
        """
    )

    def __init__(self, title: str, items: list[tuple[int, str]]) -> None:
        super().__init__()
        self._name = "LandplanSheetNotes"
        self.payload = _js_json({"title": title, "items": [list(i) for i in items]})


class _Ready(MacroElement):
    # Rendered last, so a page (or a test) knows every layer and control was built.
    _template = Template(
        """
        {% macro script(this, kwargs) %}
            landplan.map = {{ this._parent.get_name() }};
            landplan.ready = true;
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "LandplanReady"


def _make_self_contained(m: folium.Map) -> None:
    # Instance attributes shadow folium's class lists of CDN links (Leaflet, jQuery, Bootstrap,
    # Font Awesome, awesome-markers); the same code comes inline from _Assets instead.
    m.default_js = []
    m.default_css = []
    if not any(isinstance(child, _Assets) for child in m._children.values()):
        m.add_child(_Assets(), name="landplan_assets", index=0)


# --- basemaps --------------------------------------------------------------------------------

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
        name=_html_text(_t(key, lang)),
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
            raise MapError(
                "expected a Tianditu key for basemap='tianditu', found none; pass "
                "tianditu_key='…' (a browser key from console.tianditu.gov.cn) or use "
                "basemap='standard'"
            )
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


# --- building maps ---------------------------------------------------------------------------


def _check_choice(name: str, value: str, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise MapError(
            f"expected {name} to be one of {', '.join(map(repr, allowed))}, found {value!r}"
        )


def _start(
    frames: Sequence[gpd.GeoDataFrame],
    *,
    m: folium.Map | None,
    lang: Lang,
    basemap: Basemap,
    tianditu_key: str | None,
    policy: Policy,
) -> folium.Map:
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
    _make_self_contained(m)
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
            m.add_child(_Bounds(box), name="landplan_bounds")
    return m


def _gcj_bounds(west, east, south, north):
    from landplan.gcj02 import wgs84_to_gcj02

    lon, lat = wgs84_to_gcj02(np.array([west, east]), np.array([south, north]))
    return (float(lon[0]), float(lon[1])), (float(lat[0]), float(lat[1]))


def _finish(
    m: folium.Map,
    specs: Sequence[_LayerSpec],
    *,
    title: str,
    lang: Lang,
    basemap: Basemap,
    policy: Policy,
) -> folium.Map:
    sections = []
    limit = int(policy.maps.aggregate_above_features)
    big = [spec for spec in specs if spec.aggregate and len(spec.frame) > limit]
    if big:
        title += _t("aggregated_title", lang).format(n=max(len(spec.frame) for spec in big))
        specs = [
            _aggregated(s, policy, lang) if s.aggregate and len(s.frame) > limit else s
            for s in specs
        ]
    for spec in specs:
        payload = _layer_payload(spec, policy=policy, gcj02=basemap == "amap", lang=lang)
        _DataLayer(payload, name=spec.name, show=spec.show).add_to(m)
        if spec.legend and payload["legend"]:
            sections.append({"title": spec.name, "entries": payload["legend"]})
    m.add_child(_Legend({"title": title, "sections": sections}), name="landplan_legend")
    m.add_child(_Controls(lang), name="landplan_controls")
    folium.LayerControl(collapsed=True).add_to(m)
    m.add_child(_Ready(), name="landplan_ready")
    return m


def _aggregated(spec: _LayerSpec, policy: Policy, lang: Lang) -> _LayerSpec:
    """Return a layer too large to draw as one square per grid cell, in its main category.

    Each feature falls in the cell of its box's centre; a cell takes the category holding the
    largest area of its features, and says how many features and how much area it stands for.
    The categories' styles and legend stay those of the layer it replaces.
    """
    frame = spec.frame
    cell = float(policy.maps.aggregate_cell_m)
    geoms = np.asarray(frame.geometry.array, dtype=object)
    bounds = shapely.bounds(geoms)
    present = ~np.isnan(bounds[:, 0])
    bounds, area = bounds[present], shapely.area(geoms[present])
    keys = list(spec.categories)
    codes = pd.Index(keys, dtype=object).get_indexer(spec.category.to_numpy(dtype=object)[present])
    codes = np.where(codes < 0, len(keys), codes)
    col = np.floor((bounds[:, 0] + bounds[:, 2]) / 2 / cell).astype(np.int64)
    row = np.floor((bounds[:, 1] + bounds[:, 3]) / 2 / cell).astype(np.int64)
    cells, where = np.unique(np.stack([col, row], axis=1), axis=0, return_inverse=True)
    where = where.ravel()
    width = len(keys) + 1
    by_category = np.bincount(
        where * width + codes, weights=area, minlength=len(cells) * width
    ).reshape(len(cells), width)
    main = by_category.argmax(axis=1)
    category = pd.Series([keys[k] if k < len(keys) else None for k in main], dtype=object)
    squares = shapely.box(
        cells[:, 0] * cell, cells[:, 1] * cell, (cells[:, 0] + 1) * cell, (cells[:, 1] + 1) * cell
    )
    counts = np.bincount(where, minlength=len(cells))
    mu = by_category.sum(axis=1) / MU_M2
    unit = _t("mu", lang)
    return _LayerSpec(
        frame=gpd.GeoDataFrame(geometry=squares, crs=frame.crs),
        name=spec.name + _t("aggregated", lang).format(cell=cell),
        categories=spec.categories,
        category=category,
        fields={
            _t("cell_features", lang): pd.Series(counts),
            _t("cell_area", lang): pd.Series([f"{v:,.1f} {unit}" for v in mu], dtype=object),
        },
        show=spec.show,
        legend=spec.legend,
        default=spec.default,
    )


def _as_str(values: pd.Series) -> pd.Series:
    return values.astype("string")


def _vocab_label(values: pd.Series, vocabulary: vocab.Vocabulary, lang: Lang) -> pd.Series:
    labels = {key: vocabulary.label(key, lang) for key in vocabulary.values}
    return values.map(labels).fillna(values)


def _parcel_fields(parcels: gpd.GeoDataFrame, lang: Lang) -> dict[str, pd.Series]:
    fields: dict[str, pd.Series] = {}
    for column in ("name", "holder"):
        if column in parcels:
            fields[column] = parcels[column]
    if "area_mu" in parcels or "area_m2" in parcels:
        fields[_t("area", lang)] = _area_text(parcels, lang)
    if "status" in parcels:
        fields["status"] = _vocab_label(parcels["status"], vocab.PARCEL_STATUS, lang)
    if "land_use" in parcels:
        fields["land_use"] = _vocab_label(parcels["land_use"], vocab.LAND_USE, lang)
    if "tenure" in parcels:
        fields["tenure"] = _vocab_label(parcels["tenure"], vocab.TENURE, lang)
    if "reserved_for" in parcels:
        fields[_t("reservation", lang)] = parcels["reserved_for"]
    return fields


def _with_reservations(
    parcels: gpd.GeoDataFrame, reservations: pd.DataFrame | None, projects: pd.DataFrame, lang: Lang
) -> gpd.GeoDataFrame:
    """Add ``reserved_for`` to parcels a store reserves: the project holding each, since when.

    ``reservations`` is what :meth:`landplan.store.Store.reservations` returns (active ones);
    None or empty leaves the parcels as they are.
    """
    if reservations is None or not len(reservations) or not len(parcels):
        return parcels
    active = reservations
    if "released_at" in active:
        active = active[active["released_at"].isna()]
    names = projects.set_index("project_id")["name"] if "name" in projects else pd.Series()
    since = pd.to_datetime(active["reserved_at"]).dt.strftime("%Y-%m-%d")
    name = active["project_id"].map(names).fillna("").astype(str)
    pattern = "{}（{}起）" if lang == "zh" else "{} (since {})"
    text = [
        pattern.format(f"{p} {n}".strip(), d)
        for p, n, d in zip(active["project_id"], name, since, strict=True)
    ]
    by_parcel = (
        pd.Series(text, index=active["parcel_id"].to_numpy()).groupby(level=0).agg("；".join)
    )
    out = parcels.copy()
    out["reserved_for"] = out["parcel_id"].map(by_parcel)
    return out


def _parcels_by_status(parcels: gpd.GeoDataFrame, lang: Lang) -> _LayerSpec:
    return _LayerSpec(
        frame=parcels,
        name=_t("parcels", lang),
        categories=_vocab_categories(vocab.PARCEL_STATUS, _PARCEL_COLOURS, lang, outline="#333"),
        category=parcels["status"],
        title=_parcel_title(parcels),
        fields=_parcel_fields(parcels, lang),
        aggregate=True,
    )


def _parcel_title(parcels: pd.DataFrame) -> pd.Series:
    if "name" in parcels:
        named = parcels["parcel_id"].astype(str) + " " + parcels["name"].fillna("").astype(str)
        return named.str.strip()
    return parcels["parcel_id"].astype(str)


def _context_parcels(parcels: gpd.GeoDataFrame, lang: Lang) -> _LayerSpec:
    return _LayerSpec(
        frame=parcels,
        name=_t("parcels_context", lang),
        categories={},
        category=pd.Series(np.full(len(parcels), ""), index=parcels.index),
        title=_parcel_title(parcels),
        fields=_parcel_fields(parcels, lang),
        legend=False,
        default=_Category(
            label=_t("parcels_context", lang),
            color="#777",
            fill="#ffffff",
            fill_opacity=0.1,
            weight=0.7,
        ),
        aggregate=True,
    )


def _buildings_by_status(buildings: gpd.GeoDataFrame, lang: Lang) -> _LayerSpec:
    fields = {
        "status": _vocab_label(buildings["status"], vocab.BUILDING_STATUS, lang),
    }
    for column in ("parcel_id", "floors", "floor_area_m2", "vacant_area_m2"):
        if column in buildings:
            fields[column] = buildings[column]
    return _LayerSpec(
        frame=buildings,
        name=_t("buildings", lang),
        categories=_vocab_categories(
            vocab.BUILDING_STATUS, _BUILDING_COLOURS, lang, outline="#111", fill_opacity=0.8
        ),
        category=buildings["status"],
        title=buildings["building_id"].astype(str),
        fields=fields,
        aggregate=True,
    )


def _constraints(constraints: gpd.GeoDataFrame, lang: Lang) -> _LayerSpec:
    categories = {
        key: _Category(
            label=vocab.CONSTRAINT_KIND.label(key, lang),
            color=colour,
            fill=colour,
            fill_opacity=0.3,
            weight=1.5,
            dash="6 3",
            radius=7,
        )
        for key, colour in _CONSTRAINT_COLOURS.items()
    }
    return _kind_layer(
        constraints, "constraint_id", vocab.CONSTRAINT_KIND, categories, "constraints", lang
    )


def _roads(roads: gpd.GeoDataFrame, lang: Lang) -> _LayerSpec:
    categories = {
        key: _Category(label=vocab.ROAD_KIND.label(key, lang), color="#636363", weight=weight)
        for key, weight in _ROAD_WEIGHTS.items()
    }
    return _kind_layer(roads, "road_id", vocab.ROAD_KIND, categories, "roads", lang)


def _kind_layer(
    frame: gpd.GeoDataFrame,
    id_column: str,
    vocabulary: vocab.Vocabulary,
    categories: Mapping[str, _Category],
    name_key: str,
    lang: Lang,
) -> _LayerSpec:
    """Build a layer styled by its ``kind`` column, with kind and name in the popup."""
    fields = {"kind": _vocab_label(frame["kind"], vocabulary, lang)}
    if "name" in frame:
        fields["name"] = frame["name"]
    return _LayerSpec(
        frame=frame,
        name=_t(name_key, lang),
        categories=categories,
        category=frame["kind"],
        title=frame[id_column].astype(str),
        fields=fields,
    )


def _substations(substations: gpd.GeoDataFrame, lang: Lang) -> _LayerSpec:
    voltage = substations["voltage_kv"].round().astype("Int64").astype(str) + " kV"
    keys = sorted(voltage.dropna().unique(), key=lambda v: int(v.split()[0]))
    categories = {
        key: _Category(
            label=key,
            color="#000",
            fill=_CYCLE[i % len(_CYCLE)],
            weight=1.5,
            radius=8,
            fill_opacity=0.9,
        )
        for i, key in enumerate(keys)
    }
    fields = {"voltage_kv": substations["voltage_kv"]}
    for column in ("name", "capacity_mva", "spare_mva"):
        if column in substations:
            fields[column] = substations[column]
    return _LayerSpec(
        frame=substations,
        name=_t("substations", lang),
        categories=categories,
        category=voltage,
        title=substations["substation_id"].astype(str),
        fields=fields,
    )


def _phase_frame(zone, policy: Policy) -> gpd.GeoDataFrame:
    """Draw the corridor phases exactly as the corridor analysis numbers them."""
    bands = phase_bands(zone)
    bands["start_m"] = bands["start_m"].round().astype(int)
    bands["end_m"] = bands["end_m"].round().astype(int)
    return bands


def _corridor_phases(phases: gpd.GeoDataFrame, lang: Lang) -> _LayerSpec:
    keys = sorted(phases["phase"].dropna().unique().tolist())
    categories = {
        key: _Category(
            label=f"{_t('phase', lang)} {key}",
            color=_CYCLE[i % len(_CYCLE)],
            fill=_CYCLE[i % len(_CYCLE)],
            fill_opacity=0.12,
            weight=2,
            dash="8 4",
        )
        for i, key in enumerate(keys)
    }
    fields = {
        c: phases[c]
        for c in phases.columns
        if c not in ("geometry", "corridor_id") and not c.startswith("_")
    }
    title = phases["corridor_id"].astype(str) + " · " + _t("phase", lang) + " "
    return _LayerSpec(
        frame=phases,
        name=_t("corridor", lang),
        categories=categories,
        category=phases["phase"],
        title=title + phases["phase"].astype(str),
        fields=fields,
    )


def _overview_specs(zone, lang: Lang, parcels: gpd.GeoDataFrame) -> list[_LayerSpec]:
    specs = []
    if len(zone.constraints):
        specs.append(_constraints(zone.constraints, lang))
    # Corridor bands are wide: drawn below the parcels, so a click on a parcel reaches it.
    if len(zone.corridors):
        specs.append(_corridor_phases(_phase_frame(zone, zone.policy), lang))
    if len(parcels):
        specs.append(_parcels_by_status(parcels, lang))
    if len(zone.buildings):
        specs.append(_buildings_by_status(zone.buildings, lang))
    if len(zone.roads):
        specs.append(_roads(zone.roads, lang))
    if len(zone.substations):
        specs.append(_substations(zone.substations, lang))
    return specs


def overview_map(
    zone,
    *,
    lang: Lang = "zh",
    basemap: Basemap = "auto",
    tianditu_key: str | None = None,
    m: folium.Map | None = None,
    reservations: pd.DataFrame | None = None,
) -> folium.Map:
    """Draw a zone: parcels and buildings by status, constraints, roads, corridor, substations.

    Parameters
    ----------
    zone : Zone
        The zone's layers (any may be empty).
    lang
        Language of legends, layer names and popup labels.
    basemap
        ``"auto"`` (Tianditu where ``tianditu_key`` is given, else the standard ones),
        ``"standard"`` (OpenStreetMap and CartoDB), ``"tianditu"`` (needs ``tianditu_key``; the
        standard ones stay as alternatives) or ``"amap"`` (AMap/Gaode tiles, with the data
        shifted to GCJ-02 so it lines up with them).
    tianditu_key
        A Tianditu browser key (``tk``); the policy's ``maps.tianditu_key`` where None.
    m
        A map to draw on; a new one where None.
    reservations
        The store's active reservations (:meth:`landplan.store.Store.reservations`): a reserved
        parcel's popup names the project holding it and since when.

    Returns
    -------
    folium.Map
        With a layer control, legend, scale bar, fullscreen and measure controls.

    Raises
    ------
    MapError
        If ``lang`` or ``basemap`` is not a known choice, or Tianditu is asked for without a key.
    """
    policy = zone.policy
    m = _start(
        [zone.parcels, zone.corridors, zone.constraints],
        m=m,
        lang=lang,
        basemap=basemap,
        tianditu_key=tianditu_key,
        policy=policy,
    )
    title = "开发区用地总览" if lang == "zh" else "Zone overview"
    parcels = _with_reservations(zone.parcels, reservations, zone.projects, lang)
    specs = _overview_specs(zone, lang, parcels)
    return _finish(m, specs, title=title, lang=lang, basemap=basemap, policy=policy)


# --- analysis maps ---------------------------------------------------------------------------


def _frame_of(result: Any, name: str) -> pd.DataFrame | None:
    """Return ``result.name`` (an analysis result) or ``result[name]`` (a mapping), or None."""
    if result is None:
        return None
    if isinstance(result, Mapping):
        return result.get(name)
    return getattr(result, name, None)


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise MapError(
            f"expected {what} with column(s) {', '.join(missing)}, found columns "
            f"{', '.join(map(str, frame.columns))}; pass the frame the analysis returned"
        )


def _on_parcels(zone, table: pd.DataFrame, what: str) -> gpd.GeoDataFrame:
    """Attach the zone's parcel geometry (and name, status) to a table keyed by parcel_id."""
    _require(table, ["parcel_id"], what)
    base_columns = [c for c in ("parcel_id", "name", "status", "area_mu") if c in zone.parcels]
    extra = [c for c in table.columns if c not in base_columns and c != "geometry"]
    plain = pd.DataFrame(table[["parcel_id", *extra]])
    joined = zone.parcels[[*base_columns, "geometry"]].merge(plain, on="parcel_id", how="inner")
    return gpd.GeoDataFrame(joined, geometry="geometry", crs=zone.parcels.crs)


def _rules_text(flags: pd.DataFrame | None, lang: Lang) -> pd.Series:
    """One text per parcel listing the rules that fired, with their reasons, one per line."""
    if flags is None or not len(flags):
        return pd.Series(dtype="string", name="rules")
    _require(flags, ["parcel_id", "rule"], "flags")
    rule = flags["rule"].astype(str)
    # A rule is named in words, its identifier after it (容积率低于行业控制值 LE-FAR).
    names = rule.map(lambda r: _rule_name(r, lang))
    text = (names + " (" + rule + ")").where(names != rule, rule)
    if {"value", "threshold"} <= set(flags.columns):
        measured = _measure_text(flags, lang)
        text = text + measured
        return text.groupby(flags["parcel_id"].to_numpy()).agg("\n".join).rename("rules")
    for column in ("reason", "message", "detail"):
        if column in flags:
            reason = flags[column].astype("string").fillna("")
            text = text + (": " + reason).where(reason != "", "")
            break
    return text.groupby(flags["parcel_id"].to_numpy()).agg("\n".join).rename("rules")


def _rule_name(rule: str, lang: Lang) -> str:
    from landplan.labels import value_label

    for column in ("idle_rule", "rule"):
        named = value_label(column, rule, lang)
        if named != rule:
            return str(named)
    return rule


def _number_text(values: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    shown = numbers.map(lambda v: f"{v:,.2f}".rstrip("0").rstrip("."), na_action="ignore")
    return shown.astype("string").fillna("—")


def _measure_text(flags: pd.DataFrame, lang: Lang) -> pd.Series:
    """Return '：数值 0.52，阈值 0.7' for each flag (the indicator against its threshold)."""
    unit = (
        flags["unit"].astype("string").fillna("")
        if "unit" in flags
        else pd.Series("", index=flags.index, dtype="string")
    )
    unit = unit.replace({"days": "天" if lang == "zh" else " days"}) if lang == "zh" else unit
    value, threshold = _number_text(flags["value"]), _number_text(flags["threshold"])
    if lang == "zh":
        return "：数值 " + value + unit + "，阈值 " + threshold + unit
    return ": value " + value + unit + ", threshold " + threshold + unit


def _day_text(values: pd.Series, lang: Lang) -> pd.Series:
    days = pd.to_datetime(values, errors="coerce")
    if lang == "zh":
        text = (
            days.dt.year.astype("Int64").astype("string")
            + "年"
            + days.dt.month.astype("Int64").astype("string")
            + "月"
            + days.dt.day.astype("Int64").astype("string")
            + "日"
        )
    else:
        text = days.dt.strftime("%Y-%m-%d").astype("string")
    return text.where(days.notna())


def _idle_clock_words(parcels: pd.DataFrame, lang: Lang) -> pd.Series:
    """Say each parcel's idle-land clock in words, never as a negative count of days."""

    def column(name: str) -> pd.Series:
        if name in parcels:
            return parcels[name]
        return pd.Series(pd.NA, index=parcels.index, dtype=object)

    state = column("idle_state")
    to_idle = pd.to_numeric(column("days_to_idle"), errors="coerce")
    to_recovery = pd.to_numeric(column("days_to_recovery"), errors="coerce")
    idle_day = _day_text(column("idle_date"), lang)
    recovery_day = _day_text(column("recovery_date"), lang)
    ahead = to_idle.abs().round().astype("Int64").astype("string")
    left = to_recovery.abs().round().astype("Int64").astype("string")
    missing = column("idle_missing").astype("string")
    if lang == "zh":
        texts = {
            "recoverable": "已满两年未动工，自"
            + recovery_day
            + "起可无偿收回（已过"
            + left
            + "天）",
            "idle": "自"
            + idle_day
            + "起认定闲置；"
            + left
            + "天后（"
            + recovery_day
            + "）可无偿收回",
            "not_due": "计时中：" + ahead + "天后（" + idle_day + "）认定闲置",
            "insufficient_data": "数据不足，缺：" + missing.fillna(""),
        }
    else:
        texts = {
            "recoverable": "recoverable free of charge since "
            + recovery_day
            + " ("
            + left
            + " days ago)",
            "idle": "idle since "
            + idle_day
            + "; recoverable in "
            + left
            + " days ("
            + recovery_day
            + ")",
            "not_due": "clock running: idle in " + ahead + " days (" + idle_day + ")",
            "insufficient_data": "insufficient data, missing: " + missing.fillna(""),
        }
    out = pd.Series(pd.NA, index=parcels.index, dtype="string")
    for key, text in texts.items():
        out = out.mask(state == key, text)
    return out


def _areas(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Return a frame's area in m² and in 亩, from whichever it has (else from its geometry)."""
    if "area_m2" in frame:
        m2 = pd.to_numeric(frame["area_m2"], errors="coerce")
    elif "area_mu" in frame:
        m2 = pd.to_numeric(frame["area_mu"], errors="coerce") * MU_M2
    else:
        m2 = pd.Series(shapely.area(np.asarray(frame.geometry.array)), index=frame.index)
    mu = pd.to_numeric(frame["area_mu"], errors="coerce") if "area_mu" in frame else m2 / MU_M2
    return m2, mu


def _area_text(parcels: pd.DataFrame, lang: Lang) -> pd.Series:
    m2, mu = _areas(parcels)
    unit = "亩" if lang == "zh" else "mu"
    before, after = ("（", "）") if lang == "zh" else (" (", ")")
    return (
        m2.map(lambda v: f"{v:,.0f} m²", na_action="ignore").astype("string")
        + before
        + mu.map(lambda v: f"{v:,.2f} {unit}", na_action="ignore").astype("string")
        + after
    )


_AUDIT_DATES = ("agreed_start", "actual_start", "agreed_completion", "completed")


def _audit_fields(parcels: pd.DataFrame, lang: Lang) -> dict[str, pd.Series]:
    """Return the popup of an audited parcel: what a reader asks, in words."""
    from landplan.labels import column_label, value_label

    def label(column: str) -> str:
        return column_label(column, lang)

    fields: dict[str, pd.Series] = {}
    if "status" in parcels:
        fields[label("status")] = parcels["status"].map(lambda v: value_label("status", v, lang))
    if "area_mu" in parcels or "area_m2" in parcels:
        fields[_t("area", lang)] = _area_text(parcels, lang)
    if "holder" in parcels:
        fields[label("holder")] = parcels["holder"]
    for column in _AUDIT_DATES:
        if column in parcels:
            fields[label(column)] = _day_text(parcels[column], lang)
    fields[_t("idle_clock", lang)] = _idle_clock_words(parcels, lang)
    if "per_mu_class" in parcels:
        fields[label("evaluation_class")] = parcels["per_mu_class"].map(
            lambda v: value_label("evaluation_class", v, lang)
        )
    if "far" in parcels:
        fields[label("far")] = _number_text(parcels["far"])
    fields[_t("rule", lang)] = parcels["rules"]
    if "reserved_for" in parcels:
        fields[_t("reservation", lang)] = parcels["reserved_for"]
    return fields


def _fields_from(frame: pd.DataFrame, skip: Sequence[str]) -> dict[str, pd.Series]:
    return {
        c: frame[c]
        for c in frame.columns
        if c not in skip and c != "geometry" and not str(c).startswith("_")
    }


def audit_map(
    zone,
    audit,
    *,
    lang: Lang = "zh",
    basemap: Basemap = "auto",
    tianditu_key: str | None = None,
    m: folium.Map | None = None,
    reservations: pd.DataFrame | None = None,
) -> folium.Map:
    """Draw an audit: parcels by per-mu class, flagged parcels, idle-land deadlines.

    Parameters
    ----------
    zone : Zone
        The zone audited (parcel geometry comes from it).
    audit
        The audit result (or a mapping) holding ``parcels``, a table keyed by ``parcel_id`` with
        ``per_mu_class`` (A/B/C/D/T; ``evaluation_class`` as :func:`landplan.audit.audit`
        names it) and the indicators (every other column is shown in the popup), optionally
        ``days_to_idle`` and ``days_to_recovery``; and ``flags``, rows of ``parcel_id``,
        ``rule`` (or ``rule_id``) and ``reason``, one per rule that fired (rows whose
        ``outcome`` is not ``fires`` are left out).
    lang, basemap, tianditu_key, m, reservations
        As for :func:`overview_map`.

    Returns
    -------
    folium.Map

    Raises
    ------
    MapError
        If a frame lacks the columns named above.
    """
    policy = zone.policy
    table = _frame_of(audit, "parcels")
    if table is None:
        raise MapError(
            f"expected an audit result with a 'parcels' table, found {type(audit).__name__}; "
            "pass the value landplan.audit.audit() returned"
        )
    # landplan.audit names the class evaluation_class and the rule rule_id, and also lists
    # rules it could not decide (outcome "insufficient_data"), which are not flags on the map.
    table = table.rename(columns={"evaluation_class": "per_mu_class"})
    _require(table, ["parcel_id", "per_mu_class"], "audit parcels")
    flags = _frame_of(audit, "flags")
    if flags is not None:
        if "outcome" in flags:
            flags = flags[flags["outcome"] == "fires"]
        if "rule" not in flags and "rule_id" in flags:
            flags = flags.rename(columns={"rule_id": "rule"})
    parcels = _on_parcels(zone, table, "audit parcels")
    parcels = _with_reservations(parcels, reservations, zone.projects, lang)
    rules = _rules_text(flags, lang)
    parcels["rules"] = parcels["parcel_id"].map(rules)
    m = _start([parcels], m=m, lang=lang, basemap=basemap, tianditu_key=tianditu_key, policy=policy)
    fields = _audit_fields(parcels, lang)
    title = _parcel_title(parcels)
    classes = {
        key: _Category(label=_CLASS_LABELS[key][lang == "zh"], color="#333", fill=colour)
        for key, colour in _CLASS_COLOURS.items()
    }
    specs = [
        _LayerSpec(
            frame=parcels,
            name=_t("per_mu_class", lang),
            categories=classes,
            category=parcels["per_mu_class"].astype("string"),
            title=title,
            fields=fields,
            aggregate=True,
        )
    ]
    flagged = parcels[parcels["rules"].notna()]
    if flags is not None and len(flagged):
        first_rule = flagged["parcel_id"].map(
            flags.drop_duplicates("parcel_id").set_index("parcel_id")["rule"]
        )
        rule_keys = sorted(first_rule.astype(str).unique())
        specs.append(
            _LayerSpec(
                frame=flagged,
                name=_t("flags", lang),
                categories={
                    rule: _Category(
                        label=_rule_name(rule, lang), color=_CYCLE[i % len(_CYCLE)], weight=3
                    )
                    for i, rule in enumerate(rule_keys)
                },
                category=first_rule.astype(str),
                title=title[flagged.index],
                fields={k: v[flagged.index] for k, v in fields.items()},
            )
        )
    deadline = _deadline_category(parcels, policy)
    clocked = parcels[deadline.notna()]
    if len(clocked):
        specs.append(
            _LayerSpec(
                frame=clocked,
                name=_t("deadlines", lang),
                categories={
                    key: _Category(
                        label=_t(key, lang),
                        color="#000",
                        fill=colour,
                        weight=1.5,
                        fill_opacity=0.75,
                    )
                    for key, colour in _DEADLINE_COLOURS.items()
                },
                category=deadline[clocked.index],
                title=title[clocked.index],
                fields={k: v[clocked.index] for k, v in fields.items()},
                show=False,
            )
        )
    heading = "低效与闲置用地核查" if lang == "zh" else "Low-efficiency and idle land audit"
    return _finish(m, specs, title=heading, lang=lang, basemap=basemap, policy=policy)


def _deadline_category(parcels: pd.DataFrame, policy: Policy) -> pd.Series:
    """Classify each parcel's idle-land clock; None where it has no clock running."""
    warn = float(policy.maps.deadline_warning_days)
    out = pd.Series(pd.NA, index=parcels.index, dtype="string")
    idle = parcels.get("days_to_idle")
    recovery = parcels.get("days_to_recovery")
    if idle is not None:
        idle = pd.to_numeric(idle, errors="coerce")
        out = out.mask(idle.notna(), "clock_running").mask(idle.between(0, warn), "idle_soon")
    if recovery is not None:
        recovery = pd.to_numeric(recovery, errors="coerce")
        out = out.mask(recovery.notna() & out.isna(), "clock_running")
        out = out.mask(recovery.between(0, warn, inclusive="right"), "recovery_soon")
        out = out.mask(recovery <= 0, "overdue")
    return out


def project_map(
    zone,
    candidates: gpd.GeoDataFrame,
    project: Mapping[str, Any] | pd.Series,
    *,
    rejections: pd.DataFrame | None = None,
    lang: Lang = "zh",
    basemap: Basemap = "auto",
    tianditu_key: str | None = None,
    m: folium.Map | None = None,
    scores: bool = False,
    reservations: pd.DataFrame | None = None,
) -> folium.Map:
    """Draw the ranked candidate sites of a project, numbered, and the parcels rejected.

    Parameters
    ----------
    zone : Zone
        The zone searched (its parcels are drawn as context).
    candidates
        Ranked sites, one row each, with their own geometry (assemblies and cut-outs drawn as
        the site, not as the parcels under it): ``rank``, ``kind`` (single, assembly, cutout,
        floor_space), ``score`` and the score components (every other column is shown in the
        popup). The first ``policy.maps.candidates_numbered`` ranks are numbered on the map.
    project
        The project (a row of the projects layer): its ``name`` and ``project_id`` title the map.
    rejections
        Rows of ``parcel_id``, ``rule`` and ``reason``: parcels drawn grey with why they were
        rejected (a layer switched off at first).
    lang, basemap, tianditu_key, m, reservations
        As for :func:`overview_map`.
    scores
        Show the ranking's internal scores in the popups (for the office; the map sent to a
        company shows the site's size, readiness and surroundings in words).

    Returns
    -------
    folium.Map

    Raises
    ------
    MapError
        If a frame lacks the columns named above.
    """
    policy = zone.policy
    if "score" not in candidates and "score_total" in candidates:
        # landplan.match names the weighted total score_total beside its components.
        candidates = candidates.rename(columns={"score_total": "score"})
    _require(candidates, ["rank", "kind", "score"], "candidate sites")
    sites = candidates.sort_values("rank", kind="stable").reset_index(drop=True)
    # The map a company receives opens on its candidate sites, not on the whole zone.
    m = _start(
        [sites] if len(sites) else [zone.parcels],
        m=m,
        lang=lang,
        basemap=basemap,
        tianditu_key=tianditu_key,
        policy=policy,
    )
    context = _with_reservations(zone.parcels, reservations, zone.projects, lang)
    specs = [_context_parcels(context, lang)] if len(zone.parcels) else []
    if len(zone.constraints):
        specs.append(_constraints(zone.constraints, lang))
    if len(zone.roads):
        specs.append(_roads(zone.roads, lang))
    if len(zone.corridors):
        specs.append(_avenue(zone, lang))
    if len(zone.substations):
        specs.append(_substations(zone.substations, lang))
    if rejections is not None and len(rejections):
        _require(rejections, ["parcel_id", "rule"], "rejections")
        reasons = _rules_text(rejections, lang)
        rejected = _on_parcels(zone, reasons.rename_axis("parcel_id").reset_index(), "rejections")
        specs.append(
            _LayerSpec(
                frame=rejected,
                name=_t("rejected", lang),
                categories={},
                category=pd.Series("", index=rejected.index),
                title=_parcel_title(rejected),
                fields={_t("rejection", lang): rejected["rules"]},
                default=_Category(
                    label=_t("rejected", lang), color="#616161", fill="#bdbdbd", fill_opacity=0.6
                ),
                show=False,
            )
        )
    numbered = int(policy.maps.candidates_numbered)
    rank = pd.to_numeric(sites["rank"], errors="coerce")
    labels = rank.astype("Int64").astype("string").where(rank <= numbered)
    kind_label = sites["kind"].map({k: v[lang == "zh"] for k, v in _KIND_LABELS.items()})
    fields = {
        _t("kind", lang): kind_label.fillna(sites["kind"]),
        _t("area", lang): _area_text(sites, lang),
    }
    if "parcel_ids" in sites:
        fields[_t("parcels_of_site", lang)] = sites["parcel_ids"].map(
            lambda v: "、".join(split_list(v)) if lang == "zh" else ", ".join(split_list(v)),
            na_action="ignore",
        )
    fields[_t("reasons", lang)] = _site_reasons(sites, project, lang)
    if scores:
        fields["score"] = sites["score"]
        fields.update({c: sites[c] for c in sites.columns if str(c).startswith("score_")})
    specs.append(
        _LayerSpec(
            frame=sites,
            name=_t("candidates", lang),
            categories={
                key: _Category(
                    label=label[lang == "zh"],
                    color=_KIND_COLOURS[key],
                    fill=_KIND_COLOURS[key],
                    weight=3,
                    fill_opacity=0.35,
                )
                for key, label in _KIND_LABELS.items()
            },
            category=sites["kind"].astype(str),
            title=(
                ("候选选址 " if lang == "zh" else "Site ")
                + sites["rank"].astype(str)
                + ("号" if lang == "zh" else "")
            ),
            fields=fields,
            labels=labels,
        )
    )
    numbered_sites = [
        (int(r), str(text))
        for r, text in zip(rank, fields[_t("reasons", lang)], strict=True)
        if pd.notna(r) and r <= numbered
    ]
    m.add_child(
        _SheetNotes("候选选址及理由" if lang == "zh" else "Sites and why", numbered_sites),
        name="landplan_sheet_notes",
    )
    name = _project_text(project)
    heading = f"项目选址：{name}" if lang == "zh" else f"Sites for {name}"
    return _finish(m, specs, title=heading, lang=lang, basemap=basemap, policy=policy)


def _avenue(zone, lang: Lang) -> _LayerSpec:
    return _LayerSpec(
        frame=zone.corridors,
        name=_t("corridor_line", lang),
        categories={},
        category=pd.Series("", index=zone.corridors.index),
        title=zone.corridors["name"].astype(str) if "name" in zone.corridors else None,
        default=_Category(label=_t("corridor_line", lang), color="#b2182b", weight=5),
    )


def _metres(values: pd.Series) -> pd.Series:
    return (
        pd.to_numeric(values, errors="coerce")
        .map(lambda v: f"{v:,.0f}", na_action="ignore")
        .astype("string")
    )


def _site_reasons(sites: pd.DataFrame, project: Mapping[str, Any] | pd.Series, lang: Lang):
    """Say in plain words why each site is offered: its size, readiness and surroundings."""
    zh = lang == "zh"
    parts: list[pd.Series] = []
    asked = [project.get("land_mu_min"), project.get("land_mu_max")]
    need = [float(v) for v in asked if v is not None and not pd.isna(v)]
    area = _areas(sites)[1].map(lambda v: f"{v:,.1f}", na_action="ignore").astype("string")
    wanted = f"{min(need):,.0f}–{max(need):,.0f}" if need else ""
    if zh:
        parts.append("面积" + area + "亩" + (f"（需求{wanted}亩）" if wanted else ""))
    else:
        parts.append(area + " mu" + (f" (needs {wanted} mu)" if wanted else ""))
    if "readiness_months" in sites:
        months = pd.to_numeric(sites["readiness_months"], errors="coerce")
        n = months.round().astype("Int64").astype("string")
        ready = ("约" + n + "个月内可供地") if zh else ("ready in about " + n + " months")
        parts.append(ready.mask(months <= 0, "即可供地" if zh else "ready now"))
    for column, zh_text, en_text in (
        ("frontage_m", "临路{}米", "{} m of road frontage"),
        ("avenue_distance_m", "距大道{}米", "{} m from the avenue"),
        ("substation_distance_m", "距变电站{}米", "{} m from a substation"),
    ):
        if column in sites:
            metres = _metres(sites[column])
            template = zh_text if zh else en_text
            before, after = template.split("{}")
            parts.append(before + metres + after)
    if "cluster_enterprises" in sites:
        count = pd.to_numeric(sites["cluster_enterprises"], errors="coerce").astype("Int64")
        text = count.astype("string")
        said = (
            ("周边同产业集群企业" + text + "家") if zh else (text + " firms of its cluster nearby")
        )
        parts.append(said.where(count > 0))
    if "corridor_phase" in sites:
        phase = pd.to_numeric(sites["corridor_phase"], errors="coerce").astype("Int64")
        inside = (
            ("位于东扩第" + phase.astype("string") + "期")
            if zh
            else ("in corridor phase " + phase.astype("string"))
        )
        # Phase 0 is land beyond the avenue's corridor.
        parts.append(inside.mask(phase <= 0, "不在东扩范围内" if zh else "outside the corridor"))
    sep = "；" if zh else "; "
    frame = pd.concat(parts, axis=1)
    return frame.apply(lambda row: sep.join(v for v in row if isinstance(v, str) and v), axis=1)


def _project_text(project: Mapping[str, Any] | pd.Series) -> str:
    ident = project.get("project_id")
    name = project.get("name")
    parts = [str(v) for v in (ident, name) if v is not None and not pd.isna(v)]
    return " ".join(parts) or "?"


def allocation_map(
    zone,
    allocation: pd.DataFrame,
    *,
    lang: Lang = "zh",
    basemap: Basemap = "auto",
    tianditu_key: str | None = None,
    m: folium.Map | None = None,
) -> folium.Map:
    """Draw an allocation of the pipeline: each parcel coloured by the project it goes to.

    Parameters
    ----------
    zone : Zone
        The zone allocated (parcel geometry, project names come from it).
    allocation
        Either the plan of :func:`landplan.allocate.allocate` (``Allocation.plan``: one row per
        project with ``project_id`` and the site's own geometry, so cut-outs and assemblies are
        drawn as the site given), or rows of ``parcel_id`` and ``project_id`` (one per parcel
        given to a project, drawn with the parcel's geometry). Every other column is shown in
        the popup; rows without a site (floor space without a footprint) are not drawn.
    lang, basemap, tianditu_key, m
        As for :func:`overview_map`.

    Returns
    -------
    folium.Map
    """
    policy = zone.policy
    sites = isinstance(allocation, gpd.GeoDataFrame) and "parcel_id" not in allocation
    _require(allocation, ["project_id"] if sites else ["parcel_id", "project_id"], "allocation")
    if sites:
        drawn = allocation.geometry.notna() & ~allocation.geometry.is_empty
        table = allocation.loc[drawn].rename(columns={"name": "project_name"})
    else:
        table = allocation[allocation["parcel_id"].notna()].copy()
    if "project_name" not in table and len(zone.projects) and "name" in zone.projects:
        names = zone.projects.set_index("project_id")["name"]
        table["project_name"] = table["project_id"].map(names)
    if sites:
        given = gpd.GeoDataFrame(table, geometry=table.geometry.name, crs=allocation.crs)
        given = given.to_crs(zone.parcels.crs).reset_index(drop=True)
    else:
        given = _on_parcels(zone, table.rename(columns={"name": "project_name"}), "allocation")
    m = _start(
        [zone.parcels], m=m, lang=lang, basemap=basemap, tianditu_key=tianditu_key, policy=policy
    )
    projects = given["project_id"].astype(str)
    keys = sorted(projects.unique())
    names = (
        given.drop_duplicates("project_id").set_index("project_id")["project_name"]
        if "project_name" in given
        else pd.Series(dtype=object)
    )
    categories = {
        key: _Category(
            label=f"{key} {names.get(key, '') if pd.notna(names.get(key)) else ''}".strip(),
            color="#222",
            fill=_CYCLE[i % len(_CYCLE)],
            fill_opacity=0.7,
        )
        for i, key in enumerate(keys)
    }
    specs = [_context_parcels(zone.parcels, lang)] if len(zone.parcels) else []
    fields = _fields_from(given, skip=("parcel_id", "name"))
    if "status" in given:
        fields["status"] = _vocab_label(given["status"], vocab.PARCEL_STATUS, lang)
    if sites:
        title = (
            projects
            + " "
            + given.get("project_name", pd.Series("", index=given.index)).fillna("").astype(str)
        ).str.strip()
    else:
        title = _parcel_title(given)
    specs.append(
        _LayerSpec(
            frame=given,
            name=_t("allocation", lang),
            categories=categories,
            category=projects,
            title=title,
            fields=fields,
        )
    )
    heading = "招商项目用地分配" if lang == "zh" else "Allocation of the pipeline"
    return _finish(m, specs, title=heading, lang=lang, basemap=basemap, policy=policy)


def corridor_map(
    zone,
    result=None,
    *,
    lang: Lang = "zh",
    basemap: Basemap = "auto",
    tianditu_key: str | None = None,
    m: folium.Map | None = None,
) -> folium.Map:
    """Draw the corridor expansion: the avenue, its phases, and the parcels in each phase.

    Parameters
    ----------
    zone : Zone
        The zone; its ``corridors`` layer gives the avenue and, where ``result`` is None, the
        phases (split at ``phase_breaks_m``, else every ``policy.corridor.phase_length_m``,
        ``width_m`` wide, else ``policy.corridor.width_m``).
    result
        A corridor result (or mapping) with ``phases``, a GeoDataFrame of phase areas with
        ``phase`` and its supply figures (shown in the popup), and optionally ``parcels``, rows
        of ``parcel_id`` and ``phase``. Where None, parcels are placed in the phase band their
        representative point falls in.
    lang, basemap, tianditu_key, m
        As for :func:`overview_map`.

    Returns
    -------
    folium.Map
    """
    policy = zone.policy
    phases = _frame_of(result, "phases")
    if phases is None:
        phases = _phase_frame(zone, policy)
    _require(phases, ["phase"], "corridor phases")
    if "corridor_id" not in phases:
        phases = phases.assign(corridor_id="")
    assigned = _frame_of(result, "parcels")
    if assigned is None and len(phases) and len(zone.parcels):
        points = gpd.GeoDataFrame(
            zone.parcels[["parcel_id"]],
            geometry=zone.parcels.geometry.representative_point(),
            crs=zone.parcels.crs,
        )
        hits = gpd.sjoin(points, phases.to_crs(points.crs)[["phase", "geometry"]], how="inner")
        assigned = hits.drop_duplicates("parcel_id")[["parcel_id", "phase"]]
    m = _start(
        [phases, zone.corridors],
        m=m,
        lang=lang,
        basemap=basemap,
        tianditu_key=tianditu_key,
        policy=policy,
    )
    specs = [_context_parcels(zone.parcels, lang)] if len(zone.parcels) else []
    phase_spec = _corridor_phases(phases, lang)
    specs.append(phase_spec)
    if assigned is not None and len(assigned):
        _require(assigned, ["parcel_id", "phase"], "corridor parcels")
        placed = _on_parcels(zone, assigned, "corridor parcels")
        fields = _parcel_fields(placed, lang)
        fields["phase"] = placed["phase"]
        specs.append(
            _LayerSpec(
                frame=placed,
                name=_t("corridor_parcels", lang),
                categories={
                    key: _Category(label=cat.label, color="#333", fill=cat.fill, fill_opacity=0.6)
                    for key, cat in phase_spec.categories.items()
                },
                category=placed["phase"],
                title=_parcel_title(placed),
                fields=fields,
            )
        )
    if len(zone.corridors):
        specs.append(
            _LayerSpec(
                frame=zone.corridors,
                name=_t("corridor_line", lang),
                categories={},
                category=pd.Series("", index=zone.corridors.index),
                title=zone.corridors["name"].astype(str),
                fields=_fields_from(zone.corridors, skip=("name",)),
                default=_Category(label=_t("corridor_line", lang), color="#b2182b", weight=5),
            )
        )
    heading = "沿大道东扩分期" if lang == "zh" else "Corridor expansion by phase"
    return _finish(m, specs, title=heading, lang=lang, basemap=basemap, policy=policy)


# --- output ----------------------------------------------------------------------------------


def layer_counts(m: folium.Map) -> dict[str, int]:
    """Return each landplan overlay's name (as shown) and its number of features."""
    return {
        html.unescape(child.layer_name): child.feature_count
        for child in m._children.values()
        if isinstance(child, _DataLayer)
    }


_EXTERNAL = re.compile(
    r"<(?:script|link|img|iframe)\b[^>]*?\b(?:src|href)\s*=\s*[\"']?((?:https?:)?//[^\"'\s>]+)",
    re.IGNORECASE,
)


def save_map(m: folium.Map, path: str | os.PathLike) -> Path:
    """Write a map as one self-contained HTML file.

    Parameters
    ----------
    m
        A map from this module (or any folium map: its CDN links are replaced by inline code).
    path
        The ``.html`` file to write (UTF-8).

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    MapError
        If an element added to the map still loads a script, style or image from the network.
    """
    _make_self_contained(m)
    page = m.get_root().render()
    external = sorted(set(_EXTERNAL.findall(page)))
    if external:
        raise MapError(
            f"expected a self-contained page, found {len(external)} resource(s) loaded from the "
            f"network: {', '.join(external[:5])}; remove the folium elements or plugins that "
            "add them (landplan's maps carry their own fullscreen and measure controls)"
        )
    with writing(path) as path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page, encoding="utf-8")
    return path


def find_browser(browser: str | os.PathLike | None = None) -> str:
    """Return the Chromium executable: ``browser``, ``$LANDPLAN_CHROMIUM``, or on the PATH.

    Raises
    ------
    MapError
        If none is found.
    """
    candidates = [browser, os.environ.get("LANDPLAN_CHROMIUM")]
    candidates += [shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return str(candidate)
    raise MapError(
        "expected a Chromium browser for screenshots, found none (looked at the browser "
        "argument, $LANDPLAN_CHROMIUM and chromium on the PATH); install it "
        "(apt-get install chromium) or set LANDPLAN_CHROMIUM"
    )


#: Flags for headless Chromium run by landplan: no first-run work, no background traffic.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def screenshot(
    html_path: str | os.PathLike,
    png_path: str | os.PathLike,
    *,
    width: int = 1280,
    height: int = 800,
    browser: str | os.PathLike | None = None,
    timeout_s: float = 30.0,
) -> Path:
    """Render a saved map in headless Chromium and write a PNG of it.

    Parameters
    ----------
    html_path
        A page written by :func:`save_map`.
    png_path
        The PNG to write.
    width, height
        Viewport size in pixels.
    browser
        Chromium executable; see :func:`find_browser`.
    timeout_s
        How long to wait for the map to finish building.

    Returns
    -------
    Path
        The PNG written.

    Raises
    ------
    MapError
        If Playwright or Chromium is missing, or the page fails to build its map.
    """
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ModuleNotFoundError as exc:
        raise MapError(
            "expected the playwright package for screenshots, found it missing; "
            "pip install playwright (no browser download is needed: "
            "landplan drives the system's Chromium)"
        ) from exc
    executable = find_browser(browser)
    html_path = Path(html_path).resolve()
    png_path = Path(png_path)
    with sync_playwright() as p:
        engine = p.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
        try:
            page = engine.new_page(viewport={"width": width, "height": height})
            page.goto(html_path.as_uri())
            try:
                page.wait_for_function(
                    "window.landplan && window.landplan.ready === true", timeout=timeout_s * 1000
                )
            except PlaywrightError as exc:
                raise MapError(
                    f"expected {html_path} to build its map within {timeout_s} s, it did not "
                    f"({str(exc).splitlines()[0]}); open it in a browser to see the error"
                ) from exc
            page.screenshot(path=str(png_path))
        finally:
            engine.close()
    return png_path


# --- building blocks shared with the other map modules ----------------------------------------
# revitalise_map draws its map from the same pieces, and qgis styles layers in the same colours;
# they use these names, not the private ones.
Category = _Category
MapLayer = _LayerSpec
start_map = _start
finish_map = _finish
vocab_label = _vocab_label
context_parcels_layer = _context_parcels
roads_layer = _roads
phase_frame = _phase_frame
corridor_phases_layer = _corridor_phases
PARCEL_COLOURS = _PARCEL_COLOURS
BUILDING_COLOURS = _BUILDING_COLOURS
CONSTRAINT_COLOURS = _CONSTRAINT_COLOURS
KIND_COLOURS = _KIND_COLOURS
