"""Writing an :class:`~landplan.audit.AuditResult`: XLSX workbook, CSV files, GeoPackage layer.

Kept apart from :mod:`landplan.audit` so the audit itself stays free of file I/O.

The workbook holds what a person reads: the parcels that need action (low-efficiency, idle or
recoverable land), one sheet per rule listing the parcels it fires on, the enterprises of class
D, the deadlines, the summary and the policy applied. Every parcel, every enterprise and every
rule outcome (those lacking data too) go to the CSV files and the GeoPackage, which GIS and
scripts read whatever the zone's size.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

import pandas as pd

from landplan.audit import RULES, AuditResult
from landplan.io import write_layers
from landplan.labels import sheet_title, zh_labels
from landplan.tables import Lang, write_csvs, write_workbook

__all__ = ["AUDIT_LABELS", "FLAGGED_COLUMNS", "RULE_COLUMNS", "audit_sheets", "write_audit"]

#: The audit's column labels: an alias of the label registry's (:mod:`landplan.labels`).
AUDIT_LABELS: Final = zh_labels()

#: Columns of the flagged-parcels sheet: who holds the land, what was found, what follows.
FLAGGED_COLUMNS: Final = (
    "parcel_id",
    "name",
    "status",
    "holder",
    "area_mu",
    "far",
    "far_min_required",
    "coverage",
    "investment_intensity_wan_yuan_per_mu",
    "output_per_mu_wan_yuan",
    "tax_per_mu_wan_yuan",
    "idle_state",
    "idle_date",
    "recovery_date",
    "days_to_recovery",
    "idle_fee_wan_yuan",
    "low_efficiency_rules",
    "evaluation_class",
    "far_gain_m2",
    "recoverable_land_mu",
)

#: Columns of a rule's sheet: the rule by its Chinese name (its id names the sheet), then what
#: was measured against what.
RULE_COLUMNS: Final = (
    "parcel_id",
    "enterprise_id",
    "rule_zh",
    "value",
    "threshold",
    "unit",
    "reason",
)

# Idle states that call for action now: the fee is due, or the land can be taken back.
_ACTION_STATES: Final = ("idle", "recoverable")


def audit_sheets(result: AuditResult, lang: Lang = "zh") -> dict[str, pd.DataFrame]:
    """Return the workbook's sheets by name, in reading order.

    The parcels that need action (low-efficiency, idle or recoverable), a sheet per rule with
    the parcels it fires on, the enterprises of class D, the deadlines, the summary and the
    policy. Sheets have Chinese names (需处置地块, 未按期动工 ... 参数) unless ``lang`` is
    ``en``, where they keep their identifiers (``flagged_parcels``, ``IDLE-1`` ... ``policy``).
    A sheet longer than a worksheet continues on the next
    (:func:`landplan.tables.write_workbook`).
    """
    parcels = result.parcels
    flagged = parcels["low_efficiency"].fillna(False).astype(bool) | parcels["idle_state"].isin(
        _ACTION_STATES
    )
    sheets = {"flagged_parcels": _columns(parcels.loc[flagged], FLAGGED_COLUMNS)}
    names = {}
    fires = result.flags[result.flags["outcome"] == "fires"]
    rule_of = fires["rule_id"].to_numpy()
    for rule_id in (*RULES, *sorted(set(rule_of) - set(RULES))):
        rows = fires[rule_of == rule_id]
        if rows.empty:
            continue
        table = _columns(rows, RULE_COLUMNS)
        if table["enterprise_id"].isna().all():
            table = table.drop(columns="enterprise_id")
        sheets[str(rule_id)] = table
        if rule_id in RULES:
            names[str(rule_id)] = RULES[rule_id].short
    enterprises = result.enterprises
    sheets["enterprises_class_d"] = enterprises[enterprises["evaluation_class"] == "D"]
    sheets["deadlines"] = result.deadlines
    sheets["summary"] = result.summary()
    sheets["policy"] = result.policy_used
    if lang == "en":
        return sheets
    return {
        names.get(name) or sheet_title(name, context="audit"): frame
        for name, frame in sheets.items()
    }


def _columns(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame(frame[[c for c in columns if c in frame.columns]]).reset_index(drop=True)


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
        Headers of the workbook: English identifiers, Chinese, or ``identifier / 中文``; the
        sheets have Chinese names unless ``lang`` is ``en`` (:func:`audit_sheets`). CSV headers
        use the identifiers when ``lang`` is ``"both"``, so scripts can read them back. The
        explanations are in the language the audit was run in (``audit(..., lang=)``).

    Returns
    -------
    dict of str to Path
        ``"workbook"`` (the sheets of :func:`audit_sheets`), ``"geopackage"`` (every parcel)
        and ``"csv:<table>"`` for each full table: parcels, enterprises, flags, deadlines,
        summary, policy.
    """
    out = Path(out_dir)
    sheets = audit_sheets(result, "en" if lang == "en" else "zh")
    paths = {"workbook": write_workbook(out / "audit.xlsx", sheets, lang=lang)}
    csv_lang = "en" if lang == "both" else lang
    for name, path in write_csvs(out / "csv", result.tables(), lang=csv_lang).items():
        paths[f"csv:{name}"] = path
    paths["geopackage"] = write_layers(result.layers(), out / "audit.gpkg")
    return paths
