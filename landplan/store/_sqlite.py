"""The embedded store: one GeoPackage file written through Python's own ``sqlite3``.

The file is a real GeoPackage (OGC 12-128r18): ``application_id`` ``GPKG``, the
``gpkg_spatial_ref_sys``/``gpkg_contents``/``gpkg_geometry_columns`` tables, feature tables with
GeoPackage geometry blobs (the standard header with the envelope, then little-endian ISO WKB),
and the ``gpkg_rtree_index`` extension (an SQLite R*Tree per geometry column, kept current by the
standard triggers). QGIS, GDAL and pyogrio open it directly; the attribute tables (status events,
reservations, meta) are registered as GeoPackage ``attributes`` so they show up too.

No SpatiaLite is loaded. The few functions the R*Tree triggers call (``ST_IsEmpty``, ``ST_MinX``
...) are registered as Python functions on every connection; they read the envelope from the
blob header. Bulk loads skip the insert trigger and fill the R*Tree from shapely's vectorised
bounds, inside the same transaction.
"""

from __future__ import annotations

import math
import os
import sqlite3
import struct
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa

import shapely
from pyproj import CRS

from landplan._parallel import by_parts
from landplan.errors import StoreError
from landplan.layers import LAYERS, LayerSpec
from landplan.store._backend import Backend, driver_connection
from landplan.store._schema import (
    ATTRIBUTE_TABLES,
    EXTRA_COLUMN,
    GEOMETRY_COLUMN,
    STATE_KEY,
    VERSION_COLUMN,
    build_metadata,
    geometry_type_name,
)

_APPLICATION_ID = 0x47504B47  # "GPKG"
# GeoPackage 1.3: the store uses nothing of 1.4, and GDAL 3.6 (Debian 12, its QGIS) warns on
# every open of a file stamped 1.4.
_USER_VERSION = 10300
_RTREE_DEFINITION = "http://www.geopackage.org/spec120/#extension_rtree"
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
_HEADER = np.dtype(
    [("magic", "S2"), ("version", "u1"), ("flags", "u1"), ("srs_id", "<i4"), ("env", "<f8", (4,))]
)


class _GpkgGeometry(sa.types.UserDefinedType):
    """A GeoPackage geometry column: declared with its geometry type name, holding blobs."""

    cache_ok = True

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name

    def get_col_spec(self, **kw: Any) -> str:
        return self.type_name


# --- GeoPackage geometry blobs -------------------------------------------------------------------


def encode(geoms: np.ndarray, srs_id: int) -> list[bytes | None]:
    """Encode shapely geometries as GeoPackage blobs (header with XY envelope + ISO WKB)."""
    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    missing = shapely.is_missing(geoms)
    empty = np.zeros(n, dtype=bool)
    empty[~missing] = shapely.is_empty(geoms[~missing])
    header = np.zeros(n, dtype=_HEADER)
    header["magic"] = b"GP"
    header["srs_id"] = srs_id
    header["flags"] = np.where(empty, 0x11, 0x03)  # little endian; envelope [minx,maxx,miny,maxy]
    bounds = shapely.bounds(geoms)  # minx, miny, maxx, maxy
    header["env"] = bounds[:, [0, 2, 1, 3]]
    wkb = shapely.to_wkb(geoms, byte_order=1, flavor="iso")
    raw = header.tobytes()
    size = _HEADER.itemsize
    out: list[bytes | None] = []
    for i in range(n):
        if missing[i]:
            out.append(None)
        elif empty[i]:
            out.append(raw[i * size : i * size + 8] + wkb[i])
        else:
            out.append(raw[i * size : (i + 1) * size] + wkb[i])
    return out


def _wkb_offset(blob: bytes) -> int:
    return 8 + _ENVELOPE_BYTES[(blob[3] >> 1) & 0x07]


def decode(blobs: Sequence[bytes | None]) -> np.ndarray:
    """Decode GeoPackage blobs (any envelope kind) into a shapely array."""
    wkb = [None if b is None else b[_wkb_offset(b) :] for b in blobs]
    return shapely.from_wkb(np.array(wkb, dtype=object))


def _envelope(blob: bytes | None) -> tuple[float, float, float, float] | None:
    """Return (minx, maxx, miny, maxy) from the header, or from the WKB if it has none."""
    if blob is None or blob[3] & 0x10:
        return None
    if (blob[3] >> 1) & 0x07:
        order = "<" if blob[3] & 0x01 else ">"
        return struct.unpack_from(order + "4d", blob, 8)
    minx, miny, maxx, maxy = shapely.bounds(shapely.from_wkb(blob[_wkb_offset(blob) :]))
    return minx, maxx, miny, maxy


def _st_is_empty(blob: bytes | None) -> int | None:
    return None if blob is None else int(bool(blob[3] & 0x10))


def _st_part(i: int):
    def get(blob: bytes | None) -> float | None:
        env = _envelope(blob)
        return None if env is None else env[i]

    return get


def _register(dbapi_conn: sqlite3.Connection, _record: Any = None) -> None:
    dbapi_conn.isolation_level = None  # the begin event below issues BEGIN itself
    dbapi_conn.create_function("ST_IsEmpty", 1, _st_is_empty, deterministic=True)
    for i, name in enumerate(("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY")):
        dbapi_conn.create_function(name, 1, _st_part(i), deterministic=True)


# --- the backend ---------------------------------------------------------------------------------


class SqliteBackend(Backend):
    """The embedded GeoPackage backend."""

    name = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.url = f"sqlite:///{path}"
        self.lock_timeout_s = lock_timeout_s()
        self.engine = sa.create_engine(
            self.url, connect_args={"timeout": self.lock_timeout_s, "check_same_thread": False}
        )
        sa.event.listen(self.engine, "connect", _register)
        sa.event.listen(self.engine, "begin", self._begin)
        self.metadata, self.tables = build_metadata(
            lambda layer: _GpkgGeometry(geometry_type_name(layer)), gist=False
        )

    @staticmethod
    def _begin(conn: sa.Connection) -> None:
        # Writers take SQLite's write lock up front, so two writers queue instead of one failing
        # half-way with "database is locked" when it tries to upgrade a read lock.
        write = conn.get_execution_options().get("landplan_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    def configure(self, srs_id: int) -> None:
        """Nothing to do: the SRS of a GeoPackage table is registered, not part of its type."""

    def describe(self) -> str:
        """Where the store is, for messages."""
        return str(self.path)

    def lock_table(self, conn: sa.Connection, layer: LayerSpec) -> None:
        """Nothing to do: ``BEGIN IMMEDIATE`` already holds SQLite's single write lock."""

    def cache_path(self, name: str) -> Path:
        """Return the file beside the GeoPackage keeping what ``name`` derives from the store."""
        return self.path.with_name(f"{self.path.name}.{name}")

    def exists(self) -> bool:
        """Whether the file exists (opening a missing one would create it)."""
        return self.path.exists()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    # -- the state token ------------------------------------------------------------------------
    def track_state(self, conn: sa.Connection) -> None:
        """Have SQLite replace the state token at every row written to a store table.

        SQLite's triggers are per row; a bulk load (:meth:`insert_features`) replaces the token
        once instead.
        """
        conn.execute(
            sa.text(f"INSERT OR IGNORE INTO landplan_meta (key, value) VALUES (:k, {_NEW_TOKEN})"),
            {"k": STATE_KEY},
        )
        for ddl in _state_triggers(self.tables):
            conn.exec_driver_sql(ddl)

    def tracks_state(self, conn: sa.Connection) -> bool:
        """Whether every store table has its state trigger."""
        names = set(
            conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").scalars()
        )
        return all(trigger in names for trigger, _, _ in _state_trigger_names(self.tables))

    # -- schema ---------------------------------------------------------------------------------
    def create(self, conn: sa.Connection, crs: CRS, srs_id: int) -> None:
        """Write the GeoPackage core tables, then the store's tables, registered, with R*Trees."""
        if sa.inspect(conn).has_table("gpkg_contents"):
            held = conn.exec_driver_sql("SELECT table_name FROM gpkg_contents").scalars().all()
            if held:
                raise StoreError.of(
                    "store_foreign_gpkg",
                    store=self.describe(),
                    layers=", ".join(map(str, held[:5])),
                )
        conn.exec_driver_sql(f"PRAGMA application_id = {_APPLICATION_ID}")
        conn.exec_driver_sql(f"PRAGMA user_version = {_USER_VERSION}")
        for ddl in _CORE_DDL:
            conn.exec_driver_sql(ddl)
        srs_rows = [
            ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", "undefined cartesian"),
            ("Undefined geographic SRS", 0, "NONE", 0, "undefined", "undefined geographic"),
            (
                "WGS 84 geodetic",
                4326,
                "EPSG",
                4326,
                CRS.from_epsg(4326).to_wkt("WKT1_GDAL"),
                "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid",
            ),
            (crs.name, srs_id, "EPSG", srs_id, crs.to_wkt("WKT1_GDAL"), "landplan working CRS"),
        ]
        conn.execute(
            sa.text(
                "INSERT OR IGNORE INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization, "
                "organization_coordsys_id, definition, description) "
                "VALUES (:n, :i, :o, :c, :d, :e)"
            ),
            [dict(zip("niocde", r, strict=True)) for r in srs_rows],
        )
        self.metadata.create_all(conn)
        contents = sa.text(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) "
            "VALUES (:t, :k, :t, :d, :s)"
        )
        for layer in LAYERS.values():
            conn.execute(
                contents, {"t": layer.name, "k": "features", "d": layer.description, "s": srs_id}
            )
            conn.execute(
                sa.text(
                    "INSERT INTO gpkg_geometry_columns (table_name, column_name, "
                    "geometry_type_name, srs_id, z, m) VALUES (:t, :c, :g, :s, 0, 0)"
                ),
                {
                    "t": layer.name,
                    "c": GEOMETRY_COLUMN,
                    "g": geometry_type_name(layer),
                    "s": srs_id,
                },
            )
            conn.execute(
                sa.text(
                    "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, "
                    "definition, scope) VALUES (:t, :c, 'gpkg_rtree_index', :d, 'write-only')"
                ),
                {"t": layer.name, "c": GEOMETRY_COLUMN, "d": _RTREE_DEFINITION},
            )
            # Table names below come from landplan.layers, never from user input.
            conn.exec_driver_sql(
                f'CREATE VIRTUAL TABLE "{_rtree(layer)}" USING rtree(id, minx, maxx, miny, maxy)'
            )
            for ddl in _rtree_triggers(layer.name):
                conn.exec_driver_sql(ddl)
        for name in ATTRIBUTE_TABLES:
            conn.execute(
                contents, {"t": name, "k": "attributes", "d": f"landplan {name}", "s": None}
            )

    # -- reading and writing --------------------------------------------------------------------
    def geometry_expression(self, table: sa.Table) -> sa.ColumnElement:
        """Return the select expression returning a layer's geometry as a blob."""
        return table.c[GEOMETRY_COLUMN]

    def decode(self, values: Sequence[bytes | None]) -> np.ndarray:
        """Blobs from :meth:`geometry_expression` to shapely."""
        return decode(values)

    def read_columns(self, conn: sa.Connection, table: sa.Table, layer: LayerSpec) -> Any:
        """Read a feature table as one Arrow table of columns and its geometries, in ``fid`` order.

        GDAL reads the GeoPackage into Arrow columns without the Python object per value that
        ``sqlite3`` makes for every cell. It reads through a connection of its own, in one
        statement: the table as one committed state, which may be a write newer than the
        caller's transaction has seen. Returns None for a layer without geometry, read through
        SQL.
        """
        import pyogrio

        if not layer.geometry_types:
            return None
        names = [c.name for c in layer.columns] + [VERSION_COLUMN, EXTRA_COLUMN]
        meta, columns = pyogrio.read_arrow(self.path, layer=table.name, columns=names)
        wkb = columns.column(meta["geometry_name"] or "wkb").to_numpy(zero_copy_only=False)
        return columns.select(names), by_parts(shapely.from_wkb, wkb)

    def lock(self, stmt: sa.Select, *, share: bool = False) -> sa.Select:
        """SQLite's write transaction already excludes other writers."""
        return stmt

    def check_srid(self, conn: sa.Connection, layer: LayerSpec, srs_id: int) -> None:
        """Refuse to write into a table registered with another CRS."""
        got = conn.execute(
            sa.text("SELECT srs_id FROM gpkg_geometry_columns WHERE table_name = :t"),
            {"t": layer.name},
        ).scalar()
        if got is not None and got != srs_id:
            from landplan.errors import CRSMismatchError

            raise CRSMismatchError.of(
                "store_table_crs", store=self.describe(), table=layer.name, got=got, srs=srs_id
            )

    def next_fids(self, conn: sa.Connection, layer: LayerSpec, n: int) -> list[int]:
        """Reserve ``n`` new fids (AUTOINCREMENT: never one a deleted row had)."""
        table = self.tables[layer.name]
        top = conn.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.fid), 0))).scalar()
        seq = conn.execute(
            sa.text("SELECT seq FROM sqlite_sequence WHERE name = :t"), {"t": layer.name}
        ).scalar()
        first = max(top or 0, seq or 0) + 1
        return list(range(first, first + n))

    def insert_features(
        self,
        conn: sa.Connection,
        layer: LayerSpec,
        fids: list[int],
        columns: dict[str, list[Any]],
        geoms: np.ndarray,
        srs_id: int,
    ) -> None:
        """Insert many features in the caller's transaction, and index them in the R*Tree."""
        table = self.tables[layer.name]
        if len(geoms) == 0:
            return
        blobs = encode(geoms, srs_id)
        names = ["fid", GEOMETRY_COLUMN, *columns]
        rows = list(zip(fids, blobs, *columns.values(), strict=True))
        trigger = f"rtree_{layer.name}_{GEOMETRY_COLUMN}_insert"
        conn.exec_driver_sql(f'DROP TRIGGER "{trigger}"')
        # The state token is replaced once for the whole load, not once per row.
        state = f"landplan_state_{layer.name}_insert"
        conn.exec_driver_sql(f'DROP TRIGGER IF EXISTS "{state}"')
        dbapi = driver_connection(conn)
        # Column names come from the layer spec; the values are bound parameters.
        quoted = ", ".join(f'"{c}"' for c in names)
        marks = ", ".join("?" * len(names))
        dbapi.executemany(
            f'INSERT INTO "{layer.name}" ({quoted}) VALUES ({marks})',
            _convert(rows, table, names, conn.dialect),
        )
        ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        b = shapely.bounds(geoms[ok])
        dbapi.executemany(
            f'INSERT INTO "{_rtree(layer)}" VALUES (?, ?, ?, ?, ?)',
            zip(
                np.asarray(fids)[ok].tolist(),
                b[:, 0].tolist(),
                b[:, 2].tolist(),
                b[:, 1].tolist(),
                b[:, 3].tolist(),
                strict=True,
            ),
        )
        conn.exec_driver_sql(_rtree_triggers(layer.name)[0])
        conn.exec_driver_sql(_state_trigger(state, layer.name, "INSERT"))
        conn.execute(
            sa.text(f"UPDATE landplan_meta SET value = {_NEW_TOKEN} WHERE key = :k"),
            {"k": STATE_KEY},
        )

    def bbox_filter(self, table: sa.Table, bounds: Sequence[float]) -> sa.ColumnElement:
        """Rows whose envelope meets ``bounds`` (minx, miny, maxx, maxy), through the R*Tree."""
        layer = LAYERS[table.name]
        rtree = sa.table(
            _rtree(layer),
            sa.column("id"),
            sa.column("minx"),
            sa.column("maxx"),
            sa.column("miny"),
            sa.column("maxy"),
        )
        minx, miny, maxx, maxy = bounds
        hits = sa.select(rtree.c.id).where(
            rtree.c.maxx >= minx, rtree.c.minx <= maxx, rtree.c.maxy >= miny, rtree.c.miny <= maxy
        )
        return table.c.fid.in_(hits)

    def touch(self, conn: sa.Connection, layer: LayerSpec) -> None:
        """Update the layer's extent and last change in ``gpkg_contents``."""
        rtree = _rtree(layer)
        conn.exec_driver_sql(
            f"UPDATE gpkg_contents SET last_change = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), "
            f'min_x = (SELECT min(minx) FROM "{rtree}"), '
            f'max_x = (SELECT max(maxx) FROM "{rtree}"), '
            f'min_y = (SELECT min(miny) FROM "{rtree}"), max_y = (SELECT max(maxy) FROM "{rtree}") '
            "WHERE table_name = ?",
            (layer.name,),
        )

    def is_unique_violation(self, exc: sa.exc.DBAPIError) -> bool:
        """Whether a database error is a unique-index violation."""
        return isinstance(exc.orig, sqlite3.IntegrityError) and "UNIQUE" in str(exc.orig)

    #: The driver's own errors, raised where the store talks to it directly.
    driver_errors = (sqlite3.Error,)

    def is_retryable(self, exc: BaseException) -> bool:
        """Whether a driver error means "try again": never for SQLite (see :meth:`explain`)."""
        return False

    def lock_reservations(self, conn: sa.Connection) -> None:
        """Nothing to do: ``BEGIN IMMEDIATE`` already serialises every write."""

    def lock_init(self, conn: sa.Connection) -> None:
        """Nothing to do: ``BEGIN IMMEDIATE`` already makes one creator wait for the other."""

    def explain(self, exc: BaseException) -> str | None:
        """Say in words what an SQLite error means for the user, or None if it is not known."""
        text = str(exc).lower()
        if "locked" in text or "busy" in text:
            return (
                f"the file is locked by another process (waited {self.lock_timeout_s:g} s, "
                "$LANDPLAN_LOCK_TIMEOUT); try again when the other landplan command or program "
                "(a QGIS editing session) has finished"
            )
        if "readonly" in text or "read-only" in text:
            return (
                "the file is read-only; check its permissions (and its folder's), or work on a copy"
            )
        if "disk is full" in text or "full" in text.split(":")[0]:
            return (
                "the disk is full; the transaction was rolled back, free some space and try again"
            )
        if "not a database" in text or "malformed" in text or "no such table" in text:
            return (
                f"the file is damaged or not a complete landplan store ({str(exc).strip()}); "
                "restore it from a backup"
            )
        if "unable to open" in text or "disk i/o" in text:
            return f"the file cannot be opened or written ({str(exc).strip()})"
        return None


def lock_timeout_s() -> float:
    """Seconds to wait for another process's lock: ``$LANDPLAN_LOCK_TIMEOUT``, else 60.

    Both backends use it: SQLite's busy timeout, PostgreSQL's ``lock_timeout``.
    """
    raw = os.environ.get("LANDPLAN_LOCK_TIMEOUT", "")
    try:
        value = float(raw) if raw.strip() else 60.0
    except ValueError:
        raise StoreError.of("store_lock_timeout", raw=raw) from None
    if not math.isfinite(value) or value < 0:
        raise StoreError.of("store_lock_timeout_negative", raw=raw)
    return value


def _convert(rows: list[tuple], table: sa.Table, names: list[str], dialect: sa.Dialect) -> Iterator:
    """Apply SQLAlchemy's bind processing (dates, booleans) to raw rows."""
    procs = [table.c[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names]
    idx = [(i, p) for i, p in enumerate(procs) if p is not None]
    if not idx:
        yield from rows
        return
    for row in rows:
        out = list(row)
        for i, p in idx:
            out[i] = p(out[i])
        yield out


def _rtree(layer: LayerSpec) -> str:
    return f"rtree_{layer.name}_{GEOMETRY_COLUMN}"


def _state_trigger_names(tables: dict[str, sa.Table]) -> list[tuple[str, str, str]]:
    """(trigger, table, operation) of every state trigger; ``landplan_meta`` holds the token."""
    return [
        (f"landplan_state_{name}_{op.lower()}", name, op)
        for name in tables
        if name != "landplan_meta"
        for op in ("INSERT", "UPDATE", "DELETE")
    ]


# A new state token, as SQL: 16 random bytes in hexadecimal.
_NEW_TOKEN = "lower(hex(randomblob(16)))"


def _state_trigger(trigger: str, table: str, op: str) -> str:
    # Names come from landplan.layers and the schema, never from user input.
    return (
        f'CREATE TRIGGER IF NOT EXISTS "{trigger}" AFTER {op} ON "{table}" BEGIN '
        f"UPDATE landplan_meta SET value = {_NEW_TOKEN} WHERE key = '{STATE_KEY}'; END"
    )


def _state_triggers(tables: dict[str, sa.Table]) -> list[str]:
    return [_state_trigger(*names) for names in _state_trigger_names(tables)]


def _rtree_triggers(t: str) -> list[str]:
    """Return the GeoPackage R*Tree triggers (spec annex F.3), the insert trigger first."""
    c, i, r = GEOMETRY_COLUMN, "fid", f"rtree_{t}_{GEOMETRY_COLUMN}"
    values = f"NEW.{i}, ST_MinX(NEW.{c}), ST_MaxX(NEW.{c}), ST_MinY(NEW.{c}), ST_MaxY(NEW.{c})"
    present = f"(NEW.{c} NOT NULL AND NOT ST_IsEmpty(NEW.{c}))"
    absent = f"(NEW.{c} ISNULL OR ST_IsEmpty(NEW.{c}))"
    return [
        f'CREATE TRIGGER "{r}_insert" AFTER INSERT ON "{t}" WHEN {present} '
        f'BEGIN INSERT OR REPLACE INTO "{r}" VALUES ({values}); END',
        f'CREATE TRIGGER "{r}_update1" AFTER UPDATE OF {c} ON "{t}" '
        f"WHEN OLD.{i} = NEW.{i} AND {present} "
        f'BEGIN INSERT OR REPLACE INTO "{r}" VALUES ({values}); END',
        f'CREATE TRIGGER "{r}_update2" AFTER UPDATE OF {c} ON "{t}" '
        f"WHEN OLD.{i} = NEW.{i} AND {absent} "
        f'BEGIN DELETE FROM "{r}" WHERE id = OLD.{i}; END',
        f'CREATE TRIGGER "{r}_update3" AFTER UPDATE ON "{t}" '
        f"WHEN OLD.{i} != NEW.{i} AND {present} "
        f'BEGIN DELETE FROM "{r}" WHERE id = OLD.{i}; '
        f'INSERT OR REPLACE INTO "{r}" VALUES ({values}); END',
        f'CREATE TRIGGER "{r}_update4" AFTER UPDATE ON "{t}" '
        f"WHEN OLD.{i} != NEW.{i} AND {absent} "
        f'BEGIN DELETE FROM "{r}" WHERE id IN (OLD.{i}, NEW.{i}); END',
        f'CREATE TRIGGER "{r}_delete" AFTER DELETE ON "{t}" WHEN OLD.{c} NOT NULL '
        f'BEGIN DELETE FROM "{r}" WHERE id = OLD.{i}; END',
    ]


_CORE_DDL = (
    """CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (
        srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
        organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)""",
    """CREATE TABLE IF NOT EXISTS gpkg_contents (
        table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
        description TEXT DEFAULT '',
        last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
        CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))""",
    """CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (
        table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
        srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
        CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
        CONSTRAINT uk_gc_table_name UNIQUE (table_name),
        CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
        CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))""",
    """CREATE TABLE IF NOT EXISTS gpkg_extensions (
        table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL,
        definition TEXT NOT NULL, scope TEXT NOT NULL,
        CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))""",
)


def check_path(path: Path) -> None:
    """Refuse a path that exists but is not a GeoPackage."""
    if path.exists() and path.is_file():
        with path.open("rb") as fh:
            head = fh.read(100)
        if head and not head.startswith(b"SQLite format 3\x00"):
            raise StoreError.of("store_not_sqlite", path=path)
