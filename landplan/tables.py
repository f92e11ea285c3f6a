"""Writing result tables: XLSX workbooks with bilingual headers, CSV files, GeoPackage layers.

Every analysis writes its tables through :func:`write_workbook` and :func:`write_csvs`, so headers
are labelled the same way everywhere: ``英文标识 / 中文`` pairs drawn from the layer schemas and
from the labels each writer passes for its own result columns. Labels are passed per call, not
registered globally, so two analyses may label a column of the same name each in its own sense
(``source``: a regulation cited by the audit, where a site came from in the allocation).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Literal

import pandas as pd

import geopandas as gpd

from landplan.layers import LAYERS
from landplan.outputs import OUTPUT_MARK, check_replace

__all__ = ["header", "label_columns", "write_csvs", "write_workbook"]

Lang = Literal["en", "zh", "both"]

_SCHEMA_LABELS: dict[str, str] = {}
for _layer in LAYERS.values():
    for _col in _layer.columns:
        _SCHEMA_LABELS.setdefault(_col.name, _col.zh)


def header(column: str, lang: Lang = "both", labels: Mapping[str, str] | None = None) -> str:
    """Return a column's header: the identifier, its Chinese label, or ``identifier / 中文``.

    ``labels`` (column -> Chinese) come before the layer schemas' own aliases.
    """
    zh = (labels or {}).get(column) or _SCHEMA_LABELS.get(column)
    if lang == "en" or zh is None:
        return column
    if lang == "zh":
        return zh
    return f"{column} / {zh}"


def label_columns(
    frame: pd.DataFrame, lang: Lang = "both", labels: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Return a copy with headers labelled by :func:`header`."""
    return frame.rename(columns={c: header(str(c), lang, labels) for c in frame.columns})


def _plain_table(frame: pd.DataFrame) -> pd.DataFrame:
    table = pd.DataFrame(frame).copy()
    if isinstance(frame, gpd.GeoDataFrame) and frame._geometry_column_name in table.columns:
        table = table.drop(columns=frame._geometry_column_name)
    for name in table.columns:
        col = table[name]
        if pd.api.types.is_datetime64_any_dtype(col):
            table[name] = col.dt.strftime("%Y-%m-%d").where(col.notna(), None)
        elif isinstance(col.dtype, pd.BooleanDtype | pd.Int64Dtype) or pd.api.types.is_string_dtype(
            col.dtype
        ):
            table[name] = col.astype(object).where(col.notna(), None)
    return table


def write_workbook(
    path: str | os.PathLike,
    sheets: Mapping[str, pd.DataFrame],
    *,
    lang: Lang = "both",
    labels: Mapping[str, str] | None = None,
    created: datetime | None = None,
    kind: str | None = None,
) -> Path:
    """Write several tables into one XLSX workbook, one sheet each, with labelled headers.

    Parameters
    ----------
    path
        The ``.xlsx`` file to write (replaced if it exists).
    sheets
        Sheet name -> table; geometry columns are left out (write them with GeoPackage).
    lang
        Headers in English identifiers, Chinese, or both.
    labels
        Chinese labels of the result's own columns (column -> label).
    created
        The document's creation time; fixing it makes the file reproducible byte for byte.
    kind
        What the workbook is (``match``, ``review`` ...; ``workbook`` by default), marked in it:
        an existing file at ``path`` is replaced only if it is landplan's output of that kind.
    """
    path = Path(path)
    kind = kind or "workbook"
    check_replace(path, kind, parts=sheets)
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
        book = writer.book
        book.set_properties({"created": created or datetime(2000, 1, 1)})
        book.set_custom_property(OUTPUT_MARK, kind)
        bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        for name, frame in sheets.items():
            table = label_columns(_plain_table(frame), lang, labels)
            sheet_name = name[:31]
            table.to_excel(writer, sheet_name=sheet_name, index=False)
            sheet = writer.sheets[sheet_name]
            for i, col in enumerate(table.columns):
                sheet.write(0, i, col, bold)
                width = max(
                    [len(str(col)) // 2 + 4, *(min(len(str(v)), 40) for v in table[col].head(50))]
                )
                sheet.set_column(i, i, min(width + 2, 50))
            sheet.freeze_panes(1, 0)
    return path


def write_csvs(
    directory: str | os.PathLike,
    tables: Mapping[str, pd.DataFrame],
    *,
    lang: Lang = "en",
    labels: Mapping[str, str] | None = None,
) -> dict[str, Path]:
    """Write each table as ``<name>.csv`` (UTF-8 with BOM, so Excel shows Chinese correctly)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, frame in tables.items():
        path = directory / f"{name}.csv"
        label_columns(_plain_table(frame), lang, labels).to_csv(
            path, index=False, encoding="utf-8-sig"
        )
        out[name] = path
    return out
