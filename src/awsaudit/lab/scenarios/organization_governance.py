"""The `organization` scenario's governance: guardrails by OU, the management account's workloads
and governance resources, centralized root access, Identity Center and a directory trust."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from awsaudit.lab.backend import RootState, set_root_password_present, set_root_state
from awsaudit.lab.scenarios.model import Planted
from awsaudit.lab.scenarios.resources import policy_json

if TYPE_CHECKING:
    from awsaudit.lab.clients import LabAccount
    from awsaudit.lab.server import Lab

HOME = "us-east-1"
PRODUCTION, SANDBOX = "Production", "Sandbox"
AUDIT_ROLE = "OrganizationAccountAccessRole"
_EXEMPT_AUDIT_ROLE = {"ArnNotLike": {"aws:PrincipalArn": f"arn:aws:iam::*:role/{AUDIT_ROLE}"}}
SECURITY_BASELINE_SCP = "security-baseline"
COSMETIC_SCP = "deny-reserved-instance-purchases"
# The default guardrail baseline, denied to everyone but the audit role.
_SECURITY_BASELINE = policy_json(
    {
        "Sid": "ProtectSecurityServices",
        "Effect": "Deny",
        "Action": [
            "cloudtrail:StopLogging",
            "cloudtrail:DeleteTrail",
            "config:StopConfigurationRecorder",
            "config:DeleteConfigurationRecorder",
            "config:DeleteDeliveryChannel",
            "guardduty:DeleteDetector",
            "guardduty:Disassociate*",
            "securityhub:DisableSecurityHub",
            "access-analyzer:DeleteAnalyzer",
            "organizations:LeaveOrganization",
        ],
        "Resource": "*",
        "Condition": _EXEMPT_AUDIT_ROLE,
    },
    {
        "Sid": "ProtectAuditRole",
        "Effect": "Deny",
        "Action": "iam:*",
        "Resource": f"arn:aws:iam::*:role/{AUDIT_ROLE}",
        "Condition": _EXEMPT_AUDIT_ROLE,
    },
)
# Looks like a guardrail, denies nothing an attacker needs to blind the security team.
_COSMETIC = policy_json(
    {"Effect": "Deny", "Action": "ec2:PurchaseReservedInstancesOffering", "Resource": "*"}
)
_DATA_PERIMETER_RCP = "data-perimeter"


def guardrails(organizations: Any, root: str, units: Mapping[str, str]) -> None:
    """A well-guarded Production OU, a weakly guarded Sandbox OU, and a data-perimeter RCP."""
    for name, content, target in (
        (SECURITY_BASELINE_SCP, _SECURITY_BASELINE, units[PRODUCTION]),
        (COSMETIC_SCP, _COSMETIC, units[SANDBOX]),
    ):
        policy = organizations.create_policy(
            Name=name, Description=name, Type="SERVICE_CONTROL_POLICY", Content=content
        )["Policy"]["PolicySummary"]["Id"]
        organizations.attach_policy(PolicyId=policy, TargetId=target)
    organizations.enable_policy_type(RootId=root, PolicyType="RESOURCE_CONTROL_POLICY")
    organization_id = organizations.describe_organization()["Organization"]["Id"]
    perimeter = organizations.create_policy(
        Name=_DATA_PERIMETER_RCP,
        Description="S3 only for principals of the organization",
        Type="RESOURCE_CONTROL_POLICY",
        Content=policy_json(
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {
                    "StringNotEqualsIfExists": {"aws:PrincipalOrgID": organization_id},
                    "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
                },
            }
        ),
    )["Policy"]["PolicySummary"]["Id"]
    organizations.attach_policy(PolicyId=perimeter, TargetId=root)


def management_planted(
    management: LabAccount, organizations: Any, root: str, units: Mapping[str, str]
) -> set[Planted]:
    """The management account's planted FAILs (its findings on itself, the root and the OUs)."""
    organization_id = organizations.describe_organization()["Organization"]["Id"]
    arn = f"arn:aws:organizations::{management.account_id}"
    missing_delegation = ("config.amazonaws.com", "securityhub.amazonaws.com")
    instance = management.client("sso-admin", HOME).list_instances()["Instances"][0]["InstanceArn"]
    admin_set = next(
        arn
        for arn in management.client("sso-admin", HOME).list_permission_sets(InstanceArn=instance)[
            "PermissionSets"
        ]
        if management.client("sso-admin", HOME).describe_permission_set(
            InstanceArn=instance, PermissionSetArn=arn
        )["PermissionSet"]["Name"]
        == "AdministratorAccess"
    )
    directory = management.client("ds", HOME).describe_directories()["DirectoryDescriptions"]
    forest = next(d["DirectoryId"] for d in directory if d["Name"] == "corp.example.com")
    return {
        Planted("organizations.management_account_no_workloads", management.root_arn),
        Planted("organizations.scp_guardrails", f"{arn}:root/{organization_id}/{root}"),
        Planted("organizations.scp_guardrails", f"{arn}:ou/{organization_id}/{units[SANDBOX]}"),
        *(
            Planted(
                "organizations.security_delegated_administrators",
                f"{management.root_arn}/delegated-administrator/{service}",
            )
            for service in missing_delegation
        ),
        Planted("identitycenter.admin_permission_sets", admin_set),
        Planted(
            "ds.forest_trust_selective_auth",
            f"arn:aws:ds:{HOME}:{management.account_id}:directory/{forest}/trust/onprem.example.com",
        ),
        Planted("iam.root_mfa", management.root_arn),
    }


def make_rootless(account_id: str) -> None:
    """The root user of a member under centralized root access: no password, keys or MFA."""
    set_root_state(
        account_id,
        RootState(created=datetime(2026, 1, 5, tzinfo=UTC), mfa_enabled=False, password_last_used=None),
    )
    set_root_password_present(account_id, False)


def build_management_governance(lab: Lab, management: LabAccount, organizations: Any) -> list[str]:
    """Everything the management account holds besides budgets and the organization trail."""
    lab.organization.organization_id = organizations.describe_organization()["Organization"]["Id"]
    lab.organization.root_access_features = ["RootCredentialsManagement", "RootSessions"]
    _workloads(lab, management)
    _governance_resources(management)
    _identity_center(lab, management, organizations)
    _directory(management)
    _delegated_administrators(organizations, management)
    return [
        "Guardrails: Production's SCP denies the default baseline (except to the audit role); "
        "Sandbox's SCP denies none of it; the root's only denies leaving the organization, so the "
        "accounts directly under the root (at-root, root-less) are weakly guarded too.",
        "Centralized root access (RootCredentialsManagement, RootSessions) is enabled; root-less's root "
        "user has no password, access keys or MFA.",
        "Management account workloads: an EC2 instance, an SQS queue, a DynamoDB table and a Lightsail "
        "instance; governance beside them: the organization trail's bucket, a Control Tower log bucket "
        "and notification topic.",
        "Identity Center: permission set AdministratorAccess assigned to groups developers and "
        "platform-admins, ReadOnly to auditors; its users carry identifiers issued by an external "
        "identity provider (the identity source). Directory Service: corp.example.com with a two-way "
        "forest trust to onprem.example.com without selective authentication, and an AD Connector. "
        "GuardDuty and Access Analyzer have a delegated administrator; Config and Security Hub do not.",
    ]


def _workloads(lab: Lab, management: LabAccount) -> None:
    management.client("sqs", HOME).create_queue(QueueName="orders")
    management.client("dynamodb", HOME).create_table(
        TableName="carts",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    lab.organization.lightsail_instances = {
        HOME: [
            {
                "name": "marketing-blog",
                "arn": f"arn:aws:lightsail:{HOME}:{management.account_id}:Instance/marketing-blog",
                "state": {"code": 16, "name": "running"},
                "tags": [],
            }
        ]
    }


def _governance_resources(management: LabAccount) -> None:
    management.client("s3", HOME).create_bucket(
        Bucket=f"aws-controltower-logs-{management.account_id}-{HOME}"
    )
    management.client("sns", HOME).create_topic(Name="aws-controltower-SecurityNotifications")


EXTERNAL_IDP = "https://idp.example.com/scim/v2"


def _identity_center(lab: Lab, management: LabAccount, organizations: Any) -> None:
    sso = management.client("sso-admin", HOME)
    instance = sso.list_instances()["Instances"][0]
    instance_arn = instance["InstanceArn"]
    store = management.client("identitystore", HOME)
    groups = {
        name: store.create_group(IdentityStoreId=instance["IdentityStoreId"], DisplayName=name)["GroupId"]
        for name in ("developers", "platform-admins", "auditors")
    }
    members = [a["Id"] for a in organizations.list_accounts()["Accounts"] if a["Id"] != management.account_id]
    assigned: dict[str, list[str]] = {}
    for name, policy, holders in (
        ("AdministratorAccess", "AdministratorAccess", ("developers", "platform-admins")),
        ("ReadOnly", "ReadOnlyAccess", ("auditors",)),
    ):
        arn = sso.create_permission_set(Name=name, InstanceArn=instance_arn)["PermissionSet"][
            "PermissionSetArn"
        ]
        sso.attach_managed_policy_to_permission_set(
            InstanceArn=instance_arn,
            PermissionSetArn=arn,
            ManagedPolicyArn=f"arn:aws:iam::aws:policy/{policy}",
        )
        for holder in holders:
            for account in members[:1]:
                sso.create_account_assignment(
                    InstanceArn=instance_arn,
                    TargetId=account,
                    TargetType="AWS_ACCOUNT",
                    PermissionSetArn=arn,
                    PrincipalType="GROUP",
                    PrincipalId=groups[holder],
                )
        assigned[arn] = members[:1]
    # AWS provisions a permission set into the accounts it is assigned in; moto does not track them.
    lab.organization.permission_set_accounts.update(assigned)
    # The identity source is an external identity provider: it provisions the users over SCIM, each
    # with the identifier it issued (moto's users cannot carry one: the lab adds them).
    for name in ("ana", "bo"):
        user = store.create_user(
            IdentityStoreId=instance["IdentityStoreId"],
            UserName=name,
            DisplayName=name,
            Name={"GivenName": name, "FamilyName": "Example"},
        )["UserId"]
        lab.organization.user_external_ids[user] = [{"Issuer": EXTERNAL_IDP, "Id": f"{name}-00u1"}]
    lab.organization.instances[instance_arn] = {
        "IdentityStoreId": instance["IdentityStoreId"],
        "OwnerAccountId": management.account_id,
        "Name": "corp",
        "Status": "ACTIVE",
    }


def _directory(management: LabAccount) -> None:
    ec2 = management.client("ec2", HOME)
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{n}.0/24", AvailabilityZone=f"{HOME}{zone}")["Subnet"][
            "SubnetId"
        ]
        for n, zone in ((1, "a"), (2, "b"))
    ]
    ds = management.client("ds", HOME)
    directory = ds.create_microsoft_ad(
        Name="corp.example.com",
        Password="Lab-Directory-Passw0rd!",
        VpcSettings={"VpcId": vpc, "SubnetIds": subnets},
        Edition="Standard",
    )["DirectoryId"]
    ds.create_trust(
        DirectoryId=directory,
        RemoteDomainName="onprem.example.com",
        TrustPassword="Lab-Trust-Passw0rd!",
        TrustDirection="Two-Way",
        TrustType="Forest",
        SelectiveAuth="Disabled",
        ConditionalForwarderIpAddrs=["10.0.0.10"],
    )
    ds.connect_directory(
        Name="connector.example.com",
        Password="Lab-Connector-Passw0rd!",
        Size="Small",
        ConnectSettings={
            "VpcId": vpc,
            "SubnetIds": subnets,
            "CustomerDnsIps": ["10.0.0.10"],
            "CustomerUserName": "svc-connector",
        },
    )


def _delegated_administrators(organizations: Any, management: LabAccount) -> None:
    """GuardDuty and Access Analyzer are delegated to the first member; Config and Security Hub are not."""
    members = [a["Id"] for a in organizations.list_accounts()["Accounts"] if a["Id"] != management.account_id]
    for service in ("guardduty.amazonaws.com", "access-analyzer.amazonaws.com"):
        organizations.enable_aws_service_access(ServicePrincipal=service)
        organizations.register_delegated_administrator(AccountId=members[0], ServicePrincipal=service)
