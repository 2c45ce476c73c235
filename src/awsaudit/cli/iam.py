"""The IAM queries: `awsaudit who-can ACTION SNAPSHOT` and `awsaudit iam-paths PRINCIPAL SNAPSHOT`.

Both read a saved snapshot and answer from the same escalation graph the checks use.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from awsaudit.analyze.admitted import admitted_by_resource_policies
from awsaudit.analyze.iam import EscalationGraph, paths_from
from awsaudit.analyze.iam import who_can as query_who_can
from awsaudit.analyze.iam.adapters import IamModel, build_iam_model
from awsaudit.cli.common import console, guard
from awsaudit.errors import UsageProblem
from awsaudit.report.iam_queries import query_notes, show_paths, show_who_can, who_can_notes
from awsaudit.snapshot import NotCollected, Snapshot, load

_FORMATS = ("table", "json")

SnapshotArg = Annotated[Path, typer.Argument(metavar="SNAPSHOT", help="A snapshot written by collect.")]
FormatOpt = Annotated[str, typer.Option("--format", help="table or json.")]


def _model(
    snapshot_path: Path, output_format: str, snapshot: Snapshot | None = None
) -> tuple[IamModel, EscalationGraph]:
    """The IAM model of a saved snapshot and its graph; input problems become usage errors (exit 2)."""
    if output_format not in _FORMATS:
        raise UsageProblem(f"unknown format {output_format!r} (choose {' or '.join(_FORMATS)})")
    try:
        model = build_iam_model(snapshot or load(snapshot_path))
    except NotCollected as absent:
        raise UsageProblem(
            f"{snapshot_path}: {absent.service}/{absent.dataset} was not collected ({absent.reason})"
        ) from None
    if model.graph is None:
        raise UsageProblem(f"{snapshot_path}: {model.problem}")
    return model, model.graph


def who_can(
    action: Annotated[str, typer.Argument(help="An IAM action, e.g. s3:GetObject (no wildcards).")],
    snapshot_path: SnapshotArg,
    resource: Annotated[
        str | None, typer.Option("--resource", help="A resource ARN (default: any resource).")
    ] = None,
    output_format: FormatOpt = "table",
) -> None:
    """List the principals that can perform ACTION, directly or by escalating (marked, with the path),
    then whom resource policies (S3 bucket, KMS key, ... policies) admit to it."""

    def body() -> None:
        service, _, name = action.partition(":")
        if not service or not name or any(char in action for char in "*?"):
            raise UsageProblem(f"{action!r} is not one IAM action of the form service:Action (no wildcards)")
        if output_format not in _FORMATS:
            raise UsageProblem(f"unknown format {output_format!r} (choose {' or '.join(_FORMATS)})")
        snapshot = load(snapshot_path)
        model, graph = _model(snapshot_path, output_format, snapshot)
        answers = query_who_can(graph, action, resource)
        resources = admitted_by_resource_policies(snapshot, action, resource)
        notes = who_can_notes(model, resources)
        if graph.analysis.catalog.index(action) is None:
            notes.insert(0, f"{action} is not in the action catalog: only wildcard statements can match it")
        show_who_can(action, resource, answers, resources, notes, output_format, console)

    guard(body)


def iam_paths(
    principal: Annotated[
        str, typer.Argument(help="A user or role: ARN, user/NAME, role/NAME or a unique name.")
    ],
    snapshot_path: SnapshotArg,
    output_format: FormatOpt = "table",
) -> None:
    """Show where PRINCIPAL can get to (other principals, admin), each by its shortest path."""

    def body() -> None:
        model, graph = _model(snapshot_path, output_format)
        source = graph.analysis.principal(principal)
        if source is None:
            raise UsageProblem(
                f"no single user or role matches {principal!r} (use its ARN, user/NAME or role/NAME)"
            )
        reached = paths_from(graph, source)
        show_paths(source.arn, source.label, reached, query_notes(model), output_format, console)

    guard(body)


def register(app: typer.Typer) -> None:
    """Add the IAM query commands to a command line."""
    app.command("who-can")(who_can)
    app.command("iam-paths")(iam_paths)
