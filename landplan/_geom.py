"""Array kernels on polygon boundaries: segments, the length of a boundary near other lines.

Two measures of matching rest on one question — how much of a polygon's boundary lies within a
distance of some other lines: road frontage (the boundary within a road's reach of the road's
centre line) and the adjacency of parcels (the boundary within the digitising tolerance of the
neighbour's boundary). Both are answered exactly, whatever the vertices: each boundary segment
is split where it enters and leaves the capsule (the segment's points within ``r`` of a target
segment), and the covered intervals of every target are merged before they are measured, so a
stretch near two roads, or near two pieces of one road, counts once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import shapely
from shapely import STRtree

__all__ = ["boundary_near", "segments", "shared_boundary"]

_EMPTY_INT = np.array([], dtype=np.intp)


def segments(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every boundary segment of the geometries: (owner position, start xy, end xy).

    Polygons give their rings' segments (holes included), lines their own; owners ascend.
    Segments of zero length are left out.
    """
    geoms = np.asarray(geoms, dtype=object)
    parts, part_owner = shapely.get_parts(geoms, return_index=True)
    polygon = shapely.get_type_id(parts) == 3
    rings, ring_part = shapely.get_rings(parts[polygon], return_index=True)
    lines = np.concatenate([rings, parts[~polygon]])
    line_owner = np.concatenate([part_owner[polygon][ring_part], part_owner[~polygon]]).astype(
        np.intp
    )
    order = np.argsort(line_owner, kind="stable")
    lines, line_owner = lines[order], line_owner[order]
    coords, line_of = shapely.get_coordinates(lines, return_index=True)
    same = line_of[:-1] == line_of[1:]
    a, b = coords[:-1][same], coords[1:][same]
    owner = line_owner[line_of[:-1][same]]
    real = (a != b).any(axis=1)
    return owner[real], a[real], b[real]


def _slab(f0: np.ndarray, f1: np.ndarray, lo: np.ndarray, hi: np.ndarray):
    """Interval of λ where lo ≤ f0 + λ f1 ≤ hi (empty as lo > hi)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        t0 = (lo - f0) / f1
        t1 = (hi - f0) / f1
    flat = f1 == 0
    inside = (f0 >= lo) & (f0 <= hi)
    start = np.where(flat, np.where(inside, -np.inf, np.inf), np.minimum(t0, t1))
    end = np.where(flat, np.where(inside, np.inf, -np.inf), np.maximum(t0, t1))
    return start, end


def _disk(w: np.ndarray, d: np.ndarray, dd: np.ndarray, r: np.ndarray):
    """Interval of λ where |w + λ d| ≤ r (empty as lo > hi); dd = |d|² > 0."""
    half_b = (w * d).sum(axis=1)
    c = (w * w).sum(axis=1) - r * r
    disc = half_b * half_b - dd * c
    root = np.sqrt(np.maximum(disc, 0.0))
    empty = disc < 0
    lo = np.where(empty, np.inf, (-half_b - root) / dd)
    hi = np.where(empty, -np.inf, (-half_b + root) / dd)
    return lo, hi


def reach_intervals(
    a: np.ndarray, b: np.ndarray, c: np.ndarray, e: np.ndarray, r: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Where along each segment a→b the points lie within ``r`` of the segment c→e, row by row.

    The points within ``r`` of a segment form a capsule (a rectangle with two half disks), which
    is convex, so a line meets it in one interval: the hull of its meetings with the two end
    disks and the rectangle. Returns (lo, hi) as fractions of a→b clipped to [0, 1]; lo ≥ hi
    where the segment stays out of reach.
    """
    d = b - a
    dd = (d * d).sum(axis=1)
    lo1, hi1 = _disk(a - c, d, dd, r)
    lo2, hi2 = _disk(a - e, d, dd, r)
    t = e - c
    tt = np.hypot(t[:, 0], t[:, 1])
    ok = tt > 0
    u = np.where(ok[:, None], t / np.where(ok, tt, 1.0)[:, None], 0.0)
    n = np.column_stack([-u[:, 1], u[:, 0]])
    w = a - c
    s_lo, s_hi = _slab((w * u).sum(axis=1), (d * u).sum(axis=1), np.zeros(len(a)), tt)
    n_lo, n_hi = _slab((w * n).sum(axis=1), (d * n).sum(axis=1), -r, r)
    lo3 = np.where(ok, np.maximum(s_lo, n_lo), np.inf)
    hi3 = np.where(ok, np.minimum(s_hi, n_hi), -np.inf)
    lo3, hi3 = np.where(lo3 <= hi3, lo3, np.inf), np.where(lo3 <= hi3, hi3, -np.inf)
    lo = np.clip(np.minimum(np.minimum(lo1, lo2), lo3), 0.0, 1.0)
    hi = np.clip(np.maximum(np.maximum(hi1, hi2), hi3), 0.0, 1.0)
    return lo, hi


def merged_length(group: np.ndarray, lo: np.ndarray, hi: np.ndarray, n_groups: int) -> np.ndarray:
    """Length of the union of the intervals [lo, hi] of each group (overlaps counted once)."""
    keep = hi > lo
    group, lo, hi = group[keep], lo[keep], hi[keep]
    if not len(group):
        return np.zeros(n_groups)
    order = np.lexsort((lo, group))
    group, lo, hi = group[order], lo[order], hi[order]
    # The running maximum of hi within each group (exact, whatever the group's number).
    running = pd.Series(hi).groupby(group, sort=False).cummax().to_numpy()
    first = np.r_[True, group[1:] != group[:-1]]
    before = np.where(first, -np.inf, np.r_[-np.inf, running[:-1]])
    return np.bincount(
        group, weights=np.maximum(hi - np.maximum(lo, before), 0.0), minlength=n_groups
    )


def _box_gap(a_box: np.ndarray, b_box: np.ndarray) -> np.ndarray:
    """Distance between boxes (xmin, ymin, xmax, ymax), row by row: a bound of their contents'."""
    gap = np.maximum(np.maximum(b_box[:, :2] - a_box[:, 2:], a_box[:, :2] - b_box[:, 2:]), 0.0)
    return np.hypot(gap[:, 0], gap[:, 1])


def _within(gap: np.ndarray, margin: np.ndarray | float) -> np.ndarray:
    # Widened beyond any rounding: a box pair kept here is only a candidate, measured exactly later.
    return gap <= np.asarray(margin) * (1.0 + 1e-9) + 1e-9


def _pairs_within(a_box: np.ndarray, b_box: np.ndarray, margin: np.ndarray | float, tree=None):
    """(row of a, row of b) whose boxes lie within ``margin`` (per b, or one number)."""
    margin = np.asarray(margin, dtype=float)
    widest = float(margin.max()) if margin.size else 0.0
    tree = tree if tree is not None else STRtree(shapely.box(*b_box.T))
    grown = shapely.box(
        a_box[:, 0] - widest, a_box[:, 1] - widest, a_box[:, 2] + widest, a_box[:, 3] + widest
    )
    i, j = tree.query(grown)
    near = _within(_box_gap(a_box[i], b_box[j]), margin[j] if margin.ndim else margin)
    return i[near], j[near]


def _boxes(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.column_stack([np.minimum(a, b), np.maximum(a, b)])


def boundary_near(
    seg_owner: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    c: np.ndarray,
    e: np.ndarray,
    reach: np.ndarray,
    *,
    tree: STRtree | None = None,
    owner_bounds: np.ndarray | None = None,
) -> np.ndarray:
    """Length of each segment a→b within ``reach[k]`` of some target segment c[k]→e[k].

    The covered stretches of all targets are merged per segment, so the result is the length of
    the segment inside the union of the targets' capsules. ``tree``, where given, indexes the
    targets' boxes (shapely boxes of c, e in target order). ``owner_bounds``, the boxes of the
    segments' owners (``seg_owner`` ascending), lets the index be queried once per owner rather
    than once per segment.
    """
    out = np.zeros(len(a))
    if not len(a) or not len(c):
        return out
    seg_box, target_box = _boxes(a, b), _boxes(c, e)
    if owner_bounds is None:
        seg, target = _pairs_within(seg_box, target_box, reach, tree)
    else:
        owner, target = _pairs_within(owner_bounds, target_box, reach, tree)
        ptr = np.searchsorted(seg_owner, np.arange(len(owner_bounds) + 1))
        counts = ptr[owner + 1] - ptr[owner]
        pair = np.repeat(np.arange(len(owner)), counts)
        seg = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        seg = seg + ptr[owner][pair]
        target = target[pair]
        near = _within(_box_gap(seg_box[seg], target_box[target]), reach[target])
        seg, target = seg[near], target[near]
    lo, hi = reach_intervals(a[seg], b[seg], c[target], e[target], reach[target])
    return merged_length(seg, lo, hi, len(a)) * np.hypot(*(b - a).T)


def shared_boundary(
    geoms: np.ndarray, *, tolerance_m: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Measure the boundary each pair of polygons shares within ``tolerance_m`` (symmetric).

    For two polygons i and j, the length of i's boundary within the tolerance of j's boundary
    and the length of j's within the tolerance of i's are both measured; the pair shares the
    shorter of the two. Pairs sharing nothing are left out.

    Returns
    -------
    i, j : ndarray of int
        Positions in ``geoms``, i < j, sorted.
    shared_m : ndarray of float
    """
    geoms = np.asarray(geoms, dtype=object)
    owner, a, b = segments(geoms)
    if len(geoms) < 2 or not len(owner):
        return _EMPTY_INT, _EMPTY_INT, np.array([], dtype=float)
    boxes = _boxes(a, b)
    s, t = _pairs_within(boxes, boxes, float(tolerance_m))
    other = owner[s] != owner[t]
    s, t = s[other], t[other]
    lo, hi = reach_intervals(a[s], b[s], a[t], b[t], np.full(len(s), float(tolerance_m)))
    # One group per (segment, neighbour): a segment's stretches near one neighbour merge.
    key = s.astype(np.int64) * len(geoms) + owner[t]
    keys, group = np.unique(key, return_inverse=True)
    length = merged_length(group, lo, hi, len(keys))
    seg = keys // len(geoms)
    length *= np.hypot(*(b[seg] - a[seg]).T)
    directed = owner[seg].astype(np.int64) * len(geoms) + keys % len(geoms)
    pairs, at = np.unique(directed, return_inverse=True)
    total = np.bincount(at, weights=length, minlength=len(pairs))
    src, dst = pairs // len(geoms), pairs % len(geoms)
    forward = src < dst
    back = np.searchsorted(pairs, dst[forward] * len(geoms) + src[forward])
    back = np.minimum(back, len(pairs) - 1)
    found = pairs[back] == dst[forward] * len(geoms) + src[forward]
    shared = np.where(found, np.minimum(total[forward], total[back]), 0.0)
    keep = shared > 0
    return (
        src[forward][keep].astype(np.intp),
        dst[forward][keep].astype(np.intp),
        shared[keep],
    )
