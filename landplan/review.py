"""Admission review (入园评审) of a project on the seed report's five principles.

The review group admits a project on 产业带动强、投资强度大、财税贡献多、能耗强度低、科技含量高:

- ``industrial_leverage``: the project's cluster and the zone's chain leaders of it; passes when
  the cluster is one of ``review.clusters``;
- ``investment_intensity``: fixed-asset investment / site area (万元/亩); passes at or above
  ``control.investment_intensity_min_wan_yuan_per_mu``;
- ``fiscal_contribution``: annual tax / site area (万元/亩); passes at or above
  ``control.tax_per_mu_min_wan_yuan``;
- ``energy_intensity``: annual energy / annual output (tce/万元); passes at or below
  ``review.energy_intensity_max_tce_per_wan_yuan``;
- ``technology_content``: R&D share of revenue; passes at or above ``review.rd_share_min``, or
  with high-tech certification.

Each principle scores ``review.weights[principle] × share``, the share being 1 when it passes and
the ratio of value to threshold otherwise. The verdict is *reject* when an essential principle
(``review.essential``) fails, *admit with conditions* when another fails, *admit* otherwise. The
per-mu principles are judged on the site actually offered (``site_area_m2``); without one, on the
target area of the project's demand (:mod:`landplan.demand`).

A project whose floor demand is at most ``review.floor_space_max_m2`` is told to take standard
factory floor space rather than land of its own (国土资发〔2008〕24号).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from landplan.demand import (
    Demand,
    as_project,
    land_demand,
    project_flag,
    project_number,
    standard_factory,
)
from landplan.result import item_values
from landplan.units import m2_to_mu
from landplan.zone import Zone

__all__ = ["PRINCIPLES", "Review", "Verdict", "review"]

Verdict = Literal["admit", "admit_with_conditions", "reject"]

#: The five principles, in the report's order.
PRINCIPLES = (
    "industrial_leverage",
    "investment_intensity",
    "fiscal_contribution",
    "energy_intensity",
    "technology_content",
)

_COLUMNS = [
    "principle",
    "value",
    "unit",
    "threshold",
    "passed",
    "share",
    "weight",
    "score",
    "reason",
]


@dataclass(frozen=True)
class Review:
    """The outcome of an admission review.

    Attributes
    ----------
    project_id, name : str
        The project reviewed.
    principles : DataFrame
        One row per principle: ``principle``, ``value``, ``unit``, ``threshold``, ``passed``,
        ``share`` (0–1), ``weight``, ``score`` (weight × share) and ``reason``.
    verdict : {"admit", "admit_with_conditions", "reject"}
        The decision the principles lead to.
    score : float
        Sum of the principles' scores, out of the sum of the weights.
    site_area_m2 : float
        The site area the per-mu principles were judged on (NaN for floor space only).
    floor_space_advised : bool
        Whether the project should take standard factory floor space instead of land.
    reasons : tuple of str
        The verdict's reasons: failed principles and the floor-space advice.
    """

    project_id: str
    name: str
    principles: pd.DataFrame
    verdict: Verdict
    score: float
    site_area_m2: float
    floor_space_advised: bool
    reasons: tuple[str, ...]

    @property
    def site_area_mu(self) -> float:
        """The judged site area in mu."""
        return float(m2_to_mu(self.site_area_m2))

    def text(self) -> str:
        """One paragraph: verdict, score and reasons."""
        head = f"{self.project_id} {self.name}: {self.verdict} (score {self.score:.1f})"
        return "\n".join([head, *(f"- {r}" for r in self.reasons)])

    def summary(self) -> pd.DataFrame:
        """Return the verdict, the score, the site judged and each reason as (item, value) rows."""
        return item_values(
            [
                ("verdict", self.verdict),
                ("score", self.score),
                ("site_area_mu", self.site_area_mu),
            ]
            + [("reason", r) for r in self.reasons]
        )

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return the verdict (:meth:`summary`) and the principles, as a workbook shows them."""
        return {"verdict": self.summary(), "principles": self.principles}


def _share_at_least(value: float, threshold: float) -> float:
    return 1.0 if value >= threshold else max(value, 0.0) / threshold


def _leverage(project: pd.Series, zone: Zone) -> dict:
    policy = zone.policy.review
    cluster = project.get("cluster")
    targets = list(policy.clusters)
    ent = zone.enterprises
    leaders = ent.loc[(ent["cluster"] == cluster) & ent["chain_leader"].fillna(False).astype(bool)]
    names = leaders["name"].fillna(leaders["enterprise_id"]).astype(str).tolist()
    if not isinstance(cluster, str) or not cluster.strip():
        share = 0.0
        reason = (
            "the project names no industry cluster; the zone's target clusters are "
            f"{', '.join(targets)}"
        )
    elif cluster not in targets:
        share = 0.0
        reason = (
            f"cluster {cluster!r} is not one of the zone's target clusters ({', '.join(targets)})"
        )
    elif names:
        share = 1.0
        reason = f"{cluster} is a target cluster; chain leaders in the zone: {', '.join(names)}"
    else:
        share = float(policy.leverage_share_without_chain_leader)
        reason = f"{cluster} is a target cluster, but the zone has no chain-leader enterprise of it"
    return {
        "value": cluster,
        "unit": "cluster",
        "threshold": "one of " + ", ".join(targets),
        "passed": share > 0,
        "share": share,
        "reason": reason,
    }


def _per_mu(
    amount: float, what: str, column: str, area_mu: float, threshold: float, source: str
) -> dict:
    base = {"unit": "万元/亩", "threshold": threshold}
    if math.isnan(area_mu):
        return {
            **base,
            "value": math.nan,
            "passed": True,
            "share": 1.0,
            "reason": f"takes floor space, no land: {what} per mu does not apply",
        }
    if math.isnan(amount):
        return {
            **base,
            "value": math.nan,
            "passed": False,
            "share": 0.0,
            "reason": f"{column} not given: cannot judge {what} per mu; add it to the project",
        }
    value = amount / area_mu
    passed = value >= threshold
    word = "at least" if passed else "below"
    return {
        **base,
        "value": value,
        "passed": passed,
        "share": _share_at_least(value, threshold),
        "reason": f"{amount:,.0f} 万元 / {area_mu:.1f} 亩 = {value:,.1f} 万元/亩, "
        f"{word} the control value {threshold:g} ({source})",
    }


def _energy(project: pd.Series, zone: Zone) -> dict:
    cap = zone.policy.review.energy_intensity_max_tce_per_wan_yuan
    energy, output = (
        project_number(project, "energy_tce"),
        project_number(project, "annual_output_wan_yuan"),
    )
    base = {"unit": "tce/万元", "threshold": cap}
    missing = [
        c for c, v in (("energy_tce", energy), ("annual_output_wan_yuan", output)) if not v > 0
    ]
    if math.isnan(energy) or "annual_output_wan_yuan" in missing:
        return {
            **base,
            "value": math.nan,
            "passed": False,
            "share": 0.0,
            "reason": f"{' and '.join(missing)} not given: cannot judge energy intensity; "
            "add them to the project",
        }
    value = energy / output
    passed = value <= cap
    return {
        **base,
        "value": value,
        "passed": passed,
        "share": 1.0 if passed else cap / value,
        "reason": f"{energy:,.0f} tce / {output:,.0f} 万元 = {value:.3f} tce/万元, "
        f"{'within' if passed else 'above'} the zone cap {cap:g}",
    }


def _technology(project: pd.Series, zone: Zone) -> dict:
    minimum = zone.policy.review.rd_share_min
    rd = project_number(project, "rd_share")
    high_tech = project_flag(project, "high_tech")
    rd_ok = rd >= minimum
    passed = high_tech or rd_ok
    if high_tech:
        share = 1.0
    elif math.isnan(rd):
        share = 0.0
    else:
        share = _share_at_least(rd, minimum)
    rd_text = "R&D share not given" if math.isnan(rd) else f"R&D share {rd:.1%}"
    cert = "certified high-tech" if high_tech else "not certified high-tech"
    verdict = "meets" if passed else "misses"
    return {
        "value": rd,
        "unit": "share of revenue",
        "threshold": minimum,
        "passed": passed,
        "share": share,
        "reason": f"{rd_text} (minimum {minimum:.0%}), {cert}: {verdict} the technology principle",
    }


def review(
    project: pd.Series | Mapping,
    zone: Zone,
    *,
    site_area_m2: float | None = None,
) -> Review:
    """Review a project on the five principles and give a verdict.

    Parameters
    ----------
    project
        A row of ``zone.projects`` or a mapping of project columns (see
        :func:`landplan.demand.as_project`).
    zone
        Supplies the enterprises (chain leaders) and the policy.
    site_area_m2
        The area of the site actually offered; by default the target area of the project's
        land demand. Investment intensity and tax per mu are judged on it.

    Returns
    -------
    Review

    Raises
    ------
    InfeasibleError
        If the project states neither a land nor a floor-space demand and no site area is given.
    """
    project = as_project(project, policy=zone.policy)
    policy = zone.policy
    if site_area_m2 is None:
        demand: Demand = land_demand(project, policy)
        site_area_m2 = demand.target_m2 if demand.wants_land else math.nan
    area_mu = float(m2_to_mu(site_area_m2))
    control = policy.control
    rows = {
        "industrial_leverage": _leverage(project, zone),
        "investment_intensity": _per_mu(
            project_number(project, "fixed_investment_wan_yuan"),
            "fixed-asset investment",
            "fixed_investment_wan_yuan",
            area_mu,
            control.investment_intensity_min_wan_yuan_per_mu,
            policy.source("control.investment_intensity_min_wan_yuan_per_mu"),
        ),
        "fiscal_contribution": _per_mu(
            project_number(project, "annual_tax_wan_yuan"),
            "tax",
            "annual_tax_wan_yuan",
            area_mu,
            control.tax_per_mu_min_wan_yuan,
            policy.source("control.tax_per_mu_min_wan_yuan"),
        ),
        "energy_intensity": _energy(project, zone),
        "technology_content": _technology(project, zone),
    }
    weights = policy.review.weights
    table = pd.DataFrame(
        [{"principle": p, **rows[p], "weight": float(weights[p])} for p in PRINCIPLES]
    )
    table["score"] = table["weight"] * table["share"]
    table["passed"] = table["passed"].astype(bool)
    table = table[_COLUMNS]

    essential = set(policy.review.essential)
    failed = table.loc[~table["passed"], "principle"].tolist()
    if any(p in essential for p in failed):
        verdict: Verdict = "reject"
    elif failed:
        verdict = "admit_with_conditions"
    else:
        verdict = "admit"
    reasons = [
        f"{'essential principle' if p in essential else 'condition'} {p} fails: "
        + table.loc[table["principle"] == p, "reason"].iloc[0]
        for p in failed
    ]
    # The regulation's test on the stated floor demand, whether or not the project says it can
    # use existing buildings (Demand.standard_factory).
    floor = project_number(project, "floor_area_m2")
    floor_max = policy.review.floor_space_max_m2
    advised = standard_factory(floor, policy)
    if advised:
        reasons.append(
            f"floor demand {floor:,.0f} m² fits standard factory floor space (≤ {floor_max:,.0f} "
            f"m²): it should take floor space rather than land of its own "
            f"({policy.source('review.floor_space_max_m2')})"
        )
    if not reasons:
        reasons.append("every principle passes")
    return Review(
        project_id=str(project["project_id"]),
        name=str(project.get("name") or ""),
        principles=table,
        verdict=verdict,
        score=float(table["score"].sum()),
        site_area_m2=float(site_area_m2),
        floor_space_advised=bool(advised),
        reasons=tuple(reasons),
    )
