"""Revitalising low-efficiency land (盘活低效用地): a mode per parcel, what it releases, for whom.

:func:`revitalise` takes a :class:`~landplan.zone.Zone` and its :class:`~landplan.audit.AuditResult`
and gives every idle, low-efficiency or under-used parcel and building a **mode**, decided by named
rules whose thresholds live in the policy (``[revitalise]``), each with the audit facts behind it:

``recover`` 依法收回 / 协议收储
    idle land whose clock has reached (or will reach) the free-recovery date of 国土资源部令第53号
    (依法收回, from the recovery date plus ``recovery_procedure_months``); or land of a class-D
    enterprise stopped, or without tax, for ``purchase_stopped_years`` full years (协议收储, after
    ``purchase_agreement_months``). Releases the parcel (依法收回) or the class-D land (协议收储).
``consolidate`` 整合归宗
    low-efficiency parcels under ``small_parcel_max_mu`` that share at least
    ``shared_boundary_min_m`` of boundary and together reach ``consolidated_min_mu``.
``redevelop`` 二次开发 / 产业转型
    class-D land that is well placed: within ``redevelop_avenue_distance_max_m`` of the
    avenue, or ``redevelop_frontage_min_m`` of road frontage.
``densify`` 增容技改
    FAR below the industry minimum (the audit's ``LE-FAR``), an occupant of a class in
    ``densify_classes``, and at least ``densify_gain_min_m2`` to gain by raising FAR to the audit's
    target: the floor area is added after the agreement and ``construction_months``.
``village_lease`` 留用地合作开发
    village reserved land (``village_statuses``), developed with the village by lease, after the
    lease agreement (``readiness.reserved_leased_months``).
``let_floor`` 厂房招商
    vacant floor space in buildings of ``siting.floor_space_statuses``, let after
    ``readiness.floor_space_months``; a parcel is under-used when ``underused_vacancy_min`` of its
    floor area stands vacant.
``rectify`` 整治提升
    the rest: low-efficiency land no rule above releases, rectified in place by its holder.

Modes are tried in ``revitalise.mode_order``; a parcel takes the first whose rule holds. The land
released is then offered to the pipeline: :func:`landplan.match.match` runs on a copy of the zone
in which only the released sites are offered (recovered land as state reserve land, redeveloped and
consolidated land as low-efficiency land, village land as lease-only land, let floor space in its
buildings), so each project's candidates are of the kinds matching finds (parcels, assemblies,
cut-outs, floor space) and obey its rules. Each candidate is available once every site it uses is
released.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

import geopandas as gpd

from landplan._dates import add_months, date_strings
from landplan._format import number_text
from landplan._geom import shared_boundary
from landplan.audit import RULES as AUDIT_RULES
from landplan.audit import AuditResult
from landplan.corridor import phase_at
from landplan.errors import Code, InfeasibleError, LandplanError, Message, PolicyError
from landplan.evaluation import CLASSES
from landplan.labels import policy_table
from landplan.layers import split_list
from landplan.policy import Policy
from landplan.result import item_values
from landplan.vocab import CLUSTER, Vocabulary
from landplan.zone import Zone

__all__ = ["MODES", "Revitalisation", "revitalise"]

#: The modes of revitalisation, identifier -> (English, Chinese) labels, in legend order.
MODES: Final = Vocabulary(
    "revitalisation mode",
    {
        "recover": ("recovery or reserve purchase", "依法收回 / 协议收储"),
        "consolidate": ("consolidation of small parcels", "整合归宗"),
        "redevelop": ("redevelopment and industrial transformation", "二次开发 / 产业转型"),
        "densify": ("densification and technical upgrade", "增容技改"),
        "village_lease": ("cooperative development of village reserved land", "留用地合作开发"),
        "let_floor": ("letting vacant factory space", "厂房招商"),
        "rectify": ("rectification in place", "整治提升"),
    },
)
_ZH: Final = {m: MODES.label(m, "zh") for m in MODES.values}
# Modes whose land changes hands or is rebuilt: the buildings on it go with the land.
_LAND_MODES: Final = ("recover", "consolidate", "redevelop", "village_lease")
# How a released parcel is offered to matching: the status whose rules it then follows.
_OFFERED_AS: Final = {
    "recover": "state_reserve",
    "consolidate": "low_efficiency",
    "redevelop": "low_efficiency",
    "village_lease": "reserved_leased",
}
_NOT_OFFERED_PARCEL: Final = "occupied"
_NOT_OFFERED_BUILDING: Final = "in_use"
_NAT: Final = np.datetime64("NaT", "ns")

_PARCEL_COLUMNS: Final = (
    "parcel_id",
    "name",
    "holder",
    "status",
    "area_mu",
    "mode",
    "mode_zh",
    "basis_zh",
    "group_id",
    "evaluation_class",
    "cluster",
    "corridor_phase",
    "land_mu",
    "floor_added_m2",
    "floor_let_m2",
    "agreement_date",
    "land_date",
    "floor_added_date",
    "quarter",
    "reason_zh",
    "reason_en",
    "projects",
)


@dataclass(frozen=True)
class Revitalisation:
    """What :func:`revitalise` returns.

    Attributes
    ----------
    as_of : pandas.Timestamp
        The date of the audit the plan builds on.
    parcels : geopandas.GeoDataFrame
        One row per idle, low-efficiency or under-used parcel: ``mode`` (a key of :data:`MODES`)
        and ``mode_zh``, ``basis_zh`` (依法收回 or 协议收储 for ``recover``), ``group_id`` (the
        consolidated site), ``evaluation_class``, ``cluster`` (the occupants'), ``corridor_phase``
        (0 outside the corridor), what it releases (``land_mu``, ``floor_added_m2``,
        ``floor_let_m2``), when (``agreement_date``, ``land_date``, ``floor_added_date`` and the
        ``quarter`` of the first release), ``reason_zh`` / ``reason_en`` (the audit facts behind
        the mode) and ``projects`` (the pipeline projects that could use it).
    buildings : geopandas.GeoDataFrame
        One row per building on such a parcel or with floor space to let: ``building_id``,
        ``parcel_id``, ``mode``, ``floor_let_m2``, ``let_date``, ``quarter``, ``reason_zh`` and
        ``reason_en``.
    uses : geopandas.GeoDataFrame
        One row per project and candidate site made of released land or floor space: the project,
        its ``rank`` among its candidates, ``kind``, ``parcel_ids``, ``building_id``,
        ``area_mu``, ``floor_area_m2``, the ``modes`` of the sites, ``available_from``,
        ``quarter``, and the sentence ``text_zh`` / ``text_en``; the geometry is the site as
        matching offers it (a parcel, an assembly's union, a cut-out, a building's footprint).
    unmatched : pandas.DataFrame
        Pipeline projects no released site suits, with the reason.
    totals : pandas.DataFrame
        Land, floor area added and floor space let by ``section`` (``mode``, ``cluster``,
        ``corridor_phase``, ``quarter``, ``total``) and ``item``, with Chinese and English labels.
    policy_used : pandas.DataFrame
        The ``[revitalise]`` policy values applied, with their sources.
    """

    as_of: pd.Timestamp
    parcels: gpd.GeoDataFrame
    buildings: gpd.GeoDataFrame
    uses: gpd.GeoDataFrame
    unmatched: pd.DataFrame
    totals: pd.DataFrame
    policy_used: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return the result's tables by sheet name, in report order."""
        return {
            "totals": self.totals,
            "parcels": self.parcels,
            "buildings": self.buildings,
            "uses": self.uses,
            "unmatched": self.unmatched,
            "policy": self.policy_used,
        }

    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """Return the plan's parcels, buildings and the sites of its uses, as GeoPackage layers."""
        return {
            "revitalise_parcels": self.parcels,
            "revitalise_buildings": self.buildings,
            "revitalise_uses": self.uses,
        }

    def summary(self) -> pd.DataFrame:
        """Return the zone totals as (item, value) rows, for reports."""
        total = self.totals[self.totals["section"] == "total"].iloc[0]
        return item_values(
            [
                ("parcels", int(total["parcels"])),
                ("buildings", int(total["buildings"])),
                ("land_mu", float(total["land_mu"])),
                ("floor_added_m2", float(total["floor_added_m2"])),
                ("floor_let_m2", float(total["floor_let_m2"])),
                ("projects_served", int(self.uses["project_id"].nunique())),
            ]
        )


# --- the audit's facts, per parcel --------------------------------------------------------------
def _check_policy(policy: Policy) -> None:
    """Collect the problems of ``[revitalise]`` only the plan knows of, and raise once.

    Numbers (finite, not negative) and the village statuses are checked when the policy loads
    (:meth:`landplan.policy.Policy.validate`); the modes and classes are the plan's own.
    """
    rules = policy.revitalise
    problems: list[Message] = []
    order = list(rules.mode_order)
    unknown = [m for m in order if m not in MODES.values]
    twice = sorted({m for m in order if order.count(m) > 1})
    if unknown or twice or "rectify" not in order or order[-1] != "rectify":
        problems.append(
            Message(
                "plan_mode_order",
                modes=", ".join(MODES.values),
                modes_zh="、".join(f"「{z}」" for z in _ZH.values()),
                last=_ZH["rectify"],
                order=order,
                order_zh="、".join(f"「{_ZH.get(m, m)}」" for m in order),
            )
        )
    odd = sorted(set(rules.densify_classes) - set(CLASSES))
    if odd:
        problems.append(
            Message(
                "plan_densify_classes",
                classes=", ".join(CLASSES),
                odd=odd,
                odd_zh="、".join(map(str, odd)),
            )
        )
    if rules.candidates_per_project < 1:
        problems.append(Message("plan_candidates_per_project", n=rules.candidates_per_project))
    if problems:
        raise PolicyError.of(
            "plan_policy_problems", n=len(problems), problems=Code(problems, sep=("\n", "\n"))
        )


def _check_projects(projects: pd.DataFrame) -> None:
    missing = [c for c in ("project_id", "name", "stage") if c not in projects.columns]
    if missing:
        raise LandplanError(
            f"the projects lack column(s) {missing}; expected the projects layer "
            "(project_id, name, stage, land or floor-space demand), as zone.projects holds it"
        )


def _check(zone: Zone, audit: AuditResult, policy: Policy) -> None:
    if not isinstance(zone, Zone):
        raise LandplanError(
            f"revitalise expects a landplan Zone, got {type(zone).__name__}; build one with "
            "Zone.from_layers(layers) or landplan.io.read_zone(path)"
        )
    if not isinstance(audit, AuditResult):
        raise LandplanError(
            f"revitalise expects the zone's audit, got {type(audit).__name__}; pass "
            "landplan.audit.audit(zone, as_of=...)"
        )
    ids = zone.parcels["parcel_id"].to_numpy(dtype=object)
    if not np.array_equal(audit.parcels["parcel_id"].to_numpy(dtype=object), ids):
        raise LandplanError(
            f"the audit covers {len(audit.parcels)} parcels that are not the zone's {len(ids)} "
            "parcels in the same order; audit this zone again: landplan.audit.audit(zone, ...)"
        )
    _check_policy(policy)


def _pieces(zone: Zone) -> pd.DataFrame:
    """Enterprise-on-parcel rows: (enterprise position, parcel position)."""
    ent = zone.enterprises
    ids = ent["parcel_id"].astype(str).map(split_list)
    rows = ids.explode()
    rows = rows[rows.notna()]
    pos = pd.Index(zone.parcels["parcel_id"].astype(str)).get_indexer(rows.to_numpy(dtype=object))
    found = pos >= 0
    return pd.DataFrame(
        {"e": np.asarray(rows.index, dtype=np.intp)[found], "p": pos[found]},
    )


def _enterprise_facts(
    zone: Zone, audit: AuditResult, pieces: pd.DataFrame, as_of: np.datetime64, policy: Policy
) -> dict[str, np.ndarray]:
    """Per parcel: occupant classes, long-stopped class-D occupants, the occupants' cluster."""
    n = len(zone.parcels)
    ent = zone.enterprises
    classes = audit.enterprises["evaluation_class"].to_numpy(dtype=object)
    years = int(policy.revitalise.purchase_stopped_years)
    stopped_since = ent["stopped_since"].to_numpy(dtype="datetime64[ns]")
    operating = ent["operating_status"].to_numpy(dtype=object)
    stopped = np.isin(operating, ["stopped", "half_stopped"]) & (
        as_of >= add_months(stopped_since, years * 12)
    )
    last_tax = ent["last_tax_date"].to_numpy(dtype="datetime64[ns]")
    untaxed = as_of >= add_months(last_tax, years * 12)
    long_stopped = (classes == "D") & (stopped | untaxed)
    e, p = pieces["e"].to_numpy(), pieces["p"].to_numpy()
    densify_class = np.zeros(n, dtype=bool)
    np.logical_or.at(densify_class, p, np.isin(classes[e], list(policy.revitalise.densify_classes)))
    purchase = np.zeros(n, dtype=bool)
    np.logical_or.at(purchase, p, long_stopped[e])
    halted = np.where(operating == "half_stopped", "半停产", "停产")
    why = np.where(stopped, halted, np.where(untaxed, "未纳税", "")).astype(object)
    since = np.where(stopped, stopped_since, last_tax)
    purchase_text = np.full(n, "", dtype=object)
    hit = long_stopped[e]
    names = ent["name"].fillna(ent["enterprise_id"]) if "name" in ent else ent["enterprise_id"]
    purchase_text[p[hit]] = (
        names.to_numpy(dtype=object)[e[hit]]
        + " D类、"
        + why[e[hit]]
        + "自"
        + date_strings(since[e[hit]])
    )
    # The occupants' cluster: the most common among a parcel's enterprises (ties: first by name).
    cluster = np.full(n, None, dtype=object)
    if len(pieces):
        frame = pd.DataFrame({"p": p, "c": ent["cluster"].to_numpy(dtype=object)[e]}).dropna()
        if len(frame):
            counts = frame.groupby(["p", "c"], sort=True).size().rename("n").reset_index()
            counts = counts.sort_values(["p", "n"], ascending=[True, False], kind="stable")
            top = counts.drop_duplicates("p")
            cluster[top["p"].to_numpy()] = top["c"].to_numpy(dtype=object)
    return {
        "densify_class": densify_class,
        "purchase": purchase,
        "purchase_text": purchase_text,
        "cluster": cluster,
    }


def _building_facts(zone: Zone, policy: Policy) -> dict[str, np.ndarray]:
    b = zone.buildings
    pos = pd.Index(zone.parcels["parcel_id"]).get_indexer(b["parcel_id"].to_numpy(dtype=object))
    vacant = b["vacant_area_m2"].to_numpy(dtype="float64", na_value=0.0)
    lettable = np.isin(b["status"].to_numpy(dtype=object), list(policy.siting.floor_space_statuses))
    let = np.where(lettable & (vacant > 0), vacant, 0.0)
    n = len(zone.parcels)
    ok = pos >= 0
    return {
        "parcel": pos,
        "let_m2": let,
        "parcel_let_m2": np.bincount(pos[ok], weights=let[ok], minlength=n),
    }


# --- the rules --------------------------------------------------------------------------------
@dataclass
class _Plan:
    """Column arrays of the plan, filled mode by mode."""

    n: int
    as_of: np.datetime64
    mode: np.ndarray = dataclasses.field(init=False)
    basis: np.ndarray = dataclasses.field(init=False)
    group: np.ndarray = dataclasses.field(init=False)
    land_mu: np.ndarray = dataclasses.field(init=False)
    floor_added: np.ndarray = dataclasses.field(init=False)
    agreement: np.ndarray = dataclasses.field(init=False)
    land_date: np.ndarray = dataclasses.field(init=False)
    floor_date: np.ndarray = dataclasses.field(init=False)
    reason_zh: np.ndarray = dataclasses.field(init=False)
    reason_en: np.ndarray = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        n = self.n
        self.mode = np.full(n, None, dtype=object)
        self.basis = np.full(n, "", dtype=object)
        self.group = np.full(n, None, dtype=object)
        self.land_mu = np.zeros(n)
        self.floor_added = np.zeros(n)
        self.agreement = np.full(n, _NAT)
        self.land_date = np.full(n, _NAT)
        self.floor_date = np.full(n, _NAT)
        self.reason_zh = np.full(n, "", dtype=object)
        self.reason_en = np.full(n, "", dtype=object)

    def months(self, months: float) -> np.datetime64:
        return add_months(np.array([self.as_of]), int(months))[0]


def _text(values: np.ndarray, decimals: int = 1) -> np.ndarray:
    """Numbers as reasons write them: ``decimals`` places, or whole numbers for 0."""
    v = np.asarray(values, dtype=float)
    if decimals == 0:
        whole = np.round(np.nan_to_num(v)).astype(np.int64).astype(str).astype(object)
        return np.where(np.isfinite(v), whole, "—").astype(object)
    return number_text(v, decimals)


def _rule_names(codes: np.ndarray) -> np.ndarray:
    """Return the audit rules' Chinese names for each ``"LE-FAR;LE-COVERAGE"`` text."""
    names = {k: r.zh for k, r in AUDIT_RULES.items()}
    series = pd.Series(codes, dtype=object).fillna("")
    distinct = {t: "、".join(names.get(c, c) for c in t.split(";") if c) for t in series.unique()}
    return series.map(distinct).to_numpy(dtype=object)


def _rule_descriptions(codes: np.ndarray) -> np.ndarray:
    """Return the audit rules' English descriptions for each ``"LE-FAR;LE-COVERAGE"`` text."""
    names = {k: r.description for k, r in AUDIT_RULES.items()}
    series = pd.Series(codes, dtype=object).fillna("")
    distinct = {t: "; ".join(names.get(c, c) for c in t.split(";") if c) for t in series.unique()}
    return series.map(distinct).to_numpy(dtype=object)


def _recover(plan: _Plan, free: np.ndarray, f: Mapping[str, np.ndarray], policy: Policy) -> None:
    rules = policy.revitalise
    state = f["idle_state"]
    recovery = f["recovery_date"]
    legal = free & ((state == "recoverable") | ((state == "idle") & ~np.isnat(recovery)))
    start = np.where(recovery > plan.as_of, recovery, plan.as_of)
    done = add_months(start, int(rules.recovery_procedure_months))
    plan.mode[legal] = "recover"
    plan.basis[legal] = "依法收回"
    plan.land_mu[legal] = f["area_mu"][legal]
    plan.agreement[legal] = done[legal]
    plan.land_date[legal] = done[legal]
    rec = date_strings(recovery[legal])
    why_zh = _rule_names(f["idle_rule"][legal])
    why_en = _rule_descriptions(f["idle_rule"][legal])
    plan.reason_zh[legal] = (
        "闲置土地（"
        + why_zh
        + "），无偿收回日期"
        + rec
        + "（国土资源部令第53号第十四条）；处置程序"
        f"{int(rules.recovery_procedure_months)}个月后收回" + _text(f["area_mu"][legal]) + "亩"
    )
    plan.reason_en[legal] = (
        "idle land ("
        + why_en
        + "), recoverable free of charge from "
        + rec
        + " (MLR Order 53 art. 14); recovered "
        f"{int(rules.recovery_procedure_months)} months of procedure later: "
        + _text(f["area_mu"][legal])
        + " mu"
    )

    purchase = free & ~legal & f["purchase"] & (f["recoverable_land_mu"] > 0)
    agreed = plan.months(rules.purchase_agreement_months)
    plan.mode[purchase] = "recover"
    plan.basis[purchase] = "协议收储"
    plan.land_mu[purchase] = f["recoverable_land_mu"][purchase]
    plan.agreement[purchase] = agreed
    plan.land_date[purchase] = agreed
    years = int(rules.purchase_stopped_years)
    plan.reason_zh[purchase] = (
        f["purchase_text"][purchase]
        + f"满{years}年；协议收储D类企业用地"
        + _text(f["recoverable_land_mu"][purchase])
        + f"亩，协议期{int(rules.purchase_agreement_months)}个月"
    )
    plan.reason_en[purchase] = (
        f"a class-D enterprise stopped or without tax for {years} full years; its "
        + _text(f["recoverable_land_mu"][purchase])
        + f" mu bought into the reserve by agreement within {int(rules.purchase_agreement_months)}"
        " months"
    )


def _consolidate(
    plan: _Plan,
    free: np.ndarray,
    f: Mapping[str, np.ndarray],
    geoms: np.ndarray,
    ids: np.ndarray,
    policy: Policy,
) -> None:
    rules = policy.revitalise
    small = np.flatnonzero(free & f["low_use"] & (f["area_mu"] < rules.small_parcel_max_mu))
    if len(small) < 2:
        return
    i, j, shared = shared_boundary(
        geoms[small], tolerance_m=float(rules.shared_boundary_tolerance_m)
    )
    joined = shared >= float(rules.shared_boundary_min_m)
    i, j, shared = i[joined], j[joined], shared[joined]
    graph = coo_matrix((np.ones(len(i)), (i, j)), shape=(len(small), len(small)))
    n_groups, label = connected_components(graph, directed=False)
    total = np.bincount(label, weights=f["area_mu"][small], minlength=n_groups)
    size = np.bincount(label, minlength=n_groups)
    ok = (size >= 2) & (total >= rules.consolidated_min_mu)
    members = small[ok[label]]
    if not len(members):
        return
    # A group is named by its first member, so names do not depend on the order of the zone.
    lab = label[ok[label]]
    frame = pd.DataFrame({"lab": lab, "id": ids[members]}).sort_values("id")
    first = frame.drop_duplicates("lab").set_index("lab")["id"]
    partners = frame.groupby("lab")["id"].agg("、".join)
    link = pd.DataFrame({"a": small[i], "b": small[j], "m": shared})
    edge = (
        pd.concat(
            [link.rename(columns={"a": "p", "b": "q"}), link.rename(columns={"b": "p", "a": "q"})]
        )
        .groupby("p")["m"]
        .sum()
    )
    agreed = plan.months(rules.consolidation_agreement_months)
    plan.mode[members] = "consolidate"
    plan.group[members] = "G-" + first.loc[lab].to_numpy(dtype=object)
    plan.land_mu[members] = f["area_mu"][members]
    plan.agreement[members] = agreed
    plan.land_date[members] = agreed
    group_mu = _text(total[lab])
    shared_m = _text(pd.Series(members).map(edge).fillna(0.0).to_numpy(), 0)
    plan.reason_zh[members] = (
        "低效小宗地块（"
        + _text(f["area_mu"][members])
        + f"亩 < {rules.small_parcel_max_mu:g}亩），与相邻地块共用边界"
        + shared_m
        + "米；"
        + partners.loc[lab].to_numpy(dtype=object)
        + "合计"
        + group_mu
        + f"亩（≥ {rules.consolidated_min_mu:g}亩），整合归宗为一宗可用地块"
    )
    plan.reason_en[members] = (
        "small low-efficiency parcel ("
        + _text(f["area_mu"][members])
        + f" mu < {rules.small_parcel_max_mu:g} mu) sharing "
        + shared_m
        + " m of boundary with its neighbours; together "
        + group_mu
        + f" mu (≥ {rules.consolidated_min_mu:g} mu), consolidated into one usable site"
    )


def _redevelop(plan: _Plan, free: np.ndarray, f: Mapping[str, np.ndarray], policy: Policy) -> None:
    rules = policy.revitalise
    near = f["avenue_distance_m"] <= rules.redevelop_avenue_distance_max_m
    fronted = f["frontage_m"] >= rules.redevelop_frontage_min_m
    # The class-D land is redeveloped (the audit's recoverable land): a parcel shared with
    # better firms keeps their part.
    d_land = f["recoverable_land_mu"]
    hit = free & (f["evaluation_class"] == "D") & (near | fronted) & (d_land > 0)
    agreed = plan.months(rules.redevelop_agreement_months)
    plan.mode[hit] = "redevelop"
    plan.land_mu[hit] = d_land[hit]
    plan.agreement[hit] = agreed
    plan.land_date[hit] = agreed
    where_zh = np.where(
        near[hit],
        "距大道"
        + _text(f["avenue_distance_m"][hit], 0)
        + f"米（≤ {rules.redevelop_avenue_distance_max_m:g}米）",
        "临路" + _text(f["frontage_m"][hit], 0) + f"米（≥ {rules.redevelop_frontage_min_m:g}米）",
    )
    where_en = np.where(
        near[hit],
        _text(f["avenue_distance_m"][hit], 0)
        + f" m from the avenue (≤ {rules.redevelop_avenue_distance_max_m:g} m)",
        _text(f["frontage_m"][hit], 0)
        + f" m of road frontage (≥ {rules.redevelop_frontage_min_m:g} m)",
    )
    plan.reason_zh[hit] = (
        "亩均效益评价D类，区位良好（"
        + where_zh
        + "）；D类企业用地"
        + _text(d_land[hit])
        + "亩二次开发或产业转型"
        + f"，协议期{int(rules.redevelop_agreement_months)}个月"
    )
    plan.reason_en[hit] = (
        "per-mu class D on well-placed land ("
        + where_en
        + "); "
        + _text(d_land[hit])
        + " mu of class-D land redeveloped after a "
        + f"{int(rules.redevelop_agreement_months)}-month agreement"
    )


def _densify(plan: _Plan, free: np.ndarray, f: Mapping[str, np.ndarray], policy: Policy) -> None:
    rules = policy.revitalise
    low_far = (
        pd.Series(f["rules"], dtype=object)
        .fillna("")
        .str.contains(r"(?:^|;)LE-FAR(?:;|$)", regex=True)
        .to_numpy(dtype=bool)
    )
    gain = f["far_gain_m2"]
    hit = free & low_far & f["densify_class"] & (gain >= rules.densify_gain_min_m2)
    agreed = plan.months(rules.densify_agreement_months)
    built = plan.months(rules.densify_agreement_months + rules.construction_months)
    plan.mode[hit] = "densify"
    plan.floor_added[hit] = gain[hit]
    plan.agreement[hit] = agreed
    plan.floor_date[hit] = built
    classes = "、".join(rules.densify_classes)
    plan.reason_zh[hit] = (
        "容积率"
        + _text(f["far"][hit], 2)
        + "低于行业控制值"
        + _text(f["far_min_required"][hit], 2)
        + f"，在营企业为{classes}类；提高至目标容积率"
        + _text(f["target_far"][hit], 2)
        + "可增建筑面积"
        + _text(gain[hit], 0)
        + f"平方米（≥ {rules.densify_gain_min_m2:g}），协议{int(rules.densify_agreement_months)}"
        f"个月、建设{int(rules.construction_months)}个月"
    )
    plan.reason_en[hit] = (
        "FAR "
        + _text(f["far"][hit], 2)
        + " below the industry minimum "
        + _text(f["far_min_required"][hit], 2)
        + f" with a class {'/'.join(rules.densify_classes)} occupant; raising it to "
        + _text(f["target_far"][hit], 2)
        + " adds "
        + _text(gain[hit], 0)
        + f" m² (≥ {rules.densify_gain_min_m2:g}) after {int(rules.densify_agreement_months)}"
        f" months of agreement and {int(rules.construction_months)} of construction"
    )


def _village(plan: _Plan, free: np.ndarray, f: Mapping[str, np.ndarray], policy: Policy) -> None:
    months = int(policy.readiness.reserved_leased_months)
    hit = free & np.isin(f["status"], list(policy.revitalise.village_statuses))
    agreed = plan.months(months)
    plan.mode[hit] = "village_lease"
    plan.land_mu[hit] = f["area_mu"][hit]
    plan.agreement[hit] = agreed
    plan.land_date[hit] = agreed
    lease = int(policy.siting.lease_max_years)
    plan.reason_zh[hit] = (
        "村留用地" + _text(f["area_mu"][hit]) + f"亩，与村集体签订租赁或合作协议（{months}个月，"
        f"租期不超过{lease}年）后供项目使用"
    )
    plan.reason_en[hit] = (
        "village reserved land, "
        + _text(f["area_mu"][hit])
        + f" mu, offered by lease or cooperation with the village after a {months}-month "
        f"agreement (leases of at most {lease} years)"
    )


def _let(plan: _Plan, free: np.ndarray, f: Mapping[str, np.ndarray], policy: Policy) -> None:
    months = int(policy.readiness.floor_space_months)
    hit = free & (f["parcel_let_m2"] > 0)
    plan.mode[hit] = "let_floor"
    plan.agreement[hit] = plan.months(months)
    plan.reason_zh[hit] = (
        "厂房空置"
        + _text(f["parcel_let_m2"][hit], 0)
        + "平方米（空置率"
        + _text(100 * f["vacancy"][hit], 0)
        + f"%），招商出租，签约{months}个月"
    )
    plan.reason_en[hit] = (
        _text(f["parcel_let_m2"][hit], 0)
        + " m² of factory space vacant (vacancy "
        + _text(100 * f["vacancy"][hit], 0)
        + f"%), let within {months} month(s)"
    )


def _rectify(plan: _Plan, free: np.ndarray, f: Mapping[str, np.ndarray], policy: Policy) -> None:
    plan.mode[free] = "rectify"
    names = _rule_names(f["rules"][free])
    idle = f["idle_state"][free]
    plan.reason_zh[free] = np.where(
        names != "",
        "低效认定：" + names + "；不符合收回、整合、二次开发或增容条件，由权利人限期整治提升",
        np.where(
            np.isin(idle, ["idle", "not_due"]),
            "闲置土地计时中，尚未到无偿收回条件；督促动工并限期整改",
            "状态为闲置或低效，未触发盘活条件；限期整治提升",
        ),
    )
    plan.reason_en[free] = np.where(
        names != "",
        "low-efficiency ("
        + _rule_descriptions(f["rules"][free])
        + "); no recovery, consolidation, redevelopment or densification rule holds: the holder "
        "rectifies in place",
        "idle or low-efficiency status with no revitalisation rule holding: rectified in place",
    )


# --- matching the released land ---------------------------------------------------------------
def _released_zone(zone: Zone, plan: _Plan, let_m2: np.ndarray) -> Zone:
    """Return the zone with only the released land and floor space offered, as what it becomes."""
    status = np.full(len(zone.parcels), _NOT_OFFERED_PARCEL, dtype=object)
    # Only a parcel released whole is offered: a part (a class-D firm's share of a parcel it
    # shares) has no shape of its own to match.
    whole = plan.land_mu >= zone.parcels["area_mu"].to_numpy(dtype=float) * (1.0 - 1e-9)
    for mode, offered in _OFFERED_AS.items():
        status[(plan.mode == mode) & (plan.land_mu > 0) & whole] = offered
    b_status = zone.buildings["status"].to_numpy(dtype=object).copy()
    b_status[~(let_m2 > 0)] = _NOT_OFFERED_BUILDING
    return dataclasses.replace(
        zone,
        parcels=zone.parcels.assign(status=status),
        buildings=zone.buildings.assign(status=b_status),
    )


def _pipeline(projects: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    stages = list(policy.capacity.stage_probability)
    return projects[projects["stage"].isin(stages)]


def _uses(
    released: Zone,
    projects: pd.DataFrame,
    parcel_date: pd.Series,
    parcel_mode: pd.Series,
    building_date: pd.Series,
    policy: Policy,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    from landplan.match import match, prepare_sites

    top = int(policy.revitalise.candidates_per_project)
    sites = prepare_sites(released)
    rows, missed, shapes = [], [], []
    for _, project in projects.iterrows():  # one match per pipeline project: a few dozen
        try:
            found = match(project, released, top=top, sites=sites)
        except InfeasibleError as exc:
            missed.append((project["project_id"], project["name"], str(exc)))
            continue
        best = found.ranked.head(top)
        shapes.append(np.asarray(best.geometry.array, dtype=object))
        best = pd.DataFrame(best.drop(columns="geometry"))
        if best.empty:
            shapes.pop()
            why = found.demand.window_text()
            missed.append(
                (
                    project["project_id"],
                    project["name"],
                    f"no released site suits the project ({why})".replace(" ()", ""),
                )
            )
            continue
        best.insert(0, "project_id", project["project_id"])
        best.insert(1, "project_name", project["name"])
        best.insert(2, "stage", project["stage"])
        best.insert(3, "project_cluster", project.get("cluster"))
        rows.append(best)
    unmatched = pd.DataFrame(missed, columns=["project_id", "project_name", "reason"])
    crs = released.parcels.crs
    if not rows:
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in _USE_COLUMNS})
        return gpd.GeoDataFrame(empty, geometry=gpd.GeoSeries([], crs=crs)), unmatched
    uses = pd.concat(rows, ignore_index=True)
    members = uses["parcel_ids"].fillna("").astype(str).map(split_list)
    floor = (uses["kind"] == "floor_space").to_numpy(dtype=bool)
    # A site is available once every parcel in it is released: the latest of their dates.
    exploded = members.explode().dropna()
    at = parcel_date.index.get_indexer(exploded.to_numpy(dtype=object))
    member_dates = pd.Series(parcel_date.to_numpy(dtype="datetime64[ns]")[at], index=exploded.index)
    land_dates = member_dates.groupby(level=0).max().reindex(uses.index)
    building_at = building_date.index.get_indexer(uses["building_id"].to_numpy(dtype=object))
    known = np.r_[building_date.to_numpy(dtype="datetime64[ns]"), _NAT]
    floor_dates = known[np.where(building_at >= 0, building_at, len(known) - 1)]
    modes = members.map(lambda ids: list(dict.fromkeys(parcel_mode[i] for i in ids)))
    uses["available_from"] = np.where(
        floor, floor_dates, land_dates.to_numpy(dtype="datetime64[ns]")
    )
    uses["modes"] = np.where(floor, "let_floor", modes.map(";".join))
    uses["quarter"] = pd.PeriodIndex(uses["available_from"], freq="Q").astype(str)
    uses["text_zh"], uses["text_en"] = _use_sentences(uses, members)
    # Each candidate's own site: the parcel, an assembly's union, a cut-out, a building.
    return gpd.GeoDataFrame(uses[_USE_COLUMNS], geometry=np.concatenate(shapes), crs=crs), unmatched


_USE_COLUMNS: Final = [
    "project_id",
    "project_name",
    "stage",
    "project_cluster",
    "rank",
    "kind",
    "parcel_ids",
    "building_id",
    "area_mu",
    "floor_area_m2",
    "modes",
    "available_from",
    "quarter",
    "score_total",
    "text_zh",
    "text_en",
]


def _use_sentences(uses: pd.DataFrame, members: pd.Series) -> tuple[pd.Series, pd.Series]:
    zh_verb = {
        "recover": "收回",
        "consolidate": "整合归宗",
        "redevelop": "二次开发",
        "village_lease": "租用",
        "let_floor": "出租",
    }
    en_verb = {
        "recover": "to be recovered from",
        "consolidate": "to be consolidated from",
        "redevelop": "to be redeveloped on",
        "village_lease": "to be leased on",
        "let_floor": "to be let in",
    }
    first_mode = uses["modes"].str.split(";").str[0]
    where = np.where(uses["kind"] == "floor_space", uses["building_id"], members.map("、".join))
    where_en = np.where(uses["kind"] == "floor_space", uses["building_id"], members.map(", ".join))
    mu = pd.Series(_text(uses["area_mu"].to_numpy(dtype=float)), index=uses.index)
    m2 = pd.Series(_text(uses["floor_area_m2"].to_numpy(dtype=float), 0), index=uses.index)
    floor = uses["kind"] == "floor_space"
    # A cut-out is part of the released parcel: "50 mu of the land to be recovered from P-1".
    cut = (uses["kind"] == "cutout").to_numpy(dtype=bool)
    amount_zh = np.where(floor, m2 + "平方米厂房", mu + "亩")
    amount_en = np.where(floor, m2 + " m² of floor space", mu + " mu")
    zh = (
        uses["project_id"]
        + "（"
        + uses["project_name"].astype(str)
        + "）可自"
        + uses["quarter"]
        + "起使用"
        + pd.Series(where, index=uses.index)
        + first_mode.map(zh_verb)
        + np.where(cut, "土地中的", "的")
        + pd.Series(amount_zh, index=uses.index)
    )
    en = (
        uses["project_id"]
        + " could take "
        + np.where(cut, "", "the ")
        + pd.Series(amount_en, index=uses.index)
        + np.where(cut, " of the land ", " ")
        + first_mode.map(en_verb)
        + " "
        + pd.Series(where_en, index=uses.index)
        + " from "
        + uses["quarter"]
    )
    return zh, en


# --- totals -----------------------------------------------------------------------------------
def _totals(parcels: pd.DataFrame, buildings: pd.DataFrame) -> pd.DataFrame:
    """Land, floor added and floor let by mode, cluster, corridor phase and quarter."""
    land_quarter = pd.PeriodIndex(parcels["land_date"], freq="Q").astype(str)
    floor_quarter = pd.PeriodIndex(parcels["floor_added_date"], freq="Q").astype(str)
    let_quarter = pd.PeriodIndex(buildings["let_date"], freq="Q").astype(str)
    parcel_key = {
        "mode": parcels["mode"],
        "cluster": parcels["cluster"].astype(object).where(parcels["cluster"].notna(), "none"),
        "corridor_phase": parcels["corridor_phase"],
    }
    building_key = {
        "mode": buildings["mode"],
        "cluster": buildings["cluster"].astype(object).where(buildings["cluster"].notna(), "none"),
        "corridor_phase": buildings["corridor_phase"],
    }
    parts = []
    for section in ("mode", "cluster", "corridor_phase"):
        p = pd.DataFrame(
            {
                "item": parcel_key[section].to_numpy(),
                "parcels": 1,
                "land_mu": parcels["land_mu"].to_numpy(),
                "floor_added_m2": parcels["floor_added_m2"].to_numpy(),
            }
        )
        b = pd.DataFrame(
            {
                "item": building_key[section].to_numpy(),
                "buildings": 1,
                "floor_let_m2": buildings["floor_let_m2"].to_numpy(),
            }
        )
        parts.append(_grouped(section, p, b))
    # Quarters: each release counts in the quarter it happens.
    q_land = pd.DataFrame(
        {"item": land_quarter, "parcels": 1, "land_mu": parcels["land_mu"].to_numpy()}
    )
    q_floor = pd.DataFrame(
        {
            "item": floor_quarter,
            "parcels": 1,
            "floor_added_m2": parcels["floor_added_m2"].to_numpy(),
        }
    )
    q_let = pd.DataFrame(
        {"item": let_quarter, "buildings": 1, "floor_let_m2": buildings["floor_let_m2"].to_numpy()}
    )
    quarters = pd.concat([q_land, q_floor, q_let], ignore_index=True)
    quarters = quarters[quarters["item"] != "NaT"]
    parts.append(_grouped("quarter", quarters, pd.DataFrame(columns=["item"])))
    total = pd.DataFrame(
        {
            "section": ["total"],
            "item": ["total"],
            "parcels": [len(parcels)],
            "buildings": [len(buildings)],
            "land_mu": [float(parcels["land_mu"].sum())],
            "floor_added_m2": [float(parcels["floor_added_m2"].sum())],
            "floor_let_m2": [float(buildings["floor_let_m2"].sum())],
        }
    )
    table = pd.concat([*parts, total], ignore_index=True)
    for c in ("parcels", "buildings"):
        table[c] = table[c].fillna(0).astype(np.int64)
    for c in ("land_mu", "floor_added_m2", "floor_let_m2"):
        table[c] = table[c].fillna(0.0).astype(float)
    zh, en = _item_labels(table)
    table.insert(2, "label_zh", zh)
    table.insert(3, "label_en", en)
    return table[
        [
            "section",
            "item",
            "label_zh",
            "label_en",
            "parcels",
            "buildings",
            "land_mu",
            "floor_added_m2",
            "floor_let_m2",
        ]
    ]


def _grouped(section: str, p: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    value_columns = ["parcels", "buildings", "land_mu", "floor_added_m2", "floor_let_m2"]
    both = pd.concat([p, b], ignore_index=True)
    for c in value_columns:
        if c not in both:
            both[c] = 0.0
    grouped = both.groupby("item", sort=True)[value_columns].sum(min_count=0).reset_index()
    if section == "mode":
        order = {m: k for k, m in enumerate(MODES.values)}
        grouped = grouped.sort_values("item", key=lambda s: s.map(order)).reset_index(drop=True)
    grouped.insert(0, "section", section)
    return grouped


def _item_labels(table: pd.DataFrame) -> tuple[list[str], list[str]]:
    zh, en = [], []
    for section, item in zip(table["section"], table["item"], strict=True):
        if section == "mode":
            zh.append(MODES.label(item, "zh"))
            en.append(MODES.label(item, "en"))
        elif section == "cluster":
            known = item in CLUSTER.values
            zh.append(CLUSTER.label(item, "zh") if known else "无在营企业")
            en.append(CLUSTER.label(item, "en") if known else "no enterprise")
        elif section == "corridor_phase":
            zh.append(f"第{item}期" if int(item) > 0 else "发展轴以外")
            en.append(f"phase {item}" if int(item) > 0 else "outside the corridor")
        elif section == "quarter":
            zh.append(f"{item[:4]}年第{item[-1]}季度")
            en.append(str(item))
        else:
            zh.append("合计")
            en.append("total")
    return zh, en


# --- the plan ---------------------------------------------------------------------------------
_RULE_OF: Final = {
    "recover": _recover,
    "redevelop": _redevelop,
    "densify": _densify,
    "village_lease": _village,
    "let_floor": _let,
    "rectify": _rectify,
}


def _facts(zone: Zone, audit: AuditResult, policy: Policy, as_of: np.datetime64) -> dict:
    a = audit.parcels
    pieces = _pieces(zone)
    ent = _enterprise_facts(zone, audit, pieces, as_of, policy)
    built = _building_facts(zone, policy)
    status = a["status"].to_numpy(dtype=object)
    state = a["idle_state"].to_numpy(dtype=object)
    vacancy = a["vacancy"].to_numpy(dtype=float, na_value=np.nan)
    low = a["low_efficiency"].to_numpy(dtype=bool)
    f = {
        "status": status,
        "idle_state": state,
        "idle_rule": a["idle_rule"].to_numpy(dtype=object),
        "recovery_date": a["recovery_date"].to_numpy(dtype="datetime64[ns]"),
        "area_mu": a["area_mu"].to_numpy(dtype=float),
        "recoverable_land_mu": a["recoverable_land_mu"].to_numpy(dtype=float),
        "evaluation_class": a["evaluation_class"].to_numpy(dtype=object),
        "rules": a["low_efficiency_rules"].to_numpy(dtype=object),
        "far": a["far"].to_numpy(dtype=float),
        "far_min_required": a["far_min_required"].to_numpy(dtype=float),
        "target_far": a["target_far"].to_numpy(dtype=float),
        "far_gain_m2": a["far_gain_m2"].to_numpy(dtype=float),
        "vacancy": vacancy,
        "low_use": low | np.isin(status, ["idle", "low_efficiency"]),
        "parcel_let_m2": built["parcel_let_m2"],
        **ent,
    }
    underused = (vacancy >= policy.revitalise.underused_vacancy_min) & (f["parcel_let_m2"] > 0)
    f["scope"] = (
        f["low_use"]
        | np.isin(state, ["idle", "recoverable"])
        | np.isin(status, list(policy.revitalise.village_statuses))
        | underused
    )
    f |= _location(zone, f["scope"] & (f["evaluation_class"] == "D"))
    return {"f": f, "built": built}


def _location(zone: Zone, where: np.ndarray) -> dict[str, np.ndarray]:
    """Distance to the avenue and road frontage of the parcels at ``where``, as matching measures.

    Only class-D land in the plan's scope needs them (the redevelopment rule), so the matching's
    site index is prepared for those parcels alone, offered to nobody: their measures are those
    of the whole zone's index, without measuring every parcel or pairing the land on offer.
    """
    from landplan.match import prepare_sites

    n = len(zone.parcels)
    out = {"avenue_distance_m": np.full(n, np.inf), "frontage_m": np.zeros(n)}
    rows = np.flatnonzero(where)
    if not len(rows):
        return out
    some = zone.parcels.iloc[rows].assign(status=_NOT_OFFERED_PARCEL)
    measures = prepare_sites(dataclasses.replace(zone, parcels=some)).measures
    for key in out:
        out[key][rows] = np.asarray(measures[key], dtype=float)
    return out


def revitalise(
    zone: Zone,
    audit: AuditResult,
    projects: pd.DataFrame | None = None,
    *,
    policy: Policy | None = None,
) -> Revitalisation:
    """Plan the revitalisation of a zone's idle, low-efficiency and under-used land and buildings.

    Parameters
    ----------
    zone
        The zone audited.
    audit
        :func:`landplan.audit.audit` of ``zone``: its facts (idle clock, low-efficiency rules,
        classes, FAR gain, recoverable land) decide the modes, and its date starts the timeline.
    projects
        The pipeline to match against the released land; ``zone.projects`` where None. Projects at
        stages without a ``capacity.stage_probability`` (landed, built) are left out.
    policy
        The thresholds (``[revitalise]``, ``readiness``, ``siting``); ``zone.policy`` where None.

    Returns
    -------
    Revitalisation

    Raises
    ------
    LandplanError
        If ``audit`` is not the audit of ``zone``, or ``projects`` lacks the projects' columns.
    PolicyError
        Listing every problem of ``[revitalise]``: a ``mode_order`` naming an unknown mode or not
        ending with ``rectify``, an unknown class in ``densify_classes``, no candidate per project.

    Examples
    --------
    >>> from landplan.audit import audit
    >>> from landplan.sample import AS_OF, make_zone
    >>> zone = Zone.from_layers(make_zone(n_parcels=120))
    >>> plan = revitalise(zone, audit(zone, as_of=AS_OF))
    >>> set(plan.parcels["mode"]) <= set(MODES.values)
    True
    """
    policy = policy or zone.policy
    if policy is not zone.policy:
        zone = dataclasses.replace(zone, policy=policy)
    _check(zone, audit, policy)
    as_of = np.datetime64(audit.as_of.to_datetime64(), "ns")
    facts = _facts(zone, audit, policy, as_of)
    f, built = facts["f"], facts["built"]

    parcels = zone.parcels
    ids = parcels["parcel_id"].to_numpy(dtype=object)
    geoms = np.asarray(parcels.geometry.array, dtype=object)
    plan = _Plan(len(parcels), as_of)
    for mode in policy.revitalise.mode_order:
        free = f["scope"] & pd.isna(plan.mode)
        if mode == "consolidate":
            _consolidate(plan, free, f, geoms, ids, policy)
        else:
            _RULE_OF[mode](plan, free, f, policy)

    # Buildings: those on planned parcels, and any with floor space to let.
    b = zone.buildings
    b_parcel = built["parcel"]
    b_mode_parcel = np.where(b_parcel >= 0, plan.mode[np.maximum(b_parcel, 0)], None)
    goes_with_land = np.isin(b_mode_parcel, list(_LAND_MODES))
    let_m2 = np.where(goes_with_land, 0.0, built["let_m2"])
    b_mode = np.where(let_m2 > 0, "let_floor", b_mode_parcel).astype(object)
    in_plan = pd.notna(b_mode)
    let_date = np.where(let_m2 > 0, plan.months(policy.readiness.floor_space_months), _NAT)

    # The parcel's own floor let is what its buildings let (none where its land is taken).
    parcel_let = np.bincount(
        b_parcel[b_parcel >= 0], weights=let_m2[b_parcel >= 0], minlength=len(parcels)
    )
    released = _released_zone(zone, plan, let_m2)
    chosen = np.flatnonzero(pd.notna(plan.mode))
    parcel_date = pd.Series(plan.land_date, index=ids)
    parcel_mode = pd.Series(plan.mode, index=ids)
    building_date = pd.Series(let_date, index=b["building_id"].to_numpy(dtype=object))
    projects = zone.projects if projects is None else projects
    _check_projects(projects)
    pool = _pipeline(projects, policy)
    uses, unmatched = _uses(released, pool, parcel_date, parcel_mode, building_date, policy)

    phase = phase_at(geoms, zone)
    first_release = np.fmin(plan.land_date, plan.floor_date)
    first_release = np.where(
        np.isnat(first_release) & (parcel_let > 0),
        plan.months(policy.readiness.floor_space_months),
        first_release,
    )
    table = pd.DataFrame(
        {
            "parcel_id": ids,
            "name": parcels["name"].to_numpy(dtype=object) if "name" in parcels else None,
            "holder": parcels["holder"].to_numpy(dtype=object),
            "status": f["status"],
            "area_mu": f["area_mu"],
            "mode": plan.mode,
            "mode_zh": pd.Series(plan.mode, dtype=object).map(_ZH).to_numpy(dtype=object),
            "basis_zh": plan.basis,
            "group_id": plan.group,
            "evaluation_class": f["evaluation_class"],
            "cluster": f["cluster"],
            "corridor_phase": phase,
            "land_mu": plan.land_mu,
            "floor_added_m2": plan.floor_added,
            "floor_let_m2": parcel_let,
            "agreement_date": plan.agreement,
            "land_date": plan.land_date,
            "floor_added_date": plan.floor_date,
            "quarter": _quarters(first_release),
            "reason_zh": plan.reason_zh,
            "reason_en": plan.reason_en,
            "projects": _projects_by_parcel(uses, ids),
        },
        index=parcels.index,
    ).iloc[chosen]
    result_parcels = gpd.GeoDataFrame(
        table[list(_PARCEL_COLUMNS)], geometry=geoms[chosen], crs=parcels.crs
    )
    result_parcels = result_parcels.reset_index(drop=True)
    result_buildings = _building_table(
        b, in_plan, b_mode, let_m2, let_date, plan, b_parcel, cluster=f["cluster"], phase=phase
    )
    return Revitalisation(
        as_of=audit.as_of,
        parcels=result_parcels,
        buildings=result_buildings,
        uses=uses,
        unmatched=unmatched,
        totals=_totals(result_parcels, result_buildings),
        policy_used=_policy_used(policy),
    )


def _quarters(dates: np.ndarray) -> np.ndarray:
    quarters = pd.PeriodIndex(pd.DatetimeIndex(dates), freq="Q").astype(str)
    text = np.array(quarters, dtype=object)
    text[np.isnat(dates)] = None
    return text


def _projects_by_parcel(uses: pd.DataFrame, ids: np.ndarray) -> np.ndarray:
    """Each parcel's pipeline projects that could use its land or its floor space."""
    out = pd.Series(None, index=ids, dtype=object)
    rows = uses.assign(pid=uses["parcel_ids"].fillna("").astype(str).map(split_list))
    rows = rows.explode("pid").dropna(subset=["pid"])
    if rows.empty:
        return out.to_numpy(dtype=object)
    text = (
        rows["project_id"].astype(str)
        + " "
        + rows["project_name"].fillna("").astype(str)
        + "（"
        + rows["quarter"].astype(str)
        + "）"
    )
    joined = text.groupby(rows["pid"].to_numpy()).agg(lambda s: "；".join(dict.fromkeys(s)))
    out.loc[joined.index] = joined.to_numpy(dtype=object)
    return out.to_numpy(dtype=object)


def _building_table(
    b: gpd.GeoDataFrame,
    in_plan: np.ndarray,
    mode: np.ndarray,
    let_m2: np.ndarray,
    let_date: np.ndarray,
    plan: _Plan,
    parcel: np.ndarray,
    *,
    cluster: np.ndarray,
    phase: np.ndarray,
) -> gpd.GeoDataFrame:
    rows = np.flatnonzero(in_plan)
    p = parcel[rows]
    m = mode[rows]
    let = let_m2[rows]
    parcel_zh = np.where(p >= 0, plan.reason_zh[np.maximum(p, 0)], "")
    parcel_en = np.where(p >= 0, plan.reason_en[np.maximum(p, 0)], "")
    reason_zh = np.where(
        m == "let_floor",
        "空置厂房" + _text(let, 0) + "平方米，招商出租",
        "随地块：" + parcel_zh,
    )
    reason_en = np.where(
        m == "let_floor",
        _text(let, 0) + " m² vacant, let to a project",
        "with its parcel: " + parcel_en,
    )
    table = pd.DataFrame(
        {
            "building_id": b["building_id"].to_numpy(dtype=object)[rows],
            "parcel_id": b["parcel_id"].to_numpy(dtype=object)[rows],
            "status": b["status"].to_numpy(dtype=object)[rows],
            "floor_area_m2": b["floor_area_m2"].to_numpy(dtype=float)[rows],
            "vacant_area_m2": b["vacant_area_m2"].to_numpy(dtype=float, na_value=0.0)[rows],
            "mode": m,
            "mode_zh": pd.Series(m, dtype=object).map(_ZH).to_numpy(dtype=object),
            "cluster": np.where(p >= 0, cluster[np.maximum(p, 0)], None),
            "corridor_phase": np.where(p >= 0, phase[np.maximum(p, 0)], 0),
            "floor_let_m2": let,
            "let_date": let_date[rows],
            "quarter": _quarters(let_date[rows]),
            "reason_zh": reason_zh,
            "reason_en": reason_en,
        }
    )
    return gpd.GeoDataFrame(
        table, geometry=np.asarray(b.geometry.array, dtype=object)[rows], crs=b.crs
    )


def _policy_used(policy: Policy) -> pd.DataFrame:
    """Return the values the plan applies, their sources as the Chinese workbook cites them."""
    table = policy_table(policy, "zh")
    keep = table["key"].str.startswith("revitalise.") | table["key"].isin(
        [
            "readiness.reserved_leased_months",
            "readiness.floor_space_months",
            "siting.floor_space_statuses",
            "siting.lease_max_years",
            "idle.recover_years",
        ]
    )
    return table[keep].reset_index(drop=True)
