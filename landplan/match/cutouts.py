"""Cut-outs: a compact piece of a large parcel on its road frontage, judged on itself."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

import geopandas as gpd
import shapely

from landplan._geom import segments
from landplan._parallel import by_parts
from landplan.labels import compose, message
from landplan.match._common import (
    expand_rows,
    first_per_key,
    format_numbers,
    geometry_array,
    rejection_rows,
)
from landplan.units import m2_to_mu, mu_to_m2

if TYPE_CHECKING:
    from landplan.match.rules import GeometryRules
    from landplan.match.sites import MatchContext, RoadIndex


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


# A parcel is out of a substation's reach for every piece of it only this far beyond the reach:
# a piece's vertices on the parcel's edges carry the rounding of the cut.
_REACH_SPARE_M = 1e-6


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


def _frontage_edges(geoms: np.ndarray, roads: RoadIndex) -> tuple[np.ndarray, ...]:
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
    edge, vertex = expand_rows(ptr, owner)
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
    parents: np.ndarray, tried: _Placements, ctx: MatchContext, rules: GeometryRules
) -> dict[str, np.ndarray]:
    """Cut each placement and judge the cut-out itself; ``why`` is None where it passes."""
    siting, lang = ctx.zone.policy.siting, ctx.lang
    target = ctx.demand.target_m2
    parent = parents[tried.owner]
    cut, cut_m2 = by_parts(
        partial(_cut_rectangles, target_m2=target),
        parent,
        tried.a,
        tried.u,
        tried.inward,
        tried.width,
    )
    why = np.full(len(cut), None, dtype=object)
    n = len(cut)

    def fail(bad: np.ndarray, reason) -> np.ndarray:
        """Mark new failures; return the positions still passing."""
        bad = bad & pd.isna(why)
        why[bad] = reason if isinstance(reason, str) else np.asarray(reason, dtype=object)[bad]
        return np.flatnonzero(pd.isna(why))

    alive = fail(
        np.abs(cut_m2 - target) > siting.cutout_area_tolerance * target,
        message("match_cutout_area", lang),
    )
    alive = fail(
        np.isin(np.arange(n), alive) & (shapely.get_type_id(cut) != 3),
        message("match_cutout_pieces", lang),
    )
    aspect = np.full(n, np.inf)
    aspect[alive] = by_parts(_aspect, cut[alive])
    bound = float(siting.cutout_max_aspect)
    alive = fail(
        np.isin(np.arange(n), alive) & (aspect > bound * (1 + 1e-9)),
        compose(
            "match_cutout_aspect", lang, aspect=format_numbers(aspect, ".1f"), bound=f"{bound:g}"
        ),
    )
    remainder_m2 = np.zeros(n)
    pieces = np.zeros(n, dtype=int)
    if len(alive):
        rest = by_parts(shapely.difference, parent[alive], cut[alive])
        parts, part_of = shapely.get_parts(rest, return_index=True)
        part_m2 = shapely.area(parts)
        real = part_m2 > siting.sliver_area_m2
        pieces[alive] = np.bincount(part_of[real], minlength=len(alive))
        remainder_m2[alive] = np.bincount(
            part_of[real], weights=part_m2[real], minlength=len(alive)
        )
    at = np.isin(np.arange(n), alive)
    alive = fail(at & (pieces != 1), message("match_cutout_remainder_split", lang))
    minimum = float(mu_to_m2(siting.cutout_min_remainder_mu))
    alive = fail(
        np.isin(np.arange(n), alive) & (remainder_m2 < minimum),
        message(
            "match_cutout_remainder_small", lang, minimum=f"{siting.cutout_min_remainder_mu:g}"
        ),
    )
    frontage = np.zeros(n)
    frontage[alive] = by_parts(ctx.roads.frontage_m, cut[alive])
    alive = fail(
        np.isin(np.arange(n), alive) & ~(frontage > 0), message("match_cutout_no_road", lang)
    )
    if len(alive):
        ok, first_failure = rules.passing(cut[alive])
        reasons = np.full(n, None, dtype=object)
        reasons[alive[~ok]] = first_failure[~ok]
        fail(pd.notna(reasons), reasons)
    return {
        "cut": cut,
        "area_m2": cut_m2,
        "remainder_m2": remainder_m2,
        "frontage_m": frontage,
        "why": why,
    }


def cutout_block(
    parcels: gpd.GeoDataFrame, pos: np.ndarray, ctx: MatchContext, rules: GeometryRules
) -> tuple[dict, pd.DataFrame]:
    """Cut-outs from the parcels at ``pos``; returns (candidates, rejections).

    Each parcel is tried first with the policy's preferred shape centred on its best frontage
    edge; a parcel where that piece fails any check is tried again with every shape the aspect
    bound allows, at either end of the edge and on its next frontage edges. The first piece
    (in that order) that passes every check is offered: its area within the tolerance of the
    target, one piece, compact, with road frontage, every geometric hard rule true of it, and
    a single usable remainder.
    """
    siting, lang = ctx.zone.policy.siting, ctx.lang
    demand = ctx.demand
    target = demand.target_m2
    geoms = geometry_array(parcels)[pos]
    ids = parcels["parcel_id"].to_numpy(dtype=object)[pos]
    reasons = np.full(len(pos), None, dtype=object)
    single = shapely.get_num_geometries(geoms) == 1
    # A store may hand back a one-part MultiPolygon: its part is the parcel.
    geoms = np.where(single, shapely.get_geometry(geoms, 0), geoms)
    reasons[~single] = message("match_cutout_multipart", lang)
    edges = _frontage_edges(np.asarray(np.where(single, geoms, None), dtype=object), ctx.roads)
    no_front = single.copy()
    no_front[edges[0]] = False
    reasons[no_front] = message("match_cutout_no_frontage", lang)

    ratios = _cut_ratios(siting)
    placements = _Placements.on(edges, target, ratios)
    per_edge = len(ratios) * len(_CUT_POSITIONS)
    # Rounds of preferences: the preferred piece; every other shape and position on the best
    # edge; then each next edge. A parcel placed in one round is not tried in the next, as its
    # first passing piece is then known.
    rounds = [
        (0, 1),
        (1, per_edge),
        *((k * per_edge, (k + 1) * per_edge) for k in range(1, _CUT_EDGES)),
    ]
    waiting = np.ones(len(pos), dtype=bool)
    # The first round says why each parcel's preferred piece fails; after it only whether a
    # piece passes matters, and no piece of a parcel out of power's reach can.
    hopeless = np.zeros(len(pos), dtype=bool)
    # A piece lies within its parcel, so it is no nearer to any substation than the parcel.
    hopeless[single] = rules.beyond_power_reach(geoms[single], spare_m=_REACH_SPARE_M)
    first_reason: dict[int, str] = {}
    parts: list[dict] = []
    for lo, hi in rounds:
        take = (
            (placements.preference >= lo) & (placements.preference < hi) & waiting[placements.owner]
        )
        if lo > 0:
            take &= ~hopeless[placements.owner]
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
        best = good[first_per_key(tried.owner[good], tried.preference[good])]
        waiting[tried.owner[best]] = False
        parts.append(
            {
                "owner": tried.owner[best],
                "cut": found["cut"][best],
                "area_m2": found["area_m2"][best],
                "remainder_m2": found["remainder_m2"][best],
                "frontage_m": found["frontage_m"][best],
            }
        )
    keys = ("owner", "cut", "area_m2", "remainder_m2", "frontage_m")
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
        reasons[o] = message("match_cutout_none", lang, n=n_tried[o], reason=first_reason[o])
    bad = np.flatnonzero(pd.notna(reasons))
    rejections = rejection_rows(
        ids[bad],
        "cutout",
        compose(
            "match_cutout",
            lang,
            area=format_numbers(m2_to_mu(parcels["area_m2"].to_numpy()[pos][bad]), ".1f"),
            ratio=f"{siting.cutout_min_ratio:g}",
            target=f"{demand.target_mu:.1f}",
            reason=reasons[bad],
        ),
    )
    block = {
        "kind": "cutout",
        "members": pos[rows["owner"]][:, None],
        "area_m2": rows["area_m2"],
        "remainder_m2": rows["remainder_m2"],
        "geometry": rows["cut"],
        # The pieces' frontage was measured as they were judged: not measured again.
        **ctx.measures(rows["cut"], frontage_m=rows["frontage_m"]),
    }
    return block, rejections
