"""The overview map: parcels and buildings by status, constraints, roads and the corridor."""

from __future__ import annotations

import pandas as pd

import folium
import geopandas as gpd

from landplan.labels import Lang
from landplan.maps.basemaps import finish_map, start_map
from landplan.maps.features import (
    building_status_layer,
    constraint_layer,
    corridor_phases_layer,
    parcel_status_layer,
    phase_frame,
    roads_layer,
    substation_layer,
    with_reservations,
)
from landplan.maps.page import Basemap, MapLayer


def _overview_specs(zone, lang: Lang, parcels: gpd.GeoDataFrame) -> list[MapLayer]:
    specs = []
    if len(zone.constraints):
        specs.append(constraint_layer(zone.constraints, lang))
    # Corridor bands are wide: drawn below the parcels, so a click on a parcel reaches it.
    if len(zone.corridors):
        specs.append(corridor_phases_layer(phase_frame(zone, zone.policy), lang))
    if len(parcels):
        specs.append(parcel_status_layer(parcels, lang))
    if len(zone.buildings):
        specs.append(building_status_layer(zone.buildings, lang))
    if len(zone.roads):
        specs.append(roads_layer(zone.roads, lang))
    if len(zone.substations):
        specs.append(substation_layer(zone.substations, lang))
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
    m = start_map(
        [zone.parcels, zone.corridors, zone.constraints],
        m=m,
        lang=lang,
        basemap=basemap,
        tianditu_key=tianditu_key,
        policy=policy,
    )
    title = "开发区用地总览" if lang == "zh" else "Zone overview"
    parcels = with_reservations(zone.parcels, reservations, zone.projects, lang)
    specs = _overview_specs(zone, lang, parcels)
    return finish_map(m, specs, title=title, lang=lang, basemap=basemap, policy=policy)
