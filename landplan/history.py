"""Reading status histories: the status of every feature on a date, from events.

Pure functions over the event table the store keeps (:meth:`landplan.store.Store.status_events`):
the store answers ``status_on`` with them, and the half-year report uses them to state the zone
as it was at the end of a period.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

__all__ = ["standing_events", "status_on"]


def standing_events(events: pd.DataFrame) -> pd.DataFrame:
    """Return the events that stand: neither retracted, nor retractions themselves.

    An event is corrected by a later one that retracts it (its ``retracts`` holds the
    retracted event's ``event_id``); the history keeps both, and neither changes a status.

    Examples
    --------
    >>> events = pd.DataFrame({"event_id": [1, 2, 3], "retracts": [None, None, 2]})
    >>> standing_events(events)["event_id"].tolist()
    [1]
    """
    if "retracts" not in events or "event_id" not in events:
        return events
    retracts = pd.to_numeric(events["retracts"], errors="coerce")
    gone = set(retracts.dropna().astype("int64"))
    keep = retracts.isna() & ~events["event_id"].isin(gone)
    return events.loc[keep.to_numpy()]


def status_on(current: pd.Series, events: pd.DataFrame, on: dt.date | str) -> pd.Series:
    """Return every feature's status on a date, from its current status and its events.

    A feature's status on ``on`` is the new status of its last event effective on or before
    that date; with none, the old status of its first later event (None where that event is
    the feature's first, as an imported project's is: it did not exist yet); with no events,
    its current status. Retracted events and their retractions take no part
    (:func:`standing_events`). This is the one reading of effective dates: the store loads a
    layer's statuses as of today with it, and the report a period's end.

    Parameters
    ----------
    current
        The current status, indexed by feature id.
    events
        One layer's events with columns ``feature_id``, ``old_status``, ``new_status`` and
        ``effective_date``, in the order they were recorded.
    on
        The date asked about.

    Returns
    -------
    pandas.Series
        Status by feature id (object dtype, named ``status``), indexed like ``current``.

    Examples
    --------
    >>> current = pd.Series({"P-1": "occupied", "P-2": "idle"})
    >>> events = pd.DataFrame({"feature_id": ["P-1"], "old_status": ["low_efficiency"],
    ...                        "new_status": ["occupied"], "effective_date": ["2026-05-01"]})
    >>> status_on(current, events, "2026-04-30").to_dict()
    {'P-1': 'low_efficiency', 'P-2': 'idle'}
    """
    day = pd.Timestamp(on)
    status = pd.Series(
        current.to_numpy(dtype=object), index=current.index, dtype=object, name="status"
    )
    events = standing_events(events)
    if len(events):
        ev = events[["feature_id", "old_status", "new_status"]].copy()
        dates = pd.to_datetime(events["effective_date"])
        ev["position"] = range(len(ev))
        ev = ev.assign(date=dates.to_numpy()).sort_values(["date", "position"], kind="stable")
        before = ev[ev["date"] <= day]
        after = ev[ev["date"] > day]
        # groupby().first() would skip missing values: an initial event has no old status, and
        # that absence is the answer (the feature did not exist yet).
        first_after = after.drop_duplicates("feature_id").set_index("feature_id")["old_status"]
        last_before = before.drop_duplicates("feature_id", keep="last").set_index("feature_id")[
            "new_status"
        ]
        for values in (first_after, last_before):
            keep = values[values.index.isin(status.index)]
            status.loc[keep.index] = keep.to_numpy(dtype=object)
    return status.where(status.notna(), None)
