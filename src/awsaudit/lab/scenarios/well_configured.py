"""`well-configured`: a member account of an organization that satisfies every guide point.

Every check of /work/briefs/checks.md passes (or is MANUAL) on it, in us-east-1 and
eu-west-1, with two exceptions that are facts of the setup, not problems: see NOTES.
The organization is created by the management account 111111111111 (reached by
assuming a role); moto cannot invite an existing account, so the account the
organization creates is given the lab account's id in moto's backend.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from awsaudit.checks.guardduty import PROTECTION_FEATURES
from awsaudit.lab import backend
from awsaudit.lab.clients import LabAccount
from awsaudit.lab.scenarios.model import BuiltScenario
from awsaudit.lab.scenarios.monitoring import CIS_FILTER_PATTERNS
from awsaudit.lab.scenarios.resources import (
    GITHUB_OIDC,
    SAML_METADATA,
    create_access_key,
    create_guarded_organization,
    create_user,
    days_ago,
    enable_virtual_mfa,
    first_subnet,
    ingress,
    policy_json,
    same_account_trust,
    service_trust,
)
from awsaudit.lab.scenarios.well_configured_network import plant_private_network

if TYPE_CHECKING:
    from awsaudit.lab.server import Lab

HOME = "us-east-1"
OTHER = "eu-west-1"
REGIONS = (OTHER, HOME)
MANAGEMENT_ACCOUNT_ID = "111111111111"
CORPORATE_VPN_CIDR = "10.20.0.0/16"  # administrators reach SSH only through the company's VPN
PARTNER_ACCOUNT_ID = "222233334444"  # a monitoring vendor, trusted only with its external id


NOTES = (
    "Member account: organizations.scp_guardrails is UNKNOWN by design (SCPs are judged from the management "
    "account 111111111111, which holds an SCP denying organizations:LeaveOrganization on the root).",
    "Root MFA is a hardware device: AccountMFAEnabled=1 is set in moto's backend and no root virtual device "
    "exists; the credential report's <root_account> row is added in the backend.",
    "MFA delete cannot be read back from moto: the lab's client hook reports MFADelete=Enabled for the "
    "buckets this scenario versioned with MFA (Lab.mfa_delete_buckets).",
    "AWSSupportAccess, AWS_ConfigRole are AWS managed policies added to this account's IAM backend only.",
    "moto omits LatestCloudWatchLogsDeliveryTime from trail status; the delivery-age part of "
    "cloudtrail.cloudwatch_logs_delivery is not exercised.",
)


def build(lab: Lab, params: Mapping[str, Any]) -> BuiltScenario:
    del params  # fixed size
    account = LabAccount(lab)
    _organization(account)
    _account_settings(account)
    roles = _iam(account)
    keys = {region: _kms_key(account, region) for region in REGIONS}
    buckets = _buckets(account, keys[HOME])
    _trail_and_monitoring(account, buckets["trail"], keys[HOME], roles["cloudtrail"])
    for region in REGIONS:
        _regional_services(account, region, buckets["trail"], roles["config"])
        plant_private_network(account, region, roles["flow_logs"], app_vpc=region == HOME)
    _workloads(account, keys[HOME])
    _bucket_policies(account, buckets)  # last: moto applies a TLS-only Deny to later writes
    return BuiltScenario(planted=frozenset(), regions=REGIONS, notes=NOTES)


def _organization(account: LabAccount) -> None:
    management = account.assume(MANAGEMENT_ACCOUNT_ID)
    organizations, root = create_guarded_organization(management)
    workloads = organizations.create_organizational_unit(ParentId=root, Name="Workloads")[
        "OrganizationalUnit"
    ]["Id"]
    status = organizations.create_account(Email="production@example.com", AccountName="production")
    created = status["CreateAccountStatus"]["AccountId"]
    organizations.move_account(AccountId=created, SourceParentId=root, DestinationParentId=workloads)
    backend.make_member_account(MANAGEMENT_ACCOUNT_ID, created, account.account_id)
    account.lab.member_accounts.add(account.account_id)


def _account_settings(account: LabAccount) -> None:
    contacts = account.client("account")
    for kind, name, email in (
        ("SECURITY", "Security Operations", "security@example.com"),
        ("BILLING", "Accounts Payable", "billing@example.com"),
        ("OPERATIONS", "Platform Team", "platform@example.com"),
    ):
        contacts.put_alternate_contact(
            AlternateContactType=kind, Name=name, Title=name, EmailAddress=email, PhoneNumber="+1-555-0100"
        )
    account.client("budgets").create_budget(
        AccountId=account.account_id,
        Budget={
            "BudgetName": "monthly-cost",
            "BudgetLimit": {"Amount": "1000", "Unit": "USD"},
            "TimeUnit": "MONTHLY",
            "BudgetType": "COST",
        },
        NotificationsWithSubscribers=[
            {
                "Notification": {
                    "NotificationType": "ACTUAL",
                    "ComparisonOperator": "GREATER_THAN",
                    "Threshold": 80.0,
                    "ThresholdType": "PERCENTAGE",
                },
                "Subscribers": [{"SubscriptionType": "EMAIL", "Address": "finops@example.com"}],
            }
        ],
    )
    # Root: hardware MFA, no access keys, last signed in half a year ago.
    backend.set_root_state(
        account.account_id,
        backend.RootState(created=days_ago(900), mfa_enabled=True, password_last_used=days_ago(180)),
    )


def _iam(account: LabAccount) -> dict[str, str]:
    """Users in groups only, with MFA and fresh keys; service roles; returns role ARNs by purpose."""
    iam = account.client("iam")
    acct = account.account_id
    iam.update_account_password_policy(
        MinimumPasswordLength=14,
        RequireSymbols=True,
        RequireNumbers=True,
        RequireUppercaseCharacters=True,
        RequireLowercaseCharacters=True,
        AllowUsersToChangePassword=True,
        MaxPasswordAge=90,
        PasswordReusePrevention=24,
    )
    read_only = iam.create_policy(
        PolicyName="DeveloperReadOnly",
        PolicyDocument=policy_json(
            {"Effect": "Allow", "Action": ["ec2:Describe*", "cloudwatch:Get*", "logs:Get*"], "Resource": "*"}
        ),
    )["Policy"]["Arn"]
    iam.create_group(GroupName="developers")
    iam.attach_group_policy(GroupName="developers", PolicyArn=read_only)
    iam.create_group(GroupName="deployers")
    iam.put_group_policy(
        GroupName="deployers",
        PolicyName="upload-artifacts",
        PolicyDocument=policy_json(
            {
                "Effect": "Allow",
                "Action": "s3:PutObject",
                "Resource": f"arn:aws:s3:::wellconf-app-data-{acct}/*",
            }
        ),
    )
    create_user(account, "alice", groups=("developers",), console=True)
    enable_virtual_mfa(account, "alice")
    backend.set_user_created(acct, "alice", days_ago(300))
    backend.set_password_last_used(acct, "alice", days_ago(2))
    create_user(account, "ci-deployer", groups=("deployers",))
    backend.set_user_created(acct, "ci-deployer", days_ago(300))
    key = create_access_key(account, "ci-deployer")
    backend.set_access_key_dates(acct, "ci-deployer", key, created=days_ago(20), last_used=days_ago(1))

    support, config_role = backend.add_aws_managed_policies(acct, ["AWSSupportAccess", "AWS_ConfigRole"])
    iam.create_role(RoleName="aws-support", AssumeRolePolicyDocument=same_account_trust(account))
    iam.attach_role_policy(RoleName="aws-support", PolicyArn=support)
    roles = {
        "config": _service_role(account, "config-recorder", "config.amazonaws.com"),
        "cloudtrail": _service_role(
            account,
            "cloudtrail-to-logs",
            "cloudtrail.amazonaws.com",
            ["logs:CreateLogStream", "logs:PutLogEvents"],
        ),
        "flow_logs": _service_role(
            account,
            "vpc-flow-logs",
            "vpc-flow-logs.amazonaws.com",
            ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
        ),
        "instance": _service_role(account, "app-instance", "ec2.amazonaws.com", ["s3:GetObject"]),
    }
    iam.attach_role_policy(RoleName="config-recorder", PolicyArn=config_role)
    _external_roles(account)
    iam.create_instance_profile(InstanceProfileName="app-instance")
    iam.add_role_to_instance_profile(InstanceProfileName="app-instance", RoleName="app-instance")
    return roles


def _external_roles(account: LabAccount) -> None:
    """Roles trusted outside the account, each tied to its caller by conditions (guide G2.4)."""
    iam = account.client("iam")
    iam.create_role(
        RoleName="partner-monitoring",
        AssumeRolePolicyDocument=policy_json(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{PARTNER_ACCOUNT_ID}:root"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": "wellconf-7f3a9c"}},
            }
        ),
    )
    provider = iam.create_open_id_connect_provider(
        Url=f"https://{GITHUB_OIDC}", ClientIDList=["sts.amazonaws.com"], ThumbprintList=["f" * 40]
    )["OpenIDConnectProviderArn"]
    iam.create_role(
        RoleName="ci-release",
        AssumeRolePolicyDocument=policy_json(
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{GITHUB_OIDC}:aud": "sts.amazonaws.com",
                        f"{GITHUB_OIDC}:sub": "repo:example/app:ref:refs/heads/main",
                    }
                },
            }
        ),
    )
    # SAML federation pinned to the AWS sign-in audience.
    saml = iam.create_saml_provider(SAMLMetadataDocument=SAML_METADATA, Name="corp-idp")["SAMLProviderArn"]
    iam.create_role(
        RoleName="corp-sso",
        AssumeRolePolicyDocument=policy_json(
            {
                "Effect": "Allow",
                "Principal": {"Federated": saml},
                "Action": "sts:AssumeRoleWithSAML",
                "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
            }
        ),
    )


def _service_role(account: LabAccount, name: str, service: str, actions: list[str] | None = None) -> str:
    iam = account.client("iam")
    arn = str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=service_trust(service))["Role"]["Arn"])
    if actions:
        iam.put_role_policy(
            RoleName=name,
            PolicyName=f"{name}-access",
            PolicyDocument=policy_json({"Effect": "Allow", "Action": actions, "Resource": "*"}),
        )
    return arn


def _kms_key(account: LabAccount, region: str) -> str:
    kms = account.client("kms", region)
    key = kms.create_key(Description=f"audit data {region}")["KeyMetadata"]
    kms.enable_key_rotation(KeyId=key["KeyId"])
    return str(key["Arn"])


def _buckets(account: LabAccount, key_arn: str) -> dict[str, str]:
    """Private, encrypted, versioned (MFA delete) buckets; the trail's bucket logs its access."""
    acct = account.account_id
    names = {
        "trail": (f"wellconf-cloudtrail-{acct}", HOME),
        "logs": (f"wellconf-access-logs-{acct}", HOME),
        "app": (f"wellconf-app-data-{acct}", OTHER),
    }
    account.client("s3control").put_public_access_block(
        AccountId=acct, PublicAccessBlockConfiguration=_BLOCK_ALL
    )
    for purpose, (name, region) in names.items():
        s3 = account.client("s3", region)
        if region == HOME:
            s3.create_bucket(Bucket=name)
        else:
            s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
        s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=_BLOCK_ALL)
        s3.put_bucket_ownership_controls(
            Bucket=name, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
        )
        default = (
            {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn}
            if purpose == "trail"
            else {"SSEAlgorithm": "AES256"}
        )
        s3.put_bucket_encryption(
            Bucket=name,
            ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": default}]},
        )
        s3.put_bucket_versioning(
            Bucket=name,
            MFA="GAHT12345678 123456",  # the root user's hardware device serial and a code
            VersioningConfiguration={"Status": "Enabled", "MFADelete": "Enabled"},
        )
        account.lab.mfa_delete_buckets.add(name)
    logs_bucket = names["logs"][0]
    account.client("s3").put_bucket_policy(
        Bucket=logs_bucket, Policy=policy_json(*_log_delivery(logs_bucket, acct))
    )
    # Access logs must stay in the bucket's region: only the trail's bucket (us-east-1) logs there.
    trail_bucket = names["trail"][0]
    account.client("s3").put_bucket_logging(
        Bucket=trail_bucket,
        BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": logs_bucket, "TargetPrefix": f"{trail_bucket}/"}
        },
    )
    return {purpose: name for purpose, (name, _) in names.items()}


_BLOCK_ALL = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}


def _log_delivery(bucket: str, account_id: str) -> list[dict[str, Any]]:
    return [
        {
            "Sid": "S3ServerAccessLogs",
            "Effect": "Allow",
            "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": f"arn:aws:s3:::{bucket}/*",
            "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
        }
    ]


def _kms_only(bucket: str) -> dict[str, Any]:
    """Refuse uploads that do not ask for SSE-KMS (a missing header is refused too: a negated operator)."""
    return {
        "Sid": "DenyNonKmsUploads",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:PutObject",
        "Resource": f"arn:aws:s3:::{bucket}/*",
        "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}},
    }


def _tls_only(bucket: str) -> dict[str, Any]:
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def _bucket_policies(account: LabAccount, buckets: dict[str, str]) -> None:
    acct = account.account_id
    trail = buckets["trail"]
    service_writes = [
        {
            "Sid": "CloudTrailAclCheck",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:GetBucketAcl",
            "Resource": f"arn:aws:s3:::{trail}",
        },
        {
            "Sid": "CloudTrailWrite",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": f"arn:aws:s3:::{trail}/AWSLogs/{acct}/*",
            "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}},
        },
        {
            "Sid": "ConfigWrite",
            "Effect": "Allow",
            "Principal": {"Service": "config.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": f"arn:aws:s3:::{trail}/config/AWSLogs/{acct}/*",
            "Condition": {"StringEquals": {"aws:SourceAccount": acct}},
        },
    ]
    statements = {
        trail: [*service_writes, _tls_only(trail), _kms_only(trail)],
        # S3 delivers server access logs with SSE-S3 only, so the log bucket cannot require KMS.
        buckets["logs"]: [*_log_delivery(buckets["logs"], acct), _tls_only(buckets["logs"])],
        buckets["app"]: [_tls_only(buckets["app"]), _kms_only(buckets["app"])],
    }
    for name, bucket_statements in statements.items():
        region = OTHER if name == buckets["app"] else HOME
        account.client("s3", region).put_bucket_policy(Bucket=name, Policy=policy_json(*bucket_statements))


def _trail_and_monitoring(account: LabAccount, bucket: str, key_arn: str, role_arn: str) -> None:
    """Multi-region trail into CloudWatch Logs; the 15 CIS metric filters, alarms, a subscribed topic."""
    logs = account.client("logs", HOME)
    log_group = "aws-cloudtrail-logs-organization"
    logs.create_log_group(logGroupName=log_group)
    logs.put_retention_policy(logGroupName=log_group, retentionInDays=365)
    log_group_arn = f"arn:aws:logs:{HOME}:{account.account_id}:log-group:{log_group}:*"
    cloudtrail = account.client("cloudtrail", HOME)
    cloudtrail.create_trail(
        Name="organization-audit",
        S3BucketName=bucket,
        IsMultiRegionTrail=True,
        IncludeGlobalServiceEvents=True,
        EnableLogFileValidation=True,
        KmsKeyId=key_arn,
        CloudWatchLogsLogGroupArn=log_group_arn,
        CloudWatchLogsRoleArn=role_arn,
    )
    cloudtrail.put_event_selectors(
        TrailName="organization-audit",
        EventSelectors=[
            {
                "ReadWriteType": "All",
                "IncludeManagementEvents": True,
                "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}],
            }
        ],
    )
    cloudtrail.start_logging(Name="organization-audit")

    sns = account.client("sns", HOME)
    topic = sns.create_topic(Name="security-alerts")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="security@example.com")
    cloudwatch = account.client("cloudwatch", HOME)
    for control, pattern in CIS_FILTER_PATTERNS.items():
        metric = "".join(part.title() for part in control.split("_"))
        logs.put_metric_filter(
            logGroupName=log_group,
            filterName=f"cis-{control}",
            filterPattern=pattern,
            metricTransformations=[
                {"metricName": metric, "metricNamespace": "CISBenchmark", "metricValue": "1"}
            ],
        )
        cloudwatch.put_metric_alarm(
            AlarmName=f"cis-{control}",
            Namespace="CISBenchmark",
            MetricName=metric,
            Statistic="Sum",
            Period=300,
            EvaluationPeriods=1,
            Threshold=1.0,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
            ActionsEnabled=True,
            AlarmActions=[topic],
            TreatMissingData="notBreaching",
        )


def _regional_services(account: LabAccount, region: str, bucket: str, config_role: str) -> None:
    config = account.client("config", region)
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": config_role,
            # Global resources (IAM) are recorded once, in the home region.
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": region == HOME},
        }
    )
    config.put_delivery_channel(
        DeliveryChannel={"name": "default", "s3BucketName": bucket, "s3KeyPrefix": "config"}
    )
    config.start_configuration_recorder(ConfigurationRecorderName="default")
    account.client("securityhub", region).enable_security_hub(EnableDefaultStandards=True)
    account.client("guardduty", region).create_detector(
        Enable=True, Features=[{"Name": name, "Status": "ENABLED"} for name in PROTECTION_FEATURES]
    )
    account.client("ec2", region).enable_ebs_encryption_by_default()
    _threat_detection(account, region)
    account.lab.analyzers[region] = [
        {
            "arn": f"arn:aws:access-analyzer:{region}:{account.account_id}:analyzer/account-analyzer",
            "name": "account-analyzer",
            "type": "ACCOUNT",
            "status": "ACTIVE",
            "createdAt": "2026-01-05T09:00:00Z",
        }
    ]


def _threat_detection(account: LabAccount, region: str) -> None:
    """What moto cannot hold: the organization's GuardDuty administrator, Macie's automated discovery,
    Inspector scanning, Security Hub's standards and the account's block-public-sharing switches."""
    emulated = account.lab.exposure
    emulated.guardduty_administrator[region] = {
        "accountId": MANAGEMENT_ACCOUNT_ID,
        "invitationId": "lab-invitation",
        "relationshipStatus": "Enabled",
        "invitedAt": "2026-01-05T09:00:00Z",
    }
    emulated.macie[region] = {"automated": "ENABLED", "jobs": []}
    emulated.inspector[region] = {"ec2": "ENABLED", "ecr": "ENABLED", "lambda": "ENABLED"}
    emulated.securityhub_standards[region] = [
        f"arn:aws:securityhub:{region}::standards/aws-foundational-security-best-practices/v/1.0.0",
        "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0",
    ]
    emulated.snapshot_block[region] = "block-all-sharing"
    emulated.image_block[region] = "block-new-sharing"


def _workloads(account: LabAccount, key_arn: str) -> None:
    """An application server, its database and file system in the app VPC (us-east-1)."""
    ec2 = account.client("ec2", HOME)
    vpc = ec2.describe_vpcs(Filters=[{"Name": "cidr", "Values": ["10.10.0.0/16"]}])["Vpcs"][0]["VpcId"]
    subnet = first_subnet(account, HOME, vpc)
    bastion = ec2.create_security_group(GroupName="bastion-ssh", Description="SSH from the VPN", VpcId=vpc)[
        "GroupId"
    ]
    ec2.authorize_security_group_ingress(
        GroupId=bastion, IpPermissions=[ingress("tcp", 22, cidr=CORPORATE_VPN_CIDR)]
    )
    app = ec2.create_security_group(GroupName="app", Description="HTTPS inside the VPC", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=app, IpPermissions=[ingress("tcp", 443, cidr="10.10.0.0/16")]
    )
    ec2.run_instances(
        ImageId="ami-12c6146b",
        InstanceType="t3.micro",
        MinCount=1,
        MaxCount=1,
        SubnetId=subnet,
        SecurityGroupIds=[app, bastion],
        IamInstanceProfile={"Name": "app-instance"},
        MetadataOptions={"HttpTokens": "required", "HttpEndpoint": "enabled"},
    )
    account.client("rds", HOME).create_db_instance(
        DBInstanceIdentifier="app-db",
        DBInstanceClass="db.t3.medium",
        Engine="postgres",
        AllocatedStorage=20,
        MasterUsername="app",
        MasterUserPassword="not-a-real-password-1",
        StorageEncrypted=True,
        KmsKeyId=key_arn,
        PubliclyAccessible=False,
        MultiAZ=True,
        AutoMinorVersionUpgrade=True,
        VpcSecurityGroupIds=[app],
    )
    account.client("efs", HOME).create_file_system(
        CreationToken="app-shared", Encrypted=True, KmsKeyId=key_arn
    )
