r"""Maps a planner can send: self-contained, escaped, bilingual Folium maps.

This is the only package that imports folium. Each map function takes loaded frames (a
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

from landplan.errors import MapError
from landplan.labels import Lang
from landplan.maps.audit import audit_map
from landplan.maps.basemaps import finish_map, start_map, tile_hosts
from landplan.maps.corridor import corridor_map
from landplan.maps.features import (
    context_parcels_layer,
    corridor_phases_layer,
    parcel_status_layer,
    phase_frame,
    roads_layer,
)
from landplan.maps.output import CHROMIUM_ARGS, find_browser, layer_counts, save_map, screenshot
from landplan.maps.overview import overview_map
from landplan.maps.page import (
    BUILDING_COLOURS,
    CONSTRAINT_COLOURS,
    KIND_COLOURS,
    PARCEL_COLOURS,
    Basemap,
    Category,
    DataLayer,
    Legend,
    MapLayer,
    aggregated_layer,
    html_text,
    js_json,
    vocab_label,
)
from landplan.maps.project import allocation_map, project_map

__all__ = [
    "BUILDING_COLOURS",
    "CHROMIUM_ARGS",
    "CONSTRAINT_COLOURS",
    "KIND_COLOURS",
    "PARCEL_COLOURS",
    "Basemap",
    "Category",
    "DataLayer",
    "Lang",
    "Legend",
    "MapError",
    "MapLayer",
    "aggregated_layer",
    "allocation_map",
    "audit_map",
    "context_parcels_layer",
    "corridor_map",
    "corridor_phases_layer",
    "find_browser",
    "finish_map",
    "html_text",
    "js_json",
    "layer_counts",
    "overview_map",
    "parcel_status_layer",
    "phase_frame",
    "project_map",
    "roads_layer",
    "save_map",
    "screenshot",
    "start_map",
    "tile_hosts",
    "vocab_label",
]
