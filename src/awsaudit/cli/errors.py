"""How a command ends on an error: one line on stderr and an exit code; the traceback with --debug.

Anticipated errors (``AwsauditError`` and unreadable files) end with their own code, 2 unless
documented otherwise (docs/reports.md); anything else is a bug and ends with 4. Either way the
message is one line, redacted, and bounded; ``awsaudit --debug …`` prints the traceback first.
"""

from __future__ import annotations

import sys
import traceback
from typing import NoReturn

import typer

from awsaudit.errors import ExitCode, shorten
from awsaudit.redaction import redact
from awsaudit.terminal import inert, safe_console

# Set by the top-level --debug option before any command runs (or by a command's own --debug).
debug = False
# A message longer than this is cut: it quotes input, which may be as large as the input.
MAX_MESSAGE = 1_000

_stderr = safe_console(stderr=True)


def _print_traceback(error: BaseException) -> None:
    if debug:
        text = "".join(traceback.format_exception(error))
        sys.stderr.write(inert(redact(text), keep_newlines=True))
        sys.stderr.flush()


def one_line(message: str) -> str:
    return shorten(message, MAX_MESSAGE)


def anticipated_error(error: BaseException, message: str, code: int) -> NoReturn:
    _print_traceback(error)
    _stderr.print(f"awsaudit: error: {one_line(message)}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def internal_error(bug: BaseException) -> NoReturn:
    _print_traceback(bug)
    hint = "" if debug else " (run with --debug for the traceback)"
    _stderr.print(
        f"awsaudit: internal error: {type(bug).__name__}: {one_line(str(bug))}{hint}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    sys.exit(ExitCode.INTERNAL)


def usage_error(problem: typer.TyperException) -> NoReturn:
    """A command line the parser refused (unknown option, missing argument, bad value): one line."""
    context = getattr(problem, "ctx", None)
    command = getattr(context, "command_path", None) or "awsaudit"
    format_message = getattr(problem, "format_message", None)
    message = one_line(format_message() if callable(format_message) else str(problem))
    _stderr.print(
        f"awsaudit: error: {message} (see {command} --help)", markup=False, highlight=False, soft_wrap=True
    )
    sys.exit(getattr(problem, "exit_code", ExitCode.USAGE))
