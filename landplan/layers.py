"""The layers a zone keeps and their columns: the schema every import is validated against.

One :class:`LayerSpec` per layer lists its columns with dtype, unit and Chinese alias. Files may use
the identifier (``parcel_id``), the Chinese alias (``地块编号``) or another listed spelling; the
validator (:func:`landplan.validation.validate_layer`) renames them, coerces types, normalises
vocabularies (Chinese labels accepted), checks geometry and CRS, and returns the layer in the
working CRS with derived areas added, collecting every problem into one
:class:`~landplan.errors.SchemaError`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from landplan.vocab import (
    BUILDING_STATUS,
    CLUSTER,
    CONSTRAINT_KIND,
    HAZARD,
    LAND_USE,
    OPERATING_STATUS,
    PARCEL_STATUS,
    PROJECT_STAGE,
    ROAD_KIND,
    TENURE,
    TENURE_OK,
    Vocabulary,
    fold,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "LAYERS",
    "Column",
    "LayerSpec",
    "describe_layers",
    "spec",
    "split_list",
]

Dtype = Literal["str", "float", "int", "date", "bool", "vocab", "ids"]


@dataclass(frozen=True)
class Column:
    """One column of a layer.

    Attributes
    ----------
    name : str
        The identifier used in code, files and the store.
    dtype : str
        ``str``, ``float``, ``int``, ``date``, ``bool``, ``vocab`` (one of ``vocab``'s values) or
        ``ids`` (one or more ids separated by ``;``).
    zh : str
        The Chinese alias accepted on input and used in bilingual outputs.
    unit : str
        Unit of a number (``m2``, ``mu``, ``万元``, ``tce``, ``kV`` ...), empty where none.
    description : str
        What the column holds.
    required : bool
        Whether the column must be present and non-empty on every feature.
    aliases : tuple of str
        Other accepted spellings of the column name.
    vocab : Vocabulary or None
        The controlled vocabulary of a ``vocab`` column.
    positive : bool
        Whether a number must be greater than zero (zero or negative is an error).
    minimum, maximum : float or None
        Inclusive bounds of a number.
    derived : bool
        Computed by landplan from the geometry; a value in the file is checked, then replaced.
    """

    name: str
    dtype: Dtype
    zh: str
    unit: str = ""
    description: str = ""
    required: bool = False
    aliases: tuple[str, ...] = ()
    vocab: Vocabulary | None = None
    positive: bool = False
    minimum: float | None = None
    maximum: float | None = None
    derived: bool = False
    default: object = None

    @property
    def spellings(self) -> tuple[str, ...]:
        """Every accepted spelling of the column name."""
        return (self.name, self.zh, *self.aliases)


@dataclass(frozen=True)
class LayerSpec:
    """The schema of one layer.

    Attributes
    ----------
    name : str
        Layer identifier (``parcels``).
    zh : str
        Chinese name.
    id_column : str
        The column holding each feature's unique id.
    geometry_types : tuple of str
        Accepted geometry types; empty for a table without geometry.
    geometry_required : bool
        Whether every feature must have a geometry.
    columns : tuple of Column
        The columns landplan understands; other columns pass through untouched.
    description : str
        What the layer holds.
    status_column : str or None
        The column whose changes the store keeps as dated events (a parcel's ``status``, a
        project's ``stage``); None for a layer without one.
    status_date_column : str or None
        The column holding the date the current status was reached (a project's
        ``stage_date``), which dates the event an import records; None where the layer has none.
    prepare : callable or None
        Run on the renamed frame before the columns are typed: ``prepare(frame, report)`` returns
        the frame to validate, calling ``report(mask, column, problem, expected)`` for bad rows
        (the parcels' land-use codes are resolved through their scheme here).
    """

    name: str
    zh: str
    id_column: str
    geometry_types: tuple[str, ...]
    columns: tuple[Column, ...]
    geometry_required: bool = True
    description: str = ""
    status_column: str | None = None
    status_date_column: str | None = None
    prepare: Callable[[pd.DataFrame, Callable[..., None]], pd.DataFrame] | None = field(
        default=None, repr=False, compare=False
    )
    _by_name: dict[str, Column] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_name.update({c.name: c for c in self.columns})

    def column(self, name: str) -> Column:
        """Return the column called ``name``."""
        return self._by_name[name]

    @property
    def names(self) -> tuple[str, ...]:
        """Column identifiers in schema order."""
        return tuple(c.name for c in self.columns)

    @property
    def has_geometry(self) -> bool:
        """Whether the layer has a geometry column."""
        return bool(self.geometry_types)

    def rename_map(self, columns: Iterable[str]) -> dict[str, str]:
        """Map the given column names (any accepted spelling) to identifiers.

        A name cut to ten characters, as shapefiles cut field names, matches the spelling it is
        the start of when that start is unambiguous.
        """
        lookup: dict[str, str] = {}
        cut: dict[str, set[str]] = {}
        for col in self.columns:
            for spelling in col.spellings:
                lookup[fold(spelling)] = col.name
                if len(spelling.encode("utf-8")) > 10:
                    cut.setdefault(fold(spelling)[:10], set()).add(col.name)
        out: dict[str, str] = {}
        for c in columns:
            key = fold(c)
            target = lookup.get(key)
            if target is None and key in cut and len(cut[key]) == 1:
                target = next(iter(cut[key]))
            if target is not None and target != c:
                out[c] = target
        return out


#: Separators of the values in a list column (``ids``, ``phase_breaks_m``): ; or , in either width.
_LIST_SEPARATOR = re.compile(r"\s*[;；,，]\s*")


def split_list(text: str) -> list[str]:
    """Split a list column's text (``"P-1；P-2"``, ``"0;2000, 4000"``) into its non-empty values.

    Examples
    --------
    >>> split_list("P-1；P-2, P-3")
    ['P-1', 'P-2', 'P-3']
    """
    return [part for part in _LIST_SEPARATOR.split(str(text).strip()) if part]


_POLYGONS = ("Polygon", "MultiPolygon")

_PARCEL_COLUMNS = (
    Column(
        "parcel_id",
        "str",
        "地块编号",
        description="unique parcel id",
        required=True,
        aliases=("宗地编号", "id"),
    ),
    Column("name", "str", "地块名称", description="parcel name or address"),
    Column(
        "status",
        "vocab",
        "状态",
        vocab=PARCEL_STATUS,
        required=True,
        description="land status",
        aliases=("土地状态", "地块状态"),
    ),
    Column(
        "land_use",
        "vocab",
        "用地性质",
        vocab=LAND_USE,
        description="land-use class (M1/M2/M3 industrial, W, U, ...); a code of the scheme in "
        "land_use_scheme is turned into its class",
        aliases=("用地类型", "规划用途"),
    ),
    Column(
        "tenure",
        "vocab",
        "权属",
        vocab=TENURE,
        description="state or collective land",
        aliases=("土地权属",),
    ),
    Column(
        "holder",
        "str",
        "土地使用权人",
        description="land-use right holder",
        aliases=("权利人", "使用权人"),
    ),
    Column("village", "str", "村集体", description="village collective of reserved land"),
    Column(
        "land_price_wan_yuan",
        "float",
        "土地价款",
        unit="万元",
        minimum=0.0,
        description="land transfer or allocation price",
        aliases=("出让价款",),
    ),
    Column(
        "contract_investment_wan_yuan",
        "float",
        "合同投资额",
        unit="万元",
        minimum=0.0,
        description="fixed-asset investment agreed in the land contract",
    ),
    Column("agreed_start", "date", "约定动工日期", description="agreed or set start date"),
    Column("actual_start", "date", "实际动工日期", description="date development started"),
    Column("agreed_completion", "date", "约定竣工日期", description="contractual completion date"),
    Column("completed", "date", "竣工日期", description="date construction was completed"),
    Column(
        "developed_share",
        "float",
        "已开发面积比例",
        minimum=0.0,
        maximum=1.0,
        description="developed area / area due for development (idle-land rule 2)",
        aliases=("built_share",),
    ),
    Column(
        "invested_share",
        "float",
        "已投资比例",
        minimum=0.0,
        maximum=1.0,
        description="investment made / total investment (idle-land rule 2)",
    ),
    Column("suspended_since", "date", "停工日期", description="date development was suspended"),
    Column(
        "extension_months",
        "int",
        "延期开工月数",
        unit="months",
        minimum=0.0,
        description="start-date extension granted for a government-caused delay",
    ),
    Column("far_min", "float", "容积率下限", minimum=0.0, description="planned minimum FAR"),
    Column("far_max", "float", "容积率上限", minimum=0.0, description="planned maximum FAR"),
    Column(
        "power_kva",
        "float",
        "供电容量",
        unit="kVA",
        minimum=0.0,
        description="available power connection",
    ),
    Column("water_supply", "bool", "供水", description="water connection available"),
    Column("gas_supply", "bool", "供气", description="gas connection available"),
    Column(
        "area_m2",
        "float",
        "用地面积",
        unit="m2",
        positive=True,
        derived=True,
        description="area from the geometry in the working CRS",
        aliases=("面积",),
    ),
    Column(
        "area_mu",
        "float",
        "用地面积(亩)",
        unit="mu",
        positive=True,
        derived=True,
        description="area in mu (1 mu = 10000/15 m2)",
        aliases=("面积亩",),
    ),
)

_BUILDING_COLUMNS = (
    Column(
        "building_id",
        "str",
        "厂房编号",
        required=True,
        description="unique building id",
        aliases=("建筑编号", "id"),
    ),
    Column(
        "parcel_id",
        "str",
        "地块编号",
        required=True,
        description="parcel the building is on",
        aliases=("宗地编号",),
    ),
    Column("name", "str", "厂房名称", description="building name"),
    Column(
        "status",
        "vocab",
        "状态",
        vocab=BUILDING_STATUS,
        required=True,
        description="building status",
        aliases=("厂房状态",),
    ),
    Column("floors", "int", "层数", positive=True, required=True, description="storeys"),
    Column("height_m", "float", "建筑高度", unit="m", positive=True, description="height"),
    Column(
        "storey_height_m",
        "float",
        "层高",
        unit="m",
        positive=True,
        description="typical storey height; a storey over 8 m counts twice in FAR",
    ),
    Column(
        "floor_area_m2",
        "float",
        "建筑面积",
        unit="m2",
        positive=True,
        required=True,
        description="gross floor area",
    ),
    Column(
        "vacant_area_m2",
        "float",
        "空置面积",
        unit="m2",
        minimum=0.0,
        default=0.0,
        description="vacant floor area",
    ),
    Column(
        "floor_load_kn_m2",
        "float",
        "楼面荷载",
        unit="kN/m2",
        positive=True,
        description="design floor load",
    ),
    Column(
        "clear_height_m",
        "float",
        "净高",
        unit="m",
        positive=True,
        description="clear height of the ground floor",
    ),
    Column("standard_factory", "bool", "标准厂房", description="a standard factory building"),
    Column("owner", "str", "产权人", description="owner"),
    Column(
        "year_built",
        "int",
        "建成年份",
        minimum=1900.0,
        maximum=2100.0,
        description="year completed",
    ),
    Column(
        "footprint_m2",
        "float",
        "占地面积",
        unit="m2",
        positive=True,
        derived=True,
        description="footprint area from the geometry",
    ),
)

_ENTERPRISE_COLUMNS = (
    Column(
        "enterprise_id",
        "str",
        "企业编号",
        required=True,
        description="unique enterprise id",
        aliases=("统一社会信用代码", "id"),
    ),
    Column("name", "str", "企业名称", description="company name"),
    Column(
        "parcel_id",
        "ids",
        "地块编号",
        required=True,
        description="parcel(s) the enterprise occupies, several separated by ';'",
    ),
    Column(
        "industry_code", "str", "行业代码", description="GB/T 4754-2017 code (e.g. 3311 or C3311)"
    ),
    Column("cluster", "vocab", "产业集群", vocab=CLUSTER, description="industry cluster"),
    Column(
        "year",
        "int",
        "年度",
        minimum=1990.0,
        maximum=2100.0,
        description="year the indicators refer to",
    ),
    Column(
        "output_wan_yuan",
        "float",
        "工业总产值",
        unit="万元",
        minimum=0.0,
        description="annual industrial output value",
        aliases=("产值",),
    ),
    Column(
        "value_added_wan_yuan",
        "float",
        "工业增加值",
        unit="万元",
        description="annual industrial value added",
        aliases=("增加值",),
    ),
    Column(
        "tax_wan_yuan",
        "float",
        "实缴税金",
        unit="万元",
        minimum=0.0,
        description="taxes paid in the year",
        aliases=("税收",),
    ),
    Column(
        "energy_tce",
        "float",
        "综合能耗",
        unit="tce",
        minimum=0.0,
        description="energy use in tonnes of standard coal equivalent",
    ),
    Column(
        "electricity_mwh",
        "float",
        "用电量",
        unit="MWh",
        minimum=0.0,
        description="electricity used",
    ),
    Column(
        "emissions_t",
        "float",
        "主要污染物排放量",
        unit="t",
        minimum=0.0,
        description="main pollutant emissions (COD, NH3-N, SO2, NOx equivalents)",
    ),
    Column(
        "rd_spend_wan_yuan",
        "float",
        "研发经费",
        unit="万元",
        minimum=0.0,
        description="R&D spending",
    ),
    Column(
        "revenue_wan_yuan",
        "float",
        "主营业务收入",
        unit="万元",
        minimum=0.0,
        description="main business revenue",
    ),
    Column(
        "fixed_investment_wan_yuan",
        "float",
        "固定资产投资",
        unit="万元",
        minimum=0.0,
        description="fixed-asset investment to date (buildings, equipment, land)",
    ),
    Column("employees", "int", "从业人员", minimum=0.0, description="average employees"),
    Column("production_start", "date", "投产日期", description="date production started"),
    Column(
        "operating_status",
        "vocab",
        "经营状态",
        vocab=OPERATING_STATUS,
        description="producing, half-stopped or stopped",
    ),
    Column("stopped_since", "date", "停产日期", description="date production stopped"),
    Column("last_tax_date", "date", "最近纳税日期", description="date taxes were last paid"),
    Column("chain_leader", "bool", "链主企业", description="a chain-leader enterprise"),
    Column("high_tech", "bool", "高新技术企业", description="certified high-tech enterprise"),
)

_PROJECT_COLUMNS = (
    Column(
        "project_id",
        "str",
        "项目编号",
        required=True,
        description="unique project id",
        aliases=("id",),
    ),
    Column("name", "str", "项目名称", required=True, description="project name"),
    Column("company", "str", "投资企业", description="investing company"),
    Column(
        "stage",
        "vocab",
        "项目阶段",
        vocab=PROJECT_STAGE,
        required=True,
        description="pipeline stage",
        aliases=("阶段",),
    ),
    Column("stage_date", "date", "阶段日期", description="date the stage was reached"),
    Column("industry_code", "str", "行业代码", description="GB/T 4754-2017 code"),
    Column("cluster", "vocab", "产业集群", vocab=CLUSTER, description="industry cluster"),
    Column(
        "investment_wan_yuan",
        "float",
        "计划投资",
        unit="万元",
        positive=True,
        required=True,
        description="planned total investment",
    ),
    Column(
        "fixed_investment_wan_yuan",
        "float",
        "固定资产投资",
        unit="万元",
        positive=True,
        description="planned fixed-asset investment (buildings, equipment, land)",
    ),
    Column(
        "annual_output_wan_yuan",
        "float",
        "年产值",
        unit="万元",
        minimum=0.0,
        description="expected annual output value",
    ),
    Column(
        "annual_tax_wan_yuan",
        "float",
        "年税收",
        unit="万元",
        minimum=0.0,
        description="expected annual tax",
    ),
    Column(
        "energy_tce",
        "float",
        "年综合能耗",
        unit="tce",
        minimum=0.0,
        description="expected annual energy use",
    ),
    Column(
        "rd_share",
        "float",
        "研发投入占比",
        minimum=0.0,
        maximum=1.0,
        description="R&D spending / revenue",
    ),
    Column("high_tech", "bool", "高新技术", description="high-tech certification"),
    Column(
        "land_mu_min",
        "float",
        "用地需求下限",
        unit="mu",
        minimum=0.0,
        description="smallest site the project can use",
        aliases=("用地需求",),
    ),
    Column(
        "land_mu_max",
        "float",
        "用地需求上限",
        unit="mu",
        minimum=0.0,
        description="largest site the project asks for",
    ),
    Column(
        "floor_area_m2",
        "float",
        "需求建筑面积",
        unit="m2",
        minimum=0.0,
        description="floor space needed, for projects that can use buildings",
    ),
    Column("power_kva", "float", "用电负荷", unit="kVA", minimum=0.0, description="power demand"),
    Column(
        "voltage_kv",
        "float",
        "接入电压",
        unit="kV",
        positive=True,
        description="substation voltage the project must connect to (110, 220)",
    ),
    Column(
        "storage_mwh",
        "float",
        "储能容量",
        unit="MWh",
        minimum=0.0,
        description="energy capacity of a storage station",
    ),
    Column(
        "hazard",
        "vocab",
        "危险类别",
        vocab=HAZARD,
        default="none",
        description="hazard class deciding land-use class and setbacks",
    ),
    Column(
        "tenure_ok",
        "vocab",
        "供地方式",
        vocab=TENURE_OK,
        default="buy",
        description="buy (出让), lease (租赁) or either",
    ),
    Column(
        "can_use_building",
        "bool",
        "可用厂房",
        default=False,
        description="whether vacant floor space in existing buildings would do",
    ),
    Column(
        "floor_load_min_kn_m2",
        "float",
        "楼面荷载要求",
        unit="kN/m2",
        minimum=0.0,
        description="minimum floor load for floor space",
    ),
    Column(
        "clear_height_min_m",
        "float",
        "净高要求",
        unit="m",
        minimum=0.0,
        description="minimum clear height for floor space",
    ),
)

_CONSTRAINT_COLUMNS = (
    Column("constraint_id", "str", "编号", required=True, description="unique id", aliases=("id",)),
    Column(
        "kind",
        "vocab",
        "类型",
        vocab=CONSTRAINT_KIND,
        required=True,
        description="kind of constraint",
    ),
    Column("name", "str", "名称", description="name"),
    Column(
        "area_m2",
        "float",
        "面积",
        unit="m2",
        derived=True,
        description="area from the geometry (0 for lines and points)",
    ),
)

_CORRIDOR_COLUMNS = (
    Column("corridor_id", "str", "编号", required=True, description="unique id", aliases=("id",)),
    Column("name", "str", "名称", required=True, description="avenue name"),
    Column(
        "width_m",
        "float",
        "走廊宽度",
        unit="m",
        positive=True,
        description="corridor width (both sides); the policy's width where empty",
    ),
    Column(
        "phase_breaks_m",
        "str",
        "分期断点",
        unit="m",
        description="chainages of phase breaks along the line, separated by ';'",
    ),
    Column(
        "length_m",
        "float",
        "长度",
        unit="m",
        positive=True,
        derived=True,
        description="length of the centre line",
    ),
)

_SUBSTATION_COLUMNS = (
    Column("substation_id", "str", "编号", required=True, description="unique id", aliases=("id",)),
    Column("name", "str", "名称", description="name"),
    Column(
        "voltage_kv",
        "float",
        "电压等级",
        unit="kV",
        positive=True,
        required=True,
        description="voltage (35, 110, 220 kV)",
    ),
    Column(
        "capacity_mva",
        "float",
        "容量",
        unit="MVA",
        positive=True,
        description="transformer capacity",
    ),
    Column("spare_mva", "float", "剩余容量", unit="MVA", minimum=0.0, description="spare capacity"),
)

_ROAD_COLUMNS = (
    Column("road_id", "str", "编号", required=True, description="unique id", aliases=("id",)),
    Column("name", "str", "道路名称", description="name"),
    Column(
        "kind",
        "vocab",
        "道路等级",
        vocab=ROAD_KIND,
        required=True,
        description="avenue, secondary or branch",
    ),
    Column(
        "width_m", "float", "红线宽度", unit="m", positive=True, description="right-of-way width"
    ),
)


def _prepare_parcels(frame, report):
    from landplan.landuse import resolve_land_use

    return resolve_land_use(frame, report)


LAYERS: dict[str, LayerSpec] = {
    s.name: s
    for s in (
        LayerSpec(
            "parcels",
            "地块",
            "parcel_id",
            _POLYGONS,
            _PARCEL_COLUMNS,
            description="land parcels with their status, tenure and development clock",
            status_column="status",
            prepare=_prepare_parcels,
        ),
        LayerSpec(
            "buildings",
            "厂房",
            "building_id",
            _POLYGONS,
            _BUILDING_COLUMNS,
            description="factory building footprints with floor space and vacancy",
            status_column="status",
        ),
        LayerSpec(
            "enterprises",
            "企业",
            "enterprise_id",
            ("Point",),
            _ENTERPRISE_COLUMNS,
            geometry_required=False,
            description="enterprises on parcels with a year of indicators",
        ),
        LayerSpec(
            "projects",
            "项目",
            "project_id",
            ("Point",),
            _PROJECT_COLUMNS,
            geometry_required=False,
            description="investment projects and their land demands",
            status_column="stage",
            status_date_column="stage_date",
        ),
        LayerSpec(
            "constraints",
            "管控区",
            "constraint_id",
            (*_POLYGONS, "Point", "LineString", "MultiLineString"),
            _CONSTRAINT_COLUMNS,
            description="ecological red line, basic farmland, water protection, "
            "residential areas, rivers, fuel stations",
        ),
        LayerSpec(
            "corridors",
            "发展轴",
            "corridor_id",
            ("LineString", "MultiLineString"),
            _CORRIDOR_COLUMNS,
            description="avenue centre lines, digitised in the direction of expansion",
        ),
        LayerSpec(
            "substations",
            "变电站",
            "substation_id",
            ("Point",),
            _SUBSTATION_COLUMNS,
            description="substations and their voltage",
        ),
        LayerSpec(
            "roads",
            "道路",
            "road_id",
            ("LineString", "MultiLineString"),
            _ROAD_COLUMNS,
            description="road centre lines, for frontage and access",
        ),
    )
}


def spec(layer: str) -> LayerSpec:
    """Return the schema of a layer by name (``parcels``, ``buildings`` ...).

    Raises
    ------
    LandplanError
        If the layer is unknown; the message lists the known layers.
    """
    from landplan.errors import Code, LandplanError

    try:
        return LAYERS[layer]
    except KeyError:
        raise LandplanError.of(
            "plan_unknown_layer",
            layer=layer,
            known=", ".join(LAYERS),
            known_zh=Code(list(LAYERS), of="layer"),
        ) from None


def describe_layers(layers: Mapping[str, LayerSpec] = LAYERS) -> str:
    """Return the layer formats as Markdown tables (the README's reference section)."""
    out: list[str] = []
    for layer in layers.values():
        geom = " / ".join(layer.geometry_types) if layer.geometry_types else "none"
        if layer.has_geometry and not layer.geometry_required:
            geom += " (optional)"
        out.append(f"### `{layer.name}` ({layer.zh})\n")
        out.append(f"{layer.description}. Geometry: {geom}. Id column: `{layer.id_column}`.\n")
        out.append("| column | 中文 | type | unit | required | meaning |")
        out.append("| --- | --- | --- | --- | --- | --- |")
        for c in layer.columns:
            kind: str = c.dtype
            if c.vocab is not None:
                kind = "one of " + ", ".join(f"`{v}`" for v in c.vocab.values)
            req = "yes" if c.required else ("derived" if c.derived else "")
            out.append(f"| `{c.name}` | {c.zh} | {kind} | {c.unit} | {req} | {c.description} |")
        out.append("")
    return "\n".join(out)
