"""`awsaudit checks`, `frameworks` and `permissions`: what awsaudit knows and what it needs."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from awsaudit.catalogue import render_checks, render_framework, render_frameworks
from awsaudit.cli.common import console, guard
from awsaudit.collect.registry import required_actions
from awsaudit.collect.securityhub_import import IMPORT_ACTIONS
from awsaudit.errors import UsageProblem
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
) -> None:
    """Print the read-only IAM policy awsaudit needs (every action its collectors call)."""
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
    policy = {"Version": "2012-10-17", "Statement": statements}
    write_text(sys.stdout, json.dumps(policy, indent=2) + "\n")


def register(app: typer.Typer) -> None:
    """Add the catalogue commands to a command line."""
    app.command("checks")(list_checks)
    app.command("frameworks")(list_frameworks)
    app.command()(permissions)
