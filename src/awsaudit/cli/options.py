"""The command-line options several command groups share."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from awsaudit.cli import errors

ProfileOpt = Annotated[str | None, typer.Option("--profile", help="AWS profile from ~/.aws/config.")]
RegionsOpt = Annotated[
    str | None, typer.Option("--regions", help="Comma-separated regions (default: every enabled region).")
]
RoleOpt = Annotated[str | None, typer.Option("--role-arn", help="Assume this role before collecting.")]
ExternalIdOpt = Annotated[
    str | None,
    typer.Option(
        "--external-id", help="External id for --role-arn (and for --audit-role with --organization)."
    ),
]
EndpointOpt = Annotated[
    str | None,
    typer.Option("--endpoint-url", envvar="AWS_ENDPOINT_URL", help="Send every API call to this endpoint."),
]
WorkersOpt = Annotated[int, typer.Option("--max-workers", min=1, max=256, help="Concurrent API calls.")]
FrameworkOpt = Annotated[
    list[str] | None, typer.Option("--framework", help="Framework id or id@version (repeatable).")
]
ChecksOpt = Annotated[
    list[str] | None, typer.Option("--checks", help="Check ids or globs to run (repeatable).")
]
ExcludeOpt = Annotated[list[str] | None, typer.Option("--exclude-checks", help="Check ids or globs to skip.")]
SeverityOpt = Annotated[str | None, typer.Option("--severity", help="Only checks at or above this severity.")]
ConfigOpt = Annotated[Path | None, typer.Option("--config", help="YAML or TOML file with audit settings.")]
TrustedOpt = Annotated[
    list[str] | None,
    typer.Option("--trusted-cidr", help="A company CIDR (repeatable; overrides the config)."),
]
FormatOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--output-format",
        help=(
            "Report formats, repeatable or comma-separated: json, csv, ocsf, asff, junit, markdown, html, "
            "remediation."
        ),
    ),
]
OutputDirOpt = Annotated[Path, typer.Option("--output-dir", help="Directory the reports are written to.")]
SuppressionsOpt = Annotated[
    Path | None,
    typer.Option("--suppressions", help="YAML file of suppressions (reason and expiry required)."),
]
FailOnOpt = Annotated[
    str | None, typer.Option("--fail-on", help="Exit 1 when a FAIL at or above this severity remains.")
]
FailOnUnknownOpt = Annotated[
    bool, typer.Option("--fail-on-unknown", help="Exit 3 when collection errors left controls UNKNOWN.")
]
SecurityHubOpt = Annotated[
    bool,
    typer.Option(
        "--security-hub",
        help="Also import the FAIL findings into AWS Security Hub (a write: `permissions --security-hub`).",
    ),
]
NoStoreOpt = Annotated[
    bool, typer.Option("--no-store", help="Do not keep this audit in the history database.")
]
OrganizationOpt = Annotated[
    bool,
    typer.Option(
        "--organization",
        help="Scan every active account of the organization (management or delegated administrator "
        "credentials), assuming --audit-role in each.",
    ),
]
AuditRoleOpt = Annotated[
    str,
    typer.Option("--audit-role", help="Role name assumed in each member account (with --organization)."),
]
AccountsOpt = Annotated[
    str | None, typer.Option("--accounts", help="Comma-separated account ids: scan only these.")
]
ExcludeAccountsOpt = Annotated[
    str | None, typer.Option("--exclude-accounts", help="Comma-separated account ids to skip.")
]
OusOpt = Annotated[
    str | None,
    typer.Option("--ous", help="Comma-separated OU (or root) ids or names: accounts beneath them only."),
]
AccountsParallelOpt = Annotated[
    int,
    typer.Option(
        "--max-accounts-parallel",
        min=1,
        max=64,
        help="Accounts scanned at once; they share --max-workers (each gets max-workers / this).",
    ),
]

ScanOutputOpt = Annotated[
    str,
    typer.Option(
        "--output-dir",
        help="Directory the reports are written to; with --organization --executor dask also a URI "
        "(s3://bucket/prefix) that every worker can write to.",
    ),
]
ExecutorOpt = Annotated[
    str,
    typer.Option(
        "--executor",
        help="Where an organization's accounts are scanned: local (this machine) or dask.",
    ),
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="Address of an existing Dask scheduler (tcp://HOST:PORT); default: a local cluster for the run.",
    ),
]
AccountProcessesOpt = Annotated[
    int,
    typer.Option(
        "--account-processes",
        min=0,
        max=256,
        help="Worker processes scanning the accounts with --executor local, at most one per CPU is "
        "useful (default 0: threads of this process).",
    ),
]
DaskWorkersOpt = Annotated[
    int,
    typer.Option(
        "--dask-workers", min=1, max=256, help="Worker processes of the local Dask cluster (no --scheduler)."
    ),
]
WorkerCredentialsOpt = Annotated[
    bool,
    typer.Option(
        "--worker-credentials",
        help="Dask workers assume --audit-role with their own identity instead of receiving credentials.",
    ),
]

StoreOpt = Annotated[
    str | None,
    typer.Option(
        "--store",
        envvar="AWSAUDIT_STORE",
        help="History database URL (sqlite:///PATH or postgresql://…); default: a file in the user data dir.",
    ),
]
AccountOpt = Annotated[
    str | None, typer.Option("--account", help="Account id (needed when the store holds several).")
]
QuietOpt = Annotated[
    bool,
    typer.Option(
        "--quiet", "-q", help="No progress bar and no summary tables: only the closing result block."
    ),
]


def _debug(value: bool) -> None:
    if value:  # never turns off what the top-level `awsaudit --debug` turned on
        errors.debug = True


# The top-level `awsaudit --debug`, also accepted after the commands that run an audit.
DebugOpt = Annotated[
    bool,
    typer.Option(
        "--debug",
        callback=_debug,
        expose_value=False,
        help="On an error, print the traceback before the one-line message (as `awsaudit --debug`).",
    ),
]
OrganizationContextOpt = Annotated[
    str | None,
    typer.Option(
        "--organization-context",
        help="Judge this account with its organization's facts (linked budgets, internal trusts, "
        "centralized root access, SCPs above it), from: caller (the scanning credentials are the "
        "management or a delegated administrator account), profile:NAME (such an account's profile), "
        "or a snapshot written by scan --organization.",
    ),
]
OrganizationHistoryOpt = Annotated[
    bool,
    typer.Option(
        "--organization",
        help="The organization runs (from scan --organization) instead of one account's scans.",
    ),
]
OrganizationIdOpt = Annotated[
    str | None,
    typer.Option(
        "--organization-id",
        help="Organization id, with --organization (needed when the store holds several).",
    ),
]
