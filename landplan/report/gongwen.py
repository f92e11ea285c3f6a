"""The half-year report as an official document (公文): Word and PDF in the GB/T 9704 layout.

The document follows the seed report's three parts: an opening paragraph, 一、基本情况 (the
figures of :func:`landplan.report.half_year_report`, under （一）项目引进, （二）项目储备,
（三）土地与厂房), 二、主要做法 and 三、下一步工作计划, then the issuing office and the date. The
office writes the opening, the two last parts and its name in a plain text file
(:func:`read_office_text`); where it has not, the document holds a marked placeholder saying what
goes there. The report's tables follow as 附表 (annexed tables), on landscape pages, and every
number of the text is traced, in an appendix, to the table cell it comes from; markers in the
body (``[1]``) are for auditors and optional.

The layout is GB/T 9704-2012's: A4, margins 37 mm top, 35 mm bottom, 28 mm left (binding)
and 26 mm right; title in 方正小标宋简体 二号 (22 pt); text in 仿宋_GB2312 三号 (16 pt), 22 lines
a page;
first-level headings in 黑体, second-level in 楷体_GB2312; page numbers "— 1 —" in 宋体 四号,
odd pages right, even pages left. Where a machine lacks these fonts, the document names the
common substitutes (仿宋, 楷体, 华文中宋 / 宋体, SimHei) for Word to use, and the PDF is set with
whatever CJK fonts the converter finds.

PDF comes from LibreOffice (``soffice --headless``) converting the Word file where it is
installed, else from headless Chromium printing the same document as HTML.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import pandas as pd

from landplan import labels
from landplan.errors import DocumentError, Message, PdfError
from landplan.result import TOTAL

if TYPE_CHECKING:
    from landplan.report import Report

__all__ = [
    "FONTS",
    "MARGINS_MM",
    "DocumentError",
    "OfficeText",
    "PdfError",
    "Placeholder",
    "read_office_text",
    "report_blocks",
    "write_docx",
    "write_pdf",
]


#: GB/T 9704-2012 margins: top (天头), bottom, left (订口), right.
MARGINS_MM: Final = {"top": 37.0, "bottom": 35.0, "left": 28.0, "right": 26.0}
#: The fonts of each part, with the substitutes named for machines without them.
FONTS: Final = {
    "title": ("方正小标宋简体", ("华文中宋", "宋体", "SimSun")),
    "body": ("仿宋_GB2312", ("仿宋", "FangSong", "STFangsong")),
    "heading1": ("黑体", ("SimHei", "Heiti SC")),
    "heading2": ("楷体_GB2312", ("楷体", "KaiTi", "STKaiti")),
    "page_number": ("宋体", ("SimSun", "Songti SC")),
}
# Free fonts a converter may find in place of the office fonts, nearest first.
_FREE_FONTS: Final = {
    "title": ("Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN"),
    "body": ("AR PL UMing CN", "Noto Serif CJK SC", "Source Han Serif SC"),
    "heading1": ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei"),
    "heading2": ("AR PL UKai CN", "AR PL KaitiM GB"),
    "page_number": ("AR PL UMing CN", "Noto Serif CJK SC"),
}
_SIZE_PT: Final = {"title": 22.0, "body": 16.0, "table": 10.5, "table_title": 16.0, "page": 14.0}
# 22 lines in the 225 mm type area.
_LINE_PT: Final = 225 / 25.4 * 72 / 22

# --- the office's own text -----------------------------------------------------------------------

_PARTS: Final = {
    "开头": "opening",
    "opening": "opening",
    "主要做法": "practices",
    "practices": "practices",
    "下一步工作计划": "plans",
    "下一步工作": "plans",
    "plans": "plans",
    "编制单位": "issuer",
    "issuer": "issuer",
    "日期": "date",
    "date": "date",
}


@dataclass(frozen=True)
class OfficeText:
    """The parts of the report the office writes itself.

    Attributes
    ----------
    opening, practices, plans : list of str
        Paragraphs of the opening, of 二、主要做法 and of 三、下一步工作计划.
    issuer : str
        The issuing office (编制单位), signed under the text.
    date : datetime.date or None
        The document's date; the day it is written where None.
    """

    opening: list[str] = field(default_factory=list)
    practices: list[str] = field(default_factory=list)
    plans: list[str] = field(default_factory=list)
    issuer: str = ""
    date: dt.date | None = None


def read_office_text(path: str | os.PathLike) -> OfficeText:
    """Read the office's text file: parts under ``# 开头``, ``# 主要做法``, ``# 下一步工作计划``.

    The file is UTF-8 text. A line ``# 名称`` starts a part (``开头``, ``主要做法``,
    ``下一步工作计划``, ``编制单位``, ``日期``; or ``opening``, ``practices``, ``plans``,
    ``issuer``, ``date``); each non-empty line under it is one paragraph. ``日期`` is
    ``YYYY-MM-DD`` or ``YYYY年M月D日``.

    Raises
    ------
    DocumentError
        Naming the file and line of an unknown part, text before the first part, or a bad date.
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DocumentError.of("out_text_unreadable", path=path, why=exc) from exc
    parts: dict[str, list[str]] = {}
    current: str | None = None
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text:
            continue
        if text.startswith("#"):
            name = text.lstrip("#").strip()
            if name not in _PARTS:
                raise DocumentError.of("out_text_unknown_part", path=path, line=number, name=name)
            current = _PARTS[name]
            parts.setdefault(current, [])
            continue
        if current is None:
            raise DocumentError.of("out_text_before_part", path=path, line=number)
        parts[current].append(text)
    date = None
    if parts.get("date"):
        date = _parse_date(parts["date"][0], path)
    return OfficeText(
        opening=parts.get("opening", []),
        practices=parts.get("practices", []),
        plans=parts.get("plans", []),
        issuer="".join(parts.get("issuer", [])),
        date=date,
    )


def _parse_date(text: str, path: Path) -> dt.date:
    match = re.fullmatch(r"(\d{4})(?:-|年)(\d{1,2})(?:-|月)(\d{1,2})日?", text.strip())
    try:
        if match is None:
            raise ValueError(text)
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError as exc:
        raise DocumentError.of("out_text_date", path=path, text=text) from exc


# --- the document as blocks ----------------------------------------------------------------------


@dataclass(frozen=True)
class Placeholder:
    """Text the office has still to write, shown marked in the document."""

    text: str


Kind = Literal["title", "heading1", "heading2", "para", "signature", "break", "table", "landscape"]


@dataclass(frozen=True)
class Block:
    """One piece of the document: a title, heading, paragraph, table or page break."""

    kind: Kind
    pieces: tuple[Any, ...] = ()
    table: pd.DataFrame | None = None
    note: str = ""


_TITLES_ZH: Final = ("一、基本情况", "二、主要做法", "三、下一步工作计划")
_TITLES_EN: Final = ("1. The facts", "2. What the office did", "3. Next steps")
_DATA_PARTS_ZH: Final = ("（一）项目引进", "（二）项目储备", "（三）土地与厂房")
_DATA_PARTS_EN: Final = ("(1) Projects signed", "(2) The pipeline", "(3) Land and floor space")


def _say(report: Report, zh: str, en: str) -> str:
    return zh if report.lang == "zh" else en


def _placeholder(report: Report, part_zh: str, part_en: str) -> Placeholder:
    return Placeholder(
        _say(
            report,
            f"【待填写：{part_zh}。请在报告文本文件中“# {part_zh}”之下写入，重新生成即排入本处。】",
            f"[To be written: {part_en}. Put it under '# {part_zh}' in the report's text file "
            "and write the report again.]",
        )
    )


def _opening(report: Report) -> str:
    return _say(
        report,
        f"现将{report.period.name('zh')}招商引资与土地供应工作情况汇报如下。",
        f"This report covers investment attraction and land supply in {report.period.name('en')}.",
    )


def report_blocks(
    report: Report, text: OfficeText | None = None, *, markers: bool = False
) -> list[Block]:
    """Lay the report out as the document's blocks, in order.

    Parameters
    ----------
    report
        From :func:`landplan.report.half_year_report`.
    text
        The office's own parts (:func:`read_office_text`); placeholders where None or empty.
    markers
        Put a ``[n]`` after each number of the text, the number of its line in the trace.
    """
    text = text or OfficeText()
    zh = report.lang == "zh"
    blocks = [Block("title", (report.title,))]
    opening = text.opening or [_opening(report)]
    blocks += [Block("para", (p,)) for p in opening]
    heads = _TITLES_ZH if zh else _TITLES_EN
    parts = _DATA_PARTS_ZH if zh else _DATA_PARTS_EN
    blocks.append(Block("heading1", (heads[0],)))
    trace = _trace_numbers(report)
    for title, section in zip(parts, report.sections, strict=False):
        blocks.append(Block("heading2", (title,)))
        for paragraph in section.paragraphs:
            pieces: list[Any] = []
            for piece in paragraph:
                pieces.append(piece.text if not isinstance(piece, str) else piece)
                if markers and not isinstance(piece, str):
                    pieces.append(f"[{trace[id(piece)]}]")
            blocks.append(Block("para", tuple(pieces)))
    for head, paragraphs, (part_zh, part_en) in (
        (heads[1], text.practices, ("主要做法", "what the office did")),
        (heads[2], text.plans, ("下一步工作计划", "the next steps")),
    ):
        blocks.append(Block("heading1", (head,)))
        if paragraphs:
            blocks += [Block("para", (p,)) for p in paragraphs]
        else:
            blocks.append(Block("para", (_placeholder(report, part_zh, part_en),)))
    issuer = text.issuer or _placeholder(report, "编制单位", "the issuing office")
    day = text.date or dt.date.today()
    blocks.append(Block("signature", (issuer,)))
    blocks.append(
        Block("signature", (f"{day.year}年{day.month}月{day.day}日" if zh else f"{day:%d %B %Y}",))
    )
    blocks.append(Block("landscape"))
    annexes = _annex_numbers(report)
    for name, table in report.tables.items():
        number = annexes[name]
        caption = _say(report, f"附表{number}", f"Table A{number}")
        blocks.append(Block("heading1", (caption,)))
        blocks.append(
            Block(
                "table",
                (labels.table_title(name, report.lang),),
                table=annex_table(table, report.lang),
            )
        )
    blocks.append(
        Block(
            "heading1",
            (_say(report, "附录：文中数字来源", "Appendix: where each number comes from"),),
        )
    )
    blocks.append(
        Block(
            "table",
            (
                _say(
                    report, "文中数字与附表单元格对照", "Numbers of the text and their table cells"
                ),
            ),
            table=_trace_table(report, annexes),
        )
    )
    return blocks


def _trace_numbers(report: Report) -> dict[int, int]:
    figures = report.figures()
    return {id(f): i for i, f in enumerate(figures, start=1)}


def _annex_numbers(report: Report) -> dict[str, int]:
    return {name: i for i, name in enumerate(report.tables, start=1)}


# Columns an annex leaves out: keys and codes whose label column stands beside them.
_HIDDEN: Final = frozenset({"row", "cluster", "stage_at_end", "status", "new_status"})


def annex_table(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return a report table as an annex shows it: labelled columns, formatted numbers."""
    shown = [c for c in table.columns if c not in _HIDDEN]
    # Where a sum is given in 亿元, the same sum in 万元 only repeats it.
    shown = [
        c
        for c in shown
        if not (c.endswith("_wan_yuan") and c.replace("_wan_yuan", "_yi_yuan") in table.columns)
    ]
    out = pd.DataFrame(
        {labels.column_label(c, "zh" if lang == "zh" else "en"): _cells(table[c], c) for c in shown}
    )
    if len(out.columns) and "row" in table.columns:
        total = (table["row"] == TOTAL).to_numpy()
        first = out.columns[0]
        out[first] = out[first].where(~total, "合计" if lang == "zh" else "Total")
    return out


def _cells(values: pd.Series, column: str) -> list[str]:
    decimals = 1 if "_mu" in column else 0 if column.endswith(("_m2", "_m")) else 2
    out = []
    for v in values.tolist():
        if v is None or v is pd.NaT or (isinstance(v, float) and v != v):
            out.append("")
        elif isinstance(v, pd.Timestamp | dt.date):
            out.append(f"{pd.Timestamp(v):%Y-%m-%d}")
        elif isinstance(v, bool):
            out.append("是" if v else "否")
        elif isinstance(v, int) or (isinstance(v, float) and column in _COUNTS):
            out.append(f"{int(v):,}")
        elif isinstance(v, float):
            out.append(f"{v:,.{decimals}f}")
        else:
            out.append(str(labels.value_label(column, v, "zh")))
    return out


_COUNTS: Final = frozenset({"projects", "parcels", "buildings", "actions", "landed", "days_left"})


def _trace_table(report: Report, annexes: dict[str, int]) -> pd.DataFrame:
    rows = []
    zh = report.lang == "zh"
    where = {}
    for s_index, section in enumerate(report.sections):
        for paragraph in section.paragraphs:
            for piece in paragraph:
                if not isinstance(piece, str):
                    where[id(piece)] = s_index
    parts = _DATA_PARTS_ZH if zh else _DATA_PARTS_EN
    for i, fig in enumerate(report.figures(), start=1):
        rows.append(
            {
                "序号" if zh else "No.": str(i),
                "文中数字" if zh else "In the text": fig.text,
                "所在部分" if zh else "Part": parts[where[id(fig)]] if where[id(fig)] < 3 else "",
                "来源" if zh else "Source": (
                    f"附表{annexes[fig.table]} {labels.table_title(fig.table, report.lang)}"
                    if zh
                    else f"Table A{annexes[fig.table]} {labels.table_title(fig.table, report.lang)}"
                ),
                "行" if zh else "Row": row_name(report, fig.table, fig.row),
                "列" if zh else "Column": labels.column_label(fig.column, "zh" if zh else "en"),
                "表中数值" if zh else "Cell value": _cells(pd.Series([fig.value]), fig.column)[0],
            }
        )
    return pd.DataFrame(rows)


def row_name(report: Report, table: str, row: str) -> str:
    """Return how a table row is named to a reader: its project, cluster or status; 合计."""
    if row == TOTAL:
        return "合计" if report.lang == "zh" else "Total"
    frame = report.tables[table]
    found = frame[frame["row"] == row].iloc[0]
    for column in ("project_name", "cluster_label", "status_label", "parcel_id"):
        if column in found and isinstance(found[column], str) and found[column]:
            return found[column]
    if "phase" in found and pd.notna(found["phase"]):
        return f"第{found['phase']}期" if report.lang == "zh" else f"phase {found['phase']}"
    return str(row)


# --- Word ----------------------------------------------------------------------------------------


def _set_font(run: Any, part: str, size_pt: float, *, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    name = FONTS[part][0]
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    run.font.name = name
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), name)


def _font_table_fallbacks(document: Any) -> None:
    """Name each font's substitutes in the font table, which Word uses where one is missing."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from lxml import etree

    part = document.part.part_related_by(RT.FONT_TABLE)
    root = etree.fromstring(part.blob)
    ns = root.nsmap["w"]
    w = f"{{{ns}}}"
    for name, substitutes in FONTS.values():
        font = etree.SubElement(root, f"{w}font", {f"{w}name": name})
        etree.SubElement(font, f"{w}altName", {f"{w}val": substitutes[0]})
        etree.SubElement(font, f"{w}charset", {f"{w}val": "86"})  # GB2312
        etree.SubElement(font, f"{w}family", {f"{w}val": "roman" if "宋" in name else "modern"})
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page(section: Any, *, landscape: bool) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (
        (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    )
    if landscape:
        # The binding edge stays at the top of a turned page.
        section.top_margin, section.bottom_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
        section.left_margin, section.right_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    else:
        section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
        section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])


def _page_numbers(section: Any) -> None:
    """Footers "— n —": odd pages right, even pages left, each one character in."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.alignment = align
        indent = Pt(_SIZE_PT["page"])
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            paragraph.paragraph_format.right_indent = indent
        else:
            paragraph.paragraph_format.left_indent = indent
        for piece in ("— ", None, " —"):
            run = paragraph.add_run()
            _set_font(run, "page_number", _SIZE_PT["page"])
            if piece is not None:
                run.text = piece
                continue
            for tag, text in (("begin", None), (None, "PAGE"), ("end", None)):
                if tag:
                    char = OxmlElement("w:fldChar")
                    char.set(qn("w:fldCharType"), tag)
                    run._element.append(char)
                else:
                    instr = OxmlElement("w:instrText")
                    instr.set(qn("xml:space"), "preserve")
                    instr.text = text
                    run._element.append(instr)


def _paragraph(document: Any, block: Block) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt

    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(_LINE_PT)
    fmt.space_before = fmt.space_after = Pt(0)
    size = _SIZE_PT["body"]
    if block.kind == "title":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt.line_spacing = Pt(_LINE_PT * 1.2)
        fmt.space_after = Pt(_LINE_PT)
        _set_font(paragraph.add_run(block.pieces[0]), "title", _SIZE_PT["title"])
        return
    if block.kind == "signature":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        fmt.right_indent = Pt(size * 4)
        piece = block.pieces[0]
        _add_text(paragraph, piece, "body", size)
        return
    fmt.first_line_indent = Pt(size * 2)
    if block.kind in ("heading1", "heading2"):
        part = block.kind
        _set_font(paragraph.add_run(block.pieces[0]), part, size)
        return
    for index, piece in enumerate(block.pieces):
        text = piece.text if isinstance(piece, Placeholder) else str(piece)
        lead = re.match(r"^（[一二三四五六七八九十]+）[^。]*。", text) if index == 0 else None
        if lead and not isinstance(piece, Placeholder):
            # A part's lead sentence ("（一）在……上下功夫，……。") is set in 楷体, as headings are.
            _set_font(paragraph.add_run(lead.group()), "heading2", size)
            text = text[lead.end() :]
        _add_text(
            paragraph, Placeholder(text) if isinstance(piece, Placeholder) else text, "body", size
        )


def _add_text(paragraph: Any, piece: Any, part: str, size: float) -> None:
    from docx.enum.text import WD_COLOR_INDEX

    if isinstance(piece, Placeholder):
        run = paragraph.add_run(piece.text)
        _set_font(run, part, size)
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        return
    _set_font(paragraph.add_run(str(piece)), part, size)


def _table(document: Any, block: Block, width_mm: float) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(6)
    _set_font(title.add_run(block.pieces[0]), "title", _SIZE_PT["table_title"])
    frame = block.table
    assert frame is not None  # a table block always carries its frame
    if frame.empty:
        empty = document.add_paragraph()
        _set_font(empty.add_run("本期无数据。"), "body", _SIZE_PT["table"])
        return
    table = document.add_table(rows=1, cols=len(frame.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = _widths(frame, width_mm)
    size = _table_size(frame)
    # Fixed layout with the grid's widths, so Word and LibreOffice both fill the type area.
    table.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Mm(width)
    # The header row repeats on every page the table runs over.
    header = table.rows[0]
    props = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    props.append(repeat)
    numeric = [_is_numeric(frame[c]) for c in frame.columns]
    for cell, name, width in zip(header.cells, frame.columns, widths, strict=True):
        cell.width = Mm(width)
        paragraph = cell.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _set_font(paragraph.add_run(str(name)), "heading1", size)
    for values in frame.itertuples(index=False):
        cells = table.add_row().cells
        for cell, value, width, right in zip(cells, values, widths, numeric, strict=True):
            cell.width = Mm(width)
            paragraph = cell.paragraphs[0]
            if right:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _set_font(paragraph.add_run(str(value)), "body", size)
    document.add_paragraph()


def _is_numeric(values: pd.Series) -> bool:
    present = [v for v in values if v]
    return bool(present) and all(re.fullmatch(r"-?[\d,]+(\.\d+)?", str(v)) for v in present)


def _em(text: str) -> float:
    """Return a text's width in em: a CJK character is one, others about half."""
    from landplan.tables import text_width

    return text_width(text) * 0.55 if text.isascii() else text_width(text) / 2 + 0.05 * len(text)


def _table_size(frame: pd.DataFrame) -> float:
    """Return the type size of an annexed table: 五号, or 小五 for a wide one."""
    return _SIZE_PT["table"] if len(frame.columns) <= 10 else 9.0


def _widths(frame: pd.DataFrame, width_mm: float) -> list[float]:
    """Share the type area's width among the columns by their text.

    Every column gets at least its longest unbreakable run (a date, a number, an id), so these
    never wrap; what is left goes to the columns of longer text.
    """
    em_mm = _table_size(frame) * 25.4 / 72
    least, want = [], []
    for column in frame.columns:
        values = [str(v) for v in frame[column].head(200)]
        token = max([_em(t) for v in values for t in re.findall(r"[\x21-\x7e]+", v)] + [1.0])
        longest = max([_em(v) for v in values] + [0.0])
        least.append(max(token, 2.0) + 0.8)
        want.append(max(min(longest, 16.0), min(_em(str(column)), 4.0), token) + 0.8)
    available = width_mm / em_mm
    if sum(want) <= available:
        return [width_mm * w / sum(want) for w in want]
    spare = max(available - sum(least), 0.0)
    extra = [w - m for w, m in zip(want, least, strict=True)]
    total = sum(extra) or 1.0
    share = [m + spare * e / total for m, e in zip(least, extra, strict=True)]
    return [width_mm * w / sum(share) for w in share]


def write_docx(
    report: Report,
    path: str | os.PathLike,
    *,
    text: OfficeText | None = None,
    markers: bool = False,
    images: dict[str, Path] | None = None,
) -> Path:
    """Write the report as a Word document in the 公文 layout (see the module's notes).

    Parameters
    ----------
    report
        From :func:`landplan.report.half_year_report`.
    path
        The ``.docx`` file to write.
    text
        The office's own parts; placeholders where None.
    markers
        Put ``[n]`` after each number of the text (for auditors).
    images
        Caption -> PNG of the period's maps, placed after the text as 附图.

    Returns
    -------
    pathlib.Path
    """
    import docx
    from docx.enum.section import WD_SECTION
    from docx.shared import Mm

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    document = docx.Document()
    document.core_properties.title = report.title
    document.core_properties.language = "zh-CN" if report.lang == "zh" else "en"
    document.settings.odd_and_even_pages_header_footer = True
    _font_table_fallbacks(document)
    section = document.sections[0]
    _page(section, landscape=False)
    _page_numbers(section)
    portrait_width = 210 - MARGINS_MM["left"] - MARGINS_MM["right"]
    landscape_width = 297 - MARGINS_MM["top"] - MARGINS_MM["bottom"]
    width = portrait_width
    for block in report_blocks(report, text, markers=markers):
        if block.kind == "landscape":
            for number, (caption, picture) in enumerate((images or {}).items(), start=1):
                document.add_page_break()
                _paragraph(document, Block("heading1", (f"附图{number}　{caption}",)))
                try:
                    document.add_picture(str(picture), width=Mm(portrait_width))
                except Exception as exc:  # python-docx raises several kinds for a bad image
                    raise DocumentError.of(
                        "out_bad_picture", picture=picture, caption=caption, why=repr(exc)
                    ) from exc
            section = document.add_section(WD_SECTION.NEW_PAGE)
            _page(section, landscape=True)
            width = landscape_width
            continue
        if block.kind == "table":
            _table(document, block, width)
        else:
            _paragraph(document, block)
    document.save(str(path))
    return path


# --- PDF -----------------------------------------------------------------------------------------


def find_libreoffice() -> str | None:
    """Return the LibreOffice executable (``soffice``/``libreoffice``) on PATH, or None."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return None


def write_pdf(
    report: Report,
    path: str | os.PathLike,
    *,
    docx_path: str | os.PathLike | None = None,
    text: OfficeText | None = None,
    markers: bool = False,
    browser: str | os.PathLike | None = None,
) -> Path:
    """Write the report as PDF: LibreOffice converts the Word file, else Chromium prints it.

    Parameters
    ----------
    report
        From :func:`landplan.report.half_year_report`.
    path
        The ``.pdf`` file to write.
    docx_path
        The Word file already written (:func:`write_docx`); written to a temporary folder
        where None.
    text, markers
        As for :func:`write_docx`.
    browser
        The Chromium executable for the fallback (:func:`landplan.maps.find_browser`).

    Raises
    ------
    PdfError
        If neither LibreOffice nor Chromium can make the PDF.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    office = find_libreoffice()
    if office is not None:
        with tempfile.TemporaryDirectory(prefix="landplan-pdf-") as tmp:
            source = (
                Path(docx_path)
                if docx_path
                else write_docx(report, Path(tmp) / "report.docx", text=text, markers=markers)
            )
            profile = Path(tmp) / "profile"
            _substitutions(profile)
            command = [
                office,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                tmp,
                str(source),
            ]
            try:
                subprocess.run(command, check=True, capture_output=True, timeout=300)
            except (OSError, subprocess.SubprocessError) as exc:
                raise PdfError.of("out_office_failed", name=source.name, why=exc) from exc
            made = Path(tmp) / (source.stem + ".pdf")
            if not made.exists():
                raise PdfError.of("out_office_no_pdf", name=source.name)
            shutil.move(str(made), path)
        return path
    return _chromium_pdf(report, path, text=text, markers=markers, browser=browser)


def _installed_fonts() -> set[str]:
    try:
        listed = subprocess.run(
            ["fc-list", ":", "family"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return set()
    return {name.strip() for line in listed.splitlines() for name in line.split(",")}


def _substitutions(profile: Path) -> None:
    """Tell LibreOffice, in its own profile, which installed font to set for a missing one."""
    installed = _installed_fonts()
    pairs = []
    for part, (name, substitutes) in FONTS.items():
        if name in installed:
            continue
        found = next((f for f in (*substitutes, *_FREE_FONTS[part]) if f in installed), None)
        if found:
            pairs.append((name, found))
    nodes = "".join(
        f'<node oor:name="_{i}" oor:op="replace">'
        # Always: fontconfig offers some CJK font for any name, so LibreOffice never sees one
        # as missing; pairs are written only for the fonts this machine lacks.
        '<prop oor:name="Always" oor:op="fuse"><value>true</value></prop>'
        '<prop oor:name="OnScreenOnly" oor:op="fuse"><value>false</value></prop>'
        f'<prop oor:name="ReplaceFont" oor:op="fuse"><value>{html.escape(a)}</value></prop>'
        f'<prop oor:name="SubstituteFont" oor:op="fuse"><value>{html.escape(b)}</value></prop>'
        "</node>"
        for i, (a, b) in enumerate(pairs)
    )
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<item oor:path="/org.openoffice.Office.Common/Font/Substitution">'
        '<prop oor:name="Replacement" oor:op="fuse"><value>true</value></prop></item>'
        f'<item oor:path="/org.openoffice.Office.Common/Font/Substitution/FontPairs">{nodes}</item>'
        "</oor:items>\n",
        encoding="utf-8",
    )


def _chromium_pdf(
    report: Report,
    path: Path,
    *,
    text: OfficeText | None,
    markers: bool,
    browser: str | os.PathLike | None,
) -> Path:
    from landplan.errors import MapError
    from landplan.maps import CHROMIUM_ARGS, find_browser

    try:
        executable = find_browser(browser)
        from playwright.sync_api import sync_playwright
    except MapError as exc:
        raise PdfError.of("out_pdf_needs", why=exc.args[0]) from exc
    except ImportError as exc:
        raise PdfError.of("out_pdf_needs", why=Message("out_no_playwright")) from exc
    page_html = print_html(report, text, markers=markers)
    with tempfile.TemporaryDirectory(prefix="landplan-pdf-") as tmp:
        source = Path(tmp) / "report.html"
        source.write_text(page_html, encoding="utf-8")
        with sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
            try:
                page = chromium.new_page()
                page.goto(source.as_uri())
                page.pdf(path=str(path), prefer_css_page_size=True, print_background=True)
            finally:
                chromium.close()
    return path


def print_html(report: Report, text: OfficeText | None = None, *, markers: bool = False) -> str:
    """Return the document as an HTML page for printing (the Chromium route to PDF)."""
    esc = html.escape

    def family(part: str) -> str:
        name, substitutes = FONTS[part]
        names = [name, *substitutes, *_FREE_FONTS[part]]
        return ",".join(f'"{n}"' for n in names) + ",serif"

    m = MARGINS_MM
    css = (
        f"@page{{size:A4;margin:{m['top']}mm {m['right']}mm {m['bottom']}mm {m['left']}mm}}"
        "@page wide{size:A4 landscape;margin:28mm 35mm 26mm 37mm}"
        f"body{{font-family:{family('body')};font-size:16pt;line-height:{_LINE_PT:.2f}pt}}"
        f"h1{{font-family:{family('title')};font-size:22pt;font-weight:normal;"
        "text-align:center;margin:0 0 1em}"
        f"h2{{font-family:{family('heading1')};font-size:16pt;font-weight:normal;margin:0;"
        "text-indent:2em}"
        f"h3{{font-family:{family('heading2')};font-size:16pt;font-weight:normal;margin:0;"
        "text-indent:2em}"
        "p{margin:0;text-indent:2em}p.sign{text-align:right;padding-right:4em;text-indent:0}"
        "mark{background:#ffef5f}.wide{page:wide;break-before:page}"
        "table{border-collapse:collapse;width:100%;font-size:10.5pt;line-height:1.4;"
        "margin-bottom:1em}th,td{border:.5pt solid #000;padding:1pt 3pt}thead{display:"
        "table-header-group}td.n{text-align:right}"
        f"caption{{font-family:{family('title')};font-size:16pt;padding:4pt}}"
    )
    out = [f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><style>{css}</style>']
    out.append(f"<title>{esc(report.title)}</title></head><body>")
    wide = False
    for block in report_blocks(report, text, markers=markers):
        pieces = "".join(
            f"<mark>{esc(p.text)}</mark>" if isinstance(p, Placeholder) else esc(str(p))
            for p in block.pieces
        )
        if block.kind == "title":
            out.append(f"<h1>{pieces}</h1>")
        elif block.kind == "heading1":
            out.append(f"<h2>{pieces}</h2>")
        elif block.kind == "heading2":
            out.append(f"<h3>{pieces}</h3>")
        elif block.kind == "signature":
            out.append(f'<p class="sign">{pieces}</p>')
        elif block.kind == "landscape":
            out.append('<div class="wide">')
            wide = True
        elif block.kind == "table" and block.table is not None:
            out.append(_html_table(block))
        else:
            out.append(f"<p>{pieces}</p>")
    if wide:
        out.append("</div>")
    out.append("</body></html>")
    return "\n".join(out)


def _html_table(block: Block) -> str:
    frame = block.table
    assert frame is not None
    esc = html.escape
    numeric = [_is_numeric(frame[c]) for c in frame.columns]
    head = "".join(f"<th>{esc(str(c))}</th>" for c in frame.columns)
    rows = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{esc(str(v))}</td>' if n else f"<td>{esc(str(v))}</td>"
            for v, n in zip(row, numeric, strict=True)
        )
        + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return (
        f"<table><caption>{esc(str(block.pieces[0]))}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )
