"""Maps printed to send: A3 or A4 landscape sheets as PDF or PNG, with a title block.

:func:`print_map` opens a map page written by :func:`landplan.maps.save_map` in headless
Chromium, lays it out as a sheet (the map framed on the left with a north arrow and the metric
scale bar; on the right the title block — 图名, 编制单位, 日期, 数据截至 — and the legend, outside
the map area) without the on-screen controls (zoom, layers, fullscreen, measure), and writes it as
a PDF of the paper's size or a PNG at the paper's proportions.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

from landplan.errors import MapError
from landplan.maps import CHROMIUM_ARGS, find_browser

if TYPE_CHECKING:
    from playwright.sync_api import ViewportSize

__all__ = ["PAPERS", "Paper", "print_map"]

Paper = Literal["A3", "A4"]
#: Landscape paper sizes in millimetres (width, height).
PAPERS: Final[dict[str, tuple[int, int]]] = {"A3": (420, 297), "A4": (297, 210)}
_PX_PER_MM: Final = 96 / 25.4

_LABELS: Final = {
    "zh": {"title": "图名", "issuer": "编制单位", "date": "编制日期", "as_of": "数据截至"},
    "en": {"title": "Map", "issuer": "Prepared by", "date": "Date", "as_of": "Data as of"},
}


def _day(day: dt.date | str | None, lang: str) -> str:
    if day is None:
        return ""
    if isinstance(day, str):
        try:
            day = dt.date.fromisoformat(day)
        except ValueError as exc:
            raise MapError.of("out_title_date", day=day) from exc
    return f"{day.year}年{day.month}月{day.day}日" if lang == "zh" else day.isoformat()


def print_map(
    html_path: str | os.PathLike,
    out: str | os.PathLike,
    *,
    paper: Paper = "A3",
    title: str | None = None,
    issuer: str | None = None,
    date: dt.date | str | None = None,
    data_as_of: dt.date | str | None = None,
    lang: Literal["zh", "en"] = "zh",
    browser: str | os.PathLike | None = None,
    scale: float = 2.0,
    timeout_s: float = 30.0,
) -> Path:
    """Print a saved map as a landscape sheet: ``.pdf`` of the paper's size, or ``.png``.

    Parameters
    ----------
    html_path
        A page written by :func:`landplan.maps.save_map`.
    out
        The ``.pdf`` or ``.png`` to write.
    paper
        ``A3`` (420 x 297 mm) or ``A4`` (297 x 210 mm), landscape.
    title
        图名; the map's own legend title where None.
    issuer
        编制单位, the office issuing the map.
    date
        The date printed (today where None).
    data_as_of
        The date the data stand at (数据截至); left out where None.
    lang
        Labels of the title block.
    browser
        Chromium executable (:func:`landplan.maps.find_browser`).
    scale
        Pixels per CSS pixel of a PNG (2 gives about 190 dpi).
    timeout_s
        How long to wait for the map to build.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    MapError
        For an unknown paper or suffix, without Chromium or Playwright, or if the page fails.
    """
    if paper not in PAPERS:
        raise MapError.of("out_paper", paper=paper)
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".pdf", ".png"):
        raise MapError.of("out_print_suffix", path=out)
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ModuleNotFoundError as exc:
        raise MapError.of("out_no_playwright") from exc
    executable = find_browser(browser)
    words = _LABELS[lang]
    rows = [[words["issuer"], issuer or ""], [words["date"], _day(date or dt.date.today(), lang)]]
    if data_as_of is not None:
        rows.append([words["as_of"], _day(data_as_of, lang)])
    info = {
        "title": title,
        "rows": rows,
        "north": "北" if lang == "zh" else "North",
        "north_letter": "N",
    }
    width_mm, height_mm = PAPERS[paper]
    viewport: ViewportSize = {
        "width": round(width_mm * _PX_PER_MM),
        "height": round(height_mm * _PX_PER_MM),
    }
    page_url = Path(html_path).resolve().as_uri()
    out.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        engine = p.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
        try:
            context = engine.new_context(viewport=viewport, device_scale_factor=scale)
            page = context.new_page()
            page.goto(page_url)
            try:
                page.wait_for_function(
                    "window.landplan && window.landplan.ready === true", timeout=timeout_s * 1000
                )
            except PlaywrightError as exc:
                raise MapError.of(
                    "out_map_timeout", path=html_path, seconds=timeout_s, detail=""
                ) from exc
            page.emulate_media(media="print")
            page.evaluate(
                "info => { if (!info.title) { const t = document.querySelector("
                "'.lp-legend-title'); info.title = t ? t.textContent : ''; } "
                "landplan.print(landplan.map, info); }",
                info,
            )
            page.wait_for_function("window.landplan.printed === true", timeout=timeout_s * 1000)
            # Let tiles that are reachable arrive; the sheet is complete without them.
            page.wait_for_timeout(800)
            if suffix == ".pdf":
                page.pdf(
                    path=str(out),
                    width=f"{width_mm}mm",
                    height=f"{height_mm}mm",
                    print_background=True,
                    page_ranges="1",
                    margin={"top": "0", "right": "0", "bottom": "0", "left": "0"},
                )
            else:
                page.screenshot(path=str(out))
        finally:
            engine.close()
    return out
