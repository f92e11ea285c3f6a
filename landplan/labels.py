"""The one label registry: how columns and enumeration values read, in Chinese and English.

Every document, workbook, popup and printed line names a column through :func:`column_label`
and shows an enumeration value (a status, a land-use class, a tenure, a cluster, a stage, a
candidate kind, a rule ...) through :func:`value_label`, so one column reads the same everywhere
and no internal identifier reaches a reader.

Columns of the layers take their Chinese name from the layer schemas (:mod:`landplan.layers`);
the analyses' own result columns are listed here. Values come from the controlled vocabularies
(:mod:`landplan.vocab`), the audit's and the matcher's rules, the review's principles and the
few states the analyses add.

Examples
--------
>>> column_label("parcel_id")
'地块编号'
>>> column_label("area_mu", "en")
'area (mu)'
>>> value_label("status", "idle")
'闲置'
>>> value_label("land_use", "M3")
'三类工业用地(M3)'
>>> value_label("low_efficiency_rules", "LE-FAR;LE-COVERAGE")
'容积率低于行业控制值；建筑系数低于控制值'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Final, Literal

import pandas as pd

from landplan import vocab
from landplan.kinds import KINDS

__all__ = [
    "COLUMN_LABELS",
    "VALUE_COLUMNS",
    "Lang",
    "bilingual",
    "column_label",
    "has_label",
    "header",
    "table_title",
    "translate_values",
    "value_label",
    "value_labels",
    "zh_labels",
]

Lang = Literal["zh", "en"]

_RESULT_COLUMNS: Final[Mapping[str, tuple[str, str]]] = {
    # names and generic columns shared by several layers and results
    "name": ("名称", "name"),
    "value": ("数值", "value"),
    "unit": ("单位", "unit"),
    "item": ("事项", "item"),
    "key": ("参数", "parameter"),
    "section": ("分类", "section"),
    "source": ("依据", "basis"),
    "reason": ("原因", "reason"),
    "reasons": ("理由", "reasons"),
    "detail": ("说明", "detail"),
    "note": ("注", "note"),
    "count": ("数量", "count"),
    "meaning": ("含义", "meaning"),
    "rule": ("规则", "rule"),
    "rule_id": ("规则编号", "rule id"),
    "rule_zh": ("规则", "rule"),
    "outcome": ("结果", "outcome"),
    "indicator": ("指标", "indicator"),
    "threshold": ("阈值", "threshold"),
    "missing": ("缺失数据", "missing data"),
    "kind": ("类型", "kind"),
    "score": ("得分", "score"),
    "rank": ("排名", "rank"),
    "weight": ("权重", "weight"),
    "share": ("达标比例", "share of threshold"),
    "passed": ("是否通过", "passed"),
    "principle": ("评审原则", "principle"),
    "verdict": ("评审结论", "verdict"),
    "event": ("事项", "event"),
    "deadline": ("期限", "deadline"),
    "days_left": ("剩余天数", "days left"),
    "date": ("日期", "date"),
    "row": ("行", "row"),
    "table": ("表", "table"),
    "column": ("列", "column"),
    "cell_value": ("数值", "value"),
    "table_title": ("表名", "table"),
    "column_label": ("列名", "column"),
    "text": ("文中数字", "as in the text"),
    "phase": ("分期", "phase"),
    "corridor": ("发展轴", "corridor"),
    "start_m": ("起点桩号(米)", "start (m)"),
    "end_m": ("终点桩号(米)", "end (m)"),
    "length_m": ("长度(米)", "length (m)"),
    "chainage_m": ("桩号(米)", "chainage (m)"),
    "parcels": ("地块数", "parcels"),
    "projects": ("项目数", "projects"),
    "n_projects": ("项目数", "projects"),
    "buildings": ("厂房数(栋)", "buildings"),
    "actions": ("事项数", "actions"),
    "landed": ("已落地项目数", "projects landed"),
    # the audit
    "n_buildings": ("厂房数(栋)", "buildings"),
    "far_floor_area_m2": ("计容建筑面积(平方米)", "floor area counted for FAR (m²)"),
    "far": ("容积率", "FAR"),
    "far_min_required": ("容积率控制值", "FAR minimum"),
    "far_min_basis": ("容积率控制值依据", "basis of the FAR minimum"),
    "coverage": ("建筑系数", "building coverage"),
    "vacancy": ("空置率", "vacancy"),
    "n_enterprises": ("企业数", "enterprises"),
    "investment_intensity_wan_yuan_per_mu": ("投资强度(万元/亩)", "investment intensity (万元/mu)"),
    "output_per_mu_wan_yuan": ("亩均产值(万元)", "output per mu (万元)"),
    "value_added_per_mu_wan_yuan": ("亩均增加值(万元)", "value added per mu (万元)"),
    "tax_per_mu_wan_yuan": ("亩均税收(万元)", "tax per mu (万元)"),
    "value_added_per_tce_wan_yuan": ("单位能耗增加值(万元/吨标煤)", "value added per tce (万元)"),
    "value_added_per_t_emission_wan_yuan": (
        "单位排放增加值(万元/吨)",
        "value added per t of emissions (万元)",
    ),
    "value_added_per_employee_wan_yuan": (
        "全员劳动生产率(万元/人)",
        "value added per employee (万元)",
    ),
    "tax_per_mwh_wan_yuan": ("单位电耗税收(万元/兆瓦时)", "tax per MWh (万元)"),
    "rd_intensity": ("研发经费投入强度", "R&D intensity"),
    "idle_rule": ("闲置认定条款", "idle-land rule"),
    "idle_state": ("闲置状态", "idle-land state"),
    "idle_clock_start": ("闲置计时起点", "idle clock start"),
    "idle_date": ("认定闲置日期", "idle from"),
    "days_to_idle": ("距认定闲置天数", "days to idle"),
    "recovery_date": ("无偿收回日期", "recoverable from"),
    "days_to_recovery": ("距无偿收回天数", "days to recovery"),
    "idle_fee_wan_yuan": ("土地闲置费(万元)", "idle-land fee (万元)"),
    "idle_missing": ("闲置认定缺失数据", "idle-land data missing"),
    "idle_reason": ("闲置认定说明", "idle-land explanation"),
    "low_efficiency": ("低效用地", "low-efficiency"),
    "low_efficiency_rules": ("低效认定条款", "low-efficiency rules"),
    "insufficient_rules": ("数据不足条款", "rules lacking data"),
    "evaluation_class": ("亩均评价类别", "per-mu class"),
    "per_mu_class": ("亩均评价类别", "per-mu class"),
    "target_far": ("目标容积率", "target FAR"),
    "far_gain_m2": ("提容可增建筑面积(平方米)", "floor area gained (m²)"),
    "recoverable_land_mu": ("可收回土地(亩)", "recoverable land (mu)"),
    "recoverable_basis": ("收回依据", "basis of recovery"),
    "land_mu": ("用地面积(亩)", "land (mu)"),
    "class_reason": ("分类说明", "class explanation"),
    "missing_indicators": ("缺项指标", "missing indicators"),
    "score_tax_per_mu": ("亩均税收得分", "score: tax per mu"),
    "score_value_added_per_mu": ("亩均增加值得分", "score: value added per mu"),
    "score_value_added_per_tce": ("单位能耗增加值得分", "score: value added per tce"),
    "score_value_added_per_emission": ("单位排放增加值得分", "score: value added per emission"),
    "score_labour_productivity": ("全员劳动生产率得分", "score: labour productivity"),
    "score_rd_intensity": ("研发经费投入强度得分", "score: R&D intensity"),
    "score_tax_per_mwh": ("单位电耗税收得分", "score: tax per MWh"),
    # matching and review
    "candidate_id": ("候选编号", "candidate"),
    "parcel_ids": ("地块编号", "parcels"),
    "remainder_m2": ("剩余面积(平方米)", "remainder (m²)"),
    "readiness_months": ("可供地所需月数", "months to readiness"),
    "steps": ("供地前需办理", "steps before supply"),
    "frontage_m": ("临路长度(米)", "frontage (m)"),
    "avenue_distance_m": ("距大道(米)", "distance to the avenue (m)"),
    "substation_distance_m": ("距变电站(米)", "distance to a substation (m)"),
    "cluster_enterprises": ("周边同集群企业数", "enterprises of the cluster nearby"),
    "corridor_phase": ("东扩分期", "corridor phase"),
    "score_area_fit": ("面积匹配得分", "score: area fit"),
    "score_compactness": ("形状紧凑得分", "score: compactness"),
    "score_frontage": ("临路得分", "score: frontage"),
    "score_avenue_distance": ("大道距离得分", "score: avenue distance"),
    "score_substation_distance": ("变电站距离得分", "score: substation distance"),
    "score_cluster_synergy": ("集群协同得分", "score: cluster synergy"),
    "score_readiness": ("供地时效得分", "score: readiness"),
    "score_corridor_phase": ("东扩分期得分", "score: corridor phase"),
    "score_total": ("综合得分", "total score"),
    "window_min": ("用地需求下限(亩)", "land need, lowest (mu)"),
    "target": ("用地需求目标(亩)", "land need, target (mu)"),
    "window_max": ("用地需求上限(亩)", "land need, highest (mu)"),
    "asked_max": ("项目申请上限(亩)", "asked at most (mu)"),
    "intensity_cap": ("投资强度允许上限(亩)", "cap from investment intensity (mu)"),
    "floor_area": ("厂房面积需求(平方米)", "floor space needed (m²)"),
    "voltage": ("接入电压(千伏)", "connection voltage (kV)"),
    "basis": ("需求依据", "basis"),
    "candidates": ("候选数", "candidates"),
    "site_area_mu": ("用地面积(亩)", "site area (mu)"),
    # allocation, capacity, corridor
    "best_value": ("最高匹配值", "best value"),
    "competitors": ("占用其候选地的项目", "projects holding its candidates"),
    "chosen": ("入选", "chosen"),
    "greedy": ("贪心入选", "chosen greedily"),
    "forbidden": ("已被预留", "reserved elsewhere"),
    "in_program": ("参与求解", "weighed by the solver"),
    "objective": ("目标函数值", "objective"),
    "bound": ("最优界", "bound"),
    "mip_gap": ("最优性差距", "optimality gap"),
    "status": ("状态", "status"),
    "parcel_mu": ("地块面积(亩)", "parcel land (mu)"),
    "unparcelled_mu": ("非地块面积(亩)", "land outside parcels (mu)"),
    "available_mu": ("可供应土地(亩)", "land available (mu)"),
    "supply_mu": ("供应土地含规划(亩)", "supply incl. planned (mu)"),
    "constrained_mu": ("受管控土地(亩)", "constrained land (mu)"),
    "developable_mu": ("可开发土地(亩)", "developable land (mu)"),
    "vacant_floor_m2": ("空置厂房面积(平方米)", "vacant floor space (m²)"),
    "vacant_buildings": ("空置厂房数(栋)", "vacant buildings"),
    "cumulative_developable_mu": ("累计可开发土地(亩)", "cumulative developable land (mu)"),
    "cumulative_vacant_floor_m2": ("累计空置厂房面积(平方米)", "cumulative vacant floor (m²)"),
    "ready_months": ("可供地所需月数", "months to readiness"),
    "ready_quarter": ("可供地季度", "quarter ready"),
    "floor_load_band": ("楼面荷载档", "floor load band"),
    "clear_height_band": ("净高档", "clear height band"),
    "demand": ("需求类型", "demand"),
    "demand_mu": ("用地需求(亩)", "land demand (mu)"),
    "floor_demand_m2": ("厂房需求(平方米)", "floor demand (m²)"),
    "probability": ("落地概率", "probability"),
    "expected_mu": ("期望用地需求(亩)", "expected land demand (mu)"),
    "expected_floor_m2": ("期望厂房需求(平方米)", "expected floor demand (m²)"),
    "need_quarter": ("需求季度", "quarter needed"),
    "quarter": ("季度", "quarter"),
    "ready_mu": ("当季可供地(亩)", "ready in the quarter (mu)"),
    "cumulative_supply_mu": ("累计可供地(亩)", "cumulative supply (mu)"),
    "cumulative_demand_mu": ("累计期望需求(亩)", "cumulative expected demand (mu)"),
    "balance_mu": ("供需差(亩)", "balance (mu)"),
    "shortfall_mu": ("缺口(亩)", "shortfall (mu)"),
    "closing_source": ("补缺来源", "source closing the gap"),
    "closing_quarter": ("补缺季度", "quarter the gap closes"),
    "landable_mu": ("可落地面积(亩)", "landable (mu)"),
    "start": ("起始日期", "start"),
    "expected_demand_mu": ("期望用地需求(亩)", "expected land demand (mu)"),
    "max_shortfall_mu": ("最大缺口(亩)", "largest shortfall (mu)"),
    "balance_at_horizon_mu": ("期末供需差(亩)", "balance at the horizon (mu)"),
    "pipeline_projects": ("储备项目数", "pipeline projects"),
    # the half-year report
    "cluster_label": ("产业集群名称", "cluster"),
    "stage_label": ("阶段名称", "stage"),
    "status_label": ("状态名称", "status"),
    "signed_date": ("签约日期", "signed on"),
    "landed_date": ("落地日期", "landed on"),
    "agreement_date": ("框架协议日期", "framework agreement on"),
    "stage_at_end": ("期末阶段", "stage at the end"),
    "investment_yi_yuan": ("计划投资(亿元)", "planned investment (亿元)"),
    "annual_output_yi_yuan": ("年产值(亿元)", "annual output (亿元)"),
    "site_parcels": ("落地地块", "site parcels"),
    "leased_village_land_mu": ("租用留用地(亩)", "village reserved land leased (mu)"),
    "reserved_mu": ("已预留(亩)", "reserved (mu)"),
    "unreserved_mu": ("未预留(亩)", "not reserved (mu)"),
    "new_status": ("新状态", "new status"),
    "old_status": ("原状态", "old status"),
    "event_reason": ("变更原因", "reason of the change"),
    "project_name": ("项目名称", "project"),
    "mode": ("盘活模式编码", "revitalisation mode"),
    "mode_label": ("盘活模式", "revitalisation mode (name)"),
    "planned_parcels": ("计划盘活地块数", "parcels planned"),
    "planned_mu": ("计划盘活土地(亩)", "land planned (mu)"),
    "revitalised_parcels": ("实际盘活地块数", "parcels revitalised"),
    "revitalised_mu": ("实际盘活土地(亩)", "land revitalised (mu)"),
    # the revitalisation plan's own columns (landplan.revitalise)
    "label_zh": ("项目", "item"),
    "label_en": ("项目（英文）", "item (en)"),
    "floor_added_m2": ("新增建筑面积(m²)", "floor area added"),
    "floor_let_m2": ("出租厂房面积(m²)", "floor space let"),
    "mode_zh": ("盘活模式", "mode"),
    "mode_en": ("盘活模式（英文）", "mode (en)"),
    "basis_zh": ("收回方式", "recovery basis"),
    "group_id": ("归宗地块组", "consolidated site"),
    "land_date": ("土地可用日期", "land available"),
    "floor_added_date": ("增容建成日期", "floor area built"),
    "let_date": ("可出租日期", "let from"),
    "reason_zh": ("依据", "reason (zh)"),
    "reason_en": ("依据（英文）", "reason"),
    "project_cluster": ("项目产业集群", "project cluster"),
    "modes": ("盘活模式", "modes"),
    "available_from": ("可用日期", "available from"),
    "text_zh": ("说明", "statement (zh)"),
    "text_en": ("说明（英文）", "statement"),
    "total": ("合计", "total"),
    # the corridor's capacity curve (landplan.corridor)
    "cumulative_available_mu": ("累计可供应土地(亩)", "cumulative available land (mu)"),
    # each parcel's piece of a corridor phase (CorridorResult.pieces)
    "available": ("是否可供应", "available"),
    "supply": ("是否计入供应", "counted as supply"),
    "developable_m2": ("可开发面积(平方米)", "developable area (m²)"),
}

#: Where a result's column means something narrower than the shared label says, its own words:
#: result -> column -> (Chinese, English). The revitalisation plan's ``land_mu`` is land it
#: releases, its ``projects`` the projects that could use a site.
_CONTEXT_COLUMNS: Final[Mapping[str, Mapping[str, tuple[str, str]]]] = {
    "revitalise": {
        "buildings": ("厂房数", "buildings"),
        "land_mu": ("盘活土地(亩)", "land released (mu)"),
        "parcel_id": ("地块编号", "parcel"),
        "building_id": ("厂房编号", "building"),
        "holder": ("权利人", "holder"),
        "status": ("现状", "status"),
        "area_mu": ("面积(亩)", "area (mu)"),
        "floor_area_m2": ("建筑面积(m²)", "floor area"),
        "vacant_area_m2": ("空置面积(m²)", "vacant floor area"),
        "mode": ("盘活模式", "mode"),
        "corridor_phase": ("发展轴分期", "corridor phase"),
        "agreement_date": ("协议日期", "agreement"),
        "projects": ("可用项目", "projects that could use it"),
        "project_id": ("项目编号", "project"),
        "project_name": ("项目名称", "project name"),
        "kind": ("选址类型", "kind of site"),
        "parcel_ids": ("地块", "parcels"),
        "score_total": ("匹配得分", "score"),
        "key": ("参数", "key"),
        "value": ("取值", "value"),
        "source": ("依据", "source"),
    },
    # a problem report (landplan.problem_report): what a validation or import found
    "problems": {
        "severity": ("级别", "severity"),
        "source": ("文件", "file"),
        "feature": ("要素", "feature"),
        "column": ("字段", "column"),
        "problem": ("问题", "problem"),
        "expected": ("应为", "expected"),
        "errors": ("错误", "errors"),
        "warnings": ("警告", "warnings"),
        "features": ("要素", "features"),
        "example": ("示例", "example"),
    },
}

#: Result columns and summary items: identifier -> (Chinese, English). Layer columns not listed
#: here take their Chinese name from the layer schema.
COLUMN_LABELS: Final[Mapping[str, tuple[str, str]]] = {
    **_RESULT_COLUMNS,
    **{
        f"{s}_mu": (f"{names[1]}(亩)", f"{names[0]} (mu)")
        for s, names in vocab.PARCEL_STATUS.labels.items()
    },
    **{
        f"ready_{s}_mu": (f"可供{names[1]}(亩)", f"ready {names[0]} (mu)")
        for s, names in vocab.PARCEL_STATUS.labels.items()
    },
}

_STATUS = {**vocab.BUILDING_STATUS.labels, **vocab.PARCEL_STATUS.labels}
_KIND = {
    # candidate kinds from their registry; constraint and road kinds from the vocabularies
    **{name: (k.label_en, k.label_zh) for name, k in KINDS.items()},
    **vocab.CONSTRAINT_KIND.labels,
    **vocab.ROAD_KIND.labels,
}


def _audit_rules() -> dict[str, tuple[str, str]]:
    from landplan.audit import RULES
    from landplan.policy import Policy

    # Named with the default policy's numbers; a zone's own are in its audit's rule_zh column.
    policy = Policy.default()
    return {rid: (rule.text(policy, "en"), rule.text(policy, "zh")) for rid, rule in RULES.items()}


def _match_rules() -> dict[str, tuple[str, str]]:
    zh = {
        "status": "用地状态不可供应",
        "tenure": "留用地或集体土地仅可租赁",
        "land_use": "用地性质不符",
        "protected": "涉及生态保护红线、永久基本农田或水源保护区",
        "residential_setback": "与居住区距离不足",
        "fuel_station_setback": "与加油加气站距离不足",
        "power": "距相应电压等级变电站过远",
        "area": "面积不在需求范围内",
        "cutout": "不宜分割",
        "building_status": "厂房无可出租空间",
        "vacancy": "空置面积不足",
        "floor_load": "楼面荷载不足",
        "clear_height": "净高不足",
    }
    from landplan.match import RULES

    return {r: (r.replace("_", " "), zh.get(r, r)) for r in RULES}


# Values the analyses add beyond the vocabularies: identifier -> (English, Chinese).
_EXTRA: Final[Mapping[str, Mapping[str, tuple[str, str]]]] = {
    "idle_state": {
        "recoverable": ("recoverable free of charge", "可无偿收回"),
        "idle": ("idle", "已认定闲置"),
        "not_due": ("clock running", "计时中"),
        "insufficient_data": ("insufficient data", "数据不足"),
        "not_applicable": ("not applicable", "不适用"),
    },
    "evaluation_class": {
        "A": ("A: develop first", "A类：优先发展"),
        "B": ("B: support", "B类：提升发展"),
        "C": ("C: upgrade", "C类：调整转型"),
        "D": ("D: rectify", "D类：整治淘汰"),
        "T": ("T: not evaluated", "T类：暂不评价"),
    },
    "outcome": {
        "fires": ("applies", "触发"),
        "insufficient_data": ("insufficient data", "数据不足"),
    },
    "event": {
        "becomes idle": ("becomes idle", "认定闲置"),
        "becomes recoverable": ("becomes recoverable", "可无偿收回"),
    },
    "principle": {
        "industrial_leverage": ("industrial leverage", "产业带动强"),
        "investment_intensity": ("investment intensity", "投资强度大"),
        "fiscal_contribution": ("fiscal contribution", "财税贡献多"),
        "energy_intensity": ("energy intensity", "能耗强度低"),
        "technology_content": ("technology content", "科技含量高"),
    },
    "verdict": {
        "admit": ("admit", "准予入园"),
        "admit_with_conditions": ("admit with conditions", "附条件入园"),
        "reject": ("reject", "不予入园"),
    },
    "source": {
        "optimised": ("optimised", "优化分配"),
        "fixed": ("fixed by the user", "指定"),
        "reserved": ("reserved", "已预留"),
    },
    "allocation_reason": {
        "no_feasible_site": ("no feasible site", "无可行选址"),
        "site_reserved": ("its sites are reserved", "候选地已被预留"),
        "outbid": ("its sites went to other projects", "候选地已分配给其他项目"),
        "not_selected": ("not selected", "未入选"),
    },
    "boolean": {"True": ("yes", "是"), "False": ("no", "否")},
}


@cache
def _domains() -> dict[str, dict[str, tuple[str, str]]]:
    """Each value domain: identifier -> (English, Chinese)."""
    land_use = {
        code: (f"{names[0]} ({code})", f"{names[1]}({code})")
        for code, names in vocab.LAND_USE.labels.items()
    }
    return {
        "status": {k: (v[0], v[1]) for k, v in _STATUS.items()},
        "land_use": land_use,
        "tenure": {k: (v[0], v[1]) for k, v in vocab.TENURE.labels.items()},
        "tenure_ok": {k: (v[0], v[1]) for k, v in vocab.TENURE_OK.labels.items()},
        "cluster": {k: (v[0], v[1]) for k, v in vocab.CLUSTER.labels.items()},
        "stage": {k: (v[0], v[1]) for k, v in vocab.PROJECT_STAGE.labels.items()},
        "hazard": {k: (v[0], v[1]) for k, v in vocab.HAZARD.labels.items()},
        "operating_status": {k: (v[0], v[1]) for k, v in vocab.OPERATING_STATUS.labels.items()},
        "kind": {k: (v[0], v[1]) for k, v in _KIND.items()},
        "audit_rule": _audit_rules(),
        "match_rule": _match_rules(),
        **{name: dict(values) for name, values in _EXTRA.items()},
    }


#: Which value domain each column's values belong to. ``;``-joined lists are labelled item by item.
VALUE_COLUMNS: Final[Mapping[str, str]] = {
    "status": "status",
    "new_status": "status",
    "old_status": "status",
    "land_use": "land_use",
    "tenure": "tenure",
    "tenure_ok": "tenure_ok",
    "cluster": "cluster",
    "stage": "stage",
    "stage_at_end": "stage",
    "hazard": "hazard",
    "operating_status": "operating_status",
    "kind": "kind",
    "idle_rule": "audit_rule",
    "low_efficiency_rules": "audit_rule",
    "insufficient_rules": "audit_rule",
    "rule": "match_rule",
    "idle_state": "idle_state",
    "evaluation_class": "evaluation_class",
    "per_mu_class": "evaluation_class",
    "outcome": "outcome",
    "event": "event",
    "principle": "principle",
    "verdict": "verdict",
    "source": "source",
    "reason": "allocation_reason",
    "passed": "boolean",
    "low_efficiency": "boolean",
    "chosen": "boolean",
    "greedy": "boolean",
    "forbidden": "boolean",
    "in_program": "boolean",
}


@cache
def _schema_zh() -> dict[str, str]:
    from landplan.layers import LAYERS

    out: dict[str, str] = {}
    for layer in LAYERS.values():
        for col in layer.columns:
            out.setdefault(col.name, col.zh)
    return out


_UNITS = (
    ("_wan_yuan_per_mu", " (万元/mu)"),
    ("_wan_yuan", " (万元)"),
    ("_yi_yuan", " (亿元)"),
    ("_m2", " (m²)"),
    ("_mu", " (mu)"),
    ("_kva", " (kVA)"),
    ("_kv", " (kV)"),
    ("_tce", " (tce)"),
    ("_kn_m2", " (kN/m²)"),
    ("_m", " (m)"),
)


def _english(column: str) -> str:
    for suffix, unit in _UNITS:
        if column.endswith(suffix) and len(column) > len(suffix):
            return column[: -len(suffix)].replace("_", " ") + unit
    return column.replace("_", " ")


def column_label(column: str, lang: Lang = "zh", *, context: str | None = None) -> str:
    """Return how a column is named to a reader.

    Parameters
    ----------
    column
        The column's identifier.
    lang
        ``zh`` or ``en``.
    context
        The result the column is shown for (``revitalise``), where it has words of its own.

    Returns
    -------
    str
        The label; the identifier itself where none is known.
    """
    known = _CONTEXT_COLUMNS.get(context or "", {}).get(column) or COLUMN_LABELS.get(column)
    if lang == "en":
        return known[1] if known else _english(column)
    if known:
        return known[0]
    return _schema_zh().get(column, column)


def zh_labels() -> dict[str, str]:
    """Return every known column with its Chinese label (layer schemas and result columns)."""
    return {**_schema_zh(), **{c: zh for c, (zh, _) in COLUMN_LABELS.items()}}


def bilingual(column: str, *, context: str | None = None, sep: str = " / ") -> str:
    """Return a header that reads ``中文 / English``, as the revitalisation workbook shows it.

    >>> bilingual("land_mu", context="revitalise")
    '盘活土地(亩) / land released (mu)'
    >>> bilingual("source", context="problems", sep=" ")
    '文件 file'
    """
    zh, en = (
        column_label(column, "zh", context=context),
        column_label(column, "en", context=context),
    )
    return f"{zh}{sep}{en}"


def has_label(column: str) -> bool:
    """Whether the registry knows a column (from its own list or a layer schema)."""
    return column in COLUMN_LABELS or column in _schema_zh()


def header(column: str, lang: Literal["zh", "en", "both"] = "both") -> str:
    """Return a table header: the identifier (``en``), Chinese, or ``identifier / 中文``."""
    if lang == "en" or not has_label(column):
        return column
    zh = column_label(column, "zh")
    return zh if lang == "zh" else f"{column} / {zh}"


#: The half-year report's tables (:mod:`landplan.report`), as their headings read.
_TABLE_TITLES: Final[Mapping[str, tuple[str, str]]] = {
    "signed_projects": ("签约项目", "Projects signed in the period"),
    "pipeline_projects": ("储备项目", "Pipeline projects at the end of the period"),
    "pipeline_by_cluster": ("储备项目（按产业集群）", "Pipeline by cluster"),
    "framework_agreements": ("框架协议", "Framework agreements signed in the period"),
    "land_supply": ("可供应土地", "Land that can be supplied"),
    "floor_space": ("可出租厂房", "Vacant floor space"),
    "revitalised_low_efficiency": ("盘活低效用地", "Low-efficiency land revitalised"),
    "revitalisation_plan": ("盘活计划执行", "Revitalisation against the plan"),
    "corridor_phases": ("沿大道东扩分期剩余容量", "Corridor phases: land left"),
    "idle_actions_due": ("到期闲置土地处置事项", "Idle-land deadlines falling due"),
}


def table_title(name: str, lang: Lang = "zh") -> str:
    """Return a report table's title in ``lang`` (the table's name where it has none).

    >>> table_title("land_supply")
    '可供应土地'
    """
    zh, en = _TABLE_TITLES.get(name, (name, name))
    return zh if lang == "zh" else en


def value_labels(domain: str, lang: Lang = "zh") -> dict[str, str]:
    """Return every value of a domain (``status``, ``cluster``, ``kind`` ...) with its label."""
    values = _domains()[domain]
    return {k: v[1] if lang == "zh" else v[0] for k, v in values.items()}


_LIST = re.compile(r"\s*;\s*")


def value_label(column: str, value: object, lang: Lang = "zh") -> object:
    """Return how a value of a column reads: its label, or the value where none is known.

    ``;``-joined lists (a parcel's rules) are labelled item by item and joined by ``；``.
    """
    domain = VALUE_COLUMNS.get(column)
    if domain is None or value is None or (isinstance(value, float) and pd.isna(value)):
        return value
    table = _domains()[domain]
    key = str(value)
    if key in table:
        return table[key][1 if lang == "zh" else 0]
    if ";" in key:
        parts = [p for p in _LIST.split(key) if p]
        # Only a list of known values is relabelled: free text with a ';' stays as written.
        if parts and all(p in table for p in parts):
            labels = [table[p][1 if lang == "zh" else 0] for p in parts]
            return ("；" if lang == "zh" else "; ").join(labels)
    return value


def translate_values(frame: pd.DataFrame, lang: Lang = "zh") -> pd.DataFrame:
    """Return a copy with every enumeration column's values labelled (:func:`value_label`).

    A summary's ``item`` column takes the domain of its row's ``section`` (a status under
    ``status``, a class under ``class``), or reads as a column label where the item names one.
    """
    out = frame.copy()
    for column in out.columns:
        if column in VALUE_COLUMNS:
            values = out[column].astype(str) if out[column].dtype == bool else out[column]
            out[column] = _mapped(values, column, lang)
    if "item" in out.columns and "value" in out.columns:
        # an item naming an enumeration column (``verdict``) holds one of its values
        out["value"] = [
            value_label(item, value, lang) if isinstance(item, str) else value
            for item, value in zip(frame["item"], out["value"], strict=True)
        ]
    if "item" in out.columns:
        sections = out["section"] if "section" in out.columns else pd.Series(None, index=out.index)
        out["item"] = [
            _item_label(section, item, lang)
            for section, item in zip(sections, frame["item"], strict=True)
        ]
        if "section" in out.columns:
            out["section"] = [
                column_label(_SECTION_COLUMN.get(str(s), str(s)), lang) if isinstance(s, str) else s
                for s in frame["section"]
            ]
    return out


_SECTION_COLUMN = {"class": "evaluation_class"}


def _mapped(values: pd.Series, column: str, lang: Lang) -> pd.Series:
    uniques = pd.unique(values.dropna())
    table = {u: value_label(column, u, lang) for u in uniques}
    mapped = values.map(table)
    return mapped.where(values.notna(), values).astype(object)


def _item_label(section: object, item: object, lang: Lang) -> object:
    if not isinstance(item, str):
        return item
    if isinstance(section, str):
        column = _SECTION_COLUMN.get(section, section)
        if column in VALUE_COLUMNS:
            return value_label(column, item, lang)
    if has_label(item):
        return column_label(item, lang)
    return item
