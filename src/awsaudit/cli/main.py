"""The ``awsaudit`` command: the top-level options, every command group, and the process exit."""

from __future__ import annotations

import signal
import sys
from typing import Annotated

import typer

from awsaudit import __version__
from awsaudit.cli import audit, catalogue, history, iam, lab
from awsaudit.cli.common import console, error_console
from awsaudit.cli.help_types import PlainHelpGroup
from awsaudit.exit_codes import ExitCode

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
) -> None:
    """awsaudit: collect → snapshot → checks → findings."""


audit.register(app)
lab.register(app)
catalogue.register(app)
iam.register(app)
history.register(app)


def _terminate(signum: int, _frame: object) -> None:
    # Unwind like Ctrl-C so atomic writers remove their temporary files.
    raise KeyboardInterrupt


def main() -> None:
    signal.signal(signal.SIGTERM, _terminate)
    try:
        app()
    except KeyboardInterrupt:
        error_console.print("awsaudit: interrupted; nothing half-written was left behind")
        sys.exit(130)
    except Exception as bug:
        error_console.print(
            f"awsaudit: internal error: {type(bug).__name__}: {bug}", markup=False, highlight=False
        )
        sys.exit(ExitCode.INTERNAL)
