"""The IAM model of a snapshot: the escalation graph built from its datasets, and evidence shapes.

A policy document the engine cannot parse does not stop the analysis: it is read as a policy whose
content is unknown, so only the answers that depend on it become UNKNOWN.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from awsaudit.analyze.iam import (
    Condition,
    Edge,
    EscalationGraph,
    IamAccount,
    Policy,
    PolicyKind,
    PolicyParseError,
    Statement,
    graph_for,
    parse_authorization_details,
    parse_policy,
    scp_levels_for_account,
    with_scp_levels,
)
from awsaudit.snapshot import GLOBAL, NotCollected, Snapshot, resource_field

_INLINE_LISTS = (
    ("UserDetailList", "UserPolicyList", "UserName", "user"),
    ("GroupDetailList", "GroupPolicyList", "GroupName", "group"),
    ("RoleDetailList", "RolePolicyList", "RoleName", "role"),
)


@dataclass(frozen=True)
class IamModel:
    """The escalation graph of the snapshot's account, or why there is none.

    `unreadable`: documents the engine could not parse (label -> error), read as unknown policies.
    `unreadable_trust`: role ARN -> error for trust policies that could not be parsed.
    `scps`: how service control policies were taken into account, in one sentence.
    """

    graph: EscalationGraph | None
    problem: str | None = None
    unreadable: Mapping[str, str] = field(default_factory=dict)
    unreadable_trust: Mapping[str, str] = field(default_factory=dict)
    scps: str = ""


def build_iam_model(
    snapshot: Snapshot,
    parse_details: Callable[[Mapping[str, Any]], IamAccount] = parse_authorization_details,
) -> IamModel:
    """Build the model from `iam/AccountAuthorizationDetails` (+ the organization's SCPs when collected).

    `parse_details`: `parse_authorization_details` (without SCPs), or one that shares its reading of the
    dataset with its other readers."""
    details = snapshot.dataset("iam", GLOBAL, "AccountAuthorizationDetails")
    levels, scps = _scp_levels(snapshot)
    if not isinstance(details, Mapping):
        return IamModel(None, "Cannot analyse the account's authorization details: not an object", scps=scps)
    unreadable: dict[str, str] = {}
    unreadable_trust: dict[str, str] = {}
    try:
        try:
            account = with_scp_levels(parse_details(details), levels)
        except PolicyParseError:
            readable = _readable_details(details, unreadable, unreadable_trust)
            account = parse_authorization_details(readable, scp_levels=levels)
    except PolicyParseError as problem:
        return IamModel(None, f"Cannot analyse the account's authorization details: {problem}", scps=scps)
    return IamModel(graph_for(account, unreadable_trust), None, unreadable, unreadable_trust, scps)


def _parses(document: object, name: str, kind: PolicyKind = PolicyKind.IDENTITY) -> str | None:
    """None when the document parses, else the parser's one-line complaint."""
    try:
        parse_policy(document, name=name, kind=kind)
    except PolicyParseError as problem:
        return str(problem)
    return None


def _readable_details(
    details: Mapping[str, Any], unreadable: dict[str, str], unreadable_trust: dict[str, str]
) -> dict[str, Any]:
    """A copy of the dataset in which every unparseable document is read as a policy of unknown content.

    A managed policy loses the unparseable versions (its default missing makes it unknown to holders); an
    unparseable inline policy becomes an attachment the account does not define (unknown to its holders);
    an unparseable trust policy is dropped and reported separately.
    """
    copy = dict(details)
    policies = []
    for entry in details.get("Policies") or []:
        if not isinstance(entry, Mapping):
            policies.append(entry)
            continue
        arn = str(entry.get("Arn"))
        versions = []
        for version in entry.get("PolicyVersionList") or []:
            readable = isinstance(version, Mapping)
            problem = _parses(version.get("Document") if readable else version, arn)
            if problem is None:
                versions.append(version)
            else:
                unreadable[f"{arn} version {version.get('VersionId') if readable else '?'}"] = problem
        policies.append({**entry, "PolicyVersionList": versions})
    copy["Policies"] = policies
    for entity_list, inline_list, name_key, kind in _INLINE_LISTS:
        entities = []
        for entity in details.get(entity_list) or []:
            if not isinstance(entity, Mapping):
                entities.append(entity)
                continue
            entities.append(
                _readable_entity(entity, inline_list, f"{kind}/{entity.get(name_key)}", unreadable)
            )
            if kind == "role" and "AssumeRolePolicyDocument" in entity:
                problem = _parses(entity["AssumeRolePolicyDocument"], "trust policy", PolicyKind.TRUST)
                if problem is not None:
                    unreadable_trust[str(entity.get("Arn"))] = problem
                    entities[-1]["AssumeRolePolicyDocument"] = None
        copy[entity_list] = entities
    return copy


def _readable_entity(
    entity: Mapping[str, Any], inline_list: str, label: str, unreadable: dict[str, str]
) -> dict[str, Any]:
    kept, unknown = [], []
    for inline in entity.get(inline_list) or []:
        name = inline.get("PolicyName") if isinstance(inline, Mapping) else None
        document = inline.get("PolicyDocument") if isinstance(inline, Mapping) else inline
        problem = _parses(document, f"{label} inline policy {name}")
        if problem is None:
            kept.append(inline)
        else:
            reference = f"{label} inline policy {name} (unreadable)"
            unreadable[reference] = problem
            unknown.append({"PolicyName": str(name), "PolicyArn": reference})
    attached = [*(entity.get("AttachedManagedPolicies") or []), *unknown]
    return {**entity, inline_list: kept, "AttachedManagedPolicies": attached}


def _scp_levels(snapshot: Snapshot) -> tuple[tuple[tuple[Policy, ...], ...], str]:
    """The SCP levels in force for the account, and a sentence saying how they were found.

    The root's and the account's own SCPs are applied. The snapshot does not record which OU holds the
    account, so SCPs attached to OUs are left out: paths they would close are still reported.
    """
    account_id = snapshot.account.account_id
    try:
        organization = snapshot.dataset("organizations", GLOBAL, "Organization").get("Organization")
        if organization is None:
            return (), "the account is in no organization: no SCP applies"
        if organization.get("MasterAccountId") == account_id:
            return (), "management account: SCPs do not apply to it"
        entries = [
            {
                "PolicySummary": entry.get("PolicySummary"),
                "Content": resource_field(entry, "Content", service="organizations", region=GLOBAL),
                "Targets": list(resource_field(entry, "Targets", service="organizations", region=GLOBAL)),
            }
            for entry in snapshot.dataset("organizations", GLOBAL, "Policies")
        ]
    except NotCollected as absent:
        return (), f"not applied, {absent.dataset} not collected ({absent.reason})"
    except (AttributeError, TypeError):
        return (), "not applied, the organization datasets are not shaped as AWS returns them"
    targets = [target for entry in entries for target in entry["Targets"] if isinstance(target, Mapping)]
    roots = sorted({str(t.get("TargetId")) for t in targets if t.get("Type") == "ROOT"})
    try:
        levels = tuple(level for level in scp_levels_for_account(entries, [*roots, account_id]) if level)
    except PolicyParseError as problem:
        return (), f"not applied, unreadable: {problem}"
    units = sorted({str(t.get("TargetId")) for t in targets if t.get("Type") == "ORGANIZATIONAL_UNIT"})
    note = f"{sum(len(level) for level in levels)} SCP(s) of the root and the account applied"
    if units:
        note += f"; SCPs on OUs {', '.join(units)} not applied (the account's OU is not collected)"
    return levels, note


def conditions_evidence(statements: Iterable[Statement]) -> list[dict[str, Any]]:
    return [
        {
            "statement": statement.reference,
            "conditions": [condition_evidence(c) for c in statement.conditions],
        }
        for statement in statements
    ]


def condition_evidence(condition: Condition) -> dict[str, Any]:
    return {"operator": condition.operator, "key": condition.key, "values": list(condition.values)}


def hop_evidence(edge: Edge) -> dict[str, Any]:
    return {
        "kind": edge.kind.value,
        "from": edge.source,
        "to": edge.target,
        "method": edge.method,
        "how": edge.explanation,
        "permissions": list(edge.permissions),
        "statements": list(edge.statements),
        "conditions": conditions_evidence(edge.conditions),
    }
