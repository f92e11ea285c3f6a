"""Calendar arithmetic on arrays of dates, for clocks counted in full months and years.

Regulations count "one full year" (满一年) from a date to its anniversary, not in 365-day steps, so
a clock started on 2023-03-01 runs out on 2024-03-01 whether or not the year holds 29 February.
A date whose day does not exist in the target month (31 January + 1 month) moves to the month's
last day, as contracts read it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import numpy as np
import pandas as pd

from landplan.errors import LandplanError

__all__ = [
    "DATE_FORMS",
    "add_months",
    "as_date",
    "date_strings",
    "days_between",
    "is_ambiguous",
    "parse_date",
    "parse_dates",
]

_DAY = np.timedelta64(1, "D")

#: The ways a date may be written, for messages and docs. Year first only: ``24/3/1`` could be
#: 2024-03-01 or 2001-03-24 and ``3/1/2024`` March or January, so both are refused.
DATE_FORMS = (
    "2024-03-01, 2024/3/1, 2024.3.1, 2024年3月1日, 20240301, or an Excel date (a date cell or its "
    "serial number, 45352)"
)
_YMD = re.compile(
    r"^(?P<y>\d{4})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_COMPACT = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")
_SERIAL = re.compile(r"^\d{1,6}(?:\.\d+)?$")
# Excel's day 0 in the 1900 date system, counting its phantom 29 February 1900.
_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
# Serials from 1900-03-01 (after Excel's phantom leap day) to 9999-12-31.
_SERIAL_RANGE = (61.0, 2958466.0)


def parse_date(value: object) -> dt.date | None:
    """Read one date written in an accepted form (:data:`DATE_FORMS`), or return None.

    Examples
    --------
    >>> [parse_date(v) for v in ("2024/3/1", "2024年3月1日", "20240301", 45352, "24/3/1")]
    [datetime.date(2024, 3, 1), datetime.date(2024, 3, 1), datetime.date(2024, 3, 1), \
datetime.date(2024, 3, 1), None]
    """
    if isinstance(value, dt.datetime | pd.Timestamp):
        return None if pd.isna(value) else value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else pd.Timestamp(value).date()
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, int | float | np.integer | np.floating):
        return _from_serial(float(value))
    text = unicodedata.normalize("NFKC", str(value)).strip()
    match = _YMD.match(text) or _COMPACT.match(text)
    if match:
        try:
            return dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError:
            return None
    if _SERIAL.match(text):
        return _from_serial(float(text))
    return None


def _from_serial(serial: float) -> dt.date | None:
    if not (np.isfinite(serial) and _SERIAL_RANGE[0] <= serial < _SERIAL_RANGE[1]):
        return None
    day = _EXCEL_EPOCH + np.timedelta64(int(serial), "D")
    return pd.Timestamp(day).date()


def parse_dates(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Read a column of dates; return them (``datetime64[ns]``, NaT where empty) and the bad.

    Parameters
    ----------
    values
        Dates as a file gives them: date cells, text in an accepted form, Excel serials.

    Returns
    -------
    dates, bad
        The dates at day precision, and a mask of values that are present but not a date in
        an accepted form (ambiguous ones included).
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        dates = values.dt.tz_localize(None) if getattr(values.dt, "tz", None) else values
        return dates.astype("datetime64[ns]").dt.normalize(), np.zeros(len(values), dtype=bool)
    raw = values.to_numpy(dtype=object)
    missing = pd.isna(raw) | np.array(
        [isinstance(v, str) and not v.strip() for v in raw], dtype=bool
    )
    out = np.full(len(raw), np.datetime64("NaT"), dtype="datetime64[ns]")
    bad = np.zeros(len(raw), dtype=bool)
    present = np.flatnonzero(~missing)
    # Most columns repeat few values: parse each distinct one once.
    codes, uniques = pd.factorize(pd.Series(raw[present], dtype=object))
    days = [parse_date(v) for v in uniques]
    parsed = np.array(
        [np.datetime64("NaT", "ns") if d is None else np.datetime64(d, "ns") for d in days],
        dtype="datetime64[ns]",
    )
    if len(present):
        out[present] = parsed[codes]
        bad[present] = np.isnat(parsed[codes])
    return pd.Series(out, index=values.index), bad


def is_ambiguous(value: object) -> bool:
    """Whether a text looks like a date written day or month first, or with a two-digit year."""
    return bool(re.match(r"^\s*\d{1,2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,4}\s*$", str(value)))


def as_date(value: object, *, name: str = "as_of") -> np.datetime64:
    """Return ``value`` (a date, datetime, Timestamp or ISO string) as a day-precision datetime64.

    Raises
    ------
    LandplanError
        If the value is not a date.
    """
    if isinstance(value, str | dt.date | pd.Timestamp | np.datetime64):
        day = parse_date(value)
        if day is not None:
            return np.datetime64(day, "ns")
    raise LandplanError.of("plan_not_a_date", name=name, value=value, forms=DATE_FORMS)


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
