"""Output of the IAM queries `awsaudit who-can` and `awsaudit iam-paths`: a table or JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from awsaudit.analyze.admitted import ResourcePolicyAnswer
from awsaudit.analyze.iam import ADMIN, Edge, Reachable, UnknownReach, WhoCan
from awsaudit.analyze.iam.adapters import IamModel, conditions_evidence, hop_evidence
from awsaudit.terminal import write_text

# Said on every answer: without it, a bucket readable by "*" missing from `iam-paths` (or, before
# resource policies were listed, from `who-can s3:GetObject`) reads as "nobody can".
RESOURCE_POLICIES_NOTE = (
    "Scope: identity-based policies only. Principals admitted by resource-based policies (S3 bucket, "
    "KMS key, SQS, SNS, Lambda, ECR, Secrets Manager policies), anonymous access included, are not "
    "listed; the exposure checks judge those (s3.bucket_public_access and the *_not_exposed checks)."
)
WHO_CAN_SCOPE_NOTE = (
    "Scope: principals are listed from identity-based policies; resource-based policies (S3 bucket, KMS "
    "key, SNS, SQS, Lambda, ECR, Secrets Manager, EventBridge, CloudWatch Logs, Glacier, S3 access "
    "point, OpenSearch, API Gateway) are listed apart, by whom they admit, anonymous access included. "
    "Not included: S3 ACLs, VPC endpoint policies, resource control policies, and a resource policy's "
    "Deny against the principals listed."
)


def query_notes(model: IamModel, scope: str = RESOURCE_POLICIES_NOTE) -> list[str]:
    """What limits every answer: how SCPs were treated and which policies could not be read."""
    notes = [scope, f"SCPs: {model.scps}"]
    notes.extend(f"unreadable {name}: {problem}" for name, problem in sorted(model.unreadable.items()))
    trust_problems = model.graph.trust_problems() if model.graph is not None else model.unreadable_trust
    notes.extend(f"unreadable trust policy of {role}: {p}" for role, p in sorted(trust_problems.items()))
    return notes


def _path_text(edges: tuple[Edge, ...]) -> str:
    return "\n".join(f"{edge.explanation} [{', '.join(edge.permissions)}]" for edge in edges)


def _name(arn: str) -> str:
    return arn.split(":", 5)[-1] if arn.startswith("arn:") else arn


def _write_json(payload: dict[str, Any]) -> None:
    write_text(sys.stdout, json.dumps(payload, indent=2) + "\n")


def _print_notes(notes: list[str], console: Console) -> None:
    for note in notes:
        console.print(note, highlight=False, markup=False)


# ---------------------------------------------------------------- who-can


def _answer_status(answer: WhoCan) -> str:
    if answer.unknown:
        return "unknown"
    return "conditional" if answer.conditional else "yes"


def _answer_detail(answer: WhoCan) -> str:
    decision = answer.decision
    if answer.unknown_reach is not None:
        return "\n".join(
            filter(None, [_path_text(answer.path), f"cannot be ruled out: {answer.unknown_reach.reason}"])
        )
    if answer.via_escalation or decision is None:
        return _path_text(answer.path)
    if answer.unknown:
        return "policies unknown: " + ", ".join(decision.unknown_policies)
    return "\n".join(statement.reference for statement in decision.grants)


def _answer_json(answer: WhoCan) -> dict[str, Any]:
    decision = answer.decision
    return {
        "principal": answer.principal.arn,
        "access": "escalation" if answer.via_escalation else "direct",
        "status": _answer_status(answer),
        "statements": [s.reference for s in decision.grants] if decision else [],
        "conditions": conditions_evidence(decision.conditions) if decision else [],
        "unknown_policies": list(decision.unknown_policies) if decision and answer.unknown else [],
        "path": [hop_evidence(edge) for edge in answer.path],
        **_unknown_json(answer.unknown_reach),
    }


def _unknown_json(reach: UnknownReach | None) -> dict[str, Any]:
    """The unknown node an answer rests on, and why it is unknown (nothing when it rests on none)."""
    if reach is None:
        return {}
    return {"unknown_node": reach.node, "unknown_reason": reach.reason}


def who_can_notes(model: IamModel, resources: ResourcePolicyAnswer) -> list[str]:
    notes = query_notes(model, WHO_CAN_SCOPE_NOTE)
    if resources.not_collected:
        notes.append(
            "resource policies not in the snapshot, not judged: " + "; ".join(resources.not_collected)
        )
    return notes


def show_who_can(
    action: str,
    resource: str | None,
    answers: Sequence[WhoCan],
    resources: ResourcePolicyAnswer,
    notes: list[str],
    output_format: str,
    console: Console,
) -> None:
    if output_format == "json":
        _write_json(
            {
                "action": action,
                "resource": resource or "*",
                "principals": [_answer_json(answer) for answer in answers],
                "resource_policies": {
                    "judged": resources.judged,
                    "admitted": [entry.as_evidence() for entry in resources.admitted],
                    "unknown": [entry.as_evidence() for entry in resources.unknown],
                },
                "notes": notes,
            }
        )
        return
    target = resource or "some resource"
    table = Table(title=f"IAM principals who can {action} on {target}")
    for column in ("Principal", "Access", "Allowed", "Statements / path"):
        table.add_column(column, overflow="fold")
    for answer in answers:
        detail = _answer_detail(answer)
        access = "via escalation" if answer.via_escalation else "direct"
        table.add_row(*map(Text, (_name(answer.principal.arn), access, _answer_status(answer), detail)))
    console.print(table)
    _show_resource_policies(action, target, resources, console)
    _print_notes(notes, console)


def _show_resource_policies(
    action: str, target: str, resources: ResourcePolicyAnswer, console: Console
) -> None:
    if not resources.admitted and not resources.unknown:
        console.print(
            f"No resource policy admits {action} on {target} ({resources.judged} resource(s) judged).",
            highlight=False,
            markup=False,
        )
        return
    table = Table(title=f"Resource policies that admit {action} on {target}")
    for column in ("Resource", "Admits", "Reach", "Statement"):
        table.add_column(column, overflow="fold")
    for entry in resources.admitted:
        grant = entry.grant
        reach = (
            grant.reach.label
            if entry.blocked_by is None
            else f"{grant.reach.label} (blocked by {entry.blocked_by})"
        )
        detail = [grant.label()]
        detail += [f"pinned by {', '.join(grant.pinned_by)}"] if grant.pinned_by else []
        detail += [f"narrowed by {', '.join(grant.denied_by)}"] if grant.denied_by else []
        table.add_row(
            *map(Text, (f"{entry.noun} {_name(entry.resource)}", grant.principal, reach, "\n".join(detail)))
        )
    for unknown in resources.unknown:
        table.add_row(
            *map(Text, (f"{unknown.noun} {_name(unknown.resource)}", "?", "unknown", unknown.reason))
        )
    console.print(table)


# ---------------------------------------------------------------- iam-paths


def _admin_answer(reached: Sequence[Reachable]) -> bool | str:
    """True, False, or "unknown" when no path is known but one cannot be ruled out."""
    for entry in reached:
        if entry.target == ADMIN:
            return "unknown" if entry.unknown_reach is not None else True
    return False


def _reachable_json(reachable: Reachable) -> dict[str, Any]:
    return {
        "target": reachable.target,
        "steps": len(reachable.edges),
        "conditional": reachable.conditional,
        "path": [hop_evidence(edge) for edge in reachable.edges],
        **_unknown_json(reachable.unknown_reach),
    }


def show_paths(
    principal_arn: str,
    principal_label: str,
    reached: Sequence[Reachable],
    notes: list[str],
    output_format: str,
    console: Console,
) -> None:
    if output_format == "json":
        _write_json(
            {
                "principal": principal_arn,
                "admin": _admin_answer(reached),
                "reachable": [_reachable_json(r) for r in reached],
                "notes": notes,
            }
        )
        return
    table = Table(title=f"Where {principal_label} can get to")
    unknown_admin = next((r for r in reached if r.unknown_reach is not None), None)
    for column in ("Target", "Steps", "Conditional", "Path"):
        table.add_column(column, overflow="fold")
    for entry in reached:
        target = "ADMIN" if entry.target == ADMIN else _name(entry.target)
        path = _path_text(entry.edges) if entry.edges else "is an administrator itself"
        conditional = "yes" if entry.conditional else "no"
        if entry is unknown_admin and entry.unknown_reach is not None:
            target = "ADMIN (unknown)"
            path = "\n".join(
                filter(None, [_path_text(entry.edges), f"cannot be ruled out: {entry.unknown_reach.reason}"])
            )
        table.add_row(*map(Text, (target, str(len(entry.edges)), conditional, path)))
    console.print(table)
    if not reached:
        console.print(f"{principal_label} cannot become any other principal.", highlight=False)
    _print_notes(notes, console)
