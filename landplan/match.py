"""Matching a project to sites: ranked candidates with their score components, and rejections.

Four kinds of candidate share one ranking:

``single``
    a single available parcel whose area lies in the project's window
    (:func:`landplan.demand.land_demand`);
``assembly``
    a connected group of 2 to ``siting.max_group_size`` adjacent available parcels whose total
    area lies in the window and none of which could be dropped while still meeting the minimum
    (total − smallest member < minimum). Two parcels are adjacent when they share at least
    ``siting.adjacency_min_shared_m`` of boundary: the shorter of the length of one's boundary
    within ``siting.adjacency_tolerance_m`` of the other's and the other way round (a shared
    edge whatever the vertices, across slivers and digitising gaps; a corner is not enough);
``cutout``
    a compact piece of the target area (within ``siting.cutout_area_tolerance``, its oriented
    envelope at most ``siting.cutout_max_aspect`` times as long as wide) cut from an available
    parcel at least ``siting.cutout_min_ratio`` times the target, standing on its road
    frontage, leaving a single remainder of at least ``siting.cutout_min_remainder_mu``;
``floor_space``
    vacant floor space in an existing building, for projects that can use it.

Every hard rule is judged on what is offered. The parcel's own attributes — its status, tenure
and land-use class — hold for every part of it; the geometric rules (no overlap with protected
areas, setbacks from homes and fuel stations, the distance to a substation, road frontage for a
cut-out) are measured on the site's own geometry: the parcel, the assembly's union, the
cut-out's polygon, the building's footprint. So a parcel too close to a village may still give
a cut-out on its far side, and an assembly is refused when its union overlaps a red line by
more than a sliver even where no member alone does. Each rule is named in :data:`RULES`, with
which side of its threshold passes; the rejections say which rule turned a parcel or building
down and why.

Candidates are ranked by ``Σ ranking.weights[c] × component_c`` over the components in
:data:`COMPONENTS`, each in [0, 1] and kept in the result.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

import geopandas as gpd
import shapely
from shapely import STRtree

from landplan._geom import boundary_near, segments, shared_boundary
from landplan.corridor import phase_at, phase_bands
from landplan.demand import Demand, as_project, land_demand
from landplan.errors import LandplanError
from landplan.kinds import KINDS as KIND_REGISTRY
from landplan.kinds import candidate_ids
from landplan.policy import Policy
from landplan.units import m2_to_mu, mu_to_m2
from landplan.vocab import CONSTRAINT_KIND
from landplan.zone import Zone

__all__ = [
    "COMPONENTS",
    "KINDS",
    "RULES",
    "Candidates",
    "Kind",
    "SiteIndex",
    "feasible_parcels",
    "match",
    "parcel_adjacency",
    "prepare_sites",
]

Kind = Literal["single", "assembly", "cutout", "floor_space"]
#: The kinds of candidate, as :data:`landplan.kinds.KINDS` registers them.
KINDS: tuple[Kind, ...] = tuple(KIND_REGISTRY)  # type: ignore[arg-type]

#: Every rule that can turn a site down, and what it checks (the side of a threshold that
#: passes is given: "at least" and "within" include the threshold itself).
RULES: dict[str, str] = {
    "status": "the parcel's status is one offered for supply (siting.available_statuses)",
    "tenure": "land that can only be leased (village reserved land, collective land) goes only "
    "to projects that accept a lease",
    "land_use": "the land-use class of the parcel (for floor space, of the building's parcel) "
    "fits the project (M3 for hazardous processing)",
    "protected": "the site overlaps the ecological red line, permanent basic farmland or water "
    "protection zones by no more than siting.sliver_area_m2",
    "residential_setback": "hazardous projects' sites lie at least siting.hazardous_setback_m "
    "from homes",
    "fuel_station_setback": "storage stations' sites lie at least siting.fuel_station_setback_m "
    "from fuel stations",
    "power": "heavy users' sites lie within siting.substation_max_distance_m of a substation of "
    "their voltage",
    "area": "the site area lies in the project's window (demand, investment-intensity cap)",
    "cutout": "a parcel much larger than the demand gives a compact cut-out on its road "
    "frontage, passing every rule itself, with a usable remainder",
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


# --- the hard rules -----------------------------------------------------------------------------
def _protected_overlaps(
    geoms: np.ndarray, cgeoms: np.ndarray, protected: np.ndarray, sliver_m2: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sites overlapping protected areas by more than ``sliver_m2`` in all.

    Returns (site, the protected area it overlaps most, the site's total overlap in m²): a
    site touching several areas by a sliver each is measured by their sum.
    """
    i, j = STRtree(cgeoms[protected]).query(geoms, predicate="intersects")
    overlap = shapely.area(shapely.intersection(geoms[i], cgeoms[protected][j]))
    total = np.bincount(i, weights=overlap, minlength=len(geoms))
    real = total[i] > sliver_m2
    i, j, overlap = i[real], j[real], overlap[real]
    first = _first_per(i, -overlap)
    return i[first], protected[j[first]], total[i[first]]


def _nearest_within(
    geoms: np.ndarray, others: np.ndarray, distance: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each geometry closer than ``distance`` to another: (position, nearest other, distance).

    A geometry at exactly ``distance`` is not closer: a setback of D m is kept at D m.
    """
    if not len(others) or not len(geoms):
        empty = np.array([], dtype=np.intp)
        return empty, empty, np.array([], dtype=float)
    i, j = STRtree(others).query(geoms, predicate="dwithin", distance=distance)
    d = shapely.distance(geoms[i], others[j])
    first = _first_per(i, d)
    i, j, d = i[first], j[first], d[first]
    closer = d < distance
    return i[closer], j[closer], d[closer]


def _nearest_of(geoms: np.ndarray, others: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """((site, nearest other), distance) for every site."""
    return STRtree(others).query_nearest(geoms, return_distance=True, all_matches=False)


def _on_supply(sites: SiteIndex | None, key: tuple, compute):
    """Compute a measure of the land on offer that no project changes, kept by the index."""
    return compute() if sites is None else sites.remember(key, compute)


@dataclass(frozen=True)
class _Failure:
    """Sites failing one rule: their positions and one reason each."""

    rule: str
    at: np.ndarray
    reasons: np.ndarray


@dataclass(frozen=True)
class _GeometryRules:
    """The geometric hard rules that apply to one project, to be judged on any site geometry.

    A site passes when it overlaps protected areas by at most ``siting.sliver_area_m2`` in all,
    lies at least each setback from the features it must keep away from, and, for a project
    with a voltage, within ``siting.substation_max_distance_m`` of a substation of that voltage.
    """

    zone: Zone
    protected: np.ndarray
    setbacks: tuple[tuple[str, np.ndarray, float, str], ...]
    voltage_kv: float
    chosen: np.ndarray

    @classmethod
    def of(cls, demand: Demand, zone: Zone) -> _GeometryRules:
        siting = zone.policy.siting
        kinds = zone.constraints["kind"].to_numpy(dtype=object)
        hazard = demand.hazard
        setbacks = []
        if demand.hazardous:
            setbacks.append(
                (
                    "residential_setback",
                    np.flatnonzero(kinds == "residential"),
                    float(siting.hazardous_setback_m),
                    f"a {hazard} project",
                )
            )
        if demand.storage:
            setbacks.append(
                (
                    "fuel_station_setback",
                    np.flatnonzero(kinds == "fuel_station"),
                    float(siting.fuel_station_setback_m),
                    "a storage station",
                )
            )
        return cls(
            zone=zone,
            protected=np.flatnonzero(np.isin(kinds, list(siting.blocking_constraints))),
            setbacks=tuple(setbacks),
            voltage_kv=demand.voltage_kv,
            chosen=_substation_choice(zone, demand.voltage_kv),
        )

    def judge(self, geoms: np.ndarray, remember=None) -> list[_Failure]:
        """Every rule each site fails, with the reason; ``remember(key, compute)`` caches."""

        def measure(key, compute):
            return compute() if remember is None else remember(key, compute)

        zone = self.zone
        siting = zone.policy.siting
        cons = zone.constraints
        kinds = cons["kind"].to_numpy(dtype=object)
        cgeoms = _geoms(cons)
        cnames = cons["name"].fillna(cons["constraint_id"]).to_numpy(dtype=object)
        failures: list[_Failure] = []
        if not len(geoms):
            return failures
        protected, sliver = self.protected, float(siting.sliver_area_m2)
        if len(protected):
            at, k, overlap = measure(
                ("protected", tuple(protected.tolist()), sliver),
                lambda: _protected_overlaps(geoms, cgeoms, protected, sliver),
            )
            labels = pd.Series(kinds[k], dtype=object).map(lambda c: CONSTRAINT_KIND.label(c))
            failures.append(
                _Failure(
                    "protected",
                    at,
                    (
                        "overlaps "
                        + labels
                        + " "
                        + pd.Series(cnames[k], dtype=object)
                        + " by "
                        + _fmt(overlap)
                        + f" m² (more than the {sliver:g} m² of a digitising sliver); "
                        "never allocatable"
                    ).to_numpy(dtype=object),
                )
            )
        for rule, near, distance_m, why in self.setbacks:
            at, j, d = measure(
                ("setback", tuple(near.tolist()), distance_m),
                lambda near=near, distance_m=distance_m: _nearest_within(
                    geoms, cgeoms[near], distance_m
                ),
            )
            failures.append(
                _Failure(
                    rule,
                    at,
                    (
                        _fmt(d, ",.1f")
                        + " m from "
                        + pd.Series(cnames[near][j], dtype=object)
                        + f"; {why} needs at least {distance_m:,.0f} m"
                    ).to_numpy(dtype=object),
                )
            )
        if not np.isnan(self.voltage_kv):
            failures.extend(self._power(geoms, measure))
        return failures

    def _power(self, geoms: np.ndarray, measure) -> list[_Failure]:
        kv = self.voltage_kv
        strong = self.zone.substations.loc[self.chosen]
        reach = float(self.zone.policy.siting.substation_max_distance_m)
        if strong.empty:
            return [
                _Failure(
                    "power",
                    np.arange(len(geoms)),
                    np.full(len(geoms), f"the zone has no substation of {kv:g} kV or more"),
                )
            ]
        (i, j), d = measure(
            ("power", self.chosen.tobytes()), lambda: _nearest_of(geoms, _geoms(strong))
        )
        far = d > reach
        names = strong["name"].fillna(strong["substation_id"]).to_numpy(dtype=object)
        return [
            _Failure(
                "power",
                i[far],
                (
                    f"nearest substation of ≥ {kv:g} kV ("
                    + pd.Series(names[j[far]], dtype=object)
                    + ") is "
                    + _fmt(d[far])
                    + f" m away; a heavy user needs one within {reach:,.0f} m"
                ).to_numpy(dtype=object),
            )
        ]

    def passing(self, geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return (passes, the first failing rule and its reason) for each site geometry."""
        ok = np.ones(len(geoms), dtype=bool)
        why = np.full(len(geoms), None, dtype=object)
        for failure in reversed(self.judge(geoms)):  # the first rule's reason is kept
            ok[failure.at] = False
            why[failure.at] = f"{failure.rule}: " + failure.reasons.astype(str)
        return ok, why


@dataclass(frozen=True)
class _ParcelRules:
    """The hard rules applied to the zone's parcels, as whole parcels.

    ``offered`` holds the parcels whose own attributes (status, tenure, land-use class) suit
    the project: any part of them may be offered. ``whole`` holds those that pass every rule as
    they are. ``failed`` names the geometric rules each parcel fails as a whole.
    """

    offered: np.ndarray
    whole: np.ndarray
    failed: Mapping[str, np.ndarray]
    rejections: pd.DataFrame
    geometry: _GeometryRules


def _site_rules(demand: Demand, zone: Zone, sites: SiteIndex | None = None) -> _ParcelRules:
    """Evaluate every hard rule but the area window on the zone's parcels.

    Given the zone's :class:`SiteIndex`, the geometric measures of the land on offer that every
    project shares (protected overlaps, setback and substation distances) come from it.
    """
    policy = zone.policy
    siting = policy.siting
    parcels = zone.parcels
    ids = parcels["parcel_id"].to_numpy(dtype=object)
    status = parcels["status"].to_numpy(dtype=object)
    unsuited = np.zeros(len(parcels), dtype=bool)
    found: list[pd.DataFrame] = []

    def reject(bad: np.ndarray, rule: str, reasons) -> None:
        unsuited[bad] = True
        found.append(_rejections(ids[bad], rule, reasons))

    offered = list(siting.available_statuses)

    def status_rule() -> tuple[np.ndarray, pd.DataFrame]:
        bad = ~np.isin(status, offered)
        at = np.flatnonzero(bad)
        reasons = _by_value(
            status[at],
            lambda s: f"status {s} is not offered for supply (offered: {', '.join(offered)})",
        )
        return bad, _rejections(ids[at], "status", reasons)

    bad, status_rejections = _on_supply(sites, ("status", tuple(offered)), status_rule)
    unsuited[bad] = True
    found.append(status_rejections)
    # Later rules run on land offered for supply only: an occupied parcel needs no further reason.
    supply = ~bad

    if demand.tenure_ok == "buy":
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

    allowed = list(demand.land_use)
    land_use = parcels["land_use"].to_numpy(dtype=object)
    wrong_use = np.flatnonzero(supply & ~np.isin(land_use, allowed))
    reject(wrong_use, "land_use", _land_use_reasons(land_use[wrong_use], demand.hazard, allowed))

    pos = np.flatnonzero(supply)
    rules = _GeometryRules.of(demand, zone)
    failed: dict[str, np.ndarray] = {}
    whole_bad = unsuited.copy()
    remember = None if sites is None else sites.remember
    for failure in rules.judge(_geoms(parcels)[pos], remember):
        at = pos[failure.at]
        mask = failed.setdefault(failure.rule, np.zeros(len(parcels), dtype=bool))
        mask[at] = True
        whole_bad[at] = True
        found.append(_rejections(ids[at], failure.rule, failure.reasons))
    rejections = (
        pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=_REJECTION_COLUMNS)
    )
    return _ParcelRules(
        offered=~unsuited, whole=~whole_bad, failed=failed, rejections=rejections, geometry=rules
    )


def _land_use_reasons(land_use: np.ndarray, hazard: str, allowed: list[str]) -> np.ndarray:
    return _by_value(
        land_use,
        lambda lu: (
            f"land-use class {lu or 'not recorded'} does not suit a project with hazard "
            f"{hazard}: it needs one of {', '.join(allowed)}"
        ),
    )


def feasible_parcels(project: pd.Series | Mapping, zone: Zone) -> tuple[pd.Series, pd.DataFrame]:
    """Apply the hard rules (all but the area window) to every parcel of the zone, whole.

    The ``status`` rule runs on every parcel; the others on parcels offered for supply, so an
    occupied parcel is turned down by its status alone. The area window is not applied here:
    a parcel too small alone may join an assembly, one too large may give a cut-out (and a
    cut-out, judged on its own polygon, may pass a geometric rule its parcel fails as a whole).

    Parameters
    ----------
    project
        A row of ``zone.projects`` or a mapping of project columns.
    zone
        The zone and its policy.

    Returns
    -------
    mask : Series of bool
        Indexed like ``zone.parcels``; True where the whole parcel passes every rule.
    rejections : DataFrame
        One row per failed rule and parcel: ``parcel_id``, ``building_id`` (empty), ``rule``
        (a key of :data:`RULES`) and ``reason``.
    """
    project = as_project(project, policy=zone.policy)
    demand = land_demand(project, zone.policy)
    rules = _site_rules(demand, zone)
    return pd.Series(rules.whole, index=zone.parcels.index, name="feasible"), rules.rejections


# --- segments and lengths near other geometries ---------------------------------------------------
def _ranges(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row number, item) for every item lo[row] ≤ item < hi[row] of every row."""
    counts = hi - lo
    which = np.repeat(np.arange(len(lo)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return which, np.repeat(lo, counts) + offsets


def _expand(ptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For CSR offsets ``ptr``: (row number, item) for every item of every row in ``rows``."""
    return _ranges(ptr[rows], ptr[rows + 1])


# --- assemblies ---------------------------------------------------------------------------------
def parcel_adjacency(
    geoms: np.ndarray, *, tolerance_m: float, min_shared_m: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of adjacent parcels (i < j) among ``geoms``, with the length they share.

    Two parcels are adjacent when they share at least ``min_shared_m`` of boundary: the shorter
    of the length of i's boundary within ``tolerance_m`` of j's boundary and the length of j's
    within ``tolerance_m`` of i's (:func:`landplan._geom.shared_boundary`). That is a shared
    edge whatever the vertices — a T-junction, edges offset along each other, one edge inside a
    longer one — across slivers and digitising gaps, but not a mere corner, and it is the same
    whichever parcel comes first.

    Returns
    -------
    i, j : ndarray of int
        Positions in ``geoms``, sorted.
    shared_m : ndarray of float
        The boundary they share, in metres.
    """
    i, j, shared = shared_boundary(np.asarray(geoms, dtype=object), tolerance_m=tolerance_m)
    keep = shared >= min_shared_m
    return i[keep], j[keep], shared[keep]


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
            rows, item = _expand(ptr, frontier[:, c])
            rows_parts.append(rows)
            new_parts.append(dst[item])
        rows = np.concatenate(rows_parts)
        new = np.concatenate(new_parts)
        keep = ~(frontier[rows] == new[:, None]).any(axis=1)
        rows, new = rows[keep], new[keep]
        if not len(rows):
            break
        groups = np.unique(np.sort(np.column_stack([frontier[rows], new]), axis=1), axis=0)
        total = area[groups].sum(axis=1)
        smallest = area[groups].min(axis=1)
        valid = (total <= max_m2) & (total - smallest < min_m2)
        groups, total = groups[valid], total[valid]
        done = total >= min_m2
        found.append(groups[done])
        frontier = groups[~done]
    return found


# --- roads, frontage and site measures ------------------------------------------------------------
# Roads are indexed in pieces this long so that a long avenue's bounding box does not match
# every parcel; an indexing granularity, which the results do not depend on: the stretches of a
# boundary near every piece of every road are merged before they are measured.
_ROAD_PIECE_M = 200.0


@dataclass(frozen=True)
class _Roads:
    pieces: np.ndarray
    start: np.ndarray
    end: np.ndarray
    reach: np.ndarray
    avenue: np.ndarray
    tree: STRtree
    bounds: np.ndarray
    segment: np.ndarray
    corridor_lines: np.ndarray

    @classmethod
    def of(
        cls, roads: gpd.GeoDataFrame, policy: Policy, corridors: gpd.GeoDataFrame | None = None
    ) -> _Roads:
        """Index the roads; corridor centre lines stand for the avenue where no road is one."""
        width = roads["width_m"].fillna(policy.siting.road_width_default_m).to_numpy(dtype=float)
        reach = width / 2.0 + policy.siting.frontage_tolerance_m
        lines = shapely.segmentize(_geoms(roads), _ROAD_PIECE_M)
        parts, part_of = shapely.get_parts(lines, return_index=True)
        coords, coord_of = shapely.get_coordinates(parts, return_index=True)
        same = coord_of[:-1] == coord_of[1:]
        road = part_of[coord_of[:-1][same]]
        start, end = coords[:-1][same], coords[1:][same]
        pieces = shapely.linestrings(np.stack([start, end], axis=1))
        kind = roads["kind"].to_numpy(dtype=object)
        avenue = kind[road] == "avenue"
        bounds = np.column_stack([np.minimum(start, end), np.maximum(start, end)])
        # The straight segment of the road's own geometry each piece was cut from: a vertex
        # of the pieces starts a segment where it is one of the road's vertices.
        # Only the avenues' are needed.
        originals, original_of = shapely.get_coordinates(
            shapely.get_parts(_geoms(roads)), return_index=True
        )
        on_avenue = kind[part_of] == "avenue"
        mine = on_avenue[coord_of]
        vertex = np.zeros(len(coords), dtype=bool)
        vertex[mine] = pd.MultiIndex.from_arrays(
            [coord_of[mine], coords[mine, 0], coords[mine, 1]]
        ).isin(
            pd.MultiIndex.from_arrays([original_of, originals[:, 0], originals[:, 1]])[
                on_avenue[original_of]
            ]
        )
        segment = (np.cumsum(vertex) - 1)[:-1][same]
        lines = np.array([], dtype=object) if corridors is None else _geoms(corridors)
        lines = (
            lines[~(shapely.is_missing(lines) | shapely.is_empty(lines))] if len(lines) else lines
        )
        return cls(pieces, start, end, reach[road], avenue, STRtree(pieces), bounds, segment, lines)

    def segment_frontage(
        self, a: np.ndarray, b: np.ndarray, owner: np.ndarray | None = None, geoms=None
    ) -> np.ndarray:
        """Length of each segment a→b within the reach of some road: the whole network counts.

        A road's reach is half its width plus ``siting.frontage_tolerance_m`` from its centre
        line; a stretch within reach of several roads, or of several pieces of one, counts once.
        """
        if owner is None:
            owner = np.zeros(len(a), dtype=np.intp)
        return boundary_near(
            owner,
            a,
            b,
            self.start,
            self.end,
            self.reach,
            tree=self.tree,
            owner_bounds=None if geoms is None else shapely.bounds(geoms),
        )

    def frontage_m(self, geoms: np.ndarray) -> np.ndarray:
        """Length of each site's boundary within the reach of a road, in metres."""
        owner, a, b = segments(geoms)
        front = self.segment_frontage(a, b, owner, geoms)
        return np.bincount(owner, weights=front, minlength=len(geoms))

    def avenue_distance_m(self, geoms: np.ndarray) -> np.ndarray:
        """Distance to the nearest avenue piece.

        Along a straight segment of an avenue, the point nearest to a site lies where the site
        projects onto the segment, or at its end: only the pieces there are measured, with
        ``_STRAIGHT_SLACK_M`` to spare either side. Avenues of many segments use the index.
        """
        avenue = np.flatnonzero(self.avenue)
        if not len(avenue):
            # No road is the avenue: the corridors' centre lines are.
            return _nearest_distance(geoms, self.corridor_lines)
        straight, first = np.unique(self.segment[avenue], return_index=True)
        if len(straight) > _STRAIGHT_MAX_SEGMENTS or not len(geoms):
            return _nearest_distance(geoms, self.pieces[avenue])
        out = np.full(len(geoms), np.inf)
        coords, owner = shapely.get_coordinates(geoms, return_index=True)
        if not len(coords):
            return out
        starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        has = owner[starts]
        runs = np.split(avenue, first[1:])
        sites, pieces = [], []
        for run in runs:  # the avenues' straight segments, a handful; its pieces in order
            a, b = self.start[run[0]], self.end[run[-1]]
            length = float(np.hypot(*(b - a)))
            t0 = (self.start[run] - a) @ ((b - a) / max(length, 1e-12))
            t1 = (self.end[run] - a) @ ((b - a) / max(length, 1e-12))
            if not length or np.any(np.diff(t0) <= 0) or np.any(t1 <= t0):
                return _nearest_distance(geoms, self.pieces[avenue])
            t = (coords - a) @ ((b - a) / length)
            lo = np.clip(np.minimum.reduceat(t, starts), 0.0, length) - _STRAIGHT_SLACK_M
            hi = np.clip(np.maximum.reduceat(t, starts), 0.0, length) + _STRAIGHT_SLACK_M
            k0 = np.searchsorted(t1, lo, side="left")
            k1 = np.maximum(np.searchsorted(t0, hi, side="right"), k0)
            site, item = _ranges(k0, k1)
            sites.append(has[site])
            pieces.append(run[item])
        site, piece = np.concatenate(sites), np.concatenate(pieces)
        np.minimum.at(out, site, shapely.distance(geoms[site], self.pieces[piece]))
        return out


_NEAREST_NODE_CAPACITY = 2
# Avenues of at most this many straight segments are measured by projection, not the index.
_STRAIGHT_MAX_SEGMENTS = 64
# Pieces this far beyond a site's projection onto a straight segment are measured too, well
# beyond any rounding of the projection.
_STRAIGHT_SLACK_M = 10.0


def _nearest_distance(geoms: np.ndarray, others: np.ndarray) -> np.ndarray:
    if not len(others) or not len(geoms):
        return np.full(len(geoms), np.inf)
    # A narrow tree prunes better: fewer distances measured per query.
    (i, _j), d = STRtree(others, node_capacity=_NEAREST_NODE_CAPACITY).query_nearest(
        geoms, return_distance=True, all_matches=False
    )
    out = np.full(len(geoms), np.inf)
    out[i] = d
    return out


def _substation_choice(zone: Zone, voltage_kv: float) -> np.ndarray:
    """Which substations serve a project needing ``voltage_kv`` (every one where NaN)."""
    subs = zone.substations
    if np.isnan(voltage_kv):
        return np.ones(len(subs), dtype=bool)
    return (subs["voltage_kv"] >= voltage_kv).to_numpy(dtype=bool, na_value=False)


def _read_only(values: np.ndarray) -> np.ndarray:
    values.flags.writeable = False
    return values


@dataclass(frozen=True, eq=False)
class SiteIndex:
    """What matching needs of a zone whatever the project: prepared once, shared by every match.

    Build one with :func:`prepare_sites` and pass it to :func:`match` as ``sites=`` to match many
    projects against the same zone; the results are those of a match without it. It holds the
    zone's road pieces, indexed; every parcel's area, perimeter, centre, frontage and distance to
    the nearest avenue; its distance to the nearest substation of each voltage the zone's
    substations offer; for the parcels offered for supply, their overlaps with protected areas,
    their distances to homes and fuel stations within the setbacks and to the nearest substation
    of each voltage, as the hard rules measure them; the adjacent pairs among the parcels of
    the statuses offered for supply (``siting.available_statuses``), with the length they share;
    the statuses' readiness codes and the status rule's rejections; each parcel's area in mu as
    rejections write it; and each target cluster's enterprise locations, indexed. What depends on
    the project (which hard rules apply, the area window, the voltage, the cluster) stays in
    :func:`match`.

    The index belongs to the zone it was prepared for: :func:`match` refuses it for another zone,
    or once the zone's parcels (their ids, statuses or areas), roads, substations, enterprises,
    corridors, constraints or policy have changed.
    """

    parcels: gpd.GeoDataFrame = field(repr=False)
    layers: tuple = field(repr=False)
    policy: Policy = field(repr=False)
    parcel_ids: np.ndarray = field(repr=False)
    status: np.ndarray = field(repr=False)
    area_sum: float
    roads: _Roads = field(repr=False)
    measures: Mapping[str, np.ndarray] = field(repr=False)
    adjacency: tuple[np.ndarray, np.ndarray, np.ndarray] = field(repr=False)
    offered: np.ndarray = field(repr=False)
    status_codes: tuple[np.ndarray, pd.Index] = field(repr=False)
    area_mu_text: np.ndarray = field(repr=False)
    _substation_distance: dict = field(default_factory=dict, repr=False)
    _clusters: dict = field(default_factory=dict, repr=False)
    _supply: dict = field(default_factory=dict, repr=False)

    @property
    def n_parcels(self) -> int:
        """How many parcels the zone had when prepared."""
        return len(self.parcel_ids)

    def check(self, zone: Zone) -> None:
        """Raise :class:`LandplanError` unless the index was prepared for ``zone`` as it is now."""
        parcels = zone.parcels
        why = None
        if parcels is not self.parcels:
            why = "its parcels are another table"
        elif len(parcels) != self.n_parcels:
            why = f"it had {self.n_parcels:,} parcels, the zone has {len(parcels):,}"
        elif any(a is not b for a, b in zip(_layers(zone), self.layers, strict=True)):
            why = "its roads, substations, enterprises, corridors or constraints are other tables"
        elif zone.policy != self.policy:
            why = "its policy has changed"
        elif float(parcels["area_m2"].to_numpy(dtype=float).sum()) != self.area_sum or not (
            np.array_equal(parcels["parcel_id"].to_numpy(dtype=object), self.parcel_ids)
            and np.array_equal(parcels["status"].to_numpy(dtype=object), self.status)
        ):
            why = "its parcels' ids, statuses or areas have changed"
        if why is not None:
            raise LandplanError(
                f"the site index was prepared for another zone ({why}); "
                "prepare_sites(zone) again for this zone"
            )

    def substation_distance(self, chosen: np.ndarray, substations: np.ndarray) -> np.ndarray:
        """Every parcel's distance to the nearest of the ``chosen`` substations."""
        key = chosen.tobytes()
        found = self._substation_distance.get(key)
        if found is None:
            found = _read_only(_nearest_distance(_geoms(self.parcels), substations))
            self._substation_distance[key] = found
        return found

    def cluster_tree(self, zone: Zone, cluster: object) -> cKDTree | None:
        """Return the indexed locations of a cluster's enterprises (None where it has none)."""
        if cluster not in self._clusters:
            points = _enterprise_points(zone, cluster)
            self._clusters[cluster] = cKDTree(points) if len(points) else None
        return self._clusters[cluster]

    def remember(self, key: tuple, compute):
        """Return ``compute()`` for the land offered for supply, computed once per ``key``."""
        if key not in self._supply:
            self._supply[key] = compute()
        return self._supply[key]

    def adjacency_among(self, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:func:`parcel_adjacency` of the parcels at ``positions`` (ascending, all offered).

        Whether two parcels are adjacent, and the length they share, depends on those two
        alone: the pairs among ``positions`` are the prepared pairs of which both are there.
        Returns positions in ``positions``.
        """
        local = np.full(self.n_parcels, -1, dtype=np.intp)
        local[positions] = np.arange(len(positions))
        i, j, shared = self.adjacency
        li, lj = local[i], local[j]
        keep = (li >= 0) & (lj >= 0)
        return li[keep], lj[keep], shared[keep]


def _layers(zone: Zone) -> tuple:
    return (zone.roads, zone.substations, zone.enterprises, zone.corridors, zone.constraints)


def prepare_sites(zone: Zone) -> SiteIndex:
    """Prepare what matching needs of ``zone`` whatever the project (see :class:`SiteIndex`).

    Preparing takes longer than one match, as it measures every parcel of the zone and finds
    every adjacent pair among those offered for supply; each match given the index then only
    applies the project's rules and ranks its candidates. Prepare again after changing the zone.

    Examples
    --------
    >>> from landplan.sample import make_zone
    >>> zone = Zone.from_layers(make_zone())
    >>> sites = prepare_sites(zone)
    >>> a = match(zone.projects.iloc[0], zone, sites=sites)
    >>> b = match(zone.projects.iloc[0], zone)
    >>> a.ranked.equals(b.ranked) and a.rejections.equals(b.rejections)
    True
    """
    policy = zone.policy
    siting = policy.siting
    parcels = zone.parcels
    geoms = _geoms(parcels)
    status = parcels["status"].to_numpy(dtype=object).copy()
    roads = _Roads.of(zone.roads, policy, zone.corridors)
    centroid = shapely.centroid(geoms)
    measures = {
        "area": shapely.area(geoms),
        "perimeter": shapely.length(geoms),
        "x": shapely.get_x(centroid),
        "y": shapely.get_y(centroid),
        "frontage_m": roads.frontage_m(geoms),
        "avenue_distance_m": roads.avenue_distance_m(geoms),
    }
    offered = np.flatnonzero(np.isin(status, list(siting.available_statuses)))
    i, j, shared = parcel_adjacency(
        geoms[offered],
        tolerance_m=siting.adjacency_tolerance_m,
        min_shared_m=siting.adjacency_min_shared_m,
    )
    order = np.lexsort((j, i))
    adjacency = (
        _read_only(offered[i][order]),
        _read_only(offered[j][order]),
        _read_only(shared[order]),
    )
    code, names = pd.factorize(parcels["status"].astype(str), sort=True)
    sites = SiteIndex(
        parcels=parcels,
        layers=_layers(zone),
        policy=policy,
        parcel_ids=_read_only(parcels["parcel_id"].to_numpy(dtype=object).copy()),
        status=_read_only(status),
        area_sum=float(parcels["area_m2"].to_numpy(dtype=float).sum()),
        roads=roads,
        measures={k: _read_only(v) for k, v in measures.items()},
        adjacency=adjacency,
        offered=_read_only(offered),
        status_codes=(_read_only(code), names),
        area_mu_text=_read_only(
            _fmt(m2_to_mu(parcels["area_m2"].to_numpy(dtype=float)), ".1f").to_numpy(dtype=object)
        ),
    )
    # Every voltage the substations offer, and none asked: each a nearest search over the zone.
    subs = zone.substations
    levels = np.unique(subs["voltage_kv"].to_numpy(dtype=float, na_value=np.nan))
    for kv in [np.nan, *levels[~np.isnan(levels)].tolist()]:
        chosen = _substation_choice(zone, kv)
        sites.substation_distance(chosen, _geoms(subs.loc[chosen]))
    for cluster in policy.review.clusters:
        sites.cluster_tree(zone, cluster)
    _prepare_supply(sites, zone)
    return sites


def _prepare_supply(sites: SiteIndex, zone: Zone) -> None:
    """Measure the land on offer for the hard rules, under the keys :func:`_site_rules` uses."""
    siting = zone.policy.siting
    if not len(sites.offered):
        return
    geoms = _geoms(zone.parcels)[sites.offered]
    cons = zone.constraints
    kinds = cons["kind"].to_numpy(dtype=object)
    cgeoms = _geoms(cons)
    protected = np.flatnonzero(np.isin(kinds, list(siting.blocking_constraints)))
    if len(protected):
        sliver = float(siting.sliver_area_m2)
        sites.remember(
            ("protected", tuple(protected.tolist()), sliver),
            lambda: _protected_overlaps(geoms, cgeoms, protected, sliver),
        )
    for kind, distance_m in (
        ("residential", siting.hazardous_setback_m),
        ("fuel_station", siting.fuel_station_setback_m),
    ):
        near = np.flatnonzero(kinds == kind)
        sites.remember(
            ("setback", tuple(near.tolist()), float(distance_m)),
            lambda near=near, distance_m=distance_m: _nearest_within(
                geoms, cgeoms[near], distance_m
            ),
        )
    subs = zone.substations
    levels = np.unique(subs["voltage_kv"].to_numpy(dtype=float, na_value=np.nan))
    for kv in levels[~np.isnan(levels)].tolist():
        chosen = _substation_choice(zone, kv)
        sites.remember(
            ("power", chosen.tobytes()),
            lambda chosen=chosen: _nearest_of(geoms, _geoms(subs.loc[chosen])),
        )


@dataclass(frozen=True)
class _Context:
    """What the measures of every candidate need, prepared once per match."""

    zone: Zone
    project: pd.Series
    demand: Demand
    sites: SiteIndex
    substations: np.ndarray
    chosen: np.ndarray
    rules: _GeometryRules
    bands: gpd.GeoDataFrame

    @property
    def roads(self) -> _Roads:
        return self.sites.roads

    @classmethod
    def of(cls, project: pd.Series, demand: Demand, zone: Zone, sites: SiteIndex) -> _Context:
        chosen = _substation_choice(zone, demand.voltage_kv)
        subs = zone.substations.loc[chosen]
        rules = _GeometryRules.of(demand, zone)
        return cls(zone, project, demand, sites, _geoms(subs), chosen, rules, phase_bands(zone))

    def measures(self, geoms: np.ndarray) -> dict[str, np.ndarray]:
        """Area, perimeter, centre, frontage and distances of site polygons."""
        centroid = shapely.centroid(geoms)
        return {
            "area": shapely.area(geoms),
            "perimeter": shapely.length(geoms),
            "x": shapely.get_x(centroid),
            "y": shapely.get_y(centroid),
            "frontage_m": self.roads.frontage_m(geoms),
            "avenue_distance_m": self.roads.avenue_distance_m(geoms),
            "substation_distance_m": _nearest_distance(geoms, self.substations),
        }


# --- cut-outs -----------------------------------------------------------------------------------
def _strip_integral(s0, t0, s1, t1, depth):
    """∮ s dt over the part of each segment with t ≤ depth (Green's theorem, clipped)."""
    below0, below1 = t0 <= depth, t1 <= depth
    dt = t1 - t0
    lam = np.where(dt != 0, (depth - t0) / np.where(dt != 0, dt, 1.0), 0.0)
    s_cross = s0 + lam * (s1 - s0)
    sa, ta = np.where(below0, s0, s_cross), np.where(below0, t0, depth)
    sb, tb = np.where(below1, s1, s_cross), np.where(below1, t1, depth)
    return np.where(below0 | below1, (sa + sb) / 2.0 * (tb - ta), 0.0)


def _cut_rectangles(
    geoms: np.ndarray,
    a: np.ndarray,
    u: np.ndarray,
    inward: np.ndarray,
    width: np.ndarray,
    target_m2: float,
    iterations: int = 50,
) -> tuple[np.ndarray, np.ndarray]:
    """Bisect each rectangle's depth so its part inside the parcel has ``target_m2``.

    The rectangle stands on the frontage edge from ``a`` along ``u``, ``width`` wide, reaching
    ``inward``. The area inside the parcel as a function of depth is the area of the band
    (parcel ∩ deepest rectangle) below that depth, which Green's theorem gives from the band's
    edges in the edge's own frame with no geometry operation per step. Returns (cut, area).
    """
    bounds = shapely.bounds(geoms)
    deepest = np.hypot(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1])

    def rectangle(depth: np.ndarray) -> np.ndarray:
        along = u * width[:, None]
        down = inward * depth[:, None]
        ring = np.stack([a, a + along, a + along + down, a + down, a], axis=1)
        return shapely.polygons(ring)

    band = shapely.intersection(geoms, rectangle(deepest))
    owner, p, q = segments(band)
    rel_p, rel_q = p - a[owner], q - a[owner]
    s0, t0 = (rel_p * u[owner]).sum(1), (rel_p * inward[owner]).sum(1)
    s1, t1 = (rel_q * u[owner]).sum(1), (rel_q * inward[owner]).sum(1)
    lo, hi = np.zeros(len(geoms)), deepest.copy()
    for _ in range(iterations):
        mid = (lo + hi) / 2.0
        inside = np.abs(
            np.bincount(
                owner, weights=_strip_integral(s0, t0, s1, t1, mid[owner]), minlength=len(geoms)
            )
        )
        small = inside < target_m2
        lo, hi = np.where(small, mid, lo), np.where(small, hi, mid)
    cut = shapely.intersection(geoms, rectangle(hi))
    return cut, shapely.area(cut)


# Where along a frontage edge a cut-out is tried: centred first, then at either end.
_CUT_POSITIONS = (0.5, 0.0, 1.0)
# How many of a parcel's frontage edges are tried, the longest frontage first.
_CUT_EDGES = 3
# Vertices closer than this to the line of their neighbours are digitising, not corners.
_COLLINEAR_M = 0.01
# A piece is made this much wider than the parcel's depth behind its edge strictly needs, as
# the parcel is rarely as deep all along the piece as at its deepest point.
_CUT_DEPTH_SPARE = 1.05


def _cut_ratios(siting) -> list[float]:
    """Width-to-depth ratios tried for a cut-out, the policy's preferred one first."""
    bound = float(siting.cutout_max_aspect)
    preferred = float(siting.cutout_width_to_depth)
    tried = [preferred, bound**0.5, bound, bound**-0.5, 1.0 / bound, 1.0]
    out: list[float] = []
    for ratio in tried:
        if 1.0 / bound <= ratio <= bound and not any(np.isclose(ratio, r) for r in out):
            out.append(ratio)
    return out


def _frontage_edges(geoms: np.ndarray, roads: _Roads) -> tuple[np.ndarray, ...]:
    """Find the edges of each outline that front a road, best first, ``_CUT_EDGES`` at most.

    An edge runs between true corners: vertices on a straight line are dropped first, so an
    edge digitised with extra vertices is one edge. Returns (owner, start, end, inward unit
    normal, frontage m, the parcel's depth behind the edge), owners ascending.
    """
    outline = shapely.simplify(shapely.get_exterior_ring(geoms), _COLLINEAR_M)
    coords, ring_of = shapely.get_coordinates(outline, return_index=True)
    same = ring_of[:-1] == ring_of[1:]
    owner, a, b = ring_of[:-1][same], coords[:-1][same], coords[1:][same]
    real = (a != b).any(axis=1)
    owner, a, b = owner[real], a[real], b[real]
    front = roads.segment_frontage(a, b, owner, outline)
    faces = front > 0
    owner, a, b, front = owner[faces], a[faces], b[faces], front[faces]
    order = np.lexsort((-front, owner))
    owner, a, b, front = owner[order], a[order], b[order], front[order]
    first = np.r_[True, owner[1:] != owner[:-1]] if len(owner) else np.array([], dtype=bool)
    rank = np.arange(len(owner)) - np.maximum.accumulate(np.where(first, np.arange(len(owner)), 0))
    keep = rank < _CUT_EDGES
    owner, a, b, front = owner[keep], a[keep], b[keep], front[keep]
    u = (b - a) / np.hypot(*(b - a).T)[:, None]
    left = np.column_stack([-u[:, 1], u[:, 0]])
    ccw = shapely.is_ccw(outline)[owner]
    inward = np.where(ccw[:, None], left, -left)
    # How deep the parcel reaches behind each edge: its farthest vertex along the inward normal.
    ptr = np.searchsorted(ring_of, np.arange(len(geoms) + 1))
    edge, vertex = _expand(ptr, owner)
    reach = ((coords[vertex] - a[edge]) * inward[edge]).sum(axis=1)
    depth = np.zeros(len(owner))
    np.maximum.at(depth, edge, reach)
    return owner, a, b, inward, front, depth


@dataclass(frozen=True)
class _Placements:
    """Rectangles tried for cut-outs: on which parcel, where, how wide, in preference order."""

    owner: np.ndarray
    a: np.ndarray
    u: np.ndarray
    inward: np.ndarray
    width: np.ndarray
    preference: np.ndarray

    @classmethod
    def on(cls, edges: tuple, target_m2: float, ratios: list[float]) -> _Placements:
        owner, a, b, inward, _front, depth = edges
        length = np.hypot(*(b - a).T)
        # A piece no wider than target / depth cannot reach the target behind the edge.
        at_least = target_m2 / np.maximum(depth, 1e-9) * _CUT_DEPTH_SPARE
        u = (b - a) / length[:, None]
        first = np.r_[True, owner[1:] != owner[:-1]] if len(owner) else np.array([], dtype=bool)
        edge_rank = np.arange(len(owner)) - np.maximum.accumulate(
            np.where(first, np.arange(len(owner)), 0)
        )
        rows = []
        n_shapes = len(ratios) * len(_CUT_POSITIONS)
        for k, (ratio, position) in enumerate(itertools.product(ratios, _CUT_POSITIONS)):
            width = np.minimum(length, np.maximum(np.sqrt(target_m2 * ratio), at_least))
            start = a + u * (position * (length - width))[:, None]
            rows.append((start, width, edge_rank * n_shapes + k))
        starts = np.concatenate([r[0] for r in rows]) if rows else np.empty((0, 2))
        widths = np.concatenate([r[1] for r in rows]) if rows else np.array([])
        prefs = np.concatenate([r[2] for r in rows]) if rows else np.array([], dtype=int)
        n = len(rows)
        return cls(
            np.tile(owner, n),
            starts,
            np.tile(u, (n, 1)),
            np.tile(inward, (n, 1)),
            widths,
            prefs,
        )

    def take(self, keep: np.ndarray) -> _Placements:
        return _Placements(
            self.owner[keep],
            self.a[keep],
            self.u[keep],
            self.inward[keep],
            self.width[keep],
            self.preference[keep],
        )


def _aspect(geoms: np.ndarray) -> np.ndarray:
    """How many times longer than wide each shape's oriented envelope is."""
    ring = shapely.get_coordinates(shapely.get_exterior_ring(shapely.oriented_envelope(geoms)))
    ring = ring.reshape(len(geoms), 5, 2)
    side1 = np.hypot(*(ring[:, 1] - ring[:, 0]).T)
    side2 = np.hypot(*(ring[:, 2] - ring[:, 1]).T)
    longer, shorter = np.maximum(side1, side2), np.minimum(side1, side2)
    return np.where(shorter > 0, longer / np.where(shorter > 0, shorter, 1.0), np.inf)


def _try_cuts(
    parents: np.ndarray, tried: _Placements, ctx: _Context, rules: _GeometryRules
) -> dict[str, np.ndarray]:
    """Cut each placement and judge the cut-out itself; ``why`` is None where it passes."""
    siting = ctx.zone.policy.siting
    target = ctx.demand.target_m2
    parent = parents[tried.owner]
    cut, cut_m2 = _cut_rectangles(parent, tried.a, tried.u, tried.inward, tried.width, target)
    why = np.full(len(cut), None, dtype=object)
    n = len(cut)

    def fail(bad: np.ndarray, reason) -> np.ndarray:
        """Mark new failures; return the positions still passing."""
        bad = bad & pd.isna(why)
        why[bad] = reason if isinstance(reason, str) else np.asarray(reason, dtype=object)[bad]
        return np.flatnonzero(pd.isna(why))

    alive = fail(
        np.abs(cut_m2 - target) > siting.cutout_area_tolerance * target,
        "no placement on the road frontage reaches the demanded area inside the parcel",
    )
    alive = fail(
        np.isin(np.arange(n), alive) & (shapely.get_type_id(cut) != 3),
        "the cut falls apart into several pieces",
    )
    aspect = np.full(n, np.inf)
    aspect[alive] = _aspect(cut[alive])
    bound = float(siting.cutout_max_aspect)
    alive = fail(
        np.isin(np.arange(n), alive) & (aspect > bound * (1 + 1e-9)),
        pd.Series(aspect).map(
            lambda v: (
                f"the piece that fits would be {v:.1f} times longer than wide "
                f"(at most {bound:g}: siting.cutout_max_aspect)"
            )
        ),
    )
    remainder_m2 = np.zeros(n)
    pieces = np.zeros(n, dtype=int)
    if len(alive):
        rest = shapely.difference(parent[alive], cut[alive])
        parts, part_of = shapely.get_parts(rest, return_index=True)
        part_m2 = shapely.area(parts)
        real = part_m2 > siting.sliver_area_m2
        pieces[alive] = np.bincount(part_of[real], minlength=len(alive))
        remainder_m2[alive] = np.bincount(
            part_of[real], weights=part_m2[real], minlength=len(alive)
        )
    at = np.isin(np.arange(n), alive)
    alive = fail(at & (pieces != 1), "the remainder would be split into several pieces")
    minimum = float(mu_to_m2(siting.cutout_min_remainder_mu))
    alive = fail(
        np.isin(np.arange(n), alive) & (remainder_m2 < minimum),
        "the remainder would be smaller than the usable minimum "
        f"{siting.cutout_min_remainder_mu:g} mu",
    )
    frontage = np.zeros(n)
    frontage[alive] = ctx.roads.frontage_m(cut[alive])
    alive = fail(
        np.isin(np.arange(n), alive) & ~(frontage > 0), "the piece would have no road frontage"
    )
    if len(alive):
        ok, first_failure = rules.passing(cut[alive])
        reasons = np.full(n, None, dtype=object)
        reasons[alive[~ok]] = first_failure[~ok]
        fail(pd.notna(reasons), reasons)
    return {"cut": cut, "area_m2": cut_m2, "remainder_m2": remainder_m2, "why": why}


def _cutouts(
    parcels: gpd.GeoDataFrame, pos: np.ndarray, ctx: _Context, rules: _GeometryRules
) -> tuple[dict, pd.DataFrame]:
    """Cut-outs from the parcels at ``pos``; returns (candidates, rejections).

    Each parcel is tried first with the policy's preferred shape centred on its best frontage
    edge; a parcel where that piece fails any check is tried again with every shape the aspect
    bound allows, at either end of the edge and on its next frontage edges. The first piece
    (in that order) that passes every check is offered: its area within the tolerance of the
    target, one piece, compact, with road frontage, every geometric hard rule true of it, and
    a single usable remainder.
    """
    siting = ctx.zone.policy.siting
    demand = ctx.demand
    target = demand.target_m2
    geoms = _geoms(parcels)[pos]
    ids = parcels["parcel_id"].to_numpy(dtype=object)[pos]
    reasons = np.full(len(pos), None, dtype=object)
    single = shapely.get_num_geometries(geoms) == 1
    # A store may hand back a one-part MultiPolygon: its part is the parcel.
    geoms = np.where(single, shapely.get_geometry(geoms, 0), geoms)
    reasons[~single] = "a multi-part parcel: no cut-out"
    edges = _frontage_edges(np.asarray(np.where(single, geoms, None), dtype=object), ctx.roads)
    no_front = single.copy()
    no_front[edges[0]] = False
    reasons[no_front] = "no road frontage to cut a site from"

    ratios = _cut_ratios(siting)
    placements = _Placements.on(edges, target, ratios)
    per_edge = len(ratios) * len(_CUT_POSITIONS)
    # Rounds of preferences: the preferred piece; every shape and position on the best edge;
    # the other edges. A parcel placed in one round is not tried in the next.
    rounds = ((0, 1), (1, per_edge), (per_edge, np.inf))
    waiting = np.ones(len(pos), dtype=bool)
    first_reason: dict[int, str] = {}
    parts: list[dict] = []
    for lo, hi in rounds:
        take = (
            (placements.preference >= lo) & (placements.preference < hi) & waiting[placements.owner]
        )
        if not take.any():
            continue
        tried = placements.take(take)
        found = _try_cuts(geoms, tried, ctx, rules)
        failed = ~pd.isna(found["why"])
        if lo == 0:
            first_reason = dict(
                zip(tried.owner[failed].tolist(), found["why"][failed], strict=True)
            )
        good = np.flatnonzero(~failed)
        best = good[_first_per(tried.owner[good], tried.preference[good])]
        waiting[tried.owner[best]] = False
        parts.append(
            {
                "owner": tried.owner[best],
                "cut": found["cut"][best],
                "area_m2": found["area_m2"][best],
                "remainder_m2": found["remainder_m2"][best],
            }
        )
    keys = ("owner", "cut", "area_m2", "remainder_m2")
    rows = {
        k: np.concatenate([part[k] for part in parts])
        if parts
        else np.array([], dtype=object if k == "cut" else float)
        for k in keys
    }
    rows["owner"] = rows["owner"].astype(np.intp)
    order = np.argsort(rows["owner"], kind="stable")
    rows = {k: v[order] for k, v in rows.items()}
    n_tried = np.bincount(placements.owner, minlength=len(pos))
    unplaced = np.setdiff1d(np.asarray(list(first_reason), dtype=np.intp), rows["owner"])
    for o in unplaced.tolist():  # parcels with no compliant piece: one reason each
        reasons[o] = (
            f"no compliant piece among {n_tried[o]} placements on its road frontage; the "
            f"preferred one fails as {first_reason[o]}"
        )
    bad = np.flatnonzero(pd.notna(reasons))
    rejections = _rejections(
        ids[bad],
        "cutout",
        "area "
        + _fmt(m2_to_mu(parcels["area_m2"].to_numpy()[pos][bad]), ".1f")
        + f" mu is at least {siting.cutout_min_ratio:g} × the {demand.target_mu:.1f} mu target, "
        "but no cut-out: " + pd.Series(reasons[bad], dtype=object),
    )
    block = {
        "kind": "cutout",
        "members": pos[rows["owner"]][:, None],
        "area_m2": rows["area_m2"],
        "remainder_m2": rows["remainder_m2"],
        "geometry": rows["cut"],
        **ctx.measures(rows["cut"]),
    }
    return block, rejections


# --- floor space --------------------------------------------------------------------------------
def _floor_space(ctx: _Context) -> tuple[dict, pd.DataFrame]:
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
        "vacant floor area "
        + _fmt(np.nan_to_num(vacant))
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
        _land_use_reasons(land_use[wrong], ctx.demand.hazard, allowed),
    )
    left = np.flatnonzero(~failed)
    for failure in ctx.rules.judge(_geoms(buildings)[left]):
        reject(left[failure.at], failure.rule, failure.reasons)
    good = np.flatnonzero(~failed)
    parcel_pos = parcel_at[good]
    footprint = _geoms(buildings)[good]
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
        pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=_REJECTION_COLUMNS)
    )
    return block, rejections


# --- candidate blocks ---------------------------------------------------------------------------
_LOCATION = ("x", "y", "frontage_m", "avenue_distance_m", "substation_distance_m")


def _parcel_measures(
    parcels: gpd.GeoDataFrame, positions: np.ndarray, ctx: _Context
) -> dict[str, np.ndarray]:
    """Measures of the parcels at ``positions``, in arrays over every parcel of the zone."""
    sites = ctx.sites
    prepared = {
        **sites.measures,
        "substation_distance_m": sites.substation_distance(ctx.chosen, ctx.substations),
    }
    out = {k: np.full(len(parcels), np.nan) for k in ("area", "perimeter", *_LOCATION)}
    if len(positions):
        for key, values in out.items():
            values[positions] = prepared[key][positions]
    return out


def _from_members(block: dict, measures: dict[str, np.ndarray]) -> dict:
    """Fill a single parcel's or a building's measures from its parcel (its location)."""
    members = block["members"]
    filled = dict(block)
    for key in ("area", "perimeter", *_LOCATION):
        filled.setdefault(key, measures[key][members[:, 0]])
    return filled


def _unions(members: np.ndarray, geoms: np.ndarray, tolerance_m: float) -> np.ndarray:
    """Assemblies' sites: the union of their members, digitising gaps up to the tolerance closed."""
    merged = geoms[members[:, 0]]
    for c in range(1, members.shape[1]):  # over members (≤ max_group_size), not assemblies
        merged = shapely.union(merged, geoms[members[:, c]])
    return shapely.buffer(
        shapely.buffer(merged, tolerance_m, join_style="mitre"), -tolerance_m, join_style="mitre"
    )


def _readiness(
    blocks: list[dict], status_codes: tuple[np.ndarray, pd.Index], policy: Policy
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Months before supply and the steps first, per block: the slowest member decides.

    ``status_codes`` are the parcels' statuses factorized (sorted), as :class:`SiteIndex` has them.
    """
    readiness = policy.readiness
    code, names = status_codes
    months = np.array([readiness.get(f"{s}_months", np.nan) for s in names], dtype=float)
    steps = [readiness.steps.get(s, "") for s in names]
    out = []
    for block in blocks:  # one block per candidate kind and assembly size
        counted = KIND_REGISTRY[block["kind"]].readiness
        n = len(block["members"])
        if counted == "floor_space":
            out.append(
                (
                    np.full(n, float(readiness.floor_space_months)),
                    np.full(n, readiness.steps["floor_space"], dtype=object),
                )
            )
            continue
        codes = code[block["members"]]
        wait = months[codes].max(axis=1)
        mask = np.bitwise_or.reduce(np.left_shift(1, codes), axis=1)
        text = {
            m: "; ".join(steps[c] for c in range(len(names)) if m >> c & 1)
            for m in np.unique(mask).tolist()
        }
        todo = pd.Series(mask).map(text).to_numpy(dtype=object)
        if counted == "parcels+cutout":
            wait = wait + readiness.cutout_extra_months
            todo = todo + "; " + readiness.steps["cutout"]
        out.append((wait, todo))
    return out


def _block_frame(block: dict, ids: np.ndarray, wait: np.ndarray, todo: np.ndarray) -> pd.DataFrame:
    members = block["members"]
    n = len(members)
    parcel_ids = pd.Series(ids[members[:, 0]], dtype=object)
    for c in range(1, members.shape[1]):
        parcel_ids = parcel_ids + ";" + ids[members[:, c]]
    frame = pd.DataFrame(
        {
            "kind": block["kind"],
            "parcel_ids": parcel_ids.to_numpy(dtype=object),
            "building_id": block.get("building_id", np.full(n, None, dtype=object)),
            "area_m2": block["area_m2"],
            "floor_area_m2": block.get("floor_area_m2", np.full(n, np.nan)),
            "remainder_m2": block.get("remainder_m2", np.full(n, np.nan)),
            "readiness_months": wait,
            "steps": todo,
            **{k: block[k] for k in ("area", "perimeter", *_LOCATION)},
        }
    )
    frame["geometry"] = block.get("geometry", np.full(n, None, dtype=object))
    return frame


# --- scoring ------------------------------------------------------------------------------------
def _enterprise_points(zone: Zone, cluster: object) -> np.ndarray:
    ent = zone.enterprises
    ent = ent.loc[ent["cluster"] == cluster]
    if ent.empty:
        return np.empty((0, 2))
    points = _geoms(ent)
    missing = shapely.is_missing(points) | shapely.is_empty(points)
    if missing.any():
        first = ent["parcel_id"].astype(str).str.split(";").str[0].str.strip()
        where = pd.Index(zone.parcels["parcel_id"]).get_indexer(first[missing])
        inside = shapely.point_on_surface(_geoms(zone.parcels)[where[where >= 0]])
        points = points.copy()
        points[np.flatnonzero(missing)[where >= 0]] = inside
    points = points[~(shapely.is_missing(points) | shapely.is_empty(points))]
    return shapely.get_coordinates(points)


def _score(sites: pd.DataFrame, ctx: _Context) -> pd.DataFrame:
    """Add the cluster count, corridor phase, components and total score."""
    zone, demand = ctx.zone, ctx.demand
    ranking = zone.policy.ranking
    out = sites
    floor = (out["kind"] == "floor_space").to_numpy()
    centre = np.column_stack([out["x"].to_numpy(dtype=float), out["y"].to_numpy(dtype=float)])
    cluster = demand.cluster
    tree = ctx.sites.cluster_tree(zone, cluster) if cluster in zone.policy.review.clusters else None
    if tree is not None and len(centre):
        counts = tree.query_ball_point(
            centre, r=float(ranking.cluster_radius_m), return_length=True
        )
    else:
        counts = np.zeros(len(centre), dtype=int)
    out["cluster_enterprises"] = np.asarray(counts, dtype=int)
    out["corridor_phase"] = phase_at(out["geometry"].to_numpy(dtype=object), zone, bands=ctx.bands)
    phases = int(ctx.bands["phase"].max()) if len(ctx.bands) else 1

    area = out["area_m2"].to_numpy(dtype=float)
    fit_area = np.where(floor, out["floor_area_m2"].to_numpy(dtype=float), area)
    fit_target = np.where(floor, demand.floor_area_m2, demand.target_m2)
    perimeter = out["perimeter"].to_numpy(dtype=float)
    comp = {
        "area_fit": 1.0 - np.abs(fit_area - fit_target) / fit_target,
        "compactness": 16.0 * out["area"].to_numpy(dtype=float) / perimeter**2,
        "frontage": out["frontage_m"].to_numpy() / ranking.frontage_full_m,
        "avenue_distance": 1.0
        - out["avenue_distance_m"].to_numpy() / ranking.avenue_distance_zero_m,
        "substation_distance": 1.0
        - out["substation_distance_m"].to_numpy() / ranking.substation_distance_zero_m,
        "cluster_synergy": out["cluster_enterprises"].to_numpy() / ranking.cluster_full_count,
        "readiness": 1.0
        - out["readiness_months"].to_numpy(dtype=float) / ranking.readiness_horizon_months,
        # Land outside the corridor is existing zone land, needing no expansion: like phase 1.
        "corridor_phase": 1.0
        - (np.maximum(out["corridor_phase"].to_numpy(), 1) - 1) / max(phases, 1),
    }
    total = np.zeros(len(out))
    for name in COMPONENTS:
        value = np.clip(np.nan_to_num(comp[name], nan=0.0), 0.0, 1.0)
        out[f"score_{name}"] = value
        total += float(ranking.weights[name]) * value
    out["score_total"] = total
    return out


def _reasons(rows: pd.DataFrame, demand: Demand, policy: Policy) -> pd.Series:
    """One line per candidate: its size against the demand, readiness and measures."""
    r = rows
    floor = r["kind"] == "floor_space"
    size = pd.Series(
        np.where(
            floor,
            _fmt(r["floor_area_m2"].to_numpy()) + " m² floor space",
            _fmt(r["area_mu"].to_numpy(), ".1f") + " mu",
        ),
        index=r.index,
    )
    target = np.where(floor, f"{demand.floor_area_m2:,.0f} m²", f"{demand.target_mu:.1f} mu")
    phase = np.where(
        r["corridor_phase"] > 0,
        "corridor phase " + r["corridor_phase"].astype(str),
        "outside the corridor",
    )

    def metres(column: str) -> pd.Series:
        return _fmt(r[column].to_numpy()).set_axis(r.index)

    return (
        size
        + " for "
        + pd.Series(target, index=r.index)
        + "; ready in "
        + r["readiness_months"].astype(int).astype(str)
        + " months ("
        + r["steps"]
        + "); frontage "
        + metres("frontage_m")
        + " m; avenue "
        + metres("avenue_distance_m")
        + " m; substation "
        + metres("substation_distance_m")
        + " m; "
        + r["cluster_enterprises"].astype(str)
        + " same-cluster enterprises within "
        + f"{policy.ranking.cluster_radius_m:,.0f} m; "
        + pd.Series(phase, index=r.index)
    )


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
        ``avenue_distance_m``, ``substation_distance_m``, ``cluster_enterprises`` and
        ``corridor_phase``, one ``score_<component>`` per :data:`COMPONENTS` (0–1), the
        weighted ``score_total`` and a ``reasons`` text. Geometry is the site, on which every
        rule and measure was judged: a parcel, a cut-out's polygon, a building's footprint, an
        assembly's union. Beyond the ``top`` shown, candidates carry no reasons text
        (:meth:`explain` writes the text for any).
    rejections : DataFrame
        ``parcel_id``, ``building_id``, ``rule`` and ``reason`` for every site turned down.
    policy : Policy
        The policy the match applied.
    top : int or None
        How many candidates :attr:`sites` shows.
    """

    project_id: str
    demand: Demand
    ranked: gpd.GeoDataFrame
    rejections: pd.DataFrame
    policy: Policy
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
        ids = self.ranked["parcel_ids"].fillna("")
        hit = (
            (ids == site_id)
            | ids.str.startswith(f"{site_id};")
            | ids.str.endswith(f";{site_id}")
            | ids.str.contains(f";{site_id};", regex=False)
            | (self.ranked["building_id"] == site_id)
        )
        rows = self.ranked.loc[hit]
        reasons = _reasons(rows, self.demand, self.policy)
        for row, reason in zip(rows.itertuples(), reasons, strict=True):
            shown = (
                "" if self.top is None or row.rank <= self.top else f", below the top {self.top}"
            )
            lines.append(
                f"offered as #{row.rank} ({row.kind} {row.candidate_id}{shown}), "
                f"score {row.score_total:.1f}: {reason}"
            )
        rej = self.rejections
        mine = rej.loc[(rej["parcel_id"] == site_id) | (rej["building_id"] == site_id)]
        # A parcel refused whole may still be offered in part (a cut-out) or with others.
        whole = "not offered whole" if len(rows) else "not offered"
        lines += [f"{whole} by rule {r.rule}: {r.reason}" for r in mine.itertuples()]
        if not lines:
            raise LandplanError(
                f"{site_id!r} is neither a candidate nor a rejected site of project "
                f"{self.project_id}; expected a parcel_id of the zone (or a building_id for "
                "floor space) — check the id"
            )
        return f"{site_id} for {self.project_id}:\n" + "\n".join(f"- {line}" for line in lines)


def _area_rejections(
    parcels: gpd.GeoDataFrame, pos: np.ndarray, sites: SiteIndex, why: str
) -> pd.DataFrame:
    ids = parcels["parcel_id"].to_numpy(dtype=object)[pos]
    area_mu = pd.Series(sites.area_mu_text[pos], dtype=object)
    return _rejections(ids, "area", "area " + area_mu + f" mu {why}")


def _land_blocks(
    project: pd.Series, ctx: _Context, kinds: tuple[Kind, ...]
) -> tuple[list[dict], list[pd.DataFrame]]:
    """Candidate blocks of land and the rejections: parcels, assemblies, cut-outs."""
    zone, demand = ctx.zone, ctx.demand
    policy = zone.policy
    siting = policy.siting
    parcels = zone.parcels
    rules = _site_rules(demand, zone, ctx.sites)
    rejected = [rules.rejections]
    whole = np.flatnonzero(rules.whole)
    area = parcels["area_m2"].to_numpy(dtype=float)
    blocks: list[dict] = []
    if demand.window_empty:
        rejected.append(
            _area_rejections(
                parcels,
                whole,
                ctx.sites,
                ": the project's fixed-asset investment allows at most "
                f"{m2_to_mu(demand.cap_m2):.1f} mu at the control intensity, below the "
                f"{demand.min_mu:.1f} mu it needs",
            )
        )
        return blocks, rejected
    used = np.zeros(len(parcels), dtype=bool)
    if "single" in kinds:
        single = whole[(area[whole] >= demand.min_m2) & (area[whole] <= demand.max_m2)]
        used[single] = True
        blocks.append(
            {
                "kind": "single",
                "members": single[:, None],
                "area_m2": area[single],
                "geometry": _geoms(parcels)[single],
            }
        )
    neighbours = np.zeros(len(parcels), dtype=bool)
    if "assembly" in kinds:
        found, neighbours = _assemblies(parcels, rules, ctx)
        for block in found:
            used[block["members"].ravel()] = True
        blocks.extend(found)
    big = np.flatnonzero(rules.offered & (area >= siting.cutout_min_ratio * demand.target_m2))
    if "cutout" in kinds and len(big):
        block, cut_rej = _cutouts(parcels, big, ctx, ctx.rules)
        used[block["members"].ravel()] = True
        blocks.append(block)
        rejected.append(cut_rej)
    rest = whole[~used[whole]]
    rest = rest[~np.isin(rest, big)] if "cutout" in kinds else rest
    cap = ""
    if demand.max_m2 < demand.asked_max_m2:
        cap = (
            " (capped where a larger site would bring the investment intensity below "
            f"{policy.control.investment_intensity_min_wan_yuan_per_mu:g} 万元/亩)"
        )
    small = rest[area[rest] < demand.min_m2]
    window = f"{demand.min_mu:.1f}–{demand.max_mu:.1f} mu{cap}"
    if "assembly" in kinds:
        alone = (
            "and it shares no boundary with another available parcel to assemble a site of "
            + window
        )
        joined = (
            f"and no assembly of up to {int(siting.max_group_size)} adjacent available parcels "
            f"with it lies in {window} (none superfluous) and passes every rule"
        )
    else:
        alone = joined = "and assemblies were not asked for"
    rejected.append(
        _area_rejections(
            parcels,
            small[~neighbours[small]],
            ctx.sites,
            f"is below the minimum {demand.min_mu:.1f} mu {alone}",
        )
    )
    rejected.append(
        _area_rejections(
            parcels,
            small[neighbours[small]],
            ctx.sites,
            f"is below the minimum {demand.min_mu:.1f} mu {joined}",
        )
    )
    rejected.append(
        _area_rejections(
            parcels,
            rest[area[rest] > demand.max_m2],
            ctx.sites,
            f"is above the maximum {demand.max_mu:.1f} mu{cap} and below the "
            f"{siting.cutout_min_ratio:g} × {demand.target_mu:.1f} mu a cut-out needs",
        )
    )
    return blocks, rejected


def _assemblies(
    parcels: gpd.GeoDataFrame, rules: _ParcelRules, ctx: _Context
) -> tuple[list[dict], np.ndarray]:
    """Assemblies judged on their union; returns (blocks by size, which parcels have a neighbour).

    A member must suit the project by its own attributes, and may not fail a rule that its
    union would fail too: an overlap with a protected area or a setback (the union is at least
    as close and overlaps at least as much). A member beyond the substation distance may join,
    as the union is as near as its nearest member.
    """
    demand = ctx.demand
    siting = ctx.zone.policy.siting
    area = parcels["area_m2"].to_numpy(dtype=float)
    may_join = rules.offered & (area < demand.min_m2)
    for rule, failed in rules.failed.items():
        if rule != "power":
            may_join &= ~failed
    small = np.flatnonzero(may_join)
    i, j, _shared = ctx.sites.adjacency_among(small)
    neighbours = np.zeros(len(parcels), dtype=bool)
    neighbours[small[i]] = neighbours[small[j]] = True
    found = [
        small[groups]
        for groups in _connected_groups(
            area[small],
            i,
            j,
            min_m2=demand.min_m2,
            max_m2=demand.max_m2,
            max_size=int(siting.max_group_size),
        )
        if len(groups)
    ]
    blocks = []
    geoms = _geoms(parcels)
    tolerance = float(siting.adjacency_tolerance_m)
    for members in found:  # one block per assembly size
        union = _unions(members, geoms, tolerance)
        ok, _why = ctx.rules.passing(union)
        members, union = members[ok], union[ok]
        blocks.append(
            {
                "kind": "assembly",
                "members": members,
                "area_m2": area[members].sum(axis=1),
                "geometry": union,
                **ctx.measures(union),
            }
        )
    return blocks, neighbours


def match(
    project: pd.Series | Mapping,
    zone: Zone,
    *,
    top: int | None = None,
    kinds: tuple[Kind, ...] = KINDS,
    sites: SiteIndex | None = None,
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
    sites
        The zone's :class:`SiteIndex` from :func:`prepare_sites`, to match many projects against
        one zone without preparing it each time; prepared here where None. The result is the same.

    Returns
    -------
    Candidates

    Raises
    ------
    InfeasibleError
        If the project states no land and no floor-space demand.
    LandplanError
        If ``kinds`` names an unknown kind or ``top`` is not positive, or ``sites`` was
        prepared for another zone (or before the zone changed).

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
    [['parcel:A', 'single']]
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
    if sites is None:
        sites = prepare_sites(zone)
    else:
        sites.check(zone)
    policy = zone.policy
    project = as_project(project, policy=policy)
    demand = land_demand(project, policy)
    ctx = _Context.of(project, demand, zone, sites)
    parcels = zone.parcels
    blocks: list[dict] = []
    rejected: list[pd.DataFrame] = []
    if demand.wants_land:
        blocks, rejected = _land_blocks(project, ctx, kinds)
    if demand.wants_floor_space and "floor_space" in kinds:
        block, floor_rej = _floor_space(ctx)
        blocks.append(block)
        rejected.append(floor_rej)

    blocks = [b for b in blocks if len(b["members"])]
    # Single parcels and buildings take the prepared measures of their parcel; assemblies and
    # cut-outs were measured on their own geometry.
    measured = ("assembly", "cutout")
    needed = np.unique(
        np.concatenate(
            [b["members"].ravel() for b in blocks if b["kind"] not in measured]
            or [np.array([], int)]
        )
    )
    measures = _parcel_measures(parcels, needed[needed >= 0], ctx)
    blocks = [b if b["kind"] in measured else _from_members(b, measures) for b in blocks]
    ids = parcels["parcel_id"].to_numpy(dtype=object)
    frames = [
        _block_frame(b, ids, wait, todo)
        for b, (wait, todo) in zip(
            blocks, _readiness(blocks, sites.status_codes, policy), strict=True
        )
    ]
    ranked = _rank(frames, project, ctx, top)
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
        policy=policy,
        top=top,
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
    frames: list[pd.DataFrame], project: pd.Series, ctx: _Context, top: int | None
) -> gpd.GeoDataFrame:
    zone = ctx.zone
    crs = zone.parcels.crs
    frames = [f for f in frames if len(f)]
    if not frames:
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in _RANKED_COLUMNS})
        return gpd.GeoDataFrame(empty, geometry=gpd.GeoSeries([], crs=crs))
    sites = pd.concat(frames, ignore_index=True)
    sites["area_mu"] = m2_to_mu(sites["area_m2"].to_numpy(dtype=float))
    fixed = ctx.demand.fixed_investment_wan_yuan
    sites["investment_intensity_wan_yuan_per_mu"] = fixed / sites["area_mu"]
    key = np.where(sites["kind"] == "floor_space", sites["building_id"], sites["parcel_ids"])
    sites["candidate_id"] = candidate_ids(sites["kind"], key)
    scored = _score(sites, ctx)
    scored = scored.sort_values(
        ["score_total", "candidate_id"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)
    scored["rank"] = np.arange(1, len(scored) + 1)
    shown = scored.index[: len(scored) if top is None else top]
    scored["reasons"] = None
    scored.loc[shown, "reasons"] = _reasons(scored.loc[shown], ctx.demand, zone.policy)
    return gpd.GeoDataFrame(
        scored[_RANKED_COLUMNS], geometry=scored["geometry"].to_numpy(), crs=crs
    )
