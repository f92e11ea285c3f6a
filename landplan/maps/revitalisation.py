"""The revitalisation map (盘活低效用地): parcels coloured by mode, what each releases, for whom.

Drawn with the page machinery of :mod:`landplan.maps` (self-contained, escaped, bilingual): the
zone's parcels for context, the corridor phases, the planned parcels coloured by their mode with
the land, floor area and floor space each releases and the pipeline projects that could use it in
the popup, the land released written on the parcel, the buildings whose floor space is let, and
(hidden at first) the sites each project could take, outlined by kind, the best one named.
The legend names the modes in plain words (依法收回 / 协议收储, 整合归宗, ...); no rule code
reaches the page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from landplan import vocab
from landplan.errors import MapError
from landplan.kinds import KINDS
from landplan.labels import Lang
from landplan.maps.basemaps import finish_map, start_map
from landplan.maps.features import (
    context_parcels_layer,
    corridor_phases_layer,
    phase_frame,
    roads_layer,
)
from landplan.maps.page import Basemap, Category, MapLayer, map_text, vocab_label
from landplan.revitalise import MODES, Revitalisation

if TYPE_CHECKING:
    import folium

__all__ = ["MODE_COLOURS", "revitalisation_map"]

#: Fill colour of each mode (ColorBrewer-like; land modes warm, floor-space modes cool).
MODE_COLOURS: Final = {
    "recover": "#d7191c",
    "consolidate": "#7b3294",
    "redevelop": "#fdae61",
    "densify": "#2b83ba",
    "village_lease": "#a6611a",
    "let_floor": "#1a9641",
    "rectify": "#bababa",
}


# The unit written after the land a parcel releases.
_UNIT: Final = {"zh": "亩", "en": " mu"}
# How recovered land is recovered, as the plan's basis_zh names it.
_BASIS: Final = {
    "zh": {"依法收回": "依法收回", "协议收储": "协议收储"},
    "en": {"依法收回": "recovered by law (idle land)", "协议收储": "bought into the reserve"},
}


def _t(key: str, lang: Lang) -> str:
    return map_text(f"revitalisation.{key}", lang)


def _dates(values: pd.Series) -> pd.Series:
    stamps = pd.to_datetime(values)
    return stamps.dt.strftime("%Y-%m-%d").where(stamps.notna(), None)


def _mode_categories(lang: Lang, *, outline: str = "#333") -> dict:
    return {
        key: Category(label=MODES.label(key, lang), color=outline, fill=colour, fill_opacity=0.7)
        for key, colour in MODE_COLOURS.items()
    }


def _parcel_spec(parcels, lang: Lang, policy) -> MapLayer:
    reason = parcels["reason_zh"] if lang == "zh" else parcels["reason_en"]
    fields = {
        _t("mode", lang): parcels["mode"].map(lambda m: MODES.label(m, lang)),
        _t("basis", lang): parcels["basis_zh"].map(_BASIS[lang]),
        _t("status", lang): vocab_label(parcels["status"], vocab.PARCEL_STATUS, lang),
        _t("holder", lang): parcels["holder"],
        _t("area", lang): parcels["area_mu"].round(1),
        _t("land", lang): parcels["land_mu"].round(1).where(parcels["land_mu"] > 0),
        _t("floor_added", lang): parcels["floor_added_m2"]
        .round()
        .where(parcels["floor_added_m2"] > 0),
        _t("floor_let", lang): parcels["floor_let_m2"].round().where(parcels["floor_let_m2"] > 0),
        _t("land_date", lang): _dates(parcels["land_date"]),
        _t("floor_date", lang): _dates(parcels["floor_added_date"]),
        _t("quarter", lang): parcels["quarter"],
        _t("phase", lang): parcels["corridor_phase"].where(parcels["corridor_phase"] > 0),
        _t("group", lang): parcels["group_id"],
        _t("reason", lang): reason,
        _t("projects", lang): parcels["projects"],
    }
    # The land a parcel releases is written on it where it makes a usable site by itself
    # (revitalise.consolidated_min_mu); smaller releases stay in the popup, keeping the map legible.
    land = parcels["land_mu"].to_numpy(dtype=float)
    usable = land >= float(policy.revitalise.consolidated_min_mu)
    labels = pd.Series(
        np.where(usable, np.round(land, 1).astype(str) + _UNIT[lang], None),
        index=parcels.index,
        dtype=object,
    )
    title = parcels["parcel_id"].astype(str) + " " + parcels["name"].fillna("").astype(str)
    return MapLayer(
        frame=parcels,
        name=_t("parcels", lang),
        categories=_mode_categories(lang),
        category=parcels["mode"],
        title=title.str.strip(),
        fields=fields,
        labels=labels,
    )


def _building_spec(buildings, lang: Lang) -> MapLayer:
    let = buildings[buildings["mode"] == "let_floor"]
    reason = let["reason_zh"] if lang == "zh" else let["reason_en"]
    fields = {
        _t("status", lang): vocab_label(let["status"], vocab.BUILDING_STATUS, lang),
        _t("floor_let", lang): let["floor_let_m2"].round(),
        _t("let_date", lang): _dates(let["let_date"]),
        _t("reason", lang): reason,
    }
    colour = MODE_COLOURS["let_floor"]
    return MapLayer(
        frame=let,
        name=_t("buildings", lang),
        categories={
            "let_floor": Category(
                label=MODES.label("let_floor", lang), color="#111", fill=colour, fill_opacity=0.9
            )
        },
        category=let["mode"],
        title=let["building_id"].astype(str),
        fields=fields,
    )


def _use_spec(uses, lang: Lang) -> MapLayer:
    """Draw the pipeline's candidate sites on released land by kind, the best named."""
    fields = {
        _t("project", lang): uses["project_id"] + " " + uses["project_name"].astype(str),
        _t("rank", lang): uses["rank"],
        _t("kind", lang): uses["kind"].map(lambda k: KINDS[k].label(lang)),
        _t("area", lang): uses["area_mu"].round(1),
        _t("floor_area", lang): uses["floor_area_m2"].round(),
        _t("available", lang): _dates(uses["available_from"]),
        _t("statement", lang): uses["text_zh"] if lang == "zh" else uses["text_en"],
    }
    return MapLayer(
        frame=uses,
        name=_t("uses", lang),
        categories={
            name: Category(label=k.label(lang), color=k.color, fill=None, weight=2.5)
            for name, k in KINDS.items()
        },
        category=uses["kind"],
        title=uses["project_id"].astype(str),
        fields=fields,
        # The best site of each project carries its id, so the map says who could go where.
        labels=uses["project_id"].where(uses["rank"] == 1),
        show=False,
    )


def revitalisation_map(
    zone,
    plan: Revitalisation,
    *,
    lang: Lang = "zh",
    basemap: Basemap = "standard",
    tianditu_key: str | None = None,
    m: folium.Map | None = None,
) -> folium.Map:
    """Draw a revitalisation plan: parcels by mode, what each releases, the projects for it.

    Parameters
    ----------
    zone : Zone
        The zone planned (context parcels, corridor, roads).
    plan
        What :func:`landplan.revitalise.revitalise` returned.
    lang, basemap, tianditu_key, m
        As for :func:`landplan.maps.overview_map`.

    Returns
    -------
    folium.Map

    Raises
    ------
    MapError
        If ``plan`` is not a revitalisation plan, or a style choice is unknown.
    """
    if not isinstance(plan, Revitalisation):
        raise MapError(
            f"expected a revitalisation plan, found {type(plan).__name__}; pass the value "
            "landplan.revitalise.revitalise() returned"
        )
    policy = zone.policy
    m = start_map(
        [plan.parcels if len(plan.parcels) else zone.parcels],
        m=m,
        lang=lang,
        basemap=basemap,
        tianditu_key=tianditu_key,
        policy=policy,
    )
    specs = []
    if len(zone.parcels):
        specs.append(context_parcels_layer(zone.parcels, lang))
    if len(zone.corridors):
        phases = corridor_phases_layer(phase_frame(zone, policy), lang)
        phases.show = False
        phases.legend = False
        specs.append(phases)
    if len(zone.roads):
        specs.append(roads_layer(zone.roads, lang))
    if len(plan.parcels):
        specs.append(_parcel_spec(plan.parcels, lang, policy))
    if (plan.buildings["mode"] == "let_floor").any():
        specs.append(_building_spec(plan.buildings, lang))
    if len(plan.uses):
        specs.append(_use_spec(plan.uses, lang))
    return finish_map(m, specs, title=_t("title", lang), lang=lang, basemap=basemap, policy=policy)
