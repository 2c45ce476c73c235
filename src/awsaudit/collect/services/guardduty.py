"""GuardDuty: the region's detectors and their settings."""

from __future__ import annotations

from typing import Any

from awsaudit.collect.context import CallContext, attach, without_metadata
from awsaudit.collect.registry import dataset


def _detector_detail(ctx: CallContext, detector: dict[str, Any]) -> None:
    attach(
        detector,
        "Detector",
        lambda: without_metadata(ctx.client.get_detector(DetectorId=detector["DetectorId"])),
    )


@dataset(
    "guardduty",
    "Detectors",
    regional=True,
    actions=["guardduty:ListDetectors", "guardduty:GetDetector"],
    detail=_detector_detail,
)
def detectors(ctx: CallContext) -> list[dict[str, Any]]:
    """{DetectorId, Detector} per detector (a region has at most one)."""
    return [{"DetectorId": detector_id} for detector_id in ctx.paginate("list_detectors", "DetectorIds")]
