"""Writing an :class:`~landplan.audit.AuditResult`: XLSX workbook, CSV files, GeoPackage layer.

Kept apart from :mod:`landplan.audit` so the audit itself stays free of file I/O.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

from landplan.audit import AuditResult
from landplan.io import write_layers
from landplan.labels import zh_labels
from landplan.tables import Lang, write_csvs, write_workbook

__all__ = ["AUDIT_LABELS", "write_audit"]

#: The audit's column labels: an alias of the label registry's (:mod:`landplan.labels`).
AUDIT_LABELS: Final = zh_labels()


def write_audit(
    result: AuditResult, out_dir: str | os.PathLike, *, lang: Lang = "both"
) -> dict[str, Path]:
    """Write an audit as ``audit.xlsx``, ``csv/<table>.csv`` and ``audit.gpkg`` in ``out_dir``.

    Parameters
    ----------
    result
        What :func:`landplan.audit.audit` returned.
    out_dir
        Directory to write into (created if needed; files of the same name are replaced).
    lang
        Headers of the workbook: English identifiers, Chinese, or ``identifier / 中文``. CSV
        headers use the identifiers when ``lang`` is ``"both"``, so scripts can read them back.

    Returns
    -------
    dict of str to Path
        ``"workbook"``, ``"geopackage"`` and ``"csv:<table>"`` for each table written.
    """
    out = Path(out_dir)
    tables = result.tables()
    paths = {"workbook": write_workbook(out / "audit.xlsx", tables, lang=lang)}
    csv_lang = "en" if lang == "both" else lang
    for name, path in write_csvs(out / "csv", tables, lang=csv_lang).items():
        paths[f"csv:{name}"] = path
    paths["geopackage"] = write_layers(result.layers(), out / "audit.gpkg")
    return paths
