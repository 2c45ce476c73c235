"""What one scan row holds, from a report model (a scan recorded as it runs) or from a findings.json
file (an organization run's accounts, recorded by the driver from the files their tasks wrote).

Both give the same ``ScanContent``, so a member's scan reads back the same whichever way it came.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from awsaudit.compliance.frameworks_model import ControlStatus
from awsaudit.findings import Severity, Status
from awsaudit.redaction import redact, redact_json
from awsaudit.report.model import REPORT_SCHEMA, ReportModel
from awsaudit.scan_records import ACCOUNT_SCAN
from awsaudit.store.database import StoreError

# (finding_id, check_id, status, suppressed, severity, account_id, region, resource, message, evidence)
FindingRow = tuple[str, str, str, bool, str, str, str, str, str, dict[str, Any]]


@dataclass(frozen=True)
class FrameworkCounts:
    key: str  # id@version
    title: str
    passed: int
    failed: int
    other: int  # controls UNKNOWN, MANUAL or with nothing to judge


@dataclass(frozen=True)
class ScanLink:
    """Where a scan belongs: an account alone, or an account (or the checks) of an organization run."""

    kind: str = ACCOUNT_SCAN
    organization_run_id: int | None = None
    management_account_id: str | None = None


@dataclass(frozen=True)
class ScanContent:
    collected_at: datetime
    account_id: str
    partition: str
    caller_arn: str
    regions: tuple[str, ...]
    frameworks: tuple[FrameworkCounts, ...]
    checks: tuple[str, ...]
    tool_version: str
    collection_seconds: float
    errors: tuple[Mapping[str, Any], ...]  # redacted
    status_counts: Mapping[str, int]  # by report status (SUPPRESSED counted apart)
    findings: Sequence[FindingRow]  # message and evidence redacted
    # The lowest severity kept (--severity): a finding below it was left out, not judged absent.
    min_severity: Severity = Severity.INFO


def content_of_model(model: ReportModel) -> ScanContent:
    frameworks = []
    for framework in model.frameworks:
        tally = framework.counts()
        passed, failed = tally[ControlStatus.PASS], tally[ControlStatus.FAIL]
        other = sum(tally.values()) - passed - failed
        frameworks.append(FrameworkCounts(framework.key, framework.title, passed, failed, other))
    findings: list[FindingRow] = [
        (
            item.finding.id,
            item.finding.check_id,
            item.finding.status.value,
            item.suppression is not None,
            item.finding.severity.value,
            item.finding.account_id,
            item.finding.region,
            item.finding.resource,
            redact(item.finding.message),
            redact_json(dict(item.finding.evidence)),
        )
        for item in model.findings
    ]
    return ScanContent(
        collected_at=model.collected_at,
        account_id=model.account_id,
        partition=model.partition,
        caller_arn=model.caller_arn,
        regions=tuple(model.regions),
        frameworks=tuple(frameworks),
        checks=tuple(model.checks),
        tool_version=model.tool_version,
        collection_seconds=model.collection_seconds,
        errors=tuple(redact_json(e.to_json()) for e in model.errors),
        status_counts={s.value: n for s, n in model.status_counts().items()},
        findings=findings,
        min_severity=model.min_severity or Severity.INFO,
    )


def content_of_report_data(data: bytes, source: str) -> ScanContent:
    """A findings.json (schema awsaudit.findings/2) as a scan; anything else is a StoreError."""
    try:
        return content_of_report(json.loads(data))
    except (KeyError, TypeError, ValueError) as exc:
        raise StoreError(f"cannot record {source} in the history: not a findings report ({exc})") from None


def content_of_report(document: Any) -> ScanContent:
    if not isinstance(document, dict) or document.get("schema") != REPORT_SCHEMA:
        raise ValueError(f"schema is not {REPORT_SCHEMA}")
    account, scope = document["account"], document["scope"]
    frameworks = []
    for key, framework in document["compliance"].items():
        counts = {str(k): int(v) for k, v in framework["counts"].items()}
        passed, failed = counts.get(ControlStatus.PASS.value, 0), counts.get(ControlStatus.FAIL.value, 0)
        other = sum(counts.values()) - passed - failed
        frameworks.append(FrameworkCounts(str(key), str(framework["title"]), passed, failed, other))
    findings: list[FindingRow] = [
        (
            str(item["id"]),
            str(item["check_id"]),
            Status(item["original_status"]).value,
            item.get("suppression") is not None,
            Severity(item["severity"]).value,
            str(item["account_id"]),
            str(item["region"]),
            str(item["resource"]),
            redact(str(item["message"])),
            redact_json(dict(item.get("evidence") or {})),
        )
        for item in document["findings"]
    ]
    return ScanContent(
        collected_at=datetime.fromisoformat(str(document["collected_at"]).replace("Z", "+00:00")),
        account_id=str(account["id"]),
        partition=str(account["partition"]),
        caller_arn=str(account["caller_arn"]),
        regions=tuple(str(r) for r in scope["regions"]),
        frameworks=tuple(frameworks),
        checks=tuple(str(c) for c in scope["checks"]),
        tool_version=str(document["tool_version"]),
        collection_seconds=float(document["collection_seconds"]),
        errors=tuple(redact_json(dict(e)) for e in document.get("collection_errors", [])),
        status_counts={str(k): int(v) for k, v in document["summary"].items()},
        findings=findings,
    )
