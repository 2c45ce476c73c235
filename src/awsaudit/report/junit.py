"""JUnit XML for CI systems: one test case per check and resource, and one per collection error.

FAIL is a failure, UNKNOWN an error (the audit could not judge), SUPPRESSED and
MANUAL are skipped (with the reason), PASS passes. Collection errors come first,
in a ``collection`` suite, each an error: CI shows the audit as incomplete even
where no selected check read the data that could not be collected.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from itertools import groupby

from awsaudit.report.model import ReportFinding, ReportModel, ReportStatus
from awsaudit.snapshot import CollectionError

COLLECTION_SUITE = "collection"

# Characters XML 1.0 cannot carry even escaped; hostile names could contain them.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _case(parent: ET.Element, item: ReportFinding) -> None:
    finding = item.finding
    case = ET.SubElement(
        parent,
        "testcase",
        classname=_xml_text(finding.check_id),
        name=_xml_text(f"{finding.resource} [{finding.region}]"),
        time="0",
    )
    detail = (
        f"{finding.message}\n\nRemediation: {item.check.remediation}"
        if item.check.remediation
        else finding.message
    )
    status = item.status
    if status is ReportStatus.FAIL:
        element = ET.SubElement(
            case, "failure", message=_xml_text(finding.message), type=finding.severity.value
        )
        element.text = _xml_text(detail)
    elif status is ReportStatus.UNKNOWN:
        element = ET.SubElement(case, "error", message=_xml_text(finding.message), type="UNKNOWN")
        element.text = _xml_text(detail)
    elif status is ReportStatus.SUPPRESSED and item.suppression is not None:
        reason = f"suppressed ({finding.status.value}): {item.suppression.reason}"
        ET.SubElement(case, "skipped", message=_xml_text(reason))
    elif status is ReportStatus.MANUAL:
        ET.SubElement(case, "skipped", message=_xml_text(f"manual review: {finding.message}"))


def _error_case(parent: ET.Element, error: CollectionError) -> None:
    name = f"{error.region}/{error.dataset}"
    if error.resource:
        name += f" ({error.resource})"
    case = ET.SubElement(
        parent,
        "testcase",
        classname=_xml_text(f"{COLLECTION_SUITE}.{error.service}"),
        name=_xml_text(name),
        time="0",
    )
    element = ET.SubElement(
        case,
        "error",
        message=_xml_text(f"{error.operation} failed with {error.code}: {error.message}"),
        type=_xml_text(error.code),
    )
    element.text = _xml_text(error.describe())


def _suite(root: ET.Element, model: ReportModel, name: str, counts: dict[str, int]) -> ET.Element:
    attributes = {"name": _xml_text(name), "timestamp": model.collected_at_iso, "time": "0"}
    attributes.update((key, str(value)) for key, value in counts.items())
    return ET.SubElement(root, "testsuite", attributes)


def render_junit(model: ReportModel) -> bytes:
    root = ET.Element("testsuites", name="awsaudit", timestamp=model.collected_at_iso)
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    if model.errors:
        counts = {"tests": len(model.errors), "failures": 0, "errors": len(model.errors), "skipped": 0}
        suite = _suite(root, model, COLLECTION_SUITE, counts)
        for error in model.errors:
            _error_case(suite, error)
        totals.update(counts)
    for check_id, group in groupby(model.findings, key=lambda item: item.finding.check_id):
        items = list(group)
        counts = {
            "tests": len(items),
            "failures": sum(i.status is ReportStatus.FAIL for i in items),
            "errors": sum(i.status is ReportStatus.UNKNOWN for i in items),
            "skipped": sum(i.status in (ReportStatus.SUPPRESSED, ReportStatus.MANUAL) for i in items),
        }
        suite = _suite(root, model, check_id, counts)
        for item in items:
            _case(suite, item)
        for key, value in counts.items():
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True)) + b"\n"
