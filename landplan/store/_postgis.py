"""The PostGIS store: GeoAlchemy2 geometry columns with GiST indexes, bulk loads through COPY.

geoalchemy2 and psycopg are imported only when a ``postgresql://`` URL is opened; without them
the error says to ``pip install landplan[postgis]``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa

import shapely
from pyproj import CRS

from landplan._parallel import by_parts
from landplan.errors import CRSMismatchError, StoreError
from landplan.layers import LayerSpec
from landplan.store._backend import Backend, driver_connection
from landplan.store._schema import (
    EXTRA_COLUMN,
    GEOMETRY_COLUMN,
    STATE_KEY,
    VERSION_COLUMN,
    build_metadata,
    geometry_type_name,
)
from landplan.store._sqlite import lock_timeout_s

_STATE_FUNCTION = "landplan_state_changed"


def _require() -> tuple[Any, Any]:
    try:
        import psycopg

        import geoalchemy2
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise StoreError.of("store_postgis_needs", missing=exc.name) from exc
    return geoalchemy2, psycopg


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for a bare ``postgresql://`` URL."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class PostgisBackend(Backend):
    """The PostGIS backend."""

    name = "postgis"

    def __init__(self, url: str) -> None:
        geoalchemy2, psycopg = _require()
        #: The driver's own errors, raised where the store talks to it directly (COPY).
        self.driver_errors = (psycopg.Error,)
        self._geoalchemy2 = geoalchemy2
        self.url = sa.make_url(normalise_url(url))
        # A lock another session holds is waited for this long, then the statement fails.
        self.lock_timeout_s = lock_timeout_s()
        options = self.url.query.get("options", "")
        if isinstance(options, tuple):
            options = " ".join(options)
        wait = f"-c lock_timeout={round(self.lock_timeout_s * 1000)}"
        self.engine = sa.create_engine(
            self.url.update_query_dict({"options": f"{options} {wait}".strip()}),
            pool_pre_ping=True,
        )
        self.srs_id = 0
        self.metadata, self.tables = self._build(0)

    def _build(self, srs_id: int) -> tuple[sa.MetaData, dict[str, sa.Table]]:
        geometry = self._geoalchemy2.Geometry

        def geometry_type(layer: LayerSpec) -> sa.types.TypeEngine:
            return geometry(geometry_type_name(layer), srid=srs_id, spatial_index=False)

        return build_metadata(geometry_type, gist=True)

    def configure(self, srs_id: int) -> None:
        """Set the SRID of the geometry columns (the store's working CRS)."""
        if srs_id != self.srs_id:
            self.srs_id = srs_id
            self.metadata, self.tables = self._build(srs_id)

    def describe(self) -> str:
        """Where the store is, for messages (without a password)."""
        return self.url.render_as_string(hide_password=True)

    def cache_path(self, name: str) -> Path:
        """Return the file keeping what ``name`` derives from this database, in the user cache.

        ``$LANDPLAN_CACHE_DIR`` or ``~/.cache/landplan``; one file per database and schema,
        named by a digest of the URL without its password.
        """
        where = Path(os.environ.get("LANDPLAN_CACHE_DIR") or Path.home() / ".cache" / "landplan")
        digest = hashlib.blake2b(self.describe().encode(), digest_size=10).hexdigest()
        return where / f"postgis-{digest}.{name}"

    def exists(self) -> bool:
        """Whether the database answers (the tables may not exist yet)."""
        try:
            with self.engine.connect():
                return True
        except sa.exc.OperationalError as exc:
            raise StoreError.of(
                "store_cannot_connect", store=self.describe(), why=str(exc.orig).strip()
            ) from exc

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    # -- the state token ------------------------------------------------------------------------
    def track_state(self, conn: sa.Connection) -> None:
        """Have PostgreSQL replace the state token after every statement writing a store table.

        The function runs with the search path it was made with, so a client whose own path
        differs (a GIS editing the tables) still replaces this schema's token.
        """
        conn.execute(
            sa.text(
                "INSERT INTO landplan_meta (key, value) VALUES (:k, md5(random()::text)) "
                "ON CONFLICT (key) DO NOTHING"
            ),
            {"k": STATE_KEY},
        )
        conn.exec_driver_sql(
            f"CREATE OR REPLACE FUNCTION {_STATE_FUNCTION}() RETURNS trigger "
            "LANGUAGE plpgsql SET search_path FROM CURRENT AS $$ BEGIN "
            "UPDATE landplan_meta SET value = md5(random()::text || clock_timestamp()::text) "
            f"WHERE key = '{STATE_KEY}'; RETURN NULL; END $$"
        )
        for name in self.tables:
            if name == "landplan_meta":
                continue
            # Names come from landplan.layers and the schema, never from user input.
            conn.exec_driver_sql(
                f'CREATE OR REPLACE TRIGGER "landplan_state" AFTER INSERT OR UPDATE OR DELETE '
                f'OR TRUNCATE ON "{name}" FOR EACH STATEMENT EXECUTE FUNCTION {_STATE_FUNCTION}()'
            )

    def tracks_state(self, conn: sa.Connection) -> bool:
        """Whether every store table of this schema has its state trigger."""
        held = set(
            conn.execute(
                sa.text(
                    "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                    "WHERE t.tgname = 'landplan_state' "
                    "AND c.relnamespace = current_schema()::regnamespace"
                )
            ).scalars()
        )
        return all(name in held for name in self.tables if name != "landplan_meta")

    # -- schema ---------------------------------------------------------------------------------
    def create(self, conn: sa.Connection, crs: CRS, srs_id: int) -> None:
        """Check PostGIS is there, then create the tables (GiST indexes included)."""
        has = conn.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")).scalar()
        if not has:
            raise StoreError.of("store_no_postgis", store=self.describe())
        self.configure(srs_id)
        self.metadata.create_all(conn)

    # -- reading and writing --------------------------------------------------------------------
    def geometry_expression(self, table: sa.Table) -> sa.ColumnElement:
        """Return the select expression returning a layer's geometry as WKB."""
        return sa.func.ST_AsBinary(table.c[GEOMETRY_COLUMN], type_=sa.LargeBinary)

    def decode(self, values: Sequence[bytes | None]) -> np.ndarray:
        """WKB from :meth:`geometry_expression` to shapely."""
        return shapely.from_wkb(np.array(list(values), dtype=object))

    def read_columns(self, conn: sa.Connection, table: sa.Table, layer: LayerSpec) -> Any:
        """Read a feature table as one Arrow table of columns and its geometries, in ``fid`` order.

        One ``COPY ... TO STDOUT`` in CSV, parsed by Arrow's CSV reader into typed columns,
        within the caller's transaction: no Python object per value. Every value is quoted, so
        an empty text stays empty and only an unquoted empty field is NULL.
        """
        import pyarrow as pa
        import pyarrow.csv as pacsv

        kinds = {"float": pa.float64(), "int": pa.int64(), "bool": pa.bool_(), "date": pa.date32()}
        names = [c.name for c in layer.columns] + [VERSION_COLUMN, EXTRA_COLUMN]
        types = {c.name: kinds.get(c.dtype, pa.string()) for c in layer.columns}
        types |= {VERSION_COLUMN: pa.int64(), EXTRA_COLUMN: pa.string(), "wkb": pa.string()}
        quoted = ", ".join(f'"{n}"' for n in names)
        sql = (
            f"COPY (SELECT encode(ST_AsBinary(\"{GEOMETRY_COLUMN}\"), 'hex') AS wkb, {quoted} "
            f'FROM "{table.name}" ORDER BY fid) TO STDOUT WITH (FORMAT csv, FORCE_QUOTE *)'
        )
        buffer = bytearray()
        with driver_connection(conn).cursor() as cur, cur.copy(sql) as copy:
            for chunk in copy:
                buffer += chunk
        if not buffer:  # Arrow reads no columns from no text
            empty = pa.table({n: pa.array([], type=types[n]) for n in names})
            return empty, np.array([], dtype=object)
        columns = pacsv.read_csv(
            pa.py_buffer(bytes(buffer)),
            read_options=pacsv.ReadOptions(column_names=["wkb", *names]),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types=types,
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
                true_values=["t"],
                false_values=["f"],
            ),
        )
        geoms = by_parts(shapely.from_wkb, columns.column("wkb").to_numpy(zero_copy_only=False))
        return columns.select(names), geoms

    def lock_table(self, conn: sa.Connection, layer: LayerSpec) -> None:
        """Keep other writers off a table for a bulk write; readers carry on."""
        from psycopg import sql

        raw = driver_connection(conn)
        with raw.cursor() as cur:
            cur.execute(
                sql.SQL("LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE").format(
                    sql.Identifier(layer.name)
                )
            )

    def lock(self, stmt: sa.Select, *, share: bool = False) -> sa.Select:
        """Lock the selected rows until the transaction ends (``FOR SHARE``/``FOR UPDATE``)."""
        return stmt.with_for_update(read=share)

    def check_srid(self, conn: sa.Connection, layer: LayerSpec, srs_id: int) -> None:
        """Refuse to write into a geometry column of another SRID."""
        got = conn.execute(
            sa.text(
                "SELECT srid FROM geometry_columns WHERE f_table_schema = current_schema() "
                "AND f_table_name = :t AND f_geometry_column = :c"
            ),
            {"t": layer.name, "c": GEOMETRY_COLUMN},
        ).scalar()
        if got is not None and got != srs_id:
            raise CRSMismatchError.of(
                "store_table_srid", store=self.describe(), table=layer.name, got=got, srs=srs_id
            )

    def next_fids(self, conn: sa.Connection, layer: LayerSpec, n: int) -> list[int]:
        """Draw ``n`` new fids from the table's sequence."""
        if n == 0:
            return []
        return list(
            conn.execute(
                sa.text(
                    "SELECT nextval(pg_get_serial_sequence(:t, 'fid')) FROM generate_series(1, :n)"
                ),
                {"t": layer.name, "n": n},
            ).scalars()
        )

    def insert_features(
        self,
        conn: sa.Connection,
        layer: LayerSpec,
        fids: list[int],
        columns: dict[str, list[Any]],
        geoms: np.ndarray,
        srs_id: int,
    ) -> None:
        """COPY many features into the layer's table in the caller's transaction."""
        from psycopg import sql

        if len(geoms) == 0:
            return
        ewkb = shapely.to_wkb(shapely.set_srid(geoms, srs_id), hex=True, include_srid=True)
        names = ["fid", GEOMETRY_COLUMN, *columns]
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(layer.name), sql.SQL(", ").join(map(sql.Identifier, names))
        )
        raw = driver_connection(conn)
        with raw.cursor() as cur, cur.copy(statement) as copy:
            for row in zip(fids, ewkb.tolist(), *columns.values(), strict=True):
                copy.write_row(row)

    def bbox_filter(self, table: sa.Table, bounds: Sequence[float]) -> sa.ColumnElement:
        """Rows whose bounding box meets ``bounds`` (minx, miny, maxx, maxy), through GiST."""
        envelope = sa.func.ST_MakeEnvelope(*(float(b) for b in bounds), self.srs_id)
        return table.c[GEOMETRY_COLUMN].op("&&")(envelope)

    def touch(self, conn: sa.Connection, layer: LayerSpec) -> None:
        """Nothing to maintain: PostGIS computes extents on demand."""

    def is_unique_violation(self, exc: sa.exc.DBAPIError) -> bool:
        """Whether a database error is a unique-index violation."""
        from psycopg import errors

        return isinstance(exc.orig, errors.UniqueViolation)

    def lock_reservations(self, conn: sa.Connection) -> None:
        """Make reservations take turns, so two cannot take overlapping ground at once."""
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('landplan reserve'))"))

    def lock_init(self, conn: sa.Connection) -> None:
        """Make concurrent ``init`` calls on one database take turns (an advisory lock)."""
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('landplan init'))"))

    def explain(self, exc: BaseException) -> str | None:
        """Say in words what a PostgreSQL error means for the user, or None if it is not known."""
        from psycopg import errors

        orig = exc
        first = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
        if isinstance(orig, errors.DiskFull):
            return "the database server's disk is full; the transaction was rolled back"
        if isinstance(orig, errors.ReadOnlySqlTransaction):
            return "the database is read-only (a standby, or default_transaction_read_only)"
        if isinstance(orig, errors.InsufficientPrivilege):
            return f"the database user may not do this ({first}); ask for the privileges"
        if isinstance(orig, errors.LockNotAvailable | errors.QueryCanceled):
            return (
                f"another session holds a lock (waited {self.lock_timeout_s:g} s, "
                "$LANDPLAN_LOCK_TIMEOUT); try again when it has finished"
            )
        if isinstance(orig, errors.UndefinedTable | errors.UndefinedColumn):
            return f"the database is not a complete landplan store ({first})"
        if isinstance(orig, errors.OperationalError):
            return f"cannot reach the database ({first})"
        return None

    def is_retryable(self, exc: BaseException) -> bool:
        """Whether a driver error means "try again" (deadlock, serialization failure)."""
        from psycopg import errors

        return isinstance(exc, errors.DeadlockDetected | errors.SerializationFailure)
