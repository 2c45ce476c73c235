"""One self-contained HTML report: inline CSS, JS and SVG charts, no network fetches.

Everything from the audited account is untrusted. The page is rendered by Jinja2
with autoescaping; findings travel as JSON in a non-executable script block
(escaped so no ``</script>``, ``<!--`` or line separator can end it early) and the
page script inserts them with ``textContent`` only. A Content-Security-Policy
allows nothing but the page's own script and style, by hash, as a second wall.
Findings are rendered a page at a time, so 100,000 of them stay responsive.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from typing import Any

from jinja2 import Environment, Template

from awsaudit.compliance.frameworks_model import ControlStatus
from awsaudit.findings import Severity
from awsaudit.report.fix_first import fix_commands, fix_first
from awsaudit.report.model import FrameworkReport, ReportHistory, ReportModel, ReportStatus

_STATUS_COLOURS = {
    ReportStatus.PASS: "#2e7d32",
    ReportStatus.FAIL: "#c62828",
    ReportStatus.UNKNOWN: "#b26a00",
    ReportStatus.MANUAL: "#1565c0",
    ReportStatus.SUPPRESSED: "#757575",
}
_BAR_WIDTH = 300
_RATE_WIDTH = 150
_SEVERITY_COLOURS = {
    Severity.CRITICAL: "#6a1b9a",
    Severity.HIGH: "#c62828",
    Severity.MEDIUM: "#ef6c00",
    Severity.LOW: "#f9a825",
    Severity.INFO: "#607d8b",
}
_LINE_COLOURS = ("#1565c0", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f", "#5d4037")
# Trend chart geometry (SVG user units): plot area, then one legend row per line below it.
_PLOT_LEFT, _PLOT_RIGHT, _PLOT_TOP, _PLOT_BOTTOM, _LEGEND_ROW = 44, 390, 10, 130, 16
# The "since last scan" table lists at most this many findings; `awsaudit diff` has them all.
_SINCE_ROWS = 500
# JSON inside <script>: these must not appear literally (they could close the element or the
# script's HTML comment state, or break older JS parsers); JSON string escapes keep the values.
_SCRIPT_SAFE = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


def script_json(value: Any) -> str:
    """JSON safe to embed verbatim in an HTML ``<script type="application/json">`` element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for character, escaped in _SCRIPT_SAFE:  # str.replace is far faster than translate on megabytes
        text = text.replace(character, escaped)
    return text


def _asset(name: str) -> str:
    return (resources.files("awsaudit.report") / "templates" / name).read_text(encoding="utf-8")


@functools.cache
def compiled_template(name: str) -> Template:
    """A bundled page template, compiled once per process (an organization scan renders one per
    account; compiling costs tens of milliseconds). Rendering a compiled template is thread-safe."""
    environment = Environment(autoescape=True, keep_trailing_newline=True, finalize=_inert_text)
    return environment.from_string(_asset(name))


# C0 controls and DEL other than tab and newlines: invalid in HTML text, and a terminal escape if the
# page is ever printed. Shown as their Unicode control pictures (ESC as U+241B).
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    return "\u2421" if code == 0x7F else chr(0x2400 + code)


def _inert_text(value: Any) -> Any:
    """Every value a template prints, with control characters made visible and inert (Markup stays
    Markup: its controls are pictured too, which cannot open a tag)."""
    if isinstance(value, str) and _CONTROLS.search(value):
        return type(value)(_CONTROLS.sub(_picture, value))
    return value


def _csp_hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


@dataclass(frozen=True)
class RateBar:
    label: str
    passed: int
    judged: int

    @property
    def percent(self) -> int:
        return round(100 * self.passed / self.judged)

    @property
    def width(self) -> float:
        return round(_RATE_WIDTH * self.passed / self.judged, 1)

    @property
    def colour(self) -> str:
        return "#2e7d32" if self.percent >= 80 else "#b26a00" if self.percent >= 50 else "#c62828"


def _severity_bars(model: ReportModel) -> list[dict[str, Any]]:
    counts = Counter((item.finding.severity, item.status) for item in model.findings)
    totals = {s: sum(counts[(s, status)] for status in ReportStatus) for s in Severity}
    scale = _BAR_WIDTH / max(1, *totals.values())
    bars = []
    for severity in sorted(Severity, key=lambda s: -s.rank):
        segments, x = [], 0.0
        for status in ReportStatus:
            width = round(counts[(severity, status)] * scale, 1)
            if width:
                segments.append(
                    {
                        "status": status.value,
                        "count": counts[(severity, status)],
                        "x": x,
                        "width": width,
                        "colour": _STATUS_COLOURS[status],
                    }
                )
                x = round(x + width, 1)
        bars.append({"label": severity.value, "total": totals[severity], "segments": segments, "width": x})
    return bars


def _section_rates(framework: FrameworkReport) -> list[RateBar]:
    passed: Counter[str] = Counter()
    judged: Counter[str] = Counter()
    for control in framework.controls:
        if control.status in (ControlStatus.PASS, ControlStatus.FAIL):
            judged[control.section or "-"] += 1
            passed[control.section or "-"] += control.status is ControlStatus.PASS
    return [RateBar(section, passed[section], judged[section]) for section in sorted(judged)]


def _service_rates(model: ReportModel) -> list[RateBar]:
    passed: Counter[str] = Counter()
    judged: Counter[str] = Counter()
    for item in model.findings:
        if item.status in (ReportStatus.PASS, ReportStatus.FAIL):
            judged[item.check.service] += 1
            passed[item.check.service] += item.status is ReportStatus.PASS
    return [RateBar(service, passed[service], judged[service]) for service in sorted(judged)]


def _trend_line(
    label: str, colour: str, values: list[float | None], top: float, dates: list[str]
) -> dict[str, Any]:
    """Polyline segments (a gap where a scan has no value) and one marker per known value."""
    count = len(values)
    step = (_PLOT_RIGHT - _PLOT_LEFT) / max(1, count - 1)
    segments: list[list[str]] = [[]]
    markers = []
    for index, value in enumerate(values):
        if value is None:
            segments.append([])
            continue
        x = round(_PLOT_LEFT + index * step, 1)
        y = round(_PLOT_BOTTOM - (value / top if top else 0) * (_PLOT_BOTTOM - _PLOT_TOP), 1)
        segments[-1].append(f"{x},{y}")
        markers.append({"x": x, "y": y, "title": f"{label} on {dates[index]}: {value:g}"})
    return {
        "label": label,
        "colour": colour,
        "segments": [" ".join(points) for points in segments if len(points) > 1],
        "markers": markers,
    }


def _trend_charts(history: ReportHistory) -> list[dict[str, Any]]:
    points = history.trend
    if len(points) < 2:
        return []
    dates = [p.collected_at.strftime("%Y-%m-%d %H:%M") for p in points]
    frameworks = sorted({key for p in points for key in p.pass_rates})
    rate_lines = [
        _trend_line(
            key,
            _LINE_COLOURS[n % len(_LINE_COLOURS)],
            [
                None if p.pass_rates.get(key) is None else round(100 * (p.pass_rates[key] or 0.0), 1)
                for p in points
            ],
            100.0,
            dates,
        )
        for n, key in enumerate(frameworks)
    ]
    severities = sorted(Severity, key=lambda s: -s.rank)
    top = max(1, *(p.failing.get(s, 0) for p in points for s in severities))
    failing_lines = [
        _trend_line(s.value, _SEVERITY_COLOURS[s], [float(p.failing.get(s, 0)) for p in points], top, dates)
        for s in severities
    ]
    return [
        {"id": "pass-rate", "title": "Pass rate per framework (%)", "top": "100%", "lines": rate_lines},
        {"id": "failing", "title": "Failing findings by severity", "top": str(top), "lines": failing_lines},
    ]


def _history_context(history: ReportHistory | None) -> dict[str, Any] | None:
    if history is None:
        return None
    since = history.since_last_scan
    charts = _trend_charts(history)
    first, last = (history.trend[0], history.trend[-1]) if history.trend else (None, None)
    return {
        "since": None
        if since is None
        else {
            "previous_scan_id": since.previous_scan_id,
            "previous_collected_at": since.previous_collected_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "counts": list(since.counts.items()),
            "rows": since.findings[:_SINCE_ROWS],
            "hidden": max(0, len(since.findings) - _SINCE_ROWS),
        },
        "charts": charts,
        "plot": {"left": _PLOT_LEFT, "right": _PLOT_RIGHT, "top": _PLOT_TOP, "bottom": _PLOT_BOTTOM},
        "legend_row": _LEGEND_ROW,
        "note": history.trend_note,
        "span": ""
        if first is None or last is None
        else f"{len(history.trend)} scans, {first.collected_at:%Y-%m-%d} to {last.collected_at:%Y-%m-%d}",
    }


def _payload(model: ReportModel) -> dict[str, Any]:
    framework_index = {f.key: n for n, f in enumerate(model.frameworks)}
    check_index: dict[str, int] = {}
    checks: list[list[Any]] = []
    for item in model.findings:
        info = item.check
        if info.id not in check_index:
            check_index[info.id] = len(checks)
            frameworks = sorted(
                {framework_index[r.framework] for r in info.controls if r.framework in framework_index}
            )
            checks.append(
                [
                    info.id,
                    info.title,
                    info.severity.value,
                    info.service,
                    info.remediation,
                    info.rationale,
                    list(info.references),
                    frameworks,
                    list(info.requirements),
                ]
            )
    findings = []
    for item in model.findings:
        finding, suppression = item.finding, item.suppression
        findings.append(
            [
                check_index[finding.check_id],
                item.status.value,
                finding.status.value,
                finding.severity.value,
                finding.account_id,
                finding.region,
                finding.resource,
                finding.message,
                dict(finding.evidence),
                None
                if suppression is None
                else [
                    suppression.reason,
                    suppression.owner,
                    None if suppression.expires is None else suppression.expires.isoformat(),
                ],
                finding.id,
                finding.resource_name,
                fix_commands(model, item),
            ]
        )
    return {"checks": checks, "findings": findings}


def render_html(model: ReportModel) -> bytes:
    css, js = _asset("report.css"), _asset("report.js")
    template = compiled_template("report.html.j2")
    frameworks = []
    for framework in model.frameworks:
        rate = framework.pass_rate()
        frameworks.append(
            {
                "key": framework.key,
                "title": framework.title,
                "rate": "-" if rate is None else f"{100 * rate:.0f}%",
                "controls": [
                    {
                        "id": c.id,
                        "section": c.section,
                        "title": c.title,
                        "level": c.level,
                        "status": c.status.value,
                        "note": c.note,
                        "checks_attr": " ".join(c.checks),
                        "checks": c.checks,
                        "counts": c.counts,
                    }
                    for c in framework.controls
                ],
            }
        )
    rate_charts = [
        {
            "id": f"sections-{n}",
            "title": f"Pass rate by section (controls): {f.title}",
            "bars": _section_rates(f),
        }
        for n, f in enumerate(model.frameworks)
    ]
    rate_charts.append(
        {"id": "services", "title": "Pass rate by service (findings)", "bars": _service_rates(model)}
    )
    statuses = [s.value for s in ReportStatus]
    page = template.render(
        css=css,
        js=js,
        style_hash=_csp_hash(css),
        script_hash=_csp_hash(js),
        account_id=model.account_id,
        accounts=model.accounts,
        partition=model.partition,
        caller_arn=model.caller_arn,
        collected_at=model.collected_at_iso,
        collection_seconds=model.collection_seconds,
        regions=model.regions,
        tool_version=model.tool_version,
        organization_page=model.organization_page,
        check_count=len(model.checks),
        frameworks=frameworks,
        status_counts=[(s.value, n) for s, n in model.status_counts().items()],
        status_colours=[(s.value, c) for s, c in _STATUS_COLOURS.items()],
        severity_bars=_severity_bars(model),
        rate_charts=rate_charts,
        fix_first=fix_first(model),
        failing=sum(1 for item in model.findings if item.status is ReportStatus.FAIL),
        errors=model.errors,
        expired=model.expired_suppressions,
        history=_history_context(model.history),
        options={
            "status": statuses,
            "severity": [s.value for s in sorted(Severity, key=lambda s: -s.rank)],
            "service": sorted({item.check.service for item in model.findings}),
            "account": sorted({item.finding.account_id for item in model.findings}),
            "region": sorted({item.finding.region for item in model.findings}),
        },
        data_json=script_json(_payload(model)),
    )
    return page.encode()
