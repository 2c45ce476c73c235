"""The resource-policy analysis, table-driven: every kind, every audience, Deny and NotPrincipal."""

from __future__ import annotations

import json
from typing import Any

import pytest

from awsaudit.analyze.resource_policy import (
    Capability,
    Exposure,
    PolicyError,
    Reach,
    Trust,
    analyze_policy,
)
from awsaudit.analyze.resource_policy.kinds import KINDS, ResourceKind

ACCOUNT = "111111111111"
SIBLING = "222222222222"  # another account of the organization
STRANGER = "999999999999"  # outside the organization
ORG = "o-own1234567"
TRUST = Trust(ACCOUNT, ORG, frozenset({ACCOUNT, SIBLING}))

# One action of each kind's service that a caller could use against it.
ACTION_BY_SERVICE = {
    "kms": "kms:Decrypt",
    "sns": "sns:Publish",
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


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(
    principal: Any, action: Any, condition: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": "*"}
    if condition:
        statement["Condition"] = condition
    statement.update(extra)
    return statement


def deny(principal: Any, action: Any, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    return {**allow(principal, action, condition), "Effect": "Deny"}


def exposure_of(*statements: dict[str, Any], services: tuple[str, ...] = ("sqs",)) -> Exposure:
    return analyze_policy(policy(*statements), TRUST, services).exposure


# ---------------------------------------------------------- every kind, four audiences


def _statements(action: str) -> list[tuple[str, dict[str, Any], Exposure]]:
    return [
        ("public", allow("*", action), Exposure.PUBLIC),
        ("public-any-account", allow({"AWS": "arn:aws:iam::*:root"}, action), Exposure.PUBLIC),
        (
            "org-pinned",
            allow("*", action, {"StringEquals": {"aws:PrincipalOrgID": ORG}}),
            Exposure.RESTRICTED,
        ),
        (
            "service-pinned",
            allow(
                {"Service": "events.amazonaws.com"},
                action,
                {"ArnLike": {"aws:SourceArn": f"arn:aws:events:*:{ACCOUNT}:rule/*"}},
            ),
            Exposure.RESTRICTED,
        ),
        (
            "service-unpinned",
            allow({"Service": "events.amazonaws.com"}, action),
            Exposure.OUTSIDE_ORGANIZATION,
        ),
        ("named-sibling", allow({"AWS": f"arn:aws:iam::{SIBLING}:root"}, action), Exposure.RESTRICTED),
        ("named-stranger", allow({"AWS": STRANGER}, action), Exposure.OUTSIDE_ORGANIZATION),
        (
            "stranger-pinned-to-org",
            allow({"AWS": STRANGER}, action, {"StringEquals": {"aws:PrincipalOrgID": ORG}}),
            Exposure.RESTRICTED,
        ),
    ]


CASES = [
    pytest.param(kind, statement, expected, id=f"{kind.check_id}-{label}")
    for kind in KINDS
    for label, statement, expected in _statements(ACTION_BY_SERVICE[kind.action_services[0]])
]


@pytest.mark.parametrize(("kind", "statement", "expected"), CASES)
def test_each_kind_judges_each_audience(
    kind: ResourceKind, statement: dict[str, Any], expected: Exposure
) -> None:
    assert analyze_policy(policy(statement), TRUST, kind.action_services).exposure is expected


def test_every_kind_has_a_representative_action() -> None:
    assert {kind.action_services[0] for kind in KINDS} <= set(ACTION_BY_SERVICE)


# ------------------------------------------------------------------- what it allows


@pytest.mark.parametrize(
    ("action", "services", "capabilities", "severe"),
    [
        ("sqs:ReceiveMessage", ("sqs",), {Capability.READ}, False),
        ("sqs:SendMessage", ("sqs",), {Capability.WRITE}, True),
        ("sqs:AddPermission", ("sqs",), {Capability.ADMINISTER}, True),
        ("kms:Decrypt", ("kms",), {Capability.WRITE, Capability.DECRYPT}, True),
        ("secretsmanager:GetSecretValue", ("secretsmanager",), {Capability.READ, Capability.DECRYPT}, True),
        ("ecr:BatchGetImage", ("ecr",), {Capability.READ}, False),
        ("sqs:NoSuchActionYet", ("sqs",), {Capability.WRITE}, True),  # unknown: assume the worst
    ],
)
def test_capabilities_follow_the_catalog_access_levels(
    action: str, services: tuple[str, ...], capabilities: set[Capability], severe: bool
) -> None:
    verdict = analyze_policy(policy(allow("*", action)), TRUST, services)
    assert verdict.capabilities == capabilities
    assert verdict.severe is severe


def test_actions_of_other_services_do_not_apply_to_the_resource() -> None:
    verdict = analyze_policy(policy(allow("*", "s3:GetObject")), TRUST, ("sqs",))
    assert verdict.exposure is Exposure.RESTRICTED and verdict.grants == ()


def test_not_action_allows_everything_of_the_kind_but_what_it_lists() -> None:
    statement = {"Effect": "Allow", "Principal": "*", "NotAction": "sqs:DeleteQueue", "Resource": "*"}
    verdict = analyze_policy(policy(statement), TRUST, ("sqs",))
    assert verdict.exposure is Exposure.PUBLIC
    names = verdict.grants[0].actions.names(100)
    assert "sqs:SendMessage" in names and "sqs:DeleteQueue" not in names


# ----------------------------------------------------------------- NotPrincipal, Deny


def test_not_principal_allow_admits_everyone_else() -> None:
    statement = {"Effect": "Allow", "NotPrincipal": {"AWS": STRANGER}, "Action": "sqs:*", "Resource": "*"}
    verdict = analyze_policy(policy(statement), TRUST, ("sqs",))
    assert verdict.exposure is Exposure.PUBLIC
    assert verdict.grants[0].principal == f"* except {STRANGER}"


def test_unconditional_deny_on_the_same_actions_removes_the_grant() -> None:
    assert exposure_of(allow("*", "sqs:SendMessage"), deny("*", "sqs:*")) is Exposure.RESTRICTED


def test_deny_of_some_actions_leaves_the_others() -> None:
    verdict = analyze_policy(
        policy(allow("*", ["sqs:SendMessage", "sqs:ReceiveMessage"]), deny("*", "sqs:SendMessage")),
        TRUST,
        ("sqs",),
    )
    assert verdict.exposure is Exposure.PUBLIC
    assert verdict.capabilities == {Capability.READ}
    assert verdict.grants[0].denied_by == ("statement #2",)


def test_deny_unless_from_the_organization_pins_the_grant() -> None:
    guard = deny("*", "sqs:*", {"StringNotEquals": {"aws:PrincipalOrgID": ORG}})
    verdict = analyze_policy(policy(allow("*", "sqs:SendMessage"), guard), TRUST, ("sqs",))
    assert verdict.exposure is Exposure.RESTRICTED
    assert verdict.grants[0].reach is Reach.INSIDE


@pytest.mark.parametrize(
    "guard",
    [
        # IfExists lets requests without the key (anonymous callers) through.
        deny("*", "sqs:*", {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG}}),
        # Only plain-HTTP requests are denied.
        deny("*", "sqs:*", {"Bool": {"aws:SecureTransport": "false"}}),
        # A Deny naming someone else does not touch '*'.
        deny({"AWS": STRANGER}, "sqs:*"),
        # A Deny on another resource.
        {**deny("*", "sqs:*"), "Resource": "arn:aws:sqs:eu-west-1:111111111111:other"},
        # "Deny everyone except ..." with a condition.
        {
            "Effect": "Deny",
            "NotPrincipal": {"AWS": ACCOUNT},
            "Action": "sqs:*",
            "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    ],
)
def test_denies_that_do_not_cover_the_grant_leave_it_public(guard: dict[str, Any]) -> None:
    assert exposure_of(allow("*", "sqs:SendMessage"), guard) is Exposure.PUBLIC


def test_deny_everyone_but_the_account_confines_the_grant() -> None:
    guard = {"Effect": "Deny", "NotPrincipal": {"AWS": ACCOUNT}, "Action": "sqs:*", "Resource": "*"}
    assert exposure_of(allow("*", "sqs:SendMessage"), guard) is Exposure.RESTRICTED


def test_deny_unless_from_a_foreign_organization_still_reaches_outside() -> None:
    guard = deny("*", "sqs:*", {"StringNotEquals": {"aws:PrincipalOrgID": "o-foreign"}})
    assert exposure_of(allow("*", "sqs:SendMessage"), guard) is Exposure.OUTSIDE_ORGANIZATION


# ------------------------------------------------------------------ condition semantics


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"aws:PrincipalOrgID": ORG}},
        {"ForAnyValue:StringEquals": {"aws:PrincipalOrgPaths": [f"{ORG}/r-ab12/*"]}},
        {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        {"StringEquals": {"aws:PrincipalAccount": [ACCOUNT, SIBLING]}},
        {"ArnLike": {"aws:SourceArn": f"arn:aws:sns:*:{ACCOUNT}:*"}},
        {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
        {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}},
        {"StringEquals": {"kms:CallerAccount": ACCOUNT}},
        # ANDed: the narrowest pin wins.
        {"StringEquals": {"aws:PrincipalAccount": STRANGER, "aws:PrincipalOrgID": ORG}},
    ],
)
def test_conditions_that_pin_to_the_organization_or_a_network(condition: dict[str, Any]) -> None:
    assert exposure_of(allow("*", "sqs:SendMessage", condition)) is Exposure.RESTRICTED


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEqualsIfExists": {"aws:PrincipalOrgID": ORG}},
        {"ForAllValues:StringEquals": {"aws:PrincipalOrgID": ORG}},
        {"StringNotEquals": {"aws:PrincipalOrgID": ORG}},
        {"StringLike": {"aws:PrincipalOrgID": "o-*"}},
        {"StringLike": {"aws:PrincipalAccount": "1111*"}},
        {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:*:alerts"}},
        {"StringEquals": {"aws:PrincipalAccount": "${aws:username}"}},
        {"Null": {"aws:PrincipalOrgID": "false"}},
        {"IpAddress": {"aws:SourceIp": ["0.0.0.0/1", "128.0.0.0/1"]}},
        {"Bool": {"aws:SecureTransport": "true"}},
    ],
)
def test_conditions_that_pin_nothing_leave_the_statement_public(condition: dict[str, Any]) -> None:
    assert exposure_of(allow("*", "sqs:SendMessage", condition)) is Exposure.PUBLIC


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"aws:PrincipalOrgID": "o-foreign"}},
        {"StringEquals": {"aws:SourceAccount": STRANGER}},
        {"StringEquals": {"aws:PrincipalAccount": [ACCOUNT, STRANGER]}},
    ],
)
def test_pins_to_foreign_accounts_or_organizations_reach_outside(condition: dict[str, Any]) -> None:
    assert exposure_of(allow("*", "sqs:SendMessage", condition)) is Exposure.OUTSIDE_ORGANIZATION


def test_a_source_pin_is_what_pins_a_service_principal() -> None:
    service = {"Service": "sns.amazonaws.com"}
    assert exposure_of(
        allow(service, "sqs:SendMessage", {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}})
    ) is (Exposure.OUTSIDE_ORGANIZATION)
    assert exposure_of(allow(service, "sqs:SendMessage", {"StringEquals": {"aws:SourceOrgID": ORG}})) is (
        Exposure.RESTRICTED
    )


# ------------------------------------------------------------------ organization knowledge


def test_without_the_member_list_other_accounts_count_as_outside() -> None:
    trust = Trust(ACCOUNT, ORG, None)
    verdict = analyze_policy(policy(allow({"AWS": SIBLING}, "sqs:SendMessage")), trust, ("sqs",))
    assert verdict.exposure is Exposure.OUTSIDE_ORGANIZATION


def test_outside_any_organization_no_organization_pin_is_the_accounts_own() -> None:
    trust = Trust(ACCOUNT, None, frozenset())
    condition = {"StringEquals": {"aws:PrincipalOrgID": ORG}}
    verdict = analyze_policy(policy(allow("*", "sqs:SendMessage", condition)), trust, ("sqs",))
    assert verdict.exposure is Exposure.OUTSIDE_ORGANIZATION


# ----------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps({"Version": "2012-10-17"}), "no Statement"),
        (policy({"Effect": "Maybe", "Principal": "*", "Action": "sqs:*"}), "Effect"),
        (policy(allow(5, "sqs:*")), "Principal must be"),
        (policy(allow("*", "sqs:*", {"IpAddress": {"aws:SourceIp": "nope"}})), "not an IP range"),
        (policy(allow("*", "sqs:*", {"StringEquals": "x"})), "must map keys"),
        (policy(allow("*", "notanaction")), "service:action"),
    ],
)
def test_malformed_policies_raise_policy_error(document: str, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        analyze_policy(document, TRUST, ("sqs",))


def test_api_gateway_escaped_policy_text_is_read() -> None:
    (kind,) = [k for k in KINDS if k.check_id == "apigateway.rest_api_not_exposed"]
    escaped = policy(allow("*", "execute-api:Invoke")).replace('"', '\\"')
    document = kind.policy_of({"id": "a1", "policy": escaped})
    assert analyze_policy(document or "", TRUST, kind.action_services).exposure is Exposure.PUBLIC


def test_evidence_names_each_grant() -> None:
    verdict = analyze_policy(policy(allow("*", "sqs:SendMessage", Sid="Open")), TRUST, ("sqs",))
    evidence = json.loads(json.dumps(verdict.as_evidence()))
    assert evidence["exposure"] == "public"
    assert evidence["grants"][0] == {
        "statement": "statement 'Open'",
        "principal": "*",
        "reach": "public",
        "allows": ["write"],
        "actions": ["sqs:SendMessage"],
        "pinned_by": [],
        "narrowed_by_deny": [],
    }
    assert verdict.reasons() == ["statement 'Open' lets anyone write (sqs:SendMessage)"]
