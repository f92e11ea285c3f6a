"""Small vectorised helpers shared by the parts of matching."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

import geopandas as gpd

from landplan._format import fixed_text
from landplan.labels import Lang, value_label

REJECTION_COLUMNS = ["parcel_id", "building_id", "rule", "reason"]


# --- small vectorised helpers -------------------------------------------------------------------
def geometry_array(frame: gpd.GeoDataFrame) -> np.ndarray:
    return np.asarray(frame.geometry.array, dtype=object)


def first_per_key(keys: np.ndarray, order_by: np.ndarray) -> np.ndarray:
    """Positions of the smallest ``order_by`` for each distinct key."""
    order = np.lexsort((order_by, keys))
    sorted_keys = keys[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = sorted_keys[1:] != sorted_keys[:-1]
    return order[first]


def format_numbers(values: np.ndarray, spec: str = ",.0f") -> pd.Series:
    """Return each value as ``format(value, spec)`` writes it.

    Fixed decimals (``[,].Nf``, the common case) are written by Arrow's kernels; any other spec
    by a format call per value.
    """
    form = re.fullmatch(r"(,?)\.(\d)f", spec)
    if form is None:
        return pd.Series(values, dtype=float).map(lambda v: format(v, spec)).astype(object)
    text = fixed_text(np.asarray(values, dtype=float), int(form[2]), thousands=bool(form[1]))
    return pd.Series(text, dtype=object)


def named(column: str, value: object, lang: Lang) -> str:
    """Return a value as a reason names it: its Chinese label, or in English its identifier."""
    return str(value_label(column, value, lang)) if lang == "zh" else str(value)


def rejection_rows(ids: np.ndarray, rule: str, reasons, *, building: bool = False) -> pd.DataFrame:
    ids = np.asarray(ids, dtype=object)
    reasons = np.asarray(reasons, dtype=object) if not isinstance(reasons, str) else reasons
    frame = pd.DataFrame({"id": ids, "rule": rule, "reason": reasons})
    frame["parcel_id"] = None if building else frame["id"]
    frame["building_id"] = frame["id"] if building else None
    return frame[REJECTION_COLUMNS]


def reasons_by_value(values: np.ndarray, describe) -> np.ndarray:
    """Reason strings that depend only on a categorical value: one format per distinct value."""
    series = pd.Series(values, dtype=object)
    keys = series.fillna("\0")
    texts = {k: describe(None if k == "\0" else k) for k in keys.unique()}
    return keys.map(texts).to_numpy(dtype=object)


# --- segments and lengths near other geometries ---------------------------------------------------
def index_ranges(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row number, item) for every item lo[row] ≤ item < hi[row] of every row."""
    counts = hi - lo
    which = np.repeat(np.arange(len(lo)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return which, np.repeat(lo, counts) + offsets


def expand_rows(ptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For CSR offsets ``ptr``: (row number, item) for every item of every row in ``rows``."""
    return index_ranges(ptr[rows], ptr[rows + 1])


def read_only(values: np.ndarray) -> np.ndarray:
    values.flags.writeable = False
    return values
