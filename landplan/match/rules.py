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
from landplan.labels import Lang, compose, message, value_label
from landplan.match._common import (
    REJECTION_COLUMNS,
    first_per_key,
    format_numbers,
    geometry_array,
    named,
    reasons_by_value,
    rejection_rows,
)
from landplan.zone import Zone

if TYPE_CHECKING:
    import geopandas as gpd

    from landplan.match.sites import SiteIndex

#: Every rule that can turn a site down, and what it checks (the side of a threshold that
#: passes is given: "at least" and "within" include the threshold itself), as the label
#: registry's ``match_meaning_<rule>`` says it in English (:meth:`Candidates.rejections_by_rule`
#: says it in either language).
RULES: dict[str, str] = {
    rule: message(f"match_meaning_{rule}", "en")
    for rule in (
        "status",
        "tenure",
        "land_use",
        "protected",
        "residential_setback",
        "fuel_station_setback",
        "power",
        "area",
        "cutout",
        "building_status",
        "vacancy",
        "floor_load",
        "clear_height",
    )
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
    The reasons of the sites turned down are said in ``lang``.
    """

    zone: Zone
    protected: np.ndarray
    setbacks: tuple[tuple[str, np.ndarray, float, str], ...]
    voltage_kv: float
    chosen: np.ndarray
    lang: Lang = "zh"

    @classmethod
    def of(cls, demand: Demand, zone: Zone, lang: Lang = "zh") -> GeometryRules:
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
                    message("match_setback_hazard", lang, hazard=named("hazard", hazard, lang)),
                )
            )
        if demand.storage:
            setbacks.append(
                (
                    "fuel_station_setback",
                    np.flatnonzero(kinds == "fuel_station"),
                    float(siting.fuel_station_setback_m),
                    message("match_setback_storage", lang),
                )
            )
        return cls(
            zone=zone,
            protected=np.flatnonzero(np.isin(kinds, list(siting.blocking_constraints))),
            setbacks=tuple(setbacks),
            voltage_kv=demand.voltage_kv,
            chosen=substation_choice(zone, demand.voltage_kv),
            lang=lang,
        )

    def judge(self, geoms: np.ndarray, remember=None) -> list[RuleFailure]:
        """Every rule each site fails, with the reason; ``remember(key, compute)`` caches."""

        def measure(key, compute):
            return compute() if remember is None else remember(key, compute)

        zone, lang = self.zone, self.lang
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
            labels = reasons_by_value(kinds[k], lambda c: str(value_label("kind", c, lang)))
            failures.append(
                RuleFailure(
                    "protected",
                    at,
                    compose(
                        "match_protected",
                        lang,
                        kind=labels,
                        name=cnames[k],
                        overlap=format_numbers(overlap),
                        sliver=f"{sliver:g}",
                    ),
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
                    compose(
                        "match_setback",
                        lang,
                        distance=format_numbers(d, ",.1f"),
                        name=cnames[near][j],
                        who=why,
                        minimum=f"{distance_m:,.0f}",
                    ),
                )
            )
        if not np.isnan(self.voltage_kv):
            failures.extend(self._power(geoms, measure))
        return failures

    def beyond_power_reach(self, geoms: np.ndarray, *, spare_m: float = 0.0) -> np.ndarray:
        """Which sites lie more than ``spare_m`` beyond the power rule's reach of every substation.

        Every site where the voltage has no substation; none where the project asks for no
        voltage. A site so far away fails the power rule, and so does any piece of it.
        """
        if np.isnan(self.voltage_kv) or not len(geoms):
            return np.zeros(len(geoms), dtype=bool)
        strong, reach = self._strong_substations(), self._reach_m()
        if strong.empty:
            return np.ones(len(geoms), dtype=bool)
        (at, _nearest), distance = nearest_of(geoms, geometry_array(strong))
        out = np.zeros(len(geoms), dtype=bool)
        out[at] = distance > reach * (1.0 + 1e-9) + spare_m
        return out

    def _strong_substations(self) -> gpd.GeoDataFrame:
        return self.zone.substations.loc[self.chosen]

    def _reach_m(self) -> float:
        return float(self.zone.policy.siting.substation_max_distance_m)

    def _power(self, geoms: np.ndarray, measure) -> list[RuleFailure]:
        kv, lang = self.voltage_kv, self.lang
        strong, reach = self._strong_substations(), self._reach_m()
        if strong.empty:
            return [
                RuleFailure(
                    "power",
                    np.arange(len(geoms)),
                    np.full(
                        len(geoms), message("match_power_none", lang, kv=f"{kv:g}"), dtype=object
                    ),
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
                compose(
                    "match_power_far",
                    lang,
                    kv=f"{kv:g}",
                    name=names[j[far]],
                    distance=format_numbers(d[far]),
                    reach=f"{reach:,.0f}",
                ),
            )
        ]

    def passing(self, geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return (passes, the first failing rule and its reason) for each site geometry."""
        ok = np.ones(len(geoms), dtype=bool)
        why = np.full(len(geoms), None, dtype=object)
        for failure in reversed(self.judge(geoms)):  # the first rule's reason is kept
            ok[failure.at] = False
            why[failure.at] = compose(
                "match_rule_failed",
                self.lang,
                rule=named("rule", failure.rule, self.lang),
                reason=failure.reasons,
            )
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
    lang: Lang = "zh",
) -> ParcelRules:
    """Evaluate every hard rule but the area window on the zone's parcels.

    ``rules`` are the project's geometric rules where a match has made them already.

    Given the zone's :class:`SiteIndex`, the geometric measures of the land on offer that every
    project shares (protected overlaps, setback and substation distances) come from it. The
    reasons are said in ``lang``, or in the language of ``rules`` where given.
    """
    rules = GeometryRules.of(demand, zone, lang) if rules is None else rules
    lang = rules.lang
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
        sep = message("match_list_sep", lang)
        listed = sep.join(named("status", s, lang) for s in offered)
        reasons = reasons_by_value(
            status[at],
            lambda s: message(
                "match_status", lang, status=named("status", s, lang), offered=listed
            ),
        )
        return bad, rejection_rows(ids[at], "status", reasons)

    bad, status_rejections = _on_supply(sites, ("status", tuple(offered), lang), status_rule)
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
            message(
                "match_tenure",
                lang,
                years=siting.lease_max_years,
                source=policy.source("siting.lease_max_years"),
            ),
        )

    allowed = list(demand.land_use)
    land_use = parcels["land_use"].to_numpy(dtype=object)
    wrong_use = np.flatnonzero(supply & ~np.isin(land_use, allowed))
    reject(
        wrong_use, "land_use", land_use_reasons(land_use[wrong_use], demand.hazard, allowed, lang)
    )

    pos = np.flatnonzero(supply)
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


def land_use_reasons(
    land_use: np.ndarray, hazard: str, allowed: list[str], lang: Lang = "zh"
) -> np.ndarray:
    """Say, for each land-use class, why it does not suit the project."""
    sep = message("match_list_sep", lang)
    needed = sep.join(named("land_use", a, lang) for a in allowed)
    return reasons_by_value(
        land_use,
        lambda lu: message(
            "match_land_use" if hazard != "none" else "match_land_use_any",
            lang,
            land_use=named("land_use", lu, lang) if lu else message("match_not_recorded", lang),
            hazard=named("hazard", hazard, lang),
            allowed=needed,
        ),
    )


def feasible_parcels(
    project: pd.Series | Mapping, zone: Zone, lang: Lang = "zh"
) -> tuple[pd.Series, pd.DataFrame]:
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
    lang
        The language of the reasons.

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
    rules = parcel_rules(demand, zone, lang=lang)
    return pd.Series(rules.whole, index=zone.parcels.index, name="feasible"), rules.rejections
