"""The remediation plan: unsuppressed FAIL findings, ordered by risk and grouped per resource.

Risk = severity × exposure × blast radius, each a small documented weight:

- severity: critical 5, high 4, medium 3, low 2, info 1;
- exposure: 3 when the finding says the resource is reachable from the internet or
  public, or the principal is (or can become) administrator; otherwise 1;
- blast radius: 2 for an account-wide setting (the finding's resource is the
  account), 1 for one resource.

A resource's place is its riskiest finding's; ties go to severity, then check id
and resource, so the plan is the same for the same findings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from awsaudit.findings import Finding, Severity
from awsaudit.report.model import ReportFinding, ReportModel, ReportStatus
from awsaudit.report.remediation.model import Step, Target
from awsaudit.report.remediation.recipes import NO_CLI_FIX, RECIPES

SEVERITY_WEIGHT = {
    Severity.CRITICAL: 5,
    Severity.HIGH: 4,
    Severity.MEDIUM: 3,
    Severity.LOW: 2,
    Severity.INFO: 1,
}
# Findings that by their nature say "the internet can reach this" or "this is administrator".
EXPOSING_CHECKS = {
    "ec2.internet_exposed_interfaces": "reachable from the internet",
    "s3.bucket_public_access": "public",
    "cloudtrail.bucket_not_public": "public",
    "rds.instance_not_public": "reachable from the internet",
    "iam.full_admin_policy": "administrator-equivalent",
    "iam.privilege_escalation": "can become administrator",
    "iam.root_access_keys": "administrator-equivalent (root)",
    "iam.root_mfa": "administrator-equivalent (root)",
}


@dataclass(frozen=True)
class PlannedFix:
    item: ReportFinding
    risk: int
    exposure: str  # why the exposure weight is 3, empty when it is 1
    steps: tuple[Step, ...]
    no_cli_reason: str  # set when the check has no CLI fix

    @property
    def finding(self) -> Finding:
        return self.item.finding


@dataclass(frozen=True)
class ResourcePlan:
    account_id: str
    region: str
    resource: str
    resource_name: str | None
    fixes: tuple[PlannedFix, ...]  # riskiest first

    @property
    def risk(self) -> int:
        return self.fixes[0].risk


def exposure_reason(finding: Finding) -> str:
    """Why a finding counts as exposed or admin-equivalent ('' when it does not)."""
    evidence: Mapping[str, object] = finding.evidence
    if finding.check_id in EXPOSING_CHECKS:
        return EXPOSING_CHECKS[finding.check_id]
    reachability = str(evidence.get("reachability", ""))
    if "reachable from the internet" in reachability and "not reachable" not in reachability:
        return "reachable from the internet"
    if evidence.get("reaches") == "admin" or evidence.get("public") is True:
        return "administrator-equivalent" if evidence.get("reaches") == "admin" else "public"
    return ""


def _account_wide(finding: Finding) -> bool:
    resource = finding.resource
    return resource.endswith(":root") or resource.endswith(":account")


def risk_of(finding: Finding) -> tuple[int, str]:
    reason = exposure_reason(finding)
    score = SEVERITY_WEIGHT[finding.severity] * (3 if reason else 1) * (2 if _account_wide(finding) else 1)
    return score, reason


def build_plan(model: ReportModel) -> tuple[ResourcePlan, ...]:
    grouped: dict[tuple[str, str, str], list[PlannedFix]] = {}
    names: dict[tuple[str, str, str], str | None] = {}
    for item in model.findings:
        if item.status is not ReportStatus.FAIL:
            continue
        finding = item.finding
        target = Target(finding, model.home_region, model.partition)
        recipe = RECIPES.get(finding.check_id)
        steps = recipe(target) if recipe is not None else ()
        reason = NO_CLI_FIX.get(finding.check_id, "")
        if recipe is not None and not steps:
            reason = "the evidence does not name what to change; follow the check's remediation text"
        elif recipe is None and not reason:
            reason = "no recipe for this check yet; follow the check's remediation text"
        score, exposure = risk_of(finding)
        key = (finding.account_id, target.region, finding.resource)
        grouped.setdefault(key, []).append(PlannedFix(item, score, exposure, steps, reason))
        names[key] = names.get(key) or finding.resource_name
    plans = []
    for key, fixes in grouped.items():
        fixes.sort(key=lambda f: (-f.risk, -f.finding.severity.rank, f.finding.check_id))
        plans.append(ResourcePlan(*key, names[key], tuple(fixes)))
    plans.sort(key=lambda p: (-p.risk, -p.fixes[0].finding.severity.rank, p.resource, p.region, p.account_id))
    return tuple(plans)
