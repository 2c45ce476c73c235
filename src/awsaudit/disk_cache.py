"""Derived data kept between runs on the user's machine (never evidence, never findings).

Each entry is rebuilt from its source when missing, stale or damaged: the cache only saves
the time of deriving it again. ``$AWSAUDIT_CACHE_DIR`` moves it; set to an empty value it
turns the disk cache off (every run derives the data in memory).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

CACHE_DIR_ENV = "AWSAUDIT_CACHE_DIR"
_DIGEST_SIZE = 16


def cache_dir() -> Path | None:
    """The folder of awsaudit's cache, or None when the disk cache is off."""
    configured = os.environ.get(CACHE_DIR_ENV)
    if configured is not None:
        return Path(configured) if configured else None
    from platformdirs import user_cache_path

    return user_cache_path("awsaudit", appauthor=False)


def entry_name(stem: str, source: str, suffix: str = ".json") -> str:
    """A file name for data derived from ``source`` (a path): installations side by side (several
    virtual environments of one user) each keep their own entry instead of replacing each other's."""
    tag = hashlib.blake2b(source.encode(), digest_size=4).hexdigest()
    return f"{stem}-{tag}{suffix}"


def _digest(payload: bytes) -> bytes:
    return hashlib.blake2b(payload, digest_size=_DIGEST_SIZE).hexdigest().encode()


def read_entry(name: str) -> bytes | None:
    """The payload stored under ``name``, if it is there and intact (its digest matches)."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        stored = (folder / name).read_bytes()
    except OSError:
        return None
    digest, _, payload = stored.partition(b"\n")
    return payload if digest == _digest(payload) else None


def write_entry(name: str, payload: bytes) -> None:
    """Store ``payload`` under ``name`` atomically (concurrent runs may race; the last rename wins).

    A cache that cannot be written (read-only home, full disk) is not an error: the next run
    derives the data again.
    """
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
        try:
            with os.fdopen(descriptor, "wb") as stream:
                stream.write(_digest(payload) + b"\n" + payload)
            os.replace(temporary, folder / name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError:
        return
