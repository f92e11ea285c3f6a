"""The store's tables, shared by both backends, and the conversions between frames and rows.

Each layer becomes a feature table with one typed column per :class:`~landplan.layers.Column`
of its spec, a geometry column ``geom``, a ``version`` counter (raised by every write to the row)
and ``extra``: a JSON object holding the columns of an imported file that the schema does not
know, so that nothing a user imported is dropped. Beside them sit four attribute tables:
``landplan_meta`` (schema version, working CRS), ``status_events`` (the append-only history of
status changes), ``attribute_events`` (the history of every other attribute's changes) and
``reservations`` (with a unique partial index allowing one active
reservation per parcel).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from landplan.layers import LAYERS, Column, LayerSpec

SCHEMA_VERSION = "1"
#: The key of ``landplan_meta`` whose value the database replaces at every change of a table.
STATE_KEY = "state"
GEOMETRY_COLUMN = "geom"
VERSION_COLUMN = "version"
EXTRA_COLUMN = "extra"
RESERVED_COLUMNS = frozenset({"fid", GEOMETRY_COLUMN, VERSION_COLUMN, EXTRA_COLUMN, "geometry"})

# Constraint kinds are stored with every geometry type; polygons and lines are promoted to their
# multi-part type so that a table holds one declared type (as GDAL does when writing a layer).
_PROMOTE = {"Polygon": "MultiPolygon", "LineString": "MultiLineString", "Point": "Point"}


def geometry_type_name(layer: LayerSpec) -> str:
    """Return the declared geometry type of a layer's table (``MULTIPOLYGON``, ``GEOMETRY`` ...)."""
    kinds = {_PROMOTE.get(t, t) for t in layer.geometry_types}
    return kinds.pop().upper() if len(kinds) == 1 else "GEOMETRY"


class UtcDateTime(sa.TypeDecorator):
    """A timezone-aware UTC timestamp; ISO 8601 text (``...Z``) in SQLite as GeoPackage asks."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: sa.Dialect) -> sa.types.TypeEngine:
        """Use text in SQLite, ``timestamptz`` elsewhere."""
        if dialect.name == "sqlite":
            return dialect.type_descriptor(_GpkgDateTime())
        return dialect.type_descriptor(sa.DateTime(timezone=True))

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> Any:
        """Store UTC; text in SQLite."""
        if value is None:
            return None
        value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
        return value

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> Any:
        """Return an aware datetime in UTC."""
        if value is None:
            return None
        if isinstance(value, str):
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return value.astimezone(dt.UTC)


class _GpkgDateTime(sa.types.UserDefinedType):
    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "DATETIME"


def _sql_type(col: Column) -> sa.types.TypeEngine:
    types: dict[str, sa.types.TypeEngine] = {
        "str": sa.Text(),
        "vocab": sa.Text(),
        "ids": sa.Text(),
        "float": sa.Double(),
        "int": sa.Integer(),
        "date": sa.Date(),
        "bool": sa.Boolean(),
    }
    return types[col.dtype]


def build_metadata(
    geometry_type: Callable[[LayerSpec], sa.types.TypeEngine], *, gist: bool
) -> tuple[sa.MetaData, dict[str, sa.Table]]:
    """Build the store's tables for a backend.

    Parameters
    ----------
    geometry_type
        Returns the backend's geometry column type for a layer.
    gist
        Add a GiST index on every geometry column (PostGIS); SQLite gets the GeoPackage R*Tree
        from its backend instead.

    Returns
    -------
    metadata, tables
        The metadata and its tables by name (layer names plus the attribute tables).
    """
    md = sa.MetaData()
    tables: dict[str, sa.Table] = {}
    for layer in LAYERS.values():
        cols: list[sa.Column] = [sa.Column("fid", sa.Integer, primary_key=True, autoincrement=True)]
        cols.append(sa.Column(GEOMETRY_COLUMN, geometry_type(layer), nullable=True))
        for c in layer.columns:
            cols.append(sa.Column(c.name, _sql_type(c), nullable=c.name != layer.id_column))
        cols.append(sa.Column(VERSION_COLUMN, sa.Integer, nullable=False, server_default="1"))
        cols.append(sa.Column(EXTRA_COLUMN, sa.Text, nullable=True))
        table = sa.Table(layer.name, md, *cols, sqlite_autoincrement=True)
        sa.Index(f"{layer.name}_{layer.id_column}_key", table.c[layer.id_column], unique=True)
        if gist:
            sa.Index(f"{layer.name}_geom_gist", table.c[GEOMETRY_COLUMN], postgresql_using="gist")
        tables[layer.name] = table

    tables["landplan_meta"] = sa.Table(
        "landplan_meta",
        md,
        sa.Column("fid", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.Text, nullable=False, unique=True),
        sa.Column("value", sa.Text, nullable=False),
        sqlite_autoincrement=True,
    )
    events = sa.Table(
        "status_events",
        md,
        sa.Column("fid", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("layer", sa.Text, nullable=False),
        sa.Column("feature_id", sa.Text, nullable=False),
        sa.Column("old_status", sa.Text),
        sa.Column("new_status", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("effective_date", sa.Date, nullable=False),
        sa.Column("who", sa.Text, nullable=False),
        sa.Column("recorded_at", UtcDateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        # Set on an event that retracts an earlier one (that event's fid); both then stand aside.
        sa.Column("retracts", sa.Integer, nullable=True),
        sqlite_autoincrement=True,
    )
    sa.Index("status_events_feature", events.c.layer, events.c.feature_id)
    tables["status_events"] = events
    # Changes of other attributes (holder, land price, contract dates ...): an event of their own
    # kind, so that a status history stays one of statuses.
    changes = sa.Table(
        "attribute_events",
        md,
        sa.Column("fid", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("layer", sa.Text, nullable=False),
        sa.Column("feature_id", sa.Text, nullable=False),
        sa.Column("column_name", sa.Text, nullable=False),
        sa.Column("old_value", sa.Text),
        sa.Column("new_value", sa.Text),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("effective_date", sa.Date, nullable=False),
        sa.Column("who", sa.Text, nullable=False),
        sa.Column("recorded_at", UtcDateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sqlite_autoincrement=True,
    )
    sa.Index("attribute_events_feature", changes.c.layer, changes.c.feature_id)
    tables["attribute_events"] = changes
    res = sa.Table(
        "reservations",
        md,
        sa.Column("fid", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("project_id", sa.Text, nullable=False),
        sa.Column("parcel_id", sa.Text, nullable=False),
        sa.Column("who", sa.Text, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("reserved_at", UtcDateTime, nullable=False),
        sa.Column("released_at", UtcDateTime),
        sa.Column("released_by", sa.Text),
        sa.Column("release_reason", sa.Text),
        sqlite_autoincrement=True,
    )
    # The database, not the code, guarantees one active reservation per parcel.
    active = res.c.released_at.is_(None)
    sa.Index(
        "reservations_one_active_per_parcel",
        res.c.parcel_id,
        unique=True,
        sqlite_where=active,
        postgresql_where=active,
    )
    sa.Index("reservations_project", res.c.project_id)
    tables["reservations"] = res
    return md, tables


ATTRIBUTE_TABLES = ("landplan_meta", "status_events", "attribute_events", "reservations")


# --- frames <-> rows -----------------------------------------------------------------------------


def _py(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        return _py(value.item())
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def _column_values(series: pd.Series, col: Column) -> list[Any]:
    """Return a column's values as Python objects for the database (None for missing)."""
    missing = series.isna().to_numpy()
    if col.dtype == "date":
        values = pd.to_datetime(series).dt.date.to_numpy(dtype=object)
    elif col.dtype == "float":
        values = pd.to_numeric(series).astype("float64").to_numpy()
    elif col.dtype == "int":
        values = series.astype("Int64").to_numpy(dtype=object, na_value=None)
    elif col.dtype == "bool":
        values = series.astype("boolean").to_numpy(dtype=object, na_value=None)
    else:
        values = series.to_numpy(dtype=object)
    out = values.tolist()
    for i in np.flatnonzero(missing):
        out[i] = None
    if col.dtype in ("str", "vocab", "ids"):
        odd = [i for i, v in enumerate(out) if v is not None and type(v) is not str]
        for j in odd:
            out[j] = str(out[j])
    return out


def frame_to_columns(
    layer: LayerSpec, frame: pd.DataFrame
) -> tuple[dict[str, list[Any]], list[str | None]]:
    """Turn a validated layer into database columns (spec columns) and ``extra`` JSON strings.

    Columns of the frame the schema does not name (other than the geometry and ``version``) go
    into one JSON object per row.
    """
    n = len(frame)
    out: dict[str, list[Any]] = {}
    for col in layer.columns:
        out[col.name] = _column_values(frame[col.name], col) if col.name in frame else [None] * n
    geom_name = frame.geometry.name if hasattr(frame, "geometry") and _has_geom(frame) else None
    known = set(layer.names) | RESERVED_COLUMNS | {geom_name}
    others = [c for c in frame.columns if c not in known]
    extras: list[str | None] = [None] * n
    if others:
        records = frame[others].astype(object).to_dict("records")
        for i, rec in enumerate(records):
            kept = {str(k): _py(v) for k, v in rec.items() if _py(v) is not None}
            extras[i] = json.dumps(kept, ensure_ascii=False, default=str) if kept else None
    return out, extras


def _has_geom(frame: pd.DataFrame) -> bool:
    try:
        frame.geometry  # noqa: B018
    except AttributeError:
        return False
    return True


def empty_typed(col: Column, n: int = 0) -> pd.Series:
    """Return an all-missing series of a column's dtype."""
    return typed_series([None] * n, col)


def typed_series(values: Sequence[Any], col: Column) -> pd.Series:
    """Build a series in the dtype the validator gives a column from database values."""
    if col.dtype == "float":
        return pd.Series([np.nan if v is None else v for v in values], dtype="float64")
    if col.dtype == "int":
        return pd.Series(pd.array(values, dtype="Int64"))
    if col.dtype == "bool":
        return pd.Series(pd.array(values, dtype="boolean"))
    if col.dtype == "date":
        return pd.Series(pd.to_datetime(pd.Series(values, dtype=object)), dtype="datetime64[ns]")
    return pd.Series(values, dtype=object)


def arrow_series(column: Any, col: Column) -> pd.Series:
    """Build a series in the dtype the validator gives a column from an Arrow column.

    The same series as :func:`typed_series` of the column's values, without a Python object per
    value for numbers, flags and dates.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if col.dtype == "float":
        values = pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False)
        # The array is new and ours: pandas 3 would otherwise copy it (a second per 10⁶ rows).
        return pd.Series(values, dtype="float64", copy=False)
    if col.dtype == "int":
        return pc.cast(column, pa.int64()).to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
    if col.dtype == "bool":
        return pc.cast(column, pa.bool_()).to_pandas(
            types_mapper={pa.bool_(): pd.BooleanDtype()}.get
        )
    if col.dtype == "date":
        stamps = pc.cast(pc.cast(column, pa.date32()), pa.timestamp("ns"))
        return pd.Series(stamps.to_numpy(zero_copy_only=False), dtype="datetime64[ns]", copy=False)
    return pd.Series(column.to_numpy(zero_copy_only=False), dtype=object, copy=False)


def expand_extras(extras: Sequence[str | None]) -> pd.DataFrame:
    """Turn the ``extra`` JSON strings back into columns (object dtype)."""
    records = [json.loads(e) if e else {} for e in extras]
    names: dict[str, None] = {}
    for rec in records:
        names.update(dict.fromkeys(rec))
    return pd.DataFrame(
        {k: pd.Series([rec.get(k) for rec in records], dtype=object) for k in names},
        index=pd.RangeIndex(len(records)),
    )


def meta_dict(rows: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Return the meta table as a dict."""
    return {r["key"]: r["value"] for r in rows}
