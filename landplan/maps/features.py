"""The zone's layers as a map draws them.

Parcels and buildings by status, constraints, roads, substations, candidate kinds and the
corridor phases.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

import geopandas as gpd
import shapely

from landplan import vocab
from landplan.corridor import phase_bands
from landplan.errors import MapError
from landplan.labels import Lang
from landplan.maps.page import (
    BUILDING_COLOURS,
    CONSTRAINT_COLOURS,
    CYCLE,
    PARCEL_COLOURS,
    ROAD_WEIGHTS,
    Category,
    MapLayer,
    map_text,
    vocab_categories,
    vocab_label,
)
from landplan.policy import Policy
from landplan.units import MU_M2


def parcel_fields(parcels: gpd.GeoDataFrame, lang: Lang) -> dict[str, pd.Series]:
    """Return the popup fields of parcels: name, holder, area, status, land use, tenure."""
    fields: dict[str, pd.Series] = {}
    for column in ("name", "holder"):
        if column in parcels:
            fields[column] = parcels[column]
    if "area_mu" in parcels or "area_m2" in parcels:
        fields[map_text("area", lang)] = area_text(parcels, lang)
    if "status" in parcels:
        fields["status"] = vocab_label(parcels["status"], vocab.PARCEL_STATUS, lang)
    if "land_use" in parcels:
        fields["land_use"] = vocab_label(parcels["land_use"], vocab.LAND_USE, lang)
    if "tenure" in parcels:
        fields["tenure"] = vocab_label(parcels["tenure"], vocab.TENURE, lang)
    if "reserved_for" in parcels:
        fields[map_text("reservation", lang)] = parcels["reserved_for"]
    return fields


def with_reservations(
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


def parcel_status_layer(parcels: gpd.GeoDataFrame, lang: Lang) -> MapLayer:
    """Return the layer of parcels coloured by status."""
    return MapLayer(
        frame=parcels,
        name=map_text("parcels", lang),
        categories=vocab_categories(vocab.PARCEL_STATUS, PARCEL_COLOURS, lang, outline="#333"),
        category=parcels["status"],
        title=parcel_title(parcels),
        fields=parcel_fields(parcels, lang),
        aggregate=True,
    )


def parcel_title(parcels: pd.DataFrame) -> pd.Series:
    """Return each parcel's popup title: its id and name."""
    if "name" in parcels:
        named = parcels["parcel_id"].astype(str) + " " + parcels["name"].fillna("").astype(str)
        return named.str.strip()
    return parcels["parcel_id"].astype(str)


def context_parcels_layer(parcels: gpd.GeoDataFrame, lang: Lang) -> MapLayer:
    """Return the grey parcels drawn beneath a map's subject."""
    return MapLayer(
        frame=parcels,
        name=map_text("parcels_context", lang),
        categories={},
        category=pd.Series(np.full(len(parcels), ""), index=parcels.index),
        title=parcel_title(parcels),
        fields=parcel_fields(parcels, lang),
        legend=False,
        default=Category(
            label=map_text("parcels_context", lang),
            color="#777",
            fill="#ffffff",
            fill_opacity=0.1,
            weight=0.7,
        ),
        aggregate=True,
    )


def building_status_layer(buildings: gpd.GeoDataFrame, lang: Lang) -> MapLayer:
    """Return the layer of buildings coloured by status."""
    fields = {
        "status": vocab_label(buildings["status"], vocab.BUILDING_STATUS, lang),
    }
    for column in ("parcel_id", "floors", "floor_area_m2", "vacant_area_m2"):
        if column in buildings:
            fields[column] = buildings[column]
    return MapLayer(
        frame=buildings,
        name=map_text("buildings", lang),
        categories=vocab_categories(
            vocab.BUILDING_STATUS, BUILDING_COLOURS, lang, outline="#111", fill_opacity=0.8
        ),
        category=buildings["status"],
        title=buildings["building_id"].astype(str),
        fields=fields,
        aggregate=True,
    )


def constraint_layer(constraints: gpd.GeoDataFrame, lang: Lang) -> MapLayer:
    """Return the layer of constraint areas (red line, farmland, protection zones)."""
    categories = {
        key: Category(
            label=vocab.CONSTRAINT_KIND.label(key, lang),
            color=colour,
            fill=colour,
            fill_opacity=0.3,
            weight=1.5,
            dash="6 3",
            radius=7,
        )
        for key, colour in CONSTRAINT_COLOURS.items()
    }
    return _kind_layer(
        constraints, "constraint_id", vocab.CONSTRAINT_KIND, categories, "constraints", lang
    )


def roads_layer(roads: gpd.GeoDataFrame, lang: Lang) -> MapLayer:
    """Return the layer of roads, drawn heavier by class."""
    categories = {
        key: Category(label=vocab.ROAD_KIND.label(key, lang), color="#636363", weight=weight)
        for key, weight in ROAD_WEIGHTS.items()
    }
    return _kind_layer(roads, "road_id", vocab.ROAD_KIND, categories, "roads", lang)


def _kind_layer(
    frame: gpd.GeoDataFrame,
    id_column: str,
    vocabulary: vocab.Vocabulary,
    categories: Mapping[str, Category],
    name_key: str,
    lang: Lang,
) -> MapLayer:
    """Build a layer styled by its ``kind`` column, with kind and name in the popup."""
    fields = {"kind": vocab_label(frame["kind"], vocabulary, lang)}
    if "name" in frame:
        fields["name"] = frame["name"]
    return MapLayer(
        frame=frame,
        name=map_text(name_key, lang),
        categories=categories,
        category=frame["kind"],
        title=frame[id_column].astype(str),
        fields=fields,
    )


def substation_layer(substations: gpd.GeoDataFrame, lang: Lang) -> MapLayer:
    """Return the layer of substations with their voltage."""
    voltage = substations["voltage_kv"].round().astype("Int64").astype(str) + " kV"
    keys = sorted(voltage.dropna().unique(), key=lambda v: int(v.split()[0]))
    categories = {
        key: Category(
            label=key,
            color="#000",
            fill=CYCLE[i % len(CYCLE)],
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
    return MapLayer(
        frame=substations,
        name=map_text("substations", lang),
        categories=categories,
        category=voltage,
        title=substations["substation_id"].astype(str),
        fields=fields,
    )


def phase_frame(zone, policy: Policy) -> gpd.GeoDataFrame:
    """Draw the corridor phases exactly as the corridor analysis numbers them."""
    bands = phase_bands(zone)
    bands["start_m"] = bands["start_m"].round().astype(int)
    bands["end_m"] = bands["end_m"].round().astype(int)
    return bands


def corridor_phases_layer(phases: gpd.GeoDataFrame, lang: Lang) -> MapLayer:
    """Return the layer of the corridor's phases along the avenue."""
    keys = sorted(phases["phase"].dropna().unique().tolist())
    categories = {
        key: Category(
            label=f"{map_text('phase', lang)} {key}",
            color=CYCLE[i % len(CYCLE)],
            fill=CYCLE[i % len(CYCLE)],
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
    title = phases["corridor_id"].astype(str) + " · " + map_text("phase", lang) + " "
    return MapLayer(
        frame=phases,
        name=map_text("corridor", lang),
        categories=categories,
        category=phases["phase"],
        title=title + phases["phase"].astype(str),
        fields=fields,
    )


def frame_of(result: Any, name: str) -> pd.DataFrame | None:
    """Return ``result.name`` (an analysis result) or ``result[name]`` (a mapping), or None."""
    if result is None:
        return None
    if isinstance(result, Mapping):
        return result.get(name)
    return getattr(result, name, None)


def require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    """Raise :class:`MapError` naming the columns ``frame`` lacks."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise MapError(
            f"expected {what} with column(s) {', '.join(missing)}, found columns "
            f"{', '.join(map(str, frame.columns))}; pass the frame the analysis returned"
        )


def on_parcels(zone, table: pd.DataFrame, what: str) -> gpd.GeoDataFrame:
    """Attach the zone's parcel geometry (and name, status) to a table keyed by parcel_id."""
    require(table, ["parcel_id"], what)
    base_columns = [c for c in ("parcel_id", "name", "status", "area_mu") if c in zone.parcels]
    extra = [c for c in table.columns if c not in base_columns and c != "geometry"]
    plain = pd.DataFrame(table[["parcel_id", *extra]])
    joined = zone.parcels[[*base_columns, "geometry"]].merge(plain, on="parcel_id", how="inner")
    return gpd.GeoDataFrame(joined, geometry="geometry", crs=zone.parcels.crs)


def frame_areas(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Return a frame's area in m² and in 亩, from whichever it has (else from its geometry)."""
    if "area_m2" in frame:
        m2 = pd.to_numeric(frame["area_m2"], errors="coerce")
    elif "area_mu" in frame:
        m2 = pd.to_numeric(frame["area_mu"], errors="coerce") * MU_M2
    else:
        m2 = pd.Series(shapely.area(np.asarray(frame.geometry.array)), index=frame.index)
    mu = pd.to_numeric(frame["area_mu"], errors="coerce") if "area_mu" in frame else m2 / MU_M2
    return m2, mu


def area_text(parcels: pd.DataFrame, lang: Lang) -> pd.Series:
    """Return each area as text in m² with 亩 beside it."""
    m2, mu = frame_areas(parcels)
    unit = "亩" if lang == "zh" else "mu"
    before, after = ("（", "）") if lang == "zh" else (" (", ")")
    return (
        m2.map(lambda v: f"{v:,.0f} m²", na_action="ignore").astype("string")
        + before
        + mu.map(lambda v: f"{v:,.2f} {unit}", na_action="ignore").astype("string")
        + after
    )


def fields_from(frame: pd.DataFrame, skip: Sequence[str]) -> dict[str, pd.Series]:
    """Return the columns of ``frame`` as popup fields, but for ``skip`` and internal ones."""
    return {
        c: frame[c]
        for c in frame.columns
        if c not in skip and c != "geometry" and not str(c).startswith("_")
    }


def avenue_layer(zone, lang: Lang) -> MapLayer:
    """Return the layer of the avenue the corridor follows."""
    return MapLayer(
        frame=zone.corridors,
        name=map_text("corridor_line", lang),
        categories={},
        category=pd.Series("", index=zone.corridors.index),
        title=zone.corridors["name"].astype(str) if "name" in zone.corridors else None,
        default=Category(label=map_text("corridor_line", lang), color="#b2182b", weight=5),
    )


def metres_text(values: pd.Series) -> pd.Series:
    """Return distances as whole metres with thousands separators."""
    return (
        pd.to_numeric(values, errors="coerce")
        .map(lambda v: f"{v:,.0f}", na_action="ignore")
        .astype("string")
    )
