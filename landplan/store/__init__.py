"""The spatial store: a zone's layers, status history and reservations in a database.

Two backends behind one API:

- an embedded **GeoPackage** file (the default: ``landplan.gpkg``), written with Python's own
  ``sqlite3`` and nothing else, which QGIS, GDAL and pyogrio open directly;
- **PostGIS** (``postgresql://user@host/db``), with GiST indexes and COPY bulk loads
  (``pip install 'landplan[postgis]'``).

>>> from landplan.store import open_store
>>> store = open_store("zone.gpkg")          # doctest: +SKIP
>>> store.init()                             # doctest: +SKIP
>>> store.import_layer("parcels", "parcels.shp", mode="replace")  # doctest: +SKIP
>>> zone = store.load_zone()                 # doctest: +SKIP
"""

from __future__ import annotations

import os
from pathlib import Path

from landplan.errors import StoreError
from landplan.policy import Policy
from landplan.store._store import ImportSummary, Store, default_who

__all__ = ["DEFAULT_DB", "ImportSummary", "Store", "default_db", "default_who", "open_store"]

DEFAULT_DB = "landplan.gpkg"


def default_db() -> str:
    """Return the store used when none is given: ``$LANDPLAN_DB``, else ``./landplan.gpkg``."""
    return os.environ.get("LANDPLAN_DB") or DEFAULT_DB


def open_store(
    url_or_path: str | os.PathLike[str] | None = None, *, policy: Policy | None = None
) -> Store:
    """Open a store: a GeoPackage file path, or a ``postgresql://`` URL.

    Opening connects lazily and creates nothing; call :meth:`Store.init` to create the tables.

    Parameters
    ----------
    url_or_path
        A file path (``zone.gpkg``, or ``sqlite:///zone.gpkg``), or a PostgreSQL URL
        (``postgresql://user@host:5432/db``; the psycopg 3 driver is used). :func:`default_db`
        where None.
    policy
        The policy; its working CRS must be the store's. Where None, the default policy with
        the store's working CRS.

    Returns
    -------
    Store

    Raises
    ------
    StoreError
        For an unsupported URL, a file that is not a GeoPackage, or PostGIS support missing.
    """
    target = os.fspath(url_or_path) if url_or_path is not None else default_db()
    if target.startswith(("postgresql:", "postgresql+", "postgres:")):
        from landplan.store._postgis import PostgisBackend

        return Store(PostgisBackend(target), policy)
    if target.startswith("sqlite:///"):
        target = target[len("sqlite:///") :]
    elif "://" in target:
        raise StoreError.of("store_unsupported", target=target)
    from landplan.store._sqlite import SqliteBackend, check_path

    path = Path(target).expanduser()
    check_path(path)
    return Store(SqliteBackend(path), policy)
