"""Matching a project to sites: ranked candidates with their score components, and rejections.

Four kinds of candidate share one ranking:

``parcel``
    a single available parcel whose area lies in the project's window
    (:func:`landplan.demand.land_demand`);
``assembly``
    a connected group of 2 to ``siting.max_group_size`` adjacent available parcels whose total
    area lies in the window and none of which could be dropped while still meeting the minimum
    (total − smallest member < minimum). Parcels are adjacent when their boundaries run within
    ``siting.adjacency_tolerance_m`` of each other for at least ``siting.adjacency_min_shared_m``
    (a shared edge, slivers and digitising gaps allowed, corners not);
``cutout``
    a rectangle of the target area (within ``siting.cutout_area_tolerance``) cut from an available
    parcel at least ``siting.cutout_min_ratio`` times the target, on its longest road-frontage edge,
    leaving a single remainder of at least ``siting.cutout_min_remainder_mu``;
``floor_space``
    vacant floor space in an existing building, for projects that can use it.

A parcel is available when it passes every hard rule (:func:`feasible_parcels`), each named in
:data:`RULES`; the rejections say which rule turned a parcel or building down and why.

Candidates are ranked by ``Σ ranking.weights[c] × component_c`` over the components in
:data:`COMPONENTS`, each in [0, 1] and kept in the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

import geopandas as gpd
import shapely
from shapely import STRtree

from landplan.demand import Demand, _value, as_project, land_demand
from landplan.errors import LandplanError
from landplan.policy import Policy
from landplan.units import m2_to_mu
from landplan.vocab import CONSTRAINT_KIND
from landplan.zone import Zone

__all__ = [
    "COMPONENTS",
    "KINDS",
    "RULES",
    "Candidates",
    "Kind",
    "feasible_parcels",
    "match",
    "parcel_adjacency",
]

Kind = Literal["parcel", "assembly", "cutout", "floor_space"]
KINDS: tuple[Kind, ...] = ("parcel", "assembly", "cutout", "floor_space")

#: Every rule that can turn a site down, and what it checks.
RULES: dict[str, str] = {
    "status": "the parcel's status is one offered for supply (siting.available_statuses)",
    "tenure": "land that can only be leased (village reserved land, collective land) goes only "
    "to projects that accept a lease",
    "land_use": "the land-use class fits the project (M3 for hazardous processing)",
    "protected": "no overlap with the ecological red line, permanent basic farmland or water "
    "protection zones",
    "residential_setback": "hazardous projects keep siting.hazardous_setback_m from homes",
    "fuel_station_setback": "storage stations keep siting.fuel_station_setback_m from fuel "
    "stations",
    "power": "heavy users lie within siting.substation_max_distance_m of a substation of their "
    "voltage",
    "area": "the site area lies in the project's window (demand, investment-intensity cap)",
    "cutout": "a parcel much larger than the demand gives a cut-out with frontage and a usable "
    "remainder",
    "building_status": "the building has floor space to let (siting.floor_space_statuses)",
    "vacancy": "the building's vacant floor area covers the demand",
    "floor_load": "the floor load meets the project's minimum",
    "clear_height": "the clear height meets the project's minimum",
}

#: The ranking components, each in [0, 1], weighted by ``ranking.weights``.
COMPONENTS = (
    "area_fit",
    "compactness",
    "frontage",
    "avenue_distance",
    "substation_distance",
    "cluster_synergy",
    "readiness",
    "corridor_phase",
)

_REJECTION_COLUMNS = ["parcel_id", "building_id", "rule", "reason"]


# --- small vectorised helpers -------------------------------------------------------------------
def _geoms(frame: gpd.GeoDataFrame) -> np.ndarray:
    return np.asarray(frame.geometry.array, dtype=object)


def _first_per(keys: np.ndarray, order_by: np.ndarray) -> np.ndarray:
    """Positions of the smallest ``order_by`` for each distinct key."""
    order = np.lexsort((order_by, keys))
    sorted_keys = keys[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = sorted_keys[1:] != sorted_keys[:-1]
    return order[first]


def _fmt(values: np.ndarray, spec: str = ",.0f") -> pd.Series:
    return pd.Series(values, dtype=float).map(lambda v: format(v, spec)).astype(object)


def _rejections(ids: np.ndarray, rule: str, reasons, *, building: bool = False) -> pd.DataFrame:
    ids = np.asarray(ids, dtype=object)
    reasons = np.asarray(reasons, dtype=object) if not isinstance(reasons, str) else reasons
    frame = pd.DataFrame({"id": ids, "rule": rule, "reason": reasons})
    frame["parcel_id"] = None if building else frame["id"]
    frame["building_id"] = frame["id"] if building else None
    return frame[_REJECTION_COLUMNS]


def _by_value(values: np.ndarray, describe) -> np.ndarray:
    """Reason strings that depend only on a categorical value: one format per distinct value."""
    series = pd.Series(values, dtype=object)
    keys = series.fillna("\0")
    texts = {k: describe(None if k == "\0" else k) for k in keys.unique()}
    return keys.map(texts).to_numpy(dtype=object)


def _nearest_within(
    geoms: np.ndarray, others: np.ndarray, distance: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each geometry with another within ``distance``: (position, nearest other, distance)."""
    if not len(others) or not len(geoms):
        empty = np.array([], dtype=np.intp)
        return empty, empty, np.array([], dtype=float)
    i, j = STRtree(others).query(geoms, predicate="dwithin", distance=distance)
    d = shapely.distance(geoms[i], others[j])
    first = _first_per(i, d)
    return i[first], j[first], d[first]


# --- the hard rules -----------------------------------------------------------------------------
def _allowed_land_use(project: pd.Series, demand: Demand, siting) -> list[str]:
    hazard = project.get("hazard")
    if hazard in siting.hazardous_kinds:
        return list(siting.hazardous_land_use)
    if hazard == "energy_storage" or _value(project, "storage_mwh") > 0:
        return list(siting.storage_land_use)
    return list(siting.industrial_land_use)


def _site_rules(project: pd.Series, demand: Demand, zone: Zone) -> tuple[np.ndarray, pd.DataFrame]:
    """Evaluate every hard rule but the area window; return (ok per parcel, rejections)."""
    policy = zone.policy
    siting = policy.siting
    parcels = zone.parcels
    ids = parcels["parcel_id"].to_numpy(dtype=object)
    status = parcels["status"].to_numpy(dtype=object)
    failed = np.zeros(len(parcels), dtype=bool)
    found: list[pd.DataFrame] = []

    def reject(bad: np.ndarray, rule: str, reasons) -> None:
        failed[bad] = True
        if isinstance(reasons, np.ndarray) and len(reasons) == len(parcels):
            reasons = reasons[bad]
        found.append(_rejections(ids[bad], rule, reasons))

    offered = list(siting.available_statuses)
    bad = ~np.isin(status, offered)
    reject(
        np.flatnonzero(bad),
        "status",
        _by_value(
            status,
            lambda s: f"status {s} is not offered for supply (offered: {', '.join(offered)})",
        ),
    )
    # Later rules run on land offered for supply only: an occupied parcel needs no further reason.
    supply = ~bad

    tenure_ok = project.get("tenure_ok") or "buy"
    if tenure_ok == "buy":
        lease_only = np.isin(status, list(siting.lease_only_statuses)) | (
            parcels["tenure"].to_numpy(dtype=object) == "collective"
        )
        reject(
            np.flatnonzero(supply & lease_only),
            "tenure",
            "village reserved or collective land is supplied by lease only (at most "
            f"{siting.lease_max_years} years, {policy.source('siting.lease_max_years')}); "
            "the project must buy its land (tenure_ok = buy)",
        )

    allowed = _allowed_land_use(project, demand, siting)
    land_use = parcels["land_use"].to_numpy(dtype=object)
    hazard = project.get("hazard") or "none"
    reject(
        np.flatnonzero(supply & ~np.isin(land_use, allowed)),
        "land_use",
        _by_value(
            land_use,
            lambda lu: (
                f"land-use class {lu or 'not recorded'} does not suit a project with hazard "
                f"{hazard}: it needs one of {', '.join(allowed)}"
            ),
        ),
    )

    pos = np.flatnonzero(supply)
    geoms = _geoms(parcels)[pos]
    cons = zone.constraints
    kinds = cons["kind"].to_numpy(dtype=object)
    cgeoms = _geoms(cons)
    cnames = cons["name"].fillna(cons["constraint_id"]).to_numpy(dtype=object)

    protected = np.flatnonzero(np.isin(kinds, list(siting.protected_kinds)))
    if len(protected) and len(pos):
        i, j = STRtree(cgeoms[protected]).query(geoms, predicate="intersects")
        overlap = shapely.area(shapely.intersection(geoms[i], cgeoms[protected][j]))
        real = overlap > siting.sliver_area_m2
        i, j, overlap = i[real], j[real], overlap[real]
        first = _first_per(i, -overlap)
        k = protected[j[first]]
        labels = pd.Series(kinds[k]).map(lambda c: CONSTRAINT_KIND.label(c))
        reject(
            pos[i[first]],
            "protected",
            (
                "overlaps "
                + labels
                + " "
                + pd.Series(cnames[k])
                + " by "
                + _fmt(overlap[first])
                + " m²; never allocatable"
            ).to_numpy(dtype=object),
        )

    def setback(kind: str, distance_m: float, rule: str, why: str) -> None:
        near = np.flatnonzero(kinds == kind)
        i, j, d = _nearest_within(geoms, cgeoms[near], distance_m)
        reject(
            pos[i],
            rule,
            (
                _fmt(d)
                + " m from "
                + pd.Series(cnames[near][j])
                + f"; {why} needs at least {distance_m:,.0f} m"
            ).to_numpy(dtype=object),
        )

    if hazard in siting.hazardous_kinds:
        setback(
            "residential", siting.hazardous_setback_m, "residential_setback", f"a {hazard} project"
        )
    if hazard == "energy_storage" or _value(project, "storage_mwh") > 0:
        setback(
            "fuel_station",
            siting.fuel_station_setback_m,
            "fuel_station_setback",
            "a storage station",
        )

    if not np.isnan(demand.voltage_kv) and len(pos):
        kv = demand.voltage_kv
        subs = zone.substations
        strong = subs.loc[subs["voltage_kv"] >= kv]
        reach = siting.substation_max_distance_m
        if strong.empty:
            reject(pos, "power", f"the zone has no substation of {kv:g} kV or more")
        else:
            (i, j), d = STRtree(_geoms(strong)).query_nearest(
                geoms, return_distance=True, all_matches=False
            )
            far = d > reach
            names = strong["name"].fillna(strong["substation_id"]).to_numpy(dtype=object)
            reject(
                pos[i[far]],
                "power",
                (
                    f"nearest substation of ≥ {kv:g} kV ("
                    + pd.Series(names[j[far]])
                    + ") is "
                    + _fmt(d[far])
                    + f" m away; a heavy user needs one within {reach:,.0f} m"
                ).to_numpy(dtype=object),
            )
    rejections = (
        pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=_REJECTION_COLUMNS)
    )
    return ~failed, rejections


def feasible_parcels(project: pd.Series | Mapping, zone: Zone) -> tuple[pd.Series, pd.DataFrame]:
    """Apply the hard rules (all but the area window) to every parcel of the zone.

    The ``status`` rule runs on every parcel; the others on parcels offered for supply, so an
    occupied parcel is turned down by its status alone. The area window is not applied here:
    a parcel too small alone may join an assembly, one too large may give a cut-out.

    Parameters
    ----------
    project
        A row of ``zone.projects`` or a mapping of project columns.
    zone
        The zone and its policy.

    Returns
    -------
    mask : Series of bool
        Indexed like ``zone.parcels``; True where the parcel passes every rule.
    rejections : DataFrame
        One row per failed rule and parcel: ``parcel_id``, ``building_id`` (empty), ``rule``
        (a key of :data:`RULES`) and ``reason``.
    """
    project = as_project(project, policy=zone.policy)
    demand = land_demand(project, zone.policy)
    ok, rejections = _site_rules(project, demand, zone)
    return pd.Series(ok, index=zone.parcels.index, name="feasible"), rejections


# --- assemblies ---------------------------------------------------------------------------------
def parcel_adjacency(
    geoms: np.ndarray, *, tolerance_m: float, min_shared_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of adjacent parcels (i < j) among ``geoms``.

    Two parcels are adjacent when the length of one's boundary lying within ``tolerance_m`` of
    the other is at least ``min_shared_m``: a shared edge, across slivers and digitising gaps,
    but not a mere corner.
    """
    geoms = np.asarray(geoms, dtype=object)
    if len(geoms) < 2:
        empty = np.array([], dtype=np.intp)
        return empty, empty
    i, j = STRtree(geoms).query(geoms, predicate="dwithin", distance=tolerance_m)
    keep = i < j
    i, j = i[keep], j[keep]
    shared = shapely.length(
        shapely.intersection(shapely.boundary(geoms[j]), shapely.buffer(geoms[i], tolerance_m))
    )
    keep = shared >= min_shared_m
    return i[keep], j[keep]


def _connected_groups(
    area: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    *,
    min_m2: float,
    max_m2: float,
    max_size: int,
) -> list[np.ndarray]:
    """Every connected group of 2..max_size vertices with min ≤ total ≤ max, total − smallest < min.

    Level by level: a group of k + 1 always contains a connected group of k (drop a leaf of a
    spanning tree) whose total is below the minimum, so growing only groups below the minimum
    reaches them all. A group at or above the minimum is final: adding a vertex would make one
    superfluous. Returns one (m, k) array of sorted vertex positions per size k.
    """
    n = len(area)
    src = np.concatenate([i, j])
    dst = np.concatenate([j, i])
    order = np.argsort(src, kind="stable")
    src, dst = src[order], dst[order]
    ptr = np.searchsorted(src, np.arange(n + 1))
    frontier = np.flatnonzero(area < min_m2)[:, None]
    found: list[np.ndarray] = []
    for _size in range(2, max_size + 1):
        if not len(frontier):
            break
        rows_parts, new_parts = [], []
        for c in range(frontier.shape[1]):  # over group members (≤ max_size), not features
            v = frontier[:, c]
            deg = ptr[v + 1] - ptr[v]
            rows = np.repeat(np.arange(len(frontier)), deg)
            offsets = np.arange(deg.sum()) - np.repeat(np.cumsum(deg) - deg, deg)
            rows_parts.append(rows)
            new_parts.append(dst[np.repeat(ptr[v], deg) + offsets])
        rows = np.concatenate(rows_parts)
        new = np.concatenate(new_parts)
        keep = ~(frontier[rows] == new[:, None]).any(axis=1)
        rows, new = rows[keep], new[keep]
        groups = np.sort(np.column_stack([frontier[rows], new]), axis=1)
        if not len(groups):
            break
        groups = np.unique(groups, axis=0)
        total = area[groups].sum(axis=1)
        smallest = area[groups].min(axis=1)
        valid = (total <= max_m2) & (total - smallest < min_m2)
        groups, total = groups[valid], total[valid]
        done = total >= min_m2
        found.append(groups[done])
        frontier = groups[~done]
    return found


# --- cut-outs -----------------------------------------------------------------------------------
def _frontage_reach(roads: gpd.GeoDataFrame, policy: Policy) -> np.ndarray:
    width = roads["width_m"].fillna(policy.siting.road_width_default_m).to_numpy(dtype=float)
    return width / 2.0 + policy.siting.frontage_tolerance_m


def _frontage_edges(
    geoms: np.ndarray, roads: gpd.GeoDataFrame, policy: Policy
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Find the longest exterior edge of each polygon facing a road: (owner, start, end)."""
    rings = shapely.get_exterior_ring(geoms)
    coords, owner = shapely.get_coordinates(rings, return_index=True)
    same = owner[:-1] == owner[1:]
    a, b, owner = coords[:-1][same], coords[1:][same], owner[:-1][same]
    if not len(roads) or not len(a):
        empty = np.array([], dtype=np.intp)
        return empty, np.empty((0, 2)), np.empty((0, 2))
    segments = shapely.linestrings(np.stack([a, b], axis=1))
    reach = _frontage_reach(roads, policy)
    road_geoms = _geoms(roads)
    s, r = STRtree(road_geoms).query(segments, predicate="dwithin", distance=float(reach.max()))
    facing = shapely.distance(segments[s], road_geoms[r]) <= reach[r]
    s = np.unique(s[facing])
    length = shapely.length(segments[s])
    best = s[_first_per(owner[s], -length)]
    return owner[best], a[best], b[best]


def _cut_rectangles(
    geoms: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    ccw: np.ndarray,
    width: np.ndarray,
    target_m2: float,
    iterations: int = 60,
) -> tuple[np.ndarray, np.ndarray]:
    """Bisect each rectangle's depth so its part inside the parcel has ``target_m2``.

    The rectangle stands on the edge a→b from a, ``width`` wide, reaching into the parcel (to the
    left of a ring drawn counter-clockwise). Returns (cut geometry, area).
    """
    u = (b - a) / np.linalg.norm(b - a, axis=1)[:, None]
    inward = np.where(
        ccw[:, None], np.column_stack([-u[:, 1], u[:, 0]]), np.column_stack([u[:, 1], -u[:, 0]])
    )
    bounds = shapely.bounds(geoms)
    lo = np.zeros(len(geoms))
    hi = np.hypot(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1])

    def cut(depth: np.ndarray) -> np.ndarray:
        along = u * width[:, None]
        down = inward * depth[:, None]
        ring = np.stack([a, a + along, a + along + down, a + down, a], axis=1)
        return shapely.intersection(geoms, shapely.polygons(ring))

    for _ in range(iterations):
        mid = (lo + hi) / 2.0
        small = shapely.area(cut(mid)) < target_m2
        lo = np.where(small, mid, lo)
        hi = np.where(small, hi, mid)
    pieces = cut(hi)
    return pieces, shapely.area(pieces)


def _cutouts(
    parcels: gpd.GeoDataFrame, pos: np.ndarray, demand: Demand, zone: Zone
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cut-outs from the parcels at ``pos``; returns (candidates, rejections)."""
    siting = zone.policy.siting
    target = demand.target_m2
    geoms = _geoms(parcels)[pos]
    ids = parcels["parcel_id"].to_numpy(dtype=object)[pos]
    reasons = np.full(len(pos), None, dtype=object)
    single = shapely.get_type_id(geoms) == 3
    reasons[~single] = "a multi-part parcel: no cut-out"
    owner, a, b = _frontage_edges(geoms, zone.roads, zone.policy)
    owner_ok = single[owner]
    owner, a, b = owner[owner_ok], a[owner_ok], b[owner_ok]
    no_front = np.ones(len(pos), dtype=bool)
    no_front[owner] = False
    reasons[no_front & single] = "no road frontage to cut a site from"

    edge_m = np.hypot(*(b - a).T)
    width = np.minimum(edge_m, np.sqrt(target * siting.cutout_width_to_depth))
    ccw = shapely.is_ccw(shapely.get_exterior_ring(geoms[owner]))
    cut, cut_m2 = _cut_rectangles(geoms[owner], a, b, ccw, width, target)
    # Where a square would reach beyond the parcel, the whole frontage edge is used instead.
    short = (np.abs(cut_m2 - target) > siting.cutout_area_tolerance * target) & (width < edge_m)
    if short.any():
        cut[short], cut_m2[short] = _cut_rectangles(
            geoms[owner[short]], a[short], b[short], ccw[short], edge_m[short], target
        )
    hit = np.abs(cut_m2 - target) <= siting.cutout_area_tolerance * target
    one_piece = shapely.get_type_id(cut) == 3
    remainder = shapely.difference(geoms[owner], cut)
    parts, part_owner = shapely.get_parts(remainder, return_index=True)
    part_m2 = shapely.area(parts)
    real = part_m2 > siting.sliver_area_m2
    n_parts = np.bincount(part_owner[real], minlength=len(owner))
    remainder_m2 = np.bincount(part_owner[real], weights=part_m2[real], minlength=len(owner))
    min_rest = float(siting.cutout_min_remainder_mu) * 10000.0 / 15.0
    usable = (n_parts == 1) & (remainder_m2 >= min_rest)
    why = np.where(
        ~hit,
        "no rectangle on the road frontage reaches the demanded area inside the parcel",
        np.where(
            ~one_piece,
            "the cut on the road frontage falls apart into several pieces",
            np.where(
                n_parts != 1,
                "the remainder would be split into several pieces",
                "the remainder would be smaller than the usable minimum "
                f"{siting.cutout_min_remainder_mu:g} mu",
            ),
        ),
    )
    ok = hit & one_piece & usable
    reasons[owner[~ok]] = why[~ok]
    bad = np.flatnonzero(reasons != None)  # noqa: E711 - elementwise on an object array
    rejections = _rejections(
        ids[bad],
        "cutout",
        "area "
        + _fmt(m2_to_mu(parcels["area_m2"].to_numpy()[pos][bad]), ".1f")
        + f" mu is at least {siting.cutout_min_ratio:g} × the {demand.target_mu:.1f} mu target, "
        "but no cut-out: " + pd.Series(reasons[bad], dtype=object),
    )
    good = owner[ok]
    frame = pd.DataFrame(
        {
            "kind": "cutout",
            "members": [[p] for p in pos[good]],
            "area_m2": cut_m2[ok],
            "remainder_m2": remainder_m2[ok],
            "geometry": cut[ok],
        }
    )
    return frame, rejections


# --- floor space --------------------------------------------------------------------------------
def _floor_space(
    project: pd.Series, demand: Demand, zone: Zone
) -> tuple[pd.DataFrame, pd.DataFrame]:
    buildings = zone.buildings
    policy = zone.policy
    ids = buildings["building_id"].to_numpy(dtype=object)
    status = buildings["status"].to_numpy(dtype=object)
    statuses = list(policy.siting.floor_space_statuses)
    need = demand.floor_area_m2
    vacant = buildings["vacant_area_m2"].to_numpy(dtype=float, na_value=np.nan)
    failed = np.zeros(len(buildings), dtype=bool)
    found: list[pd.DataFrame] = []

    def reject(bad: np.ndarray, rule: str, reasons) -> None:
        failed[bad] = True
        if isinstance(reasons, pd.Series):
            reasons = reasons.to_numpy(dtype=object)[bad]
        found.append(_rejections(ids[bad], rule, reasons, building=True))

    bad = ~np.isin(status, statuses)
    reject(
        np.flatnonzero(bad),
        "building_status",
        pd.Series(
            _by_value(
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
        "vacant floor area " + _fmt(np.nan_to_num(vacant)) + f" m² is less than the {need:,.0f} m² "
        "needed",
    )
    for rule, column, minimum, unit in (
        ("floor_load", "floor_load_kn_m2", _value(project, "floor_load_min_kn_m2"), "kN/m²"),
        ("clear_height", "clear_height_m", _value(project, "clear_height_min_m"), "m"),
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
    good = np.flatnonzero(~failed)
    parcel_pos = pd.Index(zone.parcels["parcel_id"]).get_indexer(
        buildings["parcel_id"].to_numpy(dtype=object)[good]
    )
    frame = pd.DataFrame(
        {
            "kind": "floor_space",
            "members": [[p] if p >= 0 else [] for p in parcel_pos],
            "building_id": ids[good],
            "area_m2": np.nan,
            "floor_area_m2": vacant[good],
            "geometry": _geoms(buildings)[good],
        }
    )
    rejections = (
        pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=_REJECTION_COLUMNS)
    )
    return frame, rejections


# --- scoring ------------------------------------------------------------------------------------
def _enterprise_points(zone: Zone, cluster: object) -> np.ndarray:
    ent = zone.enterprises
    ent = ent.loc[ent["cluster"] == cluster]
    if ent.empty:
        return np.array([], dtype=object)
    points = _geoms(ent)
    missing = shapely.is_missing(points) | shapely.is_empty(points)
    if missing.any():
        first = ent["parcel_id"].astype(str).str.split(";").str[0].str.strip()
        where = pd.Index(zone.parcels["parcel_id"]).get_indexer(first[missing])
        parcel_points = shapely.point_on_surface(_geoms(zone.parcels))
        points = points.copy()
        points[missing] = np.where(where >= 0, parcel_points[np.maximum(where, 0)], None)
    return points[~shapely.is_missing(points)]


def _nearest_distance(geoms: np.ndarray, others: np.ndarray) -> np.ndarray:
    if not len(others):
        return np.full(len(geoms), np.inf)
    (i, _j), d = STRtree(others).query_nearest(geoms, return_distance=True, all_matches=False)
    out = np.full(len(geoms), np.inf)
    out[i] = d
    return out


def _frontage_m(geoms: np.ndarray, roads: gpd.GeoDataFrame, policy: Policy) -> np.ndarray:
    """Length of each site's boundary within reach of a road."""
    if not len(roads):
        return np.zeros(len(geoms))
    reach = _frontage_reach(roads, policy)
    road_geoms = _geoms(roads)
    s, r = STRtree(road_geoms).query(geoms, predicate="dwithin", distance=float(reach.max()))
    # Overlapping reaches at crossings are merged per site so no edge counts twice.
    zones = shapely.buffer(road_geoms[r], reach[r])
    order = np.argsort(s, kind="stable")
    s, zones = s[order], zones[order]
    merged = gpd.GeoSeries(zones).groupby(s).agg(shapely.union_all) if len(s) else None
    out = np.zeros(len(geoms))
    if merged is not None:
        sites = merged.index.to_numpy()
        out[sites] = shapely.length(
            shapely.intersection(shapely.boundary(geoms[sites]), np.asarray(merged, dtype=object))
        )
    return out


def _corridor_phase(points: np.ndarray, zone: Zone) -> np.ndarray:
    """Phase number (1 = first) of each point along the corridors; 0 outside every corridor."""
    phase = np.zeros(len(points), dtype=int)
    corridors = zone.corridors
    width = corridors["width_m"].fillna(zone.policy.corridor.width_m).to_numpy(dtype=float)
    breaks = corridors["phase_breaks_m"].fillna("0").astype(str)
    for line, w, text in zip(_geoms(corridors), width, breaks, strict=True):  # few corridors
        near = (phase == 0) & (shapely.distance(points, line) <= w / 2.0)
        if not near.any():
            continue
        cuts = np.sort(
            np.array([float(x) for x in text.replace("；", ";").split(";") if x.strip()])
        )
        along = shapely.line_locate_point(line, points[near])
        phase[near] = np.maximum(np.searchsorted(cuts, along, side="right"), 1)
    return phase


def _score(sites: pd.DataFrame, project: pd.Series, demand: Demand, zone: Zone) -> pd.DataFrame:
    """Add the measures, components and total score to the candidate rows."""
    policy = zone.policy
    ranking = policy.ranking
    parcels = zone.parcels
    geoms = np.asarray(sites["geometry"].to_numpy(), dtype=object)
    floor = (sites["kind"] == "floor_space").to_numpy()
    parcel_geoms = _geoms(parcels)
    first_member = np.array([m[0] if len(m) else -1 for m in sites["members"]], dtype=np.intp)
    # Location measures of floor space are those of the building's parcel.
    place = geoms.copy()
    use_parcel = floor & (first_member >= 0)
    place[use_parcel] = parcel_geoms[first_member[use_parcel]]

    out = sites.copy()
    area = out["area_m2"].to_numpy(dtype=float)
    fit_area = np.where(floor, out["floor_area_m2"].to_numpy(dtype=float), area)
    fit_target = demand.floor_area_m2 if demand.wants_floor_space else np.nan
    fit_target = np.where(floor, fit_target, demand.target_m2)
    perimeter = shapely.length(geoms)
    out["frontage_m"] = _frontage_m(place, zone.roads, policy)
    roads = zone.roads
    out["avenue_distance_m"] = _nearest_distance(
        place, _geoms(roads.loc[roads["kind"] == "avenue"])
    )
    subs = zone.substations
    if not np.isnan(demand.voltage_kv):
        subs = subs.loc[subs["voltage_kv"] >= demand.voltage_kv]
    out["substation_distance_m"] = _nearest_distance(place, _geoms(subs))
    cluster = project.get("cluster")
    if cluster in policy.review.clusters:
        points = _enterprise_points(zone, cluster)
        if len(points):
            i, _ = STRtree(points).query(
                place, predicate="dwithin", distance=ranking.cluster_radius_m
            )
            out["cluster_enterprises"] = np.bincount(i, minlength=len(place))
        else:
            out["cluster_enterprises"] = 0
    else:
        out["cluster_enterprises"] = 0
    out["corridor_phase"] = _corridor_phase(shapely.point_on_surface(place), zone)
    n_phases = _phase_count(zone)

    comp = {
        "area_fit": np.clip(1.0 - np.abs(fit_area - fit_target) / fit_target, 0.0, 1.0),
        "compactness": np.clip(16.0 * shapely.area(geoms) / perimeter**2, 0.0, 1.0),
        "frontage": np.clip(out["frontage_m"].to_numpy() / ranking.frontage_full_m, 0.0, 1.0),
        "avenue_distance": np.clip(
            1.0 - out["avenue_distance_m"].to_numpy() / ranking.avenue_distance_zero_m, 0.0, 1.0
        ),
        "substation_distance": np.clip(
            1.0 - out["substation_distance_m"].to_numpy() / ranking.substation_distance_zero_m,
            0.0,
            1.0,
        ),
        "cluster_synergy": np.clip(
            out["cluster_enterprises"].to_numpy() / ranking.cluster_full_count, 0.0, 1.0
        ),
        "readiness": np.clip(
            1.0 - out["readiness_months"].to_numpy() / ranking.readiness_horizon_months, 0.0, 1.0
        ),
        # Land outside the corridor is existing zone land, needing no expansion: like phase 1.
        "corridor_phase": 1.0
        - (np.maximum(out["corridor_phase"].to_numpy(), 1) - 1) / max(n_phases, 1),
    }
    total = np.zeros(len(out))
    for name in COMPONENTS:
        out[f"score_{name}"] = comp[name]
        total += float(ranking.weights[name]) * comp[name]
    out["score_total"] = total
    return out


def _phase_count(zone: Zone) -> int:
    texts = zone.corridors["phase_breaks_m"].dropna().astype(str)
    counts = [len([x for x in t.replace("；", ";").split(";") if x.strip()]) for t in texts]
    return max(counts, default=1)


# --- the result ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Candidates:
    """Ranked candidate sites for one project, and why other sites are not offered.

    Attributes
    ----------
    project_id : str
        The project matched.
    demand : Demand
        The land window and floor-space demand matched against.
    ranked : GeoDataFrame
        Every candidate, best first: ``rank``, ``candidate_id``, ``kind``, ``parcel_ids``
        (``;``-joined), ``building_id``, ``area_m2``, ``area_mu``, ``floor_area_m2``,
        ``remainder_m2``, ``investment_intensity_wan_yuan_per_mu``, ``readiness_months``,
        ``steps`` (what must happen before supply), the measures ``frontage_m``,
        ``avenue_distance_m``, ``substation_distance_m``, ``cluster_enterprises``,
        ``corridor_phase``, one ``score_<component>`` per :data:`COMPONENTS` (0–1), the
        weighted ``score_total`` and a ``reasons`` text; geometry is the site (a cut-out's
        polygon, an assembly's union, a building's footprint).
    rejections : DataFrame
        ``parcel_id``, ``building_id``, ``rule`` and ``reason`` for every site turned down.
    top : int or None
        How many candidates :attr:`sites` shows.
    """

    project_id: str
    demand: Demand
    ranked: gpd.GeoDataFrame
    rejections: pd.DataFrame
    top: int | None = None

    @property
    def sites(self) -> gpd.GeoDataFrame:
        """The top candidates (all where ``top`` is None)."""
        return self.ranked if self.top is None else self.ranked.head(self.top)

    def explain(self, site_id: str) -> str:
        """Say why a parcel or building is or is not offered.

        Raises
        ------
        LandplanError
            If the id is neither a candidate member nor a rejected site.
        """
        lines: list[str] = []
        members = self.ranked["parcel_ids"].fillna("").str.split(";")
        hit = members.map(lambda ids: site_id in ids) | (self.ranked["building_id"] == site_id)
        for row in self.ranked.loc[hit].itertuples():
            shown = (
                "" if self.top is None or row.rank <= self.top else f", below the top {self.top}"
            )
            lines.append(
                f"offered as #{row.rank} ({row.kind} {row.candidate_id}{shown}), "
                f"score {row.score_total:.1f}: {row.reasons}"
            )
        rej = self.rejections
        mine = rej.loc[(rej["parcel_id"] == site_id) | (rej["building_id"] == site_id)]
        lines += [f"not offered by rule {r.rule}: {r.reason}" for r in mine.itertuples()]
        if not lines:
            raise LandplanError(
                f"{site_id!r} is neither a candidate nor a rejected site of project "
                f"{self.project_id}; expected a parcel_id of the zone (or a building_id for "
                "floor space) — check the id"
            )
        return f"{site_id} for {self.project_id}:\n" + "\n".join(f"- {line}" for line in lines)


def _readiness(status: np.ndarray, policy: Policy) -> tuple[np.ndarray, np.ndarray]:
    readiness = policy.readiness
    months = np.array([readiness.get(f"{s}_months", np.nan) for s in status], dtype=float)
    steps = np.array([readiness.steps.get(s, "") for s in status], dtype=object)
    return months, steps


def _assemble(
    parcels: gpd.GeoDataFrame, members: list[list[int]], kinds: list[str], policy: Policy
) -> pd.DataFrame:
    """Readiness and steps of candidates from their member parcels."""
    status = parcels["status"].to_numpy(dtype=object)
    unique_status = np.unique(status.astype(str))
    m_by, s_by = _readiness(unique_status, policy)
    month_of = dict(zip(unique_status, m_by, strict=True))
    step_of = dict(zip(unique_status, s_by, strict=True))
    flat = pd.DataFrame(
        {
            "row": np.repeat(np.arange(len(members)), [len(m) for m in members]),
            "pos": np.concatenate([np.asarray(m, dtype=np.intp) for m in members])
            if members
            else np.array([], dtype=np.intp),
        }
    )
    flat["status"] = status[flat["pos"].to_numpy()].astype(str)
    flat["months"] = flat["status"].map(month_of)
    flat["step"] = flat["status"].map(step_of)
    grouped = flat.groupby("row")
    out = pd.DataFrame(index=np.arange(len(members)))
    out["readiness_months"] = grouped["months"].max()
    out["steps"] = grouped["step"].agg(lambda s: "; ".join(dict.fromkeys(s)))
    ids = parcels["parcel_id"].to_numpy(dtype=object)
    out["parcel_ids"] = (
        flat.assign(pid=ids[flat["pos"].to_numpy()]).groupby("row")["pid"].agg(";".join)
    )
    kinds_arr = np.asarray(kinds, dtype=object)
    extra = {"cutout": policy.readiness.cutout_extra_months}
    for kind, months in extra.items():
        sel = kinds_arr == kind
        out.loc[sel, "readiness_months"] += months
        out.loc[sel, "steps"] = out.loc[sel, "steps"] + "; " + policy.readiness.steps[kind]
    floor = kinds_arr == "floor_space"
    out.loc[floor, "readiness_months"] = policy.readiness.floor_space_months
    out.loc[floor, "steps"] = policy.readiness.steps["floor_space"]
    return out


def _reasons(ranked: pd.DataFrame, demand: Demand, policy: Policy) -> pd.Series:
    r = ranked
    size = np.where(
        r["kind"] == "floor_space",
        _fmt(r["floor_area_m2"].to_numpy()) + " m² floor space",
        _fmt(r["area_mu"].to_numpy(), ".1f") + " mu",
    )
    target = np.where(
        r["kind"] == "floor_space",
        f"{demand.floor_area_m2:,.0f} m²",
        f"{demand.target_mu:.1f} mu",
    )
    phase = np.where(
        r["corridor_phase"] > 0,
        "corridor phase " + r["corridor_phase"].astype(str),
        "outside the corridor",
    )
    return (
        pd.Series(size, index=r.index)
        + " for "
        + pd.Series(target, index=r.index)
        + "; ready in "
        + r["readiness_months"].astype(int).astype(str)
        + " months ("
        + r["steps"]
        + "); frontage "
        + _fmt(r["frontage_m"].to_numpy()).set_axis(r.index)
        + " m; avenue "
        + _fmt(r["avenue_distance_m"].to_numpy()).set_axis(r.index)
        + " m; substation "
        + _fmt(r["substation_distance_m"].to_numpy()).set_axis(r.index)
        + " m; "
        + r["cluster_enterprises"].astype(str)
        + " same-cluster enterprises within "
        + f"{policy.ranking.cluster_radius_m:,.0f} m; "
        + pd.Series(phase, index=r.index)
    )


def _area_rejections(
    parcels: gpd.GeoDataFrame, pos: np.ndarray, demand: Demand, why: str
) -> pd.DataFrame:
    area_mu = m2_to_mu(parcels["area_m2"].to_numpy(dtype=float)[pos])
    ids = parcels["parcel_id"].to_numpy(dtype=object)[pos]
    return _rejections(ids, "area", "area " + _fmt(area_mu, ".1f") + f" mu {why}")


def match(
    project: pd.Series | Mapping,
    zone: Zone,
    *,
    top: int | None = None,
    kinds: tuple[Kind, ...] = KINDS,
) -> Candidates:
    """Find and rank the sites a project could take.

    Parameters
    ----------
    project
        A row of ``zone.projects`` or a mapping of project columns.
    zone
        The zone and its policy.
    top
        How many candidates :attr:`Candidates.sites` shows (all are ranked).
    kinds
        The kinds of candidate to look for.

    Returns
    -------
    Candidates

    Raises
    ------
    InfeasibleError
        If the project states no land and no floor-space demand.
    LandplanError
        If ``kinds`` names an unknown kind or ``top`` is not positive.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> from landplan.zone import Zone
    >>> parcels = gpd.GeoDataFrame(
    ...     {"parcel_id": ["A", "B"], "status": ["state_reserve", "occupied"],
    ...      "land_use": ["M1", "M1"]},
    ...     geometry=[box(600000, 2530000, 600200, 2530200), box(600200, 2530000, 600400, 2530200)],
    ...     crs="EPSG:4546")
    >>> zone = Zone.from_layers({"parcels": parcels})
    >>> result = match({"project_id": "J", "name": "plant", "stage": "signed",
    ...                 "investment_wan_yuan": 20000.0, "land_mu_min": 55.0, "land_mu_max": 65.0},
    ...                zone)
    >>> result.ranked[["candidate_id", "kind"]].values.tolist()
    [['parcel:A', 'parcel']]
    >>> result.rejections[["parcel_id", "rule"]].values.tolist()
    [['B', 'status']]
    """
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise LandplanError(
            f"unknown candidate kind(s) {sorted(unknown)}; expected some of {KINDS}"
        )
    if top is not None and top < 1:
        raise LandplanError(f"top must be a positive number of candidates, got {top!r}")
    policy = zone.policy
    project = as_project(project, policy=policy)
    demand = land_demand(project, policy)
    parcels = zone.parcels
    rows: list[pd.DataFrame] = []
    rejected: list[pd.DataFrame] = []

    if demand.wants_land:
        ok, rej = _site_rules(project, demand, zone)
        rejected.append(rej)
        pos = np.flatnonzero(ok)
        area = parcels["area_m2"].to_numpy(dtype=float)
        if demand.window_empty:
            rejected.append(
                _area_rejections(
                    parcels,
                    pos,
                    demand,
                    ": the project's fixed-asset investment allows at most "
                    f"{m2_to_mu(demand.cap_m2):.1f} mu at the control intensity, below the "
                    f"{demand.min_mu:.1f} mu it needs",
                )
            )
        else:
            used = np.zeros(len(parcels), dtype=bool)
            fits = (area[pos] >= demand.min_m2) & (area[pos] <= demand.max_m2)
            if "parcel" in kinds:
                single = pos[fits]
                used[single] = True
                rows.append(
                    pd.DataFrame(
                        {
                            "kind": "parcel",
                            "members": [[p] for p in single],
                            "area_m2": area[single],
                            "geometry": _geoms(parcels)[single],
                        }
                    )
                )
            if "assembly" in kinds:
                small = pos[area[pos] < demand.min_m2]
                i, j = parcel_adjacency(
                    _geoms(parcels)[small],
                    tolerance_m=policy.siting.adjacency_tolerance_m,
                    min_shared_m=policy.siting.adjacency_min_shared_m,
                )
                groups = _connected_groups(
                    area[small],
                    i,
                    j,
                    min_m2=demand.min_m2,
                    max_m2=demand.max_m2,
                    max_size=int(policy.siting.max_group_size),
                )
                for g in groups:
                    if not len(g):
                        continue
                    members = small[g]
                    used[members.ravel()] = True
                    rows.append(_assembly_rows(parcels, members, policy))
            big = pos[area[pos] >= policy.siting.cutout_min_ratio * demand.target_m2]
            if "cutout" in kinds and len(big):
                cut, cut_rej = _cutouts(parcels, big, demand, zone)
                used[np.concatenate(list(cut["members"])) if len(cut) else []] = True
                rows.append(cut)
                rejected.append(cut_rej)
            rest = pos[~used[pos]]
            rest = rest[~np.isin(rest, big)] if "cutout" in kinds else rest
            low = rest[area[rest] < demand.min_m2]
            high = rest[area[rest] > demand.max_m2]
            cap = ""
            if demand.max_m2 < demand.asked_max_m2:
                cap = (
                    " (capped where a larger site would bring the investment intensity below "
                    f"{policy.control.investment_intensity_min_wan_yuan_per_mu:g} 万元/亩)"
                )
            rejected.append(
                _area_rejections(
                    parcels,
                    low,
                    demand,
                    f"is below the minimum {demand.min_mu:.1f} mu and no assembly of adjacent "
                    "available parcels reaches it",
                )
            )
            rejected.append(
                _area_rejections(
                    parcels,
                    high,
                    demand,
                    f"is above the maximum {demand.max_mu:.1f} mu{cap} and below the "
                    f"{policy.siting.cutout_min_ratio:g} × {demand.target_mu:.1f} mu "
                    "a cut-out needs",
                )
            )

    if demand.wants_floor_space and "floor_space" in kinds:
        floor, floor_rej = _floor_space(project, demand, zone)
        rows.append(floor)
        rejected.append(floor_rej)

    ranked = _rank(rows, project, demand, zone)
    rejections = (
        pd.concat([r for r in rejected if len(r)], ignore_index=True)
        if any(len(r) for r in rejected)
        else pd.DataFrame(columns=_REJECTION_COLUMNS)
    )
    return Candidates(
        project_id=str(project["project_id"]),
        demand=demand,
        ranked=ranked,
        rejections=rejections,
        top=top,
    )


def _assembly_rows(parcels: gpd.GeoDataFrame, members: np.ndarray, policy: Policy) -> pd.DataFrame:
    """Candidate rows for groups of parcel positions (one row per group)."""
    k = members.shape[1]
    geoms = _geoms(parcels)
    tol = policy.siting.adjacency_tolerance_m
    union = gpd.GeoSeries(geoms[members.ravel()]).groupby(np.repeat(np.arange(len(members)), k))
    merged = np.asarray(union.agg(shapely.union_all), dtype=object)
    # Digitising gaps between members are closed so the site is one polygon.
    closed = shapely.buffer(
        shapely.buffer(merged, tol, join_style="mitre"), -tol, join_style="mitre"
    )
    return pd.DataFrame(
        {
            "kind": "assembly",
            "members": list(members),
            "area_m2": parcels["area_m2"].to_numpy(dtype=float)[members].sum(axis=1),
            "geometry": closed,
        }
    )


_RANKED_COLUMNS = [
    "rank",
    "candidate_id",
    "kind",
    "parcel_ids",
    "building_id",
    "area_m2",
    "area_mu",
    "floor_area_m2",
    "remainder_m2",
    "investment_intensity_wan_yuan_per_mu",
    "readiness_months",
    "steps",
    "frontage_m",
    "avenue_distance_m",
    "substation_distance_m",
    "cluster_enterprises",
    "corridor_phase",
    *(f"score_{c}" for c in COMPONENTS),
    "score_total",
    "reasons",
]


def _rank(
    rows: list[pd.DataFrame], project: pd.Series, demand: Demand, zone: Zone
) -> gpd.GeoDataFrame:
    rows = [r for r in rows if len(r)]
    crs = zone.parcels.crs
    if not rows:
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in _RANKED_COLUMNS})
        return gpd.GeoDataFrame(empty, geometry=gpd.GeoSeries([], crs=crs))
    sites = pd.concat(rows, ignore_index=True)
    for col in ("building_id", "floor_area_m2", "remainder_m2"):
        if col not in sites:
            sites[col] = np.nan if col != "building_id" else None
    sites = sites.join(
        _assemble(zone.parcels, list(sites["members"]), list(sites["kind"]), zone.policy)
    )
    sites["area_mu"] = m2_to_mu(sites["area_m2"].to_numpy(dtype=float))
    fixed = _value(project, "fixed_investment_wan_yuan")
    sites["investment_intensity_wan_yuan_per_mu"] = fixed / sites["area_mu"]
    key = np.where(sites["kind"] == "floor_space", sites["building_id"], sites["parcel_ids"])
    sites["candidate_id"] = (
        sites["kind"].str.replace("floor_space", "floor")
        + ":"
        + pd.Series(key, dtype=object).str.replace(";", "+")
    )
    scored = _score(sites, project, demand, zone)
    scored = scored.sort_values(
        ["score_total", "candidate_id"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)
    scored["rank"] = np.arange(1, len(scored) + 1)
    scored["reasons"] = _reasons(scored, demand, zone.policy)
    return gpd.GeoDataFrame(
        scored[_RANKED_COLUMNS], geometry=scored["geometry"].to_numpy(), crs=crs
    )
