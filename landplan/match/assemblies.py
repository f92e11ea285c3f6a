"""Assemblies: connected groups of adjacent available parcels, judged on their union."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

import numpy as np

import geopandas as gpd
import shapely

from landplan._parallel import by_parts
from landplan.match._common import expand_rows, geometry_array

if TYPE_CHECKING:
    from landplan.match.rules import ParcelRules
    from landplan.match.sites import MatchContext


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
            rows, item = expand_rows(ptr, frontier[:, c])
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


def _unions(members: np.ndarray, geoms: np.ndarray, tolerance_m: float) -> np.ndarray:
    """Assemblies' sites: the union of their members, digitising gaps up to the tolerance closed."""
    merged = geoms[members[:, 0]]
    for c in range(1, members.shape[1]):  # over members (≤ max_group_size), not assemblies
        merged = shapely.union(merged, geoms[members[:, c]])
    return shapely.buffer(
        shapely.buffer(merged, tolerance_m, join_style="mitre"), -tolerance_m, join_style="mitre"
    )


def _union_rows(
    rows: np.ndarray, *, members: np.ndarray, geoms: np.ndarray, tol: float
) -> dict[str, np.ndarray]:
    return {"geometry": by_parts(partial(_unions, geoms=geoms, tolerance_m=tol), members[rows])}


def _measure_rows(rows: np.ndarray, *, ctx: MatchContext, union: np.ndarray) -> dict:
    return ctx.measures(union[rows], substations=False)


def _substation_rows(rows: np.ndarray, *, ctx: MatchContext, union: np.ndarray) -> dict:
    return {"substation_distance_m": ctx.substation_distance_m(union[rows])}


def assembly_blocks(
    parcels: gpd.GeoDataFrame, rules: ParcelRules, ctx: MatchContext
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
    geoms = geometry_array(parcels)
    tolerance = float(siting.adjacency_tolerance_m)
    for members in found:  # one block per assembly size
        # Made once per assembly in the process: projects of an allocation share assemblies.
        union = ctx.sites.per_assembly(
            "union", members, partial(_union_rows, members=members, geoms=geoms, tol=tolerance)
        )["geometry"]
        ok, _why = ctx.rules.passing(union)
        members, union = members[ok], union[ok]
        measured = ctx.sites.per_assembly(
            "measures", members, partial(_measure_rows, ctx=ctx, union=union)
        )
        # The substations measured to are the project's voltage's: kept per choice of them.
        measured |= ctx.sites.per_assembly(
            ("substation_distance", ctx.chosen.tobytes()),
            members,
            partial(_substation_rows, ctx=ctx, union=union),
        )
        blocks.append(
            {
                "kind": "assembly",
                "members": members,
                "area_m2": area[members].sum(axis=1),
                "geometry": union,
                **measured,
            }
        )
    return blocks, neighbours
