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
from landplan.io import write_layers
from landplan.labels import zh_labels
from landplan.tables import write_csvs, write_workbook

__all__ = ["read_candidates", "write_allocation", "write_capacity", "write_corridor"]

#: The column labels: an alias of the label registry's (:mod:`landplan.labels`).
PLAN_LABELS: dict[str, str] = zh_labels()


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
        raise ReadError.of("read_no_file", path=path)
    suffix = path.suffix.lower()
    if suffix in (".gpkg", ".geojson", ".json", ".shp"):
        frame = gpd.read_file(path)
        return frame.to_crs(crs) if frame.crs is not None else frame.set_crs(crs)
    if suffix in (".csv", ".xlsx"):
        table = pd.read_csv(path) if suffix == ".csv" else pd.read_excel(path)
        table = table.drop(columns="geometry", errors="ignore")
        return gpd.GeoDataFrame(table, geometry=[None] * len(table), crs=crs)
    raise ReadError.of("plan_candidates_suffix", path=path, suffix=suffix)


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
    tables = result.tables("zh")
    candidates = pd.DataFrame(tables["candidates"].drop(columns="geometry")).assign(
        parcel_ids=lambda f: f["parcel_ids"].map(";".join)
    )
    weighed = candidates["in_program"] | candidates["chosen"] | candidates["greedy"]
    book = write_workbook(
        out / "allocation.xlsx", {**tables, "candidates": candidates.loc[weighed]}
    )
    every = write_csvs(out, {"allocation_candidates": candidates}, lang="both", labels=PLAN_LABELS)
    paths = [book, *every.values()]
    if len(result.plan):
        paths.append(write_layers(result.layers(), out / "allocation.gpkg"))
    return paths


def write_capacity(result: Balance, out_dir: str | os.PathLike) -> list[Path]:
    """Write the balance: ``capacity.xlsx`` with one sheet per table.

    Returns
    -------
    list of Path
        The files written.
    """
    out = _out(out_dir)
    return [write_workbook(out / "capacity.xlsx", result.tables())]


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
    book = write_workbook(out / "corridor.xlsx", result.tables())
    return [book, write_layers(result.layers(), out / "corridor.gpkg")]
