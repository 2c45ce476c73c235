"""EC2 and VPC: network layout, filtering, instances and volumes of one region (bulk Describe calls)."""

from __future__ import annotations

from typing import Any

from awsaudit.collect.context import CallContext, attach, without_metadata
from awsaudit.collect.registry import FetchFunction, dataset

# (dataset, paginated operation, result key, IAM action): one Describe call each, every page merged.
_LISTINGS = (
    ("Vpcs", "describe_vpcs", "Vpcs", "ec2:DescribeVpcs"),
    ("Subnets", "describe_subnets", "Subnets", "ec2:DescribeSubnets"),
    ("RouteTables", "describe_route_tables", "RouteTables", "ec2:DescribeRouteTables"),
    ("InternetGateways", "describe_internet_gateways", "InternetGateways", "ec2:DescribeInternetGateways"),
    (
        "EgressOnlyInternetGateways",
        "describe_egress_only_internet_gateways",
        "EgressOnlyInternetGateways",
        "ec2:DescribeEgressOnlyInternetGateways",
    ),
    ("NatGateways", "describe_nat_gateways", "NatGateways", "ec2:DescribeNatGateways"),
    ("NetworkAcls", "describe_network_acls", "NetworkAcls", "ec2:DescribeNetworkAcls"),
    ("SecurityGroups", "describe_security_groups", "SecurityGroups", "ec2:DescribeSecurityGroups"),
    (
        "NetworkInterfaces",
        "describe_network_interfaces",
        "NetworkInterfaces",
        "ec2:DescribeNetworkInterfaces",
    ),
    ("FlowLogs", "describe_flow_logs", "FlowLogs", "ec2:DescribeFlowLogs"),
    ("Volumes", "describe_volumes", "Volumes", "ec2:DescribeVolumes"),
)


def _listing(operation: str, result_key: str) -> FetchFunction:
    def fetch(ctx: CallContext) -> list[Any]:
        return ctx.paginate(operation, result_key)

    fetch.__doc__ = f"Every item of {operation}, pages merged."
    return fetch


for _name, _operation, _result_key, _action in _LISTINGS:
    dataset("ec2", _name, regional=True, actions=[_action])(_listing(_operation, _result_key))


@dataset("ec2", "Instances", regional=True, actions=["ec2:DescribeInstances"])
def instances(ctx: CallContext) -> list[Any]:
    """Instances, reservations flattened. DescribeInstances carries no user data; nothing asks for it."""
    return [
        instance
        for page in ctx.pages("describe_instances")
        for reservation in ctx.result(page, "Reservations", "describe_instances")
        for instance in ctx.result(reservation, "Instances", "describe_instances")
    ]


@dataset("ec2", "EbsEncryptionByDefault", regional=True, actions=["ec2:GetEbsEncryptionByDefault"])
def ebs_encryption_by_default(ctx: CallContext) -> dict[str, Any]:
    return without_metadata(ctx.client.get_ebs_encryption_by_default())


def _prefix_list_entries(ctx: CallContext, prefix_list: dict[str, Any]) -> None:
    # AWS-owned lists (service endpoints) are left without Entries: fetching them costs calls and
    # analyses treat a list without entries as unknown, never as open.
    if prefix_list.get("OwnerId") != ctx.account_id:
        return
    attach(
        prefix_list,
        "Entries",
        lambda: ctx.paginate(
            "get_managed_prefix_list_entries", "Entries", PrefixListId=prefix_list["PrefixListId"]
        ),
    )


@dataset(
    "ec2",
    "ManagedPrefixLists",
    regional=True,
    actions=["ec2:DescribeManagedPrefixLists", "ec2:GetManagedPrefixListEntries"],
    detail=_prefix_list_entries,
)
def managed_prefix_lists(ctx: CallContext) -> list[Any]:
    """Every prefix list; the account's own lists get their ``Entries`` attached."""
    return ctx.paginate("describe_managed_prefix_lists", "PrefixLists")


# ------------------------------------------------ snapshots and images shared with everyone


@dataset("ec2", "PublicSnapshots", regional=True, actions=["ec2:DescribeSnapshots"])
def public_snapshots(ctx: CallContext) -> list[dict[str, Any]]:
    """The account's own EBS snapshots that any AWS account may restore, in one filtered call.

    AWS filters on the server (RestorableByUserIds=all), so the region's other snapshots cost
    nothing; snapshots shared with named accounts need one DescribeSnapshotAttribute each and
    are not read.
    """
    return [
        {key: snapshot.get(key) for key in ("SnapshotId", "VolumeId", "Encrypted", "StartTime")}
        for snapshot in ctx.paginate(
            "describe_snapshots", "Snapshots", OwnerIds=["self"], RestorableByUserIds=["all"]
        )
    ]


@dataset(
    "ec2",
    "SnapshotBlockPublicAccess",
    regional=True,
    actions=["ec2:GetSnapshotBlockPublicAccessState"],
)
def snapshot_block_public_access(ctx: CallContext) -> dict[str, Any]:
    """{State: block-all-sharing | block-new-sharing | unblocked, ManagedBy}."""
    return without_metadata(ctx.client.get_snapshot_block_public_access_state())


@dataset("ec2", "Images", regional=True, actions=["ec2:DescribeImages"])
def images(ctx: CallContext) -> list[dict[str, Any]]:
    """The account's own AMIs with their Public flag (DescribeImages reports it for each)."""
    return [
        {key: image.get(key) for key in ("ImageId", "Name", "Public", "State")}
        for image in ctx.paginate("describe_images", "Images", Owners=["self"])
    ]


@dataset("ec2", "ImageBlockPublicAccess", regional=True, actions=["ec2:GetImageBlockPublicAccessState"])
def image_block_public_access(ctx: CallContext) -> dict[str, Any]:
    """{ImageBlockPublicAccessState: block-new-sharing | unblocked, ManagedBy}."""
    return without_metadata(ctx.client.get_image_block_public_access_state())
