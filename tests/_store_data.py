"""Tiny hand-made layers for the store tests, in EPSG:4546 near (500000, 2500000)."""

from __future__ import annotations

import pandas as pd

import geopandas as gpd
import shapely

CRS = "EPSG:4546"
X0, Y0 = 500_000.0, 2_500_000.0


def box(i: int, j: int = 0, size: float = 100.0) -> shapely.Polygon:
    """The square parcel i along x, j along y, 100 m across."""
    return shapely.box(X0 + i * size, Y0 + j * size, X0 + (i + 1) * size, Y0 + (j + 1) * size)


def parcels() -> gpd.GeoDataFrame:
    """Five 1 ha parcels in a row: P-4 lies in a red line that P-5 only touches."""
    return gpd.GeoDataFrame(
        {
            "parcel_id": ["P-1", "P-2", "P-3", "P-4", "P-5"],
            "status": ["idle", "state_reserve", "occupied", "state_reserve", "low_efficiency"],
            "tenure": ["state"] * 5,
            "holder": ["甲公司", None, "乙公司", None, "丙公司"],
            "agreed_start": pd.to_datetime(["2023-03-01", None, "2020-01-15", None, "2019-06-30"]),
            "extension_months": pd.array([None, None, 6, None, None], dtype="Int64"),
            "water_supply": pd.array([True, None, True, False, True], dtype="boolean"),
            "power_kva": [800.0, None, 2500.0, None, 630.0],
        },
        geometry=[box(i) for i in range(5)],
        crs=CRS,
    )


def constraints() -> gpd.GeoDataFrame:
    """A red line exactly over P-4 (so P-5 touches its edge) and a river line."""
    return gpd.GeoDataFrame(
        {
            "constraint_id": ["C-1", "C-2"],
            "kind": ["ecological_red_line", "river"],
            "name": ["北山生态红线", "东河"],
        },
        geometry=[box(3), shapely.LineString([(X0, Y0 - 10), (X0 + 500, Y0 - 10)])],
        crs=CRS,
    )


def projects() -> gpd.GeoDataFrame:
    """Two projects without locations."""
    return gpd.GeoDataFrame(
        {
            "project_id": ["PR-1", "PR-2"],
            "name": ["机械智造项目", "储能电站"],
            "stage": ["signed", "framework"],
            "investment_wan_yuan": [50_000.0, 80_000.0],
            "land_mu_min": [40.0, 25.0],
            "land_mu_max": [60.0, 35.0],
        },
        geometry=[None, None],
        crs=CRS,
    )
