"""The hard rules: what a site must be for a project, judged on the site offered."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

import shapely
from shapely import STRtree

from landplan.demand import Demand, as_project, land_demand
from landplan.match._common import (
    REJECTION_COLUMNS,
    first_per_key,
    format_numbers,
    geometry_array,
    reasons_by_value,
    rejection_rows,
)
from landplan.vocab import CONSTRAINT_KIND
from landplan.zone import Zone

if TYPE_CHECKING:
    from landplan.match.sites import SiteIndex

#: Every rule that can turn a site down, and what it checks (the side of a threshold that
#: passes is given: "at least" and "within" include the threshold itself).
RULES: dict[str, str] = {
    "status": "the parcel's status is one offered for supply (siting.available_statuses)",
    "tenure": "land that can only be leased (village reserved land, collective land) goes only "
    "to projects that accept a lease",
    "land_use": "the land-use class of the parcel (for floor space, of the building's parcel) "
    "fits the project (M3 for hazardous processing)",
    "protected": "the site overlaps the ecological red line, permanent basic farmland or water "
    "protection zones by no more than siting.sliver_area_m2",
    "residential_setback": "hazardous projects' sites lie at least siting.hazardous_setback_m "
    "from homes",
    "fuel_station_setback": "storage stations' sites lie at least siting.fuel_station_setback_m "
    "from fuel stations",
    "power": "heavy users' sites lie within siting.substation_max_distance_m of a substation of "
    "their voltage",
    "area": "the site area lies in the project's window (demand, investment-intensity cap)",
    "cutout": "a parcel much larger than the demand gives a compact cut-out on its road "
    "frontage, passing every rule itself, with a usable remainder",
    "building_status": "the building has floor space to let (siting.floor_space_statuses)",
    "vacancy": "the building's vacant floor area covers the demand",
    "floor_load": "the floor load meets the project's minimum",
    "clear_height": "the clear height meets the project's minimum",
}


# --- the hard rules -----------------------------------------------------------------------------
def protected_overlaps(
    geoms: np.ndarray, cgeoms: np.ndarray, protected: np.ndarray, sliver_m2: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sites overlapping protected areas by more than ``sliver_m2`` in all.

    Returns (site, the protected area it overlaps most, the site's total overlap in m²): a
    site touching several areas by a sliver each is measured by their sum.
    """
    i, j = STRtree(cgeoms[protected]).query(geoms, predicate="intersects")
    overlap = shapely.area(shapely.intersection(geoms[i], cgeoms[protected][j]))
    total = np.bincount(i, weights=overlap, minlength=len(geoms))
    real = total[i] > sliver_m2
    i, j, overlap = i[real], j[real], overlap[real]
    first = first_per_key(i, -overlap)
    return i[first], protected[j[first]], total[i[first]]


def nearest_within(
    geoms: np.ndarray, others: np.ndarray, distance: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each geometry closer than ``distance`` to another: (position, nearest other, distance).

    A geometry at exactly ``distance`` is not closer: a setback of D m is kept at D m.
    """
    if not len(others) or not len(geoms):
        empty = np.array([], dtype=np.intp)
        return empty, empty, np.array([], dtype=float)
    i, j = STRtree(others).query(geoms, predicate="dwithin", distance=distance)
    d = shapely.distance(geoms[i], others[j])
    first = first_per_key(i, d)
    i, j, d = i[first], j[first], d[first]
    closer = d < distance
    return i[closer], j[closer], d[closer]


def nearest_of(geoms: np.ndarray, others: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """((site, nearest other), distance) for every site."""
    return STRtree(others).query_nearest(geoms, return_distance=True, all_matches=False)


def _on_supply(sites: SiteIndex | None, key: tuple, compute):
    """Compute a measure of the land on offer that no project changes, kept by the index."""
    return compute() if sites is None else sites.remember(key, compute)


@dataclass(frozen=True)
class RuleFailure:
    """Sites failing one rule: their positions and one reason each."""

    rule: str
    at: np.ndarray
    reasons: np.ndarray


def substation_choice(zone: Zone, voltage_kv: float) -> np.ndarray:
    """Which substations serve a project needing ``voltage_kv`` (every one where NaN)."""
    subs = zone.substations
    if np.isnan(voltage_kv):
        return np.ones(len(subs), dtype=bool)
    return (subs["voltage_kv"] >= voltage_kv).to_numpy(dtype=bool, na_value=False)


@dataclass(frozen=True)
class GeometryRules:
    """The geometric hard rules that apply to one project, to be judged on any site geometry.

    A site passes when it overlaps protected areas by at most ``siting.sliver_area_m2`` in all,
    lies at least each setback from the features it must keep away from, and, for a project
    with a voltage, within ``siting.substation_max_distance_m`` of a substation of that voltage.
    """

    zone: Zone
    protected: np.ndarray
    setbacks: tuple[tuple[str, np.ndarray, float, str], ...]
    voltage_kv: float
    chosen: np.ndarray

    @classmethod
    def of(cls, demand: Demand, zone: Zone) -> GeometryRules:
        """Return the geometric rules that apply to a project with this demand."""
        siting = zone.policy.siting
        kinds = zone.constraints["kind"].to_numpy(dtype=object)
        hazard = demand.hazard
        setbacks = []
        if demand.hazardous:
            setbacks.append(
                (
                    "residential_setback",
                    np.flatnonzero(kinds == "residential"),
                    float(siting.hazardous_setback_m),
                    f"a {hazard} project",
                )
            )
        if demand.storage:
            setbacks.append(
                (
                    "fuel_station_setback",
                    np.flatnonzero(kinds == "fuel_station"),
                    float(siting.fuel_station_setback_m),
                    "a storage station",
                )
            )
        return cls(
            zone=zone,
            protected=np.flatnonzero(np.isin(kinds, list(siting.blocking_constraints))),
            setbacks=tuple(setbacks),
            voltage_kv=demand.voltage_kv,
            chosen=substation_choice(zone, demand.voltage_kv),
        )

    def judge(self, geoms: np.ndarray, remember=None) -> list[RuleFailure]:
        """Every rule each site fails, with the reason; ``remember(key, compute)`` caches."""

        def measure(key, compute):
            return compute() if remember is None else remember(key, compute)

        zone = self.zone
        siting = zone.policy.siting
        cons = zone.constraints
        kinds = cons["kind"].to_numpy(dtype=object)
        cgeoms = geometry_array(cons)
        cnames = cons["name"].fillna(cons["constraint_id"]).to_numpy(dtype=object)
        failures: list[RuleFailure] = []
        if not len(geoms):
            return failures
        protected, sliver = self.protected, float(siting.sliver_area_m2)
        if len(protected):
            at, k, overlap = measure(
                ("protected", tuple(protected.tolist()), sliver),
                lambda: protected_overlaps(geoms, cgeoms, protected, sliver),
            )
            labels = pd.Series(kinds[k], dtype=object).map(lambda c: CONSTRAINT_KIND.label(c))
            failures.append(
                RuleFailure(
                    "protected",
                    at,
                    (
                        "overlaps "
                        + labels
                        + " "
                        + pd.Series(cnames[k], dtype=object)
                        + " by "
                        + format_numbers(overlap)
                        + f" m² (more than the {sliver:g} m² of a digitising sliver); "
                        "never allocatable"
                    ).to_numpy(dtype=object),
                )
            )
        for rule, near, distance_m, why in self.setbacks:
            at, j, d = measure(
                ("setback", tuple(near.tolist()), distance_m),
                lambda near=near, distance_m=distance_m: nearest_within(
                    geoms, cgeoms[near], distance_m
                ),
            )
            failures.append(
                RuleFailure(
                    rule,
                    at,
                    (
                        format_numbers(d, ",.1f")
                        + " m from "
                        + pd.Series(cnames[near][j], dtype=object)
                        + f"; {why} needs at least {distance_m:,.0f} m"
                    ).to_numpy(dtype=object),
                )
            )
        if not np.isnan(self.voltage_kv):
            failures.extend(self._power(geoms, measure))
        return failures

    def _power(self, geoms: np.ndarray, measure) -> list[RuleFailure]:
        kv = self.voltage_kv
        strong = self.zone.substations.loc[self.chosen]
        reach = float(self.zone.policy.siting.substation_max_distance_m)
        if strong.empty:
            return [
                RuleFailure(
                    "power",
                    np.arange(len(geoms)),
                    np.full(len(geoms), f"the zone has no substation of {kv:g} kV or more"),
                )
            ]
        (i, j), d = measure(
            ("power", self.chosen.tobytes()), lambda: nearest_of(geoms, geometry_array(strong))
        )
        far = d > reach
        names = strong["name"].fillna(strong["substation_id"]).to_numpy(dtype=object)
        return [
            RuleFailure(
                "power",
                i[far],
                (
                    f"nearest substation of ≥ {kv:g} kV ("
                    + pd.Series(names[j[far]], dtype=object)
                    + ") is "
                    + format_numbers(d[far])
                    + f" m away; a heavy user needs one within {reach:,.0f} m"
                ).to_numpy(dtype=object),
            )
        ]

    def passing(self, geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return (passes, the first failing rule and its reason) for each site geometry."""
        ok = np.ones(len(geoms), dtype=bool)
        why = np.full(len(geoms), None, dtype=object)
        for failure in reversed(self.judge(geoms)):  # the first rule's reason is kept
            ok[failure.at] = False
            why[failure.at] = f"{failure.rule}: " + failure.reasons.astype(str)
        return ok, why


@dataclass(frozen=True)
class ParcelRules:
    """The hard rules applied to the zone's parcels, as whole parcels.

    ``offered`` holds the parcels whose own attributes (status, tenure, land-use class) suit
    the project: any part of them may be offered. ``whole`` holds those that pass every rule as
    they are. ``failed`` names the geometric rules each parcel fails as a whole.
    """

    offered: np.ndarray
    whole: np.ndarray
    failed: Mapping[str, np.ndarray]
    rejections: pd.DataFrame
    geometry: GeometryRules


def parcel_rules(
    demand: Demand,
    zone: Zone,
    sites: SiteIndex | None = None,
    *,
    rules: GeometryRules | None = None,
) -> ParcelRules:
    """Evaluate every hard rule but the area window on the zone's parcels.

    ``rules`` are the project's geometric rules where a match has made them already.

    Given the zone's :class:`SiteIndex`, the geometric measures of the land on offer that every
    project shares (protected overlaps, setback and substation distances) come from it.
    """
    policy = zone.policy
    siting = policy.siting
    parcels = zone.parcels
    ids = parcels["parcel_id"].to_numpy(dtype=object)
    status = parcels["status"].to_numpy(dtype=object)
    unsuited = np.zeros(len(parcels), dtype=bool)
    found: list[pd.DataFrame] = []

    def reject(bad: np.ndarray, rule: str, reasons) -> None:
        unsuited[bad] = True
        found.append(rejection_rows(ids[bad], rule, reasons))

    offered = list(siting.available_statuses)

    def status_rule() -> tuple[np.ndarray, pd.DataFrame]:
        bad = ~np.isin(status, offered)
        at = np.flatnonzero(bad)
        reasons = reasons_by_value(
            status[at],
            lambda s: f"status {s} is not offered for supply (offered: {', '.join(offered)})",
        )
        return bad, rejection_rows(ids[at], "status", reasons)

    bad, status_rejections = _on_supply(sites, ("status", tuple(offered)), status_rule)
    unsuited[bad] = True
    found.append(status_rejections)
    # Later rules run on land offered for supply only: an occupied parcel needs no further reason.
    supply = ~bad

    if demand.tenure_ok == "buy":
        lease_only = np.isin(status, list(siting.lease_only_statuses)) | (
            parcels["tenure"].to_numpy(dtype=object) == "collective"
        )
        reject(
            np.flatnonzero(supply & lease_only),
            "tenure",
            "village reserved or collective land is supplied by lease only (at most "
            f"{siting.lease_max_years} years, {policy.source('siting.lease_max_years')}); "
            "the project must buy its land (tenure_ok = buy)",
        )

    allowed = list(demand.land_use)
    land_use = parcels["land_use"].to_numpy(dtype=object)
    wrong_use = np.flatnonzero(supply & ~np.isin(land_use, allowed))
    reject(wrong_use, "land_use", land_use_reasons(land_use[wrong_use], demand.hazard, allowed))

    pos = np.flatnonzero(supply)
    rules = GeometryRules.of(demand, zone) if rules is None else rules
    failed: dict[str, np.ndarray] = {}
    whole_bad = unsuited.copy()
    remember = None if sites is None else sites.remember
    for failure in rules.judge(geometry_array(parcels)[pos], remember):
        at = pos[failure.at]
        mask = failed.setdefault(failure.rule, np.zeros(len(parcels), dtype=bool))
        mask[at] = True
        whole_bad[at] = True
        found.append(rejection_rows(ids[at], failure.rule, failure.reasons))
    rejections = (
        pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=REJECTION_COLUMNS)
    )
    return ParcelRules(
        offered=~unsuited, whole=~whole_bad, failed=failed, rejections=rejections, geometry=rules
    )


def land_use_reasons(land_use: np.ndarray, hazard: str, allowed: list[str]) -> np.ndarray:
    """Say, for each land-use class, why it does not suit the project."""
    return reasons_by_value(
        land_use,
        lambda lu: (
            f"land-use class {lu or 'not recorded'} does not suit a project with hazard "
            f"{hazard}: it needs one of {', '.join(allowed)}"
        ),
    )


def feasible_parcels(project: pd.Series | Mapping, zone: Zone) -> tuple[pd.Series, pd.DataFrame]:
    """Apply the hard rules (all but the area window) to every parcel of the zone, whole.

    The ``status`` rule runs on every parcel; the others on parcels offered for supply, so an
    occupied parcel is turned down by its status alone. The area window is not applied here:
    a parcel too small alone may join an assembly, one too large may give a cut-out (and a
    cut-out, judged on its own polygon, may pass a geometric rule its parcel fails as a whole).

    Parameters
    ----------
    project
        A row of ``zone.projects`` or a mapping of project columns.
    zone
        The zone and its policy.

    Returns
    -------
    mask : Series of bool
        Indexed like ``zone.parcels``; True where the whole parcel passes every rule.
    rejections : DataFrame
        One row per failed rule and parcel: ``parcel_id``, ``building_id`` (empty), ``rule``
        (a key of :data:`RULES`) and ``reason``.
    """
    project = as_project(project, policy=zone.policy)
    demand = land_demand(project, zone.policy)
    rules = parcel_rules(demand, zone)
    return pd.Series(rules.whole, index=zone.parcels.index, name="feasible"), rules.rejections
