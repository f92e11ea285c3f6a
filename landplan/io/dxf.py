"""CAD drawings as layers: DXF from surveying software (南方CASS and the like).

A drawing is not a layer: boundaries are closed polylines or hatches, and what a parcel is (its
code, its holder) sits beside it as text or as the attributes of a block inserted inside it.
:func:`read_dxf` turns the drawing into one polygon per closed outline, with the texts and block
attributes that fall inside it joined as columns. A DXF carries no coordinate system: the reader
returns no CRS, and the validator asks for one (``--crs``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

import geopandas as gpd
import pyogrio
import shapely
from pyogrio.errors import DataLayerError, DataSourceError

from landplan.errors import Message, ReadError
from landplan.layers import split_list

__all__ = ["dxf_encoding", "read_dxf"]

_HEADER_VALUE = r"\${name}\s*\r?\n\s*\d+\s*\r?\n([^\r\n]*)"
#: Code pages a drawing names in $DWGCODEPAGE, as GDAL's DXF_ENCODING spells them.
_DWG_CODE_PAGES = {
    "ANSI_936": "CP936",
    "ANSI_950": "CP950",
    "ANSI_932": "CP932",
    "ANSI_949": "CP949",
    "ANSI_1252": "CP1252",
}
#: R2007 (AC1021) and later write DXF text as UTF-8 whatever $DWGCODEPAGE says.
_UTF8_FROM = "AC1021"


def _header(head: bytes, name: str) -> str | None:
    found = re.search(_HEADER_VALUE.format(name=name).encode(), head)
    return found.group(1).decode("ascii", "replace").strip() if found else None


def dxf_encoding(path: str | os.PathLike) -> str:
    """Return the encoding of a DXF's text, for GDAL's ``DXF_ENCODING``.

    R2007 and later drawings are UTF-8. Older ones use the code page in ``$DWGCODEPAGE``; where
    that is a Western one but the text is not, the bytes decide between UTF-8 and GB18030 (a
    drawing saved on Chinese Windows by software that leaves the default header).
    """
    data = Path(path).read_bytes()
    version = _header(data[:65536], "ACADVER") or ""
    if version >= _UTF8_FROM:
        return "UTF-8"
    page = (_header(data[:65536], "DWGCODEPAGE") or "").upper()
    named = _DWG_CODE_PAGES.get(page)
    if named not in (None, "CP1252") or data.isascii():
        return named or "CP1252"
    for codec, gdal_name in (("utf-8", "UTF-8"), ("gb18030", "GB18030")):
        try:
            data.decode(codec)
        except UnicodeDecodeError:
            continue
        return gdal_name
    return named or "CP1252"


def _block_attributes(values: pd.Series) -> list[dict[str, str]]:
    """Each insert's attributes as tag -> text (GDAL gives them as ``"TAG text"`` strings)."""
    out: list[dict[str, str]] = []
    for entry in values.to_numpy(dtype=object):
        pairs: dict[str, str] = {}
        for item in entry if isinstance(entry, list | tuple | np.ndarray) else []:
            tag, _, text = str(item).partition(" ")
            if tag and text.strip():
                pairs[tag.strip()] = text.strip()
        out.append(pairs)
    return out


def _containing(polygons: np.ndarray, points: np.ndarray) -> np.ndarray:
    """For each point, the smallest polygon containing it (-1 where none does)."""
    owner = np.full(len(points), -1, dtype=np.int64)
    if not len(points) or not len(polygons):
        return owner
    tree = shapely.STRtree(polygons)
    point_idx, poly_idx = tree.query(points, predicate="within")
    if not len(point_idx):
        return owner
    # Nested outlines (a parcel inside a block outline): the innermost one owns the label.
    area = shapely.area(polygons)[poly_idx]
    order = np.lexsort((area, point_idx))
    point_idx, poly_idx = point_idx[order], poly_idx[order]
    first = np.r_[True, point_idx[1:] != point_idx[:-1]]
    owner[point_idx[first]] = poly_idx[first]
    return owner


def _joined(owner: np.ndarray, values: list[str], n: int) -> list[str | None]:
    """Join the values falling in each polygon with ';', in drawing order (None where none)."""
    parts: list[list[str]] = [[] for _ in range(n)]
    for k, value in zip(owner, values, strict=True):
        if k >= 0 and value and value not in parts[k]:
            parts[k].append(value)
    return [";".join(p) if p else None for p in parts]


def read_dxf(
    path: str | os.PathLike, *, cad_layers: str | None = None, encoding: str | None = None
) -> gpd.GeoDataFrame:
    """Read a DXF drawing as polygons with the texts and block attributes inside each.

    Parameters
    ----------
    path
        The ``.dxf`` file.
    cad_layers
        The drawing layers holding the outlines (``"JZX"`` or ``"JZX;ZD"``); all layers where
        None. Texts and blocks are joined from every layer.
    encoding
        The text's encoding, where :func:`dxf_encoding` guesses wrong.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per distinct closed polyline or hatch: ``cad_layer``, ``cad_handle``, ``text``
        (the texts inside, joined with ';'), one column per block attribute tag found inside
        (``ZDDM``, ``QLR`` ...), and the polygon, with no CRS.

    Raises
    ------
    ReadError
        If the file is not a readable drawing, or holds no closed outline on the layers named.
    """
    path = Path(path)
    options = {
        "DXF_INLINE_BLOCKS": "FALSE",
        "DXF_CLOSED_LINE_AS_POLYGON": "TRUE",
        "DXF_ENCODING": encoding or dxf_encoding(path),
    }
    from landplan.sample import gdal_options  # the one helper setting GDAL options for a while

    try:
        with gdal_options(options):
            entities = pyogrio.read_dataframe(path, layer="entities", force_2d=True)
    except (DataSourceError, DataLayerError, OSError, RuntimeError) as exc:
        raise ReadError.of("dxf_unreadable", path=path, why=exc) from exc
    geoms = np.asarray(entities.geometry.array, dtype=object)
    kinds = shapely.get_type_id(geoms)
    layer_names = entities.get("Layer", pd.Series([""] * len(entities))).astype(str).to_numpy()
    is_polygon = np.isin(kinds, [3, 6]) & ~shapely.is_empty(geoms)
    wanted = np.ones(len(entities), dtype=bool)
    if cad_layers:
        names = split_list(cad_layers)
        wanted = np.isin(layer_names, names)
    outline = is_polygon & wanted
    if not outline.any():
        counts = pd.Series(layer_names[is_polygon]).value_counts()
        held = ", ".join(f"{k} ({v})" for k, v in counts.items()) or Message("read_none")
        on = Message("dxf_on_layers", layers=cad_layers) if cad_layers else ""
        raise ReadError.of("dxf_no_outline", path=path, on=on, held=held)
    idx = np.flatnonzero(outline)
    # A hatch drawn over its own boundary polyline is one parcel, not two.
    keys = shapely.to_wkb(shapely.normalize(geoms[idx]), output_dimension=2)
    _, first = np.unique(keys, return_index=True)
    idx = idx[np.sort(first)]
    polygons = geoms[idx]
    handles = entities.get("EntityHandle", pd.Series([None] * len(entities))).to_numpy()
    out = pd.DataFrame({"cad_layer": layer_names[idx], "cad_handle": handles[idx]})

    is_point = (kinds == 0) & ~shapely.is_empty(geoms)
    block = entities.get("BlockName", pd.Series([None] * len(entities)))
    text = entities.get("Text", pd.Series([None] * len(entities)))
    labels = np.flatnonzero(is_point & block.isna().to_numpy() & text.notna().to_numpy())
    owner = _containing(polygons, geoms[labels])
    out["text"] = _joined(owner, [str(t).strip() for t in text.to_numpy()[labels]], len(idx))

    inserts = np.flatnonzero(is_point & block.notna().to_numpy())
    if len(inserts) and "BlockAttributes" in entities:
        attributes = _block_attributes(entities["BlockAttributes"].iloc[inserts])
        owner = _containing(polygons, geoms[inserts])
        tags = list(dict.fromkeys(t for a in attributes for t in a))
        for tag in tags:
            if tag in out.columns:
                continue
            out[tag] = _joined(owner, [a.get(tag, "") for a in attributes], len(idx))
    for name in out.columns:
        if out[name].dtype == object or pd.api.types.is_string_dtype(out[name]):
            out[name] = out[name].map(_unescape, na_action="ignore")
    return gpd.GeoDataFrame(out, geometry=list(polygons), crs=None)


_ESCAPE = re.compile(r"\\U\+([0-9A-Fa-f]{4})")


def _unescape(text: object) -> object:
    r"""Decode DXF's ``\U+XXXX`` escapes (characters outside the drawing's code page)."""
    if not isinstance(text, str) or "\\U+" not in text:
        return text
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
