"""The ``landplan`` command line: parses arguments, calls the library, writes files.

This is the only module that prints or exits. A user error (any
:class:`~landplan.errors.LandplanError`) prints a readable message and exits with status 2, with
no traceback.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from landplan.errors import LandplanError
from landplan.policy import Policy

__all__ = ["app", "main"]

app = typer.Typer(
    name="landplan",
    help="开发区土地与厂房规划 — plan the land and factory buildings of an industrial zone.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
# Data text (ids, reasons, notes) may hold square brackets: nothing printed is read as markup.
console = Console(markup=False)
err_console = Console(stderr=True, markup=False)


def _version(value: bool) -> None:
    if value:
        from landplan import __version__

        console.print(f"landplan {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version (版本) and exit."
        ),
    ] = False,
) -> None:
    """开发区土地与厂房规划 — plan the land and factory buildings of an industrial zone."""


LangOption = Annotated[
    str, typer.Option("--lang", help="Language of what is printed: zh (中文, default) or en.")
]


def _check_lang(lang: str) -> str:
    if lang not in ("zh", "en"):
        raise LandplanError(f"--lang must be zh or en, not {lang!r}")
    return lang


def _say(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


PolicyOption = Annotated[
    Path | None,
    typer.Option("--policy", help="TOML file overriding the default policy's thresholds."),
]


def _policy(path: Path | None) -> Policy:
    return Policy.from_toml(path) if path else Policy.default()


SourceLayerOption = Annotated[
    str | None,
    typer.Option(
        "--source-layer",
        help="Layer inside a multi-layer source (GeoPackage, File Geodatabase, zip); for DXF, "
        "the drawing layer(s) holding the outlines.",
    ),
]
SheetOption = Annotated[
    str | None, typer.Option("--sheet", help="Excel sheet, by name or position from 1.")
]
EncodingOption = Annotated[
    str | None,
    typer.Option("--encoding", help="Text encoding where the file does not say (e.g. GB18030)."),
]


ProfileOption = Annotated[
    str | None,
    typer.Option(
        "--profile",
        help="Import profile: dltb (三调地类图斑), zd (宗地), low_efficiency, kg (控规), or a "
        "profile TOML file (copy one from landplan/datasets/profiles).",
    ),
]
SchemeOption = Annotated[
    str | None,
    typer.Option(
        "--land-use-scheme",
        help="Scheme of the land-use codes: gb50137, gbt21010 (三调), gbt21010_2007, ydyh2023 "
        "(用地用海).",
    ),
]
Towgs84Option = Annotated[
    str | None,
    typer.Option(
        "--towgs84",
        help="Xian 1980 / Beijing 1954 data: the 3 or 7 published parameters to WGS 84 "
        "(dx,dy,dz[,rx,ry,rz,ds]).",
    ),
]
ProblemsOption = Annotated[
    Path | None,
    typer.Option("--problems", help="Write every problem and warning to this .csv or .xlsx file."),
]


def _summary_text(problems, notices, problems_file: Path | None) -> str:
    """Return the per-column summary of problems and warnings, writing them all if asked."""
    from landplan.problem_report import SUMMARY_HEADERS, column_summary, write_problems

    if not problems and not notices:
        return ""
    summary = column_summary(problems, notices)
    rows = [list(SUMMARY_HEADERS.values())] + [[str(v) for v in r] for r in summary.values]
    widths = [max(len(r[j]) for r in rows) for j in range(len(rows[0]) - 1)]
    lines = ["problems by column 按字段汇总:"]
    for r in rows:
        cells = [c.ljust(w) for c, w in zip(r[:-1], widths, strict=True)]
        lines.append("  " + "  ".join([*cells, r[-1]]))
    if problems_file is not None:
        path = write_problems(problems_file, problems, notices)
        lines.append(
            f"all {len(problems)} problem(s) and {len(notices)} warning(s) written to {path}"
        )
    elif len(problems) + len(notices) > 50:
        lines.append("write them all to a file with --problems FILE.csv (or .xlsx)")
    return "\n".join(lines)


def _refuse(exc, problems_file: Path | None, notices=(), prefix: str = "") -> None:
    """Add the per-column summary (and the file of every problem) to a refusal's message."""
    summary = _summary_text(exc.problems, list(notices), problems_file)
    exc.args = (f"{prefix}{exc.args[0]}" + (f"\n\n{summary}" if summary else ""),)


def _warnings(frame, file: Path):
    """Return the import's warnings as problem rows: the reader's, then the validator's notes."""
    from landplan.errors import Problem

    notes = [Problem(str(file), "*", "*", str(n), "") for n in frame.attrs.get("notices", [])]
    return [*frame.attrs.get("warnings", []), *notes]


def _read_checked(file: Path, layer: str, problems_file: Path | None, **options):
    """Read and validate a file; a refusal carries the per-column summary of its problems."""
    from landplan.errors import SchemaError
    from landplan.io import read_layer

    try:
        read = read_layer(file, layer, **options)
    except SchemaError as exc:
        _refuse(exc, problems_file)
        raise
    frame = read[0] if isinstance(read, tuple) else read
    warnings = frame.attrs.get("warnings", [])
    for warning in warnings[:20]:
        err_console.print(f"warning: {warning}", highlight=False)
    if len(warnings) > 20:
        err_console.print(f"... and {len(warnings) - 20} more warnings")
    text = (
        _summary_text([], _warnings(frame, file), problems_file)
        if warnings or problems_file
        else ""
    )
    if text:
        err_console.print(text, highlight=False, soft_wrap=True)
    return read


@app.command()
def validate(
    file: Annotated[
        Path, typer.Argument(help="Any vector file GDAL reads, a .gdb folder, CSV or XLSX.")
    ],
    layer: Annotated[str, typer.Option("--layer", "-l", help="Which layer the file holds.")],
    crs: Annotated[
        str | None, typer.Option(help="CRS of a file without one (e.g. EPSG:4546).")
    ] = None,
    source_layer: SourceLayerOption = None,
    sheet: SheetOption = None,
    encoding: EncodingOption = None,
    make_valid: Annotated[bool, typer.Option(help="Repair invalid geometry.")] = False,
    profile: ProfileOption = None,
    land_use_scheme: SchemeOption = None,
    towgs84: Towgs84Option = None,
    problems: ProblemsOption = None,
    policy: PolicyOption = None,
) -> None:
    """Check a file against a layer's schema; list every problem, or summarise the layer."""
    from rich.table import Table

    frame = _read_checked(
        file,
        layer,
        problems,
        crs=crs,
        source_layer=source_layer,
        sheet=sheet,
        encoding=encoding,
        policy=_policy(policy),
        make_valid=make_valid,
        profile=profile,
        land_use_scheme=land_use_scheme,
        towgs84=towgs84,
    )
    table = Table(title=f"{file}: {len(frame)} {layer}, valid", title_justify="left")
    table.add_column("column")
    table.add_column("filled", justify="right")
    from landplan.layers import spec

    for col in spec(layer).columns:
        table.add_row(f"{col.name} ({col.zh})", f"{int(frame[col.name].notna().sum())}")
    console.print(table)
    for feature, reason in frame.attrs.get("repaired", []):
        console.print(f"repaired {feature}: {reason}")
    for notice in frame.attrs.get("notices", []):
        console.print(f"note: {notice}")
    if "area_mu" in frame:
        console.print(
            f"total area: {frame['area_mu'].sum():,.1f} mu ({frame['area_m2'].sum():,.0f} m²)"
        )


def _zone_from(
    db: str | None,
    zone_path: Path | None,
    projects: Path | None,
    policy_file: Path | None,
    *,
    keep_store: bool = False,
):
    """Load the zone every analysis command works on, and the store when asked to keep it.

    ``--zone`` reads a GeoPackage (with ``--projects`` beside it); ``--db`` reads a store. With
    neither, the default store (``$LANDPLAN_DB`` or ``./landplan.gpkg``) is read where it exists,
    else the sample zone is generated in memory, so every command can be tried at once.
    """
    from landplan.store import default_db, open_store

    if db is not None and zone_path is not None:
        raise LandplanError(
            f"give the zone either with --db (a store) or with --zone (a GeoPackage), not both; "
            f"got --db {db!r} and --zone {str(zone_path)!r}"
        )
    pol = _policy(policy_file)
    if zone_path is not None:
        from landplan.io import read_zone

        return read_zone(zone_path, projects=projects, policy=pol), None
    target = db or default_db()
    if db is not None or "://" in target or Path(target).exists():
        store = open_store(target, policy=pol if policy_file else None)
        zone = store.load_zone()
        if keep_store:
            return zone, store
        store.close()
        return zone, None
    from landplan.sample import make_zone
    from landplan.zone import Zone

    err_console.print(
        f"no --zone or --db given and no store at {target}: using the sample zone "
        "(see `landplan sample`)"
    )
    return Zone.from_layers(make_zone(), policy=pol), None


def _run_audit(zone, as_of: str | None, out: Path, lang: str = "zh") -> dict[str, Path]:
    """Audit a zone and write the audit's files; return them by name."""
    from datetime import date

    from landplan.audit import audit
    from landplan.audit_io import write_audit

    result = audit(zone, as_of=as_of or date.today().isoformat())
    paths = write_audit(result, out)
    totals = result.summary[result.summary["section"] == "total"].set_index("item")
    counts = {
        "parcels": len(result.parcels),
        "low": int(totals.loc["low_efficiency", "parcels"]),
        "low_mu": totals.loc["low_efficiency", "area_mu"],
        "idle": int((result.parcels["idle_state"] == "idle").sum()),
        "recoverable": int((result.parcels["idle_state"] == "recoverable").sum()),
        "land": totals.loc["recoverable_land_mu", "value"],
        "gain": totals.loc["far_gain_m2", "value"],
        "vacant": totals.loc["vacant_area_m2", "value"],
        "deadlines": int(totals.loc["deadlines_within_window", "parcels"]),
    }
    if lang == "zh":
        c = counts
        console.print(
            f"核查日期{result.as_of:%Y-%m-%d}：地块{c['parcels']}宗，低效用地{c['low']}宗"
            f"（{c['low_mu']:,.1f}亩），已认定闲置{c['idle']}宗，可无偿收回{c['recoverable']}宗；"
            f"可收回土地{c['land']:,.1f}亩，提容可增建筑面积{c['gain']:,.0f}平方米，"
            f"空置厂房{c['vacant']:,.0f}平方米；临近到期的闲置土地处置事项{c['deadlines']}项",
            highlight=False,
        )
        for name in ("workbook", "geopackage"):
            console.print(f"已写出 {paths[name]}", highlight=False)
        n = sum(k.startswith("csv:") for k in paths)
        console.print(f"已写出 {n} 个 CSV 文件：{out / 'csv'}", highlight=False)
        return paths
    console.print(
        f"audit as of {result.as_of:%Y-%m-%d}: {len(result.parcels)} parcels, "
        f"{int(totals.loc['low_efficiency', 'parcels'])} low-efficiency "
        f"({totals.loc['low_efficiency', 'area_mu']:,.1f} mu), "
        f"{int((result.parcels['idle_state'] == 'idle').sum())} idle, "
        f"{int((result.parcels['idle_state'] == 'recoverable').sum())} recoverable; "
        f"recoverable land {totals.loc['recoverable_land_mu', 'value']:,.1f} mu, "
        f"floor area gain {totals.loc['far_gain_m2', 'value']:,.0f} m², "
        f"vacant {totals.loc['vacant_area_m2', 'value']:,.0f} m²; "
        f"{int(totals.loc['deadlines_within_window', 'parcels'])} idle-land deadline(s) ahead"
    )
    for name in ("workbook", "geopackage"):
        console.print(f"wrote {paths[name]}")
    console.print(f"wrote {sum(k.startswith('csv:') for k in paths)} CSV files in {out / 'csv'}")
    return paths


@app.command("audit")
def audit_command(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Audit date, e.g. 2025-06-30 (default: today).")
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Directory for the audit's files.")] = Path(
        "audit"
    ),
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="LANDPLAN_DB",
            help="The store to read (GeoPackage file or postgresql:// URL; default landplan.gpkg).",
        ),
    ] = None,
    zone: Annotated[
        Path | None, typer.Option("--zone", help="GeoPackage with the zone's layers.")
    ] = None,
    policy: PolicyOption = None,
    lang: LangOption = "zh",
) -> None:
    """Audit idle and low-efficiency land; write XLSX, CSV and a GeoPackage layer."""
    _run_audit(_zone_from(db, zone, None, policy)[0], as_of, out, _check_lang(lang))


@app.command("revitalise")
def revitalise_command(
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Date of the audit the plan builds on (default: today)."),
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Directory for the plan's files.")] = Path(
        "revitalise"
    ),
    db: StoreOption = None,
    zone: ZoneOption = None,
    projects: ProjectsOption = None,
    policy: PolicyOption = None,
) -> None:
    """Plan the revitalisation of low-efficiency land (盘活低效用地); write XLSX and GeoPackage."""
    from datetime import date

    from landplan.audit import audit
    from landplan.revitalise import revitalise
    from landplan.revitalise_io import write_revitalisation

    loaded, _ = _zone_from(db, zone, projects, policy)
    result = revitalise(loaded, audit(loaded, as_of=as_of or date.today().isoformat()))
    paths = write_revitalisation(result, out)
    by_mode = result.totals[result.totals["section"] == "mode"]
    total = result.totals[result.totals["section"] == "total"].iloc[0]
    console.print(
        f"revitalisation plan as of {result.as_of:%Y-%m-%d}: {int(total['parcels'])} parcels, "
        f"{int(total['buildings'])} buildings; land {total['land_mu']:,.1f} mu, floor area added "
        f"{total['floor_added_m2']:,.0f} m², floor space let {total['floor_let_m2']:,.0f} m²; "
        f"{result.uses['project_id'].nunique()} pipeline project(s) could use it"
    )
    for row in by_mode.itertuples():
        console.print(
            f"  {row.label_zh} ({row.label_en}): {row.parcels} parcels, {row.land_mu:,.1f} mu, "
            f"+{row.floor_added_m2:,.0f} m², let {row.floor_let_m2:,.0f} m²"
        )
    best = result.uses[result.uses["rank"] == 1]
    for text in best["text_zh"].head(10):
        console.print(f"  {text}")
    if len(best) > 10:
        console.print(f"  … {len(best) - 10} more project(s) in the workbook")
    for name in ("workbook", "geopackage"):
        console.print(f"wrote {paths[name]}")


@app.command()
def sample(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("sample"),
    parcels: Annotated[
        int | None, typer.Option("--parcels", "-n", help="Number of parcels (default 450).")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed.")] = None,
) -> None:
    """Generate the sample zone (GeoPackage + projects CSV/XLSX), the same bytes every time."""
    from landplan.sample import DEFAULT_SEED, write_sample

    with console.status("generating the sample zone"):
        paths = write_sample(out, seed=DEFAULT_SEED if seed is None else seed, n_parcels=parcels)
    for path in paths.values():
        console.print(f"wrote {path} ({path.stat().st_size:,} bytes)")


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("landplan-out"),
    policy: PolicyOption = None,
) -> None:
    """Run everything on the sample zone with the embedded store; write maps and reports."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from landplan.demo import STEPS, run_demo

    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console
    ) as progress:
        task = progress.add_task("demo", total=len(STEPS))

        started: list[str] = []

        def on_step(name: str) -> None:
            if started:
                progress.advance(task)
            started.append(name)
            progress.update(task, description=name)

        written = run_demo(out, policy=_policy(policy), on_step=on_step)
        progress.update(task, completed=len(STEPS), description="done")
    table = Table(title=f"landplan demo: {len(written)} files in {out}", title_justify="left")
    table.add_column("step")
    table.add_column("file")
    for step, path in written:
        table.add_row(step, str(path))
    console.print(table)


ZoneOption = Annotated[
    Path | None,
    typer.Option(
        "--zone", help="GeoPackage of the zone's layers (default: the store, else the sample)."
    ),
]
ProjectsOption = Annotated[
    Path | None, typer.Option("--projects", help="Projects CSV/XLSX, where not in the zone file.")
]
StoreOption = Annotated[
    str | None,
    typer.Option("--db", help="Read the zone from a store (GeoPackage path or postgresql:// URL)."),
]
ProjectFileOption = Annotated[
    Path | None,
    typer.Option("--project-file", help="A project as TOML, or a CSV/XLSX of projects."),
]


def _load(
    project_id: str | None,
    zone_path: Path | None,
    projects: Path | None,
    project_file: Path | None,
    policy: Path | None,
    db: str | None = None,
    *,
    keep_store: bool = False,
):
    """Read the zone and pick the project: by id from the zone, or from a project file.

    With ``keep_store``, the store the zone came from (None for a file) is returned third.
    """
    from landplan.io import read_projects

    pol = _policy(policy)
    zone, store = _zone_from(db, zone_path, projects, policy, keep_store=keep_store)
    pool = zone.projects
    if project_file is not None:
        pool = read_projects(project_file, policy=pol)
    ids = pool["project_id"].astype(str)
    if project_id is None:
        if len(pool) != 1:
            raise LandplanError(
                f"{len(pool)} projects to choose from; expected a PROJECT id, one of "
                f"{', '.join(ids.head(20))}"
            )
        return (zone, pool.iloc[0], store) if keep_store else (zone, pool.iloc[0])
    hit = pool.loc[ids == project_id]
    if hit.empty:
        raise LandplanError(
            f"no project {project_id!r}; expected one of {', '.join(ids.head(20))} — check the id "
            "or give --project-file"
        )
    return (zone, hit.iloc[0], store) if keep_store else (zone, hit.iloc[0])


def _site_index(store, zone, *, close: bool = True):
    """Return the zone's site index kept beside its store (None without one: match prepares it)."""
    if store is None:
        return None
    try:
        return store.site_index(zone)
    finally:
        if close:
            store.close()


def _zh_terms(text: str) -> str:
    """Put the Chinese label in place of each identifier of a cluster, stage or hazard in text."""
    import re

    from landplan.labels import value_labels

    names = {
        **value_labels("cluster"),
        **value_labels("hazard"),
        **value_labels("stage"),
        **value_labels("tenure_ok"),
    }
    names.pop("none", None)
    names.pop("other", None)
    pattern = re.compile(
        r"\b(" + "|".join(sorted(map(re.escape, names), key=len, reverse=True)) + r")\b"
    )
    return pattern.sub(lambda m: names[m.group(1)], str(text))


def _review_table(result, lang: str = "zh") -> None:
    from rich.table import Table

    from landplan.labels import column_label, value_label

    title = result.summary().splitlines()[0]
    if lang == "zh":
        verdict = value_label("verdict", result.verdict)
        title = f"{result.project_id} 入园评审：{verdict}，得分 {result.score:.1f}"
    table = Table(title=title, title_justify="left")
    table.add_column(column_label("principle", lang) if lang == "zh" else "principle", no_wrap=True)
    for col in ("value", "threshold", "passed", "score", "reason"):
        table.add_column(column_label(col, lang) if lang == "zh" else col, overflow="fold")
    for row in result.principles.itertuples():
        value = f"{row.value:,.3g}" if isinstance(row.value, float) else str(row.value)
        if lang == "zh":
            value = str(value_label("cluster", value)) if value in ("other",) else _zh_terms(value)
        table.add_row(
            str(value_label("principle", row.principle, lang)) if lang == "zh" else row.principle,
            value,
            _zh_terms(str(row.threshold)) if lang == "zh" else str(row.threshold),
            _say(lang, "是", "yes") if row.passed else _say(lang, "否", "no"),
            f"{row.score:.1f}/{row.weight:g}",
            _zh_terms(row.reason) if lang == "zh" else row.reason,
        )
    console.print(table)
    for reason in result.reasons:
        console.print(f"- {_zh_terms(reason) if lang == 'zh' else reason}")


@app.command()
def review(
    project: Annotated[str | None, typer.Argument(help="Project id.")] = None,
    zone: ZoneOption = None,
    projects: ProjectsOption = None,
    project_file: ProjectFileOption = None,
    db: StoreOption = None,
    site_mu: Annotated[
        float | None, typer.Option("--site-mu", help="Area of the site offered, in mu.")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write an XLSX here.")] = None,
    policy: PolicyOption = None,
    lang: LangOption = "zh",
) -> None:
    """Review a project on the five principles: admit, admit with conditions, or reject."""
    from landplan.match_report import write_review
    from landplan.review import review as review_project
    from landplan.units import mu_to_m2

    the_zone, row = _load(project, zone, projects, project_file, policy, db)
    site = None if site_mu is None else float(mu_to_m2(site_mu))
    result = review_project(row, the_zone, site_area_m2=site)
    _review_table(result, _check_lang(lang))
    if out is not None:
        console.print(f"wrote {write_review(result, out)}")


@app.command()
def match(
    project: Annotated[str | None, typer.Argument(help="Project id.")] = None,
    zone: ZoneOption = None,
    projects: ProjectsOption = None,
    project_file: ProjectFileOption = None,
    db: StoreOption = None,
    top: Annotated[int, typer.Option("--top", "-n", help="How many candidates to show.")] = 10,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write XLSX and GeoPackage here.")
    ] = None,
    explain: Annotated[
        str | None, typer.Option("--explain", help="Say why this parcel is or is not offered.")
    ] = None,
    policy: PolicyOption = None,
    lang: LangOption = "zh",
) -> None:
    """Rank the sites a project could take, with every score component and the rejections."""
    from rich.table import Table

    from landplan.match import COMPONENTS
    from landplan.match import match as match_project
    from landplan.match_report import write_match
    from landplan.review import review as review_project

    the_zone, row, store = _load(project, zone, projects, project_file, policy, db, keep_store=True)
    result = match_project(row, the_zone, top=top, sites=_site_index(store, the_zone))
    if explain is not None:
        console.print(result.explain(explain))
        return
    sites = result.sites
    table = Table(
        title=f"{result.project_id} {row.get('name') or ''}: {result.demand.window_text()}, "
        f"{len(result.ranked)} candidates",
        title_justify="left",
    )
    short = dict(
        zip(COMPONENTS, ("fit", "cmp", "road", "ave", "sub", "clu", "rdy", "ph"), strict=True)
    )
    table.add_column("#")
    table.add_column("candidate", no_wrap=True)
    for col in ("mu", "months", "score", *short.values()):
        table.add_column(col, overflow="fold")
    for site in sites.itertuples():
        size = (
            f"{site.floor_area_m2:,.0f} m²" if site.kind == "floor_space" else f"{site.area_mu:.1f}"
        )
        table.add_row(
            str(site.rank),
            site.candidate_id,
            size,
            f"{site.readiness_months:g}",
            f"{site.score_total:.1f}",
            *(f"{getattr(site, f'score_{c}'):.2f}" for c in short),
        )
    console.print(table)
    console.print(
        "components (0–1, weighted by ranking.weights): "
        + ", ".join(f"{s} = {c}" for c, s in short.items())
    )
    counts = result.rejections["rule"].value_counts()
    if _check_lang(lang) == "zh":
        from landplan.labels import value_label

        console.print(
            "未入选（按规则）："
            + "，".join(f"{value_label('rule', rule)} {n}" for rule, n in counts.items()),
            highlight=False,
        )
    else:
        console.print("rejected: " + ", ".join(f"{rule} {n}" for rule, n in counts.items()))
    if out is not None:
        verdict = review_project(row, the_zone)
        for path in write_match(result, out, zone=the_zone, review=verdict):
            console.print(f"wrote {path}")


class MapKind(StrEnum):
    """The maps ``landplan map`` draws."""

    overview = "overview"
    audit = "audit"
    project = "project"
    allocation = "allocation"
    corridor = "corridor"
    revitalisation = "revitalisation"


@app.command("map")
def map_(
    kind: Annotated[
        MapKind,
        typer.Argument(
            help="Which map: overview, audit, project, allocation, corridor, revitalisation."
        ),
    ],
    project: Annotated[
        str | None, typer.Argument(help="The project, for `landplan map project PROJECT`.")
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="The .html file to write.")] = Path(
        "map.html"
    ),
    zone: ZoneOption = None,
    projects: ProjectsOption = None,
    db: StoreOption = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Audit date for the audit map (default today).")
    ] = None,
    top: Annotated[int, typer.Option(help="Candidate sites drawn on a project map.")] = 10,
    lang: Annotated[str, typer.Option(help="Labels in Chinese (zh) or English (en).")] = "zh",
    basemap: Annotated[
        str,
        typer.Option(
            help="auto (Tianditu where a key is set, else standard), standard (OpenStreetMap, "
            "CartoDB), tianditu (needs a key) or amap (data shifted to GCJ-02)."
        ),
    ] = "auto",
    tianditu_key: Annotated[
        str | None,
        typer.Option(envvar="LANDPLAN_TIANDITU_KEY", help="Tianditu browser key (tk)."),
    ] = None,
    png: Annotated[
        Path | None,
        typer.Option(help="Also write a PNG: a print sheet with --paper, else a screenshot."),
    ] = None,
    pdf: Annotated[
        Path | None, typer.Option(help="Also write a print-ready PDF sheet (needs Chromium).")
    ] = None,
    paper: Annotated[
        str | None, typer.Option(help="Paper of the print sheet: A3 (default) or A4, landscape.")
    ] = None,
    issuer: Annotated[
        str | None, typer.Option(help="编制单位 printed in the sheet's title block.")
    ] = None,
    scores: Annotated[
        bool, typer.Option(help="Show the ranking's internal scores on a project map.")
    ] = False,
    policy: PolicyOption = None,
) -> None:
    """Draw a map as one self-contained HTML file (opens offline; only tiles need a network)."""
    from datetime import date

    from landplan import maps

    if (kind is MapKind.project) != (project is not None):
        raise LandplanError(
            "a project map needs its project (`landplan map project PJ-06`), and only a project "
            f"map takes one; got kind {kind.value!r} and project {project!r}"
        )
    style = {"lang": lang, "basemap": basemap, "tianditu_key": tianditu_key}
    if kind is MapKind.project:
        from landplan.match import match

        loaded, row = _load(project, zone, projects, None, policy, db)
        found = match(row, loaded, top=top)
        m = maps.project_map(
            loaded, found.sites, row, rejections=found.rejections, scores=scores, **style
        )
    else:
        loaded, _ = _zone_from(db, zone, projects, policy)
        if kind is MapKind.overview:
            m = maps.overview_map(loaded, **style)
        elif kind is MapKind.audit:
            from landplan.audit import audit

            result = audit(loaded, as_of=as_of or date.today().isoformat())
            m = maps.audit_map(loaded, result, **style)
        elif kind is MapKind.allocation:
            from landplan.allocate import allocate

            m = maps.allocation_map(loaded, allocate(None, loaded).plan, **style)
        elif kind is MapKind.revitalisation:
            from landplan.audit import audit
            from landplan.revitalise import revitalise
            from landplan.revitalise_map import revitalisation_map

            result = audit(loaded, as_of=as_of or date.today().isoformat())
            m = revitalisation_map(loaded, revitalise(loaded, result), **style)
        else:
            from landplan.corridor import corridor

            m = maps.corridor_map(loaded, corridor(loaded), **style)
    path = maps.save_map(m, out)
    counts = ", ".join(f"{name} {n}" for name, n in maps.layer_counts(m).items())
    console.print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB): {counts}")
    sheet = {"paper": paper or "A3", "issuer": issuer, "lang": lang, "data_as_of": as_of}
    if pdf is not None or (png is not None and paper is not None):
        from landplan.map_print import print_map

        for target in (pdf, png if paper is not None else None):
            if target is not None:
                console.print(f"wrote {print_map(path, target, **sheet)}")
    if png is not None and paper is None:
        console.print(f"wrote {maps.screenshot(path, png)}")


def main(argv: list[str] | None = None) -> None:
    """Run the command line; user errors exit with status 2 and a message, not a traceback."""
    try:
        app(args=argv, prog_name="landplan")
    except LandplanError as exc:
        _error(str(exc))
        sys.exit(2)
    except OSError as exc:
        # A full disk, a read-only folder, a missing directory: the file and the cause.
        where = f"{exc.filename}: " if exc.filename else ""
        _error(f"{where}{exc.strerror or exc}; what was being written is incomplete or absent")
        sys.exit(2)
    except KeyboardInterrupt:
        err_console.print("aborted")
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("LANDPLAN_DEBUG"):
            raise
        _error(
            f"landplan failed unexpectedly ({type(exc).__name__}: {exc}); the store's "
            "transactions are whole, so nothing was half-written. Run again with LANDPLAN_DEBUG=1 "
            "for the details and report them"
        )
        sys.exit(1)


def _error(message: str) -> None:
    err_console.print(Text("error:", style="bold red"), message, highlight=False, soft_wrap=True)


# --- the store ---------------------------------------------------------------------------------

DbOption = Annotated[
    str,
    typer.Option(
        "--db",
        envvar="LANDPLAN_DB",
        help="The store: a GeoPackage file, or a postgresql://user@host/db URL.",
        show_default=True,
    ),
]
WhoOption = Annotated[
    str | None,
    typer.Option("--who", help="Name recorded with the change ($LANDPLAN_USER or login name)."),
]
_DEFAULT_DB = "landplan.gpkg"


def _open(db: str, policy: Path | None = None):
    from landplan.store import open_store

    return open_store(db, policy=_policy(policy) if policy else None)


@app.command("init")
def init_store(db: DbOption = _DEFAULT_DB, policy: PolicyOption = None) -> None:
    """Create a store (a GeoPackage file by default) with every layer's table."""
    with _open(db, policy) as store:
        created = store.init()
        what = "created" if created else "already exists:"
        console.print(f"store {what} {store.location} ({store.backend}, {store.crs.to_string()})")


@app.command("import")
def import_(
    layer: Annotated[str, typer.Argument(help="Layer: parcels, buildings, projects, ...")],
    file: Annotated[Path, typer.Argument(exists=True, help="File (or .gdb folder) to import.")],
    crs: Annotated[
        str | None, typer.Option("--crs", help="CRS of a file that does not declare one.")
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace the layer's features.")
    ] = False,
    append: Annotated[bool, typer.Option("--append", help="Add new features only.")] = False,
    upsert: Annotated[
        bool, typer.Option("--upsert", help="Overwrite features with the same id, add the rest.")
    ] = False,
    make_valid: Annotated[
        bool, typer.Option("--make-valid", help="Repair invalid geometry instead of refusing it.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="With --replace: drop reserved parcels, ending their reservations."
        ),
    ] = False,
    source_layer: SourceLayerOption = None,
    sheet: SheetOption = None,
    encoding: EncodingOption = None,
    profile: ProfileOption = None,
    land_use_scheme: SchemeOption = None,
    towgs84: Towgs84Option = None,
    problems: ProblemsOption = None,
    db: DbOption = _DEFAULT_DB,
    who: WhoOption = None,
) -> None:
    """Validate a file and write it into a layer: all of it, or nothing."""
    from landplan.errors import SchemaError, StoreError

    modes = [m for m, on in (("replace", replace), ("append", append), ("upsert", upsert)) if on]
    if len(modes) > 1:
        raise StoreError(f"choose one of --replace, --append, --upsert (got {', '.join(modes)})")
    if force and modes != ["replace"]:
        raise StoreError("--force goes with --replace (it ends reservations of dropped parcels)")
    with _open(db) as store:
        try:
            frame, source, source_crs = _read_checked(
                file,
                layer,
                problems,
                crs=crs,
                sheet=sheet,
                encoding=encoding,
                source_layer=source_layer,
                policy=store.policy,
                make_valid=make_valid,
                profile=profile,
                land_use_scheme=land_use_scheme,
                towgs84=towgs84,
                with_source=True,
            )
        except SchemaError as exc:
            exc.args = (f"nothing was written to {layer}: {exc.args[0]}",)
            raise
        try:
            # The store validates the file's own coordinates again, in the write's transaction.
            summary = store.import_layer(
                layer,
                source,
                mode=modes[0] if modes else "append",
                crs=source_crs,
                source=str(file),
                who=who,
                make_valid=make_valid,
                only_if_empty=not modes,
                force=force,
            )
        except SchemaError as exc:
            _refuse(exc, problems, _warnings(frame, file))
            raise
    # Notes of the file as read (heights dropped ...) beside those of the write.
    notes = dict.fromkeys([*frame.attrs.get("notices", ()), *summary.notices])
    console.print(str(dataclasses.replace(summary, notices=tuple(notes))))


@app.command("update")
def update(
    layer: Annotated[str, typer.Argument(help="Layer: parcels, buildings, projects, ...")],
    file: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, help="CSV or XLSX: the id and the columns."),
    ],
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why (recorded with every change).")
    ] = None,
    date: Annotated[
        str | None, typer.Option("--date", help="Date the changes take effect (YYYY-MM-DD).")
    ] = None,
    sheet: SheetOption = None,
    encoding: EncodingOption = None,
    problems: ProblemsOption = None,
    db: DbOption = _DEFAULT_DB,
    who: WhoOption = None,
) -> None:
    """Update attributes of stored features from a table of ids and columns, without geometry.

    All rows land or none; an empty cell leaves the stored value; every changed value is kept in
    the history (`landplan status history ID`) with who, why and when.
    """
    from landplan.errors import SchemaError
    from landplan.io import read_frame

    table, _ = read_frame(file, layer, sheet=sheet, encoding=encoding)
    with _open(db) as store:
        try:
            summary = store.update_attributes(
                layer, table, source=str(file), who=who, reason=reason, effective=date
            )
        except SchemaError as exc:
            _refuse(exc, problems, prefix=f"nothing was updated in {layer}: ")
            raise
    console.print(str(summary))


@app.command("export")
def export(
    layer: Annotated[str, typer.Argument(help="Layer to export.")],
    file: Annotated[
        Path,
        typer.Argument(help="File to write: .gpkg, .shp, .geojson, .csv or .xlsx."),
    ],
    encoding: Annotated[
        str, typer.Option("--encoding", help="A shapefile's text encoding: UTF-8 or GBK.")
    ] = "UTF-8",
    db: DbOption = _DEFAULT_DB,
) -> None:
    """Write a layer to a file, with each feature's version for a later --upsert."""
    from landplan.io import write_layer
    from landplan.layers import spec

    with _open(db) as store:
        name = spec(layer).name
        frame = store.load_layer(name)
    path = write_layer(frame, file, layer=name, kind="export", style=name, encoding=encoding)
    console.print(f"wrote {len(frame)} {name} feature(s) to {path}")


status_app = typer.Typer(help="Status changes and their history.", no_args_is_help=True)
app.add_typer(status_app, name="status")


@status_app.command("set")
def status_set(
    layer: Annotated[str, typer.Argument(help="parcel, building or project.")],
    feature_id: Annotated[str, typer.Argument(help="The feature's id.")],
    status: Annotated[
        str, typer.Argument(help="The new status, or a project's stage (identifier or label).")
    ],
    reason: Annotated[str, typer.Option("--reason", help="Why the status changes.")],
    date: Annotated[
        str | None, typer.Option("--date", help="Effective date, YYYY-MM-DD (today).")
    ] = None,
    expected_version: Annotated[
        int | None,
        typer.Option(
            "--expected-version", help="Refuse if the feature is no longer at this version."
        ),
    ] = None,
    db: DbOption = _DEFAULT_DB,
    who: WhoOption = None,
) -> None:
    """Change a parcel's or building's status, or a project's stage; kept as an event."""
    with _open(db) as store:
        event = store.set_status(
            layer,
            feature_id,
            status,
            reason=reason,
            effective=date,
            who=who,
            expected_version=expected_version,
        )
    console.print(
        f"{event['layer']} {feature_id}: {event['old_status']} → {event['new_status']} "
        f"from {event['effective_date']} (version {event['version']}, by {event['who']})",
        highlight=False,
    )
    import datetime as dt

    if event["effective_date"] > dt.datetime.now(dt.UTC).date():
        console.print(
            f"note: the change is dated in the future and holds from {event['effective_date']}; "
            "until then the feature keeps its status (`status retract` takes it back)",
            highlight=False,
        )


@status_app.command("retract")
def status_retract(
    layer: Annotated[str, typer.Argument(help="parcel, building or project.")],
    feature_id: Annotated[str, typer.Argument(help="The feature's id.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the change is taken back.")],
    db: DbOption = _DEFAULT_DB,
    who: WhoOption = None,
) -> None:
    """Take back a feature's latest status change (kept in the history, marked retracted)."""
    with _open(db) as store:
        event = store.retract_status(layer, feature_id, reason=reason, who=who)
    console.print(
        f"{event['layer']} {feature_id}: retracted the change to {event['old_status']} "
        f"dated {event['effective_date']} (by {event['who']})",
        highlight=False,
    )


@status_app.command("history")
def status_history(
    feature_id: Annotated[str, typer.Argument(help="The parcel's, building's or project's id.")],
    layer: Annotated[
        str | None,
        typer.Option("--layer", help="parcels, buildings or projects (all searched)."),
    ] = None,
    db: DbOption = _DEFAULT_DB,
    lang: LangOption = "zh",
) -> None:
    """Show a feature's status (or a project's stage) changes, oldest first."""
    import pandas as pd
    from rich.table import Table

    from landplan.errors import StoreError, UnknownFeatureError

    with _open(db) as store:
        if layer is not None:
            found = [(layer, store.status_history(layer, feature_id))]
        else:
            store.crs  # noqa: B018 - an uninitialised store says how to create it
            found = []
            for name in ("parcels", "buildings", "projects"):
                try:
                    found.append((name, store.status_history(name, feature_id)))
                except UnknownFeatureError:
                    continue
            if not found:
                raise StoreError(
                    f"no parcel, building or project {feature_id!r} in {store.location}"
                )
            if len(found) > 1:
                layers = " and ".join(name for name, _ in found)
                raise StoreError(f"{feature_id!r} is in {layers}; add --layer")
    name, history = found[0]
    zh = _check_lang(lang) == "zh"
    column = "stage" if name == "projects" else "status"
    table = Table(title=f"{name} {feature_id}: " + ("状态变更记录" if zh else "status history"))
    heads = ("生效日期", "原状态", "新状态", "原因", "经办人", "记录时间(UTC)") if zh else None
    for col in heads or ("effective", "old", "new", "reason", "who", "recorded (UTC)"):
        table.add_column(col)
    from landplan.labels import value_label

    for row in history.itertuples():
        note = " (retracted)" if row.retracted else ""
        if pd.notna(row.retracts):
            note = " (retracts an earlier change)"
        table.add_row(
            f"{row.effective_date:%Y-%m-%d}",
            str(value_label(column, row.old_status, lang) or ""),
            str(value_label(column, row.new_status, lang)),
            f"{row.reason}{note}",
            row.who,
            f"{row.recorded_at:%Y-%m-%d %H:%M}",
        )
    if history.empty:
        console.print(
            f"{name} {feature_id}: " + ("无状态变更记录" if zh else "no status changes recorded")
        )
    else:
        console.print(table)
    with _open(db) as store:
        changes = store.attribute_history(name, feature_id)
    if not changes.empty:
        _print_attribute_changes(f"{name} {feature_id}: 属性变更 attribute changes", changes, name)


def _print_attribute_changes(title: str, changes, layer: str) -> None:
    from rich.table import Table

    from landplan.layers import spec

    columns = {c.name: c for c in spec(layer).columns}

    def label(name: str) -> str:
        col = columns.get(name)
        if col is None:
            return name
        return f"{col.zh} ({col.unit})" if col.unit else col.zh

    table = Table(title=title)
    headers = ("生效 effective", "字段 field", "原值 old", "新值 new", "原因 reason", "经办 who")
    for col in (*headers, "记录 recorded (UTC)"):
        table.add_column(col)
    for row in changes.itertuples():
        table.add_row(
            f"{row.effective_date:%Y-%m-%d}",
            label(row.column_name),
            str(row.old_value or ""),
            str(row.new_value or ""),
            row.reason,
            row.who,
            f"{row.recorded_at:%Y-%m-%d %H:%M}",
        )
    console.print(table)


@status_app.command("on")
def status_on(
    date: Annotated[str, typer.Argument(help="The date, YYYY-MM-DD.")],
    layer: Annotated[
        str, typer.Option("--layer", help="parcels, buildings or projects.")
    ] = "parcels",
    out: Annotated[
        Path | None, typer.Option("--out", help="Write every feature's status to this CSV.")
    ] = None,
    db: DbOption = _DEFAULT_DB,
    lang: LangOption = "zh",
) -> None:
    """Show how many features had each status on a date."""
    from rich.table import Table

    from landplan.labels import value_label

    with _open(db) as store:
        status = store.status_on(layer, date)
    zh = _check_lang(lang) == "zh"
    column = "stage" if layer in ("projects", "project") else "status"
    table = Table(title=f"{layer} " + (f"{date} 各状态数量" if zh else f"by status on {date}"))
    table.add_column("状态" if zh else "status")
    table.add_column("数量" if zh else "features", justify="right")
    for value, n in status.value_counts().items():
        table.add_row(str(value_label(column, value, lang)), str(n))
    console.print(table)
    if out is not None:
        from landplan.tables import write_csv

        write_csv(status.rename_axis(status.index.name or "feature_id").reset_index(), out)
        console.print(f"wrote {out}")


@app.command("reserve")
def reserve(
    project_id: Annotated[str, typer.Argument(help="The project.")],
    parcel_ids: Annotated[list[str], typer.Argument(help="The parcels to reserve.")],
    note: Annotated[str | None, typer.Option("--note", help="A note kept with it.")] = None,
    db: DbOption = _DEFAULT_DB,
    who: WhoOption = None,
) -> None:
    """Reserve parcels for a project: all of them, or none (with every reason)."""
    with _open(db) as store:
        done = store.reserve(project_id, parcel_ids, who=who, note=note)
    console.print(f"reserved {', '.join(done['parcel_id'])} for {project_id}", highlight=False)


@app.command("release")
def release(
    project_id: Annotated[str, typer.Argument(help="The project.")],
    parcel_ids: Annotated[
        list[str] | None, typer.Argument(help="The parcels to release (all by default).")
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why.")] = None,
    db: DbOption = _DEFAULT_DB,
    who: WhoOption = None,
) -> None:
    """Release a project's reservations."""
    with _open(db) as store:
        n = store.release(project_id, parcel_ids or None, who=who, reason=reason)
    console.print(f"released {n} reservation(s) of {project_id}", highlight=False)


@app.command("reservations")
def reservations(
    all_: Annotated[bool, typer.Option("--all", help="Include released ones.")] = False,
    project: Annotated[str | None, typer.Option("--project", help="Only this project.")] = None,
    db: DbOption = _DEFAULT_DB,
) -> None:
    """List reservations (active ones by default)."""
    from rich.table import Table

    with _open(db) as store:
        frame = store.reservations(active=not all_, project_id=project)
    table = Table(title="reservations" if all_ else "active reservations")
    for col in ("project", "parcel", "by", "on", "note", "released"):
        table.add_column(col)
    for r in frame.itertuples():
        released = (
            ""
            if r.released_at is None or r.released_at != r.released_at
            else (f"{r.released_at:%Y-%m-%d} by {r.released_by}")
        )
        table.add_row(
            r.project_id, r.parcel_id, r.who, f"{r.reserved_at:%Y-%m-%d}", r.note or "", released
        )
    console.print(table)


@app.command("report")
def report(
    period: Annotated[
        str | None, typer.Option("--period", help="Half year: 2026H1 or 2026H2.")
    ] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="First day, YYYY-MM-DD (with --to).")
    ] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD.")] = None,
    lang: Annotated[str, typer.Option("--lang", help="zh (default) or en.")] = "zh",
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("report"),
    maps: Annotated[
        bool,
        typer.Option("--maps/--no-maps", help="Draw the period's maps as pictures (Chromium)."),
    ] = True,
    text: Annotated[
        Path | None,
        typer.Option(
            "--text",
            help="The office's text (# 开头, # 主要做法, # 下一步工作计划, # 编制单位, # 日期).",
        ),
    ] = None,
    pdf: Annotated[
        bool, typer.Option("--pdf/--no-pdf", help="Also write report.pdf (LibreOffice/Chromium).")
    ] = True,
    markers: Annotated[
        bool, typer.Option("--markers", help="Put [n] after each number of the Word/PDF text.")
    ] = False,
    db: DbOption = _DEFAULT_DB,
    policy: PolicyOption = None,
) -> None:
    """Write the half-year report (Word 公文, PDF, Markdown, HTML, XLSX) from the store."""
    from landplan.gongwen import PdfError, read_office_text, write_pdf
    from landplan.maps import MapError
    from landplan.report import report_from_store, report_maps, write_report

    with _open(db, policy) as store:
        result = report_from_store(store, period=period, start=start, end=end, lang=lang)
    images = {}
    if maps:
        try:
            images = report_maps(result, out)
        except MapError as exc:
            err_console.print(
                f"note: the report is written without its maps: {exc}",
                highlight=False,
            )
    paths = write_report(result, out, images=images, text=text, markers=markers)
    if pdf:
        try:
            paths["pdf"] = write_pdf(
                result,
                out / "report.pdf",
                docx_path=paths["docx"],
                text=read_office_text(text) if text else None,
                markers=markers,
            )
        except PdfError as exc:
            err_console.print(f"note: no PDF written: {exc}", highlight=False)
    console.print(
        f"{result.title}: {len(result.figures())} figures from {len(result.tables)} tables",
        highlight=False,
    )
    for path in paths.values():
        console.print(f"wrote {path}", highlight=False)


# --- the pipeline: allocation, supply and demand, corridor -------------------------------------

OutOption = Annotated[Path, typer.Option("--out", "-o", help="Output folder.")]


def _written(paths: list[Path]) -> None:
    for path in paths:
        console.print(f"wrote {path}", highlight=False)


@app.command("allocate")
def allocate_cmd(
    zone: ZoneOption = None,
    projects: ProjectsOption = None,
    db: StoreOption = None,
    candidates: Annotated[
        Path | None,
        typer.Option(
            "--candidates",
            help="Candidate sites (GeoPackage/CSV with project_id, candidate_id, kind, "
            "parcel_ids, building_id, area_m2, floor_area_m2, score); matched where left out.",
        ),
    ] = None,
    stage: Annotated[
        list[str] | None, typer.Option("--stage", help="Stages to place (repeat; all pipeline).")
    ] = None,
    fix: Annotated[
        list[str] | None,
        typer.Option("--fix", help="PROJECT=CANDIDATE: keep this site for this project (repeat)."),
    ] = None,
    reserve: Annotated[
        bool, typer.Option("--reserve", help="Reserve the plan's parcels in the store (--db).")
    ] = False,
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", help="Solver time limit in seconds.")
    ] = None,
    out: OutOption = Path("allocation"),
    who: WhoOption = None,
    policy: PolicyOption = None,
) -> None:
    """Place the whole pipeline: one site per project, no parcel used twice, best total value."""
    from landplan.allocate import allocate
    from landplan.plan_report import read_candidates, write_allocation

    if reserve and db is None:
        raise LandplanError("--reserve writes into a store; expected --db PATH_OR_URL as well")
    the_zone, store = _zone_from(db, zone, projects, policy, keep_store=True)
    table = None
    if candidates is not None:
        table = read_candidates(candidates, crs=the_zone.crs)
    fixed = {}
    for item in fix or []:
        project_id, sep, candidate_id = item.partition("=")
        if not sep:
            raise LandplanError(f"--fix {item!r}: expected PROJECT=CANDIDATE")
        fixed[project_id] = candidate_id
    reserved = store.reservations() if store is not None else None
    result = allocate(
        None,
        the_zone,
        candidates=table,
        sites=_site_index(store, the_zone, close=False) if table is None else None,
        fixed=fixed,
        reserved=reserved,
        stages=stage,
        time_limit_s=time_limit,
    )
    _written(write_allocation(result, out))
    # "optimal" only when proven; otherwise the stop, bound and gap (Allocation.verdict).
    console.print(
        f"{result.verdict()}; {len(result.plan)} placed, {len(result.unplaced)} unplaced; "
        f"greedy {result.greedy_objective:,.1f} (+{result.gain_over_greedy:.1%})",
        highlight=False,
    )
    for note in result.notes:
        console.print(note, highlight=False)
    if reserve:
        plan = result.plan
        from landplan.kinds import KINDS

        # Reserve the ground of the sites that take ground (not floor space in a building).
        land = plan["kind"].map(lambda k: KINDS[k].takes_ground).astype(bool)
        new = plan.loc[plan["source"].isin(["optimised", "fixed"]) & land]
        sites = {
            p: ids.split(";") for p, ids in zip(new["project_id"], new["parcel_ids"], strict=True)
        }
        if sites:
            done = store.reserve_many(sites, who=who, note="allocation plan")
            console.print(f"reserved {len(done)} parcel(s) for {len(sites)} project(s)")
    if store is not None:
        store.close()


@app.command("capacity")
def capacity_cmd(
    zone: ZoneOption = None,
    projects: ProjectsOption = None,
    db: StoreOption = None,
    start: Annotated[
        str | None, typer.Option("--start", help="Start date YYYY-MM-DD (today).")
    ] = None,
    quarters: Annotated[
        int | None, typer.Option("--quarters", help="Quarters to look ahead (policy).")
    ] = None,
    out: OutOption = Path("capacity"),
    policy: PolicyOption = None,
    lang: LangOption = "zh",
) -> None:
    """Balance land and floor-space supply against the pipeline, quarter by quarter."""
    import datetime as dt

    from landplan.capacity import capacity
    from landplan.plan_report import write_capacity

    the_zone, _ = _zone_from(db, zone, projects, policy)
    try:
        day = dt.date.fromisoformat(start) if start else dt.date.today()
    except ValueError:
        raise LandplanError(f"--start {start!r}: expected a date YYYY-MM-DD") from None
    result = capacity(the_zone, start=day, horizon_quarters=quarters)
    _written(write_capacity(result, out))
    from landplan.labels import column_label

    zh = _check_lang(lang) == "zh"
    for item, value in result.summary().itertuples(index=False):
        name = column_label(item, "zh") if zh else item
        sep = "：" if zh else ": "
        shown = f"{value:,.1f}" if isinstance(value, float) else str(value)
        console.print(f"{name}{sep}{shown}", highlight=False)


@app.command("corridor")
def corridor_cmd(
    name: Annotated[str | None, typer.Argument(help="The avenue (name or id).")] = None,
    zone: ZoneOption = None,
    projects: ProjectsOption = None,
    db: StoreOption = None,
    width: Annotated[float | None, typer.Option("--width", help="Corridor width, m.")] = None,
    breaks: Annotated[
        str | None, typer.Option("--breaks", help="Phase ends in m along the avenue, '2000;4000'.")
    ] = None,
    phase_length: Annotated[
        float | None, typer.Option("--phase-length", help="Phase length, m, without --breaks.")
    ] = None,
    candidates: Annotated[
        Path | None,
        typer.Option("--candidates", help="Candidate sites or a plan (GeoPackage) to list."),
    ] = None,
    out: OutOption = Path("corridor"),
    policy: PolicyOption = None,
    lang: LangOption = "zh",
) -> None:
    """Supply phase by phase along the avenue: land by status, developable land, floor space."""
    from landplan.corridor import corridor
    from landplan.plan_report import read_candidates, write_corridor

    the_zone, _ = _zone_from(db, zone, projects, policy)
    try:
        breaks_m = [float(b) for b in breaks.split(";") if b.strip()] if breaks else None
    except ValueError:
        raise LandplanError(f"--breaks {breaks!r}: expected metres separated by ';'") from None
    sites = None
    if candidates is not None:
        sites = read_candidates(candidates, crs=the_zone.crs)
    result = corridor(
        the_zone,
        name,
        width_m=width,
        breaks_m=breaks_m,
        phase_length_m=phase_length,
        candidates=sites,
    )
    _written(write_corridor(result, out))
    zh = _check_lang(lang) == "zh"
    for row in result.phases.itertuples():
        if zh:
            console.print(
                f"第{row.phase}期（桩号{row.start_m:,.0f}–{row.end_m:,.0f}米）："
                f"可开发土地{row.developable_mu:,.1f}亩（累计{row.cumulative_developable_mu:,.1f}亩），"
                f"空置厂房{row.vacant_floor_m2:,.0f}平方米",
                highlight=False,
            )
            continue
        console.print(
            f"phase {row.phase} ({row.start_m:,.0f}-{row.end_m:,.0f} m): "
            f"developable {row.developable_mu:,.1f} mu (cumulative "
            f"{row.cumulative_developable_mu:,.1f}), vacant floor {row.vacant_floor_m2:,.0f} m²",
            highlight=False,
        )
