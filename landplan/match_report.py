"""Writing a review and a match: an XLSX workbook and a GeoPackage of the candidate sites.

The workbook (bilingual headers, :func:`landplan.tables.write_workbook`) holds the demand, the
review's principles, the ranked candidates with every score component, the rejections of land
on the market (parcels turned down by a rule other than their status) and a count of rejections
by rule. The GeoPackage (:func:`landplan.io.write_layer`) holds the candidate sites as polygons
(cut-outs included) and the rejected parcels with their rule and reason, for QGIS.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import pandas as pd

import geopandas as gpd

from landplan.io import write_layers
from landplan.labels import Lang, zh_labels
from landplan.match import Candidates
from landplan.outputs import check_replace, output_path
from landplan.review import Review
from landplan.tables import write_workbook
from landplan.zone import Zone

__all__ = ["demand_table", "rejected_parcels", "write_match", "write_review"]

#: The column labels: an alias of the label registry's (:mod:`landplan.labels`).
MATCH_LABELS: dict[str, str] = zh_labels()


def demand_table(candidates: Candidates) -> pd.DataFrame:
    """Tabulate the demand matched against (:meth:`landplan.match.Candidates.demand_table`)."""
    return candidates.demand_table()


def rejected_parcels(candidates: Candidates, zone: Zone) -> gpd.GeoDataFrame:
    """Parcels on the market that were turned down, with their geometry, rule and reason.

    Parcels turned down only for their status (occupied, under construction, planned) are left
    out: they are not sites anyone would expect to be offered.
    """
    rej = candidates.rejections
    rej = rej.loc[rej["parcel_id"].notna() & (rej["rule"] != "status")]
    parcels = zone.parcels[["parcel_id", "status", "area_mu", "geometry"]]
    return gpd.GeoDataFrame(
        rej[["parcel_id", "rule", "reason"]].merge(parcels, on="parcel_id", how="left"),
        geometry="geometry",
        crs=zone.parcels.crs,
    )


def write_match(
    candidates: Candidates,
    out_dir: str | os.PathLike,
    *,
    zone: Zone,
    review: Review | None = None,
    lang: Lang | None = None,
) -> list[Path]:
    """Write ``match_<project>.xlsx`` and ``match_<project>.gpkg`` into ``out_dir``.

    The project id is made a safe file name (:func:`landplan.outputs.output_path`); files that
    are not landplan's match outputs are never replaced.

    Parameters
    ----------
    candidates
        The result of :func:`landplan.match.match`.
    out_dir
        Folder to write into (created if missing).
    zone
        The zone matched against (rejected parcels' geometry, the policy).
    review
        The project's review, written as a sheet of its own where given.
    lang
        The language of the workbook's texts (the match's where None): in Chinese its headers
        read ``identifier / 中文``, in English they are the identifiers. The rejections' reasons
        are in the language of the match.

    Returns
    -------
    list of Path
        The files written.
    """
    out = Path(out_dir)
    xlsx = output_path(out, "match", candidates.project_id, ".xlsx")
    gpkg = output_path(out, "match", candidates.project_id, ".gpkg")
    lang = lang or candidates.lang
    tables = candidates.tables(lang)
    # The parcels turned down, with their status, area and geometry from the zone.
    rejected = rejected_parcels(candidates, zone)
    sheets: dict[str, pd.DataFrame] = {"demand": tables["demand"]}
    if review is not None:
        sheets["review"] = review.principles_text(lang)
    sheets |= {
        "candidates": tables["candidates"],
        "rejections": rejected,
        "rejections_by_rule": tables["rejections_by_rule"],
    }
    layers = {**candidates.layers(lang), "rejected": rejected}
    check_replace(gpkg, "match", parts=layers)
    headers: Lang | Literal["both"] = "en" if lang == "en" else "both"
    paths = [write_workbook(xlsx, sheets, lang=headers, kind="match")]
    paths.append(write_layers(layers, gpkg, kind="match", policy=zone.policy))
    return paths


def write_review(review: Review, out_dir: str | os.PathLike) -> Path:
    """Write ``review_<project>.xlsx``: the principles and the verdict with its reasons."""
    return write_workbook(
        output_path(out_dir, "review", review.project_id, ".xlsx"),
        review.tables("zh"),
        kind="review",
    )
