"""The organization policy tree, IAM organization features, Identity Center, Directory Service and
the workload inventory, collected from the lab (emulating what moto lacks)."""

from __future__ import annotations

import json

import pytest

from awsaudit.analyze.organization.directory_inventory import identity_center_inventory
from awsaudit.analyze.organization.workloads import WORKLOAD_KINDS
from awsaudit.audit import evaluate, select
from awsaudit.config import AuditConfig
from awsaudit.findings import Status
from awsaudit.lab.server import Lab
from awsaudit.snapshot import GLOBAL, Snapshot
from tests.collect.support import ACCOUNT, HOME, collect_lab, error_keys, lab_client

TREE = [
    "organizations/Organization",
    "organizations/Roots",
    "organizations/OrganizationalUnits",
    "organizations/AccountParents",
    "organizations/Policies",
    "organizations/ResourceControlPolicies",
    "iam/OrganizationsFeatures",
    "sso-admin/Instances",
    "ds/Directories",
]
INVENTORY = sorted({f"{kind.service}/{kind.dataset}" for kind in WORKLOAD_KINDS})
DENY_S3_OUTSIDE = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": "*",
            "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-x"}},
        }
    ],
}


@pytest.fixture(scope="module")
def snapshot(clean_lab: Lab) -> Snapshot:
    organizations = lab_client(clean_lab, "organizations")
    organization = organizations.create_organization(FeatureSet="ALL")["Organization"]
    clean_lab.organization.organization_id = organization["Id"]
    clean_lab.organization.root_access_features = ["RootCredentialsManagement", "RootSessions"]
    root = organizations.list_roots()["Roots"][0]["Id"]
    organizations.enable_policy_type(RootId=root, PolicyType="RESOURCE_CONTROL_POLICY")
    unit = organizations.create_organizational_unit(ParentId=root, Name="Workloads")["OrganizationalUnit"][
        "Id"
    ]
    member = organizations.create_account(Email="m@example.com", AccountName="member")["CreateAccountStatus"][
        "AccountId"
    ]
    organizations.move_account(AccountId=member, SourceParentId=root, DestinationParentId=unit)
    organizations.create_account(Email="r@example.com", AccountName="at-root")
    rcp = organizations.create_policy(
        Content=json.dumps(DENY_S3_OUTSIDE),
        Description="data perimeter",
        Name="perimeter",
        Type="RESOURCE_CONTROL_POLICY",
    )["Policy"]["PolicySummary"]["Id"]
    organizations.attach_policy(PolicyId=rcp, TargetId=unit)

    sso = lab_client(clean_lab, "sso-admin")
    instance = sso.list_instances()["Instances"][0]
    admin = sso.create_permission_set(Name="Admin", InstanceArn=instance["InstanceArn"])["PermissionSet"]
    sso.attach_managed_policy_to_permission_set(
        InstanceArn=instance["InstanceArn"],
        PermissionSetArn=admin["PermissionSetArn"],
        ManagedPolicyArn="arn:aws:iam::aws:policy/AdministratorAccess",
    )
    group = lab_client(clean_lab, "identitystore").create_group(
        IdentityStoreId=instance["IdentityStoreId"], DisplayName="developers"
    )["GroupId"]
    sso.create_account_assignment(
        InstanceArn=instance["InstanceArn"],
        TargetId=member,
        TargetType="AWS_ACCOUNT",
        PermissionSetArn=admin["PermissionSetArn"],
        PrincipalType="GROUP",
        PrincipalId=group,
    )
    # AWS provisions a permission set into the accounts it is assigned in; moto does not track them.
    clean_lab.organization.permission_set_accounts = {admin["PermissionSetArn"]: [member]}
    ds = lab_client(clean_lab, "ds")
    ec2 = lab_client(clean_lab, "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{n}.0/24", AvailabilityZone=f"{HOME}{z}")["Subnet"][
            "SubnetId"
        ]
        for n, z in ((1, "a"), (2, "b"))
    ]
    directory = ds.create_microsoft_ad(
        Name="corp.example.com",
        Password="Lab-Passw0rd!",
        VpcSettings={"VpcId": vpc, "SubnetIds": subnets},
        Edition="Standard",
    )["DirectoryId"]
    ds.create_trust(
        DirectoryId=directory,
        RemoteDomainName="onprem.example.com",
        TrustPassword="Lab-Passw0rd!",
        TrustDirection="Two-Way",
        TrustType="Forest",
        SelectiveAuth="Disabled",
    )
    lab_client(clean_lab, "sqs").create_queue(QueueName="orders")
    lab_client(clean_lab, "dynamodb").create_table(
        TableName="carts",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    clean_lab.organization.lightsail_instances = {
        HOME: [{"name": "blog", "arn": "arn:aws:lightsail:x", "state": {}}]
    }
    return collect_lab(clean_lab, datasets=[*TREE, *INVENTORY], regions=(HOME,))


def test_tree_places_accounts_under_roots_and_units(snapshot: Snapshot) -> None:
    placed = {a["Name"]: a["ParentId"] for a in snapshot.dataset("organizations", GLOBAL, "AccountParents")}
    units = {u["Name"]: u["Id"] for u in snapshot.dataset("organizations", GLOBAL, "OrganizationalUnits")}
    assert placed["member"] == units["Workloads"]
    assert placed["at-root"].startswith("r-")
    (rcp,) = [
        p
        for p in snapshot.dataset("organizations", GLOBAL, "ResourceControlPolicies")
        if p["PolicySummary"]["Name"] == "perimeter"
    ]
    assert json.loads(rcp["Content"]) == DENY_S3_OUTSIDE
    assert [t["TargetId"] for t in rcp["Targets"]] == [units["Workloads"]]


def test_centralized_root_access_features(snapshot: Snapshot) -> None:
    features = snapshot.dataset("iam", GLOBAL, "OrganizationsFeatures")
    assert features["EnabledFeatures"] == ["RootCredentialsManagement", "RootSessions"]


def test_identity_center_permission_sets_assignments_and_groups(snapshot: Snapshot) -> None:
    (instance,) = snapshot.dataset("sso-admin", HOME, "Instances")
    (permission_set,) = instance["PermissionSets"]
    assert permission_set["Name"] == "Admin"
    assert [p["Arn"] for p in permission_set["AttachedManagedPolicies"]] == [
        "arn:aws:iam::aws:policy/AdministratorAccess"
    ]
    assert permission_set["PermissionsBoundary"] is None
    assert permission_set["InlinePolicy"] is None
    (assignment,) = permission_set["AccountAssignments"]
    assert assignment["PrincipalType"] == "GROUP"
    assert [g["DisplayName"] for g in instance["Groups"]] == ["developers"]


def test_directory_trusts_keep_direction_type_and_selective_auth(snapshot: Snapshot) -> None:
    (directory,) = snapshot.dataset("ds", HOME, "Directories")
    assert directory["Name"] == "corp.example.com"
    (trust,) = directory["Trusts"]
    assert (trust["TrustDirection"], trust["TrustType"], trust["SelectiveAuth"]) == (
        "Two-Way",
        "Forest",
        "Disabled",
    )


def test_every_workload_kind_is_collected(snapshot: Snapshot) -> None:
    assert [e for e in error_keys(snapshot) if e[2] in {k.split("/")[1] for k in INVENTORY}] == []
    assert snapshot.dataset("sqs", HOME, "Queues")[0]["QueueUrl"].endswith(f"/{ACCOUNT}/orders")
    assert snapshot.dataset("dynamodb", HOME, "TableNames") == ["carts"]
    assert [i["name"] for i in snapshot.dataset("lightsail", HOME, "Instances")] == ["blog"]


def test_the_federation_inventory_collects_only_what_it_reads(clean_lab: Lab, snapshot: Snapshot) -> None:
    # (the module's state: one instance, a permission set with a managed policy, a group)
    selection = select(include=["iam.identity_federation"])
    inventory = collect_lab(
        clean_lab,
        datasets=["sso-admin/Instances", "ds/Directories"],
        fields=selection.dataset_fields(),
    )
    (instance,) = inventory.dataset("sso-admin", HOME, "Instances")
    (permission_set,) = instance["PermissionSets"]
    assert "Groups" not in instance and "UserSample" in instance and "Description" in instance
    assert permission_set["Name"] == "Admin" and len(permission_set["AccountAssignments"]) == 1
    assert not {"AttachedManagedPolicies", "InlinePolicy", "PermissionsBoundary"} & set(permission_set)
    assert not [call for call in inventory.api_calls if "ListGroups" in call or "ManagedPolicies" in call]
    assert "identitystore.ListGroups" in snapshot.api_calls  # what the full dataset costs
    assert identity_center_inventory(inventory) == identity_center_inventory(snapshot)
    # A check that reads a field left out is UNKNOWN on this snapshot, never judged on nothing.
    (finding,) = [
        f
        for f in evaluate(
            inventory, select(include=["identitycenter.admin_permission_sets"]), AuditConfig()
        ).findings
        if f.region == HOME
    ]
    assert finding.status is Status.UNKNOWN and "Groups" in finding.message
