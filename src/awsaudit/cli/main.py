"""The ``awsaudit`` command: the top-level options, every command group, and the process exit."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from awsaudit import __version__
from awsaudit.cli import audit, catalogue, errors, history, iam, lab
from awsaudit.cli.common import console, error_console
from awsaudit.cli.help_types import PlainHelpGroup
from awsaudit.interrupts import Interrupted, install_interrupt_handlers

app = typer.Typer(
    name="awsaudit",
    cls=PlainHelpGroup,
    help="Audit the security configuration of AWS accounts (CIS AWS Foundations and the audit guide).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        console.print(f"awsaudit {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    debug: Annotated[
        bool,
        typer.Option(
            "--debug",
            help="On an error, print the traceback before the one-line message (for bug reports).",
        ),
    ] = False,
) -> None:
    """awsaudit: collect → snapshot → checks → findings."""
    errors.debug = debug


audit.register(app)
lab.register(app)
catalogue.register(app)
iam.register(app)
history.register(app)


def main() -> None:
    install_interrupt_handlers()
    try:
        app()
    except Interrupted as interrupt:
        error_console.print(
            f"awsaudit: interrupted ({interrupt}); no partial report or temporary file was left behind",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(interrupt.exit_code)
    except Exception as bug:
        errors.internal_error(bug)
