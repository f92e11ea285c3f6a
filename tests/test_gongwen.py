"""The report as a 公文: the Word file opened with python-docx, the PDF's pages measured.

Layout figures are GB/T 9704-2012's, written out here: A4 (210 x 297 mm), margins 37 mm top,
35 mm bottom, 28 mm left, 26 mm right; title 22 pt, text 16 pt.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from landplan.cli import main
from landplan.report import report_from_store
from landplan.report.gongwen import DocumentError, read_office_text, write_docx, write_pdf
from tests.test_report import _fresh_store, _store_with_history

OFFICE_TEXT = """\
# 开头
今年以来，园区以“招商是第一举措”为理念，纵深推进招商引资。有关情况汇报如下。
# 主要做法
（一）在完善工作制度上下功夫，解决谁来招、招什么的问题。一是建立领导带头招商制度。
（二）在优化方法路径上下功夫，解决怎么招、去哪招的问题。一是坚持主动出击。
# 编制单位
新城产业园区招商办公室
# 日期
2026年7月10日
"""
HEADINGS = [
    "一、基本情况",
    "（一）项目引进",
    "（二）项目储备",
    "（三）土地与厂房",
    "二、主要做法",
    "三、下一步工作计划",
]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    store, _ = _store_with_history(str(tmp_path_factory.mktemp("gongwen") / "zone.gpkg"))
    try:
        yield report_from_store(store, period="2026H1")
    finally:
        store.close()


@pytest.fixture
def office(tmp_path):
    path = tmp_path / "text.txt"
    path.write_text(OFFICE_TEXT, encoding="utf-8")
    return read_office_text(path)


def _fonts(run) -> tuple[str | None, float | None]:
    fonts = run._element.rPr.rFonts
    return fonts.get(qn("w:eastAsia")), run.font.size.pt if run.font.size else None


def test_office_text_is_read_by_part(office):
    assert office.opening[0].startswith("今年以来")
    assert len(office.practices) == 2 and office.plans == []
    assert office.issuer == "新城产业园区招商办公室"
    assert office.date.isoformat() == "2026-07-10"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# 成绩\n很好", r"line 1: unknown part '成绩'; expected one of # 开头"),
        ("开头没有标题\n", r"line 1: text before the first part"),
        ("# 日期\n2026年13月1日\n", r"'2026年13月1日' is not a date; expected YYYY-MM-DD"),
    ],
)
def test_bad_office_text_says_where(tmp_path, text, message):
    path = tmp_path / "bad.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DocumentError, match=message):
        read_office_text(path)


def test_docx_has_the_gongwen_layout_and_the_seed_parts(report, office, tmp_path):
    path = write_docx(report, tmp_path / "report.docx", text=office)
    doc = Document(str(path))
    first = doc.sections[0]
    assert (round(first.page_width.mm), round(first.page_height.mm)) == (210, 297)
    margins = [first.top_margin, first.bottom_margin, first.left_margin, first.right_margin]
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]
    paragraphs = [p for p in doc.paragraphs if p.text.strip()]
    title = paragraphs[0]
    assert title.text == "2026年上半年招商引资与土地供应情况"
    assert _fonts(title.runs[0]) == ("方正小标宋简体", 22.0)
    assert paragraphs[1].text == office.opening[0]
    assert _fonts(paragraphs[1].runs[0]) == ("仿宋_GB2312", 16.0)
    texts = [p.text for p in paragraphs]
    positions = [texts.index(h) for h in HEADINGS]
    assert positions == sorted(positions)
    assert _fonts(paragraphs[positions[0]].runs[0])[0] == "黑体"
    assert _fonts(paragraphs[positions[1]].runs[0])[0] == "楷体_GB2312"
    # the facts from the data, the practices from the office's text with their 楷体 lead
    body = "".join(texts[positions[1] : positions[4]])
    assert "2026年上半年，签约引进6个项目，计划投资19.5亿元" in body
    practice = paragraphs[positions[4] + 1]
    assert practice.text == office.practices[0]
    assert practice.runs[0].text == "（一）在完善工作制度上下功夫，解决谁来招、招什么的问题。"
    assert _fonts(practice.runs[0])[0] == "楷体_GB2312"
    # the part not written yet is a marked placeholder
    placeholder = paragraphs[positions[5] + 1]
    assert placeholder.text.startswith("【待填写：下一步工作计划")
    assert placeholder.runs[0].font.highlight_color is not None
    assert "新城产业园区招商办公室" in texts and "2026年7月10日" in texts
    # no markers in the body; the trace is an appendix with one line per number
    assert not any(re.search(r"\[\d+\]", t) for t in texts[: positions[5]])
    assert len(doc.tables) == len(report.tables) + 1
    trace = doc.tables[-1]
    assert len(trace.rows) == len(report.figures()) + 1
    assert [c.text for c in trace.rows[0].cells][:3] == ["序号", "文中数字", "所在部分"]
    assert trace.rows[1].cells[1].text == report.figures()[0].text
    assert "附表1" in texts and "附录：文中数字来源" in texts
    annex = doc.tables[0]
    assert "项目名称" in [c.text for c in annex.rows[0].cells]
    assert annex.rows[-1].cells[0].text == "合计"
    # annexes on landscape pages, page numbers "— n —" on odd and even pages
    wide = doc.sections[-1]
    assert (round(wide.page_width.mm), round(wide.page_height.mm)) == (297, 210)
    assert doc.settings.odd_and_even_pages_header_footer
    for footer in (first.footer, first.even_page_footer):
        xml = footer._element.xml
        assert "PAGE" in xml and "— " in footer.paragraphs[0].text


def test_docx_markers_for_auditors_and_font_fallbacks(report, tmp_path):
    path = write_docx(report, tmp_path / "report.docx", markers=True)
    doc = Document(str(path))
    texts = [p.text for p in doc.paragraphs]
    assert any("6[1]个项目" in t for t in texts)
    assert any(t.startswith("现将2026年上半年") for t in texts)
    assert any(t.startswith("【待填写：主要做法") for t in texts)
    font_table = next(p for p in doc.part.package.iter_parts() if "fontTable" in str(p.partname))
    xml = font_table.blob.decode("utf-8")
    assert re.search(r'w:name="仿宋_GB2312"><w:altName w:val="仿宋"', xml)


def _pages(pdf: Path) -> list[tuple[float, float]]:
    data = pdf.read_bytes()
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    return [(round(float(w)), round(float(h))) for w, h in boxes]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_pdf_from_libreoffice_is_a4(report, office, tmp_path):
    path = write_pdf(report, tmp_path / "report.pdf", text=office)
    pages = _pages(path)
    assert pages[0] == (595, 842)  # A4 portrait, in points
    assert (842, 595) in pages  # the annexes, landscape
    assert b"%PDF" in path.read_bytes()[:8]


@pytest.mark.browser
def test_pdf_from_chromium_without_libreoffice(report, office, tmp_path, monkeypatch):
    from landplan.maps import MapError, find_browser
    from landplan.report import gongwen

    try:
        find_browser()
    except MapError as exc:
        pytest.skip(str(exc))
    monkeypatch.setattr(gongwen, "find_libreoffice", lambda: None)
    path = write_pdf(report, tmp_path / "report.pdf", text=office)
    pages = _pages(path)
    assert pages[0] == (595, 842)
    assert (842, 595) in pages


def test_report_command_writes_word_and_pdf(tmp_path, capsys):
    location = str(tmp_path / "zone.gpkg")
    _fresh_store(location, projects=True).close()
    text = tmp_path / "text.txt"
    text.write_text(OFFICE_TEXT, encoding="utf-8")
    out = tmp_path / "out"
    args = ["report", "--period", "2026H1", "--no-maps", "--db", location, "--out", str(out)]
    with pytest.raises(SystemExit) as info:
        main([*args, "--text", str(text), "--no-pdf"])
    assert info.value.code in (0, None), capsys.readouterr().err
    doc = Document(str(out / "report.docx"))
    assert any("本期无" in p.text for p in doc.paragraphs)
    assert not (out / "report.pdf").exists()
    text.write_text("# 成绩\n", encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        main([*args, "--text", str(text)])
    assert info.value.code == 2
    assert "无法识别的部分「成绩」" in capsys.readouterr().err
