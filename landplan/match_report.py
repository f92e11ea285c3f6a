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

import pandas as pd

import geopandas as gpd

from landplan.io import write_layer
from landplan.match import RULES, Candidates
from landplan.outputs import check_replace, output_path
from landplan.review import Review
from landplan.tables import write_workbook
from landplan.units import m2_to_mu
from landplan.zone import Zone

__all__ = ["demand_table", "rejected_parcels", "write_match", "write_review"]

#: Chinese labels of the result columns written here.
MATCH_LABELS: dict[str, str] = {
    "rank": "排名",
    "candidate_id": "候选编号",
    "kind": "候选类型",
    "parcel_ids": "地块编号",
    "remainder_m2": "剩余面积",
    "investment_intensity_wan_yuan_per_mu": "投资强度(万元/亩)",
    "readiness_months": "可供地月数",
    "steps": "供地前需办理",
    "frontage_m": "临路长度(米)",
    "avenue_distance_m": "距大道(米)",
    "substation_distance_m": "距变电站(米)",
    "cluster_enterprises": "周边同集群企业数",
    "corridor_phase": "东扩分期",
    "score_area_fit": "面积匹配得分",
    "score_compactness": "形状紧凑得分",
    "score_frontage": "临路得分",
    "score_avenue_distance": "大道距离得分",
    "score_substation_distance": "变电站距离得分",
    "score_cluster_synergy": "集群协同得分",
    "score_readiness": "供地时效得分",
    "score_corridor_phase": "东扩分期得分",
    "score_total": "综合得分",
    "reasons": "理由",
    "rule": "规则",
    "reason": "原因",
    "principle": "评审原则",
    "threshold": "控制值",
    "passed": "是否通过",
    "share": "达标比例",
    "weight": "权重",
    "score": "得分",
    "item": "项目",
    "value": "数值",
    "unit": "单位",
    "count": "数量",
    "meaning": "含义",
}


def demand_table(candidates: Candidates) -> pd.DataFrame:
    """Tabulate the demand matched against, one row per item (window, target, cap, floor space)."""
    d = candidates.demand
    rows = [
        ("project_id", d.project_id, ""),
        ("window_min", d.min_mu, "mu"),
        ("target", d.target_mu, "mu"),
        ("window_max", d.max_mu, "mu"),
        ("asked_max", float(m2_to_mu(d.asked_max_m2)), "mu"),
        ("intensity_cap", float(m2_to_mu(d.cap_m2)), "mu"),
        ("floor_area", d.floor_area_m2, "m2"),
        ("voltage", d.voltage_kv, "kV"),
        ("basis", d.basis, ""),
        ("candidates", len(candidates.ranked), ""),
    ]
    return pd.DataFrame(rows, columns=["item", "value", "unit"])


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

    Returns
    -------
    list of Path
        The files written.
    """
    out = Path(out_dir)
    xlsx = output_path(out, "match", candidates.project_id, ".xlsx")
    gpkg = output_path(out, "match", candidates.project_id, ".gpkg")
    sites = candidates.sites
    rejected = rejected_parcels(candidates, zone)
    by_rule = candidates.rejections.groupby("rule", sort=False).size().rename("count").reset_index()
    by_rule["meaning"] = by_rule["rule"].map(RULES)
    sheets: dict[str, pd.DataFrame] = {"demand": demand_table(candidates)}
    if review is not None:
        sheets["review"] = review.principles
    sheets |= {
        "candidates": pd.DataFrame(sites.drop(columns="geometry")),
        "rejections": pd.DataFrame(rejected.drop(columns="geometry")),
        "rejections_by_rule": by_rule,
    }
    check_replace(gpkg, "match", parts=["candidates", "rejected"])
    paths = [write_workbook(xlsx, sheets, labels=MATCH_LABELS, kind="match")]
    write_layer(sites, gpkg, layer="candidates", policy=zone.policy, kind="match")
    if len(rejected):
        write_layer(rejected, gpkg, layer="rejected", policy=zone.policy, append=True)
    paths.append(gpkg)
    return paths


def write_review(review: Review, out_dir: str | os.PathLike) -> Path:
    """Write ``review_<project>.xlsx``: the principles and the verdict with its reasons."""
    verdict = pd.DataFrame(
        [
            ("verdict", review.verdict),
            ("score", review.score),
            ("site_area_mu", review.site_area_mu),
        ]
        + [("reason", r) for r in review.reasons],
        columns=["item", "value"],
    )
    return write_workbook(
        output_path(out_dir, "review", review.project_id, ".xlsx"),
        {"verdict": verdict, "principles": review.principles},
        labels=MATCH_LABELS,
        kind="review",
    )
