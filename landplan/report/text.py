"""The report's text in its own style, each number a cited figure."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from landplan.labels import Lang
from landplan.report.document import Figure, Piece, Section, figure_of, table_rows
from landplan.report.period import Period, zh_date
from landplan.result import TOTAL

# Each language's sentences, with {slots} for the figures and names. One function
# (:func:`report_text`) fills them, so both languages say the same things from the same cells.
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
        return zh_date(stamp.date(), year=year)
    return f"{stamp.day} {stamp:%B}" + (f" {stamp.year}" if year else "")


def report_text(
    tables: Mapping[str, pd.DataFrame], span: Period, lang: Lang, *, window_days: int
) -> list[Section]:
    """Write the report's three parts from its tables, every number a :class:`Figure`."""
    say = _PHRASES[lang]
    period = span.name(lang)

    def fig(table: str, row: str, column: str, decimals: int = 2) -> Figure:
        return figure_of(tables, table, row, column, decimals)

    def items(pieces: list[list[Piece]], sep: str) -> list[Piece]:
        out: list[Piece] = []
        for i, piece in enumerate(pieces):
            out += ([sep] if i else []) + piece
        return out

    signed = table_rows(tables["signed_projects"])
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
    clusters = table_rows(tables[t])
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
    agreements = table_rows(tables[t])
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
            for row in table_rows(tables[t]).itertuples()
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
        phases = table_rows(tables[t])
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
