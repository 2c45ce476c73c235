"""One public and one pinned resource of every kind the resource-policy analysis judges, plus public
snapshots and images, for the scenarios to plant.

Each public item is a planted FAIL of its kind's check; each pinned one must PASS: its policy lets
'*' or a service in, but only through a condition that pins the caller to this account (or the
request to a network), which is what separates them.
"""

from __future__ import annotations

from typing import Any

from awsaudit.lab.clients import LabAccount
from awsaudit.lab.scenarios.model import Planted
from awsaudit.lab.scenarios.resources import policy_json, service_trust

OUTSIDE_ACCOUNT = "210987654321"  # an account in no organization of the lab
_PREFIX = "exposure"


def _everyone(action: str | list[str], resource: str = "*", **condition: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": "*", "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


def _own_account(account: LabAccount) -> dict[str, Any]:
    return {"StringEquals": {"aws:PrincipalAccount": account.account_id}}


def plant_resource_policies(
    account: LabAccount, region: str, access_point_bucket: str, planted: set[Planted]
) -> None:
    """A public and a pinned item of every resource-policy kind in ``region`` (the access points on
    ``access_point_bucket``, an existing bucket of that region)."""
    acct = account.account_id
    for plant in (_keys, _topics, _queues, _functions, _repositories, _secrets, _buses, _logs, _vaults):
        plant(account, region, planted)
    _access_points(account, region, access_point_bucket, planted)
    _domains(account, region, planted)
    _apis(account, region, planted)
    # Multi-Region Access Points live in the account, not a region (moto has none: emulated).
    public_alias, pinned_alias = f"{_PREFIX}mrappublic.mrap", f"{_PREFIX}mrappinned.mrap"
    account.lab.exposure.multi_region_access_points.update(
        {
            f"{_PREFIX}-mrap-public": {
                "Alias": public_alias,
                "Policy": policy_json(_everyone("s3:GetObject")),
                "PublicAccessBlock": "off",  # created with Block Public Access off (fixed at creation)
            },
            f"{_PREFIX}-mrap-guarded": {
                "Alias": f"{_PREFIX}mrapguarded.mrap",
                "Policy": policy_json(_everyone("s3:GetObject")),
            },
            f"{_PREFIX}-mrap-pinned": {
                "Alias": pinned_alias,
                "Policy": policy_json(_everyone("s3:GetObject", **_own_account(account))),
            },
        }
    )
    planted.add(
        Planted("s3.multi_region_access_point_not_exposed", f"arn:aws:s3::{acct}:accesspoint/{public_alias}")
    )


def _keys(account: LabAccount, region: str, planted: set[Planted]) -> None:
    kms = account.client("kms", region)
    admin = {"Effect": "Allow", "Principal": {"AWS": account.root_arn}, "Action": "kms:*", "Resource": "*"}
    public = kms.create_key(
        Description="exposure: decrypt for anyone", Policy=policy_json(admin, _everyone("kms:Decrypt"))
    )["KeyMetadata"]
    pinned = kms.create_key(
        Description="exposure: decrypt through the account's own callers",
        Policy=policy_json(
            admin, _everyone("kms:Decrypt", StringEquals={"kms:CallerAccount": account.account_id})
        ),
    )["KeyMetadata"]
    for key in (public, pinned):
        kms.enable_key_rotation(KeyId=key["KeyId"])
    planted.add(Planted("kms.key_not_exposed", public["Arn"]))


def _topics(account: LabAccount, region: str, planted: set[Planted]) -> None:
    sns = account.client("sns", region)
    public = sns.create_topic(Name=f"{_PREFIX}-public-topic")["TopicArn"]
    pinned = sns.create_topic(Name=f"{_PREFIX}-pinned-topic")["TopicArn"]
    sns.set_topic_attributes(
        TopicArn=public,
        AttributeName="Policy",
        AttributeValue=policy_json(_everyone(["sns:Subscribe", "sns:Publish"], public)),
    )
    sns.set_topic_attributes(
        TopicArn=pinned,
        AttributeName="Policy",
        AttributeValue=policy_json(
            _everyone("sns:Publish", pinned, StringEquals={"AWS:SourceOwner": account.account_id})
        ),
    )
    planted.add(Planted("sns.topic_not_exposed", public))


def _queues(account: LabAccount, region: str, planted: set[Planted]) -> None:
    sqs = account.client("sqs", region)
    acct = account.account_id
    public_arn = f"arn:aws:sqs:{region}:{acct}:{_PREFIX}-public-queue"
    pinned_arn = f"arn:aws:sqs:{region}:{acct}:{_PREFIX}-pinned-queue"
    sqs.create_queue(
        QueueName=f"{_PREFIX}-public-queue",
        Attributes={"Policy": policy_json(_everyone("sqs:SendMessage", public_arn))},
    )
    topic = f"arn:aws:sns:{region}:{acct}:{_PREFIX}-pinned-topic"
    sqs.create_queue(
        QueueName=f"{_PREFIX}-pinned-queue",
        Attributes={
            "Policy": policy_json(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": pinned_arn,
                    "Condition": {"ArnEquals": {"aws:SourceArn": topic}},
                }
            )
        },
    )
    planted.add(Planted("sqs.queue_not_exposed", public_arn))


def _functions(account: LabAccount, region: str, planted: set[Planted]) -> None:
    role = account.client("iam").create_role(
        RoleName=f"{_PREFIX}-{region}-function",
        AssumeRolePolicyDocument=service_trust("lambda.amazonaws.com"),
    )["Role"]["Arn"]
    functions = account.client("lambda", region)
    arns = {}
    for name in (f"{_PREFIX}-public-function", f"{_PREFIX}-pinned-function"):
        arns[name] = functions.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role,
            Handler="index.handler",
            Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18},
        )["FunctionArn"]
    public, pinned = arns
    functions.add_permission(
        FunctionName=public,
        StatementId="anyone-by-url",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
    )
    functions.add_permission(
        FunctionName=pinned,
        StatementId="uploads-bucket",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceAccount=account.account_id,
        SourceArn=f"arn:aws:s3:::{_PREFIX}-uploads",
    )
    # moto cannot list function URLs: emulated with the shapes AWS returns.
    account.lab.exposure.function_urls.setdefault(region, {}).update(
        {
            public: [
                {
                    "FunctionUrl": f"https://{public}.lambda-url.{region}.on.aws/",
                    "AuthType": "NONE",
                    "FunctionArn": arns[public],
                }
            ],
            pinned: [
                {
                    "FunctionUrl": f"https://{pinned}.lambda-url.{region}.on.aws/",
                    "AuthType": "AWS_IAM",
                    "FunctionArn": arns[pinned],
                }
            ],
        }
    )
    planted.add(Planted("awslambda.function_not_exposed", arns[public]))
    planted.add(Planted("awslambda.function_url_not_public", arns[public]))


def _repositories(account: LabAccount, region: str, planted: set[Planted]) -> None:
    ecr = account.client("ecr", region)
    public = ecr.create_repository(repositoryName=f"{_PREFIX}-public-images")["repository"]
    pinned = ecr.create_repository(repositoryName=f"{_PREFIX}-pinned-images")["repository"]
    pull = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    ecr.set_repository_policy(
        repositoryName=public["repositoryName"], policyText=policy_json(_everyone(pull))
    )
    ecr.set_repository_policy(
        repositoryName=pinned["repositoryName"],
        policyText=policy_json({**_everyone(pull), "Condition": _own_account(account)}),
    )
    planted.add(Planted("ecr.repository_not_exposed", public["repositoryArn"]))


def _secrets(account: LabAccount, region: str, planted: set[Planted]) -> None:
    secrets = account.client("secretsmanager", region)
    public = secrets.create_secret(Name=f"{_PREFIX}-public-secret", SecretString="lab-not-a-secret")["ARN"]
    pinned = secrets.create_secret(Name=f"{_PREFIX}-pinned-secret", SecretString="lab-not-a-secret")["ARN"]
    secrets.put_resource_policy(
        SecretId=public, ResourcePolicy=policy_json(_everyone("secretsmanager:GetSecretValue"))
    )
    secrets.put_resource_policy(
        SecretId=pinned,
        ResourcePolicy=policy_json(
            {
                "Effect": "Allow",
                "Principal": {"AWS": account.root_arn},
                "Action": "secretsmanager:GetSecretValue",
                "Resource": "*",
            }
        ),
    )
    planted.add(Planted("secretsmanager.secret_not_exposed", public))


def _buses(account: LabAccount, region: str, planted: set[Planted]) -> None:
    events = account.client("events", region)
    public = events.create_event_bus(Name=f"{_PREFIX}-public-bus")["EventBusArn"]
    events.create_event_bus(Name=f"{_PREFIX}-pinned-bus")
    events.put_permission(
        EventBusName=f"{_PREFIX}-public-bus", Action="events:PutEvents", Principal="*", StatementId="anyone"
    )
    events.put_permission(
        EventBusName=f"{_PREFIX}-pinned-bus",
        Policy=policy_json(
            {
                "Sid": "own-account-senders",
                **_everyone(
                    "events:PutEvents",
                    f"arn:aws:events:{region}:{account.account_id}:event-bus/{_PREFIX}-pinned-bus",
                ),
                "Condition": _own_account(account),
            }
        ),
    )
    planted.add(Planted("events.bus_not_exposed", public))


def _logs(account: LabAccount, region: str, planted: set[Planted]) -> None:
    logs = account.client("logs", region)
    acct = account.account_id
    logs.put_resource_policy(
        policyName=f"{_PREFIX}-public-logs", policyDocument=policy_json(_everyone("logs:PutLogEvents"))
    )
    logs.put_resource_policy(
        policyName=f"{_PREFIX}-pinned-logs",
        policyDocument=policy_json(
            {
                "Effect": "Allow",
                "Principal": {"Service": "delivery.logs.amazonaws.com"},
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"arn:aws:logs:{region}:{acct}:log-group:delivery:*",
                "Condition": {"StringEquals": {"aws:SourceAccount": acct}},
            }
        ),
    )
    planted.add(
        Planted(
            "logs.resource_policy_not_exposed",
            f"arn:aws:logs:{region}:{acct}:resource-policy/{_PREFIX}-public-logs",
        )
    )


def _vaults(account: LabAccount, region: str, planted: set[Planted]) -> None:
    glacier = account.client("glacier", region)
    acct = account.account_id
    policies = {
        f"{_PREFIX}-public-vault": policy_json(_everyone("glacier:InitiateJob")),
        f"{_PREFIX}-pinned-vault": policy_json(_everyone("glacier:InitiateJob", **_own_account(account))),
    }
    for name in policies:
        glacier.create_vault(vaultName=name)
    # moto stores no vault access policy: emulated.
    account.lab.exposure.vault_policies.setdefault(region, {}).update(policies)
    planted.add(
        Planted("glacier.vault_not_exposed", f"arn:aws:glacier:{region}:{acct}:vaults/{_PREFIX}-public-vault")
    )


def _access_points(account: LabAccount, region: str, bucket: str, planted: set[Planted]) -> None:
    control = account.client("s3control", region)
    acct = account.account_id
    arns = {}
    # New access points have every Block Public Access setting on; the public one had them turned off.
    public_settings = dict.fromkeys(
        ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), False
    )
    for name in (f"{_PREFIX}-public-ap", f"{_PREFIX}-pinned-ap", f"{_PREFIX}-guarded-ap"):
        settings = {"PublicAccessBlockConfiguration": public_settings} if "public" in name else {}
        control.create_access_point(AccountId=acct, Name=name, Bucket=bucket, **settings)
        # moto files every access point under us-east-1: the lab lists it in its own region.
        account.lab.exposure.access_point_regions[name] = region
        arns[name] = f"arn:aws:s3:{region}:{acct}:accesspoint/{name}"
    public, pinned, guarded = arns
    control.put_access_point_policy(
        AccountId=acct, Name=public, Policy=policy_json(_everyone("s3:GetObject", f"{arns[public]}/object/*"))
    )
    control.put_access_point_policy(
        AccountId=acct,
        Name=pinned,
        Policy=policy_json(
            _everyone(
                "s3:GetObject", f"{arns[pinned]}/object/*", StringEquals={"aws:SourceVpce": "vpce-0a1b2c3d"}
            )
        ),
    )
    # A public policy behind the access point's own RestrictPublicBuckets: AWS blocks it, so it PASSes.
    control.put_access_point_policy(
        AccountId=acct,
        Name=guarded,
        Policy=policy_json(_everyone("s3:GetObject", f"{arns[guarded]}/object/*")),
    )
    planted.add(Planted("s3.access_point_not_exposed", arns[public]))


def _domains(account: LabAccount, region: str, planted: set[Planted]) -> None:
    opensearch = account.client("opensearch", region)
    public = opensearch.create_domain(
        DomainName=f"{_PREFIX}-public", AccessPolicies=policy_json(_everyone("es:ESHttpGet"))
    )["DomainStatus"]["ARN"]
    opensearch.create_domain(
        DomainName=f"{_PREFIX}-pinned",
        AccessPolicies=policy_json(_everyone("es:ESHttp*", IpAddress={"aws:SourceIp": "192.0.2.0/24"})),
    )
    planted.add(Planted("opensearch.domain_not_exposed", public))


def _apis(account: LabAccount, region: str, planted: set[Planted]) -> None:
    apis = account.client("apigateway", region)
    public = apis.create_rest_api(
        name=f"{_PREFIX}-public-api", policy=policy_json(_everyone("execute-api:Invoke"))
    )
    apis.create_rest_api(
        name=f"{_PREFIX}-pinned-api",
        policy=policy_json(_everyone("execute-api:Invoke", StringEquals={"aws:SourceVpce": "vpce-0a1b2c3d"})),
    )
    planted.add(
        Planted("apigateway.rest_api_not_exposed", f"arn:aws:apigateway:{region}::/restapis/{public['id']}")
    )


def plant_public_snapshots(account: LabAccount, region: str, planted: set[Planted]) -> None:
    """A public and a private EBS snapshot and AMI (of the region's first instance) in ``region``."""
    ec2 = account.client("ec2", region)
    instance_id = ec2.describe_instances()["Reservations"][0]["Instances"][0]["InstanceId"]
    volume = ec2.create_volume(AvailabilityZone=f"{region}a", Size=1, Encrypted=False)["VolumeId"]
    public = ec2.create_snapshot(VolumeId=volume, Description="exposure: restorable by anyone")["SnapshotId"]
    ec2.create_snapshot(VolumeId=volume, Description="exposure: private")
    ec2.modify_snapshot_attribute(
        SnapshotId=public, Attribute="createVolumePermission", OperationType="add", GroupNames=["all"]
    )
    # AWS refuses to make an encrypted snapshot public, so this one is not encrypted. moto
    # ignores DescribeSnapshots' RestorableByUserIds filter: the lab applies it.
    account.lab.exposure.public_snapshots.append(public)
    planted.add(Planted("ec2.snapshot_not_public", f"arn:aws:ec2:{region}::snapshot/{public}"))
    image = ec2.create_image(InstanceId=instance_id, Name=f"{_PREFIX}-public-image")["ImageId"]
    ec2.create_image(InstanceId=instance_id, Name=f"{_PREFIX}-private-image")
    ec2.modify_image_attribute(ImageId=image, LaunchPermission={"Add": [{"Group": "all"}]})
    planted.add(Planted("ec2.ami_not_public", f"arn:aws:ec2:{region}::image/{image}"))


def plant_shared_database_snapshots(
    account: LabAccount, region: str, instance: str, planted: set[Planted]
) -> None:
    """DB snapshots of ``instance``: one public, one shared outside the organization, one private."""
    rds = account.client("rds", region)
    arns = {}
    for name in ("public", "shared", "private"):
        arns[name] = rds.create_db_snapshot(
            DBInstanceIdentifier=instance, DBSnapshotIdentifier=f"{_PREFIX}-{name}-snapshot"
        )["DBSnapshot"]["DBSnapshotArn"]
    rds.modify_db_snapshot_attribute(
        DBSnapshotIdentifier=f"{_PREFIX}-public-snapshot", AttributeName="restore", ValuesToAdd=["all"]
    )
    rds.modify_db_snapshot_attribute(
        DBSnapshotIdentifier=f"{_PREFIX}-shared-snapshot",
        AttributeName="restore",
        ValuesToAdd=[OUTSIDE_ACCOUNT],
    )
    planted.add(Planted("rds.snapshot_not_shared", arns["public"]))
    planted.add(Planted("rds.snapshot_not_shared", arns["shared"]))
