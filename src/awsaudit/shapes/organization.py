"""Shapes of the account, organization and governance datasets (collect/services/organizations.py,
organization_tree.py, account.py, budgets.py, identity_center.py's directories, workload_inventory.py)."""

from __future__ import annotations

from awsaudit.shapes.language import (
    Bool,
    ListOf,
    MapOf,
    Nullable,
    Num,
    Obj,
    Shape,
    Str,
    UniqueStrings,
    list_of,
)

_POLICY_SUMMARY = Obj({"Id": Str, "Arn": Str}, Name=Str, Type=Str, AwsManaged=Bool)
_ORGANIZATION_POLICIES = ListOf(
    Obj(
        {"PolicySummary": _POLICY_SUMMARY},
        Content=Str,
        Targets=ListOf(Obj({"TargetId": Str}, Type=Str, Name=Str, Arn=Str)),
    )
)
# null: no contact of that type. A contact is an address: an empty object is not one set.
_CONTACT = Nullable(Obj({"EmailAddress": Str}, Name=Str, PhoneNumber=Str, Title=Str))
_NOTIFICATION = Obj(
    {"NotificationType": Str},
    ComparisonOperator=Str,
    Threshold=Num,
    ThresholdType=Str,
)
_AMOUNT = Obj({"Amount": Str}, Unit=Str)
_BUDGET = Obj(
    {"BudgetName": Str},
    BudgetType=Str,
    BudgetLimit=_AMOUNT,
    CostFilters=MapOf(ListOf(Str)),
    Notifications=Nullable(ListOf(_NOTIFICATION)),
)
_DIRECTORY = Obj(
    {"DirectoryId": Str},
    Name=Str,
    Type=Str,
    Stage=Str,
    Trusts=ListOf(
        Obj(
            {"TrustId": Str},
            RemoteDomainName=Str,
            TrustType=Str,
            TrustDirection=Str,
            TrustState=Str,
            SelectiveAuth=Str,
        ),
        unique="TrustId",
    ),
    ConnectSettings=Obj(VpcId=Str),
)

_WORKLOADS: dict[str, Shape] = {
    "autoscaling/AutoScalingGroups": list_of("AutoScalingGroupARN", MaxSize=Num, DesiredCapacity=Num),
    "rds/DBClusters": list_of("DBClusterArn", Status=Str),
    "dynamodb/TableNames": UniqueStrings(),
    "elbv2/LoadBalancers": list_of("LoadBalancerArn"),
    "elb/LoadBalancerDescriptions": list_of("LoadBalancerName"),
    "apigatewayv2/Apis": list_of("ApiId"),
    "elasticache/CacheClusters": list_of("ARN", CacheClusterStatus=Str),
    "redshift/Clusters": list_of("ClusterIdentifier", ClusterStatus=Str),
    "sagemaker/Endpoints": list_of("EndpointArn", EndpointStatus=Str),
    "sagemaker/NotebookInstances": list_of("NotebookInstanceArn", NotebookInstanceStatus=Str),
    "kinesis/StreamSummaries": list_of("StreamARN", StreamStatus=Str),
    "lightsail/Instances": list_of("arn", state=Obj(name=Str)),
    "elasticbeanstalk/Environments": list_of("EnvironmentArn", Status=Str),
    "ecs/ClusterWorkloads": list_of("clusterArn", serviceArns=UniqueStrings(), taskArns=UniqueStrings()),
}

SHAPES: dict[str, Shape] = {
    "organizations/Organization": Obj(
        {"Organization": Nullable(Obj({"Id": Str, "MasterAccountId": Str}, Arn=Str, FeatureSet=Str))}
    ),
    "organizations/Accounts": list_of("Id", Arn=Str, Name=Str, Status=Str, State=Str),
    "organizations/Roots": list_of("Id", Arn=Str, PolicyTypes=ListOf(Obj({"Type": Str, "Status": Str}))),
    "organizations/OrganizationalUnits": list_of("Id", ParentId=Str, Name=Str, Arn=Str),
    "organizations/Policies": _ORGANIZATION_POLICIES,
    "organizations/ResourceControlPolicies": _ORGANIZATION_POLICIES,
    "organizations/AccountParents": list_of("Id", ParentId=Str, Name=Str, Status=Str, State=Str),
    "organizations/DelegatedAdministrators": list_of("Id", Name=Str),
    "organizations/ServiceDelegatedAdministrators": MapOf(ListOf(Obj({"Id": Str}, Name=Str), unique="Id")),
    "account/AlternateContacts": Obj({"BILLING": _CONTACT, "OPERATIONS": _CONTACT, "SECURITY": _CONTACT}),
    "budgets/Budgets": ListOf(_BUDGET, unique="BudgetName"),
    "ds/Directories": ListOf(_DIRECTORY, unique="DirectoryId"),
    **_WORKLOADS,
}
