"""Matching a project: candidate blocks of every kind, ranked, with the rejections."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

import geopandas as gpd

from landplan.demand import Demand, as_project, land_demand
from landplan.errors import Code, LandplanError
from landplan.kinds import KINDS as KIND_REGISTRY
from landplan.kinds import candidate_ids
from landplan.labels import Lang, compose, message
from landplan.match._common import (
    REJECTION_COLUMNS,
    geometry_array,
    named,
    rejection_rows,
)
from landplan.match.assemblies import assembly_blocks
from landplan.match.cutouts import cutout_block
from landplan.match.floor_space import floor_space_block
from landplan.match.rules import parcel_rules
from landplan.match.score import (
    COMPONENTS,
    readiness_of,
    reason_texts,
    score_sites,
    step_texts,
)
from landplan.match.sites import MatchContext, prepare_sites
from landplan.policy import Policy
from landplan.result import item_values
from landplan.units import m2_to_mu
from landplan.zone import Zone

if TYPE_CHECKING:
    from landplan.match.sites import SiteIndex

Kind = Literal["single", "assembly", "cutout", "floor_space"]
#: The kinds of candidate, as :data:`landplan.kinds.KINDS` registers them.
KINDS: tuple[Kind, ...] = tuple(KIND_REGISTRY)  # type: ignore[arg-type]


# --- candidate blocks ---------------------------------------------------------------------------
_LOCATION = ("x", "y", "frontage_m", "avenue_distance_m", "substation_distance_m")


def _parcel_measures(
    parcels: gpd.GeoDataFrame, positions: np.ndarray, ctx: MatchContext
) -> dict[str, np.ndarray]:
    """Measures of the parcels at ``positions``, in arrays over every parcel of the zone."""
    sites = ctx.sites
    prepared = {
        **sites.measures,
        "substation_distance_m": sites.substation_distance(ctx.chosen, ctx.substations),
    }
    out = {k: np.full(len(parcels), np.nan) for k in ("area", "perimeter", *_LOCATION)}
    if len(positions):
        for key, values in out.items():
            values[positions] = prepared[key][positions]
    return out


def _from_members(block: dict, measures: dict[str, np.ndarray]) -> dict:
    """Fill a single parcel's or a building's measures from its parcel (its location)."""
    members = block["members"]
    filled = dict(block)
    for key in ("area", "perimeter", *_LOCATION):
        filled.setdefault(key, measures[key][members[:, 0]])
    return filled


def _block_frame(block: dict, ids: np.ndarray, wait: np.ndarray, todo: np.ndarray) -> pd.DataFrame:
    members = block["members"]
    n = len(members)
    parcel_ids = pd.Series(ids[members[:, 0]], dtype=object)
    for c in range(1, members.shape[1]):
        parcel_ids = parcel_ids + ";" + ids[members[:, c]]
    frame = pd.DataFrame(
        {
            "kind": block["kind"],
            "parcel_ids": parcel_ids.to_numpy(dtype=object),
            "building_id": block.get("building_id", np.full(n, None, dtype=object)),
            "area_m2": block["area_m2"],
            "floor_area_m2": block.get("floor_area_m2", np.full(n, np.nan)),
            "remainder_m2": block.get("remainder_m2", np.full(n, np.nan)),
            "readiness_months": wait,
            "steps": todo,
            **{k: block[k] for k in ("area", "perimeter", *_LOCATION)},
        }
    )
    frame["geometry"] = block.get("geometry", np.full(n, None, dtype=object))
    return frame


_STORAGE = re.compile(r"(?P<mwh>[\d.]+) MWh × (?P<mu>[\d.]+) mu/MWh \(storage\)")
_SLACK = re.compile(r"; no maximum given, minimum \+ (?P<share>\d+%)")


def basis_text(basis: str, lang: Lang = "zh") -> str:
    """Say a demand's ``basis`` (as :func:`landplan.demand.land_demand` words it) in a language."""
    if lang != "zh":
        return basis
    said = basis.replace(message("match_basis_stated", "en"), message("match_basis_stated", lang))
    said = _STORAGE.sub(lambda m: message("match_basis_storage", lang, **m.groupdict()), said)
    return _SLACK.sub(lambda m: message("match_basis_slack", lang, **m.groupdict()), said)


# --- the result ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Candidates:
    """Ranked candidate sites for one project, and why other sites are not offered.

    Attributes
    ----------
    project_id : str
        The project matched.
    demand : Demand
        The land window and floor-space demand matched against.
    ranked : GeoDataFrame
        Every candidate, best first: ``rank``, ``candidate_id``, ``kind``, ``parcel_ids``
        (``;``-joined), ``building_id``, ``area_m2``, ``area_mu``, ``floor_area_m2``,
        ``remainder_m2``, ``investment_intensity_wan_yuan_per_mu``, ``readiness_months``,
        ``steps`` (what must happen before supply), the measures ``frontage_m``,
        ``avenue_distance_m``, ``substation_distance_m``, ``cluster_enterprises`` and
        ``corridor_phase``, one ``score_<component>`` per :data:`COMPONENTS` (0–1), the
        weighted ``score_total`` and a ``reasons`` text in ``lang``. Geometry is the site, on
        which every rule and measure was judged: a parcel, a cut-out's polygon, a building's
        footprint, an assembly's union. Beyond the ``top`` shown, candidates carry no reasons
        text (:meth:`explain` writes the text for any; :meth:`tables` in either language).
        ``steps`` are the policy's words (``[readiness.steps]``).
    rejections : DataFrame
        ``parcel_id``, ``building_id``, ``rule`` and ``reason`` (in ``lang``) for every site
        turned down.
    policy : Policy
        The policy the match applied.
    top : int or None
        How many candidates :attr:`sites` shows.
    lang : {"zh", "en"}
        The language the match said its reasons in.
    """

    project_id: str
    demand: Demand
    ranked: gpd.GeoDataFrame
    rejections: pd.DataFrame
    policy: Policy
    top: int | None = None
    lang: Lang = "zh"

    @property
    def sites(self) -> gpd.GeoDataFrame:
        """The top candidates (all where ``top`` is None)."""
        return self.ranked if self.top is None else self.ranked.head(self.top)

    def demand_table(self, lang: Lang | None = None) -> pd.DataFrame:
        """Tabulate the demand matched against: window, target, cap, floor space, voltage.

        Units read in ``lang`` (the match's language where None).
        """
        d, lang = self.demand, lang or self.lang
        rows = [
            ("project_id", d.project_id, ""),
            ("window_min", d.min_mu, "mu"),
            ("target", d.target_mu, "mu"),
            ("window_max", d.max_mu, "mu"),
            ("asked_max", float(m2_to_mu(d.asked_max_m2)), "mu"),
            ("intensity_cap", float(m2_to_mu(d.cap_m2)), "mu"),
            ("floor_area", d.floor_area_m2, "m2"),
            ("voltage", d.voltage_kv, "kV"),
            ("basis", basis_text(d.basis, lang), ""),
            ("candidates", len(self.ranked), ""),
        ]
        table = pd.DataFrame(rows, columns=["item", "value", "unit"])
        units = {u: message(f"match_unit_{u}", lang) for u in ("mu", "m2", "kV")}
        table["unit"] = table["unit"].map(lambda u: units.get(u, u))
        return table

    def rejections_by_rule(self, lang: Lang | None = None) -> pd.DataFrame:
        """Count the sites each rule turned down, with the rule's meaning (rule, count, meaning).

        The meanings read in ``lang`` (the match's language where None).
        """
        lang = lang or self.lang
        counts = self.rejections.groupby("rule", sort=False).size().rename("count").reset_index()
        meanings = {r: message(f"match_meaning_{r}", lang) for r in counts["rule"].unique()}
        counts["meaning"] = counts["rule"].map(meanings)
        return counts

    def sites_in(self, lang: Lang | None = None) -> gpd.GeoDataFrame:
        """Return the candidates shown with their steps and reasons in ``lang``.

        In the match's language (``lang`` None or the same) these are :attr:`sites` as they
        are, but for the steps said in Chinese.
        """
        lang = lang or self.lang
        shown = self.sites.copy()
        if lang != self.lang:
            shown["reasons"] = reason_texts(shown, self.demand, self.policy, lang)
        shown["steps"] = step_texts(shown["steps"], self.policy, lang)
        return shown

    def tables(self, lang: Lang | None = None) -> dict[str, pd.DataFrame]:
        """Return the demand, the candidates shown, every rejection and the count by rule.

        Texts read in ``lang`` (the match's language where None); the rejections' reasons are
        in the language of the match, said once for every site turned down.
        """
        return {
            "demand": self.demand_table(lang),
            "candidates": self.sites_in(lang),
            "rejections": self.rejections,
            "rejections_by_rule": self.rejections_by_rule(lang),
        }

    def layers(self, lang: Lang | None = None) -> dict[str, gpd.GeoDataFrame]:
        """Return the candidates shown, as the layer ``candidates`` (texts as :meth:`sites_in`)."""
        return {"candidates": self.sites_in(lang)}

    def summary(self) -> pd.DataFrame:
        """Return the count of candidates and rejections and the best site as (item, value) rows."""
        best = self.ranked.iloc[0] if len(self.ranked) else None
        return item_values(
            [
                ("project_id", self.project_id),
                ("candidates", len(self.ranked)),
                ("shown", len(self.sites)),
                ("rejected_sites", len(self.rejections)),
                ("best_candidate", best["candidate_id"] if best is not None else None),
                ("best_score", float(best["score_total"]) if best is not None else None),
            ]
        )

    def explain(self, site_id: str, lang: Lang | None = None) -> str:
        """Say why a parcel or building is or is not offered, in ``lang`` (the match's if None).

        Raises
        ------
        LandplanError
            If the id is neither a candidate member nor a rejected site.
        """
        lines: list[str] = []
        ids = self.ranked["parcel_ids"].fillna("")
        hit = (
            (ids == site_id)
            | ids.str.startswith(f"{site_id};")
            | ids.str.endswith(f";{site_id}")
            | ids.str.contains(f";{site_id};", regex=False)
            | (self.ranked["building_id"] == site_id)
        )
        lang = lang or self.lang
        rows = self.ranked.loc[hit]
        reasons = reason_texts(rows, self.demand, self.policy, lang)
        for row, reason in zip(rows.itertuples(), reasons, strict=True):
            below = (
                ""
                if self.top is None or row.rank <= self.top
                else message("match_below_top", lang, top=self.top)
            )
            lines.append(
                message(
                    "match_offered",
                    lang,
                    rank=row.rank,
                    kind=named("kind", row.kind, lang),
                    site=row.candidate_id,
                    below=below,
                    score=f"{row.score_total:.1f}",
                    reason=reason,
                )
            )
        rej = self.rejections
        mine = rej.loc[(rej["parcel_id"] == site_id) | (rej["building_id"] == site_id)]
        # A parcel refused whole may still be offered in part (a cut-out) or with others.
        whole = "match_not_offered_whole" if len(rows) else "match_not_offered"
        lines += [
            message(whole, lang, rule=named("rule", r.rule, lang), reason=r.reason)
            for r in mine.itertuples()
        ]
        if not lines:
            raise LandplanError.of("plan_not_a_site", site=site_id, project=self.project_id)
        head = message("match_explained", lang, site=site_id, project=self.project_id)
        return head + "\n" + "\n".join(f"- {line}" for line in lines)


def _area_rejections(
    parcels: gpd.GeoDataFrame, pos: np.ndarray, sites: SiteIndex, why: str, lang: Lang
) -> pd.DataFrame:
    ids = parcels["parcel_id"].to_numpy(dtype=object)[pos]
    reasons = compose("match_area", lang, area=sites.area_mu_text[pos], why=why)
    return rejection_rows(ids, "area", reasons)


def _land_blocks(
    ctx: MatchContext, kinds: tuple[Kind, ...]
) -> tuple[list[dict], list[pd.DataFrame]]:
    """Candidate blocks of land and the rejections: parcels, assemblies, cut-outs."""
    zone, demand, lang = ctx.zone, ctx.demand, ctx.lang
    policy = zone.policy
    siting = policy.siting
    parcels = zone.parcels
    rules = parcel_rules(demand, zone, ctx.sites, rules=ctx.rules)
    rejected = [rules.rejections]
    whole = np.flatnonzero(rules.whole)
    area = parcels["area_m2"].to_numpy(dtype=float)
    blocks: list[dict] = []
    if demand.window_empty:
        rejected.append(
            _area_rejections(
                parcels,
                whole,
                ctx.sites,
                message(
                    "match_area_cap",
                    lang,
                    cap=f"{m2_to_mu(demand.cap_m2):.1f}",
                    minimum=f"{demand.min_mu:.1f}",
                ),
                lang,
            )
        )
        return blocks, rejected
    used = np.zeros(len(parcels), dtype=bool)
    if "single" in kinds:
        single = whole[(area[whole] >= demand.min_m2) & (area[whole] <= demand.max_m2)]
        used[single] = True
        blocks.append(
            {
                "kind": "single",
                "members": single[:, None],
                "area_m2": area[single],
                "geometry": geometry_array(parcels)[single],
            }
        )
    neighbours = np.zeros(len(parcels), dtype=bool)
    if "assembly" in kinds:
        found, neighbours = assembly_blocks(parcels, rules, ctx)
        for block in found:
            used[block["members"].ravel()] = True
        blocks.extend(found)
    big = np.flatnonzero(rules.offered & (area >= siting.cutout_min_ratio * demand.target_m2))
    if "cutout" in kinds and len(big):
        block, cut_rej = cutout_block(parcels, big, ctx, ctx.rules)
        used[block["members"].ravel()] = True
        blocks.append(block)
        rejected.append(cut_rej)
    rest = whole[~used[whole]]
    rest = rest[~np.isin(rest, big)] if "cutout" in kinds else rest
    cap = ""
    if demand.max_m2 < demand.asked_max_m2:
        intensity = policy.control.investment_intensity_min_wan_yuan_per_mu
        cap = message("match_area_capped", lang, intensity=f"{intensity:g}")
    small = rest[area[rest] < demand.min_m2]
    window = message(
        "match_area_window", lang, low=f"{demand.min_mu:.1f}", high=f"{demand.max_mu:.1f}", cap=cap
    )
    if "assembly" in kinds:
        alone = message("match_area_alone", lang, window=window)
        joined = message("match_area_joined", lang, n=int(siting.max_group_size), window=window)
    else:
        alone = joined = message("match_area_no_assembly", lang)
    minimum = f"{demand.min_mu:.1f}"
    for at, why in ((small[~neighbours[small]], alone), (small[neighbours[small]], joined)):
        below = message("match_area_below", lang, minimum=minimum, why=why)
        rejected.append(_area_rejections(parcels, at, ctx.sites, below, lang))
    above = message(
        "match_area_above",
        lang,
        maximum=f"{demand.max_mu:.1f}",
        cap=cap,
        ratio=f"{siting.cutout_min_ratio:g}",
        target=f"{demand.target_mu:.1f}",
    )
    rejected.append(
        _area_rejections(parcels, rest[area[rest] > demand.max_m2], ctx.sites, above, lang)
    )
    return blocks, rejected


def match(
    project: pd.Series | Mapping,
    zone: Zone,
    *,
    top: int | None = None,
    kinds: tuple[Kind, ...] = KINDS,
    sites: SiteIndex | None = None,
    lang: Lang = "zh",
) -> Candidates:
    """Find and rank the sites a project could take.

    Parameters
    ----------
    project
        A row of ``zone.projects`` or a mapping of project columns.
    zone
        The zone and its policy.
    top
        How many candidates :attr:`Candidates.sites` shows (all are ranked).
    kinds
        The kinds of candidate to look for.
    sites
        The zone's :class:`SiteIndex` from :func:`prepare_sites`, to match many projects against
        one zone without preparing it each time; prepared here where None. The result is the same.
    lang
        The language of the reasons: of the candidates shown and of every rejection.

    Returns
    -------
    Candidates

    Raises
    ------
    InfeasibleError
        If the project states no land and no floor-space demand.
    LandplanError
        If ``kinds`` names an unknown kind or ``top`` is not positive, or ``sites`` was
        prepared for another zone (or before the zone changed).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> from landplan.zone import Zone
    >>> parcels = gpd.GeoDataFrame(
    ...     {"parcel_id": ["A", "B"], "status": ["state_reserve", "occupied"],
    ...      "land_use": ["M1", "M1"]},
    ...     geometry=[box(600000, 2530000, 600200, 2530200), box(600200, 2530000, 600400, 2530200)],
    ...     crs="EPSG:4546")
    >>> zone = Zone.from_layers({"parcels": parcels})
    >>> result = match({"project_id": "J", "name": "plant", "stage": "signed",
    ...                 "investment_wan_yuan": 20000.0, "land_mu_min": 55.0, "land_mu_max": 65.0},
    ...                zone, lang="en")
    >>> result.ranked[["candidate_id", "kind"]].values.tolist()
    [['parcel:A', 'single']]
    >>> result.rejections[["parcel_id", "rule"]].values.tolist()
    [['B', 'status']]
    """
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise LandplanError.of(
            "plan_unknown_kinds",
            kinds=sorted(unknown),
            named=Code(sorted(unknown), of="kind"),
            known=KINDS,
            known_zh=Code(KINDS, of="kind"),
        )
    if top is not None and top < 1:
        raise LandplanError.of("plan_top", top=top)
    if sites is None:
        sites = prepare_sites(zone)
    else:
        sites.check(zone)
    policy = zone.policy
    project = as_project(project, policy=policy)
    demand = land_demand(project, policy)
    ctx = MatchContext.of(demand, zone, sites, lang)
    parcels = zone.parcels
    blocks: list[dict] = []
    rejected: list[pd.DataFrame] = []
    if demand.wants_land:
        blocks, rejected = _land_blocks(ctx, kinds)
    if demand.wants_floor_space and "floor_space" in kinds:
        block, floor_rej = floor_space_block(ctx)
        blocks.append(block)
        rejected.append(floor_rej)

    blocks = [b for b in blocks if len(b["members"])]
    # Single parcels and buildings take the prepared measures of their parcel; assemblies and
    # cut-outs were measured on their own geometry.
    measured = ("assembly", "cutout")
    needed = np.unique(
        np.concatenate(
            [b["members"].ravel() for b in blocks if b["kind"] not in measured]
            or [np.array([], int)]
        )
    )
    measures = _parcel_measures(parcels, needed[needed >= 0], ctx)
    blocks = [b if b["kind"] in measured else _from_members(b, measures) for b in blocks]
    ids = parcels["parcel_id"].to_numpy(dtype=object)
    frames = [
        _block_frame(b, ids, wait, todo)
        for b, (wait, todo) in zip(
            blocks, readiness_of(blocks, sites.status_codes, policy), strict=True
        )
    ]
    ranked = _rank(frames, ctx, top)
    rejections = (
        pd.concat([r for r in rejected if len(r)], ignore_index=True)
        if any(len(r) for r in rejected)
        else pd.DataFrame(columns=REJECTION_COLUMNS)
    )
    return Candidates(
        project_id=str(project["project_id"]),
        demand=demand,
        ranked=ranked,
        rejections=rejections,
        policy=policy,
        top=top,
        lang=lang,
    )


_RANKED_COLUMNS = [
    "rank",
    "candidate_id",
    "kind",
    "parcel_ids",
    "building_id",
    "area_m2",
    "area_mu",
    "floor_area_m2",
    "remainder_m2",
    "investment_intensity_wan_yuan_per_mu",
    "readiness_months",
    "steps",
    "frontage_m",
    "avenue_distance_m",
    "substation_distance_m",
    "cluster_enterprises",
    "corridor_phase",
    *(f"score_{c}" for c in COMPONENTS),
    "score_total",
    "reasons",
]


def _rank(frames: list[pd.DataFrame], ctx: MatchContext, top: int | None) -> gpd.GeoDataFrame:
    zone = ctx.zone
    crs = zone.parcels.crs
    frames = [f for f in frames if len(f)]
    if not frames:
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in _RANKED_COLUMNS})
        return gpd.GeoDataFrame(empty, geometry=gpd.GeoSeries([], crs=crs))
    sites = pd.concat(frames, ignore_index=True)
    sites["area_mu"] = m2_to_mu(sites["area_m2"].to_numpy(dtype=float))
    fixed = ctx.demand.fixed_investment_wan_yuan
    sites["investment_intensity_wan_yuan_per_mu"] = fixed / sites["area_mu"]
    key = np.where(sites["kind"] == "floor_space", sites["building_id"], sites["parcel_ids"])
    sites["candidate_id"] = candidate_ids(sites["kind"], key)
    scored = score_sites(sites, ctx)
    scored = scored.sort_values(
        ["score_total", "candidate_id"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)
    scored["rank"] = np.arange(1, len(scored) + 1)
    shown = scored.index[: len(scored) if top is None else top]
    scored["reasons"] = None
    scored.loc[shown, "reasons"] = reason_texts(
        scored.loc[shown], ctx.demand, zone.policy, ctx.lang
    )
    return gpd.GeoDataFrame(
        scored[_RANKED_COLUMNS], geometry=scored["geometry"].to_numpy(), crs=crs
    )
