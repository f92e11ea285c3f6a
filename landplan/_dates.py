"""Calendar arithmetic on arrays of dates, for clocks counted in full months and years.

Regulations count "one full year" (满一年) from a date to its anniversary, not in 365-day steps, so
a clock started on 2023-03-01 runs out on 2024-03-01 whether or not the year holds 29 February.
A date whose day does not exist in the target month (31 January + 1 month) moves to the month's
last day, as contracts read it.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from landplan.errors import LandplanError

__all__ = ["add_months", "as_date", "date_strings", "days_between"]

_DAY = np.timedelta64(1, "D")


def as_date(value: object, *, name: str = "as_of") -> np.datetime64:
    """Return ``value`` (a date, datetime, Timestamp or ISO string) as a day-precision datetime64.

    Raises
    ------
    LandplanError
        If the value is not a date.
    """
    if isinstance(value, str | dt.date | pd.Timestamp | np.datetime64):
        try:
            stamp = pd.Timestamp(value)
        except (TypeError, ValueError):
            stamp = pd.NaT
        if stamp is not pd.NaT and not pd.isna(stamp):
            return np.datetime64(stamp.normalize().tz_localize(None), "ns")
    raise LandplanError(f"{name} must be a date such as 2025-06-30, got {value!r}")


def add_months(dates: np.ndarray, months: np.ndarray | int) -> np.ndarray:
    """Add whole calendar months to each date, keeping the day of the month where it exists.

    Parameters
    ----------
    dates
        ``datetime64`` values (NaT allowed: it stays NaT).
    months
        Months to add, one per date or one for all.

    Returns
    -------
    numpy.ndarray
        ``datetime64[ns]`` dates.

    Examples
    --------
    >>> d = np.array(["2024-01-31", "2023-02-28", "NaT"], dtype="datetime64[ns]")
    >>> np.datetime_as_string(add_months(d, 1), unit="D").tolist()
    ['2024-02-29', '2023-03-28', 'NaT']
    """
    stamps = np.asarray(dates, dtype="datetime64[ns]")
    missing = np.isnat(stamps)
    days = stamps.astype("datetime64[D]")
    month = days.astype("datetime64[M]")
    day_index = (days - month.astype("datetime64[D]")).astype(np.int64)
    shifted = month + np.asarray(months, dtype=np.int64).astype("timedelta64[M]")
    month_days = ((shifted + 1).astype("datetime64[D]") - shifted.astype("datetime64[D]")).astype(
        np.int64
    )
    out = shifted.astype("datetime64[D]") + np.minimum(day_index, month_days - 1).astype(
        "timedelta64[D]"
    )
    out = out.astype("datetime64[ns]")
    out[missing] = np.datetime64("NaT", "ns")
    return out


def days_between(start: np.ndarray | np.datetime64, end: np.ndarray | np.datetime64) -> np.ndarray:
    """Days from ``start`` to ``end`` as floats (NaN where either is NaT)."""
    return (np.asarray(end, dtype="datetime64[ns]") - np.asarray(start, "datetime64[ns]")) / _DAY


def date_strings(dates: np.ndarray) -> np.ndarray:
    """ISO dates (``2025-06-30``) as an object array, empty text for NaT."""
    text = np.datetime_as_string(np.asarray(dates, dtype="datetime64[D]"), unit="D")
    return np.where(text == "NaT", "", text).astype(object)
