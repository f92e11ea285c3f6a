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

import codecs
import datetime as dt
import math
import os
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

import geopandas as gpd

from landplan import labels as _labels
from landplan.outputs import OUTPUT_MARK, check_replace, writing

__all__ = [
    "FORMULA_PREFIXES",
    "arrow_backed",
    "arrow_text",
    "float_text",
    "header",
    "label_columns",
    "neutralise",
    "number_format",
    "text_width",
    "unneutralise",
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


def unneutralise(value: Any) -> Any:
    """Undo :func:`neutralise`: drop the ``'`` written before text a spreadsheet would evaluate.

    A CSV that landplan wrote (or a spreadsheet saved) reads back as the text it was made from.

    Examples
    --------
    >>> unneutralise("'=HYPERLINK(1)"), unneutralise("'-1"), unneutralise("'园区"), unneutralise(3)
    ('=HYPERLINK(1)', '-1', "'园区", 3)
    """
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
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
    # A shallow copy: with copy-on-write a column replaced below leaves the caller's frame as it
    # was, and a million rows are not copied whole to be written.
    table = pd.DataFrame(frame).copy(deep=False)
    if isinstance(frame, gpd.GeoDataFrame) and frame._geometry_column_name in table.columns:
        table = table.drop(columns=frame._geometry_column_name)
    for name in table.columns:
        col = table[name]
        if isinstance(col.dtype, pd.CategoricalDtype) and _text_categories(col):
            # Text held once per distinct value is written as the text of each row.
            table[name] = _category_text(col)
        elif isinstance(col.dtype, pd.DatetimeTZDtype):
            table[name] = col.dt.tz_localize(None)
        elif isinstance(col.dtype, pd.Int64Dtype):
            table[name] = col.astype("float64") if col.isna().any() else col.astype("int64")
        elif isinstance(col.dtype, pd.BooleanDtype) or (
            pd.api.types.is_string_dtype(col.dtype) and not arrow_backed(col)
        ):
            # Text held in Arrow stays there: the writers read its buffers as they are.
            table[name] = col.astype(object).where(col.notna(), None)
        elif col.dtype == object and _all_dates(col):
            table[name] = pd.to_datetime(col)
    return table


def _text_categories(col: pd.Series) -> bool:
    """Whether a categorical column's categories are all text."""
    categories = col.cat.categories
    return pd.api.types.infer_dtype(categories, skipna=True) in ("string", "empty")


def _category_text(col: pd.Series) -> pd.Series:
    """Return a categorical column of text as pandas' ``str``, each row's text taken by Arrow."""
    import pyarrow as pa
    import pyarrow.compute as pc

    codes = col.cat.codes.to_numpy()
    categories = pa.array(col.cat.categories.to_numpy(dtype=object), type=pa.large_string())
    text = pc.take(categories, pa.array(codes, mask=codes < 0))
    return pd.Series(pd.array(text, dtype="str"), index=col.index, name=col.name)


def _all_dates(col: pd.Series) -> bool:
    kind = pd.api.types.infer_dtype(col, skipna=True)
    if kind != "mixed":
        return kind in ("date", "datetime", "datetime64")
    present = col.dropna()
    return bool(len(present)) and all(
        isinstance(v, dt.date | np.datetime64) and not isinstance(v, bool) for v in present
    )


def _display(frame: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """Return enumeration values as a reader reads them: Chinese unless ``lang`` is ``en``.

    An enumeration column of text or booleans is labelled once per distinct value and the
    labels are taken by Arrow, as :func:`landplan.labels.translate_values` labels it; that
    function labels the rest (a summary's items by their section).
    """
    said: _labels.Lang = "en" if lang == "en" else "zh"
    labelled = {}
    for column in frame.columns:
        if column in _labels.VALUE_COLUMNS:
            shown = _labelled(frame[column], str(column), said)
            if shown is not None:
                labelled[column] = shown
    if not labelled:
        return _labels.translate_values(frame, said)
    out = _labels.translate_values(frame.drop(columns=list(labelled)), said)
    for column, shown in labelled.items():
        out[column] = shown
    return out.loc[:, list(frame.columns)]


def _labelled(values: pd.Series, column: str, lang: _labels.Lang) -> pd.Series | None:
    """Return a column's values by their labels (:func:`landplan.labels.value_label`).

    The labels are Arrow text, missing where the value is; None where the column holds other
    than text or booleans, or a label is not text.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if values.dtype == bool:
        # translate_values labels a boolean by its text, ``True`` or ``False``.
        codes = pa.array(values.to_numpy().astype("int8"))
        uniques = ["False", "True"]
    else:
        text = arrow_text(values)
        if text is None:
            return None
        encoded = pc.dictionary_encode(text)
        codes, uniques = encoded.indices, encoded.dictionary.to_pylist()
    names = [_labels.value_label(column, u, lang) for u in uniques]
    if not all(isinstance(n, str) for n in names):
        return None
    shown = pc.take(pa.array(names, type=pa.string()), codes)
    return shown.to_pandas().set_axis(values.index).rename(values.name)


def arrow_backed(values: pd.Series) -> bool:
    """Whether a text column's values are held in Arrow (pandas' ``str`` dtype)."""
    return isinstance(values.array, pd.arrays.ArrowStringArray)


def arrow_text(values: pd.Series) -> Any:
    """Return a column of text as an Arrow string array, null where missing; None if not text.

    Text already in Arrow is taken as it is, other text without a Python list between.
    """
    import pyarrow as pa

    if arrow_backed(values):
        text = pa.chunked_array(pa.array(values.array)).combine_chunks()
        return text.cast(pa.string())
    if values.dtype != object or pd.api.types.infer_dtype(values, skipna=True) not in (
        "string",
        "empty",
    ):
        return None
    items = values.to_numpy(dtype=object)
    # What pandas takes for missing (None, NaN, NA, NaT) is null, as ``notna`` would say.
    return pa.array(items, type=pa.string(), mask=pd.isna(items))


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


#: Rows of a worksheet, its header included (Excel's limit); a longer table continues on the
#: next sheet, named after it with a number.
EXCEL_ROWS = 1_048_576
# Rows turned into worksheet XML at a time: memory stays flat whatever the table's length.
_CHUNK_ROWS = 20_000


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

    The workbook is written in constant memory, row by row: a sheet of a million rows takes
    no more memory than one of a thousand. A table longer than a worksheet holds
    (:data:`EXCEL_ROWS`, the header included) continues on sheets named ``name (2)``,
    ``name (3)`` ... each with its header.

    Parameters
    ----------
    path
        The ``.xlsx`` file to write (replaced if it exists).
    sheets
        Sheet name -> table; geometry columns are left out (write them with GeoPackage). A
        sheet the label registry names shows its Chinese name on its tab
        (:func:`landplan.labels.sheet_title`) unless ``lang`` is ``en`` or ``translate`` is off.
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
    options = {
        "constant_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    }
    with writing(path, xlsxwriter.exceptions.FileCreateError):
        path.parent.mkdir(parents=True, exist_ok=True)
        book = _workbook_class()(str(path), options)
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


#: How hard the workbook's parts are deflated: level 1 takes a third of the time of zlib's
#: default (6) on worksheet XML, for a file about a quarter bigger.
_DEFLATE_LEVEL = 1


def _workbook_class() -> Any:
    """Return xlsxwriter's ``Workbook`` whose parts are deflated at level ``_DEFLATE_LEVEL``.

    The class is looked up at each call, so what stands for xlsxwriter's is honoured.
    """
    import xlsxwriter

    return _deflating(xlsxwriter.Workbook)


@cache
def _deflating(workbook: Any) -> Any:
    """Return a subclass of ``workbook`` deflating its parts at level ``_DEFLATE_LEVEL``.

    xlsxwriter opens its ZIP file at zlib's default level and has no option for another. The
    subclass runs xlsxwriter's own packaging code with the module's ``ZipFile`` name bound to
    one opened at level ``_DEFLATE_LEVEL``, in a namespace of its own: nothing of xlsxwriter or
    :mod:`zipfile` is changed for other callers. Where that code names no ``ZipFile`` (another
    xlsxwriter), or ``workbook`` is not a class, ``workbook`` is returned as it is.
    """
    import sys
    import types
    import zipfile

    store: Any = getattr(workbook, "_store_workbook", None)
    code = getattr(store, "__code__", None)
    if not isinstance(workbook, type) or code is None or "ZipFile" not in code.co_names:
        return workbook

    class _ZipFile(zipfile.ZipFile):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("compresslevel", _DEFLATE_LEVEL)
            super().__init__(*args, **kwargs)

    names = {**vars(sys.modules[store.__module__]), "ZipFile": _ZipFile}
    stored = types.FunctionType(code, names, store.__name__, store.__defaults__)
    return type(workbook.__name__, (workbook,), {"_store_workbook": stored})


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
        styles = _Styles(
            book=book,
            base=base,
            head=book.add_format(
                {**base, "bold": True, "text_wrap": True, "bg_color": "#EDEDED", "border": 1}
            ),
            text=book.add_format(base),
            quoted=book.add_format({**base, "quote_prefix": True}),
            date=book.add_format({**base, "num_format": "yyyy-mm-dd"}),
        )
        for name, frame in zip(_tabs(sheets, lang, translate), sheets.values(), strict=True):
            table = _plain_table(frame)
            shown = _display(table, lang) if translate else table
            titles = [header(str(c), lang, labels) for c in table.columns]
            for sheet_name, rows in _sheet_parts(name, len(table)):
                _write_sheet(
                    book.add_worksheet(sheet_name),
                    table.iloc[rows],
                    shown.iloc[rows],
                    titles,
                    styles,
                    title,
                )
    finally:
        book.close()


def _tabs(sheets: Mapping[str, pd.DataFrame], lang: Lang, translate: bool) -> list[str]:
    """Return the sheets' tabs: Chinese names unless the workbook is English or read back.

    Where two sheets would get one Chinese name, each keeps its identifier.
    """
    names = [str(n) for n in sheets]
    if not translate or lang == "en":
        return names
    tabs = [_labels.sheet_title(n, "zh") for n in names]
    return [t if tabs.count(t) == 1 else n for t, n in zip(tabs, names, strict=True)]


def _sheet_parts(name: str, rows: int) -> list[tuple[str, slice]]:
    """Return the sheets a table of ``rows`` rows takes: (sheet name, its rows)."""
    per_sheet = EXCEL_ROWS - 1
    parts = max(1, math.ceil(rows / per_sheet))
    out = []
    for k in range(parts):
        suffix = f" ({k + 1})" if k else ""
        out.append((name[: 31 - len(suffix)] + suffix, slice(k * per_sheet, (k + 1) * per_sheet)))
    return out


@dataclass
class _Styles:
    """The workbook's cell formats: one per number format, plus header, text, quoted, date."""

    book: Any
    base: dict[str, Any]
    head: Any
    text: Any
    quoted: Any
    date: Any
    numbers: dict[str, Any] = field(default_factory=dict)

    def number(self, fmt: str) -> Any:
        if fmt not in self.numbers:
            self.numbers[fmt] = self.book.add_format({**self.base, "num_format": fmt})
        return self.numbers[fmt]


def _write_sheet(
    sheet: Any,
    table: pd.DataFrame,
    shown: pd.DataFrame,
    titles: list[str],
    styles: _Styles,
    title: str | None,
) -> None:
    widths, cells = [], []
    for i, (column, title_text) in enumerate(zip(table.columns, titles, strict=True)):
        values = shown[column]
        fmt = number_format(str(column), table[column])
        cell = styles.text
        if fmt is not None:
            cell = styles.number(fmt)
        elif pd.api.types.is_datetime64_any_dtype(values):
            cell = styles.date
        sheet.write_string(0, i, title_text, styles.head)
        widths.append(_column_width(title_text, values, fmt))
        sheet.set_column(i, i, widths[-1], cell)
        cells.append((i, values, cell))
    # Row heights are set before their row is written: a constant-memory sheet cannot go back.
    sheet.set_row(0, 30)
    _write_rows(sheet, cells, len(table), styles)
    _page_setup(sheet, len(table), widths, title)


def _write_rows(sheet: Any, columns: list, rows: int, styles: _Styles) -> None:
    """Write the data rows below the header as worksheet XML, a chunk of rows at a time.

    The cells are those xlsxwriter writes (inline strings, numbers, dates as serial numbers,
    booleans) with the same escapes; building each column's cells with Arrow's string kernels
    takes a fraction of the time of a call per cell.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if not rows or not columns:
        return
    sheet._write_single_row(1)  # the header row goes out before the first data row
    out = sheet.row_data_fh
    for start in range(0, rows, _CHUNK_ROWS):
        stop = min(start + _CHUNK_ROWS, rows)
        refs = pa.array(np.arange(start + 2, stop + 2)).cast(pa.string())
        made = [
            _cells(xl_column(i), values.iloc[start:stop], cell, refs, styles)
            for i, values, cell in columns
        ]
        opened = pc.binary_join_element_wise('<row r="', refs, '">', "")
        joined = pc.binary_join_element_wise(opened, *made, "</row>", "")
        # The rows' bytes go to the sheet's file under its text layer, from Arrow's buffer: no
        # Python string per row. The text layer is flushed first, so the order holds.
        out.flush()
        out.buffer.write(_utf8_bytes(joined))
    # What xlsxwriter records of a row written through it: the sheet's extent, the last row.
    sheet._check_dimensions(rows, len(columns) - 1)
    sheet.previous_row = rows + 1


def xl_column(index: int) -> str:
    """Return a worksheet column's letters (0 -> ``A``, 26 -> ``AA``)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# Days from Excel's day 0 (1899-12-30 for every date after February 1900) to 1970-01-01.
_EXCEL_EPOCH = np.datetime64("1899-12-30", "ns")
# Text whose cell needs more than XML's three escapes: control characters, what Excel would read
# as an escaped one, whitespace to preserve at either end; it is written one cell at a time.
_ODD_TEXT = r"[\x00-\x08\x0b-\x1f]|_x[0-9a-fA-F]{4}_|^\s|\s$"


def _cells(letter: str, values: pd.Series, cell: Any, refs: Any, styles: _Styles) -> Any:
    """Return one column's cells as worksheet XML (an Arrow array), ``""`` where missing."""
    import pyarrow as pa

    if pd.api.types.is_bool_dtype(values):
        flags = pa.array(values.to_numpy(bool).astype("int8")).cast(pa.string())
        return _joined(letter, refs, f'" s="{cell._get_xf_index()}" t="b"><v>', flags, "</v></c>")
    if pd.api.types.is_datetime64_any_dtype(values):
        serial = (values.to_numpy("datetime64[ns]") - _EXCEL_EPOCH) / np.timedelta64(1, "D")
        return _number_cells(letter, serial, styles.date._get_xf_index(), refs)
    if pd.api.types.is_numeric_dtype(values):
        return _number_cells(letter, values.to_numpy("float64"), cell._get_xf_index(), refs)
    text = arrow_text(values)
    if text is not None:
        return _text_cells(letter, text, cell, refs, styles)
    items = values.astype(object).where(values.notna(), None).tolist()
    rows = refs.to_pylist()
    return pa.array(
        [_any_cell(letter, r, v, cell, styles) for r, v in zip(rows, items, strict=True)]
    )


def _joined(letter: str, refs: Any, middle: str, values: Any, end: str) -> Any:
    """Return ``<c r="{letter}{ref}{middle}{value}{end}`` per row, ``""`` where value is null."""
    import pyarrow.compute as pc

    return pc.fill_null(
        pc.binary_join_element_wise(f'<c r="{letter}', refs, middle, values, end, ""), ""
    )


def _number_cells(letter: str, numbers: np.ndarray, s: int, refs: Any) -> Any:
    import pyarrow as pa

    finite = np.isfinite(numbers)
    # Arrow writes each number in the fewest digits that read back as the same double.
    text = pa.array(numbers, mask=~finite).cast(pa.string())
    return _joined(letter, refs, f'" s="{s}"><v>', text, "</v></c>")


def _text_cells(letter: str, text: Any, cell: Any, refs: Any, styles: _Styles) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    odd = pc.fill_null(
        pc.or_(pc.match_substring_regex(text, _ODD_TEXT), pc.greater(pc.utf8_length(text), 16_000)),
        False,
    )
    quote = _starting_with(text, FORMULA_PREFIXES)
    plain, quoted = cell._get_xf_index(), styles.quoted._get_xf_index()
    style = pc.if_else(
        pa.array(quote),
        f'" s="{quoted}" t="inlineStr"><is><t>',
        f'" s="{plain}" t="inlineStr"><is><t>',
    )
    escaped = text
    marked = _holding(text, "&<>")
    if marked.any():
        # Only the rows holding a character to escape are rewritten.
        rows = pa.array(marked)
        part = text.filter(rows)
        for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
            part = pc.replace_substring(part, char, entity)
        escaped = pc.replace_with_mask(text, rows, part)
    made = _joined(
        letter, refs, "", pc.binary_join_element_wise(style, escaped, ""), "</t></is></c>"
    )
    where = np.flatnonzero(odd.to_numpy(zero_copy_only=False))
    if len(where) == 0:
        return made
    rows = refs.to_pylist()
    fixed = made.to_pylist()
    for i in where:
        s = quoted if quote[i] else plain
        fixed[i] = _string_cell(f"{letter}{rows[i]}", s, text[i].as_py())
    return pa.array(fixed, type=pa.string())


def _string_cell(ref: str, s: int, text: str) -> str:
    """Return an inline string cell as xlsxwriter writes one, with its escapes."""
    from xlsxwriter.utility import _preserve_whitespace, _utf16_len, _utf16_truncate
    from xlsxwriter.xmlwriter import XMLwriter

    if _utf16_len(text) > 32_767:
        text = _utf16_truncate(text, 32_767)
    text = XMLwriter._escape_control_characters(text)
    space = ' xml:space="preserve"' if _preserve_whitespace(text) else ""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<c r="{ref}" s="{s}" t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _any_cell(letter: str, r: str, value: Any, cell: Any, styles: _Styles) -> str:
    """Return the cell of one value of a column holding several kinds (a summary's values)."""
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, bool | np.bool_):
        return f'<c r="{letter}{r}" s="{cell._get_xf_index()}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, dt.date | np.datetime64):
        days = (np.datetime64(pd.Timestamp(value).to_datetime64(), "ns") - _EXCEL_EPOCH) / (
            np.timedelta64(1, "D")
        )
        return _number_cells(letter, np.array([days]), styles.date._get_xf_index(), [r])[0].as_py()
    if isinstance(value, int | float | np.integer | np.floating):
        return _number_cells(letter, np.array([float(value)]), cell._get_xf_index(), [r])[0].as_py()
    text = str(value)
    s = (styles.quoted if text.startswith(FORMULA_PREFIXES) else cell)._get_xf_index()
    return _string_cell(f"{letter}{r}", s, text)


# Characters of column width an A4 landscape page holds at a scale still easy to read (~75 %).
_PAGE_CHARS = 200


def _page_setup(sheet: Any, rows: int, widths: list[float], title: str | None) -> None:
    columns = len(widths)
    sheet.freeze_panes(1, 1 if columns > 8 else 0)
    if columns:
        sheet.autofilter(0, 0, max(rows, 1), columns - 1)
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
    """Write one table as a CSV file (see :func:`write_csvs`); dates as ``YYYY-MM-DD``.

    Rows end in CRLF (RFC 4180); a value holding a comma, a quote or a line break is quoted;
    numbers read back as the same double. Each column becomes text with Arrow's kernels, so
    a million rows take seconds, not minutes.
    """
    import pyarrow.compute as pc

    path = Path(path)
    table = _plain_table(frame)
    if lang != "en":
        table = _display(table, lang)
    titles = [_csv_field(str(c)) for c in label_columns(table, lang, labels).columns]
    with writing(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as out:
            out.write(codecs.BOM_UTF8 + (",".join(titles) + "\r\n").encode("utf-8"))
            for start in range(0, len(table), _CHUNK_ROWS * 5):
                chunk = table.iloc[start : start + _CHUNK_ROWS * 5]
                fields = [_csv_text(chunk[c]) for c in chunk.columns]
                if fields:
                    # The row's end goes on its last field: the joined rows are not copied again.
                    fields[-1] = pc.binary_join_element_wise(fields[-1], "\r\n", "")
                    out.write(_utf8_bytes(_csv_lines(fields)))
    return path


def _utf8_bytes(text: Any) -> Any:
    """Return an Arrow text array's characters end to end, as the bytes of its data buffer.

    The rows are written from Arrow's own buffer: no Python string is made per row.
    """
    offsets, data = _text_buffers(text)
    return data[offsets[0] : offsets[-1]].data


def _text_buffers(text: Any) -> tuple[np.ndarray, np.ndarray]:
    """Return an Arrow string array's offsets (one past each row's end too) and its bytes.

    Row ``i`` is ``data[offsets[i]:offsets[i + 1]]``, read in place in Arrow's buffers.
    """
    import pyarrow as pa

    if text.type != pa.string():
        text = text.cast(pa.string())
    buffers = text.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int32)[text.offset : text.offset + len(text) + 1]
    data = (
        np.frombuffer(buffers[2], dtype=np.uint8)
        if buffers[2] is not None
        else np.zeros(0, np.uint8)
    )
    if not len(offsets):
        offsets = np.zeros(1, np.int32)
    return offsets, data


def _valid(text: Any) -> np.ndarray:
    """Return which rows of an Arrow array hold a value."""
    if not text.null_count:
        return np.ones(len(text), dtype=bool)
    return text.is_valid().to_numpy(zero_copy_only=False)


def _starting_with(text: Any, prefixes: tuple[str, ...]) -> np.ndarray:
    """Return which rows of an Arrow text array start with one of one-character prefixes.

    The prefixes are ASCII, so a row's first byte tells: no other UTF-8 byte equals one.
    """
    offsets, data = _text_buffers(text)
    starts = offsets[:-1]
    filled = (offsets[1:] > starts) & _valid(text)
    first = np.zeros(len(starts), dtype=np.uint8)
    first[filled] = data[starts[filled]]
    return filled & np.isin(first, np.frombuffer("".join(prefixes).encode("ascii"), np.uint8))


def _holding(text: Any, chars: str) -> np.ndarray:
    """Return which rows of an Arrow text array hold one of some ASCII characters anywhere."""
    offsets, data = _text_buffers(text)
    lo = int(offsets[0])
    span = data[lo : int(offsets[-1])]
    hit = np.zeros(len(span), dtype=bool)
    for char in chars.encode("ascii"):
        hit |= span == char
    rows = np.searchsorted(offsets, np.flatnonzero(hit) + lo, side="right") - 1
    out = np.zeros(len(offsets) - 1, dtype=bool)
    out[rows] = True
    return out & _valid(text)


def _csv_lines(columns: list) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(columns) == 1:
        return columns[0]
    if not columns:
        return pa.array([], type=pa.string())
    return pc.binary_join_element_wise(*columns, ",")


def _csv_field(text: str) -> str:
    """Return one CSV field: quoted, inner quotes doubled, where it holds , " CR or LF."""
    if any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_text(values: pd.Series) -> Any:
    """Return a column as CSV fields (an Arrow string array, ``""`` where missing)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pd.api.types.is_bool_dtype(values):
        return pa.array(np.where(values.to_numpy(bool), "True", "False"), type=pa.string())
    if pd.api.types.is_datetime64_any_dtype(values):
        stamps = pa.array(values.to_numpy("datetime64[ns]"), mask=values.isna().to_numpy())
        return pc.fill_null(pc.strftime(stamps, format="%Y-%m-%d"), "")
    if pd.api.types.is_integer_dtype(values):
        return pa.array(values.to_numpy()).cast(pa.string())
    if pd.api.types.is_float_dtype(values):
        return pc.fill_null(float_text(values.to_numpy("float64")), "")
    text = arrow_text(values)
    if text is None:
        items = values.astype(object).where(values.notna(), None).tolist()
        text = pa.array([_csv_value(v) for v in items], type=pa.string())
    return pc.fill_null(_csv_fields(text), "")


def _csv_fields(text: Any) -> Any:
    """Return Arrow text as CSV fields: formulas neutralised, then quoted where RFC 4180 asks.

    Which rows need either is read from the text's bytes; only those rows are rewritten.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    live = _starting_with(text, FORMULA_PREFIXES)
    quote = _holding(text, ',"\r\n')  # the apostrophe added below adds none of these
    if live.any():
        rows = pa.array(live)
        text = pc.replace_with_mask(
            text, rows, pc.binary_join_element_wise("'", text.filter(rows), "")
        )
    if quote.any():
        rows = pa.array(quote)
        doubled = pc.replace_substring(text.filter(rows), '"', '""')
        text = pc.replace_with_mask(text, rows, pc.binary_join_element_wise('"', doubled, '"', ""))
    return text


def float_text(numbers: np.ndarray) -> Any:
    """Return numbers as Python writes them (``repr``), as an Arrow string array; NaN is null.

    Arrow and Python write the same shortest digits that read back as the same double, and
    the same fixed notation from 1e-4 up to the exponents Arrow starts at; a whole number
    gains Python's ``.0`` (``15.0``: the column reads back as one of floats). Where the two
    notations part (below 1e-4, and where Arrow writes an exponent of its own form), Python
    writes the number: magnitudes the zone's figures seldom reach.

    A column that repeats its values (counts, thresholds, rounded figures) is written once
    per distinct value, told apart by its bits, so ``-0.0`` stays apart from ``0.0``.

    Examples
    --------
    >>> float_text(np.array([15.0, 0.1, 1e-5, 1e15, np.nan])).to_pylist()
    ['15.0', '0.1', '1e-05', '1000000000000000.0', None]
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    numbers = np.asarray(numbers, dtype="float64")
    if _repeats(numbers):
        codes, uniques = pd.factorize(numbers.view(np.int64))
        return pc.take(_float_text(uniques.view(np.float64)), pa.array(codes))
    return _float_text(numbers)


# Values sampled from a column to tell whether it repeats them enough to be written once per
# distinct value; it does when at most half of the sample is distinct.
_DISTINCT_SAMPLE = 4_096


def _repeats(numbers: np.ndarray) -> bool:
    """Whether a column holds few enough distinct values to write each of them once."""
    if len(numbers) < 2 * _DISTINCT_SAMPLE:
        return False
    sample = numbers[:: len(numbers) // _DISTINCT_SAMPLE].view(np.int64)
    return 2 * len(pd.unique(sample)) <= len(sample)


def _float_text(numbers: np.ndarray) -> Any:
    """Return each number as :func:`float_text` says, one Arrow cast for the whole array."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pa.array(numbers, mask=np.isnan(numbers)).cast(pa.string())
    # Arrow writes a whole number without a point (or with an exponent, replaced below); only
    # those rows are rewritten.
    whole = np.isfinite(numbers) & (np.trunc(numbers) == numbers)
    if whole.any():
        rows = pa.array(whole)
        pointed = pc.binary_join_element_wise(text.filter(rows), ".0", "")
        text = pc.replace_with_mask(text, rows, pointed)
    magnitude = np.abs(numbers)
    apart = pc.or_(
        pc.fill_null(pc.match_substring(text, "e"), False),
        pa.array((magnitude > 0) & (magnitude < 1e-4)),
    )
    where = np.flatnonzero(apart.to_numpy(zero_copy_only=False))
    if not len(where):
        return text
    python = pa.array([repr(x) for x in numbers[where].tolist()], type=pa.string())
    return pc.replace_with_mask(text, apart, python)


def _csv_value(value: Any) -> str | None:
    """Return one value of a column holding several kinds as CSV text (before neutralising)."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, dt.datetime | pd.Timestamp | np.datetime64):
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    if isinstance(value, np.generic):
        value = value.item()
    return str(value) if not isinstance(value, float) else repr(value)
