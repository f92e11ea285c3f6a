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


def _load_zone(db: Path | None, zone: Path | None, policy_file: Path | None):
    """Load the zone from a store (``--db``) or a GeoPackage (``--zone``).

    A store keeps its own policy; ``--policy`` replaces it only when given.
    """
    if (db is None) == (zone is None):
        raise LandplanError(
            "give the zone either with --db STORE (a landplan store) or with --zone FILE.gpkg "
            f"(a GeoPackage with a 'parcels' layer); got {'both' if db else 'neither'}"
        )
    if zone is not None:
        from landplan.io import read_zone

        return read_zone(zone, policy=_policy(policy_file))
    try:
        from landplan.store import open_store
    except ImportError as exc:
        raise LandplanError(
            "this installation has no landplan.store; read the zone from a GeoPackage with "
            "--zone FILE.gpkg instead of --db"
        ) from exc
    from dataclasses import replace

    loaded = open_store(db).load_zone()
    return loaded if policy_file is None else replace(loaded, policy=_policy(policy_file))


def _run_audit(zone, as_of: str | None, out: Path) -> dict[str, Path]:
    """Audit a zone and write the audit's files; return them by name."""
    from datetime import date

    from landplan.audit import audit
    from landplan.audit_io import write_audit

    result = audit(zone, as_of=as_of or date.today().isoformat())
    paths = write_audit(result, out)
    totals = result.summary[result.summary["section"] == "total"].set_index("item")
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
    db: Annotated[Path | None, typer.Option("--db", help="The landplan store to read.")] = None,
    zone: Annotated[
        Path | None, typer.Option("--zone", help="GeoPackage with the zone's layers.")
    ] = None,
    policy: PolicyOption = None,
) -> None:
    """Audit idle and low-efficiency land; write XLSX, CSV and a GeoPackage layer."""
    _run_audit(_load_zone(db, zone, policy), as_of, out)


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
