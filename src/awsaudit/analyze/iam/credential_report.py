"""Typed rows of the IAM credential report (`iam/global/CredentialReport`).

The report is a CSV whose cells are either a value or one of three markers:
``N/A`` (nothing to report: no password, a key never used), ``no_information``
(IAM has no record, e.g. use before IAM started tracking it) and
``not_supported`` (the column does not apply, e.g. the root user's password
flags). The markers are kept apart from values so a check can never mistake
"never used" for a date.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TypeAlias, TypeVar

from awsaudit.errors import AwsauditError, quoted

ROOT_USER = "<root_account>"
KEY_NUMBERS = (1, 2)
CERTIFICATE_NUMBERS = (1, 2)


class CredentialReportError(AwsauditError, ValueError):
    """A credential-report row or cell cannot be understood; the message is one line."""


class Marker(StrEnum):
    """A cell that holds no value, and why."""

    NOT_APPLICABLE = "N/A"
    NO_INFORMATION = "no_information"
    NOT_SUPPORTED = "not_supported"


Stamp: TypeAlias = datetime | Marker
Flag: TypeAlias = bool | Marker
Text: TypeAlias = str | Marker

_T = TypeVar("_T")

_MARKERS = {marker.value: marker for marker in Marker}
_FLAGS = {"true": True, "false": False}


def parse_stamp(text: str) -> Stamp:
    """A report timestamp (with or without microseconds, "+00:00" or "Z"; naive means UTC) or a marker."""
    if text in _MARKERS:
        return _MARKERS[text]
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise CredentialReportError(
            f"{quoted(text)} is neither a timestamp nor N/A, no_information, not_supported"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_flag(text: str) -> Flag:
    if text in _MARKERS:
        return _MARKERS[text]
    flag = _FLAGS.get(text.lower())
    if flag is None:
        raise CredentialReportError(
            f"{quoted(text)} is neither true, false nor N/A, no_information, not_supported"
        )
    return flag


def parse_text(text: str) -> Text:
    return _MARKERS.get(text, text)


def known(stamp: Stamp) -> datetime | None:
    """The date, or None when the cell holds a marker."""
    return stamp if isinstance(stamp, datetime) else None


@dataclass(frozen=True, slots=True)
class AccessKey:
    number: int
    active: Flag
    last_rotated: Stamp
    last_used: Stamp
    last_used_region: Text
    last_used_service: Text

    @property
    def is_active(self) -> bool:
        return self.active is True


@dataclass(frozen=True, slots=True)
class SigningCertificate:
    number: int
    active: Flag
    last_rotated: Stamp


@dataclass(frozen=True, slots=True)
class CredentialRow:
    """One user (or the root user) of the credential report, plus the raw cells for evidence."""

    user: str
    arn: str
    created: Stamp
    password_enabled: Flag
    password_last_used: Stamp
    password_last_changed: Stamp
    password_next_rotation: Stamp
    mfa_active: Flag
    access_keys: tuple[AccessKey, ...]
    certificates: tuple[SigningCertificate, ...]
    cells: Mapping[str, str]

    @property
    def is_root(self) -> bool:
        return self.user == ROOT_USER

    @property
    def has_password(self) -> bool:
        return self.password_enabled is True

    @property
    def active_keys(self) -> tuple[AccessKey, ...]:
        return tuple(key for key in self.access_keys if key.is_active)

    def evidence(self, *columns: str) -> dict[str, str]:
        """The raw cells of the named columns, as AWS wrote them."""
        return {column: self.cells[column] for column in columns if column in self.cells}


# Column names per key and certificate number, spelled once instead of formatted for every row.
_KEY_COLUMNS = tuple(
    (
        n,
        f"access_key_{n}_active",
        f"access_key_{n}_last_rotated",
        f"access_key_{n}_last_used_date",
        f"access_key_{n}_last_used_region",
        f"access_key_{n}_last_used_service",
    )
    for n in KEY_NUMBERS
)
_CERTIFICATE_COLUMNS = tuple((n, f"cert_{n}_active", f"cert_{n}_last_rotated") for n in CERTIFICATE_NUMBERS)


def parse_row(row: Mapping[str, object]) -> CredentialRow:
    """One CSV row (column name -> cell) as a CredentialRow; CredentialReportError on a bad cell."""
    cells = {str(column): "" if value is None else str(value) for column, value in row.items()}
    user = cells.get("user") or "?"

    # Runs for every cell of every user (the report of a large account has tens of thousands of rows).
    def typed(column: str, parse: Callable[[str], _T]) -> _T:
        text = cells.get(column)
        if text is None:
            raise CredentialReportError(f"credential report row for {quoted(user)} has no {column} column")
        try:
            return parse(text)
        except CredentialReportError as problem:
            raise CredentialReportError(
                f"credential report row for {quoted(user)}, {column}: {problem}"
            ) from None

    return CredentialRow(
        typed("user", str),
        typed("arn", str),
        typed("user_creation_time", parse_stamp),
        typed("password_enabled", parse_flag),
        typed("password_last_used", parse_stamp),
        typed("password_last_changed", parse_stamp),
        typed("password_next_rotation", parse_stamp),
        typed("mfa_active", parse_flag),
        tuple(
            AccessKey(
                n,
                typed(active, parse_flag),
                typed(rotated, parse_stamp),
                typed(used, parse_stamp),
                typed(region, parse_text),
                typed(service, parse_text),
            )
            for n, active, rotated, used, region, service in _KEY_COLUMNS
        ),
        tuple(
            SigningCertificate(n, typed(active, parse_flag), typed(rotated, parse_stamp))
            for n, active, rotated in _CERTIFICATE_COLUMNS
        ),
        cells,
    )


def report_rows(dataset: object) -> list[Mapping[str, object]]:
    """The raw rows of the CredentialReport dataset (``{GeneratedTime, Rows}``)."""
    rows = dataset.get("Rows") if isinstance(dataset, Mapping) else None
    if not isinstance(rows, list) or not all(isinstance(row, Mapping) for row in rows):
        raise CredentialReportError("CredentialReport dataset has no list of Rows")
    return rows


def root_row(dataset: object) -> CredentialRow | None:
    """The parsed ``<root_account>`` row, or None when the report has none."""
    for row in report_rows(dataset):
        if row.get("user") == ROOT_USER:
            return parse_row(row)
    return None
