"""Reading and writing layers: every vector format GDAL reads, CSV and Excel.

One reader serves every format: :func:`read_layer` reads the file into a frame, then hands it to
:func:`landplan.validation.validate_layer`, so a layer from Excel is checked exactly like one from a
File Geodatabase. GDAL chooses the format (GeoPackage, Esri File Geodatabase, shapefile, zipped
or not, GeoJSON, FlatGeobuf, KML, GML, MapInfo ...); a small registry (:data:`ADAPTERS`) holds the
formats that need more than GDAL gives: CSV and Excel tables, GeoParquet, and CAD drawings (DXF,
see :mod:`landplan.cad`). Shapefile text is decoded as its ``.cpg`` or DBF code page says, and
where neither says, as UTF-8 or GB18030, whichever the bytes are. A file that is not what it
claims (truncated, wrong layer name, wrong encoding) raises :class:`~landplan.errors.ReadError`
naming the file; a file with bad rows raises :class:`~landplan.errors.SchemaError` listing all of
them.

CSV and Excel files carry geometry either as WKT (a column ``geometry``, ``wkt`` or ``几何``) or
as point coordinates (``lon``/``lat``, ``longitude``/``latitude``, ``经度``/``纬度``). Their
coordinates are CGCS2000 longitude/latitude (policy ``crs.lonlat``) unless a CRS is named.
"""

from __future__ import annotations

import codecs
import os
import zipfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

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
from landplan.tables import unneutralise
from landplan.validation import check_layer

if TYPE_CHECKING:
    from landplan.profiles import ImportProfile

__all__ = [
    "ADAPTERS",
    "TABLE_SUFFIXES",
    "likely_crs",
    "read_frame",
    "read_layer",
    "read_projects",
    "read_zone",
    "shapefile_encoding",
    "write_layer",
    "write_layers",
    "write_zone",
]

TABLE_SUFFIXES = (".csv", ".xlsx", ".xlsm")
_FORMATS = (
    "every vector format GDAL reads (GeoPackage, File Geodatabase, shapefile or zipped "
    "shapefile, GeoJSON, FlatGeobuf, KML, GML, MapInfo ...), GeoParquet, DXF, CSV and Excel"
)
_WKT_COLUMNS = ("geometry", "wkt", "geom", "几何", "空间信息")
_LONLAT_COLUMNS = (("lon", "lat"), ("longitude", "latitude"), ("经度", "纬度"), ("lng", "lat"))


def _suffix(path: Path) -> str:
    return path.suffix.lower()


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
        why = _first_line(exc)
        if _suffix(path) == ".zip" and not zipfile.is_zipfile(path):
            why = "not a readable zip archive"
        elif _suffix(path) == ".zip":
            why = f"the archive holds no layer GDAL reads ({why})"
        elif "not recognized as being in a supported file format" in why:
            why = f"GDAL recognises no format in it; landplan reads {_FORMATS}"
        raise ReadError(f"{path}: cannot open as a vector file ({why})") from exc
    if source_layer is not None:
        if source_layer not in available:
            raise ReadError(
                f"{path}: no layer {source_layer!r}; the file has {', '.join(available) or 'none'}"
            )
        return source_layer
    if len(available) == 1:
        return available[0]
    layer_spec = spec(layer)
    folded = {name.lower(): name for name in available}
    for candidate in (*prefer, layer_spec.name, layer_spec.zh):
        if candidate.lower() in folded:
            return folded[candidate.lower()]
    raise ReadError(
        f"{path}: which layer holds the {layer}? The file has {', '.join(available)}; "
        f"name one with --source-layer (source_layer=...)"
    )


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


# --- shapefile text: .cpg, the DBF code page, or the bytes themselves ----------------------------

#: DBF language driver ids (byte 29 of the header) and the code page each names. 0x57 is "ANSI":
#: the writer's system code page, which the file does not record, so it is detected like 0x00.
_LDID = {
    0x01: "cp437",
    0x02: "cp850",
    0x03: "cp1252",
    0x4D: "GB18030",
    0x4E: "cp949",
    0x4F: "big5",
    0x50: "cp874",
    0x58: "cp1252",
    0x59: "cp1252",
    0x64: "cp852",
    0x65: "cp866",
    0x78: "big5",
    0x79: "cp949",
    0x7A: "GB18030",
    0x7B: "cp932",
    0xC8: "cp1250",
    0xC9: "cp1251",
    0xCA: "cp1254",
    0xCB: "cp1253",
}
_UNSAID_LDID = (0x00, 0x57)
_KNOWN_ENCODINGS = "expected an encoding such as UTF-8, GBK or GB18030"
#: Code page numbers a .cpg may hold instead of a name.
_CODE_PAGES = {"936": "GB18030", "54936": "GB18030", "65001": "UTF-8", "950": "big5"}


def _codec(name: str) -> str | None:
    """Python's codec for an encoding name as .cpg files write it (``UTF-8``, ``GBK``, ``936``)."""
    text = name.strip().strip("\x00").strip()
    key = text.upper().replace("ANSI", "").replace("CP", "").strip(" _-")
    if key in _CODE_PAGES:
        return _CODE_PAGES[key]
    if text.upper() in ("GBK", "GB2312", "GB18030", "CP936"):
        # GB18030 decodes every GBK and GB2312 byte sequence the same way, and more.
        return "GB18030"
    try:
        return codecs.lookup(text).name
    except LookupError:
        try:
            return codecs.lookup(f"cp{key}").name
        except LookupError:
            return None


def _dbf_text(data: bytes) -> tuple[int, bytes]:
    """Return the DBF's language id and the bytes of its field names and text fields."""
    if len(data) < 32:
        return 0, b""
    ldid = data[29]
    n_records = int.from_bytes(data[4:8], "little")
    header_len = int.from_bytes(data[8:10], "little")
    record_len = int.from_bytes(data[10:12], "little")
    names: list[bytes] = []
    slices: list[tuple[int, int]] = []
    offset = 1  # the deletion flag
    for start in range(32, max(header_len - 1, 32), 32):
        desc = data[start : start + 32]
        if len(desc) < 32 or desc[0] == 0x0D:
            break
        names.append(desc[:11].split(b"\x00")[0])
        kind, length = chr(desc[11]), desc[16]
        if kind in "CM":
            slices.append((offset, offset + length))
        offset += length
    body = np.frombuffer(data, dtype=np.uint8, offset=header_len)
    n = min(n_records, len(body) // record_len) if record_len else 0
    records = body[: n * record_len].reshape(n, record_len) if n else body[:0].reshape(0, 1)
    text = b"\n".join([*names, *(records[:, a:b].tobytes() for a, b in slices)])
    return ldid, text


def _decodes(text: bytes, codec: str) -> bool:
    try:
        text.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def _detect(text: bytes) -> str | None:
    """UTF-8 or GB18030, whichever the bytes are; None for plain ASCII."""
    if text.isascii():
        return None
    for codec in ("UTF-8", "GB18030"):
        if _decodes(text, codec):
            return codec
    return ""


def _shapefile_parts(path: Path, member: str | None) -> tuple[bytes | None, str | None]:
    """Return the DBF bytes and the .cpg text of a shapefile, in a folder or inside a zip."""
    if _suffix(path) == ".zip":
        with zipfile.ZipFile(path) as archive:
            names = {n.lower(): n for n in archive.namelist()}
            stems = [n[:-4] for n in names if n.endswith(".dbf")]
            if member is not None:
                stems = [s for s in stems if Path(s).name == member.lower()] or stems
            if not stems:
                return None, None
            dbf = archive.read(names[f"{stems[0]}.dbf"])
            cpg_name = names.get(f"{stems[0]}.cpg")
            cpg = archive.read(cpg_name).decode("ascii", "replace") if cpg_name else None
            return dbf, cpg

    def sibling(ext: str) -> Path | None:
        found = (p for p in (path.with_suffix(ext), path.with_suffix(ext.upper())) if p.exists())
        return next(found, None)

    dbf_path, cpg_path = sibling(".dbf"), sibling(".cpg")
    dbf_bytes = dbf_path.read_bytes() if dbf_path else None
    cpg_text = cpg_path.read_text(encoding="ascii", errors="replace") if cpg_path else None
    return dbf_bytes, cpg_text


def shapefile_encoding(
    path: str | os.PathLike, *, encoding: str | None = None, member: str | None = None
) -> str | None:
    """Choose the encoding of a shapefile's attribute text.

    The ``.cpg`` file wins, then the DBF's code-page byte (language driver id); where neither
    says (no ``.cpg``, id 0 or 0x57 "ANSI", as GBK shapefiles from Chinese Windows carry), the text
    is read as UTF-8 if it is UTF-8, else as GB18030 (which covers GBK and GB2312).

    Parameters
    ----------
    path
        The ``.shp`` file, or a ``.zip`` holding one.
    encoding
        An encoding the user named (``--encoding``); it is checked against the bytes.
    member
        The shapefile's name inside a zip holding several.

    Returns
    -------
    str or None
        A Python codec name, or None where the text is plain ASCII.

    Raises
    ------
    ReadError
        Where the named or declared encoding does not decode the text, naming the one that does.
    """
    path = Path(path)
    dbf, cpg = _shapefile_parts(path, member)
    if dbf is None:
        return encoding
    ldid, text = _dbf_text(dbf)
    found = _detect(text)
    reads_as = f"it reads as {found}" if found else "it is neither UTF-8 nor GB18030"
    if encoding is not None:
        codec = _codec(encoding)
        if codec is None:
            raise ReadError(f"{path}: unknown encoding {encoding!r}; {_KNOWN_ENCODINGS}")
        if not _decodes(text, codec):
            raise ReadError(f"{path}: the attribute text is not {encoding} ({reads_as})")
        return codec
    if cpg is not None and cpg.strip():
        codec = _codec(cpg)
        if codec is None:
            raise ReadError(
                f"{path}: its .cpg names {cpg.strip()!r}, not an encoding landplan knows; "
                f"fix the .cpg or pass --encoding ({reads_as})"
            )
        if not _decodes(text, codec):
            hint = f"pass --encoding {found}" if found else "pass --encoding"
            raise ReadError(
                f"{path}: its .cpg says {cpg.strip()!r}, but the attribute text is not "
                f"{cpg.strip()} ({reads_as}); {hint}, or correct the .cpg"
            )
        return codec
    if ldid not in _UNSAID_LDID and ldid in _LDID:
        codec = _LDID[ldid]
        if _decodes(text, codec):
            return codec
        raise ReadError(
            f"{path}: the DBF code page (language id 0x{ldid:02X}) says {codec}, but the "
            f"attribute text is not {codec} ({reads_as}); pass --encoding"
        )
    if found == "":
        raise ReadError(
            f"{path}: the attribute text is neither UTF-8 nor GB18030 and the file does not "
            "say its encoding; add a .cpg file naming it, or pass --encoding"
        )
    return found


def _is_shapefile(path: Path) -> bool:
    if _suffix(path) == ".shp":
        return True
    if _suffix(path) != ".zip":
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            return any(n.lower().endswith(".dbf") for n in archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return False


# --- the readers --------------------------------------------------------------------------------


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
    if _is_shapefile(path):
        driver, enc = "ESRI Shapefile", shapefile_encoding(path, encoding=encoding, member=name)
    else:
        try:
            driver = pyogrio.read_info(path, layer=name)["driver"]
        except (DataSourceError, DataLayerError, OSError, RuntimeError) as exc:
            raise ReadError(f"{path}: cannot read ({_first_line(exc)})") from exc
        # Formats whose text is Unicode by definition: a named encoding is not theirs.
        enc = None if driver in _UNICODE_DRIVERS else encoding
    try:
        frame = pyogrio.read_dataframe(path, layer=name, encoding=enc)
    except UnicodeDecodeError as exc:
        raise ReadError(
            f"{path}: attribute text is not {enc or 'what the file declares'}; pass --encoding"
        ) from exc
    except (DataSourceError, DataLayerError, OSError, RuntimeError) as exc:
        raise ReadError(f"{path}: cannot read ({_first_line(exc)})") from exc
    if driver in ("KML", "LIBKML"):
        # The placemark's own id is not the feature's id column (``id`` is an alias of it).
        empty = [c for c in ("Name", "description") if c in frame and frame[c].isna().all()]
        frame = frame.drop(columns=[c for c in _KML_FIELDS if c in frame] + empty)
        frame = frame.rename(columns={"id": "kml_id"})
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
            raise ReadError(f"{path}: unknown encoding {enc!r}; {_KNOWN_ENCODINGS}") from exc
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise ReadError(f"{path}: not a readable CSV table ({_first_line(exc)})") from exc
    raise ReadError(f"{path}: text is neither UTF-8 nor GB18030; pass --encoding")


def _read_excel(path: Path, *, sheet: str | int | None, **_: object) -> pd.DataFrame:
    try:
        book = pd.ExcelFile(path)
    except Exception as exc:  # openpyxl raises zipfile/KeyError/InvalidFileException on bad files
        raise ReadError(f"{path}: not a readable Excel workbook ({_first_line(exc)})") from exc
    with book:
        names = [str(n) for n in book.sheet_names]
        if sheet is None:
            chosen: str | int = 0
        elif str(sheet) in names:
            chosen = str(sheet)
        elif str(sheet).isdigit() and 1 <= int(sheet) <= len(names):
            chosen = int(sheet) - 1  # a position counts from 1, as Excel's tabs do
        else:
            raise ReadError(
                f"{path}: no sheet {sheet!r}; the workbook has {', '.join(names)} "
                "(name one with --sheet, by name or position from 1)"
            )
        try:
            return pd.read_excel(book, sheet_name=chosen, dtype=object)
        except ValueError as exc:
            raise ReadError(f"{path}: {_first_line(exc)}") from exc


def _read_parquet(path: Path, **_: object) -> pd.DataFrame:
    if "Parquet" in pyogrio.list_drivers():
        return pyogrio.read_dataframe(path)
    try:
        return gpd.read_parquet(path)
    except ImportError as exc:
        raise ReadError(
            f"{path}: reading GeoParquet needs pyarrow: pip install 'landplan[parquet]'"
        ) from exc
    except (ValueError, OSError) as exc:
        raise ReadError(f"{path}: not a readable GeoParquet file ({_first_line(exc)})") from exc


def _read_dxf(path: Path, *, source_layer: str | None, encoding: str | None, **_: object):
    from landplan.cad import read_dxf

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
    return ADAPTERS[_suffix(path)](path, sheet=sheet, encoding=encoding, source_layer=None)


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
        raise ReadError(f"{path}: no such file")
    suffix = _suffix(path)
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
        raise ReadError(
            f"profile {chosen.id} describes the {chosen.layer} layer, not the {layer} layer"
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
    table_crs = crs if _suffix(Path(path)) not in TABLE_SUFFIXES else None
    frame, table_crs, notes = _datum_shift(frame, table_crs, towgs84, str(path))
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
        raise SchemaError(_with_crs_help([*problems, *found], frame))
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
        return (
            f"EPSG:{4513 + zone - 25} (CGCS2000 3° Gauss–Krüger zone {zone}, CM {zone * 3}°E, "
            f"easting with the zone number in front; Xian 1980: EPSG:{2349 + zone - 25}, "
            f"Beijing 1954: EPSG:{2401 + zone - 25})"
        )
    if 13 <= zone <= 23 and 1e6 < y < 6e6:
        return (
            f"EPSG:{4491 + zone - 13} (CGCS2000 6° Gauss–Krüger zone {zone}, CM {zone * 6 - 3}°E, "
            "easting with the zone number in front)"
        )
    if 100_000 < x < 900_000 and 1e6 < y < 6e6:
        return (
            "a 3° Gauss–Krüger zone without the zone number: CGCS2000 EPSG:4534–4554 for CM "
            "75°E–135°E (EPSG = 4534 + (CM − 75) / 3; CM 111°E is EPSG:4546); the survey's "
            "metadata names the central meridian"
        )
    if abs(x) <= 180 and abs(y) <= 90:
        return "longitude/latitude: EPSG:4490 (CGCS2000) or EPSG:4326 (WGS 84)"
    return None


def _with_crs_help(problems: list[Problem], frame: pd.DataFrame) -> list[Problem]:
    """Add what the coordinates suggest to a missing-CRS problem."""
    if not any(p.problem.startswith(_NO_CRS) for p in problems):
        return problems
    geoms = _geometries(frame)
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
            f"{p.expected}; the coordinates look like {guess}: pass --crs with it",
        )
        if p.problem.startswith(_NO_CRS)
        else p
        for p in problems
    ]


def _geometries(frame: pd.DataFrame) -> np.ndarray | None:
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
        raise ReadError(
            f"--towgs84 {text!r}: expected 3 or 7 numbers, dx,dy,dz (m) or "
            "dx,dy,dz,rx,ry,rz (arc-seconds),ds (ppm), as the conversion's publication gives them"
        )
    return values


def _datum_shift(
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
    if declared is None or _geometries(frame) is None:
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
            f"the data are in {given.name} (datum {datum}); its shift to CGCS2000 is tens of "
            "metres and needs the parameters published for the area",
            "the 3 or 7 conversion parameters of your province or city: --towgs84 "
            "dx,dy,dz[,rx,ry,rz,ds] (towgs84=...); landplan does not guess them",
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
        f"converted from {given.name} to CGCS2000 with the parameters "
        f"{', '.join(f'{v:g}' for v in values)} (WGS 84 taken as CGCS2000)",
        "the parameters published for the area",
    )
    return shifted, None, [notice]


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


def write_layers(
    layers: Mapping[str, pd.DataFrame],
    path: str | os.PathLike,
    *,
    kind: str | None = None,
    policy: Policy | None = None,
) -> Path:
    """Write a result's layers (:meth:`landplan.result.SpatialResult.layers`) into one GeoPackage.

    The first layer is always written, so the file exists; the others where they have rows.
    ``kind`` is marked in the file as by :func:`write_layer`.
    """
    target = Path(path)
    for i, (name, frame) in enumerate(layers.items()):
        if i == 0:
            write_layer(frame, target, layer=name, kind=kind, policy=policy)
        elif len(frame):
            write_layer(frame, target, layer=name, policy=policy, append=True)
    return target


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
