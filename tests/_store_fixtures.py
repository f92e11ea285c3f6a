"""Fixtures shared by the store tests: a store on each backend, and tiny hand-made layers.

PostGIS tests run when ``LANDPLAN_TEST_POSTGIS_URL`` names a database with the postgis
extension; each test gets its own PostgreSQL schema, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

POSTGIS_URL = os.environ.get("LANDPLAN_TEST_POSTGIS_URL")
POSTGIS_SKIP = (
    "PostGIS tests need a database with the postgis extension: set "
    "LANDPLAN_TEST_POSTGIS_URL=postgresql+psycopg://postgres@127.0.0.1:5432/landplan_test "
    "(createdb landplan_test; psql -d landplan_test -c 'create extension postgis'), "
    "or run scripts/test.sh, which does both"
)

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


@pytest.fixture
def zone_store(store):
    """A store holding the five parcels, the constraints and two projects."""
    from tests._store_data import constraints, parcels, projects

    store.import_layer("parcels", parcels())
    store.import_layer("constraints", constraints())
    store.import_layer("projects", projects())
    return store
