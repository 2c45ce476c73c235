"""S3 checks (CIS 3.1): TLS-only policies, MFA Delete, Block Public Access, public access, encryption."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from awsaudit.analyze.iam import PolicyKind, PolicyParseError
from awsaudit.analyze.iam import parse_policy as parse_iam_policy
from awsaudit.analyze.s3.access import (
    AccessVerdict,
    BlockPublicAccess,
    PolicyError,
    PolicyParser,
    judge_bucket_access,
    parse_policy,
)
from awsaudit.analyze.s3.encryption import (
    SSE_S3,
    DefaultEncryption,
    Enforcement,
    default_encryption,
    judge_sse_policy,
)
from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.exposure import judge_kind, kind, policy_check
from awsaudit.checks.registry import Needs, check
from awsaudit.findings import Severity
from awsaudit.snapshot import GLOBAL, NotCollected


def buckets_with(*fields: str) -> Needs:
    """s3/Buckets, of which the check reads only these per-bucket sub-calls."""
    return Needs("s3", "Buckets", fields=frozenset(fields))


# What bucket_access_verdict reads.
BUCKET_ACCESS = buckets_with("PublicAccessBlock", "Acl", "Policy", "PolicyStatus")
ACCOUNT_BLOCK = Needs("s3control", "AccountPublicAccessBlock")
S3_DOCS = "https://docs.aws.amazon.com/AmazonS3/latest/userguide"
BPA_DOC = f"{S3_DOCS}/access-control-block-public-access.html"
BPA_ALL_ON = "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true"


def bucket_arn(ctx: CheckContext, bucket: Mapping[str, Any]) -> str:
    return f"arn:{ctx.partition}:s3:::{bucket['Name']}"


def account_block_public_access(ctx: CheckContext) -> BlockPublicAccess:
    return BlockPublicAccess.parse(ctx.global_dataset("s3control", "AccountPublicAccessBlock"))


def bucket_access_verdict(
    ctx: CheckContext, bucket: Mapping[str, Any], account_block: BlockPublicAccess
) -> AccessVerdict:
    """The bucket's public-access verdict; NotCollected when one of its sub-calls failed."""
    return judge_bucket_access(
        account_block,
        BlockPublicAccess.parse(ctx.field(bucket, "PublicAccessBlock", service="s3")),
        ctx.field(bucket, "Acl", service="s3"),
        ctx.field(bucket, "Policy", service="s3"),
        ctx.field(bucket, "PolicyStatus", service="s3"),
        parse=shared_policy_parser(ctx),
    )


def shared_policy_parser(ctx: CheckContext) -> PolicyParser:
    """`parse_policy` for bucket policies, each policy text parsed once per evaluation: several checks
    read every bucket's policy. Only successful parses are kept (a bad policy raises for each reader)."""
    parsed: dict[str, list[Mapping[str, Any]]] = ctx.derived("s3.bucket_policy_statements", dict, GLOBAL)

    def parse(policy: str | Mapping[str, Any]) -> list[Mapping[str, Any]]:
        if not isinstance(policy, str):
            return parse_policy(policy)
        statements = parsed.get(policy)
        if statements is None:
            statements = parsed[policy] = parse_policy(policy)
        return statements

    return parse


def _each_bucket(ctx: CheckContext, judge: Callable[[Mapping[str, Any]], Result]) -> Iterator[Result]:
    buckets = ctx.global_dataset("s3", "Buckets")
    return ctx.each(buckets, lambda b: bucket_arn(ctx, b), judge)


@check(
    id="s3.bucket_tls_only",
    title="S3 bucket policies refuse requests that do not use TLS",
    severity=Severity.MEDIUM,
    needs=[buckets_with("Policy")],
    rationale=(
        "A Deny on aws:SecureTransport=false stops clients from reading or writing the bucket over plain "
        "HTTP."
    ),
    remediation=(
        "Add to the bucket policy (aws s3api put-bucket-policy --bucket <bucket> --policy "
        "file://policy.json) "
        'the statement {"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::<bucket>",'
        '"arn:aws:s3:::<bucket>/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}'
    ),
    references=[
        f"{S3_DOCS}/security-best-practices.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-securetransport",
    ],
)
def bucket_tls_only(ctx: CheckContext) -> Iterator[Result]:
    parse = shared_policy_parser(ctx)

    def judge(bucket: Mapping[str, Any]) -> Result:
        arn = bucket_arn(ctx, bucket)
        policy = ctx.field(bucket, "Policy")
        if policy is None:
            return ctx.failed(
                arn, f"Bucket {bucket['Name']} has no policy, so plain HTTP is allowed", {"policy": None}
            )
        try:
            statements = parse(policy)
        except PolicyError as error:
            return ctx.unknown(
                arn, f"Bucket {bucket['Name']} policy cannot be read: {error}", {"policy": policy}
            )
        enforcing = [s for s in statements if _denies_plain_http(s, arn)]
        if enforcing:
            return ctx.passed(
                arn, f"Bucket {bucket['Name']} denies requests without TLS", {"statement": enforcing[0]}
            )
        return ctx.failed(
            arn,
            f"Bucket {bucket['Name']} policy has no Deny for aws:SecureTransport=false on the bucket and "
            "its objects",
            {"statements": statements},
        )

    return _each_bucket(ctx, judge)


def _denies_plain_http(statement: Mapping[str, Any], arn: str) -> bool:
    if statement.get("Effect") != "Deny" or not _is_everyone(statement.get("Principal")):
        return False
    if not {a.lower() for a in _as_list(statement.get("Action"))} & {"*", "s3:*"}:
        return False
    resources = _as_list(statement.get("Resource"))
    if not any(_glob_matches(r, arn) for r in resources) or not any(
        _covers_all_objects(r, arn) for r in resources
    ):
        return False
    # Only the SecureTransport test may condition the Deny; any further condition narrows it.
    condition = statement.get("Condition")
    if not isinstance(condition, Mapping) or len(condition) != 1:
        return False
    operator, clauses = next(iter(condition.items()))
    if (
        str(operator).lower() not in {"bool", "boolifexists"}
        or not isinstance(clauses, Mapping)
        or len(clauses) != 1
    ):
        return False
    key, value = next(iter(clauses.items()))
    values = [str(v).lower() for v in _as_list(value)]
    return str(key).lower() == "aws:securetransport" and values == ["false"]


def _is_everyone(principal: Any) -> bool:
    if principal == "*":
        return True
    return (
        isinstance(principal, Mapping) and set(principal) == {"AWS"} and _as_list(principal["AWS"]) == ["*"]
    )


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


@functools.lru_cache(maxsize=4096)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    # Policy resources repeat across buckets and checks: compile each pattern once.
    return re.compile(
        "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), re.DOTALL
    )


def _has_wildcard(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern


def _glob_matches(pattern: Any, text: str) -> bool:
    glob = str(pattern)
    if not _has_wildcard(glob):
        return glob == text  # the common case: one bucket's own ARN
    return _glob_regex(glob).fullmatch(text) is not None


def _covers_all_objects(pattern: Any, bucket: str) -> bool:
    # A pattern matches every key when it ends in "*" and its fixed part matches a prefix of "<bucket>/".
    text = str(pattern)
    if not text.endswith("*"):
        return False
    fixed = text[:-1]
    if not _has_wildcard(fixed):
        return (bucket + "/").startswith(fixed)
    return _glob_regex(fixed).match(bucket + "/") is not None


@check(
    id="s3.bucket_mfa_delete",
    title="S3 buckets require MFA to delete object versions",
    severity=Severity.LOW,
    needs=[buckets_with("Versioning")],
    rationale=(
        "MFA Delete stops stolen credentials from permanently deleting versions or suspending versioning."
    ),
    remediation=(
        "With the root user's credentials: aws s3api put-bucket-versioning --bucket <bucket> "
        "--versioning-configuration Status=Enabled,MFADelete=Enabled --mfa '<root-mfa-serial> <code>'"
    ),
    references=[f"{S3_DOCS}/MultiFactorAuthenticationDelete.html"],
)
def bucket_mfa_delete(ctx: CheckContext) -> Iterator[Result]:
    def judge(bucket: Mapping[str, Any]) -> Result:
        versioning = ctx.field(bucket, "Versioning") or {}
        evidence = {"Status": versioning.get("Status"), "MFADelete": versioning.get("MFADelete")}
        if versioning.get("MFADelete") == "Enabled":
            return ctx.passed(bucket_arn(ctx, bucket), f"Bucket {bucket['Name']} has MFA Delete on", evidence)
        return ctx.failed(
            bucket_arn(ctx, bucket), f"Bucket {bucket['Name']} does not have MFA Delete on", evidence
        )

    return _each_bucket(ctx, judge)


@check(
    id="s3.account_block_public_access",
    title="Block Public Access is fully on for the account",
    severity=Severity.HIGH,
    needs=[ACCOUNT_BLOCK],
    rationale=(
        "Account-wide Block Public Access keeps every present and future bucket from being made public."
    ),
    remediation=(
        "aws s3control put-public-access-block --account-id <account-id> "
        f"--public-access-block-configuration {BPA_ALL_ON}"
    ),
    references=[BPA_DOC, f"{S3_DOCS}/configuring-block-public-access-account.html"],
)
def account_block_public_access_check(ctx: CheckContext) -> Iterator[Result]:
    block = account_block_public_access(ctx)
    evidence = {"account": block.settings()}
    if block.all_on():
        yield ctx.passed(
            ctx.account_arn(), "All four account-level Block Public Access settings are on", evidence
        )
    else:
        yield ctx.failed(
            ctx.account_arn(),
            f"Account-level Block Public Access is off for: {', '.join(block.off())}",
            evidence,
        )


@check(
    id="s3.block_public_access",
    title="Every S3 bucket is covered by all four Block Public Access settings",
    severity=Severity.HIGH,
    needs=[buckets_with("PublicAccessBlock"), ACCOUNT_BLOCK],
    rationale=(
        "With all four settings in force, neither an ACL nor a bucket policy can make the bucket public."
    ),
    remediation=(
        "aws s3api put-public-access-block --bucket <bucket> --public-access-block-configuration "
        f"{BPA_ALL_ON} (or turn them on for the whole account with aws s3control put-public-access-block)"
    ),
    references=[BPA_DOC, f"{S3_DOCS}/configuring-block-public-access-bucket.html"],
)
def block_public_access(ctx: CheckContext) -> Iterator[Result]:
    account = account_block_public_access(ctx)

    def judge(bucket: Mapping[str, Any]) -> Result:
        own = BlockPublicAccess.parse(ctx.field(bucket, "PublicAccessBlock"))
        # S3 enforces the union of the account and bucket settings.
        effective = account.combined(own)
        evidence = {
            "account": account.settings(),
            "bucket": own.settings(),
            "effective": effective.settings(),
        }
        if effective.all_on():
            return ctx.passed(
                bucket_arn(ctx, bucket), f"Bucket {bucket['Name']} has all four settings in force", evidence
            )
        return ctx.failed(
            bucket_arn(ctx, bucket),
            f"Bucket {bucket['Name']} lacks Block Public Access settings: {', '.join(effective.off())}",
            evidence,
        )

    return _each_bucket(ctx, judge)


@check(
    id="s3.bucket_public_access",
    title="No S3 bucket is publicly accessible through its ACL or policy",
    severity=Severity.CRITICAL,
    needs=[BUCKET_ACCESS, ACCOUNT_BLOCK],
    rationale=(
        "A bucket whose ACL grants AllUsers/AuthenticatedUsers, or whose policy lets any principal in "
        "without "
        "a restricting condition, exposes its data to the whole internet unless Block Public Access "
        "neutralises it."
    ),
    remediation=(
        "Remove public ACL grants (aws s3api put-bucket-acl --bucket <bucket> --acl private), remove or "
        "restrict "
        "the public policy statements (aws s3api put-bucket-policy / delete-bucket-policy --bucket "
        "<bucket>), and "
        f"turn on Block Public Access (aws s3api put-public-access-block --bucket <bucket> "
        f"--public-access-block-configuration {BPA_ALL_ON})"
    ),
    references=[
        BPA_DOC,
        f"{S3_DOCS}/access-control-block-public-access.html#access-control-block-public-access-policy-status",
    ],
)
def bucket_public_access(ctx: CheckContext) -> Iterator[Result]:
    account = account_block_public_access(ctx)

    def judge(bucket: Mapping[str, Any]) -> Result:
        arn = bucket_arn(ctx, bucket)
        try:
            verdict = bucket_access_verdict(ctx, bucket, account)
        except PolicyError as error:
            return ctx.unknown(
                arn, f"Bucket {bucket['Name']} access cannot be judged: {error}", {"error": str(error)}
            )
        if verdict.public:
            return ctx.failed(
                arn, f"Bucket {bucket['Name']} is public: {'; '.join(verdict.reasons)}", verdict.as_evidence()
            )
        return ctx.passed(arn, f"Bucket {bucket['Name']} is not public", verdict.as_evidence())

    return _each_bucket(ctx, judge)


@check(
    id="s3.bucket_encryption",
    title="S3 buckets have default server-side encryption",
    severity=Severity.MEDIUM,
    needs=[buckets_with("Encryption"), Needs("kms", "Keys", regional=True, optional=True)],
    rationale=(
        "Default encryption makes every new object encrypted at rest without relying on each uploader. The "
        "evidence says which kind (SSE-S3, SSE-KMS, DSSE-KMS) and who manages the key; with "
        "require_kms_customer_key set, only SSE-KMS or DSSE-KMS with a customer-managed key passes."
    ),
    remediation=(
        "aws s3api put-bucket-encryption --bucket <bucket> --server-side-encryption-configuration "
        '\'{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms","KMSMasterKeyID":"<key-arn>"},'
        '"BucketKeyEnabled":true}]}\''
    ),
    references=[f"{S3_DOCS}/default-bucket-encryption.html", f"{S3_DOCS}/UsingKMSEncryption.html"],
)
def bucket_encryption(ctx: CheckContext) -> Iterator[Result]:
    managers, not_collected = _key_managers(ctx)
    require_cmk = ctx.config.require_kms_customer_key

    def judge(bucket: Mapping[str, Any]) -> Result:
        arn = bucket_arn(ctx, bucket)
        name = bucket["Name"]
        default = default_encryption(ctx.field(bucket, "Encryption"))
        if default is None:
            return ctx.failed(arn, f"Bucket {name} has no default encryption", {"default_encryption": None})
        manager = _key_manager(default, managers)
        evidence = {
            **_default_evidence(default, manager or "unknown"),
            "require_kms_customer_key": require_cmk,
            **({"kms_keys": not_collected} if not_collected and manager is None else {}),
        }
        kind = f"{default.name}" + (
            f", key managed by {manager}" if manager and default.algorithm != SSE_S3 else ""
        )
        if not require_cmk:
            return ctx.passed(arn, f"Bucket {name} encrypts by default with {kind}", evidence)
        if default.algorithm == SSE_S3:
            return ctx.failed(
                arn,
                f"Bucket {name} uses SSE-S3; the configuration requires KMS with a customer-managed key",
                evidence,
            )
        if manager is None:
            return ctx.unknown(
                arn, f"Bucket {name}: who manages KMS key {default.kms_key} is not in the snapshot", evidence
            )
        if manager != "CUSTOMER":
            return ctx.failed(
                arn,
                f"Bucket {name} uses the AWS-managed key; the configuration requires a customer-managed key",
                evidence,
            )
        return ctx.passed(arn, f"Bucket {name} encrypts by default with {kind}", evidence)

    return _each_bucket(ctx, judge)


# ------------------------------------------------------- resource policy exposure (CIS 2.21)

ACCESS_POINT_NOT_EXPOSED = kind("s3.access_point_not_exposed")
ACCOUNT_BPA = Needs("s3control", "AccountPublicAccessBlock", optional=True)


def _restricts_public_access(settings: object) -> bool:
    # Only a real boolean true counts: anything else (missing, "true", null) proves nothing.
    return isinstance(settings, Mapping) and settings.get("RestrictPublicBuckets") is True


def _account_restricts(ctx: CheckContext) -> str | None:
    try:
        account = ctx.global_dataset("s3control", "AccountPublicAccessBlock")
    except NotCollected:
        return None
    if _restricts_public_access(account.get("PublicAccessBlockConfiguration")):
        return "the account's Block Public Access (RestrictPublicBuckets)"
    return None


def _own_setting_restricts(ctx: CheckContext, point: Mapping[str, Any], field: str, whose: str) -> str | None:
    try:
        settings = ctx.field(point, field, service="s3control")
    except NotCollected:
        return None
    return (
        f"{whose} Block Public Access (RestrictPublicBuckets)" if _restricts_public_access(settings) else None
    )


def _access_point_restriction(ctx: CheckContext, point: Mapping[str, Any]) -> str | None:
    # AWS also applies the underlying bucket's setting; not counted here (it could only add PASSes).
    return _own_setting_restricts(
        ctx, point, "PublicAccessBlockConfiguration", "the access point's own"
    ) or _account_restricts(ctx)


def _multi_region_restriction(ctx: CheckContext, point: Mapping[str, Any]) -> str | None:
    return _own_setting_restricts(
        ctx, point, "PublicAccessBlock", "the Multi-Region Access Point's own"
    ) or _account_restricts(ctx)


@policy_check(ACCESS_POINT_NOT_EXPOSED, ACCOUNT_BPA)
def access_point_not_exposed(ctx: CheckContext) -> Iterator[Result]:
    return judge_kind(ctx, ACCESS_POINT_NOT_EXPOSED, _access_point_restriction)


MULTI_REGION_ACCESS_POINT_NOT_EXPOSED = kind("s3.multi_region_access_point_not_exposed")


@policy_check(MULTI_REGION_ACCESS_POINT_NOT_EXPOSED, ACCOUNT_BPA)
def multi_region_access_point_not_exposed(ctx: CheckContext) -> Iterator[Result]:
    return judge_kind(ctx, MULTI_REGION_ACCESS_POINT_NOT_EXPOSED, _multi_region_restriction)


# ------------------------------------------------------- SSE in bucket policies


def _default_evidence(default: DefaultEncryption | None, manager: str | None = None) -> dict[str, Any]:
    if default is None:
        return {"default_encryption": None}
    return {
        "default_encryption": default.name,
        "SSEAlgorithm": default.algorithm,
        "KMSMasterKeyID": default.kms_key,
        "BucketKeyEnabled": default.bucket_key,
        **({"key_manager": manager} if manager is not None else {}),
    }


@check(
    id="s3.bucket_policy_encryption",
    title="S3 bucket policies refuse uploads without KMS server-side encryption",
    severity=Severity.MEDIUM,
    needs=[buckets_with("Encryption", "Policy", "Logging")],
    rationale=(
        "Since January 2023 S3 encrypts every upload with SSE-S3, so default encryption alone says nothing; "
        "the guide asks bucket policies to enforce encryption: a Deny, for every principal, of s3:PutObject "
        "on every object when s3:x-amz-server-side-encryption is missing or not aws:kms (and, to pin the "
        "key, s3:x-amz-server-side-encryption-aws-kms-key-id). Requiring only SSE-S3 is redundant. A bucket "
        "that receives server access logs passes with SSE-S3: S3 delivers those logs with nothing else."
    ),
    remediation=(
        'aws s3api put-bucket-policy --bucket <bucket> --policy \'{"Version":"2012-10-17","Statement":'
        '[{"Sid":"DenyUnencryptedUploads","Effect":"Deny","Principal":"*","Action":"s3:PutObject",'
        '"Resource":"arn:aws:s3:::<bucket>/*","Condition":{"StringNotEquals":'
        '{"s3:x-amz-server-side-encryption":"aws:kms"}}}]}\' (merge with the existing statements)'
    ),
    references=[
        f"{S3_DOCS}/UsingKMSEncryption.html#require-sse-kms",
        f"{S3_DOCS}/default-encryption-faq.html",
    ],
)
def bucket_policy_encryption(ctx: CheckContext) -> Iterator[Result]:
    log_targets = _access_log_targets(ctx)

    def judge(bucket: Mapping[str, Any]) -> Result:
        arn = bucket_arn(ctx, bucket)
        name = bucket["Name"]
        default = default_encryption(ctx.field(bucket, "Encryption"))
        if name in log_targets and default is not None and default.algorithm == SSE_S3:
            # S3 delivers server access logs with SSE-S3 only: a KMS requirement would stop the logs.
            return ctx.passed(
                arn,
                f"Bucket {name} receives server access logs of {', '.join(sorted(log_targets[name]))}, "
                "which S3 can only encrypt with SSE-S3 (its default here)",
                {"access_logs_from": sorted(log_targets[name]), **_default_evidence(default)},
            )
        document = ctx.field(bucket, "Policy")
        policy = None
        if document is not None:
            try:
                policy = parse_iam_policy(document, name=f"bucket {name} policy", kind=PolicyKind.RESOURCE)
            except PolicyParseError as error:
                return ctx.unknown(arn, f"Bucket {name} policy cannot be read: {error}", {"policy": document})
        verdict = judge_sse_policy(arn, policy, default)
        evidence = {
            "enforcement": verdict.enforcement.value,
            "allowed_algorithms": list(verdict.allowed),
            "kms_keys": list(verdict.keys),
            "missing_header_denied": verdict.missing_denied,
            "wrong_algorithm_denied": verdict.wrong_denied,
            "statements": [s.reference for s in verdict.statements],
            **_default_evidence(default),
        }
        message = f"Bucket {name}: {verdict.reason}"
        if verdict.enforcement is Enforcement.ENFORCED:
            return ctx.passed(arn, message, evidence)
        if verdict.enforcement is Enforcement.REDUNDANT:
            return ctx.failed(arn, f"{message} (redundant)", evidence, severity=Severity.LOW)
        return ctx.failed(arn, message, evidence)

    return _each_bucket(ctx, judge)


def _access_log_targets(ctx: CheckContext) -> dict[str, set[str]]:
    """Target bucket -> buckets whose server access logs it receives (buckets whose logging is unknown are
    left out: they can only make a bucket look like an ordinary one, which is judged more strictly)."""
    targets: dict[str, set[str]] = {}
    for bucket in ctx.global_dataset("s3", "Buckets"):
        try:
            logging = ctx.field(bucket, "Logging")
        except NotCollected:
            continue
        if isinstance(logging, Mapping) and logging.get("TargetBucket"):
            targets.setdefault(str(logging["TargetBucket"]), set()).add(str(bucket.get("Name")))
    return targets


def _key_managers(ctx: CheckContext) -> tuple[dict[str, str], str | None]:
    """KMS key ARN, id and alias -> KeyManager (AWS or CUSTOMER), and why it is empty if it is."""
    managers: dict[str, str] = {}
    try:
        for _, keys in ctx.regional("kms", "Keys"):
            for key in keys:
                metadata = key.get("KeyMetadata") or {}
                manager = metadata.get("KeyManager")
                if isinstance(manager, str):
                    for name in (metadata.get("Arn"), key.get("KeyArn"), key.get("KeyId")):
                        if name:
                            managers[str(name)] = manager
    except NotCollected as absent:
        return managers, f"kms/Keys not collected ({absent.reason})"
    return managers, None


def _key_manager(default: DefaultEncryption, managers: Mapping[str, str]) -> str | None:
    """AWS for the aws/s3 key (no key named, or its alias), else what KMS says; None when unknown."""
    if default.algorithm == SSE_S3:
        return "AWS"
    key = default.kms_key
    if key is None or key.endswith("alias/aws/s3"):
        return "AWS"
    return managers.get(key) or managers.get(key.rsplit("/", 1)[-1])
