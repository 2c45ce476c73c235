"""What the store takes in for an organization run: its accounts' scans, read one at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from awsaudit.store.content import ScanContent


@dataclass(frozen=True)
class AccountScanEntry:
    """One account of an organization run, to record: its scan and its snapshot's (location, SHA-256)."""

    content: ScanContent
    snapshot: tuple[str | None, str | None]


@dataclass(frozen=True)
class OrganizationRunEntry:
    """An organization run to record. ``account_scans`` yields the accounts' scans one at a time (each
    read from its findings file), so a large organization is never held in memory at once."""

    run_key: str  # the organization scan's id, e.g. 20261128T153000Z-1a2b3c
    organization_id: str
    management_account_id: str
    caller_arn: str
    started_at: datetime
    seconds: float
    tool_version: str
    # Every account in scope, scanned or not: {account_id, name, status, reason, ou_path}.
    accounts: tuple[Mapping[str, Any], ...]
    account_scans: Callable[[], Iterator[AccountScanEntry]] = field(repr=False)
    organization_scan: ScanContent | None = None  # the organization checks' findings
    output_location: str | None = None
