"""Per-mu efficiency evaluation of enterprises (亩均效益综合评价, "亩均论英雄").

The Zhejiang method (浙政发〔2018〕5号; weights as published by Huangyan district): each
indicator scores ``value / benchmark × weight``; the score is their sum; firms are classed by rank
in the zone, A (top 20%), B (20-60%), C (60-95%), D (bottom 5%), with the shares, weights and
benchmarks from the policy (``evaluation.*``). Firms not evaluated are class **T**, with the
reason: a utility (``evaluation.exempt_divisions``), in production for less than
``evaluation.min_years_in_production`` full years, or on less than ``evaluation.min_area_mu``.

Decisions (documented in ``docs/audit.md``):

- an indicator whose denominator is missing or zero (no energy use, no employees, no revenue) is
  *missing*, like one whose numerator is missing; a known zero tax is a value, not a gap;
- a missing indicator scores the average score of the evaluated firms that have it
  (``evaluation.missing = "average"``; ``"zero"`` scores it 0); the firm's ``missing_indicators``
  names it;
- a firm whose production start is unknown is evaluated (only a known recent start exempts it);
- firms with equal scores share the better class: a firm's position is the share of evaluated firms
  scoring strictly higher, and class X holds the positions below X's cumulative share.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from landplan._dates import add_months, date_strings
from landplan._format import number_text
from landplan.labels import Lang, compose, message
from landplan.policy import Policy
from landplan.units import MU_M2

__all__ = ["INDICATORS", "Indicator", "evaluate_enterprises", "industry_division"]


@dataclass(frozen=True)
class Indicator:
    """One evaluation indicator: ``numerator / denominator`` of enterprise columns.

    ``denominator`` ``"land_mu"`` is the enterprise's apportioned land in mu.
    """

    key: str
    column: str
    numerator: str
    denominator: str
    zh: str


#: The indicators the policy's ``evaluation.weights`` and ``evaluation.benchmarks`` may name.
INDICATORS: Final[Mapping[str, Indicator]] = {
    i.key: i
    for i in (
        Indicator("tax_per_mu", "tax_per_mu_wan_yuan", "tax_wan_yuan", "land_mu", "亩均税收"),
        Indicator(
            "value_added_per_mu",
            "value_added_per_mu_wan_yuan",
            "value_added_wan_yuan",
            "land_mu",
            "亩均增加值",
        ),
        Indicator(
            "value_added_per_tce",
            "value_added_per_tce_wan_yuan",
            "value_added_wan_yuan",
            "energy_tce",
            "单位能耗增加值",
        ),
        Indicator(
            "value_added_per_emission",
            "value_added_per_t_emission_wan_yuan",
            "value_added_wan_yuan",
            "emissions_t",
            "单位排放增加值",
        ),
        Indicator(
            "labour_productivity",
            "value_added_per_employee_wan_yuan",
            "value_added_wan_yuan",
            "employees",
            "全员劳动生产率",
        ),
        Indicator(
            "tax_per_mwh",
            "tax_per_mwh_wan_yuan",
            "tax_wan_yuan",
            "electricity_mwh",
            "单位电耗税收",
        ),
        Indicator(
            "rd_intensity",
            "rd_intensity",
            "rd_spend_wan_yuan",
            "revenue_wan_yuan",
            "研发经费投入强度",
        ),
    )
}

CLASSES: Final = ("A", "B", "C", "D")


def industry_division(codes: pd.Series) -> np.ndarray:
    """GB/T 4754 division (two digits, ``"33"``) of each industry code (``"3311"``, ``"C3311"``).

    Codes are parsed once per distinct value, so a zone of a million firms costs a few hundred
    string operations. Codes without two leading digits give None.
    """
    values, uniques = pd.factorize(codes, use_na_sentinel=True)
    stripped = (
        pd.Series(uniques, dtype=object)
        .astype(str)
        .str.strip()
        .str.lstrip("ABCDEFGHIJKLMNOPQRSTabcdefghijklmnopqrst")
    )
    division = stripped.str[:2].where(stripped.str.match(r"^\d{2}"), None).to_numpy(dtype=object)
    out = np.full(len(values), None, dtype=object)
    known = values >= 0
    out[known] = division[values[known]]
    return out


def _joined(clauses: list[np.ndarray], separator: str) -> np.ndarray:
    """Join the non-empty clauses of each row with ``separator``, column by column."""
    out = clauses[0].copy()
    for clause in clauses[1:]:
        out = out + np.where((out != "") & (clause != ""), separator, "") + clause
    return out


def _check_policy(policy: Policy) -> tuple[dict[str, float], dict[str, float]]:
    # Weights, benchmarks, class shares and the missing-value choice are checked when the
    # policy is loaded (Policy.validate).
    return dict(policy.evaluation.weights), dict(policy.evaluation.benchmarks)


def evaluate_enterprises(
    enterprises: pd.DataFrame,
    *,
    land_m2: np.ndarray,
    as_of: np.datetime64,
    policy: Policy,
    lang: Lang = "zh",
) -> pd.DataFrame:
    """Score and class every enterprise by the per-mu evaluation.

    Parameters
    ----------
    enterprises
        The ``enterprises`` layer.
    land_m2
        Each enterprise's apportioned land area in m² (see :func:`landplan.audit.audit`).
    as_of
        The audit date, deciding who has been in production long enough.
    policy
        Supplies ``evaluation.*``.
    lang
        Language of ``class_reason`` (``zh`` or ``en``); only that language is built.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``enterprises``: ``enterprise_id``, ``land_mu``, one column per indicator,
        ``score_<indicator>`` per weighted indicator, ``score``, ``rank``, ``evaluation_class``
        (A-D or T), ``class_reason`` and ``missing_indicators`` (the indicators lacking, by
        their columns, ``;``-joined: ``value_added_per_tce_wan_yuan``).
    """
    weights, benchmarks = _check_policy(policy)
    rules = policy.evaluation
    n = len(enterprises)
    land_mu = np.asarray(land_m2, dtype="float64") / MU_M2
    out = pd.DataFrame(
        {"enterprise_id": enterprises["enterprise_id"].to_numpy(), "land_mu": land_mu},
        index=enterprises.index,
    )

    # Who is not evaluated (class T), and why.
    division = industry_division(enterprises["industry_code"])
    utility = np.isin(division, list(rules.exempt_divisions))
    start = enterprises["production_start"].to_numpy(dtype="datetime64[ns]")
    due = add_months(start, rules.min_years_in_production * 12)
    recent = ~np.isnat(due) & (as_of < due)
    small = ~(land_mu >= rules.min_area_mu)
    evaluated = ~(utility | recent | small)

    # Each reason for not evaluating a firm is a clause; a firm may have several.
    clauses = []
    for where, key, fields in (
        (utility, "class_utility", {"division": division[utility].astype(object)}),
        (
            recent,
            "class_recent",
            {"years": rules.min_years_in_production, "since": date_strings(start[recent])},
        ),
        (
            small,
            "class_small",
            {"land": number_text(land_mu[small], 2), "minimum": f"{rules.min_area_mu:g}"},
        ),
    ):
        clause = np.full(n, "", dtype=object)
        clause[where] = compose(key, lang, **fields)
        clauses.append(clause)
    reasons = _joined([c[~evaluated] for c in clauses], message("reasons_separator", lang))
    t_reason = np.full(n, "", dtype=object)
    t_reason[~evaluated] = compose("class_not_evaluated", lang, reasons=reasons)

    score = np.zeros(n)
    missing_names = np.full(n, "", dtype=object)
    for key, indicator in INDICATORS.items():
        numerator = enterprises[indicator.numerator].to_numpy(dtype="float64", na_value=np.nan)
        if indicator.denominator == "land_mu":
            denominator = land_mu
        else:
            denominator = enterprises[indicator.denominator].to_numpy(
                dtype="float64", na_value=np.nan
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(denominator > 0, numerator / denominator, np.nan)
        out[indicator.column] = value
        if key not in weights:
            continue
        part = value / benchmarks[key] * weights[key]
        have = ~np.isnan(part)
        if rules.missing == "average" and (have & evaluated).any():
            fill = float(part[have & evaluated].mean())
        else:
            fill = 0.0
        part = np.where(have, part, fill)
        out[f"score_{key}"] = np.where(evaluated, part, np.nan)
        score += part
        gap = evaluated & ~have
        missing_names[gap] += np.where(
            missing_names[gap] == "", indicator.column, ";" + indicator.column
        )

    score = np.where(evaluated, score, np.nan)
    rank = pd.Series(score).rank(method="min", ascending=False).to_numpy()
    n_evaluated = int(evaluated.sum())
    position = (rank - 1) / max(n_evaluated, 1)
    cumulative = np.round(np.cumsum(list(rules.class_shares.values())), 12)
    cls = np.array(CLASSES, dtype=object)[
        np.minimum(np.searchsorted(cumulative, np.nan_to_num(position), side="right"), 3)
    ]
    cls[~evaluated] = "T"

    reason = t_reason
    ranked = evaluated
    reason[ranked] = compose(
        "class_ranked",
        lang,
        score=number_text(score[ranked], 1),
        rank=rank[ranked].astype(np.int64),
        n=n_evaluated,
    )
    out["score"] = score
    out["rank"] = pd.array(np.where(evaluated, rank, np.nan), dtype="Int64")
    out["evaluation_class"] = cls
    out["class_reason"] = reason
    out["missing_indicators"] = missing_names
    return out
