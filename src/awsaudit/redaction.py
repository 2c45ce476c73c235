"""The one redaction layer: credentials and passwords removed from any text awsaudit lets out.

Every channel goes through :func:`redact` (or :func:`redact_json` for structured values):
log records (the filter in ``collect/redaction.py``), collection errors as they are recorded and
as a snapshot is loaded, every report file as a last pass before it is written, the history
store's rows, the terminal and the CLI's one-line errors.

Two kinds of secret are recognised:

- *known* secrets: the secret access key and session token of every session the process
  opened (:func:`protect`), replaced wherever they appear, whatever surrounds them;
- secrets *by shape*, whoever they belong to: credential fields by name
  (``SecretAccessKey``, ``SessionToken``, ``X-Amz-Security-Token``, ``aws_secret_access_key``),
  ``Authorization`` headers, passwords in URLs (``user:password@host``, even with an unescaped
  ``@`` in the password; ``?password=…``) and in libpq connection strings (``password=…``).

The patterns tolerate the quoting of every output format (Python reprs, JSON's ``\\"``, HTML's
``&#34;``/``&#39;``), so the last pass over a rendered report still finds a field by its name.
Redaction only ever removes text; it never raises.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from typing import Any

REDACTED = "[redacted]"
# Shorter strings are not worth hiding and would blank out ordinary words.
_MIN_SECRET_LENGTH = 8

# A quote as any output format writes it: raw, backslash-escaped (JSON, reprs), HTML entity.
_QUOTE = r"""(?:\\*["']|&\#3[49];|&quot;|&apos;|&\#x2[27];)"""
_FIELD_NAMES = (
    r"SecretAccessKey|SessionToken|secret_?access_?key|session_?token|aws_secret_access_key"
    r"|aws_session_token|X-Amz-Security-Token|password|passwd"
)
# Where a value ends: a quote, an entity, a separator, whitespace.
_VALUE = r"""(?P<value>[^<"'\s&,;}\\]+)"""

_PATTERNS = (
    # XML bodies (STS answers): <SecretAccessKey>…</SecretAccessKey>
    re.compile(r"(?P<head>(?:<|&lt;)(?:SecretAccessKey|SessionToken)(?:>|&gt;))(?P<value>[^<&]+)", re.I),
    # Quoted fields in JSON, dict reprs and their escaped forms: "SessionToken": "…", 'k': b'…'
    re.compile(rf"(?P<head>{_QUOTE}(?:{_FIELD_NAMES}){_QUOTE}\s*[:=]\s*b?{_QUOTE}){_VALUE}", re.I),
    # Authorization headers, quoted (a repr of the request headers) or as a header line.
    re.compile(
        rf"(?P<head>{_QUOTE}Authorization{_QUOTE}\s*:\s*b?{_QUOTE})(?P<value>.+?)(?={_QUOTE}|$)", re.I | re.M
    ),
    re.compile(r"(?P<head>\bAuthorization\s*[:=]\s*)(?P<value>[^\r\n\"'<]+)", re.I),
    # Header lines and presigned query strings: x-amz-security-token:…, X-Amz-Signature=…
    re.compile(r"(?P<head>\bx-amz-(?:security-token|signature|credential)\s*[:=]\s*)" + _VALUE, re.I),
    # URL userinfo: scheme://user:password@host — greedy, so an unescaped @ stays in the password.
    re.compile(r"(?P<head>\b[a-z][a-z0-9+.\-]*://[^\s:/?#@\"'<>]*:)(?P<value>[^\s/?#\"'<>]+)(?=@)", re.I),
    # key=value forms: ?password=…, &password=…, libpq "host=… password=…" (quoted or not),
    # aws_secret_access_key = … (a credentials file).
    re.compile(
        r"(?P<head>\b(?:password|passwd|pwd|aws_secret_access_key|aws_session_token)\s*=\s*)"
        rf"(?P<value>(?P<quote>{_QUOTE})(?:(?!(?P=quote)).)*(?P=quote)?|[^\s&#;\"'<\\]+)",
        re.I,
    ),
)

_lock = threading.Lock()
_known: frozenset[str] = frozenset()


def protect(*secrets: str | None) -> None:
    """Add secrets (a session's secret key and token) to those hidden everywhere from now on."""
    global _known
    with _lock:
        _known = _known | {s for s in secrets if s and len(s) >= _MIN_SECRET_LENGTH}


def known_secrets() -> frozenset[str]:
    return _known


def redact(text: str) -> str:
    """``text`` without any known secret or anything shaped like a credential or password."""
    # Longest first: a token that contains a shorter secret is replaced whole.
    for secret in sorted(_known, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, REDACTED)
    for pattern in _PATTERNS:
        text = pattern.sub(_keep_head, text)
    return text


def _keep_head(match: re.Match[str]) -> str:
    return match.group("head") + REDACTED


def redact_bytes(data: bytes, encoding: str = "utf-8") -> bytes:
    """A rendered file, redacted; bytes that do not decode are returned as they are (binary)."""
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return data
    cleaned = redact(text)
    return data if cleaned == text else cleaned.encode(encoding)


def redact_json(value: Any) -> Any:
    """A JSON-like value (dicts, lists, strings) with every string redacted, keys included."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact_json(k): redact_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_json(item) for item in value]
    return value


def redact_all(texts: Iterable[str]) -> list[str]:
    return [redact(text) for text in texts]
