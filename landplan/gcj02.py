"""WGS84 ↔ GCJ-02, the offset coordinate system of AMap/Gaode (and other Chinese) map tiles.

Data in WGS84 (or CGCS2000, the same to within centimetres for mapping) drawn on AMap tiles lands
a few hundred metres off; shifting it to GCJ-02 lines it up with the tiles. The forward transform
is the public algorithm (Krasovsky 1940 ellipsoid ``a = 6378245.0``,
``ee = 0.00669342162296594323``) and applies inside China only: points outside the country's
bounding box are returned unchanged, as every published implementation does. The inverse has no
closed form; :func:`gcj02_to_wgs84` iterates the forward transform to a fixed point.

Examples
--------
>>> lon, lat = wgs84_to_gcj02(113.912316, 22.543847)
>>> round(float(lon), 6), round(float(lat), 6)
(113.917176, 22.540796)
"""

from __future__ import annotations

import numpy as np

import shapely

__all__ = ["gcj02_to_wgs84", "geometry_to_gcj02", "in_china", "wgs84_to_gcj02"]

# Constants of the published algorithm: they define GCJ-02, they are not settings.
_A = 6378245.0
_EE = 0.00669342162296594323
# The rectangle the published implementations treat as "China" (outside it: no shift).
_LON_MIN, _LON_MAX = 72.004, 137.8347
_LAT_MIN, _LAT_MAX = 0.8293, 55.8271


def in_china(lon, lat) -> np.ndarray:
    """Return True where a point lies in the rectangle GCJ-02 applies to."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    return (lon >= _LON_MIN) & (lon <= _LON_MAX) & (lat >= _LAT_MIN) & (lat <= _LAT_MAX)


def _delta(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = lon - 105.0
    y = lat - 35.0
    pi = np.pi
    common = 20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)
    dlat = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * np.sqrt(np.abs(x))
        + common * 2.0 / 3.0
        + (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    )
    dlon = (
        300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * np.sqrt(np.abs(x))
        + common * 2.0 / 3.0
        + (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    )
    rad_lat = lat / 180.0 * pi
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(rad_lat) * pi)
    return dlon, dlat


def wgs84_to_gcj02(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Shift WGS84 longitudes and latitudes (degrees) to GCJ-02.

    Parameters
    ----------
    lon, lat
        Scalars or arrays of the same shape, in degrees.

    Returns
    -------
    tuple of ndarray
        GCJ-02 longitude and latitude; points outside China unchanged.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    dlon, dlat = _delta(lon, lat)
    inside = in_china(lon, lat)
    return np.where(inside, lon + dlon, lon), np.where(inside, lat + dlat, lat)


def gcj02_to_wgs84(lon, lat, *, tolerance_deg: float = 1e-10, max_iter: int = 30):
    """Shift GCJ-02 longitudes and latitudes back to WGS84 by fixed-point iteration.

    Parameters
    ----------
    lon, lat
        GCJ-02 coordinates in degrees.
    tolerance_deg
        Stop when no point moves by more than this between iterations (1e-10° ≈ 0.01 mm).
    max_iter
        Upper bound on iterations; the shift is smooth, so a handful suffice.

    Returns
    -------
    tuple of ndarray
        WGS84 longitude and latitude.
    """
    target_lon = np.asarray(lon, dtype=float)
    target_lat = np.asarray(lat, dtype=float)
    wlon, wlat = target_lon.copy(), target_lat.copy()
    for _ in range(max_iter):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        err_lon, err_lat = glon - target_lon, glat - target_lat
        wlon, wlat = wlon - err_lon, wlat - err_lat
        if max(np.max(np.abs(err_lon), initial=0.0), np.max(np.abs(err_lat), initial=0.0)) < (
            tolerance_deg
        ):
            break
    return wlon, wlat


def geometry_to_gcj02(geometries):
    """Shift geometries in EPSG:4326 longitude/latitude to GCJ-02 (vectorised over vertices)."""

    def shift(coords: np.ndarray) -> np.ndarray:
        lon, lat = wgs84_to_gcj02(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geometries, shift)
