"""The ``awsaudit`` command: the top-level options, every command group, and the process exit."""

from __future__ import annotations

import atexit
import gc
import os
import sys
from typing import Annotated

import typer

from awsaudit import __version__
from awsaudit.cli import audit, catalogue, errors, history, iam, lab
from awsaudit.cli.common import console, error_console
from awsaudit.cli.help_types import PlainHelpGroup
from awsaudit.errors import ExitCode
from awsaudit.heap import GC_THRESHOLDS as GC_THRESHOLDS  # the benchmarks read it here
from awsaudit.heap import tune_collector
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


# glibc gives each thread that contends for the allocator an arena of its own (up to 8 per core);
# the collection's worker threads spread the process's larger allocations over as many arenas, whose
# fragments stay resident: about 12 MB of a CIS scan's 141 MB peak. Python code runs one thread at
# a time, so two arenas lose nothing. (mallopt's M_ARENA_MAX; other C libraries are left alone.)
MALLOC_ARENAS = 2
_M_ARENA_MAX = -8


def limit_malloc_arenas() -> None:
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return
        import ctypes

        ctypes.CDLL(None).mallopt(_M_ARENA_MAX, MALLOC_ARENAS)
    except (AttributeError, OSError, ValueError):  # not glibc, or no mallopt
        return


def main() -> None:
    limit_malloc_arenas()
    # The command owns its process (awsaudit.heap). At exit, everything is frozen once more: the
    # interpreter's final collections otherwise traversed the whole heap (service models, catalog,
    # findings) only to free it a moment before the process ends, about a fifth of a scan's CPU.
    tune_collector()
    atexit.register(gc.freeze)
    install_interrupt_handlers()
    try:
        # Not standalone: a usage error comes back here, to be printed as the one line every
        # other error is, instead of a framed panel.
        code = app(standalone_mode=False, prog_name="awsaudit")
    except typer.TyperException as problem:  # what the command-line parser refused
        if type(problem).__name__ == "NoArgsIsHelpError":
            # `awsaudit` (or a command group) alone: the help, framed as the library prints it.
            app(standalone_mode=True, prog_name="awsaudit")
        errors.usage_error(problem)
    except typer.Abort:  # end of input at a prompt
        sys.exit(ExitCode.USAGE)
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
    sys.exit(code if isinstance(code, int) else 0)
