"""The corpus covers every event CIS lists, per version, with realistic CloudTrail records."""

from __future__ import annotations

import pytest

from awsaudit.analyze.logmonitor import (
    CIS_VERSIONS,
    CONTROL_IDS,
    UnknownControlError,
    evaluate_filter,
    requirements,
)

CIS_EVENT_NAMES = {
    "iam_policy_changes": {
        "DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy",
        "PutUserPolicy", "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion",
        "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy",
        "DetachGroupPolicy",
    },
    "cloudtrail_config_changes": {"CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"},
    "kms_cmk_disable_or_deletion": {"DisableKey", "ScheduleKeyDeletion"},
    "s3_bucket_policy_changes": {
        "PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle", "PutBucketReplication",
        "DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketReplication",
    },
    "config_changes": {
        "StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel",
        "PutConfigurationRecorder",
    },
    "security_group_changes": {
        "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress",
        "RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup", "ModifySecurityGroupRules",
    },
    "nacl_changes": {
        "CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry",
        "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation",
    },
    "network_gateway_changes": {
        "CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway", "CreateInternetGateway",
        "DeleteInternetGateway", "DetachInternetGateway",
    },
    "route_table_changes": {
        "CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation", "DeleteRouteTable",
        "DeleteRoute", "DisassociateRouteTable",
    },
    "vpc_changes": {
        "CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection",
        "CreateVpcPeeringConnection", "DeleteVpcPeeringConnection", "RejectVpcPeeringConnection",
        "AttachClassicLinkVpc", "DetachClassicLinkVpc", "DisableVpcClassicLink", "EnableVpcClassicLink",
    },
    "organizations_changes": {
        "AcceptHandshake", "AttachPolicy", "CreateAccount", "CreateOrganizationalUnit", "CreatePolicy",
        "DeclineHandshake", "DeleteOrganization", "DeleteOrganizationalUnit", "DeletePolicy", "DetachPolicy",
        "DisablePolicyType", "EnablePolicyType", "InviteAccountToOrganization", "LeaveOrganization",
        "MoveAccount", "RemoveAccountFromOrganization", "UpdatePolicy", "UpdateOrganizationalUnit",
    },
}  # fmt: skip

RECORD_FIELDS = {
    "eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress",
    "userAgent", "requestID", "eventID", "eventType", "recipientAccountId", "managementEvent", "readOnly",
}  # fmt: skip


@pytest.mark.parametrize("control", CIS_EVENT_NAMES)
def test_every_listed_event_name_must_match(control: str) -> None:
    names = {e.event_name for e in requirements(control, "7.0.0").must_match}
    assert names == CIS_EVENT_NAMES[control]


def test_modify_security_group_rules_is_required_from_v5() -> None:
    def names(version: str) -> set[str]:
        return {e.event_name for e in requirements("security_group_changes", version).must_match}

    assert "ModifySecurityGroupRules" not in names("3.0.0")
    assert "ModifySecurityGroupRules" in names("5.0.0") and "ModifySecurityGroupRules" in names("7.0.0")


@pytest.mark.parametrize("control", CONTROL_IDS)
@pytest.mark.parametrize("version", CIS_VERSIONS)
def test_records_are_realistic_and_read_only(control: str, version: str) -> None:
    requirement = requirements(control, version)
    events = (*requirement.must_match, *requirement.must_not_match)
    assert requirement.must_match and requirement.must_not_match
    assert requirement.cis_id == ("5." if version == "7.0.0" else "4.") + requirement.cis_id.split(".")[1]
    assert len({e.event_id for e in events}) == len(events)
    for event in events:
        assert set(event.record) >= RECORD_FIELDS, event.event_id
        identity = event.record["userIdentity"]
        assert identity["type"] in {"IAMUser", "AssumedRole", "Root", "AWSService"}
        assert identity["type"] == "AWSService" or identity["accountId"] == event.record["recipientAccountId"]
        assert event.event_source.endswith(".amazonaws.com") and event.why
        with pytest.raises(TypeError):
            event.record["eventName"] = "Tampered"  # type: ignore[index]


def test_failure_modes_and_exclusions_are_represented() -> None:
    unauthorized = requirements("unauthorized_api_calls", "7.0.0")
    assert {e.record["errorCode"] for e in unauthorized.must_match} == {
        "Client.UnauthorizedOperation",
        "AccessDenied",
        "AccessDeniedException",
    }
    excluded = {(e.record["sourceIPAddress"], e.event_name) for e in unauthorized.must_not_match}
    assert ("delivery.logs.amazonaws.com", "GetBucketAcl") in excluded
    assert any(name == "HeadBucket" for _, name in excluded)
    root = requirements("root_account_usage", "7.0.0")
    assert {e.record["eventType"] for e in root.must_match} == {"AwsConsoleSignIn", "AwsApiCall"}
    assert any("invokedBy" in e.record["userIdentity"] for e in root.must_not_match)
    assert any(e.record["eventType"] == "AwsServiceEvent" for e in root.must_not_match)
    mfa = requirements("console_signin_without_mfa", "7.0.0")
    assert {e.record["additionalEventData"]["MFAUsed"] for e in mfa.must_match} == {"No"}
    assert any(e.record.get("additionalEventData", {}).get("MFAUsed") == "Yes" for e in mfa.must_not_match)
    failures = requirements("console_auth_failures", "7.0.0")
    assert {e.record["errorMessage"] for e in failures.must_match} == {"Failed authentication"}
    assert any(
        e.record.get("responseElements", {}).get("ConsoleLogin") == "Success" for e in failures.must_not_match
    )


@pytest.mark.parametrize(("control", "version"), [("nope", "7.0.0"), ("vpc_changes", "4.0.1")])
def test_unknown_control_or_version(control: str, version: str) -> None:
    with pytest.raises(UnknownControlError, match=r"unknown"):
        requirements(control, version)


def test_console_auth_failures_cover_the_mfa_step_root_and_federated_sign_in() -> None:
    failures = requirements("console_auth_failures", "7.0.0")
    shapes = {
        (e.record["userIdentity"]["type"], e.record["additionalEventData"].get("MFAUsed"))
        for e in failures.must_match
    }
    assert {("IAMUser", "Yes"), ("Root", "Yes"), ("Root", "No"), ("AssumedRole", "No")} <= shapes


@pytest.mark.parametrize(
    ("pattern", "missed"),
    [
        (
            '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") '
            '&& ($.additionalEventData.MFAUsed = "No") }',
            {"iam-user-mfa-step-failed-authentication", "root-mfa-step-failed-authentication"},
        ),
        (
            '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") '
            '&& ($.userIdentity.type = "IAMUser") }',
            {
                "root-failed-authentication",
                "root-mfa-step-failed-authentication",
                "federated-failed-authentication",
            },
        ),
    ],
)
def test_narrowed_failure_filters_miss_what_they_leave_out(pattern: str, missed: set[str]) -> None:
    verdict = evaluate_filter(pattern, "console_auth_failures", "7.0.0")
    assert {outcome.event_id for outcome in verdict.missed} == missed


def test_an_alarm_of_another_control_covers_only_if_it_matches_every_required_event() -> None:
    root_usage = (
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS '
        '&& $.eventType != "AwsServiceEvent" }'
    )
    verdict = evaluate_filter(root_usage, "console_auth_failures", "7.0.0")
    assert not verdict.satisfied
    assert "iam-user-failed-authentication" in {o.event_id for o in verdict.missed}
