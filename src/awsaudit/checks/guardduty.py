"""GuardDuty checks: enabled with every protection plan, run for the organization, no severe finding
left unarchived (guide G4.6: detect malicious activity early)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.registry import Needs, Scope, check
from awsaudit.findings import Severity

DETECTORS = Needs("guardduty", "Detectors", regional=True)
GUARDDUTY_DOCS = "https://docs.aws.amazon.com/guardduty/latest/ug"
# The protection plans the audit asks for, by the name GetDetector's Features use (and the
# legacy DataSources path that reports the same plan).
PROTECTION_FEATURES: Mapping[str, str] = {
    "S3_DATA_EVENTS": "S3 Protection",
    "EKS_AUDIT_LOGS": "EKS Protection",
    "RDS_LOGIN_EVENTS": "RDS Protection",
    "LAMBDA_NETWORK_LOGS": "Lambda Protection",
    "EBS_MALWARE_PROTECTION": "Malware Protection for EC2",
}
CRITICAL_SEVERITY = 9.0  # GuardDuty's CRITICAL band


def _detector(ctx: CheckContext) -> Mapping[str, Any] | None:
    """The region's detector entry (a region has at most one), or None without one."""
    detectors = ctx.dataset("guardduty", "Detectors")
    return detectors[0] if detectors else None


def _detector_arn(ctx: CheckContext, entry: Mapping[str, Any]) -> str:
    return f"arn:{ctx.partition}:guardduty:{ctx.region}:{ctx.account_id}:detector/{entry['DetectorId']}"


def _features(detector: Mapping[str, Any]) -> dict[str, str]:
    found = {str(f.get("Name")): str(f.get("Status")) for f in detector.get("Features") or []}
    sources = detector.get("DataSources") or {}
    legacy = {
        "S3_DATA_EVENTS": (sources.get("S3Logs") or {}).get("Status"),
        "EKS_AUDIT_LOGS": ((sources.get("Kubernetes") or {}).get("AuditLogs") or {}).get("Status"),
        "EBS_MALWARE_PROTECTION": (
            (
                ((sources.get("MalwareProtection") or {}).get("ScanEc2InstanceWithFindings") or {}).get(
                    "EbsVolumes"
                )
            )
            or {}
        ).get("Status"),
    }
    for name, status in legacy.items():
        if name not in found and status:
            found[name] = str(status)
    return found


@check(
    id="guardduty.enabled",
    title="GuardDuty is enabled in every region",
    severity=Severity.HIGH,
    scope=Scope.REGION,
    needs=[DETECTORS],
    rationale=(
        "GuardDuty watches CloudTrail, VPC flow logs and DNS logs for signs of compromise; a region without "
        "an enabled detector is a region where an attacker goes unnoticed."
    ),
    remediation="aws guardduty create-detector --enable --region <region>",
    references=[f"{GUARDDUTY_DOCS}/guardduty_settingup.html"],
)
def guardduty_enabled(ctx: CheckContext) -> Iterator[Result]:
    entry = _detector(ctx)
    if entry is None:
        yield ctx.failed(ctx.scope_arn(), f"GuardDuty has no detector in {ctx.region}", {"detector": None})
        return
    detector = ctx.field(entry, "Detector")
    evidence = {
        "DetectorId": entry["DetectorId"],
        "Status": detector.get("Status"),
        "features": _features(detector),
    }
    if detector.get("Status") == "ENABLED":
        yield ctx.passed(_detector_arn(ctx, entry), f"GuardDuty is enabled in {ctx.region}", evidence)
    else:
        yield ctx.failed(
            _detector_arn(ctx, entry),
            f"GuardDuty's detector in {ctx.region} is {detector.get('Status')}",
            evidence,
        )


@check(
    id="guardduty.protection_plans",
    title="GuardDuty's S3, EKS, RDS, Lambda and malware protection plans are on",
    severity=Severity.MEDIUM,
    scope=Scope.REGION,
    needs=[DETECTORS],
    rationale=(
        "The foundational detector reads logs only; S3 data events, EKS audit logs, RDS logins, Lambda "
        "network activity and malware scans of EBS volumes are separate protection plans."
    ),
    remediation=(
        "aws guardduty update-detector --detector-id <id> --features "
        "Name=S3_DATA_EVENTS,Status=ENABLED Name=EKS_AUDIT_LOGS,Status=ENABLED "
        "Name=RDS_LOGIN_EVENTS,Status=ENABLED Name=LAMBDA_NETWORK_LOGS,Status=ENABLED "
        "Name=EBS_MALWARE_PROTECTION,Status=ENABLED"
    ),
    references=[f"{GUARDDUTY_DOCS}/guardduty-features-activation-model.html"],
)
def guardduty_protection_plans(ctx: CheckContext) -> Iterator[Result]:
    entry = _detector(ctx)
    if entry is None:
        yield ctx.failed(ctx.scope_arn(), f"GuardDuty has no detector in {ctx.region}", {"detector": None})
        return
    features = _features(ctx.field(entry, "Detector"))
    missing = [label for name, label in PROTECTION_FEATURES.items() if features.get(name) != "ENABLED"]
    evidence = {"features": features, "missing": missing}
    if missing:
        yield ctx.failed(
            _detector_arn(ctx, entry), f"GuardDuty in {ctx.region} lacks: {', '.join(missing)}", evidence
        )
    else:
        yield ctx.passed(
            _detector_arn(ctx, entry), f"Every GuardDuty protection plan is on in {ctx.region}", evidence
        )


@check(
    id="guardduty.organization_managed",
    title="GuardDuty is run for the organization by a delegated administrator that auto-enables members",
    severity=Severity.MEDIUM,
    scope=Scope.REGION,
    needs=[DETECTORS, Needs("organizations", "Organization")],
    rationale=(
        "A delegated administrator that auto-enables GuardDuty for every member keeps new accounts covered "
        "and gathers their findings where the security team looks."
    ),
    remediation=(
        "From the management account: aws guardduty enable-organization-admin-account --admin-account-id "
        "<security-account>; from that account: aws guardduty update-organization-configuration "
        "--detector-id <id> --auto-enable-organization-members ALL"
    ),
    references=[f"{GUARDDUTY_DOCS}/guardduty_organizations.html"],
)
def guardduty_organization_managed(ctx: CheckContext) -> Iterator[Result]:
    organization = ctx.global_dataset("organizations", "Organization").get("Organization")
    if organization is None:
        return  # outside an organization there is no delegated administrator to judge
    entry = _detector(ctx)
    if entry is None:
        yield ctx.failed(ctx.scope_arn(), f"GuardDuty has no detector in {ctx.region}", {"detector": None})
        return
    arn = _detector_arn(ctx, entry)
    configuration = ctx.field(entry, "OrganizationConfiguration")
    administrator = ctx.field(entry, "Administrator")
    if configuration is not None:
        auto = configuration.get("AutoEnableOrganizationMembers") or (
            "NEW" if configuration.get("AutoEnable") else "NONE"
        )
        evidence = {"role": "delegated administrator", "AutoEnableOrganizationMembers": auto}
        if auto in ("ALL", "NEW"):
            yield ctx.passed(
                arn, f"This account administers GuardDuty and auto-enables members ({auto})", evidence
            )
        else:
            yield ctx.failed(
                arn, "This account administers GuardDuty but does not auto-enable members", evidence
            )
        return
    evidence = {"Administrator": administrator}
    if administrator and administrator.get("RelationshipStatus") == "Enabled":
        yield ctx.passed(
            arn, f"GuardDuty is administered by account {administrator.get('AccountId')}", evidence
        )
    else:
        yield ctx.failed(
            arn, f"No GuardDuty administrator account manages this detector in {ctx.region}", evidence
        )


@check(
    id="guardduty.no_severe_findings",
    title="No active HIGH or CRITICAL GuardDuty finding is left unarchived",
    severity=Severity.HIGH,
    scope=Scope.REGION,
    needs=[DETECTORS],
    rationale="An active high-severity finding is a likely compromise that nobody has dealt with yet.",
    remediation=(
        "Investigate each finding (aws guardduty get-findings --detector-id <id> --finding-ids <ids>), "
        "remediate, then archive it (aws guardduty archive-findings)"
    ),
    references=[f"{GUARDDUTY_DOCS}/guardduty_findings.html"],
)
def guardduty_no_severe_findings(ctx: CheckContext) -> Iterator[Result]:
    entry = _detector(ctx)
    if entry is None:
        return  # no detector, no findings to judge (guardduty.enabled reports the region)
    summary = ctx.field(entry, "SevereFindings")
    count = int(summary.get("Count") or 0)
    findings: Sequence[Mapping[str, Any]] = summary.get("Findings") or []
    evidence = {
        "active_high_or_critical": count,
        "resources": sorted({str(f.get("Resource")) for f in findings if f.get("Resource")}),
        "findings": list(findings),
    }
    arn = _detector_arn(ctx, entry)
    if count == 0:
        yield ctx.passed(arn, f"No active HIGH or CRITICAL GuardDuty finding in {ctx.region}", evidence)
        return
    critical = any(float(f.get("Severity") or 0) >= CRITICAL_SEVERITY for f in findings)
    types = sorted({str(f.get("Type")) for f in findings})
    yield ctx.failed(
        arn,
        f"{count} active HIGH/CRITICAL GuardDuty finding(s) in {ctx.region}: {', '.join(types[:5])}",
        evidence,
        severity=Severity.CRITICAL if critical else Severity.HIGH,
    )
