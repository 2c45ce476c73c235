"""The S3 public-access verdict: Block Public Access, ACL grants, policy statements and PolicyStatus."""

from __future__ import annotations

import json
from typing import Any

import pytest

from awsaudit.analyze.s3.access import (
    BlockPublicAccess,
    PolicyError,
    judge_bucket_access,
    principal_is_public,
    public_statements,
    restricting_condition,
)

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"
OFF = BlockPublicAccess()


def acl(*grants: tuple[str, str]) -> dict[str, Any]:
    owner = {"Grantee": {"Type": "CanonicalUser", "ID": "abc"}, "Permission": "FULL_CONTROL"}
    return {
        "Owner": {"ID": "abc"},
        "Grants": [
            owner,
            *({"Grantee": {"Type": "Group", "URI": uri}, "Permission": p} for uri, p in grants),
        ],
    }


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(
    principal: Any = "*", condition: dict[str, Any] | None = None, sid: str | None = "Public"
) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": principal,
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::b/*",
    }
    if sid:
        statement["Sid"] = sid
    if condition is not None:
        statement["Condition"] = condition
    return statement


def bpa(**settings: bool) -> BlockPublicAccess:
    return BlockPublicAccess.parse({"PublicAccessBlockConfiguration": settings})


def test_missing_settings_are_all_off_and_combine_to_the_other_side() -> None:
    account = BlockPublicAccess(block_public_acls=True, restrict_public_buckets=True)
    assert BlockPublicAccess.parse(None) == BlockPublicAccess()
    assert account.combined(BlockPublicAccess.parse(None)) == account
    assert account.combined(BlockPublicAccess()) == account
    assert BlockPublicAccess.parse(None).combined(account) == account


def test_private_bucket_is_not_public() -> None:
    verdict = judge_bucket_access(OFF, OFF, acl(), None, None)
    assert not verdict.public and verdict.reasons == ()


@pytest.mark.parametrize(("uri", "name"), [(ALL_USERS, "AllUsers"), (AUTHENTICATED, "AuthenticatedUsers")])
def test_acl_grant_to_everyone_is_public(uri: str, name: str) -> None:
    verdict = judge_bucket_access(OFF, OFF, acl((uri, "READ")), None, None)
    assert verdict.public and verdict.reasons == (f"ACL grants READ to {name}",)


def test_log_delivery_grant_is_not_public() -> None:
    assert not judge_bucket_access(OFF, OFF, acl((LOG_DELIVERY, "WRITE")), None, None).public


@pytest.mark.parametrize("level", ["account", "bucket"])
def test_ignore_public_acls_at_either_level_neutralises_acl_grants(level: str) -> None:
    block = bpa(IgnorePublicAcls=True)
    account, bucket = (block, OFF) if level == "account" else (OFF, block)
    verdict = judge_bucket_access(account, bucket, acl((ALL_USERS, "READ")), None, None)
    assert not verdict.public
    assert verdict.neutralised == ("ACL grants READ to AllUsers (no effect: IgnorePublicAcls is on)",)


def test_block_public_acls_alone_does_not_neutralise_an_existing_grant() -> None:
    assert judge_bucket_access(bpa(BlockPublicAcls=True), OFF, acl((ALL_USERS, "READ")), None, None).public


@pytest.mark.parametrize(
    "principal",
    ["*", {"AWS": "*"}, {"AWS": ["arn:aws:iam::111122223333:root", "*"]}, {"AWS": "arn:aws:iam::*:root"}],
)
def test_wildcard_principals_are_public(principal: Any) -> None:
    verdict = judge_bucket_access(OFF, OFF, acl(), policy(allow(principal)), None)
    assert verdict.public
    assert verdict.reasons == ("policy statement 'Public' allows s3:GetObject to any principal",)


@pytest.mark.parametrize(
    "principal", [{"AWS": "arn:aws:iam::111122223333:root"}, {"Service": "logging.s3.amazonaws.com"}]
)
def test_fixed_principals_are_not_public(principal: Any) -> None:
    assert not judge_bucket_access(OFF, OFF, acl(), policy(allow(principal)), None).public


def test_not_principal_allow_is_public_and_deny_never_is() -> None:
    not_principal = {**allow(), "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}}
    del not_principal["Principal"]
    deny = {**allow(), "Effect": "Deny"}
    assert [s.sid for s in public_statements(policy(not_principal, deny))] == ["Public"]


def test_statement_without_sid_is_labelled_by_position() -> None:
    verdict = judge_bucket_access(OFF, OFF, None, policy(allow(sid=None)), None)
    assert verdict.reasons == ("policy statement #1 allows s3:GetObject to any principal",)


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
        {"StringEquals": {"aws:PrincipalOrgID": ["o-abc123"]}},
        {"StringEquals": {"AWS:SourceAccount": "111122223333"}},
        {"ArnLike": {"aws:SourceArn": "arn:aws:cloudtrail:eu-west-1:111122223333:trail/main"}},
        {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}},
        {"ForAnyValue:StringEquals": {"aws:PrincipalAccount": "111122223333"}},
        {"StringLike": {"aws:userid": "AIDAEXAMPLE"}, "Bool": {"aws:SecureTransport": "true"}},
    ],
)
def test_restricting_conditions_make_a_wildcard_statement_non_public(condition: dict[str, Any]) -> None:
    assert restricting_condition(condition) is not None
    assert not judge_bucket_access(OFF, OFF, None, policy(allow(condition=condition)), None).public


@pytest.mark.parametrize(
    "condition",
    [
        {"StringLike": {"aws:SourceVpc": "vpc-*"}},
        {"StringEquals": {"aws:userid": "${aws:username}"}},
        {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
        {"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
        {"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},
        {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}},
        {"IpAddress": {"aws:SourceIp": ["0.0.0.0/1", "128.0.0.0/1"]}},
        {"IpAddress": {"aws:SourceIp": "::/0"}},
        {"Bool": {"aws:SecureTransport": "true"}},
        {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}},
    ],
)
def test_conditions_that_do_not_restrict_leave_the_statement_public(condition: dict[str, Any]) -> None:
    assert restricting_condition(condition) is None
    assert judge_bucket_access(OFF, OFF, None, policy(allow(condition=condition)), None).public


def test_restrict_public_buckets_neutralises_public_policy_and_policy_status() -> None:
    status = {"PolicyStatus": {"IsPublic": True}}
    verdict = judge_bucket_access(OFF, bpa(RestrictPublicBuckets=True), None, policy(allow()), status)
    assert not verdict.public and len(verdict.neutralised) == 1


def test_policy_status_public_counts_when_no_statement_explains_it() -> None:
    fixed = policy(allow({"AWS": "arn:aws:iam::111122223333:root"}))
    for status in ({"PolicyStatus": {"IsPublic": True}}, {"IsPublic": True}):
        verdict = judge_bucket_access(OFF, OFF, None, fixed, status)
        assert verdict.reasons == ("S3 reports the bucket policy as public (PolicyStatus.IsPublic)",)
    assert judge_bucket_access(OFF, OFF, None, fixed, {"IsPublic": False}).policy_status_public is False


def test_evidence_is_json_serialisable_and_complete() -> None:
    verdict = judge_bucket_access(OFF, OFF, acl((ALL_USERS, "WRITE")), policy(allow()), {"IsPublic": True})
    evidence = json.loads(json.dumps(verdict.as_evidence()))
    assert evidence["public"] is True
    assert evidence["public_acl_grants"] == [{"grantee": "AllUsers", "permission": "WRITE"}]
    assert evidence["public_policy_statements"][0]["Sid"] == "Public"
    assert evidence["effective_block_public_access"]["RestrictPublicBuckets"] is False


def test_block_public_access_parsing_accepts_wrapped_bare_and_null() -> None:
    settings = {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    assert BlockPublicAccess.parse(settings).all_on()
    assert BlockPublicAccess.parse({"PublicAccessBlockConfiguration": settings}).all_on()
    assert BlockPublicAccess.parse({"PublicAccessBlockConfiguration": None}).off() == list(settings)
    assert BlockPublicAccess.parse(None) == OFF
    assert bpa(BlockPublicAcls=True).combined(bpa(RestrictPublicBuckets=True)).off() == [
        "IgnorePublicAcls",
        "BlockPublicPolicy",
    ]


@pytest.mark.parametrize(
    ("bad_policy", "message"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps({"Version": "2012-10-17"}), "no Statement"),
        (json.dumps({"Statement": "x"}), "Statement must be"),
        (policy(allow(principal=5)), "Principal must be"),
        (policy(allow(condition={"IpAddress": {"aws:SourceIp": "nope"}})), "not an IP range"),
        (policy(allow(condition={"StringEquals": "x"})), "must map keys"),
    ],
)
def test_malformed_policies_raise_policy_error(bad_policy: str, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        judge_bucket_access(OFF, OFF, None, bad_policy, None)


def test_principal_helper_edge_cases() -> None:
    assert principal_is_public({"CanonicalUser": "*"})
    assert not principal_is_public(None)


def test_not_action_statement_is_described_by_what_it_leaves_out() -> None:
    statement = {"Effect": "Allow", "Principal": "*", "NotAction": "s3:DeleteObject", "Resource": "*"}
    verdict = judge_bucket_access(OFF, OFF, None, policy(statement), None)
    expected = "policy statement #1 allows every action except s3:DeleteObject to any principal"
    assert verdict.reasons == (expected,)
