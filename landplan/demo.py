"""The demo: every capability of landplan run on the sample zone, outputs written to one folder.

:func:`run_demo` is what ``landplan demo`` runs. Each step is a function taking the
:class:`DemoContext` and returning the files it wrote; steps run in order and later steps use
what earlier ones left in the context (the zone, the store).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from landplan.errors import LandplanError, OutputError
from landplan.io import read_zone
from landplan.policy import Policy
from landplan.report import report_from_store, write_report
from landplan.sample import AS_OF, record_history, write_sample
from landplan.store import Store, open_store
from landplan.tables import write_workbook
from landplan.vocab import PARCEL_STATUS
from landplan.zone import Zone

__all__ = ["REPORT_PROJECTS", "STEPS", "DemoContext", "run_demo", "zone_overview"]


@dataclass
class DemoContext:
    """What the demo's steps share: the output folder, the policy, the zone once loaded."""

    out: Path
    policy: Policy
    zone: Zone | None = None
    store: Store | None = None
    extra: dict = field(default_factory=dict)

    def loaded_zone(self) -> Zone:
        """Return the zone the store step loaded; the steps after it read it from here."""
        if self.zone is None:
            raise LandplanError("the demo's steps run in order: the zone is loaded by the first")
        return self.zone


def zone_overview(zone: Zone) -> dict[str, pd.DataFrame]:
    """Summarise a zone: features per layer, and parcels' count and area by status.

    Returns
    -------
    dict
        ``layers`` (layer, features) and ``parcels_by_status`` (status, 中文, parcels, area_mu,
        share of area).
    """
    layers = pd.DataFrame(
        [(name, len(frame)) for name, frame in zone.layers().items()], columns=["layer", "features"]
    )
    parcels = zone.parcels
    by_status = (
        parcels.groupby("status", sort=False)
        .agg(parcels=("parcel_id", "size"), area_mu=("area_mu", "sum"))
        .reindex(list(PARCEL_STATUS.values))
        .fillna(0)
        .reset_index()
    )
    by_status["parcels"] = by_status["parcels"].astype(int)
    by_status.insert(
        1, "status_zh", by_status["status"].map(lambda s: PARCEL_STATUS.label(s, "zh"))
    )
    total = by_status["area_mu"].sum()
    by_status["area_share"] = by_status["area_mu"] / total if total else 0.0
    return {"layers": layers, "parcels_by_status": by_status}


def _sample(ctx: DemoContext) -> list[Path]:
    paths = write_sample(ctx.out / "sample")
    ctx.extra["sample"] = paths
    return list(paths.values())


def _store(ctx: DemoContext) -> list[Path]:
    """Import the sample into a fresh embedded store and load the zone back from it."""
    paths = ctx.extra["sample"]
    sample = read_zone(paths["gpkg"], projects=paths["csv"], policy=ctx.policy)
    db = ctx.out / "landplan.gpkg"
    if db.exists():
        with open_store(db) as old:
            if not old.is_initialized() or old.purpose != "demo":
                raise OutputError.of("out_demo_foreign_store", path=db)
        db.unlink()
    store = open_store(db, policy=ctx.policy)
    store.init(purpose="demo")
    for name, frame in sample.layers().items():
        if len(frame):
            store.import_layer(name, frame, mode="replace", source=f"sample:{name}", who="demo")
    ctx.store = store
    ctx.zone = store.load_zone()
    return [db, write_workbook(ctx.out / "zone_overview.xlsx", zone_overview(ctx.zone))]


def _history(ctx: DemoContext) -> list[Path]:
    """Record the sample's half year: the report's four signed projects land on their sites."""
    assert ctx.store is not None
    landings = record_history(ctx.store, who="demo")
    ctx.zone = ctx.store.load_zone()
    return [write_workbook(ctx.out / "sample_landings.xlsx", {"landings": landings})]


def _report(ctx: DemoContext) -> list[Path]:
    """Write the half-year report of 2026H1 from the store, in Chinese and in English."""
    assert ctx.store is not None
    written: list[Path] = []
    # The sample's period ends on the day the zone is as the maps step drew it: reuse its pictures.
    captions = {
        "zh": {
            "overview.png": "园区现状总览图",
            "corridor.png": "沿大道东扩分期图",
            "audit.png": "闲置与低效用地图",
            "revitalisation.png": "盘活低效用地图",
        },
        "en": {
            "overview_en.png": "The zone",
            "corridor.png": "Corridor expansion",
            "audit.png": "Idle and low-efficiency land",
            "revitalisation.png": "Revitalising low-efficiency land",
        },
    }
    for lang, folder in (("zh", "report"), ("en", "report-en")):
        result = report_from_store(ctx.store, period="2026H1", lang=lang)
        images = {
            caption: ctx.out / "maps" / name
            for name, caption in captions[lang].items()
            if (ctx.out / "maps" / name).exists()
        }
        written += list(write_report(result, ctx.out / folder, images=images).values())
    return written


def _audit(ctx: DemoContext) -> list[Path]:
    from landplan.audit import audit
    from landplan.audit_io import write_audit

    # The sample's dates are set relative to its reference date, so the audit uses that day.
    result = audit(ctx.loaded_zone(), as_of=AS_OF)
    ctx.extra["audit"] = result
    paths = write_audit(result, ctx.out / "audit", lang="zh")
    return [
        paths["workbook"],
        paths["geopackage"],
        *(p for k, p in paths.items() if k.startswith("csv:")),
    ]


def _revitalise(ctx: DemoContext) -> list[Path]:
    """Plan the revitalisation of the audited low-efficiency land, and who could use it."""
    from landplan.revitalise import revitalise
    from landplan.revitalise_io import write_revitalisation

    result = revitalise(ctx.loaded_zone(), ctx.extra["audit"])
    ctx.extra["revitalise"] = result
    return list(write_revitalisation(result, ctx.out / "revitalise").values())


#: The seed report's six projects: four signed in the half year, two framework agreements.
REPORT_PROJECTS = ("PJ-01", "PJ-02", "PJ-03", "PJ-04", "PJ-05", "PJ-06")
#: The project whose sites the demo draws: the 100 MW/200 MWh storage station, which needs a
#: 110 kV substation nearby.
MAPPED_PROJECT = "PJ-06"


def _review_and_match(ctx: DemoContext) -> list[Path]:
    from landplan.match import match, prepare_sites
    from landplan.match_report import write_match
    from landplan.review import review

    zone = ctx.loaded_zone()
    projects = zone.projects.set_index("project_id", drop=False)
    out = ctx.out / "match"
    written: list[Path] = []
    rows = []
    sites = prepare_sites(zone)  # once for the six matches
    for pid in REPORT_PROJECTS:  # six projects, each matched against the whole zone at once
        project = projects.loc[pid]
        verdict = review(project, zone)
        candidates = match(project, zone, top=10, sites=sites)
        ctx.extra.setdefault("match", {})[pid] = candidates
        written += write_match(candidates, out, zone=zone, review=verdict)
        best = candidates.ranked.head(1)
        rows.append(
            {
                "project_id": pid,
                "name": project["name"],
                "verdict": verdict.verdict,
                "review_score": verdict.score,
                "window": candidates.demand.window_text(),
                "candidates": len(candidates.ranked),
                "best": best["candidate_id"].iloc[0] if len(best) else None,
                "best_score": best["score_total"].iloc[0] if len(best) else None,
            }
        )
    written.append(write_workbook(out / "match_summary.xlsx", {"summary": pd.DataFrame(rows)}))
    return written


def _allocate(ctx: DemoContext) -> list[Path]:
    """Place the whole pipeline at once, each project's sites coming from matching."""
    from landplan.allocate import allocate
    from landplan.plan_report import write_allocation

    result = allocate(None, ctx.loaded_zone())
    ctx.extra["allocation"] = result
    return write_allocation(result, ctx.out / "allocation")


def _capacity(ctx: DemoContext) -> list[Path]:
    """Balance the sample's supply against its pipeline from the report's half-year end."""
    import datetime as dt

    from landplan.capacity import capacity
    from landplan.plan_report import write_capacity

    return write_capacity(
        capacity(ctx.loaded_zone(), start=dt.date(2026, 7, 1)), ctx.out / "capacity"
    )


def _corridor(ctx: DemoContext) -> list[Path]:
    """Phase the avenue's eastward extension; the allocation's sites show where projects land."""
    from landplan.corridor import corridor
    from landplan.plan_report import write_corridor

    plan = ctx.extra["allocation"].plan if "allocation" in ctx.extra else None
    result = corridor(ctx.loaded_zone(), candidates=plan)
    ctx.extra["corridor"] = result
    return write_corridor(result, ctx.out / "corridor")


def _maps(ctx: DemoContext) -> list[Path]:
    from landplan.maps import (
        allocation_map,
        audit_map,
        corridor_map,
        find_browser,
        overview_map,
        project_map,
        save_map,
        screenshot,
    )
    from landplan.maps.revitalisation import revitalisation_map

    zone, out = ctx.loaded_zone(), ctx.out / "maps"
    pages = [
        save_map(overview_map(zone), out / "overview.html"),
        save_map(overview_map(zone, lang="en"), out / "overview_en.html"),
        save_map(audit_map(zone, ctx.extra["audit"]), out / "audit.html"),
        save_map(corridor_map(zone, ctx.extra["corridor"]), out / "corridor.html"),
        save_map(allocation_map(zone, ctx.extra["allocation"].plan), out / "allocation.html"),
        save_map(revitalisation_map(zone, ctx.extra["revitalise"]), out / "revitalisation.html"),
    ]
    found = ctx.extra["match"][MAPPED_PROJECT]
    project = zone.projects.set_index("project_id", drop=False).loc[MAPPED_PROJECT]
    sites = project_map(zone, found.sites, project, rejections=found.rejections)
    pages.append(save_map(sites, out / f"project_{MAPPED_PROJECT}.html"))
    try:
        find_browser()
    except LandplanError as exc:
        # The maps stand without their pictures; the reason goes in the context for the report.
        ctx.extra["screenshots_skipped"] = str(exc)
        return pages
    return [*pages, *(screenshot(page, page.with_suffix(".png")) for page in pages)]


#: The demo's steps in order: (name, function).
STEPS: list[tuple[str, Callable[[DemoContext], list[Path]]]] = [
    ("sample zone", _sample),
    ("embedded store", _store),
    ("half-year history", _history),
    ("audit idle and low-efficiency land", _audit),
    ("revitalisation plan", _revitalise),
    ("review and match the report's projects", _review_and_match),
    ("allocate the pipeline", _allocate),
    ("supply and demand", _capacity),
    ("corridor expansion", _corridor),
    ("maps", _maps),
    ("half-year report", _report),
]


def run_demo(
    out: str | os.PathLike,
    *,
    policy: Policy | None = None,
    on_step: Callable[[str], None] | None = None,
) -> list[tuple[str, Path]]:
    """Run every step of the demo and return (step, file) for each file written.

    Parameters
    ----------
    out
        Output folder, created if missing.
    policy
        The policy; the default where None.
    on_step
        Called with each step's name before it runs (for progress display).
    """
    ctx = DemoContext(out=Path(out), policy=policy or Policy.default())
    ctx.out.mkdir(parents=True, exist_ok=True)
    written: list[tuple[str, Path]] = []
    for name, step in STEPS:
        if on_step is not None:
            on_step(name)
        written.extend((name, path) for path in step(ctx))
    return written
