"""Writing result tables: XLSX workbooks fit to send, and CSV files.

Every table landplan writes goes through :func:`write_workbook` or :func:`write_csvs`, so it reads
the same everywhere: headers and enumeration values through the one label registry
(:mod:`landplan.labels`), numbers in formats of their unit (亩 and 万元 with two decimals,
square metres whole, thousands apart), dates as dates, columns wide enough for their Chinese
text, a frozen header with a filter, and pages set up to print (A4 landscape, one page wide,
the header repeated on every page).

Text from data is never a formula: in a workbook every string is a text cell (one starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return is marked as quoted text, as Excel itself
does when such text is typed with a leading apostrophe); in a CSV such text is prefixed with an
apostrophe, the usual neutralisation, so a spreadsheet opening the file does not evaluate it.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import unicodedata
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

import geopandas as gpd

from landplan import labels as _labels
from landplan.outputs import OUTPUT_MARK, check_replace, writing

__all__ = [
    "FORMULA_PREFIXES",
    "header",
    "label_columns",
    "neutralise",
    "number_format",
    "text_width",
    "write_csv",
    "write_csvs",
    "write_workbook",
]

Lang = Literal["en", "zh", "both"]

#: First characters that make a spreadsheet read text as a formula (OWASP's list).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

#: The Chinese labels of every known column (an alias of the registry's, for older callers).
_SCHEMA_LABELS: dict[str, str] = _labels.zh_labels()


def header(column: str, lang: Lang = "both", labels: Mapping[str, str] | None = None) -> str:
    """Return a column's header: the identifier, its Chinese label, or ``identifier / 中文``.

    ``labels`` (column -> Chinese) come before the registry's (:mod:`landplan.labels`).
    """
    zh = (labels or {}).get(column)
    if zh is None:
        return _labels.header(column, lang)
    if lang == "en":
        return column
    return zh if lang == "zh" else f"{column} / {zh}"


def label_columns(
    frame: pd.DataFrame, lang: Lang = "both", labels: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Return a copy with headers labelled by :func:`header`."""
    return frame.rename(columns={c: header(str(c), lang, labels) for c in frame.columns})


def neutralise(value: Any) -> Any:
    """Return text that a spreadsheet would evaluate as a formula, prefixed with ``'``.

    Examples
    --------
    >>> neutralise("=HYPERLINK(1)"), neutralise("-1"), neutralise("园区"), neutralise(3)
    ("'=HYPERLINK(1)", "'-1", '园区', 3)
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def text_width(text: object) -> int:
    """Return how many columns a text takes on screen: two for each wide (CJK) character."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


# Number formats by the unit a column's name carries; the first matching suffix wins.
_FORMATS: tuple[tuple[str, str], ...] = (
    ("_wan_yuan_per_mu", "#,##0.00"),
    ("_wan_yuan", "#,##0.00"),
    ("_yi_yuan", "#,##0.00"),
    ("_mu", "#,##0.00"),
    ("_m2", "#,##0"),
    ("_kn_m2", "0.0"),
    ("_m", "#,##0.0"),
    ("_kva", "#,##0"),
    ("_tce", "#,##0.00"),
)
_PERCENT = {"coverage", "vacancy", "share", "invested_share", "built_share", "probability"}
_RATIO = {"far", "far_min", "far_max", "far_min_required", "target_far", "rd_intensity", "mip_gap"}


def number_format(column: str, values: pd.Series) -> str | None:
    """Return the Excel number format of a numeric column, from its unit or kind; None if text."""
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return None
    if column in _PERCENT:
        return "0.0%"
    if column in _RATIO:
        return "0.00"
    if column.startswith("score") or column == "weight":
        return "0.00"
    for suffix, fmt in _FORMATS:
        if column.endswith(suffix):
            return fmt
    if pd.api.types.is_integer_dtype(values):
        return "#,##0"
    return "#,##0.00"


def _plain_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the table without geometry, nullable dtypes as plain ones, dates as datetimes."""
    table = pd.DataFrame(frame).copy()
    if isinstance(frame, gpd.GeoDataFrame) and frame._geometry_column_name in table.columns:
        table = table.drop(columns=frame._geometry_column_name)
    for name in table.columns:
        col = table[name]
        if isinstance(col.dtype, pd.DatetimeTZDtype):
            table[name] = col.dt.tz_localize(None)
        elif isinstance(col.dtype, pd.Int64Dtype):
            table[name] = col.astype("float64") if col.isna().any() else col.astype("int64")
        elif isinstance(col.dtype, pd.BooleanDtype) or pd.api.types.is_string_dtype(col.dtype):
            table[name] = col.astype(object).where(col.notna(), None)
        elif col.dtype == object and _all_dates(col):
            table[name] = pd.to_datetime(col)
    return table


def _all_dates(col: pd.Series) -> bool:
    present = col.dropna()
    return bool(len(present)) and all(
        isinstance(v, dt.date | np.datetime64) and not isinstance(v, bool) for v in present
    )


def _display(frame: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """Return enumeration values as a reader reads them: Chinese unless ``lang`` is ``en``."""
    return _labels.translate_values(frame, "en" if lang == "en" else "zh")


_MAX_WIDTH = 60
_HEADER_WIDTH = 24  # headers wrap: a long one does not widen its column past this


def _column_width(title: str, values: pd.Series, fmt: str | None) -> float:
    sample = values.head(500)
    if fmt is not None:
        numbers = [v for v in sample if isinstance(v, int | float) and math.isfinite(v)]
        widths = [len(f"{v:,.2f}") for v in numbers]
    elif pd.api.types.is_datetime64_any_dtype(sample):
        widths = [10]
    else:
        widths = [text_width(v) for v in sample if v is not None and v == v]
    head = min(text_width(title), _HEADER_WIDTH)
    return float(min(max([head, *widths, 6]) + 2, _MAX_WIDTH))


def write_workbook(
    path: str | os.PathLike,
    sheets: Mapping[str, pd.DataFrame],
    *,
    lang: Lang = "both",
    labels: Mapping[str, str] | None = None,
    created: datetime | None = None,
    title: str | None = None,
    translate: bool = True,
    kind: str | None = None,
) -> Path:
    """Write several tables into one XLSX workbook, one sheet each, ready to read and print.

    Parameters
    ----------
    path
        The ``.xlsx`` file to write (replaced if it exists).
    sheets
        Sheet name -> table; geometry columns are left out (write them with GeoPackage).
    lang
        Headers in English identifiers, Chinese, or ``identifier / 中文``; enumeration values in
        English for ``en``, else in Chinese.
    labels
        Chinese labels that override the registry's for this call (column -> label).
    created
        The document's creation time; fixing it makes the file reproducible byte for byte.
    title
        The document's title (file properties), printed in each page's header where given.
    translate
        Label enumeration values (the default); False keeps identifiers, for a file to be read
        back (an export).
    kind
        What the workbook is (``match``, ``review`` ...; ``workbook`` by default), marked in it:
        an existing file at ``path`` is replaced only if it is landplan's output of that kind.
    """
    import xlsxwriter

    path = Path(path)
    kind = kind or "workbook"
    check_replace(path, kind, parts=sheets)
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    with writing(path, xlsxwriter.exceptions.FileCreateError):
        path.parent.mkdir(parents=True, exist_ok=True)
        book = xlsxwriter.Workbook(str(path), options)
        _write_sheets(
            book,
            sheets,
            lang=lang,
            labels=labels,
            translate=translate,
            title=title,
            created=created,
            kind=kind,
        )
    return path


def _write_sheets(
    book: Any,
    sheets: Mapping[str, pd.DataFrame],
    *,
    lang: Lang,
    labels: Mapping[str, str] | None,
    translate: bool,
    title: str | None,
    created: datetime | None,
    kind: str,
) -> None:
    """Fill a new workbook with one formatted sheet per table, and close it."""
    try:
        book.set_properties({"created": created or datetime(2000, 1, 1), "title": title or ""})
        book.set_custom_property(OUTPUT_MARK, kind)
        base = {"font_name": "等线", "font_size": 10, "valign": "top"}
        head = book.add_format(
            {**base, "bold": True, "text_wrap": True, "bg_color": "#EDEDED", "border": 1}
        )
        text = book.add_format(base)
        quoted = book.add_format({**base, "quote_prefix": True})
        date = book.add_format({**base, "num_format": "yyyy-mm-dd"})
        formats: dict[str, Any] = {}
        for name, frame in sheets.items():
            table = _plain_table(frame)
            shown = _display(table, lang) if translate else table
            titles = [header(str(c), lang, labels) for c in table.columns]
            sheet = book.add_worksheet(name[:31])
            widths = []
            for i, (column, title_text) in enumerate(zip(table.columns, titles, strict=True)):
                values = shown[column]
                fmt = number_format(str(column), table[column])
                cell = text
                if fmt is not None:
                    cell = formats.setdefault(fmt, book.add_format({**base, "num_format": fmt}))
                elif pd.api.types.is_datetime64_any_dtype(values):
                    cell = date
                sheet.write_string(0, i, title_text, head)
                _write_column(sheet, i, values, cell, quoted, date)
                widths.append(_column_width(title_text, values, fmt))
                sheet.set_column(i, i, widths[-1], cell)
            _page_setup(sheet, len(table), widths, title)
    finally:
        book.close()


def _write_column(sheet: Any, col: int, values: pd.Series, cell: Any, quoted: Any, date: Any):
    is_date = pd.api.types.is_datetime64_any_dtype(values)
    for row, value in enumerate(values.tolist(), start=1):
        if value is None or value is pd.NaT:
            continue
        if isinstance(value, float) and not math.isfinite(value):
            continue
        if is_date or isinstance(value, dt.date):
            sheet.write_datetime(row, col, pd.Timestamp(value).to_pydatetime(), date)
        elif isinstance(value, bool | np.bool_):
            sheet.write_boolean(row, col, bool(value), cell)
        elif isinstance(value, int | float | np.integer | np.floating):
            sheet.write_number(row, col, float(value), cell)
        else:
            text = str(value)
            live = text.startswith(FORMULA_PREFIXES)
            sheet.write_string(row, col, text, quoted if live else cell)


# Characters of column width an A4 landscape page holds at a scale still easy to read (~75 %).
_PAGE_CHARS = 200


def _page_setup(sheet: Any, rows: int, widths: list[float], title: str | None) -> None:
    columns = len(widths)
    sheet.freeze_panes(1, 1 if columns > 8 else 0)
    if columns:
        sheet.autofilter(0, 0, max(rows, 1), columns - 1)
    sheet.set_row(0, 30)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    # Fit to the page's width; a table too wide to read on one page goes over several pages
    # side by side, each repeating the id column, rather than shrinking to illegible type.
    sheet.fit_to_pages(max(1, math.ceil(sum(widths) / _PAGE_CHARS)), 0)
    sheet.repeat_rows(0)
    if columns > 8:
        sheet.repeat_columns(0)
    sheet.set_margins(left=0.5, right=0.5, top=0.7, bottom=0.7)
    if title:
        sheet.set_header(f"&C{title.replace('&', '&&')}")
    sheet.set_footer("&C第 &P 页，共 &N 页")


def write_csvs(
    directory: str | os.PathLike,
    tables: Mapping[str, pd.DataFrame],
    *,
    lang: Lang = "en",
    labels: Mapping[str, str] | None = None,
) -> dict[str, Path]:
    """Write each table as ``<name>.csv`` (UTF-8 with BOM, so Excel shows Chinese correctly).

    ``en`` keeps identifiers in headers and values, for scripts; ``zh`` and ``both`` label them.
    Text a spreadsheet would take for a formula is neutralised (:func:`neutralise`).
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, frame in tables.items():
        path = directory / f"{name}.csv"
        write_csv(frame, path, lang=lang, labels=labels)
        out[name] = path
    return out


def write_csv(
    frame: pd.DataFrame,
    path: str | os.PathLike,
    *,
    lang: Lang = "en",
    labels: Mapping[str, str] | None = None,
) -> Path:
    """Write one table as a CSV file (see :func:`write_csvs`); dates as ``YYYY-MM-DD``."""
    path = Path(path)
    table = _plain_table(frame)
    if lang != "en":
        table = _display(table, lang)
    for name in table.columns:
        col = table[name]
        if pd.api.types.is_datetime64_any_dtype(col):
            table[name] = col.dt.strftime("%Y-%m-%d").where(col.notna(), None)
        elif col.dtype == object:
            table[name] = col.map(neutralise)
    # CRLF rows (RFC 4180) make the writer quote a carriage return inside a value too.
    with writing(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        label_columns(table, lang, labels).to_csv(
            path, index=False, encoding="utf-8-sig", lineterminator="\r\n"
        )
    return path
