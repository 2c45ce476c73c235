"""Keep credentials out of botocore's and urllib3's log records, at every level.

At DEBUG botocore logs each request's headers and canonical request (with the session
token) and each response body (an AssumeRole answer holds a secret key and token). A
filter on those loggers rewrites such records before any handler sees them: the known
secrets of the sessions in use are replaced wherever they appear, and credential fields
are masked by name, so credentials obtained later (assumed roles) are covered too.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

REDACTED = "<redacted>"
_LIBRARIES = ("botocore", "boto3", "urllib3", "s3transfer")
_CREDENTIAL_FIELDS = re.compile(
    r"(?P<head>"
    r"<(?:SecretAccessKey|SessionToken)>"  # XML response bodies (STS)
    r"|[\"'](?:SecretAccessKey|SessionToken|secretAccessKey|sessionToken|X-Amz-Security-Token)[\"']\s*:\s*b?[\"']"
    r"|x-amz-security-token[:=]"  # canonical request line, presigned query
    r")"
    r"(?P<value>[^<\"'\s&,}]+)",
    re.IGNORECASE,
)


class CredentialFilter(logging.Filter):
    """Rewrites records that carry a credential; never drops a record."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: frozenset[str] = frozenset()
        self._lock = threading.Lock()

    def protect(self, *secrets: str | None) -> None:
        with self._lock:
            self._secrets = self._secrets | {s for s in secrets if s and len(s) >= 8}

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return _CREDENTIAL_FIELDS.sub(lambda m: m.group("head") + REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
        return True


_FILTER = CredentialFilter()


def protect_credentials(session: Any) -> None:
    """Install the filter on every library logger and add ``session``'s secrets to what it hides."""
    credentials = session.get_credentials()
    if credentials is not None:
        frozen = credentials.get_frozen_credentials()
        _FILTER.protect(frozen.secret_key, frozen.token)
    install()


def install() -> None:
    # A logger's filters see only records logged on that very logger, so each gets one.
    names = [n for n in logging.root.manager.loggerDict if n.split(".", 1)[0] in _LIBRARIES]
    for name in {*names, *_LIBRARIES, "botocore.auth", "botocore.endpoint", "botocore.parsers"}:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
