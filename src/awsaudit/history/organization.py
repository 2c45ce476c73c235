"""An organization's history: its recorded runs compared (per account and for the organization's own
checks) and its posture over time (pass rates and failing findings summed over every account).

A run's accounts are compared account by account with the same rules as `awsaudit diff` (new,
regressed, resolved, unchanged, suppressed, unverified); an account scanned in one run and not in
the other is listed with both statuses and no findings diff: what was not scanned is never resolved.
"""

from __future__ import annotations

from collections.abc import Mapping

from awsaudit.accounts import AccountStatus
from awsaudit.errors import AwsauditError
from awsaudit.findings import Severity
from awsaudit.history.compare import findings_since
from awsaudit.report.history_model import AccountComparison, OrganizationComparison, OrganizationTrendPoint
from awsaudit.store import (
    ORGANIZATION_SCAN,
    FrameworkRate,
    OrganizationRunRecord,
    ScanRecord,
    Store,
    open_store,
)

# Accounts in scope that a run could not scan (a SKIPPED account was out of scope).
_NOT_SCANNED = (AccountStatus.UNREACHABLE, AccountStatus.FAILED)


class OrganizationHistoryError(AwsauditError):
    """No organization run to show, or the runs named do not belong together."""


def compare_organization(
    old: str | None, new: str | None, store_url: str | None = None, organization: str | None = None
) -> OrganizationComparison:
    """Compare two organization runs (ids from `awsaudit history --organization`); by default the
    organization's last two."""
    with open_store(store_url) as store:
        if old is None and new is None:
            runs = store.organization_runs(_organization(store, organization), limit=2)
            if len(runs) < 2:
                raise OrganizationHistoryError(
                    f"the store {store.location} holds fewer than two runs of this organization"
                )
            older, newer = runs[1], runs[0]
        else:
            assert old is not None
            older = store.organization_run(_run_id(old))
            if new is None:
                latest = store.organization_runs(older.organization_id, limit=1)
                if latest[0].id == older.id:
                    raise OrganizationHistoryError(f"no run of {older.organization_id} newer than run {old}")
                newer = latest[0]
            else:
                newer = store.organization_run(_run_id(new))
        if older.organization_id != newer.organization_id:
            raise OrganizationHistoryError(
                f"run {older.id} audits organization {older.organization_id} but run {newer.id} "
                f"audits {newer.organization_id}"
            )
        return _compare_runs(store, older, newer)


def since_previous_run(store_url: str | None, run_id: int) -> OrganizationComparison | None:
    """The run compared with the organization's run just before it (None: it is the first)."""
    with open_store(store_url) as store:
        run = store.organization_run(run_id)
        earlier = [
            other
            for other in store.organization_runs(run.organization_id)
            if (other.started_at, other.id) < (run.started_at, run.id)
        ]
        return _compare_runs(store, earlier[0], run) if earlier else None


def _compare_runs(
    store: Store, older: OrganizationRunRecord, newer: OrganizationRunRecord
) -> OrganizationComparison:
    old_scans, new_scans = _scans_of(store, older), _scans_of(store, newer)
    old_accounts = {str(a["account_id"]): a for a in older.accounts}
    new_accounts = {str(a["account_id"]): a for a in newer.accounts}
    rows = []
    for account_id in sorted(old_accounts.keys() | new_accounts.keys()):
        before, after = old_accounts.get(account_id), new_accounts.get(account_id)
        old_scan, new_scan = old_scans.get(account_id), new_scans.get(account_id)
        diff = None
        if old_scan is not None and new_scan is not None:
            diff = findings_since(store, old_scan, new_scan)
        rows.append(
            AccountComparison(
                account_id=account_id,
                name=str((after or before or {}).get("name") or ""),
                old_status=None if before is None else str(before["status"]),
                new_status=None if after is None else str(after["status"]),
                old_scan=None if old_scan is None else old_scan.id,
                new_scan=None if new_scan is None else new_scan.id,
                findings=diff,
            )
        )
    old_own, new_own = old_scans.get(ORGANIZATION_SCAN), new_scans.get(ORGANIZATION_SCAN)
    own = None if old_own is None or new_own is None else findings_since(store, old_own, new_own)
    return OrganizationComparison(older, newer, tuple(rows), own)


def _scans_of(store: Store, run: OrganizationRunRecord) -> dict[str, ScanRecord]:
    """A run's account scans by account id, and its own checks' scan under ``"organization"``."""
    return {
        (ORGANIZATION_SCAN if scan.kind == ORGANIZATION_SCAN else scan.account_id): scan
        for scan in store.run_scans(run.id)
    }


def _organization(store: Store, organization: str | None) -> str:
    known = store.organizations()
    if organization is not None:
        if organization not in known:
            raise OrganizationHistoryError(
                f"no runs of organization {organization} in the store {store.location}"
            )
        return organization
    if not known:
        raise OrganizationHistoryError(
            f"the store {store.location} holds no organization runs yet (`awsaudit scan --organization`)"
        )
    if len(known) > 1:
        raise OrganizationHistoryError(
            f"the store holds runs of several organizations ({', '.join(known)}): "
            "name one with --organization-id"
        )
    return known[0]


def _run_id(text: str) -> int:
    if not text.isdigit():
        raise OrganizationHistoryError(
            f"{text!r} is not an organization run id (see `awsaudit history --organization`)"
        )
    return int(text)


def organization_trend(
    store: Store, organization: str, limit: int = 30
) -> tuple[list[OrganizationTrendPoint], str | None]:
    """The organization's last ``limit`` runs, oldest first, each summed over all its scans, that judged
    the same checks with the same --severity as the newest of them; and a note when some did not.

    Regions are not compared: without --regions each member is scanned in the regions it enabled."""
    runs = list(reversed(store.organization_runs(organization, limit=limit)))
    scans_of = {run.id: store.run_scans(run.id) for run in runs}
    newest = _selection(scans_of[runs[-1].id]) if runs else None
    alike = [run for run in runs if _selection(scans_of[run.id]) == newest]
    left_out = len(runs) - len(alike)
    note = None
    if left_out:
        note = (
            f"{left_out} run(s) with a different selection (checks or --severity) left out: only runs "
            "that judged the same things are compared"
        )
    points = []
    for run in alike:
        ids = [scan.id for scan in scans_of[run.id]]
        rates: dict[str, FrameworkRate] = {}
        for per_scan in store.framework_rates(ids).values():
            for rate in per_scan:
                rates[rate.framework] = _add(rates.get(rate.framework), rate)
        failing = dict.fromkeys(Severity, 0)
        for counts in store.failing_by_severity(ids).values():
            for severity, count in counts.items():
                failing[severity] += count
        not_scanned = sum(
            1 for a in run.accounts if a.get("status") in (AccountStatus.UNREACHABLE, AccountStatus.FAILED)
        )
        points.append(OrganizationTrendPoint(run, rates, failing, not_scanned))
    return points, note


def _selection(scans: list[ScanRecord]) -> tuple[frozenset[str], Severity]:
    """What a run judged: every check any of its scans ran, and its --severity."""
    checks = frozenset(check for scan in scans for check in scan.checks)
    floor = max((scan.min_severity for scan in scans), key=lambda s: s.rank, default=Severity.INFO)
    return checks, floor


def _add(total: FrameworkRate | None, rate: FrameworkRate) -> FrameworkRate:
    if total is None:
        return rate
    return FrameworkRate(
        rate.framework,
        rate.title,
        total.passed + rate.passed,
        total.failed + rate.failed,
        total.other + rate.other,
    )


def organization_trends(
    store_url: str | None, organization: str | None, limit: int
) -> Mapping[str, tuple[list[OrganizationTrendPoint], str | None]]:
    with open_store(store_url) as store:
        organizations = [_organization(store, organization)] if organization else store.organizations()
        if not organizations:
            raise OrganizationHistoryError(
                f"the store {store.location} holds no organization runs yet (`awsaudit scan --organization`)"
            )
        return {name: organization_trend(store, name, limit) for name in organizations}
