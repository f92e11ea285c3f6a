"""The facts of the half year from a zone and its status history.

Projects signed, the pipeline, the land and floor space left, the idle-land deadlines, the
corridor and the revitalisation of the period.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from landplan.errors import ReportError
from landplan.history import status_on
from landplan.labels import Lang
from landplan.report.document import Report
from landplan.report.period import Period, parse_period
from landplan.report.text import report_text
from landplan.result import TOTAL, Tables
from landplan.units import WAN_YUAN_PER_YI
from landplan.vocab import BUILDING_STATUS, CLUSTER, PARCEL_STATUS, PROJECT_STAGE, Vocabulary
from landplan.zone import Zone


def half_year_report(
    zone: Zone,
    events: pd.DataFrame,
    *,
    reservations: pd.DataFrame | None = None,
    period: str | None = None,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    lang: Lang = "zh",
) -> Report:
    """Compute the half-year report of a zone from its status history.

    Parameters
    ----------
    zone
        The zone as it is now (statuses and stages current).
    events
        The status events of every layer (:meth:`landplan.store.Store.status_events`): columns
        ``layer``, ``feature_id``, ``old_status``, ``new_status``, ``effective_date``, ``reason``.
        A project counts as signed in the period when its first event reaching one of the
        policy's ``report.signed_stages`` falls in it; the zone's statuses and stages at the end
        of the period are read back from the events.
    reservations
        The active reservations (``project_id``, ``parcel_id``): a signed project's site. A
        project without any may name its parcels in a ``parcel_id`` column (``;``-separated).
    period, start, end
        The period (:func:`parse_period`): ``"2026H1"``, or start and end dates.
    lang
        ``zh`` (the default, in the style of the zone's reports) or ``en``.

    Returns
    -------
    Report

    Raises
    ------
    ReportError
        For a bad period or language, or events missing a column.
    """
    if lang not in ("zh", "en"):
        raise ReportError(f"lang must be 'zh' or 'en', not {lang!r}")
    span = parse_period(period, start=start, end=end)
    events = _check_events(events)
    reservations = _check_reservations(reservations)
    policy = zone.policy.report
    projects = _projects_at_end(zone, events, span)
    tables: dict[str, pd.DataFrame] = {}
    tables["signed_projects"] = _signed_projects(zone, projects, reservations, span, lang)
    pipeline = projects[projects["stage_at_end"].isin(list(policy.pipeline_stages))]
    tables["pipeline_projects"] = _project_rows(pipeline, lang, date_column="stage_date")
    tables["pipeline_by_cluster"] = _pipeline_by_cluster(pipeline, lang)
    tables["framework_agreements"] = _framework_agreements(projects, span, lang)
    parcels = _parcels_at_end(zone, events, span)
    tables["land_supply"] = _land_supply(parcels, reservations, zone.policy, lang)
    tables["floor_space"] = _floor_space(zone, events, span, policy, lang)
    tables["revitalised_low_efficiency"] = _revitalised(zone, events, span, lang)
    tables["revitalisation_plan"] = _revitalisation_plan(
        zone, events, span, tables["revitalised_low_efficiency"], lang
    )
    at_end = dataclasses.replace(
        zone,
        parcels=zone.parcels.assign(status=parcels["status"].to_numpy()),
        buildings=zone.buildings.assign(status=_building_status_at_end(zone, events, span)),
    )
    tables["idle_actions_due"] = _idle_actions_due(at_end, span)
    if len(zone.corridors):
        tables["corridor_phases"] = _corridor_phases(at_end)
    sections = report_text(tables, span, lang, window_days=zone.policy.idle.deadline_window_days)
    title = (
        f"{span.name('zh')}招商引资与土地供应情况"
        if lang == "zh"
        else f"Investment attraction and land supply, {span.name('en')}"
    )
    return Report(span, lang, title, sections, Tables(tables), at_end)


def report_from_store(store: Any, **options: Any) -> Report:
    """Read a zone, its events and its reservations from a store and compute the report.

    Parameters
    ----------
    store
        A :class:`~landplan.store.Store`.
    **options
        Passed to :func:`half_year_report` (``period``, ``start``, ``end``, ``lang``).

    Returns
    -------
    Report
    """
    return half_year_report(
        store.load_zone(), store.status_events(), reservations=store.reservations(), **options
    )


_EVENT_COLUMNS = ("layer", "feature_id", "old_status", "new_status", "effective_date")


def _check_events(events: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in _EVENT_COLUMNS if c not in events.columns]
    if missing:
        raise ReportError(
            f"the events lack column(s) {missing}; expected the store's status events "
            f"({', '.join(_EVENT_COLUMNS)}), as Store.status_events() returns them"
        )
    out = events.copy()
    out["effective_date"] = pd.to_datetime(out["effective_date"])
    if "reason" not in out:
        out["reason"] = None
    out["position"] = np.arange(len(out))
    return out.sort_values(["effective_date", "position"], kind="stable")


def _check_reservations(reservations: pd.DataFrame | None) -> pd.DataFrame:
    if reservations is None:
        return pd.DataFrame({"project_id": [], "parcel_id": []}, dtype=object)
    missing = [c for c in ("project_id", "parcel_id") if c not in reservations.columns]
    if missing:
        raise ReportError(
            f"the reservations lack column(s) {missing}; expected project_id and parcel_id, "
            "as Store.reservations() returns them"
        )
    if "released_at" in reservations:
        reservations = reservations[reservations["released_at"].isna()]
    return reservations[["project_id", "parcel_id"]].astype(object)


def _layer_events(events: pd.DataFrame, layer: str) -> pd.DataFrame:
    return events[events["layer"] == layer]


def _label(vocab: Vocabulary, values: pd.Series, lang: Lang) -> pd.Series:
    return values.map(lambda v: vocab.label(v, lang) if v in vocab.labels else v)


def _yi(wan_yuan: pd.Series) -> pd.Series:
    return wan_yuan / WAN_YUAN_PER_YI


def _projects_at_end(zone: Zone, events: pd.DataFrame, span: Period) -> pd.DataFrame:
    """Return the projects with their stage at the end of the period and their stage dates."""
    projects = pd.DataFrame(zone.projects.drop(columns=zone.projects.geometry.name))
    history = _layer_events(events, "projects")
    current = pd.Series(projects["stage"].to_numpy(), index=projects["project_id"].to_numpy())
    at_end = status_on(current, history, span.end)
    projects["stage_at_end"] = at_end.to_numpy()
    policy = zone.policy.report
    projects["signed_date"] = _first_reaching(history, projects, policy.signed_stages)
    projects["landed_date"] = _first_reaching(history, projects, policy.landed_stages)
    projects["agreement_date"] = _first_reaching(history, projects, ["framework"])
    # A project not yet in the pipeline at the end of the period is not reported.
    return projects[projects["stage_at_end"].notna()].reset_index(drop=True)


def _first_reaching(
    history: pd.DataFrame, projects: pd.DataFrame, stages: Iterable[str]
) -> np.ndarray:
    reached = history[history["new_status"].isin(list(stages))]
    first = reached.groupby("feature_id", sort=False)["effective_date"].min()
    # Reindexing keeps the datetime dtype where no project has reached the stages (a zone's
    # first report): mapping through an empty Series would give floats.
    first = pd.to_datetime(first).astype("datetime64[ns]")
    return first.reindex(projects["project_id"].to_numpy()).to_numpy(dtype="datetime64[ns]")


# The columns a table of projects sums in its total row.
_PROJECT_SUMS = (
    "projects",
    "investment_wan_yuan",
    "investment_yi_yuan",
    "annual_output_wan_yuan",
    "annual_output_yi_yuan",
    "land_mu_min",
    "land_mu_max",
)


def _project_rows(projects: pd.DataFrame, lang: Lang, *, date_column: str) -> pd.DataFrame:
    """Return a table of projects (one row each) with a total row."""
    out = pd.DataFrame(
        {
            "row": projects["project_id"].to_numpy(dtype=object),
            "project_id": projects["project_id"].to_numpy(dtype=object),
            "project_name": projects["name"].to_numpy(dtype=object),
            "company": projects["company"].to_numpy(dtype=object),
            "cluster": projects["cluster"].to_numpy(dtype=object),
            "cluster_label": _label(CLUSTER, projects["cluster"], lang).to_numpy(dtype=object),
            "stage_at_end": projects["stage_at_end"].to_numpy(dtype=object),
            "stage_label": _label(PROJECT_STAGE, projects["stage_at_end"], lang).to_numpy(
                dtype=object
            ),
            date_column: pd.to_datetime(projects[date_column]).to_numpy(),
            "projects": np.ones(len(projects), dtype=int),
            "investment_wan_yuan": projects["investment_wan_yuan"].to_numpy(dtype=float),
            "investment_yi_yuan": _yi(projects["investment_wan_yuan"]).to_numpy(dtype=float),
            "annual_output_wan_yuan": projects["annual_output_wan_yuan"].to_numpy(dtype=float),
            "annual_output_yi_yuan": _yi(projects["annual_output_wan_yuan"]).to_numpy(dtype=float),
            "land_mu_min": projects["land_mu_min"].to_numpy(dtype=float),
            "land_mu_max": projects["land_mu_max"].to_numpy(dtype=float),
        }
    )
    return _with_total(out, _PROJECT_SUMS)


def _with_total(table: pd.DataFrame, sums: Sequence[str]) -> pd.DataFrame:
    """Append the ``total`` row: sums of the named columns, blanks elsewhere."""
    total = dict.fromkeys(table.columns)
    total["row"] = TOTAL
    for c in sums:
        total[c] = table[c].sum() if len(table) else 0
    return pd.concat(
        [table, pd.DataFrame([total]).astype(table.dtypes.to_dict(), errors="ignore")],
        ignore_index=True,
    )


def _signed_projects(
    zone: Zone,
    projects: pd.DataFrame,
    reservations: pd.DataFrame,
    span: Period,
    lang: Lang,
) -> pd.DataFrame:
    signed = projects[span.contains(projects["signed_date"])].sort_values(
        ["signed_date", "project_id"], kind="stable"
    )
    table = _project_rows(signed, lang, date_column="signed_date").iloc[:-1]
    landed = pd.to_datetime(signed["landed_date"])
    table.insert(9, "landed_date", landed.where(landed <= pd.Timestamp(span.end)).to_numpy())
    sites = _sites(signed, reservations)
    parcels = zone.parcels.set_index("parcel_id")
    village = (parcels["tenure"] == "collective") | (parcels["status"] == "reserved_leased")
    site_parcels, land, leased = [], [], []
    for project_id, has_landed in zip(
        signed["project_id"], table["landed_date"].notna(), strict=True
    ):
        ids = [p for p in sites.get(project_id, []) if p in parcels.index]
        site_parcels.append(";".join(ids) or None)
        # A site reserved but not yet handed over by the end of the period is not land landed.
        landed_ids = ids if has_landed else []
        land.append(float(parcels.loc[landed_ids, "area_mu"].sum()))
        leased.append(float(parcels.loc[landed_ids, "area_mu"][village.loc[landed_ids]].sum()))
    table["site_parcels"] = pd.Series(site_parcels, dtype=object).to_numpy()
    table["land_mu"] = land
    table["leased_village_land_mu"] = leased
    table["landed"] = table["landed_date"].notna().astype(int)
    return _with_total(table, [*_PROJECT_SUMS, "landed", "land_mu", "leased_village_land_mu"])


def _sites(projects: pd.DataFrame, reservations: pd.DataFrame) -> dict[str, list[str]]:
    """Return each project's site: its active reservations, else the parcels its row names."""
    sites: dict[str, list[str]] = {}
    for project_id, parcel_id in reservations[["project_id", "parcel_id"]].itertuples(index=False):
        sites.setdefault(project_id, []).append(parcel_id)
    if "parcel_id" in projects:
        for project_id, named in projects[["project_id", "parcel_id"]].itertuples(index=False):
            if project_id not in sites and isinstance(named, str) and named.strip():
                sites[project_id] = [p.strip() for p in named.split(";") if p.strip()]
    return sites


def _pipeline_by_cluster(pipeline: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    grouped = (
        pipeline.groupby("cluster", sort=False)
        .agg(
            projects=("project_id", "size"),
            investment_wan_yuan=("investment_wan_yuan", "sum"),
            land_mu_min=("land_mu_min", "sum"),
            land_mu_max=("land_mu_max", "sum"),
        )
        .reindex([c for c in CLUSTER.values if c in set(pipeline["cluster"])])
        .reset_index()
    )
    grouped.insert(0, "row", grouped["cluster"].astype(object))
    grouped.insert(2, "cluster_label", _label(CLUSTER, grouped["cluster"], lang))
    grouped.insert(5, "investment_yi_yuan", _yi(grouped["investment_wan_yuan"]))
    grouped["projects"] = grouped["projects"].astype(int)
    return _with_total(
        grouped,
        ["projects", "investment_wan_yuan", "investment_yi_yuan", "land_mu_min", "land_mu_max"],
    )


def _framework_agreements(projects: pd.DataFrame, span: Period, lang: Lang) -> pd.DataFrame:
    signed = projects[span.contains(projects["agreement_date"])].sort_values(
        ["agreement_date", "project_id"], kind="stable"
    )
    return _project_rows(signed, lang, date_column="agreement_date")


def _parcels_at_end(zone: Zone, events: pd.DataFrame, span: Period) -> pd.DataFrame:
    parcels = pd.DataFrame(zone.parcels.drop(columns=zone.parcels.geometry.name))
    current = pd.Series(parcels["status"].to_numpy(), index=parcels["parcel_id"].to_numpy())
    parcels["status"] = status_on(current, _layer_events(events, "parcels"), span.end).to_numpy()
    return parcels


def _land_supply(
    parcels: pd.DataFrame, reservations: pd.DataFrame, policy: Any, lang: Lang
) -> pd.DataFrame:
    """Land that can still be supplied, by status: area, reserved area, months to readiness."""
    statuses = list(policy.siting.available_statuses)
    supply = parcels[parcels["status"].isin(statuses)]
    reserved = supply["parcel_id"].isin(set(reservations["parcel_id"]))
    table = pd.DataFrame({"status": statuses})
    table.insert(0, "row", table["status"].astype(object))
    table["status_label"] = _label(PARCEL_STATUS, table["status"], lang)
    readiness = policy.readiness
    table["readiness_months"] = [
        readiness.get(f"{s}_months") if f"{s}_months" in readiness else None for s in statuses
    ]
    by = supply.groupby("status")
    table["parcels"] = table["status"].map(by.size()).fillna(0).astype(int)
    table["area_mu"] = table["status"].map(by["area_mu"].sum()).fillna(0.0)
    table["reserved_mu"] = (
        table["status"].map(supply[reserved].groupby("status")["area_mu"].sum()).fillna(0.0)
    )
    table["unreserved_mu"] = table["area_mu"] - table["reserved_mu"]
    return _with_total(table, ["parcels", "area_mu", "reserved_mu", "unreserved_mu"])


def _building_status_at_end(zone: Zone, events: pd.DataFrame, span: Period) -> np.ndarray:
    buildings = zone.buildings
    current = pd.Series(buildings["status"].to_numpy(), index=buildings["building_id"].to_numpy())
    return status_on(current, _layer_events(events, "buildings"), span.end).to_numpy()


def _floor_space(
    zone: Zone, events: pd.DataFrame, span: Period, policy: Any, lang: Lang
) -> pd.DataFrame:
    buildings = pd.DataFrame(zone.buildings.drop(columns=zone.buildings.geometry.name))
    buildings["status"] = _building_status_at_end(zone, events, span)
    statuses = list(policy.floor_space_statuses)
    chosen = buildings[buildings["status"].isin(statuses)]
    by = chosen.groupby("status")
    table = pd.DataFrame({"status": statuses})
    table.insert(0, "row", table["status"].astype(object))
    table["status_label"] = _label(BUILDING_STATUS, table["status"], lang)
    table["buildings"] = table["status"].map(by.size()).fillna(0).astype(int)
    table["floor_area_m2"] = table["status"].map(by["floor_area_m2"].sum()).fillna(0.0)
    table["vacant_area_m2"] = table["status"].map(by["vacant_area_m2"].sum()).fillna(0.0)
    return _with_total(table, ["buildings", "floor_area_m2", "vacant_area_m2"])


def _revitalised(zone: Zone, events: pd.DataFrame, span: Period, lang: Lang) -> pd.DataFrame:
    """Parcels whose status left low-efficiency use in the period (盘活低效用地)."""
    history = _layer_events(events, "parcels")
    left = history[
        (history["old_status"] == "low_efficiency")
        & (history["new_status"] != "low_efficiency")
        & span.contains(history["effective_date"])
    ]
    area = zone.parcels.set_index("parcel_id")["area_mu"]
    table = pd.DataFrame(
        {
            "row": left["feature_id"].to_numpy(dtype=object),
            "parcel_id": left["feature_id"].to_numpy(dtype=object),
            "date": left["effective_date"].to_numpy(),
            "new_status": left["new_status"].to_numpy(dtype=object),
            "status_label": _label(PARCEL_STATUS, left["new_status"], lang).to_numpy(dtype=object),
            "parcels": np.ones(len(left), dtype=int),
            "area_mu": left["feature_id"].map(area).fillna(0.0).to_numpy(dtype=float),
            "event_reason": left["reason"].to_numpy(dtype=object),
        }
    )
    return _with_total(table, ["parcels", "area_mu"])


def _revitalisation_plan(
    zone: Zone, events: pd.DataFrame, span: Period, revitalised: pd.DataFrame, lang: Lang
) -> pd.DataFrame:
    """Return the plan made on the eve of the period against the land revitalised in it.

    The plan is :func:`landplan.revitalise.revitalise` on the zone as it stood the day before the
    period (statuses read back from the events), audited that day; land is planned for the period
    when its release date falls in it. Each parcel revitalised in the period counts under the mode
    the plan gave it (``not_in_plan`` where it had none). Village reserved land the plan leases
    is left out: it is let, not revitalised.
    """
    from landplan.audit import audit
    from landplan.revitalise import MODES, revitalise

    eve = span.start - dt.timedelta(days=1)
    parcels = zone.parcels
    current = pd.Series(parcels["status"].to_numpy(), index=parcels["parcel_id"].to_numpy())
    buildings = zone.buildings
    b_current = pd.Series(buildings["status"].to_numpy(), index=buildings["building_id"].to_numpy())
    before = dataclasses.replace(
        zone,
        parcels=parcels.assign(
            status=status_on(current, _layer_events(events, "parcels"), eve).to_numpy()
        ),
        buildings=buildings.assign(
            status=status_on(b_current, _layer_events(events, "buildings"), eve).to_numpy()
        ),
    )
    plan = revitalise(before, audit(before, as_of=eve), before.projects.iloc[0:0]).parcels
    # Village reserved land is leased, not revitalised: it was never low-efficiency land.
    low = plan["mode"] != "village_lease"
    planned = plan[low & span.contains(plan["land_date"]) & (plan["land_mu"] > 0)]
    done = revitalised[revitalised["row"] != TOTAL]
    done_mode = done["parcel_id"].map(plan.set_index("parcel_id")["mode"]).fillna("not_in_plan")
    modes = [*MODES.values, "not_in_plan"]
    table = pd.DataFrame({"row": modes, "mode": modes})
    table["mode_label"] = [
        MODES.label(m, lang) if m in MODES.values else ("计划外" if lang == "zh" else "not planned")
        for m in modes
    ]
    by_plan = planned.groupby("mode")
    table["planned_parcels"] = table["mode"].map(by_plan.size()).fillna(0).astype(int)
    table["planned_mu"] = table["mode"].map(by_plan["land_mu"].sum()).fillna(0.0)
    by_done = done.groupby(done_mode.to_numpy())
    table["revitalised_parcels"] = table["mode"].map(by_done.size()).fillna(0).astype(int)
    table["revitalised_mu"] = table["mode"].map(by_done["area_mu"].sum()).fillna(0.0)
    sums = ["planned_parcels", "planned_mu", "revitalised_parcels", "revitalised_mu"]
    table = table[(table[sums] != 0).any(axis=1)].reset_index(drop=True)
    return _with_total(table, sums)


def _idle_actions_due(zone: Zone, span: Period) -> pd.DataFrame:
    """Return the idle-land deadlines (闲置土地处置) falling due soon after the period's end.

    From the audit's idle-land clock as of the period's last day: parcels that become idle or
    recoverable within the policy's ``idle.deadline_window_days``.
    """
    from landplan.audit import audit

    due = audit(zone, as_of=span.end).deadlines
    kind = due["event"].map({"becomes idle": "idle", "becomes recoverable": "recovery"})
    table = pd.DataFrame(
        {
            "row": (due["parcel_id"].astype(str) + " " + kind.fillna(due["event"])).to_numpy(
                dtype=object
            ),
            "parcel_id": due["parcel_id"].to_numpy(dtype=object),
            "holder": due["holder"].to_numpy(dtype=object),
            "event": due["event"].to_numpy(dtype=object),
            "deadline": pd.to_datetime(due["deadline"]).to_numpy(),
            "days_left": due["days_left"].to_numpy(),
            "actions": np.ones(len(due), dtype=int),
            "area_mu": due["area_mu"].to_numpy(dtype=float),
            "idle_fee_wan_yuan": due["idle_fee_wan_yuan"].to_numpy(dtype=float),
        }
    )
    total = _with_total(table, ["actions", "idle_fee_wan_yuan"])
    # A parcel may reach both deadlines in the window: its land counts once.
    total.loc[total["row"] == TOTAL, "area_mu"] = float(
        due.drop_duplicates("parcel_id")["area_mu"].sum()
    )
    total.loc[total["row"] == TOTAL, "parcels"] = due["parcel_id"].nunique()
    return total


def _corridor_phases(zone: Zone) -> pd.DataFrame:
    """Return the land left phase by phase along the avenue (沿大道东扩) at the period's end."""
    from landplan.corridor import corridor

    result = corridor(zone)
    phases = pd.DataFrame(result.phases.drop(columns=result.phases.geometry.name))
    table = pd.DataFrame(
        {
            "row": [f"phase {p}" for p in phases["phase"]],
            "corridor": result.name,
            "phase": phases["phase"].to_numpy(),
            "start_m": phases["start_m"].to_numpy(),
            "end_m": phases["end_m"].to_numpy(),
            "available_mu": phases["available_mu"].to_numpy(),
            "supply_mu": phases["supply_mu"].to_numpy(),
            # Rounding leaves areas like -2e-13 where nothing is constrained.
            "constrained_mu": phases["constrained_mu"].clip(lower=0.0).to_numpy(),
            "developable_mu": phases["developable_mu"].to_numpy(),
            "vacant_floor_m2": phases["vacant_floor_m2"].to_numpy(),
        }
    )
    return _with_total(
        table, ["available_mu", "supply_mu", "constrained_mu", "developable_mu", "vacant_floor_m2"]
    )
