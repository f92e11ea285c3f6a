"""Reading a layer: every format GDAL reads, and CSV, Excel, GeoParquet and DXF by adapters."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

import geopandas as gpd
import pyogrio
import shapely
from pyogrio.errors import DataLayerError, DataSourceError

from landplan._collector import making_many
from landplan.errors import Code, Message, Problem, ReadError, SchemaError
from landplan.layers import spec
from landplan.policy import Policy
from landplan.tables import unneutralise
from landplan.validation import check_layer

if TYPE_CHECKING:
    from landplan.profiles import ImportProfile

from landplan.io.crs import datum_shift, with_crs_help
from landplan.io.encoding import (
    file_suffix,
    first_line,
    is_shapefile,
    shapefile_encoding,
)

TABLE_SUFFIXES = (".csv", ".xlsx", ".xlsm")


_FORMATS = (
    "every vector format GDAL reads (GeoPackage, File Geodatabase, shapefile or zipped "
    "shapefile, GeoJSON, FlatGeobuf, KML, GML, MapInfo ...), GeoParquet, DXF, CSV and Excel"
)


_WKT_COLUMNS = ("geometry", "wkt", "geom", "几何", "空间信息")


_LONLAT_COLUMNS = (("lon", "lat"), ("longitude", "latitude"), ("经度", "纬度"), ("lng", "lat"))


def _pick_layer(
    path: Path, layer: str, source_layer: str | None, prefer: Sequence[str] = ()
) -> str | None:
    """Choose the layer to read in a multi-layer source.

    ``source_layer`` wins; else the only layer; else the first of ``prefer`` (an import
    profile's layer names, e.g. ``DLTB``), the landplan layer's name or its Chinese name that the
    source holds (compared without case).
    """
    try:
        available = [str(name) for name, _ in pyogrio.list_layers(path)]
    except (DataSourceError, DataLayerError, OSError) as exc:
        why: str = first_line(exc)
        if file_suffix(path) == ".zip" and not zipfile.is_zipfile(path):
            why = Message("read_bad_zip")
        elif file_suffix(path) == ".zip":
            why = Message("read_zip_no_layer", why=why)
        elif "not recognized as being in a supported file format" in why:
            why = Message("read_no_format", formats=_FORMATS)
        raise ReadError.of("read_not_vector", path=path, why=why) from exc
    if source_layer is not None:
        if source_layer not in available:
            has = ", ".join(available) or Message("read_none")
            raise ReadError.of("read_no_layer", path=path, layer=source_layer, available=has)
        return source_layer
    if len(available) == 1:
        return available[0]
    layer_spec = spec(layer)
    folded = {name.lower(): name for name in available}
    for candidate in (*prefer, layer_spec.name, layer_spec.zh):
        if candidate.lower() in folded:
            return folded[candidate.lower()]
    raise ReadError.of(
        "read_which_layer", path=path, layer=Code(layer, "layer"), available=", ".join(available)
    )


_UNICODE_DRIVERS = frozenset(
    {"GPKG", "OpenFileGDB", "GeoJSON", "GeoJSONSeq", "FlatGeobuf", "KML", "LIBKML", "SQLite"}
)


#: KML's own placemark fields (styling and time), which no layer column means.
_KML_FIELDS = (
    "timestamp",
    "begin",
    "end",
    "altitudeMode",
    "tessellate",
    "extrude",
    "visibility",
    "drawOrder",
    "icon",
)


def _read_gdal(
    path: Path,
    layer: str,
    *,
    source_layer: str | None,
    encoding: str | None,
    prefer: Sequence[str] = (),
    sheet: str | None = None,
) -> pd.DataFrame:
    """Read any vector source GDAL opens; shapefile text decoded as :func:`shapefile_encoding`."""
    name = _pick_layer(path, layer, source_layer, prefer)
    if is_shapefile(path):
        driver, enc = "ESRI Shapefile", shapefile_encoding(path, encoding=encoding, member=name)
    else:
        try:
            driver = pyogrio.read_info(path, layer=name)["driver"]
        except (DataSourceError, DataLayerError, OSError, RuntimeError) as exc:
            raise ReadError.of("read_cannot", path=path, why=first_line(exc)) from exc
        # Formats whose text is Unicode by definition: a named encoding is not theirs.
        enc = None if driver in _UNICODE_DRIVERS else encoding
    try:
        frame = _read_columns(path, name, enc)
    except UnicodeDecodeError as exc:
        said = enc or Message("read_declared")
        raise ReadError.of("read_not_encoding", path=path, encoding=said) from exc
    except (DataSourceError, DataLayerError, OSError, RuntimeError) as exc:
        raise ReadError.of("read_cannot", path=path, why=first_line(exc)) from exc
    if driver in ("KML", "LIBKML"):
        # The placemark's own id is not the feature's id column (``id`` is an alias of it).
        empty = [c for c in ("Name", "description") if c in frame and frame[c].isna().all()]
        frame = frame.drop(columns=[c for c in _KML_FIELDS if c in frame] + empty)
        frame = frame.rename(columns={"id": "kml_id"})
    return frame


def _read_columns(path: Path, name: str | None, encoding: str | None) -> pd.DataFrame:
    """Read a layer through Arrow, column by column: four times less CPU than row by row.

    GDAL's Arrow stream gives date fields as ``datetime.date`` objects and refuses text it cannot
    decode as UTF-8; the validator coerces the first, and the second is read row by row, where
    the encoding's own error names the file.
    """
    try:
        frame = pyogrio.read_dataframe(path, layer=name, encoding=encoding, use_arrow=True)
    except DataSourceError:
        return pyogrio.read_dataframe(path, layer=name, encoding=encoding)
    return frame


def _read_csv(path: Path, *, encoding: str | None, **_: object) -> pd.DataFrame:
    for enc in [encoding] if encoding else ["utf-8-sig", "GB18030"]:
        try:
            table = pd.read_csv(path, encoding=enc, dtype=object, keep_default_na=True)
            # Text written neutralised (``'=…``, see landplan.tables) reads back as itself.
            text = table.select_dtypes(include="object").columns
            table[text] = table[text].map(unneutralise)
            return table
        except UnicodeDecodeError:
            continue
        except LookupError as exc:
            raise ReadError.of("unknown_encoding", path=path, encoding=enc) from exc
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise ReadError.of("read_not_csv", path=path, why=first_line(exc)) from exc
    raise ReadError.of("read_not_utf8", path=path)


def _read_excel(path: Path, *, sheet: str | int | None, **_: object) -> pd.DataFrame:
    try:
        book = pd.ExcelFile(path)
    except Exception as exc:  # openpyxl raises zipfile/KeyError/InvalidFileException on bad files
        raise ReadError.of("read_not_excel", path=path, why=first_line(exc)) from exc
    with book:
        names = [str(n) for n in book.sheet_names]
        if sheet is None:
            chosen: str | int = 0
        elif str(sheet) in names:
            chosen = str(sheet)
        elif str(sheet).isdigit() and 1 <= int(sheet) <= len(names):
            chosen = int(sheet) - 1  # a position counts from 1, as Excel's tabs do
        else:
            raise ReadError.of("read_no_sheet", path=path, sheet=sheet, sheets=", ".join(names))
        try:
            return pd.read_excel(book, sheet_name=chosen, dtype=object)
        except ValueError as exc:
            raise ReadError.of("read_failed", path=path, why=first_line(exc)) from exc


def _read_parquet(path: Path, **_: object) -> pd.DataFrame:
    if "Parquet" in pyogrio.list_drivers():
        return pyogrio.read_dataframe(path)
    try:
        return gpd.read_parquet(path)
    except ImportError as exc:
        raise ReadError.of("read_parquet_needs", path=path) from exc
    except (ValueError, OSError) as exc:
        raise ReadError.of("read_not_parquet", path=path, why=first_line(exc)) from exc


def _read_dxf(path: Path, *, source_layer: str | None, encoding: str | None, **_: object):
    from landplan.io.dxf import read_dxf

    return read_dxf(path, cad_layers=source_layer, encoding=encoding)


Reader = Callable[..., pd.DataFrame]


#: Formats that need more than GDAL's own reading, by suffix; every other file goes to GDAL.
ADAPTERS: dict[str, Reader] = {
    ".csv": _read_csv,
    ".xlsx": _read_excel,
    ".xlsm": _read_excel,
    ".parquet": _read_parquet,
    ".geoparquet": _read_parquet,
    ".dxf": _read_dxf,
}


def _read_table(path: Path, *, sheet: str | int | None, encoding: str | None) -> pd.DataFrame:
    return ADAPTERS[file_suffix(path)](path, sheet=sheet, encoding=encoding, source_layer=None)


def _table_geometry(
    frame: pd.DataFrame, path: Path, crs, policy: Policy
) -> tuple[pd.DataFrame, list[Problem]]:
    """Turn WKT or lon/lat columns into geometry, noting rows that do not parse."""
    folded = {str(c).strip().lower(): c for c in frame.columns}
    problems: list[Problem] = []
    crs = crs or policy.crs.lonlat
    wkt_col = next((folded[n] for n in _WKT_COLUMNS if n in folded), None)
    labels = [f"row {i + 2}" for i in range(len(frame))]  # row 1 is the header
    if wkt_col is not None:
        text = frame[wkt_col]
        geoms = shapely.from_wkt(
            text.where(text.notna(), None).to_numpy(dtype=object), on_invalid="ignore"
        )
        broken = text.notna().to_numpy() & shapely.is_missing(geoms)
        problems += [
            Problem(
                str(path),
                labels[i],
                str(wkt_col),
                Message("read_bad_wkt", value=text.iloc[i]),
                Message("read_wkt"),
            )
            for i in np.flatnonzero(broken)
        ]
        out = gpd.GeoDataFrame(frame.drop(columns=[wkt_col]), geometry=geoms, crs=crs)
        return out, problems
    for lon_name, lat_name in _LONLAT_COLUMNS:
        if lon_name in folded and lat_name in folded:
            lon = pd.to_numeric(frame[folded[lon_name]], errors="coerce")
            lat = pd.to_numeric(frame[folded[lat_name]], errors="coerce")
            for name, values in ((lon_name, lon), (lat_name, lat)):
                raw = frame[folded[name]]
                bad = raw.notna() & values.isna()
                problems += [
                    Problem(
                        str(path),
                        labels[i],
                        str(folded[name]),
                        Message("read_not_coordinate", value=raw.iloc[i]),
                        Message("read_degrees"),
                    )
                    for i in np.flatnonzero(bad.to_numpy())
                ]
            geoms = shapely.points(lon.to_numpy(dtype=float), lat.to_numpy(dtype=float))
            geoms = np.where(lon.isna() | lat.isna(), None, geoms)
            out = gpd.GeoDataFrame(
                frame.drop(columns=[folded[lon_name], folded[lat_name]]), geometry=geoms, crs=crs
            )
            return out, problems
    return frame, problems


def read_frame(
    path: str | os.PathLike,
    layer: str,
    *,
    crs=None,
    sheet: str | int | None = None,
    encoding: str | None = None,
    source_layer: str | None = None,
    policy: Policy | None = None,
    prefer_layers: Sequence[str] = (),
) -> tuple[pd.DataFrame, list[Problem]]:
    """Read a file as it is, before validation.

    Parameters
    ----------
    path
        Any vector source GDAL opens (a file, a ``.gdb`` folder, a zip), or a file an adapter in
        :data:`ADAPTERS` reads (CSV, Excel, GeoParquet, DXF).
    layer
        The landplan layer the file holds; its names pick the source layer where there are several.
    crs, sheet, encoding, source_layer, policy
        As for :func:`read_layer`.
    prefer_layers
        Source layer names to look for first (an import profile's, e.g. ``DLTB``).

    Returns
    -------
    (frame, problems)
        The frame with geometry where the file has any, and the problems found while reading
        (unparseable WKT or coordinates), for :func:`read_layer` to report with the others.
    """
    path = Path(path)
    policy = policy or Policy.default()
    if not path.exists():
        raise ReadError.of("read_no_file", path=path)
    suffix = file_suffix(path)
    adapter = ADAPTERS.get(suffix)
    if adapter is None:
        frame = _read_gdal(
            path, layer, source_layer=source_layer, encoding=encoding, prefer=prefer_layers
        )
        return frame, []
    frame = adapter(path, sheet=sheet, encoding=encoding, source_layer=source_layer)
    if isinstance(frame, gpd.GeoDataFrame):
        return frame, []
    frame.columns = [str(c).strip() for c in frame.columns]
    if not spec(layer).has_geometry:
        return frame, []
    return _table_geometry(frame, path, crs, policy)


@making_many()
def read_layer(
    path: str | os.PathLike,
    layer: str,
    *,
    crs=None,
    sheet: str | int | None = None,
    encoding: str | None = None,
    source_layer: str | None = None,
    policy: Policy | None = None,
    make_valid: bool = False,
    parcels: gpd.GeoDataFrame | None = None,
    profile: ImportProfile | str | os.PathLike | None = None,
    land_use_scheme: str | None = None,
    towgs84: str | Sequence[float] | None = None,
    with_source: bool = False,
):
    """Read a file as a validated landplan layer in the working CRS.

    Parameters
    ----------
    path
        Any vector source GDAL reads (GeoPackage, File Geodatabase folder, shapefile or zipped
        shapefile, GeoJSON, FlatGeobuf, KML ...), GeoParquet, DXF, CSV or Excel.
    layer
        Which landplan layer the file holds (``parcels``, ``buildings`` ...).
    crs
        The CRS of a file that carries none; for CSV/Excel, the CRS of its coordinates
        (default: the policy's ``crs.lonlat``, CGCS2000 longitude/latitude).
    sheet
        Excel sheet name or position from 1 (first sheet by default).
    encoding
        Text encoding, where the file does not say and landplan cannot tell.
    source_layer
        The layer inside a multi-layer source (by default the one named like ``layer`` or like
        the profile's source layers); for a DXF, the drawing layers holding the outlines.
    policy
        Working CRS and tolerances; the default policy where None.
    make_valid
        Repair invalid geometry instead of rejecting it.
    parcels
        Validated parcels, to check links from buildings and enterprises.
    profile
        An import profile (:mod:`landplan.profiles`): a built-in id (``dltb``, ``zd``,
        ``low_efficiency``, ``kg``), a profile file, or a loaded profile.
    land_use_scheme
        The scheme of the land-use codes, where the file has no ``land_use_scheme`` column
        (``gbt21010``, ``ydyh2023``, ``gb50137`` or a name such as ``三调``).
    towgs84
        The 3 or 7 parameters shifting Xian 1980 or Beijing 1954 data to WGS 84 (taken as
        CGCS2000), as the area's conversion publishes them; such data are refused without.
    with_source
        Also return the frame as read and mapped, before validation, with the CRS to validate
        it with: what a store validates again on import, from the file's own coordinates.

    Returns
    -------
    GeoDataFrame or DataFrame
        The validated layer; ``attrs["warnings"]`` lists warnings that do not refuse the import
        (a land-use code covering several classes, an official area far from the computed one)
        as :class:`~landplan.errors.Problem` rows.

    Raises
    ------
    ReadError
        The file cannot be read as such.
    SchemaError
        Listing every bad feature with its column and what was expected.
    """
    from landplan.landuse import land_use_notices
    from landplan.profiles import apply_profile, area_discrepancies, load_profile

    policy = policy or Policy.default()
    chosen = load_profile(profile) if isinstance(profile, str | os.PathLike) else profile
    if chosen is not None and chosen.layer != layer:
        raise ReadError.of(
            "read_profile_layer",
            profile=chosen.id,
            layer=Code(chosen.layer, "layer"),
            wanted=Code(layer, "layer"),
        )
    frame, problems = read_frame(
        path,
        layer,
        crs=crs,
        sheet=sheet,
        encoding=encoding,
        source_layer=source_layer,
        policy=policy,
        prefer_layers=chosen.source_layers if chosen else (),
    )
    notices: list[Problem] = []
    source_fields: dict[str, str] = {}
    if chosen is not None:
        frame, more, notes = apply_profile(frame, chosen, source=str(path))
        source_fields = dict(frame.attrs.get("source_fields", {}))
        if any(p.feature == "*" for p in more):
            raise SchemaError([*problems, *more])
        problems += more
        notices += notes
    if land_use_scheme is not None and layer == "parcels":
        frame = _with_scheme(frame, land_use_scheme)
    table_crs = crs if file_suffix(Path(path)) not in TABLE_SUFFIXES else None
    frame, table_crs, notes = datum_shift(frame, table_crs, towgs84, str(path))
    notices += notes
    layer_spec = spec(layer)
    result, found = check_layer(
        frame,
        layer_spec,
        source=str(path),
        crs=table_crs,
        policy=policy,
        make_valid=make_valid,
        parcels=parcels,
    )
    if problems or found:
        raise SchemaError(with_crs_help([*problems, *found], frame))
    # check_layer returns a frame whenever it finds no problem.
    assert result is not None
    if chosen is not None:
        result, notes = area_discrepancies(
            result,
            chosen,
            source=str(path),
            id_column=layer_spec.id_column,
            field_name=source_fields.get("official_area_m2"),
        )
        notices += notes
    if layer == "parcels":
        notices += land_use_notices(result, str(path), layer_spec.id_column)
    result.attrs["warnings"] = notices
    if with_source:
        return result, frame, table_crs
    return result


def _with_scheme(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Give every land-use code without one the named scheme."""
    from landplan.landuse import scheme

    chosen = scheme(name).id
    out = frame.copy()
    if "land_use_scheme" in out:
        out["land_use_scheme"] = out["land_use_scheme"].where(
            out["land_use_scheme"].notna(), chosen
        )
    else:
        out["land_use_scheme"] = chosen
    return out
