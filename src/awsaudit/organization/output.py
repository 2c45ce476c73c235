"""Where an organization scan's files go: a local (or shared) directory, or a URI written through fsspec.

A plain path keeps the atomic writes of ``awsaudit.snapshot`` (0600 temp file in the same directory,
then rename). A URI (``s3://bucket/prefix``, or ``file://`` for a path reached through fsspec) is for
workers on other machines: the usual writers fill a local staging directory, then ``publish`` copies
it inside one fsspec transaction. Each file is written to a temporary place and committed when the
transaction ends: s3fs keeps the object's upload open and completes it (PUT or CompleteMultipartUpload)
only at commit, so an object appears whole or not at all and a rewrite by a retried task replaces it.
"""

from __future__ import annotations

import importlib
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from awsaudit.errors import AwsauditError

_TEMPORARY = ".*.tmp"  # the temp files of snapshot.write_private_atomic


class OutputLocationError(AwsauditError, ValueError):
    """The output location cannot be used (no filesystem library for it, or not with this executor)."""


def is_uri(location: str | Path) -> bool:
    return isinstance(location, str) and "://" in location


def join(location: str, *parts: str) -> str:
    return "/".join([location.rstrip("/"), *parts])


def publish(local_dir: Path, uri: str) -> list[str]:
    """Copy every file under ``local_dir`` to the same relative place under ``uri``; returns the URIs."""
    try:
        fsspec: Any = importlib.import_module("fsspec")  # an optional dependency (the distributed extra)
    except ImportError:
        raise OutputLocationError(
            f"writing to {uri} needs fsspec: pip install 'awsaudit[distributed]'"
        ) from None
    try:
        filesystem, root = fsspec.core.url_to_fs(uri)
    except (ImportError, ValueError) as exc:
        raise OutputLocationError(f"cannot write to {uri}: {exc}") from None
    files = sorted(path for path in local_dir.rglob("*") if path.is_file())
    protocols = filesystem.protocol if isinstance(filesystem.protocol, tuple) else (filesystem.protocol,)
    # Object stores have no directories (and s3fs's makedirs would probe, or create, the bucket).
    needs_directories = "file" in protocols
    written = []
    with filesystem.transaction:
        for path in files:
            relative = path.relative_to(local_dir).as_posix()
            target = join(root, relative)
            if needs_directories:
                filesystem.makedirs(target.rsplit("/", 1)[0], exist_ok=True)
            with filesystem.open(target, "wb") as handle:
                handle.write(path.read_bytes())
            written.append(join(uri, relative))
    return written


@contextmanager
def staging(location: str | Path) -> Iterator[Path]:
    """The local directory to write into: ``location`` itself, or a temporary one published on success."""
    if not is_uri(location):
        yield Path(location)
        return
    with tempfile.TemporaryDirectory(prefix="awsaudit-staging-") as directory:
        yield Path(directory)
        publish(Path(directory), str(location))


def remove_temporary_files(directories: list[Path]) -> None:
    """Temp files a killed writer left behind (the finished files are never partial: they are renamed)."""
    for directory in directories:
        for leftover in directory.glob(_TEMPORARY):
            leftover.unlink(missing_ok=True)
