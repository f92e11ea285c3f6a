"""Writing the allocation, the supply-demand balance and the corridor phases to files.

Each writer puts its tables in one XLSX workbook (bilingual headers, through
:func:`landplan.tables.write_workbook`) and its geometry in one GeoPackage (through
:func:`landplan.io.write_layer`), in a folder, and returns the paths written.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

import geopandas as gpd

from landplan.allocate import Allocation
from landplan.capacity import Balance
from landplan.corridor import CorridorResult
from landplan.io import write_layer
from landplan.tables import write_csvs, write_workbook
from landplan.vocab import PARCEL_STATUS

__all__ = ["read_candidates", "write_allocation", "write_capacity", "write_corridor"]

#: Chinese labels of the result columns written here.
PLAN_LABELS: dict[str, str] = {
    "candidate_id": "候选地块编号",
    "kind": "类型",
    "parcel_ids": "地块编号",
    "score": "匹配得分",
    "value": "目标值",
    "source": "来源",
    "reason": "未落地原因",
    "best_value": "最高目标值",
    "competitors": "占用其候选地的项目",
    "detail": "说明",
    "chosen": "入选",
    "greedy": "贪心入选",
    "forbidden": "已被预留",
    "in_program": "参与求解",
    "item": "项目",
    "phase": "分期",
    "start_m": "起点桩号(米)",
    "end_m": "终点桩号(米)",
    "length_m": "长度(米)",
    "parcel_mu": "地块面积(亩)",
    "unparcelled_mu": "非地块面积(亩)",
    "available_mu": "可供地(亩)",
    "supply_mu": "供地来源面积(亩)",
    "constrained_mu": "受管控面积(亩)",
    "developable_mu": "可开发面积(亩)",
    "vacant_floor_m2": "空置厂房面积(平方米)",
    "vacant_buildings": "空置厂房数",
    "projects": "项目",
    "n_projects": "项目数",
    "cumulative_developable_mu": "累计可开发面积(亩)",
    "cumulative_vacant_floor_m2": "累计空置厂房面积(平方米)",
    "chainage_m": "桩号(米)",
    "parcels": "地块数",
    "ready_months": "可供地月数",
    "ready_quarter": "可供地季度",
    "floor_load_band": "楼面荷载档",
    "clear_height_band": "净高档",
    "buildings": "厂房数",
    "demand": "需求类型",
    "demand_mu": "用地需求(亩)",
    "floor_demand_m2": "厂房需求(平方米)",
    "probability": "落地概率",
    "expected_mu": "期望用地需求(亩)",
    "expected_floor_m2": "期望厂房需求(平方米)",
    "need_quarter": "需求季度",
    "quarter": "季度",
    "ready_mu": "当季可供地(亩)",
    "cumulative_supply_mu": "累计可供地(亩)",
    "cumulative_demand_mu": "累计期望需求(亩)",
    "balance_mu": "供需差(亩)",
    "shortfall_mu": "缺口(亩)",
    "closing_source": "补缺来源",
    "closing_quarter": "补缺季度",
    "landable_mu": "可落地面积(亩)",
    **{f"{s}_mu": f"{PARCEL_STATUS.label(s, 'zh')}(亩)" for s in PARCEL_STATUS.values},
    **{f"ready_{s}_mu": f"可供{PARCEL_STATUS.label(s, 'zh')}(亩)" for s in PARCEL_STATUS.values},
}


def read_candidates(path: str | os.PathLike, *, crs) -> gpd.GeoDataFrame:
    """Read a candidate table (see :data:`landplan.allocate.CANDIDATE_COLUMNS`) from a file.

    A GeoPackage or GeoJSON keeps its site shapes, brought into ``crs``; a CSV or XLSX has no
    shapes (cut-outs of one parcel are then taken to overlap). ``parcel_ids`` is ``;``-joined.

    Raises
    ------
    ReadError
        If the file is missing or of another type.
    """
    from landplan.errors import ReadError

    path = Path(path)
    if not path.exists():
        raise ReadError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in (".gpkg", ".geojson", ".json", ".shp"):
        frame = gpd.read_file(path)
        return frame.to_crs(crs) if frame.crs is not None else frame.set_crs(crs)
    if suffix in (".csv", ".xlsx"):
        table = pd.read_csv(path) if suffix == ".csv" else pd.read_excel(path)
        table = table.drop(columns="geometry", errors="ignore")
        return gpd.GeoDataFrame(table, geometry=[None] * len(table), crs=crs)
    raise ReadError(
        f"{path}: unsupported file type {suffix!r}; expected .gpkg, .geojson, .csv or .xlsx"
    )


def _out(out_dir: str | os.PathLike) -> Path:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return out


def write_allocation(result: Allocation, out_dir: str | os.PathLike) -> list[Path]:
    """Write the plan to ``allocation.xlsx``, ``allocation_candidates.csv`` and ``allocation.gpkg``.

    The workbook holds the plan, the unplaced projects, the summary and the candidates the solver
    weighed (those the reductions proved unneeded left out, so that a zone's hundreds of
    thousands of sites stay under a sheet's row limit); the CSV every candidate; the GeoPackage
    the layer ``plan``.

    Returns
    -------
    list of Path
        The files written.
    """
    out = _out(out_dir)
    notes = pd.DataFrame({"item": "note", "value": result.notes})
    summary = pd.concat([result.summary().astype({"value": object}), notes], ignore_index=True)
    candidates = pd.DataFrame(result.candidates.drop(columns="geometry")).assign(
        parcel_ids=lambda f: f["parcel_ids"].map(";".join)
    )
    book = write_workbook(
        out / "allocation.xlsx",
        {
            "plan": result.plan,
            "unplaced": result.unplaced,
            "summary": summary,
            "candidates": candidates.loc[
                candidates["in_program"] | candidates["chosen"] | candidates["greedy"]
            ],
        },
        labels=PLAN_LABELS,
    )
    every = write_csvs(out, {"allocation_candidates": candidates}, lang="both", labels=PLAN_LABELS)
    paths = [book, *every.values()]
    if len(result.plan):
        paths.append(write_layer(result.plan, out / "allocation.gpkg", layer="plan"))
    return paths


def write_capacity(result: Balance, out_dir: str | os.PathLike) -> list[Path]:
    """Write the balance: ``capacity.xlsx`` with one sheet per table.

    Returns
    -------
    list of Path
        The files written.
    """
    out = _out(out_dir)
    summary = result.summary().astype({"value": object})
    return [
        write_workbook(
            out / "capacity.xlsx",
            {
                "summary": summary,
                "by_quarter": result.by_quarter,
                "by_cluster": result.by_cluster,
                "supply": result.supply,
                "floor_space": result.floor_space,
                "demand": result.demand,
                "projects": result.projects,
                "floor_balance": result.floor_balance,
            },
            labels=PLAN_LABELS,
        )
    ]


def write_corridor(result: CorridorResult, out_dir: str | os.PathLike) -> list[Path]:
    """Write the phases to ``corridor.xlsx`` and ``corridor.gpkg``.

    The workbook holds the phases, land by status and the curve; the GeoPackage the layers
    ``phases`` and ``pieces``.

    Returns
    -------
    list of Path
        The files written.
    """
    out = _out(out_dir)
    book = write_workbook(
        out / "corridor.xlsx",
        {"phases": result.phases, "land_by_status": result.land_by_status, "curve": result.curve},
        labels=PLAN_LABELS,
    )
    gpkg = out / "corridor.gpkg"
    write_layer(result.phases, gpkg, layer="phases")
    pieces = gpd.GeoDataFrame(result.pieces.astype({"status": str}))
    write_layer(pieces, gpkg, layer="pieces", append=True)
    return [book, gpkg]
