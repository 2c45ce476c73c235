"""Shapes of the EC2 and VPC datasets (collected by collect/services/ec2.py)."""

from __future__ import annotations

from awsaudit.shapes.language import Bool, Int, ListOf, Nullable, Obj, Shape, Str, list_of

_CIDR_RANGES = ListOf(Obj({"CidrIp": Str}, Description=Str))
_CIDR6_RANGES = ListOf(Obj({"CidrIpv6": Str}, Description=Str))
_PERMISSION = Obj(
    {"IpProtocol": Str},
    FromPort=Int,
    ToPort=Int,
    IpRanges=_CIDR_RANGES,
    Ipv6Ranges=_CIDR6_RANGES,
    PrefixListIds=ListOf(Obj({"PrefixListId": Str})),
    UserIdGroupPairs=ListOf(Obj(GroupId=Str, UserId=Str)),
)
_TAGS = ListOf(Obj({"Key": Str, "Value": Str}))

SHAPES: dict[str, Shape] = {
    "ec2/Vpcs": list_of("VpcId", CidrBlock=Str, IsDefault=Bool, Tags=_TAGS),
    "ec2/Subnets": list_of("SubnetId", VpcId=Str, MapPublicIpOnLaunch=Bool, CidrBlock=Str, Tags=_TAGS),
    # Lists AWS always returns are required: read as empty they would close a path (no rule, no
    # route, no attachment) or swap in the VPC's main table or default ACL.
    "ec2/RouteTables": ListOf(
        Obj(
            {
                "RouteTableId": Str,
                "Routes": ListOf(
                    Obj(
                        DestinationCidrBlock=Str,
                        DestinationIpv6CidrBlock=Str,
                        DestinationPrefixListId=Str,
                        GatewayId=Str,
                        State=Str,
                    )
                ),
                "Associations": ListOf(Obj(Main=Bool, SubnetId=Str, RouteTableId=Str)),
            },
            VpcId=Str,
        ),
        unique="RouteTableId",
    ),
    "ec2/InternetGateways": ListOf(
        Obj({"InternetGatewayId": Str, "Attachments": ListOf(Obj(VpcId=Str, State=Str))}, Tags=_TAGS),
        unique="InternetGatewayId",
    ),
    "ec2/EgressOnlyInternetGateways": list_of("EgressOnlyInternetGatewayId"),
    "ec2/NatGateways": list_of("NatGatewayId"),
    "ec2/NetworkAcls": ListOf(
        Obj(
            {
                "NetworkAclId": Str,
                "Entries": ListOf(
                    Obj(
                        {"Egress": Bool, "Protocol": Str, "RuleAction": Str, "RuleNumber": Int},
                        CidrBlock=Str,
                        Ipv6CidrBlock=Str,
                        PortRange=Obj(From=Int, To=Int),
                    )
                ),
                "Associations": ListOf(Obj(SubnetId=Str)),
            },
            VpcId=Str,
            IsDefault=Bool,
        ),
        unique="NetworkAclId",
    ),
    "ec2/SecurityGroups": ListOf(
        Obj(
            {
                "GroupId": Str,
                "IpPermissions": ListOf(_PERMISSION),
                "IpPermissionsEgress": ListOf(_PERMISSION),
            },
            GroupName=Str,
            VpcId=Str,
            Tags=_TAGS,
        ),
        unique="GroupId",
    ),
    "ec2/NetworkInterfaces": ListOf(
        Obj(
            {"NetworkInterfaceId": Str, "Groups": ListOf(Obj({"GroupId": Str}))},
            SubnetId=Str,
            VpcId=Str,
            Association=Obj(PublicIp=Str),
            Attachment=Obj(InstanceId=Str),
            Ipv6Addresses=ListOf(Obj(Ipv6Address=Str)),
            PrivateIpAddresses=ListOf(Obj(Association=Obj(PublicIp=Str))),
            InterfaceType=Str,
        ),
        unique="NetworkInterfaceId",
    ),
    "ec2/FlowLogs": list_of("FlowLogId", ResourceId=Str, TrafficType=Str, FlowLogStatus=Str),
    "ec2/Volumes": list_of("VolumeId", Encrypted=Bool, KmsKeyId=Str),
    "ec2/Instances": list_of(
        "InstanceId",
        State=Obj(Name=Str),
        MetadataOptions=Obj(HttpTokens=Str, HttpEndpoint=Str),
        PublicIpAddress=Str,
        SubnetId=Str,
        VpcId=Str,
        SecurityGroups=ListOf(Obj({"GroupId": Str})),
        NetworkInterfaces=ListOf(Obj({"NetworkInterfaceId": Str})),
        IamInstanceProfile=Obj(Arn=Str),
        Tags=_TAGS,
    ),
    "ec2/EbsEncryptionByDefault": Obj({"EbsEncryptionByDefault": Bool}),
    "ec2/ManagedPrefixLists": list_of(
        "PrefixListId",
        OwnerId=Str,
        AddressFamily=Str,
        Entries=ListOf(Obj({"Cidr": Str}, Description=Str)),
    ),
    "ec2/PublicSnapshots": list_of("SnapshotId", Encrypted=Bool),
    "ec2/SnapshotBlockPublicAccess": Obj({"State": Str}, ManagedBy=Str),
    "ec2/Images": ListOf(
        Obj({"ImageId": Str, "Public": Bool}, Name=Nullable(Str), State=Nullable(Str)), unique="ImageId"
    ),
    "ec2/ImageBlockPublicAccess": Obj({"ImageBlockPublicAccessState": Str}, ManagedBy=Str),
}
