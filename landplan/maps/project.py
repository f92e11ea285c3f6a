"""The maps of sites.

A project's candidates for the company, and the allocation of the whole pipeline.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

import folium
import geopandas as gpd

from landplan import vocab
from landplan.labels import Lang, message, translate_values, value_label
from landplan.layers import split_list
from landplan.maps.audit import rules_text
from landplan.maps.basemaps import finish_map, start_map
from landplan.maps.features import (
    area_text,
    avenue_layer,
    constraint_layer,
    context_parcels_layer,
    fields_from,
    frame_areas,
    metres_text,
    on_parcels,
    parcel_title,
    require,
    roads_layer,
    substation_layer,
    with_reservations,
)
from landplan.maps.page import (
    CYCLE,
    KIND_COLOURS,
    KIND_LABELS,
    Basemap,
    Category,
    MapLayer,
    SheetNotes,
    map_text,
    vocab_label,
)


def project_map(
    zone,
    candidates: gpd.GeoDataFrame,
    project: Mapping[str, Any] | pd.Series,
    *,
    rejections: pd.DataFrame | None = None,
    lang: Lang = "zh",
    basemap: Basemap = "auto",
    tianditu_key: str | None = None,
    m: folium.Map | None = None,
    scores: bool = False,
    reservations: pd.DataFrame | None = None,
) -> folium.Map:
    """Draw the ranked candidate sites of a project, numbered, and the parcels rejected.

    Parameters
    ----------
    zone : Zone
        The zone searched (its parcels are drawn as context).
    candidates
        Ranked sites, one row each, with their own geometry (assemblies and cut-outs drawn as
        the site, not as the parcels under it): ``rank``, ``kind`` (single, assembly, cutout,
        floor_space), ``score`` and the score components (every other column is shown in the
        popup). The first ``policy.maps.candidates_numbered`` ranks are numbered on the map.
    project
        The project (a row of the projects layer): its ``name`` and ``project_id`` title the map.
    rejections
        Rows of ``parcel_id``, ``rule`` and ``reason``: parcels drawn grey with why they were
        rejected (a layer switched off at first).
    lang, basemap, tianditu_key, m, reservations
        As for :func:`overview_map`.
    scores
        Show the ranking's internal scores in the popups (for the office; the map sent to a
        company shows the site's size, readiness and surroundings in words).

    Returns
    -------
    folium.Map

    Raises
    ------
    MapError
        If a frame lacks the columns named above.
    """
    policy = zone.policy
    if "score" not in candidates and "score_total" in candidates:
        # landplan.match names the weighted total score_total beside its components.
        candidates = candidates.rename(columns={"score_total": "score"})
    require(candidates, ["rank", "kind", "score"], "candidate sites")
    sites = candidates.sort_values("rank", kind="stable").reset_index(drop=True)
    # The map a company receives opens on its candidate sites, not on the whole zone.
    m = start_map(
        [sites] if len(sites) else [zone.parcels],
        m=m,
        lang=lang,
        basemap=basemap,
        tianditu_key=tianditu_key,
        policy=policy,
    )
    context = with_reservations(zone.parcels, reservations, zone.projects, lang)
    specs = [context_parcels_layer(context, lang)] if len(zone.parcels) else []
    if len(zone.constraints):
        specs.append(constraint_layer(zone.constraints, lang))
    if len(zone.roads):
        specs.append(roads_layer(zone.roads, lang))
    if len(zone.corridors):
        specs.append(avenue_layer(zone, lang))
    if len(zone.substations):
        specs.append(substation_layer(zone.substations, lang))
    if rejections is not None and len(rejections):
        require(rejections, ["parcel_id", "rule"], "rejections")
        # The match's rules are named in words, without their identifiers.
        named = rejections["rule"].map(lambda r: value_label("rule", r, lang))
        reasons = rules_text(rejections.assign(rule=named), lang)
        rejected = on_parcels(zone, reasons.rename_axis("parcel_id").reset_index(), "rejections")
        specs.append(
            MapLayer(
                frame=rejected,
                name=map_text("rejected", lang),
                categories={},
                category=pd.Series("", index=rejected.index),
                title=parcel_title(rejected),
                fields={map_text("rejection", lang): rejected["rules"]},
                default=Category(
                    label=map_text("rejected", lang),
                    color="#616161",
                    fill="#bdbdbd",
                    fill_opacity=0.6,
                ),
                show=False,
            )
        )
    numbered = int(policy.maps.candidates_numbered)
    rank = pd.to_numeric(sites["rank"], errors="coerce")
    labels = rank.astype("Int64").astype("string").where(rank <= numbered)
    kind_label = sites["kind"].map({k: v[lang == "zh"] for k, v in KIND_LABELS.items()})
    fields = {
        map_text("kind", lang): kind_label.fillna(sites["kind"]),
        map_text("area", lang): area_text(sites, lang),
    }
    if "parcel_ids" in sites:
        fields[map_text("parcels_of_site", lang)] = sites["parcel_ids"].map(
            lambda v: "、".join(split_list(v)) if lang == "zh" else ", ".join(split_list(v)),
            na_action="ignore",
        )
    fields[map_text("reasons", lang)] = _site_reasons(sites, project, lang)
    if scores:
        fields["score"] = sites["score"]
        fields.update({c: sites[c] for c in sites.columns if str(c).startswith("score_")})
    specs.append(
        MapLayer(
            frame=sites,
            name=map_text("candidates", lang),
            categories={
                key: Category(
                    label=label[lang == "zh"],
                    color=KIND_COLOURS[key],
                    fill=KIND_COLOURS[key],
                    weight=3,
                    fill_opacity=0.35,
                )
                for key, label in KIND_LABELS.items()
            },
            category=sites["kind"].astype(str),
            title=(
                ("候选选址 " if lang == "zh" else "Site ")
                + sites["rank"].astype(str)
                + ("号" if lang == "zh" else "")
            ),
            fields=fields,
            labels=labels,
        )
    )
    numbered_sites = [
        (int(r), str(text))
        for r, text in zip(rank, fields[map_text("reasons", lang)], strict=True)
        if pd.notna(r) and r <= numbered
    ]
    m.add_child(
        SheetNotes("候选选址及理由" if lang == "zh" else "Sites and why", numbered_sites),
        name="landplan_sheet_notes",
    )
    name = _project_text(project)
    heading = f"项目选址：{name}" if lang == "zh" else f"Sites for {name}"
    return finish_map(m, specs, title=heading, lang=lang, basemap=basemap, policy=policy)


def _site_reasons(sites: pd.DataFrame, project: Mapping[str, Any] | pd.Series, lang: Lang):
    """Say in plain words why each site is offered: its size, readiness and surroundings.

    One sentence per site from the label registry's ``match_map_*`` templates, joined column by
    column; a measure the frame lacks, or lacks for a site, is left out of its sentence.
    """
    asked = [project.get("land_mu_min"), project.get("land_mu_max")]
    need = [float(v) for v in asked if v is not None and not pd.isna(v)]
    area = frame_areas(sites)[1].map(lambda v: f"{v:,.1f}", na_action="ignore").astype("string")
    wanted = f"{min(need):,.0f}–{max(need):,.0f}" if need else ""
    said = _said("match_map_area", lang, area)
    if wanted:
        said = said + message("match_map_need", lang, need=wanted)
    parts = [said]
    if "readiness_months" in sites:
        months = pd.to_numeric(sites["readiness_months"], errors="coerce")
        ready = _said("match_map_ready", lang, months.round().astype("Int64").astype("string"))
        parts.append(ready.mask(months <= 0, message("match_map_ready_now", lang)))
    for column in ("frontage_m", "avenue_distance_m", "substation_distance_m"):
        if column in sites:
            parts.append(_said(f"match_map_{column}", lang, metres_text(sites[column])))
    if "cluster_enterprises" in sites:
        count = pd.to_numeric(sites["cluster_enterprises"], errors="coerce").astype("Int64")
        parts.append(_said("match_map_cluster", lang, count.astype("string")).where(count > 0))
    if "corridor_phase" in sites:
        phase = pd.to_numeric(sites["corridor_phase"], errors="coerce").astype("Int64")
        inside = _said("match_map_phase", lang, phase.astype("string"))
        # Phase 0 is land beyond the avenue's corridor.
        parts.append(inside.mask(phase <= 0, message("match_phase_out", lang)))
    sep = message("match_sep", lang)
    out = parts[0].fillna("")
    for part in parts[1:]:
        out = out + (sep + part).fillna("")
    return out.str.removeprefix(sep).astype(object)


def _said(key: str, lang: Lang, values: pd.Series) -> pd.Series:
    """Fill a one-field template of the registry for each value; missing where the value is."""
    template = message(key, lang, value="\0")
    before, after = template.split("\0")
    return before + values.astype("string") + after


def _project_text(project: Mapping[str, Any] | pd.Series) -> str:
    ident = project.get("project_id")
    name = project.get("name")
    parts = [str(v) for v in (ident, name) if v is not None and not pd.isna(v)]
    return " ".join(parts) or "?"


def allocation_map(
    zone,
    allocation: pd.DataFrame,
    *,
    lang: Lang = "zh",
    basemap: Basemap = "auto",
    tianditu_key: str | None = None,
    m: folium.Map | None = None,
) -> folium.Map:
    """Draw an allocation of the pipeline: each parcel coloured by the project it goes to.

    Parameters
    ----------
    zone : Zone
        The zone allocated (parcel geometry, project names come from it).
    allocation
        Either the plan of :func:`landplan.allocate.allocate` (``Allocation.plan``: one row per
        project with ``project_id`` and the site's own geometry, so cut-outs and assemblies are
        drawn as the site given), or rows of ``parcel_id`` and ``project_id`` (one per parcel
        given to a project, drawn with the parcel's geometry). Every other column is shown in
        the popup; rows without a site (floor space without a footprint) are not drawn.
    lang, basemap, tianditu_key, m
        As for :func:`overview_map`.

    Returns
    -------
    folium.Map
    """
    policy = zone.policy
    sites = isinstance(allocation, gpd.GeoDataFrame) and "parcel_id" not in allocation
    require(allocation, ["project_id"] if sites else ["parcel_id", "project_id"], "allocation")
    if sites:
        drawn = allocation.geometry.notna() & ~allocation.geometry.is_empty
        table = allocation.loc[drawn].rename(columns={"name": "project_name"})
    else:
        table = allocation[allocation["parcel_id"].notna()].copy()
    if "project_name" not in table and len(zone.projects) and "name" in zone.projects:
        names = zone.projects.set_index("project_id")["name"]
        table["project_name"] = table["project_id"].map(names)
    if sites:
        given = gpd.GeoDataFrame(table, geometry=table.geometry.name, crs=allocation.crs)
        given = given.to_crs(zone.parcels.crs).reset_index(drop=True)
    else:
        given = on_parcels(zone, table.rename(columns={"name": "project_name"}), "allocation")
    m = start_map(
        [zone.parcels], m=m, lang=lang, basemap=basemap, tianditu_key=tianditu_key, policy=policy
    )
    projects = given["project_id"].astype(str)
    keys = sorted(projects.unique())
    names = (
        given.drop_duplicates("project_id").set_index("project_id")["project_name"]
        if "project_name" in given
        else pd.Series(dtype=object)
    )
    categories = {
        key: Category(
            label=f"{key} {names.get(key, '') if pd.notna(names.get(key)) else ''}".strip(),
            color="#222",
            fill=CYCLE[i % len(CYCLE)],
            fill_opacity=0.7,
        )
        for i, key in enumerate(keys)
    }
    specs = [context_parcels_layer(zone.parcels, lang)] if len(zone.parcels) else []
    # Stages, clusters, kinds and sources read as words, not as their identifiers.
    shown = translate_values(pd.DataFrame(given.drop(columns=given.geometry.name)), lang)
    fields = fields_from(shown, skip=("parcel_id", "name"))
    if "status" in given:
        fields["status"] = vocab_label(given["status"], vocab.PARCEL_STATUS, lang)
    if sites:
        title = (
            projects
            + " "
            + given.get("project_name", pd.Series("", index=given.index)).fillna("").astype(str)
        ).str.strip()
    else:
        title = parcel_title(given)
    specs.append(
        MapLayer(
            frame=given,
            name=map_text("allocation", lang),
            categories=categories,
            category=projects,
            title=title,
            fields=fields,
        )
    )
    heading = "招商项目用地分配" if lang == "zh" else "Allocation of the pipeline"
    return finish_map(m, specs, title=heading, lang=lang, basemap=basemap, policy=policy)
