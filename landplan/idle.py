"""The idle-land clock of 《闲置土地处置办法》 (国土资源部令第53号, in force 2012-07-01).

State construction land that has been supplied is **idle** (art. 2) when

1. ``IDLE-1``: development has not started one full year after the agreed start date; or
2. ``IDLE-2``: development started, but the developed area is under 1/3 of the area due **or** the
   investment is under 25% of the total, **and** development has been suspended for one full year.

After one year idle the holder owes an idle-land fee of 20% of the land price; after two full years
the land is recovered free of charge (art. 14). A start date extended for a government-caused
delay (art. 12, at most one year) moves the clock by the months granted.

How the data are read (documented in ``docs/audit.md``):

- "started" means an ``actual_start`` or ``completed`` date on or before the audit date, or a
  building standing on the parcel;
- the IDLE-1 clock runs from ``agreed_start`` + ``extension_months``; the IDLE-2 clock from
  ``suspended_since`` + ``extension_months``;
- a parcel becomes idle on the anniversary itself (a full year has then passed), and recoverable on
  the second anniversary; with ``idle.recover_suspended`` false an IDLE-2 parcel never becomes
  recoverable by this clock;
- collective land, and land not supplied yet (``idle.exempt_statuses``), are not applicable;
- a clock that needs a date or share the data lack is ``insufficient_data``, naming what is
  missing, never a pass.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from landplan._dates import add_months, date_strings, days_between
from landplan._format import number_text
from landplan.labels import Lang, compose, message, value_texts
from landplan.policy import Policy

__all__ = ["IDLE_STATES", "idle_clock"]

#: States of the clock, in the order reports list them.
IDLE_STATES: Final = ("recoverable", "idle", "not_due", "insufficient_data", "not_applicable")

_NAT = np.datetime64("NaT", "ns")


def _dates(frame: pd.DataFrame, column: str) -> np.ndarray:
    return frame[column].to_numpy(dtype="datetime64[ns]")


def _floats(frame: pd.DataFrame, column: str) -> np.ndarray:
    return frame[column].to_numpy(dtype="float64", na_value=np.nan)


def _happened(dates: np.ndarray, as_of: np.datetime64) -> np.ndarray:
    """Whether each date is known and on or before the audit date."""
    return ~np.isnat(dates) & (dates <= as_of)


def idle_clock(
    parcels: pd.DataFrame,
    *,
    as_of: np.datetime64,
    policy: Policy,
    has_buildings: np.ndarray | None = None,
    lang: Lang = "zh",
) -> pd.DataFrame:
    """Run the idle-land clock for every parcel.

    Parameters
    ----------
    parcels
        The zone's parcels (the columns of the ``parcels`` layer).
    as_of
        The audit date (day precision).
    policy
        Supplies ``idle.*``: grace and recovery years, fee share, shares of rule 2, statuses.
    has_buildings
        One boolean per parcel: a building stands on it, so development has started.
    lang
        Language of ``idle_reason`` (``zh`` or ``en``); only that language is built.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``parcels``: ``idle_rule`` (``IDLE-1``/``IDLE-2`` or None), ``idle_state``
        (one of :data:`IDLE_STATES`), ``idle_clock_start``, ``idle_date``, ``days_to_idle``
        (negative once past), ``recovery_date``, ``days_to_recovery``, ``idle_fee_wan_yuan``
        (NaN where not due or the land price is unknown), ``idle_reason`` and ``idle_missing``
        (the columns lacking, ``;``-joined codes such as ``developed_share;invested_share``).
    """
    rules = policy.idle
    n = len(parcels)
    status = parcels["status"].to_numpy(dtype=object)
    tenure = parcels["tenure"].to_numpy(dtype=object)
    exempt = np.isin(status, list(rules.exempt_statuses)) | (tenure == "collective")

    agreed = _dates(parcels, "agreed_start")
    suspended = _dates(parcels, "suspended_since")
    extension = parcels["extension_months"].to_numpy(dtype="float64", na_value=0.0).astype(np.int64)
    built = np.zeros(n, dtype=bool) if has_buildings is None else np.asarray(has_buildings, bool)
    started = (
        _happened(_dates(parcels, "actual_start"), as_of)
        | _happened(_dates(parcels, "completed"), as_of)
        | built
    )
    completed = _happened(_dates(parcels, "completed"), as_of)

    # Rule 1: not started.
    rule1 = ~exempt & ~started
    rule1_missing = rule1 & np.isnat(agreed)

    # Rule 2: started, little developed or invested, suspended.
    developed = _floats(parcels, "developed_share")
    invested = _floats(parcels, "invested_share")
    low_developed = developed < rules.developed_share_min
    low_invested = invested < rules.invested_share_min
    suspended_now = _happened(suspended, as_of)
    rule2_scope = ~exempt & started & ~completed & suspended_now
    rule2 = rule2_scope & (low_developed | low_invested)
    rule2_missing = rule2_scope & ~rule2 & (np.isnan(developed) | np.isnan(invested))

    clock_start = np.full(n, _NAT)
    clock_start[rule1] = agreed[rule1]
    clock_start[rule2] = suspended[rule2]
    clock_start = add_months(clock_start, extension)
    idle_date = add_months(clock_start, np.where(rule1, rules.start_grace_years, 0) * 12)
    idle_date = np.where(rule2, add_months(clock_start, rules.suspended_years * 12), idle_date)
    recovery_date = add_months(clock_start, rules.recover_years * 12)
    if not rules.recover_suspended:
        recovery_date[rule2] = _NAT

    running = (rule1 & ~rule1_missing) | rule2
    recoverable = running & ~np.isnat(recovery_date) & (as_of >= recovery_date)
    idle = running & ~recoverable & (as_of >= idle_date)
    missing_data = rule1_missing | rule2_missing
    state = np.select(
        [recoverable, idle, running, missing_data],
        ["recoverable", "idle", "not_due", "insufficient_data"],
        "not_applicable",
    ).astype(object)

    price = _floats(parcels, "land_price_wan_yuan")
    fee = np.where(idle | recoverable, rules.fee_share * price, np.nan)

    rule_id = np.select([rule1, rule2 | rule2_missing], ["IDLE-1", "IDLE-2"], "").astype(object)
    rule_id[rule_id == ""] = None
    missing = np.full(n, "", dtype=object)
    missing[rule1_missing] = "agreed_start"
    missing[rule2_missing] = np.where(
        np.isnan(developed[rule2_missing]) & np.isnan(invested[rule2_missing]),
        "developed_share;invested_share",
        np.where(np.isnan(developed[rule2_missing]), "developed_share", "invested_share"),
    )

    out = pd.DataFrame(
        {
            "idle_rule": rule_id,
            "idle_state": state,
            "idle_clock_start": clock_start,
            "idle_date": np.where(running, idle_date, _NAT),
            "days_to_idle": np.where(running, days_between(as_of, idle_date), np.nan),
            "recovery_date": np.where(running, recovery_date, _NAT),
            "days_to_recovery": np.where(running, days_between(as_of, recovery_date), np.nan),
            "idle_fee_wan_yuan": fee,
            "idle_missing": missing,
        },
        index=parcels.index,
    )
    out["idle_reason"] = _reasons(
        out,
        rule1=rule1 & ~rule1_missing,
        rule2=rule2,
        exempt=exempt,
        started=started,
        completed=completed,
        suspended=np.where(suspended_now, suspended, _NAT),
        agreed=agreed,
        extension=extension,
        developed=developed,
        invested=invested,
        policy=policy,
        lang=lang,
    )
    return out


def _reasons(
    clock: pd.DataFrame,
    *,
    rule1: np.ndarray,
    rule2: np.ndarray,
    exempt: np.ndarray,
    started: np.ndarray,
    completed: np.ndarray,
    suspended: np.ndarray,
    agreed: np.ndarray,
    extension: np.ndarray,
    developed: np.ndarray,
    invested: np.ndarray,
    policy: Policy,
    lang: Lang,
) -> np.ndarray:
    """One sentence per parcel saying why its clock is in its state, built column-wise."""
    rules = policy.idle
    n = len(clock)
    reason = np.full(n, "", dtype=object)
    state = clock["idle_state"].to_numpy()
    # Text is built only for the parcels whose clock runs, a small share of a zone.
    running = rule1 | rule2
    run_state = state[running]
    idle_on = date_strings(clock["idle_date"].to_numpy()[running])
    recover_on = date_strings(clock["recovery_date"].to_numpy()[running])
    has_recovery = recover_on != ""
    ext = extension[running]
    extended = np.full(n, "", dtype=object)
    extended[running] = np.where(ext > 0, compose("idle_extension", lang, months=ext), "")

    def idle_clause(key: str) -> np.ndarray:
        # Idle since (or from) a date, then recoverable from another where the clock has one.
        then = compose(f"{key}_then", lang, recover_on=recover_on)
        return compose(key, lang, idle_on=idle_on, then=np.where(has_recovery, then, ""))

    timeline = np.full(n, "", dtype=object)
    timeline[running] = np.where(
        run_state == "recoverable",
        compose("idle_recoverable", lang, recover_on=recover_on),
        np.where(run_state == "idle", idle_clause("idle_since"), idle_clause("idle_from")),
    )
    reason[rule1] = compose(
        "idle_not_started",
        lang,
        agreed=date_strings(agreed[rule1]),
        extension=extended[rule1],
        timeline=timeline[rule1],
    )
    share_text = np.where(
        developed[rule2] < rules.developed_share_min,
        compose("idle_developed_share", lang, share=number_text(developed[rule2], 3)),
        compose("idle_invested_share", lang, share=number_text(invested[rule2], 3)),
    )
    reason[rule2] = compose(
        "idle_suspended",
        lang,
        share=share_text,
        suspended=date_strings(suspended[rule2]),
        extension=extended[rule2],
        timeline=timeline[rule2],
    )
    insufficient = state == "insufficient_data"
    missing = clock["idle_missing"].to_numpy()[insufficient]
    reason[insufficient] = compose(
        "insufficient_data", lang, missing=value_texts("idle_missing", missing, lang)
    )
    other = state == "not_applicable"
    reason[other & exempt] = message("idle_exempt", lang)
    reason[other & ~exempt & started] = message("idle_started", lang)
    reason[other & ~exempt & started & ~np.isnat(suspended)] = message("idle_suspended_above", lang)
    reason[other & ~exempt & completed] = message("idle_completed", lang)
    return reason
