"""Writing the report's files.

Markdown, HTML, the workbook of its tables, and the maps of the period.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from landplan.labels import table_title
from landplan.report.document import Report
from landplan.tables import write_workbook


def report_maps(
    report: Report, out: str | os.PathLike, *, browser: str | os.PathLike | None = None
) -> dict[str, Path]:
    """Draw the maps of a report's period and take their pictures in headless Chromium.

    The maps show the zone as it stood at the end of the period (statuses and stages read back
    from the events): the overview, the corridor expansion where the zone has an avenue, and
    the audit of idle and low-efficiency land on the period's last day, and the revitalisation plan
    made from that audit.

    Parameters
    ----------
    report
        From :func:`half_year_report`.
    out
        The folder for the map pages (``map_*.html``) and their pictures (``map_*.png``).
    browser
        The Chromium executable (:func:`landplan.maps.find_browser` finds one where None).

    Returns
    -------
    dict
        Caption -> PNG file, in the report's language.

    Raises
    ------
    landplan.maps.MapError
        If Chromium or Playwright is missing, or a map fails to build.
    """
    from landplan.audit import audit
    from landplan.maps import audit_map, corridor_map, overview_map, save_map, screenshot
    from landplan.maps.revitalisation import revitalisation_map
    from landplan.revitalise import revitalise

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    zh = report.lang == "zh"
    zone, lang = report.zone, report.lang
    drawn = {"overview": ("园区现状总览图" if zh else "The zone", overview_map(zone, lang=lang))}
    if len(zone.corridors):
        drawn["corridor"] = (
            "沿大道东扩分期图" if zh else "Corridor expansion",
            corridor_map(zone, lang=lang),
        )
    audited = audit(zone, as_of=report.period.end, lang=lang)
    drawn["audit"] = (
        "闲置与低效用地图" if zh else "Idle and low-efficiency land",
        audit_map(zone, audited, lang=lang),
    )
    drawn["revitalisation"] = (
        "盘活低效用地图" if zh else "Revitalising low-efficiency land",
        revitalisation_map(zone, revitalise(zone, audited), lang=lang),
    )
    pictures: dict[str, Path] = {}
    for key, (caption, drawing) in drawn.items():
        page = save_map(drawing, folder / f"map_{key}.html")
        pictures[caption] = screenshot(page, folder / f"map_{key}.png", browser=browser)
    return pictures


def _figures_sheet(report: Report) -> pd.DataFrame:
    """Return the notes with each table and column also named in words, beside the identifiers."""
    from landplan.labels import column_label

    notes = report.notes()
    notes.insert(2, "table_title", [table_title(t, report.lang) for t in notes["table"]])
    notes.insert(5, "column_label", [column_label(c, report.lang) for c in notes["column"]])
    return notes


def write_report(
    report: Report,
    out: str | os.PathLike,
    *,
    images: Mapping[str, str | os.PathLike] | None = None,
    text: str | os.PathLike | None = None,
    markers: bool = False,
    pdf: bool = False,
    browser: str | os.PathLike | None = None,
) -> dict[str, Path]:
    """Write a report as ``report.docx``, ``report.md``, ``report.html`` and ``report.xlsx``.

    Parameters
    ----------
    report
        From :func:`half_year_report`.
    out
        The folder, created if missing.
    images
        Caption -> PNG file (:func:`report_maps`): embedded in the HTML and the Word document
        (附图), linked from the Markdown.
    text
        The office's text file (:func:`landplan.report.gongwen.read_office_text`): the opening,
        主要做法, 下一步工作计划, the issuing office and the date of the Word document and PDF;
        placeholders where None.
    markers
        Put ``[n]`` after each number of the Word document, PDF, Markdown and HTML, for
        auditors (the trace appendix is there either way).
    pdf
        Also write ``report.pdf`` (LibreOffice, else Chromium).
    browser
        The Chromium executable for a PDF without LibreOffice.

    Returns
    -------
    dict
        ``docx``, ``markdown``, ``html``, ``xlsx`` (and ``pdf``) -> the file written.
    """
    from landplan.report.gongwen import read_office_text, write_docx, write_pdf

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    office = read_office_text(text) if text is not None else None
    paths = {
        "docx": folder / "report.docx",
        "markdown": folder / "report.md",
        "html": folder / "report.html",
        "xlsx": folder / "report.xlsx",
    }
    pictures = {caption: Path(path) for caption, path in (images or {}).items()}
    links = {
        caption: os.path.relpath(path.resolve(), folder.resolve()).replace(os.sep, "/")
        for caption, path in pictures.items()
    }
    write_docx(report, paths["docx"], text=office, markers=markers, images=pictures)
    paths["markdown"].write_text(
        report.to_markdown(images=links, markers=markers), encoding="utf-8"
    )
    embedded = {caption: path.read_bytes() for caption, path in pictures.items()}
    paths["html"].write_text(report.to_html(images=embedded, markers=markers), encoding="utf-8")
    sheets = {"figures": _figures_sheet(report), **report.tables}
    end = report.period.end
    # The workbook's creation stamp is the period's end, so a rerun writes the same bytes.
    write_workbook(
        paths["xlsx"],
        sheets,
        created=dt.datetime(end.year, end.month, end.day),
        title=report.title,
    )
    if pdf:
        paths["pdf"] = write_pdf(
            report,
            folder / "report.pdf",
            docx_path=paths["docx"],
            text=office,
            markers=markers,
            browser=browser,
        )
    return paths
