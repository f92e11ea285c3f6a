"""Writing an :class:`~landplan.audit.AuditResult`: XLSX workbook, CSV files, GeoPackage layer.

Kept apart from :mod:`landplan.audit` so the audit itself stays free of file I/O.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

from landplan.audit import AuditResult
from landplan.io import write_layer
from landplan.tables import Lang, write_csvs, write_workbook

__all__ = ["AUDIT_LABELS", "write_audit"]

#: Chinese headers of the audit's result columns (layer columns are labelled by their schema).
AUDIT_LABELS: Final = {
    "n_buildings": "厂房数",
    "far_floor_area_m2": "计容建筑面积",
    "far": "容积率",
    "far_min_required": "容积率控制值",
    "far_min_basis": "容积率控制值依据",
    "coverage": "建筑系数",
    "vacancy": "空置率",
    "n_enterprises": "企业数",
    "investment_intensity_wan_yuan_per_mu": "投资强度(万元/亩)",
    "output_per_mu_wan_yuan": "亩均产值(万元)",
    "value_added_per_mu_wan_yuan": "亩均增加值(万元)",
    "tax_per_mu_wan_yuan": "亩均税收(万元)",
    "value_added_per_tce_wan_yuan": "单位能耗增加值(万元/吨标煤)",
    "value_added_per_t_emission_wan_yuan": "单位排放增加值(万元/吨)",
    "value_added_per_employee_wan_yuan": "全员劳动生产率(万元/人)",
    "tax_per_mwh_wan_yuan": "单位电耗税收(万元/兆瓦时)",
    "rd_intensity": "研发经费投入强度",
    "idle_rule": "闲置认定条款",
    "idle_state": "闲置状态",
    "idle_clock_start": "闲置计时起点",
    "idle_date": "认定闲置日期",
    "days_to_idle": "距认定闲置天数",
    "recovery_date": "无偿收回日期",
    "days_to_recovery": "距无偿收回天数",
    "idle_fee_wan_yuan": "土地闲置费(万元)",
    "idle_missing": "闲置认定缺失数据",
    "idle_reason": "闲置认定说明",
    "low_efficiency": "低效用地",
    "low_efficiency_rules": "低效认定条款",
    "insufficient_rules": "数据不足条款",
    "evaluation_class": "亩均评价类别",
    "target_far": "目标容积率",
    "far_gain_m2": "提容可增建筑面积",
    "recoverable_land_mu": "可收回土地(亩)",
    "recoverable_basis": "收回依据",
    "land_mu": "用地面积(亩)",
    "score": "综合得分",
    "rank": "排名",
    "class_reason": "分类说明",
    "missing_indicators": "缺项指标",
    "score_tax_per_mu": "亩均税收得分",
    "score_value_added_per_mu": "亩均增加值得分",
    "score_value_added_per_tce": "单位能耗增加值得分",
    "score_value_added_per_emission": "单位排放增加值得分",
    "score_labour_productivity": "全员劳动生产率得分",
    "score_rd_intensity": "研发经费投入强度得分",
    "score_tax_per_mwh": "单位电耗税收得分",
    "enterprise_id": "企业编号",
    "rule_id": "规则编号",
    "rule_zh": "规则",
    "outcome": "结果",
    "indicator": "指标",
    "value": "数值",
    "threshold": "阈值",
    "unit": "单位",
    "missing": "缺失数据",
    "source": "依据",
    "reason": "说明",
    "event": "事项",
    "deadline": "期限",
    "days_left": "剩余天数",
    "section": "分类",
    "item": "项目",
    "parcels": "地块数",
    "key": "参数",
}


def write_audit(
    result: AuditResult, out_dir: str | os.PathLike, *, lang: Lang = "both"
) -> dict[str, Path]:
    """Write an audit as ``audit.xlsx``, ``csv/<table>.csv`` and ``audit.gpkg`` in ``out_dir``.

    Parameters
    ----------
    result
        What :func:`landplan.audit.audit` returned.
    out_dir
        Directory to write into (created if needed; files of the same name are replaced).
    lang
        Headers of the workbook: English identifiers, Chinese, or ``identifier / 中文``. CSV
        headers use the identifiers when ``lang`` is ``"both"``, so scripts can read them back.

    Returns
    -------
    dict of str to Path
        ``"workbook"``, ``"geopackage"`` and ``"csv:<table>"`` for each table written.
    """
    out = Path(out_dir)
    tables = result.tables()
    paths = {"workbook": write_workbook(out / "audit.xlsx", tables, lang=lang, labels=AUDIT_LABELS)}
    csv_lang = "en" if lang == "both" else lang
    for name, path in write_csvs(out / "csv", tables, lang=csv_lang, labels=AUDIT_LABELS).items():
        paths[f"csv:{name}"] = path
    paths["geopackage"] = write_layer(result.parcels, out / "audit.gpkg", layer="audit_parcels")
    return paths
