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
import string
import sys
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Final, Literal

import numpy as np
import pandas as pd

from landplan import errors, vocab
from landplan.kinds import KINDS

if TYPE_CHECKING:
    from landplan.policy import Policy

__all__ = [
    "COLUMN_LABELS",
    "HELP",
    "MESSAGES",
    "VALUE_COLUMNS",
    "Lang",
    "bilingual",
    "column_label",
    "compose",
    "has_label",
    "header",
    "help_text",
    "message",
    "policy_source",
    "table_title",
    "translate_values",
    "value_label",
    "value_labels",
    "value_texts",
    "vocabulary_codes",
    "zh_labels",
]

Lang = Literal["zh", "en"]

_RESULT_COLUMNS: Final[Mapping[str, tuple[str, str]]] = {
    # names and generic columns shared by several layers and results
    "name": ("名称", "name"),
    "geometry": ("几何图形", "geometry"),
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
    "audit_rule": ("核查规则", "audit rule"),
    "deadlines_within_window": ("临近到期的闲置土地处置事项", "idle-land deadlines ahead"),
    "zone_tax_per_mu_wan_yuan": ("园区亩均税收(万元)", "zone tax per mu (万元)"),
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
    "solver_status": ("求解状态", "solver status"),
    "plan_verdict": ("方案结论", "verdict on the plan"),
    "greedy_objective": ("贪心方案目标函数值", "greedy objective"),
    "gain_over_greedy": ("较贪心方案提高", "gain over greedy"),
    "solve_time_s": ("求解用时(秒)", "solve time (s)"),
    "projects_placed": ("已安排项目数", "projects placed"),
    "projects_unplaced": ("未安排项目数", "projects unplaced"),
    "land_mu_placed": ("安排用地(亩)", "land placed (mu)"),
    "floor_area_m2_placed": ("安排厂房面积(平方米)", "floor space placed (m²)"),
    "candidates_dominated": ("被占优剔除的候选数", "candidates dominated"),
    "candidates_solved": ("参与求解的候选数", "candidates weighed"),
    "program_parts": ("求解分块数", "program parts"),
    "program_constraints": ("约束数", "constraints"),
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
    from landplan.audit_rules import RULES
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
    # The match's rules are those whose meaning the registry words (match_meaning_<rule>).
    prefix = "match_meaning_"
    rules = [k.removeprefix(prefix) for k in _MATCH_MESSAGES if k.startswith(prefix)]
    return {r: (r.replace("_", " "), zh.get(r, r)) for r in rules}


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
    "solver_status": {
        "optimal": ("proven optimal", "已证明最优"),
        "time_limit": ("time limit", "达到求解时限"),
        "gap_limit": ("stopped at the allowed gap", "达到允许的最优性差距"),
    },
    "allocation_reason": {
        "no_feasible_site": ("no feasible site", "无可行选址"),
        "site_reserved": ("its sites are reserved", "候选地已被预留"),
        "outbid": ("its sites went to other projects", "候选地已分配给其他项目"),
        "not_selected": ("not selected", "未入选"),
    },
    "boolean": {"True": ("yes", "是"), "False": ("no", "否")},
    "unit": {"days": ("days", "天")},
    "demand": {
        "land": ("land", "用地"),
        "floor_space": ("floor space", "厂房"),
    },
    "indicator": {
        "coverage": ("building coverage", "建筑系数"),
        "days_since_agreed_completion": (
            "days since the agreed completion",
            "超过约定竣工日期天数",
        ),
        "days_since_last_tax": ("days since the last tax paid", "距最近一次纳税天数"),
        "days_since_start_date": ("days since the start date", "距约定动工日期天数"),
        "days_stopped": ("days stopped", "停产天数"),
        "days_suspended": ("days suspended", "停工天数"),
        "dilapidated_floor_share": ("share of dilapidated floor area", "危旧建筑面积占比"),
        "far": ("FAR", "容积率"),
        "investment_intensity": ("investment intensity", "投资强度"),
        "output_per_mu": ("output per mu", "亩均产值"),
        "rank_share": ("rank in the zone (share)", "园区排名位次（比例）"),
        "tax_per_mu": ("tax per mu", "亩均税收"),
    },
    "import_mode": {
        "replace": ("replace", "替换"),
        "append": ("append", "追加"),
        "upsert": ("upsert", "按编号更新"),
    },
    "demo_step": {
        "sample zone": ("sample zone", "生成示例园区"),
        "embedded store": ("embedded store", "建立内置数据库"),
        "half-year history": ("half-year history", "记录半年变更"),
        "audit idle and low-efficiency land": (
            "audit idle and low-efficiency land",
            "闲置与低效用地核查",
        ),
        "revitalisation plan": ("revitalisation plan", "盘活低效用地方案"),
        "review and match the report's projects": (
            "review and match the report's projects",
            "项目入园评审与选址",
        ),
        "allocate the pipeline": ("allocate the pipeline", "储备项目统筹供地"),
        "supply and demand": ("supply and demand", "供需平衡"),
        "corridor expansion": ("corridor expansion", "沿大道东扩分期"),
        "maps": ("maps", "专题图"),
        "half-year report": ("half-year report", "半年工作报告"),
    },
}


def _layers() -> dict[str, tuple[str, str]]:
    from landplan.layers import LAYERS

    return {name: (name, layer.zh) for name, layer in LAYERS.items()}


def _fields() -> dict[str, tuple[str, str]]:
    # A list of missing data names the columns it lacks.
    return {c: (column_label(c, "en"), zh) for c, zh in zh_labels().items()}


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
        "layer": _layers(),
        "field": _fields(),
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
    "audit_rule": "audit_rule",
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
    "solver_status": "solver_status",
    "layer": "layer",
    "demand": "demand",
    "indicator": "indicator",
    "import_mode": "import_mode",
    "demo_step": "demo_step",
    "unit": "unit",
    "missing": "field",
    "idle_missing": "field",
    "missing_indicators": "field",
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


#: Workbook sheets by their identifiers: the tab a Chinese reader sees. Where the same identifier
#: names different tables in different workbooks, the workbook's context names it
#: (:data:`_CONTEXT_SHEETS`); a report table's sheet takes the table's title.
_SHEET_TITLES: Final[Mapping[str, str]] = {
    "summary": "汇总",
    "policy": "参数",
    "figures": "主要数据",
    "demand": "用地需求",
    "review": "入园评审",
    "candidates": "候选用地",
    "rejections": "未入选地块",
    "rejections_by_rule": "未入选原因汇总",
    "plan": "分配方案",
    "unplaced": "未安排项目",
    "by_quarter": "分季度",
    "by_cluster": "分产业集群",
    "supply": "可供土地",
    "floor_space": "可租厂房",
    "projects": "项目",
    "floor_balance": "厂房供需",
    "phases": "分期",
    "land_by_status": "分状态用地",
    "curve": "累计曲线",
    "landings": "项目落地",
    "layers": "图层",
    "parcels_by_status": "分状态地块",
    "principles": "评审原则",
    "verdict": "评审结论",
}
_CONTEXT_SHEETS: Final[Mapping[str, Mapping[str, str]]] = {
    "audit": {
        "flagged_parcels": "需处置地块",
        "enterprises_class_d": "D类企业",
        "deadlines": "处置期限",
    },
    "revitalise": {
        "totals": "汇总",
        "parcels": "盘活地块",
        "buildings": "盘活厂房",
        "uses": "可用项目",
        "unmatched": "未匹配项目",
    },
}


def sheet_title(name: str, lang: Lang = "zh", *, context: str | None = None) -> str:
    """Return the tab a workbook's sheet shows: its Chinese name, or its identifier in English.

    A name the registry does not know (a rule's own short name, a user's table) is kept.

    >>> sheet_title("candidates"), sheet_title("candidates", "en")
    ('候选用地', 'candidates')
    >>> sheet_title("parcels", context="revitalise"), sheet_title("land_supply")
    ('盘活地块', '可供应土地')
    """
    if lang == "en":
        return name
    known = _CONTEXT_SHEETS.get(context or "", {}).get(name) or _SHEET_TITLES.get(name)
    if known is None and name in _TABLE_TITLES:
        known = _TABLE_TITLES[name][0]
    return known or name


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
    out = frame.copy(deep=False)  # copy-on-write: only the columns relabelled are new
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


_SECTION_COLUMN = {"class": "evaluation_class", "rule": "audit_rule"}


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


#: What errors and a validation's problems say: key -> (Chinese, English), with ``str.format``
#: fields (see :class:`landplan.errors.Message`, which labels the codes among them).
_ERROR_MESSAGES: Final[Mapping[str, tuple[str, str]]] = {
    # a validation's problems: what is wrong, and what was expected
    "problems_found": ("发现{n}个问题", "{n} problem{s} found"),
    "more_problems": ("……另有{n}个问题", "... and {n} more problems"),
    "v_unknown_value": ("无法识别的{column}「{value}」", "unknown {kind} {value!r}"),
    "v_one_of": ("以下之一：{values}{hint}", "{english}"),
    "v_did_you_mean": ("；是否为「{value}」？", "; did you mean {value!r}?"),
    "v_not_a_number": ("不是数字：「{value}」", "not a number: {value!r}"),
    "v_a_number": ("数字{unit}", "a number{unit}"),
    "v_in_unit": ("（单位：{unit}）", " in {unit}"),
    "v_unit": ("（单位：{unit}）", " {unit}"),
    "v_not_usable": ("不是可用的数字：「{value}」", "not a usable number: {value!r}"),
    "v_finite": ("小于{largest:.0e}的有限数值{unit}", "a finite number below {largest:.0e}{unit}"),
    "v_not_positive": ("数值{value:g}为零或负数", "zero or negative value {value:g}"),
    "v_positive": ("大于0的数值{unit}", "a value greater than 0{unit}"),
    "v_below_minimum": ("数值{value:g}低于下限", "value {value:g} below the minimum"),
    "v_at_least": ("不小于{minimum:g}{unit}", "at least {minimum:g}{unit}"),
    "v_above_maximum": ("数值{value:g}高于上限", "value {value:g} above the maximum"),
    "v_at_most": ("不大于{maximum:g}{unit}", "at most {maximum:g}{unit}"),
    "v_not_whole": ("不是整数：{value:g}", "not a whole number: {value:g}"),
    "v_whole": ("整数", "a whole number"),
    "v_not_yes_no": ("不是“是/否”值：「{value}」", "not a yes/no value: {value!r}"),
    "v_yes_no": ("是/否（也可写 true/false、yes/no、1/0）", "true/false, yes/no, 1/0 or 是/否"),
    "v_ambiguous_date": (
        "日期「{value}」有歧义：无法分辨年、月、日",
        "ambiguous date {value!r}: the year, month and day cannot be told",
    ),
    "v_not_a_date": ("不是日期：「{value}」", "not a date: {value!r}"),
    "v_date_forms": (
        "年份在前的日期：2024-03-01、2024/3/1、2024.3.1、2024年3月1日、20240301，"
        "或 Excel 日期（日期单元格或其序号，如45352）",
        "a date written year first: {forms}",
    ),
    "v_unknown_crs": ("无法识别的坐标系「{crs}」", "unknown CRS {crs!r}"),
    "v_epsg_code": (
        "EPSG 代码，如 EPSG:4546 或 EPSG:4490",
        "an EPSG code such as EPSG:4546 or EPSG:4490",
    ),
    "v_no_crs": (
        "数据没有坐标系（无 .prj 文件，文件中也未声明）",
        "the data have no CRS (no .prj, no CRS in the file)",
    ),
    "v_name_a_crs": (
        "坐标系：用 --crs（crs=...）指定，如 EPSG:4546 或 EPSG:4490",
        "a CRS: name it with --crs (crs=...), e.g. EPSG:4546 or EPSG:4490",
    ),
    "v_crs_differs": (
        "文件声明的坐标系为 {file}，但指定的是 {named}",
        "the file says its CRS is {file}, but {named} was named",
    ),
    "v_one_crs": (
        "文件已有坐标系时不再另行指定，或修正文件的 .prj",
        "name no CRS for a file that has one, or fix the file's .prj",
    ),
    "v_coordinates_swapped": (
        "坐标 {where} 像是经度、纬度颠倒",
        "coordinates {where} look like latitude/longitude swapped",
    ),
    "v_coordinates_degrees": (
        "坐标 {where} 像是经纬度（度），而非 {crs} 的米制坐标",
        "coordinates {where} look like degrees, not metres of {crs}",
    ),
    "v_coordinates_outside": (
        "坐标 {where} 超出 {crs} 的适用范围",
        "coordinates {where} fall outside the area of use of {crs}",
    ),
    "v_expected_swapped": (
        "x 为经度、y 为纬度（交换两列，或按 always_xy 读取）",
        "x = longitude, y = latitude (swap the columns, or read with always_xy)",
    ),
    "v_expected_degrees": (
        "以米为单位的投影坐标，或指定地理坐标系（EPSG:4490）",
        "projected coordinates in metres, or name the geographic CRS (EPSG:4490)",
    ),
    "v_expected_outside": (
        "经度 {west:.1f}～{east:.1f}、纬度 {south:.1f}～{north:.1f} 范围内的位置；"
        "请核对所声明的坐标系",
        "a position within lon {west:.1f}..{east:.1f}, lat {south:.1f}..{north:.1f}; "
        "check the declared CRS",
    ),
    "v_outside_zone": (
        "{source}：{n}个要素位于工作坐标系分带（{crs}，东经{west:g}°至{east:g}°）之外，面积最多"
        "放大{error:.2%}；对该经度附近的数据，请在政策中设 [crs] working = 「{better}」",
        "{source}: {n} feature(s) lie outside the working CRS's zone ({crs}, {west:g}°E to "
        "{east:g}°E); their areas are enlarged by up to {error:.2%}. Set [crs] working = "
        "{better!r} in the policy for data around this longitude",
    ),
    "v_nearer_zone": ("离数据更近的分带", "a zone nearer the data"),
    "v_heights_dropped": (
        "{source}：{n}个要素带有 Z 坐标（三维）；已舍去高程，按二维几何保存",
        "{source}: {n} feature(s) had Z coordinates (3D); heights were dropped and the geometry "
        "kept in 2D",
    ),
    "v_no_geometry": ("几何图形为空或缺失", "empty or missing geometry"),
    "v_a_type": ("{types}", "a {types}"),
    "v_types": ("{types}", "{types}"),
    "v_wrong_type": ("几何类型错误：{type}", "wrong geometry type {type}"),
    "v_unrepaired": ("几何图形无效且无法修复", "invalid geometry that could not be repaired"),
    "v_redraw": ("有效的几何图形；请在 GIS 中重新绘制", "a valid geometry; redraw it in GIS"),
    "v_invalid_geometry": ("几何图形无效：{reason}", "invalid geometry: {reason}"),
    "v_repair": (
        "有效的几何图形；请在 GIS 中修复，或加 --make-valid（make_valid=True）修复全部{n}个",
        "a valid geometry; repair it in GIS or pass make_valid=True (--make-valid) to repair "
        "all {n}",
    ),
    "v_missing_id": ("缺少编号", "missing id"),
    "v_an_id": ("唯一且非空的编号", "a unique, non-empty id"),
    "v_id_separator": (
        "编号「{id}」含有列表分隔符（; 或 ,）",
        "id {id!r} contains a list separator (; or ,)",
    ),
    "v_id_without_separator": (
        "不含「;」「,」的编号（二者用于分隔编号列表，如{column}）",
        "an id without ';' or ',' (they separate lists of ids, as in {column})",
    ),
    "v_duplicate_id": ("编号「{id}」重复", "duplicate id {id!r}"),
    "v_duplicate_id_folded": (
        "编号「{id}」重复：与「{same}」仅有大小写、全半角或不可见字符之别",
        "duplicate id {id!r}: the same id as {same!r} but for case, width or invisible characters",
    ),
    "v_each_id_once": ("图层中每个编号只出现一次", "each id once in the layer"),
    "v_overlaps": (
        "与地块 {other} 重叠 {area:.1f} 平方米",
        "overlaps parcel {other} by {area:.1f} m²",
    ),
    "v_no_overlap": (
        "地块互不重叠（重叠不超过 {tolerance:g} 平方米，政策参数 validation.overlap_tolerance_m2）",
        "parcels that do not overlap (at most {tolerance:g} m², policy "
        "validation.overlap_tolerance_m2)",
    ),
    "v_above": ("{low}（{a:g}）高于{high}（{b:g}）", "{low} {a:g} above {high} {b:g}"),
    "v_not_above": ("{low}不大于{high}", "{low} <= {high}"),
    "v_extension": ("延期{months:g}个月", "extension of {months:g} months"),
    "v_extension_limit": (
        "不超过{limit}个月（政策参数 idle.extension_max_months）",
        "at most {limit} months (policy idle.extension_max_months)",
    ),
    "v_vacant_over_floor": (
        "空置面积{vacant:g}平方米超过建筑面积{floor:g}平方米",
        "vacant area {vacant:g} m² exceeds floor area {floor:g} m²",
    ),
    "v_no_demand": ("没有用地或厂房面积需求", "no land or floor-space demand"),
    "v_demand_columns": (
        "{low}或{high}（亩）、{floor}或{storage}",
        "{low}/{high} (mu), {floor} or {storage}",
    ),
    "v_phase_breaks": ("分期断点「{value}」有误", "phase breaks {value!r}"),
    "v_chainages": (
        "以「;」分隔、递增且非负的里程（米），如「0;2000;4000」",
        "increasing non-negative chainages in metres separated by ';', e.g. '0;2000;4000'",
    ),
    "v_no_parcels": ("地块 {ids} 不存在", "parcel {ids} does not exist"),
    "v_no_parcel": ("地块「{id}」不存在", "parcel {id!r} does not exist"),
    "v_a_parcel_id": ("地块图层中已有的地块编号", "the id of a parcel in the parcels layer"),
    "v_footprint_outside": (
        "基底有{share:.0%}位于地块 {parcel} 之外",
        "{share:.0%} of the footprint lies outside parcel {parcel}",
    ),
    "v_footprint_inside": (
        "基底位于所属地块内（超出部分不超过{tolerance:.0%}，政策参数 "
        "validation.building_outside_tolerance）",
        "a footprint inside its parcel (at most {tolerance:.0%} outside, policy "
        "validation.building_outside_tolerance)",
    ),
    "v_columns_clash": ("{listed} 这几列都表示{target}", "columns {given} all mean {target!r}"),
    "v_one_column": ("每个字段只用一列", "one column per field"),
    "v_required_column": ("缺少必填字段", "required column missing"),
    "v_a_column": ("名为「{zh}」的列", "a column {name!r} (or {zh!r})"),
    "v_empty_required": ("必填字段为空", "empty value in a required column"),
    "v_every_feature": ("每个要素都填写{column}", "a {column} for every feature"),
    "v_no_geometry_column": ("没有几何图形列", "no geometry column"),
    "v_geometry_columns": (
        "{types}几何图形（或 WKT、经纬度列）",
        "{types} geometry (or WKT / lon-lat columns)",
    ),
    "v_zero_area": ("面积为零", "zero area"),
    "v_positive_area": ("面积大于零的面", "a polygon with a positive area"),
    # geometry types and units, as messages name them
    "geometry_Point": ("点", "Point"),
    "geometry_MultiPoint": ("多点", "MultiPoint"),
    "geometry_LineString": ("线", "LineString"),
    "geometry_LinearRing": ("闭合线", "LinearRing"),
    "geometry_MultiLineString": ("多线", "MultiLineString"),
    "geometry_Polygon": ("面", "Polygon"),
    "geometry_MultiPolygon": ("多面", "MultiPolygon"),
    "geometry_GeometryCollection": ("几何集合", "GeometryCollection"),
    "geometry_?": ("未知类型", "?"),
    "unit_mu": ("亩", "mu"),
    "unit_m2": ("平方米", "m2"),
    "unit_m": ("米", "m"),
    "unit_months": ("个月", "months"),
    "unit_t": ("吨", "t"),
    "unit_万元": ("万元", "万元"),
    "unit_kVA": ("kVA", "kVA"),
    "unit_kV": ("kV", "kV"),
    "unit_MVA": ("MVA", "MVA"),
    "unit_MWh": ("MWh", "MWh"),
    "unit_tce": ("吨标准煤", "tce"),
    "unit_kN/m2": ("kN/m²", "kN/m2"),
    # the command line's own refusals, and what it says of other failures
    "os_error_at": (
        "{path}：{cause}；正在写出的内容不完整或缺失",
        "{path}: {cause}; what was being written is incomplete or absent",
    ),
    "os_error": (
        "{cause}；正在写出的内容不完整或缺失",
        "{cause}; what was being written is incomplete or absent",
    ),
    "unexpected": (
        "landplan 意外出错（{kind}: {error}）；数据库事务是完整的，没有写出半截数据。"
        "请加 LANDPLAN_DEBUG=1 再运行一次，并报告详细信息",
        "landplan failed unexpectedly ({kind}: {error}); the store's transactions are whole, so "
        "nothing was half-written. Run again with LANDPLAN_DEBUG=1 for the details and report "
        "them",
    ),
    "cli_lang": ("--lang 应为 zh 或 en，而不是 {lang!r}", "--lang must be zh or en, not {lang!r}"),
    "cli_db_or_zone": (
        "园区数据用 --db（数据库）或 --zone（GeoPackage）二者之一给出；收到 --db「{db}」和 "
        "--zone「{zone}」",
        "give the zone either with --db (a store) or with --zone (a GeoPackage), not both; "
        "got --db {db!r} and --zone {zone!r}",
    ),
    "cli_which_project": (
        "有{n}个项目可选；请给出项目编号，如 {ids}",
        "{n} projects to choose from; expected a PROJECT id, one of {ids}",
    ),
    "cli_no_project": (
        "没有项目「{project}」；应为 {ids} 之一——请核对编号，或用 --project-file 给出项目",
        "no project {project!r}; expected one of {ids} — check the id or give --project-file",
    ),
    "cli_map_project": (
        "项目图须给出项目（`landplan map project PJ-06`），其他专题图不接受项目；"
        "收到图类「{kind}」、项目「{project}」",
        "a project map needs its project (`landplan map project PJ-06`), and only a project "
        "map takes one; got kind {kind!r} and project {project!r}",
    ),
    "cli_one_mode": (
        "--replace、--append、--upsert 只能选一个（收到 {modes}）",
        "choose one of --replace, --append, --upsert (got {modes})",
    ),
    "cli_force": (
        "--force 须与 --replace 同用（它结束被删除地块的预留）",
        "--force goes with --replace (it ends reservations of dropped parcels)",
    ),
    "cli_no_feature": (
        "{location} 中没有编号为「{id}」的地块、厂房或项目",
        "no parcel, building or project {id!r} in {location}",
    ),
    "cli_add_layer": (
        "「{id}」同时见于{layers}；请加 --layer",
        "{id!r} is in {layers}; add --layer",
    ),
    "cli_reserve_db": (
        "--reserve 会写入数据库：还需给出 --db 路径或网址",
        "--reserve writes into a store; expected --db PATH_OR_URL as well",
    ),
    "cli_fix": (
        "--fix {item!r}：应为 项目=候选地块（PROJECT=CANDIDATE）",
        "--fix {item!r}: expected PROJECT=CANDIDATE",
    ),
    "cli_start": (
        "--start {start!r}：应为日期 YYYY-MM-DD",
        "--start {start!r}: expected a date YYYY-MM-DD",
    ),
    "cli_breaks": (
        "--breaks {breaks!r}：应为以「;」分隔的米数",
        "--breaks {breaks!r}: expected metres separated by ';'",
    ),
    "problems_suffix": (
        "{path}：问题报告只能写成 .csv 或 .xlsx，不能是 {suffix!r}",
        "{path}: a problem report is written as .csv or .xlsx, not {suffix!r}",
    ),
    "problem_line_layer": (
        "{source}：字段「{column}」：{problem}（应为{expected}）",
        "{source}: feature *, column {column!r}: {problem} (expected {expected})",
    ),
    "problem_line": (
        "{source}：要素 {feature}，字段「{column}」：{problem}（应为{expected}）",
        "{source}: feature {feature}, column {column!r}: {problem} (expected {expected})",
    ),
    # reading and writing files
    "read_bad_zip": ("不是可读取的 zip 压缩包", "not a readable zip archive"),
    "read_zip_no_layer": (
        "压缩包中没有 GDAL 能读取的图层（{why}）",
        "the archive holds no layer GDAL reads ({why})",
    ),
    "read_no_format": (
        "GDAL 识别不出其格式；landplan 可读取 GDAL 支持的各种矢量格式（GeoPackage、File "
        "Geodatabase、shapefile 或其 zip 包、GeoJSON、FlatGeobuf、KML、GML、MapInfo 等）、"
        "GeoParquet、DXF、CSV 和 Excel",
        "GDAL recognises no format in it; landplan reads {formats}",
    ),
    "read_not_vector": (
        "{path}：无法作为矢量文件打开（{why}）",
        "{path}: cannot open as a vector file ({why})",
    ),
    "read_none": ("无", "none"),
    "read_no_layer": (
        "{path}：没有图层「{layer}」；文件中的图层：{available}",
        "{path}: no layer {layer!r}; the file has {available}",
    ),
    "read_which_layer": (
        "{path}：哪个图层是{layer}？文件中有 {available}；请用 --source-layer"
        "（source_layer=...）指定",
        "{path}: which layer holds the {layer}? The file has {available}; name one with "
        "--source-layer (source_layer=...)",
    ),
    "read_cannot": ("{path}：无法读取（{why}）", "{path}: cannot read ({why})"),
    "read_declared": ("文件所声明的编码", "what the file declares"),
    "read_not_encoding": (
        "{path}：属性文字不是 {encoding}；请用 --encoding 指定编码",
        "{path}: attribute text is not {encoding}; pass --encoding",
    ),
    "unknown_encoding": (
        "{path}：未知的编码 {encoding!r}；应为 UTF-8、GBK 或 GB18030 等编码",
        "{path}: unknown encoding {encoding!r}; expected an encoding such as UTF-8, GBK or GB18030",
    ),
    "read_not_csv": (
        "{path}：不是可读取的 CSV 表格（{why}）",
        "{path}: not a readable CSV table ({why})",
    ),
    "read_not_utf8": (
        "{path}：文字既不是 UTF-8 也不是 GB18030 编码；请用 --encoding 指定编码",
        "{path}: text is neither UTF-8 nor GB18030; pass --encoding",
    ),
    "read_not_excel": (
        "{path}：不是可读取的 Excel 工作簿（{why}）",
        "{path}: not a readable Excel workbook ({why})",
    ),
    "read_no_sheet": (
        "{path}：没有名为「{sheet}」的工作表；现有工作表：{sheets}（用 --sheet 按名称或从1起的序号"
        "指定）",
        "{path}: no sheet {sheet!r}; the workbook has {sheets} (name one with --sheet, by name "
        "or position from 1)",
    ),
    "read_failed": ("{path}：{why}", "{path}: {why}"),
    "read_parquet_needs": (
        "{path}：读取 GeoParquet 需要 pyarrow：pip install 'landplan[parquet]'",
        "{path}: reading GeoParquet needs pyarrow: pip install 'landplan[parquet]'",
    ),
    "read_not_parquet": (
        "{path}：不是可读取的 GeoParquet 文件（{why}）",
        "{path}: not a readable GeoParquet file ({why})",
    ),
    "read_bad_wkt": ("无法读取的 WKT：{value!s:.60}", "unreadable WKT {value!r:.60}"),
    "read_wkt": (
        "WKT 文本，如 POLYGON ((x y, ...))",
        "well-known text such as POLYGON ((x y, ...))",
    ),
    "read_not_coordinate": ("不是坐标：「{value}」", "not a coordinate: {value!r}"),
    "read_degrees": ("以度为单位的数字", "a number in degrees"),
    "read_no_file": ("{path}：文件不存在", "{path}: no such file"),
    "read_profile_layer": (
        "导入配置 {profile} 描述的是{layer}图层，不是{wanted}图层",
        "profile {profile} describes the {layer} layer, not the {wanted} layer",
    ),
    "enc_reads_as": ("按 {found} 可以读通", "it reads as {found}"),
    "enc_neither": ("既不是 UTF-8 也不是 GB18030", "it is neither UTF-8 nor GB18030"),
    "enc_not": (
        "{path}：属性文字不是 {encoding} 编码（{reads_as}）",
        "{path}: the attribute text is not {encoding} ({reads_as})",
    ),
    "enc_cpg_unknown": (
        "{path}：其 .cpg 写的是 {cpg!r}，不是 landplan 认识的编码；请修正 .cpg 或用 --encoding "
        "指定（{reads_as}）",
        "{path}: its .cpg names {cpg!r}, not an encoding landplan knows; fix the .cpg or pass "
        "--encoding ({reads_as})",
    ),
    "enc_pass": ("用 --encoding{encoding} 指定", "pass --encoding{encoding}"),
    "enc_cpg_wrong": (
        "{path}：其 .cpg 写的是 {cpg!r}，但属性文字不是 {cpg} 编码（{reads_as}）；请{hint}，"
        "或修正 .cpg",
        "{path}: its .cpg says {cpg!r}, but the attribute text is not {cpg} ({reads_as}); "
        "{hint}, or correct the .cpg",
    ),
    "enc_ldid": (
        "{path}：DBF 代码页（语言标识 0x{ldid:02X}）表示 {codec}，但属性文字不是 {codec} 编码"
        "（{reads_as}）；请用 --encoding 指定编码",
        "{path}: the DBF code page (language id 0x{ldid:02X}) says {codec}, but the attribute "
        "text is not {codec} ({reads_as}); pass --encoding",
    ),
    "enc_unsaid": (
        "{path}：属性文字既不是 UTF-8 也不是 GB18030，文件也未声明编码；请添加写明编码的 .cpg "
        "文件，或用 --encoding 指定",
        "{path}: the attribute text is neither UTF-8 nor GB18030 and the file does not say its "
        "encoding; add a .cpg file naming it, or pass --encoding",
    ),
    "zone_not_gpkg": (
        "{path}：无法作为 GeoPackage 打开（{why}）",
        "{path}: cannot open as a GeoPackage ({why})",
    ),
    "zone_no_parcels": (
        "{path}：没有地块图层（parcels）；文件中的图层：{available}",
        "{path}: no 'parcels' layer; the file has {available}",
    ),
    "zone_not_toml": ("{path}：无法按 TOML 读取（{why}）", "{path}: cannot read as TOML ({why})"),
    "zone_no_project": (
        "{path}：没有项目；应为顶层的项目键、一个 [project] 表或若干 [[projects]] 表",
        "{path}: no project found; expected top-level project keys, a [project] table or "
        "[[projects]] tables",
    ),
    "crs_3_degree_zone": (
        "EPSG:{epsg}（CGCS2000 3度带高斯-克吕格投影第{zone}带，中央经线东经{cm}°，横坐标前加"
        "带号；西安1980：EPSG:{xian}，北京1954：EPSG:{beijing}）",
        "EPSG:{epsg} (CGCS2000 3° Gauss–Krüger zone {zone}, CM {cm}°E, easting with the zone "
        "number in front; Xian 1980: EPSG:{xian}, Beijing 1954: EPSG:{beijing})",
    ),
    "crs_6_degree_zone": (
        "EPSG:{epsg}（CGCS2000 6度带高斯-克吕格投影第{zone}带，中央经线东经{cm}°，横坐标前加带号）",
        "EPSG:{epsg} (CGCS2000 6° Gauss–Krüger zone {zone}, CM {cm}°E, easting with the zone "
        "number in front)",
    ),
    "crs_zone_unnumbered": (
        "不带带号的3度带高斯-克吕格投影：中央经线东经75°～135°对应 CGCS2000 EPSG:4534～4554"
        "（EPSG = 4534 + (中央经线 − 75) / 3；东经111°为 EPSG:4546）；中央经线见测绘成果的元数据",
        "a 3° Gauss–Krüger zone without the zone number: CGCS2000 EPSG:4534–4554 for CM "
        "75°E–135°E (EPSG = 4534 + (CM − 75) / 3; CM 111°E is EPSG:4546); the survey's "
        "metadata names the central meridian",
    ),
    "crs_lonlat": (
        "经纬度：EPSG:4490（CGCS2000）或 EPSG:4326（WGS 84）",
        "longitude/latitude: EPSG:4490 (CGCS2000) or EPSG:4326 (WGS 84)",
    ),
    "crs_look_like": (
        "{expected}；坐标看起来是 {guess}：请用 --crs 指定",
        "{expected}; the coordinates look like {guess}: pass --crs with it",
    ),
    "crs_towgs84": (
        "--towgs84 {text!r}：应为3个或7个数：dx,dy,dz（米），或 dx,dy,dz,rx,ry,rz（角秒）,ds"
        "（ppm），按转换参数的发布值填写",
        "--towgs84 {text!r}: expected 3 or 7 numbers, dx,dy,dz (m) or dx,dy,dz,rx,ry,rz "
        "(arc-seconds),ds (ppm), as the conversion's publication gives them",
    ),
    "crs_old_datum": (
        "数据采用 {name}（基准 {datum}）；它到 CGCS2000 的偏移达数十米，需要本地区发布的转换参数",
        "the data are in {name} (datum {datum}); its shift to CGCS2000 is tens of metres and "
        "needs the parameters published for the area",
    ),
    "crs_shift_parameters": (
        "本省或本市发布的3个或7个转换参数：--towgs84 dx,dy,dz[,rx,ry,rz,ds]（towgs84=...）；"
        "landplan 不会猜测这些参数",
        "the 3 or 7 conversion parameters of your province or city: --towgs84 "
        "dx,dy,dz[,rx,ry,rz,ds] (towgs84=...); landplan does not guess them",
    ),
    "crs_shifted": (
        "已用参数 {values} 从 {name} 转换为 CGCS2000（WGS 84 视同 CGCS2000）",
        "converted from {name} to CGCS2000 with the parameters {values} (WGS 84 taken as CGCS2000)",
    ),
    "crs_published": ("本地区发布的转换参数", "the parameters published for the area"),
    "export_no_suffix": ("无后缀的文件", "a file without a suffix"),
    "export_suffix": (
        "{path}：不能写成 {suffix!r}；应为以下之一：{formats}",
        "{path}: cannot write {suffix!r}; expected one of {formats}",
    ),
    "export_table": (
        "{path}：没有几何图形的表格只能写成 .csv 或 .xlsx",
        "{path}: a table without geometry is written as .csv or .xlsx",
    ),
    "export_encoding": (
        "{path}：不提供编码 {encoding!r}；应为 UTF-8 或 GBK",
        "{path}: encoding {encoding!r} is not offered; expected UTF-8 or GBK",
    ),
    "dxf_unreadable": (
        "{path}：无法按 DXF 图纸读取（{why}）",
        "{path}: cannot read as a DXF drawing ({why})",
    ),
    "dxf_on_layers": ("（图层 {layers} 上）", " on layer(s) {layers}"),
    "dxf_no_outline": (
        "{path}：没有闭合多段线或填充{on}；有闭合轮廓的图层：{held}（用 --source-layer 指定）",
        "{path}: no closed polyline or hatch{on}; layers with closed outlines: {held} (name "
        "them with --source-layer)",
    ),
    # the policy and the sample zone
    "policy_unreadable": (
        "无法读取政策文件「{path}」：{why}",
        "cannot read policy file {path!r}: {why}",
    ),
    "policy_not_toml": ("{where} 不是有效的 TOML：{why}", "{where} is not valid TOML: {why}"),
    "policy_problems": ("政策中有{n}个问题：\n{lines}", "{n} problem(s) in the policy:\n{lines}"),
    "policy_problems_in": (
        "政策 {where} 中有{n}个问题：\n{lines}",
        "{n} problem(s) in the policy {where}:\n{lines}",
    ),
    "policy_no_key": ("政策中没有参数 {key!r}", "the policy has no key {key!r}"),
    "sample_n_type": (
        "地块数 n_parcels 应为正整数或 None，收到 {n!r}；例如 n_parcels={default}",
        "n_parcels must be a positive integer or None, got {n!r}; use e.g. n_parcels={default}",
    ),
    "sample_n_min": (
        "地块数 n_parcels 至少为1，收到 {n!r}；例如 n_parcels={default}",
        "n_parcels must be at least 1, got {n!r}; use e.g. n_parcels={default}",
    ),
    "sample_no_project": (
        "园区中没有项目 {project}；应为示例园区",
        "project {project} is not in the zone; expected the sample zone",
    ),
    "sample_no_parcel": (
        "没有面积在{low:g}～{high:g}亩之间、用地为{uses}的{status}地块可供项目 {project}；"
        "应为示例园区",
        "no {status} parcel of {uses} between {low:g} and {high:g} mu for {project}; expected "
        "the sample zone",
    ),
    # the store
    "store_no_status": (
        "{layer}图层没有状态；记录状态的图层：{layers}",
        "layer {layer!r} has no status; statuses are kept for {layers}",
    ),
    "store_not_yet": (
        "{location} 还不是 landplan 数据库；请用 `landplan init --db {location}`"
        "（或 Store.init()）创建",
        "{location} is not a landplan store yet; create it with `landplan init --db {location}` "
        "(or Store.init())",
    ),
    "store_schema_version": (
        "{location} 的数据库结构版本为 {found!r}，本版 landplan 读取的是版本 {version!r}",
        "{location} has store schema version {found!r}, this landplan reads version {version!r}",
    ),
    "store_damaged": (
        "{location}：数据库元数据已损坏（landplan_meta 的 working_crs 为 {crs!r}，应为 EPSG 代码，"
        "如 EPSG:4546）；请从备份恢复该文件，或用 GDAL 导出各图层再导入新数据库",
        "{location}: the store's metadata is damaged (landplan_meta working_crs is {crs!r}, "
        "expected an EPSG code such as EPSG:4546); restore the file from a backup, or export its "
        "layers with GDAL and import them into a new store",
    ),
    "store_crs_policy": (
        "{location} 的图层坐标系为 {crs}，而政策的工作坐标系为 {wanted}；请在政策中设 "
        "[crs] working = {crs!r}，或导出各图层再导入新数据库",
        "{location} holds its layers in {crs}, the policy's working CRS is {wanted}; set [crs] "
        "working = {crs!r} in the policy, or export the layers and import them into a new store",
    ),
    "store_no_epsg": (
        "工作坐标系 {name!r} 没有 EPSG 代码；数据库需要 EPSG 代码",
        "the working CRS {name!r} has no EPSG code; the store needs one",
    ),
    "store_not_projected": (
        "工作坐标系 {crs} 不是投影坐标系；计算面积需要以米为单位的坐标系",
        "the working CRS {crs} is not projected; areas need a metric CRS",
    ),
    "store_cannot_write": ("无法写出 {path}：{why}", "cannot write {path}: {why}"),
    "store_mode": (
        "导入方式应为 'replace'、'append' 或 'upsert'，而不是 {mode!r}",
        "mode must be 'replace', 'append' or 'upsert', not {mode!r}",
    ),
    "store_not_empty": (
        "{layer}图层已有{n}个要素；请选择 --replace、--append 或 --upsert（未写入任何数据）",
        "{layer} already holds {n} feature(s); choose --replace, --append or --upsert (nothing "
        "was written)",
    ),
    "store_nothing_written": (
        "未向{layer}图层写入任何数据：{problems}",
        "nothing was written to {layer}: {problems}",
    ),
    "store_layer_crs": (
        "{source}：图层坐标系为 {crs}，数据库为 {store}；请用 to_crs({store!r}) 转换",
        "{source}: the layer is in {crs}, the store in {store}; reproject it with "
        "to_crs({store!r})",
    ),
    "store_duplicate_id": ("数据中编号重复", "duplicate id in the data"),
    "store_one_per_id": ("每个编号一个要素", "one feature per id"),
    "store_same_id": (
        "与数据库中的「{same}」仅有大小写或全半角之别",
        "the same id as {same!r} in the store but for case or width",
    ),
    "store_stored_spelling": (
        "数据库中的写法「{same}」，或另用编号",
        "the stored spelling {same!r}, or another id",
    ),
    "store_holds_id": ("{layer}图层已有此编号", "{layer} already holds this id"),
    "store_new_id": (
        "新编号，或用 --upsert 导入以覆盖",
        "a new id, or import with --upsert to overwrite it",
    ),
    "store_no_version": ("（无）", "(none)"),
    "store_stale_import_row": (
        "  {id}：读取时为第{read}版，数据库中为第{now}版",
        "  {id}: read at version {read}, the store has version {now}",
    ),
    "store_stale_import": (
        "{source}：{layer}图层有{n}个要素在读取后已在数据库中被修改；未写入任何数据。请重新加载或"
        "导出该图层，重做修改后再导入：\n{rows}",
        "{source}: {n} feature(s) of {layer} were changed in the store after they were read; "
        "nothing was written. Load or export the layer again, redo the edits, and import "
        "again:\n{rows}",
    ),
    "store_stale_update_row": (
        "  {id}：读取时为第{read}版，数据库中为第{now}版",
        "  {id}: read at version {read}, the store has {now}",
    ),
    "store_stale_update": (
        "{source}：{layer}图层有{n}个要素在读取后已在数据库中被修改；未写入任何数据：\n{rows}",
        "{source}: {n} feature(s) of {layer} were changed in the store after they were read; "
        "nothing was written:\n{rows}",
    ),
    "store_overlaps": (
        "与数据库中的地块 {other} 重叠 {area:.1f} 平方米：同一块地用了两个编号",
        "overlaps parcel {other} in the store by {area:.1f} m²: the same ground under two ids",
    ),
    "store_new_ground": (
        "数据库中尚无的用地（重叠不超过 {tolerance:g} 平方米，政策参数 "
        "validation.overlap_tolerance_m2）；若要重画 {other}，请以该编号用 --upsert 导入",
        "ground not in the store already (at most {tolerance:g} m², policy "
        "validation.overlap_tolerance_m2); to redraw {other}, import it under that id with "
        "--upsert",
    ),
    "store_dropped_reserved": (
        "文件中没有该地块，而它已为项目 {project} 预留：--replace 会删除已预留的地块",
        "not in the file, and reserved for project {project}: --replace would drop a reserved "
        "parcel",
    ),
    "store_keep_reserved": (
        "在文件中保留该地块，或先解除预留（`landplan release`），或加 --force 结束预留",
        "the parcel kept in the file, its reservation released first (`landplan release`), or "
        "--force to end the reservation",
    ),
    "store_dated_before": (
        "{status}变更的日期为 {date}，早于该要素最近一次记录的变更（{before}）",
        "the {status} change is dated {date}, before the feature's last recorded change ({before})",
    ),
    "store_date_after": (
        "不早于 {before} 的日期，使历史记录按时间先后排列",
        "a date on or after {before}, so the history reads in order",
    ),
    "store_holds_no_feature": ("{layer}图层中没有要素「{id}」", "{layer} holds no feature {id!r}"),
    "store_a_stored_id": (
        "已入库要素的编号；新要素请用 landplan import 导入",
        "the id of a stored feature; add new ones with landplan import",
    ),
    "store_not_status": (
        "「{new}」不是有效的{column}；是否为「{suggest}」？可用值：{values}",
        "{new!r} is not a {kind}; did you mean {suggest!r}? Valid: {valid}",
    ),
    "store_change_reason": (
        '状态变更需要说明理由（--reason "..."）',
        'a status change needs a reason (--reason "...")',
    ),
    "store_last_change": (
        "（最近一次变更：{who} 于 {at:%Y-%m-%d %H:%M} UTC 改为「{status}」）",
        " (last change: {status!r} by {who} at {at:%Y-%m-%d %H:%M} UTC)",
    ),
    "store_stale_status": (
        "{layer} {id} 在你读取之后已被他人修改：你读取的是第{read}版，数据库中为第{now}版{by}。"
        "未写入任何数据；请重新读取后再试。",
        "{layer} {id} was changed by someone else after you read it: you read version {read}, "
        "the store has version {now}{by}. Nothing was written; reload and try again.",
    ),
    "store_effective_before": (
        "{layer} {id}：生效日期 {date} 早于最近一次记录的变更（{last}）；历史按时间先后记录，"
        "请给出不早于 {last} 的日期，或先撤销那次变更（`landplan status retract {layer_code} "
        "{id} --reason ...`）",
        "{layer} {id}: the effective date {date} is before its last recorded change ({last}); "
        "history is kept in order, so give a date on or after {last}, or retract that change "
        "first (`landplan status retract {layer_code} {id} --reason ...`)",
    ),
    "store_already": (
        "{layer} {id} 已是「{status}」；未写入任何数据",
        "{layer} {id} is already {status!r}; nothing was written",
    ),
    "store_no_feature": ("{layer}图层中没有要素「{id}」", "{layer} has no feature {id!r}"),
    "store_retract_reason": (
        '撤销变更需要说明理由（--reason "..."）',
        'retracting a change needs a reason (--reason "...")',
    ),
    "store_nothing_to_retract": (
        "{layer} {id} 没有可撤销的状态变更",
        "{layer} {id} has no status change to retract",
    ),
    "store_no_history": (
        "{layer}图层中没有要素「{id}」，也没有它的历史记录",
        "{layer} has no feature {id!r} and no history of one",
    ),
    "store_not_a_date": (
        "{value!r} 不是日期；应为 YYYY-MM-DD，或其他年份在前的写法（2024/3/1、2024年3月1日、"
        "20240301、Excel 日期）",
        "{value!r} is not a date; expected YYYY-MM-DD, or {forms}",
    ),
    # reservations
    "res_name_one": ("请至少指定一块要预留的地块", "name at least one parcel to reserve"),
    "res_name_one_for": (
        "请至少指定一块要为项目 {projects} 预留的地块",
        "name at least one parcel to reserve for project(s) {projects}",
    ),
    "res_race": (
        "无法为项目 {project} 预留：另一用户同时预留了 {ids}；未预留任何地块。见 "
        "`landplan reservations`。",
        "cannot reserve for project {project}: another user reserved {ids} at the same moment; "
        "nothing was reserved. See `landplan reservations`.",
    ),
    "res_race_one_of": (
        "无法为项目 {project} 预留：另一用户同时预留了 {ids} 中的地块；未预留任何地块。见 "
        "`landplan reservations`。",
        "cannot reserve for project {project}: another user reserved one of {ids} at the same "
        "moment; nothing was reserved. See `landplan reservations`.",
    ),
    "res_no_project": (
        "数据库中没有项目「{project}」；请先将其导入项目图层",
        "project {project!r} is not in the store; import it into the projects layer first",
    ),
    "res_no_parcel": ("数据库中没有该地块", "no such parcel in the store"),
    "res_status": (
        "状态为「{status}」；只有{available}的地块可以预留",
        "status is {status!r}; only {available} can be reserved",
    ),
    "res_held": (
        "已由 {who} 于 {at:%Y-%m-%d} 为项目 {project} 预留",
        "already reserved for project {project} by {who} on {at:%Y-%m-%d}",
    ),
    "res_overlaps": (
        "与地块 {other} 重叠 {area:.1f} 平方米，而该地块已为项目 {project} 预留：同一块地不能"
        "预留两次",
        "overlaps parcel {other} by {area:.1f} m², which is reserved for project {project}: the "
        "same ground cannot be reserved twice",
    ),
    "res_named": ("（{name}）", " ({name})"),
    "res_lies_in": ("位于{kind} {id}{name}内", "lies in {kind} {id}{name}"),
    "res_refused_line": ("  {parcel}：{reasons}", "  {parcel}: {reasons}"),
    "res_refused": (
        "无法为项目 {project} 预留：{total}块地块中有{n}块被拒；未预留任何地块\n{lines}",
        "cannot reserve for project {project}: {n} of {total} parcel(s) refused; nothing was "
        "reserved\n{lines}",
    ),
    "res_any_parcel": ("任何地块", "any parcel"),
    "res_none_held": (
        "项目 {project} 没有{what}的有效预留；未解除任何预留",
        "project {project} holds no active reservation of {what}; nothing was released",
    ),
    "store_foreign_gpkg": (
        "{store} 是存有其他图层（{layers}）的 GeoPackage；数据库须单独成一个文件：请换一个 --db "
        "路径（再用 landplan import 把这些图层导入）",
        "{store} is a GeoPackage holding other layers ({layers}); a store is a file of its own: "
        "give another --db path (import those layers into it with landplan import)",
    ),
    "store_table_crs": (
        "{store}：表 {table!r} 的坐标系为 EPSG:{got}，数据为 EPSG:{srs}；请用 to_crs('EPSG:{got}') "
        "转换数据",
        "{store}: table {table!r} is in EPSG:{got}, the data in EPSG:{srs}; reproject the data "
        "with to_crs('EPSG:{got}')",
    ),
    "store_table_srid": (
        "{store}：表 {table!r} 的 SRID 为 {got}，数据为 EPSG:{srs}；请用 to_crs('EPSG:{got}') "
        "转换数据",
        "{store}: table {table!r} has SRID {got}, the data EPSG:{srs}; reproject the data with "
        "to_crs('EPSG:{got}')",
    ),
    "store_lock_timeout": (
        "LANDPLAN_LOCK_TIMEOUT={raw!r}：应为秒数，如 60",
        "LANDPLAN_LOCK_TIMEOUT={raw!r}: expected a number of seconds such as 60",
    ),
    "store_lock_timeout_negative": (
        "LANDPLAN_LOCK_TIMEOUT={raw!r}：应为不小于0的秒数",
        "LANDPLAN_LOCK_TIMEOUT={raw!r}: expected seconds, 0 or more",
    ),
    "store_not_sqlite": (
        "{path} 已存在，但不是 GeoPackage/SQLite 文件；请换一个 --db 路径",
        "{path} exists but is not a GeoPackage/SQLite file; give another --db path",
    ),
    "store_postgis_needs": (
        "PostGIS 数据库需要 geoalchemy2 和 psycopg（缺少 {missing}）；请安装：pip install "
        "'landplan[postgis]'",
        "a PostGIS store needs geoalchemy2 and psycopg ({missing} is missing); install them "
        "with: pip install 'landplan[postgis]'",
    ),
    "store_cannot_connect": ("无法连接 {store}：{why}", "cannot connect to {store}: {why}"),
    "store_no_postgis": (
        "{store} 没有 PostGIS 扩展；请以超级用户运行：CREATE EXTENSION postgis;",
        "{store} has no PostGIS extension; as a superuser run: CREATE EXTENSION postgis;",
    ),
    "store_connection_closed": (
        "数据库连接在写入中途被关闭",
        "the database connection was closed in the middle of a write",
    ),
    "store_unsupported": (
        "不支持的数据库 {target!r}：请给出文件路径（zone.gpkg）或 postgresql://user@host/db 网址",
        "unsupported store {target!r}: give a file path (zone.gpkg) or a "
        "postgresql://user@host/db URL",
    ),
    # attribute updates
    "upd_no_id_column": ("没有编号列", "no id column"),
    "upd_a_column": ("{column}列", "a column {column!r}"),
    "upd_no_status": (
        "不含状态：状态请用 `landplan status set` 变更（注明日期和理由）",
        "no status: change it with `landplan status set` (dated, with a reason)",
    ),
    "upd_one_of": ("以下字段之一：{columns}", "one of {columns}"),
    "upd_not_changeable": ("不是可更新的字段", "not a column an update can change"),
    "upd_an_id": ("编号", "an id"),
    "upd_id_twice": ("编号出现两次", "id given twice"),
    "upd_one_row_per_id": ("每个编号一行", "one row per id"),
}


#: The audit's explanations, one sentence per parcel, rule or enterprise, composed column-wise by
#: :func:`compose`: key -> (Chinese, English). Fields are text the audit has already written
#: (numbers, dates, labelled names, a clause composed first).
_AUDIT_MESSAGES: Final[Mapping[str, tuple[str, str]]] = {
    # the idle-land clock (landplan.idle)
    "idle_extension": ("（动工期限延长{months}个月）", " ({months} months extension)"),
    "idle_recoverable": (
        "自{recover_on}起可无偿收回",
        "recoverable free of charge since {recover_on}",
    ),
    "idle_since": ("自{idle_on}起认定闲置{then}", "idle since {idle_on}{then}"),
    "idle_since_then": ("；自{recover_on}起可无偿收回", "; recoverable from {recover_on}"),
    "idle_from": ("{idle_on}起认定闲置{then}", "idle from {idle_on}{then}"),
    "idle_from_then": ("，{recover_on}起可无偿收回", ", recoverable from {recover_on}"),
    "idle_not_started": (
        "未动工；约定动工日期{agreed}{extension}；{timeline}",
        "not started; agreed start {agreed}{extension}; {timeline}",
    ),
    "idle_suspended": (
        "已动工但{share}，自{suspended}起中止开发{extension}；{timeline}",
        "started but {share} and suspended since {suspended}{extension}; {timeline}",
    ),
    "idle_developed_share": ("开发面积占比{share}", "developed share {share}"),
    "idle_invested_share": ("投资额占比{share}", "invested share {share}"),
    "idle_exempt": (
        "不适用：集体土地或尚未供应的土地",
        "not applicable: collective land or land not yet supplied",
    ),
    "idle_started": ("已动工且未中止开发", "development started and not suspended"),
    "idle_suspended_above": (
        "已中止开发，但开发面积占比和投资额占比均不低于闲置认定标准",
        "development suspended, but developed and invested shares at or above the rule-2 minimums",
    ),
    "idle_completed": ("已竣工", "development completed"),
    "insufficient_data": ("数据不足：缺{missing}", "insufficient data: missing {missing}"),
    # the per-mu evaluation (landplan.evaluation)
    "class_not_evaluated": ("暂不评价：{reasons}", "not evaluated: {reasons}"),
    "class_utility": ("公用事业（行业大类{division}）", "utility (division {division})"),
    "class_recent": (
        "投产不满{years}年（{since}投产）",
        "in production under {years} years (since {since})",
    ),
    "class_small": ("用地{land}亩，不足{minimum}亩", "land {land} mu under {minimum} mu"),
    "class_ranked": (
        "得分{score}，在{n}家参评企业中排第{rank}名",
        "score {score}, rank {rank} of {n}",
    ),
    "reasons_separator": ("；", "; "),
    # the audit's flags (landplan.audit)
    "flag_below": (
        "{indicator}{value}，低于{threshold}（{basis}）",
        "{indicator} {value} < {threshold} ({basis})",
    ),
    "flag_no_occupant": (
        "数据不足：地块上无企业，缺{missing}",
        "insufficient data: no enterprise on the parcel, missing {missing}",
    ),
    "flag_completion_unknown": (
        "数据不足：竣工日期不详（无竣工日期，地块上企业也无投产日期）",
        "insufficient data: completion date unknown (completed, or an occupant's production start)",
    ),
    "flag_overdue": (
        "未竣工；约定竣工日期{start}，至{due}已满{years}年",
        "not completed; agreed completion {start}; {years} full year(s) reached on {due}",
    ),
    "flag_stopped": (
        "自{start}起{operating}，至{due}已满{years}年",
        "production {operating} since {start}; {years} full year(s) reached on {due}",
    ),
    "flag_no_tax": (
        "最近一次纳税日期{start}，至{due}已满{years}年未纳税",
        "no tax paid since {start}; {years} full year(s) reached on {due}",
    ),
    "flag_dilapidated": (
        "危旧建筑面积占比{value}，超过{limit}",
        "dilapidated floor share {value} > {limit}",
    ),
    "flag_class_d": ("亩均效益评价D类：{reason}", "per-mu evaluation class D: {reason}"),
    "basis_far_default": ("默认容积率控制值，地块无企业", "far_min_default, no occupant"),
    "basis_far_planned": ("规划容积率下限，地块无企业", "planned far_min, no occupant"),
    "basis_far_unknown": (
        "默认容积率控制值，企业行业不明或不在控制值表中",
        "far_min_default, industry unknown or not in the table",
    ),
    "basis_far_division": (
        "行业大类{division}的容积率控制值",
        "minimum for GB/T 4754 division {division}",
    ),
    "basis_far_several": (
        "{n}家企业的容积率控制值按用地加权",
        "land-weighted minimum of {n} occupants",
    ),
    "basis_coverage": ("建筑系数控制值", "control.coverage_min"),
    "basis_control_share": ("控制值{control}的{share}", "{share} of the control value {control}"),
    "basis_contract_share": (
        "合同约定投资强度{contract}的{share}",
        "{share} of the contract intensity {contract}",
    ),
    "basis_zone_share": (
        "园区按面积加权平均值{average}的{share}",
        "{share} of the zone's area-weighted average {average}",
    ),
    "recoverable_idle": ("闲置已满收回期限", "idle past recovery"),
    "recoverable_class_d": ("亩均效益评价D类", "class D"),
    # Shipped policy sources in Chinese (policy_source): the regulation's Chinese title where
    # it cites one. The English is the source as the policy file writes it.
    "policy_source.crs.working": (
        "CGCS2000国家大地坐标系3度带高斯-克吕格投影，中央经线东经111°（EPSG:4546）；示例园区位于东"
        "经112°附近，按园区选定",
        "{text}",
    ),
    "policy_source.crs.lonlat": ("CGCS2000地理坐标系（EPSG:4490），国家大地坐标基准", "{text}"),
    "policy_source.validation.overlap_tolerance_m2": ("园区选定：数字化容差", "{text}"),
    "policy_source.validation.building_outside_tolerance": ("园区选定：数字化容差", "{text}"),
    "policy_source.control.coverage_min": (
        "国土资发〔2008〕24号《工业项目建设用地控制指标》：建筑系数 ≥ 30%（2023年修订版通常概括为 "
        "≥ 40%）",
        "{text}",
    ),
    "policy_source.control.office_share_max": (
        "国土资发〔2008〕24号《工业项目建设用地控制指标》：行政办公及生活服务设施用地 ≤ 7%",
        "{text}",
    ),
    "policy_source.control.green_share_max": (
        "国土资发〔2008〕24号《工业项目建设用地控制指标》：绿地率 ≤ 20%",
        "{text}",
    ),
    "policy_source.control.double_count_storey_height_m": (
        "国土资发〔2008〕24号《工业项目建设用地控制指标》：层高超过8米的在计算容积率时该层建筑面积"
        "加倍计算",
        "{text}",
    ),
    "policy_source.control.investment_intensity_min_wan_yuan_per_mu": (
        "园区选定（工业用地“标准地”，粤办函〔2021〕226号）；示例默认值",
        "{text}",
    ),
    "policy_source.control.output_per_mu_min_wan_yuan": (
        "园区选定（工业用地“标准地”）；示例默认值",
        "{text}",
    ),
    "policy_source.control.tax_per_mu_min_wan_yuan": (
        "园区选定（工业用地“标准地”）；示例默认值",
        "{text}",
    ),
    "policy_source.control.far_min_default": (
        "国土资发〔2008〕24号《工业项目建设用地控制指标》控制值表中最常见的取值",
        "{text}",
    ),
    "policy_source.control.far_min_by_division": (
        "国土资发〔2008〕24号《工业项目建设用地控制指标》容积率控制值表，按《国民经济行业分类》（G"
        "B/T 4754-2017）大类取值",
        "{text}",
    ),
    "policy_source.idle.start_grace_years": (
        "《闲置土地处置办法》（国土资源部令第53号）第二条：超过约定动工开发日期满一年未动工",
        "{text}",
    ),
    "policy_source.idle.recover_years": (
        "《闲置土地处置办法》（国土资源部令第53号）第十四条：未动工开发满两年的，无偿收回",
        "{text}",
    ),
    "policy_source.idle.fee_share": (
        "《闲置土地处置办法》（国土资源部令第53号）第十四条：按照土地出让或者划拨价款的百分之二十"
        "征缴土地闲置费",
        "{text}",
    ),
    "policy_source.idle.extension_max_months": (
        "《闲置土地处置办法》（国土资源部令第53号）第十二条：延长动工开发期限最长不得超过一年",
        "{text}",
    ),
    "policy_source.idle.developed_share_min": (
        "《闲置土地处置办法》（国土资源部令第53号）第二条：已动工开发但开发建设用地面积占应动工开"
        "发建设用地总面积不足三分之一",
        "{text}",
    ),
    "policy_source.idle.invested_share_min": (
        "《闲置土地处置办法》（国土资源部令第53号）第二条：已投资额占总投资额不足百分之二十五",
        "{text}",
    ),
    "policy_source.idle.suspended_years": (
        "《闲置土地处置办法》（国土资源部令第53号）第二条：中止开发建设满一年",
        "{text}",
    ),
    "policy_source.idle.recover_suspended": (
        "园区选定：第十四条对未动工开发满两年的土地无偿收回；园区对中止开发的土地同样自中止之日起"
        "按两年计",
        "{text}",
    ),
    "policy_source.idle.exempt_statuses": (
        "《闲置土地处置办法》（国土资源部令第53号）第二条：适用于已供应（有偿使用或者划拨）的国有"
        "建设用地；村留用地为集体土地",
        "{text}",
    ),
    "policy_source.idle.deadline_window_days": ("园区选定：国土部门提前90天预警", "{text}"),
    "policy_source.low_efficiency._definition": (
        "国土资规〔2016〕147号《关于深入推进城镇低效用地再开发的指导意见（试行）》：布局散乱、利用"
        "粗放、用途不合理、建筑危旧",
        "{text}",
    ),
    "policy_source.low_efficiency.overdue_completion_years": (
        "地方低效用地认定通行标准：超过合同约定竣工时间2年以上未竣工",
        "{text}",
    ),
    "policy_source.low_efficiency.completed_years": (
        "地方低效用地认定通行标准：竣工满2年",
        "{text}",
    ),
    "policy_source.low_efficiency.intensity_share_min": (
        "地方低效用地认定通行标准：投资强度低于合同约定或控制标准的50%",
        "{text}",
    ),
    "policy_source.low_efficiency.output_share_min": (
        "地方低效用地认定通行标准：亩均产值低于控制标准的50%",
        "{text}",
    ),
    "policy_source.low_efficiency.stopped_years": (
        "地方低效用地认定通行标准：停产或半停产1年以上",
        "{text}",
    ),
    "policy_source.low_efficiency.no_tax_years": (
        "地方低效用地认定通行标准：连续2年以上未纳税",
        "{text}",
    ),
    "policy_source.low_efficiency.tax_per_mu_share_of_zone_average": (
        "经验做法：亩均税收低于园区平均水平的1/3（园区选定）",
        "{text}",
    ),
    "policy_source.low_efficiency.dilapidated_floor_share_max": (
        "国土资规〔2016〕147号《关于深入推进城镇低效用地再开发的指导意见（试行）》：建筑危旧；园区"
        "选定：有危旧建筑面积即认定",
        "{text}",
    ),
    "policy_source.low_efficiency.statuses": (
        "园区选定：各项指标只对在用土地认定（低效用地认定标准）",
        "{text}",
    ),
    "policy_source.low_efficiency.industrial_land_uses": (
        "用地分类：《城市用地分类与规划建设用地标准》（GB 50137-2011）一、二、三类工业用地（M1-M3"
        "），以及代码未区分类别的工业用地M（三调0601、用地用海1001）；国土资发〔2008〕24号适用于工"
        "业项目",
        "{text}",
    ),
    "policy_source.potential.target_far": (
        "园区选定：提高容积率至目标值可增加的建筑面积",
        "{text}",
    ),
    "policy_source.evaluation.min_area_mu": (
        "浙政发〔2018〕5号《关于深化“亩均论英雄”改革的指导意见》：用地5亩以上（部分县为3亩）",
        "{text}",
    ),
    "policy_source.evaluation.min_years_in_production": (
        "浙政发〔2018〕5号《关于深化“亩均论英雄”改革的指导意见》：投产不满2年的企业不参评",
        "{text}",
    ),
    "policy_source.evaluation.exempt_divisions": (
        "浙政发〔2018〕5号《关于深化“亩均论英雄”改革的指导意见》：公用事业不参评（国民经济行业大类"
        "44-46）",
        "{text}",
    ),
    "policy_source.evaluation.class_shares": (
        "亩均论英雄：A类前20%，B类20%-60%，C类60%-95%，D类后5%",
        "{text}",
    ),
    "policy_source.evaluation.missing": (
        "浙政发〔2018〕5号《关于深化“亩均论英雄”改革的指导意见》实践：缺项指标取平均得分",
        "{text}",
    ),
    "policy_source.evaluation.weights": ("黄岩区亩均效益评价指标权重30/20/20/10/10/10", "{text}"),
    "policy_source.evaluation.benchmarks": (
        "园区选定；黄岩区2022年基准：亩均税收24.1万元/亩，亩均增加值136万元/亩",
        "{text}",
    ),
    "policy_source.review.clusters": (
        "工作报告：金属智造、氢能、新材料、机械装备四大产业集群",
        "{text}",
    ),
    "policy_source.review.energy_intensity_max_tce_per_wan_yuan": (
        "园区选定（广东省2025年目标约为每万元地区生产总值0.3吨标准煤，工业项目上限更低）",
        "{text}",
    ),
    "policy_source.review.rd_share_min": (
        "粤办函〔2021〕226号工业用地“标准地”指标含研发经费投入强度；园区选定3%",
        "{text}",
    ),
    "policy_source.review.floor_space_max_m2": (
        "国土资发〔2008〕24号《工业项目建设用地控制指标》：适合多层标准厂房的项目不单独供地（阈值"
        "由园区选定）",
        "{text}",
    ),
    "policy_source.review.essential": ("园区选定", "{text}"),
    "policy_source.review.weights": ("园区选定", "{text}"),
    "policy_source.review.leverage_share_without_chain_leader": (
        "园区选定：与链主企业配套的产业带动作用更强",
        "{text}",
    ),
    "policy_source.siting.hazardous_setback_m": (
        "初筛默认值；防护距离以项目环境影响评价为准",
        "{text}",
    ),
    "policy_source.siting.hazardous_land_use": (
        "《城市用地分类与规划建设用地标准》（GB 50137-2011）：对居住和公共环境有严重干扰、污染的工"
        "业用地为三类工业用地M3",
        "{text}",
    ),
    "policy_source.siting.storage_mu_per_mwh": (
        "已建案例：100兆瓦/200兆瓦时储能电站含升压站约占地25-35亩",
        "{text}",
    ),
    "policy_source.siting.substation_max_distance_m": (
        "园区选定：3公里内接入110千伏变电站",
        "{text}",
    ),
    "policy_source.siting.fire_risk_setback_m": (
        "山东省储能电站选址指引：与甲、乙类火灾危险性厂房距离 ≥ 30米",
        "{text}",
    ),
    "policy_source.siting.fuel_station_setback_m": (
        "山东省储能电站选址指引：与加油加气站距离 ≥ 50米",
        "{text}",
    ),
    "policy_source.siting.cutout_min_remainder_mu": (
        "园区选定：分割后的剩余地块仍须可用",
        "{text}",
    ),
    "policy_source.siting.cutout_max_aspect": (
        "园区选定：工业用地进深不超过宽度的两倍（反之亦然），才能布置厂房和堆场",
        "{text}",
    ),
    "policy_source.siting.lease_max_years": (
        "《中华人民共和国民法典》第七百零五条：租赁期限不得超过二十年",
        "{text}",
    ),
    "policy_source.siting.blocking_constraints": (
        "生态保护红线和永久基本农田一律不得供地（《关于在国土空间规划中统筹划定落实三条控制线的指"
        "导意见》，2019年）；水源保护区依《中华人民共和国水污染防治法》第六十五条至第六十七条",
        "{text}",
    ),
    "policy_source.siting.lease_only_statuses": (
        "领域规则：村留用地以租赁方式提供，须取得土地所有权的项目不能使用",
        "{text}",
    ),
    "policy_source.siting.industrial_land_use": (
        "《城市用地分类与规划建设用地标准》（GB 50137-2011）：工业用地M1/M2/M3；未区分类别的M（三"
        "调0601、用地用海1001）也是工业用地",
        "{text}",
    ),
    "policy_source.siting.storage_land_use": (
        "园区选定：储能电站属公用设施用地（U），或布置在工业用地上",
        "{text}",
    ),
    "policy_source.siting.hazardous_kinds": (
        "领域规则：危险废物处置须使用三类工业用地并与居住区保持防护距离；园区选定对严重污染项目同"
        "样处理",
        "{text}",
    ),
    "policy_source.siting.sliver_area_m2": ("园区选定：数字化容差", "{text}"),
    "policy_source.siting.storage_voltage_kv": (
        "领域规则：电池储能以110千伏接入（有时为220千伏）",
        "{text}",
    ),
    "policy_source.siting.area_slack_share": ("园区选定", "{text}"),
    "policy_source.siting.adjacency_min_shared_m": (
        "园区选定：组合选址的地块须共用一条边，而非仅一角相接",
        "{text}",
    ),
    "policy_source.siting.frontage_tolerance_m": ("园区选定：数字化容差与建筑红线", "{text}"),
    "policy_source.siting.road_width_default_m": ("园区选定", "{text}"),
    "policy_source.siting.cutout_width_to_depth": ("园区选定：方形分割地块最紧凑", "{text}"),
    "policy_source.siting.cutout_area_tolerance": ("园区选定：面积与需求相差不超过1%", "{text}"),
    "policy_source.siting.floor_space_statuses": ("园区选定：空置和部分空置的厂房可出租", "{text}"),
    "policy_source.ranking.weights": ("园区选定", "{text}"),
    "policy_source.ranking.avenue_distance_zero_m": ("园区选定", "{text}"),
    "policy_source.ranking.substation_distance_zero_m": ("园区选定", "{text}"),
    "policy_source.ranking.cluster_radius_m": ("园区选定", "{text}"),
    "policy_source.ranking.cluster_full_count": ("园区选定", "{text}"),
    "policy_source.ranking.frontage_full_m": ("园区选定", "{text}"),
    "policy_source.ranking.readiness_horizon_months": ("园区选定", "{text}"),
    "policy_source.readiness.state_reserve_months": ("净地：即可供应", "{text}"),
    "policy_source.readiness.idle_months": (
        "园区选定：依《闲置土地处置办法》（国土资源部令第53号）处置闲置土地",
        "{text}",
    ),
    "policy_source.readiness.low_efficiency_months": ("园区选定：低效用地再开发", "{text}"),
    "policy_source.readiness.reserved_leased_months": (
        "园区选定：与村集体签订留用地租赁协议",
        "{text}",
    ),
    "policy_source.readiness.planned_months": ("园区选定：土地征收和场地平整", "{text}"),
    "policy_source.readiness.cutout_extra_months": ("园区选定：勘测定界和分宗", "{text}"),
    "policy_source.readiness.floor_space_months": ("园区选定：租用现有厂房", "{text}"),
    "policy_source.readiness.steps": (
        "《闲置土地处置办法》（国土资源部令第53号）；国土资规〔2016〕147号《关于深入推进城镇低效用"
        "地再开发的指导意见（试行）》；领域规则（留用地租赁）",
        "{text}",
    ),
    "policy_source.allocation.stage_weights": ("园区选定：已签约 > 框架协议 > 储备", "{text}"),
    "policy_source.allocation.time_limit_s": (
        "园区选定：规划人员最多等待一分钟；求解器因时限停止时报告最优性差距",
        "{text}",
    ),
    "policy_source.allocation.mip_rel_gap": ("园区选定：取0时求解到已证明最优", "{text}"),
    "policy_source.allocation.presolve_max_sites": (
        "实测：10⁵宗地块示例的218 056处候选地不预处理10秒求解完毕，预处理则275秒仍未完成；3 800处"
        "密集候选地预处理后求解快一倍",
        "{text}",
    ),
    "policy_source.allocation.investment_reference_wan_yuan": (
        "园区选定：1亿元（10⁴万元）系数为1；缩放不改变方案",
        "{text}",
    ),
    "policy_source.allocation.investment_exponent": (
        "园区选定：投资强度大（领域规则，五项原则），边际效益递减",
        "{text}",
    ),
    "policy_source.capacity.stage_probability": ("园区选定", "{text}"),
    "policy_source.capacity.supply_statuses": (
        "工作报告（两处挖潜）：储备、闲置、低效用地和村留用地，加上东扩规划用地；可供地时间见可供"
        "地参数",
        "{text}",
    ),
    "policy_source.capacity.months_to_land": (
        "园区选定：已签约项目即时落地，框架协议半年内落地，意向项目一年内落地",
        "{text}",
    ),
    "policy_source.capacity.horizon_quarters": ("园区选定：三年", "{text}"),
    "policy_source.capacity.floor_load_bands_kn_m2": (
        "园区选定：轻型（<5）、标准多层（5-8）、重型（8-15）和首层重型（≥15）千牛/平方米",
        "{text}",
    ),
    "policy_source.capacity.clear_height_bands_m": (
        "园区选定：净高<6米、6-8米、8-10米、≥10米（行车跨）",
        "{text}",
    ),
    "policy_source.corridor.width_m": ("园区选定：大道两侧各500米", "{text}"),
    "policy_source.corridor.phase_length_m": ("园区选定", "{text}"),
    "policy_source.corridor.curve_step_m": ("园区选定", "{text}"),
    "policy_source.report.signed_stages": (
        "工作报告：签约引进统计半年内签约的项目；已落地项目此前已签约",
        "{text}",
    ),
    "policy_source.report.landed_stages": (
        "工作报告：该4个项目已全部落地（土地已交付）；建设和投产在其后",
        "{text}",
    ),
    "policy_source.report.pipeline_stages": (
        "工作报告：有投资意向的储备项目，含已签框架协议的项目",
        "{text}",
    ),
    "policy_source.report.floor_space_statuses": (
        "领域规则：盘活现有低效用地和厂房；空置和低效的厂房可出租（园区选定）",
        "{text}",
    ),
    "policy_source.maps.simplify_tolerance_m": (
        "园区选定：小于18级缩放下的一个像素（0.6米），肉眼不可见；见地图性能测试",
        "{text}",
    ),
    "policy_source.maps.coordinate_decimals": ("园区选定：10⁻⁶度约0.11米，精于显示容差", "{text}"),
    "policy_source.maps.canvas_min_features": (
        "园区选定：矢量绘制时每个要素占一个页面节点；见地图性能测试",
        "{text}",
    ),
    "policy_source.maps.candidates_numbered": ("园区选定", "{text}"),
    "policy_source.maps.aggregate_above_features": (
        "园区选定：10⁶宗地块逐个绘制的页面达180兆字节，浏览器无法绘制；见地图性能测试",
        "{text}",
    ),
    "policy_source.maps.aggregate_cell_m": (
        "园区选定：一个网格含数宗地块，在园区总览缩放级别下宽数个像素",
        "{text}",
    ),
    "policy_source.maps.deadline_warning_days": (
        "园区选定：《闲置土地处置办法》处置期限前提前一个季度提示",
        "{text}",
    ),
    "policy_source.maps.tianditu_key": (
        "园区选定：园区在天地图控制台申请的密钥（天地图须每个用户单独申请）",
        "{text}",
    ),
    "policy_source.maps.tiles": (
        "各底图服务商公布的瓦片地址模板（开放街道地图、CARTO、使用用户密钥的天地图、高德地图）",
        "{text}",
    ),
    "policy_source.revitalise._modes": (
        "城镇低效用地调查“拟改造模式”字段（国土资规〔2016〕147号《关于深入推进城镇低效用地再开发的"
        "指导意见（试行）》）；粤府〔2009〕78号《关于推进“三旧”改造促进节约集约用地的若干意见》和"
        "粤府〔2016〕96号《关于提升“三旧”改造水平促进节约集约用地的通知》（广东省三旧改造：政府收"
        "储、自行改造、合作改造）；自然资发〔2023〕171号《关于开展低效用地再开发试点工作的通知》",
        "{text}",
    ),
    "policy_source.revitalise.mode_order": (
        "园区选定：依法收回优先，其次为释放土地最多的模式",
        "{text}",
    ),
    "policy_source.revitalise.recovery_procedure_months": (
        "《闲置土地处置办法》（国土资源部令第53号）第八条至第十四条（认定书、听证、处置决定书）；"
        "园区选定：处置程序六个月",
        "{text}",
    ),
    "policy_source.revitalise.purchase_stopped_years": (
        "国土资规〔2016〕147号《关于深入推进城镇低效用地再开发的指导意见（试行）》：低效利用土地收"
        "购储备；园区选定：停产或未纳税满两年",
        "{text}",
    ),
    "policy_source.revitalise.purchase_agreement_months": ("园区选定：协议收储需一年", "{text}"),
    "policy_source.revitalise.redevelop_avenue_distance_max_m": (
        "粤府〔2016〕96号《关于提升“三旧”改造水平促进节约集约用地的通知》（区位较好的旧厂房产业转"
        "型升级）；园区选定：距大道1.5公里以内",
        "{text}",
    ),
    "policy_source.revitalise.redevelop_frontage_min_m": (
        "园区选定：临路100米的地块区位较好",
        "{text}",
    ),
    "policy_source.revitalise.redevelop_agreement_months": (
        "粤府〔2016〕96号《关于提升“三旧”改造水平促进节约集约用地的通知》（自行改造、合作改造协议"
        "）；园区选定：一年",
        "{text}",
    ),
    "policy_source.revitalise.densify_classes": (
        "领域规则（亩均论英雄）：B类和C类企业予以支持、原地提升；园区选定",
        "{text}",
    ),
    "policy_source.revitalise.densify_gain_min_m2": (
        "园区选定：至少3 000平方米（一层标准厂房）才值得增容",
        "{text}",
    ),
    "policy_source.revitalise.densify_agreement_months": (
        "自然资发〔2023〕171号《关于开展低效用地再开发试点工作的通知》（增容不再增缴土地价款的做法"
        "）；园区选定：六个月",
        "{text}",
    ),
    "policy_source.revitalise.construction_months": ("园区选定：增建建筑面积需十八个月", "{text}"),
    "policy_source.revitalise.small_parcel_max_mu": (
        "粤府〔2016〕96号《关于提升“三旧”改造水平促进节约集约用地的通知》（零星用地整合归宗）；园"
        "区选定：15亩以下",
        "{text}",
    ),
    "policy_source.revitalise.consolidated_min_mu": (
        "园区选定：20亩可成为可用的工业用地",
        "{text}",
    ),
    "policy_source.revitalise.shared_boundary_min_m": (
        "园区选定：地块沿边相接而非仅一角相接（与选址相邻共边长度参数相同）",
        "{text}",
    ),
    "policy_source.revitalise.shared_boundary_tolerance_m": (
        "园区选定：数字化容差（与选址相邻容差参数相同）",
        "{text}",
    ),
    "policy_source.revitalise.consolidation_agreement_months": (
        "园区选定：全体权利人同意并重新登记需十八个月",
        "{text}",
    ),
    "policy_source.revitalise.underused_vacancy_min": (
        "领域规则：盘活现有厂房；园区选定：五分之一建筑面积空置",
        "{text}",
    ),
    "policy_source.revitalise.village_statuses": (
        "粤府办〔2016〕30号（留用地以租赁或与村集体合作方式开发）",
        "{text}",
    ),
    "policy_source.revitalise.candidates_per_project": ("园区选定", "{text}"),
}

#: What a match says of a site: the reasons a candidate is offered and the readiness steps in
#: them (:func:`landplan.match.score.reason_texts`), the lines of ``Candidates.explain`` and the
#: command line's help markers. Fields are filled column-wise, one sentence per candidate.
_MATCH_MESSAGES: Final[Mapping[str, tuple[str, str]]] = {
    "match_substation_at": ("距变电站{distance}米", "substation {distance} m"),
    "match_substation_none": (
        "园区内无所需电压的变电站",
        "no substation of the voltage in the zone",
    ),
    "match_reason": (
        "{size}（需求{target}）；{ready}（{steps}）；临路{frontage}米；"
        "距大道{avenue}米；{substation}；{radius}米内同产业集群企业{cluster}家；{phase}",
        "{size} for {target}; {ready} ({steps}); frontage {frontage} m; "
        "avenue {avenue} m; {substation}; {cluster} same-cluster enterprises "
        "within {radius} m; {phase}",
    ),
    "match_ready": ("{months}个月内可供地", "ready in {months} months"),
    "match_ready_now": ("即可供地", "ready in 0 months"),
    "match_size_land": ("{area}亩", "{area} mu"),
    "match_size_floor": ("厂房{area}平方米", "{area} m² floor space"),
    "match_target_land": ("{area}亩", "{area} mu"),
    "match_target_floor": ("{area}平方米", "{area} m²"),
    "match_phase_in": ("位于东扩第{phase}期", "corridor phase {phase}"),
    "match_phase_out": ("不在东扩范围内", "outside the corridor"),
    "match_sep": ("；", "; "),
    # a site's reasons on the map a company receives
    "match_map_area": ("面积{value}亩", "{value} mu"),
    "match_map_need": ("（需求{need}亩）", " (needs {need} mu)"),
    "match_map_ready": ("约{value}个月内可供地", "ready in about {value} months"),
    "match_map_ready_now": ("即可供地", "ready now"),
    "match_map_frontage_m": ("临路{value}米", "{value} m of road frontage"),
    "match_map_avenue_distance_m": ("距大道{value}米", "{value} m from the avenue"),
    "match_map_substation_distance_m": ("距变电站{value}米", "{value} m from a substation"),
    "match_map_cluster": ("周边同产业集群企业{value}家", "{value} firms of its cluster nearby"),
    "match_map_phase": ("位于东扩第{value}期", "in corridor phase {value}"),
    # The readiness steps of a status (or a cut-out, or floor space); in English the zone's
    # policy words them ([readiness.steps], whose defaults these English texts repeat).
    "match_step_state_reserve": (
        "无需前置手续：净地，可直接供应",
        "none: net land (净地) ready to supply",
    ),
    "match_step_idle": (
        "依国土资源部令第53号处置闲置土地（收回或与权利人约定再开发）",
        "dispose of the idle land under 国土资源部令第53号 (recover it or agree redevelopment "
        "with the holder)",
    ),
    "match_step_low_efficiency": (
        "与权利人约定再开发或收回（低效用地再开发）",
        "agree redevelopment or recovery with the holder (低效用地再开发)",
    ),
    "match_step_reserved_leased": (
        "与村集体经济组织签订租赁合同（不超过20年）",
        "sign a lease with the village collective (at most 20 years)",
    ),
    "match_step_planned": ("完成征收与场地平整", "acquire and prepare the land"),
    "match_step_cutout": ("测量并分割地块", "survey and subdivide the parcel"),
    "match_step_floor_space": ("签订厂房租赁合同", "sign a lease for the floor space"),
    "match_offered": (
        "推荐第{rank}名（{kind} {site}{below}），得分{score}：{reason}",
        "offered as #{rank} ({kind} {site}{below}), score {score}: {reason}",
    ),
    "match_below_top": ("，在前{top}名之外", ", below the top {top}"),
    "match_not_offered": ("未推荐，规则“{rule}”：{reason}", "not offered by rule {rule}: {reason}"),
    "match_not_offered_whole": (
        "整块未推荐，规则“{rule}”：{reason}",
        "not offered whole by rule {rule}: {reason}",
    ),
    "match_explained": ("{site}（项目{project}）：", "{site} for {project}:"),
    # why a site is turned down, rule by rule
    "match_rule_failed": ("{rule}：{reason}", "{rule}: {reason}"),
    "match_not_recorded": ("未登记", "not recorded"),
    "match_list_sep": ("、", ", "),
    "match_status": (
        "用地状态为{status}，不在可供应之列（可供应：{offered}）",
        "status {status} is not offered for supply (offered: {offered})",
    ),
    "match_tenure": (
        "留用地或集体土地只能租赁供应（租期最长{years}年，《民法典》第七百零五条）；"
        "本项目须以出让方式取得土地",
        "village reserved or collective land is supplied by lease only (at most {years} years, "
        "{source}); the project must buy its land (tenure_ok = buy)",
    ),
    "match_land_use_any": (
        "用地性质{land_use}不适合本项目：须为{allowed}之一",
        "land-use class {land_use} does not suit a project with hazard {hazard}: it needs one "
        "of {allowed}",
    ),
    "match_land_use": (
        "用地性质{land_use}不适合{hazard}类项目：须为{allowed}之一",
        "land-use class {land_use} does not suit a project with hazard {hazard}: it needs one "
        "of {allowed}",
    ),
    "match_protected": (
        "与{kind}{name}重叠{overlap}平方米（超过数字化误差容许的{sliver}平方米），不得供地",
        "overlaps {kind} {name} by {overlap} m² (more than the {sliver} m² of a digitising "
        "sliver); never allocatable",
    ),
    "match_setback": (
        "距{name}{distance}米；{who}须至少相距{minimum}米",
        "{distance} m from {name}; {who} needs at least {minimum} m",
    ),
    "match_setback_hazard": ("{hazard}类项目", "a {hazard} project"),
    "match_setback_storage": ("储能电站", "a storage station"),
    "match_power_none": (
        "园区没有{kv}千伏及以上的变电站",
        "the zone has no substation of {kv} kV or more",
    ),
    "match_power_far": (
        "最近的{kv}千伏及以上变电站（{name}）相距{distance}米；用电大户须在{reach}米以内",
        "nearest substation of ≥ {kv} kV ({name}) is {distance} m away; a heavy user needs one "
        "within {reach} m",
    ),
    "match_area": ("面积{area}亩，{why}", "area {area} mu {why}"),
    "match_area_cap": (
        "项目固定资产投资按投资强度控制值至多可用地{cap}亩，低于所需的{minimum}亩",
        ": the project's fixed-asset investment allows at most {cap} mu at the control "
        "intensity, below the {minimum} mu it needs",
    ),
    "match_area_window": ("{low}–{high}亩{cap}", "{low}–{high} mu{cap}"),
    "match_area_capped": (
        "（更大的用地将使投资强度低于{intensity}万元/亩，故设上限）",
        " (capped where a larger site would bring the investment intensity below {intensity} "
        "万元/亩)",
    ),
    "match_area_below": ("低于下限{minimum}亩，{why}", "is below the minimum {minimum} mu {why}"),
    "match_area_alone": (
        "且与其他可供地块均不相邻，无法拼合成{window}的用地",
        "and it shares no boundary with another available parcel to assemble a site of {window}",
    ),
    "match_area_joined": (
        "且与相邻可供地块（至多{n}块）拼合后均不在{window}范围内（不含多余地块）或未通过全部规则",
        "and no assembly of up to {n} adjacent available parcels with it lies in {window} (none "
        "superfluous) and passes every rule",
    ),
    "match_area_no_assembly": ("且未要求拼合地块", "and assemblies were not asked for"),
    "match_area_above": (
        "高于上限{maximum}亩{cap}，又小于分割所需的{ratio}倍目标面积（{target}亩）",
        "is above the maximum {maximum} mu{cap} and below the {ratio} × {target} mu a cut-out "
        "needs",
    ),
    "match_cutout": (
        "面积{area}亩，达到目标面积{target}亩的{ratio}倍，但无法分割：{reason}",
        "area {area} mu is at least {ratio} × the {target} mu target, but no cut-out: {reason}",
    ),
    "match_cutout_multipart": ("地块由多个部分组成，不作分割", "a multi-part parcel: no cut-out"),
    "match_cutout_no_frontage": ("地块不临路，无从分割", "no road frontage to cut a site from"),
    "match_cutout_none": (
        "沿临路边试切{n}处均不合规；首选方案：{reason}",
        "no compliant piece among {n} placements on its road frontage; the preferred one fails "
        "as {reason}",
    ),
    "match_cutout_area": (
        "沿临路边在地块内切出的用地达不到需求面积",
        "no placement on the road frontage reaches the demanded area inside the parcel",
    ),
    "match_cutout_pieces": ("切出的用地分成多块", "the cut falls apart into several pieces"),
    "match_cutout_aspect": (
        "符合面积的切块长宽比为{aspect}（上限{bound}）",
        "the piece that fits would be {aspect} times longer than wide (at most {bound}: "
        "siting.cutout_max_aspect)",
    ),
    "match_cutout_remainder_split": (
        "剩余部分将被分成多块",
        "the remainder would be split into several pieces",
    ),
    "match_cutout_remainder_small": (
        "剩余部分将小于可用下限{minimum}亩",
        "the remainder would be smaller than the usable minimum {minimum} mu",
    ),
    "match_cutout_no_road": ("切块将不临路", "the piece would have no road frontage"),
    "match_building_status": (
        "厂房状态为{status}，无可出租空间（可出租状态：{lettable}）",
        "building {status}: no floor space to let (lettable: {lettable})",
    ),
    "match_vacancy": (
        "空置面积{vacant}平方米，少于所需的{need}平方米",
        "vacant floor area {vacant} m² is less than the {need} m² needed",
    ),
    "match_building_measure": (
        "{column}{value}；项目要求至少{minimum}{unit}",
        "{column} {value}; the project needs at least {minimum} {unit}",
    ),
    "match_measure": ("{value}{unit}", "{value} {unit}"),
    "match_unit_floor_load": ("千牛/平方米", "kN/m²"),
    "match_unit_clear_height": ("米", "m"),
    # what each rule checks
    "match_meaning_status": (
        "地块的用地状态属于可供应之列",
        "the parcel's status is one offered for supply (siting.available_statuses)",
    ),
    "match_meaning_tenure": (
        "只能租赁的土地（留用地、集体土地）只供给接受租赁的项目",
        "land that can only be leased (village reserved land, collective land) goes only to "
        "projects that accept a lease",
    ),
    "match_meaning_land_use": (
        "地块（厂房则为其所在地块）的用地性质符合项目要求（危险品加工须为三类工业用地）",
        "the land-use class of the parcel (for floor space, of the building's parcel) fits the "
        "project (M3 for hazardous processing)",
    ),
    "match_meaning_protected": (
        "选址与生态保护红线、永久基本农田或水源保护区的重叠不超过数字化误差容许面积",
        "the site overlaps the ecological red line, permanent basic farmland or water protection "
        "zones by no more than siting.sliver_area_m2",
    ),
    "match_meaning_residential_setback": (
        "危险品项目选址与居住区至少保持规定的安全距离",
        "hazardous projects' sites lie at least siting.hazardous_setback_m from homes",
    ),
    "match_meaning_fuel_station_setback": (
        "储能电站选址与加油加气站至少保持规定的安全距离",
        "storage stations' sites lie at least siting.fuel_station_setback_m from fuel stations",
    ),
    "match_meaning_power": (
        "用电大户选址在规定距离内有相应电压等级的变电站",
        "heavy users' sites lie within siting.substation_max_distance_m of a substation of their "
        "voltage",
    ),
    "match_meaning_area": (
        "选址面积在项目用地需求范围内（按需求与投资强度确定）",
        "the site area lies in the project's window (demand, investment-intensity cap)",
    ),
    "match_meaning_cutout": (
        "远大于需求的地块可沿临路边切出紧凑、本身通过全部规则且剩余部分可用的用地",
        "a parcel much larger than the demand gives a compact cut-out on its road frontage, "
        "passing every rule itself, with a usable remainder",
    ),
    "match_meaning_building_status": (
        "厂房有可出租的空间",
        "the building has floor space to let (siting.floor_space_statuses)",
    ),
    "match_meaning_vacancy": (
        "厂房空置面积满足需求",
        "the building's vacant floor area covers the demand",
    ),
    "match_meaning_floor_load": (
        "楼面荷载达到项目要求的下限",
        "the floor load meets the project's minimum",
    ),
    "match_meaning_clear_height": (
        "净高达到项目要求的下限",
        "the clear height meets the project's minimum",
    ),
    "match_basis_stated": ("项目填报的用地面积下限与上限", "land_mu_min/land_mu_max"),
    "match_basis_storage": (
        "储能容量{mwh}兆瓦时×每兆瓦时{mu}亩",
        "{mwh} MWh × {mu} mu/MWh (storage)",
    ),
    "match_basis_slack": ("；未填上限，取下限加{share}", "; no maximum given, minimum + {share}"),
    "match_unit_mu": ("亩", "mu"),
    "match_unit_m2": ("平方米", "m2"),
    "match_unit_kV": ("千伏", "kV"),
    # rich's markers in the command line's help
    "help_required": ("必填", "required"),
    "help_default": ("默认：{value}", "default: {value}"),
    "help_env": ("环境变量：{value}", "env var: {value}"),
    "help_arguments": ("参数", "Arguments"),
    "help_options": ("选项", "Options"),
    "help_commands": ("命令", "Commands"),
}


#: What the planning modules' errors and notices say (allocation, corridor, revitalisation, audit,
#: demand, matching, land-use codes, import profiles): key -> (Chinese, English), as above.
_PLAN_ERRORS: Final[Mapping[str, tuple[str, str]]] = {
    # allocation
    "plan_solver_infeasible": (
        "求解器证明配置模型无可行解；至少固定选址本身应构成可行方案；请核对固定选址和预留",
        "the solver proved the allocation program infeasible; expected at least the plan of the "
        "fixed sites alone; check the fixed sites and reservations",
    ),
    "plan_solver_stopped": (
        "求解器以状态「{status}」停止；应得到最优方案或达到时间上限",
        "the solver stopped with status {status!r}; expected an optimal plan or the time limit",
    ),
    "plan_fixed_and_reserved": (
        "项目 {ids_zh} 被手工固定在一处选址，又在另一处预留；每个项目只应有一处选址；"
        "请释放预留或更改固定选址",
        "project(s) {ids} are fixed to one site by hand and reserved on another; expected one "
        "site per project; release the reservation or change the fixed site",
    ),
    "plan_stage_no_weight": (
        "阶段「{named}」在政策参数 allocation.stage_weights 中没有权重；应为以下之一：{known_zh}；"
        "请改选这些阶段，或在政策中为其加上权重",
        "stage(s) {stages} have no weight in allocation.stage_weights; expected some of {known}; "
        "pick those stages or add a weight to the policy",
    ),
    "plan_missing_column": ("缺少字段", "missing column"),
    "plan_columns": ("字段：{columns}", "columns {columns}"),
    "plan_duplicate_id": ("编号重复", "duplicate id"),
    "plan_unique_per_row": ("每行一个唯一的{column}", "a unique {column} per row"),
    "plan_unknown_kind_value": ("无法识别的选址类型", "unknown kind"),
    "plan_one_of": ("以下之一：{values}", "one of {values}"),
    "plan_project_not_placed": ("不是参与配置的项目", "project not among the projects placed"),
    "plan_project_in_stages": (
        "所选阶段中某个项目的{column}（或删去该行）",
        "a {column} of a project in the chosen stages (or leave the row out)",
    ),
    "plan_no_score": ("没有得分", "no score"),
    "plan_finite": ("有限数值", "a finite number"),
    "plan_no_parcel": ("未列出地块", "no parcel"),
    "plan_site_parcels": ("该选址占用的地块", "the parcels the site takes"),
    "plan_cutout_several": ("地块分割列出了多宗地块", "a cut-out names several parcels"),
    "plan_one_parcel": ("恰好一宗地块", "exactly one parcel"),
    "plan_no_land_area": ("没有用地面积", "no land area"),
    "plan_column_above_zero": ("{column}大于0", "{column} > 0"),
    "plan_missing": ("缺失", "missing"),
    "plan_building_let": ("出租的建筑", "the building let"),
    "plan_no_floor_area": ("没有建筑面积", "no floor area"),
    "plan_above_zero": ("大于0", "> 0"),
    "plan_unknown_parcel": ("无法识别的地块「{pid}」", "unknown parcel {pid!r}"),
    "plan_zone_parcel_ids": ("园区地块图层中的地块编号", "parcel ids of the zone's parcels layer"),
    "plan_unknown_building": ("无法识别的建筑", "unknown building"),
    "plan_zone_building_id": (
        "园区建筑图层中的建筑编号",
        "a building id of the zone's buildings layer",
    ),
    "plan_over_vacant": ("超过该建筑的空置面积", "more than the building's vacant floor area"),
    "plan_at_most_vacant": ("不超过该建筑的{column}", "at most the building's {column}"),
    "plan_cutout_remainder": (
        "分割后的剩余面积小于政策参数 siting.cutout_min_remainder_mu",
        "the cut-out leaves less than siting.cutout_min_remainder_mu",
    ),
    "plan_cutout_or_whole": (
        "留足剩余面积的分割，或将整宗地块作为单宗选址",
        "a cut-out leaving the remainder, or the whole parcel as a single site",
    ),
    "plan_reserved_twice": (
        "地块 {ids_zh} 被预留给多个项目；每宗地块只应有一项预留；请释放重复的预留",
        "parcel(s) {ids} are reserved for more than one project; expected one reservation per "
        "parcel; release the duplicate reservations",
    ),
    "plan_fixed_not_candidates": (
        "固定选址 {ids_zh} 不是其项目的候选选址；应为「项目编号 -> 该项目的一个候选编号」",
        "fixed site(s) {ids} are not candidates of their project; expected project_id -> one of "
        "its candidate_id values",
    ),
    "plan_fixed_none": (
        "{project} -> {site}（无此候选选址）",
        "{project} -> {site} (no such candidate)",
    ),
    "plan_fixed_other": (
        "{project} -> {site}（是 {owner} 的选址）",
        "{project} -> {site} (a site of {owner})",
    ),
    "plan_fixed_on_reserved": (
        "固定选址 {ids_zh} 占用了为其他项目预留的地块；固定选址应位于未预留的地块；"
        "请释放预留或固定其他选址",
        "fixed site(s) {ids} use parcels reserved for another project; expected fixed sites on "
        "free parcels; release the reservation or fix another site",
    ),
    "plan_fixed_several": (
        "项目 {ids_zh} 有多处固定选址；每个项目至多一处",
        "project(s) {ids} have several fixed sites; expected at most one each",
    ),
    "plan_fixed_clash": (
        "固定选址相互冲突；固定选址应能同时成立：\n{lines}\n请在每处冲突中取消固定其中一处选址",
        "fixed sites clash; expected fixed sites that fit together:\n{lines}\n"
        "unfix one site of each clash",
    ),
    "plan_clash_line": (
        "{what}：{who_zh} 需要 {need:g}，超过上限 {capacity:g}",
        "{what}: {who} need {need:g} > {capacity:g}",
    ),
    "plan_row_parcel": ("地块 {id}", "parcel {id}"),
    "plan_row_cut_area": ("地块 {id}（分割面积）", "parcel {id} (area of cut-outs)"),
    "plan_row_vacant": ("建筑 {id}（空置面积）", "building {id} (vacant floor area)"),
    "plan_row_let": ("建筑 {id}（出租或改建）", "building {id} (let or redeveloped)"),
    # the corridor
    "plan_no_corridors": (
        "园区没有{layer}图层；应有大道的中心线；请用 `landplan import --layer corridors` 导入",
        "the zone has no corridors layer; expected the avenue's centre line; import one with "
        "`landplan import --layer corridors`",
    ),
    "plan_several_avenues": (
        "园区有{n}条大道；请指定名称，为以下之一：{names_zh}",
        "the zone has {n} avenues; expected a name, one of {names}",
    ),
    "plan_no_avenue": (
        "没有大道「{name}」；应为以下名称或编号之一：{names_zh}；{ids_zh}",
        "no avenue {name!r}; expected a name or corridor_id among {names} / {ids}",
    ),
    "plan_no_shape": ("空几何", "nothing"),
    "plan_avenue_not_line": (
        "大道「{id}」是 {kind}；应为一条沿扩展方向绘制的连续 LineString；请在 GIS 中合并其各段",
        "avenue {id!r} is a {kind}; expected one continuous LineString digitised in the "
        "direction of expansion; join its parts in a GIS",
    ),
    "plan_width_positive": (
        "大道宽度须大于0，实为 {width!r} 米",
        "corridor width must be positive, got {width!r} m",
    ),
    "plan_breaks_text": (
        "大道「{id}」的{column}「{text}」无法读取；应为以「;」分隔的里程（米），如「0;2000;4000」",
        "avenue {id!r} has {column} {text!r}; expected chainages in metres separated by ';' "
        "such as '0;2000;4000'",
    ),
    "plan_phase_length_positive": (
        "分期长度须大于0，实为 {step!r} 米",
        "phase length must be positive, got {step!r} m",
    ),
    "plan_breaks_outside": (
        "分期断点 {breaks} 米位于大道之外（大道长 {length:.1f} 米）；应为 0 至 {length:.1f} 米"
        "之间的里程",
        "phase break(s) {breaks} m lie outside the avenue, which is {length:.1f} m long; "
        "expected chainages between 0 and {length:.1f} m",
    ),
    "plan_breaks_not_increasing": (
        "分期断点 {breaks} 未严格递增；应为严格递增的里程",
        "phase breaks {breaks} are not increasing; expected strictly increasing chainages",
    ),
    "plan_constraint_kinds": (
        "无法识别的管控要素类型「{named}」；应为以下之一：{known_zh}",
        "unknown constraint kind(s) {kinds}; expected some of {known}",
    ),
    "plan_candidates_frame": (
        "候选选址须为带{column}和选址几何的 GeoDataFrame（候选选址表或配置方案）",
        "candidates must be a GeoDataFrame with {column} and site geometry (a candidate table "
        "or an allocation plan)",
    ),
    "plan_curve_step": (
        "政策参数 corridor.curve_step_m 须大于0，实为 {step!r}",
        "corridor.curve_step_m must be positive, got {step!r}",
    ),
    # the revitalisation plan's policy
    "plan_policy_problems": (
        "政策中有{n}个问题：\n{problems}",
        "{n} problem(s) in the policy:\n{problems}",
    ),
    "plan_mode_order": (
        "政策参数 revitalise.mode_order 须将{modes_zh}各列一次，并以「{last}」（兜底方式）结尾，"
        "实为：{order_zh}",
        "revitalise.mode_order must list modes of {modes} once each and end with 'rectify' (the "
        "mode of last resort), got {order!r}",
    ),
    "plan_densify_classes": (
        "政策参数 revitalise.densify_classes 须为亩均评价类别 {classes} 之中的类别，实为：{odd_zh}",
        "revitalise.densify_classes must be per-mu classes among {classes}, got {odd!r}",
    ),
    "plan_candidates_per_project": (
        "政策参数 revitalise.candidates_per_project 须不小于1，实为 {n!r}",
        "revitalise.candidates_per_project must be at least 1, got {n!r}",
    ),
    # the audit, capacity and demand
    "plan_not_projected": (
        "地块的坐标系（{srs}）不是投影坐标系，面积将有误：请将园区数据投影到工作坐标系（{working}）",
        "the parcels are in {crs!r}, not a projected CRS; areas would be wrong: reproject the "
        "zone to the working CRS ({working})",
    ),
    "plan_no_crs": ("无坐标系", "no CRS"),
    "plan_duplicate_parcels": (
        "地块编号须唯一，{ids_zh} 出现了不止一次：请修正地块图层",
        "parcel ids must be unique, found {ids} more than once: fix the parcels layer",
    ),
    "plan_horizon": (
        "规划期须至少一个季度，实为 {n!r}",
        "the horizon must be at least one quarter, got {n!r}",
    ),
    "plan_mu_max_below_min": (
        "项目 {pid}：{high}（{high_mu:g}）低于{low}（{low_mu:g}）；应为下限 ≤ 上限——请对调或更正",
        "project {pid}: {high} {high_mu:g} is below {low} {low_mu:g}; expected min ≤ max — swap "
        "or correct them",
    ),
    "plan_no_demand": (
        "项目 {pid} 未填写需求：应填写{mu_min}/{mu_max}、{storage}，或{floor}并同时填写{can}；"
        "均未填写——请为项目补上用地或厂房空间需求",
        "project {pid} states no demand: expected {mu_min}/{mu_max}, {storage}, or {floor} with "
        "{can}; found none — add the land or floor-space demand to the project",
    ),
    "plan_candidates_suffix": (
        "{path}：不支持的文件类型「{suffix}」；应为 .gpkg、.geojson、.csv 或 .xlsx",
        "{path}: unsupported file type {suffix!r}; expected .gpkg, .geojson, .csv or .xlsx",
    ),
    # matching and the kinds of site
    "plan_not_a_site": (
        "「{site}」既不是项目 {project} 的候选选址，也不是被排除的选址；应为园区的地块编号"
        "（标准厂房空间则为建筑编号）——请核对编号",
        "{site!r} is neither a candidate nor a rejected site of project {project}; expected a "
        "parcel_id of the zone (or a building_id for floor space) — check the id",
    ),
    "plan_unknown_kinds": (
        "无法识别的选址类型「{named}」；应为以下之一：{known_zh}",
        "unknown candidate kind(s) {kinds}; expected some of {known}",
    ),
    "plan_unknown_kind": (
        "无法识别的选址类型「{name}」；应为以下之一：{known_zh}",
        "unknown candidate kind {name!r}; expected one of {known}",
    ),
    "plan_top": (
        "候选数量须为正整数，实为 {top!r}",
        "top must be a positive number of candidates, got {top!r}",
    ),
    "plan_unknown_layer": (
        "无法识别的图层「{layer}」；应为以下之一：{known_zh}",
        "unknown layer {layer!r}; expected one of {known}",
    ),
    "plan_not_a_date": (
        "不是日期：「{value}」；应为如 2025-06-30 的日期，可用的写法：2024-03-01、2024/3/1、"
        "2024.3.1、2024年3月1日、20240301，或 Excel 日期（日期单元格或其序号，如45352）",
        "{name} must be a date such as 2025-06-30, got {value!r}; accepted: {forms}",
    ),
    # land-use codes
    "plan_unknown_scheme": (
        "无法识别的用地分类标准「{name}」；应为 {schemes}",
        "unknown land-use scheme {name!r}; expected {schemes}",
    ),
    "plan_scheme_unknown": (
        "无法识别的用地分类标准「{name}」",
        "unknown land-use scheme {name!r}",
    ),
    "plan_not_code_of": ("「{value}」不是 {scheme} 的代码", "{value!r} is not a code of {scheme}"),
    "plan_code_of": ("{scheme} 的代码{hint}{other}", "a code of {scheme}{hint}{other}"),
    "plan_such_as": ("，如 {example}", " such as {example}"),
    "plan_and_then": ("；{text}", "; {text}"),
    "plan_code_of_none": (
        "「{text}」不是任何用地分类标准的代码（{schemes}）",
        "{text!r} is a code of none of the land-use schemes ({schemes})",
    ),
    "plan_code_needs_scheme": (
        "「{text}」在不同标准中分别是 {meanings_zh}：代码须注明其分类标准——用{column}字段、"
        "--land-use-scheme 或导入配置",
        "{text!r} is {meanings}: a code needs its scheme — a {column} column, "
        "--land-use-scheme, or an import profile",
    ),
    "plan_code_without_scheme": (
        "用地代码「{value}」未注明分类标准",
        "land-use code {value!r} without its scheme",
    ),
    "plan_class_disagrees": (
        "用地类别「{given}」与代码 {code}（{cls}）不符",
        "class {given!r} disagrees with code {code} (class {cls})",
    ),
    "plan_class_of_code": (
        "用地代码对应的类别，或在代码旁不填类别",
        "the class the land-use code maps to, or no class beside the code",
    ),
    "plan_no_class": ("无类别", "no class"),
    "plan_covers_m": (
        "{code} 涵盖 {covers}：已定为 M（工业用地，未注明类别），需要 M3 的危险品项目不予接受",
        "{code} covers {covers}: given M (industrial, class not stated), which hazardous "
        "projects needing M3 do not accept",
    ),
    "plan_covers_none": (
        "{code} 涵盖 {covers}：未定用地类别",
        "{code} covers {covers}: given no land-use class",
    ),
    "plan_covers": (
        "{code} 涵盖 {covers}：已定为 {given}",
        "{code} covers {covers}: given {given}",
    ),
    "plan_next_level": (
        "能确定类别的下一级代码，或直接填写类别（{column}）",
        "a code of the next level that decides the class, or the class itself ({column})",
    ),
    # import profiles
    "plan_no_profile": (
        "没有导入配置「{name}」：内置的有 {builtin_zh}，或给出导入配置 TOML 文件",
        "no import profile {name!r}: the built-in ones are {builtin}, or give a profile TOML file",
    ),
    "plan_profile_unreadable": (
        "{path}：无法读取的导入配置（{why}）",
        "{path}: not a readable profile ({why})",
    ),
    "plan_profile_invalid": (
        "{path}：导入配置无效：\n  {errors}",
        "{path}: not a valid import profile:\n  {errors}",
    ),
    "plan_profile_section": ("无法识别的配置节 [{key}]", "unknown section [{key}]"),
    "plan_profile_key": ("无法识别的配置项 profile.{key}", "unknown key profile.{key}"),
    "plan_profile_layer": (
        "profile.layer「{name}」不是 landplan 的图层",
        "profile.layer {name!r} is not a landplan layer",
    ),
    "plan_profile_both": (
        "optional_fields.{key}：已在 [fields] 中",
        "optional_fields.{key}: also in [fields]",
    ),
    "plan_profile_field_names": (
        "fields.{key}：应为一个字段名或字段名列表",
        "fields.{key}: expected a field name or a list of them",
    ),
    "plan_profile_not_column": (
        "{section}.{key}：「{key}」不是{layer}图层的字段",
        "{section}.{key}: {key!r} is not a column of {layer}",
    ),
    "plan_profile_no_id": (
        "fields：编号字段「{column}」没有对应的源字段",
        "fields: no source field for the id column {name!r}",
    ),
    "plan_profile_codes": (
        "codes.{key}：「{key}」不是本配置映射的字段",
        "codes.{key}: {key!r} is not a field the profile maps",
    ),
    "plan_profile_unit": (
        "面积单位（配置项 unit）「{unit}」：应为以下之一：{units}",
        "area.unit {unit!r}: expected one of {units}",
    ),
    "plan_profile_share": (
        "面积容差（配置项 tolerance_share）「{share}」：应为0至1之间的比例",
        "area.tolerance_share {share!r}: expected a share from 0 to 1",
    ),
    "plan_profile_scheme": ("profile.land_use_scheme：{why}", "profile.land_use_scheme: {why}"),
    "plan_field_missing": ("缺少字段", "field missing"),
    "plan_field_of_profile": (
        "导入配置 {profile} 映射到{target}的字段 {spelled_zh}（文件中的字段有：{columns}）",
        "the field {spelled} that profile {profile} maps to {target} (the file has {columns})",
    ),
    "plan_code_not_in_profile": (
        "{field}代码「{value}」不在导入配置 {profile} 的{target}代码表中",
        "{field} code {value!r} is not in profile {profile}'s codes for {target}",
    ),
    "plan_code_in_profile": (
        "以下之一：{listed_zh}；请在导入配置的副本中于 [codes.{key}] 下补上该代码",
        "one of {listed}; add the code under [codes.{key}] in a copy of the profile",
    ),
    "plan_name_not_code": (
        "{field}「{name}」不是 {code} 的名称",
        "{field} {name!r} is not the name of {code}",
    ),
    "plan_name_or_code": ("「{zh}」，或「{name}」对应的代码", "{zh!r}, or the code of {name!r}"),
    "plan_area_differs": (
        "登记面积 {official:,.1f} 平方米，按几何计算为 {computed:,.1f} 平方米（{share:+.2%}）",
        "official area {official:,.1f} m², computed from the geometry {computed:,.1f} m² "
        "({share:+.2%})",
    ),
    "plan_area_within": (
        "两者相差不超过{tolerance:.1%}（导入配置 {profile} 的面积容差 tolerance_share）；"
        "请核对边界或登记面积",
        "areas within {tolerance:.1%} (profile {profile}, area.tolerance_share); check the "
        "boundary or the official figure",
    ),
}


#: Errors of the outputs, reports, maps, demo, policy and store: key -> (Chinese, English).
_OUTPUT_ERRORS: Final[Mapping[str, tuple[str, str]]] = {
    # output files (landplan.outputs)
    "out_outside_folder": (
        "「{path}」会写到输出文件夹「{base}」之外，未写入任何文件；请删除该处的链接，或另选 --out "
        "文件夹",
        "{path} would be written outside the output folder {base}; nothing was written. "
        "Remove the link there or choose another --out folder",
    ),
    "out_refuse_replace": (
        "「{path}」已存在，且{what}，未写入任何文件；请移走该文件，或另选 --out 文件夹",
        "{path} exists and is {what}, not a landplan {kind} output; nothing was written. "
        "Move the file away or choose another --out folder",
    ),
    "out_is_link": ("是链接", "a link"),
    "out_not_regular": ("不是普通文件", "not a regular file"),
    "out_is_store": ("是 landplan 数据库", "a landplan store"),
    "out_other_output": ("是 landplan 的另一种输出", "landplan's {mark} output"),
    "out_not_output": ("不是 landplan 的输出", "not a landplan output"),
    "out_write_failed": (
        "{path}：{cause}；所写内容不完整或未写出：请检查文件夹是否存在且可写、磁盘是否还有空间",
        "{path}: {cause}; what was being written is incomplete or absent: check that the "
        "folder exists and is writable, and that the disk has room",
    ),
    "out_demo_foreign_store": (
        "「{path}」不是演示创建的数据库，未写入任何文件；请换一个 --out 文件夹运行演示",
        "{path} is a store the demo did not create; nothing was written. Run the demo with "
        "another --out folder",
    ),
    # the report's period and text (landplan.report)
    "out_period_both": (
        "请给出报告期（「{period}」）或起止日期，不能同时给出；例如 --period 2026H1，"
        "或 --from 2026-04-01 --to 2026-05-31",
        "give a period ({period!r}) or start and end dates, not both; e.g. --period 2026H1, "
        "or --from 2026-04-01 --to 2026-05-31",
    ),
    "out_period_not_half": (
        "报告期「{period}」不是半年；应为 YYYYH1（1月至6月）或 YYYYH2（7月至12月），如 2026H1",
        "period {period!r} is not a half year; expected YYYYH1 (January to June) or YYYYH2 "
        "(July to December), e.g. 2026H1",
    ),
    "out_period_needed": (
        "报告需要报告期：--period 2026H1，或同时给出 --from 和 --to 日期（起始日：{start_said}，"
        "截止日：{end_said}）",
        "a report needs a period: --period 2026H1, or both --from and --to dates "
        "(got from={start!r}, to={end!r})",
    ),
    "out_period_reversed": (
        "报告期的截止日（{end}）早于起始日（{start}）；请对调两个日期",
        "the period ends ({end}) before it starts ({start}); swap the dates",
    ),
    "out_period_date": (
        "{what}「{value}」不是日期；应为 YYYY-MM-DD",
        "the {what} date {value!r} is not a date; expected YYYY-MM-DD",
    ),
    "out_start": ("起始日期", "start"),
    "out_not_given": ("未给出", "not given"),
    "out_given": ("「{value}」", "{value!r}"),
    "out_end": ("截止日期", "end"),
    "out_text_unreadable": (
        "{path}：无法读取报告文字（应为 UTF-8 编码的文本文件）",
        "{path}: cannot read the report text ({why})",
    ),
    "out_text_unknown_part": (
        "{path} 第{line}行：无法识别的部分「{name}」；应为以下之一：# 开头、# 主要做法、"
        "# 下一步工作计划、# 编制单位、# 日期",
        "{path}, line {line}: unknown part {name!r}; expected one of "
        "# 开头, # 主要做法, # 下一步工作计划, # 编制单位, # 日期",
    ),
    "out_text_before_part": (
        "{path} 第{line}行：第一个部分之前有文字；文件应以「# 主要做法」这样的行开头",
        "{path}, line {line}: text before the first part; start the file with a line such "
        "as '# 主要做法'",
    ),
    "out_text_date": (
        "{path}：# 日期：「{text}」不是日期；应为 YYYY-MM-DD 或 YYYY年M月D日",
        "{path}: # 日期: {text!r} is not a date; expected YYYY-MM-DD or YYYY年M月D日",
    ),
    "out_bad_picture": (
        "{picture}：无法放入附图「{caption}」；应为 PNG 或 JPEG 文件",
        "{picture}: cannot place the map picture {caption!r} ({why}); expected a PNG or JPEG file",
    ),
    "out_office_failed": (
        "LibreOffice 无法转换 {name}",
        "LibreOffice could not convert {name} ({why})",
    ),
    "out_office_no_pdf": (
        "LibreOffice 未为 {name} 生成 PDF",
        "LibreOffice wrote no PDF for {name}",
    ),
    "out_pdf_needs": (
        "生成 PDF 需要 LibreOffice（`apt install libreoffice-writer-nogui`）或 Chromium：{why}",
        "a PDF needs LibreOffice (apt install libreoffice-writer-nogui) or Chromium: {why}",
    ),
    # maps (landplan.maps)
    "out_tianditu_key": (
        "天地图底图（basemap='tianditu'）需要密钥，但未提供；请给出 tianditu_key='…'"
        "（在 console.tianditu.gov.cn 申请的浏览器端密钥），或改用 basemap='standard'",
        "expected a Tianditu key for basemap='tianditu', found none; pass tianditu_key='…' "
        "(a browser key from console.tianditu.gov.cn) or use basemap='standard'",
    ),
    "out_choice": (
        "{name} 应为以下之一：{allowed}，收到「{value}」",
        "expected {name} to be one of {allowed}, found {value!r}",
    ),
    "out_no_browser": (
        "未找到截图用的 Chromium 浏览器（已查看 browser 参数、$LANDPLAN_CHROMIUM 和 PATH 中的 "
        "chromium）；请安装（`apt-get install chromium`），或设置 LANDPLAN_CHROMIUM",
        "expected a Chromium browser for screenshots, found none (looked at the browser "
        "argument, $LANDPLAN_CHROMIUM and chromium on the PATH); install it "
        "(apt-get install chromium) or set LANDPLAN_CHROMIUM",
    ),
    "out_no_playwright": (
        "截图和打印地图需要 playwright 包，但未安装；请 `pip install playwright`（无需下载浏览器："
        "landplan 使用系统中的 Chromium）",
        "expected the playwright package for screenshots and printed maps, found it missing; "
        "pip install playwright (no browser download is needed: landplan drives the system's "
        "Chromium)",
    ),
    "out_map_timeout": (
        "「{path}」未在{seconds}秒内建好地图；请在浏览器中打开它查看错误",
        "expected {path} to build its map within {seconds} s, it did not{detail}; open it in a "
        "browser to see the error",
    ),
    "out_no_package": (
        "缺少 {package} 包（其中有地图的 JavaScript）；请安装 landplan 的依赖："
        "`pip install landplan`",
        "expected the {package!r} package (it carries the map's JavaScript), found it missing; "
        "install landplan's dependencies: pip install landplan",
    ),
    "out_title_date": (
        "图签日期应为 YYYY-MM-DD，收到「{day}」",
        "expected a date YYYY-MM-DD for the title block, found {day!r}",
    ),
    "out_paper": (
        "纸张应为 A3 或 A4，收到「{paper}」",
        "expected paper 'A3' or 'A4', found {paper!r}",
    ),
    "out_print_suffix": (
        "{path}：打印地图应写为 .pdf 或 .png 文件",
        "{path}: expected a .pdf or .png file to print the map to",
    ),
    # the store's refusals of a driver's failure (landplan.store)
    "out_store_busy": (
        "{location} 正忙于另一项写入；{done}，请稍后重试",
        "{location} is busy with another write; {done}, try again",
    ),
    "out_store_failed": ("{location}：{why}；{done}", "{location}: {why}; {done}"),
    "out_database_failed": ("数据库出错：{text}", "the database failed: {text}"),
    "out_nothing_written": ("未写入任何内容", "nothing was written"),
    "out_nothing_read": ("未读取任何内容", "nothing was read"),
    # the command line's help, where typer words it (the usage line, kinds of value, errors)
    "out_help_usage": ("用法：", "Usage: "),
    "out_help_options": ("[选项]", "[OPTIONS]"),
    "out_help_subcommands": ("命令 [参数]...", "COMMAND [ARGS]..."),
    "out_help_error": ("错误", "Error"),
    "out_help_try": (
        "请用 [blue]'{command_path} {help_option}'[/] 查看帮助。",
        "Try [blue]'{command_path} {help_option}'[/] for help.",
    ),
    # what typer says of a command line it cannot parse
    "out_usage_missing_argument": ("缺少参数 {hint}。", "Missing argument {hint}."),
    "out_usage_missing_option": ("缺少选项 {hint}。", "Missing option {hint}."),
    "out_usage_missing": ("缺少 {hint}。", "Missing {hint}."),
    "out_usage_no_option": ("没有选项 {option}", "No such option: {option}"),
    "out_usage_possible": ("（可用的有：{options}）", " (Possible options: {options})"),
    "out_usage_bad_value": ("{hint} 的值无效：{text}", "Invalid value for {hint}: {text}"),
    "out_usage_integer": ("应为整数", "expected an integer"),
    "out_usage_number": ("应为数值", "expected a number"),
    "out_usage_boolean": ("应为是或否", "expected yes or no"),
    "out_help_type_str": ("文本", "str"),
    "out_help_type_path": ("路径", "path"),
    "out_help_type_file": ("文件", "file"),
    "out_help_type_bool": ("开关", "bool"),
    "out_help_type_int": ("整数", "int"),
    "out_help_type_float": ("数值", "float"),
    "out_help_type_list[str]": ("文本列表", "list[str]"),
    # the items of a policy's problems (landplan.policy), one line each
    "out_policy_line": ("- {problem}", "- {problem}"),
    "out_none": ("（无）", "(none)"),
    "out_keys": ("`{keys}`", "{keys}"),
    "out_policy_replace": ("`replace()`", "replace()"),
    "out_policy_unknown_key": (
        "{where}：无法识别的参数 `{path}`；此处可用的参数：{known}",
        "{where}: unknown key {path!r}; known keys here: {known}",
    ),
    "out_policy_not_table": (
        "{where}：`{path}` 应为表，收到「{value}」",
        "{where}: {path!r} must be a table, got {value!r}",
    ),
    "out_policy_kind": (
        "{where}：`{path}` 应与默认值「{default}」类型相同，收到「{value}」",
        "{where}: {path!r} must be {kind} like the default {default!r}, got {value!r}",
    ),
    "out_policy_finite": (
        "`{key}` 应为有限数值，收到「{value}」",
        "{key!r} must be a finite number, got {value!r}",
    ),
    "out_policy_negative": (
        "`{key}` 不能为负数，收到「{value}」",
        "{key!r} must not be negative, got {value!r}",
    ),
    "out_policy_positive": (
        "`{key}` 应大于0，收到「{value}」",
        "{key!r} must be greater than 0, got {value!r}",
    ),
    "out_policy_share": (
        "`{key}` 是比例，应在0到1之间，收到「{value}」",
        "{key!r} is a share and must be between 0 and 1, got {value!r}",
    ),
    "out_policy_whole": (
        "`{key}` 应与默认值「{default}」一样为整数，收到「{value}」",
        "{key!r} must be a whole number like the default {default!r}, got {value!r}",
    ),
    "out_policy_vocab": (
        "`{key}` 中的「{item}」不是有效的{vocabulary}；是否为「{suggestion}」？"
        "应为以下若干项：{values}",
        "{key!r} holds {item!r}, which is not a {kind}; did you mean {suggestion!r}? "
        "Expected some of {values}",
    ),
    "out_policy_choice": (
        "`{key}` 应为以下之一：{choices}，收到「{value}」",
        "{key!r} must be one of {choices}, got {value!r}",
    ),
    "out_policy_weights": (
        "`{key}` 应至少有一个大于0的权重，收到 {weights}",
        "{key!r} must give at least one weight above 0, got {weights}",
    ),
    "out_policy_shares_sum": (
        "`evaluation.class_shares` 之和应为1（A + B + C + D），收到 {shares}，合计 {total:g}",
        "'evaluation.class_shares' must sum to 1 (A + B + C + D), got {shares} summing to "
        "{total:g}",
    ),
    "out_policy_essential": (
        "`review.essential` 中的「{name}」不是评审原则；应为以下若干项：{principles}",
        "'review.essential' names {name!r}, which is not a principle; expected some of "
        "{principles}",
    ),
    "out_policy_readiness": (
        "`capacity.supply_statuses` 中的「{status}」没有准备期；应设置 `readiness.{code}_months`，"
        "或删去该状态",
        "'capacity.supply_statuses' holds {code!r}, which has no readiness delay; expected "
        "readiness.{code}_months, or remove the status",
    ),
    "out_policy_stage_months": (
        "阶段「{stage}」有 `capacity.stage_probability` 但没有 `capacity.months_to_land`；"
        "每个储备阶段都应两者齐备",
        "stage {code!r} has a 'capacity.stage_probability' but no 'capacity.months_to_land'; "
        "expected both for every pipeline stage",
    ),
    "out_policy_landed": (
        "`report.landed_stages` 中的「{stage}」不在 `report.signed_stages` 中；项目落地前应已签约",
        "'report.landed_stages' holds {code!r}, which is not in 'report.signed_stages'; a "
        "landed project was signed first",
    ),
    "out_policy_bands": (
        "`{key}` 应为有限数值的分档下限列表，收到 {bands}",
        "{key!r} must be a list of finite lower band edges, got {bands!r}",
    ),
    "out_policy_bands_order": (
        "`{key}` 应从0开始递增，收到 {bands}",
        "{key!r} must start at 0 and increase, got {bands!r}",
    ),
    "out_policy_ratio": (
        "`{key}` 应不小于1（{meaning}），收到「{ratio}」",
        "{key!r} must be at least 1 ({meaning}), got {ratio!r}",
    ),
    "out_cutout_larger": ("地块大于需求", "a parcel larger than the demand"),
    "out_length_over_width": ("长宽之比", "length over width"),
    "out_policy_division": (
        "`control.far_min_by_division` 的键「{division}」应为两位数的 GB/T 4754 行业大类代码，"
        '如 "33"',
        "'control.far_min_by_division' has key {division!r}; expected a two-digit GB/T 4754 "
        'division such as "33"',
    ),
    "out_policy_division_far": (
        "`control.far_min_by_division.{division}` 应为数字，收到「{far}」",
        "'control.far_min_by_division.{division}' must be a number, got {far!r}",
    ),
    "out_policy_decimals": (
        "`maps.coordinate_decimals` 应不大于15，收到「{decimals}」",
        "'maps.coordinate_decimals' must be at most 15, got {decimals!r}",
    ),
    "out_policy_crs_unknown": (
        "`{key}` 不是 pyproj 可识别的坐标系：「{value}」；应如 EPSG:4546",
        "{key!r} is not a CRS pyproj knows: {value!r}; expected e.g. EPSG:4546",
    ),
    "out_policy_crs_projected": (
        "`{key}` 应为投影（米制）坐标系，如 EPSG:4546，收到「{value}」",
        "{key!r} must be a projected (metric) CRS such as EPSG:4546, got {value!r}",
    ),
    "out_policy_crs_geographic": (
        "`{key}` 应为地理坐标系，如 EPSG:4490，收到「{value}」",
        "{key!r} must be a geographic CRS such as EPSG:4490, got {value!r}",
    ),
}


#: What maps say beside their data: layer names, legends, controls, popup labels; key ->
#: (Chinese, English). ``map.revitalisation.*`` are the revitalisation map's own. Read raw by
#: :func:`landplan.maps.page.map_text` (some hold fields the map fills).
_MAP_TEXTS: Final[Mapping[str, tuple[str, str]]] = {
    "map.parcels": ("地块（按状态）", "Parcels by status"),
    "map.parcels_context": ("地块", "Parcels"),
    "map.buildings": ("厂房（按状态）", "Buildings by status"),
    "map.constraints": ("管控区", "Constraints"),
    "map.roads": ("道路", "Roads"),
    "map.corridor": ("发展轴分期", "Corridor phases"),
    "map.corridor_line": ("大道", "Avenue"),
    "map.substations": ("变电站", "Substations"),
    "map.per_mu_class": ("亩均效益分类", "Per-mu class"),
    "map.flags": ("预警地块", "Flagged parcels"),
    "map.deadlines": ("闲置土地处置期限", "Idle-land deadlines"),
    "map.candidates": ("候选选址", "Candidate sites"),
    "map.rejected": ("排除地块", "Rejected parcels"),
    "map.allocation": ("用地分配", "Allocation"),
    "map.unallocated": ("未分配", "Not allocated"),
    "map.corridor_parcels": ("地块（按分期）", "Parcels by phase"),
    "map.osm": ("OpenStreetMap", "OpenStreetMap"),
    "map.carto": ("CartoDB 浅色", "CartoDB Positron"),
    "map.tianditu_vector": ("天地图 矢量", "Tianditu map"),
    "map.tianditu_imagery": ("天地图 影像", "Tianditu imagery"),
    "map.tianditu_labels": ("天地图 注记", "Tianditu labels"),
    "map.amap": ("高德地图", "AMap"),
    "map.amap_imagery": ("高德 卫星", "AMap imagery"),
    "map.fullscreen_enter": ("全屏", "Full screen"),
    "map.fullscreen_exit": ("退出全屏", "Exit full screen"),
    "map.measure_start": ("测量距离和面积", "Measure distance and area"),
    "map.measure_stop": ("结束测量", "Stop measuring"),
    "map.measure_hint": ("在地图上点击添加测量点", "Click the map to add points"),
    "map.length": ("长度", "Length"),
    "map.area": ("面积", "Area"),
    "map.mu": ("亩", "mu"),
    "map.other": ("其他", "other"),
    "map.rule": ("触发规则", "Rules fired"),
    "map.idle_clock": ("闲置土地计时", "Idle-land clock"),
    "map.reservation": ("已预留给", "Reserved for"),
    "map.reasons": ("推荐理由", "Why this site"),
    "map.parcels_of_site": ("地块", "Parcels"),
    "map.rejection": ("排除原因", "Reason"),
    "map.phase": ("分期", "Phase"),
    "map.overdue": ("已超过无偿收回期限", "recovery date passed"),
    "map.recovery_soon": ("临近无偿收回期限", "recovery within the warning period"),
    "map.idle_soon": ("临近认定闲置", "idle within the warning period"),
    "map.clock_running": ("计时中", "clock running"),
    "map.project": ("项目", "Project"),
    "map.rank": ("排名", "Rank"),
    "map.kind": ("类型", "Kind"),
    "map.score": ("得分", "Score"),
    "map.aggregated": (
        "（按{cell:g}米网格汇总，每格按面积最大者着色）",
        " (per {cell:g} m cell, coloured as most of its area)",
    ),
    "map.aggregated_title": (
        "（要素{n:,}个，过多无法逐个绘制：全区图层按网格汇总显示）",
        " — {n:,} features are too many to draw: the zone's own layers are shown per grid cell",
    ),
    "map.cell_features": ("网格内要素数", "Features in the cell"),
    "map.cell_area": ("要素面积", "Their area"),
    # a parcel's idle-land clock in its popup (filled column-wise by compose)
    "map.idle_clock.recoverable": (
        "自{recovery}起可无偿收回（已过{left}天）",
        "recoverable free of charge since {recovery} ({left} days ago)",
    ),
    "map.idle_clock.idle": (
        "自{idle}起认定闲置；{left}天后（{recovery}）可无偿收回",
        "idle since {idle}; recoverable in {left} days ({recovery})",
    ),
    "map.idle_clock.not_due": (
        "计时中：{ahead}天后（{idle}）认定闲置",
        "clock running: idle in {ahead} days ({idle})",
    ),
    "map.idle_clock.insufficient_data": (
        "数据不足，缺：{missing}",
        "insufficient data, missing: {missing}",
    ),
    "map.revitalisation.title": ("盘活低效用地", "Revitalising low-efficiency land"),
    "map.revitalisation.parcels": ("盘活地块（按模式）", "Parcels by mode"),
    "map.revitalisation.buildings": ("招商厂房", "Factory space to let"),
    "map.revitalisation.mode": ("盘活模式", "Mode"),
    "map.revitalisation.basis": ("收回方式", "How"),
    "map.revitalisation.area": ("面积（亩）", "Area (mu)"),
    "map.revitalisation.land": ("盘活土地（亩）", "Land released (mu)"),
    "map.revitalisation.floor_added": ("新增建筑面积（m²）", "Floor area added (m²)"),
    "map.revitalisation.floor_let": ("出租厂房面积（m²）", "Floor space let (m²)"),
    "map.revitalisation.land_date": ("土地可用日期", "Land available"),
    "map.revitalisation.floor_date": ("增容建成日期", "Floor area built"),
    "map.revitalisation.let_date": ("可出租日期", "Let from"),
    "map.revitalisation.quarter": ("季度", "Quarter"),
    "map.revitalisation.reason": ("依据", "Why"),
    "map.revitalisation.projects": ("可用项目", "Projects that could use it"),
    "map.revitalisation.group": ("归宗地块组", "Consolidated site"),
    "map.revitalisation.phase": ("发展轴分期", "Corridor phase"),
    "map.revitalisation.uses": ("项目可用选址", "Sites the pipeline could take"),
    "map.revitalisation.project": ("项目", "Project"),
    "map.revitalisation.rank": ("选址排名", "Rank among its sites"),
    "map.revitalisation.kind": ("选址类型", "Kind of site"),
    "map.revitalisation.floor_area": ("厂房面积（m²）", "Floor space (m²)"),
    "map.revitalisation.available": ("可用日期", "Available from"),
    "map.revitalisation.statement": ("说明", "Statement"),
    "map.revitalisation.status": ("现状", "Status"),
    "map.revitalisation.holder": ("权利人", "Holder"),
}

#: Lines the command line prints: key -> (Chinese, English), with ``str.format`` fields the caller
#: fills. Values in the fields are labelled by the caller (:func:`value_label`), never raw codes.
MESSAGES: Final[Mapping[str, tuple[str, str]]] = {
    **_AUDIT_MESSAGES,
    **_MAP_TEXTS,
    **_MATCH_MESSAGES,
    "wrote": ("已写出 {path}", "wrote {path}"),
    "wrote_bytes": ("已写出 {path}（{size:,}字节）", "wrote {path} ({size:,} bytes)"),
    "wrote_csv": ("已写出 {n} 个 CSV 文件：{folder}", "wrote {n} CSV files in {folder}"),
    "note": ("注：{text}", "note: {text}"),
    "warning": ("警告：{text}", "warning: {text}"),
    "more_warnings": ("……另有{n}个警告", "... and {n} more warnings"),
    "error": ("错误：", "error:"),
    "aborted": ("已中止", "aborted"),
    "sample_fallback": (
        "未给出 --zone 或 --db，{target} 处也没有数据库：使用示例园区（见 `landplan sample`）",
        "no --zone or --db given and no store at {target}: using the sample zone "
        "(see `landplan sample`)",
    ),
    # problems found by a validation or an import
    "problems_by_column": ("按字段汇总：", "problems by column:"),
    "problems_written": (
        "全部{problems}个问题和{warnings}个警告已写入 {path}",
        "all {problems} problem(s) and {warnings} warning(s) written to {path}",
    ),
    "problems_hint": (
        "用 --problems 文件.csv（或 .xlsx）可写出全部问题",
        "write them all to a file with --problems FILE.csv (or .xlsx)",
    ),
    "nothing_written": ("未写入{layer}：", "nothing was written to {layer}: "),
    "nothing_updated": ("未更新{layer}：", "nothing was updated in {layer}: "),
    # validate
    "valid_title": ("{file}：{layer}{n}个，校验通过", "{file}: {n} {layer}, valid"),
    "field": ("字段", "column"),
    "filled": ("已填写", "filled"),
    "repaired": ("已修复 {feature}：{reason}", "repaired {feature}: {reason}"),
    "total_area": (
        "总面积：{mu:,.1f}亩（{m2:,.0f}平方米）",
        "total area: {mu:,.1f} mu ({m2:,.0f} m²)",
    ),
    # the store
    "store_created": (
        "已创建数据库 {location}（{backend}，{crs}）",
        "store created {location} ({backend}, {crs})",
    ),
    "store_exists": (
        "数据库已存在：{location}（{backend}，{crs}）",
        "store already exists: {location} ({backend}, {crs})",
    ),
    "import_summary": (
        "{layer}（{mode}，来源 {source}）：新增{inserted}个，更新{updated}个，删除{deleted}个，"
        "状态变更{status_events}项",
        "{layer} from {source} ({mode}): {inserted} new, {updated} updated, {deleted} removed, "
        "{status_events} status change(s)",
    ),
    "update_summary": (
        "{layer}（来源 {source}）：共{rows}行，{changed}个要素有变更，记录属性变更{events}项",
        "{layer} from {source}: {rows} row(s) given, {changed} changed, "
        "{events} attribute change(s) recorded",
    ),
    "exported": ("已写出{layer}{n}个：{path}", "wrote {n} {layer} feature(s) to {path}"),
    "status_set": (
        "{layer} {feature}：{old} → {new}，{date}起生效（第{version}版，经办人 {who}）",
        "{layer} {feature}: {old} → {new} from {date} (version {version}, by {who})",
    ),
    "status_future": (
        "注：该变更生效日期在将来，自{date}起生效；此前要素保持原状态（`status retract` 可撤回）",
        "note: the change is dated in the future and holds from {date}; until then the feature "
        "keeps its status (`status retract` takes it back)",
    ),
    "status_retracted": (
        "{layer} {feature}：已撤回{date}生效、改为“{status}”的变更（经办人 {who}）",
        "{layer} {feature}: retracted the change to {status} dated {date} (by {who})",
    ),
    "history_title": ("{layer} {feature}：状态变更记录", "{layer} {feature}: status history"),
    "history_none": (
        "{layer} {feature}：无状态变更记录",
        "{layer} {feature}: no status changes recorded",
    ),
    "retracted": ("（已撤回）", " (retracted)"),
    "retracts": ("（撤回此前的变更）", " (retracts an earlier change)"),
    "attribute_title": ("{layer} {feature}：属性变更记录", "{layer} {feature}: attribute changes"),
    "status_on_title": ("{layer} {date} 各状态数量", "{layer} by status on {date}"),
    "reserved": ("已为项目 {project} 预留地块 {parcels}", "reserved {parcels} for {project}"),
    "released": ("已解除项目 {project} 的{n}项预留", "released {n} reservation(s) of {project}"),
    "reservations_all": ("全部预留记录", "reservations"),
    "reservations_active": ("当前预留", "active reservations"),
    "released_on": ("{date} 由 {who} 解除", "{date} by {who}"),
    "reserved_many": (
        "已为{projects}个项目预留地块{parcels}宗",
        "reserved {parcels} parcel(s) for {projects} project(s)",
    ),
    # analyses
    "allocation": (
        "{verdict}；已安排{placed}个项目，未安排{unplaced}个；贪心方案目标值{greedy:,.1f}"
        "（优化方案高{gain:.1%}）",
        "{verdict}; {placed} placed, {unplaced} unplaced; greedy {greedy:,.1f} (+{gain:.1%})",
    ),
    "verdict_optimal": ("已证明最优", "proven optimal"),
    "verdict_gap_limit": (
        "未证明最优（达到允许的最优性差距后停止）",
        "not proven optimal (stopped at the allowed gap)",
    ),
    "verdict_time_limit": ("未证明最优（达到求解时限）", "not proven optimal (time limit)"),
    "verdict_value": ("：目标函数值{value:,.1f}", ": value {value:,.1f}"),
    "verdict_bound": (
        "，最优界{bound:,.1f}，差距{gap:.2%}",
        ", bound {bound:,.1f}, gap {gap:.2%}",
    ),
    "verdict_greedy": ("；采用贪心方案", "; greedy plan"),
    "note_greedy_used": (
        "贪心方案优于求解器在时限内找到的最好方案，予以采用",
        "the greedy plan beat the solver's best plan found in time and is used",
    ),
    "note_time_limit": (
        "求解时限{limit:g}秒已到，相对差距{gap:.2%}；如需证明最优，请提高政策参数"
        " allocation.time_limit_s",
        "the time limit of {limit:g} s stopped the solver with a relative gap of {gap:.2%}; "
        "raise allocation.time_limit_s for a proven optimum",
    ),
    "note_gap_limit": (
        "求解器在相对差距{gap:.2%}处停止（政策参数 allocation.mip_rel_gap 允许）；设为0可证明最优",
        "the solver stopped at a relative gap of {gap:.2%}, allowed by allocation.mip_rel_gap; "
        "set it to 0 for a proven optimum",
    ),
    # the admission review's explanations, composed from the policy's numbers
    "review_unit_cluster": ("产业集群", "cluster"),
    "review_unit_share": ("占营业收入比例", "share of revenue"),
    "review_unit_energy": ("吨标准煤/万元", "tce/万元"),
    "review_unit_per_mu": ("万元/亩", "万元/亩"),
    "review_what_investment": ("固定资产投资", "fixed-asset investment"),
    "review_what_tax": ("税收", "tax"),
    "review_one_of": ("属于{targets}之一", "one of {targets}"),
    "review_no_cluster": (
        "项目未填写所属产业集群；园区重点集群为{targets}",
        "the project names no industry cluster; the zone's target clusters are {targets}",
    ),
    "review_not_target": (
        "所属“{cluster}”不在园区重点集群（{targets}）之列",
        "cluster {cluster!r} is not one of the zone's target clusters ({targets})",
    ),
    "review_chain_leaders": (
        "属园区重点集群“{cluster}”，园区内有链主企业{names}",
        "{cluster} is a target cluster; chain leaders in the zone: {names}",
    ),
    "review_no_chain_leader": (
        "属园区重点集群“{cluster}”，但园区内尚无该集群的链主企业",
        "{cluster} is a target cluster, but the zone has no chain-leader enterprise of it",
    ),
    "review_floor_only": (
        "租用厂房、不单独用地，不评价亩均{what}",
        "takes floor space, no land: {what} per mu does not apply",
    ),
    "review_not_given": (
        "未填写{column}，无法评价亩均{what}，请补充项目资料",
        "{column} not given: cannot judge {what} per mu; add it to the project",
    ),
    "review_per_mu_pass": (
        "{amount:,.0f}万元 ÷ {area:.1f}亩 = {value:,.1f}万元/亩，不低于控制值{threshold:g}"
        "（{source}）",
        "{amount:,.0f} 万元 / {area:.1f} 亩 = {value:,.1f} 万元/亩, at least the control value "
        "{threshold:g} ({source})",
    ),
    "review_per_mu_fail": (
        "{amount:,.0f}万元 ÷ {area:.1f}亩 = {value:,.1f}万元/亩，低于控制值{threshold:g}"
        "（{source}）",
        "{amount:,.0f} 万元 / {area:.1f} 亩 = {value:,.1f} 万元/亩, below the control value "
        "{threshold:g} ({source})",
    ),
    "review_energy_not_given": (
        "未填写{missing}，无法评价能耗强度，请补充项目资料",
        "{missing} not given: cannot judge energy intensity; add them to the project",
    ),
    "review_energy_within": (
        "{energy:,.0f}吨标准煤 ÷ {output:,.0f}万元 = {value:.3f}吨标准煤/万元，"
        "未超过园区上限{cap:g}",
        "{energy:,.0f} tce / {output:,.0f} 万元 = {value:.3f} tce/万元, "
        "within the zone cap {cap:g}",
    ),
    "review_energy_above": (
        "{energy:,.0f}吨标准煤 ÷ {output:,.0f}万元 = {value:.3f}吨标准煤/万元，超过园区上限{cap:g}",
        "{energy:,.0f} tce / {output:,.0f} 万元 = {value:.3f} tce/万元, above the zone cap {cap:g}",
    ),
    "review_rd": ("研发经费占营业收入{rd:.1%}", "R&D share {rd:.1%}"),
    "review_rd_missing": ("未填写研发经费占比", "R&D share not given"),
    "review_technology_high_tech_meets": (
        "{reason}（最低{minimum:.0%}），已认定为高新技术企业，符合科技含量要求",
        "{reason} (minimum {minimum:.0%}), certified high-tech: meets the technology principle",
    ),
    "review_technology_not_high_tech_meets": (
        "{reason}（最低{minimum:.0%}），未认定为高新技术企业，符合科技含量要求",
        "{reason} (minimum {minimum:.0%}), not certified high-tech: meets the technology principle",
    ),
    "review_technology_not_high_tech_misses": (
        "{reason}（最低{minimum:.0%}），且未认定为高新技术企业，不符合科技含量要求",
        "{reason} (minimum {minimum:.0%}), not certified high-tech: misses the technology "
        "principle",
    ),
    "review_essential_fails": (
        "必备原则“{principle}”未达标：{reason}",
        "essential principle {principle} fails: {reason}",
    ),
    "review_condition_fails": (
        "“{principle}”未达标，须附条件：{reason}",
        "condition {principle} fails: {reason}",
    ),
    "review_floor_space": (
        "厂房需求{floor:,.0f}平方米，在标准厂房面积范围内（≤ {floor_max:,.0f}平方米）：宜租用标准"
        "厂房，不单独供地（{source}）",
        "floor demand {floor:,.0f} m² fits standard factory floor space (≤ {floor_max:,.0f} m²): "
        "it should take floor space rather than land of its own ({source})",
    ),
    "review_all_pass": ("五项原则全部达标", "every principle passes"),
    # why the allocation leaves a project out
    "unplaced_no_feasible_site": (
        "没有符合项目要求的候选地",
        "no candidate site meets the project's requirements",
    ),
    "unplaced_site_reserved": (
        "全部候选地都占用已为其他项目预留的地块",
        "every candidate site uses parcels reserved for other projects",
    ),
    "unplaced_outbid": (
        "候选地已安排给使方案总体效益更高的项目",
        "its candidate sites went to projects that give the plan more value",
    ),
    "unplaced_not_selected": (
        "空闲候选地不增加效益（得分为0），或求解时限已到",
        "a free site adds no value (score 0) or the time limit stopped the solver",
    ),
    "unplaced_rules": (
        "各候选地均不符合选址规则：{rules}",
        "every site fails a siting rule: {rules}",
    ),
    "unplaced_rule": ("{rule}（{n}处）", "{rule} ({n} sites)"),
    "revitalise_head": (
        "盘活方案（核查日期{as_of}）：地块{parcels}宗、厂房{buildings}栋；土地{land:,.1f}亩，"
        "新增建筑面积{added:,.0f}平方米，可出租厂房{let:,.0f}平方米；可供{projects}个储备项目使用",
        "revitalisation plan as of {as_of}: {parcels} parcels, {buildings} buildings; land "
        "{land:,.1f} mu, floor area added {added:,.0f} m², floor space let {let:,.0f} m²; "
        "{projects} pipeline project(s) could use it",
    ),
    "revitalise_mode": (
        "  {mode}：地块{parcels}宗，{land:,.1f}亩，新增建筑面积{added:,.0f}平方米，"
        "出租{let:,.0f}平方米",
        "  {mode}: {parcels} parcels, {land:,.1f} mu, +{added:,.0f} m², let {let:,.0f} m²",
    ),
    "more_projects": ("  ……另有{n}个项目见工作簿", "  … {n} more project(s) in the workbook"),
    "match_title": (
        "{project} {name}：{window}，候选{n}个",
        "{project} {name}: {window}, {n} candidates",
    ),
    "window": (
        "用地需求{low:.1f}–{high:.1f}亩（目标{target:.1f}亩）",
        "{low:.1f}–{high:.1f} mu (target {target:.1f} mu)",
    ),
    "no_land": ("不需要用地", "no land asked for"),
    "components": (
        "各项得分（0–1，按政策的排序权重加权）：",
        "components (0–1, weighted by ranking.weights): ",
    ),
    "rejected": ("未入选（按规则）：", "rejected: "),
    "report_figures": (
        "{title}：数字{figures}个，来自{tables}张表",
        "{title}: {figures} figures from {tables} tables",
    ),
    "report_no_maps": (
        "注：报告未附地图：{reason}",
        "note: the report is written without its maps: {reason}",
    ),
    "report_no_pdf": ("注：未生成 PDF：{reason}", "note: no PDF written: {reason}"),
    "map_written": (
        "已写出 {path}（{mb:.1f} MB）：{counts}",
        "wrote {path} ({mb:.1f} MB): {counts}",
    ),
    "generating_sample": ("正在生成示例园区", "generating the sample zone"),
    "demo_title": ("landplan 演示：{n}个文件，位于 {out}", "landplan demo: {n} files in {out}"),
    "demo_step": ("步骤", "step"),
    "demo_file": ("文件", "file"),
    "done": ("完成", "done"),
    **_ERROR_MESSAGES,
    **_OUTPUT_ERRORS,
    **_PLAN_ERRORS,
}


def message(key: str, lang: Lang = "zh", /, **fields: object) -> str:
    """Return a printed line in one language, its fields filled.

    Examples
    --------
    >>> message("wrote", "zh", path="audit.xlsx")
    '已写出 audit.xlsx'
    >>> message("released", "en", project="PJ-06", n=2)
    'released 2 reservation(s) of PJ-06'
    """
    zh, en = MESSAGES[key]
    return (zh if lang == "zh" else en).format(**fields)


def compose(key: str, lang: Lang = "zh", /, **fields: object) -> np.ndarray:
    """Return one sentence per row: a :data:`MESSAGES` template filled column by column.

    The text is built by concatenating whole columns, never row by row, so a million rows cost a
    few array operations per field. Compose a nested clause first and pass it as a field.

    Parameters
    ----------
    key
        The template's key in :data:`MESSAGES`; its ``{field}`` placeholders name ``fields``.
    lang
        ``zh`` or ``en``: only that language's text is built.
    **fields
        Arrays of text, one item per row (numbers written with
        :func:`landplan._format.number_text`, dates with ``date_strings``), or scalars, which
        are formatted once with their placeholder's format spec (``{share:.0%}``). Arrays
        other than text are written with ``str``.

    Returns
    -------
    numpy.ndarray
        An object array of one sentence per row; of one sentence where no field is an array.

    Raises
    ------
    ValueError
        If the array fields differ in length, or an array field's placeholder has a format spec.

    Examples
    --------
    >>> compose("idle_developed_share", "zh", share=np.array(["0.2", "0.25"], dtype=object))
    array(['开发面积占比0.2', '开发面积占比0.25'], dtype=object)
    >>> compose("class_small", "en", land=np.array(["3.75"]), minimum=5).tolist()
    ['land 3.75 mu under 5 mu']
    """
    zh, en = MESSAGES[key]
    pieces: list[str | np.ndarray] = []
    size: int | None = None
    for literal, name, spec, conversion in _template(zh if lang == "zh" else en):
        if literal:
            pieces.append(literal)
        if name is None:
            continue
        value = fields[name]
        if isinstance(value, np.ndarray | pd.Series | pd.Index):
            if spec or conversion:
                raise ValueError(f"{key}: the array field {name!r} must be text already")
            column = np.asarray(value)
            if column.dtype != object:
                column = column.astype(str).astype(object)
            if size is not None and len(column) != size:
                raise ValueError(f"{key}: field {name!r} has {len(column)} rows, not {size}")
            size = len(column)
            pieces.append(column)
        else:
            text = _FORMATTER.format_field(_FORMATTER.convert_field(value, conversion), spec or "")
            pieces.append(text)
    # Neighbouring texts are joined first: each row then costs one concatenation per array.
    merged: list[str | np.ndarray] = []
    for piece in pieces:
        if isinstance(piece, str) and merged and isinstance(merged[-1], str):
            merged[-1] += piece
        else:
            merged.append(piece)
    if size is None:
        return np.array(["".join(str(p) for p in merged)], dtype=object)
    out: np.ndarray = np.full(size, "", dtype=object)
    for piece in merged:
        out = out + piece
    return out


_FORMATTER: Final = string.Formatter()


@cache
def _template(text: str) -> tuple[tuple[str, str | None, str | None, str | None], ...]:
    return tuple(_FORMATTER.parse(text))


def policy_source(policy: Policy, dotted: str, lang: Lang = "zh") -> str:
    """Return the cited source of a policy value (``Policy.source``) in ``lang``.

    A source the policy ships with reads in Chinese as the registry renders it (the Chinese title
    of the regulation it cites); a source a zone's own policy file wrote is returned as written,
    whatever ``lang``.

    >>> from landplan.policy import Policy
    >>> policy_source(Policy.default(), "evaluation.weights")
    '黄岩区亩均效益评价指标权重30/20/20/10/10/10'
    """
    text = policy.source(dotted)
    if lang != "zh":
        return text
    shipped = _default_policy()
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        key = ".".join(parts[:end])
        rendering = f"policy_source.{key}"
        if rendering in MESSAGES and shipped.source(key) == text:
            return message(rendering, lang, text=text)
    return text


def policy_table(policy: Policy, lang: Lang = "zh") -> pd.DataFrame:
    """Return the policy's values (``Policy.table``) with their sources in ``lang``.

    >>> from landplan.policy import Policy
    >>> table = policy_table(Policy.default())
    >>> table.loc[table["key"] == "evaluation.weights.tax_per_mu", "source"].item()
    '黄岩区亩均效益评价指标权重30/20/20/10/10/10'
    """
    table = policy.table()
    table["source"] = [policy_source(policy, key, lang) for key in table["key"]]
    return table


@cache
def _default_policy() -> Policy:
    from landplan.policy import Policy

    return Policy.default()


def value_texts(column: str, values: np.ndarray | pd.Series, lang: Lang = "zh") -> np.ndarray:
    """Return :func:`value_label` of each value as an object array, labelled once per value.

    >>> value_texts("missing", np.array(["agreed_start", "completed;far"])).tolist()
    ['约定动工日期', '竣工日期；容积率']
    """
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    named = np.array([value_label(column, u, lang) for u in uniques] + [None], dtype=object)
    return named[codes]


@cache
def vocabulary_codes() -> frozenset[str]:
    """Return every internal identifier a Chinese reader must never see.

    The values of every domain that have a Chinese label different from themselves (statuses,
    clusters, principles, rules ...), the layers' names, and the column identifiers that hold an
    underscore (``area_mu``): what a check of Chinese output looks for.
    """
    codes: set[str] = set()
    for domain, values in _domains().items():
        # These two name what a table measures with everyday words ("land", "coverage") that
        # the policy's cited sources use too: the check looks for identifiers, not English.
        # Units and the names of data fields are such words as well.
        if domain not in ("demand", "indicator", "unit", "field"):
            codes.update(k for k, (_, zh) in values.items() if zh != k)
    codes.update(c for c in zh_labels() if "_" in c)
    return frozenset(c for c in codes if re.fullmatch(r"[a-z_]{4,}", c))


#: The command line's help: each command's and option's English text -> its Chinese text. The
#: language of ``--help`` is ``$LANDPLAN_LANG`` (``zh`` by default), see :func:`help_text`.
HELP: Final[Mapping[str, str]] = {
    "开发区土地与厂房规划 — plan the land and factory buildings of an industrial zone.": (
        "开发区土地与厂房规划：地块与厂房现状、闲置与低效用地核查、入园评审、选址、统筹供地、"
        "东扩分期、盘活、专题图与公文报告。"
    ),
    "Print the version (版本) and exit.": "显示版本号后退出。",
    "Show this message and exit.": "显示本帮助后退出。",
    "Status changes and their history.": "状态变更及其历史记录。",
    "Check a file against a layer's schema; list every problem, or summarise the layer.": (
        "按图层规范检查文件：列出全部问题，或汇总该图层。"
    ),
    "Any vector file GDAL reads, a .gdb folder, CSV or XLSX.": (
        "GDAL 可读的任意矢量文件、.gdb 文件夹、CSV 或 XLSX。"
    ),
    "Which layer the file holds.": (
        "文件所含图层（parcels 地块、buildings 厂房、projects 项目……）。"
    ),
    "CRS of a file without one (e.g. EPSG:4546).": "文件未声明坐标系时的坐标系（如 EPSG:4546）。",
    "Layer inside a multi-layer source (GeoPackage, File Geodatabase, zip); for DXF, the drawing "
    "layer(s) holding the outlines.": (
        "多图层数据源（GeoPackage、File Geodatabase、zip）中的图层；DXF 文件则为含边界线的图层。"
    ),
    "Excel sheet, by name or position from 1.": "Excel 工作表：名称或从 1 起的序号。",
    "Text encoding where the file does not say (e.g. GB18030).": (
        "文件未声明时的文字编码（如 GB18030）。"
    ),
    "Repair invalid geometry.": "修复无效几何图形。",
    "Import profile: dltb (三调地类图斑), zd (宗地), low_efficiency, kg (控规), or a profile TOML "
    "file (copy one from landplan/datasets/profiles).": (
        "导入方案：dltb（三调地类图斑）、zd（宗地）、low_efficiency（低效用地）、kg（控规），"
        "或导入方案 TOML 文件（可复制 landplan/datasets/profiles 中的文件修改）。"
    ),
    "Scheme of the land-use codes: gb50137, gbt21010 (三调), gbt21010_2007, ydyh2023 (用地用海).": (
        "用地代码所用标准：gb50137、gbt21010（三调）、gbt21010_2007、ydyh2023（用地用海）。"
    ),
    "Xian 1980 / Beijing 1954 data: the 3 or 7 published parameters to WGS 84 "
    "(dx,dy,dz[,rx,ry,rz,ds]).": (
        "西安1980或北京1954坐标数据：转换到 WGS 84 的3参数或7参数（dx,dy,dz[,rx,ry,rz,ds]）。"
    ),
    "Write every problem and warning to this .csv or .xlsx file.": (
        "把全部问题和警告写入此 .csv 或 .xlsx 文件。"
    ),
    "TOML file overriding the default policy's thresholds.": "覆盖默认政策参数的 TOML 文件。",
    "Language of what is printed: zh (中文, default) or en.": (
        "输出语言：zh（中文，默认）或 en（英文）。"
    ),
    "Audit idle and low-efficiency land; write XLSX, CSV and a GeoPackage layer.": (
        "核查闲置与低效用地；写出 XLSX、CSV 和 GeoPackage 图层。"
    ),
    "Audit date, e.g. 2025-06-30 (default: today).": "核查日期，如 2025-06-30（默认今天）。",
    "Directory for the audit's files.": "核查结果的输出文件夹。",
    "The store to read (GeoPackage file or postgresql:// URL; default landplan.gpkg).": (
        "读取的数据库（GeoPackage 文件或 postgresql:// 地址；默认 landplan.gpkg）。"
    ),
    "GeoPackage with the zone's layers.": "含园区各图层的 GeoPackage 文件。",
    "Plan the revitalisation of low-efficiency land (盘活低效用地); write XLSX and GeoPackage.": (
        "编制盘活低效用地方案；写出 XLSX 和 GeoPackage。"
    ),
    "Date of the audit the plan builds on (default: today).": "方案所依据核查的日期（默认今天）。",
    "Directory for the plan's files.": "方案的输出文件夹。",
    "Read the zone from a store (GeoPackage path or postgresql:// URL).": (
        "从数据库读取园区（GeoPackage 路径或 postgresql:// 地址）。"
    ),
    "GeoPackage of the zone's layers (default: the store, else the sample).": (
        "园区各图层的 GeoPackage 文件（默认读数据库，没有则用示例园区）。"
    ),
    "Projects CSV/XLSX, where not in the zone file.": "项目表 CSV/XLSX（园区文件中没有项目时）。",
    "Generate the sample zone (GeoPackage + projects CSV/XLSX), the same bytes every time.": (
        "生成示例园区（GeoPackage 和项目表 CSV/XLSX），每次生成的文件完全相同。"
    ),
    "Output folder.": "输出文件夹。",
    "Number of parcels (default 450).": "地块数量（默认450）。",
    "Random seed.": "随机数种子。",
    "Run everything on the sample zone with the embedded store; write maps and reports.": (
        "用内置数据库在示例园区上演示全部功能；写出专题图和报告。"
    ),
    "Review a project on the five principles: admit, admit with conditions, or reject.": (
        "按五项原则评审项目：准予入园、附条件入园或不予入园。"
    ),
    "Project id.": "项目编号。",
    "A project as TOML, or a CSV/XLSX of projects.": "项目 TOML 文件，或项目表 CSV/XLSX。",
    "Area of the site offered, in mu.": "拟供地块面积（亩）。",
    "Write an XLSX here.": "写出 XLSX 到此处。",
    "Rank the sites a project could take, with every score component and the rejections.": (
        "为项目排序候选地块，列出各项得分及未入选原因。"
    ),
    "How many candidates to show.": "显示的候选数。",
    "Write XLSX and GeoPackage here.": "写出 XLSX 和 GeoPackage 到此处。",
    "Say why this parcel is or is not offered.": "说明该地块入选或未入选的原因。",
    "Draw a map as one self-contained HTML file (opens offline; only tiles need a network).": (
        "绘制专题图，写成一个独立的 HTML 文件（离线可打开，仅底图瓦片需联网）。"
    ),
    "Which map: overview, audit, project, allocation, corridor, revitalisation.": (
        "专题图类型：overview（现状总览）、audit（闲置与低效）、project（项目选址）、"
        "allocation（统筹供地）、corridor（东扩分期）、revitalisation（盘活）。"
    ),
    "The project, for `landplan map project PROJECT`.": (
        "项目编号，用于 `landplan map project 项目编号`。"
    ),
    "The .html file to write.": "写出的 .html 文件。",
    "Audit date for the audit map (default today).": "闲置与低效用地图的核查日期（默认今天）。",
    "Candidate sites drawn on a project map.": "项目选址图上绘制的候选地块数。",
    "Labels in Chinese (zh) or English (en).": "标注语言：中文（zh）或英文（en）。",
    "auto (Tianditu where a key is set, else standard), standard (OpenStreetMap, CartoDB), "
    "tianditu (needs a key) or amap (data shifted to GCJ-02).": (
        "底图：auto（已配置密钥时用天地图，否则用 standard）、standard（OpenStreetMap、CartoDB）、"
        "tianditu（需密钥）或 amap（高德，数据转换到 GCJ-02）。"
    ),
    "Tianditu browser key (tk); else the policy's [maps] tianditu_key.": (
        "天地图浏览器端密钥（tk）；不给时取政策文件 [maps] tianditu_key。"
    ),
    "Also write a PNG: a print sheet with --paper, else a screenshot.": (
        "同时写出 PNG：有 --paper 时为出图图幅，否则为截图。"
    ),
    "Also write a print-ready PDF sheet (needs Chromium).": (
        "同时写出可打印的 PDF 图幅（需 Chromium）。"
    ),
    "Paper of the print sheet: A3 (default) or A4, landscape.": "出图纸张：A3（默认）或 A4，横向。",
    "编制单位 printed in the sheet's title block.": "图签中的编制单位。",
    "Show the ranking's internal scores on a project map.": "在项目选址图上显示排序的各项得分。",
    "Create a store (a GeoPackage file by default) with every layer's table.": (
        "创建数据库（默认为 GeoPackage 文件），建立各图层的表。"
    ),
    "The store: a GeoPackage file, or a postgresql://user@host/db URL.": (
        "数据库：GeoPackage 文件，或 postgresql://用户@主机/库 地址。"
    ),
    "Validate a file and write it into a layer: all of it, or nothing.": (
        "校验文件并写入图层：全部写入，或一条也不写。"
    ),
    "Layer: parcels, buildings, projects, ...": (
        "图层：parcels（地块）、buildings（厂房）、projects（项目）……"
    ),
    "File (or .gdb folder) to import.": "要导入的文件（或 .gdb 文件夹）。",
    "CRS of a file that does not declare one.": "文件未声明坐标系时的坐标系。",
    "Replace the layer's features.": "替换该图层的全部要素。",
    "Add new features only.": "只追加新要素。",
    "Overwrite features with the same id, add the rest.": "按编号覆盖已有要素，追加其余要素。",
    "Repair invalid geometry instead of refusing it.": "修复无效几何图形，而不是拒绝导入。",
    "With --replace: drop reserved parcels, ending their reservations.": (
        "与 --replace 同用：删除已预留的地块，并解除其预留。"
    ),
    "Name recorded with the change ($LANDPLAN_USER or login name).": (
        "随变更记录的经办人（默认 $LANDPLAN_USER 或登录名）。"
    ),
    "Update attributes of stored features from a table of ids and columns, without geometry.\n\n"
    "All rows land or none; an empty cell leaves the stored value; every changed value is kept in\n"
    "the history (`landplan status history ID`) with who, why and when.": (
        "按编号和字段表更新数据库中要素的属性（不含几何图形）。\n\n"
        "全部行一起写入或都不写入；空单元格保留原值；每个改动的值连同经办人、原因和时间都记入"
        "历史（`landplan status history 编号`）。"
    ),
    "CSV or XLSX: the id and the columns.": "CSV 或 XLSX：编号列和要更新的字段。",
    "Why (recorded with every change).": "原因（随每项变更记录）。",
    "Date the changes take effect (YYYY-MM-DD).": "变更生效日期（YYYY-MM-DD）。",
    "Write a layer to a file, with each feature's version for a later --upsert.": (
        "把图层写出到文件，附各要素版本号，供以后 --upsert 导回。"
    ),
    "Layer to export.": "要导出的图层。",
    "File to write: .gpkg, .shp, .geojson, .csv or .xlsx.": (
        "写出的文件：.gpkg、.shp、.geojson、.csv 或 .xlsx。"
    ),
    "A shapefile's text encoding: UTF-8 or GBK.": "shapefile 的文字编码：UTF-8 或 GBK。",
    "Reserve parcels for a project: all of them, or none (with every reason).": (
        "为项目预留地块：全部预留，或一宗也不预留（并列出全部原因）。"
    ),
    "The project.": "项目编号。",
    "The parcels to reserve.": "要预留的地块编号。",
    "A note kept with it.": "随预留保存的备注。",
    "Release a project's reservations.": "解除项目的地块预留。",
    "The parcels to release (all by default).": "要解除预留的地块（默认全部）。",
    "Why.": "原因。",
    "List reservations (active ones by default).": "列出地块预留（默认只列当前有效的）。",
    "Include released ones.": "包括已解除的预留。",
    "Only this project.": "只列此项目。",
    "Write the half-year report (Word 公文, PDF, Markdown, HTML, XLSX) from the store.": (
        "根据数据库编写半年工作报告（Word 公文、PDF、Markdown、HTML、XLSX）。"
    ),
    "Half year: 2026H1 or 2026H2.": "半年度：2026H1（上半年）或 2026H2（下半年）。",
    "First day, YYYY-MM-DD (with --to).": "起始日期 YYYY-MM-DD（与 --to 同用）。",
    "Last day, YYYY-MM-DD.": "截止日期 YYYY-MM-DD。",
    "Draw the period's maps as pictures (Chromium).": (
        "将本期专题图绘成图片插入报告（需 Chromium）。"
    ),
    "The office's text (# 开头, # 主要做法, # 下一步工作计划, # 编制单位, # 日期).": (
        "办公室撰写的文字（# 开头、# 主要做法、# 下一步工作计划、# 编制单位、# 日期）。"
    ),
    "Also write report.pdf (LibreOffice/Chromium).": (
        "同时写出 report.pdf（需 LibreOffice 或 Chromium）。"
    ),
    "Put [n] after each number of the text (Word, PDF, Markdown, HTML).": (
        "在正文（Word、PDF、Markdown、HTML）每个数字后标注 [n]。"
    ),
    "Place the whole pipeline: one site per project, no parcel used twice, best total value.": (
        "统筹安排全部储备项目：每个项目一处选址，地块不重复使用，总体效益最优。"
    ),
    "Candidate sites (GeoPackage/CSV with project_id, candidate_id, kind, parcel_ids, "
    "building_id, area_m2, floor_area_m2, score); matched where left out.": (
        "候选地块文件（GeoPackage/CSV，含 project_id、candidate_id、kind、parcel_ids、"
        "building_id、area_m2、floor_area_m2、score 列）；不给出时自动选址。"
    ),
    "Stages to place (repeat; all pipeline).": "要安排的项目阶段（可重复；默认全部储备项目）。",
    "PROJECT=CANDIDATE: keep this site for this project (repeat).": (
        "项目=候选：为该项目固定此选址（可重复）。"
    ),
    "Reserve the plan's parcels in the store (--db).": "在数据库（--db）中预留方案的地块。",
    "Solver time limit in seconds.": "求解时限（秒）。",
    "Balance land and floor-space supply against the pipeline, quarter by quarter.": (
        "按季度平衡土地与厂房的供应和储备项目的需求。"
    ),
    "Start date YYYY-MM-DD (today).": "起始日期 YYYY-MM-DD（默认今天）。",
    "Quarters to look ahead (policy).": "预测的季度数（默认取政策参数）。",
    "Supply phase by phase along the avenue: land by status, developable land, floor space.": (
        "沿大道分期统计供应：各状态土地、可开发土地、厂房面积。"
    ),
    "The avenue (name or id).": "大道（名称或编号）。",
    "Corridor width, m.": "发展轴宽度（米）。",
    "Phase ends in m along the avenue, '2000;4000'.": "各期终点桩号（米），如 '2000;4000'。",
    "Phase length, m, without --breaks.": "每期长度（米），不给 --breaks 时使用。",
    "Candidate sites or a plan (GeoPackage) to list.": "要列出的候选地块或供地方案（GeoPackage）。",
    "Change a parcel's or building's status, or a project's stage; kept as an event.": (
        "变更地块或厂房的状态、项目的阶段；作为事件记入历史。"
    ),
    "parcel, building or project.": "parcel（地块）、building（厂房）或 project（项目）。",
    "The feature's id.": "要素编号。",
    "The new status, or a project's stage (identifier or label).": (
        "新状态或项目的新阶段（代码或中文名称）。"
    ),
    "Why the status changes.": "状态变更的原因。",
    "Effective date, YYYY-MM-DD (today).": "生效日期 YYYY-MM-DD（默认今天）。",
    "Refuse if the feature is no longer at this version.": "要素已不是此版本时拒绝变更。",
    "Take back a feature's latest status change (kept in the history, marked retracted).": (
        "撤回要素最近一次状态变更（保留在历史中，标记为已撤回）。"
    ),
    "Why the change is taken back.": "撤回变更的原因。",
    "Show a feature's status (or a project's stage) changes, oldest first.": (
        "按时间顺序显示要素的状态（或项目的阶段）变更。"
    ),
    "The parcel's, building's or project's id.": "地块、厂房或项目的编号。",
    "parcels, buildings or projects (all searched).": (
        "parcels（地块）、buildings（厂房）或 projects（项目）（默认全部查找）。"
    ),
    "Show how many features had each status on a date.": "显示某日各状态的要素数量。",
    "The date, YYYY-MM-DD.": "日期 YYYY-MM-DD。",
    "parcels, buildings or projects.": "parcels（地块）、buildings（厂房）或 projects（项目）。",
    "Write every feature's status to this CSV.": "把每个要素的状态写入此 CSV 文件。",
}


def help_text(text: str, lang: str | None = None) -> str:
    """Return a command's or option's help in the reader's language.

    The language is ``lang``, else ``$LANDPLAN_LANG``, else Chinese. A text the registry does
    not hold (already Chinese) is returned as given.
    """
    import os

    chosen = lang or os.environ.get("LANDPLAN_LANG", "zh")
    if chosen == "en":
        return text
    return _help_by_words().get(" ".join(text.split()), text)


@cache
def _help_by_words() -> dict[str, str]:
    # Docstrings reach the command line re-wrapped: look texts up by their words alone.
    return {" ".join(en.split()): zh for en, zh in HELP.items()}


# Errors say their messages through this registry, which they cannot import (see errors).
errors.use_labels(sys.modules[__name__])
