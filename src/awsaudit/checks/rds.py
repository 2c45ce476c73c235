"""RDS instance checks: encryption, no public access, minor version upgrades, Multi-AZ."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from awsaudit.checks.context import CheckContext, Result
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
