"""The ``landplan`` command line: parses arguments, calls the library, writes files.

This is the only module that prints or exits. A user error (any
:class:`~landplan.errors.LandplanError`) prints a readable message and exits with status 2, with
no traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from landplan.errors import LandplanError
from landplan.policy import Policy

__all__ = ["app", "main"]

app = typer.Typer(
    name="landplan",
    help="Plan the land and factory buildings of an industrial development zone.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console()
err_console = Console(stderr=True)


@app.callback()
def _root() -> None:
    """Plan the land and factory buildings of an industrial development zone."""


PolicyOption = Annotated[
    Path | None,
    typer.Option("--policy", help="TOML file overriding the default policy's thresholds."),
]


def _policy(path: Path | None) -> Policy:
    return Policy.from_toml(path) if path else Policy.default()


@app.command()
def validate(
    file: Annotated[Path, typer.Argument(help="GeoPackage, shapefile, GeoJSON, CSV or XLSX file.")],
    layer: Annotated[str, typer.Option("--layer", "-l", help="Which layer the file holds.")],
    crs: Annotated[
        str | None, typer.Option(help="CRS of a file without one (e.g. EPSG:4546).")
    ] = None,
    source_layer: Annotated[
        str | None, typer.Option(help="Layer inside a multi-layer GeoPackage.")
    ] = None,
    sheet: Annotated[str | None, typer.Option(help="Excel sheet name.")] = None,
    encoding: Annotated[str | None, typer.Option(help="Text encoding, e.g. GB18030.")] = None,
    make_valid: Annotated[bool, typer.Option(help="Repair invalid geometry.")] = False,
    policy: PolicyOption = None,
) -> None:
    """Check a file against a layer's schema; list every problem, or summarise the layer."""
    from rich.table import Table

    from landplan.io import read_layer

    frame = read_layer(
        file,
        layer,
        crs=crs,
        source_layer=source_layer,
        sheet=sheet,
        encoding=encoding,
        policy=_policy(policy),
        make_valid=make_valid,
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
    if "area_mu" in frame:
        console.print(
            f"total area: {frame['area_mu'].sum():,.1f} mu ({frame['area_m2'].sum():,.0f} m²)"
        )


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
    typer.Option("--zone", help="GeoPackage of the zone's layers (default: the packaged sample)."),
]
ProjectsOption = Annotated[
    Path | None, typer.Option("--projects", help="Projects CSV/XLSX, where not in the zone file.")
]
ProjectFileOption = Annotated[
    Path | None,
    typer.Option("--project-file", help="A project as TOML, or a CSV/XLSX of projects."),
]


def _sample_paths() -> tuple[Path, Path]:
    root = Path(__file__).resolve().parent.parent / "data" / "sample"
    return root / "zone.gpkg", root / "projects.csv"


def _load(
    project_id: str | None,
    zone_path: Path | None,
    projects: Path | None,
    project_file: Path | None,
    policy: Path | None,
):
    """Read the zone and pick the project: by id from the zone, or from a project file."""
    from landplan.io import read_projects, read_zone

    pol = _policy(policy)
    if zone_path is None:
        zone_path, sample_projects = _sample_paths()
        projects = projects or sample_projects
    zone = read_zone(zone_path, projects=projects, policy=pol)
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
        return zone, pool.iloc[0]
    hit = pool.loc[ids == project_id]
    if hit.empty:
        raise LandplanError(
            f"no project {project_id!r}; expected one of {', '.join(ids.head(20))} — check the id "
            "or give --project-file"
        )
    return zone, hit.iloc[0]


def _review_table(result) -> None:
    from rich.table import Table

    table = Table(title=result.summary().splitlines()[0], title_justify="left")
    table.add_column("principle", no_wrap=True)
    for col in ("value", "threshold", "passed", "score", "reason"):
        table.add_column(col, overflow="fold")
    for row in result.principles.itertuples():
        value = f"{row.value:,.3g}" if isinstance(row.value, float) else str(row.value)
        table.add_row(
            row.principle,
            value,
            str(row.threshold),
            "yes" if row.passed else "no",
            f"{row.score:.1f}/{row.weight:g}",
            row.reason,
        )
    console.print(table)
    for reason in result.reasons:
        console.print(f"- {escape(reason)}")


@app.command()
def review(
    project: Annotated[str | None, typer.Argument(help="Project id.")] = None,
    zone: ZoneOption = None,
    projects: ProjectsOption = None,
    project_file: ProjectFileOption = None,
    site_mu: Annotated[
        float | None, typer.Option("--site-mu", help="Area of the site offered, in mu.")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write an XLSX here.")] = None,
    policy: PolicyOption = None,
) -> None:
    """Review a project on the five principles: admit, admit with conditions, or reject."""
    from landplan.match_report import write_review
    from landplan.review import review as review_project
    from landplan.units import mu_to_m2

    the_zone, row = _load(project, zone, projects, project_file, policy)
    site = None if site_mu is None else float(mu_to_m2(site_mu))
    result = review_project(row, the_zone, site_area_m2=site)
    _review_table(result)
    if out is not None:
        console.print(f"wrote {write_review(result, out)}")


@app.command()
def match(
    project: Annotated[str | None, typer.Argument(help="Project id.")] = None,
    zone: ZoneOption = None,
    projects: ProjectsOption = None,
    project_file: ProjectFileOption = None,
    top: Annotated[int, typer.Option("--top", "-n", help="How many candidates to show.")] = 10,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write XLSX and GeoPackage here.")
    ] = None,
    explain: Annotated[
        str | None, typer.Option("--explain", help="Say why this parcel is or is not offered.")
    ] = None,
    policy: PolicyOption = None,
) -> None:
    """Rank the sites a project could take, with every score component and the rejections."""
    from rich.table import Table

    from landplan.match import COMPONENTS
    from landplan.match import match as match_project
    from landplan.match_report import write_match
    from landplan.review import review as review_project

    the_zone, row = _load(project, zone, projects, project_file, policy)
    result = match_project(row, the_zone, top=top)
    if explain is not None:
        console.print(escape(result.explain(explain)))
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
    console.print("rejected: " + ", ".join(f"{rule} {n}" for rule, n in counts.items()))
    if out is not None:
        verdict = review_project(row, the_zone)
        for path in write_match(result, out, zone=the_zone, review=verdict):
            console.print(f"wrote {path}")


def main(argv: list[str] | None = None) -> None:
    """Run the command line; user errors exit with status 2 and a message, not a traceback."""
    try:
        app(args=argv, prog_name="landplan")
    except LandplanError as exc:
        err_console.print("[bold red]error:[/]", escape(str(exc)), highlight=False, soft_wrap=True)
        sys.exit(2)
    except KeyboardInterrupt:
        err_console.print("aborted")
        sys.exit(130)
