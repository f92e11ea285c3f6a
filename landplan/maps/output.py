"""Saving a map as one self-contained page, and drawing it in headless Chromium."""

from __future__ import annotations

import html
import os
import re
import shutil
from pathlib import Path

import folium

from landplan.errors import MapError
from landplan.maps.page import DataLayer, make_self_contained
from landplan.outputs import writing


def layer_counts(m: folium.Map) -> dict[str, int]:
    """Return each landplan overlay's name (as shown) and its number of features."""
    return {
        html.unescape(child.layer_name): child.feature_count
        for child in m._children.values()
        if isinstance(child, DataLayer)
    }


_EXTERNAL = re.compile(
    r"<(?:script|link|img|iframe)\b[^>]*?\b(?:src|href)\s*=\s*[\"']?((?:https?:)?//[^\"'\s>]+)",
    re.IGNORECASE,
)


def save_map(m: folium.Map, path: str | os.PathLike) -> Path:
    """Write a map as one self-contained HTML file.

    Parameters
    ----------
    m
        A map from this module (or any folium map: its CDN links are replaced by inline code).
    path
        The ``.html`` file to write (UTF-8).

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    MapError
        If an element added to the map still loads a script, style or image from the network.
    """
    make_self_contained(m)
    page = m.get_root().render()
    external = sorted(set(_EXTERNAL.findall(page)))
    if external:
        raise MapError(
            f"expected a self-contained page, found {len(external)} resource(s) loaded from the "
            f"network: {', '.join(external[:5])}; remove the folium elements or plugins that "
            "add them (landplan's maps carry their own fullscreen and measure controls)"
        )
    with writing(path) as path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page, encoding="utf-8")
    return path


def find_browser(browser: str | os.PathLike | None = None) -> str:
    """Return the Chromium executable: ``browser``, ``$LANDPLAN_CHROMIUM``, or on the PATH.

    Raises
    ------
    MapError
        If none is found.
    """
    candidates = [browser, os.environ.get("LANDPLAN_CHROMIUM")]
    candidates += [shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return str(candidate)
    raise MapError.of("out_no_browser")


#: Flags for headless Chromium run by landplan: no first-run work, no background traffic.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def screenshot(
    html_path: str | os.PathLike,
    png_path: str | os.PathLike,
    *,
    width: int = 1280,
    height: int = 800,
    browser: str | os.PathLike | None = None,
    timeout_s: float = 30.0,
) -> Path:
    """Render a saved map in headless Chromium and write a PNG of it.

    Parameters
    ----------
    html_path
        A page written by :func:`save_map`.
    png_path
        The PNG to write.
    width, height
        Viewport size in pixels.
    browser
        Chromium executable; see :func:`find_browser`.
    timeout_s
        How long to wait for the map to finish building.

    Returns
    -------
    Path
        The PNG written.

    Raises
    ------
    MapError
        If Playwright or Chromium is missing, or the page fails to build its map.
    """
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ModuleNotFoundError as exc:
        raise MapError.of("out_no_playwright") from exc
    executable = find_browser(browser)
    html_path = Path(html_path).resolve()
    png_path = Path(png_path)
    with sync_playwright() as p:
        engine = p.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
        try:
            page = engine.new_page(viewport={"width": width, "height": height})
            page.goto(html_path.as_uri())
            try:
                page.wait_for_function(
                    "window.landplan && window.landplan.ready === true", timeout=timeout_s * 1000
                )
            except PlaywrightError as exc:
                detail = f" ({str(exc).splitlines()[0]})"
                raise MapError.of(
                    "out_map_timeout", path=html_path, seconds=timeout_s, detail=detail
                ) from exc
            page.screenshot(path=str(png_path))
        finally:
            engine.close()
    return png_path
