"""The report's view of history: what changed since the previous scan, and the recent trend."""

from __future__ import annotations

import dataclasses

from awsaudit.history.compare import findings_since
from awsaudit.history.trend import other_selections, selection_note, trend
from awsaudit.report.history_model import Change
from awsaudit.report.model import ChangedFinding, HistoryPoint, ReportHistory, ReportModel, SinceLastScan
from awsaudit.store import ScanId, Store, open_store

TREND_SCANS = 30
_LISTED = (Change.NEW, Change.NEWLY_CHECKED, Change.REGRESSED, Change.RESOLVED)


def report_history(store: Store, scan_id: ScanId, trend_scans: int = TREND_SCANS) -> ReportHistory:
    scan = store.scan(scan_id)
    previous = store.previous(scan)
    since = None
    if previous is not None:
        diff = findings_since(store, previous, scan)
        since = SinceLastScan(
            previous_scan_id=previous.id,
            previous_collected_at=previous.collected_at,
            counts={change.value: len(diff.of(change)) for change in Change},
            findings=tuple(
                ChangedFinding(
                    item.change.value,
                    item.finding.finding_id,
                    item.finding.check_id,
                    item.finding.severity,
                    item.finding.region,
                    item.finding.resource,
                    item.finding.message,
                )
                for item in diff.changes
                if item.change in _LISTED
            ),
        )
    points = tuple(
        HistoryPoint(
            point.scan.id,
            point.scan.collected_at,
            {key: rate.pass_rate for key, rate in point.rates.items()},
            point.failing,
        )
        for point in trend(store, scan.account_id, trend_scans, until=scan)
    )
    note = selection_note(other_selections(store, scan.account_id, trend_scans, until=scan))
    return ReportHistory(since, points, note)


def attach_history(store_url: str | None, model: ReportModel, scan_id: ScanId) -> ReportModel:
    """The model with its history filled from the store, for the HTML report (scan_id: this audit's)."""
    with open_store(store_url) as store:
        return dataclasses.replace(model, history=report_history(store, scan_id))
