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
    """Rejections of features for one rule: ids and reasons kept as the Python text they are.

    The columns are given as ``object`` series, so pandas does not infer Arrow text of each
    (a conversion there and back per rejected parcel, a second at 10⁶ parcels).
    """
    n = len(ids)
    ids = pd.Series(np.asarray(ids, dtype=object), dtype=object, copy=False)
    none = pd.Series(np.full(n, None, dtype=object), dtype=object, copy=False)
    text = np.full(n, reasons, dtype=object) if isinstance(reasons, str) else reasons
    return pd.DataFrame(
        {
            "parcel_id": none if building else ids,
            "building_id": ids if building else none,
            "rule": rule,
            "reason": pd.Series(np.asarray(text, dtype=object), dtype=object, copy=False),
        }
    )


def reasons_by_value(values: np.ndarray, describe) -> np.ndarray:
    """Reason strings that depend only on a categorical value: one format per distinct value."""
    codes, distinct = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    texts = [describe(v) for v in distinct]
    if (codes < 0).any():
        texts.append(describe(None))  # the sentinel -1 takes the last text: a missing value's
    return np.array(texts, dtype=object)[codes] if texts else np.array([], dtype=object)


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
