"""Resource-policy checks of every kind, and Lambda function URLs, on hand-built snapshots."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from awsaudit.analyze.resource_policy.kinds import KINDS, ResourceKind
from awsaudit.findings import Severity, Status
from awsaudit.snapshot import GLOBAL
from tests.builders import ACCOUNT_ID, SnapshotBuilder, run

REGION = "eu-west-1"
ORG = "o-abc123def4"
ARN = f"arn:aws:%s:{REGION}:{ACCOUNT_ID}"

ITEMS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "kms.key_not_exposed": lambda p: {
        "KeyId": "k1",
        "KeyArn": f"{ARN % 'kms'}:key/k1",
        "KeyMetadata": {"KeyManager": "CUSTOMER"},
        "Policy": p,
    },
    "sns.topic_not_exposed": lambda p: {"TopicArn": f"{ARN % 'sns'}:alerts", "Attributes": {"Policy": p}},
    "sqs.queue_not_exposed": lambda p: {
        "QueueUrl": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT_ID}/jobs",
        "Attributes": {"Policy": p},
    },
    "awslambda.function_not_exposed": lambda p: {
        "FunctionName": "fn",
        "FunctionArn": f"{ARN % 'lambda'}:function:fn",
        "Policy": p,
        "UrlConfigs": [],
    },
    "ecr.repository_not_exposed": lambda p: {
        "repositoryArn": f"{ARN % 'ecr'}:repository/app",
        "repositoryName": "app",
        "registryId": ACCOUNT_ID,
        "Policy": p,
    },
    "secretsmanager.secret_not_exposed": lambda p: {
        "ARN": f"{ARN % 'secretsmanager'}:secret:db-AbCdEf",
        "Name": "db",
        "ResourcePolicy": p,
    },
    "events.bus_not_exposed": lambda p: {
        "Name": "bus",
        "Arn": f"{ARN % 'events'}:event-bus/bus",
        "Policy": p,
    },
    "logs.resource_policy_not_exposed": lambda p: {"policyName": "delivery", "policyDocument": p},
    "glacier.vault_not_exposed": lambda p: {
        "VaultARN": f"{ARN % 'glacier'}:vaults/v",
        "VaultName": "v",
        "Policy": p,
    },
    "s3.access_point_not_exposed": lambda p: {
        "Name": "ap",
        "AccessPointArn": f"{ARN % 's3'}:accesspoint/ap",
        "Bucket": "data",
        "Policy": p,
    },
    "s3.multi_region_access_point_not_exposed": lambda p: {"Name": "mrap", "Alias": "mrap.mrap", "Policy": p},
    "opensearch.domain_not_exposed": lambda p: {
        "DomainName": "search",
        "ARN": f"{ARN % 'es'}:domain/search",
        "AccessPolicies": p,
    },
    "apigateway.rest_api_not_exposed": lambda p: {"id": "a1b2c3", "name": "api", "policy": p},
}
ACTION = {
    "kms": "kms:Decrypt",
    "sns": "sns:Subscribe",
    "sqs": "sqs:SendMessage",
    "lambda": "lambda:InvokeFunction",
    "ecr": "ecr:BatchGetImage",
    "secretsmanager": "secretsmanager:GetSecretValue",
    "events": "events:PutEvents",
    "logs": "logs:PutLogEvents",
    "glacier": "glacier:InitiateJob",
    "s3": "s3:GetObject",
    "es": "es:ESHttpGet",
    "execute-api": "execute-api:Invoke",
}
READ_ONLY = {"ecr", "s3", "es"}  # the representative action only reads: HIGH, not CRITICAL


def policy(principal: Any, action: str, condition: dict[str, Any] | None = None) -> str:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": "*"}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def snapshot_with(kind: ResourceKind, item: dict[str, Any], organization: bool = True) -> SnapshotBuilder:
    builder = SnapshotBuilder()
    if kind.regional:
        builder.with_dataset(kind.service, kind.dataset, [item], REGION)
    else:
        builder.with_dataset(kind.service, kind.dataset, [item])
    if organization:
        builder.with_dataset("organizations", "Organization", {"Organization": {"Id": ORG}})
        builder.with_dataset("organizations", "Accounts", [{"Id": ACCOUNT_ID}, {"Id": "222233334444"}])
    return builder


def test_every_kind_has_an_item_builder() -> None:
    assert {kind.check_id for kind in KINDS} == set(ITEMS)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.check_id)
def test_public_policy_fails_by_what_it_allows(kind: ResourceKind) -> None:
    service = kind.action_services[0]
    item = ITEMS[kind.check_id](policy("*", ACTION[service]))
    (finding,) = run(snapshot_with(kind, item).build(), kind.check_id)
    assert finding.status is Status.FAIL
    assert finding.severity is (Severity.HIGH if service in READ_ONLY else Severity.CRITICAL)
    assert finding.evidence["exposure"] == "public"


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.check_id)
def test_external_account_fails_medium_and_organization_pin_passes(kind: ResourceKind) -> None:
    action = ACTION[kind.action_services[0]]
    stranger = ITEMS[kind.check_id](policy({"AWS": "arn:aws:iam::999988887777:root"}, action))
    (finding,) = run(snapshot_with(kind, stranger).build(), kind.check_id)
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.MEDIUM)
    pinned = ITEMS[kind.check_id](policy("*", action, {"StringEquals": {"aws:PrincipalOrgID": ORG}}))
    (finding,) = run(snapshot_with(kind, pinned).build(), kind.check_id)
    assert finding.status is Status.PASS
    sibling = ITEMS[kind.check_id](policy({"AWS": "222233334444"}, action))
    (finding,) = run(snapshot_with(kind, sibling).build(), kind.check_id)
    assert finding.status is Status.PASS


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.check_id)
def test_no_policy_passes_and_unreadable_policy_is_unknown(kind: ResourceKind) -> None:
    (finding,) = run(snapshot_with(kind, ITEMS[kind.check_id](None)).build(), kind.check_id)
    assert finding.status is Status.PASS
    (finding,) = run(snapshot_with(kind, ITEMS[kind.check_id]("{broken")).build(), kind.check_id)
    assert finding.status is Status.UNKNOWN and "cannot be read" in finding.message


@pytest.mark.parametrize("kind", [k for k in KINDS if k.policy_field], ids=lambda k: k.check_id)
def test_a_denied_policy_read_makes_only_that_resource_unknown(kind: ResourceKind) -> None:
    item = ITEMS[kind.check_id](None)
    assert kind.policy_field is not None
    del item[kind.policy_field]
    item["_errors"] = {kind.policy_field: {"operation": "Get", "code": "AccessDenied", "message": "no"}}
    (finding,) = run(snapshot_with(kind, item).build(), kind.check_id)
    assert finding.status is Status.UNKNOWN and "AccessDenied" in finding.message


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.check_id)
def test_a_denied_listing_is_unknown(kind: ResourceKind) -> None:
    builder = SnapshotBuilder().with_error(kind.service, kind.dataset, REGION if kind.regional else GLOBAL)
    findings = run(builder.build(), kind.check_id)
    assert findings and {f.status for f in findings} == {Status.UNKNOWN}


def test_aws_managed_keys_are_not_judged() -> None:
    (kind,) = [k for k in KINDS if k.check_id == "kms.key_not_exposed"]
    item = ITEMS[kind.check_id](None)
    item["KeyMetadata"] = {"KeyManager": "AWS"}
    del item["Policy"]
    assert run(snapshot_with(kind, item).build(), kind.check_id) == []


def test_without_organization_data_other_accounts_are_outside() -> None:
    (kind,) = [k for k in KINDS if k.check_id == "sqs.queue_not_exposed"]
    item = ITEMS[kind.check_id](policy({"AWS": "222233334444"}, "sqs:SendMessage"))
    (finding,) = run(snapshot_with(kind, item, organization=False).build(), kind.check_id)
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.MEDIUM)
    assert finding.evidence["organization_members_known"] is False


# ------------------------------------------------------------------------ function URLs

FUNCTION_ARN = f"{ARN % 'lambda'}:function:fn"


def function(auth: str | None, function_policy: str | None) -> dict[str, Any]:
    urls = [] if auth is None else [{"FunctionUrl": "https://x.lambda-url.on.aws/", "AuthType": auth}]
    return {"FunctionName": "fn", "FunctionArn": FUNCTION_ARN, "Policy": function_policy, "UrlConfigs": urls}


def url_findings(item: dict[str, Any]) -> list[Any]:
    snapshot = SnapshotBuilder().with_dataset("lambda", "FunctionPolicies", [item], REGION).build()
    return run(snapshot, "awslambda.function_url_not_public")


def test_open_function_url_anyone_may_invoke_fails() -> None:
    (finding,) = url_findings(function("NONE", policy("*", "lambda:InvokeFunctionUrl")))
    assert finding.status is Status.FAIL and "without credentials" in finding.message


@pytest.mark.parametrize(
    "item",
    [
        function("AWS_IAM", policy("*", "lambda:InvokeFunctionUrl")),
        function("NONE", None),
        function("NONE", policy({"AWS": ACCOUNT_ID}, "lambda:InvokeFunctionUrl")),
    ],
)
def test_iam_auth_or_no_public_invoker_passes(item: dict[str, Any]) -> None:
    (finding,) = url_findings(item)
    assert finding.status is Status.PASS


def test_function_without_url_is_not_judged_and_denied_urls_are_unknown() -> None:
    assert url_findings(function(None, None)) == []
    item = function(None, None)
    del item["UrlConfigs"]
    item["_errors"] = {
        "UrlConfigs": {"operation": "ListFunctionUrlConfigs", "code": "AccessDenied", "message": ""}
    }
    (finding,) = url_findings(item)
    assert finding.status is Status.UNKNOWN


# ---------------------------------------------------------------- S3 Block Public Access on access points

ALL_OFF = {
    "BlockPublicAcls": False,
    "IgnorePublicAcls": False,
    "BlockPublicPolicy": False,
    "RestrictPublicBuckets": False,
}
RESTRICTED = {**ALL_OFF, "RestrictPublicBuckets": True}
POINT_SETTING = {
    "s3.access_point_not_exposed": "PublicAccessBlockConfiguration",
    "s3.multi_region_access_point_not_exposed": "PublicAccessBlock",
}
POINT_KINDS = [k for k in KINDS if k.check_id in POINT_SETTING]


def _point(kind: ResourceKind, own: object, account: object | None) -> SnapshotBuilder:
    item = ITEMS[kind.check_id](policy("*", "s3:GetObject"))
    if own is not None:
        item[POINT_SETTING[kind.check_id]] = own
    builder = snapshot_with(kind, item)
    if account is not None:
        builder.with_dataset(
            "s3control", "AccountPublicAccessBlock", {"PublicAccessBlockConfiguration": account}
        )
    return builder


@pytest.mark.parametrize("kind", POINT_KINDS, ids=lambda k: k.check_id)
def test_a_public_point_policy_passes_when_its_own_setting_restricts_it(
    kind: ResourceKind,
) -> None:
    (finding,) = run(_point(kind, RESTRICTED, ALL_OFF).build(), kind.check_id)
    assert finding.status is Status.PASS
    assert (
        "own Block Public Access (RestrictPublicBuckets)" in finding.evidence["public_access_restricted_by"]
    )
    assert finding.evidence["exposure"] == "public", "what the policy says stays in the evidence"


@pytest.mark.parametrize("kind", POINT_KINDS, ids=lambda k: k.check_id)
def test_the_accounts_restriction_covers_every_point(kind: ResourceKind) -> None:
    (finding,) = run(_point(kind, ALL_OFF, RESTRICTED).build(), kind.check_id)
    assert finding.status is Status.PASS
    assert finding.evidence["public_access_restricted_by"] == (
        "the account's Block Public Access (RestrictPublicBuckets)"
    )


@pytest.mark.parametrize("kind", POINT_KINDS, ids=lambda k: k.check_id)
@pytest.mark.parametrize(
    "own",
    [ALL_OFF, None, {"RestrictPublicBuckets": "true"}, {"BlockPublicPolicy": True}],
    ids=["off", "absent", "string", "other-setting"],
)
def test_without_a_proven_restriction_the_public_policy_fails(kind: ResourceKind, own: object) -> None:
    (finding,) = run(_point(kind, own, ALL_OFF).build(), kind.check_id)
    assert finding.status is Status.FAIL and finding.evidence["exposure"] == "public"


@pytest.mark.parametrize("kind", POINT_KINDS, ids=lambda k: k.check_id)
def test_unread_settings_never_restrict(kind: ResourceKind) -> None:
    item = ITEMS[kind.check_id](policy("*", "s3:GetObject"))
    field = POINT_SETTING[kind.check_id]
    item["_errors"] = {field: {"operation": "GetAccessPoint", "code": "AccessDenied", "message": "no"}}
    builder = snapshot_with(kind, item).with_error("s3control", "AccountPublicAccessBlock")
    (finding,) = run(builder.build(), kind.check_id)
    assert finding.status is Status.FAIL


def test_restriction_does_not_excuse_a_named_outside_account() -> None:
    """RestrictPublicBuckets acts on public policies only; a grant to one stranger is not public."""
    (kind,) = [k for k in POINT_KINDS if k.check_id == "s3.access_point_not_exposed"]
    item = ITEMS[kind.check_id](policy({"AWS": "arn:aws:iam::999988887777:root"}, "s3:GetObject"))
    item["PublicAccessBlockConfiguration"] = RESTRICTED
    (finding,) = run(snapshot_with(kind, item).build(), kind.check_id)
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.MEDIUM)
