"""Floor space: vacant floor area in existing buildings, under the siting rules of land."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

import shapely

from landplan.match._common import (
    REJECTION_COLUMNS,
    format_numbers,
    geometry_array,
    reasons_by_value,
    rejection_rows,
)
from landplan.match.rules import land_use_reasons

if TYPE_CHECKING:
    from landplan.match.sites import MatchContext


# --- floor space --------------------------------------------------------------------------------
def floor_space_block(ctx: MatchContext) -> tuple[dict, pd.DataFrame]:
    """Vacant floor space that fits the project and obeys its siting rules; (block, rejections)."""
    zone = ctx.zone
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
    reject(
        np.flatnonzero(bad),
        "building_status",
        pd.Series(
            reasons_by_value(
                status,
                lambda s: f"building {s}: no floor space to let (lettable: {', '.join(statuses)})",
            )
        ),
    )
    rest = ~bad
    short = rest & ~(vacant >= need)
    reject(
        np.flatnonzero(short),
        "vacancy",
        "vacant floor area "
        + format_numbers(np.nan_to_num(vacant))
        + f" m² is less than the {need:,.0f} m² needed",
    )
    for rule, column, minimum, unit in (
        ("floor_load", "floor_load_kn_m2", ctx.demand.floor_load_min_kn_m2, "kN/m²"),
        ("clear_height", "clear_height_m", ctx.demand.clear_height_min_m, "m"),
    ):
        if np.isnan(minimum):
            continue
        have = buildings[column].to_numpy(dtype=float, na_value=np.nan)
        low = rest & ~(have >= minimum)
        reject(
            np.flatnonzero(low),
            rule,
            pd.Series(have)
            .map(lambda v, unit=unit: "not recorded" if np.isnan(v) else f"{v:g} {unit}")
            .radd(f"{column} ")
            .add(f"; the project needs at least {minimum:g} {unit}"),
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
        land_use_reasons(land_use[wrong], ctx.demand.hazard, allowed),
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
