"""Controlled vocabularies: statuses, tenures, land-use classes, clusters, stages.

Each vocabulary maps a canonical identifier (used in code and in the store) to its labels. Input
may use the identifier, the English label or any Chinese label; :func:`normalise` turns any of
them into the identifier. For a value it does not know, :meth:`Vocabulary.expected` says what was
expected: a did-you-mean hint for a misspelt *word* only, never for a code (``0601``, ``10``,
``M4``), because the nearest valid spelling of a code is another class, not the same one; a code
a vocabulary can explain (a land-use code of a known scheme, an ownership code) is named with its
meaning instead.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
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
    "looks_like_code",
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
    explain: Callable[[str], str | None] | None = None

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

    def hint(self, value: object) -> str | None:
        """Return a did-you-mean hint for a misspelt word, or None.

        Only for words (no digits) close to one valid value and clearly closer to it than to any
        other; a code, or a word between two values, gets no hint.
        """
        key = fold(str(value))
        if not key or looks_like_code(str(value)):
            return None
        table = self._table
        scores: dict[str, float] = {}
        for spelling, ident in table.items():
            ratio = difflib.SequenceMatcher(None, key, spelling).ratio()
            scores[ident] = max(scores.get(ident, 0.0), ratio)
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        best, score = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        if score < _HINT_CUTOFF or score - runner_up < _HINT_MARGIN:
            return None
        return best

    def expected(self, value: object) -> str:
        """Say what was expected instead of an unknown value, for validation messages."""
        text = f"one of {', '.join(self.values)}"
        meaning = self.explain(str(value)) if self.explain is not None else None
        if meaning:
            return f"{text}; {meaning}"
        nearest = self.hint(value)
        return f"{text}; did you mean {nearest!r}?" if nearest else text

    def label(self, ident: str, lang: str = "en") -> str:
        """Return the English (``lang="en"``) or Chinese (``lang="zh"``) label of an identifier."""
        names = self.labels[ident]
        return names[1] if lang == "zh" else names[0]

    def describe(self) -> str:
        """Return the valid values with their Chinese labels, for docs and messages."""
        return ", ".join(f"{i} ({n[1]})" for i, n in self.labels.items())


#: A hint needs this similarity (difflib ratio) to the value it names ...
_HINT_CUTOFF = 0.6
#: ... and this much more than to any other value, so that it never picks between neighbours.
_HINT_MARGIN = 0.1
_CODE = re.compile(r"[0-9０-９]|^[A-Z]{1,3}$")


def looks_like_code(text: str) -> bool:
    """Whether a value is a code (``0601``, ``10``, ``M4``, ``05H1``) rather than a word."""
    return bool(_CODE.search(str(text).strip()))


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


def _explain_tenure(value: str) -> str | None:
    if value.strip() in ("10", "20", "30", "31", "32", "33", "34", "40"):
        side = "state (国有)" if value.strip() in ("10", "20") else "collective (集体)"
        return (
            f"{value.strip()!r} is a 权属性质 (QSXZ) code meaning {side}: map the codes "
            "(10/20 → state, 30–34/40 → collective) with an import profile, e.g. --profile dltb"
        )
    return None


TENURE = Vocabulary(
    "tenure",
    {
        "state": ("state-owned", "国有", "国有土地", "国有土地所有权", "国有土地使用权"),
        "collective": ("collective", "集体", "集体土地", "集体土地所有权"),
    },
    explain=_explain_tenure,
)

TENURE_OK = Vocabulary(
    "accepted tenure",
    {
        "buy": ("buy (transfer of use rights)", "出让", "购买"),
        "lease": ("lease", "租赁", "租用"),
        "either": ("buy or lease", "均可", "出让或租赁", "any"),
    },
)


def _explain_land_use(value: str) -> str | None:
    from landplan.landuse import explain_code

    return explain_code(value)


#: landplan's land-use classes, which the siting and audit rules name. They are GB 50137-2011's
#: major classes with industrial land split by interference (M1/M2/M3, and M where a code does
#: not say which); a code of any scheme (:mod:`landplan.landuse`) maps to one of them. Codes are
#: not accepted here: the same code means different land in different schemes.
LAND_USE = Vocabulary(
    "land-use class",
    {
        "M1": ("class 1 industrial", "一类工业用地"),
        "M2": ("class 2 industrial", "二类工业用地"),
        "M3": ("class 3 industrial", "三类工业用地"),
        "M": (
            "industrial, class not stated",
            "工业用地(类别未定)",
            "工业用地",
            "工业",
            "industrial",
        ),
        "W": ("logistics and warehousing", "物流仓储用地", "仓储用地"),
        "U": ("utilities", "公用设施用地"),
        "B": ("commercial", "商业服务业用地", "商业服务业设施用地"),
        "A": ("public administration and services", "公共管理与公共服务用地"),
        "R": ("residential", "居住用地", "住宅用地"),
        "G": ("green space", "绿地与开敞空间用地", "绿地与广场用地"),
        "S": ("roads and transport", "道路与交通设施用地", "交通运输用地"),
        "H": ("other construction land", "其他建设用地", "区域建设用地"),
        "E": ("non-construction land", "非建设用地", "农林用地"),
    },
    explain=_explain_land_use,
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
