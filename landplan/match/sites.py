"""What matching needs of a zone whatever the project: roads, measures, adjacency, the index."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

import geopandas as gpd
import shapely
from shapely import STRtree

from landplan._geom import boundary_near, segments, shared_boundary
from landplan._parallel import by_parts
from landplan.corridor import phase_bands
from landplan.demand import Demand
from landplan.errors import LandplanError
from landplan.labels import Lang
from landplan.match._common import format_numbers, geometry_array, index_ranges, read_only
from landplan.match.rules import (
    GeometryRules,
    nearest_of,
    nearest_within,
    protected_overlaps,
    substation_choice,
)
from landplan.policy import Policy
from landplan.units import m2_to_mu
from landplan.zone import Zone


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


# --- roads, frontage and site measures ------------------------------------------------------------
# Roads are indexed in pieces this long so that a long avenue's bounding box does not match
# every parcel; an indexing granularity, which the results do not depend on: the stretches of a
# boundary near every piece of every road are merged before they are measured.
_ROAD_PIECE_M = 200.0


@dataclass(frozen=True)
class RoadIndex:
    """The zone's roads cut into pieces for indexing, with each piece's reach and avenue flag."""

    pieces: np.ndarray
    start: np.ndarray
    end: np.ndarray
    reach: np.ndarray
    avenue: np.ndarray
    tree: STRtree
    segment: np.ndarray
    corridor_lines: np.ndarray

    @classmethod
    def of(
        cls, roads: gpd.GeoDataFrame, policy: Policy, corridors: gpd.GeoDataFrame | None = None
    ) -> RoadIndex:
        """Index the roads; corridor centre lines stand for the avenue where no road is one."""
        width = roads["width_m"].fillna(policy.siting.road_width_default_m).to_numpy(dtype=float)
        reach = width / 2.0 + policy.siting.frontage_tolerance_m
        lines = shapely.segmentize(geometry_array(roads), _ROAD_PIECE_M)
        parts, part_of = shapely.get_parts(lines, return_index=True)
        coords, coord_of = shapely.get_coordinates(parts, return_index=True)
        same = coord_of[:-1] == coord_of[1:]
        road = part_of[coord_of[:-1][same]]
        start, end = coords[:-1][same], coords[1:][same]
        pieces = shapely.linestrings(np.stack([start, end], axis=1))
        kind = roads["kind"].to_numpy(dtype=object)
        avenue = kind[road] == "avenue"
        # The straight segment of the road's own geometry each piece was cut from: a vertex
        # of the pieces starts a segment where it is one of the road's vertices.
        # Only the avenues' are needed.
        originals, original_of = shapely.get_coordinates(
            shapely.get_parts(geometry_array(roads)), return_index=True
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
        lines = np.array([], dtype=object) if corridors is None else geometry_array(corridors)
        lines = (
            lines[~(shapely.is_missing(lines) | shapely.is_empty(lines))] if len(lines) else lines
        )
        return cls(pieces, start, end, reach[road], avenue, STRtree(pieces), segment, lines)

    def segment_frontage(
        self, a: np.ndarray, b: np.ndarray, owner: np.ndarray, geoms: np.ndarray
    ) -> np.ndarray:
        """Length of each segment a→b within the reach of some road: the whole network counts.

        A road's reach is half its width plus ``siting.frontage_tolerance_m`` from its centre
        line; a stretch within reach of several roads, or of several pieces of one, counts once.
        ``owner`` (ascending) says which of ``geoms`` each segment bounds: the roads are looked
        up once per geometry.
        """
        return boundary_near(
            owner,
            a,
            b,
            self.start,
            self.end,
            self.reach,
            tree=self.tree,
            owner_bounds=shapely.bounds(geoms),
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
            return nearest_distance(geoms, self.corridor_lines)
        straight, first = np.unique(self.segment[avenue], return_index=True)
        if len(straight) > _STRAIGHT_MAX_SEGMENTS or not len(geoms):
            return nearest_distance(geoms, self.pieces[avenue])
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
                return nearest_distance(geoms, self.pieces[avenue])
            t = (coords - a) @ ((b - a) / length)
            lo = np.clip(np.minimum.reduceat(t, starts), 0.0, length) - _STRAIGHT_SLACK_M
            hi = np.clip(np.maximum.reduceat(t, starts), 0.0, length) + _STRAIGHT_SLACK_M
            k0 = np.searchsorted(t1, lo, side="left")
            k1 = np.maximum(np.searchsorted(t0, hi, side="right"), k0)
            site, item = index_ranges(k0, k1)
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


def nearest_distance(geoms: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Distance from each geometry to the nearest of ``others`` (inf where there are none)."""
    if not len(others) or not len(geoms):
        return np.full(len(geoms), np.inf)
    # A narrow tree prunes better: fewer distances measured per query.
    (i, _j), d = STRtree(others, node_capacity=_NEAREST_NODE_CAPACITY).query_nearest(
        geoms, return_distance=True, all_matches=False
    )
    out = np.full(len(geoms), np.inf)
    out[i] = d
    return out


# --- scoring ------------------------------------------------------------------------------------
def _enterprise_points(zone: Zone, cluster: object) -> np.ndarray:
    ent = zone.enterprises
    ent = ent.loc[ent["cluster"] == cluster]
    if ent.empty:
        return np.empty((0, 2))
    points = geometry_array(ent)
    missing = shapely.is_missing(points) | shapely.is_empty(points)
    if missing.any():
        first = ent["parcel_id"].astype(str).str.split(";").str[0].str.strip()
        where = pd.Index(zone.parcels["parcel_id"]).get_indexer(first[missing])
        inside = shapely.point_on_surface(geometry_array(zone.parcels)[where[where >= 0]])
        points = points.copy()
        points[np.flatnonzero(missing)[where >= 0]] = inside
    points = points[~(shapely.is_missing(points) | shapely.is_empty(points))]
    return shapely.get_coordinates(points)


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
    or once the zone's parcels (their ids, statuses or areas), roads, substations,
    corridors, constraints or policy have changed.
    """

    parcels: gpd.GeoDataFrame = field(repr=False)
    layers: tuple = field(repr=False)
    policy: Policy = field(repr=False)
    parcel_ids: np.ndarray = field(repr=False)
    status: np.ndarray = field(repr=False)
    area_sum: float
    roads: RoadIndex = field(repr=False)
    measures: Mapping[str, np.ndarray] = field(repr=False)
    adjacency: tuple[np.ndarray, np.ndarray, np.ndarray] = field(repr=False)
    offered: np.ndarray = field(repr=False)
    status_codes: tuple[np.ndarray, pd.Index] = field(repr=False)
    area_mu_text: np.ndarray = field(repr=False)
    _substation_distance: dict = field(default_factory=dict, repr=False)
    _clusters: dict = field(default_factory=dict, repr=False)
    _supply: dict = field(default_factory=dict, repr=False)
    _assemblies: dict = field(default_factory=dict, repr=False)

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
            why = "its roads, substations, corridors or constraints are other tables"
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
            found = read_only(nearest_distance(geometry_array(self.parcels), substations))
            self._substation_distance[key] = found
        return found

    def cluster_tree(self, zone: Zone, cluster: object) -> cKDTree | None:
        """Return the indexed locations of a cluster's enterprises (None where it has none).

        Locations kept in the store's file belong to the enterprises the store holds: they
        serve a zone whose enterprises are still the store's (:meth:`Zone.as_stored`), which
        then need not be read. Other locations belong to the enterprises they were found in.
        """
        kept = self._clusters.get(cluster)
        if kept is not None and kept[0] is _AS_STORED and zone.as_stored("enterprises"):
            return kept[1]
        enterprises = zone.enterprises
        if kept is None or kept[0] is not enterprises:
            points = _enterprise_points(zone, cluster)
            kept = (enterprises, cKDTree(points) if len(points) else None, points)
            self._clusters[cluster] = kept
        return kept[1]

    def remember(self, key: tuple, compute):
        """Return ``compute()`` for the land offered for supply, computed once per ``key``."""
        if key not in self._supply:
            self._supply[key] = compute()
        return self._supply[key]

    def per_assembly(
        self,
        what: Hashable,
        members: np.ndarray,
        compute: Callable[[np.ndarray], Mapping[str, np.ndarray]],
    ) -> dict[str, np.ndarray]:
        """Return ``what`` of each assembly (a row of member positions), each made only once.

        The projects of an allocation share many assemblies (their area windows overlap), and
        an assembly's union and measures are the same whichever project it is offered to;
        what depends on the project (the substations of its voltage) says so in ``what``.
        ``compute(rows)`` makes the columns for the rows of ``members`` not made before; the
        index keeps them for the rest of the process, not in its file. The rows of ``members``
        are distinct, as assemblies are.
        """
        # Per ``what`` and size: the member rows made so far, and their columns in that order.
        members = np.ascontiguousarray(members, dtype=np.int64)
        key = (what, members.shape[1])
        rows, columns = self._assemblies.get(key, (members[:0], None))
        at = _row_keys(rows).get_indexer(_row_keys(members))
        todo = np.flatnonzero(at < 0).astype(np.intp)
        if len(todo) or columns is None:
            made = compute(todo)
            at[todo] = len(rows) + np.arange(len(todo))
            rows = np.concatenate([rows, members[todo]])
            columns = (
                dict(made)
                if columns is None
                else {c: np.concatenate([v, made[c]]) for c, v in columns.items()}
            )
            self._assemblies[key] = (rows, columns)
        return {c: v[at] for c, v in columns.items()}

    def to_arrays(self, fingerprint: str, *, clusters: bool = False) -> dict[str, np.ndarray]:
        """Return what is costly to prepare as named arrays, under the zone's fingerprint.

        :meth:`from_arrays` makes the same index of the same zone again. The arrays hold
        numbers and text only, so they are kept without pickling. The clusters' enterprise
        locations are kept where ``clusters`` says the fingerprint covers the enterprises
        (:func:`state_fingerprint`).
        """
        out: dict[str, np.ndarray] = {"fingerprint": np.array(fingerprint)}
        if clusters:
            named = [(c, kept[2]) for c, kept in self._clusters.items() if isinstance(c, str)]
            out["cluster/names"] = np.array([c for c, _ in named], dtype=str)
            out |= {f"cluster/{k}": points for k, (_, points) in enumerate(named)}
        out |= {f"measure/{k}": v for k, v in self.measures.items()}
        out |= {
            f"adjacency/{k}": v for k, v in zip(("i", "j", "shared"), self.adjacency, strict=True)
        }
        out["offered"] = self.offered
        out["area_mu_text"] = self.area_mu_text.astype(str)
        for k, (chosen, distance) in enumerate(self._substation_distance.items()):
            out[f"substation/{k}/chosen"] = np.frombuffer(chosen, dtype=bool)
            out[f"substation/{k}/distance"] = distance
        kept: list[list[Any]] = []
        for key, value in self._supply.items():
            arrays: list[np.ndarray] = []
            shape = _flatten(value, arrays)
            if shape is None:  # holds more than arrays (a frame of reasons): made again
                continue
            prefix = f"supply/{len(kept)}/"
            out |= {f"{prefix}{n}": a for n, a in enumerate(arrays)}
            kept.append([_key_json(key), shape])
        out["supply"] = np.array(json.dumps(kept))
        return out

    @classmethod
    def from_arrays(
        cls, zone: Zone, arrays: Mapping[str, np.ndarray], *, fingerprint: str | None = None
    ) -> SiteIndex | None:
        """Make the index :meth:`to_arrays` kept again for ``zone``; None unless kept for it.

        ``arrays`` must carry :func:`site_fingerprint` of ``zone`` as it is now; a caller that
        has it already passes it as ``fingerprint``, so a zone of 10⁶ parcels is not digested
        twice.
        """
        if fingerprint is None:
            fingerprint = site_fingerprint(zone)
        if "fingerprint" not in arrays or str(arrays["fingerprint"]) != fingerprint:
            return None
        measures = {
            k.split("/", 1)[1]: read_only(np.array(arrays[k]))
            for k in arrays
            if k.startswith("measure/")
        }
        sites = cls(
            **_of_zone(zone),
            roads=RoadIndex.of(zone.roads, zone.policy, zone.corridors),
            measures=measures,
            adjacency=(
                read_only(np.array(arrays["adjacency/i"])),
                read_only(np.array(arrays["adjacency/j"])),
                read_only(np.array(arrays["adjacency/shared"])),
            ),
            offered=read_only(np.array(arrays["offered"])),
            area_mu_text=read_only(np.array(arrays["area_mu_text"]).astype(object)),
        )
        if "cluster/names" in arrays:
            for k, cluster in enumerate(np.array(arrays["cluster/names"]).tolist()):
                points = np.array(arrays[f"cluster/{k}"])
                sites._clusters[cluster] = (
                    _AS_STORED,
                    cKDTree(points) if len(points) else None,
                    points,
                )
        k = 0
        while f"substation/{k}/chosen" in arrays:
            chosen = np.array(arrays[f"substation/{k}/chosen"], dtype=bool).tobytes()
            sites._substation_distance[chosen] = read_only(
                np.array(arrays[f"substation/{k}/distance"])
            )
            k += 1
        for n, (key, shape) in enumerate(json.loads(str(arrays["supply"]))):
            sites._supply[_key_of(key)] = _unflatten(shape, arrays, f"supply/{n}/")
        return sites

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


# --- keeping an index: its arrays, and the fingerprint of what it was prepared from ------------
_FORMAT = "landplan site index 1"


def site_fingerprint(zone: Zone) -> str:
    """Return a digest of everything a :class:`SiteIndex` of ``zone`` depends on.

    The parcels' ids, statuses, areas and geometry; the roads' geometry, widths and kinds; the
    corridors' centre lines; the constraints' ids, kinds and geometry; the substations' ids,
    voltages and geometry; and the policy's ``siting`` section. Any change to one of them gives
    another digest, so an index kept under the digest of another state is never taken for this
    one. (The enterprises are not digested: their locations are kept in the index only under
    :func:`state_fingerprint`.)
    """
    digest = hashlib.blake2b(digest_size=20)
    digest.update(_FORMAT.encode())

    def text(values) -> None:
        digest.update("\x1f".join(map(str, np.asarray(values, dtype=object))).encode())
        digest.update(b"\x1e")

    def numbers(values) -> None:
        digest.update(np.ascontiguousarray(np.asarray(values, dtype=float)).tobytes())
        digest.update(b"\x1e")

    def shapes(frame: gpd.GeoDataFrame) -> None:
        # Each feature's type, number of parts and vertices in order, a few times faster than
        # its WKB: two valid shapes with all of these equal would be the same closed rings.
        geoms = geometry_array(frame)
        for counts in (
            shapely.get_type_id(geoms),
            shapely.get_num_geometries(geoms),
            shapely.get_num_coordinates(geoms),
        ):
            digest.update(np.ascontiguousarray(counts, dtype=np.int64).tobytes())
        numbers(shapely.get_coordinates(geoms, include_z=True))

    parcels = zone.parcels
    text(parcels["parcel_id"])
    text(parcels["status"])
    numbers(parcels["area_m2"])
    shapes(parcels)
    roads = zone.roads
    numbers(roads["width_m"])
    text(roads["kind"])
    shapes(roads)
    shapes(zone.corridors)
    text(zone.constraints["constraint_id"])
    text(zone.constraints["kind"])
    shapes(zone.constraints)
    text(zone.substations["substation_id"])
    numbers(zone.substations["voltage_kv"].to_numpy(dtype=float, na_value=np.nan))
    shapes(zone.substations)
    siting = zone.policy.to_dict().get("siting", {})
    digest.update(json.dumps(siting, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def state_fingerprint(zone: Zone, state: str) -> str:
    """Return the fingerprint of a zone loaded from a store whose state token is ``state``.

    The token (:meth:`landplan.store.Store.state`) stands for everything the store holds: the
    database gives another one at every change to its layers, events or reservations. Beside
    it, what a load adds to the stored layers: the policy's ``siting`` section (a command's
    ``--policy``) and the parcels' statuses as of the day (a change dated in the future holds
    from its day). Far cheaper than :func:`site_fingerprint`, which digests every geometry;
    the two never coincide.
    """
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"{_FORMAT} of the store's state\x1e{state}\x1e".encode())
    digest.update("\x1f".join(map(str, zone.parcels["status"].to_numpy(dtype=object))).encode())
    siting = zone.policy.to_dict().get("siting", {})
    digest.update(b"\x1e" + json.dumps(siting, sort_keys=True, default=str).encode())
    return digest.hexdigest()


# Enterprise locations kept in the store's file: of the enterprises the store holds.
_AS_STORED = object()


def _key_json(key) -> object:
    if isinstance(key, tuple):
        return [_key_json(k) for k in key]
    if isinstance(key, bytes):
        return {"bytes": key.hex()}
    return key


def _key_of(value) -> object:
    if isinstance(value, list):
        return tuple(_key_of(v) for v in value)
    if isinstance(value, dict):
        return bytes.fromhex(value["bytes"])
    return value


def _flatten(value, arrays: list[np.ndarray]):
    """Nested tuples of arrays as a nested list of positions in ``arrays`` (None: not arrays)."""
    if isinstance(value, np.ndarray) and value.dtype != object:
        arrays.append(value)
        return len(arrays) - 1
    if isinstance(value, tuple):
        parts = [_flatten(v, arrays) for v in value]
        return None if any(p is None for p in parts) else parts
    return None


def _unflatten(shape, arrays: Mapping[str, np.ndarray], prefix: str):
    if isinstance(shape, list):
        return tuple(_unflatten(s, arrays, prefix) for s in shape)
    return read_only(np.array(arrays[f"{prefix}{shape}"]))


def _row_keys(rows: np.ndarray) -> pd.MultiIndex:
    """Rows of member positions as index keys, for finding the rows made before."""
    return pd.MultiIndex.from_arrays(list(rows.T))


def _layers(zone: Zone) -> tuple:
    return (zone.roads, zone.substations, zone.corridors, zone.constraints)


def _of_zone(zone: Zone) -> dict:
    """Read off the zone what an index records of the zone it belongs to (cheap to read)."""
    parcels = zone.parcels
    code, names = pd.factorize(parcels["status"].astype(str), sort=True)
    return {
        "parcels": parcels,
        "layers": _layers(zone),
        "policy": zone.policy,
        "parcel_ids": read_only(parcels["parcel_id"].to_numpy(dtype=object).copy()),
        "status": read_only(parcels["status"].to_numpy(dtype=object).copy()),
        "area_sum": float(parcels["area_m2"].to_numpy(dtype=float).sum()),
        "status_codes": (read_only(code), names),
    }


def prepare_sites(zone: Zone) -> SiteIndex:
    """Prepare what matching needs of ``zone`` whatever the project (see :class:`SiteIndex`).

    Preparing takes longer than one match, as it measures every parcel of the zone and finds
    every adjacent pair among those offered for supply; each match given the index then only
    applies the project's rules and ranks its candidates. Prepare again after changing the zone.

    Examples
    --------
    >>> from landplan.match import match
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
    geoms = geometry_array(parcels)
    status = parcels["status"].to_numpy(dtype=object)
    roads = RoadIndex.of(zone.roads, policy, zone.corridors)
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
        read_only(offered[i][order]),
        read_only(offered[j][order]),
        read_only(shared[order]),
    )
    sites = SiteIndex(
        **_of_zone(zone),
        roads=roads,
        measures={k: read_only(v) for k, v in measures.items()},
        adjacency=adjacency,
        offered=read_only(offered),
        area_mu_text=read_only(
            format_numbers(m2_to_mu(parcels["area_m2"].to_numpy(dtype=float)), ".1f").to_numpy(
                dtype=object
            )
        ),
    )
    # Every voltage the substations offer, and none asked: each a nearest search over the zone.
    subs = zone.substations
    levels = np.unique(subs["voltage_kv"].to_numpy(dtype=float, na_value=np.nan))
    for kv in [np.nan, *levels[~np.isnan(levels)].tolist()]:
        chosen = substation_choice(zone, kv)
        sites.substation_distance(chosen, geometry_array(subs.loc[chosen]))
    for cluster in policy.review.clusters:
        sites.cluster_tree(zone, cluster)
    _prepare_supply(sites, zone)
    return sites


def _prepare_supply(sites: SiteIndex, zone: Zone) -> None:
    """Measure the land on offer for the hard rules, under the keys :func:`parcel_rules` uses."""
    siting = zone.policy.siting
    if not len(sites.offered):
        return
    geoms = geometry_array(zone.parcels)[sites.offered]
    cons = zone.constraints
    kinds = cons["kind"].to_numpy(dtype=object)
    cgeoms = geometry_array(cons)
    protected = np.flatnonzero(np.isin(kinds, list(siting.blocking_constraints)))
    if len(protected):
        sliver = float(siting.sliver_area_m2)
        sites.remember(
            ("protected", tuple(protected.tolist()), sliver),
            lambda: protected_overlaps(geoms, cgeoms, protected, sliver),
        )
    for kind, distance_m in (
        ("residential", siting.hazardous_setback_m),
        ("fuel_station", siting.fuel_station_setback_m),
    ):
        near = np.flatnonzero(kinds == kind)
        sites.remember(
            ("setback", tuple(near.tolist()), float(distance_m)),
            lambda near=near, distance_m=distance_m: nearest_within(
                geoms, cgeoms[near], distance_m
            ),
        )
    subs = zone.substations
    levels = np.unique(subs["voltage_kv"].to_numpy(dtype=float, na_value=np.nan))
    for kv in levels[~np.isnan(levels)].tolist():
        chosen = substation_choice(zone, kv)
        sites.remember(
            ("power", chosen.tobytes()),
            lambda chosen=chosen: nearest_of(geoms, geometry_array(subs.loc[chosen])),
        )


@dataclass(frozen=True)
class MatchContext:
    """What the measures of every candidate need, prepared once per match."""

    zone: Zone
    demand: Demand
    sites: SiteIndex
    substations: np.ndarray
    chosen: np.ndarray
    rules: GeometryRules
    bands: gpd.GeoDataFrame

    @property
    def lang(self) -> Lang:
        """Return the language the match says its reasons in."""
        return self.rules.lang

    @property
    def roads(self) -> RoadIndex:
        """Return the zone's indexed roads."""
        return self.sites.roads

    @classmethod
    def of(cls, demand: Demand, zone: Zone, sites: SiteIndex, lang: Lang = "zh") -> MatchContext:
        """Prepare what every candidate of a project with this demand is measured with."""
        chosen = substation_choice(zone, demand.voltage_kv)
        subs = zone.substations.loc[chosen]
        rules = GeometryRules.of(demand, zone, lang)
        return cls(zone, demand, sites, geometry_array(subs), chosen, rules, phase_bands(zone))

    def measures(
        self,
        geoms: np.ndarray,
        *,
        substations: bool = True,
        frontage_m: np.ndarray | None = None,
    ) -> dict[str, np.ndarray]:
        """Area, perimeter, centre, frontage and distances of site polygons.

        The distance to the nearest substation of the project's voltage is left out where
        ``substations`` is False: the rest is the same whatever the project. ``frontage_m``,
        where given, is the sites' frontage as ``self.roads.frontage_m`` measured it already.
        """
        if frontage_m is None:
            return by_parts(partial(self._measures, substations=substations), geoms)
        return by_parts(partial(self._measures, substations=substations), geoms, frontage_m)

    def _measures(
        self, geoms: np.ndarray, frontage_m: np.ndarray | None = None, *, substations: bool
    ) -> dict[str, np.ndarray]:
        centroid = shapely.centroid(geoms)
        out = {
            "area": shapely.area(geoms),
            "perimeter": shapely.length(geoms),
            "x": shapely.get_x(centroid),
            "y": shapely.get_y(centroid),
            "frontage_m": self.roads.frontage_m(geoms) if frontage_m is None else frontage_m,
            "avenue_distance_m": self.roads.avenue_distance_m(geoms),
        }
        if substations:
            out["substation_distance_m"] = self.substation_distance_m(geoms)
        return out

    def substation_distance_m(self, geoms: np.ndarray) -> np.ndarray:
        """Distance of each site to the nearest substation of the project's voltage."""
        return nearest_distance(geoms, self.substations)
