"""Reading and writing layers: GeoPackage, shapefile, GeoJSON, CSV and Excel.

One reader serves every format: :func:`read_layer` reads the file into a frame, then hands it to
:func:`landplan.layers.validate_layer`, so a layer from Excel is checked exactly like one from a
GeoPackage. A file that is not what it claims (truncated, wrong layer name, wrong encoding) raises
:class:`~landplan.errors.ReadError` naming the file; a file with bad rows raises
:class:`~landplan.errors.SchemaError` listing all of them.

CSV and Excel files carry geometry either as WKT (a column ``geometry``, ``wkt`` or ``几何``) or
as point coordinates (``lon``/``lat``, ``longitude``/``latitude``, ``经度``/``纬度``). Their
coordinates are CGCS2000 longitude/latitude (policy ``crs.lonlat``) unless a CRS is named.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

import geopandas as gpd
import pyogrio
import shapely
from pyogrio.errors import DataLayerError, DataSourceError

from landplan.errors import Problem, ReadError, SchemaError
from landplan.layers import LAYERS, spec
from landplan.outputs import check_replace
from landplan.policy import Policy
from landplan.validation import _validate

__all__ = [
    "TABLE_SUFFIXES",
    "VECTOR_SUFFIXES",
    "read_frame",
    "read_layer",
    "read_projects",
    "read_zone",
    "write_layer",
    "write_zone",
]

VECTOR_SUFFIXES = (".gpkg", ".shp", ".geojson", ".json", ".zip")
TABLE_SUFFIXES = (".csv", ".xlsx", ".xlsm")
_WKT_COLUMNS = ("geometry", "wkt", "geom", "几何", "空间信息")
_LONLAT_COLUMNS = (("lon", "lat"), ("longitude", "latitude"), ("经度", "纬度"), ("lng", "lat"))


def _suffix(path: Path) -> str:
    return path.suffix.lower()


def _pick_layer(path: Path, layer: str, source_layer: str | None) -> str | None:
    try:
        available = [str(name) for name, _ in pyogrio.list_layers(path)]
    except (DataSourceError, OSError) as exc:
        raise ReadError(f"{path}: cannot open as a vector file ({_first_line(exc)})") from exc
    if source_layer is not None:
        if source_layer not in available:
            raise ReadError(
                f"{path}: no layer {source_layer!r}; the file has {', '.join(available) or 'none'}"
            )
        return source_layer
    if len(available) == 1:
        return available[0]
    layer_spec = spec(layer)
    for candidate in (layer_spec.name, layer_spec.zh):
        if candidate in available:
            return candidate
    raise ReadError(
        f"{path}: which layer holds the {layer}? The file has {', '.join(available)}; "
        f"name one with --source-layer (source_layer=...)"
    )


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _shapefile_encoding(path: Path) -> str | None:
    """Choose the encoding for a shapefile: its .cpg or language id, else UTF-8 (then GB18030)."""
    if path.with_suffix(".cpg").exists() or path.with_suffix(".CPG").exists():
        return None
    dbf = next(
        (p for p in (path.with_suffix(".dbf"), path.with_suffix(".DBF")) if p.exists()), None
    )
    if dbf is None:
        return None
    with open(dbf, "rb") as fh:
        header = fh.read(32)
    if len(header) > 29 and header[29] != 0:
        return None
    return "UTF-8"


def _read_vector(path: Path, layer: str, *, source_layer: str | None, encoding: str | None):
    suffix = _suffix(path)
    kwargs: dict = {}
    if suffix == ".gpkg" or suffix == ".zip":
        kwargs["layer"] = _pick_layer(path, layer, source_layer)
    guess = encoding or (_shapefile_encoding(path) if suffix == ".shp" else None)
    tries = [guess] if encoding or guess is None else [guess, "GB18030"]
    last: Exception | None = None
    for enc in tries:
        try:
            return pyogrio.read_dataframe(path, encoding=enc, **kwargs)
        except UnicodeDecodeError as exc:
            last = exc
        except (DataSourceError, DataLayerError, OSError, RuntimeError) as exc:
            raise ReadError(f"{path}: cannot read as {suffix[1:]} ({_first_line(exc)})") from exc
    raise ReadError(
        f"{path}: attribute text is in none of the encodings tried ({', '.join(tries)}); "
        "add a .cpg file naming the encoding or pass --encoding"
    ) from last


def _read_table(path: Path, *, sheet: str | int | None, encoding: str | None) -> pd.DataFrame:
    suffix = _suffix(path)
    if suffix == ".csv":
        for enc in [encoding] if encoding else ["utf-8-sig", "GB18030"]:
            try:
                return pd.read_csv(path, encoding=enc, dtype=object, keep_default_na=True)
            except UnicodeDecodeError:
                continue
            except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
                raise ReadError(f"{path}: not a readable CSV table ({_first_line(exc)})") from exc
        raise ReadError(f"{path}: text is neither UTF-8 nor GB18030; pass --encoding")
    try:
        frame = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, dtype=object)
    except ValueError as exc:
        raise ReadError(f"{path}: {_first_line(exc)}") from exc
    except Exception as exc:  # openpyxl raises zipfile/KeyError/InvalidFileException on bad files
        raise ReadError(f"{path}: not a readable Excel workbook ({_first_line(exc)})") from exc
    return frame


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
                f"unreadable WKT {text.iloc[i]!r:.60}",
                "well-known text such as POLYGON ((x y, ...))",
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
                        f"not a coordinate: {raw.iloc[i]!r}",
                        "a number in degrees",
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
) -> tuple[pd.DataFrame, list[Problem]]:
    """Read a file as it is, before validation.

    Returns
    -------
    (frame, problems)
        The frame with geometry where the file has any, and the problems found while reading
        (unparseable WKT or coordinates), for :func:`read_layer` to report with the others.
    """
    path = Path(path)
    policy = policy or Policy.default()
    if not path.exists():
        raise ReadError(f"{path}: no such file")
    suffix = _suffix(path)
    if suffix in VECTOR_SUFFIXES:
        return _read_vector(path, layer, source_layer=source_layer, encoding=encoding), []
    if suffix in TABLE_SUFFIXES:
        frame = _read_table(path, sheet=sheet, encoding=encoding)
        frame.columns = [str(c).strip() for c in frame.columns]
        if not spec(layer).has_geometry:
            return frame, []
        return _table_geometry(frame, path, crs, policy)
    raise ReadError(
        f"{path}: unsupported file type {suffix!r}; expected one of "
        f"{', '.join(VECTOR_SUFFIXES + TABLE_SUFFIXES)}"
    )


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
) -> gpd.GeoDataFrame | pd.DataFrame:
    """Read a file as a validated landplan layer in the working CRS.

    Parameters
    ----------
    path
        A GeoPackage, shapefile (GBK attributes read with or without a ``.cpg``), GeoJSON, CSV
        or Excel file.
    layer
        Which landplan layer the file holds (``parcels``, ``buildings`` ...).
    crs
        The CRS of a file that carries none; for CSV/Excel, the CRS of its coordinates
        (default: the policy's ``crs.lonlat``, CGCS2000 longitude/latitude).
    sheet
        Excel sheet name or position (first sheet by default).
    encoding
        Text encoding, where the file does not say and landplan cannot tell.
    source_layer
        The layer inside a multi-layer GeoPackage (by default the one named like ``layer``).
    policy
        Working CRS and tolerances; the default policy where None.
    make_valid
        Repair invalid geometry instead of rejecting it.
    parcels
        Validated parcels, to check links from buildings and enterprises.

    Raises
    ------
    ReadError
        The file cannot be read as such.
    SchemaError
        Listing every bad feature with its column and what was expected.
    """
    policy = policy or Policy.default()
    frame, problems = read_frame(
        path,
        layer,
        crs=crs,
        sheet=sheet,
        encoding=encoding,
        source_layer=source_layer,
        policy=policy,
    )
    table_crs = crs if _suffix(Path(path)) not in TABLE_SUFFIXES else None
    result, found = _validate(
        frame,
        spec(layer),
        source=str(path),
        crs=table_crs,
        policy=policy,
        make_valid=make_valid,
        parcels=parcels,
    )
    if problems or found:
        raise SchemaError([*problems, *found])
    return result


def write_layer(
    frame: pd.DataFrame,
    path: str | os.PathLike,
    *,
    layer: str | None = None,
    policy: Policy | None = None,
    append: bool = False,
    kind: str | None = None,
    style: str | None = None,
    encoding: str = "UTF-8",
) -> Path:
    """Write a layer to GeoPackage, shapefile, GeoJSON, CSV or Excel, chosen by the suffix.

    See :func:`landplan.export.write_layer`, which does the writing: GeoPackages keep the working
    CRS and carry QGIS aliases, coded values and styles; GeoJSON is RFC 7946 in WGS84; CSV and
    Excel carry the geometry as WKT in CGCS2000 longitude/latitude (policy ``crs.lonlat``),
    which :func:`read_layer` reads back by default.

    ``kind`` is what the file is (``match``, ``zone`` ...; ``layer`` by default), marked in a
    GeoPackage or workbook: an existing one is replaced only if it is landplan's output of that
    kind. ``style`` names the layer's QGIS style (a layer name, ``audit``, ``candidates``).
    """
    from landplan.export import write_layer as _write

    return _write(
        frame,
        path,
        layer=layer,
        kind=kind,
        style=style,
        policy=policy,
        append=append,
        encoding=encoding,
    )


def read_zone(
    path: str | os.PathLike,
    *,
    projects: str | os.PathLike | None = None,
    policy: Policy | None = None,
    make_valid: bool = False,
):
    """Read a zone from a GeoPackage whose layers are named after landplan's layers.

    Parameters
    ----------
    path
        A GeoPackage with some of the layers ``parcels``, ``buildings``, ``enterprises``,
        ``constraints``, ``corridors``, ``substations``, ``roads`` and ``projects``.
    projects
        A projects CSV/Excel file, where the projects are not in the GeoPackage.
    policy
        The zone's policy; the default policy where None.
    make_valid
        Repair invalid geometry instead of rejecting it.

    Returns
    -------
    Zone
        Every layer validated together (links between layers included).
    """
    from landplan.zone import Zone

    path = Path(path)
    policy = policy or Policy.default()
    if not path.exists():
        raise ReadError(f"{path}: no such file")
    try:
        available = {str(name) for name, _ in pyogrio.list_layers(path)}
    except (DataSourceError, OSError) as exc:
        raise ReadError(f"{path}: cannot open as a GeoPackage ({_first_line(exc)})") from exc
    frames: dict[str, pd.DataFrame] = {}
    sources: dict[str, str] = {}
    for name in LAYERS:
        if name in available:
            frames[name], _ = read_frame(path, name, source_layer=name, policy=policy)
            sources[name] = f"{path}:{name}"
    if projects is not None:
        frame, problems = read_frame(projects, "projects", policy=policy)
        if problems:
            raise SchemaError(problems)
        frames["projects"] = frame
        sources["projects"] = str(projects)
    if "parcels" not in frames:
        raise ReadError(f"{path}: no 'parcels' layer; the file has {', '.join(sorted(available))}")
    return Zone.from_layers(frames, policy=policy, source=sources, make_valid=make_valid)


def write_zone(
    zone, path: str | os.PathLike, *, layers: Mapping[str, pd.DataFrame] | None = None
) -> Path:
    """Write every non-empty layer of a zone into one GeoPackage (replacing the file)."""
    path = Path(path)
    chosen = layers or zone.layers()
    check_replace(path, "zone", parts=chosen)
    path.unlink(missing_ok=True)
    for name, frame in chosen.items():
        if len(frame):
            write_layer(frame, path, layer=name, policy=zone.policy, append=True, kind="zone")
    return path


def read_projects(
    path: str | os.PathLike,
    *,
    sheet: str | int | None = None,
    policy: Policy | None = None,
) -> gpd.GeoDataFrame | pd.DataFrame:
    """Read projects from a TOML file or a CSV/Excel table, validated as the projects layer.

    A TOML file holds one project as top-level keys or a ``[project]`` table, or several as
    ``[[projects]]`` tables; keys are column names in any accepted spelling (``land_mu_min`` or
    ``用地需求下限``).

    Parameters
    ----------
    path
        ``.toml``, ``.csv``, ``.xlsx`` or ``.xlsm`` file.
    sheet
        Excel sheet name or position (first sheet by default).
    policy
        Vocabularies and working CRS; the default policy where None.

    Raises
    ------
    ReadError
        If the file cannot be read or a TOML file holds no project.
    SchemaError
        Listing every bad value.
    """
    import tomllib

    path = Path(path)
    policy = policy or Policy.default()
    if _suffix(path) != ".toml":
        return read_layer(path, "projects", sheet=sheet, policy=policy)
    try:
        tree = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ReadError(f"{path}: cannot read as TOML ({_first_line(exc)})") from exc
    if isinstance(tree.get("projects"), list):
        rows = tree["projects"]
    elif isinstance(tree.get("project"), Mapping):
        rows = [tree["project"]]
    else:
        rows = [tree]
    if not rows or not all(isinstance(r, Mapping) and r for r in rows):
        raise ReadError(
            f"{path}: no project found; expected top-level project keys, a [project] table or "
            "[[projects]] tables"
        )
    from landplan.validation import validate_layer

    return validate_layer(
        pd.DataFrame([dict(r) for r in rows]), "projects", source=str(path), policy=policy
    )
