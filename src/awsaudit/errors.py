"""The base of awsaudit's own exceptions and the process exit codes they end a command with.

This module sits below every other one (it imports nothing of awsaudit) so that any package can
derive its errors from :class:`AwsauditError`. Which situation gives which code is decided in
:mod:`awsaudit.exit_codes`; the codes are documented in docs/reports.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum
from typing import ClassVar


class ExitCode(IntEnum):
    OK = 0
    FAILURES = 1  # unsuppressed FAIL findings at or above --fail-on
    USAGE = 2  # bad command line or input file (the CLI's one-line errors)
    INCOMPLETE = 3  # with --fail-on-unknown: some results are UNKNOWN, so the audit is incomplete
    INTERNAL = 4  # an unexpected error (a bug): one line on stderr instead of a traceback
    PARTIAL_DELIVERY = 5  # --security-hub: some region did not receive the findings (reports were written)


class AwsauditError(Exception):
    """An error awsaudit anticipates; the CLI prints its message as one line and exits with ``exit_code``."""

    exit_code: ClassVar[ExitCode] = ExitCode.USAGE


class UsageProblem(AwsauditError):
    """Bad input from the user that no library module rejected (a command-line combination)."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean X?)`` for the closest of ``choices`` to a mistyped ``word``, else ``""``.

    Appended to one-line errors about names the user typed (frameworks, checks, regions, formats).
    """
    import difflib

    close = difflib.get_close_matches(word.lower(), sorted(set(choices)), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


# The most of one value an error message quotes: input can be a megabyte (or an alias bomb
# expanded); a message stays one short line whatever it was given.
MAX_QUOTED = 80


def shorten(text: str, limit: int = MAX_QUOTED) -> str:
    """``text`` on one line and at most ``limit`` characters, the cut marked with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def quoted(value: object, limit: int = MAX_QUOTED) -> str:
    """A value for a message, as ``repr`` would show it but bounded: never repr an unbounded value.

    Containers are not rendered at all (their repr is as large as they are): only their type and size.
    """
    if isinstance(value, dict | list | tuple | set | frozenset):
        return f"<{type(value).__name__} of {len(value)}>"
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return "<an integer too large to show>"
    text = value if isinstance(value, str) else str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return repr(text) if isinstance(value, str) else text
