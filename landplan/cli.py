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
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, cast

import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperGroup

from landplan.errors import Code, LandplanError, Problem, display_width, text_in
from landplan.policy import Policy

if TYPE_CHECKING:
    from landplan.labels import Lang

__all__ = ["app", "main"]


class _LocalisedGroup(TyperGroup):
    """The command group whose every command's and option's help reads in ``$LANDPLAN_LANG``.

    The help is written in English beside the code and translated through the label registry
    (:data:`landplan.labels.HELP`) when the command line is built, so one table holds both.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _localise(self)
        _localise_markers()


def _localise_markers() -> None:
    """Word the help's own markers and panel titles in the help's language (必填, 默认：…).

    Typer's rich help reads them from module constants of :mod:`typer.rich_utils` each time it
    renders; they are set whenever the command line is built, so each build's help is in one
    language.
    """
    from typer import rich_utils

    from landplan.labels import message

    lang = _help_lang()
    rich_utils.DEFAULT_STRING = "[" + message("help_default", lang, value="{}") + "]"
    rich_utils.ENVVAR_STRING = "[" + message("help_env", lang, value="{}") + "]"
    rich_utils.REQUIRED_LONG_STRING = "[" + message("help_required", lang) + "]"
    rich_utils.ARGUMENTS_PANEL_TITLE = message("help_arguments", lang)
    rich_utils.OPTIONS_PANEL_TITLE = message("help_options", lang)
    rich_utils.COMMANDS_PANEL_TITLE = message("help_commands", lang)
    rich_utils.ERRORS_PANEL_TITLE = message("out_help_error", lang)
    # Typer fills these two fields itself when it prints the hint under a usage error.
    fields = {"command_path": "{command_path}", "help_option": "{help_option}"}
    rich_utils.RICH_HELP = message("out_help_try", lang, **fields)
    if not getattr(rich_utils.rich_format_error, "landplan", False):
        rich_utils.rich_format_error = _worded(rich_utils.rich_format_error)


def _worded(show):
    """Wrap typer's printer of a command line it cannot parse, to word the error in Chinese.

    Typer words a missing argument, an unknown option or a bad value in English; in the Chinese
    help those say themselves in Chinese (anything else keeps typer's words).
    """

    def worded(exc) -> None:
        said = _usage_error(exc) if _help_lang() == "zh" else None
        if said is not None:
            exc.format_message = lambda: said
        show(exc)

    worded.landplan = True  # type: ignore[attr-defined]
    return worded


def _usage_error(exc) -> str | None:
    """Return a parse error of typer's in Chinese, or None for one this does not know."""
    from landplan.labels import message

    param = getattr(exc, "param", None)
    hint = getattr(exc, "param_hint", None)
    if hint is None and param is not None:
        hint = param.get_error_hint()
    if isinstance(hint, list | tuple):
        hint = " / ".join(repr(h) for h in hint)
    kind = type(exc).__name__
    if kind == "MissingParameter":
        which = str(getattr(exc, "param_type", None) or getattr(param, "param_type_name", ""))
        keys = {"argument": "out_usage_missing_argument", "option": "out_usage_missing_option"}
        return message(keys.get(which, "out_usage_missing"), "zh", hint=hint or "")
    if kind == "NoSuchOption":
        said = message("out_usage_no_option", "zh", option=exc.option_name)
        if exc.possibilities:
            options = "、".join(sorted(exc.possibilities))
            said += message("out_usage_possible", "zh", options=options)
        return said
    if kind == "BadParameter" and hint:
        text = str(exc.message)
        for english, key in _VALUE_KINDS.items():
            if english in text:
                text = message(key, "zh")
                break
        return message("out_usage_bad_value", "zh", hint=hint, text=text)
    return None


# What typer says a value should have been, by the words it says it in.
_VALUE_KINDS = {
    "valid integer": "out_usage_integer",
    "valid number": "out_usage_number",
    "valid float": "out_usage_number",
    "valid boolean": "out_usage_boolean",
}


def _help_lang() -> Lang:
    """Return the language the help is built in: ``$LANDPLAN_LANG``, else Chinese."""
    return "en" if os.environ.get("LANDPLAN_LANG", "zh") == "en" else "zh"


def _localise(command) -> None:
    from landplan.labels import help_text

    if command.help:
        command.help = help_text(command.help)
    for param in command.params:
        if getattr(param, "help", None):
            param.help = help_text(param.help)
    if _help_lang() == "zh":
        _localise_usage(command)
    for sub in getattr(command, "commands", {}).values():
        _localise(sub)
    # The --help option is made when asked for, with the command line library's own text.
    made = command.get_help_option

    def help_option(ctx, _made=made):
        option = _made(ctx)
        if option is not None and option.help:
            option.help = help_text(option.help)
        if option is not None and _help_lang() == "zh":
            _localise_kind(option)
        return option

    command.get_help_option = help_option


def _localise_usage(command) -> None:
    """Word a command's usage line and its options' kinds of value in Chinese (用法：, <文本>).

    The words of the usage line are the command's own attributes; the ``Usage:`` before it and
    the kinds of value (``<str>``, ``<path>``) are said by the command line library, so what it
    says is relabelled as it is asked for.
    """
    from landplan.labels import message

    command.options_metavar = message("out_help_options", "zh")
    if hasattr(command, "subcommand_metavar"):
        command.subcommand_metavar = message("out_help_subcommands", "zh")
    usage = command.get_usage

    def get_usage(ctx, _usage=usage):
        return _usage(ctx).replace("Usage: ", message("out_help_usage", "zh"), 1)

    command.get_usage = get_usage
    for param in command.params:
        _localise_kind(param)


def _localise_kind(param) -> None:
    """Show the kind of value a parameter takes in Chinese (``<文本>`` for ``<str>``), once."""
    from landplan.labels import MESSAGES, message

    shown = param.display_type_rich
    if getattr(shown, "localised", False):
        return

    def display_type_rich(ctx, _shown=shown):
        kind = _shown(ctx=ctx)
        key = f"out_help_type_{(kind or '').strip('<>')}"
        return f"<{message(key, 'zh')}>" if key in MESSAGES else kind

    display_type_rich.localised = True  # type: ignore[attr-defined]
    param.display_type_rich = display_type_rich


app = typer.Typer(
    name="landplan",
    cls=_LocalisedGroup,
    help="开发区土地与厂房规划 — plan the land and factory buildings of an industrial zone.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
# Data text (ids, reasons, notes) may hold square brackets: nothing printed is read as markup.
# Sentences are not broken at the terminal width: a line piped to a file or read by a script
# stays one line (tables still fit the width).
console = Console(markup=False, soft_wrap=True)
err_console = Console(stderr=True, markup=False, soft_wrap=True)


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
    str,
    typer.Option(
        "--lang",
        envvar="LANDPLAN_LANG",
        help="Language of what is printed: zh (中文, default) or en.",
    ),
]


def _check_lang(lang: str) -> Lang:
    if lang not in ("zh", "en"):
        raise LandplanError.of("cli_lang", lang=lang)
    return cast("Lang", lang)


def _say(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _t(lang: str, key: str, **fields: object) -> str:
    """Return a printed line from the label registry, in the language asked."""
    from landplan.labels import message

    return message(key, "en" if lang == "en" else "zh", **fields)


def _layer(name: str, lang: str) -> str:
    """Return how a layer is named to a reader (``地块`` for ``parcels`` in Chinese)."""
    from landplan.labels import value_label

    return str(value_label("layer", name, "en" if lang == "en" else "zh"))


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


def _summary_text(problems, notices, problems_file: Path | None, lang: str = "zh") -> str:
    """Return the per-column summary of problems and warnings, writing them all if asked."""
    from landplan.labels import column_label
    from landplan.problem_report import SUMMARY_HEADERS, column_summary, write_problems

    if not problems and not notices:
        return ""
    summary = column_summary(problems, notices, lang=_lang(lang))
    summary["column"] = [column_label(c, "en" if lang == "en" else "zh") for c in summary["column"]]
    heads = [h.split(" ")[0 if lang == "zh" else 1] for h in SUMMARY_HEADERS.values()]
    rows = [heads] + [[str(v) for v in r] for r in summary.values]
    widths = [max(display_width(r[j]) for r in rows) for j in range(len(rows[0]) - 1)]
    lines = [_t(lang, "problems_by_column")]
    for r in rows:
        cells = [c + " " * (w - display_width(c)) for c, w in zip(r[:-1], widths, strict=True)]
        lines.append("  " + "  ".join([*cells, r[-1]]))
    if problems_file is not None:
        path = write_problems(problems_file, problems, notices, lang=_lang(lang))
        lines.append(
            _t(lang, "problems_written", problems=len(problems), warnings=len(notices), path=path)
        )
    elif len(problems) + len(notices) > 50:
        lines.append(_t(lang, "problems_hint"))
    return "\n".join(lines)


def _lang(lang: str) -> Lang:
    """Return the language of what is printed: English where asked, else Chinese."""
    return "en" if lang == "en" else "zh"


def _refuse(
    exc, problems_file: Path | None, notices=(), prefix: str = "", lang: str = "zh"
) -> None:
    """Add the per-column summary (and the file of every problem) to a refusal's message."""
    summary = _summary_text(exc.problems, list(notices), problems_file, lang)
    exc.say(_lang(lang), lead=prefix, tail=f"\n\n{summary}" if summary else "")


def _warnings(frame, file: Path):
    """Return the import's warnings as problem rows: the reader's, then the validator's notes."""
    notes = [
        Problem(str(file), "*", "*", n if isinstance(n, str) else str(n), "")
        for n in frame.attrs.get("notices", [])
    ]
    return [*frame.attrs.get("warnings", []), *notes]


def _read_checked(file: Path, layer: str, problems_file: Path | None, lang: str = "zh", **options):
    """Read and validate a file; a refusal carries the per-column summary of its problems."""
    from landplan.errors import SchemaError
    from landplan.io import read_layer

    try:
        read = read_layer(file, layer, **options)
    except SchemaError as exc:
        _refuse(exc, problems_file, lang=lang)
        raise
    frame = read[0] if isinstance(read, tuple) else read
    warnings = frame.attrs.get("warnings", [])
    for warning in warnings[:20]:
        line = warning.text(_lang(lang)) if isinstance(warning, Problem) else warning
        err_console.print(_t(lang, "warning", text=line), highlight=False)
    if len(warnings) > 20:
        err_console.print(_t(lang, "more_warnings", n=len(warnings) - 20))
    text = (
        _summary_text([], _warnings(frame, file), problems_file, lang)
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
    lang: LangOption = "zh",
) -> None:
    """Check a file against a layer's schema; list every problem, or summarise the layer."""
    from rich.table import Table

    from landplan.layers import spec

    lang = _check_lang(lang)
    frame = _read_checked(
        file,
        layer,
        problems,
        lang,
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
    name = spec(layer).name
    title = _t(lang, "valid_title", file=file, n=len(frame), layer=_layer(name, lang))
    table = Table(title=title, title_justify="left")
    table.add_column(_t(lang, "field"))
    table.add_column(_t(lang, "filled"), justify="right")
    for col in spec(layer).columns:
        # A Chinese planner reads the field's name; the identifier is for the English reader.
        shown = col.zh if lang == "zh" else f"{col.name} ({col.zh})"
        table.add_row(shown, f"{int(frame[col.name].notna().sum())}")
    console.print(table)
    for feature, reason in frame.attrs.get("repaired", []):
        console.print(_t(lang, "repaired", feature=feature, reason=reason))
    for notice in frame.attrs.get("notices", []):
        console.print(_t(lang, "note", text=text_in(notice, _lang(lang))))
    if "area_mu" in frame:
        console.print(_t(lang, "total_area", mu=frame["area_mu"].sum(), m2=frame["area_m2"].sum()))


def _zone_from(
    db: str | None,
    zone_path: Path | None,
    projects: Path | None,
    policy_file: Path | None,
    *,
    keep_store: bool = False,
    lang: str = "zh",
):
    """Load the zone every analysis command works on, and the store when asked to keep it.

    ``--zone`` reads a GeoPackage (with ``--projects`` beside it); ``--db`` reads a store. With
    neither, the default store (``$LANDPLAN_DB`` or ``./landplan.gpkg``) is read where it exists,
    else the sample zone is generated in memory, so every command can be tried at once.
    """
    from landplan._collector import keep_for_the_command
    from landplan.store import default_db, open_store

    if db is not None and zone_path is not None:
        raise LandplanError.of("cli_db_or_zone", db=db, zone=str(zone_path))
    pol = _policy(policy_file)
    if zone_path is not None:
        from landplan.io import read_zone

        loaded = read_zone(zone_path, projects=projects, policy=pol)
        keep_for_the_command(loaded)
        return loaded, None
    target = db or default_db()
    if db is not None or "://" in target or Path(target).exists():
        store = open_store(target, policy=pol if policy_file else None)
        # A command reads the buildings and enterprises only if it uses them.
        zone = store.load_zone(on_use=True)
        keep_for_the_command(zone)
        if keep_store:
            return zone, store
        store.close()
        return zone, None
    from landplan.sample import make_zone
    from landplan.zone import Zone

    err_console.print(_t(lang, "sample_fallback", target=target))
    return Zone.from_layers(make_zone(), policy=pol), None


def _run_audit(zone, as_of: str | None, out: Path, lang: Lang = "zh") -> dict[str, Path]:
    """Audit a zone and write the audit's files; return them by name."""
    from datetime import date

    from landplan._collector import let_go
    from landplan.audit import audit
    from landplan.audit_io import write_audit

    result = audit(zone, as_of=as_of or date.today().isoformat(), lang=lang)
    # The files are written from the result alone: the zone's layers (their geometries, the
    # buildings) are freed before the writers make their copies.
    let_go(zone)
    del zone
    paths = write_audit(result, out, lang=lang)
    totals = result.totals[result.totals["section"] == "total"].set_index("item")
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
    lang = _check_lang(lang)
    _run_audit(_zone_from(db, zone, None, policy, lang=lang)[0], as_of, out, lang)


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
    lang: LangOption = "zh",
) -> None:
    """Plan the revitalisation of low-efficiency land (盘活低效用地); write XLSX and GeoPackage."""
    from datetime import date

    from landplan.audit import audit
    from landplan.revitalise import revitalise
    from landplan.revitalise_io import write_revitalisation

    lang = _check_lang(lang)
    loaded, _ = _zone_from(db, zone, projects, policy, lang=lang)
    result = revitalise(loaded, audit(loaded, as_of=as_of or date.today().isoformat(), lang=lang))
    paths = write_revitalisation(result, out)
    by_mode = result.totals[result.totals["section"] == "mode"]
    total = result.totals[result.totals["section"] == "total"].iloc[0]
    console.print(
        _t(
            lang,
            "revitalise_head",
            as_of=f"{result.as_of:%Y-%m-%d}",
            parcels=int(total["parcels"]),
            buildings=int(total["buildings"]),
            land=total["land_mu"],
            added=total["floor_added_m2"],
            let=total["floor_let_m2"],
            projects=result.uses["project_id"].nunique(),
        ),
        highlight=False,
    )
    for row in by_mode.itertuples():
        mode = row.label_zh if lang == "zh" else row.label_en
        console.print(
            _t(
                lang,
                "revitalise_mode",
                mode=mode,
                parcels=row.parcels,
                land=row.land_mu,
                added=row.floor_added_m2,
                let=row.floor_let_m2,
            ),
            highlight=False,
        )
    best = result.uses[result.uses["rank"] == 1]
    for text in best["text_zh" if lang == "zh" else "text_en"].head(10):
        console.print(f"  {text}", highlight=False)
    if len(best) > 10:
        console.print(_t(lang, "more_projects", n=len(best) - 10))
    for name in ("workbook", "geopackage"):
        console.print(_t(lang, "wrote", path=paths[name]), highlight=False)


@app.command()
def sample(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("sample"),
    parcels: Annotated[
        int | None, typer.Option("--parcels", "-n", help="Number of parcels (default 450).")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed.")] = None,
    lang: LangOption = "zh",
) -> None:
    """Generate the sample zone (GeoPackage + projects CSV/XLSX), the same bytes every time."""
    from landplan.sample import DEFAULT_SEED, write_sample

    lang = _check_lang(lang)
    with console.status(_t(lang, "generating_sample")):
        paths = write_sample(out, seed=DEFAULT_SEED if seed is None else seed, n_parcels=parcels)
    for path in paths.values():
        console.print(_t(lang, "wrote_bytes", path=path, size=path.stat().st_size))


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("landplan-out"),
    policy: PolicyOption = None,
    lang: LangOption = "zh",
) -> None:
    """Run everything on the sample zone with the embedded store; write maps and reports."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from landplan.demo import STEPS, run_demo
    from landplan.labels import value_label

    lang = _check_lang(lang)

    def step_name(step: str) -> str:
        return str(value_label("demo_step", step, lang))

    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console
    ) as progress:
        task = progress.add_task("demo", total=len(STEPS))

        started: list[str] = []

        def on_step(name: str) -> None:
            if started:
                progress.advance(task)
            started.append(name)
            progress.update(task, description=step_name(name))

        written = run_demo(out, policy=_policy(policy), on_step=on_step)
        progress.update(task, completed=len(STEPS), description=_t(lang, "done"))
    title = _t(lang, "demo_title", n=len(written), out=out)
    table = Table(title=title, title_justify="left")
    table.add_column(_t(lang, "demo_step"))
    table.add_column(_t(lang, "demo_file"))
    for step, path in written:
        table.add_row(step_name(step), str(path))
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
    lang: str = "zh",
    *,
    keep_store: bool = False,
):
    """Read the zone and pick the project: by id from the zone, or from a project file.

    With ``keep_store``, the store the zone came from (None for a file) is returned third.
    """
    from landplan.io import read_projects

    pol = _policy(policy)
    zone, store = _zone_from(db, zone_path, projects, policy, keep_store=keep_store, lang=lang)
    pool = zone.projects
    if project_file is not None:
        pool = read_projects(project_file, policy=pol)
    ids = pool["project_id"].astype(str)
    if project_id is None:
        if len(pool) != 1:
            raise LandplanError.of(
                "cli_which_project", n=len(pool), ids=Code(list(ids.head(20)), of="project_id")
            )
        return (zone, pool.iloc[0], store) if keep_store else (zone, pool.iloc[0])
    hit = pool.loc[ids == project_id]
    if hit.empty:
        raise LandplanError.of(
            "cli_no_project", project=project_id, ids=Code(list(ids.head(20)), of="project_id")
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


def _review_table(result, lang: Lang = "zh") -> None:
    from rich.table import Table

    from landplan.labels import column_label, value_label

    verdict = value_label("verdict", result.verdict, lang)
    title = f"{result.project_id} {result.name}: {verdict} (score {result.score:.1f})"
    if lang == "zh":
        title = f"{result.project_id} 入园评审：{verdict}，得分 {result.score:.1f}"
    table = Table(title=title, title_justify="left")
    table.add_column(column_label("principle", lang) if lang == "zh" else "principle", no_wrap=True)
    for col in ("value", "threshold", "passed", "score", "reason"):
        table.add_column(column_label(col, lang) if lang == "zh" else col, overflow="fold")
    for row in result.principles_text(lang).itertuples():
        value = f"{row.value:,.3g}" if isinstance(row.value, float) else str(row.value)
        table.add_row(
            str(value_label("principle", row.principle, lang)) if lang == "zh" else row.principle,
            value,
            str(row.threshold),
            _say(lang, "是", "yes") if row.passed else _say(lang, "否", "no"),
            f"{row.score:.1f}/{row.weight:g}",
            row.reason,
        )
    console.print(table)
    for reason in result.reason_lines(lang):
        console.print(f"- {reason}", highlight=False)


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

    lang = _check_lang(lang)
    the_zone, row = _load(project, zone, projects, project_file, policy, db, lang)
    site = None if site_mu is None else float(mu_to_m2(site_mu))
    result = review_project(row, the_zone, site_area_m2=site)
    _review_table(result, lang)
    if out is not None:
        console.print(_t(lang, "wrote", path=write_review(result, out)), highlight=False)


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
    from landplan.labels import column_label, value_label
    from landplan.match import COMPONENTS
    from landplan.match import match as match_project
    from landplan.match_report import write_match
    from landplan.review import review as review_project

    lang = _check_lang(lang)
    the_zone, row, store = _load(
        project, zone, projects, project_file, policy, db, lang, keep_store=True
    )
    result = match_project(row, the_zone, top=top, sites=_site_index(store, the_zone), lang=lang)
    if explain is not None:
        # Chinese lines have no spaces to wrap at: the terminal wraps them.
        console.print(result.explain(explain), highlight=False, soft_wrap=True)
        return
    demand = result.demand
    window = (
        _t(lang, "window", low=demand.min_mu, high=demand.max_mu, target=demand.target_mu)
        if demand.wants_land
        else _t(lang, "no_land")
    )
    title = _t(
        lang,
        "match_title",
        project=result.project_id,
        name=row.get("name") or "",
        window=window,
        n=len(result.ranked),
    )
    console.print(_match_table(result.sites, title, lang))
    short = _short(lang)
    console.print(
        _t(lang, "components")
        + ("，" if lang == "zh" else ", ").join(
            f"{short[c]} = {column_label(f'score_{c}', lang)}" for c in COMPONENTS
        ),
        highlight=False,
    )
    counts = result.rejections["rule"].value_counts()
    console.print(
        _t(lang, "rejected")
        + ("，" if lang == "zh" else ", ").join(
            f"{value_label('rule', rule, lang) if lang == 'zh' else rule} {n}"
            for rule, n in counts.items()
        ),
        highlight=False,
    )
    if out is not None:
        verdict = review_project(row, the_zone)
        for path in write_match(result, out, zone=the_zone, review=verdict, lang=lang):
            console.print(_t(lang, "wrote", path=path), highlight=False)


#: Short headers of the score components in the match table, in the order of COMPONENTS.
_SHORT_NAMES = {
    "zh": ("面积", "形状", "临路", "大道", "电站", "集群", "时效", "分期"),
    "en": ("fit", "cmp", "road", "ave", "sub", "clu", "rdy", "ph"),
}


def _short(lang: Lang) -> dict[str, str]:
    from landplan.match import COMPONENTS

    return dict(zip(COMPONENTS, _SHORT_NAMES[lang], strict=True))


def _match_table(sites, title: str, lang: Lang):
    """Return the ranked candidates as a table; in Chinese, a site reads as its kind and parcels."""
    from rich.table import Table

    from landplan.labels import column_label, value_label
    from landplan.match import COMPONENTS

    zh = lang == "zh"
    short = _short(lang)
    table = Table(title=title, title_justify="left")
    table.add_column("#")
    table.add_column(column_label("candidate_id", lang) if zh else "candidate", no_wrap=True)
    heads = ("亩", "月数", "得分") if zh else ("mu", "months", "score")
    for col in (*heads, *(short[c] for c in COMPONENTS)):
        table.add_column(col, overflow="fold")
    for site in sites.itertuples():
        floor = site.kind == "floor_space"
        size = f"{site.floor_area_m2:,.0f} m²" if floor else f"{site.area_mu:.1f}"
        where = site.building_id if floor and isinstance(site.building_id, str) else site.parcel_ids
        # The candidate id spells the kind's identifier: Chinese reads the kind's name instead.
        shown = f"{value_label('kind', site.kind)} {where}" if zh else site.candidate_id
        table.add_row(
            str(site.rank),
            shown,
            size,
            f"{site.readiness_months:g}",
            f"{site.score_total:.1f}",
            *(f"{getattr(site, f'score_{c}'):.2f}" for c in COMPONENTS),
        )
    return table


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
    lang: Annotated[
        str, typer.Option(envvar="LANDPLAN_LANG", help="Labels in Chinese (zh) or English (en).")
    ] = "zh",
    basemap: Annotated[
        str,
        typer.Option(
            help="auto (Tianditu where a key is set, else standard), standard (OpenStreetMap, "
            "CartoDB), tianditu (needs a key) or amap (data shifted to GCJ-02)."
        ),
    ] = "auto",
    tianditu_key: Annotated[
        str | None,
        typer.Option(
            envvar=["TIANDITU_KEY", "LANDPLAN_TIANDITU_KEY"],
            help="Tianditu browser key (tk); else the policy's [maps] tianditu_key.",
        ),
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
        raise LandplanError.of("cli_map_project", kind=kind.value, project=project)
    lang = _check_lang(lang)
    style: dict[str, Any] = {"lang": lang, "basemap": basemap, "tianditu_key": tianditu_key}
    if kind is MapKind.project:
        from landplan.match import match

        loaded, row = _load(project, zone, projects, None, policy, db, lang)
        found = match(row, loaded, top=top, lang=lang)
        held = _store_reservations(db, zone)
        m = maps.project_map(
            loaded,
            found.sites,
            row,
            rejections=found.rejections,
            scores=scores,
            reservations=held,
            **style,
        )
    else:
        loaded, _ = _zone_from(db, zone, projects, policy, lang=lang)
        if kind is MapKind.overview:
            m = maps.overview_map(loaded, reservations=_store_reservations(db, zone), **style)
        elif kind is MapKind.audit:
            from landplan.audit import audit

            result = audit(loaded, as_of=as_of or date.today().isoformat(), lang=lang)
            m = maps.audit_map(loaded, result, reservations=_store_reservations(db, zone), **style)
        elif kind is MapKind.allocation:
            from landplan.allocate import allocate

            m = maps.allocation_map(loaded, allocate(None, loaded).plan, **style)
        elif kind is MapKind.revitalisation:
            from landplan.audit import audit
            from landplan.maps.revitalisation import revitalisation_map
            from landplan.revitalise import revitalise

            result = audit(loaded, as_of=as_of or date.today().isoformat(), lang=lang)
            m = revitalisation_map(loaded, revitalise(loaded, result), **style)
        else:
            from landplan.corridor import corridor

            m = maps.corridor_map(loaded, corridor(loaded), **style)
    path = maps.save_map(m, out)
    counts = _say(lang, "，", ", ").join(f"{name} {n}" for name, n in maps.layer_counts(m).items())
    console.print(
        _t(lang, "map_written", path=path, mb=path.stat().st_size / 1e6, counts=counts),
        highlight=False,
    )
    sheet: dict[str, Any] = {
        "paper": paper or "A3",
        "issuer": issuer,
        "lang": lang,
        "data_as_of": as_of,
    }
    if pdf is not None or (png is not None and paper is not None):
        from landplan.maps.sheet import print_map

        for target in (pdf, png if paper is not None else None):
            if target is not None:
                console.print(_t(lang, "wrote", path=print_map(path, target, **sheet)))
    if png is not None and paper is None:
        console.print(_t(lang, "wrote", path=maps.screenshot(path, png)))


def _store_reservations(db: str | None, zone_path: Path | None):
    """Return the active reservations of the store a zone is read from (None for a file)."""
    from landplan.store import default_db, open_store

    target = db or default_db()
    if zone_path is not None or (db is None and "://" not in target and not Path(target).exists()):
        return None
    with open_store(target) as store:
        return store.reservations()


def run() -> NoReturn:
    """Run the ``landplan`` program: :func:`main` on the process's arguments, then end it.

    The zone a command loaded is left for the system to free with the process
    (:func:`landplan._collector.end_process`), which takes a second and a half less than
    freeing it geometry by geometry at 10⁶ parcels.
    """
    from landplan._collector import end_process

    try:
        main(ends_process=True)
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            end_process(exc.code or 0)
        print(exc.code, file=sys.stderr)
        end_process(1)
    end_process(0)


def main(argv: list[str] | None = None, *, ends_process: bool = False) -> None:
    """Run the command line; user errors exit with status 2 and a message, not a traceback.

    ``ends_process`` says the process ends with the command (:func:`run`), so what it loaded
    is kept to the end rather than freed.
    """
    from landplan._collector import one_command

    lang = _argv_lang(sys.argv[1:] if argv is None else argv)
    try:
        with one_command(ends_process=ends_process):
            app(args=argv, prog_name="landplan")
    except LandplanError as exc:
        _error(exc.text(_lang(lang)), lang)
        sys.exit(2)
    except OSError as exc:
        # A full disk, a read-only folder, a missing directory: the file and the cause.
        cause = exc.strerror or exc
        if exc.filename:
            _error(_t(lang, "os_error_at", path=exc.filename, cause=cause), lang)
        else:
            _error(_t(lang, "os_error", cause=cause), lang)
        sys.exit(2)
    except KeyboardInterrupt:
        err_console.print(_t(lang, "aborted"))
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("LANDPLAN_DEBUG"):
            raise
        _error(_t(lang, "unexpected", kind=type(exc).__name__, error=exc), lang)
        sys.exit(1)


def _argv_lang(argv: list[str]) -> str:
    """Return the language a command line asks for (``--lang en``), else ``$LANDPLAN_LANG``."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
    return os.environ.get("LANDPLAN_LANG", "zh")


def _error(message: str, lang: str = "zh") -> None:
    head = Text(_t(lang, "error"), style="bold red")
    # A full-width colon ends the Chinese head: no space after it.
    sep = "" if lang != "en" else " "
    err_console.print(head, message, sep=sep, highlight=False, soft_wrap=True)


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
def init_store(
    db: DbOption = _DEFAULT_DB, policy: PolicyOption = None, lang: LangOption = "zh"
) -> None:
    """Create a store (a GeoPackage file by default) with every layer's table."""
    lang = _check_lang(lang)
    with _open(db, policy) as store:
        created = store.init()
        key = "store_created" if created else "store_exists"
        where = {"location": store.location, "backend": store.backend}
        console.print(_t(lang, key, **where, crs=store.crs.to_string()), highlight=False)


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
    lang: LangOption = "zh",
) -> None:
    """Validate a file and write it into a layer: all of it, or nothing."""
    from landplan.errors import SchemaError, StoreError

    lang = _check_lang(lang)
    modes = [m for m, on in (("replace", replace), ("append", append), ("upsert", upsert)) if on]
    if len(modes) > 1:
        raise StoreError.of("cli_one_mode", modes=", ".join(modes))
    if force and modes != ["replace"]:
        raise StoreError.of("cli_force")
    with _open(db) as store:
        try:
            frame, source, source_crs = _read_checked(
                file,
                layer,
                problems,
                lang,
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
            exc.say(lang, lead=_t(lang, "nothing_written", layer=_layer(layer, lang)))
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
            _refuse(exc, problems, _warnings(frame, file), lang=lang)
            raise
    # Notes of the file as read (heights dropped ...) beside those of the write.
    notes = dict.fromkeys([*frame.attrs.get("notices", ()), *summary.notices])
    console.print(dataclasses.replace(summary, notices=tuple(notes)).text(lang), highlight=False)


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
    lang: LangOption = "zh",
) -> None:
    """Update attributes of stored features from a table of ids and columns, without geometry.

    All rows land or none; an empty cell leaves the stored value; every changed value is kept in
    the history (`landplan status history ID`) with who, why and when.
    """
    from landplan.errors import SchemaError
    from landplan.io import read_frame

    lang = _check_lang(lang)
    table, _ = read_frame(file, layer, sheet=sheet, encoding=encoding)
    with _open(db) as store:
        try:
            summary = store.update_attributes(
                layer, table, source=str(file), who=who, reason=reason, effective=date
            )
        except SchemaError as exc:
            prefix = _t(lang, "nothing_updated", layer=_layer(layer, lang))
            _refuse(exc, problems, prefix=prefix, lang=lang)
            raise
    console.print(summary.text(lang), highlight=False)


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
    lang: LangOption = "zh",
) -> None:
    """Write a layer to a file, with each feature's version for a later --upsert."""
    from landplan.io import write_layer
    from landplan.layers import spec

    with _open(db) as store:
        name = spec(layer).name
        frame = store.load_layer(name)
    path = write_layer(frame, file, layer=name, kind="export", style=name, encoding=encoding)
    shown = _layer(name, _check_lang(lang))
    console.print(_t(lang, "exported", n=len(frame), layer=shown, path=path), highlight=False)


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
    lang: LangOption = "zh",
) -> None:
    """Change a parcel's or building's status, or a project's stage; kept as an event."""
    lang = _check_lang(lang)
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
    column = _status_column(event["layer"])
    console.print(
        _t(
            lang,
            "status_set",
            layer=_layer(event["layer"], lang),
            feature=feature_id,
            old=_value(column, event["old_status"], lang),
            new=_value(column, event["new_status"], lang),
            date=event["effective_date"],
            version=event["version"],
            who=event["who"],
        ),
        highlight=False,
    )
    import datetime as dt

    if event["effective_date"] > dt.datetime.now(dt.UTC).date():
        console.print(_t(lang, "status_future", date=event["effective_date"]), highlight=False)


def _status_column(layer: str) -> str:
    """Return the column whose values a layer's status events hold (a project's ``stage``)."""
    return "stage" if layer in ("projects", "project") else "status"


def _value(column: str, value: object, lang: str) -> str:
    """Return a value as a reader sees it; a missing one as an empty text."""
    from landplan.labels import value_label

    if value is None or value != value:
        return ""
    return str(value_label(column, value, "en" if lang == "en" else "zh"))


@status_app.command("retract")
def status_retract(
    layer: Annotated[str, typer.Argument(help="parcel, building or project.")],
    feature_id: Annotated[str, typer.Argument(help="The feature's id.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the change is taken back.")],
    db: DbOption = _DEFAULT_DB,
    who: WhoOption = None,
    lang: LangOption = "zh",
) -> None:
    """Take back a feature's latest status change (kept in the history, marked retracted)."""
    lang = _check_lang(lang)
    with _open(db) as store:
        event = store.retract_status(layer, feature_id, reason=reason, who=who)
    console.print(
        _t(
            lang,
            "status_retracted",
            layer=_layer(event["layer"], lang),
            feature=feature_id,
            status=_value(_status_column(event["layer"]), event["old_status"], lang),
            date=event["effective_date"],
            who=event["who"],
        ),
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
                raise StoreError.of("cli_no_feature", id=feature_id, location=store.location)
            if len(found) > 1:
                layers = Code(tuple(name for name, _ in found), "layer", sep=(" and ", "和"))
                raise StoreError.of("cli_add_layer", id=feature_id, layers=layers)
    name, history = found[0]
    lang = _check_lang(lang)
    zh = lang == "zh"
    column = _status_column(name)
    where = {"layer": _layer(name, lang), "feature": feature_id}
    table = Table(title=_t(lang, "history_title", **where))
    heads = ("生效日期", "原状态", "新状态", "原因", "经办人", "记录时间(UTC)") if zh else None
    for col in heads or ("effective", "old", "new", "reason", "who", "recorded (UTC)"):
        table.add_column(col)
    for row in history.itertuples():
        note = _t(lang, "retracted") if row.retracted else ""
        if pd.notna(row.retracts):
            note = _t(lang, "retracts")
        table.add_row(
            f"{row.effective_date:%Y-%m-%d}",
            _value(column, row.old_status, lang),
            _value(column, row.new_status, lang),
            f"{row.reason}{note}",
            row.who,
            f"{row.recorded_at:%Y-%m-%d %H:%M}",
        )
    if history.empty:
        console.print(_t(lang, "history_none", **where), highlight=False)
    else:
        console.print(table)
    with _open(db) as store:
        changes = store.attribute_history(name, feature_id)
    if not changes.empty:
        _print_attribute_changes(_t(lang, "attribute_title", **where), changes, name, lang)


def _print_attribute_changes(title: str, changes, layer: str, lang: str = "zh") -> None:
    from rich.table import Table

    from landplan.layers import spec

    columns = {c.name: c for c in spec(layer).columns}

    def label(name: str) -> str:
        col = columns.get(name)
        if col is None or lang == "en":
            return name
        return f"{col.zh} ({col.unit})" if col.unit else col.zh

    def shown(column: str, value: object) -> str:
        return _value(column, value, lang) if value is not None and value != "" else ""

    table = Table(title=title)
    if lang == "zh":
        headers = ("生效日期", "字段", "原值", "新值", "原因", "经办人", "记录时间(UTC)")
    else:
        headers = ("effective", "field", "old", "new", "reason", "who", "recorded (UTC)")
    for col in headers:
        table.add_column(col)
    for row in changes.itertuples():
        table.add_row(
            f"{row.effective_date:%Y-%m-%d}",
            label(row.column_name),
            shown(row.column_name, row.old_value),
            shown(row.column_name, row.new_value),
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
    from landplan.layers import spec

    lang = _check_lang(lang)
    with _open(db) as store:
        status = store.status_on(layer, date)
    zh = lang == "zh"
    column = _status_column(layer)
    shown = _layer(
        spec(layer).name if layer in ("parcels", "buildings", "projects") else layer, lang
    )
    table = Table(title=_t(lang, "status_on_title", layer=shown, date=date))
    table.add_column("状态" if zh else "status")
    table.add_column("数量" if zh else "features", justify="right")
    for value, n in status.value_counts().items():
        table.add_row(str(value_label(column, value, lang)), str(n))
    console.print(table)
    if out is not None:
        from landplan.tables import write_csv

        write_csv(status.rename_axis(status.index.name or "feature_id").reset_index(), out)
        console.print(_t(lang, "wrote", path=out), highlight=False)


@app.command("reserve")
def reserve(
    project_id: Annotated[str, typer.Argument(help="The project.")],
    parcel_ids: Annotated[list[str], typer.Argument(help="The parcels to reserve.")],
    note: Annotated[str | None, typer.Option("--note", help="A note kept with it.")] = None,
    db: DbOption = _DEFAULT_DB,
    who: WhoOption = None,
    lang: LangOption = "zh",
) -> None:
    """Reserve parcels for a project: all of them, or none (with every reason)."""
    lang = _check_lang(lang)
    with _open(db) as store:
        done = store.reserve(project_id, parcel_ids, who=who, note=note)
    parcels = _say(lang, "、", ", ").join(done["parcel_id"])
    console.print(_t(lang, "reserved", parcels=parcels, project=project_id), highlight=False)


@app.command("release")
def release(
    project_id: Annotated[str, typer.Argument(help="The project.")],
    parcel_ids: Annotated[
        list[str] | None, typer.Argument(help="The parcels to release (all by default).")
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why.")] = None,
    db: DbOption = _DEFAULT_DB,
    who: WhoOption = None,
    lang: LangOption = "zh",
) -> None:
    """Release a project's reservations."""
    lang = _check_lang(lang)
    with _open(db) as store:
        n = store.release(project_id, parcel_ids or None, who=who, reason=reason)
    console.print(_t(lang, "released", n=n, project=project_id), highlight=False)


@app.command("reservations")
def reservations(
    all_: Annotated[bool, typer.Option("--all", help="Include released ones.")] = False,
    project: Annotated[str | None, typer.Option("--project", help="Only this project.")] = None,
    db: DbOption = _DEFAULT_DB,
    lang: LangOption = "zh",
) -> None:
    """List reservations (active ones by default)."""
    from rich.table import Table

    lang = _check_lang(lang)
    with _open(db) as store:
        frame = store.reservations(active=not all_, project_id=project)
    table = Table(title=_t(lang, "reservations_all" if all_ else "reservations_active"))
    if lang == "zh":
        heads = ("项目", "地块", "经办人", "预留日期", "备注", "解除")
    else:
        heads = ("project", "parcel", "by", "on", "note", "released")
    for col in heads:
        table.add_column(col)
    for r in frame.itertuples():
        released = (
            ""
            if r.released_at is None or r.released_at != r.released_at
            else _t(lang, "released_on", date=f"{r.released_at:%Y-%m-%d}", who=r.released_by)
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
    lang: LangOption = "zh",
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
        bool,
        typer.Option(
            "--markers", help="Put [n] after each number of the text (Word, PDF, Markdown, HTML)."
        ),
    ] = False,
    db: DbOption = _DEFAULT_DB,
    policy: PolicyOption = None,
) -> None:
    """Write the half-year report (Word 公文, PDF, Markdown, HTML, XLSX) from the store."""
    from landplan.errors import MapError
    from landplan.report import report_from_store, report_maps, write_report
    from landplan.report.gongwen import PdfError, read_office_text, write_pdf

    lang = _check_lang(lang)
    with _open(db, policy) as store:
        result = report_from_store(store, period=period, start=start, end=end, lang=lang)
    images = {}
    if maps:
        try:
            images = report_maps(result, out)
        except MapError as exc:
            err_console.print(_t(lang, "report_no_maps", reason=exc.text(lang)), highlight=False)
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
            err_console.print(_t(lang, "report_no_pdf", reason=exc.text(lang)), highlight=False)
    counts = {"figures": len(result.figures()), "tables": len(result.tables)}
    console.print(_t(lang, "report_figures", title=result.title, **counts), highlight=False)
    _written(list(paths.values()), lang)


# --- the pipeline: allocation, supply and demand, corridor -------------------------------------

OutOption = Annotated[Path, typer.Option("--out", "-o", help="Output folder.")]


def _written(paths: list[Path], lang: str = "zh") -> None:
    for path in paths:
        console.print(_t(lang, "wrote", path=path), highlight=False)


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
    lang: LangOption = "zh",
) -> None:
    """Place the whole pipeline: one site per project, no parcel used twice, best total value."""
    from landplan.allocate import allocate
    from landplan.plan_report import read_candidates, write_allocation

    lang = _check_lang(lang)
    if reserve and db is None:
        raise LandplanError.of("cli_reserve_db")
    the_zone, store = _zone_from(db, zone, projects, policy, keep_store=True, lang=lang)
    table = None
    if candidates is not None:
        table = read_candidates(candidates, crs=the_zone.crs)
    fixed = {}
    for item in fix or []:
        project_id, sep, candidate_id = item.partition("=")
        if not sep:
            raise LandplanError.of("cli_fix", item=item)
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
    _written(write_allocation(result, out), lang)
    # "optimal" only when proven; otherwise the stop, bound and gap (Allocation.verdict).
    console.print(
        _t(
            lang,
            "allocation",
            verdict=result.verdict(lang),
            placed=len(result.plan),
            unplaced=len(result.unplaced),
            greedy=result.greedy_objective,
            gain=result.gain_over_greedy,
        ),
        highlight=False,
    )
    for note in result.note_lines(lang):
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
            console.print(_t(lang, "reserved_many", parcels=len(done), projects=len(sites)))
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

    lang = _check_lang(lang)
    the_zone, _ = _zone_from(db, zone, projects, policy, lang=lang)
    try:
        day = dt.date.fromisoformat(start) if start else dt.date.today()
    except ValueError:
        raise LandplanError.of("cli_start", start=start) from None
    result = capacity(the_zone, start=day, horizon_quarters=quarters)
    _written(write_capacity(result, out), lang)
    from landplan.labels import column_label

    zh = lang == "zh"
    for item, value in result.summary().itertuples(index=False):
        name = column_label(item, lang)
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

    lang = _check_lang(lang)
    the_zone, _ = _zone_from(db, zone, projects, policy, lang=lang)
    try:
        breaks_m = [float(b) for b in breaks.split(";") if b.strip()] if breaks else None
    except ValueError:
        raise LandplanError.of("cli_breaks", breaks=breaks) from None
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
    _written(write_corridor(result, out), lang)
    zh = lang == "zh"
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
