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
from typing import Any, Literal

import pandas as pd

from landplan.demand import (
    Demand,
    as_project,
    land_demand,
    project_flag,
    project_number,
    standard_factory,
)
from landplan.policy import Policy
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
        The verdict's reasons: failed principles and the floor-space advice (in English; see
        :meth:`reason_lines` for either language).
    explanations : tuple of (str, dict)
        Each principle's reason as data, in the order of :data:`PRINCIPLES`: a key of the
        label registry's messages and its parameters, rendered per language by
        :meth:`principles_text`.
    verdict_reasons : tuple of (str, dict)
        The verdict's reasons as data, rendered by :meth:`reason_lines`.
    """

    project_id: str
    name: str
    principles: pd.DataFrame
    verdict: Verdict
    score: float
    site_area_m2: float
    floor_space_advised: bool
    reasons: tuple[str, ...]
    explanations: tuple[tuple[str, dict], ...] = ()
    verdict_reasons: tuple[tuple[str, dict], ...] = ()

    @property
    def site_area_mu(self) -> float:
        """The judged site area in mu."""
        return float(m2_to_mu(self.site_area_m2))

    def text(self) -> str:
        """One paragraph: verdict, score and reasons."""
        head = f"{self.project_id} {self.name}: {self.verdict} (score {self.score:.1f})"
        return "\n".join([head, *(f"- {r}" for r in self.reasons)])

    def principles_text(self, lang: Literal["zh", "en"] = "zh") -> pd.DataFrame:
        """Return the principles with reasons, units and the cluster in a language."""
        from landplan.labels import message, value_label

        out = self.principles.copy()
        out["reason"] = [_render(key, params, lang) for key, params in self.explanations]
        leverage = out["principle"] == "industrial_leverage"
        out.loc[leverage, "value"] = [
            value_label("cluster", v, lang) if isinstance(v, str) else v
            for v in out.loc[leverage, "value"]
        ]
        # The leverage's explanation carries the zone's target clusters, its threshold.
        targets = self.explanations[PRINCIPLES.index("industrial_leverage")][1]["targets"]
        out.loc[leverage, "threshold"] = _render("review_one_of", {"targets": targets}, lang)
        out["unit"] = [message(_UNITS[u], lang) if u in _UNITS else u for u in out["unit"]]
        return out

    def reason_lines(self, lang: Literal["zh", "en"] = "zh") -> list[str]:
        """Return the verdict's reasons in a language."""
        return [_render(key, params, lang) for key, params in self.verdict_reasons]

    def summary(self, lang: Literal["zh", "en"] = "zh") -> pd.DataFrame:
        """Return the verdict, the score, the site judged and each reason as (item, value) rows."""
        return item_values(
            [
                ("verdict", self.verdict),
                ("score", self.score),
                ("site_area_mu", self.site_area_mu),
            ]
            + [("reason", r) for r in self.reason_lines(lang)]
        )

    def tables(self, lang: Literal["zh", "en"] = "zh") -> dict[str, pd.DataFrame]:
        """Return the verdict (:meth:`summary`) and the principles, as a workbook shows them."""
        return {"verdict": self.summary(lang), "principles": self.principles_text(lang)}


#: The units of the principles' values, as the registry names them.
_UNITS = {
    "cluster": "review_unit_cluster",
    "share of revenue": "review_unit_share",
    "tce/万元": "review_unit_energy",
    "万元/亩": "review_unit_per_mu",
}


def _render(key: str, params: Mapping, lang: Literal["zh", "en"]) -> str:
    """Render an explanation: codes among its parameters labelled, nested reasons rendered."""
    from landplan.labels import column_label, message, value_label

    sep = "、" if lang == "zh" else ", "
    fields: dict[str, object] = {}
    for name, value in params.items():
        if name == "cluster":
            fields[name] = value_label("cluster", value, lang)
        elif name == "targets":
            fields[name] = sep.join(str(value_label("cluster", c, lang)) for c in value)
        elif name == "principle":
            fields[name] = value_label("principle", value, lang) if lang == "zh" else value
        elif name in ("column", "missing"):
            columns = [value] if isinstance(value, str) else list(value)
            shown = [column_label(c, lang) if lang == "zh" else c for c in columns]
            fields[name] = ("和" if lang == "zh" else " and ").join(shown)
        elif name == "what":
            fields[name] = message(f"review_what_{value}", lang)
        elif name == "names":
            fields[name] = sep.join(value)
        elif name == "source":
            fields[name] = value[lang]
        elif name == "reason":
            inner_key, inner_params = value
            fields[name] = _render(inner_key, inner_params, lang)
        else:
            fields[name] = value
    return message(key, lang, **fields)


def _source(policy: Policy, dotted: str) -> dict[str, str]:
    """Return a policy value's cited source in both languages, for the reason it backs."""
    from landplan.labels import policy_source

    return {lang: policy_source(policy, dotted, lang) for lang in ("zh", "en")}


def _share_at_least(value: float, threshold: float) -> float:
    return 1.0 if value >= threshold else max(value, 0.0) / threshold


def _leverage(project: pd.Series, zone: Zone) -> dict:
    policy = zone.policy.review
    cluster = project.get("cluster")
    targets = list(policy.clusters)
    ent = zone.enterprises
    leaders = ent.loc[(ent["cluster"] == cluster) & ent["chain_leader"].fillna(False).astype(bool)]
    names = leaders["name"].fillna(leaders["enterprise_id"]).astype(str).tolist()
    why: tuple[str, dict[str, Any]]
    if not isinstance(cluster, str) or not cluster.strip():
        share = 0.0
        why = ("review_no_cluster", {"targets": targets})
    elif cluster not in targets:
        share = 0.0
        why = ("review_not_target", {"cluster": cluster, "targets": targets})
    elif names:
        share = 1.0
        why = ("review_chain_leaders", {"cluster": cluster, "names": names, "targets": targets})
    else:
        share = float(policy.leverage_share_without_chain_leader)
        why = ("review_no_chain_leader", {"cluster": cluster, "targets": targets})
    return {
        "value": cluster,
        "unit": "cluster",
        "threshold": _render("review_one_of", {"targets": targets}, "en"),
        "passed": share > 0,
        "share": share,
        "why": why,
    }


def _per_mu(
    amount: float,
    what: str,
    column: str,
    area_mu: float,
    threshold: float,
    source: Mapping[str, str],
) -> dict:
    base = {"unit": "万元/亩", "threshold": threshold}
    if math.isnan(area_mu):
        return {
            **base,
            "value": math.nan,
            "passed": True,
            "share": 1.0,
            "why": ("review_floor_only", {"what": what}),
        }
    if math.isnan(amount):
        return {
            **base,
            "value": math.nan,
            "passed": False,
            "share": 0.0,
            "why": ("review_not_given", {"column": column, "what": what}),
        }
    value = amount / area_mu
    passed = value >= threshold
    numbers = {"amount": amount, "area": area_mu, "value": value, "threshold": threshold}
    return {
        **base,
        "value": value,
        "passed": passed,
        "share": _share_at_least(value, threshold),
        "why": (f"review_per_mu_{'pass' if passed else 'fail'}", {**numbers, "source": source}),
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
            "why": ("review_energy_not_given", {"missing": missing}),
        }
    value = energy / output
    passed = value <= cap
    numbers = {"energy": energy, "output": output, "value": value, "cap": cap}
    return {
        **base,
        "value": value,
        "passed": passed,
        "share": 1.0 if passed else cap / value,
        "why": (f"review_energy_{'within' if passed else 'above'}", numbers),
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
    rd_key = "review_rd_missing" if math.isnan(rd) else "review_rd"
    cert = "high_tech" if high_tech else "not_high_tech"
    key = f"review_technology_{cert}_{'meets' if passed else 'misses'}"
    return {
        "value": rd,
        "unit": "share of revenue",
        "threshold": minimum,
        "passed": passed,
        "share": share,
        "why": (key, {"reason": (rd_key, {"rd": rd}), "minimum": minimum}),
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
            "investment",
            "fixed_investment_wan_yuan",
            area_mu,
            control.investment_intensity_min_wan_yuan_per_mu,
            _source(policy, "control.investment_intensity_min_wan_yuan_per_mu"),
        ),
        "fiscal_contribution": _per_mu(
            project_number(project, "annual_tax_wan_yuan"),
            "tax",
            "annual_tax_wan_yuan",
            area_mu,
            control.tax_per_mu_min_wan_yuan,
            _source(policy, "control.tax_per_mu_min_wan_yuan"),
        ),
        "energy_intensity": _energy(project, zone),
        "technology_content": _technology(project, zone),
    }
    weights = policy.review.weights
    explanations = tuple(rows[p].pop("why") for p in PRINCIPLES)
    table = pd.DataFrame(
        [
            {
                "principle": p,
                **rows[p],
                "reason": _render(why[0], why[1], "en"),
                "weight": float(weights[p]),
            }
            for p, why in zip(PRINCIPLES, explanations, strict=True)
        ]
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
    why = dict(zip(PRINCIPLES, explanations, strict=True))
    verdict_reasons = [
        (
            "review_essential_fails" if p in essential else "review_condition_fails",
            {"principle": p, "reason": why[p]},
        )
        for p in failed
    ]
    # The regulation's test on the stated floor demand, whether or not the project says it can
    # use existing buildings (Demand.standard_factory).
    floor = project_number(project, "floor_area_m2")
    floor_max = policy.review.floor_space_max_m2
    advised = standard_factory(floor, policy)
    if advised:
        source = _source(policy, "review.floor_space_max_m2")
        verdict_reasons.append(
            ("review_floor_space", {"floor": floor, "floor_max": floor_max, "source": source})
        )
    if not verdict_reasons:
        verdict_reasons.append(("review_all_pass", {}))
    reasons = [_render(key, params, "en") for key, params in verdict_reasons]
    return Review(
        project_id=str(project["project_id"]),
        name=str(project.get("name") or ""),
        principles=table,
        verdict=verdict,
        score=float(table["score"].sum()),
        site_area_m2=float(site_area_m2),
        floor_space_advised=bool(advised),
        reasons=tuple(reasons),
        explanations=explanations,
        verdict_reasons=tuple(verdict_reasons),
    )
