"""The one terminal sanitiser: what awsaudit prints cannot steer the terminal or carry a secret.

Resource names, tags and policy text come from the audited account. Printed raw, an ESC
sequence in them could clear the screen, retitle the window or plant a disguised OSC-8 link,
and a bidi override could make text read differently from what it is. Every console the CLI
prints through is made by :func:`safe_console`: a render hook passes every renderable through
:func:`inert` and :func:`awsaudit.redaction.redact` before rich lays it out, and every segment
rich produces through :func:`inert` again (table cells and other nested renderables), while
rich's own styling and cursor control (control segments) pass untouched.
"""

from __future__ import annotations

import re
from typing import Any

from rich.console import Console, ConsoleOptions, ConsoleRenderable, RenderableType, RenderHook, RenderResult
from rich.segment import Segment
from rich.text import Text

from awsaudit.redaction import redact

# C0 and C1 controls (ESC, BEL, CR, the CSI and OSC introducers …) except the line break, and
# the bidirectional overrides, embeddings and isolates (Trojan Source), the Arabic letter mark,
# and lone surrogates (no terminal encoding can write them).
_UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
REPLACEMENT = "\ufffd"


def inert(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with every control and bidi-control character replaced by U+FFFD (one for one)."""
    cleaned = _UNSAFE.sub(REPLACEMENT, text)
    return cleaned if keep_newlines else cleaned.replace("\n", REPLACEMENT)


def printable(text: str) -> str:
    """Text for a terminal or a text stream: redacted and inert, line breaks kept."""
    return inert(redact(text), keep_newlines=True)


class _Inert:
    """Renders ``inner`` as rich would, with the text of every non-control segment made inert."""

    def __init__(self, inner: RenderableType) -> None:
        self.inner = inner

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for segment in console.render(self.inner, options):
            if segment.control:
                yield segment
            else:
                yield Segment(inert(segment.text, keep_newlines=True), segment.style)


def _clean(renderable: Any) -> Any:
    if isinstance(renderable, Text):
        plain = renderable.plain
        cleaned = redact(plain)
        if cleaned != plain:  # a secret: the styling of the line is lost with it
            return Text(inert(cleaned, keep_newlines=True), style=renderable.style, end=renderable.end)
        inert_plain = inert(plain, keep_newlines=True)
        if inert_plain != plain:  # one for one, so the spans still fit
            renderable = renderable.copy()
            renderable.plain = inert_plain
        return renderable
    return _Inert(renderable)


class _Sanitiser(RenderHook):
    def process_renderables(self, renderables: list[ConsoleRenderable]) -> list[ConsoleRenderable]:
        return [_clean(renderable) for renderable in renderables]


def sanitise(console: Console) -> Console:
    """Make ``console`` print only inert, redacted text (idempotent)."""
    if not getattr(console, "_awsaudit_sanitised", False):
        console.push_render_hook(_Sanitiser())
        console._awsaudit_sanitised = True  # type: ignore[attr-defined]
    return console


def safe_console(**options: Any) -> Console:
    """A rich Console whose every print goes through the sanitiser."""
    return sanitise(Console(**options))


def write_text(stream: Any, text: str) -> None:
    """Machine-readable text (JSON, Markdown) for stdout: redacted, controls made inert."""
    stream.write(printable(text))
