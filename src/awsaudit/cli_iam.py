"""The IAM queries: `awsaudit who-can ACTION SNAPSHOT` and `awsaudit iam-paths PRINCIPAL SNAPSHOT`.

Both read a saved snapshot and answer from the same escalation graph the checks use (registered by cli.py).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from awsaudit.analyze.iam import Edge, EscalationGraph, Reachable, WhoCan
    from awsaudit.analyze.iam.adapters import IamModel

_FORMATS = ("table", "json")

SnapshotArg = Annotated[Path, typer.Argument(metavar="SNAPSHOT", help="A snapshot written by collect.")]
FormatOpt = Annotated[str, typer.Option("--format", help="table or json.")]

console = Console()


def _model(snapshot_path: Path, output_format: str) -> tuple[IamModel, EscalationGraph]:
    """The IAM model of a saved snapshot and its graph; input problems become usage errors (exit 2)."""
    from awsaudit.analyze.iam.adapters import build_iam_model
    from awsaudit.cli import UsageProblem
    from awsaudit.snapshot import NotCollected, load

    if output_format not in _FORMATS:
        raise UsageProblem(f"unknown format {output_format!r} (choose {' or '.join(_FORMATS)})")
    try:
        model = build_iam_model(load(snapshot_path))
    except NotCollected as absent:
        raise UsageProblem(
            f"{snapshot_path}: {absent.service}/{absent.dataset} was not collected ({absent.reason})"
        ) from None
    if model.graph is None:
        raise UsageProblem(f"{snapshot_path}: {model.problem}")
    return model, model.graph


def _path_text(edges: tuple[Edge, ...]) -> str:
    return "\n".join(f"{edge.explanation} [{', '.join(edge.permissions)}]" for edge in edges)


def _name(arn: str) -> str:
    return arn.split(":", 5)[-1] if arn.startswith("arn:") else arn


def _write_json(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload, indent=2) + "\n")


def _notes(model: IamModel) -> list[str]:
    notes = [f"SCPs: {model.scps}"]
    notes.extend(f"unreadable {name}: {problem}" for name, problem in sorted(model.unreadable.items()))
    notes.extend(
        f"unreadable trust policy of {role}: {p}" for role, p in sorted(model.unreadable_trust.items())
    )
    return notes


# ---------------------------------------------------------------- who-can


def _answer_status(answer: WhoCan) -> str:
    if answer.unknown:
        return "unknown"
    return "conditional" if answer.conditional else "yes"


def _answer_detail(answer: WhoCan) -> str:
    decision = answer.decision
    if answer.via_escalation or decision is None:
        return _path_text(answer.path)
    if answer.unknown:
        return "policies unknown: " + ", ".join(decision.unknown_policies)
    return "\n".join(statement.reference for statement in decision.grants)


def _answer_json(answer: WhoCan) -> dict[str, Any]:
    from awsaudit.analyze.iam.adapters import conditions_evidence, hop_evidence

    decision = answer.decision
    return {
        "principal": answer.principal.arn,
        "access": "escalation" if answer.via_escalation else "direct",
        "status": _answer_status(answer),
        "statements": [s.reference for s in decision.grants] if decision else [],
        "conditions": conditions_evidence(decision.conditions) if decision else [],
        "unknown_policies": list(decision.unknown_policies) if decision and answer.unknown else [],
        "path": [hop_evidence(edge) for edge in answer.path],
    }


def who_can(
    action: Annotated[str, typer.Argument(help="An IAM action, e.g. s3:GetObject (no wildcards).")],
    snapshot_path: SnapshotArg,
    resource: Annotated[
        str | None, typer.Option("--resource", help="A resource ARN (default: any resource).")
    ] = None,
    output_format: FormatOpt = "table",
) -> None:
    """List the principals that can perform ACTION, directly or by escalating (marked, with the path)."""
    from awsaudit.cli import UsageProblem, _guard

    def body() -> None:
        from awsaudit.analyze.iam import who_can as query

        service, _, name = action.partition(":")
        if not service or not name or any(char in action for char in "*?"):
            raise UsageProblem(f"{action!r} is not one IAM action of the form service:Action (no wildcards)")
        model, graph = _model(snapshot_path, output_format)
        answers = query(graph, action, resource)
        notes = _notes(model)
        if graph.analysis.catalog.index(action) is None:
            notes.insert(0, f"{action} is not in the action catalog: only wildcard statements can match it")
        if output_format == "json":
            _write_json(
                {
                    "action": action,
                    "resource": resource or "*",
                    "principals": [_answer_json(answer) for answer in answers],
                    "notes": notes,
                }
            )
            return
        table = Table(title=f"Who can {action} on {resource or 'some resource'}")
        for column in ("Principal", "Access", "Allowed", "Statements / path"):
            table.add_column(column, overflow="fold")
        for answer in answers:
            detail = _answer_detail(answer)
            access = "via escalation" if answer.via_escalation else "direct"
            table.add_row(*map(Text, (_name(answer.principal.arn), access, _answer_status(answer), detail)))
        console.print(table)
        for note in notes:
            console.print(note, highlight=False, markup=False)

    _guard(body)


# ---------------------------------------------------------------- iam-paths


def _reachable_json(reachable: Reachable) -> dict[str, Any]:
    from awsaudit.analyze.iam.adapters import hop_evidence

    return {
        "target": reachable.target,
        "steps": len(reachable.edges),
        "conditional": reachable.conditional,
        "path": [hop_evidence(edge) for edge in reachable.edges],
    }


def iam_paths(
    principal: Annotated[
        str, typer.Argument(help="A user or role: ARN, user/NAME, role/NAME or a unique name.")
    ],
    snapshot_path: SnapshotArg,
    output_format: FormatOpt = "table",
) -> None:
    """Show where PRINCIPAL can get to (other principals, admin), each by its shortest path."""
    from awsaudit.cli import UsageProblem, _guard

    def body() -> None:
        from awsaudit.analyze.iam import ADMIN, paths_from

        model, graph = _model(snapshot_path, output_format)
        source = graph.analysis.principal(principal)
        if source is None:
            raise UsageProblem(
                f"no single user or role matches {principal!r} (use its ARN, user/NAME or role/NAME)"
            )
        reached = paths_from(graph, source)
        if output_format == "json":
            _write_json(
                {
                    "principal": source.arn,
                    "admin": any(r.target == ADMIN for r in reached),
                    "reachable": [_reachable_json(r) for r in reached],
                    "notes": _notes(model),
                }
            )
            return
        table = Table(title=f"Where {source.label} can get to")
        for column in ("Target", "Steps", "Conditional", "Path"):
            table.add_column(column, overflow="fold")
        for entry in reached:
            target = "ADMIN" if entry.target == ADMIN else _name(entry.target)
            path = _path_text(entry.edges) if entry.edges else "is an administrator itself"
            conditional = "yes" if entry.conditional else "no"
            table.add_row(*map(Text, (target, str(len(entry.edges)), conditional, path)))
        console.print(table)
        if not reached:
            console.print(f"{source.label} cannot become any other principal.", highlight=False)
        for note in _notes(model):
            console.print(note, highlight=False, markup=False)

    _guard(body)


def register(app: typer.Typer) -> None:
    """Add the IAM query commands to the main command line."""
    app.command("who-can")(who_can)
    app.command("iam-paths")(iam_paths)
