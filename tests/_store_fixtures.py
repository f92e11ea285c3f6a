"""Fixtures shared by the store tests: a store on each backend, and tiny hand-made layers.

PostGIS tests run when ``LANDPLAN_TEST_POSTGIS_URL`` names a database with the postgis
extension; each test gets its own PostgreSQL schema, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pandas as pd
import pytest
import sqlalchemy as sa

import geopandas as gpd
import shapely

POSTGIS_URL = os.environ.get("LANDPLAN_TEST_POSTGIS_URL")
POSTGIS_SKIP = (
    "PostGIS tests need a database with the postgis extension: set "
    "LANDPLAN_TEST_POSTGIS_URL=postgresql+psycopg://postgres@127.0.0.1:5432/landplan_test "
    "(createdb landplan_test; psql -d landplan_test -c 'create extension postgis'), "
    "or run scripts/test.sh, which does both"
)
CRS = "EPSG:4546"
X0, Y0 = 500_000.0, 2_500_000.0

BACKENDS = ["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)]


@pytest.fixture
def postgis_url() -> Iterator[str]:
    """A PostGIS URL whose search_path is a fresh schema (then ``public`` for PostGIS)."""
    if not POSTGIS_URL:
        pytest.skip(POSTGIS_SKIP)
    schema = f"lp_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGIS_URL)
    with admin.begin() as conn:
        conn.execute(sa.schema.CreateSchema(schema))
    url = sa.make_url(POSTGIS_URL).update_query_dict({"options": f"-csearch_path={schema},public"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.schema.DropSchema(schema, cascade=True))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """A store location on each backend (a GeoPackage path, or a PostGIS URL)."""
    if request.param == "sqlite":
        return str(tmp_path / "zone.gpkg")
    return request.getfixturevalue("postgis_url")


@pytest.fixture
def store(store_url: str):
    """An initialised, empty store on each backend."""
    from landplan.store import open_store

    s = open_store(store_url)
    s.init()
    yield s
    s.close()


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
        },
        geometry=[None, None],
        crs=CRS,
    )


@pytest.fixture
def zone_store(store):
    """A store holding the five parcels, the constraints and two projects."""
    store.import_layer("parcels", parcels())
    store.import_layer("constraints", constraints())
    store.import_layer("projects", projects())
    return store
