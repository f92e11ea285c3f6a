"""The audit's rules: what each measures, against which policy value, from which regulation.

:data:`RULES` catalogues every rule :func:`landplan.audit.audit` applies, in report order; a
rule's name and sentence are filled with the policy's own numbers (:meth:`Rule.text`). Kept apart
from :mod:`landplan.audit` so that the label registry can name the rules without importing the
audit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

from landplan.policy import Policy

__all__ = ["RULES", "Rule", "share_text"]


@dataclass(frozen=True)
class Rule:
    """One audit rule: what it measures, against which policy value, from which regulation.

    Attributes
    ----------
    rule_id : str
        Stable identifier used in the flags table (``LE-FAR``).
    zh : str
        Chinese name, a template filled from the policy by :meth:`text`.
    indicator : str
        The indicator compared (``far``).
    unit : str
        Unit of the value and threshold.
    comparison : str
        ``"<"`` (fires below the threshold) or ``">="`` (fires at or above it).
    policy_key : str
        The policy key whose source the flag cites.
    description : str
        The rule in one sentence, a template filled from the policy by :meth:`text`.
    short : str
        Short Chinese name, fit for a worksheet's tab (at most 31 characters, none of the
        characters Excel forbids there).
    """

    rule_id: str
    zh: str
    indicator: str
    unit: str
    comparison: Literal["<", ">", ">="]
    policy_key: str
    description: str
    short: str

    def text(self, policy: Policy, lang: Literal["zh", "en"] = "zh") -> str:
        """Return the rule's name (``zh``) or sentence (``en``) with the policy's own numbers.

        Examples
        --------
        >>> policy = Policy.default().replace(**{"low_efficiency.output_share_min": 0.6})
        >>> RULES["LE-OUTPUT"].text(policy)
        '竣工满2年亩均产值低于控制值的60%'
        """
        return (self.zh if lang == "zh" else self.description).format(**_rule_numbers(policy))


def share_text(share: float) -> str:
    """Write a share as a regulation does: ``1/3`` for a third, else a percentage."""
    for n in (3, 6, 7, 9):
        if abs(share * n - round(share * n)) < 1e-9 and round(share * n) == 1:
            return f"1/{n}"
    return f"{share:.0%}" if abs(share * 100 - round(share * 100)) < 1e-9 else f"{share:.1%}"


def _rule_numbers(policy: Policy) -> dict[str, str]:
    idle, rules = policy.idle, policy.low_efficiency
    return {
        "start_grace": f"{idle.start_grace_years:g}",
        "developed": share_text(idle.developed_share_min),
        "invested": share_text(idle.invested_share_min),
        "suspended": f"{idle.suspended_years:g}",
        "overdue": f"{rules.overdue_completion_years:g}",
        "completed": f"{rules.completed_years:g}",
        "intensity": share_text(rules.intensity_share_min),
        "output": share_text(rules.output_share_min),
        "stopped": f"{rules.stopped_years:g}",
        "no_tax": f"{rules.no_tax_years:g}",
        "tax_zone": share_text(rules.tax_per_mu_share_of_zone_average),
    }


#: Every rule the audit applies, in report order.
RULES: Final[Mapping[str, Rule]] = {
    r.rule_id: r
    for r in (
        Rule(
            "IDLE-1",
            "超过约定动工日期满{start_grace}年未动工",
            "days_since_start_date",
            "days",
            ">=",
            "idle.start_grace_years",
            "not started {start_grace} full year(s) after the agreed start date (plus any "
            "extension)",
            "未按期动工",
        ),
        Rule(
            "IDLE-2",
            "已动工但开发面积不足{developed}或投资不足{invested}且中止开发满{suspended}年",
            "days_suspended",
            "days",
            ">=",
            "idle.suspended_years",
            "started, under {developed} developed or {invested} invested, and suspended "
            "{suspended} full year(s)",
            "中止开发",
        ),
        Rule(
            "LE-FAR",
            "容积率低于行业控制值",
            "far",
            "",
            "<",
            "control.far_min_by_division",
            "FAR below the minimum for the occupants' GB/T 4754 division",
            "容积率偏低",
        ),
        Rule(
            "LE-COVERAGE",
            "建筑系数低于控制值",
            "coverage",
            "",
            "<",
            "control.coverage_min",
            "building coverage below the minimum",
            "建筑系数偏低",
        ),
        Rule(
            "LE-OVERDUE",
            "超过约定竣工日期{overdue}年未竣工",
            "days_since_agreed_completion",
            "days",
            ">=",
            "low_efficiency.overdue_completion_years",
            "not completed {overdue} full year(s) after the contractual completion date (and "
            "not idle)",
            "逾期未竣工",
        ),
        Rule(
            "LE-INTENSITY",
            "竣工满{completed}年投资强度低于约定或控制值的{intensity}",
            "investment_intensity",
            "万元/亩",
            "<",
            "low_efficiency.intensity_share_min",
            "completed {completed} year(s), investment intensity under {intensity} of the "
            "contract or control value",
            "投资强度偏低",
        ),
        Rule(
            "LE-OUTPUT",
            "竣工满{completed}年亩均产值低于控制值的{output}",
            "output_per_mu",
            "万元/亩",
            "<",
            "low_efficiency.output_share_min",
            "completed {completed} year(s), output per mu under {output} of the control value",
            "亩均产值偏低",
        ),
        Rule(
            "LE-STOPPED",
            "停产或半停产{stopped}年以上",
            "days_stopped",
            "days",
            ">=",
            "low_efficiency.stopped_years",
            "an enterprise on the parcel stopped or half-stopped for {stopped} full year(s)",
            "停产半停产",
        ),
        Rule(
            "LE-NO-TAX",
            "连续{no_tax}年以上未纳税",
            "days_since_last_tax",
            "days",
            ">=",
            "low_efficiency.no_tax_years",
            "an enterprise on the parcel has paid no tax for {no_tax} full year(s)",
            "连续未纳税",
        ),
        Rule(
            "LE-TAX-ZONE",
            "亩均税收低于园区平均水平的{tax_zone}",
            "tax_per_mu",
            "万元/亩",
            "<",
            "low_efficiency.tax_per_mu_share_of_zone_average",
            "tax per mu under {tax_zone} of the zone's area-weighted average",
            "亩均税收偏低",
        ),
        Rule(
            "LE-DILAPIDATED",
            "建筑危旧",
            "dilapidated_floor_share",
            "",
            ">",
            "low_efficiency.dilapidated_floor_share_max",
            "floor area in dilapidated buildings",
            "建筑危旧",
        ),
        Rule(
            "LE-CLASS-D",
            "亩均效益评价D类",
            "rank_share",
            "",
            ">=",
            "evaluation.class_shares",
            "an enterprise on the parcel is class D (bottom of the per-mu evaluation)",
            "亩均评价D类",
        ),
    )
}
