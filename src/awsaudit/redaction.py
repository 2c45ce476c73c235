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
from dataclasses import dataclass
from typing import Any

REDACTED = "[redacted]"
# Shorter strings are not worth hiding and would blank out ordinary words.
_MIN_SECRET_LENGTH = 8

# The patterns run on the text lowered (same length, so a match's positions are those of the
# original), each starts with a literal, and each runs only when that literal occurs at all
# (``in`` is a fast scan). Python's regex engine finds a literal prefix quickly, but tries a
# case-insensitive pattern, an alternation or a look-behind at every position: 0.5 MB/s.
# A quote as any output format writes it: raw, backslash-escaped (JSON, reprs), HTML entity.
_QUOTE = r"""(?:\\*["']|&\#3[49];|&quot;|&apos;|&\#x2[27];)"""
# Where a value ends: a quote, an entity, a separator, whitespace.
_VALUE = r"""(?P<value>[^<"'\s&,;}\\]+)"""
_QUOTED_OR_BARE = rf"""(?P<value>(?P<quote>{_QUOTE})(?:(?!(?P=quote)).)*(?P=quote)?|[^\s&#;"'<\\]+)"""


@dataclass(frozen=True)
class _Shape:
    literal: str  # lowercase; the pattern starts with it
    pattern: re.Pattern[str]
    word_start: bool = False  # the literal must not continue a word (pwd=, not cwd=)


def _shape(literal: str, rest: str, word_start: bool = False) -> _Shape:
    return _Shape(literal, re.compile(re.escape(literal) + rest, re.M), word_start)


_SHAPES = (
    # XML bodies (STS answers): <SecretAccessKey>…</SecretAccessKey>
    *(_shape(name, r"(?:>|&gt;)(?P<value>[^<&]+)") for name in ("secretaccesskey", "sessiontoken")),
    # Quoted fields in JSON, dict reprs and their escaped forms: "SessionToken": "…", 'k': b'…'
    *(
        _shape(name, rf"{_QUOTE}\s*[:=]\s*b?{_QUOTE}{_VALUE}")
        for name in (
            "secretaccesskey",
            "secret_access_key",
            "sessiontoken",
            "session_token",
            "x-amz-security-token",
            "password",
            "passwd",
        )
    ),
    # Authorization headers, quoted (a repr of the request headers) or as a header line.
    _shape("authorization", rf"{_QUOTE}\s*:\s*b?{_QUOTE}(?P<value>.+?)(?={_QUOTE}|$)"),
    _shape("authorization", r"""\s*[:=]\s*(?P<value>[^\r\n"'<]+)""", word_start=True),
    # Header lines and presigned query strings: x-amz-security-token:…, X-Amz-Signature=…
    _shape("x-amz-", r"(?:security-token|signature|credential)\s*[:=]\s*" + _VALUE),
    # URL userinfo: scheme://user:password@host — greedy, so an unescaped @ stays in the password.
    _shape("://", r"""[^\s:/?#@"'<>]*:(?P<value>[^\s/?#"'<>]+)(?=@)"""),
    # key=value forms: ?password=…, &password=…, libpq "host=… password=…" (quoted or not),
    # aws_secret_access_key = … (a credentials file).
    *(
        _shape(name, rf"\s*=\s*{_QUOTED_OR_BARE}", word_start=True)
        for name in ("password", "passwd", "pwd", "aws_secret_access_key", "aws_session_token")
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
    lowered = _lowered(text)
    spans = sorted(
        match.span("value")
        for shape in _SHAPES
        if shape.literal in lowered
        for match in shape.pattern.finditer(lowered)
        if not (shape.word_start and _continues_a_word(lowered, match.start()))
    )
    if not spans:
        return text
    pieces: list[str] = []
    position = 0
    for start, end in spans:
        if end <= position:  # inside a value already redacted (two patterns saw it)
            continue
        start = max(start, position)
        pieces += [text[position:start], REDACTED]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def _lowered(text: str) -> str:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    # A few characters lower to two (İ): lower only those that keep their length, so positions hold.
    return "".join(low if len(low := character.lower()) == 1 else character for character in text)


def _continues_a_word(text: str, start: int) -> bool:
    return start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_")


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
