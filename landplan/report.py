"""The half-year report: projects signed, the pipeline, and the land and floor space left.

The zone's half-year work report ends with numbers: projects signed and their planned investment
and output, land landed (village reserved land leased among it), the pipeline with its framework
agreements, and the supply left. :func:`half_year_report` computes them from a zone and its
status history (the store's events: a project's stage changes are events like a parcel's status
changes), and writes the text around them in the report's own style, Chinese by default.

Every number in the text is a :class:`Figure`: a cell of one of the report's tables (table, row,
column), so each cites where it comes from; :func:`write_report` writes the text as Markdown and
HTML with those citations as notes, and every table behind them to an XLSX workbook.

The computation is pure (a zone, events and reservations in; a :class:`Report` out);
:func:`report_from_store` reads those from a store, and :func:`write_report` writes the files.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from landplan.errors import ReportError
from landplan.history import status_on
from landplan.labels import Lang, table_title, zh_labels
from landplan.result import TOTAL, Tables, item_values
from landplan.tables import write_workbook
from landplan.units import WAN_YUAN_PER_YI
from landplan.vocab import BUILDING_STATUS, CLUSTER, PARCEL_STATUS, PROJECT_STAGE, Vocabulary
from landplan.zone import Zone

__all__ = [
    "REPORT_LABELS",
    "Figure",
    "Period",
    "Report",
    "ReportError",
    "half_year_report",
    "parse_period",
    "report_from_store",
    "report_maps",
    "table_title",
    "write_report",
]


#: The report tables' column labels: an alias of the label registry's (:mod:`landplan.labels`).
REPORT_LABELS: dict[str, str] = zh_labels()


# --- periods -------------------------------------------------------------------------------------


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
            return f"{_zh_date(self.start, year=True)}至{_zh_date(self.end, year=True)}"
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
        raise ReportError(
            f"give a period ({period!r}) or start and end dates, not both; "
            "e.g. --period 2026H1, or --from 2026-04-01 --to 2026-05-31"
        )
    if period is not None:
        match = re.fullmatch(r"\s*(\d{4})\s*[Hh]([12])\s*", str(period))
        if match is None:
            raise ReportError(
                f"period {period!r} is not a half year; expected YYYYH1 (January to June) or "
                "YYYYH2 (July to December), e.g. 2026H1"
            )
        year, half = int(match.group(1)), match.group(2)
        first, last = ((1, 1), (6, 30)) if half == "1" else ((7, 1), (12, 31))
        return Period(dt.date(year, *first), dt.date(year, *last), f"{year}H{half}")
    if start is None or end is None:
        raise ReportError(
            "a report needs a period: --period 2026H1, or both --from and --to dates "
            f"(got from={start!r}, to={end!r})"
        )
    first_day, last_day = _date(start, "start"), _date(end, "end")
    if last_day < first_day:
        raise ReportError(
            f"the period ends ({last_day}) before it starts ({first_day}); swap the dates"
        )
    return Period(first_day, last_day, f"{first_day}..{last_day}")


def _date(value: dt.date | str, what: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ReportError(f"the {what} date {value!r} is not a date; expected YYYY-MM-DD") from None


def _zh_date(day: dt.date, *, year: bool = False) -> str:
    return f"{f'{day.year}年' if year else ''}{day.month}月{day.day}日"


# --- the result ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A number in the report's text, and the table cell it comes from.

    Attributes
    ----------
    table, row, column : str
        Where the number is: the table's name, the row's key (the ``row`` column) and the column.
    value : object
        The cell's value.
    text : str
        The number as the text shows it (rounded).
    """

    table: str
    row: str
    column: str
    value: Any
    text: str


Piece = str | Figure


@dataclass(frozen=True)
class Section:
    """A titled part of the report: paragraphs of text and figures."""

    title: str
    paragraphs: list[list[Piece]]


@dataclass(frozen=True)
class Report:
    """What :func:`half_year_report` returns.

    Attributes
    ----------
    period : Period
        The dates covered.
    lang : str
        ``zh`` or ``en``: the language of the text and labels.
    title : str
        The report's title.
    sections : list of Section
        The text, in order; its numbers are :class:`Figure` objects.
    tables : Tables
        The tables behind every number by name, each with a ``row`` key column first;
        ``total`` rows hold the sums the text quotes. A mapping (``report.tables["x"]``) that
        can also be called, as every result's ``tables()`` is.
    zone : Zone
        The zone as it stood at the end of the period (statuses read back from the events),
        for the maps.
    """

    period: Period
    lang: Lang
    title: str
    sections: list[Section]
    tables: Tables
    zone: Zone = field(repr=False)

    def __post_init__(self) -> None:
        # A plain dict given by a caller becomes callable like every result's tables().
        if not isinstance(self.tables, Tables):
            object.__setattr__(self, "tables", Tables(self.tables))

    def summary(self) -> pd.DataFrame:
        """Return every number the text quotes, by ``table.row.column``, as (item, value) rows."""
        seen: dict[str, object] = {}
        for fig in self.figures():
            seen.setdefault(f"{fig.table}.{fig.row}.{fig.column}", fig.value)
        return item_values(seen.items())

    def figures(self) -> list[Figure]:
        """Return every number of the text, in order."""
        return [
            piece
            for section in self.sections
            for paragraph in section.paragraphs
            for piece in paragraph
            if isinstance(piece, Figure)
        ]

    def notes(self) -> pd.DataFrame:
        """Return the text's citations: one note per table row cited, numbered in order.

        Returns
        -------
        pandas.DataFrame
            note, table, row, column, cell_value, text: one line per figure (a note cites one table
            row, and may cover several of its columns).
        """
        keys: dict[tuple[str, str], int] = {}
        rows = []
        for fig in self.figures():
            note = keys.setdefault((fig.table, fig.row), len(keys) + 1)
            rows.append((note, fig.table, fig.row, fig.column, fig.value, fig.text))
        return pd.DataFrame(rows, columns=["note", "table", "row", "column", "cell_value", "text"])

    def to_markdown(self, *, images: Mapping[str, str] | None = None, markers: bool = False) -> str:
        """Return the report as Markdown: the text, its tables, and where each number comes from.

        Parameters
        ----------
        images
            Map caption -> image file (a path relative to the Markdown file), shown under
            the text.
        markers
            Put a footnote ``[^n]`` after each number of the text; without, the text reads
            clean and the numbers' trace is an appendix, as in the Word document.
        """
        return _markdown(self, images or {}, markers=markers)

    def to_html(self, *, images: Mapping[str, bytes] | None = None, markers: bool = False) -> str:
        """Return the report as one self-contained HTML page (every value escaped).

        Parameters
        ----------
        images
            Map name -> PNG bytes, embedded as data URLs under the text.
        markers
            Put a linked ``[n]`` after each number of the text; the appendix tracing every
            number is there either way.
        """
        return _html(self, images or {}, markers=markers)


# --- computation ---------------------------------------------------------------------------------


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
    sections = _text(tables, span, lang, window_days=zone.policy.idle.deadline_window_days)
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


# --- text ----------------------------------------------------------------------------------------


def _fmt(value: Any, decimals: int) -> str:
    """Format a number as the text shows it: rounded, trailing zeros dropped, thousands apart."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "—"
    text = f"{float(value):,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _fig(
    tables: Mapping[str, pd.DataFrame], table: str, row: str, column: str, decimals: int = 2
) -> Figure:
    frame = tables[table]
    value = frame.loc[frame["row"] == row, column].iloc[0]
    if isinstance(value, np.generic):
        value = value.item()
    return Figure(table, row, column, value, _fmt(value, decimals))


def _rows(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["row"] != TOTAL]


# Each language's sentences, with {slots} for the figures and names. One function
# (:func:`_text`) fills them, so both languages say the same things from the same cells.
_PHRASES: dict[str, dict[str, Any]] = {
    "zh": {
        "sections": ("一、项目引进", "二、项目储备", "三、土地与厂房"),
        "none_signed": "{period}，本期无签约引进项目。",
        "none_pipeline": "截至{date}，本期无储备项目",
        "signed": "{period}，签约引进{n}个项目，计划投资{inv}亿元，预计年产值{out}亿元。其中",
        "signed_item": "{company}{name}，计划投资{inv}亿元，年产值{out}亿元",
        "signed_landed": "，已于{date}落地，用地{land}亩",
        "signed_leased": "，该项目为留用地招商项目，共租用留用地{leased}亩",
        "all_landed": "。该{landed}个项目已全部落地，共用地{land}亩，其中租用留用地{leased}亩。",
        "some_landed": "。已落地{landed}个项目，共用地{land}亩，其中租用留用地{leased}亩。",
        "pipeline": "截至{date}，共储备{n}个项目，计划总投资约{inv}亿元",
        "clusters": "，其中",
        "cluster_item": "{cluster}{n}个（计划投资{inv}亿元）",
        "pipeline_land": "，用地需求{low}至{high}亩",
        "agreements": "本期签订框架协议{n}个：其中",
        "agreement_item": "{company}{name}，计划投资{inv}亿元，年产值{out}亿元，"
        "于{date}签订框架协议",
        "supply": "期末可供应土地{parcels}宗、{area}亩，其中",
        "supply_item": "{status}{area}亩",
        "supply_end": "；已为项目预留{reserved}亩，尚未预留{unreserved}亩。"
        "可出租厂房{buildings}栋，空置面积{vacant}平方米。",
        "idle_due": "期末后{days}天内到期的闲置土地处置事项{n}项，涉及土地{parcels}宗、{area}亩。",
        "none_idle_due": "本期无期末后{days}天内到期的闲置土地处置事项。",
        "corridor": "沿{name}东扩{n}期剩余可开发土地{developable}亩，其中",
        "corridor_item": "第{phase}期{developable}亩",
        "revitalised": "本期盘活低效用地{parcels}宗、{area}亩。",
        "none_revitalised": "本期无盘活低效用地。",
        "revitalisation_plan": "期初盘活计划安排本期盘活土地{parcels}宗、{area}亩。",
        "item_sep": "；",
        "list_sep": "、",
        "end": "。",
    },
    "en": {
        "sections": ("1. Projects signed", "2. The pipeline", "3. Land and floor space"),
        "none_signed": "No project was signed in {period}.",
        "none_pipeline": "On {date} the pipeline holds no project",
        "signed": "In {period} the zone signed {n} projects with a planned investment of {inv} "
        "亿元 (hundred million CNY) and an expected annual output of {out} 亿元: ",
        "signed_item": "{name} ({company}), investment {inv} 亿元, output {out} 亿元",
        "signed_landed": ", landed on {date} on {land} mu",
        "signed_leased": ", leasing {leased} mu of village reserved land",
        "all_landed": ". All {landed} have landed, on {land} mu, of which {leased} mu is leased "
        "village reserved land.",
        "some_landed": ". {landed} of them have landed, on {land} mu, of which {leased} mu is "
        "leased village reserved land.",
        "pipeline": "On {date} the pipeline holds {n} projects with a planned investment of about "
        "{inv} 亿元",
        "clusters": ": ",
        "cluster_item": "{cluster} {n} ({inv} 亿元)",
        "pipeline_land": "; they need {low} to {high} mu",
        "agreements": "{n} framework agreements were signed in the period: ",
        "agreement_item": "{name} ({company}), investment {inv} 亿元, output {out} 亿元, signed "
        "on {date}",
        "supply": "At the end of the period {parcels} parcels, {area} mu, can be supplied: ",
        "supply_item": "{status} {area} mu",
        "supply_end": "; {reserved} mu are reserved for projects and {unreserved} mu are not. "
        "{buildings} factory buildings have {vacant} m² of vacant floor space.",
        "idle_due": "Within {days} days of the period's end, {n} idle-land deadlines fall due, "
        "on {parcels} parcels of {area} mu.",
        "none_idle_due": "No idle-land deadline falls due within {days} days of the period's end.",
        "corridor": "Along {name}, the {n} phases of the eastward expansion have {developable} mu "
        "of developable land left: ",
        "corridor_item": "phase {phase} {developable} mu",
        "revitalised": "{parcels} low-efficiency parcels, {area} mu, were revitalised in the "
        "period.",
        "none_revitalised": "No low-efficiency land was revitalised in the period.",
        "revitalisation_plan": "The revitalisation plan made at the start of the period "
        "scheduled {parcels} parcels, {area} mu, for it.",
        "item_sep": "; ",
        "list_sep": ", ",
        "end": ".",
    },
}


def _fill(template: str, **slots: Piece) -> list[Piece]:
    """Split a phrase at its ``{slots}`` and put the names and figures in."""
    parts = re.split(r"\{(\w+)\}", template)
    return [slots[p] if i % 2 else p for i, p in enumerate(parts) if p or i % 2]


def _day(day: Any, lang: Lang, *, year: bool = False) -> str:
    stamp = pd.Timestamp(day)
    if lang == "zh":
        return _zh_date(stamp.date(), year=year)
    return f"{stamp.day} {stamp:%B}" + (f" {stamp.year}" if year else "")


def _text(
    tables: Mapping[str, pd.DataFrame], span: Period, lang: Lang, *, window_days: int
) -> list[Section]:
    """Write the report's three parts from its tables, every number a :class:`Figure`."""
    say = _PHRASES[lang]
    period = span.name(lang)

    def fig(table: str, row: str, column: str, decimals: int = 2) -> Figure:
        return _fig(tables, table, row, column, decimals)

    def items(pieces: list[list[Piece]], sep: str) -> list[Piece]:
        out: list[Piece] = []
        for i, piece in enumerate(pieces):
            out += ([sep] if i else []) + piece
        return out

    signed = _rows(tables["signed_projects"])
    if signed.empty:
        first = [_fill(say["none_signed"], period=period)]
    else:
        t = "signed_projects"
        para = _fill(
            say["signed"],
            period=period,
            n=fig(t, TOTAL, "projects", 0),
            inv=fig(t, TOTAL, "investment_yi_yuan"),
            out=fig(t, TOTAL, "annual_output_yi_yuan"),
        )
        listed = []
        for row in signed.itertuples():
            item = _fill(
                say["signed_item"],
                company=row.company or "",
                name=row.project_name,
                inv=fig(t, row.row, "investment_yi_yuan"),
                out=fig(t, row.row, "annual_output_yi_yuan"),
            )
            if pd.notna(row.landed_date):
                item += _fill(
                    say["signed_landed"],
                    date=_day(row.landed_date, lang),
                    land=fig(t, row.row, "land_mu", 1),
                )
            if row.leased_village_land_mu > 0:
                item += _fill(
                    say["signed_leased"], leased=fig(t, row.row, "leased_village_land_mu", 1)
                )
            listed.append(item)
        para += items(listed, say["item_sep"])
        total = tables[t].iloc[-1]
        para += _fill(
            say["all_landed" if total["landed"] == total["projects"] else "some_landed"],
            landed=fig(t, TOTAL, "landed", 0),
            land=fig(t, TOTAL, "land_mu", 1),
            leased=fig(t, TOTAL, "leased_village_land_mu", 1),
        )
        first = [para]

    t = "pipeline_by_cluster"
    clusters = _rows(tables[t])
    if clusters.empty:
        para = _fill(say["none_pipeline"], date=_day(span.end, lang, year=True))
    else:
        para = _fill(
            say["pipeline"],
            date=_day(span.end, lang, year=True),
            n=fig(t, TOTAL, "projects", 0),
            inv=fig(t, TOTAL, "investment_yi_yuan"),
        )
        para += [
            say["clusters"],
            *items(
                [
                    _fill(
                        say["cluster_item"],
                        cluster=row.cluster_label,
                        n=fig(t, row.row, "projects", 0),
                        inv=fig(t, row.row, "investment_yi_yuan"),
                    )
                    for row in clusters.itertuples()
                ],
                say["list_sep"],
            ),
        ]
        para += _fill(
            say["pipeline_land"],
            low=fig(t, TOTAL, "land_mu_min", 1),
            high=fig(t, TOTAL, "land_mu_max", 1),
        )
    second = [[*para, say["end"]]]
    t = "framework_agreements"
    agreements = _rows(tables[t])
    if not agreements.empty:
        para = _fill(say["agreements"], n=fig(t, TOTAL, "projects", 0)) + items(
            [
                _fill(
                    say["agreement_item"],
                    company=row.company or "",
                    name=row.project_name,
                    inv=fig(t, row.row, "investment_yi_yuan"),
                    out=fig(t, row.row, "annual_output_yi_yuan"),
                    date=_day(row.agreement_date, lang),
                )
                for row in agreements.itertuples()
            ],
            say["item_sep"],
        )
        second.append([*para, say["end"]])

    t = "land_supply"
    para = _fill(
        say["supply"], parcels=fig(t, TOTAL, "parcels", 0), area=fig(t, TOTAL, "area_mu", 1)
    )
    para += items(
        [
            _fill(say["supply_item"], status=row.status_label, area=fig(t, row.row, "area_mu", 1))
            for row in _rows(tables[t]).itertuples()
        ],
        say["list_sep"],
    )
    para += _fill(
        say["supply_end"],
        reserved=fig(t, TOTAL, "reserved_mu", 1),
        unreserved=fig(t, TOTAL, "unreserved_mu", 1),
        buildings=fig("floor_space", TOTAL, "buildings", 0),
        vacant=fig("floor_space", TOTAL, "vacant_area_m2", 0),
    )
    third = [para]
    t = "idle_actions_due"
    days = str(int(window_days))
    if len(tables[t]) > 1:
        third.append(
            _fill(
                say["idle_due"],
                days=days,
                n=fig(t, TOTAL, "actions", 0),
                parcels=fig(t, TOTAL, "parcels", 0),
                area=fig(t, TOTAL, "area_mu", 1),
            )
        )
    else:
        third.append(_fill(say["none_idle_due"], days=days))
    if "corridor_phases" in tables:
        t = "corridor_phases"
        phases = _rows(tables[t])
        para = _fill(
            say["corridor"],
            name=str(phases["corridor"].iloc[0]),
            n=str(len(phases)),
            developable=fig(t, TOTAL, "developable_mu", 1),
        )
        para += items(
            [
                _fill(
                    say["corridor_item"],
                    phase=str(row.phase),
                    developable=fig(t, row.row, "developable_mu", 1),
                )
                for row in phases.itertuples()
            ],
            say["list_sep"],
        )
        third.append([*para, say["end"]])
    t = "revitalised_low_efficiency"
    if len(tables[t]) > 1:
        third.append(
            _fill(
                say["revitalised"],
                parcels=fig(t, TOTAL, "parcels", 0),
                area=fig(t, TOTAL, "area_mu", 1),
            )
        )
    else:
        third.append(_fill(say["none_revitalised"]))
    t = "revitalisation_plan"
    third.append(
        _fill(
            say["revitalisation_plan"],
            parcels=fig(t, TOTAL, "planned_parcels", 0),
            area=fig(t, TOTAL, "planned_mu", 1),
        )
    )
    return [
        Section(title, body)
        for title, body in zip(say["sections"], (first, second, third), strict=True)
    ]


# --- rendering -----------------------------------------------------------------------------------


def _note_text(report: Report) -> dict[int, str]:
    """Say where each note's numbers come from: the table and row by name, the columns."""
    from landplan.gongwen import row_name
    from landplan.labels import column_label

    notes = report.notes()
    zh = report.lang == "zh"
    out: dict[int, str] = {}
    for note, group in notes.groupby("note", sort=True):
        first = group.iloc[0]
        cells = ("；" if zh else "; ").join(
            f"{column_label(c, report.lang)} = {t}"
            for c, t in dict(zip(group["column"], group["text"], strict=True)).items()
        )
        title = table_title(first["table"], report.lang)
        row = row_name(report, first["table"], first["row"])
        out[int(note)] = (
            f"表“{title}”，{row}：{cells}" if zh else f"table “{title}”, {row}: {cells}"
        )
    return out


def _shown(table: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """Return a table as a reader sees it: labelled columns, labelled values, no keys."""
    from landplan.gongwen import annex_table

    return annex_table(table, lang)


def _md_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]|<>#])", r"\\\1", text)


_APPENDIX = ("附录：文中数字来源", "Appendix: where each number comes from")


def _markdown(report: Report, images: Mapping[str, str], *, markers: bool = False) -> str:
    notes = report.notes()
    note_of = {(r.table, r.row): r.note for r in notes.itertuples()}
    lines = [f"# {_md_escape(report.title)}", ""]
    for section in report.sections:
        lines += [f"## {_md_escape(section.title)}", ""]
        for paragraph in section.paragraphs:
            text = "".join(
                _md_escape(p.text) + (f"[^{note_of[(p.table, p.row)]}]" if markers else "")
                if isinstance(p, Figure)
                else _md_escape(p)
                for p in paragraph
            )
            lines += [text, ""]
    for caption, path in images.items():
        lines += [f"![{_md_escape(caption)}]({path.replace(' ', '%20')})", ""]
    head = "数据表" if report.lang == "zh" else "Tables"
    lines += [f"## {head}", ""]
    for name, table in report.tables.items():
        lines += [f"### {_md_escape(table_title(name, report.lang))}", ""]
        shown = _shown(table, report.lang)
        cols = [str(c) for c in shown.columns]
        lines.append("| " + " | ".join(_md_escape(c) for c in cols) + " |")
        lines.append("| " + " | ".join("---" for _ in cols) + " |")
        for row in shown.itertuples(index=False):
            lines.append("| " + " | ".join(_md_escape(str(v)) for v in row) + " |")
        lines.append("")
    if markers:
        # Footnotes: a Markdown viewer gathers them at the end, each linked from its number.
        for number, text in _note_text(report).items():
            lines.append(f"[^{number}]: {_md_escape(text)}")
        return "\n".join(lines) + "\n"
    lines += [f"## {_APPENDIX[0 if report.lang == 'zh' else 1]}", ""]
    lines += [f"{number}. {_md_escape(text)}" for number, text in _note_text(report).items()]
    return "\n".join(lines) + "\n"


_CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;max-width:60em;
margin:2em auto;padding:0 1em;line-height:1.7;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.5em}h3{font-size:1em}
sup a{text-decoration:none;font-size:.75em}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0 1.5em}
th,td{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3}tr:target{background:#fff3b0}
.notes{font-size:.85em;color:#444}figure{margin:1em 0}figure img{max-width:100%}
.wide{overflow-x:auto;max-width:100%}
@media print{body{max-width:none;margin:0}table{font-size:8pt}.wide{overflow:visible}
@page{size:A4 landscape;margin:15mm}}
"""


def _html(report: Report, images: Mapping[str, bytes], *, markers: bool = False) -> str:
    import base64

    esc = html.escape
    notes = report.notes()
    note_of = {(r.table, r.row): r.note for r in notes.itertuples()}
    anchor = {n: f"t-{_slug(t)}-{_slug(r)}" for (t, r), n in note_of.items()}
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if report.lang == "zh" else "en"}"><head><meta charset="utf-8">',
        f"<title>{esc(report.title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{esc(report.title)}</h1>",
    ]
    for section in report.sections:
        out.append(f"<h2>{esc(section.title)}</h2>")
        for paragraph in section.paragraphs:
            parts = []
            for p in paragraph:
                if isinstance(p, Figure) and not markers:
                    parts.append(esc(p.text))
                elif isinstance(p, Figure):
                    n = note_of[(p.table, p.row)]
                    parts.append(
                        f'{esc(p.text)}<sup><a href="#{anchor[n]}" title="'
                        f'{esc(f"{p.table}, {p.row}, {p.column}")}">[{n}]</a></sup>'
                    )
                else:
                    parts.append(esc(p))
            out.append(f"<p>{''.join(parts)}</p>")
    for name, png in images.items():
        data = base64.b64encode(png).decode("ascii")
        out.append(
            f'<figure><img alt="{esc(name)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{esc(name)}</figcaption></figure>"
        )
    out.append(f"<h2>{'数据表' if report.lang == 'zh' else 'Tables'}</h2>")
    for name, table in report.tables.items():
        out.append(f'<h3 id="t-{_slug(name)}">{esc(table_title(name, report.lang))}</h3>')
        # A wide table scrolls inside the page rather than widening it.
        out.append('<div class="wide"><table><thead><tr>')
        shown = _shown(table, report.lang)
        out += [f"<th>{esc(str(c))}</th>" for c in shown.columns]
        out.append("</tr></thead><tbody>")
        for key, row in zip(table["row"], shown.itertuples(index=False), strict=True):
            out.append(f'<tr id="t-{_slug(name)}-{_slug(str(key))}">')
            out += [f"<td>{esc(str(v))}</td>" for v in row]
            out.append("</tr>")
        out.append("</tbody></table></div>")
    appendix = _APPENDIX[0 if report.lang == "zh" else 1]
    out.append(f'<h2 id="appendix">{esc(appendix)}</h2><ol class="notes">')
    out += [f"<li>{esc(text)}</li>" for text in _note_text(report).values()]
    out.append("</ol></body></html>")
    return "\n".join(out) + "\n"


def _slug(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z_-]", lambda m: f"_{ord(m.group()):x}", str(text))


def report_maps(
    report: Report, out: str | os.PathLike, *, browser: str | os.PathLike | None = None
) -> dict[str, Path]:
    """Draw the maps of a report's period and take their pictures in headless Chromium.

    The maps show the zone as it stood at the end of the period (statuses and stages read back
    from the events): the overview, the corridor expansion where the zone has an avenue, and
    the audit of idle and low-efficiency land on the period's last day, and the revitalisation plan
    made from that audit.

    Parameters
    ----------
    report
        From :func:`half_year_report`.
    out
        The folder for the map pages (``map_*.html``) and their pictures (``map_*.png``).
    browser
        The Chromium executable (:func:`landplan.maps.find_browser` finds one where None).

    Returns
    -------
    dict
        Caption -> PNG file, in the report's language.

    Raises
    ------
    landplan.maps.MapError
        If Chromium or Playwright is missing, or a map fails to build.
    """
    from landplan.audit import audit
    from landplan.maps import audit_map, corridor_map, overview_map, save_map, screenshot
    from landplan.revitalise import revitalise
    from landplan.revitalise_map import revitalisation_map

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    zh = report.lang == "zh"
    zone, lang = report.zone, report.lang
    drawn = {"overview": ("园区现状总览图" if zh else "The zone", overview_map(zone, lang=lang))}
    if len(zone.corridors):
        drawn["corridor"] = (
            "沿大道东扩分期图" if zh else "Corridor expansion",
            corridor_map(zone, lang=lang),
        )
    audited = audit(zone, as_of=report.period.end)
    drawn["audit"] = (
        "闲置与低效用地图" if zh else "Idle and low-efficiency land",
        audit_map(zone, audited, lang=lang),
    )
    drawn["revitalisation"] = (
        "盘活低效用地图" if zh else "Revitalising low-efficiency land",
        revitalisation_map(zone, revitalise(zone, audited), lang=lang),
    )
    pictures: dict[str, Path] = {}
    for key, (caption, drawing) in drawn.items():
        page = save_map(drawing, folder / f"map_{key}.html")
        pictures[caption] = screenshot(page, folder / f"map_{key}.png", browser=browser)
    return pictures


def _figures_sheet(report: Report) -> pd.DataFrame:
    """Return the notes with each table and column also named in words, beside the identifiers."""
    from landplan.labels import column_label

    notes = report.notes()
    notes.insert(2, "table_title", [table_title(t, report.lang) for t in notes["table"]])
    notes.insert(5, "column_label", [column_label(c, report.lang) for c in notes["column"]])
    return notes


def write_report(
    report: Report,
    out: str | os.PathLike,
    *,
    images: Mapping[str, str | os.PathLike] | None = None,
    text: str | os.PathLike | None = None,
    markers: bool = False,
    pdf: bool = False,
    browser: str | os.PathLike | None = None,
) -> dict[str, Path]:
    """Write a report as ``report.docx``, ``report.md``, ``report.html`` and ``report.xlsx``.

    Parameters
    ----------
    report
        From :func:`half_year_report`.
    out
        The folder, created if missing.
    images
        Caption -> PNG file (:func:`report_maps`): embedded in the HTML and the Word document
        (附图), linked from the Markdown.
    text
        The office's text file (:func:`landplan.gongwen.read_office_text`): the opening,
        主要做法, 下一步工作计划, the issuing office and the date of the Word document and PDF;
        placeholders where None.
    markers
        Put ``[n]`` after each number of the Word document, PDF, Markdown and HTML, for
        auditors (the trace appendix is there either way).
    pdf
        Also write ``report.pdf`` (LibreOffice, else Chromium).
    browser
        The Chromium executable for a PDF without LibreOffice.

    Returns
    -------
    dict
        ``docx``, ``markdown``, ``html``, ``xlsx`` (and ``pdf``) -> the file written.
    """
    from landplan.gongwen import read_office_text, write_docx, write_pdf

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    office = read_office_text(text) if text is not None else None
    paths = {
        "docx": folder / "report.docx",
        "markdown": folder / "report.md",
        "html": folder / "report.html",
        "xlsx": folder / "report.xlsx",
    }
    pictures = {caption: Path(path) for caption, path in (images or {}).items()}
    links = {
        caption: os.path.relpath(path.resolve(), folder.resolve()).replace(os.sep, "/")
        for caption, path in pictures.items()
    }
    write_docx(report, paths["docx"], text=office, markers=markers, images=pictures)
    paths["markdown"].write_text(
        report.to_markdown(images=links, markers=markers), encoding="utf-8"
    )
    embedded = {caption: path.read_bytes() for caption, path in pictures.items()}
    paths["html"].write_text(report.to_html(images=embedded, markers=markers), encoding="utf-8")
    sheets = {"figures": _figures_sheet(report), **report.tables}
    end = report.period.end
    # The workbook's creation stamp is the period's end, so a rerun writes the same bytes.
    write_workbook(
        paths["xlsx"],
        sheets,
        created=dt.datetime(end.year, end.month, end.day),
        title=report.title,
    )
    if pdf:
        paths["pdf"] = write_pdf(
            report,
            folder / "report.pdf",
            docx_path=paths["docx"],
            text=office,
            markers=markers,
            browser=browser,
        )
    return paths
