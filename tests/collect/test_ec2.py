"""EC2/VPC datasets of one region, collected from the lab."""

from __future__ import annotations

from typing import Any

import pytest

from awsaudit.lab.server import Lab
from awsaudit.snapshot import Snapshot
from tests.collect.support import ACCOUNT, HOME, OTHER, collect_lab, lab_client

EC2_DATASETS = [
    f"ec2/{name}"
    for name in (
        "Vpcs",
        "Subnets",
        "RouteTables",
        "InternetGateways",
        "EgressOnlyInternetGateways",
        "NatGateways",
        "NetworkAcls",
        "SecurityGroups",
        "NetworkInterfaces",
        "FlowLogs",
        "Volumes",
        "ManagedPrefixLists",
        "Instances",
        "EbsEncryptionByDefault",
    )
]


def _build(lab: Lab) -> dict[str, str]:
    ec2 = lab_client(lab, "ec2", OTHER)
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
    ec2.create_egress_only_internet_gateway(VpcId=vpc)
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.create_nat_gateway(SubnetId=subnet, AllocationId=allocation)
    group = ec2.create_security_group(GroupName="ssh-open", Description="ssh from anywhere", VpcId=vpc)[
        "GroupId"
    ]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "admins"}],
                "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
            }
        ],
    )
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(
        NetworkAclId=acl,
        RuleNumber=10,
        Protocol="6",
        RuleAction="allow",
        Egress=False,
        CidrBlock="0.0.0.0/0",
        PortRange={"From": 3389, "To": 3389},
    )
    lab_client(lab, "s3", OTHER).create_bucket(
        Bucket="flow-log-archive", CreateBucketConfiguration={"LocationConstraint": OTHER}
    )
    ec2.create_flow_logs(
        ResourceIds=[vpc],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="s3",
        LogDestination="arn:aws:s3:::flow-log-archive",
    )
    ec2.enable_ebs_encryption_by_default()
    volume = ec2.create_volume(AvailabilityZone=f"{OTHER}a", Size=8, Encrypted=True)["VolumeId"]
    ec2.create_managed_prefix_list(
        PrefixListName="office", MaxEntries=5, AddressFamily="IPv4", Entries=[{"Cidr": "198.51.100.0/24"}]
    )
    ec2.run_instances(
        ImageId="ami-12c6146b",
        MinCount=2,
        MaxCount=2,
        SubnetId=subnet,
        SecurityGroupIds=[group],
        MetadataOptions={"HttpTokens": "required", "HttpEndpoint": "enabled"},
    )
    return {"vpc": vpc, "group": group, "igw": igw, "table": table, "acl": acl, "volume": volume}


@pytest.fixture(scope="module")
def built(clean_lab: Lab) -> tuple[Snapshot, dict[str, str]]:
    ids = _build(clean_lab)
    return collect_lab(clean_lab, datasets=EC2_DATASETS, regions=(HOME, OTHER)), ids


def _data(snapshot: Snapshot, name: str, region: str = OTHER) -> Any:
    return snapshot.dataset("ec2", region, name)


def test_every_dataset_is_collected_in_every_region(built: tuple[Snapshot, dict[str, str]]) -> None:
    snapshot, _ = built
    assert snapshot.errors == []
    for region in (HOME, OTHER):
        for key in EC2_DATASETS:
            _data(snapshot, key.split("/")[1], region)


def test_security_group_rules_keep_aws_fields(built: tuple[Snapshot, dict[str, str]]) -> None:
    snapshot, ids = built
    group = next(g for g in _data(snapshot, "SecurityGroups") if g["GroupId"] == ids["group"])
    rule = group["IpPermissions"][0]
    assert (rule["IpProtocol"], rule["FromPort"], rule["ToPort"]) == ("tcp", 22, 22)
    assert rule["IpRanges"] == [{"CidrIp": "0.0.0.0/0", "Description": "admins"}]
    assert rule["Ipv6Ranges"] == [{"CidrIpv6": "::/0"}]


def test_routes_gateways_and_acls(built: tuple[Snapshot, dict[str, str]]) -> None:
    snapshot, ids = built
    table = next(t for t in _data(snapshot, "RouteTables") if t["RouteTableId"] == ids["table"])
    assert {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": ids["igw"]}.items() <= next(
        r for r in table["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"
    ).items()
    gateway = next(g for g in _data(snapshot, "InternetGateways") if g["InternetGatewayId"] == ids["igw"])
    assert gateway["Attachments"][0]["VpcId"] == ids["vpc"]
    assert [g["Attachments"][0]["VpcId"] for g in _data(snapshot, "EgressOnlyInternetGateways")] == [
        ids["vpc"]
    ]
    assert len(_data(snapshot, "NatGateways")) == 1
    acl = next(a for a in _data(snapshot, "NetworkAcls") if a["NetworkAclId"] == ids["acl"])
    entry = next(e for e in acl["Entries"] if e["RuleNumber"] == 10)
    assert entry["PortRange"] == {"From": 3389, "To": 3389}
    assert [f["ResourceId"] for f in _data(snapshot, "FlowLogs")] == [ids["vpc"]]


def test_instances_are_flattened_with_metadata_options(built: tuple[Snapshot, dict[str, str]]) -> None:
    snapshot, ids = built
    instances = _data(snapshot, "Instances")
    assert len(instances) == 2
    for instance in instances:
        assert instance["MetadataOptions"]["HttpTokens"] == "required"
        assert instance["SecurityGroups"][0]["GroupId"] == ids["group"]
    assert _data(snapshot, "Instances", HOME) == []
    attached = {n.get("Attachment", {}).get("InstanceId") for n in _data(snapshot, "NetworkInterfaces")}
    assert {i["InstanceId"] for i in instances} <= attached


def test_volumes_and_default_encryption_per_region(built: tuple[Snapshot, dict[str, str]]) -> None:
    snapshot, ids = built
    assert _data(snapshot, "EbsEncryptionByDefault")["EbsEncryptionByDefault"] is True
    assert _data(snapshot, "EbsEncryptionByDefault", HOME)["EbsEncryptionByDefault"] is False
    volumes = {v["VolumeId"]: v for v in _data(snapshot, "Volumes")}
    assert volumes[ids["volume"]]["Encrypted"] is True
    assert len(volumes) == 3  # with the two instances' root volumes


def test_only_the_accounts_own_prefix_lists_get_entries(built: tuple[Snapshot, dict[str, str]]) -> None:
    snapshot, _ = built
    lists = _data(snapshot, "ManagedPrefixLists")
    own = [p for p in lists if p["OwnerId"] == ACCOUNT]
    assert [p["Entries"] for p in own] == [[{"Cidr": "198.51.100.0/24"}]]
    aws_owned = [p for p in lists if p["OwnerId"] != ACCOUNT]
    assert aws_owned and all("Entries" not in p for p in aws_owned)
    assert snapshot.api_calls["ec2.GetManagedPrefixListEntries"] == 1


def test_one_request_per_dataset_and_region(built: tuple[Snapshot, dict[str, str]]) -> None:
    snapshot, _ = built
    ec2_calls = sum(n for op, n in snapshot.api_calls.items() if op.startswith("ec2."))
    assert ec2_calls == 2 * len(EC2_DATASETS) + 1  # + the one customer prefix list's entries
