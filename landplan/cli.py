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

PolicyOption = Annotated[
    Path | None,
    typer.Option("--policy", help="TOML file overriding the default policy's thresholds."),
]


def _policy(path: Path | None) -> Policy:
    return Policy.from_toml(path) if path else Policy.default()


def main(argv: list[str] | None = None) -> None:
    """Run the command line; user errors exit with status 2 and a message, not a traceback."""
    try:
        app(args=argv, standalone_mode=False)
    except LandplanError as exc:
        err_console.print(
            f"[bold red]error:[/] {exc}", highlight=False, markup=True, soft_wrap=True
        )
        sys.exit(2)
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("aborted")
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:  # click usage errors arrive as ClickException
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
