"""The HTML page itself: self-contained, escaped, with the data block safe to embed."""

from __future__ import annotations

import json
from html.parser import HTMLParser

from awsaudit.report.html_report import render_html, script_json
from tests.report.sample import HOSTILE, sample_model


def test_script_json_cannot_end_its_script_element() -> None:
    value = {"a": "</script><!--<script>", "b": "\u2028\u2029&"}
    embedded = script_json(value)
    for forbidden in ("<", ">", "&", "\u2028", "\u2029"):
        assert forbidden not in embedded
    assert json.loads(embedded) == value


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_page_is_self_contained_and_escaped() -> None:
    page = render_html(sample_model()).decode()
    assert HOSTILE not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page  # server-rendered tables escape
    parsed = _Elements()
    parsed.feed(page)
    # Nothing is loaded from anywhere: no element with a source or link (in-page anchors aside), no
    # @import or url() in CSS.
    loading = [
        tag
        for tag, attrs in parsed.tags
        if {"src", "href", "srcset", "action"} & attrs.keys()
        and not str(attrs.get("href", "")).startswith("#")
    ]
    assert loading == []
    assert {tag for tag, _ in parsed.tags}.isdisjoint({"img", "link", "iframe", "object", "embed", "base"})
    assert [attrs.get("type") for tag, attrs in parsed.tags if tag == "script"] == ["application/json", None]
    assert not [name for _, attrs in parsed.tags for name in attrs if name.startswith("on")]
    assert "@import" not in page and "url(" not in page
    assert "default-src 'none'" in page
