"""Writing layers to files others open: GeoPackage for QGIS, shapefile, GeoJSON, CSV and Excel.

:func:`write_layer` picks the format from the file's suffix and writes each the way the software
that reads it expects:

- **GeoPackage** (``.gpkg``): the working CRS, a declared geometry type (a layer mixing polygons
  and multipolygons is written as MultiPolygon), dates as dates, stamped GeoPackage 1.2 so that
  every GDAL since 2.2 (QGIS on Debian's GDAL 3.6 included) opens it without a warning; for
  QGIS, each column's Chinese alias and description (``gpkg_data_columns``), the controlled
  vocabularies as coded-value lists (``gpkg_data_column_constraints``), and a default style
  (``layer_styles``, QML and SLD) where the layer has one (:mod:`landplan.io.qgis`).
- **Shapefile** (``.shp``): UTF-8 by default or GBK (``encoding="GBK"``) for older desktop GIS,
  with the ``.cpg`` saying which; field names cut to the format's ten characters without
  clashes; dates as DBF dates; text cut to the 254 bytes a DBF field holds.
- **GeoJSON** (``.geojson``/``.json``): RFC 7946, in WGS84 longitude/latitude, no ``crs`` member.
- **CSV** and **Excel** (``.csv``/``.xlsx``): real tables through :mod:`landplan.tables` (dates,
  number formats, formula text neutralised), the geometry as WKT in CGCS2000 longitude/latitude
  (policy ``crs.lonlat``), which :func:`landplan.io.read_layer` reads back.

Any other suffix is refused with the list of the supported ones.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa

import geopandas as gpd
import pyogrio
import shapely
from pyogrio import raw

from landplan.errors import Message, ReadError
from landplan.outputs import OUTPUT_MARK, check_replace
from landplan.policy import Policy
from landplan.tables import arrow_backed, arrow_text, write_csv, write_workbook

__all__ = ["EXPORT_FORMATS", "GPKG_VERSION", "gpkg_version", "supported_formats", "write_layer"]

#: Suffix -> the format written.
EXPORT_FORMATS: Final[Mapping[str, str]] = {
    ".gpkg": "GeoPackage",
    ".shp": "ESRI Shapefile",
    ".geojson": "GeoJSON (RFC 7946)",
    ".json": "GeoJSON (RFC 7946)",
    ".csv": "CSV",
    ".xlsx": "Excel",
}
_DRIVERS = {".gpkg": "GPKG", ".shp": "ESRI Shapefile", ".geojson": "GeoJSON", ".json": "GeoJSON"}

#: The GeoPackage version written: 1.2 opens without warnings in every GDAL since 2.2.
GPKG_VERSION: Final = "1.2"
_SHAPEFILE_FIELD = 10
_DBF_TEXT_BYTES = 254
_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


def supported_formats() -> str:
    """Return the supported suffixes with their formats, for messages."""
    return ", ".join(f"{s} ({f})" for s, f in EXPORT_FORMATS.items())


def write_layer(
    frame: pd.DataFrame,
    path: str | os.PathLike,
    *,
    layer: str | None = None,
    kind: str | None = None,
    style: str | None = None,
    policy: Policy | None = None,
    append: bool = False,
    encoding: str = "UTF-8",
) -> Path:
    """Write a layer to a file, in the format its suffix names (see the module's notes).

    Parameters
    ----------
    frame
        The layer (a GeoDataFrame, or a plain table for CSV and Excel).
    path
        The file to write (replaced unless ``append``).
    layer
        The layer's name inside a GeoPackage (default: the file's stem).
    kind
        What the file is (``match``, ``zone``, ``export`` ...; ``layer`` by default), marked in
        a GeoPackage or workbook: an existing one is replaced only if it is landplan's output
        of that kind (:func:`landplan.outputs.check_replace`).
    style
        What the layer is, for its QGIS style in a GeoPackage: a landplan layer (``parcels``,
        ``buildings`` ...), ``audit`` or ``candidates``; guessed from ``layer`` where None.
    policy
        Supplies ``crs.lonlat`` for CSV and Excel.
    append
        Add a layer to an existing GeoPackage instead of replacing the file.
    encoding
        A shapefile's text encoding: ``UTF-8`` or ``GBK`` (written in its ``.cpg``).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ReadError
        For an unsupported suffix or encoding, naming the supported ones.
    """
    path = Path(path)
    policy = policy or Policy.default()
    suffix = path.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        said = suffix or Message("export_no_suffix")
        raise ReadError.of("export_suffix", path=path, suffix=said, formats=supported_formats())
    path.parent.mkdir(parents=True, exist_ok=True)
    mark = kind or "layer"
    if suffix in (".csv", ".xlsx"):
        return _write_table(frame, path, layer=layer, policy=policy, kind=mark)
    if not (isinstance(frame, gpd.GeoDataFrame) and frame._geometry_column_name in frame):
        raise ReadError.of("export_table", path=path)
    name = layer or path.stem
    if suffix == ".gpkg":
        adding = append and path.exists()
        if not adding:
            check_replace(path, mark, parts=[name])
            path.unlink(missing_ok=True)
        _write_ogr(frame, path, driver="GPKG", layer=name, append=adding, mark=mark)
        from landplan.io.qgis import describe_layer

        describe_layer(path, name, frame, kind=style)
        return path
    if suffix == ".shp":
        if encoding.upper().replace("-", "") not in ("UTF8", "GBK", "GB18030", "CP936"):
            raise ReadError.of("export_encoding", path=path, encoding=encoding)
        for part in _SHAPEFILE_PARTS:
            path.with_suffix(part).unlink(missing_ok=True)
        _write_ogr(frame, path, driver="ESRI Shapefile", layer=name, encoding=encoding)
        return path
    path.unlink(missing_ok=True)
    _write_ogr(frame.to_crs("EPSG:4326"), path, driver="GeoJSON", layer=name)
    return path


def _write_table(
    frame: pd.DataFrame, path: Path, *, layer: str | None, policy: Policy, kind: str
) -> Path:
    is_geo = isinstance(frame, gpd.GeoDataFrame) and frame._geometry_column_name in frame.columns
    table = pd.DataFrame(frame.drop(columns=frame.geometry.name) if is_geo else frame)
    if is_geo:
        lonlat = frame.geometry.to_crs(policy.crs.lonlat)
        table["geometry"] = shapely.to_wkt(
            np.asarray(lonlat.array, dtype=object), rounding_precision=9, trim=True
        )
    if path.suffix.lower() == ".csv":
        return write_csv(table, path, lang="en")
    sheet = (layer or path.stem)[:31]
    return write_workbook(path, {sheet: table}, lang="en", translate=False, kind=kind)


def _declared_type(geoms: np.ndarray) -> tuple[str, bool]:
    """Return the geometry type to declare, and whether single parts must become multi."""
    present = geoms[~shapely.is_missing(geoms)]
    types = {str(t) for t in np.unique(shapely.get_type_id(present))}
    names = {
        "0": "Point",
        "1": "LineString",
        "3": "Polygon",
        "4": "MultiPoint",
        "5": "MultiLineString",
        "6": "MultiPolygon",
    }
    found = {names.get(t, "Unknown") for t in types}
    if not found:
        return "Unknown", False
    if len(found) == 1:
        return found.pop(), False
    multi = {n if n.startswith("Multi") else f"Multi{n}" for n in found}
    if len(multi) == 1 and "Unknown" not in found:
        return multi.pop(), True
    return "Unknown", False


def _field(values: pd.Series) -> tuple[np.ndarray, np.ndarray | None]:
    """Return a column as the array OGR writes, and its null mask."""
    missing = values.isna().to_numpy()
    mask = missing if missing.any() else None
    dtype = values.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        stamps = values.dt.tz_localize(None) if values.dt.tz is not None else values
        day = stamps.dt.normalize()
        if bool((stamps.dropna() == day.dropna()).all()):
            # Whole days are dates (a DBF or GeoPackage Date), not date-times.
            return stamps.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]"), mask
        return stamps.to_numpy(dtype="datetime64[ms]"), mask
    if isinstance(dtype, pd.BooleanDtype) or pd.api.types.is_bool_dtype(dtype):
        return values.fillna(False).to_numpy(dtype=bool), mask
    if isinstance(dtype, pd.Int64Dtype) or pd.api.types.is_integer_dtype(dtype):
        return values.fillna(0).to_numpy(dtype="int64"), mask
    if pd.api.types.is_float_dtype(dtype):
        return values.to_numpy(dtype="float64"), mask
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind in ("string", "empty"):
        # Text, the common case: kept as it is, without a call per value.
        return values.astype(object).where(values.notna(), None).to_numpy(dtype=object), mask
    present = values.dropna()
    if len(present) and all(isinstance(v, bool | np.bool_) for v in present):
        return values.map(bool, na_action="ignore").fillna(False).to_numpy(dtype=bool), mask
    if len(present) and all(
        isinstance(v, dt.date) and not isinstance(v, dt.datetime) for v in present
    ):
        days = pd.to_datetime(values).to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
        return days, mask
    text = values.map(_text, na_action="ignore").astype(object)
    return text.where(values.notna(), None).to_numpy(dtype=object), mask


def _text(value: Any) -> str:
    if isinstance(value, list | tuple | np.ndarray):
        return ";".join(str(v) for v in value)
    return str(value)


def _short_names(columns: list[str]) -> list[str]:
    """Cut names to a shapefile's ten characters, numbering clashes (``water_su_1``)."""
    out: list[str] = []
    taken: set[str] = set()
    for name in columns:
        short = name[:_SHAPEFILE_FIELD]
        n = 1
        while short.lower() in taken:
            tail = f"_{n}"
            short = name[: _SHAPEFILE_FIELD - len(tail)] + tail
            n += 1
        taken.add(short.lower())
        out.append(short)
    return out


def _fits_dbf(values: np.ndarray, encoding: str) -> np.ndarray:
    """Cut text to the bytes a DBF field holds, at a character boundary."""
    out = values.copy()
    for i, value in enumerate(values):
        if isinstance(value, str) and len(value.encode(encoding, "replace")) > _DBF_TEXT_BYTES:
            cut = value
            while len(cut.encode(encoding, "replace")) > _DBF_TEXT_BYTES:
                cut = cut[:-1]
            out[i] = cut
    return out


def _write_ogr(
    frame: gpd.GeoDataFrame,
    path: Path,
    *,
    driver: str,
    layer: str,
    append: bool = False,
    encoding: str | None = None,
    mark: str | None = None,
) -> None:
    geoms = np.asarray(frame.geometry.array, dtype=object)
    geometry_type, promote = _declared_type(geoms)
    columns = [str(c) for c in frame.columns if c != frame._geometry_column_name]
    arrow = driver != "ESRI Shapefile" and _ARROW_WRITE
    data: list[Any] = []
    masks: list[np.ndarray | None] = []
    for column in columns:
        if arrow and arrow_backed(frame[column]):
            # Text held in Arrow goes to GDAL as it is, without a Python string per value.
            data.append(arrow_text(frame[column]))
            masks.append(None)
            continue
        values, mask = _field(frame[column])
        if driver == "ESRI Shapefile" and values.dtype == object:
            values = _fits_dbf(values, encoding or "UTF-8")
        data.append(values)
        masks.append(mask)
    names = _short_names(columns) if driver == "ESRI Shapefile" else columns
    options: dict[str, Any] = {}
    if driver == "GPKG" and not append:
        options["dataset_options"] = {"VERSION": GPKG_VERSION}
        if mark:
            # What the file is, so a later write replaces only landplan's own output.
            options["dataset_metadata"] = {OUTPUT_MARK: mark}
    if driver == "GeoJSON":
        # Nine decimals (0.1 mm) keep areas as they were; RFC 7946 only advises fewer.
        options["layer_options"] = {
            "RFC7946": "YES",
            "WRITE_NAME": "NO",
            "COORDINATE_PRECISION": "9",
        }
    crs = frame.crs.to_wkt() if frame.crs is not None else None
    if arrow:
        # GDAL takes the columns as one Arrow table: half the CPU of a feature at a time (the
        # shapefile keeps the feature path, which recodes text to its DBF's code page).
        batches = _arrow_batches(data, masks, names, _promoted(geoms) if promote else geoms)
        raw.write_arrow(
            batches,
            str(path),
            layer=layer,
            driver=driver,
            geometry_name=_WKB_COLUMN,
            geometry_type=geometry_type,
            crs=crs,
            append=append,
            **options,
        )
        return
    raw.write(
        str(path),
        shapely.to_wkb(geoms),
        data,
        names,
        field_mask=masks if any(m is not None for m in masks) else None,
        layer=layer,
        driver=driver,
        geometry_type=geometry_type,
        crs=crs,
        encoding=encoding,
        promote_to_multi=promote,
        append=append,
        **options,
    )


# GDAL writes Arrow tables from 3.8 on; with an older GDAL every layer goes feature by feature.
_ARROW_WRITE: Final = pyogrio.__gdal_version__ >= (3, 8, 0)
# The table's geometry column: a name no landplan column has, so it cannot clash with one.
_WKB_COLUMN: Final = "__wkb__"


def _promoted(geoms: np.ndarray) -> np.ndarray:
    """Return single parts as one-part multi geometries, so the layer has one declared type."""
    out = geoms.copy()
    types = shapely.get_type_id(geoms)
    for single, multi in (
        (0, shapely.multipoints),
        (1, shapely.multilinestrings),
        (3, shapely.multipolygons),
    ):
        at = np.flatnonzero(types == single)
        if len(at):
            out[at] = multi(geoms[at], indices=np.arange(len(at)))
    return out


def _arrow_batches(
    data: list[Any], masks: list[np.ndarray | None], names: list[str], geoms: np.ndarray
) -> Any:
    """Return the columns and their null masks as a stream of Arrow batches, geometry last.

    GDAL reads the batches one after another, so the layer's Arrow copy and its WKB are held
    a batch at a time, not whole beside the frame. A column already in Arrow is taken as it is.
    """

    def batch(rows: slice) -> Any:
        arrays = []
        for values, mask in zip(data, masks, strict=True):
            part, hidden = values[rows], None if mask is None else mask[rows]
            if isinstance(part, pa.Array):
                arrays.append(part)
            elif part.dtype == object:
                arrays.append(pa.array(part, type=pa.string(), mask=hidden))
            elif part.dtype.kind == "f":
                # NaN is NULL in a layer, as the feature path writes it.
                missing = np.isnan(part) if hidden is None else hidden | np.isnan(part)
                arrays.append(pa.array(part, mask=missing))
            else:
                arrays.append(pa.array(part, mask=hidden))
        arrays.append(pa.array(shapely.to_wkb(geoms[rows]), type=pa.binary()))
        return pa.record_batch(arrays, names=[*names, _WKB_COLUMN])

    first = batch(slice(0, _BATCH_ROWS))
    rest = (batch(slice(s, s + _BATCH_ROWS)) for s in range(_BATCH_ROWS, len(geoms), _BATCH_ROWS))
    return pa.RecordBatchReader.from_batches(first.schema, itertools.chain([first], rest))


# Features handed to GDAL at a time.
_BATCH_ROWS: Final = 100_000


def gpkg_version(path: str | os.PathLike) -> str:
    """Return the GeoPackage version a file is stamped with (``1.2``)."""
    with sqlite3.connect(path) as conn:
        (number,) = conn.execute("PRAGMA user_version").fetchone()
    return f"{number // 10000}.{number // 100 % 100}"
