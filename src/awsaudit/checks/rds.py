"""RDS checks: instance encryption, no public access, minor upgrades, Multi-AZ; snapshots not shared."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from awsaudit.analyze.resource_policy import Reach
from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.exposure import ORGANIZATION, ORGANIZATION_ACCOUNTS, account_trust
from awsaudit.checks.registry import Needs, Scope, check
from awsaudit.findings import Severity

DB_INSTANCES = Needs("rds", "DBInstances", regional=True)


@dataclass(frozen=True)
class InstanceSetting:
    """One boolean DB-instance attribute that must have a given value."""

    check_id: str
    title: str
    severity: Severity
    field: str
    wanted: bool
    rationale: str
    remediation: str
    references: tuple[str, ...]


RDS_DOCS = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide"


RDS_SETTINGS = (
    InstanceSetting(
        "rds.instance_encrypted",
        "RDS DB instances are encrypted at rest",
        Severity.HIGH,
        "StorageEncrypted",
        True,
        "Storage encryption protects the database, its backups, replicas and snapshots at rest.",
        "Encryption cannot be turned on in place: aws rds create-db-snapshot --db-instance-identifier <id> "
        "--db-snapshot-identifier <snap>; aws rds copy-db-snapshot --source-db-snapshot-identifier <snap> "
        "--target-db-snapshot-identifier <snap-enc> --kms-key-id <key>; aws rds "
        "restore-db-instance-from-db-snapshot "
        "--db-instance-identifier <new-id> --db-snapshot-identifier <snap-enc>",
        (f"{RDS_DOCS}/Overview.Encryption.html",),
    ),
    InstanceSetting(
        "rds.auto_minor_upgrade",
        "RDS DB instances apply minor engine upgrades automatically",
        Severity.LOW,
        "AutoMinorVersionUpgrade",
        True,
        "Minor versions carry security fixes; automatic upgrades apply them in the maintenance window.",
        "aws rds modify-db-instance --db-instance-identifier <id> --auto-minor-version-upgrade "
        "--apply-immediately",
        (f"{RDS_DOCS}/USER_UpgradeDBInstance.Maintenance.html",),
    ),
    InstanceSetting(
        "rds.instance_not_public",
        "RDS DB instances are not publicly accessible",
        Severity.HIGH,
        "PubliclyAccessible",
        False,
        "A publicly accessible instance gets a public DNS address reachable from the internet where routing "
        "allows.",
        "aws rds modify-db-instance --db-instance-identifier <id> --no-publicly-accessible "
        "--apply-immediately",
        (f"{RDS_DOCS}/USER_VPC.WorkingWithRDSInstanceinaVPC.html#USER_VPC.Hiding",),
    ),
    InstanceSetting(
        "rds.multi_az",
        "RDS DB instances run in a Multi-AZ deployment",
        Severity.LOW,
        "MultiAZ",
        True,
        "A standby in another Availability Zone keeps the database available through an AZ failure.",
        "aws rds modify-db-instance --db-instance-identifier <id> --multi-az --apply-immediately",
        (f"{RDS_DOCS}/Concepts.MultiAZ.html",),
    ),
)


def _register_instance_setting(setting: InstanceSetting) -> None:
    def judge_all(ctx: CheckContext) -> Iterator[Result]:
        def judge(instance: Mapping[str, Any]) -> Result:
            arn = str(instance["DBInstanceArn"])
            name = instance.get("DBInstanceIdentifier", arn)
            evidence = {setting.field: instance.get(setting.field), "Engine": instance.get("Engine")}
            if setting.field == "MultiAZ" and instance.get("DBClusterIdentifier"):
                # Members of a DB cluster (Aurora, Multi-AZ clusters) get availability from the cluster.
                evidence["DBClusterIdentifier"] = instance["DBClusterIdentifier"]
                return ctx.unknown(
                    arn,
                    f"{name} belongs to cluster {instance['DBClusterIdentifier']}; Multi-AZ is a cluster "
                    "setting",
                    evidence,
                )
            value = instance.get(setting.field)
            if not isinstance(value, bool):
                return ctx.unknown(arn, f"{name} does not report {setting.field}", evidence)
            if value == setting.wanted:
                return ctx.passed(arn, f"{name} has {setting.field} = {str(value).lower()}", evidence)
            return ctx.failed(arn, f"{name} has {setting.field} = {str(value).lower()}", evidence)

        instances = ctx.dataset("rds", "DBInstances")
        return ctx.each(instances, lambda i: str(i["DBInstanceArn"]), judge)

    check(
        id=setting.check_id,
        title=setting.title,
        severity=setting.severity,
        scope=Scope.REGION,
        needs=[DB_INSTANCES],
        rationale=setting.rationale,
        remediation=setting.remediation,
        references=setting.references,
    )(judge_all)


for _setting in RDS_SETTINGS:
    _register_instance_setting(_setting)


# ---------------------------------------------------------------- snapshots


@check(
    id="rds.snapshot_not_shared",
    title="RDS snapshots are not public nor shared outside the organization",
    severity=Severity.CRITICAL,
    scope=Scope.REGION,
    needs=[
        Needs("rds", "DBSnapshots", regional=True),
        Needs("rds", "DBClusterSnapshots", regional=True),
        ORGANIZATION,
        ORGANIZATION_ACCOUNTS,
    ],
    rationale=(
        "A manual snapshot whose restore attribute is 'all' can be restored, with its data, by any AWS "
        "account; one shared with an account outside the organization leaves your control."
    ),
    remediation=(
        "aws rds modify-db-snapshot-attribute --db-snapshot-identifier <id> --attribute-name restore "
        "--values-to-remove all (modify-db-cluster-snapshot-attribute for cluster snapshots)"
    ),
    references=["https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ShareSnapshot.html"],
)
def rds_snapshot_not_shared(ctx: CheckContext) -> Iterator[Result]:
    trust = account_trust(ctx)

    def judge(snapshot: Mapping[str, Any]) -> Result:
        arn = _snapshot_arn(snapshot)
        name = snapshot.get("DBSnapshotIdentifier") or snapshot.get("DBClusterSnapshotIdentifier")
        accounts = [str(a) for a in ctx.field(snapshot, "RestoreAccounts", service="rds")]
        outside = sorted(a for a in accounts if a != "all" and trust.reach_of_account(a) is Reach.OUTSIDE)
        evidence = {
            "restore": accounts,
            "outside_organization": outside,
            "organization_members_known": trust.organization_accounts is not None,
        }
        if "all" in accounts:
            return ctx.failed(arn, f"RDS snapshot {name} can be restored by any AWS account", evidence)
        if outside:
            return ctx.failed(
                arn,
                f"RDS snapshot {name} is shared with accounts outside the organization: {', '.join(outside)}",
                evidence,
                severity=Severity.MEDIUM,
            )
        return ctx.passed(arn, f"RDS snapshot {name} is not shared outside the organization", evidence)

    snapshots = [*ctx.dataset("rds", "DBSnapshots"), *ctx.dataset("rds", "DBClusterSnapshots")]
    return ctx.each(snapshots, _snapshot_arn, judge)


def _snapshot_arn(snapshot: Mapping[str, Any]) -> str:
    return str(snapshot.get("DBSnapshotArn") or snapshot.get("DBClusterSnapshotArn"))
