"""Checks that run before the first API call: a run never collects for minutes and then fails on a
typo in a region, an output directory it cannot write, or a history store it cannot open.

Each failure is one line and exit 2 (through :class:`PreflightError`).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from awsaudit.collect.regions import check_regions
from awsaudit.errors import AwsauditError


class PreflightError(AwsauditError):
    """Something the run will need later is already known to be unusable."""


def _reason(problem: OSError) -> str:
    return problem.strerror or type(problem).__name__


def writable_directory(path: Path, option: str) -> None:
    """Create ``path`` if needed and prove a file can be created in it (``os.access`` cannot: it says
    yes to root on a read-only file system)."""
    if path.exists() and not path.is_dir():
        raise PreflightError(f"{option} {path} is not a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(prefix=".awsaudit-write-test.", dir=path)
    except OSError as problem:
        raise PreflightError(f"{option} {path} is not writable: {_reason(problem)}") from None
    os.close(handle)
    with contextlib.suppress(OSError):
        os.unlink(probe)


def writable_file(path: Path, option: str) -> None:
    """A file the run will write: not a directory, and its directory writable."""
    if path.is_dir():
        raise PreflightError(f"{option} {path} is a directory; name the file to write")
    writable_directory(path.parent if str(path.parent) else Path("."), f"{option} {path}: directory")


def usable_store(url: str | None) -> None:
    """Open (and, on first use, create) the history store the audit will be recorded in."""
    # Lazy on purpose: the store pulls in SQLAlchemy and Alembic, which `--no-store` runs never need.
    from awsaudit.store import open_store

    with open_store(url):
        pass


def known_regions(regions: tuple[str, ...] | None) -> None:
    if regions:
        check_regions(regions)
