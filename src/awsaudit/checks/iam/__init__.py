"""IAM checks (guide G2; CIS v7 2.4-2.20), one module per topic, and the inputs they share."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

from awsaudit.analyze.iam.account import IamAccount, parse_authorization_details
from awsaudit.analyze.iam.credential_report import (
    AccessKey,
    CredentialReportError,
    CredentialRow,
    parse_row,
    report_rows,
    root_row,
)
from awsaudit.analyze.iam.errors import PolicyParseError
from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.registry import Needs
from awsaudit.snapshot import GLOBAL

CREDENTIAL_REPORT = Needs("iam", "CredentialReport")
ACCOUNT_SUMMARY = Needs("iam", "AccountSummary")
PASSWORD_POLICY = Needs("iam", "PasswordPolicy")
AUTHORIZATION = Needs("iam", "AccountAuthorizationDetails")
CREDENTIAL_REPORT_DOC = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html"
ACCESS_KEYS_DOC = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html"


def credential_age(ctx: CheckContext, when: datetime) -> timedelta:
    return ctx.snapshot.collected_at - when


def parsed_report(ctx: CheckContext) -> list[tuple[Mapping[str, Any], CredentialRow | str]]:
    """Each raw row with its parsed form, or the reason it cannot be parsed; shared by every check."""

    def parse() -> list[tuple[Mapping[str, Any], CredentialRow | str]]:
        parsed: list[tuple[Mapping[str, Any], CredentialRow | str]] = []
        for raw in report_rows(ctx.global_dataset("iam", "CredentialReport")):
            try:
                parsed.append((raw, parse_row(raw)))
            except CredentialReportError as problem:
                parsed.append((raw, str(problem)))
        return parsed

    return ctx.derived("iam.credential_report", parse)


def each_user(ctx: CheckContext, judge: Callable[[CredentialRow], Iterable[Result]]) -> Iterator[Result]:
    """Judge every IAM user row of the credential report (root excluded); a bad row is UNKNOWN alone."""
    for raw, row in parsed_report(ctx):
        if isinstance(row, str):
            yield ctx.unknown(str(raw.get("arn") or raw.get("user")), row, {"row": dict(raw)})
        elif not row.is_root:
            yield from judge(row)


def root_or_none(ctx: CheckContext) -> CredentialRow | None:
    return root_row(ctx.global_dataset("iam", "CredentialReport"))


def key_columns(key: AccessKey) -> tuple[str, ...]:
    prefix = f"access_key_{key.number}_"
    return (f"{prefix}active", f"{prefix}last_rotated", f"{prefix}last_used_date")


def shared_authorization_parser(ctx: CheckContext) -> Callable[[Mapping[str, Any]], IamAccount]:
    """`parse_authorization_details` (without SCPs), reading the account's authorization details once per
    evaluation for every check that asks (the IAM model, organizations.intervention_capability); an
    unreadable dataset raises the same PolicyParseError for each. Other documents are read as asked."""

    def parse(details: Mapping[str, Any]) -> IamAccount:
        def read() -> tuple[Mapping[str, Any], IamAccount | str]:
            try:
                return details, parse_authorization_details(details)
            except PolicyParseError as problem:
                return details, str(problem)

        read_from, read_as = ctx.derived("iam.authorization_details", read, GLOBAL)
        if read_from is not details:
            return parse_authorization_details(details)
        if isinstance(read_as, str):
            raise PolicyParseError(read_as)
        return read_as

    return parse


def authorization(ctx: CheckContext) -> Mapping[str, Any]:
    details: Mapping[str, Any] = ctx.global_dataset("iam", "AccountAuthorizationDetails")
    return details
