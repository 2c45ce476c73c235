"""Scan history: every audit recorded in a database (SQLite by default, PostgreSQL for teams)."""

from awsaudit.store.database import STORE_ENV, StoreError, default_store_url
from awsaudit.store.records import FrameworkRate, ScanId, ScanRecord, StoredFinding
from awsaudit.store.store import PruneResult, Store, forget_audit, open_store, record_audit

__all__ = [
    "STORE_ENV",
    "FrameworkRate",
    "PruneResult",
    "ScanId",
    "ScanRecord",
    "Store",
    "StoreError",
    "StoredFinding",
    "default_store_url",
    "forget_audit",
    "open_store",
    "record_audit",
]
