"""CloudWatch Logs metric filter patterns for the 15 CIS v7 monitoring controls (5.1-5.15).

Written from the controls' audit procedures with explicit grouping, so that each pattern
means what the control asks for (the published route-table and unauthorized-call patterns
rely on operator precedence).
"""

from __future__ import annotations


def _any_event(*names: str) -> str:
    return " || ".join(f"($.eventName = {name})" for name in names)


CIS_FILTER_PATTERNS: dict[str, str] = {
    "unauthorized_api_calls": (
        '{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) '
        '&& ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }'
    ),
    "console_signin_without_mfa": (
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") '
        '&& ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }'
    ),
    "root_account_usage": (
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS '
        '&& $.eventType != "AwsServiceEvent" }'
    ),
    "iam_policy_changes": "{ "
    + _any_event(
        "DeleteGroupPolicy",
        "DeleteRolePolicy",
        "DeleteUserPolicy",
        "PutGroupPolicy",
        "PutRolePolicy",
        "PutUserPolicy",
        "CreatePolicy",
        "DeletePolicy",
        "CreatePolicyVersion",
        "DeletePolicyVersion",
        "AttachRolePolicy",
        "DetachRolePolicy",
        "AttachUserPolicy",
        "DetachUserPolicy",
        "AttachGroupPolicy",
        "DetachGroupPolicy",
    )
    + " }",
    "cloudtrail_config_changes": "{ "
    + _any_event("CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging")
    + " }",
    "console_auth_failures": '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
    "kms_cmk_disable_or_deletion": (
        "{ ($.eventSource = kms.amazonaws.com) "
        "&& (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }"
    ),
    "s3_bucket_policy_changes": "{ ($.eventSource = s3.amazonaws.com) && ("
    + _any_event(
        "PutBucketAcl",
        "PutBucketPolicy",
        "PutBucketCors",
        "PutBucketLifecycle",
        "PutBucketReplication",
        "DeleteBucketPolicy",
        "DeleteBucketCors",
        "DeleteBucketLifecycle",
        "DeleteBucketReplication",
    )
    + ") }",
    "config_changes": "{ ($.eventSource = config.amazonaws.com) && ("
    + _any_event(
        "StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel", "PutConfigurationRecorder"
    )
    + ") }",
    "security_group_changes": "{ "
    + _any_event(
        "AuthorizeSecurityGroupIngress",
        "AuthorizeSecurityGroupEgress",
        "RevokeSecurityGroupIngress",
        "RevokeSecurityGroupEgress",
        "CreateSecurityGroup",
        "DeleteSecurityGroup",
        "ModifySecurityGroupRules",
    )
    + " }",
    "nacl_changes": "{ "
    + _any_event(
        "CreateNetworkAcl",
        "CreateNetworkAclEntry",
        "DeleteNetworkAcl",
        "DeleteNetworkAclEntry",
        "ReplaceNetworkAclEntry",
        "ReplaceNetworkAclAssociation",
    )
    + " }",
    "network_gateway_changes": "{ "
    + _any_event(
        "CreateCustomerGateway",
        "DeleteCustomerGateway",
        "AttachInternetGateway",
        "CreateInternetGateway",
        "DeleteInternetGateway",
        "DetachInternetGateway",
    )
    + " }",
    "route_table_changes": "{ ($.eventSource = ec2.amazonaws.com) && ("
    + _any_event(
        "CreateRoute",
        "CreateRouteTable",
        "ReplaceRoute",
        "ReplaceRouteTableAssociation",
        "DeleteRouteTable",
        "DeleteRoute",
        "DisassociateRouteTable",
    )
    + ") }",
    "vpc_changes": "{ "
    + _any_event(
        "CreateVpc",
        "DeleteVpc",
        "ModifyVpcAttribute",
        "AcceptVpcPeeringConnection",
        "CreateVpcPeeringConnection",
        "DeleteVpcPeeringConnection",
        "RejectVpcPeeringConnection",
        "AttachClassicLinkVpc",
        "DetachClassicLinkVpc",
        "DisableVpcClassicLink",
        "EnableVpcClassicLink",
    )
    + " }",
    "organizations_changes": "{ ($.eventSource = organizations.amazonaws.com) && ("
    + _any_event(
        "AcceptHandshake",
        "AttachPolicy",
        "CreateAccount",
        "CreateOrganizationalUnit",
        "CreatePolicy",
        "DeclineHandshake",
        "DeleteOrganization",
        "DeleteOrganizationalUnit",
        "DeletePolicy",
        "DetachPolicy",
        "DisablePolicyType",
        "EnablePolicyType",
        "InviteAccountToOrganization",
        "LeaveOrganization",
        "MoveAccount",
        "RemoveAccountFromOrganization",
        "UpdatePolicy",
        "UpdateOrganizationalUnit",
    )
    + ") }",
}
