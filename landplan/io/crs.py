"""Coordinate reference systems of files: the likely CRS of data without one, and datum shifts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

import geopandas as gpd
import shapely

from landplan.errors import Message, Problem, ReadError, SchemaError

if TYPE_CHECKING:
    pass


_NO_CRS = "the data have no CRS"


#: Datums whose shift to CGCS2000 needs published parameters (tens of metres; no free default).
_OLD_DATUMS = ("Xian 1980", "Beijing 1954", "New Beijing")


def likely_crs(x: float, y: float) -> str | None:
    """Say which CRS coordinates of a file without one are likely in, from their size.

    An 8-digit easting carries the Gauss–Krüger zone number in front: zones 25–45 are 3° zones
    (CGCS2000 EPSG:4513–4533, so 37xxxxxx is EPSG:4525), zones 13–23 are 6° zones (EPSG:
    4491–4501). A 6-digit easting is a 3° zone without the number, whose central meridian the
    coordinates cannot tell (EPSG:4534–4554, CM 75°E–135°E; CM 111°E is EPSG:4546). Degrees are
    longitude and latitude.

    Examples
    --------
    >>> likely_crs(37_602_600.0, 2_533_800.0)[:48]
    'EPSG:4525 (CGCS2000 3° Gauss–Krüger zone 37, CM '
    """
    if not (np.isfinite(x) and np.isfinite(y)):
        return None
    zone = int(x // 1_000_000)
    if 25 <= zone <= 45 and 0 < x % 1_000_000 < 1_000_000 and 1e6 < y < 6e6:
        return Message(
            "crs_3_degree_zone",
            epsg=4513 + zone - 25,
            zone=zone,
            cm=zone * 3,
            xian=2349 + zone - 25,
            beijing=2401 + zone - 25,
        )
    if 13 <= zone <= 23 and 1e6 < y < 6e6:
        return Message("crs_6_degree_zone", epsg=4491 + zone - 13, zone=zone, cm=zone * 6 - 3)
    if 100_000 < x < 900_000 and 1e6 < y < 6e6:
        return Message("crs_zone_unnumbered")
    if abs(x) <= 180 and abs(y) <= 90:
        return Message("crs_lonlat")
    return None


def with_crs_help(problems: list[Problem], frame: pd.DataFrame) -> list[Problem]:
    """Add what the coordinates suggest to a missing-CRS problem."""
    if not any(p.problem.startswith(_NO_CRS) for p in problems):
        return problems
    geoms = layer_geometries(frame)
    if geoms is None:
        return problems
    have = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not have.any():
        return problems
    bounds = shapely.bounds(geoms[have])
    guess = likely_crs(float(np.median(bounds[:, 0])), float(np.median(bounds[:, 1])))
    if guess is None:
        return problems
    return [
        Problem(
            p.source,
            p.feature,
            p.column,
            p.problem,
            Message("crs_look_like", expected=p.expected, guess=guess),
        )
        if p.problem.startswith(_NO_CRS)
        else p
        for p in problems
    ]


def layer_geometries(frame: pd.DataFrame) -> np.ndarray | None:
    """Return the geometry column of a frame as an array, or None where it has none."""
    name = getattr(frame, "_geometry_column_name", None)
    if name is None or name not in frame.columns:
        return None
    return np.asarray(frame[name].array, dtype=object)


def _towgs84(text: str | Sequence[float]) -> tuple[float, ...]:
    parts = text.replace(",", " ").split() if isinstance(text, str) else list(text)
    try:
        values = tuple(float(v) for v in parts)
    except (TypeError, ValueError):
        values = ()
    if len(values) not in (3, 7) or not all(np.isfinite(values)):
        raise ReadError.of("crs_towgs84", text=text)
    return values


def datum_shift(
    frame: pd.DataFrame, crs, towgs84, source: str
) -> tuple[pd.DataFrame, object, list[Problem]]:
    """Refuse an old datum without shift parameters; with them, shift to CGCS2000 lon/lat.

    Xian 1980 and Beijing 1954 differ from CGCS2000 by tens of metres, and the shift is published
    per province or city: PROJ's fallback for them changes the ellipsoid only (a "ballpark"),
    which misplaces parcels. The given parameters go to WGS 84, taken as CGCS2000 (they differ by
    centimetres).
    """
    from pyproj import CRS
    from pyproj.crs import BoundCRS
    from pyproj.crs.coordinate_operation import ToWGS84Transformation
    from pyproj.exceptions import CRSError

    declared = getattr(frame, "crs", None) or crs
    if declared is None or layer_geometries(frame) is None:
        return frame, crs, []
    try:
        given = CRS.from_user_input(declared)
    except CRSError:  # an unknown CRS is the validator's to report
        return frame, crs, []
    datum = given.datum.name if given.datum is not None else ""
    if given.is_bound or not any(old in datum for old in _OLD_DATUMS):
        return frame, crs, []
    if towgs84 is None:
        problem = Problem(
            source,
            "*",
            "geometry",
            Message("crs_old_datum", name=given.name, datum=datum),
            Message("crs_shift_parameters"),
        )
        raise SchemaError([problem])
    values = _towgs84(towgs84)
    bound = BoundCRS(
        source_crs=given,
        target_crs="EPSG:4326",
        transformation=ToWGS84Transformation(given.geodetic_crs, *values),
    )
    shifted = gpd.GeoDataFrame(frame).set_crs(bound, allow_override=True).to_crs("EPSG:4326")
    shifted = shifted.set_crs("EPSG:4490", allow_override=True)
    notice = Problem(
        source,
        "*",
        "geometry",
        Message("crs_shifted", name=given.name, values=", ".join(f"{v:g}" for v in values)),
        Message("crs_published"),
    )
    return shifted, None, [notice]
