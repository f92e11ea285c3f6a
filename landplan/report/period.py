"""The period a report covers: a half year, a quarter, a month or two dates."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from landplan.errors import Message, ReportError
from landplan.labels import Lang


@dataclass(frozen=True)
class Period:
    """The dates a report covers, both inclusive.

    Attributes
    ----------
    start, end : datetime.date
        First and last day.
    label : str
        ``2026H1`` for a half year, else ``2026-04-01..2026-05-31``.
    """

    start: dt.date
    end: dt.date
    label: str

    def name(self, lang: Lang) -> str:
        """Return how the text names the period (``2026年上半年``, ``the first half of 2026``)."""
        half = re.fullmatch(r"(\d{4})H([12])", self.label)
        if half:
            year, which = half.groups()
            if lang == "zh":
                return f"{year}年{'上' if which == '1' else '下'}半年"
            return f"the {'first' if which == '1' else 'second'} half of {year}"
        if lang == "zh":
            return f"{zh_date(self.start, year=True)}至{zh_date(self.end, year=True)}"
        return f"{self.start:%d %B %Y} to {self.end:%d %B %Y}"

    def contains(self, dates: pd.Series) -> pd.Series:
        """Whether each date falls in the period (missing dates do not)."""
        days = pd.to_datetime(dates)
        return (days >= pd.Timestamp(self.start)) & (days <= pd.Timestamp(self.end))


def parse_period(
    period: str | None = None,
    *,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
) -> Period:
    """Return the period a report covers: a half year (``2026H1``) or two dates.

    Parameters
    ----------
    period
        ``YYYYH1`` (1 January to 30 June) or ``YYYYH2`` (1 July to 31 December).
    start, end
        First and last day (``YYYY-MM-DD``), instead of ``period``.

    Returns
    -------
    Period

    Raises
    ------
    ReportError
        If both or neither are given, the text is not a half year, or the end is before the
        start.

    Examples
    --------
    >>> parse_period("2026H1")
    Period(start=datetime.date(2026, 1, 1), end=datetime.date(2026, 6, 30), label='2026H1')
    >>> parse_period(start="2026-04-01", end="2026-05-31").label
    '2026-04-01..2026-05-31'
    """
    if period is not None and (start is not None or end is not None):
        raise ReportError.of("out_period_both", period=period)
    if period is not None:
        match = re.fullmatch(r"\s*(\d{4})\s*[Hh]([12])\s*", str(period))
        if match is None:
            raise ReportError.of("out_period_not_half", period=period)
        year, half = int(match.group(1)), match.group(2)
        first, last = ((1, 1), (6, 30)) if half == "1" else ((7, 1), (12, 31))
        return Period(dt.date(year, *first), dt.date(year, *last), f"{year}H{half}")
    if start is None or end is None:
        said = {
            f"{name}_said": Message("out_not_given")
            if value is None
            else Message("out_given", value=value)
            for name, value in (("start", start), ("end", end))
        }
        raise ReportError.of("out_period_needed", start=start, end=end, **said)
    first_day, last_day = _date(start, "start"), _date(end, "end")
    if last_day < first_day:
        raise ReportError.of("out_period_reversed", start=first_day, end=last_day)
    return Period(first_day, last_day, f"{first_day}..{last_day}")


def _date(value: dt.date | str, what: Literal["start", "end"]) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ReportError.of("out_period_date", what=Message(f"out_{what}"), value=value) from None


def zh_date(day: dt.date, *, year: bool = False) -> str:
    """Return a date as Chinese text (月日, with the year if asked)."""
    return f"{f'{day.year}年' if year else ''}{day.month}月{day.day}日"
