"""Typed view of `iam/global/AccountAuthorizationDetails` (+ the SCPs that apply to the account)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from types import MappingProxyType

from awsaudit.analyze.iam.errors import PolicyParseError
from awsaudit.analyze.iam.evaluation import PermissionContext
from awsaudit.analyze.iam.policy import Policy, PolicyKind, parse_policy


class PrincipalKind(StrEnum):
    USER = "user"
    ROLE = "role"


@dataclass(frozen=True, slots=True)
class ManagedPolicy:
    arn: str
    name: str
    default_version_id: str
    document: Policy | None
    other_versions: tuple[tuple[str, Policy], ...]

    @property
    def aws_managed(self) -> bool:
        return ":aws:policy/" in self.arn


@dataclass(frozen=True, slots=True)
class Group:
    name: str
    arn: str
    inline_policies: tuple[Policy, ...]
    attached_policy_arns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Principal:
    kind: PrincipalKind
    name: str
    arn: str
    principal_id: str
    account_id: str
    inline_policies: tuple[Policy, ...]
    attached_policy_arns: tuple[str, ...]
    group_names: tuple[str, ...] = ()
    boundary_arn: str | None = None
    trust_policy: Policy | None = None
    instance_profile_arns: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.kind.value}/{self.name}"


@dataclass(frozen=True, slots=True)
class IamAccount:
    """The principals of one account and every policy that can apply to them."""

    account_id: str
    users: tuple[Principal, ...]
    roles: tuple[Principal, ...]
    groups: Mapping[str, Group]
    policies: Mapping[str, ManagedPolicy]
    scp_levels: tuple[tuple[Policy, ...], ...] = ()

    @property
    def principals(self) -> tuple[Principal, ...]:
        return (*self.users, *self.roles)

    def principal_groups(self, principal: Principal) -> tuple[Group, ...]:
        return tuple(self.groups[name] for name in principal.group_names if name in self.groups)

    def attached_policy_arns(self, principal: Principal) -> tuple[str, ...]:
        """The managed policies in force for a principal: its own and its groups', without repeats."""
        arns = list(principal.attached_policy_arns)
        for group in self.principal_groups(principal):
            arns.extend(group.attached_policy_arns)
        return tuple(dict.fromkeys(arns))

    def context(self, principal: Principal, *, with_boundary: bool = True) -> PermissionContext:
        identity: list[Policy] = list(principal.inline_policies)
        for group in self.principal_groups(principal):
            identity.extend(group.inline_policies)
        unknown: list[str] = [f"group {name}" for name in principal.group_names if name not in self.groups]
        for arn in self.attached_policy_arns(principal):
            managed = self.policies.get(arn)
            if managed is None or managed.document is None:
                unknown.append(arn)
            else:
                identity.append(managed.document)
        boundary: Policy | None = None
        unknown_boundary: str | None = None
        if with_boundary and principal.boundary_arn:
            managed = self.policies.get(principal.boundary_arn)
            if managed is None or managed.document is None:
                unknown_boundary = principal.boundary_arn
            else:
                boundary = managed.document
        return PermissionContext(
            identity=tuple(identity),
            boundary=boundary,
            scp_levels=self.scp_levels,
            unknown_policies=tuple(unknown),
            unknown_boundary=unknown_boundary,
        )


def _text(entry: Mapping[str, object], key: str, *, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value:
        raise PolicyParseError(f"{where}: missing {key}")
    return value


def _entries(data: Mapping[str, object], key: str) -> list[Mapping[str, object]]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        raise PolicyParseError(f"authorization details: {key} must be a list of objects")
    return value


def _inline(entry: Mapping[str, object], key: str, owner: str) -> tuple[Policy, ...]:
    policies: list[Policy] = []
    for item in _entries(entry, key):
        name = _text(item, "PolicyName", where=f"{owner} {key}")
        policies.append(parse_policy(item.get("PolicyDocument"), name=f"{owner} inline policy {name}"))
    return tuple(policies)


def _attached(entry: Mapping[str, object], owner: str) -> tuple[str, ...]:
    return tuple(
        _text(item, "PolicyArn", where=f"{owner} AttachedManagedPolicies")
        for item in _entries(entry, "AttachedManagedPolicies")
    )


def _boundary(entry: Mapping[str, object]) -> str | None:
    boundary = entry.get("PermissionsBoundary")
    if isinstance(boundary, Mapping):
        arn = boundary.get("PermissionsBoundaryArn")
        return arn if isinstance(arn, str) and arn else None
    return None


def _account_of(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 else ""


def _managed_policy(entry: Mapping[str, object]) -> ManagedPolicy:
    arn = _text(entry, "Arn", where="managed policy")
    # moto leaves PolicyName out of this API's answer; the name is the last part of the ARN.
    name = entry.get("PolicyName") if isinstance(entry.get("PolicyName"), str) else arn.rsplit("/", 1)[-1]
    default_id = entry.get("DefaultVersionId")
    document: Policy | None = None
    others: list[tuple[str, Policy]] = []
    for version in _entries(entry, "PolicyVersionList"):
        version_id = str(version.get("VersionId", ""))
        is_default = version.get("IsDefaultVersion") is True or version_id == default_id
        parsed = parse_policy(
            version.get("Document"), name=arn if is_default else f"{arn} version {version_id}"
        )
        if is_default:
            document = parsed
        else:
            others.append((version_id, parsed))
    return ManagedPolicy(
        arn=arn,
        name=str(name),
        default_version_id=str(default_id or ""),
        document=document,
        other_versions=tuple(others),
    )


def parse_authorization_details(
    details: Mapping[str, object], *, scp_levels: Sequence[Sequence[Policy]] = ()
) -> IamAccount:
    """Build the typed account view; malformed entries raise PolicyParseError."""
    policies = {policy.arn: policy for policy in map(_managed_policy, _entries(details, "Policies"))}
    groups: dict[str, Group] = {}
    for entry in _entries(details, "GroupDetailList"):
        name = _text(entry, "GroupName", where="group")
        owner = f"group {name}"
        groups[name] = Group(
            name=name,
            arn=_text(entry, "Arn", where=owner),
            inline_policies=_inline(entry, "GroupPolicyList", owner),
            attached_policy_arns=_attached(entry, owner),
        )
    users: list[Principal] = []
    for entry in _entries(details, "UserDetailList"):
        name = _text(entry, "UserName", where="user")
        owner = f"user {name}"
        arn = _text(entry, "Arn", where=owner)
        group_list = entry.get("GroupList") or []
        if not isinstance(group_list, list):
            raise PolicyParseError(f"{owner}: GroupList must be a list")
        users.append(
            Principal(
                kind=PrincipalKind.USER,
                name=name,
                arn=arn,
                principal_id=str(entry.get("UserId", "")),
                account_id=_account_of(arn),
                inline_policies=_inline(entry, "UserPolicyList", owner),
                attached_policy_arns=_attached(entry, owner),
                group_names=tuple(str(group) for group in group_list),
                boundary_arn=_boundary(entry),
            )
        )
    roles: list[Principal] = []
    for entry in _entries(details, "RoleDetailList"):
        name = _text(entry, "RoleName", where="role")
        owner = f"role {name}"
        arn = _text(entry, "Arn", where=owner)
        trust = entry.get("AssumeRolePolicyDocument")
        roles.append(
            Principal(
                kind=PrincipalKind.ROLE,
                name=name,
                arn=arn,
                principal_id=str(entry.get("RoleId", "")),
                account_id=_account_of(arn),
                inline_policies=_inline(entry, "RolePolicyList", owner),
                attached_policy_arns=_attached(entry, owner),
                boundary_arn=_boundary(entry),
                trust_policy=None
                if trust is None
                else parse_policy(trust, name=f"{owner} trust policy", kind=PolicyKind.TRUST),
                instance_profile_arns=tuple(
                    _text(profile, "Arn", where=f"{owner} instance profile")
                    for profile in _entries(entry, "InstanceProfileList")
                ),
            )
        )
    account_ids = {principal.account_id for principal in (*users, *roles) if principal.account_id}
    return IamAccount(
        account_id=min(account_ids) if account_ids else "",
        users=tuple(users),
        roles=tuple(roles),
        groups=MappingProxyType(groups),
        policies=MappingProxyType(policies),
        scp_levels=_levels(scp_levels),
    )


def with_scp_levels(account: IamAccount, scp_levels: Sequence[Sequence[Policy]]) -> IamAccount:
    """The account read by `parse_authorization_details` without SCPs, under these SCPs: what reading it
    with `scp_levels` gives (the SCPs change no principal or policy), without reading it again."""
    return replace(account, scp_levels=_levels(scp_levels))


def _levels(scp_levels: Sequence[Sequence[Policy]]) -> tuple[tuple[Policy, ...], ...]:
    return tuple(tuple(level) for level in scp_levels)


def scp_levels_for_account(
    organization_policies: Sequence[Mapping[str, object]], target_path: Sequence[str]
) -> tuple[tuple[Policy, ...], ...]:
    """The SCPs in force for an account, one level per id of `target_path` (root id, OU ids, account id).

    `organization_policies` are `organizations/global/Policies` entries ({PolicySummary, Content, Targets}).
    """
    levels: list[tuple[Policy, ...]] = []
    for target_id in target_path:
        level: list[Policy] = []
        for entry in organization_policies:
            targets = entry.get("Targets") or []
            if not isinstance(targets, list):
                raise PolicyParseError("organization policy: Targets must be a list")
            if any(isinstance(t, Mapping) and t.get("TargetId") == target_id for t in targets):
                summary = entry.get("PolicySummary")
                name = summary.get("Name") if isinstance(summary, Mapping) else None
                level.append(parse_policy(entry.get("Content"), name=f"SCP {name}", kind=PolicyKind.SCP))
        levels.append(tuple(level))
    return tuple(levels)
