"""GuardDuty: the region's detectors with their settings, who administers them, and active severe findings."""

from __future__ import annotations

from typing import Any

from awsaudit.collect.context import CallContext, attach, without_metadata
from awsaudit.collect.registry import dataset

HIGH_SEVERITY = 7  # GuardDuty's HIGH band starts at 7.0 (CRITICAL at 9.0)
_FINDINGS_PER_CALL = 50  # GetFindings takes at most 50 ids
MAX_FINDINGS_DETAILED = 100  # beyond this only the count is kept: the evidence names enough resources
# Not the delegated administrator: AWS answers DescribeOrganizationConfiguration with this.
_NOT_ADMINISTRATOR = {"BadRequestException": None}


def _finding_summary(finding: dict[str, Any]) -> dict[str, Any]:
    resource = finding.get("Resource") or {}
    return {
        "Id": finding.get("Id"),
        "Type": finding.get("Type"),
        "Severity": finding.get("Severity"),
        "Title": finding.get("Title"),
        "ResourceType": resource.get("ResourceType"),
        "Resource": _resource_name(resource),
        "UpdatedAt": finding.get("UpdatedAt"),
    }


def _resource_name(resource: dict[str, Any]) -> str | None:
    instance = resource.get("InstanceDetails") or {}
    key = resource.get("AccessKeyDetails") or {}
    buckets = resource.get("S3BucketDetails") or []
    name = instance.get("InstanceId") or key.get("UserName") or key.get("AccessKeyId")
    if not name and buckets:
        name = buckets[0].get("Name")
    return str(name) if name else None


def _severe_findings(ctx: CallContext, detector_id: str) -> dict[str, Any]:
    """Active (unarchived) findings of HIGH or CRITICAL severity: their count and the first ones."""
    criteria = {
        "Criterion": {
            "severity": {"GreaterThanOrEqual": HIGH_SEVERITY},
            "service.archived": {"Eq": ["false"]},
        }
    }
    ids = ctx.paginate("list_findings", "FindingIds", DetectorId=detector_id, FindingCriteria=criteria)
    detailed: list[dict[str, Any]] = []
    for start in range(0, min(len(ids), MAX_FINDINGS_DETAILED), _FINDINGS_PER_CALL):
        batch = ids[start : start + _FINDINGS_PER_CALL]
        answer = ctx.client.get_findings(DetectorId=detector_id, FindingIds=batch)
        detailed.extend(
            _finding_summary(finding) for finding in ctx.result(answer, "Findings", "get_findings")
        )
    return {"Count": len(ids), "Findings": detailed}


def _detector_detail(ctx: CallContext, detector: dict[str, Any]) -> None:
    detector_id = detector["DetectorId"]
    attach(detector, "Detector", lambda: without_metadata(ctx.client.get_detector(DetectorId=detector_id)))
    attach(
        detector,
        "Administrator",
        lambda: ctx.client.get_administrator_account(DetectorId=detector_id).get("Administrator"),
    )
    attach(
        detector,
        "OrganizationConfiguration",
        lambda: without_metadata(ctx.client.describe_organization_configuration(DetectorId=detector_id)),
        absent=_NOT_ADMINISTRATOR,
    )
    attach(detector, "SevereFindings", lambda: _severe_findings(ctx, detector_id))


@dataset(
    "guardduty",
    "Detectors",
    regional=True,
    actions=[
        "guardduty:ListDetectors",
        "guardduty:GetDetector",
        "guardduty:GetAdministratorAccount",
        "guardduty:DescribeOrganizationConfiguration",
        "guardduty:ListFindings",
        "guardduty:GetFindings",
    ],
    detail=_detector_detail,
)
def detectors(ctx: CallContext) -> list[dict[str, Any]]:
    """{DetectorId, Detector, Administrator, OrganizationConfiguration, SevereFindings} per detector.

    A region has at most one detector. ``Administrator`` is null when no administrator account
    manages this one; ``OrganizationConfiguration`` is null unless this account is the
    organization's GuardDuty administrator.
    """
    return [{"DetectorId": detector_id} for detector_id in ctx.paginate("list_detectors", "DetectorIds")]
