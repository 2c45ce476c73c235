"""Is an S3 bucket public? One verdict from Block Public Access, the ACL, the bucket policy and PolicyStatus.

Follows S3's own definition: an ACL is public when it grants anything to the AllUsers or
AuthenticatedUsers groups; a policy statement is public when it allows a wildcard principal
and no condition pins the request to fixed values of a trusted key (account, organization,
VPC, endpoint, source ARN, IP ranges ...) -- who a statement admits is decided by the shared
resource-policy analysis (``analyze/resource_policy``). IgnorePublicAcls (account or bucket)
neutralises public ACL grants; RestrictPublicBuckets neutralises public policies.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from awsaudit.analyze.resource_policy import (
    PolicyError,
    Reach,
    Trust,
    admissions,
    parse_policy,
    principal_is_public,
)
from awsaudit.analyze.resource_policy.conditions import allow_pins
from awsaudit.analyze.resource_policy.document import strings
from awsaudit.errors import quoted

__all__ = ["PolicyError", "parse_policy", "principal_is_public"]  # re-exported for the S3 checks

# A policy document (JSON text or parsed) to its statements: `parse_policy`'s signature.
PolicyParser = Callable[[str | Mapping[str, Any]], list[Mapping[str, Any]]]

# Whether a statement is public does not depend on which accounts are inside the organization.
_NO_TRUST = Trust(account_id="")

BPA_SETTINGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")

PUBLIC_GROUPS = {
    "http://acs.amazonaws.com/groups/global/AllUsers": "AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers": "AuthenticatedUsers",
}


@dataclass(frozen=True)
class BlockPublicAccess:
    block_public_acls: bool = False
    ignore_public_acls: bool = False
    block_public_policy: bool = False
    restrict_public_buckets: bool = False

    @classmethod
    def parse(cls, raw: Mapping[str, Any] | None) -> BlockPublicAccess:
        """A PublicAccessBlockConfiguration (bare or wrapped in its response key); None means all off."""
        if raw is None:
            return _ALL_OFF  # most buckets: one immutable value for all of them
        if not isinstance(raw, Mapping):
            raise PolicyError(
                f"Block Public Access configuration must be an object, got {type(raw).__name__}"
            )
        config = raw.get("PublicAccessBlockConfiguration", raw)
        if config is None:
            return cls()
        if not isinstance(config, Mapping):
            raise PolicyError("PublicAccessBlockConfiguration must be an object")
        return cls(*(config.get(name) is True for name in BPA_SETTINGS))

    def settings(self) -> dict[str, bool]:
        # Spelled out (BPA_SETTINGS order): asked for every bucket by several checks.
        return {
            "BlockPublicAcls": self.block_public_acls,
            "IgnorePublicAcls": self.ignore_public_acls,
            "BlockPublicPolicy": self.block_public_policy,
            "RestrictPublicBuckets": self.restrict_public_buckets,
        }

    def off(self) -> list[str]:
        return [name for name, on in self.settings().items() if not on]

    def all_on(self) -> bool:
        return all(self._values())

    def combined(self, other: BlockPublicAccess) -> BlockPublicAccess:
        """S3 applies the most restrictive combination of account and bucket settings."""
        if other is _ALL_OFF:
            return self  # a bucket without settings of its own (immutable: nothing tells them apart)
        return BlockPublicAccess(
            self.block_public_acls or other.block_public_acls,
            self.ignore_public_acls or other.ignore_public_acls,
            self.block_public_policy or other.block_public_policy,
            self.restrict_public_buckets or other.restrict_public_buckets,
        )

    def _values(self) -> tuple[bool, bool, bool, bool]:
        return (
            self.block_public_acls,
            self.ignore_public_acls,
            self.block_public_policy,
            self.restrict_public_buckets,
        )


_ALL_OFF = BlockPublicAccess()


@dataclass(frozen=True)
class AclGrant:
    group: str
    permission: str


@dataclass(frozen=True)
class PublicStatement:
    """An Allow statement that lets anyone in."""

    index: int
    sid: str | None
    actions: tuple[str, ...]
    statement: Mapping[str, Any]

    def label(self) -> str:
        return f"statement {quoted(self.sid)}" if self.sid else f"statement #{self.index + 1}"


@dataclass(frozen=True)
class AccessVerdict:
    public: bool
    reasons: tuple[str, ...]
    neutralised: tuple[str, ...]
    block_public_access: BlockPublicAccess
    acl_grants: tuple[AclGrant, ...]
    public_statements: tuple[PublicStatement, ...]
    policy_status_public: bool | None

    def as_evidence(self) -> dict[str, Any]:
        return {
            "public": self.public,
            "reasons": list(self.reasons),
            "neutralised": list(self.neutralised),
            "effective_block_public_access": self.block_public_access.settings(),
            "public_acl_grants": [{"grantee": g.group, "permission": g.permission} for g in self.acl_grants],
            "public_policy_statements": [dict(s.statement) for s in self.public_statements],
            "policy_status_is_public": self.policy_status_public,
        }


def judge_bucket_access(
    account_block: BlockPublicAccess,
    bucket_block: BlockPublicAccess,
    acl: Mapping[str, Any] | None,
    policy: str | Mapping[str, Any] | None,
    policy_status: Mapping[str, Any] | None,
    *,
    parse: PolicyParser = parse_policy,
) -> AccessVerdict:
    """The public-access verdict of one bucket; PolicyError when its policy or ACL is unreadable.

    `parse`: `parse_policy`, or one that shares its parses with other readers of the same policies."""
    effective = account_block.combined(bucket_block)
    grants = public_acl_grants(acl)
    statements = public_statements(policy, parse=parse)
    status_public = _policy_status_public(policy_status)
    acl_exposures = (
        ["ACL grants " + ", ".join(f"{g.permission} to {g.group}" for g in grants)] if grants else []
    )
    policy_exposures = [
        f"policy {s.label()} allows {', '.join(s.actions)} to any principal" for s in statements
    ]
    if status_public and not statements:
        policy_exposures.append("S3 reports the bucket policy as public (PolicyStatus.IsPublic)")
    reasons: list[str] = []
    neutralised: list[str] = []
    for exposures, blocked, setting in (
        (acl_exposures, effective.ignore_public_acls, "IgnorePublicAcls"),
        (policy_exposures, effective.restrict_public_buckets, "RestrictPublicBuckets"),
    ):
        if blocked:
            neutralised.extend(f"{e} (no effect: {setting} is on)" for e in exposures)
        else:
            reasons.extend(exposures)
    return AccessVerdict(
        public=bool(reasons),
        reasons=tuple(reasons),
        neutralised=tuple(neutralised),
        block_public_access=effective,
        acl_grants=tuple(grants),
        public_statements=tuple(statements),
        policy_status_public=status_public,
    )


def public_acl_grants(acl: Mapping[str, Any] | None) -> list[AclGrant]:
    """Grants of a GetBucketAcl answer to everyone or to every authenticated AWS user."""
    if acl is None:
        return []
    if not isinstance(acl, Mapping):
        raise PolicyError(f"bucket ACL must be an object, got {type(acl).__name__}")
    grants = []
    for grant in acl.get("Grants") or []:
        grantee = grant.get("Grantee") or {}
        group = PUBLIC_GROUPS.get(str(grantee.get("URI", "")))
        if group:
            grants.append(AclGrant(group, str(grant.get("Permission", "?"))))
    return grants


def public_statements(
    policy: str | Mapping[str, Any] | None, *, parse: PolicyParser = parse_policy
) -> list[PublicStatement]:
    """Allow statements of a bucket policy that any principal can use."""
    if policy is None:
        return []
    found = []
    for index, statement in enumerate(parse(policy)):
        if statement.get("Effect") != "Allow":
            continue
        if "NotPrincipal" not in statement and not principal_is_public(statement.get("Principal")):
            continue
        if not any(a.reach is Reach.PUBLIC for a in admissions(statement, _NO_TRUST)):
            continue  # a condition pins every principal it names
        sid = statement.get("Sid")
        actions = strings(statement.get("Action"))
        if not actions:
            actions = ("every action except " + " and ".join(strings(statement.get("NotAction"))),)
        found.append(PublicStatement(index, str(sid) if sid else None, actions, statement))
    return found


def restricting_condition(condition: Any) -> str | None:
    """The first ``operator: key`` that pins the request to fixed trusted values, or None."""
    pins = allow_pins(condition)
    return pins[0].label() if pins else None


def _policy_status_public(status: Mapping[str, Any] | None) -> bool | None:
    if status is None:
        return None
    if not isinstance(status, Mapping):
        raise PolicyError("PolicyStatus must be an object")
    inner = status.get("PolicyStatus", status)
    return None if not isinstance(inner, Mapping) or "IsPublic" not in inner else inner["IsPublic"] is True
