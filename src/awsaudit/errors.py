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
