"""Attribute changes: what an update or an upsert changed, as rows of ``attribute_events``.

A status change is a status event (``status_events``); a change of any other attribute — a
holder, a land price, an agreed start date — is an attribute event: the column, the old and the
new value as text, why, when, who and the row's new version. :func:`attribute_changes` compares
the stored rows with the new ones column by column (vectorised over the rows) and returns the
events to insert in the same transaction as the write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from landplan.errors import Code, Message, Problem, SchemaError
from landplan.layers import Column, LayerSpec

__all__ = [
    "attribute_changes",
    "changeable_columns",
    "merge_updates",
    "update_frame",
    "value_text",
]


def changeable_columns(layer: LayerSpec) -> list[Column]:
    """Columns whose changes are attribute events: all but the id, the status and derived ones."""
    return [
        c
        for c in layer.columns
        if c.name not in (layer.id_column, layer.status_column) and not c.derived
    ]


def value_text(value: Any, col: Column) -> str | None:
    """Write a value as the history shows it: dates as YYYY-MM-DD, whole numbers without '.0'."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if col.dtype == "date":
        return pd.Timestamp(value).date().isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer() and col.dtype != "float":
        value = int(value)
    return str(value)


def _texts(values: pd.Series, col: Column) -> np.ndarray:
    return np.array([value_text(v, col) for v in values.to_numpy(dtype=object)], dtype=object)


def attribute_changes(
    layer: LayerSpec,
    old: pd.DataFrame,
    new: pd.DataFrame,
    *,
    columns: Sequence[Column],
    versions: np.ndarray,
    reason: str,
    effective_date: dt.date,
    who: str,
    recorded_at: dt.datetime,
) -> list[dict[str, Any]]:
    """Return one ``attribute_events`` row per changed (feature, column).

    Parameters
    ----------
    layer
        The layer written.
    old, new
        The stored and the new rows, aligned row by row (the same features in the same order).
    columns
        The columns to compare (present in both frames).
    versions
        Each row's version after the write.
    reason, effective_date, who, recorded_at
        Recorded on every event.
    """
    ids = old[layer.id_column].astype(str).to_numpy()
    found: list[tuple[int, int, dict[str, Any]]] = []
    for position, col in enumerate(columns):
        if col.name not in new or col.name not in old:
            continue
        a = old[col.name].reset_index(drop=True)
        b = new[col.name].reset_index(drop=True)
        if col.dtype == "float":
            # 300 and 300.0 are the same price: compare numbers, not their spelling.
            a, b = pd.to_numeric(a, errors="coerce"), pd.to_numeric(b, errors="coerce")
        elif col.dtype == "date":
            a, b = pd.to_datetime(a, errors="coerce"), pd.to_datetime(b, errors="coerce")
        else:
            a, b = a.astype(object), b.astype(object)
        equal = pd.Series(a == b, dtype="boolean").fillna(False).to_numpy(dtype=bool)
        same = equal | (a.isna() & b.isna()).to_numpy()
        changed = np.flatnonzero(~same)
        if not len(changed):
            continue
        before = _texts(old[col.name].iloc[changed], col)
        after = _texts(new[col.name].iloc[changed], col)
        for k, i in enumerate(changed):
            found.append(
                (
                    int(i),
                    position,
                    {
                        "layer": layer.name,
                        "feature_id": ids[i],
                        "column_name": col.name,
                        "old_value": before[k],
                        "new_value": after[k],
                        "reason": reason,
                        "effective_date": effective_date,
                        "who": who,
                        "recorded_at": recorded_at,
                        "version": int(versions[i]),
                    },
                ),
            )
    # Feature by feature, each feature's columns in the schema's order.
    return [event for _, _, event in sorted(found, key=lambda t: t[:2])]


def update_frame(
    layer: LayerSpec, table: pd.DataFrame, *, source: str
) -> tuple[list[str], pd.DataFrame, np.ndarray | None]:
    """Check an update table's columns and ids; return ids, the updates and any versions.

    Raises
    ------
    SchemaError
        For a missing id column, a column that is not one of the layer's changeable columns (the
        status goes through a status change, derived areas come from the geometry), or an id
        given twice.
    """
    renames = layer.rename_map(table.columns)
    frame = table.rename(columns=renames)
    problems: list[Problem] = []
    if layer.id_column not in frame:
        raise SchemaError(
            [
                Problem(
                    source,
                    "*",
                    layer.id_column,
                    Message("upd_no_id_column"),
                    Message("upd_a_column", column=Code(layer.id_column)),
                )
            ]
        )
    allowed = {c.name for c in changeable_columns(layer)}
    geometry = getattr(frame, "_geometry_column_name", None)
    for name in frame.columns:
        if name in (layer.id_column, "version", geometry) or name in allowed:
            continue
        if name == layer.status_column:
            expected = Message("upd_no_status")
        else:
            expected = Message("upd_one_of", columns=Code(tuple(sorted(allowed))))
        problems.append(Problem(source, "*", str(name), Message("upd_not_changeable"), expected))
    ids = frame[layer.id_column].map(
        lambda v: None if pd.isna(v) else value_text(v, Column("id", "str", ""))
    )
    for i in np.flatnonzero(ids.isna().to_numpy()):
        problems.append(
            Problem(
                source,
                f"row {i + 2}",
                layer.id_column,
                Message("v_missing_id"),
                Message("upd_an_id"),
            )
        )
    for i in np.flatnonzero(ids.duplicated(keep="first").to_numpy() & ids.notna().to_numpy()):
        problems.append(
            Problem(
                source,
                str(ids.iloc[i]),
                layer.id_column,
                Message("upd_id_twice"),
                Message("upd_one_row_per_id"),
            )
        )
    if problems:
        raise SchemaError(problems)
    updates = pd.DataFrame(
        {n: frame[n].to_numpy(dtype=object) for n in frame.columns if n in allowed}
    )
    updates = updates.map(
        lambda v: (
            None
            if (
                v is None
                or (isinstance(v, str) and not v.strip())
                or (not isinstance(v, str) and pd.isna(v))
            )
            else v
        )
    )
    versions = None
    if "version" in frame:
        versions = pd.to_numeric(frame["version"], errors="coerce").to_numpy(dtype="float64")
    return ids.astype(str).tolist(), updates, versions


_ID = Column("id", "str", "")


def _given(value: Any) -> Any:
    """None for an empty cell (which leaves the stored value as it is), else the value."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    return value


def merge_updates(stored: pd.DataFrame, updates: pd.DataFrame) -> pd.DataFrame:
    """Put the given values over the stored rows (aligned by position), for validation.

    Where a column's new values include text ("1,850.5", "2025/6/30"), the whole column goes
    to the validator as text, so that it reads the stored values and the new ones alike.
    """
    merged = stored.copy()
    for name in updates.columns:
        given = updates[name].notna().to_numpy()
        values = merged[name].astype(object)
        new = updates[name].to_numpy(dtype=object)
        if any(isinstance(v, str) for v in new[given]):
            values = values.map(lambda v: None if _given(v) is None else str(v))
            new = np.array([None if v is None else str(v) for v in new], dtype=object)
        values = values.to_numpy(dtype=object, copy=True)
        values[given] = new[given]
        merged[name] = values
    return merged
