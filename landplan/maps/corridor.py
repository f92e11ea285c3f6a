"""The corridor map: the avenue's expansion phase by phase."""

from __future__ import annotations

import pandas as pd

import folium
import geopandas as gpd

from landplan.labels import Lang
from landplan.maps.basemaps import finish_map, start_map
from landplan.maps.features import (
    context_parcels_layer,
    corridor_phases_layer,
    fields_from,
    frame_of,
    on_parcels,
    parcel_fields,
    parcel_title,
    phase_frame,
    require,
)
from landplan.maps.page import Basemap, Category, MapLayer, map_text


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
    phases = frame_of(result, "phases")
    if phases is None:
        phases = phase_frame(zone, policy)
    require(phases, ["phase"], "corridor phases")
    if "corridor_id" not in phases:
        phases = phases.assign(corridor_id="")
    assigned = frame_of(result, "parcels")
    if assigned is None and len(phases) and len(zone.parcels):
        points = gpd.GeoDataFrame(
            zone.parcels[["parcel_id"]],
            geometry=zone.parcels.geometry.representative_point(),
            crs=zone.parcels.crs,
        )
        hits = gpd.sjoin(points, phases.to_crs(points.crs)[["phase", "geometry"]], how="inner")
        assigned = hits.drop_duplicates("parcel_id")[["parcel_id", "phase"]]
    m = start_map(
        [phases, zone.corridors],
        m=m,
        lang=lang,
        basemap=basemap,
        tianditu_key=tianditu_key,
        policy=policy,
    )
    specs = [context_parcels_layer(zone.parcels, lang)] if len(zone.parcels) else []
    phase_spec = corridor_phases_layer(phases, lang)
    specs.append(phase_spec)
    if assigned is not None and len(assigned):
        require(assigned, ["parcel_id", "phase"], "corridor parcels")
        placed = on_parcels(zone, assigned, "corridor parcels")
        fields = parcel_fields(placed, lang)
        fields["phase"] = placed["phase"]
        specs.append(
            MapLayer(
                frame=placed,
                name=map_text("corridor_parcels", lang),
                categories={
                    key: Category(label=cat.label, color="#333", fill=cat.fill, fill_opacity=0.6)
                    for key, cat in phase_spec.categories.items()
                },
                category=placed["phase"],
                title=parcel_title(placed),
                fields=fields,
            )
        )
    if len(zone.corridors):
        specs.append(
            MapLayer(
                frame=zone.corridors,
                name=map_text("corridor_line", lang),
                categories={},
                category=pd.Series("", index=zone.corridors.index),
                title=zone.corridors["name"].astype(str),
                fields=fields_from(zone.corridors, skip=("name",)),
                default=Category(label=map_text("corridor_line", lang), color="#b2182b", weight=5),
            )
        )
    heading = "沿大道东扩分期" if lang == "zh" else "Corridor expansion by phase"
    return finish_map(m, specs, title=heading, lang=lang, basemap=basemap, policy=policy)
