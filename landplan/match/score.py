"""Readiness, the ranking components and the reasons text of each candidate."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from landplan.corridor import phase_at
from landplan.demand import Demand
from landplan.kinds import KINDS as KIND_REGISTRY
from landplan.labels import MESSAGES, Lang, compose, message
from landplan.match._common import format_numbers
from landplan.policy import Policy

if TYPE_CHECKING:
    from landplan.match.sites import MatchContext

#: The ranking components, each in [0, 1], weighted by ``ranking.weights``.
COMPONENTS = (
    "area_fit",
    "compactness",
    "frontage",
    "avenue_distance",
    "substation_distance",
    "cluster_synergy",
    "readiness",
    "corridor_phase",
)


def readiness_of(
    blocks: list[dict], status_codes: tuple[np.ndarray, pd.Index], policy: Policy
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Months before supply and the steps first, per block: the slowest member decides.

    ``status_codes`` are the parcels' statuses factorized (sorted), as :class:`SiteIndex` has them.
    """
    readiness = policy.readiness
    code, names = status_codes
    months = np.array([readiness.get(f"{s}_months", np.nan) for s in names], dtype=float)
    steps = [readiness.steps.get(s, "") for s in names]
    out = []
    for block in blocks:  # one block per candidate kind and assembly size
        counted = KIND_REGISTRY[block["kind"]].readiness
        n = len(block["members"])
        if counted == "floor_space":
            out.append(
                (
                    np.full(n, float(readiness.floor_space_months)),
                    np.full(n, readiness.steps["floor_space"], dtype=object),
                )
            )
            continue
        codes = code[block["members"]]
        wait = months[codes].max(axis=1)
        mask = np.bitwise_or.reduce(np.left_shift(1, codes), axis=1)
        text = {
            m: "; ".join(steps[c] for c in range(len(names)) if m >> c & 1)
            for m in np.unique(mask).tolist()
        }
        todo = pd.Series(mask).map(text).to_numpy(dtype=object)
        if counted == "parcels+cutout":
            wait = wait + readiness.cutout_extra_months
            todo = todo + "; " + readiness.steps["cutout"]
        out.append((wait, todo))
    return out


def score_sites(sites: pd.DataFrame, ctx: MatchContext) -> pd.DataFrame:
    """Add the cluster count, corridor phase, components and total score."""
    zone, demand = ctx.zone, ctx.demand
    ranking = zone.policy.ranking
    out = sites
    floor = (out["kind"] == "floor_space").to_numpy()
    centre = np.column_stack([out["x"].to_numpy(dtype=float), out["y"].to_numpy(dtype=float)])
    cluster = demand.cluster
    tree = ctx.sites.cluster_tree(zone, cluster) if cluster in zone.policy.review.clusters else None
    if tree is not None and len(centre):
        counts = tree.query_ball_point(
            centre, r=float(ranking.cluster_radius_m), return_length=True
        )
    else:
        counts = np.zeros(len(centre), dtype=int)
    out["cluster_enterprises"] = np.asarray(counts, dtype=int)
    out["corridor_phase"] = phase_at(out["geometry"].to_numpy(dtype=object), zone, bands=ctx.bands)
    phases = int(ctx.bands["phase"].max()) if len(ctx.bands) else 1

    area = out["area_m2"].to_numpy(dtype=float)
    fit_area = np.where(floor, out["floor_area_m2"].to_numpy(dtype=float), area)
    fit_target = np.where(floor, demand.floor_area_m2, demand.target_m2)
    perimeter = out["perimeter"].to_numpy(dtype=float)
    comp = {
        "area_fit": 1.0 - np.abs(fit_area - fit_target) / fit_target,
        "compactness": 16.0 * out["area"].to_numpy(dtype=float) / perimeter**2,
        "frontage": out["frontage_m"].to_numpy() / ranking.frontage_full_m,
        "avenue_distance": 1.0
        - out["avenue_distance_m"].to_numpy() / ranking.avenue_distance_zero_m,
        "substation_distance": 1.0
        - out["substation_distance_m"].to_numpy() / ranking.substation_distance_zero_m,
        "cluster_synergy": out["cluster_enterprises"].to_numpy() / ranking.cluster_full_count,
        "readiness": 1.0
        - out["readiness_months"].to_numpy(dtype=float) / ranking.readiness_horizon_months,
        # Land outside the corridor is existing zone land, needing no expansion: like phase 1.
        "corridor_phase": 1.0
        - (np.maximum(out["corridor_phase"].to_numpy(), 1) - 1) / max(phases, 1),
    }
    total = np.zeros(len(out))
    for name in COMPONENTS:
        value = np.clip(np.nan_to_num(comp[name], nan=0.0), 0.0, 1.0)
        out[f"score_{name}"] = value
        total += float(ranking.weights[name]) * value
    out["score_total"] = total
    return out


def step_texts(steps: pd.Series, policy: Policy, lang: Lang = "zh") -> pd.Series:
    """Say the readiness steps of each candidate (its ``steps``) in a language.

    ``steps`` join the policy's texts (``[readiness.steps]``) with ``"; "``, as
    :func:`readiness_of` writes them: in English they are kept; in Chinese each text is the
    registry's ``match_step_<status>`` (a text of the policy without one is kept as it is).
    One translation per distinct ``steps``.
    """
    if lang != "zh":
        return steps
    known = {text: key for key, text in policy.readiness.steps.items()}
    sep = message("match_sep", lang)

    def said(joined: str) -> str:
        parts, piece = [], ""
        # A policy's text may itself hold "; ": pieces are glued back until one is known.
        for token in joined.split("; ") if joined else []:
            piece = f"{piece}; {token}" if piece else token
            if piece in known:
                key = f"match_step_{known[piece]}"
                parts.append(message(key, lang) if key in MESSAGES else piece)
                piece = ""
        return sep.join([*parts, piece] if piece else parts)

    values = steps.fillna("").astype(str)
    return values.map({v: said(v) for v in values.unique()}).astype(object)


def reason_texts(
    rows: pd.DataFrame, demand: Demand, policy: Policy, lang: Lang = "zh"
) -> pd.Series:
    """One sentence per candidate: its size against the demand, readiness and measures.

    Composed column-wise from the registry's ``match_reason`` template in ``lang``.
    """
    r = rows
    floor = (r["kind"] == "floor_space").to_numpy()

    def numbers(column: str, spec: str = ",.0f") -> np.ndarray:
        return format_numbers(r[column].to_numpy(), spec).to_numpy(dtype=object)

    size = np.where(
        floor,
        compose("match_size_floor", lang, area=numbers("floor_area_m2")),
        compose("match_size_land", lang, area=numbers("area_mu", ".1f")),
    )
    target = np.where(
        floor,
        message("match_target_floor", lang, area=f"{demand.floor_area_m2:,.0f}"),
        message("match_target_land", lang, area=f"{demand.target_mu:.1f}"),
    )
    months = r["readiness_months"].to_numpy().astype(int)
    phase = r["corridor_phase"].to_numpy()
    phases = np.where(
        phase > 0,
        compose("match_phase_in", lang, phase=phase.astype(int).astype(str)),
        message("match_phase_out", lang),
    )
    text = compose(
        "match_reason",
        lang,
        size=size,
        target=target,
        ready=np.where(
            months > 0,
            compose("match_ready", lang, months=months.astype(str)),
            message("match_ready_now", lang),
        ),
        steps=step_texts(r["steps"], policy, lang).to_numpy(dtype=object),
        frontage=numbers("frontage_m"),
        avenue=numbers("avenue_distance_m"),
        substation=np.where(
            np.isfinite(r["substation_distance_m"].to_numpy(dtype=float)),
            compose("match_substation_at", lang, distance=numbers("substation_distance_m")),
            message("match_substation_none", lang),
        ),
        cluster=r["cluster_enterprises"].to_numpy().astype(int).astype(str),
        radius=f"{policy.ranking.cluster_radius_m:,.0f}",
        phase=phases,
    )
    return pd.Series(text, index=r.index, dtype=object)
