"""`misconfigured`: a small account in us-east-1 and eu-west-1 that breaks many guide points.

Every FAIL the checks report is planted here with the reason, including those moto's
defaults cause (default VPCs without flow logs, default security groups with an
allow-all egress rule, default NACLs admitting everything). The account is kept small
so that collecting it stays well under the issue's budget of 150 requests for 2 regions.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from awsaudit.lab import backend
from awsaudit.lab.clients import LabAccount
from awsaudit.lab.scenarios.exposure import (
    plant_public_snapshots,
    plant_resource_policies,
    plant_shared_database_snapshots,
)
from awsaudit.lab.scenarios.misconfigured_escalation import plant_escalation_paths
from awsaudit.lab.scenarios.model import BuiltScenario, Planted
from awsaudit.lab.scenarios.monitoring import CIS_FILTER_PATTERNS
from awsaudit.lab.scenarios.resources import (
    ALLOW_ALL_DOCUMENT,
    create_access_key,
    create_user,
    days_ago,
    default_network_acl,
    default_security_group,
    default_vpc,
    enable_virtual_mfa,
    ingress,
    policy_json,
    same_account_trust,
    self_signed_certificate,
)

if TYPE_CHECKING:
    from awsaudit.lab.server import Lab

HOME = "us-east-1"
OTHER = "eu-west-1"
REGIONS = (OTHER, HOME)
UNTRUSTED_CIDR = "203.0.113.0/24"  # a public range that is not the company's


NOTES = (
    "Not in an organization: organizations.scp_guardrails FAILs (no SCP can apply), as the check "
    "implements it.",
    "No internet gateway anywhere (moto's default VPCs have none): ec2.internet_exposed_interfaces finds "
    "nothing reachable although the instance carries a public IP, so it plants no FAIL.",
    "Escalation to admin: 'grace' may publish new versions of her group's own policy "
    "(iam:CreatePolicyVersion) and 'ivan' may pass the admin role 'batch-runner' to an EC2 instance he "
    "launches; 'erin' and 'batch-runner' are admins already, so they fail the separation of duties instead.",
    "The OIDC trust of 'ci-deploy' checks the audience but not the subject: any GitHub repository's "
    "workflow could assume it. 'corp-sso' trusts a SAML provider without a SAML:aud condition.",
    "'pat' may assume 'user-admin', which may attach policies to any user: neither can grant itself "
    "anything, together they make pat an administrator (acting as + granting). 'grace''s ReportingAccess "
    "is admin-equivalent itself (it lets its holders publish a new version of it); 'erin' and "
    "'batch-runner', as administrators, can use CloudShell with file transfer.",
    "No bucket policy refuses uploads without KMS encryption; misconf-shared-data's asks for SSE-S3 only, "
    "which S3 applies anyway (redundant).",
    "The server certificate really expired 10 days ago; moto reports Expiration 2012-05-08 for every "
    "certificate anyway, so the planted FAIL holds on moto and would hold on AWS.",
    "The credential report's <root_account> row and the account-summary root flags are set in "
    "moto's backend.",
)


def build(lab: Lab, params: Mapping[str, Any]) -> BuiltScenario:
    del params  # fixed size
    account = LabAccount(lab)
    planted: set[Planted] = set()
    _account_settings(account, planted)
    _root(account, planted)
    _iam(account, planted)
    _storage(account, planted)
    _logging(account, planted)
    for region in REGIONS:
        _network(account, region, planted)
    _regional_services(account, planted)
    _exposure(account, planted)
    _threat_detection(account, planted)
    return BuiltScenario(planted=frozenset(planted), regions=REGIONS, notes=NOTES)


def _account_settings(account: LabAccount, planted: set[Planted]) -> None:
    # Billing contact only: there is no SECURITY alternate contact, no budget, no organization.
    account.client("account").put_alternate_contact(
        AlternateContactType="BILLING",
        Name="Accounts Payable",
        Title="Finance",
        EmailAddress="billing@example.com",
        PhoneNumber="+1-555-0100",
    )
    planted.add(Planted("account.security_contact", account.root_arn))
    planted.add(Planted("budgets.budget_with_alert", account.root_arn))
    planted.add(Planted("organizations.account_in_organization", account.root_arn))
    # Outside any organization no SCP can apply.
    planted.add(Planted("organizations.scp_guardrails", account.root_arn))


def _root(account: LabAccount, planted: set[Planted]) -> None:
    # Root has an active access key used two days ago, no MFA, and signed in yesterday. The key is
    # young and recently used, so the per-user key checks hold for it whether or not they skip root.
    backend.set_root_state(
        account.account_id,
        backend.RootState(
            created=days_ago(900),
            mfa_enabled=False,
            password_last_used=days_ago(1),
            access_keys=(backend.RootKey(active=True, last_rotated=days_ago(10), last_used=days_ago(2)),),
        ),
    )
    for check_id in ("iam.root_access_keys", "iam.root_mfa", "iam.root_hardware_mfa", "iam.root_recent_use"):
        planted.add(Planted(check_id, account.root_arn))


def _iam(account: LabAccount, planted: set[Planted]) -> None:
    iam = account.client("iam")
    acct = account.account_id
    # Weak password policy: length 8, no reuse prevention, only upper case required.
    iam.update_account_password_policy(
        MinimumPasswordLength=8,
        RequireUppercaseCharacters=True,
        RequireLowercaseCharacters=False,
        RequireNumbers=False,
        RequireSymbols=False,
        AllowUsersToChangePassword=True,
    )
    for check_id in (
        "iam.password_policy_min_length",
        "iam.password_policy_reuse",
        "iam.password_policy_complexity",
    ):
        planted.add(Planted(check_id, account.root_arn))

    developer_policy = iam.create_policy(
        PolicyName="DeveloperAccess",
        PolicyDocument=policy_json(
            {"Effect": "Allow", "Action": ["ec2:Describe*", "s3:ListBucket", "s3:GetObject"], "Resource": "*"}
        ),
    )["Policy"]["Arn"]
    iam.create_group(GroupName="developers")
    iam.attach_group_policy(GroupName="developers", PolicyArn=developer_policy)
    iam.create_group(GroupName="automation")
    iam.put_group_policy(
        GroupName="automation",
        PolicyName="deploy-artifacts",
        PolicyDocument=policy_json(
            {
                "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:GetObject"],
                "Resource": "arn:aws:s3:::misconf-*/*",
            }
        ),
    )

    # alice: console user without MFA, signs in regularly.
    alice = create_user(account, "alice", groups=("developers",), console=True)
    backend.set_password_last_used(acct, "alice", days_ago(3))
    planted.add(Planted("iam.console_user_mfa", alice))

    # bob: console user with MFA and an access key made with the user, never used (CIS "keys at setup").
    bob = create_user(account, "bob", groups=("developers",), console=True)
    enable_virtual_mfa(account, "bob")
    create_access_key(account, "bob")
    planted.add(Planted("iam.no_keys_at_setup", bob))

    # carol: programmatic user whose only key is 400 days old and unused for 200 days.
    carol = create_user(account, "carol", groups=("automation",))
    backend.set_user_created(acct, "carol", days_ago(400))
    key = create_access_key(account, "carol")
    backend.set_access_key_dates(acct, "carol", key, created=days_ago(400), last_used=days_ago(200))
    planted.add(Planted("iam.access_key_rotation", carol))
    planted.add(Planted("iam.unused_credentials", carol))

    # dave: programmatic user with two active keys, both young and in use.
    dave = create_user(account, "dave", groups=("automation",))
    backend.set_user_created(acct, "dave", days_ago(60))
    for age in (50, 5):
        key = create_access_key(account, "dave")
        backend.set_access_key_dates(acct, "dave", key, created=days_ago(age), last_used=days_ago(1))
    planted.add(Planted("iam.one_active_key", dave))

    # frank: console user with MFA who has not signed in for 120 days.
    frank = create_user(account, "frank", groups=("developers",), console=True)
    enable_virtual_mfa(account, "frank")
    backend.set_user_created(acct, "frank", days_ago(400))
    backend.set_password_last_used(acct, "frank", days_ago(120))
    planted.add(Planted("iam.unused_credentials", frank))

    # erin: policies on the user itself, one of them a customer policy allowing * on *.
    erin = create_user(account, "erin")
    admin_policy = iam.create_policy(
        PolicyName="AdminEverything", PolicyDocument=json.dumps(ALLOW_ALL_DOCUMENT)
    )
    iam.attach_user_policy(UserName="erin", PolicyArn=admin_policy["Policy"]["Arn"])
    iam.put_user_policy(
        UserName="erin",
        PolicyName="read-reports",
        PolicyDocument=policy_json(
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::misconf-shared-data/*"}
        ),
    )
    planted.add(Planted("iam.user_attached_policies", erin))
    planted.add(Planted("iam.full_admin_policy", str(admin_policy["Policy"]["Arn"])))
    # erin, an admin outside any approved list, can both define permissions and assign identities.
    planted.add(Planted("iam.separation_of_duties", erin))
    # As an administrator she can also open CloudShell and move files in and out (not by policy name).
    planted.add(Planted("iam.cloudshell_full_access", erin))
    plant_escalation_paths(account, str(admin_policy["Policy"]["Arn"]), planted)

    # A role for console operators with AWSCloudShellFullAccess; no role has AWSSupportAccess.
    (cloudshell,) = backend.add_aws_managed_policies(acct, ["AWSCloudShellFullAccess"])
    role = iam.create_role(RoleName="ops-console", AssumeRolePolicyDocument=same_account_trust(account))[
        "Role"
    ]
    iam.attach_role_policy(RoleName="ops-console", PolicyArn=cloudshell)
    planted.add(Planted("iam.cloudshell_full_access", str(role["Arn"])))
    planted.add(Planted("iam.support_role", account.root_arn))

    # An expired server certificate (moto reports Expiration 2012-05-08 for any certificate).
    body, private_key = self_signed_certificate("legacy.example.com", expires_in_days=-10)
    certificate = iam.upload_server_certificate(
        ServerCertificateName="legacy-web", CertificateBody=body, PrivateKey=private_key
    )["ServerCertificateMetadata"]
    planted.add(Planted("iam.expired_server_certificates", str(certificate["Arn"])))


PUBLIC_BUCKET = "misconf-public-assets"
SHARED_BUCKET = "misconf-shared-data"
TRAIL_BUCKET = "misconf-cloudtrail-logs"


def _storage(account: LabAccount, planted: set[Planted]) -> None:
    s3 = account.client("s3", HOME)
    s3_eu = account.client("s3", OTHER)
    # No account-level Block Public Access, and no bucket has its own.
    planted.add(Planted("s3.account_block_public_access", account.root_arn))
    # No bucket policy refuses uploads without KMS encryption; shared-data's only repeats SSE-S3.
    for name in (PUBLIC_BUCKET, SHARED_BUCKET, TRAIL_BUCKET):
        planted.add(Planted("s3.bucket_policy_encryption", f"arn:aws:s3:::{name}"))

    # Public through its ACL, unencrypted.
    s3.create_bucket(Bucket=PUBLIC_BUCKET)
    s3.put_bucket_acl(Bucket=PUBLIC_BUCKET, ACL="public-read")
    # Public through its policy, encrypted, in eu-west-1.
    s3_eu.create_bucket(Bucket=SHARED_BUCKET, CreateBucketConfiguration={"LocationConstraint": OTHER})
    s3_eu.put_bucket_encryption(
        Bucket=SHARED_BUCKET,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    s3_eu.put_bucket_policy(
        Bucket=SHARED_BUCKET,
        Policy=policy_json(
            {
                "Sid": "PublicRead",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{SHARED_BUCKET}/*",
            },
            {
                "Sid": "RequireSseS3",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:PutObject",
                "Resource": f"arn:aws:s3:::{SHARED_BUCKET}/*",
                "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "AES256"}},
            },
        ),
    )
    # The trail's bucket: writable by CloudTrail only, unencrypted, no access logging.
    s3.create_bucket(Bucket=TRAIL_BUCKET)
    s3.put_bucket_policy(
        Bucket=TRAIL_BUCKET,
        Policy=policy_json(
            {
                "Sid": "CloudTrailAclCheck",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "s3:GetBucketAcl",
                "Resource": f"arn:aws:s3:::{TRAIL_BUCKET}",
            },
            {
                "Sid": "CloudTrailWrite",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": f"arn:aws:s3:::{TRAIL_BUCKET}/AWSLogs/{account.account_id}/*",
            },
        ),
    )
    for bucket in (PUBLIC_BUCKET, SHARED_BUCKET, TRAIL_BUCKET):
        arn = account.bucket_arn(bucket)
        planted.add(Planted("s3.bucket_tls_only", arn))  # no bucket denies plain HTTP
        planted.add(Planted("s3.bucket_mfa_delete", arn))  # none is versioned with MFA delete
        planted.add(Planted("s3.block_public_access", arn))  # neither account nor bucket blocks
    planted.add(Planted("s3.bucket_public_access", account.bucket_arn(PUBLIC_BUCKET)))  # AllUsers READ grant
    planted.add(Planted("s3.bucket_public_access", account.bucket_arn(SHARED_BUCKET)))  # Principal * Allow
    planted.add(Planted("s3.bucket_encryption", account.bucket_arn(PUBLIC_BUCKET)))
    planted.add(Planted("s3.bucket_encryption", account.bucket_arn(TRAIL_BUCKET)))

    # eu-west-1: an unencrypted, public, single-AZ database without minor-version upgrades.
    database = account.client("rds", OTHER).create_db_instance(
        DBInstanceIdentifier="orders-db",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        AllocatedStorage=20,
        MasterUsername="orders",
        MasterUserPassword="not-a-real-password-1",
        StorageEncrypted=False,
        PubliclyAccessible=True,
        MultiAZ=False,
        AutoMinorVersionUpgrade=False,
    )["DBInstance"]
    for check_id in (
        "rds.instance_encrypted",
        "rds.auto_minor_upgrade",
        "rds.instance_not_public",
        "rds.multi_az",
    ):
        planted.add(Planted(check_id, str(database["DBInstanceArn"])))

    # us-east-1: an unencrypted file system.
    file_system = account.client("efs", HOME).create_file_system(CreationToken="shared-home", Encrypted=False)
    planted.add(Planted("efs.encrypted", str(file_system["FileSystemArn"])))


def _logging(account: LabAccount, planted: set[Planted]) -> None:
    # A single-region trail without log file validation, KMS or CloudWatch Logs, recording
    # write-only management events and no data events.
    cloudtrail = account.client("cloudtrail", HOME)
    trail = cloudtrail.create_trail(Name="main-trail", S3BucketName=TRAIL_BUCKET, IsMultiRegionTrail=False)
    cloudtrail.put_event_selectors(
        TrailName="main-trail",
        EventSelectors=[{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True, "DataResources": []}],
    )
    cloudtrail.start_logging(Name="main-trail")
    trail_arn = str(trail["TrailARN"])
    for check_id in (
        "cloudtrail.log_file_validation",
        "cloudtrail.kms_encryption",
        "cloudtrail.cloudwatch_logs_delivery",
    ):
        planted.add(Planted(check_id, trail_arn))
    # The trail's bucket has no server access logging.
    planted.add(Planted("cloudtrail.bucket_access_logging", account.bucket_arn(TRAIL_BUCKET)))
    for check_id in (
        "cloudtrail.multi_region_logging",
        "cloudtrail.s3_object_write_logging",
        "cloudtrail.s3_object_read_logging",
    ):
        planted.add(Planted(check_id, account.root_arn))
    # No multi-region trail delivers to CloudWatch Logs, so no CIS monitoring control is met.
    for control in CIS_FILTER_PATTERNS:
        planted.add(Planted(f"cloudwatch.monitoring_{control}", account.root_arn))

    # AWS Config in us-east-1 only.
    config = account.client("config", HOME)
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": f"arn:aws:iam::{account.account_id}:role/aws-service-role/config.amazonaws.com/"
            "AWSServiceRoleForConfig",
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
        }
    )
    config.put_delivery_channel(
        DeliveryChannel={"name": "default", "s3BucketName": TRAIL_BUCKET, "s3KeyPrefix": "config"}
    )
    config.start_configuration_recorder(ConfigurationRecorderName="default")
    planted.add(Planted("config.recorder_enabled", account.region_arn("config", OTHER)))

    # A KMS key without rotation.
    key = account.client("kms", HOME).create_key(Description="application secrets")["KeyMetadata"]
    planted.add(Planted("kms.key_rotation", str(key["Arn"])))

    # An alarm that notifies nobody.
    cloudwatch = account.client("cloudwatch", HOME)
    cloudwatch.put_metric_alarm(
        AlarmName="high-cpu",
        Namespace="AWS/EC2",
        MetricName="CPUUtilization",
        Statistic="Average",
        Period=300,
        EvaluationPeriods=1,
        Threshold=90.0,
        ComparisonOperator="GreaterThanThreshold",
        ActionsEnabled=False,
    )
    alarm = cloudwatch.describe_alarms(AlarmNames=["high-cpu"])["MetricAlarms"][0]
    planted.add(Planted("cloudwatch.alarm_actions", str(alarm["AlarmArn"])))


def _network(account: LabAccount, region: str, planted: set[Planted]) -> None:
    ec2 = account.client("ec2", region)
    vpc = default_vpc(account, region)
    # moto's default VPC has no flow logs; its default SG allows all egress (as in AWS) and its
    # default NACL admits everything from 0.0.0.0/0 (as in AWS).
    planted.add(Planted("ec2.vpc_flow_logs", account.ec2_arn(region, "vpc", vpc)))
    default_group = default_security_group(account, region, vpc)
    # AWS's default group also admits its own members; moto's lacks that rule: add it.
    ec2.authorize_security_group_ingress(
        GroupId=default_group["GroupId"],
        IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": default_group["GroupId"]}]}],
    )
    planted.add(
        Planted(
            "ec2.default_sg_restricts_all",
            account.ec2_arn(region, "security-group", default_group["GroupId"]),
        )
    )
    planted.add(
        Planted(
            "ec2.nacl_admin_ports",
            account.ec2_arn(region, "network-acl", default_network_acl(account, region, vpc)),
        )
    )
    planted.add(Planted("ec2.ebs_default_encryption", account.region_arn("ec2", region)))
    if region == HOME:
        _home_network(account, vpc, planted)
    else:
        # Database access from a partner's public range.
        group = ec2.create_security_group(
            GroupName="db-access", Description="PostgreSQL from partner", VpcId=vpc
        )
        ec2.authorize_security_group_ingress(
            GroupId=group["GroupId"], IpPermissions=[ingress("tcp", 5432, cidr=UNTRUSTED_CIDR)]
        )
        planted.add(
            Planted(
                "ec2.sg_admin_ports_trusted_cidrs",
                account.ec2_arn(region, "security-group", group["GroupId"]),
            )
        )


def _home_network(account: LabAccount, vpc: str, planted: set[Planted]) -> None:
    ec2 = account.client("ec2", HOME)
    # SSH and RDP from anywhere (IPv4), SSH from anywhere (IPv6).
    remote = ec2.create_security_group(GroupName="remote-admin", Description="SSH and RDP", VpcId=vpc)[
        "GroupId"
    ]
    ec2.authorize_security_group_ingress(
        GroupId=remote,
        IpPermissions=[
            ingress("tcp", 22, cidr="0.0.0.0/0", cidr6="::/0"),
            ingress("tcp", 3389, cidr="0.0.0.0/0"),
        ],
    )
    remote_arn = account.ec2_arn(HOME, "security-group", remote)
    for check_id in (
        "ec2.sg_admin_ports_ipv4",
        "ec2.sg_admin_ports_ipv6",
        "ec2.sg_admin_ports_trusted_cidrs",
    ):
        planted.add(Planted(check_id, remote_arn))
    # CIFS from anywhere; 445 is also one of the configured admin ports.
    share = ec2.create_security_group(GroupName="file-share", Description="SMB", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=share, IpPermissions=[ingress("tcp", 445, cidr="0.0.0.0/0")])
    share_arn = account.ec2_arn(HOME, "security-group", share)
    for check_id in ("ec2.sg_cifs_restricted", "ec2.sg_admin_ports_ipv4", "ec2.sg_admin_ports_trusted_cidrs"):
        planted.add(Planted(check_id, share_arn))
    # HTTPS from anywhere is fine; the web server behind it allows IMDSv1 and has no instance profile.
    web = ec2.create_security_group(GroupName="web", Description="HTTPS", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=[ingress("tcp", 443, cidr="0.0.0.0/0")])
    instance = ec2.run_instances(
        ImageId="ami-12c6146b",
        InstanceType="t3.micro",
        MinCount=1,
        MaxCount=1,
        SecurityGroupIds=[web],
        MetadataOptions={"HttpTokens": "optional", "HttpEndpoint": "enabled"},
    )["Instances"][0]
    instance_arn = account.ec2_arn(HOME, "instance", instance["InstanceId"])
    planted.add(Planted("ec2.imdsv2_required", instance_arn))
    planted.add(Planted("ec2.instance_profile_attached", instance_arn))


def _regional_services(account: LabAccount, planted: set[Planted]) -> None:
    # No Access Analyzer and no Security Hub anywhere; EBS default encryption stays off.
    for region in REGIONS:
        account.lab.analyzers[region] = []
        planted.add(Planted("accessanalyzer.enabled", account.region_arn("accessanalyzer", region)))
        planted.add(Planted("securityhub.enabled", account.region_arn("securityhub", region)))


def _exposure(account: LabAccount, planted: set[Planted]) -> None:
    # A public and a pinned item of every resource-policy kind, public snapshots and AMIs in the
    # home region; public and externally shared snapshots of the eu-west-1 database. Neither
    # snapshot nor AMI sharing is blocked at the account level in either region.
    plant_resource_policies(account, HOME, PUBLIC_BUCKET, planted)
    plant_public_snapshots(account, HOME, planted)
    plant_shared_database_snapshots(account, OTHER, "orders-db", planted)
    for region in REGIONS:
        planted.add(Planted("ec2.snapshot_block_public_access", account.region_arn("ec2", region)))
        planted.add(Planted("ec2.image_block_public_access", account.region_arn("ec2", region)))


GUARDDUTY_FINDING_TYPE = "UnauthorizedAccess:EC2/MaliciousIPCaller.Custom"


def _threat_detection(account: LabAccount, planted: set[Planted]) -> None:
    # GuardDuty only in eu-west-1, with S3 protection alone and an unarchived HIGH finding; no
    # Macie, no Inspector anywhere.
    detector = account.client("guardduty", OTHER).create_detector(
        Enable=True, Features=[{"Name": "S3_DATA_EVENTS", "Status": "ENABLED"}]
    )["DetectorId"]
    detector_arn = f"arn:aws:guardduty:{OTHER}:{account.account_id}:detector/{detector}"
    account.lab.exposure.guardduty_findings[OTHER] = [
        {
            "id": "lab-finding-high",
            "accountId": account.account_id,
            "arn": f"{detector_arn}/finding/lab-finding-high",
            "type": GUARDDUTY_FINDING_TYPE,
            "severity": 8.0,
            "title": "EC2 instance is communicating with a known malicious IP address",
            "resource": {
                "resourceType": "Instance",
                "instanceDetails": {"instanceId": "i-0123456789abcdef0"},
            },
            "service": {"archived": False},
            "updatedAt": "2026-01-01T00:00:00.000Z",
        },
        {
            "id": "lab-finding-archived",
            "accountId": account.account_id,
            "arn": f"{detector_arn}/finding/lab-finding-archived",
            "type": GUARDDUTY_FINDING_TYPE,
            "severity": 8.0,
            "title": "Archived: dealt with",
            "resource": {
                "resourceType": "Instance",
                "instanceDetails": {"instanceId": "i-0fedcba9876543210"},
            },
            "service": {"archived": True},
            "updatedAt": "2026-01-01T00:00:00.000Z",
        },
    ]
    planted.add(Planted("guardduty.enabled", account.region_arn("guardduty", HOME)))
    planted.add(Planted("guardduty.protection_plans", account.region_arn("guardduty", HOME)))
    planted.add(Planted("guardduty.protection_plans", detector_arn))
    planted.add(Planted("guardduty.no_severe_findings", detector_arn))
    for region in REGIONS:
        planted.add(Planted("macie.sensitive_data_discovery", account.region_arn("macie", region)))
        planted.add(Planted("inspector.enabled", account.region_arn("inspector", region)))
