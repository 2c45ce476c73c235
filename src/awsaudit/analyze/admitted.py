"""Whom resource policies admit to one action: the resource-policy half of `awsaudit who-can`.

Every policy the exposure checks judge (the kinds in ``kinds.py``) and S3 bucket policies, read from
a snapshot and judged by the same analysis (``analyze_policy``: Deny statements, NotPrincipal and
pinning conditions as AWS applies them). A policy that cannot be read, or was not collected, makes
its resource UNKNOWN: never "nobody".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from awsaudit.analyze.resource_policy.analysis import Exposure, Grant, Reach, Trust, analyze_policy
from awsaudit.analyze.resource_policy.document import PolicyError, strings
from awsaudit.analyze.resource_policy.kinds import KINDS, ResourceKind, Where, policy_itself
from awsaudit.analyze.s3.access import BlockPublicAccess
from awsaudit.errors import shorten
from awsaudit.snapshot import GLOBAL, NotCollected, Snapshot, resource_field

BUCKETS = ResourceKind(
    "s3.bucket_public_access",
    "S3 bucket",
    "s3",
    "Buckets",
    False,
    ("s3",),
    lambda b, w: f"arn:{w.partition}:s3:::{b['Name']}",
    lambda b: str(b["Name"]),
    "Policy",
    policy_itself,
    "",
    "",
)
_RESTRICT_PUBLIC_BUCKETS = "RestrictPublicBuckets"
# Where a bucket, an access point and a Multi-Region Access Point keep their own Block Public Access
# (the checks read the same fields): (service, dataset) -> (field, whose).
_OWN_PUBLIC_ACCESS_BLOCK = {
    ("s3", "Buckets"): ("PublicAccessBlock", "the bucket's"),
    ("s3control", "AccessPoints"): ("PublicAccessBlockConfiguration", "the access point's own"),
    ("s3control", "MultiRegionAccessPoints"): ("PublicAccessBlock", "the Multi-Region Access Point's own"),
}


@dataclass(frozen=True)
class AdmittedBy:
    """One principal a resource's policy admits to the action, and the statement that does."""

    resource: str  # ARN
    noun: str  # "S3 bucket"
    region: str
    grant: Grant
    blocked_by: str | None = None  # a setting AWS applies before the policy, which takes this grant away

    def as_evidence(self) -> dict[str, Any]:
        return {
            "resource": self.resource,
            "kind": self.noun,
            "region": self.region,
            "principal": self.grant.principal,
            "reach": self.grant.reach.label,
            "statement": self.grant.label(),
            "pinned_by": list(self.grant.pinned_by),
            "narrowed_by_deny": list(self.grant.denied_by),
            "blocked_by": self.blocked_by,
            "policy_statement": dict(self.grant.statement),
        }


@dataclass(frozen=True)
class UnknownResource:
    """A resource whose policy could not be judged: anyone may or may not be admitted."""

    resource: str
    noun: str
    region: str
    reason: str

    def as_evidence(self) -> dict[str, Any]:
        return {"resource": self.resource, "kind": self.noun, "region": self.region, "reason": self.reason}


@dataclass(frozen=True)
class ResourcePolicyAnswer:
    admitted: tuple[AdmittedBy, ...]  # widest reach first
    unknown: tuple[UnknownResource, ...]
    judged: int  # resources whose policy was read (with or without a grant of the action)
    not_collected: tuple[str, ...]  # "SNS topic (sns/Topics in eu-west-1: reason)"


def snapshot_trust(snapshot: Snapshot) -> Trust:
    """The account, its organization and the organization's accounts, as far as they were collected."""
    account_id = snapshot.account.account_id
    try:
        organization = snapshot.dataset("organizations", GLOBAL, "Organization").get("Organization")
    except NotCollected:
        return Trust(account_id)
    if organization is None:
        return Trust(account_id, None, frozenset())  # in no organization: nobody else is inside
    members: frozenset[str] | None
    try:
        accounts = snapshot.dataset("organizations", GLOBAL, "Accounts")
        members = frozenset(str(a["Id"]) for a in accounts)
    except NotCollected:
        members = None  # a member account may not list the organization's accounts
    return Trust(account_id, str(organization.get("Id") or "") or None, members)


def admitted_by_resource_policies(
    snapshot: Snapshot, action: str, resource: str | None = None
) -> ResourcePolicyAnswer:
    """Who the resource policies of the snapshot admit to ``action`` (on ``resource``, or on any)."""
    service = action.split(":", 1)[0].lower()
    kinds = [k for k in (BUCKETS, *KINDS) if service in (s.lower() for s in k.action_services)]
    trust = snapshot_trust(snapshot)
    admitted: list[AdmittedBy] = []
    unknown: list[UnknownResource] = []
    missing: list[str] = []
    judged = 0
    for kind in kinds:
        for region, items in _datasets(snapshot, kind, missing):
            where = Where(snapshot.account.partition, region, snapshot.account.account_id)
            for item in items:
                arn = "?"
                try:
                    if not kind.applies(item):
                        continue
                    arn = kind.arn(item, where)
                    if resource not in (None, "*") and not _names(arn, resource):
                        continue
                    found = _judge(snapshot, kind, item, region, trust, action, resource, arn)
                except Exception as problem:  # one unreadable resource must not sink the others
                    unknown.append(UnknownResource(arn, kind.noun, region, _reason(problem)))
                    continue
                judged += 1
                admitted.extend(found)
    admitted.sort(
        key=lambda a: (-a.grant.reach, a.blocked_by is not None, a.resource, a.grant.statement_index)
    )
    return ResourcePolicyAnswer(tuple(admitted), tuple(unknown), judged, tuple(missing))


def _datasets(snapshot: Snapshot, kind: ResourceKind, missing: list[str]) -> Iterator[tuple[str, Any]]:
    for region in snapshot.regions if kind.regional else [GLOBAL]:
        try:
            yield region, snapshot.dataset(kind.service, region, kind.dataset)
        except NotCollected as absent:
            missing.append(f"{kind.noun} ({kind.service}/{kind.dataset} in {region}: {absent.reason})")


def _reason(problem: Exception) -> str:
    if isinstance(problem, NotCollected):
        return f"its policy was not collected ({problem.reason})"
    if isinstance(problem, PolicyError):
        return f"its policy cannot be read: {problem}"
    return f"its data cannot be read ({shorten(f'{type(problem).__name__}: {problem}', 300)})"


def _names(arn: str, resource: str) -> bool:
    """The resource asked about is this one, or inside it (an object of a bucket)."""
    return resource == arn or resource.startswith(arn + "/")


def _judge(
    snapshot: Snapshot,
    kind: ResourceKind,
    item: Mapping[str, Any],
    region: str,
    trust: Trust,
    action: str,
    resource: str | None,
    arn: str,
) -> list[AdmittedBy]:
    raw = (
        resource_field(item, kind.policy_field, service=kind.service, region=region)
        if kind.policy_field
        else item
    )
    policy = kind.policy_of(raw)
    if policy is None:
        return []
    verdict = analyze_policy(policy, trust, kind.action_services)
    blocked = _public_access_block(snapshot, kind, item) if verdict.exposure is Exposure.PUBLIC else None
    return [
        AdmittedBy(arn, kind.noun, region, grant, blocked if grant.reach >= Reach.OUTSIDE else None)
        for grant in verdict.grants
        if _allows(grant, action) and (resource in (None, "*") or _covers(grant.statement, resource))
    ]


def _allows(grant: Grant, action: str) -> bool:
    # Every action of the kind: one the catalog does not know is granted too.
    return grant.actions.everything or grant.actions.includes(action)


def _covers(statement: Mapping[str, Any], resource: str) -> bool:
    if "NotResource" in statement:
        return not any(fnmatchcase(resource, p) for p in strings(statement["NotResource"]))
    patterns = strings(statement.get("Resource"))
    return not patterns or any(fnmatchcase(resource, p) for p in patterns)


def _public_access_block(snapshot: Snapshot, kind: ResourceKind, item: Mapping[str, Any]) -> str | None:
    """S3's RestrictPublicBuckets, which AWS applies before a public policy: only the account's own
    principals and AWS services get through. A setting that was not collected proves nothing."""
    if "s3" not in kind.action_services:
        return None
    try:
        account = BlockPublicAccess.parse(snapshot.dataset("s3control", GLOBAL, "AccountPublicAccessBlock"))
    except (NotCollected, PolicyError):
        account = BlockPublicAccess()
    if account.restrict_public_buckets:
        return f"the account's Block Public Access ({_RESTRICT_PUBLIC_BUCKETS})"
    own_setting = _OWN_PUBLIC_ACCESS_BLOCK.get((kind.service, kind.dataset))
    if own_setting is None:
        return None
    field, whose = own_setting
    try:
        own = BlockPublicAccess.parse(resource_field(item, field, service=kind.service, region=GLOBAL))
    except (NotCollected, PolicyError):
        return None
    if own.restrict_public_buckets:
        return f"{whose} Block Public Access ({_RESTRICT_PUBLIC_BUCKETS})"
    return None
