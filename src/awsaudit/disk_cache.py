"""Derived data kept between runs on the user's machine (never evidence, never findings).

Each entry is rebuilt from its source when missing, stale or damaged: the cache only saves
the time of deriving it again. ``$AWSAUDIT_CACHE_DIR`` moves it; set to an empty value it
turns the disk cache off (every run derives the data in memory).

An entry is a header line (the payload's CRC-32 and length) and the payload. The check is for
damage (a torn write, a bad disk), which a CRC detects; it was never a defence against whoever
can write the cache folder (``dataclass_code``, whose entry is code, checks who owns its file).
A scan reads ~12 MB of entries: the CRC costs it 4 ms where a cryptographic digest cost 20.

Entries of other versions and trees would pile up (each installation names its own): an entry
read is marked used (its modification time, at most once a day), and writing an entry removes
those unused for 30 days, and temporary files a crashed writer left.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import tempfile
import time
import zlib
from pathlib import Path

CACHE_DIR_ENV = "AWSAUDIT_CACHE_DIR"
# In every entry's name: trees of another layout (a benchmark's baseline) keep their own entries
# instead of rewriting these on every run.
_LAYOUT = "crc32"
_HEADER_LIMIT = 64
_DAY = 86400.0
UNUSED_FOR = 30 * _DAY  # an entry not read for this long is removed when another is written
_MARK_USED_EVERY = _DAY


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
    tag = hashlib.blake2b(f"{_LAYOUT}|{source}".encode(), digest_size=4).hexdigest()
    return f"{stem}-{tag}{suffix}"


def _header(payload: bytes) -> bytes:
    return b"%08x %d\n" % (zlib.crc32(payload), len(payload))


def read_entry(name: str, *, owner_only: bool = False) -> bytes | None:
    """The payload stored under ``name``, if it is there and intact (its length and CRC match).

    ``owner_only``: only from a regular file of this user's that nobody else may write (checked on
    the file as opened, so it cannot be swapped in between); never where files have no such owner.
    """
    folder = cache_dir()
    if folder is None or (owner_only and not hasattr(os, "getuid")):
        return None
    try:
        with open(folder / name, "rb") as stream:
            status = os.fstat(stream.fileno())
            if owner_only and not _owned_by_this_user_alone(status):
                return None
            header = stream.readline(_HEADER_LIMIT)
            payload = stream.read()  # read apart from the header: a 5 MB model is not copied again
    except OSError:
        return None
    if header != _header(payload):
        return None
    if time.time() - status.st_mtime > _MARK_USED_EVERY:
        _mark_used(folder / name)
    return payload


def _mark_used(path: Path) -> None:
    try:
        os.utime(path)
    except OSError:
        return  # a read-only cache is still read; its entries are only never pruned


def _owned_by_this_user_alone(status: os.stat_result) -> bool:
    return (
        stat.S_ISREG(status.st_mode)
        and status.st_uid == os.getuid()
        and not status.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )


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
                stream.write(_header(payload))
                stream.write(payload)
            os.replace(temporary, folder / name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError:
        return
    _remove_unused(folder)


# What awsaudit writes there (entry_name; mkstemp's temporaries), and an entry's first line in this
# layout or the earlier one (a blake2b digest): nothing else in the folder is ever removed, since
# $AWSAUDIT_CACHE_DIR may name a folder that holds other files too.
_ENTRY_NAME = r"[a-z0-9][a-z0-9._-]*-[0-9a-f]{8}\.(?:json|marshal)"
_TEMPORARY_NAME = r"\.(?P<entry>.+)\.[a-z0-9_]+\.tmp"
_ENTRY_HEADER = rb"(?:[0-9a-f]{8} [0-9]+|[0-9a-f]{32})\n"


def _remove_unused(folder: Path) -> None:
    """Remove entries not read for ``UNUSED_FOR`` and temporary files older than a day."""
    now = time.time()
    try:
        children = list(os.scandir(folder))
    except OSError:
        return
    for child in children:
        temporary = re.fullmatch(_TEMPORARY_NAME, child.name)
        if temporary is not None:
            is_ours, age_limit = bool(re.fullmatch(_ENTRY_NAME, temporary["entry"])), _DAY
        else:
            is_ours, age_limit = bool(re.fullmatch(_ENTRY_NAME, child.name)), UNUSED_FOR
        try:
            status = child.stat(follow_symlinks=False)
            if not (is_ours and stat.S_ISREG(status.st_mode) and now - status.st_mtime > age_limit):
                continue
            if temporary is None and not _starts_like_an_entry(child.path):
                continue
            os.unlink(child.path)
        except OSError:
            continue  # removed meanwhile by a concurrent run, or not ours to remove


def _starts_like_an_entry(path: str) -> bool:
    with open(path, "rb") as stream:
        return re.fullmatch(_ENTRY_HEADER, stream.readline(_HEADER_LIMIT)) is not None
