"""The report as a document.

Its numbers as :class:`Figure` cells of its tables, its sections, and the Markdown and HTML it
is rendered as, with the trace of every number.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from landplan.labels import Lang, table_title, zh_labels
from landplan.report.period import Period
from landplan.result import TOTAL, Tables, item_values
from landplan.zone import Zone

#: The report tables' column labels: an alias of the label registry's (:mod:`landplan.labels`).
REPORT_LABELS: dict[str, str] = zh_labels()


@dataclass(frozen=True)
class Figure:
    """A number in the report's text, and the table cell it comes from.

    Attributes
    ----------
    table, row, column : str
        Where the number is: the table's name, the row's key (the ``row`` column) and the column.
    value : object
        The cell's value.
    text : str
        The number as the text shows it (rounded).
    """

    table: str
    row: str
    column: str
    value: Any
    text: str


Piece = str | Figure


@dataclass(frozen=True)
class Section:
    """A titled part of the report: paragraphs of text and figures."""

    title: str
    paragraphs: list[list[Piece]]


@dataclass(frozen=True)
class Report:
    """What :func:`half_year_report` returns.

    Attributes
    ----------
    period : Period
        The dates covered.
    lang : str
        ``zh`` or ``en``: the language of the text and labels.
    title : str
        The report's title.
    sections : list of Section
        The text, in order; its numbers are :class:`Figure` objects.
    tables : Tables
        The tables behind every number by name, each with a ``row`` key column first;
        ``total`` rows hold the sums the text quotes. A mapping (``report.tables["x"]``) that
        can also be called, as every result's ``tables()`` is.
    zone : Zone
        The zone as it stood at the end of the period (statuses read back from the events),
        for the maps.
    """

    period: Period
    lang: Lang
    title: str
    sections: list[Section]
    tables: Tables
    zone: Zone = field(repr=False)

    def __post_init__(self) -> None:
        # A plain dict given by a caller becomes callable like every result's tables().
        if not isinstance(self.tables, Tables):
            object.__setattr__(self, "tables", Tables(self.tables))

    def summary(self) -> pd.DataFrame:
        """Return every number the text quotes, by ``table.row.column``, as (item, value) rows."""
        seen: dict[str, object] = {}
        for fig in self.figures():
            seen.setdefault(f"{fig.table}.{fig.row}.{fig.column}", fig.value)
        return item_values(seen.items())

    def figures(self) -> list[Figure]:
        """Return every number of the text, in order."""
        return [
            piece
            for section in self.sections
            for paragraph in section.paragraphs
            for piece in paragraph
            if isinstance(piece, Figure)
        ]

    def notes(self) -> pd.DataFrame:
        """Return the text's citations: one note per table row cited, numbered in order.

        Returns
        -------
        pandas.DataFrame
            note, table, row, column, cell_value, text: one line per figure (a note cites one table
            row, and may cover several of its columns).
        """
        keys: dict[tuple[str, str], int] = {}
        rows = []
        for fig in self.figures():
            note = keys.setdefault((fig.table, fig.row), len(keys) + 1)
            rows.append((note, fig.table, fig.row, fig.column, fig.value, fig.text))
        return pd.DataFrame(rows, columns=["note", "table", "row", "column", "cell_value", "text"])

    def to_markdown(self, *, images: Mapping[str, str] | None = None, markers: bool = False) -> str:
        """Return the report as Markdown: the text, its tables, and where each number comes from.

        Parameters
        ----------
        images
            Map caption -> image file (a path relative to the Markdown file), shown under
            the text.
        markers
            Put a footnote ``[^n]`` after each number of the text; without, the text reads
            clean and the numbers' trace is an appendix, as in the Word document.
        """
        return _markdown(self, images or {}, markers=markers)

    def to_html(self, *, images: Mapping[str, bytes] | None = None, markers: bool = False) -> str:
        """Return the report as one self-contained HTML page (every value escaped).

        Parameters
        ----------
        images
            Map name -> PNG bytes, embedded as data URLs under the text.
        markers
            Put a linked ``[n]`` after each number of the text; the appendix tracing every
            number is there either way.
        """
        return _html(self, images or {}, markers=markers)


def number_text(value: Any, decimals: int) -> str:
    """Format a number as the text shows it: rounded, trailing zeros dropped, thousands apart."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "—"
    text = f"{float(value):,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def figure_of(
    tables: Mapping[str, pd.DataFrame], table: str, row: str, column: str, decimals: int = 2
) -> Figure:
    """Return the figure of one cell of the report's tables (table, row key, column)."""
    frame = tables[table]
    value = frame.loc[frame["row"] == row, column].iloc[0]
    if isinstance(value, np.generic):
        value = value.item()
    return Figure(table, row, column, value, number_text(value, decimals))


def table_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Return a table's rows without its total row."""
    return table[table["row"] != TOTAL]


def _note_text(report: Report) -> dict[int, str]:
    """Say where each note's numbers come from: the table and row by name, the columns."""
    from landplan.labels import column_label
    from landplan.report.gongwen import row_name

    notes = report.notes()
    zh = report.lang == "zh"
    out: dict[int, str] = {}
    for note, group in notes.groupby("note", sort=True):
        first = group.iloc[0]
        cells = ("；" if zh else "; ").join(
            f"{column_label(c, report.lang)} = {t}"
            for c, t in dict(zip(group["column"], group["text"], strict=True)).items()
        )
        title = table_title(first["table"], report.lang)
        row = row_name(report, first["table"], first["row"])
        out[int(note)] = (
            f"表“{title}”，{row}：{cells}" if zh else f"table “{title}”, {row}: {cells}"
        )
    return out


def _shown(table: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """Return a table as a reader sees it: labelled columns, labelled values, no keys."""
    from landplan.report.gongwen import annex_table

    return annex_table(table, lang)


def _md_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]|<>#])", r"\\\1", text)


_APPENDIX = ("附录：文中数字来源", "Appendix: where each number comes from")


def _markdown(report: Report, images: Mapping[str, str], *, markers: bool = False) -> str:
    notes = report.notes()
    note_of = {(r.table, r.row): r.note for r in notes.itertuples()}
    lines = [f"# {_md_escape(report.title)}", ""]
    for section in report.sections:
        lines += [f"## {_md_escape(section.title)}", ""]
        for paragraph in section.paragraphs:
            text = "".join(
                _md_escape(p.text) + (f"[^{note_of[(p.table, p.row)]}]" if markers else "")
                if isinstance(p, Figure)
                else _md_escape(p)
                for p in paragraph
            )
            lines += [text, ""]
    for caption, path in images.items():
        lines += [f"![{_md_escape(caption)}]({path.replace(' ', '%20')})", ""]
    head = "数据表" if report.lang == "zh" else "Tables"
    lines += [f"## {head}", ""]
    for name, table in report.tables.items():
        lines += [f"### {_md_escape(table_title(name, report.lang))}", ""]
        shown = _shown(table, report.lang)
        cols = [str(c) for c in shown.columns]
        lines.append("| " + " | ".join(_md_escape(c) for c in cols) + " |")
        lines.append("| " + " | ".join("---" for _ in cols) + " |")
        for row in shown.itertuples(index=False):
            lines.append("| " + " | ".join(_md_escape(str(v)) for v in row) + " |")
        lines.append("")
    if markers:
        # Footnotes: a Markdown viewer gathers them at the end, each linked from its number.
        for number, text in _note_text(report).items():
            lines.append(f"[^{number}]: {_md_escape(text)}")
        return "\n".join(lines) + "\n"
    lines += [f"## {_APPENDIX[0 if report.lang == 'zh' else 1]}", ""]
    lines += [f"{number}. {_md_escape(text)}" for number, text in _note_text(report).items()]
    return "\n".join(lines) + "\n"


_CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;max-width:60em;
margin:2em auto;padding:0 1em;line-height:1.7;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.5em}h3{font-size:1em}
sup a{text-decoration:none;font-size:.75em}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0 1.5em}
th,td{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3}tr:target{background:#fff3b0}
.notes{font-size:.85em;color:#444}figure{margin:1em 0}figure img{max-width:100%}
.wide{overflow-x:auto;max-width:100%}
@media print{body{max-width:none;margin:0}table{font-size:8pt}.wide{overflow:visible}
@page{size:A4 landscape;margin:15mm}}
"""


def _html(report: Report, images: Mapping[str, bytes], *, markers: bool = False) -> str:
    import base64

    esc = html.escape
    notes = report.notes()
    note_of = {(r.table, r.row): r.note for r in notes.itertuples()}
    anchor = {n: f"t-{_slug(t)}-{_slug(r)}" for (t, r), n in note_of.items()}
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if report.lang == "zh" else "en"}"><head><meta charset="utf-8">',
        f"<title>{esc(report.title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{esc(report.title)}</h1>",
    ]
    for section in report.sections:
        out.append(f"<h2>{esc(section.title)}</h2>")
        for paragraph in section.paragraphs:
            parts = []
            for p in paragraph:
                if isinstance(p, Figure) and not markers:
                    parts.append(esc(p.text))
                elif isinstance(p, Figure):
                    n = note_of[(p.table, p.row)]
                    parts.append(
                        f'{esc(p.text)}<sup><a href="#{anchor[n]}" title="'
                        f'{esc(f"{p.table}, {p.row}, {p.column}")}">[{n}]</a></sup>'
                    )
                else:
                    parts.append(esc(p))
            out.append(f"<p>{''.join(parts)}</p>")
    for name, png in images.items():
        data = base64.b64encode(png).decode("ascii")
        out.append(
            f'<figure><img alt="{esc(name)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{esc(name)}</figcaption></figure>"
        )
    out.append(f"<h2>{'数据表' if report.lang == 'zh' else 'Tables'}</h2>")
    for name, table in report.tables.items():
        out.append(f'<h3 id="t-{_slug(name)}">{esc(table_title(name, report.lang))}</h3>')
        # A wide table scrolls inside the page rather than widening it.
        out.append('<div class="wide"><table><thead><tr>')
        shown = _shown(table, report.lang)
        out += [f"<th>{esc(str(c))}</th>" for c in shown.columns]
        out.append("</tr></thead><tbody>")
        for key, row in zip(table["row"], shown.itertuples(index=False), strict=True):
            out.append(f'<tr id="t-{_slug(name)}-{_slug(str(key))}">')
            out += [f"<td>{esc(str(v))}</td>" for v in row]
            out.append("</tr>")
        out.append("</tbody></table></div>")
    appendix = _APPENDIX[0 if report.lang == "zh" else 1]
    out.append(f'<h2 id="appendix">{esc(appendix)}</h2><ol class="notes">')
    out += [f"<li>{esc(text)}</li>" for text in _note_text(report).values()]
    out.append("</ol></body></html>")
    return "\n".join(out) + "\n"


def _slug(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z_-]", lambda m: f"_{ord(m.group()):x}", str(text))
