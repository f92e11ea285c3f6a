"""Problem reports: every problem a validation or import found, in a file a planner can filter.

The screen shows a per-column summary and the first rows; :func:`write_problems` writes all of
them (problems that refused the import and warnings that did not) to CSV or XLSX, with Chinese
and English headers and what is wrong and what was expected in the reader's language. The file,
feature and column stay as the data name them, for filtering. Text from the data is written so
that no spreadsheet runs it as a formula.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from landplan.errors import Problem, ReadError
from landplan.labels import Lang, bilingual

__all__ = ["SUMMARY_HEADERS", "column_summary", "problem_table", "write_problems"]

_HEADERS = {
    c: bilingual(c, context="problems", sep=" ")
    for c in ("severity", "source", "feature", "column", "problem", "expected")
}
#: The per-column summary's columns, as the screen and the file head them.
SUMMARY_HEADERS = {
    c: bilingual(c, context="problems", sep=" ")
    for c in ("column", "errors", "warnings", "features", "example")
}
_SEVERITY = {"error": "错误 error", "warning": "警告 warning"}
#: Leading characters a spreadsheet reads as the start of a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def problem_table(
    problems: Iterable[Problem],
    notices: Iterable[Problem] = (),
    *,
    lang: str = "both",
    text_lang: Lang = "zh",
) -> pd.DataFrame:
    """Return problems (errors) and notices (warnings) as one table, errors first.

    ``lang`` heads the columns (``both`` languages, or ``ids``); ``text_lang`` is the language
    of the problem and expected cells.
    """
    rows = [("error", p) for p in problems] + [("warning", p) for p in notices]
    table = pd.DataFrame(
        [
            {
                "severity": _SEVERITY[kind],
                "source": p.source,
                "feature": p.feature,
                "column": p.column,
                "problem": p.problem_text(text_lang),
                "expected": p.expected_text(text_lang),
            }
            for kind, p in rows
        ],
        columns=list(_HEADERS),
    )
    return table.rename(columns=_HEADERS) if lang == "both" else table


def column_summary(
    problems: Sequence[Problem], notices: Sequence[Problem] = (), *, lang: Lang = "zh"
) -> pd.DataFrame:
    """Count problems and warnings per column, with the commonest problem of each (in ``lang``).

    Returns
    -------
    pandas.DataFrame
        ``column``, ``errors``, ``warnings``, ``features`` (distinct features concerned) and
        ``example`` (the most frequent problem text), most errors first.
    """
    table = problem_table(problems, notices, lang="ids", text_lang=lang)
    if table.empty:
        return pd.DataFrame(columns=["column", "errors", "warnings", "features", "example"])
    table["is_error"] = table["severity"] == _SEVERITY["error"]
    table["is_warning"] = ~table["is_error"]
    grouped = table.groupby("column", sort=False)
    out = pd.DataFrame(
        {
            "errors": grouped["is_error"].sum().astype(int),
            "warnings": grouped["is_warning"].sum().astype(int),
            "features": grouped["feature"].nunique(),
            "example": grouped["problem"].agg(lambda s: s.value_counts().index[0]),
        }
    )
    out = out.reset_index().sort_values(["errors", "warnings"], ascending=False, kind="stable")
    return out.reset_index(drop=True)


def _lines(value: object, width: int) -> int:
    """Estimate the lines a text takes in a column ``width`` characters wide (CJK count twice)."""
    text = str(value)
    wide = sum(1 for ch in text if ord(ch) > 0x2E7F)
    return max(1, -(-(len(text) + wide) // max(width - 1, 1)))


def _safe(text: object) -> object:
    """Make data text inert in a spreadsheet: a leading formula character gets a quote."""
    if isinstance(text, str) and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def write_problems(
    path: str | os.PathLike,
    problems: Sequence[Problem],
    notices: Sequence[Problem] = (),
    *,
    lang: Lang = "zh",
) -> Path:
    """Write every problem and warning to a CSV (UTF-8 with BOM, for Excel) or XLSX file.

    What is wrong and what was expected are written in ``lang``.

    Raises
    ------
    ReadError
        If the suffix is neither ``.csv`` nor ``.xlsx``.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ReadError.of("problems_suffix", path=path, suffix=suffix)
    table = problem_table(problems, notices, text_lang=lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        table.map(_safe).to_csv(path, index=False, encoding="utf-8-sig")
        return path
    import xlsxwriter

    summary = column_summary(problems, notices, lang=lang)
    summary.columns = list(SUMMARY_HEADERS.values())
    with xlsxwriter.Workbook(path) as workbook:
        header = workbook.add_format({"bold": True, "bg_color": "#EEEEEE", "valign": "top"})
        wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        for name, frame, widths in (
            ("问题 problems", table, (11, 24, 18, 14, 48, 48)),
            ("按字段 by column", summary, (16, 12, 14, 14, 60)),
        ):
            ws = workbook.add_worksheet(name)
            for j, title in enumerate(frame.columns):
                ws.write_string(0, j, title, header)
                ws.set_column(j, j, widths[j], wrap)
            # Printed on A4 landscape, one page wide, the header on every page.
            ws.set_paper(9)
            ws.set_landscape()
            ws.fit_to_pages(1, 0)
            ws.repeat_rows(0)
            # Text is written as text: "=1+1" from the data never becomes a formula.
            for i, row in enumerate(frame.itertuples(index=False), start=1):
                # Rows as tall as their longest wrapped text (spreadsheets do not all grow them).
                lines = max(_lines(v, w) for v, w in zip(row, widths, strict=True))
                ws.set_row(i, 15 * lines)
                for j, value in enumerate(row):
                    if isinstance(value, int | float) and not isinstance(value, bool):
                        ws.write_number(i, j, value)
                    else:
                        ws.write_string(i, j, "" if value is None else str(value))
            ws.autofilter(0, 0, max(len(frame), 1), len(frame.columns) - 1)
            ws.freeze_panes(1, 0)
    return path
