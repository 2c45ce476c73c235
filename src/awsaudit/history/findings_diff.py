"""Findings that moved between two audits of one account.

A finding is *failing* when its check said FAIL and no suppression accepted it.
Among the findings failing on either side:

- new: failing now, not before, and never failing in an earlier recorded scan;
- newly checked: failing now, and the older audit did not evaluate it (its check or
  region was outside that audit's selection, or its severity below that audit's
  --severity): nothing says it changed;
- regressed: failing now, not in the older audit, but failing in a scan before it
  (it was fixed, and fails again);
- unchanged: failing in both;
- resolved: failing before, now PASS, or gone although its check and region were
  evaluated again (the resource no longer exists);
- suppressed: failing before, now accepted by a suppression;
- unverified: failing before, now UNKNOWN, MANUAL, or not evaluated at all (its
  check or region left the scope). Fail closed: this is never counted as resolved.
"""

from __future__ import annotations

from collections.abc import Set

from awsaudit.findings import Status
from awsaudit.report.history_model import AuditFindings, Change, FindingChange, FindingsDiff
from awsaudit.scan_records import StoredFinding

ABSENT = "ABSENT"


def shown_status(finding: StoredFinding | None) -> str:
    if finding is None:
        return ABSENT
    if finding.suppressed:
        return "SUPPRESSED"
    return finding.status.value


def diff_findings(
    old: AuditFindings, new: AuditFindings, failed_earlier: Set[str] = frozenset()
) -> FindingsDiff:
    """Classify every finding failing on either side; ``failed_earlier``: ids failing before ``old``."""
    changes = []
    for finding_id in old.findings.keys() | new.findings.keys():
        before, after = old.findings.get(finding_id), new.findings.get(finding_id)
        change = _classify(before, after, old, new, finding_id in failed_earlier)
        if change is not None:
            record = after or before
            assert record is not None
            changes.append(FindingChange(change, record, shown_status(before), shown_status(after)))
    order = {change: n for n, change in enumerate(Change)}
    changes.sort(
        key=lambda c: (order[c.change], -c.finding.severity.rank, c.finding.check_id, c.finding.resource)
    )
    return FindingsDiff(old, new, tuple(changes))


def _classify(
    before: StoredFinding | None,
    after: StoredFinding | None,
    old: AuditFindings,
    new: AuditFindings,
    failed_earlier: bool,
) -> Change | None:
    was_failing = before is not None and before.failing
    if after is not None and after.failing:
        if was_failing:
            return Change.UNCHANGED
        if before is None and not old.evaluated(after):
            return Change.NEWLY_CHECKED
        return Change.REGRESSED if failed_earlier else Change.NEW
    if not was_failing:
        return None
    assert before is not None
    if after is None:
        return Change.RESOLVED if new.evaluated(before) else Change.UNVERIFIED
    if after.suppressed:
        return Change.SUPPRESSED
    return Change.RESOLVED if after.status is Status.PASS else Change.UNVERIFIED
