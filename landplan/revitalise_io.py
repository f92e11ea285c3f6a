"""Writing a revitalisation plan: a Chinese-first workbook and a GeoPackage.

Kept apart from :mod:`landplan.revitalise` so the plan itself stays free of file I/O. The workbook
speaks to a reader: modes, statuses, stages, clusters and kinds of site appear by their Chinese
and English names, never by identifier; headers read ``中文 / English``; areas, floor areas and
dates carry number formats. The GeoPackage keeps the identifiers beside the labels, for QGIS and
scripts.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

import pandas as pd

from landplan.io import write_layers
from landplan.kinds import KINDS
from landplan.labels import bilingual, sheet_title
from landplan.outputs import check_replace
from landplan.revitalise import MODES, Revitalisation
from landplan.tables import write_workbook
from landplan.vocab import BUILDING_STATUS, CLUSTER, PARCEL_STATUS, PROJECT_STAGE, Vocabulary

__all__ = ["REVITALISE_LABELS", "revitalisation_sheets", "write_revitalisation"]

#: Headers of the workbook, ``中文 / English``, from the label registry.
REVITALISE_LABELS: Final = {
    c: bilingual(c, context="revitalise")
    for c in (
        "section",
        "label_zh",
        "label_en",
        "parcels",
        "buildings",
        "land_mu",
        "floor_added_m2",
        "floor_let_m2",
        "parcel_id",
        "building_id",
        "name",
        "holder",
        "status",
        "area_mu",
        "floor_area_m2",
        "vacant_area_m2",
        "mode_zh",
        "mode_en",
        "basis_zh",
        "group_id",
        "evaluation_class",
        "cluster",
        "corridor_phase",
        "agreement_date",
        "land_date",
        "floor_added_date",
        "let_date",
        "quarter",
        "reason_zh",
        "reason_en",
        "projects",
        "project_id",
        "project_name",
        "stage",
        "project_cluster",
        "rank",
        "kind",
        "parcel_ids",
        "modes",
        "available_from",
        "score_total",
        "text_zh",
        "text_en",
        "reason",
        "key",
        "value",
        "source",
    )
}

_SECTIONS: Final = {
    s: bilingual(s, context="revitalise")
    for s in ("mode", "cluster", "corridor_phase", "quarter", "total")
}
# Kinds of candidate site by their names, from the one registry of kinds.
_KINDS: Final = {name: f"{k.label('zh')} / {k.label('en')}" for name, k in KINDS.items()}


def _both(values: pd.Series, vocabulary: Vocabulary) -> pd.Series:
    def name(v: object) -> object:
        if pd.isna(v) or v not in vocabulary.values:
            return v
        return f"{vocabulary.label(str(v), 'zh')} / {vocabulary.label(str(v), 'en')}"

    return values.map(name)


def _named(frame: pd.DataFrame, statuses: Vocabulary) -> pd.DataFrame:
    """Return a plan table with modes, statuses and clusters by name, its geometry left out.

    Rows go mode by mode, in the legend's order, the largest releases first.
    """
    table = pd.DataFrame(frame.drop(columns="geometry"))
    # A reader goes mode by mode, the largest releases first.
    order = table["mode"].map({m: k for k, m in enumerate(MODES.values)})
    released = [c for c in ("land_mu", "floor_added_m2", "floor_let_m2") if c in table]
    table = (
        table.assign(_order=order)
        .sort_values(
            ["_order", *released], ascending=[True] + [False] * len(released), kind="stable"
        )
        .drop(columns="_order")
        .reset_index(drop=True)
    )
    english = table.pop("mode").map(lambda m: MODES.label(m, "en"))
    table.insert(table.columns.get_loc("mode_zh") + 1, "mode_en", english)
    table["status"] = _both(table["status"], statuses)
    table["cluster"] = _both(table["cluster"], CLUSTER)
    return table


def revitalisation_sheets(result: Revitalisation) -> dict[str, pd.DataFrame]:
    """Return the workbook's sheets (Chinese sheet names), every identifier replaced by its names.

    Parameters
    ----------
    result
        What :func:`landplan.revitalise.revitalise` returned.
    """
    totals = result.totals.copy()
    totals["section"] = totals["section"].map(_SECTIONS)
    totals = totals.drop(columns="item")

    parcels = _named(result.parcels, PARCEL_STATUS)
    buildings = _named(result.buildings, BUILDING_STATUS)

    uses = result.uses.copy()
    uses["stage"] = _both(uses["stage"], PROJECT_STAGE)
    uses["project_cluster"] = _both(uses["project_cluster"], CLUSTER)
    uses["kind"] = uses["kind"].map(_KINDS).fillna(uses["kind"])
    uses["modes"] = (
        uses["modes"]
        .fillna("")
        .str.split(";")
        .map(lambda ms: "；".join(MODES.label(m, "zh") for m in ms if m))
    )
    tables = {
        "totals": totals,
        "parcels": parcels,
        "buildings": buildings,
        "uses": uses,
        "unmatched": result.unmatched,
        "policy": result.policy_used,
    }
    return {sheet_title(name, context="revitalise"): frame for name, frame in tables.items()}


def write_revitalisation(result: Revitalisation, out_dir: str | os.PathLike) -> dict[str, Path]:
    """Write a plan as ``revitalise.xlsx`` and ``revitalise.gpkg`` in ``out_dir``.

    Parameters
    ----------
    result
        What :func:`landplan.revitalise.revitalise` returned.
    out_dir
        Directory to write into (created if needed). Files of the same name are replaced only
        where they are landplan's revitalisation output.

    Raises
    ------
    landplan.errors.OutputError
        If ``revitalise.xlsx`` or ``revitalise.gpkg`` there is another file (a store, a user's
        workbook): nothing is written.

    Returns
    -------
    dict of str to Path
        ``"workbook"`` and ``"geopackage"`` (layers ``revitalise_parcels``,
        ``revitalise_buildings`` and ``revitalise_uses``, the candidate sites of the pipeline).
    """
    out = Path(out_dir)
    gpkg = out / "revitalise.gpkg"
    layers = result.layers()
    # Both files are checked before either is written: a refusal leaves nothing half done.
    check_replace(gpkg, "revitalise", parts=layers)
    workbook = write_workbook(
        out / "revitalise.xlsx",
        revitalisation_sheets(result),
        lang="zh",
        labels=REVITALISE_LABELS,
        kind="revitalise",
    )
    write_layers(layers, gpkg, kind="revitalise")
    return {"workbook": workbook, "geopackage": gpkg}
