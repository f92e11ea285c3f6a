"""What a store backend offers the :class:`~landplan.store.Store`: the one definition of it.

The Store holds the transactions, the checks and the history; a backend holds what differs between
databases: the engine, the table definitions with their geometry type, how geometry is read and
written in bulk, how rows are locked and how a driver's error reads for the user. The embedded
GeoPackage (:class:`~landplan.store._sqlite.SqliteBackend`) and PostGIS
(:class:`~landplan.store._postgis.PostgisBackend`) are typed against :class:`Backend`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import sqlalchemy as sa

from pyproj import CRS

from landplan.errors import StoreError
from landplan.layers import LayerSpec

__all__ = ["Backend", "driver_connection"]


class Backend(Protocol):
    """The methods and attributes the Store calls on its backend."""

    #: ``"sqlite"`` or ``"postgis"``, as :attr:`Store.backend` reports it.
    name: str
    engine: sa.Engine
    #: Layer name -> table, with the backend's geometry type.
    tables: dict[str, sa.Table]
    #: The driver's own errors, raised where the store talks to the driver directly.
    driver_errors: tuple[type[BaseException], ...]

    def configure(self, srs_id: int) -> None:
        """Make the table definitions carry the store's SRS."""

    def describe(self) -> str:
        """Where the store is, for messages (without a password)."""
        ...

    def exists(self) -> bool:
        """Whether the store's database is there to be read."""
        ...

    def dispose(self) -> None:
        """Close every pooled connection."""

    def create(self, conn: sa.Connection, crs: CRS, srs_id: int) -> None:
        """Create the store's tables in the caller's transaction."""

    def track_state(self, conn: sa.Connection) -> None:
        """Have the database give the store a new state token at every change of its tables.

        Triggers on every table of the store (layers, events, reservations) replace the token
        under the key ``STATE_KEY`` of ``landplan_meta`` with a random one whoever writes: this
        store, another process, or a GIS editing the tables directly. Idempotent.
        """

    def tracks_state(self, conn: sa.Connection) -> bool:
        """Whether :meth:`track_state` has been done on this store."""
        ...

    def geometry_expression(self, table: sa.Table) -> sa.ColumnElement:
        """Return the select expression of a layer's geometry, as :meth:`decode` reads it."""
        ...

    def decode(self, values: Sequence[bytes | None]) -> np.ndarray:
        """Turn what :meth:`geometry_expression` selected into shapely geometries."""
        ...

    def lock(self, stmt: sa.Select, *, share: bool = False) -> sa.Select:
        """Return ``stmt`` locking the rows it selects, for update or shared."""
        ...

    def lock_table(self, conn: sa.Connection, layer: LayerSpec) -> None:
        """Keep other writers off a layer's table for a bulk write."""

    def lock_reservations(self, conn: sa.Connection) -> None:
        """Make reservations take turns."""

    def lock_init(self, conn: sa.Connection) -> None:
        """Make concurrent creations of the store take turns."""

    def check_srid(self, conn: sa.Connection, layer: LayerSpec, srs_id: int) -> None:
        """Refuse to write into a table registered with another CRS."""

    def next_fids(self, conn: sa.Connection, layer: LayerSpec, n: int) -> list[int]:
        """Reserve ``n`` new feature ids."""
        ...

    def insert_features(
        self,
        conn: sa.Connection,
        layer: LayerSpec,
        fids: list[int],
        columns: dict[str, list[Any]],
        geoms: np.ndarray,
        srs_id: int,
    ) -> None:
        """Insert many features in the caller's transaction."""

    def bbox_filter(self, table: sa.Table, bounds: Sequence[float]) -> sa.ColumnElement:
        """Return the condition on rows whose envelope meets ``bounds``."""
        ...

    def touch(self, conn: sa.Connection, layer: LayerSpec) -> None:
        """Record that a layer changed (extent, last change), where the database keeps it."""

    def cache_path(self, name: str) -> Path:
        """Return the file keeping what ``name`` derives from the store (the site index)."""
        ...

    def read_columns(self, conn: sa.Connection, table: sa.Table, layer: LayerSpec) -> Any:
        """Read a feature table as Arrow columns and geometries, or None to read through SQL."""
        ...

    def is_unique_violation(self, exc: sa.exc.DBAPIError) -> bool:
        """Whether a database error is a unique-index violation."""
        ...

    def is_retryable(self, exc: BaseException) -> bool:
        """Whether a driver error means "try again"."""
        ...

    def explain(self, exc: BaseException) -> str | None:
        """Say in words what a driver error means for the user, or None if it is not known."""
        ...


def driver_connection(conn: sa.Connection) -> Any:
    """Return the driver's own connection under ``conn``, for bulk loads (executemany, COPY).

    Raises
    ------
    StoreError
        If ``conn`` no longer holds a driver connection (it was closed or invalidated).
    """
    raw = conn.connection.driver_connection
    if raw is None:
        raise StoreError.of("store_connection_closed")
    return raw
