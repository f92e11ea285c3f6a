"""The :class:`Store`: one API over the embedded GeoPackage and PostGIS backends.

Every write is one transaction: an import lands whole or not at all, a status change writes the
row and its event together, a reservation takes every parcel asked for or none. Every statement
is built with SQLAlchemy and binds its values; ids and names from users never reach SQL text.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import getpass
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import sqlalchemy as sa

import geopandas as gpd
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from landplan._collector import making_many
from landplan._dates import DATE_FORMS, parse_date
from landplan.errors import (
    Code,
    CRSMismatchError,
    Message,
    Problem,
    ReservationError,
    SchemaError,
    StaleWriteError,
    StoreError,
    UnknownFeatureError,
    text_in,
)
from landplan.history import standing_events, status_on
from landplan.layers import LAYERS, Column, LayerSpec, spec
from landplan.policy import Policy
from landplan.store._backend import Backend
from landplan.store._schema import (
    EXTRA_COLUMN,
    GEOMETRY_COLUMN,
    SCHEMA_VERSION,
    STATE_KEY,
    VERSION_COLUMN,
    arrow_series,
    expand_extras,
    frame_to_columns,
    typed_series,
)
from landplan.validation import normalise_id, overlapping_pairs

ImportMode = Literal["replace", "append", "upsert"]
# The write counter read as the validator types an integer column.
_VERSION = Column(VERSION_COLUMN, "int", "版本", description="write counter")
_CHUNK = 5000


@dataclass(frozen=True)
class ImportSummary:
    """What an import did.

    Attributes
    ----------
    layer : str
        The layer written.
    mode : str
        ``replace``, ``append`` or ``upsert``.
    source : str
        Where the features came from.
    inserted, updated, deleted : int
        Features new to the store, features overwritten, features removed (``replace`` only).
    status_events : int
        Status changes recorded as events.
    notices : tuple of str
        What the import changed in the data on the way in (3D geometry made 2D ...).
    """

    layer: str
    mode: str
    source: str
    inserted: int
    updated: int
    deleted: int
    status_events: int
    notices: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.text("en")

    def text(self, lang: Literal["zh", "en"] = "zh") -> str:
        """Say what the import did, in Chinese or English, each notice on a line of its own."""
        from landplan.labels import message, value_label

        head = message(
            "import_summary",
            lang,
            layer=value_label("layer", self.layer, lang),
            source=self.source,
            mode=value_label("import_mode", self.mode, lang),
            inserted=self.inserted,
            updated=self.updated,
            deleted=self.deleted,
            status_events=self.status_events,
        )
        notes = (message("note", lang, text=text_in(n, lang)) for n in self.notices)
        return "\n".join([head, *notes])


@dataclass(frozen=True)
class UpdateSummary:
    """What an attribute update did: rows given, rows changed, attribute events recorded."""

    layer: str
    source: str
    rows: int
    changed: int
    attribute_events: int

    def __str__(self) -> str:
        return self.text("en")

    def text(self, lang: Literal["zh", "en"] = "zh") -> str:
        """Say what the update did, in Chinese or English."""
        from landplan.labels import message, value_label

        return message(
            "update_summary",
            lang,
            layer=value_label("layer", self.layer, lang),
            source=self.source,
            rows=self.rows,
            changed=self.changed,
            events=self.attribute_events,
        )


def default_who() -> str:
    """Return the user recorded on events: ``$LANDPLAN_USER``, else the login name."""
    who = os.environ.get("LANDPLAN_USER")
    if who:
        return who
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # pragma: no cover - no login name in some containers
        return "unknown"


def status_layer(layer: str) -> LayerSpec:
    """Return the spec of a layer whose status is kept as events (``parcel``/``parcels`` ...).

    Parcels and buildings keep a ``status``, projects a ``stage``: the store records changes of
    either as events (:attr:`~landplan.layers.LayerSpec.status_column`).
    """
    name = layer if layer in LAYERS else f"{layer}s"
    layer_spec = spec(name if name in LAYERS else layer)
    if layer_spec.status_column is None:
        with_status = [n for n, s in LAYERS.items() if s.status_column is not None]
        raise StoreError.of(
            "store_no_status",
            layer=Code(layer_spec.name, "layer"),
            layers=Code(tuple(with_status), "layer"),
        )
    return layer_spec


class Store:
    """A zone's layers, status history and reservations in a database.

    Open one with :func:`landplan.store.open_store`. The same methods work on both backends.
    """

    def __init__(self, backend: Backend, policy: Policy | None = None) -> None:
        self._backend = backend
        self._given_policy = policy
        self._policy: Policy | None = None
        self._crs: CRS | None = None

    # -- housekeeping ---------------------------------------------------------------------------
    @property
    def backend(self) -> str:
        """``"sqlite"`` (the embedded GeoPackage) or ``"postgis"``."""
        return self._backend.name

    @property
    def location(self) -> str:
        """The file path or the URL (without password)."""
        return self._backend.describe()

    def __repr__(self) -> str:
        return f"<landplan Store {self.backend} {self.location}>"

    def close(self) -> None:
        """Release the store's connections."""
        self._backend.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        try:
            with self._backend.engine.connect() as conn, conn.begin():
                yield conn
        except sa.exc.DBAPIError as exc:
            raise self._failure(exc.orig or exc, writing=False) from exc
        except self._backend.driver_errors as exc:
            raise self._failure(exc, writing=False) from exc

    @contextlib.contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        try:
            with self._backend.engine.connect() as conn:
                conn.execution_options(landplan_write=True)
                with conn.begin():
                    yield conn
        except sa.exc.IntegrityError:
            raise  # a unique index refusing a row: the caller says which
        except sa.exc.DBAPIError as exc:
            raise self._failure(exc.orig or exc, writing=True) from exc
        except self._backend.driver_errors as exc:
            # Bulk loads talk to the driver directly (executemany, COPY): its own errors.
            raise self._failure(exc, writing=True) from exc

    def _failure(self, exc: BaseException, *, writing: bool) -> StoreError:
        """Say what a driver's error means for the user: locked, full, read-only, damaged."""
        done = Message("out_nothing_written" if writing else "out_nothing_read")
        if self._backend.is_retryable(exc):
            return StoreError.of("out_store_busy", location=self.location, done=done)
        why = self._backend.explain(exc)
        if why is None:
            text = str(exc).strip()
            first = text.splitlines()[0] if text else type(exc).__name__
            why = Message("out_database_failed", text=first)
        return StoreError.of("out_store_failed", location=self.location, why=why, done=done)

    def _meta(self) -> dict[str, str] | None:
        if not self._backend.exists():
            return None
        with self._read() as conn:
            if not sa.inspect(conn).has_table("landplan_meta"):
                return None
            rows = conn.execute(sa.text("SELECT key, value FROM landplan_meta")).all()
        return dict(rows)

    def _ensure(self) -> None:
        if self._crs is not None:
            return
        meta = self._meta()
        if meta is None:
            raise StoreError.of("store_not_yet", location=self.location)
        if meta.get("schema_version") != SCHEMA_VERSION:
            raise StoreError.of(
                "store_schema_version",
                location=self.location,
                found=meta.get("schema_version"),
                version=SCHEMA_VERSION,
            )
        try:
            crs = CRS.from_user_input(meta["working_crs"])
        except (KeyError, CRSError, TypeError):
            raise StoreError.of(
                "store_damaged", location=self.location, crs=meta.get("working_crs")
            ) from None
        self._set_crs(crs)
        self._upgrade()

    def _upgrade(self) -> None:
        """Add what later versions keep to a store made by an earlier one (additive only)."""
        with self._read() as conn:
            have = {c["name"] for c in sa.inspect(conn).get_columns("status_events")}
            tracked = self._backend.tracks_state(conn)
        if "retracts" not in have:
            with self._write() as conn:
                conn.execute(sa.text("ALTER TABLE status_events ADD COLUMN retracts INTEGER"))
        if not tracked:
            # A store this process may only read keeps no token: its index is checked by digest.
            with contextlib.suppress(StoreError), self._write() as conn:
                self._backend.track_state(conn)

    def state(self) -> str | None:
        """Return the store's state token: another one after every change to any of its tables.

        The database itself replaces it (triggers), whoever writes, so two reads that give the
        same token saw the same layers, events and reservations. None for a store that cannot
        be written to keep one.
        """
        self._ensure()
        with self._read() as conn:
            return conn.execute(
                sa.text("SELECT value FROM landplan_meta WHERE key = :k"), {"k": STATE_KEY}
            ).scalar()

    def _set_crs(self, crs: CRS) -> None:
        policy = self._given_policy
        if policy is not None:
            wanted = CRS.from_user_input(policy.crs.working)
            if wanted != crs:
                raise CRSMismatchError.of(
                    "store_crs_policy",
                    location=self.location,
                    crs=crs.to_string(),
                    wanted=wanted.to_string(),
                )
        else:
            policy = Policy.default()
            if CRS.from_user_input(policy.crs.working) != crs:
                policy = policy.replace(**{"crs.working": crs.to_string()})
        self._policy = policy
        self._crs = crs
        self._backend.configure(self._srs_id)

    @property
    def _srs_id(self) -> int:
        assert self._crs is not None
        code = self._crs.to_epsg()
        if code is None:
            raise StoreError.of("store_no_epsg", name=self._crs.name)
        return code

    @property
    def policy(self) -> Policy:
        """The policy, with the working CRS the store's layers are held in."""
        self._ensure()
        assert self._policy is not None
        return self._policy

    @property
    def crs(self) -> CRS:
        """The store's working CRS."""
        self._ensure()
        assert self._crs is not None
        return self._crs

    @property
    def purpose(self) -> str | None:
        """What the store was created for (:meth:`init`'s ``purpose``), or None."""
        return (self._meta() or {}).get("purpose")

    def is_initialized(self) -> bool:
        """Whether :meth:`init` has been run on this database."""
        return self._meta() is not None

    def init(self, *, purpose: str | None = None) -> bool:
        """Create the tables (and, for a file, the GeoPackage), if they do not exist yet.

        Parameters
        ----------
        purpose
            Kept in the store's metadata (``demo`` marks the store the demo may recreate).

        Returns
        -------
        bool
            True if the store was created, False if it already existed.

        Raises
        ------
        StoreError
            If the database cannot be reached or lacks PostGIS.
        """
        if self.is_initialized():
            self._ensure()
            return False
        policy = self._given_policy or Policy.default()
        crs = CRS.from_user_input(policy.crs.working)
        if not crs.is_projected:
            raise CRSMismatchError.of("store_not_projected", crs=crs.to_string())
        self._crs = crs
        self._policy = policy
        srs_id = self._srs_id
        self._backend.configure(srs_id)
        with self._write() as conn:
            # Another process may have created the store since the check above: only one does.
            self._backend.lock_init(conn)
            if sa.inspect(conn).has_table("landplan_meta"):
                self._crs = self._policy = None
                created = False
            else:
                created = True
                self._create(conn, crs, srs_id, purpose)
        if not created:
            self._ensure()
        return created

    def _create(self, conn: sa.Connection, crs: CRS, srs_id: int, purpose: str | None) -> None:
        self._backend.create(conn, crs, srs_id)
        meta = self._backend.tables["landplan_meta"]
        conn.execute(
            meta.insert(),
            [
                {"key": "schema_version", "value": SCHEMA_VERSION},
                {"key": "working_crs", "value": f"EPSG:{srs_id}"},
                {"key": "created_at", "value": _now().isoformat()},
                *([{"key": "purpose", "value": purpose}] if purpose else []),
            ],
        )
        self._backend.track_state(conn)

    # -- reading --------------------------------------------------------------------------------
    def count(self, layer: str) -> int:
        """Return the number of features in a layer."""
        self._ensure()
        table = self._backend.tables[spec(layer).name]
        with self._read() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() or 0)

    @making_many()
    def load_layer(self, layer: str) -> gpd.GeoDataFrame:
        """Return a layer as a GeoDataFrame in the working CRS, typed as the validator types it.

        Columns are the layer's schema columns, then any extra columns the imported file carried,
        then ``version`` (each row's write counter; give it back in an upsert to have stale rows
        refused), then ``geometry``.

        Parameters
        ----------
        layer
            The layer name (``parcels``, ``buildings`` ...).

        Returns
        -------
        geopandas.GeoDataFrame
            One row per feature in the order they were written, indexed 0..n-1.
        """
        self._ensure()
        layer_spec = spec(layer)
        table = self._backend.tables[layer_spec.name]
        cols = [
            self._backend.geometry_expression(table).label(GEOMETRY_COLUMN),
            *(table.c[c.name] for c in layer_spec.columns),
            table.c[VERSION_COLUMN],
            table.c[EXTRA_COLUMN],
        ]
        status_name = layer_spec.status_column
        with self._read() as conn:
            columns = self._backend.read_columns(conn, table, layer_spec)
            if columns is None:
                rows = conn.execute(sa.select(*cols).order_by(table.c.fid)).all()
            history = self._layer_events(conn, layer_spec.name) if status_name else None
        frame = (
            self._frame(layer_spec, rows)
            if columns is None
            else self._arrow_frame(layer_spec, columns)
        )
        if status_name and history is not None and len(history):
            # Statuses as of today: a change dated in the future does not hold yet.
            current = pd.Series(
                frame[status_name].to_numpy(dtype=object),
                index=frame[layer_spec.id_column].to_numpy(dtype=object),
            )
            today = status_on(current, history, _now().date())
            frame[status_name] = pd.Series(
                today.to_numpy(dtype=object), index=frame.index, dtype=object
            )
        return frame

    def _frame(self, layer_spec: LayerSpec, rows: Sequence[Sequence[Any]]) -> gpd.GeoDataFrame:
        n = len(rows)
        values = list(zip(*rows, strict=True)) if n else [()] * (len(layer_spec.columns) + 3)
        data: dict[str, pd.Series] = {}
        for i, col in enumerate(layer_spec.columns, start=1):
            data[col.name] = typed_series(values[i], col)
        frame = pd.DataFrame(data, index=pd.RangeIndex(n))
        extras = values[-1]
        if any(e is not None for e in extras):
            more = expand_extras(extras)
            more = more[[c for c in more.columns if c not in frame.columns]]
            frame = pd.concat([frame, more], axis=1)
        frame[VERSION_COLUMN] = pd.array(values[-2], dtype="Int64")
        geoms = self._backend.decode(values[0]) if n else np.array([], dtype=object)
        return gpd.GeoDataFrame(
            frame, geometry=gpd.GeoSeries(geoms, index=frame.index, crs=self.crs)
        )

    def _arrow_frame(self, layer_spec: LayerSpec, read: tuple[Any, Any]) -> gpd.GeoDataFrame:
        """Build the layer as :meth:`_frame` does, from the backend's Arrow columns and geometry."""
        columns, geoms = read
        n = columns.num_rows
        index = pd.RangeIndex(n)
        data = {col.name: arrow_series(columns.column(col.name), col) for col in layer_spec.columns}
        extras = columns.column(EXTRA_COLUMN)
        if extras.null_count < n:
            more = expand_extras(extras.to_pylist())
            data |= {c: more[c] for c in more.columns if c not in data}
        data[VERSION_COLUMN] = arrow_series(columns.column(VERSION_COLUMN), _VERSION)
        data["geometry"] = gpd.GeoSeries(geoms, index=index, crs=self.crs)
        # One frame made once: adding columns or a geometry to a made frame copies its blocks.
        return gpd.GeoDataFrame(data, index=index, geometry="geometry", crs=self.crs, copy=False)

    def load_zone(self, *, on_use: bool = False) -> Any:
        """Return every layer as a :class:`~landplan.zone.Zone` with the store's policy.

        Parameters
        ----------
        on_use
            Read the buildings and the enterprises, the largest layers after the parcels, only
            when the zone's user first asks for them (a match for land alone never does), with
            the store's connection, which :meth:`close` does not prevent. The zone is the same
            whenever they are read, unless the store is written in between.

        Returns
        -------
        Zone
            The layers in the working CRS, as validated on import.
        """
        from landplan.zone import Zone

        later = _READ_ON_USE if on_use else ()
        state = self.state()
        layers = {name: self.load_layer(name) for name in LAYERS if name not in later}
        if not later:
            zone = Zone(**layers, policy=self.policy)
        else:
            zone = Zone.read_on_use(layers, later=later, read=self.load_layer, policy=self.policy)
        if state is not None and self.state() == state:  # no write came between the reads
            zone.__dict__[_LOADED] = _Loaded(self.location, state, tuple(layers.items()))
        return zone

    def _as_loaded(self, zone: Any) -> str | None:
        """Return the state token where ``zone`` is as :meth:`load_zone` read it, and still is.

        None where the zone was not loaded from this store, a layer of it has been replaced
        since, or the store has changed since.
        """
        loaded = zone.__dict__.get(_LOADED)
        if not isinstance(loaded, _Loaded) or loaded.location != self.location:
            return None
        if any(zone.__dict__.get(name) is not frame for name, frame in loaded.layers):
            return None
        return loaded.state if self.state() == loaded.state else None

    def site_index(self, zone: Any) -> Any:
        """Return the :class:`~landplan.match.SiteIndex` of a zone loaded from this store.

        The index is kept in a file beside the store (:meth:`cache_location`) under a
        fingerprint of the zone it was prepared for. For a zone as :meth:`load_zone` gave it,
        whose layers are the frames read and the store unchanged since, that is
        :func:`~landplan.match.sites.state_fingerprint` of the store's :meth:`state`; otherwise
        :func:`~landplan.match.sites.site_fingerprint`, a digest of the parcels, roads,
        corridors, constraints, substations and siting policy it depends on. A frame edited in
        place (other than its statuses) is not seen by the state: prepare such a zone's index
        with :func:`~landplan.match.prepare_sites`.
        Where the file holds the index of this zone as it is, it is read; otherwise (no file,
        another state of any of them, an unreadable file) the index is prepared and the file
        written anew. A file that cannot be written leaves the index unkept, not the caller
        without it.

        Parameters
        ----------
        zone
            The zone, as :meth:`load_zone` returned it (with any policy).
        """
        from landplan.match.sites import (
            SiteIndex,
            prepare_sites,
            site_fingerprint,
            state_fingerprint,
        )

        path = self.cache_location()
        # One fingerprint serves both the check of a kept file and the file written anew: of the
        # store's state where the zone is as loaded from it, else a digest of the zone.
        state = self._as_loaded(zone)
        fingerprint = site_fingerprint(zone) if state is None else state_fingerprint(zone, state)
        try:
            with np.load(path, allow_pickle=False) as kept:
                found = SiteIndex.from_arrays(zone, kept, fingerprint=fingerprint)
        except (OSError, ValueError, KeyError):
            found = None
        if found is not None:
            return found
        sites = prepare_sites(zone)
        arrays = sites.to_arrays(fingerprint, clusters=state is not None)
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with partial.open("wb") as out:
                np.savez(out, **arrays)  # type: ignore[arg-type]  # numpy's stub: allow_pickle
            partial.replace(path)  # readers see the old file or the whole new one
        except OSError:
            partial.unlink(missing_ok=True)
        return sites

    def cache_location(self) -> Path:
        """Return the file :meth:`site_index` keeps the zone's site index in."""
        return self._backend.cache_path("sites.npz")

    def export_layer(self, layer: str, path: str | Path, *, driver: str | None = None) -> Path:
        """Write a layer to a file (GeoPackage, shapefile, GeoJSON ... by suffix).

        Parameters
        ----------
        layer
            The layer name.
        path
            The file to write; a GeoPackage gets a table named after the layer. An existing
            file is replaced only if it is an earlier export (never a store, never other data).
        driver
            The OGR driver, when the suffix does not say.

        Returns
        -------
        pathlib.Path
            The file written.
        """
        from landplan.outputs import OUTPUT_MARK, check_replace

        path = Path(path)
        name = spec(layer).name
        check_replace(path, "export", parts=[name])
        frame = self.load_layer(layer)
        kwargs: dict[str, Any] = {"driver": driver} if driver else {}
        if path.suffix.lower() == ".gpkg":
            kwargs["layer"] = name
            kwargs["dataset_metadata"] = {OUTPUT_MARK: "export"}
        try:
            frame.to_file(path, **kwargs)
        except Exception as exc:
            raise StoreError.of("store_cannot_write", path=path, why=exc) from exc
        return path

    # -- importing ------------------------------------------------------------------------------
    def import_layer(
        self,
        layer: str,
        data: pd.DataFrame | str | Path,
        *,
        mode: ImportMode = "replace",
        crs: Any = None,
        source: str | None = None,
        who: str | None = None,
        make_valid: bool = False,
        only_if_empty: bool = False,
        force: bool = False,
    ) -> ImportSummary:
        """Validate a layer and write it in one transaction: all of it, or nothing.

        Parameters
        ----------
        layer
            The layer name.
        data
            A (Geo)DataFrame, or a file that :func:`landplan.io.read_layer` reads.
        mode
            ``replace`` the layer's features with these; ``append`` new features (an id already
            in the store is an error); ``upsert`` (overwrite features with the same id, add the
            rest). Features keep their version history: an overwritten feature's version goes up.
            When the data carry a ``version`` column (as :meth:`load_layer` and ``landplan
            export`` give it), a feature changed in the store since it was read is refused.
        crs
            The CRS of data that do not declare one.
        source
            Name of the data for messages and events (the file name by default).
        who
            Recorded on the status events the import causes; :func:`default_who` by default.
        make_valid
            Repair invalid geometry instead of refusing it.
        only_if_empty
            Refuse unless the layer is empty when the write begins (``landplan import`` without
            a mode): checked inside the transaction, so of two such imports only one lands.
        force
            Let ``replace`` drop parcels that are actively reserved, ending each reservation
            with a release recorded against it; without it they are refused.

        Returns
        -------
        ImportSummary

        Raises
        ------
        SchemaError
            Listing every bad feature (validation, or ids clashing with the store).
        StaleWriteError
            If features carry versions older than the store's.
        CRSMismatchError
            If the store's table is in another CRS.
        """
        self._ensure()
        layer_spec = spec(layer)
        if mode not in ("replace", "append", "upsert"):
            raise StoreError.of("store_mode", mode=mode)
        who = who or default_who()
        try:
            frame, source = self._validated(
                layer_spec, data, crs=crs, source=source, make_valid=make_valid
            )
            with self._write() as conn:
                self._backend.lock_table(conn, layer_spec)
                self._backend.check_srid(conn, layer_spec, self._srs_id)
                table = self._backend.tables[layer_spec.name]
                if only_if_empty:
                    n = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()
                    if n:
                        raise StoreError.of(
                            "store_not_empty", layer=Code(layer_spec.name, "layer"), n=n
                        )
                summary = self._write_layer(conn, layer_spec, frame, mode, source, who, force)
                self._backend.touch(conn, layer_spec)
        except SchemaError as exc:
            exc.within("store_nothing_written", layer=Code(layer_spec.name, "layer"))
            raise
        return dataclasses.replace(summary, notices=tuple(frame.attrs.get("notices", ())))

    def _validated(
        self, layer_spec: LayerSpec, data: Any, *, crs: Any, source: str | None, make_valid: bool
    ) -> tuple[gpd.GeoDataFrame, str]:
        from landplan.validation import validate_layer

        if isinstance(data, str | Path):
            from landplan.io import read_layer

            source = source or str(data)
            frame = read_layer(
                data, layer_spec.name, crs=crs, policy=self.policy, make_valid=make_valid
            )
        else:
            source = source or f"<{layer_spec.name}>"
            versions = data.get(VERSION_COLUMN)
            frame = validate_layer(
                data,
                layer_spec.name,
                source=source,
                crs=crs,
                policy=self.policy,
                make_valid=make_valid,
            )
            if versions is not None and VERSION_COLUMN not in frame:
                frame[VERSION_COLUMN] = versions.to_numpy()
        if frame.crs is None or CRS.from_user_input(frame.crs) != self.crs:
            raise CRSMismatchError.of(
                "store_layer_crs", source=source, crs=str(frame.crs), store=self.crs.to_string()
            )
        return frame, source

    def _write_layer(  # noqa: C901 -- to split
        self,
        conn: sa.Connection,
        layer_spec: LayerSpec,
        frame: gpd.GeoDataFrame,
        mode: str,
        source: str,
        who: str,
        force: bool = False,
    ) -> ImportSummary:
        table = self._backend.tables[layer_spec.name]
        id_col = layer_spec.id_column
        status_name = layer_spec.status_column
        status_col = table.c[status_name] if status_name else sa.null()
        existing = pd.DataFrame(
            conn.execute(
                sa.select(table.c[id_col], table.c.fid, table.c[VERSION_COLUMN], status_col)
            ).all(),
            columns=["id", "fid", "version", "status"],
        ).set_index("id")
        ids = frame[id_col].astype(str)
        present = ids.isin(existing.index).to_numpy()

        problems: list[Problem] = []
        for i in np.flatnonzero(ids.duplicated(keep="first").to_numpy()):
            problems.append(
                Problem(
                    source,
                    ids.iloc[i],
                    id_col,
                    Message("store_duplicate_id"),
                    Message("store_one_per_id"),
                )
            )
        if mode != "replace" and len(existing):
            # Ids arrive normalised (validation.normalise_id); the same id but for case is one.
            stored = pd.Series(existing.index, index=existing.index.str.casefold())
            stored = stored[~stored.index.duplicated()]
            same = stored.reindex(ids.str.casefold()).to_numpy(dtype=object)
            clash = pd.notna(same) & (same != ids.to_numpy(dtype=object))
            for i in np.flatnonzero(clash):
                problems.append(
                    Problem(
                        source,
                        ids.iloc[i],
                        id_col,
                        Message("store_same_id", same=same[i]),
                        Message("store_stored_spelling", same=same[i]),
                    )
                )
        if layer_spec.name == "parcels" and mode != "replace" and len(existing):
            problems += self._stored_overlaps(conn, frame, ids, source)
        if mode == "append":
            for i in np.flatnonzero(present):
                problems.append(
                    Problem(
                        source,
                        ids.iloc[i],
                        id_col,
                        Message("store_holds_id", layer=Code(layer_spec.name, "layer")),
                        Message("store_new_id"),
                    )
                )
        if problems:
            raise SchemaError(problems)

        old_versions = existing["version"].reindex(ids).to_numpy(dtype="float64")
        if VERSION_COLUMN in frame:
            given = pd.to_numeric(frame[VERSION_COLUMN], errors="coerce").to_numpy(dtype="float64")
            stale = present & (given != old_versions)
            if stale.any():
                raise _stale_error(
                    "store_stale_import", source, layer_spec, ids, given, old_versions, stale
                )
        versions = np.where(present, np.nan_to_num(old_versions) + 1, 1).astype(int)

        events: list[dict[str, Any]] = []
        if status_name:
            events = self._import_events(
                conn,
                layer_spec,
                frame,
                ids,
                existing,
                present,
                versions,
                source=source,
                mode=mode,
                who=who,
            )
        changes: list[dict[str, Any]] = []
        if present.any():
            why = f"import {source} ({mode})"
            changes = self._attribute_events(
                conn, layer_spec, frame[present], versions[present], why, who
            )
        deleted = 0
        if mode == "replace":
            dropped = existing.index[~existing.index.isin(ids)]
            deleted = len(dropped)
            if layer_spec.name == "parcels" and deleted:
                self._end_reservations(conn, list(dropped), source=source, who=who, force=force)
            conn.execute(table.delete())
        elif mode == "upsert" and present.any():
            for chunk in _chunks(ids[present].tolist()):
                conn.execute(table.delete().where(table.c[id_col].in_(chunk)))

        # A feature keeps its fid (its identity in QGIS, and its place in the layer's order).
        fids = existing["fid"].reindex(ids).to_numpy(dtype="float64", copy=True)
        fresh = self._backend.next_fids(conn, layer_spec, int((~present).sum()))
        fids[~present] = fresh
        columns, extras = frame_to_columns(layer_spec, frame)
        columns[VERSION_COLUMN] = versions.tolist()
        columns[EXTRA_COLUMN] = extras
        geoms = np.asarray(frame.geometry.array, dtype=object)
        geoms = _promote(geoms)
        self._backend.insert_features(
            conn, layer_spec, fids.astype(np.int64).tolist(), columns, geoms, self._srs_id
        )
        if events:
            conn.execute(self._backend.tables["status_events"].insert(), events)
        if changes:
            conn.execute(self._backend.tables["attribute_events"].insert(), changes)
        updated = int(present.sum())
        return ImportSummary(
            layer_spec.name, mode, source, len(frame) - updated, updated, deleted, len(events)
        )

    def _stored_overlaps(
        self, conn: sa.Connection, frame: gpd.GeoDataFrame, ids: pd.Series, source: str
    ) -> list[Problem]:
        """Problems for incoming parcels on ground the store holds under another id."""
        geoms = np.asarray(frame.geometry.array, dtype=object)
        have = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        if not have.any():
            return []
        table = self._backend.tables["parcels"]
        rows = conn.execute(
            sa.select(
                table.c.parcel_id, self._backend.geometry_expression(table).label("geom")
            ).where(self._backend.bbox_filter(table, shapely.total_bounds(geoms[have])))
        ).all()
        incoming = set(ids)
        # A parcel of the file keeps its own ground: its stored self is the row it replaces.
        rows = [r for r in rows if r.parcel_id not in incoming]
        if not rows:
            return []
        stored = self._backend.decode([r.geom for r in rows])
        tolerance = float(self.policy.validation.overlap_tolerance_m2)
        new, old, area = overlapping_pairs(geoms, stored, tolerance)
        return [
            Problem(
                source,
                ids.iloc[i],
                "geometry",
                Message("store_overlaps", other=rows[j].parcel_id, area=a),
                Message("store_new_ground", tolerance=tolerance, other=rows[j].parcel_id),
            )
            for i, j, a in zip(new, old, area, strict=True)
        ]

    def _end_reservations(
        self, conn: sa.Connection, dropped: list[str], *, source: str, who: str, force: bool
    ) -> None:
        """Refuse to drop reserved parcels, or (forced) release their reservations first."""
        res = self._backend.tables["reservations"]
        held: list[Any] = []
        for chunk in _chunks(dropped):
            held += conn.execute(
                self._backend.lock(
                    sa.select(res.c.parcel_id, res.c.project_id).where(
                        res.c.parcel_id.in_(chunk), res.c.released_at.is_(None)
                    )
                )
            ).all()
        if not held:
            return
        if not force:
            raise SchemaError(
                Problem(
                    source,
                    h.parcel_id,
                    "parcel_id",
                    Message("store_dropped_reserved", project=h.project_id),
                    Message("store_keep_reserved"),
                )
                for h in sorted(held)
            )
        for chunk in _chunks([h.parcel_id for h in held]):
            conn.execute(
                res.update()
                .where(res.c.parcel_id.in_(chunk), res.c.released_at.is_(None))
                .values(
                    released_at=_now(),
                    released_by=who,
                    release_reason=f"parcel dropped by import {source} (replace --force)",
                )
            )

    def _import_events(
        self,
        conn: sa.Connection,
        layer_spec: LayerSpec,
        frame: gpd.GeoDataFrame,
        ids: pd.Series,
        existing: pd.DataFrame,
        present: np.ndarray,
        versions: np.ndarray,
        *,
        source: str,
        mode: str,
        who: str,
    ) -> list[dict[str, Any]]:
        """Return the status events an import records, refusing dates that break the order.

        A feature already in the store whose status changes gets an event. Where the layer has
        a status-date column (a project's ``stage_date``), the event is dated by it, and a new
        feature with a date gets an initial event (no old status) so that the stage it arrives
        in has its date in the history; otherwise events are dated today and new features
        record none.
        """
        status_name = layer_spec.status_column
        assert status_name is not None
        old_status = existing["status"].reindex(ids).to_numpy(dtype=object)
        new_status = frame[status_name].astype(object).to_numpy()
        today = _now().date()
        date_name = layer_spec.status_date_column
        if date_name and date_name in frame:
            given = pd.to_datetime(frame[date_name])
            dated = given.notna().to_numpy()
            dates = np.where(
                dated, given.dt.date.to_numpy(dtype=object), np.array(today, dtype=object)
            )
        else:
            dated = np.zeros(len(frame), dtype=bool)
            dates = np.full(len(frame), today, dtype=object)
        changed = present & (old_status != new_status)
        record = changed | (~present & dated)
        if not record.any():
            return []
        standing = standing_events(self._layer_events(conn, layer_spec.name))
        last = standing.groupby("feature_id")["effective_date"].max().to_dict()
        problems: list[Problem] = []
        for i in np.flatnonzero(record):
            before = last.get(ids.iloc[i])
            if before is not None and dates[i] < before:
                problems.append(
                    Problem(
                        source,
                        ids.iloc[i],
                        date_name or status_name,
                        Message(
                            "store_dated_before",
                            status=Code(status_name),
                            date=dates[i],
                            before=before,
                        ),
                        Message("store_date_after", before=before),
                    )
                )
        if problems:
            raise SchemaError(problems)
        now = _now()
        return [
            {
                "layer": layer_spec.name,
                "feature_id": ids.iloc[i],
                "old_status": old_status[i] if present[i] else None,
                "new_status": new_status[i],
                "reason": f"import {source} ({mode})",
                "effective_date": dates[i],
                "who": who,
                "recorded_at": now,
                "version": int(versions[i]),
            }
            for i in np.flatnonzero(record)
        ]

    def _stored_rows(
        self, conn: sa.Connection, layer_spec: LayerSpec, ids: Sequence[str]
    ) -> gpd.GeoDataFrame:
        """Return the stored rows of these ids, typed as :meth:`load_layer` types them, in order."""
        table = self._backend.tables[layer_spec.name]
        cols = [
            self._backend.geometry_expression(table).label(GEOMETRY_COLUMN),
            *(table.c[c.name] for c in layer_spec.columns),
            table.c[VERSION_COLUMN],
            table.c[EXTRA_COLUMN],
        ]
        rows: list[Any] = []
        for chunk in _chunks(list(ids)):
            rows += conn.execute(
                sa.select(*cols).where(table.c[layer_spec.id_column].in_(chunk))
            ).all()
        frame = self._frame(layer_spec, rows)
        order = pd.Index(frame[layer_spec.id_column].astype(str)).get_indexer(list(ids))
        # Ids the store does not hold are left out (the caller names them).
        return frame.iloc[order[order >= 0]].reset_index(drop=True)

    def _attribute_events(
        self,
        conn: sa.Connection,
        layer_spec: LayerSpec,
        frame: pd.DataFrame,
        versions: np.ndarray,
        reason: str,
        who: str,
        effective_date: dt.date | None = None,
    ) -> list[dict[str, Any]]:
        """Return the attribute events of rows about to overwrite their stored versions."""
        from landplan.store._attributes import attribute_changes, changeable_columns

        table = self._backend.tables["attribute_events"]
        if not sa.inspect(conn).has_table(table.name):
            table.create(conn)  # a store made before attribute events were kept
        ids = frame[layer_spec.id_column].astype(str).tolist()
        old = self._stored_rows(conn, layer_spec, ids)
        now = _now()
        return attribute_changes(
            layer_spec,
            old,
            frame.reset_index(drop=True),
            columns=changeable_columns(layer_spec),
            versions=versions,
            reason=reason,
            effective_date=effective_date or now.date(),
            who=who,
            recorded_at=now,
        )

    def update_attributes(
        self,
        layer: str,
        table: pd.DataFrame,
        *,
        source: str | None = None,
        who: str | None = None,
        reason: str | None = None,
        effective: dt.date | str | None = None,
    ) -> UpdateSummary:
        """Update attributes of stored features from a table of ids and columns: all or nothing.

        The geometry and every column the table does not carry stay as stored; an empty cell
        leaves its value unchanged. The rows are validated as an import validates them (types,
        vocabularies, rules between columns) before anything is written, and every changed
        value is recorded as an attribute event with who, why and when.

        Parameters
        ----------
        layer
            The layer name.
        table
            The id column (any accepted spelling) and the columns to update; a ``version``
            column, as ``landplan export`` writes it, has rows changed since refused.
        source
            The table's name for messages and events.
        who
            Recorded on the events; :func:`default_who` by default.
        reason
            Why; ``update <source>`` by default.
        effective
            The date the changes take effect (today by default).

        Returns
        -------
        UpdateSummary

        Raises
        ------
        SchemaError
            Listing every bad row: unknown ids, unknown columns, values that do not validate.
        StaleWriteError
            If rows carry versions older than the store's.
        """
        from landplan.store._attributes import merge_updates, update_frame

        self._ensure()
        layer_spec = spec(layer)
        source = source or f"<{layer_spec.name}>"
        who = who or default_who()
        when = _as_date(effective) if effective is not None else _now().date()
        with self._write() as conn:
            self._backend.lock_table(conn, layer_spec)
            ids, updates, versions = update_frame(layer_spec, table, source=source)
            stored = self._stored_rows(conn, layer_spec, ids)
            held = set(stored[layer_spec.id_column].astype(str))
            unknown = [i for i in ids if i not in held]
            if unknown:
                raise SchemaError(
                    [
                        Problem(
                            source,
                            i,
                            layer_spec.id_column,
                            Message(
                                "store_holds_no_feature", layer=Code(layer_spec.name, "layer"), id=i
                            ),
                            Message("store_a_stored_id"),
                        )
                        for i in unknown
                    ]
                )
            merged = merge_updates(stored, updates)
            if versions is not None:
                self._refuse_stale(layer_spec, ids, versions, stored, source)
            from landplan.validation import validate_layer

            checked = validate_layer(
                merged.drop(columns=[VERSION_COLUMN]),
                layer_spec.name,
                source=source,
                policy=self.policy,
            )
            new_versions = stored[VERSION_COLUMN].to_numpy(dtype="int64") + 1
            changed_cols = [c for c in layer_spec.columns if c.name in updates.columns]
            events = self._attribute_events(
                conn,
                layer_spec,
                checked,
                new_versions,
                reason or f"update {source}",
                who,
                effective_date=when,
            )
            rows = {e["feature_id"] for e in events}
            if rows:
                self._write_values(conn, layer_spec, checked, changed_cols, rows)
                conn.execute(self._backend.tables["attribute_events"].insert(), events)
            self._backend.touch(conn, layer_spec)
        return UpdateSummary(layer_spec.name, source, len(ids), len(rows), len(events))

    def _refuse_stale(
        self,
        layer_spec: LayerSpec,
        ids: list[str],
        versions: np.ndarray,
        stored: pd.DataFrame,
        source: str,
    ) -> None:
        have = stored[VERSION_COLUMN].to_numpy(dtype="float64")
        stale = ~np.isnan(versions) & (versions != have)
        if stale.any():
            raise _stale_error(
                "store_stale_update", source, layer_spec, pd.Series(ids), versions, have, stale
            )

    def _write_values(
        self,
        conn: sa.Connection,
        layer_spec: LayerSpec,
        frame: pd.DataFrame,
        columns: Sequence[Any],
        changed: set[str],
    ) -> None:
        """Write the given columns of the changed rows in place, raising each row's version."""
        table = self._backend.tables[layer_spec.name]
        id_col = layer_spec.id_column
        mask = frame[id_col].astype(str).isin(changed).to_numpy()
        part = frame.loc[mask]
        values, _ = frame_to_columns(layer_spec, part)
        params = [
            {"_id": str(fid), **{c.name: values[c.name][k] for c in columns}}
            for k, fid in enumerate(part[id_col])
        ]
        statement = (
            table.update()
            .where(table.c[id_col] == sa.bindparam("_id"))
            .values(
                {c.name: sa.bindparam(c.name) for c in columns}
                | {VERSION_COLUMN: table.c[VERSION_COLUMN] + 1}
            )
        )
        conn.execute(statement, params)

    def attribute_history(self, layer: str, feature_id: str | None = None) -> pd.DataFrame:
        """Return the attribute events of a layer (or of one feature), oldest first.

        Returns
        -------
        pandas.DataFrame
            Columns layer, feature_id, column_name, old_value, new_value, reason,
            effective_date, who, recorded_at, version.
        """
        self._ensure()
        layer_spec = spec(layer)
        events = self._backend.tables["attribute_events"]
        cols = [c for c in events.c if c.name != "fid"]
        stmt = sa.select(*cols).where(events.c.layer == layer_spec.name)
        if feature_id is not None:
            stmt = stmt.where(events.c.feature_id == feature_id)
        with self._read() as conn:
            if not sa.inspect(conn).has_table(events.name):
                rows: Sequence[Any] = []
            else:
                rows = conn.execute(stmt.order_by(events.c.effective_date, events.c.fid)).all()
        frame = pd.DataFrame(rows, columns=[c.name for c in cols])
        for c in ("old_value", "new_value"):
            frame[c] = frame[c].astype(object).where(frame[c].notna(), None)
        frame["effective_date"] = pd.to_datetime(frame["effective_date"]).astype("datetime64[ns]")
        return frame

    # -- statuses -------------------------------------------------------------------------------
    def set_status(
        self,
        layer: str,
        feature_id: str,
        new: str,
        *,
        reason: str,
        effective: dt.date | str | None = None,
        who: str | None = None,
        expected_version: int | None = None,
    ) -> dict[str, Any]:
        """Change a feature's status and record the change as an event, in one transaction.

        Parameters
        ----------
        layer
            ``parcels``, ``buildings`` or ``projects`` (singular accepted); a project's status
            is its ``stage``, and its ``stage_date`` becomes the effective date.
        feature_id
            The feature's id.
        new
            The new status: an identifier or a label (``idle``, ``闲置``).
        reason
            Why; required, kept in the history.
        effective
            The date the change takes effect (today by default); not before the last change.
        who
            Who made the change; :func:`default_who` by default.
        expected_version
            The version the caller read; the change is refused if the row has moved on since.

        Returns
        -------
        dict
            The event written (layer, feature_id, old_status, new_status, reason,
            effective_date, who, recorded_at, version).

        Raises
        ------
        StaleWriteError
            If ``expected_version`` is not the row's current version.
        StoreError
            If the feature does not exist, the status is unknown or unchanged, the reason is
            empty, or the date is before the feature's last recorded change.
        """
        self._ensure()
        feature_id = normalise_id(feature_id) or ""
        layer_spec = status_layer(layer)
        status_name = layer_spec.status_column
        assert status_name is not None
        vocab = layer_spec.column(status_name).vocab
        assert vocab is not None
        status = vocab.normalise(new)
        if status is None:
            raise StoreError.of(
                "store_not_status",
                new=new,
                kind=vocab.name,
                column=Code(status_name),
                suggest=Code(vocab.suggest(new), status_name),
                valid=vocab.describe(),
                values=Code(tuple(vocab.values), status_name),
            )
        if not reason or not reason.strip():
            raise StoreError.of("store_change_reason")
        effective_date = _as_date(effective) if effective is not None else _now().date()
        who = who or default_who()
        table = self._backend.tables[layer_spec.name]
        events = self._backend.tables["status_events"]
        id_col = table.c[layer_spec.id_column]
        with self._write() as conn:
            stored, version = self._locked_status(conn, layer_spec, feature_id)
            if expected_version is not None and version != expected_version:
                raise StaleWriteError(
                    self._stale_message(conn, layer_spec, feature_id, expected_version, version)
                )
            standing = self._standing(conn, layer_spec.name, feature_id)
            last = standing[-1] if standing else None
            # The status the change starts from is the one in force on its date: the last
            # standing event's (a change may already be scheduled), else the stored one.
            if last is not None and effective_date < last.effective_date:
                raise StoreError.of(
                    "store_effective_before",
                    layer=Code(layer_spec.name, "layer"),
                    layer_code=layer_spec.name,
                    id=feature_id,
                    date=effective_date,
                    last=last.effective_date,
                )
            old = last.new_status if last is not None else stored
            if old == status:
                raise StoreError.of(
                    "store_already",
                    layer=Code(layer_spec.name, "layer"),
                    id=feature_id,
                    status=Code(status, status_name),
                )
            values: dict[str, Any] = {VERSION_COLUMN: version + 1}
            if effective_date <= _now().date():
                values[status_name] = status
                if layer_spec.status_date_column:
                    # The row's own date of its stage moves with the stage, as the event does.
                    values[layer_spec.status_date_column] = effective_date
            done = conn.execute(
                table.update()
                .where(id_col == feature_id, table.c[VERSION_COLUMN] == version)
                .values(**values)
            )
            if done.rowcount != 1:  # pragma: no cover - the row lock makes this unreachable
                raise StaleWriteError(f"{layer_spec.name} {feature_id} changed while writing")
            event = {
                "layer": layer_spec.name,
                "feature_id": feature_id,
                "old_status": old,
                "new_status": status,
                "reason": reason.strip(),
                "effective_date": effective_date,
                "who": who,
                "recorded_at": _now(),
                "version": version + 1,
            }
            conn.execute(events.insert(), event)
        return event

    def _locked_status(
        self, conn: sa.Connection, layer_spec: LayerSpec, feature_id: str
    ) -> tuple[Any, int]:
        """Lock a feature's row for the transaction; return its stored status and version."""
        table = self._backend.tables[layer_spec.name]
        assert layer_spec.status_column is not None
        row = conn.execute(
            self._backend.lock(
                sa.select(table.c[layer_spec.status_column], table.c[VERSION_COLUMN]).where(
                    table.c[layer_spec.id_column] == feature_id
                )
            )
        ).first()
        if row is None:
            raise UnknownFeatureError.of(
                "store_no_feature", layer=Code(layer_spec.name, "layer"), id=feature_id
            )
        return row[0], row[1]

    def _standing(self, conn: sa.Connection, layer: str, feature_id: str) -> list[Any]:
        """Return a feature's standing events (not retracted, not retractions), in date order."""
        events = self._backend.tables["status_events"]
        rows = conn.execute(
            sa.select(
                events.c.fid,
                events.c.old_status,
                events.c.new_status,
                events.c.effective_date,
                events.c.retracts,
            )
            .where(events.c.layer == layer, events.c.feature_id == feature_id)
            .order_by(events.c.effective_date, events.c.fid)
        ).all()
        gone = {r.retracts for r in rows if r.retracts is not None}
        return [r for r in rows if r.retracts is None and r.fid not in gone]

    def retract_status(
        self,
        layer: str,
        feature_id: str,
        *,
        reason: str,
        who: str | None = None,
    ) -> dict[str, Any]:
        """Retract a feature's latest status change by recording a new event that undoes it.

        The history keeps both events; neither changes the status any more, so a change typed
        with a wrong date (2062 for 2026) can be taken back and entered again.

        Parameters
        ----------
        layer
            ``parcels``, ``buildings`` or ``projects``.
        feature_id
            The feature's id.
        reason
            Why the change is taken back; required.
        who
            Who retracts; :func:`default_who` by default.

        Returns
        -------
        dict
            The retracting event (its ``retracts`` names the event it undoes).

        Raises
        ------
        StoreError
            If the feature has no change to retract, or the reason is empty.
        """
        self._ensure()
        feature_id = normalise_id(feature_id) or ""
        layer_spec = status_layer(layer)
        status_name = layer_spec.status_column
        assert status_name is not None
        if not reason or not reason.strip():
            raise StoreError.of("store_retract_reason")
        table = self._backend.tables[layer_spec.name]
        events = self._backend.tables["status_events"]
        id_col = table.c[layer_spec.id_column]
        with self._write() as conn:
            stored, version = self._locked_status(conn, layer_spec, feature_id)
            standing = self._standing(conn, layer_spec.name, feature_id)
            if not standing:
                raise StoreError.of(
                    "store_nothing_to_retract", layer=Code(layer_spec.name, "layer"), id=feature_id
                )
            last = standing[-1]
            rest = standing[:-1]
            if last.old_status is None and not rest:
                base = None  # the feature's first event: before it, it had no status
            else:
                base = rest[-1].new_status if rest else last.old_status
            today = _now().date()
            in_force = [e for e in rest if e.effective_date <= today]
            now_status = (
                in_force[-1].new_status
                if in_force
                else (rest[0].old_status if rest else last.old_status)
            )
            values: dict[str, Any] = {VERSION_COLUMN: version + 1}
            if now_status is not None and now_status != stored:
                values[status_name] = now_status
            conn.execute(
                table.update()
                .where(id_col == feature_id, table.c[VERSION_COLUMN] == version)
                .values(**values)
            )
            event = {
                "layer": layer_spec.name,
                "feature_id": feature_id,
                "old_status": last.new_status,
                "new_status": base if base is not None else last.new_status,
                "reason": reason.strip(),
                "effective_date": last.effective_date,
                "who": who or default_who(),
                "recorded_at": _now(),
                "version": version + 1,
                "retracts": last.fid,
            }
            conn.execute(events.insert(), event)
        return event

    def _stale_message(
        self, conn: sa.Connection, layer_spec: LayerSpec, feature_id: str, read: int, now: int
    ) -> Message:
        events = self._backend.tables["status_events"]
        last = conn.execute(
            sa.select(events.c.who, events.c.recorded_at, events.c.new_status)
            .where(events.c.layer == layer_spec.name, events.c.feature_id == feature_id)
            .order_by(events.c.fid.desc())
            .limit(1)
        ).first()
        status = layer_spec.status_column
        by = (
            Message(
                "store_last_change",
                status=Code(last.new_status, status),
                who=last.who,
                at=last.recorded_at,
            )
            if last is not None
            else ""
        )
        layer = Code(layer_spec.name, "layer")
        return Message("store_stale_status", layer=layer, id=feature_id, read=read, now=now, by=by)

    def status_history(self, layer: str, feature_id: str) -> pd.DataFrame:
        """Return a feature's status events, oldest first.

        Parameters
        ----------
        layer
            ``parcels``, ``buildings`` or ``projects``.
        feature_id
            The feature's id.

        Returns
        -------
        pandas.DataFrame
            Columns event_id, layer, feature_id, old_status, new_status, reason,
            effective_date, who, recorded_at, version, retracts (the event an event retracts)
            and retracted (whether a later event retracted it). Every event is kept.

        Raises
        ------
        StoreError
            If the layer never held that feature.
        """
        self._ensure()
        feature_id = normalise_id(feature_id) or ""
        layer_spec = status_layer(layer)
        events = self._backend.tables["status_events"]
        table = self._backend.tables[layer_spec.name]
        cols = _event_columns(events)
        with self._read() as conn:
            rows = conn.execute(
                sa.select(*cols)
                .where(events.c.layer == layer_spec.name, events.c.feature_id == feature_id)
                .order_by(events.c.effective_date, events.c.fid)
            ).all()
            exists = conn.execute(
                sa.select(table.c.fid).where(table.c[layer_spec.id_column] == feature_id)
            ).first()
        if not rows and exists is None:
            raise UnknownFeatureError.of(
                "store_no_history", layer=Code(layer_spec.name, "layer"), id=feature_id
            )
        frame = _event_frame(rows, [c.name for c in cols])
        frame["retracted"] = frame["event_id"].isin(frame["retracts"].dropna().astype("int64"))
        return frame

    def status_events(self, layer: str | None = None) -> pd.DataFrame:
        """Return every status event (of one layer, or all), in date order.

        This is the history a period's figures come from: projects signed in a half year,
        parcels that left low-efficiency use, and so on.

        Parameters
        ----------
        layer
            ``parcels``, ``buildings`` or ``projects``; every layer where None.

        Returns
        -------
        pandas.DataFrame
            Columns event_id, layer, feature_id, old_status, new_status, reason,
            effective_date (``datetime64``), who, recorded_at, version, retracts; ordered by
            effective date, then by the order they were recorded. Retracted events and their
            retractions are left out (:func:`landplan.history.standing_events`).
        """
        self._ensure()
        events = self._backend.tables["status_events"]
        cols = _event_columns(events)
        stmt = sa.select(*cols).order_by(events.c.effective_date, events.c.fid)
        if layer is not None:
            stmt = stmt.where(events.c.layer == status_layer(layer).name)
        with self._read() as conn:
            rows = conn.execute(stmt).all()
        return standing_events(_event_frame(rows, [c.name for c in cols])).reset_index(drop=True)

    def status_on(self, layer: str, date: dt.date | str) -> pd.Series:
        """Return every feature's status on a date, from the current statuses and the events.

        A feature's status on ``date`` is the new status of its last event effective on or before
        that date; with none, the old status of its first later event; with no events, its
        current status.

        Parameters
        ----------
        layer
            ``parcels``, ``buildings`` or ``projects``.
        date
            The date asked about.

        Returns
        -------
        pandas.Series
            Status by feature id (name ``status``), for the features the layer holds now.
        """
        self._ensure()
        layer_spec = status_layer(layer)
        on = _as_date(date)
        table = self._backend.tables[layer_spec.name]
        id_col = table.c[layer_spec.id_column]
        status_name = layer_spec.status_column
        assert status_name is not None  # status_layer() returns only layers with a status
        with self._read() as conn:
            current = conn.execute(
                sa.select(id_col, table.c[status_name]).order_by(table.c.fid)
            ).all()
            history = self._layer_events(conn, layer_spec.name)
        current_status = pd.Series(
            [s for _, s in current],
            index=pd.Index([i for i, _ in current], dtype=object, name=layer_spec.id_column),
            dtype=object,
        )
        return status_on(current_status, history, on)

    def _layer_events(self, conn: sa.Connection, layer: str) -> pd.DataFrame:
        """One layer's events as :func:`landplan.history.status_on` reads them."""
        events = self._backend.tables["status_events"]
        names = ["feature_id", "old_status", "new_status", "effective_date", "retracts"]
        rows = conn.execute(
            sa.select(events.c.fid.label("event_id"), *(events.c[n] for n in names))
            .where(events.c.layer == layer)
            .order_by(events.c.effective_date, events.c.fid)
        ).all()
        return pd.DataFrame(rows, columns=["event_id", *names])

    # -- reservations ---------------------------------------------------------------------------
    def reserve(
        self,
        project_id: str,
        parcel_ids: Iterable[str],
        *,
        who: str | None = None,
        note: str | None = None,
    ) -> pd.DataFrame:
        """Reserve parcels for a project: every parcel asked for, or none.

        A parcel can be reserved when its status is one of the policy's
        ``siting.available_statuses``, it lies inside no constraint of a kind in
        ``siting.blocking_constraints``, and no other active reservation holds it. The database
        enforces the last rule itself (a unique index on active reservations), so two users
        reserving the same parcel at the same moment cannot both succeed.

        Parameters
        ----------
        project_id
            A project in the store's ``projects`` layer.
        parcel_ids
            The parcels to reserve.
        who
            Who reserves; :func:`default_who` by default.
        note
            A note kept with the reservation.

        Returns
        -------
        pandas.DataFrame
            The reservations written.

        Raises
        ------
        ReservationError
            Naming every parcel refused and why; nothing is written.
        """
        return self.reserve_many({project_id: parcel_ids}, who=who, note=note)

    def reserve_many(
        self,
        sites: Mapping[str, Iterable[str]],
        *,
        who: str | None = None,
        note: str | None = None,
    ) -> pd.DataFrame:
        """Reserve parcels for several projects in one transaction: all of them, or nothing.

        Each project's parcels are checked as :meth:`reserve` checks them; one refusal writes
        nothing for any project. An allocation plan is reserved this way.

        Parameters
        ----------
        sites
            project_id -> the parcels to reserve for it.
        who
            Who reserves; :func:`default_who` by default.
        note
            A note kept with every reservation.

        Returns
        -------
        pandas.DataFrame
            The reservations written.

        Raises
        ------
        ReservationError
            Naming every parcel refused and why; nothing is written.
        """
        self._ensure()
        asked = {
            normalise_id(k) or "": list(dict.fromkeys(normalise_id(p) or "" for p in v))
            for k, v in sites.items()
        }
        empty = sorted(k for k, ids in asked.items() if not ids)
        if not asked or empty:
            if empty:
                raise ReservationError.of("res_name_one_for", projects=", ".join(empty))
            raise ReservationError.of("res_name_one")
        who = who or default_who()
        written: list[dict[str, Any]] = []
        project_id = ""
        try:
            with self._write() as conn:
                # Overlapping ground is checked across parcels: reservations take turns for it.
                self._backend.lock_reservations(conn)
                for project_id, ids in asked.items():
                    written += self._reserve_in(conn, project_id, ids, who, note)
        except sa.exc.IntegrityError as exc:
            if not self._backend.is_unique_violation(exc):
                raise
            ids = asked[project_id]
            key = "res_race_one_of" if len(ids) > 1 else "res_race"
            raise ReservationError.of(key, project=project_id, ids=", ".join(ids)) from exc
        return pd.DataFrame(written)

    def _reserve_in(
        self, conn: sa.Connection, project_id: str, ids: list[str], who: str, note: str | None
    ) -> list[dict[str, Any]]:
        """Check and write one project's reservations inside an open write transaction."""
        policy = self.policy
        available = list(policy.siting.available_statuses)
        blocking = list(policy.siting.blocking_constraints)
        parcels = self._backend.tables["parcels"]
        projects = self._backend.tables["projects"]
        constraints = self._backend.tables["constraints"]
        res = self._backend.tables["reservations"]
        if (
            conn.execute(
                sa.select(projects.c.fid).where(projects.c.project_id == project_id)
            ).first()
            is None
        ):
            raise ReservationError.of("res_no_project", project=project_id)
        rows = conn.execute(
            self._backend.lock(
                sa.select(
                    parcels.c.parcel_id,
                    parcels.c.status,
                    self._backend.geometry_expression(parcels).label("geom"),
                ).where(parcels.c.parcel_id.in_(ids)),
                share=True,
            )
        ).all()
        found = {r.parcel_id: r for r in rows}
        reasons: dict[str, list[Message]] = {p: [] for p in ids}
        for p in ids:
            if p not in found:
                reasons[p].append(Message("res_no_parcel"))
            elif found[p].status not in available:
                reasons[p].append(
                    Message(
                        "res_status",
                        status=Code(found[p].status, "status"),
                        available=Code(tuple(available), "status"),
                    )
                )
        if rows:
            self._constraint_reasons(conn, constraints, rows, blocking, reasons)
        held = conn.execute(
            sa.select(res.c.parcel_id, res.c.project_id, res.c.who, res.c.reserved_at).where(
                res.c.parcel_id.in_(ids), res.c.released_at.is_(None)
            )
        ).all()
        for h in held:
            reasons[h.parcel_id].append(
                Message("res_held", project=h.project_id, who=h.who, at=h.reserved_at)
            )
        if rows:
            self._reserved_ground_reasons(conn, rows, reasons)
        refused = {p: r for p, r in reasons.items() if r}
        if refused:
            lines = Code(
                tuple(
                    Message("res_refused_line", parcel=p, reasons=Code(tuple(r), sep=("; ", "；")))
                    for p, r in refused.items()
                ),
                sep=("\n", "\n"),
            )
            raise ReservationError.of(
                "res_refused", project=project_id, n=len(refused), total=len(ids), lines=lines
            )
        now = _now()
        written = [
            {"project_id": project_id, "parcel_id": p, "who": who, "note": note, "reserved_at": now}
            for p in sorted(ids)  # one order for everyone: no deadlocks between batches
        ]
        conn.execute(res.insert(), written)
        return written

    def _reserved_ground_reasons(
        self, conn: sa.Connection, rows: Sequence[Any], reasons: dict[str, list[Message]]
    ) -> None:
        """Refuse parcels whose ground overlaps another parcel that is actively reserved."""
        geoms = self._backend.decode([r.geom for r in rows])
        have = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        if not have.any():
            return
        parcels = self._backend.tables["parcels"]
        res = self._backend.tables["reservations"]
        asked = [r.parcel_id for r in rows]
        taken = conn.execute(
            sa.select(
                parcels.c.parcel_id,
                res.c.project_id,
                self._backend.geometry_expression(parcels).label("geom"),
            )
            .join(res, res.c.parcel_id == parcels.c.parcel_id)
            .where(
                res.c.released_at.is_(None),
                parcels.c.parcel_id.not_in(asked),
                self._backend.bbox_filter(parcels, shapely.total_bounds(geoms[have])),
            )
        ).all()
        if not taken:
            return
        tolerance = float(self.policy.validation.overlap_tolerance_m2)
        mine, theirs, area = overlapping_pairs(
            geoms, self._backend.decode([t.geom for t in taken]), tolerance
        )
        for i, j, a in zip(mine, theirs, area, strict=True):
            t = taken[j]
            reasons[rows[i].parcel_id].append(
                Message("res_overlaps", other=t.parcel_id, area=a, project=t.project_id)
            )

    def _constraint_reasons(
        self,
        conn: sa.Connection,
        constraints: sa.Table,
        rows: Sequence[Any],
        blocking: list[str],
        reasons: dict[str, list[Message]],
    ) -> None:
        geoms = self._backend.decode([r.geom for r in rows])
        ok = ~shapely.is_missing(geoms)
        if not ok.any():
            return
        bounds = shapely.total_bounds(geoms[ok])
        hits = conn.execute(
            sa.select(
                constraints.c.constraint_id,
                constraints.c.kind,
                constraints.c.name,
                self._backend.geometry_expression(constraints).label("geom"),
            ).where(
                constraints.c.kind.in_(blocking), self._backend.bbox_filter(constraints, bounds)
            )
        ).all()
        if not hits:
            return
        cgeoms = self._backend.decode([h.geom for h in hits])
        tree = shapely.STRtree(cgeoms)
        # Interiors must meet: a parcel that only touches a red line's boundary is not inside it.
        pi, ci = tree.query(geoms, predicate="intersects")
        inside = shapely.relate_pattern(geoms[pi], cgeoms[ci], "T********")
        for p, c in zip(pi[inside], ci[inside], strict=True):
            h = hits[c]
            named = Message("res_named", name=h.name) if h.name else ""
            reasons[rows[p].parcel_id].append(
                Message("res_lies_in", kind=Code(h.kind, "kind"), id=h.constraint_id, name=named)
            )

    def release(
        self,
        project_id: str,
        parcel_ids: Iterable[str] | None = None,
        *,
        who: str | None = None,
        reason: str | None = None,
    ) -> int:
        """Release a project's active reservations (all, or the parcels named).

        Parameters
        ----------
        project_id
            The project holding the reservations.
        parcel_ids
            The parcels to release; all of the project's by default.
        who
            Who releases; :func:`default_who` by default.
        reason
            Why, kept with the reservation.

        Returns
        -------
        int
            The number of reservations released.

        Raises
        ------
        ReservationError
            If the project holds none of them (or not every parcel named); nothing is released.
        """
        self._ensure()
        res = self._backend.tables["reservations"]
        project_id = normalise_id(project_id) or ""
        ids = (
            None
            if parcel_ids is None
            else list(dict.fromkeys(normalise_id(p) or "" for p in parcel_ids))
        )
        where = [res.c.project_id == project_id, res.c.released_at.is_(None)]
        if ids:
            where.append(res.c.parcel_id.in_(ids))
        with self._write() as conn:
            held = set(
                conn.execute(self._backend.lock(sa.select(res.c.parcel_id).where(*where))).scalars()
            )
            missing = [p for p in ids or [] if p not in held]
            if missing or not held:
                what = ", ".join(missing) if missing else Message("res_any_parcel")
                raise ReservationError.of("res_none_held", project=project_id, what=what)
            conn.execute(
                res.update()
                .where(*where)
                .values(released_at=_now(), released_by=who or default_who(), release_reason=reason)
            )
        return len(held)

    def reservations(self, *, active: bool = True, project_id: str | None = None) -> pd.DataFrame:
        """Return reservations (only active ones by default), oldest first.

        Parameters
        ----------
        active
            Only reservations not released.
        project_id
            Only this project's.

        Returns
        -------
        pandas.DataFrame
            Columns project_id, parcel_id, who, note, reserved_at, released_at, released_by,
            release_reason.
        """
        self._ensure()
        res = self._backend.tables["reservations"]
        cols = [c for c in res.c if c.name != "fid"]
        stmt = sa.select(*cols).order_by(res.c.fid)
        if active:
            stmt = stmt.where(res.c.released_at.is_(None))
        if project_id is not None:
            stmt = stmt.where(res.c.project_id == project_id)
        with self._read() as conn:
            rows = conn.execute(stmt).all()
        return pd.DataFrame(rows, columns=[c.name for c in cols]).astype(
            {c.name: object for c in cols if isinstance(c.type, sa.Text)}
        )


#: The layers :meth:`Store.load_zone` reads when first used, where asked to.
_READ_ON_USE = ("buildings", "enterprises")

# Where a loaded zone carries what it was loaded from (a name no layer has).
_LOADED = "_loaded_from"


@dataclass(frozen=True, eq=False)
class _Loaded:
    """A zone's store, the store's state token when it was read, and the layer frames read."""

    location: str
    state: str
    layers: tuple[tuple[str, gpd.GeoDataFrame], ...]


def _event_columns(events: sa.Table) -> list[sa.ColumnElement]:
    return [events.c.fid.label("event_id"), *(c for c in events.c if c.name != "fid")]


def _event_frame(rows: Sequence[Any], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    frame["retracts"] = frame["retracts"].astype("Int64")
    for c in ("layer", "feature_id", "old_status", "new_status", "reason", "who"):
        # An initial event has no old status: None, as the database holds it, not NaN.
        frame[c] = frame[c].astype(object).where(frame[c].notna(), None)
    frame["effective_date"] = pd.to_datetime(frame["effective_date"]).astype("datetime64[ns]")
    return frame


def _promote(geoms: np.ndarray) -> np.ndarray:
    """Single polygons and lines to their multi-part type, as the tables declare them."""
    out = geoms.copy()
    types = shapely.get_type_id(geoms)
    poly = types == shapely.GeometryType.POLYGON
    line = types == shapely.GeometryType.LINESTRING
    if poly.any():
        out[poly] = shapely.multipolygons(geoms[poly].reshape(-1, 1))
    if line.any():
        out[line] = shapely.multilinestrings(geoms[line].reshape(-1, 1))
    return out


def _stale_error(
    key: str,
    source: str,
    layer_spec: LayerSpec,
    ids: pd.Series,
    read: np.ndarray,
    now: np.ndarray,
    stale: np.ndarray,
) -> StaleWriteError:
    """Name the features changed in the store after they were read (the first 50), and refuse."""
    rows = Code(
        tuple(
            Message(
                f"{key}_row",
                id=ids.iloc[i],
                read=Message("store_no_version") if np.isnan(read[i]) else int(read[i]),
                now=int(now[i]),
            )
            for i in np.flatnonzero(stale)[:50]
        ),
        sep=("\n", "\n"),
    )
    layer = Code(layer_spec.name, "layer")
    return StaleWriteError.of(key, source=source, n=int(stale.sum()), layer=layer, rows=rows)


def _chunks(values: list[Any], size: int = _CHUNK) -> Iterator[list[Any]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _as_date(value: dt.date | str) -> dt.date:
    day = parse_date(value)
    if day is None:
        raise StoreError.of("store_not_a_date", value=value, forms=DATE_FORMS)
    return day
