"""A realistic, deterministic sample zone modelled on the seed report.

The zone lies near 112.0°E, 22.9°N (western Guangdong) along an east–west avenue, the
corridor of the report's "extend east along the avenue" (沿大道东扩). The built-up zone is in
the west: mostly occupied parcels with some low-efficiency (低效) and idle (闲置) land; the
middle mixes occupied land, land under construction and state reserve land (储备用地); the east
is reserve and planned land. Villages keep reserved land (留用地) that can only be leased. An
ecological red line covers a hill in the north-east, permanent basic farmland lies in the east,
a river crosses the zone and a water source protection zone touches it in the north-west.

Everything comes from :func:`numpy.random.default_rng` and a fixed reference date
(:data:`AS_OF`, 2026-06-30, the end of the report's half year), so a seed always gives the same
zone. The generator is vectorised: :func:`make_zone` builds 10⁶ parcels with their buildings and
enterprises in well under a minute. :func:`write_sample` writes the layers to a GeoPackage, a CSV
and an XLSX file that are identical byte for byte from one run to the next.
"""

from __future__ import annotations

import datetime as _dt
import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

import geopandas as gpd
import pyogrio
import shapely
from pyproj import Transformer

from landplan.errors import Code, LandplanError
from landplan.units import MU_M2

__all__ = [
    "AS_OF",
    "CRS",
    "DEFAULT_N_PARCELS",
    "DEFAULT_SEED",
    "GPKG_LAYERS",
    "gdal_options",
    "make_zone",
    "record_history",
    "sample_landings",
    "write_sample",
]

#: Reference date of the sample: dates and idle-land clocks are set relative to it.
AS_OF = _dt.date(2026, 6, 30)
#: CRS of every sample layer: CGCS2000 3° Gauss–Krüger zone, central meridian 111°E.
CRS = "EPSG:4546"
#: Seed used when none is given.
DEFAULT_SEED = 20260630
#: Number of parcels in the default sample zone.
DEFAULT_N_PARCELS = 450
#: Spatial layers written to ``zone.gpkg``, in this order.
GPKG_LAYERS = (
    "parcels",
    "buildings",
    "enterprises",
    "constraints",
    "corridors",
    "substations",
    "roads",
)

# Where the zone is: the west end of the avenue, in CGCS2000 longitude/latitude.
_LON, _LAT = 112.0, 22.9
# The avenue runs slightly north of east: local (x east, y north) axes are turned by this angle.
_ROTATION_DEG = 6.0
_AVENUE_NAME = "新城大道"
_ROAD_WIDTH_M = {"avenue": 50.0, "secondary": 30.0, "branch": 20.0}
# Blocks: columns between north-south roads, bands between east-west roads.
_COLUMN_SPACING_M = (400.0, 440.0)
_BAND_DEPTH_M = (260.0, 310.0)
_PARCEL_MU = (5.0, 200.0)
_AS_OF64 = np.datetime64(AS_OF.isoformat(), "D")
_DATE = "datetime64[ms]"
# Fixed stamp GDAL writes into the GeoPackage (gpkg_contents.last_change).
_GPKG_DATE = "2026-06-30T00:00:00Z"

_STATUSES = (
    "occupied",
    "low_efficiency",
    "idle",
    "under_construction",
    "state_reserve",
    "planned",
)
# Status probabilities by section of the avenue (west built-up zone to far east), in _STATUSES
# order; reserved_leased (village land) is laid over these near the villages.
_SECTION_EDGES = (0.45, 0.75, 0.88)
_STATUS_P = np.array(
    [
        [0.74, 0.13, 0.05, 0.04, 0.04, 0.00],
        [0.30, 0.06, 0.08, 0.16, 0.40, 0.00],
        [0.08, 0.00, 0.03, 0.10, 0.59, 0.20],
        [0.00, 0.00, 0.00, 0.03, 0.17, 0.80],
    ]
)

# Villages: name, local centre x/y (m), radius (m).
_VILLAGES = (
    ("上塘村", 1750.0, -560.0, 170.0),
    ("石岗村", 3900.0, 540.0, 150.0),
    ("新围村", 4350.0, -600.0, 140.0),
    ("龙湾村", 8000.0, 480.0, 180.0),
)

_CLUSTERS = (
    "metal_smart_manufacturing",
    "machinery_equipment",
    "new_materials",
    "hydrogen_energy",
    "other",
)
_CLUSTER_P = (0.30, 0.25, 0.15, 0.10, 0.20)
# GB/T 4754-2017 codes per cluster with a word for company names.
_INDUSTRIES = {
    "metal_smart_manufacturing": (
        ("3311", "钢结构"),
        ("3331", "集装箱"),
        ("3360", "金属表面处理"),
        ("3391", "精密铸造"),
        ("3399", "五金制品"),
        ("4210", "再生资源"),
    ),
    "machinery_equipment": (
        ("3421", "数控机床"),
        ("3441", "泵业"),
        ("3443", "阀门"),
        ("3491", "机器人"),
        ("3511", "矿山机械"),
        ("3591", "环保设备"),
    ),
    "new_materials": (
        ("2651", "树脂"),
        ("2662", "精细化工"),
        ("3062", "复合材料"),
        ("3091", "碳素"),
        ("3099", "新材料"),
        ("4220", "资源再生"),
    ),
    "hydrogen_energy": (
        ("3849", "燃料电池"),
        ("3849", "氢能动力"),
        ("2619", "氢气"),
        ("3819", "氢能电机"),
    ),
    "other": (
        ("1810", "服饰"),
        ("2231", "纸品包装"),
        ("2929", "塑料制品"),
        ("3990", "电子科技"),
    ),
}
# Energy intensity of output (tce per 万元) by cluster.
_ENERGY_INTENSITY = {
    "metal_smart_manufacturing": 0.030,
    "machinery_equipment": 0.012,
    "new_materials": 0.055,
    "hydrogen_energy": 0.010,
    "other": 0.020,
}
# Chain-leader enterprises on the largest built parcels of the west: cluster, industry, name.
_CHAIN_LEADERS = (
    ("hydrogen_energy", "3849", "粤氢动力科技股份有限公司"),
    ("metal_smart_manufacturing", "3311", "华粤精密金属制造股份有限公司"),
    ("machinery_equipment", "3421", "南岭智能装备股份有限公司"),
)
_NAME_CHARS = tuple("粤云南华宏信恒德利盛广新金永东鸿泰嘉兴立")
# Tonnes of standard coal equivalent per MWh of electricity (calorific equivalent).
_TCE_PER_MWH = 0.1229


def make_zone(
    *, seed: int = DEFAULT_SEED, n_parcels: int | None = None
) -> dict[str, gpd.GeoDataFrame]:
    """Generate the sample zone: every layer, in EPSG:4546.

    Parameters
    ----------
    seed
        Seed of :func:`numpy.random.default_rng`; the same seed gives the same zone.
    n_parcels
        Number of parcels; :data:`DEFAULT_N_PARCELS` (450) where None. Larger zones extend east
        along the avenue and add bands of blocks north and south of it; constraints, villages and
        projects stay those of the default zone, substations follow the extent.

    Returns
    -------
    dict of str to GeoDataFrame
        ``parcels``, ``buildings``, ``enterprises``, ``projects`` (a table with null geometry),
        ``constraints``, ``corridors``, ``substations`` and ``roads``, with the column names of
        :data:`landplan.layers.LAYERS` and canonical vocabulary identifiers.

    Raises
    ------
    LandplanError
        If ``n_parcels`` is not a positive integer.

    Examples
    --------
    >>> zone = make_zone(n_parcels=200)
    >>> len(zone["parcels"]), zone["parcels"].crs.to_epsg()
    (200, 4546)
    """
    n = _check_n(n_parcels)
    streams = np.random.default_rng(seed).spawn(6)
    origin = _origin()
    constraints = _constraints(streams[0])
    grid = _parcel_grid(streams[1], n, constraints["geometry"])
    parcels, info = _parcel_attributes(streams[2], grid)
    buildings = _buildings(streams[3], parcels, info, grid)
    enterprises = _enterprises(streams[4], parcels, info, grid, buildings)
    roads, corridor = _roads(grid)
    substations = _substations(streams[5], grid)
    local = {
        "parcels": parcels,
        "buildings": buildings,
        "enterprises": enterprises,
        "constraints": constraints,
        "corridors": corridor,
        "substations": substations,
        "roads": roads,
    }
    layers = {name: _to_crs(frame, origin) for name, frame in local.items()}
    _derive_measures(layers)
    layers["projects"] = _projects()
    return {name: layers[name] for name in (*GPKG_LAYERS[:3], "projects", *GPKG_LAYERS[3:])}


def write_sample(
    directory: str | os.PathLike[str],
    *,
    seed: int = DEFAULT_SEED,
    n_parcels: int | None = None,
) -> dict[str, Path]:
    """Generate the sample zone and write it to ``directory``, reproducibly.

    Writes ``zone.gpkg`` (one layer per spatial layer, EPSG:4546), ``projects.csv`` (UTF-8 with a
    byte-order mark, so Excel shows the Chinese) and ``projects.xlsx``. The same arguments give
    the same bytes: the GeoPackage's modification stamp and the workbook's document properties
    are fixed.

    Parameters
    ----------
    directory
        Output directory; created if missing. Existing files of the same name are replaced.
    seed
        Seed passed to :func:`make_zone`.
    n_parcels
        Number of parcels passed to :func:`make_zone`.

    Returns
    -------
    dict of str to Path
        ``gpkg``, ``csv`` and ``xlsx`` to the files written.

    Raises
    ------
    LandplanError
        If ``n_parcels`` is not a positive integer.
    """
    layers = make_zone(seed=seed, n_parcels=n_parcels)
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "gpkg": out / "zone.gpkg",
        "csv": out / "projects.csv",
        "xlsx": out / "projects.xlsx",
    }
    _write_gpkg(layers, paths["gpkg"])
    projects = pd.DataFrame(layers["projects"].drop(columns="geometry"))
    projects.to_csv(paths["csv"], index=False, encoding="utf-8-sig", lineterminator="\n")
    _write_xlsx(projects, paths["xlsx"])
    return paths


# --------------------------------------------------------------------------------------------
# layout


def _check_n(n_parcels: int | None) -> int:
    if n_parcels is None:
        return DEFAULT_N_PARCELS
    if isinstance(n_parcels, bool) or not isinstance(n_parcels, int | np.integer):
        raise LandplanError.of("sample_n_type", n=n_parcels, default=DEFAULT_N_PARCELS)
    if n_parcels < 1:
        raise LandplanError.of("sample_n_min", n=n_parcels, default=DEFAULT_N_PARCELS)
    return int(n_parcels)


def _origin() -> tuple[float, float]:
    """Projected coordinates of the avenue's west end, rounded to 10 m."""
    to_gk = Transformer.from_crs("EPSG:4490", CRS, always_xy=True)
    x, y = to_gk.transform(_LON, _LAT)
    return round(x, -1), round(y, -1)


def _bands_per_side(n: int) -> int:
    """Bands of blocks on each side of the avenue: two for the sample, more for big zones.

    Zones of benchmark size grow north and south as much as east, so that even 10⁶ parcels stay
    roughly square and inside the area of use of the sample's Gauss-Krüger zone.
    """
    if n <= 10_000:
        return max(2, math.isqrt(n // 80))
    return math.isqrt(n // 27)


def _irregular_polygon(
    rng: np.random.Generator, cx: float, cy: float, r: float, k: int
) -> shapely.Polygon:
    angles = np.linspace(0.0, 2.0 * np.pi, k, endpoint=False)
    radii = r * rng.uniform(0.8, 1.15, k)
    ring = np.column_stack([cx + radii * np.cos(angles), cy + radii * np.sin(angles)])
    return shapely.Polygon(ring)


def _constraints(rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Never-allocatable land, villages and the fuel station, in local coordinates."""
    rows: list[tuple[str, str, shapely.Geometry]] = []
    hill = _irregular_polygon(rng, 7200.0, 900.0, 520.0, 20)
    rows.append(("ecological_red_line", "大岭山生态保护红线", hill))
    farm = np.array(
        [(6000, -400), (6700, -380), (7700, -420), (7750, -950), (6800, -980), (5950, -950)],
        dtype=float,
    )
    farm += rng.uniform(-25.0, 25.0, farm.shape)
    rows.append(("basic_farmland", "东片永久基本农田", shapely.Polygon(farm)))
    ys = np.arange(-1300.0, 1301.0, 50.0)
    river_line = shapely.LineString(np.column_stack([2550.0 + 60.0 * np.sin(ys / 300.0), ys]))
    rows.append(("river", "沙坪河", shapely.buffer(river_line, 25.0, cap_style="flat")))
    reservoir = _irregular_polygon(rng, 1150.0, 1050.0, 450.0, 18)
    rows.append(("water_protection", "白石水库饮用水水源保护区", reservoir))
    for name, cx, cy, r in _VILLAGES:
        rows.append(("residential", name, _irregular_polygon(rng, cx, cy, r, 14)))
    rows.append(("fuel_station", "新城大道加油站", shapely.box(5930.0, 27.0, 5970.0, 62.0)))
    kinds, names, geoms = zip(*rows, strict=True)
    return gpd.GeoDataFrame(
        {
            "constraint_id": [f"K-{i + 1:02d}" for i in range(len(rows))],
            "kind": list(kinds),
            "name": list(names),
        },
        geometry=list(geoms),
    )


def _bands(rng: np.random.Generator, per_side: int) -> dict[str, np.ndarray]:
    """East-west bands of blocks: y range, side and level (0 next to the avenue)."""
    y0, y1, side, level, road_y, road_w = [], [], [], [], [], []
    depths = rng.uniform(*_BAND_DEPTH_M, (2, per_side))
    for s, sign in enumerate((1.0, -1.0)):
        edge = _ROAD_WIDTH_M["avenue"] / 2.0
        for b in range(per_side):
            near, far = edge, edge + depths[s, b]
            kind_w = _ROAD_WIDTH_M["secondary" if b % 2 == 0 else "branch"]
            if b == per_side - 1:
                kind_w = _ROAD_WIDTH_M["branch"]
            lo, hi = sorted((sign * near, sign * far))
            y0.append(lo)
            y1.append(hi)
            side.append(s)
            level.append(b)
            road_y.append(sign * (far + kind_w / 2.0))
            road_w.append(kind_w)
            edge = far + kind_w
    return {
        "y0": np.array(y0),
        "y1": np.array(y1),
        "side": np.array(side),
        "level": np.array(level),
        "road_y": np.array(road_y),
        "road_w": np.array(road_w),
    }


def _parcel_grid(
    rng: np.random.Generator, n: int, nogo: gpd.GeoSeries
) -> dict[str, np.ndarray | float]:
    """Cut blocks between roads into parcels; drop those on constraints; keep the first ``n``."""
    per_side = _bands_per_side(n)
    bands = _bands(rng, per_side)
    n_bands = len(bands["y0"])
    per_column = n_bands * 6.0
    n_cols = int(n / per_column * 1.25) + 4
    while True:
        grid, road_x, road_w = _cut_blocks(rng, bands, n_cols)
        tree = shapely.STRtree(grid["box"])
        hit = np.unique(tree.query(np.asarray(nogo.values), predicate="intersects")[1])
        keep = np.ones(len(grid["box"]), dtype=bool)
        keep[hit] = False
        if keep.sum() >= n:
            break
        n_cols = int(n_cols * 1.5) + 2
    chosen = np.flatnonzero(keep)[:n]
    out: dict[str, np.ndarray | float] = {k: v[chosen] for k, v in grid.items()}
    col_used = int(grid["col"][chosen].max()) + 1
    road_x_used = road_x[: col_used + 1]
    out["road_x"] = road_x_used
    out["road_w"] = road_w[: col_used + 1]
    out["band_road_y"] = bands["road_y"]
    out["band_road_w"] = bands["road_w"]
    out["x_end"] = float(road_x_used[-1])
    out["half_width"] = float(np.max(np.abs(bands["road_y"]) + bands["road_w"] / 2.0))
    out["per_side"] = float(per_side)
    return out


def _cut_blocks(
    rng: np.random.Generator, bands: dict[str, np.ndarray], n_cols: int
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Parcels of ``n_cols`` columns of blocks, as arrays (not yet filtered)."""
    spacing = rng.uniform(*_COLUMN_SPACING_M, n_cols)
    road_x = np.concatenate([[0.0], np.cumsum(spacing)])
    kinds = np.where(np.arange(n_cols + 1) % 3 == 0, "secondary", "branch")
    road_w = np.where(kinds == "secondary", _ROAD_WIDTH_M["secondary"], _ROAD_WIDTH_M["branch"])
    n_bands = len(bands["y0"])
    # blocks: column-major
    col = np.repeat(np.arange(n_cols), n_bands)
    band = np.tile(np.arange(n_bands), n_cols)
    bx0 = road_x[col] + road_w[col] / 2.0
    bx1 = road_x[col + 1] - road_w[col + 1] / 2.0
    by0, by1 = bands["y0"][band], bands["y1"][band]
    n_blocks = len(col)
    full = rng.random(n_blocks) < 0.18
    split = by0 + rng.uniform(0.42, 0.58, n_blocks) * (by1 - by0)
    n_strips = np.where(full, 1, 2)
    s_block = np.repeat(np.arange(n_blocks), n_strips)
    first = np.r_[True, s_block[1:] != s_block[:-1]]
    s_y0 = np.where(first | full[s_block], by0[s_block], split[s_block])
    s_y1 = np.where(full[s_block] | ~first, by1[s_block], split[s_block])
    s_row = np.where(first, 0, 1)
    s_x0, s_x1 = bx0[s_block], bx1[s_block]
    depth = s_y1 - s_y0
    width = s_x1 - s_x0
    k_full = rng.choice([1, 2, 3], len(s_block), p=[0.35, 0.40, 0.25])
    k_half = rng.choice(np.arange(1, 8), len(s_block), p=[0.06, 0.16, 0.24, 0.22, 0.16, 0.10, 0.06])
    k = np.where(full[s_block], k_full, k_half)
    w_min = 1.02 * _PARCEL_MU[0] * MU_M2 / depth
    k = np.clip(k, 1, np.floor(width / w_min).astype(int))
    # parcels: widths = minimum + a random share of the rest of the strip
    p_strip = np.repeat(np.arange(len(s_block)), k)
    weight = rng.gamma(2.5, 1.0, len(p_strip))
    share = weight / np.bincount(p_strip, weight)[p_strip]
    p_w = w_min[p_strip] + (width - k * w_min)[p_strip] * share
    cum = np.cumsum(p_w)
    start = np.r_[0, np.cumsum(k)[:-1]]
    before = cum - p_w - np.r_[0.0, cum][start][p_strip]
    x0 = s_x0[p_strip] + before
    x1 = x0 + p_w
    x1 = np.where(np.r_[p_strip[1:] != p_strip[:-1], True], s_x1[p_strip], x1)
    y0, y1 = s_y0[p_strip], s_y1[p_strip]
    blk = s_block[p_strip]
    order = np.lexsort((x0, -y0, col[blk]))
    grid = {
        "x0": x0,
        "x1": x1,
        "y0": y0,
        "y1": y1,
        "col": col[blk],
        "band": band[blk],
        "side": bands["side"][band[blk]],
        "level": bands["level"][band[blk]],
        "strip": p_strip,
        "row": s_row[p_strip],
        "full": full[blk],
    }
    grid = {key: value[order] for key, value in grid.items()}
    grid["box"] = shapely.box(grid["x0"], grid["y0"], grid["x1"], grid["y1"])
    return grid, road_x, road_w


# --------------------------------------------------------------------------------------------
# parcels


def _nat(n: int) -> np.ndarray:
    return np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")


def _ago(days: np.ndarray) -> np.ndarray:
    """Dates ``days`` before :data:`AS_OF`."""
    return _AS_OF64 - np.round(days).astype("timedelta64[D]")


def _after(dates: np.ndarray, days: np.ndarray) -> np.ndarray:
    return dates + np.round(days).astype("timedelta64[D]")


# Idle parcels cycle through these cases so that every clock situation appears:
# not started (before the one-year clock, fee due, past the two-year recovery), started with an
# extension, and started then suspended (rule 2) for more or less than a year.
_IDLE_CASES = (
    "fee_due",
    "recovery",
    "suspended",
    "before_clock",
    "extended",
    "fee_due",
    "suspended",
    "suspended_recent",
    "recovery",
    "suspended_shares_ok",
)


def _parcel_attributes(
    rng: np.random.Generator, grid: dict
) -> tuple[gpd.GeoDataFrame, dict[str, np.ndarray]]:
    """Status, land use, tenure, dates, money and services of every parcel."""
    x0, x1, y0, y1 = grid["x0"], grid["x1"], grid["y0"], grid["y1"]
    n = len(x0)
    area_mu = (x1 - x0) * (y1 - y0) / MU_M2
    cx, cy = (x0 + x1) / 2.0, (y0 + y1) / 2.0
    t = cx / grid["x_end"]
    section = np.searchsorted(_SECTION_EDGES, t)

    # status by section, village reserved land near villages, the standard factory park
    cum = np.cumsum(_STATUS_P, axis=1)[section]
    s_idx = np.minimum((rng.random(n)[:, None] >= cum).sum(axis=1), len(_STATUSES) - 1)
    status = np.array(_STATUSES, dtype=object)[s_idx]
    v_xy = np.array([(v[1], v[2]) for v in _VILLAGES])
    v_r = np.array([v[3] for v in _VILLAGES])
    v_dist = np.hypot(cx[:, None] - v_xy[:, 0], cy[:, None] - v_xy[:, 1]) - v_r
    nearest = v_dist.argmin(axis=1)
    near_dist = v_dist.min(axis=1)
    reserved = (near_dist < 330.0) & (rng.random(n) < np.where(section == 0, 0.35, 0.75))
    status[reserved] = "reserved_leased"
    standard = (np.isin(grid["col"], (3, 4))) & (grid["side"] == 0) & (grid["level"] == 0)
    status[standard] = "occupied"

    # land use: M1/M2 mostly, M3 only far from villages, a heavy-industry area in the middle
    land_use = rng.choice(
        np.array(["M1", "M2", "W", "M3"], dtype=object), n, p=[0.58, 0.36, 0.03, 0.03]
    )
    heavy = (
        (t > 0.5)
        & (t < 0.7)
        & (grid["side"] == 0)
        & (grid["level"] == grid["per_side"] - 1)
        & (rng.random(n) < 0.6)
    )
    land_use[heavy] = "M3"
    land_use[(land_use == "M3") & (near_dist < 600.0)] = "M2"
    land_use[standard] = "M1"
    utility = np.flatnonzero(
        (status == "occupied") & ~standard & (section == 0) & (area_mu > 10) & (area_mu < 40)
    )[:1]
    land_use[utility] = "U"

    # dates
    agreed_start, actual_start = _nat(n), _nat(n)
    agreed_completion, completed, suspended = _nat(n), _nat(n), _nat(n)
    developed = np.full(n, np.nan)
    invested = np.full(n, np.nan)
    extension = np.zeros(n, dtype=np.int64)

    built = np.isin(status, ("occupied", "low_efficiency"))
    years_ago = np.select(
        [section == 0, section == 1],
        [rng.uniform(3.5, 18.0, n), rng.uniform(2.5, 8.0, n)],
        rng.uniform(2.2, 4.0, n),
    )
    agreed_start[built] = _ago(years_ago * 365.25)[built]
    actual_start[built] = _after(agreed_start, rng.uniform(-20, 150, n))[built]
    completed[built] = np.minimum(
        _after(actual_start, rng.uniform(400, 1000, n)), _ago(np.full(n, 60.0))
    )[built]
    developed[built] = 1.0
    invested[built] = 1.0

    building = status == "under_construction"
    overdue = building & (rng.random(n) < 0.2)
    start_ago = np.where(overdue, rng.uniform(1800, 2600, n), rng.uniform(60, 700, n))
    agreed_start[building] = _ago(start_ago)[building]
    actual_start[building] = np.minimum(
        _after(agreed_start, rng.uniform(0, 60, n)), _ago(np.full(n, 10.0))
    )[building]
    developed[building] = rng.uniform(0.3, 0.9, n)[building]
    invested[building] = rng.uniform(0.35, 0.95, n)[building]

    idle = np.flatnonzero(status == "idle")
    case = np.array(_IDLE_CASES, dtype=object)[np.arange(len(idle)) % len(_IDLE_CASES)]
    m = len(idle)
    u = rng.uniform(0.0, 1.0, (6, m))
    start_days = np.select(
        [case == "before_clock", case == "fee_due", case == "recovery", case == "extended"],
        [60 + 240 * u[0], 400 + 300 * u[0], 760 + 740 * u[0], 420 + 200 * u[0]],
        (3.0 + 2.0 * u[0]) * 365.25,
    )
    agreed_start[idle] = _ago(start_days)
    extension[idle] = np.where(case == "extended", np.where(u[1] < 0.5, 6, 12), 0)
    started = np.isin(case, ("suspended", "suspended_recent", "suspended_shares_ok"))
    actual_start[idle[started]] = _after(agreed_start[idle], 30 + 120 * u[2])[started]
    suspended[idle[started]] = _ago(
        np.where(case == "suspended_recent", 60 + 240 * u[3], 400 + 500 * u[3])
    )[started]
    developed[idle] = np.where(
        case == "suspended_shares_ok",
        0.40 + 0.2 * u[4],
        np.where(started, 0.08 + 0.22 * u[4], 0.0),
    )
    invested[idle] = np.where(
        case == "suspended_shares_ok",
        0.30 + 0.2 * u[5],
        np.where(started, 0.10 + 0.35 * u[5], 0.0),
    )

    sold = built | building | (status == "idle")
    agreed_completion[sold] = _after(agreed_start, np.full(n, 730.0))[sold]
    start_year = agreed_start.astype("datetime64[Y]").astype(float) + 1970.0
    price_mu = np.maximum(8.0, 9.0 + 1.1 * (start_year - 2008.0)) * rng.uniform(0.9, 1.1, n)
    land_price = np.where(sold, np.round(price_mu * area_mu, 1), np.nan)
    intensity = np.where(start_year < 2014, rng.uniform(120, 260, n), rng.uniform(200, 420, n))
    contract_investment = np.where(sold, np.round(intensity * area_mu, -1), np.nan)

    # planning and services
    far_min = np.select(
        [land_use == "M1", land_use == "M2", land_use == "M3"],
        [rng.choice([1.0, 1.2], n), rng.choice([0.8, 1.0], n), rng.choice([0.6, 0.8], n)],
        0.8,
    )
    far_max = np.select(
        [land_use == "M1", land_use == "M2", land_use == "M3"],
        [rng.choice([2.5, 3.0, 3.5], n), rng.choice([2.0, 2.5, 3.0], n), rng.choice([1.5, 2.0], n)],
        2.0,
    )
    kva_per_mu = np.where(status == "planned", 0.0, rng.uniform(40, 160, n))
    power_kva = np.round(kva_per_mu * area_mu / 50.0) * 50.0
    water = (status != "planned") & ~((section >= 2) & (rng.random(n) < 0.3))
    gas = (section <= 1) & (status != "planned") & (rng.random(n) < 0.7)

    tenure = np.where(status == "reserved_leased", "collective", "state").astype(object)
    village = np.where(
        status == "reserved_leased",
        np.array([v[0] for v in _VILLAGES], dtype=object)[nearest],
        None,
    )
    # the business on each sold parcel: cluster, industry, name; chain leaders and a utility
    cluster = rng.choice(np.array(_CLUSTERS, dtype=object), n, p=_CLUSTER_P)
    code = np.full(n, "", dtype=object)
    word = np.full(n, "", dtype=object)
    pick = rng.random(n)
    for c, options in _INDUSTRIES.items():
        mask = cluster == c
        j = np.minimum((pick[mask] * len(options)).astype(int), len(options) - 1)
        code[mask] = np.array([o[0] for o in options], dtype=object)[j]
        word[mask] = np.array([o[1] for o in options], dtype=object)[j]
    holder = np.full(n, None, dtype=object)
    holder[sold] = _company_names(rng, int(sold.sum()), word[sold])
    leader = np.full(n, False)
    candidates = np.flatnonzero((status == "occupied") & ~standard & (section == 0))
    candidates = candidates[np.argsort(-area_mu[candidates], kind="stable")]
    for i, (c, ind, nm) in zip(candidates, _CHAIN_LEADERS, strict=False):
        cluster[i], code[i], holder[i], leader[i] = c, ind, nm, True
    for i in utility:
        cluster[i], code[i], holder[i] = "other", "4430", "园区集中供热有限公司"
    holder[status == "state_reserve"] = "市土地储备中心"
    holder[status == "reserved_leased"] = village[status == "reserved_leased"] + "股份经济联合社"
    holder[standard] = "园区标准厂房投资运营有限公司"

    ids = _ids("P-", n)
    side = np.where(grid["side"] == 0, "N", "S").astype(object)
    name = (
        pd.Series(side)
        + (grid["level"] + 1).astype(str).astype(object)
        + "-"
        + pd.Series(grid["col"] + 1).astype(str).str.zfill(3)
        + "-"
        + pd.Series(grid["x0"]).groupby(grid["strip"]).rank().astype(int).astype(str)
    )
    frame = gpd.GeoDataFrame(
        {
            "parcel_id": ids,
            "name": name.to_numpy(),
            "status": status,
            "land_use": land_use,
            "tenure": tenure,
            "holder": holder,
            "village": village,
            "land_price_wan_yuan": land_price,
            "contract_investment_wan_yuan": contract_investment,
            "agreed_start": agreed_start.astype(_DATE),
            "actual_start": actual_start.astype(_DATE),
            "agreed_completion": agreed_completion.astype(_DATE),
            "completed": completed.astype(_DATE),
            "developed_share": np.round(developed, 3),
            "invested_share": np.round(invested, 3),
            "suspended_since": suspended.astype(_DATE),
            "extension_months": extension,
            "far_min": far_min,
            "far_max": far_max,
            "power_kva": power_kva,
            "water_supply": water,
            "gas_supply": gas,
        },
        geometry=grid["box"],
    )
    info = {
        "cluster": cluster,
        "code": code,
        "leader": leader,
        "utility": utility,
        "standard": standard,
        "section": section,
        "area_mu": area_mu,
    }
    return frame, info


def _ids(prefix: str, n: int, start: int = 1) -> np.ndarray:
    width = max(4, len(str(start + n - 1)))
    return (prefix + pd.Series(np.arange(start, start + n)).astype(str).str.zfill(width)).to_numpy(
        dtype=object
    )


def _company_names(rng: np.random.Generator, n: int, word: str | np.ndarray) -> np.ndarray:
    """Company names: two characters, the trade word, and 有限公司 (some 科技有限公司)."""
    chars = np.array(_NAME_CHARS, dtype=object)
    first = chars[rng.integers(0, len(chars), n)]
    second = chars[rng.integers(0, len(chars), n)]
    tail = np.where(rng.random(n) < 0.3, "科技有限公司", "有限公司").astype(object)
    return first + second + word + tail


# --------------------------------------------------------------------------------------------
# buildings


def _buildings(
    rng: np.random.Generator, parcels: gpd.GeoDataFrame, info: dict, grid: dict
) -> gpd.GeoDataFrame:
    """Lay factory footprints in a row inside each built parcel, set back from its edges."""
    status = parcels["status"].to_numpy()
    started = parcels["actual_start"].notna().to_numpy()
    eligible = np.isin(status, ("occupied", "low_efficiency", "under_construction")) | (
        (status == "idle") & started
    )
    e = np.flatnonzero(eligible)
    m = len(e)
    x0, x1, y0, y1 = (grid[k][e] for k in ("x0", "x1", "y0", "y1"))
    w, d = x1 - x0, y1 - y0
    area = w * d
    std = info["standard"][e]
    st = status[e]
    developed = parcels["developed_share"].to_numpy()[e]
    sx, sy = np.minimum(10.0, 0.1 * w), np.minimum(10.0, 0.1 * d)
    w_in, d_in = w - 2.0 * sx, d - 2.0 * sy
    gap = 12.0
    area_mu = area / MU_M2
    want = np.where(
        std,
        np.clip(np.round(area_mu / 8.0), 2, 8),
        np.clip(np.round(area_mu / 25.0) + rng.integers(0, 2, m), 1, 6),
    ).astype(int)
    nb = np.minimum(want, np.maximum(1, np.floor((w_in + gap) / (25.0 + gap)))).astype(int)
    coverage = np.select(
        [std, st == "occupied", st == "low_efficiency", st == "under_construction"],
        [
            rng.uniform(0.45, 0.55, m),
            rng.uniform(0.38, 0.60, m),
            rng.uniform(0.15, 0.34, m),
            rng.uniform(0.35, 0.50, m) * developed,
        ],
        0.45 * developed,
    )
    bw = (w_in - gap * (nb - 1)) / nb
    bd = np.clip(coverage * area / (nb * bw), 12.0, d_in)

    b = np.repeat(np.arange(m), nb)
    j = np.arange(len(b)) - np.repeat(np.cumsum(nb) - nb, nb)
    bx0 = x0[b] + sx[b] + j * (bw[b] + gap)
    bx1 = bx0 + bw[b]
    yc = (y0[b] + y1[b]) / 2.0
    by0, by1 = yc - bd[b] / 2.0, yc + bd[b] / 2.0
    k = len(b)

    b_std, b_st = std[b], st[b]
    heavy = ~b_std & (rng.random(k) < 0.3)
    floors = np.select(
        [b_std, heavy], [rng.integers(3, 6, k), np.ones(k, int)], rng.integers(2, 5, k)
    )
    storey = np.round(
        np.select(
            [b_std, heavy],
            [rng.uniform(5.0, 6.0, k), rng.uniform(9.0, 14.0, k)],
            rng.uniform(4.5, 7.0, k),
        ),
        1,
    )
    clear = np.round(storey - np.where(heavy, rng.uniform(1.0, 2.0, k), 0.6), 1)
    load = np.select(
        [b_std, heavy],
        [rng.choice([5.0, 6.5, 8.0], k), np.round(rng.uniform(20.0, 50.0, k))],
        np.round(rng.uniform(5.0, 15.0, k)),
    )
    footprint = (bx1 - bx0) * (by1 - by0)
    floor_area = np.round(footprint * floors * rng.uniform(0.96, 1.0, k))
    completed = parcels["completed"].to_numpy()[e][b]
    year_built = pd.array(pd.DatetimeIndex(completed).year, dtype="Int64")

    old = (year_built < 2012).fillna(False).to_numpy(dtype=bool)
    u = rng.random(k)
    b_status = np.select(
        [
            b_std,
            b_st == "low_efficiency",
            (b_st == "occupied") & old & (u < 0.04),
            (b_st == "occupied") & (u > 0.95),
            b_st == "occupied",
        ],
        [
            np.where(u < 0.45, "in_use", np.where(u < 0.8, "partly_vacant", "vacant")),
            np.where(u < 0.6, "low_efficiency", np.where(u < 0.85, "partly_vacant", "dilapidated")),
            "dilapidated",
            "partly_vacant",
            "in_use",
        ],
        "under_construction",
    ).astype(object)
    std_rows = np.flatnonzero(b_std)
    b_status[std_rows[:1]] = "vacant"
    b_status[std_rows[1:2]] = "partly_vacant"
    vacant_share = np.select(
        [b_status == "vacant", b_status == "partly_vacant"], [1.0, rng.uniform(0.2, 0.7, k)], 0.0
    )
    name = np.where(
        b_std,
        "标准厂房" + pd.Series(j + 1).astype(str).to_numpy(dtype=object) + "栋",
        pd.Series(j + 1).astype(str).to_numpy(dtype=object) + "号厂房",
    )
    parcel_idx = e[b]
    return gpd.GeoDataFrame(
        {
            "building_id": _ids("B-", k),
            "parcel_id": parcels["parcel_id"].to_numpy()[parcel_idx],
            "name": name,
            "status": b_status,
            "floors": floors.astype(np.int64),
            "height_m": np.round(floors * storey, 1),
            "storey_height_m": storey,
            "floor_area_m2": floor_area,
            "vacant_area_m2": np.round(floor_area * vacant_share),
            "floor_load_kn_m2": load,
            "clear_height_m": clear,
            "standard_factory": b_std,
            "owner": parcels["holder"].to_numpy()[parcel_idx],
            "year_built": year_built,
        },
        geometry=shapely.box(bx0, by0, bx1, by1),
    )


# --------------------------------------------------------------------------------------------
# enterprises


def _enterprises(
    rng: np.random.Generator,
    parcels: gpd.GeoDataFrame,
    info: dict,
    grid: dict,
    buildings: gpd.GeoDataFrame,
) -> gpd.GeoDataFrame:
    """One enterprise per built parcel (a few on two), tenants in the standard factories."""
    n = len(parcels)
    status = parcels["status"].to_numpy()
    ids = parcels["parcel_id"].to_numpy()
    holder = parcels["holder"].to_numpy()
    area_mu = info["area_mu"]
    std = info["standard"]
    special = info["leader"].copy()
    special[info["utility"]] = True
    built = np.isin(status, ("occupied", "low_efficiency")) & ~std

    # enterprises on two neighbouring parcels of the same strip
    pair_ok = built[:-1] & built[1:] & (grid["strip"][:-1] == grid["strip"][1:])
    pair_ok &= (status[:-1] == "occupied") & (status[1:] == "occupied")
    pair_ok &= ~special[:-1] & ~special[1:]
    candidates = np.flatnonzero(pair_ok)
    pairs = candidates[rng.random(len(candidates)) < 0.04]
    if len(pairs) < 3:
        pairs = np.union1d(pairs, candidates[::3][:3])
    pairs = pairs[~np.isin(pairs - 1, pairs)]
    partner = np.full(n, -1)
    partner[pairs] = pairs + 1
    main = built.copy()
    main[pairs + 1] = False
    mi = np.flatnonzero(main)
    m_pid = ids[mi].astype(object)
    two = partner[mi] >= 0
    m_pid[two] = m_pid[two] + ";" + ids[partner[mi][two]]
    m_area = area_mu[mi] + np.where(two, area_mu[np.maximum(partner[mi], 0)], 0.0)

    # tenants of the standard factory buildings
    per_parcel = buildings.groupby("parcel_id", sort=False).size()
    si = np.flatnonzero(std)
    n_tenants = np.clip(per_parcel.reindex(ids[si]).fillna(0).to_numpy(int), 2, 6)
    ti = np.repeat(si, n_tenants)
    t_area = area_mu[ti] / np.repeat(n_tenants, n_tenants)
    nt = len(ti)
    t_cluster = rng.choice(np.array(_CLUSTERS, dtype=object), nt, p=_CLUSTER_P)
    t_code = np.full(nt, "", dtype=object)
    t_word = np.full(nt, "", dtype=object)
    pick = rng.random(nt)
    for c, options in _INDUSTRIES.items():
        mask = t_cluster == c
        jj = np.minimum((pick[mask] * len(options)).astype(int), len(options) - 1)
        t_code[mask] = np.array([o[0] for o in options], dtype=object)[jj]
        t_word[mask] = np.array([o[1] for o in options], dtype=object)[jj]

    p_idx = np.concatenate([mi, ti])
    tenant = np.r_[np.zeros(len(mi), bool), np.ones(nt, bool)]
    pid = np.concatenate([m_pid, ids[ti].astype(object)])
    area = np.concatenate([m_area, t_area])
    cluster = np.concatenate([info["cluster"][mi], t_cluster])
    code = np.concatenate([info["code"][mi], t_code])
    name = np.concatenate([holder[mi], _company_names(rng, nt, t_word)])
    leader = np.r_[info["leader"][mi], np.zeros(nt, bool)]
    utility = np.r_[np.isin(mi, info["utility"]), np.zeros(nt, bool)]
    low = status[p_idx] == "low_efficiency"
    order = np.lexsort((tenant, p_idx))
    p_idx, tenant, pid, area, cluster, code, name, leader, utility, low = (
        a[order] for a in (p_idx, tenant, pid, area, cluster, code, name, leader, utility, low)
    )
    k = len(p_idx)

    # operating status and dates
    u = rng.random(k)
    op = np.where(
        low,
        np.where(u < 0.55, "producing", np.where(u < 0.75, "half_stopped", "stopped")),
        np.where(u < 0.96, "producing", np.where(u < 0.99, "half_stopped", "stopped")),
    ).astype(object)
    op[leader | utility] = "producing"
    stopped = op != "producing"
    stopped_since = np.where(stopped, _ago(rng.uniform(200, 1100, k)), np.datetime64("NaT"))
    completed = parcels["completed"].to_numpy().astype("datetime64[D]")[p_idx]
    production_start = np.where(
        tenant,
        _ago(rng.uniform(200, 3500, k)),
        np.minimum(_after(completed, rng.uniform(30, 300, k)), _ago(np.full(k, 30.0))),
    )
    no_tax = low & ~stopped & (rng.random(k) < 0.15)
    last_tax = np.select(
        [op == "stopped", no_tax],
        [
            np.minimum(_after(stopped_since, rng.uniform(0, 120, k)), _ago(np.full(k, 5.0))),
            _ago(rng.uniform(760, 1000, k)),
        ],
        _ago(rng.uniform(5, 60, k)),
    )

    # one year (2025) of indicators, per mu first
    year_start = np.datetime64("2025-01-01")
    per_mu = np.select(
        [leader, utility, tenant, low],
        [
            rng.uniform(900.0, 1300.0, k),
            np.full(k, 150.0),
            rng.lognormal(np.log(520.0), 0.5, k),
            np.minimum(rng.lognormal(np.log(110.0), 0.35, k), 145.0),
        ],
        rng.lognormal(np.log(420.0), 0.45, k),
    )
    running = np.select(
        [op == "stopped", op == "half_stopped"],
        [np.clip((stopped_since - year_start).astype(float) / 365.0, 0.0, 1.0), np.full(k, 0.4)],
        1.0,
    )
    output = np.round(per_mu * area * running, 1)
    value_added = np.round(
        output * np.where(low, rng.uniform(0.12, 0.2, k), rng.uniform(0.18, 0.32, k)), 1
    )
    tax = output * np.where(low, rng.uniform(0.008, 0.02, k), rng.uniform(0.03, 0.06, k))
    tax = np.round(np.where(last_tax < year_start, 0.0, tax), 1)
    revenue = np.round(output * rng.uniform(0.92, 1.08, k), 1)
    intensity = np.array([_ENERGY_INTENSITY[c] for c in _CLUSTERS])[_cluster_index(cluster)]
    energy = np.round(
        per_mu
        * area
        * np.maximum(running, 0.05)
        * intensity
        * rng.lognormal(0.0, 0.3, k)
        * np.where(low, 1.6, 1.0),
        1,
    )
    electricity = np.round(energy * rng.uniform(0.55, 0.9, k) / _TCE_PER_MWH, 1)
    emissions = np.round(energy * rng.uniform(0.002, 0.008, k), 2)
    p_high = np.array([0.2, 0.35, 0.4, 0.6, 0.15])[_cluster_index(cluster)]
    high_tech = (rng.random(k) < np.where(low, 0.05, p_high)) | leader
    rd_share = np.where(high_tech, rng.uniform(0.03, 0.07, k), rng.uniform(0.003, 0.025, k))
    rd = np.round(revenue * rd_share, 1)
    invest_mu = np.select(
        [tenant, low], [rng.uniform(80, 200, k), rng.uniform(60, 140, k)], rng.uniform(200, 450, k)
    )
    fixed_investment = np.round(invest_mu * area, -1)
    employees = np.maximum(
        8, np.round(per_mu * area / rng.uniform(60, 180, k) * np.where(stopped, 0.3, 1.0))
    ).astype(np.int64)

    cx = (grid["x0"] + grid["x1"])[p_idx] / 2.0
    cy = (grid["y0"] + grid["y1"])[p_idx] / 2.0
    jitter = np.where(tenant, 1.0, 0.0)
    px = cx + jitter * rng.uniform(-0.2, 0.2, k) * (grid["x1"] - grid["x0"])[p_idx]
    py = cy + jitter * rng.uniform(-0.2, 0.2, k) * (grid["y1"] - grid["y0"])[p_idx]
    return gpd.GeoDataFrame(
        {
            "enterprise_id": _ids("E-", k),
            "name": name,
            "parcel_id": pid,
            "industry_code": code,
            "cluster": cluster,
            "year": np.full(k, 2025, dtype=np.int64),
            "output_wan_yuan": output,
            "value_added_wan_yuan": value_added,
            "tax_wan_yuan": tax,
            "energy_tce": energy,
            "electricity_mwh": electricity,
            "emissions_t": emissions,
            "rd_spend_wan_yuan": rd,
            "revenue_wan_yuan": revenue,
            "fixed_investment_wan_yuan": fixed_investment,
            "employees": employees,
            "production_start": production_start.astype(_DATE),
            "operating_status": op,
            "stopped_since": stopped_since.astype(_DATE),
            "last_tax_date": last_tax.astype(_DATE),
            "chain_leader": leader,
            "high_tech": high_tech,
        },
        geometry=shapely.points(px, py),
    )


def _cluster_index(cluster: np.ndarray) -> np.ndarray:
    out = np.zeros(len(cluster), dtype=int)
    for i, c in enumerate(_CLUSTERS):
        out[cluster == c] = i
    return out


# --------------------------------------------------------------------------------------------
# roads, corridor, substations


def _roads(grid: dict) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Draw the avenue, north-south roads at column edges and east-west roads between bands."""
    x_end = grid["x_end"]
    half = grid["half_width"]
    road_x, road_w = grid["road_x"], grid["road_w"]
    band_y, band_w = grid["band_road_y"], grid["band_road_w"]
    avenue_end = x_end + 300.0
    ns = shapely.linestrings(
        np.stack(
            [
                np.column_stack([road_x, -np.full_like(road_x, half)]),
                np.column_stack([road_x, np.full_like(road_x, half)]),
            ],
            axis=1,
        )
    )
    ew = shapely.linestrings(
        np.stack(
            [
                np.column_stack([np.zeros_like(band_y), band_y]),
                np.column_stack([np.full_like(band_y, x_end), band_y]),
            ],
            axis=1,
        )
    )
    kind_of = {v: k for k, v in _ROAD_WIDTH_M.items()}
    ns_kind = np.array([kind_of[w] for w in road_w], dtype=object)
    ew_kind = np.array([kind_of[w] for w in band_w], dtype=object)
    numbers = pd.Series(np.arange(1, len(road_x) + 1)).astype(str).to_numpy(dtype=object)
    per_side = len(band_y) // 2
    levels = pd.Series(np.tile(np.arange(1, per_side + 1), 2)).astype(str).to_numpy(dtype=object)
    ew_name = np.where(band_y > 0, "北", "南").astype(object) + levels + "路"
    n_roads = 1 + len(road_x) + len(band_y)
    roads = gpd.GeoDataFrame(
        {
            "road_id": _ids("R-", n_roads)[:n_roads],
            "name": np.concatenate([[_AVENUE_NAME], "纵" + numbers + "路", ew_name]),
            "kind": np.concatenate([["avenue"], ns_kind, ew_kind]).astype(object),
            "width_m": np.concatenate([[_ROAD_WIDTH_M["avenue"]], road_w, band_w]),
        },
        geometry=np.concatenate([[shapely.LineString([(0.0, 0.0), (avenue_end, 0.0)])], ns, ew]),
    )
    breaks = np.round(x_end * np.array(_SECTION_EDGES) / 100.0) * 100.0
    corridor = gpd.GeoDataFrame(
        {
            "corridor_id": ["C-1"],
            "name": [_AVENUE_NAME],
            "width_m": [1000.0],
            "phase_breaks_m": [";".join(f"{b:.0f}" for b in breaks)],
        },
        geometry=[shapely.LineString([(0.0, 0.0), (avenue_end, 0.0)])],
    )
    return roads, corridor


# Substations of the default zone: name, kV, chainage (m), side (+1 north), MVA, spare MVA.
_SUBSTATIONS = (
    ("新城220kV变电站", 220.0, 2100.0, 1.0, 360.0, 120.0),
    ("西区110kV变电站", 110.0, 700.0, -1.0, 100.0, 12.0),
    ("石岗110kV变电站", 110.0, 4600.0, 1.0, 126.0, 45.0),
    ("东区110kV变电站", 110.0, 8600.0, -1.0, 126.0, 80.0),
)


def _substations(rng: np.random.Generator, grid: dict) -> gpd.GeoDataFrame:
    """Substations just outside the zone's edge; a 110 kV one every 4 km east of the sample."""
    offset = grid["half_width"] + 80.0
    extra_x = np.arange(11000.0, grid["x_end"], 4000.0)
    m = len(extra_x)
    base = np.array([s[1:] for s in _SUBSTATIONS])
    numbers = pd.Series(np.arange(1, m + 1)).astype(str).to_numpy(dtype=object)
    names = np.concatenate(
        [np.array([s[0] for s in _SUBSTATIONS], dtype=object), "东扩" + numbers + "号110kV变电站"]
    )
    capacity = np.concatenate([base[:, 3], rng.choice([100.0, 126.0], m)])
    spare = np.concatenate([base[:, 4], np.round(rng.uniform(10.0, 90.0, m))])
    x = np.concatenate([base[:, 1], extra_x])
    side = np.concatenate([base[:, 2], np.where(np.arange(m) % 2 == 0, 1.0, -1.0)])
    return gpd.GeoDataFrame(
        {
            "substation_id": _ids("S-", len(x))[: len(x)],
            "name": names,
            "voltage_kv": np.concatenate([base[:, 0], np.full(m, 110.0)]),
            "capacity_mva": capacity,
            "spare_mva": spare,
        },
        geometry=shapely.points(x, side * offset),
    )


# --------------------------------------------------------------------------------------------
# projects

# fmt: off
_PROJECT_COLUMNS = (
    "project_id", "name", "company", "stage", "stage_date", "industry_code", "cluster",
    "investment_wan_yuan", "fixed_investment_wan_yuan", "annual_output_wan_yuan",
    "annual_tax_wan_yuan", "energy_tce", "rd_share", "high_tech", "land_mu_min", "land_mu_max",
    "floor_area_m2", "power_kva", "voltage_kv", "storage_mwh", "hazard", "tenure_ok",
    "can_use_building", "floor_load_min_kn_m2", "clear_height_min_m", "note",
)
# The six projects of the seed report (its figures are masked; these are plausible), then the
# wider pipeline. Columns as _PROJECT_COLUMNS; None where a project has no such figure.
_PROJECTS = (
    ("PJ-01", "润滑油资源再生项目", "万兴隆环境资源有限公司", "signed", "2026-03-18", "4220",
     "new_materials", 50000.0, 42000.0, 60000.0, 3000.0, 2400.0, 0.025, False, 60.0, 80.0,
     None, 4000.0, None, None, "hazardous_waste", "buy", False, None, None,
     "上半年签约项目: 废润滑油再生 (HW08), 需三类工业用地"),
    ("PJ-02", "动态吸附系统产业赋能平台和装备基地项目", "粤环环保工程有限公司", "signed",
     "2026-04-09", "3591", "machinery_equipment", 30000.0, 25000.0, 50000.0, 2200.0, 600.0,
     0.045, True, 40.0, 60.0, None, 2500.0, None, None, "none", "buy", False, None, None,
     "上半年签约项目"),
    ("PJ-03", "机械智造科技项目", "新宝钢机械科技有限公司", "signed", "2026-05-12", "3311",
     "metal_smart_manufacturing", 20000.0, 17000.0, 40000.0, 1600.0, 900.0, 0.03, False,
     30.0, 50.0, None, 3000.0, None, None, "none", "buy", False, None, None,
     "上半年签约项目"),
    ("PJ-04", "再生资源金属智造及再生资源拆解回收利用项目", "云粤再生资源有限公司", "signed",
     "2026-05-28", "4210", "metal_smart_manufacturing", 15000.0, 12000.0, 50000.0, 1500.0,
     1200.0, 0.01, False, 40.0, 50.0, None, 2000.0, None, None, "none", "lease", False, None,
     None, "上半年签约项目, 租用村留用地约45亩"),
    ("PJ-05", "安防科技项目", "华安防科技有限公司", "framework", "2026-06-23", "3990", "other",
     20000.0, 16000.0, 35000.0, 1400.0, 300.0, 0.05, True, 30.0, 40.0, None, 1500.0, None,
     None, "none", "buy", False, None, None, "储备项目, 6月23日签订框架协议"),
    ("PJ-06", "100MW/200MWh独立储能电站项目", "粤南能源发展有限公司", "framework",
     "2026-06-23", "4419", "other", 40000.0, 38000.0, 12000.0, 600.0, 1200.0, 0.0, False,
     30.0, 36.0, None, 110000.0, 110.0, 200.0, "energy_storage", "either", False, None, None,
     "储备项目, 6月23日签订框架协议; 0.17亩/MWh ≈ 34亩, 110kV接入"),
    ("PJ-07", "燃料电池膜电极及电堆配套项目", "粤氢膜电极科技有限公司", "framework",
     "2026-05-06", "3849", "hydrogen_energy", 60000.0, 48000.0, 120000.0, 5000.0, 1500.0,
     0.06, True, 50.0, 70.0, None, 6000.0, None, None, "none", "buy", False, None, None,
     "与链主企业配套"),
    ("PJ-08", "加氢站成套装备制造项目", "泰鸿氢能装备有限公司", "prospect", "2026-02-20",
     "3443", "hydrogen_energy", 25000.0, 20000.0, 45000.0, 1800.0, 500.0, 0.04, True, 25.0,
     40.0, None, 2500.0, None, None, "none", "buy", False, None, None, None),
    ("PJ-09", "氢气充装及储运项目", "东盛气体有限公司", "prospect", "2026-04-15", "2619",
     "hydrogen_energy", 18000.0, 15000.0, 20000.0, 900.0, 2000.0, 0.015, False, 15.0, 25.0,
     None, 3000.0, None, None, "fire_class_ab", "buy", False, None, None, None),
    ("PJ-10", "高性能铝合金精密铸造项目", "永利精密铸造有限公司", "signed", "2026-06-05",
     "3391", "metal_smart_manufacturing", 35000.0, 30000.0, 70000.0, 2500.0, 3200.0, 0.02,
     False, 50.0, 80.0, None, 8000.0, None, None, "none", "buy", False, None, None, None),
    ("PJ-11", "不锈钢厨具智能制造项目", "金德五金制品有限公司", "framework", "2026-03-30",
     "3399", "metal_smart_manufacturing", 12000.0, 9000.0, 30000.0, 1100.0, 400.0, 0.02,
     False, 15.0, 25.0, None, 1200.0, None, None, "none", "either", False, None, None, None),
    ("PJ-12", "五金精密零部件加工项目", "宏信精密五金有限公司", "prospect", "2026-05-20",
     "3399", "metal_smart_manufacturing", 3000.0, 2200.0, 8000.0, 300.0, 90.0, 0.02, False,
     5.0, 10.0, 6000.0, 400.0, None, None, "none", "either", True, 5.0, 4.5, "可租用标准厂房"),
    ("PJ-13", "工业机器人集成应用项目", "嘉立智能装备有限公司", "framework", "2026-04-22",
     "3491", "machinery_equipment", 8000.0, 6000.0, 20000.0, 800.0, 120.0, 0.06, True, 10.0,
     15.0, 8000.0, 800.0, None, None, "none", "either", True, 6.5, 5.0, "可租用标准厂房"),
    ("PJ-14", "智能数控机床项目", "广泰数控机床有限公司", "prospect", "2026-01-15", "3421",
     "machinery_equipment", 28000.0, 23000.0, 52000.0, 2000.0, 700.0, 0.035, True, 35.0, 55.0,
     None, 3500.0, None, None, "none", "buy", False, None, None, None),
    ("PJ-15", "碳纤维复合材料项目", "鸿嘉复合材料有限公司", "signed", "2026-02-26", "3062",
     "new_materials", 45000.0, 38000.0, 60000.0, 2600.0, 4500.0, 0.04, True, 60.0, 90.0,
     None, 6000.0, None, None, "none", "buy", False, None, None, None),
    ("PJ-16", "电子级高纯化学品项目", "南信精细化工有限公司", "prospect", "2026-06-10", "2662",
     "new_materials", 52000.0, 45000.0, 65000.0, 3200.0, 5200.0, 0.03, False, 80.0, 120.0,
     None, 7000.0, None, None, "fire_class_ab", "buy", False, None, None, None),
    ("PJ-17", "石墨烯导热膜项目", "立新新材料有限公司", "framework", "2026-05-18", "3091",
     "new_materials", 6000.0, 4500.0, 12000.0, 450.0, 300.0, 0.05, True, 8.0, 12.0, 5000.0,
     600.0, None, None, "none", "either", True, 8.0, 6.0, "可租用标准厂房"),
    ("PJ-18", "电镀集中加工区项目", "德永表面处理有限公司", "prospect", "2026-03-12", "3360",
     "metal_smart_manufacturing", 16000.0, 13000.0, 18000.0, 700.0, 1600.0, 0.01, False, 20.0,
     30.0, None, 3000.0, None, None, "polluting", "buy", False, None, None, None),
    ("PJ-19", "智能物流仓储中心项目", "兴盛供应链有限公司", "prospect", "2026-04-28", "5990",
     "other", 10000.0, 8000.0, 6000.0, 400.0, 150.0, 0.0, False, 20.0, 35.0, None, 800.0,
     None, None, "none", "either", False, None, None, "集群外项目"),
)
# fmt: on


def _projects() -> gpd.GeoDataFrame:
    """Return the pipeline of investment projects (a table; geometry is null)."""
    frame = pd.DataFrame(list(_PROJECTS), columns=list(_PROJECT_COLUMNS))
    frame["stage_date"] = pd.to_datetime(frame["stage_date"]).astype(_DATE)
    for column in (
        "floor_area_m2",
        "voltage_kv",
        "storage_mwh",
        "floor_load_min_kn_m2",
        "clear_height_min_m",
    ):
        frame[column] = frame[column].astype(float)
    for column in ("high_tech", "can_use_building"):
        frame[column] = frame[column].astype(bool)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([None] * len(frame)), crs=CRS)


# --------------------------------------------------------------------------------------------
# coordinates and writing


def _to_crs(frame: gpd.GeoDataFrame, origin: tuple[float, float]) -> gpd.GeoDataFrame:
    """Turn local coordinates (x east along the avenue, y north) into EPSG:4546."""
    angle = math.radians(_ROTATION_DEG)
    rotation = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    shift = np.array(origin)

    def move(coords: np.ndarray) -> np.ndarray:
        return coords @ rotation.T + shift

    geometry = shapely.transform(np.asarray(frame.geometry.values), move)
    return gpd.GeoDataFrame(frame.drop(columns="geometry"), geometry=geometry, crs=CRS)


def _derive_measures(layers: dict[str, gpd.GeoDataFrame]) -> None:
    """Add the measures the schema derives from geometry, for readers of the files."""
    parcels = layers["parcels"]
    area = shapely.area(np.asarray(parcels.geometry.values))
    parcels["area_m2"] = np.round(area, 2)
    parcels["area_mu"] = np.round(area / MU_M2, 4)
    buildings = layers["buildings"]
    buildings["footprint_m2"] = np.round(shapely.area(np.asarray(buildings.geometry.values)), 2)
    constraints = layers["constraints"]
    constraints["area_m2"] = np.round(shapely.area(np.asarray(constraints.geometry.values)), 2)
    corridors = layers["corridors"]
    corridors["length_m"] = np.round(shapely.length(np.asarray(corridors.geometry.values)), 2)
    for frame in layers.values():
        frame.set_geometry(frame.geometry.name, inplace=True)


@contextmanager
def gdal_options(options: dict[str, str]) -> Iterator[None]:
    """Set GDAL configuration options for the ``with`` block, then put the previous ones back."""
    previous = {key: pyogrio.get_gdal_config_option(key) for key in options}
    pyogrio.set_gdal_config_options(options)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(previous)


def _write_gpkg(layers: dict[str, gpd.GeoDataFrame], path: Path) -> None:
    """Write the spatial layers to a GeoPackage with a fixed modification stamp."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    with gdal_options({"OGR_CURRENT_DATE": _GPKG_DATE}):
        for name in GPKG_LAYERS:
            pyogrio.write_dataframe(layers[name], path, layer=name, driver="GPKG")


def _write_xlsx(projects: pd.DataFrame, path: Path) -> None:
    """Write the projects table with identifier headers and fixed document properties."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(path)
    workbook.set_properties(
        {
            "title": "landplan sample zone: investment projects",
            "author": "landplan",
            "company": "landplan",
            "created": _dt.datetime(AS_OF.year, AS_OF.month, AS_OF.day),
        }
    )
    sheet = workbook.add_worksheet("projects")
    bold = workbook.add_format({"bold": True})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for col, name in enumerate(projects.columns):
        sheet.write_string(0, col, name, bold)
        values = projects[name]
        is_date = pd.api.types.is_datetime64_any_dtype(values)
        for row, value in enumerate(values.tolist(), start=1):
            if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
                continue
            if is_date:
                sheet.write_datetime(row, col, value.to_pydatetime(), date_format)
            elif isinstance(value, bool):
                sheet.write_boolean(row, col, value)
            elif isinstance(value, int | float):
                sheet.write_number(row, col, value)
            else:
                sheet.write_string(row, col, str(value))
        sheet.set_column(col, col, max(12, min(40, len(name) + 2)))
    sheet.freeze_panes(1, 0)
    workbook.close()


# --------------------------------------------------------------------------------------------
# the half year's history

# The seed report's four signed projects "已全部落地" (have all landed): when each landed and
# from which kind of land. PJ-03 revitalises a low-efficiency parcel (盘活低效用地) and PJ-04
# leases village reserved land (租用留用地), as the report's two sources of land.
_LANDINGS = (
    ("PJ-01", "2026-04-20", "state_reserve"),
    ("PJ-02", "2026-05-15", "state_reserve"),
    ("PJ-03", "2026-06-10", "low_efficiency"),
    ("PJ-04", "2026-06-18", "reserved_leased"),
)
_HAZARD_LAND_USE = {"hazardous_waste": ("M3",)}
_DEFAULT_LAND_USE = ("M1", "M2")


def sample_landings(zone) -> pd.DataFrame:
    """Return where and when the sample's four signed report projects landed.

    Each project lands on one parcel of the kind of land named for it (state reserve land,
    low-efficiency land, village reserved land), of an industrial class it may use (M3 for
    hazardous waste, else M1/M2), of an area within its demand (``land_mu_min`` to
    ``land_mu_max``), clear of the policy's blocking constraints and not already taken: of
    those, the one whose area is nearest the middle of the demand (then the lowest id).

    Parameters
    ----------
    zone
        The sample zone (:class:`~landplan.zone.Zone`), as imported into a store.

    Returns
    -------
    pandas.DataFrame
        project_id, landed (date), parcel_id, from_status, area_mu.

    Raises
    ------
    LandplanError
        If the zone holds no parcel for one of the projects (not the sample zone).
    """
    parcels = zone.parcels
    projects = zone.projects.set_index("project_id")
    blocking = zone.constraints[
        zone.constraints["kind"].isin(list(zone.policy.siting.blocking_constraints))
    ]
    geoms = parcels.geometry.to_numpy()
    blocked = np.zeros(len(parcels), dtype=bool)
    if len(blocking):
        tree = shapely.STRtree(blocking.geometry.to_numpy())
        pi, ci = tree.query(geoms, predicate="intersects")
        inside = shapely.relate_pattern(geoms[pi], blocking.geometry.to_numpy()[ci], "T********")
        blocked[pi[inside]] = True
    taken: set[str] = set()
    rows = []
    for project_id, landed, from_status in _LANDINGS:
        if project_id not in projects.index:
            raise LandplanError.of("sample_no_project", project=project_id)
        project = projects.loc[project_id]
        land_use = _HAZARD_LAND_USE.get(project["hazard"], _DEFAULT_LAND_USE)
        low, high = float(project["land_mu_min"]), float(project["land_mu_max"])
        fits = (
            (parcels["status"] == from_status).to_numpy()
            & parcels["land_use"].isin(land_use).to_numpy()
            & parcels["area_mu"].between(low, high).to_numpy()
            & ~blocked
            & ~parcels["parcel_id"].isin(taken).to_numpy()
        )
        if not fits.any():
            raise LandplanError.of(
                "sample_no_parcel",
                status=Code(from_status, "status"),
                uses=Code(tuple(land_use), "land_use", sep=("/", "、")),
                low=low,
                high=high,
                project=project_id,
            )
        options = parcels.loc[fits, ["parcel_id", "area_mu"]]
        options = options.assign(gap=(options["area_mu"] - (low + high) / 2).abs())
        best = options.sort_values(["gap", "parcel_id"]).iloc[0]
        taken.add(best["parcel_id"])
        rows.append(
            (
                project_id,
                _dt.date.fromisoformat(landed),
                best["parcel_id"],
                from_status,
                float(best["area_mu"]),
            )
        )
    return pd.DataFrame(
        rows, columns=["project_id", "landed", "parcel_id", "from_status", "area_mu"]
    )


def record_history(store, *, who: str = "sample") -> pd.DataFrame:
    """Record the sample's half-year history in a store holding the sample zone.

    The projects' imports have already dated each project's stage (its ``stage_date``). This
    adds what happened next for the report's four signed projects (:func:`sample_landings`):
    each reserves its site, reaches the ``landed`` stage on its landing date, and its parcel
    becomes ``occupied`` that day, so a half-year report of 2026H1 finds them signed and landed,
    one on village reserved land and one on revitalised low-efficiency land.

    Parameters
    ----------
    store
        A :class:`~landplan.store.Store` into which the sample zone has been imported.
    who
        Recorded as the author of the events and reservations.

    Returns
    -------
    pandas.DataFrame
        The landings recorded (:func:`sample_landings`).
    """
    landings = sample_landings(store.load_zone())
    for row in landings.itertuples():
        store.reserve(row.project_id, [row.parcel_id], who=who, note="项目落地用地")
        store.set_status(
            "projects",
            row.project_id,
            "landed",
            reason="项目落地, 土地交付",
            effective=row.landed,
            who=who,
        )
        store.set_status(
            "parcels",
            row.parcel_id,
            "occupied",
            reason=f"{row.project_id} 项目落地",
            effective=row.landed,
            who=who,
        )
    return landings
