"""Worker side: scan one account with credentials for exactly that account.

``scan_account`` takes picklable inputs and returns a small AccountOutcome. It collects only
what the selected checks need, evaluates, and writes ``<output>/<account-id>/snapshot.json.gz``
and ``findings.json`` (plus any other requested report formats) atomically before returning, so
nothing of the account stays in memory. It never raises: a failure is the outcome's reason.
"""

from __future__ import annotations

import functools
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from awsaudit.accounts import AccountCredentials, AccountOutcome, AccountStatus, AccountTarget
from awsaudit.analyze.organization.workloads import WORKLOAD_KINDS
from awsaudit.audit import Selection, evaluate, select
from awsaudit.collect.engine import CollectOptions, collect
from awsaudit.collect.errors import describe_failure
from awsaudit.collect.organization.sessions import account_session
from awsaudit.collect.registry import all_specs
from awsaudit.config import AuditConfig
from awsaudit.errors import AwsauditError
from awsaudit.organization.context import hand_over
from awsaudit.organization.facts import budget_facts, check_statuses, deferred_checks
from awsaudit.redaction import redact_bytes
from awsaudit.report.json_report import render_json
from awsaudit.report.model import build_report_model
from awsaudit.report.organization_model import ORGANIZATION_PAGE_FROM_REPORTS
from awsaudit.report.writer import write_reports
from awsaudit.snapshot import save, write_private_atomic
from awsaudit.suppressions import Suppression

SNAPSHOT_FILE = "snapshot.json.gz"
# Datasets read only by the management-account workload check (and collected only for it).
WORKLOAD_INVENTORY = frozenset(
    key
    for key in (f"{kind.service}/{kind.dataset}" for kind in WORKLOAD_KINDS)
    if (spec := all_specs().get(key)) is not None and spec.on_demand
)
FINDINGS_FILE = "findings.json"


@dataclass(frozen=True)
class AccountScanRequest:
    """Everything a task needs besides its target and credentials; the same for every account."""

    output_dir: Path
    check_ids: tuple[str, ...]
    framework_keys: tuple[str, ...]
    config: AuditConfig = field(default_factory=AuditConfig)
    regions: tuple[str, ...] | None = None
    max_workers: int = 4  # this account's share of the concurrency budget
    formats: tuple[str, ...] = ()  # report formats written beside findings.json (json is always written)
    suppressions: tuple[Suppression, ...] = ()
    endpoint_url: str | None = None
    home_region: str = "us-east-1"
    client_hooks: tuple[Callable[[Any], None], ...] = ()  # local runs only (the lab's work-arounds)
    # The organization context (``organization/Context``) every account's checks read, and the
    # management account, the only one whose workload inventory is collected.
    organization_context: dict[str, Any] | None = None
    management_account: str | None = None
    min_severity: str | None = None  # --severity: findings below it are left out, as in one account's scan

    def selection(self) -> Selection:
        return _selection(self.framework_keys, self.check_ids, self.min_severity)

    @classmethod
    def for_selection(cls, selection: Selection, output_dir: Path, **options: Any) -> AccountScanRequest:
        """A request carrying the selection in picklable form (check ids and framework keys)."""
        return cls(
            output_dir=output_dir,
            check_ids=tuple(meta.id for meta in selection.checks),
            framework_keys=tuple(framework.key for framework in selection.frameworks),
            min_severity=None if selection.min_severity is None else selection.min_severity.value,
            **options,
        )


@functools.lru_cache(maxsize=4)
def _selection(
    framework_keys: tuple[str, ...], check_ids: tuple[str, ...], min_severity: str | None
) -> Selection:
    """Selecting costs ~0.4 s: a worker process selects once per scan, not once per account."""
    return select(framework_keys, check_ids, min_severity=min_severity)


def _datasets_for(account_id: str, wanted: frozenset[str], management_account: str | None) -> frozenset[str]:
    """The workload inventory is only ever judged in the management account: others skip it."""
    if management_account is None or account_id == management_account:
        return wanted
    return wanted - WORKLOAD_INVENTORY


def account_dir(output_dir: Path, account_id: str) -> Path:
    return output_dir / account_id


def scan_account(
    target: AccountTarget,
    credentials: AccountCredentials,
    request: AccountScanRequest,
    selection: Selection | None = None,
) -> AccountOutcome:
    """Collect, evaluate and write one account; ``selection`` may be passed to skip re-selecting."""
    started = time.monotonic()
    source = credentials.source
    try:
        if credentials.account_id != target.account_id:
            raise _Mismatch(f"credentials are for account {credentials.account_id}, not {target.account_id}")
        chosen = selection or request.selection()
        session = account_session(credentials, request.home_region)
        options = CollectOptions(
            regions=request.regions,
            datasets=_datasets_for(target.account_id, chosen.dataset_keys(), request.management_account),
            fields=chosen.dataset_fields(),
            max_workers=request.max_workers,
            endpoint_url=request.endpoint_url,
            client_hooks=request.client_hooks,
        )
        snapshot = collect(session, options)
        if snapshot.account.account_id != target.account_id:
            raise _Mismatch(
                f"the credentials reached account {snapshot.account.account_id}, not {target.account_id}"
            )
        hand_over(snapshot, request.organization_context)
        result = evaluate(snapshot, chosen, request.config)
        model = replace(
            build_report_model(result, request.suppressions), organization_page=ORGANIZATION_PAGE_FROM_REPORTS
        )
        directory = account_dir(request.output_dir, target.account_id)
        files = [save(snapshot, directory / SNAPSHOT_FILE), directory / FINDINGS_FILE]
        write_private_atomic(files[1], redact_bytes(render_json(model)))
        extra = [name for name in request.formats if name != "json"]
        files += write_reports(model, extra, directory)
        counts = Counter(item.status.value for item in model.findings)
        return AccountOutcome(
            account_id=target.account_id,
            status=AccountStatus.COMPLETE,
            counts=dict(counts),
            check_statuses=check_statuses(model),
            deferred=deferred_checks(result.findings, target.account_id),
            facts=budget_facts(snapshot),
            collection_errors=len(snapshot.errors),
            api_calls=sum(snapshot.api_calls.values()),
            seconds=time.monotonic() - started,
            files=tuple(str(f) for f in files),
            credentials_source=source,
        )
    except Exception as exc:
        _, code, message = describe_failure(exc)
        return AccountOutcome(
            account_id=target.account_id,
            status=AccountStatus.FAILED,
            reason=message if isinstance(exc, _Mismatch) else f"{code}: {message}",
            error_code=None if isinstance(exc, _Mismatch) else code,
            seconds=time.monotonic() - started,
            credentials_source=source,
        )


def unreachable(target: AccountTarget, code: str, message: str, seconds: float = 0.0) -> AccountOutcome:
    """The outcome of an account whose audit role could not be assumed."""
    return AccountOutcome(
        account_id=target.account_id,
        status=AccountStatus.UNREACHABLE,
        reason=f"the audit role could not be assumed: {code}: {message}",
        error_code=code,
        seconds=seconds,
    )


def failed(target: AccountTarget, reason: str, started: float) -> AccountOutcome:
    """The outcome of an account whose scan broke off outside the task (e.g. its process died)."""
    return AccountOutcome(
        account_id=target.account_id,
        status=AccountStatus.FAILED,
        reason=reason,
        seconds=time.monotonic() - started,
    )


class _Mismatch(AwsauditError):
    """The credentials reach another account than the target: never write under the wrong id."""
