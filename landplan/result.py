"""What every analysis result offers: its tables, its map layers and its key figures.

The audit, the review, a match's candidates, the allocation, the capacity balance, the corridor,
the revitalisation plan and the half-year report each return one object, and each such object
answers the same three questions, so that a workbook, a GeoPackage, a CSV folder, a map or a
report can take any of them:

- :meth:`Result.tables` — every table behind it, by name (a workbook's sheets, CSV files);
- :meth:`SpatialResult.layers` — its geometry, by layer name (a GeoPackage's layers, a map's);
- :meth:`Result.summary` — its key figures as one small table.

Tables keep identifiers as column names (``area_mu``, ``parcel_id``); how a column reads to a
person, in Chinese or English, is the label registry's (:func:`landplan.labels.column_label`),
which every writer, map and report applies, so no result renames its columns for display.

Examples
--------
>>> from landplan.result import item_values
>>> item_values([("start", "2026-07-01"), ("supply_mu", 120.5)])
        item       value
0      start  2026-07-01
1  supply_mu       120.5
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

import pandas as pd

import geopandas as gpd

__all__ = ["TOTAL", "Result", "SpatialResult", "Tables", "item_values"]

#: The ``row`` key of a table's summary row (the sums a report's text quotes).
TOTAL = "total"


@runtime_checkable
class Result(Protocol):
    """An analysis result: its tables and its key figures."""

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return every table of the result by name, in the order a workbook shows them."""
        ...

    def summary(self) -> pd.DataFrame:
        """Return the result's key figures as one small table."""
        ...


@runtime_checkable
class SpatialResult(Result, Protocol):
    """A result with geometry: also its layers, as a GeoPackage or a map draws them."""

    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """Return the result's geometry by layer name, in the result's working CRS."""
        ...


class Tables(dict[str, pd.DataFrame]):
    """Tables by name that can also be called, as :meth:`Result.tables` is.

    For results that have long offered their tables as a mapping (``report.tables["x"]``):
    calling it returns the same tables as a plain dictionary.
    """

    def __call__(self) -> dict[str, pd.DataFrame]:
        """Return the tables as a plain dictionary."""
        return dict(self)


def item_values(rows: Iterable[tuple[str, object]]) -> pd.DataFrame:
    """Return key figures as a table of ``item`` and ``value``, the shape most summaries take."""
    return pd.DataFrame(list(rows), columns=["item", "value"])
