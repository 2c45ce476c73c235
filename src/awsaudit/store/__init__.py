"""Scan history: every audit recorded in a database (SQLite by default, PostgreSQL for teams)."""

from awsaudit.scan_records import (
    ACCOUNT_SCAN,
    ORGANIZATION_SCAN,
    FrameworkRate,
    OrganizationRunId,
    OrganizationRunRecord,
    ScanId,
    ScanRecord,
    StoredFinding,
)
from awsaudit.store.content import ScanContent, ScanLink
from awsaudit.store.database import STORE_ENV, StoreError, default_store_url
from awsaudit.store.records import AccountScanEntry, OrganizationRunEntry
from awsaudit.store.store import PruneResult, Store, forget_audit, open_store, record_audit

__all__ = [
    "ACCOUNT_SCAN",
    "ORGANIZATION_SCAN",
    "STORE_ENV",
    "AccountScanEntry",
    "FrameworkRate",
    "OrganizationRunEntry",
    "OrganizationRunId",
    "OrganizationRunRecord",
    "PruneResult",
    "ScanContent",
    "ScanId",
    "ScanLink",
    "ScanRecord",
    "Store",
    "StoreError",
    "StoredFinding",
    "default_store_url",
    "forget_audit",
    "open_store",
    "record_audit",
]
