"""IAM Identity Center permission sets and Directory Service trusts, judged.

A permission set grants full administrator access when its policies, capped by its permissions
boundary, allow every action on every resource (the IAM policy engine decides). AWS managed
policies are referenced by ARN: ``AdministratorAccess`` is AWS's ``*`` on ``*``; the other AWS
managed policies are not (their documents are AWS's job-function policies, none of which allows
everything). A customer managed policy reference names a policy that lives in each target
account, whose content the management account cannot see: the verdict then is unknown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fnmatch import fnmatchcase
from typing import Any

from awsaudit.analyze.iam.admin_policy import AdminGrant, full_admin_verdict
from awsaudit.analyze.iam.policy import Policy, PolicyKind, parse_policy

ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"
_EVERYTHING = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


class AdminState(StrEnum):
    FULL = "full-admin"
    CONDITIONAL = "conditional-admin"
    NOT_ADMIN = "not-admin"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Holder:
    principal_type: str  # GROUP or USER
    principal_id: str
    display: str  # the group's name when the identity store lists it, else the id
    account: str


@dataclass(frozen=True)
class PermissionSetVerdict:
    arn: str
    name: str
    state: AdminState
    reason: str
    holders: tuple[Holder, ...]

    def outside(self, administrators: Sequence[str]) -> tuple[Holder, ...]:
        """Holders that are not a configured administrator group (users always are outside)."""
        return tuple(
            h
            for h in self.holders
            if h.principal_type != "GROUP" or not any(fnmatchcase(h.display, glob) for glob in administrators)
        )


def _managed(arn: str) -> Policy | None:
    """The document of an AWS managed policy as far as full-admin goes; None for a customer one."""
    if arn == ADMINISTRATOR_ACCESS or (arn.endswith(":policy/AdministratorAccess") and ":aws:policy/" in arn):
        return parse_policy(_EVERYTHING, name="AdministratorAccess")
    if ":aws:policy/" in arn:
        return parse_policy({"Version": "2012-10-17", "Statement": []}, name=arn.rsplit("/", 1)[-1])
    return None


def _admin_state(policies: Iterable[Policy]) -> AdminState:
    grants = {full_admin_verdict(p).grant for p in policies}
    if AdminGrant.FULL in grants:
        return AdminState.FULL
    if AdminGrant.CONDITIONAL in grants:
        return AdminState.CONDITIONAL
    return AdminState.NOT_ADMIN


def judge_permission_set(
    permission_set: Mapping[str, Any], groups: Mapping[str, str]
) -> PermissionSetVerdict:
    """``permission_set`` as ``sso-admin/Instances`` holds it (sub-call fields already read)."""
    name = str(permission_set.get("Name"))
    policies: list[Policy] = []
    unknown: list[str] = []
    for attached in permission_set.get("AttachedManagedPolicies") or []:
        document = _managed(str(attached.get("Arn")))
        if document is not None:
            policies.append(document)
    for reference in permission_set.get("CustomerManagedPolicyReferences") or []:
        unknown.append(f"customer managed policy {reference.get('Path', '/')}{reference.get('Name')}")
    inline = permission_set.get("InlinePolicy")
    if inline:
        policies.append(parse_policy(inline, name=f"{name} inline policy", kind=PolicyKind.IDENTITY))
    state = _admin_state(policies)
    reason = (
        "grants every action on every resource" if state is AdminState.FULL else "does not grant everything"
    )
    boundary = permission_set.get("PermissionsBoundary")
    if state is not AdminState.NOT_ADMIN and boundary:
        capped = boundary.get("ManagedPolicyArn")
        document = _managed(str(capped)) if capped else None
        if document is None:
            state, reason = AdminState.UNKNOWN, "its permissions boundary is a customer managed policy"
        elif _admin_state([document]) is AdminState.NOT_ADMIN:
            state, reason = AdminState.NOT_ADMIN, f"capped by the permissions boundary {capped}"
    if state is AdminState.NOT_ADMIN and unknown:
        state, reason = AdminState.UNKNOWN, f"{', '.join(unknown)} cannot be read from here"
    holders = tuple(
        Holder(
            str(a.get("PrincipalType")),
            str(a.get("PrincipalId")),
            groups.get(str(a.get("PrincipalId")), str(a.get("PrincipalId"))),
            str(a.get("AccountId")),
        )
        for a in permission_set.get("AccountAssignments") or []
    )
    return PermissionSetVerdict(str(permission_set.get("PermissionSetArn")), name, state, reason, holders)


@dataclass(frozen=True)
class TrustRisk:
    directory_id: str
    directory_name: str
    remote_domain: str
    direction: str
    trust_type: str
    selective_auth: str
    to_aws_directory: bool

    @property
    def fails(self) -> bool:
        """A two-way forest trust to a domain outside AWS without selective authentication."""
        return (
            self.direction == "Two-Way"
            and self.trust_type == "Forest"
            and self.selective_auth != "Enabled"
            and not self.to_aws_directory
        )

    def evidence(self) -> dict[str, Any]:
        return {
            "directory": self.directory_id,
            "directory_name": self.directory_name,
            "remote_domain": self.remote_domain,
            "direction": self.direction,
            "type": self.trust_type,
            "selective_auth": self.selective_auth,
            "remote_is_aws_directory": self.to_aws_directory,
        }


def judge_trusts(
    directory: Mapping[str, Any], trusts: Sequence[Mapping[str, Any]], known_domains: set[str]
) -> list[TrustRisk]:
    return [
        TrustRisk(
            directory_id=str(directory.get("DirectoryId")),
            directory_name=str(directory.get("Name")),
            remote_domain=str(trust.get("RemoteDomainName")),
            direction=str(trust.get("TrustDirection")),
            trust_type=str(trust.get("TrustType") or "Forest"),  # AWS's default trust type
            # Selective authentication is off unless set (AWS's default).
            selective_auth=str(trust.get("SelectiveAuth") or "Disabled"),
            to_aws_directory=str(trust.get("RemoteDomainName", "")).lower() in known_domains,
        )
        for trust in trusts
    ]
