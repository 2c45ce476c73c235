"""`awsaudit checks`, `frameworks` and `permissions`: what awsaudit knows and what it needs."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from awsaudit.cli.common import console, guard
from awsaudit.cli.options import AuditRoleOpt
from awsaudit.collect.organization.credentials import DEFAULT_AUDIT_ROLE
from awsaudit.collect.organization.policies import management_policy, member_policy, member_trust_policy
from awsaudit.collect.registry import required_actions
from awsaudit.collect.securityhub_import import IMPORT_ACTIONS
from awsaudit.errors import UsageProblem
from awsaudit.report.catalogue import render_checks, render_framework, render_frameworks
from awsaudit.terminal import write_text

_CHECK_FORMATS = ("table", "markdown", "json")


def list_checks(
    output_format: Annotated[str, typer.Option("--format", help="table, markdown or json.")] = "table",
) -> None:
    """List every check with its severity, scope and the frameworks that use it."""

    def body() -> None:
        if output_format not in _CHECK_FORMATS:
            raise UsageProblem(f"unknown format {output_format!r} (choose table, markdown or json)")
        render_checks(output_format, console)

    guard(body)


def list_frameworks(
    name: Annotated[
        str | None, typer.Argument(help="Show one framework's controls (id or id@version).")
    ] = None,
) -> None:
    """List the compliance frameworks, or the controls of one."""

    def body() -> None:
        if name is None:
            render_frameworks(console)
        else:
            render_framework(name, console)

    guard(body)


def permissions(
    security_hub: Annotated[
        bool,
        typer.Option("--security-hub", help="Add the write permissions `scan --security-hub` needs."),
    ] = False,
    organization: Annotated[
        bool,
        typer.Option(
            "--organization",
            help="Print the policies of both sides of `scan --organization`: the scanning identity's "
            "(management account or delegated administrator) and the member audit role's.",
        ),
    ] = False,
    audit_role: AuditRoleOpt = DEFAULT_AUDIT_ROLE,
    scanning_account: Annotated[
        str | None,
        typer.Option(
            "--scanning-account",
            help="With --organization: the account id the scan runs from (adds the audit role trust policy).",
        ),
    ] = None,
) -> None:
    """Print the read-only IAM policy awsaudit needs (every action its collectors call)."""

    def body() -> None:
        if not organization and (scanning_account is not None or audit_role != DEFAULT_AUDIT_ROLE):
            raise UsageProblem("--audit-role and --scanning-account need --organization")
        if organization:
            write_text(sys.stdout, json.dumps(_organization_policies(), indent=2) + "\n")
            return
        policy = {"Version": "2012-10-17", "Statement": _single_account(security_hub)}
        write_text(sys.stdout, json.dumps(policy, indent=2) + "\n")

    def _organization_policies() -> dict[str, object]:
        if scanning_account is not None and not (scanning_account.isdigit() and len(scanning_account) == 12):
            raise UsageProblem(f"--scanning-account {scanning_account!r} is not a 12-digit account id")
        management = management_policy(audit_role)
        if security_hub:
            management["Statement"].extend(_single_account(True)[1:])
        member: dict[str, object] = {"RoleName": audit_role, "PermissionsPolicy": member_policy()}
        if scanning_account is not None:
            member["TrustPolicy"] = member_trust_policy(scanning_account)
        return {"ScanningIdentity": {"Policy": management}, "MemberAuditRole": member}

    guard(body)


def _single_account(security_hub: bool) -> list[dict[str, object]]:
    statements: list[dict[str, object]] = [
        {"Sid": "AwsauditReadOnly", "Effect": "Allow", "Action": required_actions(), "Resource": "*"}
    ]
    if security_hub:
        statements.append(
            {
                "Sid": "AwsauditSecurityHubImport",
                "Effect": "Allow",
                "Action": list(IMPORT_ACTIONS),
                "Resource": "*",
            }
        )
    return statements


def register(app: typer.Typer) -> None:
    """Add the catalogue commands to a command line."""
    app.command("checks")(list_checks)
    app.command("frameworks")(list_frameworks)
    app.command()(permissions)
