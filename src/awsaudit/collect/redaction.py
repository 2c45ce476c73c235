"""Keep credentials out of botocore's and urllib3's log records, at every level.

At DEBUG botocore logs each request's headers and canonical request (with the session
token) and each response body (an AssumeRole answer holds a secret key and token). A
record factory rewrites every record as it is made, before any handler sees it, with the
one redaction layer (awsaudit.redaction): the known secrets of the sessions in use are replaced
wherever they appear, and credential fields are masked by name, so credentials obtained
later (assumed roles) are covered too.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from awsaudit.redaction import REDACTED, protect, redact

__all__ = ["REDACTED", "install", "protect_credentials", "redact_record"]


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """The record with its message (arguments merged in) and its traceback text redacted."""
    try:
        message = record.getMessage()
    except Exception:  # a record whose arguments do not fit its format: logging reports it later
        return record
    cleaned = redact(message)
    if cleaned != message:
        record.msg, record.args = cleaned, ()
    if record.exc_info and not record.exc_text:
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
    return record


_installed = False
_lock = threading.Lock()


def protect_credentials(session: Any) -> None:
    """Install the redaction of log records and add ``session``'s secrets to what it hides."""
    credentials = session.get_credentials()
    if credentials is not None:
        frozen = credentials.get_frozen_credentials()
        protect(frozen.secret_key, frozen.token)
    install()


def install() -> None:
    """Redact every log record as it is made, whichever logger makes it (idempotent).

    A logger's filters see only records logged on that very logger, not its children's, so a
    filter per library logger would miss loggers created later; the record factory sees all.
    """
    global _installed
    with _lock:
        if _installed:
            return
        make_record = logging.getLogRecordFactory()

        def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            return redact_record(make_record(*args, **kwargs))

        logging.setLogRecordFactory(redacting_factory)
        _installed = True
