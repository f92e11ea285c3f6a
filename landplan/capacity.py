"""Supply against demand: the zone's land and floor space against the pipeline, quarter by quarter.

Supply is the land of the statuses in ``capacity.supply_statuses``, each ready after its
readiness delay (``readiness.<status>_months``: state reserve land now, idle land after disposal,
low-efficiency land after redevelopment, village reserved land after a lease agreement, planned
land after acquisition), by land-use class; and the vacant floor space of buildings, by floor
load, clear height and whether they are standard factory buildings.

Demand is the pipeline (stages in ``capacity.stage_probability``) by cluster and stage, each
project's demand read once by :func:`landplan.demand.land_demand`, as matching reads it. A project
that can use floor space and needs at most ``review.floor_space_max_m2`` of it asks for floor
space (:attr:`~landplan.demand.Demand.floor_space_only`; 国土资发〔2008〕24号: projects suited to
standard factories get no land of their own); the others ask for land: the target a site is made
to (the largest area asked within the window, capped where a larger site would bring the
investment intensity below the control value; a storage station
``storage_mwh × siting.storage_mu_per_mwh``). Expected demand weights each project by the
probability of its stage; it falls due ``capacity.months_to_land[stage]`` months from the start.

The balance is kept quarter by quarter: ready supply and expected demand accumulate; where
demand runs ahead, the shortfall is closed by the first later supply that catches up, and the
table says which source (status) that is and when. Supply is shared by the clusters: each
cluster's share of ready land is its share of the expected demand so far.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from landplan.demand import Demand, land_demand
from landplan.errors import InfeasibleError, LandplanError
from landplan.result import item_values
from landplan.zone import Zone

__all__ = ["Balance", "capacity"]


@dataclass
class Balance:
    """Supply and demand of land and floor space.

    Attributes
    ----------
    start : datetime.date
        The date the balance starts from.
    supply : pandas.DataFrame
        Land supply by ``status`` and ``land_use``: ``parcels``, ``area_mu``, ``ready_months``,
        ``ready_quarter``.
    floor_space : pandas.DataFrame
        Vacant floor space by ``standard_factory``, ``floor_load_band``, ``clear_height_band``:
        ``buildings``, ``vacant_area_m2``.
    projects : pandas.DataFrame
        One row per pipeline project: ``demand`` (``land`` or ``floor_space``), ``demand_mu``,
        ``floor_demand_m2``, ``probability``, ``expected_mu``, ``expected_floor_m2``,
        ``need_quarter``.
    demand : pandas.DataFrame
        The pipeline by ``cluster`` and ``stage``: ``projects``, ``demand_mu``, ``expected_mu``,
        ``floor_demand_m2``, ``expected_floor_m2``.
    by_quarter : pandas.DataFrame
        One row per quarter of the horizon, then ``later`` (supply ready after it): ``ready_mu``
        and one ``ready_<status>_mu`` column per source,
        ``cumulative_supply_mu``, ``expected_mu``, ``cumulative_demand_mu``, ``balance_mu``,
        ``shortfall_mu``, ``closing_source``, ``closing_quarter``.
    by_cluster : pandas.DataFrame
        One row per cluster and quarter: ``expected_mu``, ``cumulative_demand_mu``,
        ``landable_mu`` (its share of the ready supply, up to its demand) and ``shortfall_mu``.
    floor_balance : pandas.DataFrame
        Vacant floor space against the expected floor-space demand (item, value).
    """

    start: dt.date
    supply: pd.DataFrame
    floor_space: pd.DataFrame
    projects: pd.DataFrame
    demand: pd.DataFrame
    by_quarter: pd.DataFrame
    by_cluster: pd.DataFrame
    floor_balance: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        """Key figures as (item, value) rows, for reports."""
        last = self.by_quarter.iloc[-1] if len(self.by_quarter) else None
        rows = [
            ("start", self.start.isoformat()),
            ("supply_mu", float(self.supply["area_mu"].sum())),
            ("vacant_floor_m2", float(self.floor_space["vacant_area_m2"].sum())),
            ("pipeline_projects", len(self.projects)),
            ("demand_mu", float(self.projects["demand_mu"].sum())),
            ("expected_demand_mu", float(self.projects["expected_mu"].sum())),
            (
                "max_shortfall_mu",
                float(self.by_quarter["shortfall_mu"].max()) if last is not None else 0.0,
            ),
            ("balance_at_horizon_mu", float(last["balance_mu"]) if last is not None else 0.0),
        ]
        return item_values(rows)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return the summary and every table of the balance, in the order a workbook shows them."""
        return {
            "summary": self.summary().astype({"value": object}),
            "by_quarter": self.by_quarter,
            "by_cluster": self.by_cluster,
            "supply": self.supply,
            "floor_space": self.floor_space,
            "demand": self.demand,
            "projects": self.projects,
            "floor_balance": self.floor_balance,
        }


def capacity(
    zone: Zone,
    projects: pd.DataFrame | None = None,
    *,
    start: dt.date,
    horizon_quarters: int | None = None,
) -> Balance:
    """Balance the zone's supply of land and floor space against the pipeline's demand.

    Parameters
    ----------
    zone
        The zone: parcels (status, land use, area), buildings (vacant floor space) and policy.
    projects
        The pipeline; ``zone.projects`` where None. Projects at stages without a
        ``capacity.stage_probability`` (landed, under construction, in production) are left out.
    start
        The date the balance starts from (quarter 1 is the quarter holding it).
    horizon_quarters
        Quarters to look ahead; the policy's ``capacity.horizon_quarters`` where None.

    Returns
    -------
    Balance

    Raises
    ------
    LandplanError
        If a supply status has no readiness delay in the policy, or the horizon is not positive.

    Examples
    --------
    >>> from landplan.sample import make_zone
    >>> zone = Zone.from_layers(make_zone(n_parcels=200))
    >>> balance = capacity(zone, start=dt.date(2026, 7, 1), horizon_quarters=4)
    >>> list(balance.by_quarter["quarter"])
    ['2026Q3', '2026Q4', '2027Q1', '2027Q2', 'later']
    """
    policy = zone.policy
    projects = zone.projects if projects is None else projects
    n_quarters = int(
        policy.capacity.horizon_quarters if horizon_quarters is None else horizon_quarters
    )
    if n_quarters < 1:
        raise LandplanError.of("plan_horizon", n=n_quarters)
    first = pd.Period(start, freq="Q")
    quarters = pd.period_range(first, periods=n_quarters, freq="Q")

    parcels = _supply_parcels(zone, start)
    supply = (
        parcels.groupby(["status", "land_use", "ready_months", "ready_quarter"], dropna=False)
        .agg(parcels=("parcel_id", "size"), area_mu=("area_mu", "sum"))
        .reset_index()
    )
    supply = supply[["status", "land_use", "parcels", "area_mu", "ready_months", "ready_quarter"]]
    pipeline = _pipeline(projects, policy, start)
    by_quarter = _by_quarter(parcels, pipeline, quarters)
    return Balance(
        start=start,
        supply=supply,
        floor_space=_floor_space(zone),
        projects=pipeline,
        demand=_demand(pipeline),
        by_quarter=by_quarter,
        by_cluster=_by_cluster(pipeline, by_quarter, quarters),
        floor_balance=_floor_balance(zone, pipeline),
    )


def _quarter_of(start: dt.date, months: pd.Series) -> pd.Series:
    dates = pd.Timestamp(start) + months.map(lambda m: pd.DateOffset(months=int(m)))
    return (
        pd.PeriodIndex(pd.DatetimeIndex(dates), freq="Q").astype(str).to_series(index=months.index)
    )


def _supply_parcels(zone: Zone, start: dt.date) -> pd.DataFrame:
    statuses = list(zone.policy.capacity.supply_statuses)
    readiness = zone.policy.readiness
    parcels = zone.parcels.loc[zone.parcels["status"].isin(statuses)]
    frame = pd.DataFrame(
        {
            "parcel_id": parcels["parcel_id"].to_numpy(),
            "status": parcels["status"].to_numpy(),
            "land_use": parcels["land_use"].astype(object).fillna("unknown").to_numpy(),
            "area_mu": parcels["area_mu"].to_numpy(dtype=float),
        }
    )
    frame["ready_months"] = frame["status"].map(
        {s: int(readiness[f"{s}_months"]) for s in statuses}
    )
    frame["ready_quarter"] = _quarter_of(start, frame["ready_months"])
    return frame


def _pipeline(projects: pd.DataFrame, policy, start: dt.date) -> pd.DataFrame:
    probability = dict(policy.capacity.stage_probability)
    months = dict(policy.capacity.months_to_land)
    p = projects.loc[projects["stage"].isin(list(probability))].reset_index(drop=True)

    # One Demand per project, as matching and the review read it (a pipeline is a few hundred
    # projects at most): the land asked is the target a site is made to, the intensity cap
    # included; a project with neither land nor floor demand asks for nothing.
    demands = [_demand_of(row, policy) for _, row in p.iterrows()]
    wants_floor = pd.Series([d is not None and d.floor_space_only for d in demands], index=p.index)
    floor_m2 = pd.Series(
        [d.floor_area_m2 if d is not None else np.nan for d in demands], index=p.index
    )
    land_mu = pd.Series(
        [d.target_mu if d is not None and d.wants_land else np.nan for d in demands],
        index=p.index,
    )
    prob = p["stage"].map(probability).astype(float)
    cluster = p["cluster"].astype(object).fillna("other") if "cluster" in p else "other"
    out = pd.DataFrame(
        {
            "project_id": p["project_id"],
            "name": p["name"] if "name" in p else p["project_id"],
            "cluster": cluster,
            "stage": p["stage"],
            "demand": np.where(wants_floor, "floor_space", "land"),
            "demand_mu": np.where(wants_floor, 0.0, land_mu.fillna(0.0)),
            "floor_demand_m2": np.where(wants_floor, floor_m2, 0.0),
            "probability": prob,
        }
    )
    out["expected_mu"] = out["demand_mu"] * out["probability"]
    out["expected_floor_m2"] = out["floor_demand_m2"] * out["probability"]
    out["need_quarter"] = _quarter_of(start, out["stage"].map(months))
    return out


def _demand_of(row: pd.Series, policy) -> Demand | None:
    try:
        return land_demand(row, policy)
    except InfeasibleError:
        return None


def _demand(pipeline: pd.DataFrame) -> pd.DataFrame:
    return (
        pipeline.groupby(["cluster", "stage"])
        .agg(
            projects=("project_id", "size"),
            demand_mu=("demand_mu", "sum"),
            expected_mu=("expected_mu", "sum"),
            floor_demand_m2=("floor_demand_m2", "sum"),
            expected_floor_m2=("expected_floor_m2", "sum"),
        )
        .reset_index()
    )


def _in_quarters(labels: pd.Series, quarters: pd.PeriodIndex) -> pd.Series:
    """Quarter label of each row, demand or supply before the first falling in the first."""
    first, last = str(quarters[0]), str(quarters[-1])
    return labels.where(labels >= first, first).where(labels <= last, "later")


def _by_quarter(parcels: pd.DataFrame, pipeline: pd.DataFrame, quarters) -> pd.DataFrame:
    labels = [str(q) for q in quarters]
    index = pd.Index([*labels, "later"], name="quarter")
    ready = (
        parcels.assign(quarter=_in_quarters(parcels["ready_quarter"], quarters))
        .pivot_table(index="quarter", columns="status", values="area_mu", aggfunc="sum")
        .reindex(index)
        .fillna(0.0)
    )
    ready.columns = [f"ready_{s}_mu" for s in ready.columns]
    table = pd.DataFrame(index=index)
    table["ready_mu"] = ready.sum(axis=1)
    table = table.join(ready)
    table["cumulative_supply_mu"] = table["ready_mu"].cumsum()
    land = pipeline.loc[pipeline["demand"] == "land"]
    need = land.groupby(_in_quarters(land["need_quarter"], quarters))["expected_mu"].sum()
    table["expected_mu"] = need.reindex(index).fillna(0.0)
    table["cumulative_demand_mu"] = table["expected_mu"].cumsum()
    table["balance_mu"] = table["cumulative_supply_mu"] - table["cumulative_demand_mu"]
    table["shortfall_mu"] = (-table["balance_mu"]).clip(lower=0.0)

    # The source closing a shortfall: the first later quarter whose cumulative supply reaches
    # this quarter's cumulative demand, and the status with most land ready in it.
    supply = table["cumulative_supply_mu"].to_numpy()
    demand = table["cumulative_demand_mu"].to_numpy()
    short = table["shortfall_mu"].to_numpy() > 1e-9
    catch = np.searchsorted(np.maximum.accumulate(supply), demand - 1e-9, side="left")
    sources = ready.to_numpy()
    names = np.array([c[len("ready_") : -len("_mu")] for c in ready.columns], dtype=object)
    closing_quarter = np.where(
        short & (catch < len(index)), index.to_numpy()[np.minimum(catch, len(index) - 1)], None
    )
    if len(names):
        top = names[np.argmax(sources[np.minimum(catch, len(index) - 1)], axis=1)]
    else:
        top = np.full(len(index), None, dtype=object)
    closing_source = np.where(short & (catch < len(index)), top, np.array(None, dtype=object))
    closing_source = np.where(
        short & (catch >= len(index)), "none: new land needed", closing_source
    )
    table["closing_source"] = closing_source
    table["closing_quarter"] = closing_quarter
    return table.reset_index()


def _by_cluster(pipeline: pd.DataFrame, by_quarter: pd.DataFrame, quarters) -> pd.DataFrame:
    land = pipeline.loc[pipeline["demand"] == "land"]
    index = by_quarter["quarter"]
    need = (
        land.assign(quarter=_in_quarters(land["need_quarter"], quarters))
        .pivot_table(index="quarter", columns="cluster", values="expected_mu", aggfunc="sum")
        .reindex(index)
        .fillna(0.0)
    )
    cumulative = need.cumsum()
    total = cumulative.sum(axis=1).to_numpy()[:, None]
    ready = by_quarter["cumulative_supply_mu"].to_numpy()[:, None]
    share = np.divide(cumulative.to_numpy(), total, out=np.zeros(cumulative.shape), where=total > 0)
    landable = np.minimum(cumulative.to_numpy(), share * ready)
    frame = pd.DataFrame(
        {
            "cluster": np.tile(need.columns.to_numpy(), len(index)),
            "quarter": np.repeat(index.to_numpy(), need.shape[1]),
            "expected_mu": need.to_numpy().ravel(),
            "cumulative_demand_mu": cumulative.to_numpy().ravel(),
            "landable_mu": landable.ravel(),
        }
    )
    frame["shortfall_mu"] = frame["cumulative_demand_mu"] - frame["landable_mu"]
    return frame.sort_values(["cluster"], kind="stable").reset_index(drop=True)


def _band(values: pd.Series, edges: list[float], unit: str) -> pd.Series:
    labels = [f"{lo:g}-{hi:g} {unit}" for lo, hi in itertools.pairwise(edges)]
    labels.append(f">={edges[-1]:g} {unit}")
    bins = [*edges, np.inf]
    banded = pd.cut(values.astype(float), bins=bins, labels=labels, right=False)
    return banded.astype(object).fillna("unknown")


def _floor_space(zone: Zone) -> pd.DataFrame:
    b = zone.buildings.loc[zone.buildings["vacant_area_m2"].fillna(0.0) > 0]
    cap = zone.policy.capacity
    frame = pd.DataFrame(
        {
            "standard_factory": b["standard_factory"].astype(object).fillna(False).astype(bool),
            "floor_load_band": _band(
                b["floor_load_kn_m2"], list(cap.floor_load_bands_kn_m2), "kN/m2"
            ),
            "clear_height_band": _band(b["clear_height_m"], list(cap.clear_height_bands_m), "m"),
            "building_id": b["building_id"],
            "vacant_area_m2": b["vacant_area_m2"].astype(float),
        }
    )
    return (
        frame.groupby(["standard_factory", "floor_load_band", "clear_height_band"])
        .agg(buildings=("building_id", "size"), vacant_area_m2=("vacant_area_m2", "sum"))
        .reset_index()
    )


def _floor_balance(zone: Zone, pipeline: pd.DataFrame) -> pd.DataFrame:
    vacant = float(zone.buildings["vacant_area_m2"].fillna(0.0).sum())
    floor = pipeline.loc[pipeline["demand"] == "floor_space"]
    expected = float(floor["expected_floor_m2"].sum())
    rows = [
        ("vacant_floor_m2", vacant),
        ("floor_space_projects", len(floor)),
        ("floor_demand_m2", float(floor["floor_demand_m2"].sum())),
        ("expected_floor_m2", expected),
        ("balance_floor_m2", vacant - expected),
    ]
    return pd.DataFrame(rows, columns=["item", "value"])
