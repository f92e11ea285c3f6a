"""Floor space: vacant floor area in existing buildings, under the siting rules of land."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

import shapely

from landplan.labels import column_label, compose, message
from landplan.match._common import (
    REJECTION_COLUMNS,
    format_numbers,
    geometry_array,
    named,
    reasons_by_value,
    rejection_rows,
)
from landplan.match.rules import land_use_reasons

if TYPE_CHECKING:
    from landplan.match.sites import MatchContext


# --- floor space --------------------------------------------------------------------------------
def floor_space_block(ctx: MatchContext) -> tuple[dict, pd.DataFrame]:
    """Vacant floor space that fits the project and obeys its siting rules; (block, rejections)."""
    zone, lang = ctx.zone, ctx.lang
    buildings = zone.buildings
    policy = zone.policy
    ids = buildings["building_id"].to_numpy(dtype=object)
    status = buildings["status"].to_numpy(dtype=object)
    statuses = list(policy.siting.floor_space_statuses)
    need = ctx.demand.floor_area_m2
    vacant = buildings["vacant_area_m2"].to_numpy(dtype=float, na_value=np.nan)
    failed = np.zeros(len(buildings), dtype=bool)
    found: list[pd.DataFrame] = []

    def reject(bad: np.ndarray, rule: str, reasons) -> None:
        failed[bad] = True
        if isinstance(reasons, pd.Series):
            reasons = reasons.to_numpy(dtype=object)[bad]
        found.append(rejection_rows(ids[bad], rule, reasons, building=True))

    bad = ~np.isin(status, statuses)
    lettable = message("match_list_sep", lang).join(named("status", s, lang) for s in statuses)
    reject(
        np.flatnonzero(bad),
        "building_status",
        pd.Series(
            reasons_by_value(
                status,
                lambda s: message(
                    "match_building_status",
                    lang,
                    status=named("status", s, lang),
                    lettable=lettable,
                ),
            )
        ),
    )
    rest = ~bad
    short = rest & ~(vacant >= need)
    reject(
        np.flatnonzero(short),
        "vacancy",
        pd.Series(
            compose(
                "match_vacancy",
                lang,
                vacant=format_numbers(np.nan_to_num(vacant)),
                need=f"{need:,.0f}",
            )
        ),
    )
    unrecorded = message("match_not_recorded", lang)
    for rule, column, minimum in (
        ("floor_load", "floor_load_kn_m2", ctx.demand.floor_load_min_kn_m2),
        ("clear_height", "clear_height_m", ctx.demand.clear_height_min_m),
    ):
        if np.isnan(minimum):
            continue
        have = buildings[column].to_numpy(dtype=float, na_value=np.nan)
        low = np.flatnonzero(rest & ~(have >= minimum))
        unit = message(f"match_unit_{rule}", lang)
        value = compose("match_measure", lang, value=format_numbers(have[low], "g"), unit=unit)
        reject(
            low,
            rule,
            compose(
                "match_building_measure",
                lang,
                column=column_label(column, lang) if lang == "zh" else column,
                value=np.where(np.isnan(have[low]), unrecorded, value),
                minimum=f"{minimum:g}",
                unit=unit,
            ),
        )
    # The siting rules of land hold for floor space too: the class of the building's parcel,
    # and the geometric rules measured on the building's footprint.
    parcel_at = pd.Index(zone.parcels["parcel_id"]).get_indexer(
        buildings["parcel_id"].to_numpy(dtype=object)
    )
    land_use = np.where(
        parcel_at >= 0,
        zone.parcels["land_use"].to_numpy(dtype=object)[np.maximum(parcel_at, 0)],
        None,
    )
    allowed = list(ctx.demand.land_use)
    wrong = np.flatnonzero(~failed & ~np.isin(land_use, allowed))
    reject(
        wrong,
        "land_use",
        land_use_reasons(land_use[wrong], ctx.demand.hazard, allowed, lang),
    )
    left = np.flatnonzero(~failed)
    for failure in ctx.rules.judge(geometry_array(buildings)[left]):
        reject(left[failure.at], failure.rule, failure.reasons)
    good = np.flatnonzero(~failed)
    parcel_pos = parcel_at[good]
    footprint = geometry_array(buildings)[good]
    block = {
        "kind": "floor_space",
        "members": parcel_pos[:, None],
        "building_id": ids[good],
        "area_m2": np.full(len(good), np.nan),
        "floor_area_m2": vacant[good],
        "geometry": footprint,
        # A building's shape is its own; its location is that of its parcel.
        "area": shapely.area(footprint),
        "perimeter": shapely.length(footprint),
    }
    rejections = (
        pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=REJECTION_COLUMNS)
    )
    return block, rejections
