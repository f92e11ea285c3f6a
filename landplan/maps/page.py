"""The page machinery every map shares.

Bilingual text, escaping, palettes, encoded layers, the legend, the controls and the self-
contained page.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal

import numpy as np
import pandas as pd
from branca.element import MacroElement

import folium
import geopandas as gpd
import shapely
from folium.template import Template

from landplan import vocab
from landplan.errors import CRSMismatchError, MapError
from landplan.gcj02 import geometry_to_gcj02
from landplan.kinds import KINDS
from landplan.labels import MESSAGES, Lang, column_label, value_labels
from landplan.policy import Policy
from landplan.units import MU_M2

Basemap = Literal["auto", "standard", "tianditu", "amap"]


def map_text(key: str, lang: Lang) -> str:
    """Return the map text ``key`` in ``lang``, as the label registry holds it (``map.<key>``).

    The text is returned raw: the few that hold fields (``{cell:g}``) are filled by the map.
    """
    zh, en = MESSAGES[f"map.{key}"]
    return zh if lang == "zh" else en


def _field_label(column: str, lang: Lang) -> str:
    return column_label(column, lang)


def html_text(text: object) -> str:
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


def js_json(value: Any) -> str:
    r"""Serialise to JSON safe to place inside a ``<script>`` block and any JavaScript string.

    ``\\u`` escapes decode to the same characters in JavaScript, so the data is unchanged while
    the page source holds no ``</script>``, markup, backtick or ``${`` from data.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _JS_UNSAFE.sub(lambda match: _JS_ESCAPES[match.group(0)], text)


PARCEL_COLOURS = {
    "occupied": "#8c8c8c",
    "idle": "#d7191c",
    "low_efficiency": "#fdae61",
    "reserved_leased": "#a6611a",
    "state_reserve": "#1a9641",
    "under_construction": "#2b83ba",
    "planned": "#c2a5cf",
}


# Vacant floor space in teal, apart from the reds of idle land: the two are different offers.
BUILDING_COLOURS = {
    "in_use": "#4d4d4d",
    "vacant": "#01857a",
    "partly_vacant": "#7fcdbb",
    "low_efficiency": "#fdae61",
    "dilapidated": "#762a83",
    "under_construction": "#2b83ba",
}


CONSTRAINT_COLOURS = {
    "ecological_red_line": "#006d2c",
    "basic_farmland": "#b8e186",
    "water_protection": "#3182bd",
    "residential": "#e7298a",
    "river": "#6baed6",
    "fuel_station": "#e6550d",
}


ROAD_WEIGHTS = {"avenue": 5, "secondary": 3, "branch": 1.5}


CLASS_COLOURS = {"A": "#1a9641", "B": "#a6d96a", "C": "#fdae61", "D": "#d7191c", "T": "#bababa"}


def _domain_labels(domain: str) -> dict[str, tuple[str, str]]:
    """Return a value domain of the label registry as identifier -> (English, Chinese)."""
    zh = value_labels(domain, "zh")
    return {k: (en, zh[k]) for k, en in value_labels(domain, "en").items()}


# The class and kind labels, from the one label registry (kept under their old names).
CLASS_LABELS = _domain_labels("evaluation_class")


KIND_COLOURS = {name: k.color for name, k in KINDS.items()}


KIND_LABELS = {k: _domain_labels("kind")[k] for k in KIND_COLOURS}


DEADLINE_COLOURS = {
    "overdue": "#67000d",
    "recovery_soon": "#d7191c",
    "idle_soon": "#fdae61",
    "clock_running": "#ffffbf",
}


# Qualitative colours for projects and phases (ColorBrewer Set1/Dark2 mixed for contrast).
CYCLE = (
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
class Category:
    """How one category of features is drawn, and its legend entry."""

    label: str
    color: str
    fill: str | None = None
    weight: float = 1.0
    fill_opacity: float = 0.55
    dash: str | None = None
    radius: float = 6.0

    def style(self) -> dict[str, Any]:
        """Return the Leaflet path style of this category."""
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


def vocab_categories(
    vocabulary: vocab.Vocabulary,
    colours: Mapping[str, str],
    lang: Lang,
    *,
    outline: str | None = None,
    weight: float = 1.0,
    fill_opacity: float = 0.55,
) -> dict[str, Category]:
    """Return one category per value of a vocabulary that has a colour, labelled in ``lang``."""
    return {
        key: Category(
            label=vocabulary.label(key, lang),
            color=outline or colours[key],
            fill=colours[key],
            weight=weight,
            fill_opacity=fill_opacity,
        )
        for key in vocabulary.values
        if key in colours
    }


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
class MapLayer:
    """What to draw for one overlay: frame, category per feature, popup fields."""

    frame: gpd.GeoDataFrame
    name: str
    categories: Mapping[str, Category]
    category: pd.Series
    title: pd.Series | None = None
    fields: Mapping[str, pd.Series] = field(default_factory=dict)
    labels: pd.Series | None = None
    show: bool = True
    legend: bool = True
    default: Category | None = None
    # A layer of the whole zone, drawn as context: aggregated when too large to draw whole.
    aggregate: bool = False


class DataLayer(folium.map.Layer):
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
        super().__init__(name=html_text(name), overlay=True, control=True, show=show)
        self._name = "LandplanLayer"
        self.data = payload
        self.payload = js_json(payload)

    @property
    def feature_count(self) -> int:
        """Number of features the layer draws."""
        return sum(len(part["cat"]) for part in self.data["parts"])


def layer_payload(spec: MapLayer, *, policy: Policy, gcj02: bool, lang: Lang) -> dict:
    """Encode a layer for the page: styles, coordinates, popup values and legend."""
    frame = spec.frame
    categories = dict(spec.categories)
    default = spec.default or Category(label=map_text("other", lang), color=_GREY, fill=_GREY)
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


def _legend_shape(family: np.ndarray, cat: Category) -> str:
    present = set(family.tolist())
    if present == {"point"}:
        return "point"
    if cat.fill is None or present == {"line"}:
        return "line"
    return "area"


def _read_asset(package: str, name: str) -> str:
    try:
        return (resources.files(package) / name).read_text(encoding="utf-8")
    except ModuleNotFoundError as exc:
        raise MapError.of("out_no_package", package=package) from exc


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


class Legend(MacroElement):
    """The legend the page draws beside the map."""

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
        self.payload = js_json(spec)


class Controls(MacroElement):
    """The metric scale bar, the full-screen button and the measuring tool."""

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
        self.fullscreen = js_json(
            {"enter": map_text("fullscreen_enter", lang), "exit": map_text("fullscreen_exit", lang)}
        )
        self.measure = js_json(
            {
                "start": map_text("measure_start", lang),
                "stop": map_text("measure_stop", lang),
                "hint": map_text("measure_hint", lang),
                "length": map_text("length", lang),
                "area": map_text("area", lang),
                "mu": map_text("mu", lang),
                "mu_m2": MU_M2,
            }
        )


class Bounds(MacroElement):
    # The extent the map opened on, kept for a print layout to fit again after resizing.
    """The extent the map opened on, kept for a print layout to fit again after resizing."""

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
        self.payload = js_json(box)


class SheetNotes(MacroElement):
    # Numbered notes a printed sheet lists beside the map (a project's sites and their reasons).
    """Numbered notes a printed sheet lists beside the map (a project's sites and their reasons)."""

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
        self.payload = js_json({"title": title, "items": [list(i) for i in items]})


class Ready(MacroElement):
    # Rendered last, so a page (or a test) knows every layer and control was built.
    """Marks the page ready once every layer and control was built (rendered last)."""

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


def make_self_contained(m: folium.Map) -> None:
    # Instance attributes shadow folium's class lists of CDN links (Leaflet, jQuery, Bootstrap,
    # Font Awesome, awesome-markers); the same code comes inline from _Assets instead.
    """Replace folium's CDN links by Leaflet and landplan's controls inline."""
    m.default_js = []
    m.default_css = []
    if not any(isinstance(child, _Assets) for child in m._children.values()):
        m.add_child(_Assets(), name="landplan_assets", index=0)


def aggregated_layer(spec: MapLayer, policy: Policy, lang: Lang) -> MapLayer:
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
    unit = map_text("mu", lang)
    return MapLayer(
        frame=gpd.GeoDataFrame(geometry=squares, crs=frame.crs),
        name=spec.name + map_text("aggregated", lang).format(cell=cell),
        categories=spec.categories,
        category=category,
        fields={
            map_text("cell_features", lang): pd.Series(counts),
            map_text("cell_area", lang): pd.Series([f"{v:,.1f} {unit}" for v in mu], dtype=object),
        },
        show=spec.show,
        legend=spec.legend,
        default=spec.default,
    )


def _as_str(values: pd.Series) -> pd.Series:
    return values.astype("string")


def vocab_label(values: pd.Series, vocabulary: vocab.Vocabulary, lang: Lang) -> pd.Series:
    """Return each code of ``values`` as its label in ``lang`` (unknown codes unchanged)."""
    labels = {key: vocabulary.label(key, lang) for key in vocabulary.values}
    return values.map(labels).fillna(values)
