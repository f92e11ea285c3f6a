"""The audit map.

Idle-land clocks and deadlines, low-efficiency flags with their rules, per-mu classes.
"""

from __future__ import annotations

import pandas as pd

import folium

from landplan.errors import MapError
from landplan.labels import Lang, compose, value_texts
from landplan.maps.basemaps import finish_map, start_map
from landplan.maps.features import (
    area_text,
    frame_of,
    on_parcels,
    parcel_title,
    require,
    with_reservations,
)
from landplan.maps.page import (
    CLASS_COLOURS,
    CLASS_LABELS,
    CYCLE,
    DEADLINE_COLOURS,
    Basemap,
    Category,
    MapLayer,
    map_text,
)
from landplan.policy import Policy


def rules_text(flags: pd.DataFrame | None, lang: Lang) -> pd.Series:
    """One text per parcel listing the rules that fired, with their reasons, one per line."""
    if flags is None or not len(flags):
        return pd.Series(dtype="string", name="rules")
    require(flags, ["parcel_id", "rule"], "flags")
    rule = flags["rule"].astype(str)
    # A rule is named in words, its identifier after it (容积率低于行业控制值 LE-FAR).
    names = rule.map(lambda r: _rule_name(r, lang))
    text = (names + " (" + rule + ")").where(names != rule, rule)
    if {"value", "threshold"} <= set(flags.columns):
        measured = _measure_text(flags, lang)
        text = text + measured
        return text.groupby(flags["parcel_id"].to_numpy()).agg("\n".join).rename("rules")
    for column in ("reason", "message", "detail"):
        if column in flags:
            reason = flags[column].astype("string").fillna("")
            text = text + (": " + reason).where(reason != "", "")
            break
    return text.groupby(flags["parcel_id"].to_numpy()).agg("\n".join).rename("rules")


def _rule_name(rule: str, lang: Lang) -> str:
    from landplan.labels import value_label

    for column in ("idle_rule", "rule"):
        named = value_label(column, rule, lang)
        if named != rule:
            return str(named)
    return rule


def _number_text(values: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    shown = numbers.map(lambda v: f"{v:,.2f}".rstrip("0").rstrip("."), na_action="ignore")
    return shown.astype("string").fillna("—")


def _measure_text(flags: pd.DataFrame, lang: Lang) -> pd.Series:
    """Return '：数值 0.52，阈值 0.7' for each flag (the indicator against its threshold)."""
    unit = (
        flags["unit"].astype("string").fillna("")
        if "unit" in flags
        else pd.Series("", index=flags.index, dtype="string")
    )
    unit = pd.Series(value_texts("unit", unit.to_numpy(dtype=object), lang), index=flags.index)
    if lang == "en":
        unit = (" " + unit).where(unit != "", "")
    value, threshold = _number_text(flags["value"]), _number_text(flags["threshold"])
    if lang == "zh":
        return "：数值 " + value + unit + "，阈值 " + threshold + unit
    return ": value " + value + unit + ", threshold " + threshold + unit


def _day_text(values: pd.Series, lang: Lang) -> pd.Series:
    days = pd.to_datetime(values, errors="coerce")
    if lang == "zh":
        text = (
            days.dt.year.astype("Int64").astype("string")
            + "年"
            + days.dt.month.astype("Int64").astype("string")
            + "月"
            + days.dt.day.astype("Int64").astype("string")
            + "日"
        )
    else:
        text = days.dt.strftime("%Y-%m-%d").astype("string")
    return text.where(days.notna())


def _idle_clock_words(parcels: pd.DataFrame, lang: Lang) -> pd.Series:
    """Say each parcel's idle-land clock in words, never as a negative count of days."""

    def column(name: str) -> pd.Series:
        if name in parcels:
            return parcels[name]
        return pd.Series(pd.NA, index=parcels.index, dtype=object)

    state = column("idle_state")
    to_idle = pd.to_numeric(column("days_to_idle"), errors="coerce")
    to_recovery = pd.to_numeric(column("days_to_recovery"), errors="coerce")
    idle_day = _day_text(column("idle_date"), lang)
    recovery_day = _day_text(column("recovery_date"), lang)
    ahead = to_idle.abs().round().astype("Int64").astype("string")
    left = to_recovery.abs().round().astype("Int64").astype("string")
    # The missing data are codes in the audit; a reader sees their names.
    missing = pd.Series(
        value_texts("idle_missing", column("idle_missing").to_numpy(dtype=object), lang),
        index=parcels.index,
        dtype="string",
    )
    fields = {"idle": idle_day, "recovery": recovery_day, "ahead": ahead, "left": left}
    texts = {
        state: compose(f"map.idle_clock.{state}", lang, **fields)
        for state in ("recoverable", "idle", "not_due")
    }
    texts["insufficient_data"] = compose(
        "map.idle_clock.insufficient_data", lang, missing=missing.fillna("")
    )
    out = pd.Series(pd.NA, index=parcels.index, dtype="string")
    for key, text in texts.items():
        out = out.mask(state == key, text)
    return out


_AUDIT_DATES = ("agreed_start", "actual_start", "agreed_completion", "completed")


def _audit_fields(parcels: pd.DataFrame, lang: Lang) -> dict[str, pd.Series]:
    """Return the popup of an audited parcel: what a reader asks, in words."""
    from landplan.labels import column_label, value_label

    def label(column: str) -> str:
        return column_label(column, lang)

    fields: dict[str, pd.Series] = {}
    if "status" in parcels:
        fields[label("status")] = parcels["status"].map(lambda v: value_label("status", v, lang))
    if "area_mu" in parcels or "area_m2" in parcels:
        fields[map_text("area", lang)] = area_text(parcels, lang)
    if "holder" in parcels:
        fields[label("holder")] = parcels["holder"]
    for column in _AUDIT_DATES:
        if column in parcels:
            fields[label(column)] = _day_text(parcels[column], lang)
    fields[map_text("idle_clock", lang)] = _idle_clock_words(parcels, lang)
    if "per_mu_class" in parcels:
        fields[label("evaluation_class")] = parcels["per_mu_class"].map(
            lambda v: value_label("evaluation_class", v, lang)
        )
    if "far" in parcels:
        fields[label("far")] = _number_text(parcels["far"])
    fields[map_text("rule", lang)] = parcels["rules"]
    if "reserved_for" in parcels:
        fields[map_text("reservation", lang)] = parcels["reserved_for"]
    return fields


def audit_map(
    zone,
    audit,
    *,
    lang: Lang = "zh",
    basemap: Basemap = "auto",
    tianditu_key: str | None = None,
    m: folium.Map | None = None,
    reservations: pd.DataFrame | None = None,
) -> folium.Map:
    """Draw an audit: parcels by per-mu class, flagged parcels, idle-land deadlines.

    Parameters
    ----------
    zone : Zone
        The zone audited (parcel geometry comes from it).
    audit
        The audit result (or a mapping) holding ``parcels``, a table keyed by ``parcel_id`` with
        ``per_mu_class`` (A/B/C/D/T; ``evaluation_class`` as :func:`landplan.audit.audit`
        names it) and the indicators (every other column is shown in the popup), optionally
        ``days_to_idle`` and ``days_to_recovery``; and ``flags``, rows of ``parcel_id``,
        ``rule`` (or ``rule_id``) and ``reason``, one per rule that fired (rows whose
        ``outcome`` is not ``fires`` are left out).
    lang, basemap, tianditu_key, m, reservations
        As for :func:`overview_map`.

    Returns
    -------
    folium.Map

    Raises
    ------
    MapError
        If a frame lacks the columns named above.
    """
    policy = zone.policy
    table = frame_of(audit, "parcels")
    if table is None:
        raise MapError(
            f"expected an audit result with a 'parcels' table, found {type(audit).__name__}; "
            "pass the value landplan.audit.audit() returned"
        )
    # landplan.audit names the class evaluation_class and the rule rule_id, and also lists
    # rules it could not decide (outcome "insufficient_data"), which are not flags on the map.
    table = table.rename(columns={"evaluation_class": "per_mu_class"})
    require(table, ["parcel_id", "per_mu_class"], "audit parcels")
    flags = frame_of(audit, "flags")
    if flags is not None:
        if "outcome" in flags:
            flags = flags[flags["outcome"] == "fires"]
        if "rule" not in flags and "rule_id" in flags:
            flags = flags.rename(columns={"rule_id": "rule"})
    parcels = on_parcels(zone, table, "audit parcels")
    parcels = with_reservations(parcels, reservations, zone.projects, lang)
    rules = rules_text(flags, lang)
    parcels["rules"] = parcels["parcel_id"].map(rules)
    m = start_map(
        [parcels], m=m, lang=lang, basemap=basemap, tianditu_key=tianditu_key, policy=policy
    )
    fields = _audit_fields(parcels, lang)
    title = parcel_title(parcels)
    classes = {
        key: Category(label=CLASS_LABELS[key][lang == "zh"], color="#333", fill=colour)
        for key, colour in CLASS_COLOURS.items()
    }
    specs = [
        MapLayer(
            frame=parcels,
            name=map_text("per_mu_class", lang),
            categories=classes,
            category=parcels["per_mu_class"].astype("string"),
            title=title,
            fields=fields,
            aggregate=True,
        )
    ]
    flagged = parcels[parcels["rules"].notna()]
    if flags is not None and len(flagged):
        first_rule = flagged["parcel_id"].map(
            flags.drop_duplicates("parcel_id").set_index("parcel_id")["rule"]
        )
        rule_keys = sorted(first_rule.astype(str).unique())
        specs.append(
            MapLayer(
                frame=flagged,
                name=map_text("flags", lang),
                categories={
                    rule: Category(
                        label=_rule_name(rule, lang), color=CYCLE[i % len(CYCLE)], weight=3
                    )
                    for i, rule in enumerate(rule_keys)
                },
                category=first_rule.astype(str),
                title=title[flagged.index],
                fields={k: v[flagged.index] for k, v in fields.items()},
            )
        )
    deadline = _deadline_category(parcels, policy)
    clocked = parcels[deadline.notna()]
    if len(clocked):
        specs.append(
            MapLayer(
                frame=clocked,
                name=map_text("deadlines", lang),
                categories={
                    key: Category(
                        label=map_text(key, lang),
                        color="#000",
                        fill=colour,
                        weight=1.5,
                        fill_opacity=0.75,
                    )
                    for key, colour in DEADLINE_COLOURS.items()
                },
                category=deadline[clocked.index],
                title=title[clocked.index],
                fields={k: v[clocked.index] for k, v in fields.items()},
                show=False,
            )
        )
    heading = "低效与闲置用地核查" if lang == "zh" else "Low-efficiency and idle land audit"
    return finish_map(m, specs, title=heading, lang=lang, basemap=basemap, policy=policy)


def _deadline_category(parcels: pd.DataFrame, policy: Policy) -> pd.Series:
    """Classify each parcel's idle-land clock; None where it has no clock running."""
    warn = float(policy.maps.deadline_warning_days)
    out = pd.Series(pd.NA, index=parcels.index, dtype="string")
    idle = parcels.get("days_to_idle")
    recovery = parcels.get("days_to_recovery")
    if idle is not None:
        idle = pd.to_numeric(idle, errors="coerce")
        out = out.mask(idle.notna(), "clock_running").mask(idle.between(0, warn), "idle_soon")
    if recovery is not None:
        recovery = pd.to_numeric(recovery, errors="coerce")
        out = out.mask(recovery.notna() & out.isna(), "clock_running")
        out = out.mask(recovery.between(0, warn, inclusive="right"), "recovery_soon")
        out = out.mask(recovery <= 0, "overdue")
    return out
