"""S3 server-side encryption judged by effect: what a bucket policy enforces on uploads, and what the
bucket's default encryption already gives.

Since January 2023 S3 applies SSE-S3 to every new object, so "default encryption is on" holds everywhere.
What a bucket policy can add is refusing uploads that ask for less than the bucket requires: a Deny, for
every principal, of `s3:PutObject` on every object, conditioned only on the encryption headers, that covers
both a *missing* header and a *wrong* one. `StringNotEquals` (with or without `IfExists`) covers both, since
a negated operator holds when the key is absent; `Null: true` covers a missing header only; a Deny with
`StringEquals` names the wrong values it refuses. Two keys in one statement deny only when both hold, so a
statement counts only when every condition it has is on the same header.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from awsaudit.analyze.iam.policy import Condition, Effect, Policy, PrincipalType, Statement
from awsaudit.analyze.iam.wildcard import has_wildcard, matches

SSE_HEADER = "s3:x-amz-server-side-encryption"
KMS_KEY_HEADER = "s3:x-amz-server-side-encryption-aws-kms-key-id"
SSE_S3 = "AES256"
SSE_KMS = "aws:kms"
DSSE_KMS = "aws:kms:dsse"
ALGORITHMS = (SSE_S3, SSE_KMS, DSSE_KMS)
_ENCRYPTION_HEADERS = frozenset({SSE_HEADER, KMS_KEY_HEADER})
ALGORITHM_NAMES = {SSE_S3: "SSE-S3", SSE_KMS: "SSE-KMS", DSSE_KMS: "DSSE-KMS"}


class Enforcement(StrEnum):
    ENFORCED = "enforced"  # uploads without KMS encryption (or the pinned key) are refused
    REDUNDANT = "redundant"  # the policy only requires what every upload gets anyway (SSE-S3)
    PARTIAL = "partial"  # missing or wrong values are not both refused
    ABSENT = "absent"  # no statement refuses unencrypted uploads


@dataclass(frozen=True, slots=True)
class SsePolicyVerdict:
    """`allowed`: the algorithms an upload may still ask for; `keys`: KMS keys it must name (empty: any).
    `missing_denied`/`wrong_denied`: whether an upload without / with another algorithm is refused."""

    enforcement: Enforcement
    allowed: tuple[str, ...]
    keys: tuple[str, ...]
    missing_denied: bool
    wrong_denied: bool
    statements: tuple[Statement, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class DefaultEncryption:
    """A bucket's default encryption: `algorithm` (AES256, aws:kms, aws:kms:dsse) and KMS key, if any."""

    algorithm: str
    kms_key: str | None
    bucket_key: bool

    @property
    def name(self) -> str:
        return ALGORITHM_NAMES.get(self.algorithm, self.algorithm)


def default_encryption(encryption: Mapping[str, Any] | None) -> DefaultEncryption | None:
    """The first default rule of `GetBucketEncryption` output (or its configuration), None when none."""
    config = (encryption or {}).get("ServerSideEncryptionConfiguration", encryption) or {}
    for rule in config.get("Rules") or []:
        default = rule.get("ApplyServerSideEncryptionByDefault") or {}
        algorithm = default.get("SSEAlgorithm")
        if algorithm:
            return DefaultEncryption(
                str(algorithm), default.get("KMSMasterKeyID"), rule.get("BucketKeyEnabled") is True
            )
    return None


def _everyone(statement: Statement) -> bool:
    if statement.not_principals:
        return False
    for entry in statement.principals:
        if entry.type is PrincipalType.ANYONE or (entry.type is PrincipalType.AWS and entry.value == "*"):
            return True
    return False


def _covers_all_objects(statement: Statement, bucket_arn: str) -> bool:
    if statement.not_resources or not statement.resources:
        return False
    prefix = f"{bucket_arn}/"
    for pattern in statement.resources:
        if not pattern.endswith("*"):
            continue
        fixed = pattern[:-1]
        if (not has_wildcard(fixed) and prefix.startswith(fixed)) or (
            has_wildcard(fixed) and matches(fixed + "*", prefix, ignore_case=False)
        ):
            return True
    return False


def _operator(condition: Condition) -> str:
    return condition.operator.lower().removesuffix("ifexists")


@dataclass(slots=True)
class _Facts:
    allowed: set[str]
    keys: set[str] | None = None  # None: any key
    missing_denied: bool = False
    wrong_denied: bool = False
    key_missing_denied: bool = False


def _apply(condition: Condition, facts: _Facts) -> bool:
    """Record what a one-condition Deny refuses; False when it is not about the encryption headers."""
    key, operator, values = condition.key.lower(), _operator(condition), condition.values
    literal = [v for v in values if not has_wildcard(v)]
    if key == SSE_HEADER:
        if operator == "null":
            if values == ("true",):
                facts.missing_denied = True
                return True
            return False
        if operator in ("stringnotequals", "stringnotequalsignorecase", "stringnotlike"):
            if len(literal) != len(values):
                return False  # a wildcard in the allowed values lets other values through
            facts.allowed &= {v for v in ALGORITHMS if any(v.lower() == a.lower() for a in literal)}
            facts.missing_denied = facts.wrong_denied = True
            return True
        if operator in ("stringequals", "stringequalsignorecase"):
            facts.allowed -= {v for v in ALGORITHMS if any(v.lower() == a.lower() for a in literal)}
            facts.wrong_denied = facts.wrong_denied or bool(literal)
            return True
        return False
    if key == KMS_KEY_HEADER:
        if operator == "null" and values == ("true",):
            facts.key_missing_denied = True
            return True
        if operator in ("stringnotequals", "stringnotlike", "arnnotequals", "arnnotlike"):
            keys = set(values)
            facts.keys = keys if facts.keys is None else facts.keys & keys
            facts.key_missing_denied = True
            return True
    return False


def judge_sse_policy(
    bucket_arn: str, policy: Policy | None, default: DefaultEncryption | None
) -> SsePolicyVerdict:
    """What the bucket policy refuses on `s3:PutObject`, graded against the default encryption."""
    facts = _Facts(allowed=set(ALGORITHMS))
    used: list[Statement] = []
    for statement in policy.statements if policy is not None else ():
        # The cheap tests first: most Deny statements are about something else (TLS, say), and `_apply`
        # ignores a condition on any other key.
        if (
            statement.effect is not Effect.DENY
            or len(statement.conditions) != 1
            or statement.conditions[0].key.lower() not in _ENCRYPTION_HEADERS
            or not _everyone(statement)
            or not statement.matches_action("s3:PutObject")
            or not _covers_all_objects(statement, bucket_arn)
        ):
            continue
        if _apply(statement.conditions[0], facts):
            used.append(statement)
    allowed = tuple(a for a in ALGORITHMS if a in facts.allowed)
    keys = tuple(sorted(facts.keys)) if facts.keys is not None else ()

    def verdict(enforcement: Enforcement, reason: str) -> SsePolicyVerdict:
        return SsePolicyVerdict(
            enforcement, allowed, keys, facts.missing_denied, facts.wrong_denied, tuple(used), reason
        )

    if not used:
        return verdict(
            Enforcement.ABSENT,
            "the bucket policy does not deny s3:PutObject without (or with the wrong) "
            "s3:x-amz-server-side-encryption for every principal on every object",
        )
    names = ", ".join(ALGORITHM_NAMES[a] for a in allowed) or "nothing"
    if not facts.missing_denied:
        return verdict(
            Enforcement.PARTIAL, f"uploads without the encryption header are not refused (allows {names})"
        )
    if not facts.wrong_denied:
        return verdict(
            Enforcement.PARTIAL, "uploads are refused only when the header is missing: any algorithm passes"
        )
    if not allowed:
        return verdict(Enforcement.PARTIAL, "the policy accepts no known algorithm: its values are not S3's")
    if SSE_S3 in allowed:
        given = default.name if default is not None else "SSE-S3 (applied by S3 to every upload since 2023)"
        return verdict(
            Enforcement.REDUNDANT,
            f"the policy accepts {names}, no more than the default encryption already gives ({given})",
        )
    key_note = ""
    if keys and facts.key_missing_denied:
        key_note = f", with KMS key {', '.join(keys)}"
    elif facts.keys is None:
        key_note = ", any KMS key"
    return verdict(Enforcement.ENFORCED, f"uploads must use {names}{key_note}")
