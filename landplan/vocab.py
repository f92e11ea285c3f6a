"""Controlled vocabularies: statuses, tenures, land-use classes, clusters, stages.

Each vocabulary maps a canonical identifier (used in code and in the store) to its labels. Input
may use the identifier, the English label or any Chinese label; :func:`normalise` turns any of
them into the identifier and :func:`suggest` proposes the nearest valid value for a typo.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

__all__ = [
    "BUILDING_STATUS",
    "CLUSTER",
    "CONSTRAINT_KIND",
    "HAZARD",
    "LAND_USE",
    "OPERATING_STATUS",
    "PARCEL_STATUS",
    "PROJECT_STAGE",
    "ROAD_KIND",
    "TENURE",
    "TENURE_OK",
    "Vocabulary",
    "fold",
]


@dataclass(frozen=True)
class Vocabulary:
    """A closed set of values with English and Chinese labels.

    Attributes
    ----------
    name : str
        What the values are (``"parcel status"``).
    labels : Mapping[str, tuple[str, ...]]
        identifier -> (English label, Chinese label, other accepted spellings ...).
    """

    name: str
    labels: Mapping[str, tuple[str, ...]]

    @property
    def values(self) -> tuple[str, ...]:
        """The canonical identifiers."""
        return tuple(self.labels)

    @cached_property
    def _table(self) -> dict[str, str]:
        table: dict[str, str] = {}
        for ident, names in self.labels.items():
            for spelling in (ident, *names):
                table[fold(spelling)] = ident
        return table

    def normalise(self, value: object) -> str | None:
        """Return the identifier for ``value`` (identifier, English or Chinese label), or None."""
        if value is None:
            return None
        return self._table.get(fold(str(value)))

    def suggest(self, value: object) -> str:
        """Return the nearest valid identifier for an unknown value, for error messages."""
        table = self._table
        close = difflib.get_close_matches(fold(str(value)), list(table), n=1, cutoff=0.0)
        return table[close[0]] if close else self.values[0]

    def label(self, ident: str, lang: str = "en") -> str:
        """Return the English (``lang="en"``) or Chinese (``lang="zh"``) label of an identifier."""
        names = self.labels[ident]
        return names[1] if lang == "zh" else names[0]

    def describe(self) -> str:
        """Return the valid values with their Chinese labels, for docs and messages."""
        return ", ".join(f"{i} ({n[1]})" for i, n in self.labels.items())


def fold(text: str) -> str:
    """Fold a name or label for lookup: trimmed, lower case, spaces and hyphens as ``_``."""
    return str(text).strip().lower().replace("-", "_").replace(" ", "_")


PARCEL_STATUS = Vocabulary(
    "parcel status",
    {
        "occupied": ("occupied", "已用", "在用", "已出让", "使用中"),
        "idle": ("idle", "闲置", "闲置土地"),
        "low_efficiency": ("low-efficiency", "低效", "低效用地"),
        "reserved_leased": ("village reserved land", "留用地", "村留用地", "reserved"),
        "state_reserve": ("state reserve land", "储备用地", "净地", "储备"),
        "under_construction": ("under construction", "在建"),
        "planned": ("planned", "规划", "规划用地"),
    },
)

BUILDING_STATUS = Vocabulary(
    "building status",
    {
        "in_use": ("in use", "在用", "使用中"),
        "vacant": ("vacant", "空置", "闲置"),
        "partly_vacant": ("partly vacant", "部分空置"),
        "low_efficiency": ("low-efficiency", "低效"),
        "dilapidated": ("dilapidated", "危旧", "危房"),
        "under_construction": ("under construction", "在建"),
    },
)

TENURE = Vocabulary(
    "tenure",
    {
        "state": ("state-owned", "国有", "国有土地"),
        "collective": ("collective", "集体", "集体土地"),
    },
)

TENURE_OK = Vocabulary(
    "accepted tenure",
    {
        "buy": ("buy (transfer of use rights)", "出让", "购买"),
        "lease": ("lease", "租赁", "租用"),
        "either": ("buy or lease", "均可", "出让或租赁", "any"),
    },
)

LAND_USE = Vocabulary(
    "land-use class",
    {
        "M1": ("class 1 industrial", "一类工业用地", "100101"),
        "M2": ("class 2 industrial", "二类工业用地", "100102"),
        "M3": ("class 3 industrial", "三类工业用地", "100103"),
        "W": ("logistics and warehousing", "物流仓储用地", "1101", "W1", "W2", "W3"),
        "U": ("utilities", "公用设施用地", "13", "U1"),
        "B": ("commercial", "商业服务业用地", "09"),
        "R": ("residential", "居住用地", "07"),
        "G": ("green space", "绿地与开敞空间用地", "14"),
        "S": ("roads and transport", "交通运输用地", "12"),
        "E": ("non-construction land", "非建设用地", "农林用地"),
    },
)

CLUSTER = Vocabulary(
    "industry cluster",
    {
        "metal_smart_manufacturing": ("metal smart manufacturing", "金属智造"),
        "hydrogen_energy": ("hydrogen energy", "氢能", "氢能源"),
        "new_materials": ("new materials", "新材料"),
        "machinery_equipment": ("machinery and equipment", "机械装备"),
        "other": ("other", "其他"),
    },
)

PROJECT_STAGE = Vocabulary(
    "project stage",
    {
        "prospect": ("prospect (in talks / reserve)", "储备", "洽谈", "reserve"),
        "framework": ("framework agreement signed", "框架协议", "已签框架协议"),
        "signed": ("signed", "已签约", "签约"),
        "landed": ("landed", "已落地", "落地"),
        "under_construction": ("under construction", "在建"),
        "in_production": ("in production", "已投产", "投产"),
    },
)

HAZARD = Vocabulary(
    "hazard",
    {
        "none": ("none", "无", ""),
        "hazardous_waste": ("hazardous waste processing", "危险废物", "危废"),
        "fire_class_ab": ("class A/B fire risk", "甲乙类火灾危险"),
        "energy_storage": ("battery energy storage", "储能", "电化学储能"),
        "polluting": ("serious pollution", "重污染"),
    },
)

OPERATING_STATUS = Vocabulary(
    "operating status",
    {
        "producing": ("producing", "正常生产", "生产"),
        "half_stopped": ("half-stopped", "半停产"),
        "stopped": ("stopped", "停产"),
    },
)

CONSTRAINT_KIND = Vocabulary(
    "constraint kind",
    {
        "ecological_red_line": ("ecological red line", "生态保护红线"),
        "basic_farmland": ("permanent basic farmland", "永久基本农田"),
        "water_protection": ("water source protection zone", "水源保护区"),
        "residential": ("residential area", "居住区", "村庄", "village"),
        "river": ("river", "河流", "水域"),
        "fuel_station": ("fuel or gas station", "加油站", "加气站"),
    },
)

ROAD_KIND = Vocabulary(
    "road kind",
    {
        "avenue": ("avenue (arterial)", "主干道", "大道"),
        "secondary": ("secondary road", "次干道"),
        "branch": ("branch road", "支路"),
    },
)
