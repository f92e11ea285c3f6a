"""The corridor expansion: land and floor space phase by phase along the zone's avenue.

The avenue's centre line, digitised in the direction of expansion, defines a chainage (distance
along the line from its start). The corridor is the band of the policy's width along it, cut
into phases at break points. Each phase is the flat-capped buffer of the line's first part up
to the phase's end, minus everything before: the phases are nested differences, so they
partition the corridor exactly, bends included.

For each phase: parcel land by status, land available for supply now
(``siting.available_statuses``), developable land (land of ``capacity.supply_statuses``, planned
land of the expansion included, outside the constraint polygons), vacant floor space (buildings
whose centroid lies in the phase), the pipeline projects whose candidate sites lie in it, and
running totals along the avenue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

import geopandas as gpd
import shapely
from shapely.ops import substring

from landplan.errors import Code, GeometryError, LandplanError, Message
from landplan.layers import split_list
from landplan.result import item_values
from landplan.units import m2_to_mu
from landplan.vocab import CONSTRAINT_KIND, PARCEL_STATUS
from landplan.zone import Zone

__all__ = ["CorridorResult", "corridor", "corridor_phases", "phase_at", "phase_bands"]


@dataclass
class CorridorResult:
    """Supply along the avenue, phase by phase.

    Attributes
    ----------
    corridor_id, name : str
        The avenue analysed.
    width_m, length_m : float
        Width of the corridor (both sides together) and length of the centre line.
    breaks_m : list of float
        Chainages of the phase ends, the last being ``length_m``.
    phases : geopandas.GeoDataFrame
        One row per phase: ``phase`` (1, 2, ...), ``start_m``, ``end_m``, ``area_m2``,
        ``area_mu``, ``parcel_mu``, ``unparcelled_mu`` (roads, rivers, land outside parcels),
        ``<status>_mu`` per parcel status, ``available_mu`` (``siting.available_statuses``),
        ``supply_mu`` (``capacity.supply_statuses``, planned land included), ``constrained_mu``
        (supply land inside constraint polygons), ``developable_mu`` (the rest),
        ``vacant_floor_m2``, ``vacant_buildings``, ``projects``,
        ``n_projects``, the running totals ``cumulative_developable_mu`` and
        ``cumulative_vacant_floor_m2``, and the phase polygon.
    land_by_status : pandas.DataFrame
        Long table (phase, status, parcels, area_mu).
    pieces : geopandas.GeoDataFrame
        Each parcel's part in each phase: ``parcel_id``, ``phase``, ``status``, ``land_use``,
        ``area_m2``, ``available``, ``supply``, ``developable_m2``, ``chainage_m`` (of its
        centroid).
    curve : pandas.DataFrame
        The cumulative capacity along the avenue in steps of ``corridor.curve_step_m``:
        ``chainage_m`` (end of the step), ``available_mu``, ``developable_mu``,
        ``vacant_floor_m2`` in the step and their ``cumulative_*`` totals.
    """

    corridor_id: str
    name: str
    width_m: float
    length_m: float
    breaks_m: list[float]
    phases: gpd.GeoDataFrame
    land_by_status: pd.DataFrame
    pieces: gpd.GeoDataFrame
    curve: pd.DataFrame

    @property
    def area_m2(self) -> float:
        """Area of the whole corridor."""
        return float(self.phases["area_m2"].sum())

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return the phases, the land by status and the capacity curve."""
        return {"phases": self.phases, "land_by_status": self.land_by_status, "curve": self.curve}

    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """Return the phase polygons and each parcel's piece in each phase."""
        pieces = gpd.GeoDataFrame(self.pieces.astype({"status": str}))
        return {"phases": self.phases, "pieces": pieces}

    def summary(self) -> pd.DataFrame:
        """Return the corridor's size and what its phases hold, as (item, value) rows."""
        phases = self.phases
        return item_values(
            [
                ("corridor_id", self.corridor_id),
                ("length_m", self.length_m),
                ("width_m", self.width_m),
                ("phases", len(phases)),
                ("area_mu", float(phases["area_mu"].sum())),
                ("available_mu", float(phases["available_mu"].sum())),
                ("developable_mu", float(phases["developable_mu"].sum())),
                ("vacant_floor_m2", float(phases["vacant_floor_m2"].sum())),
                ("n_projects", int(phases["n_projects"].sum())),
            ]
        )


def corridor(
    zone: Zone,
    name: str | None = None,
    *,
    width_m: float | None = None,
    breaks_m: Sequence[float] | None = None,
    phase_length_m: float | None = None,
    candidates: pd.DataFrame | None = None,
    exclude: Sequence[str] | None = None,
) -> CorridorResult:
    """Analyse the supply of land and floor space phase by phase along an avenue.

    Parameters
    ----------
    zone
        The zone; its ``corridors`` layer holds the avenue.
    name
        The avenue's ``name`` or ``corridor_id``; may be left out when the zone has one.
    width_m
        Corridor width (both sides together); the avenue's ``width_m``, else the policy's
        ``corridor.width_m``.
    breaks_m
        Chainages (m from the line's start) where phases end; the avenue's ``phase_breaks_m``,
        else every ``phase_length_m``.
    phase_length_m
        Phase length where no break points are given; the policy's ``corridor.phase_length_m``
        where None.
    candidates
        Optional candidate sites (or an allocation plan) with ``project_id`` and geometry: the
        projects whose sites lie in each phase are listed.
    exclude
        Constraint kinds removed from developable land; every kind where None.

    Returns
    -------
    CorridorResult

    Raises
    ------
    LandplanError
        For an unknown avenue, break points outside the line, or a bad width.
    GeometryError
        If the avenue is not one continuous line.

    Examples
    --------
    >>> from landplan.sample import make_zone
    >>> zone = Zone.from_layers(make_zone(n_parcels=120))
    >>> result = corridor(zone, phase_length_m=1000.0)
    >>> bool(np.isclose(result.phases["area_m2"].sum(), result.area_m2))
    True
    """
    policy = zone.policy
    row = _pick(zone.corridors, name)
    line = _line(row)
    length = float(line.length)
    width = _width(width_m, row, policy)
    breaks = _breaks(breaks_m, phase_length_m, row, length, policy)
    polygons = corridor_phases(line, width_m=width, breaks_m=breaks)

    pieces = _pieces(zone, polygons, line)
    constrained = _constrained(zone, pieces, exclude)
    pieces["developable_m2"] = np.where(
        pieces["supply"], np.maximum(pieces["area_m2"] - constrained, 0.0), 0.0
    )
    floor = _vacant_floor(zone, polygons, line)
    projects = _projects(candidates, polygons, zone)

    phases = _phase_table(polygons, breaks, pieces, floor, projects, zone)
    land_by_status = (
        pieces.groupby(["phase", "status"], observed=True)
        .agg(parcels=("parcel_id", "size"), area_m2=("area_m2", "sum"))
        .reset_index()
    )
    land_by_status["area_mu"] = m2_to_mu(land_by_status.pop("area_m2"))
    curve = _curve(pieces, floor, length, float(policy.corridor.curve_step_m))
    return CorridorResult(
        corridor_id=str(row["corridor_id"]),
        name=str(row["name"]),
        width_m=width,
        length_m=length,
        breaks_m=list(breaks),
        phases=phases,
        land_by_status=land_by_status,
        pieces=pieces,
        curve=curve,
    )


def corridor_phases(line, *, width_m: float, breaks_m: Sequence[float]) -> np.ndarray:
    """Cut the band of ``width_m`` along ``line`` into phases ending at ``breaks_m``.

    Phase *k* is the flat-capped buffer of the line up to ``breaks_m[k]`` minus the union of
    the earlier ones, so the phases are disjoint and together make the whole corridor.

    Parameters
    ----------
    line
        The centre line (a shapely LineString), digitised in the direction of expansion.
    width_m
        Width of the band, both sides together.
    breaks_m
        Increasing chainages of the phase ends; the last is the line's length.

    Returns
    -------
    numpy.ndarray
        Polygons, one per phase.

    Examples
    --------
    >>> phases = corridor_phases(shapely.LineString([(0, 0), (300, 0)]), width_m=20.0,
    ...                          breaks_m=[100.0, 300.0])
    >>> [round(p.area) for p in phases]
    [2000, 4000]
    """
    parts = np.array([substring(line, 0.0, b) for b in breaks_m], dtype=object)
    # 16 segments per quarter circle, as GeoSeries.buffer: the corridor matches the usual buffer.
    prefixes = shapely.buffer(parts, width_m / 2.0, quad_segs=16, cap_style="flat")
    phases = []
    covered = shapely.Polygon()
    # Near a bend a short prefix's flat end can poke past a longer prefix, so each phase is cut
    # from the union of all earlier prefixes, not only the previous one.
    for prefix in prefixes:
        phases.append(shapely.difference(prefix, covered))
        covered = shapely.union(covered, prefix)
    return np.array(phases, dtype=object)


def phase_bands(zone: Zone) -> gpd.GeoDataFrame:
    """Every avenue's phases as the corridor analysis cuts them: the one phase numbering.

    Each avenue of ``zone.corridors`` with a line gives its phases from its own width and
    ``phase_breaks_m`` (else every ``corridor.phase_length_m``), exactly as :func:`corridor`
    measures them and the maps draw them: phase 1 from the line's start.

    Returns
    -------
    GeoDataFrame
        ``corridor_id``, ``name``, ``phase`` (1, 2, …), ``start_m``, ``end_m`` and the polygon,
        in the zone's CRS; avenues in the layer's order.
    """
    rows = []
    for _, row in zone.corridors.iterrows():  # a zone has one or a few avenues
        if row.geometry is None or row.geometry.is_empty:
            continue
        line = _line(row)
        breaks = _breaks(None, None, row, float(line.length), zone.policy)
        polygons = corridor_phases(line, width_m=_width(None, row, zone.policy), breaks_m=breaks)
        for phase, (start, end, polygon) in enumerate(
            zip([0.0, *breaks[:-1]], breaks, polygons, strict=True), start=1
        ):
            rows.append(
                {
                    "corridor_id": row["corridor_id"],
                    "name": row.get("name"),
                    "phase": phase,
                    "start_m": float(start),
                    "end_m": float(end),
                    "geometry": polygon,
                }
            )
    return gpd.GeoDataFrame(
        rows,
        columns=["corridor_id", "name", "phase", "start_m", "end_m", "geometry"],
        geometry="geometry",
        crs=zone.corridors.crs if zone.corridors.crs is not None else zone.crs,
    )


def phase_at(
    places: np.ndarray, zone: Zone, *, bands: gpd.GeoDataFrame | None = None
) -> np.ndarray:
    """Give the corridor phase of each place (1 = first; 0 outside every corridor).

    A place is a point or a site's polygon, located by its point on surface (inside the site,
    even a concave one); its phase is that of the band of :func:`phase_bands` holding it. A point
    on the cut between two phases belongs to the earlier one, and where avenues' corridors
    overlap, to the first avenue of the layer.

    Parameters
    ----------
    places
        Shapely geometries in the zone's CRS.
    zone
        The zone with its corridors layer.
    bands
        :func:`phase_bands` of the zone, where already made.

    Examples
    --------
    >>> import geopandas as gpd
    >>> x, y = 500000.0, 2530000.0
    >>> corridors = gpd.GeoDataFrame(
    ...     {"corridor_id": ["AV"], "name": ["avenue"], "width_m": [200.0],
    ...      "phase_breaks_m": ["1000;2000"]},
    ...     geometry=[shapely.LineString([(x, y), (x + 3000, y)])], crs="EPSG:4546")
    >>> zone = Zone.from_layers({"corridors": corridors})
    >>> places = shapely.points([(x + 500, y), (x + 1500, y + 50), (x + 2500, y), (x, y + 500)])
    >>> phase_at(places, zone).tolist()
    [1, 2, 3, 0]
    """
    places = np.asarray(places, dtype=object)
    out = np.zeros(len(places), dtype=int)
    bands = phase_bands(zone) if bands is None else bands
    located = ~(shapely.is_missing(places) | shapely.is_empty(places))
    if not len(bands) or not located.any():
        return out
    where = np.flatnonzero(located)
    points = shapely.point_on_surface(places[where])
    idx, band = _phase_of(points, bands.geometry.to_numpy())
    out[where[idx]] = bands["phase"].to_numpy(dtype=int)[band]
    return out


# --- inputs -------------------------------------------------------------------------------------


def _pick(corridors: gpd.GeoDataFrame, name: str | None) -> pd.Series:
    if corridors.empty:
        raise LandplanError.of("plan_no_corridors", layer=Code("corridors", of="layer"))
    if name is None:
        if len(corridors) > 1:
            names = sorted(corridors["name"])
            raise LandplanError.of(
                "plan_several_avenues", n=len(corridors), names=names, names_zh="、".join(names)
            )
        return corridors.iloc[0]
    hit = corridors.loc[(corridors["name"] == name) | (corridors["corridor_id"] == name)]
    if hit.empty:
        names, ids = sorted(corridors["name"]), sorted(corridors["corridor_id"])
        raise LandplanError.of(
            "plan_no_avenue",
            name=name,
            names=names,
            ids=ids,
            names_zh="、".join(names),
            ids_zh="、".join(ids),
        )
    return hit.iloc[0]


def _line(row: pd.Series) -> shapely.LineString:
    geom = row.geometry
    if geom is not None and geom.geom_type == "MultiLineString":
        geom = shapely.line_merge(geom)
    if geom is None or geom.geom_type != "LineString" or geom.is_empty:
        kind = Message("plan_no_shape") if geom is None else geom.geom_type
        raise GeometryError.of("plan_avenue_not_line", id=row["corridor_id"], kind=kind)
    return geom


def _width(width_m: float | None, row: pd.Series, policy) -> float:
    width = width_m if width_m is not None else row.get("width_m")
    if width is None or pd.isna(width):
        width = policy.corridor.width_m
    width = float(width)
    if not width > 0:
        raise LandplanError.of("plan_width_positive", width=width)
    return width


def _breaks(
    breaks_m: Sequence[float] | None,
    phase_length_m: float | None,
    row: pd.Series,
    length: float,
    policy,
) -> list[float]:
    """Phase ends: given breaks, else the avenue's, else every phase length; always ends at L."""
    given = breaks_m
    text = row.get("phase_breaks_m")
    if given is None and phase_length_m is None and isinstance(text, str) and text.strip():
        try:
            given = [float(v) for v in split_list(text)]
        except ValueError:
            raise LandplanError.of(
                "plan_breaks_text",
                id=row["corridor_id"],
                column=Code("phase_breaks_m"),
                text=text,
            ) from None
    if given is None:
        step = float(policy.corridor.phase_length_m if phase_length_m is None else phase_length_m)
        if not step > 0:
            raise LandplanError.of("plan_phase_length_positive", step=step)
        given = list(np.arange(step, length, step))
    values = np.asarray(given, dtype=float)
    outside = values[(values < 0) | (values > length + 1e-6)]
    if len(outside):
        raise LandplanError.of("plan_breaks_outside", breaks=outside.tolist(), length=length)
    if np.any(np.diff(values) <= 0):
        raise LandplanError.of("plan_breaks_not_increasing", breaks=values.tolist())
    inner = values[(values > 1e-6) & (values < length - 1e-6)]
    return [*inner.tolist(), length]


# --- per-phase measures ---------------------------------------------------------------------------


def _phase_of(points: np.ndarray, polygons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(point index, phase index) for points in a phase; a point on a cut goes to the first."""
    tree = shapely.STRtree(points)
    phase, idx = tree.query(polygons, predicate="intersects")
    frame = pd.DataFrame({"i": idx, "phase": phase}).sort_values(["i", "phase"])
    frame = frame.drop_duplicates("i")
    return frame["i"].to_numpy(), frame["phase"].to_numpy()


def _pieces(zone: Zone, polygons: np.ndarray, line) -> gpd.GeoDataFrame:
    """Each parcel's part in each phase, with areas: whole parcels inside need no overlay."""
    parcels = zone.parcels
    geoms = parcels.geometry.to_numpy()
    phase_idx, parcel_idx = parcels.sindex.query(polygons, predicate="intersects")
    shapely.prepare(polygons)
    inside = shapely.contains_properly(polygons[phase_idx], geoms[parcel_idx])
    cut = ~inside
    shapes = geoms[parcel_idx].copy()
    shapes[cut] = shapely.intersection(geoms[parcel_idx[cut]], polygons[phase_idx[cut]])
    area = shapely.area(shapes)
    keep = area > 0
    parcel_idx, phase_idx, shapes, area = (
        parcel_idx[keep],
        phase_idx[keep],
        shapes[keep],
        area[keep],
    )
    status = parcels["status"]
    available = status.isin(list(zone.policy.siting.available_statuses)).to_numpy()
    supply = status.isin(list(zone.policy.capacity.supply_statuses)).to_numpy()
    return gpd.GeoDataFrame(
        {
            "parcel_id": parcels["parcel_id"].to_numpy()[parcel_idx],
            "phase": phase_idx + 1,
            "status": pd.Categorical(
                parcels["status"].to_numpy()[parcel_idx], categories=list(PARCEL_STATUS.values)
            ),
            "land_use": parcels["land_use"].to_numpy()[parcel_idx],
            "area_m2": area,
            "available": available[parcel_idx],
            "supply": supply[parcel_idx],
            "chainage_m": shapely.line_locate_point(line, shapely.centroid(shapes)),
        },
        geometry=shapes,
        crs=zone.crs,
    )


def _constrained(zone: Zone, pieces: gpd.GeoDataFrame, exclude: Sequence[str] | None) -> np.ndarray:
    """Area of each piece of supply land inside a constraint polygon."""
    kinds = list(CONSTRAINT_KIND.values) if exclude is None else list(exclude)
    unknown = [k for k in kinds if k not in CONSTRAINT_KIND.values]
    if unknown:
        known = list(CONSTRAINT_KIND.values)
        raise LandplanError.of(
            "plan_constraint_kinds",
            kinds=unknown,
            named=Code(unknown, of="kind"),
            known=known,
            known_zh=Code(known, of="kind"),
        )
    out = np.zeros(len(pieces))
    cons = zone.constraints
    polygonal = cons.geometry.geom_type.isin(["Polygon", "MultiPolygon"])
    cons = cons.loc[polygonal & cons["kind"].isin(kinds)]
    if cons.empty or pieces.empty:
        return out
    avail = np.flatnonzero(pieces["supply"].to_numpy())
    shapes = pieces.geometry.to_numpy()[avail]
    cons_idx, hit = shapely.STRtree(shapes).query(cons.geometry.to_numpy(), predicate="intersects")
    if len(hit) == 0:
        return out
    # Constraints may overlap each other: union those touching each piece before measuring.
    touched = np.unique(hit)
    mask = shapely.union_all(cons.geometry.to_numpy()[np.unique(cons_idx)])
    shapely.prepare(mask)
    out[avail[touched]] = shapely.area(shapely.intersection(shapes[touched], mask))
    return out


def _vacant_floor(zone: Zone, polygons: np.ndarray, line) -> pd.DataFrame:
    buildings = zone.buildings
    vacant = buildings.loc[buildings["vacant_area_m2"].fillna(0.0) > 0]
    if vacant.empty:
        return pd.DataFrame({"phase": pd.Series(dtype=int), "vacant_area_m2": [], "chainage_m": []})
    centroids = shapely.centroid(vacant.geometry.to_numpy())
    idx, phase = _phase_of(centroids, polygons)
    return pd.DataFrame(
        {
            "building_id": vacant["building_id"].to_numpy()[idx],
            "phase": phase + 1,
            "vacant_area_m2": vacant["vacant_area_m2"].to_numpy(dtype=float)[idx],
            "chainage_m": shapely.line_locate_point(line, centroids[idx]),
        }
    )


def _projects(candidates: pd.DataFrame | None, polygons: np.ndarray, zone: Zone) -> pd.DataFrame:
    if candidates is None or len(candidates) == 0:
        return pd.DataFrame({"phase": pd.Series(dtype=int), "project_id": []})
    if "project_id" not in candidates or not isinstance(candidates, gpd.GeoDataFrame):
        raise LandplanError.of("plan_candidates_frame", column=Code("project_id"))
    if candidates.crs is not None and candidates.crs != zone.crs:
        from landplan.errors import CRSMismatchError

        raise CRSMismatchError.between(
            "candidate sites", candidates.crs, zone.crs, fix="candidates.to_crs(zone.crs)"
        )
    located = candidates.loc[~(candidates.geometry.is_empty | candidates.geometry.isna())]
    points = shapely.point_on_surface(located.geometry.to_numpy())
    idx, phase = _phase_of(points, polygons)
    return pd.DataFrame(
        {"phase": phase + 1, "project_id": located["project_id"].to_numpy()[idx]}
    ).drop_duplicates()


def _phase_table(
    polygons: np.ndarray,
    breaks: list[float],
    pieces: gpd.GeoDataFrame,
    floor: pd.DataFrame,
    projects: pd.DataFrame,
    zone: Zone,
) -> gpd.GeoDataFrame:
    n = len(polygons)
    index = pd.Index(np.arange(1, n + 1), name="phase")
    starts = [0.0, *breaks[:-1]]
    table = pd.DataFrame(
        {"start_m": starts, "end_m": breaks, "area_m2": shapely.area(polygons)}, index=index
    )
    table["length_m"] = table["end_m"] - table["start_m"]
    table["area_mu"] = m2_to_mu(table["area_m2"])
    by_status = pieces.pivot_table(
        index="phase", columns="status", values="area_m2", aggfunc="sum", observed=False
    ).reindex(index=index, columns=list(PARCEL_STATUS.values))
    by_status = m2_to_mu(by_status.fillna(0.0))
    table["parcel_mu"] = by_status.sum(axis=1)
    table["unparcelled_mu"] = (table["area_mu"] - table["parcel_mu"]).clip(lower=0.0)
    for status in by_status.columns:
        table[f"{status}_mu"] = by_status[status]
    grouped = pieces.groupby("phase")
    table["available_mu"] = m2_to_mu(
        pieces.loc[pieces["available"]].groupby("phase")["area_m2"].sum().reindex(index)
    ).fillna(0.0)
    table["supply_mu"] = m2_to_mu(
        pieces.loc[pieces["supply"]].groupby("phase")["area_m2"].sum().reindex(index)
    ).fillna(0.0)
    table["developable_mu"] = m2_to_mu(grouped["developable_m2"].sum().reindex(index)).fillna(0.0)
    table["constrained_mu"] = table["supply_mu"] - table["developable_mu"]
    table["vacant_floor_m2"] = floor.groupby("phase")["vacant_area_m2"].sum().reindex(index)
    table["vacant_floor_m2"] = table["vacant_floor_m2"].fillna(0.0)
    table["vacant_buildings"] = floor.groupby("phase").size().reindex(index).fillna(0).astype(int)
    listed = projects.sort_values("project_id").groupby("phase")["project_id"]
    table["projects"] = listed.agg("; ".join).astype(object).reindex(index, fill_value="")
    table["n_projects"] = listed.size().reindex(index).fillna(0).astype(int)
    table["cumulative_developable_mu"] = table["developable_mu"].cumsum()
    table["cumulative_vacant_floor_m2"] = table["vacant_floor_m2"].cumsum()
    return gpd.GeoDataFrame(table.reset_index(), geometry=list(polygons), crs=zone.crs)


def _curve(
    pieces: gpd.GeoDataFrame, floor: pd.DataFrame, length: float, step: float
) -> pd.DataFrame:
    if not step > 0:
        raise LandplanError.of("plan_curve_step", step=step)
    edges = np.arange(0.0, length + step, step)
    edges[-1] = max(edges[-1], length)
    n_bins = len(edges) - 1

    def binned(chainage: np.ndarray, weight: np.ndarray) -> np.ndarray:
        k = np.clip(np.searchsorted(edges, chainage, side="right") - 1, 0, n_bins - 1)
        return np.bincount(k, weights=weight, minlength=n_bins)

    chain = pieces["chainage_m"].to_numpy(dtype=float)
    available = np.where(pieces["available"], pieces["area_m2"], 0.0)
    curve = pd.DataFrame(
        {
            "chainage_m": np.minimum(edges[1:], length),
            "available_mu": m2_to_mu(binned(chain, available)),
            "developable_mu": m2_to_mu(binned(chain, pieces["developable_m2"].to_numpy())),
            "vacant_floor_m2": binned(
                floor["chainage_m"].to_numpy(dtype=float),
                floor["vacant_area_m2"].to_numpy(dtype=float),
            ),
        }
    )
    for col in ("available_mu", "developable_mu", "vacant_floor_m2"):
        curve[f"cumulative_{col}"] = curve[col].cumsum()
    return curve
