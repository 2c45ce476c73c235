"""Benchmark the HTML report at scale: render time and size, then load, filter, search and sort in Chromium.

Builds a synthetic audit of N findings (default 100,000) over 10 checks in 4 regions, a third failing,
each with a small evidence document; renders awsaudit-report.html; opens it in Debian's headless
chromium through Playwright (no browser download) and times, inside the page, what a user waits for.

    PYTHONPATH=src /work/venv/bin/python benchmarks/bench_html.py [--findings 100000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from awsaudit.audit import AuditResult, Selection
from awsaudit.checks.registry import CheckMeta, Needs, Scope
from awsaudit.compliance.frameworks_model import Control, Framework, rollup
from awsaudit.findings import Finding, Severity, Status
from awsaudit.report.html_report import render_html
from awsaudit.report.model import build_report_model
from awsaudit.suppressions import Suppression

ACCOUNT = "111122223333"
REGIONS = ("eu-west-1", "eu-central-1", "us-east-1", "us-west-2")
SEVERITIES = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _no_results(_: Any) -> list[Any]:
    return []


def synthetic_audit(count: int) -> AuditResult:
    checks = tuple(
        CheckMeta(
            id=f"ec2.synthetic_check_{n}",
            title=f"Synthetic check {n}",
            severity=SEVERITIES[n % 5],
            service=("ec2", "s3", "iam", "kms")[n % 4],
            scope=Scope.REGION,
            needs=(Needs("ec2", "X"),),
            rationale="Why it matters.",
            remediation="How to fix it.",
            references=(),
            function=_no_results,
        )
        for n in range(10)
    )
    framework = Framework(
        "bench",
        "1.0",
        "Benchmark framework",
        tuple(
            Control(str(n), f"Control {n}", f"Section {n % 3}", 1, True, (checks[n].id,)) for n in range(10)
        ),
    )
    findings = tuple(
        Finding(
            check_id=checks[n % 10].id,
            status=(Status.FAIL, Status.PASS, Status.PASS, Status.UNKNOWN)[n % 4] if n % 3 else Status.FAIL,
            severity=SEVERITIES[n % 5],
            account_id=ACCOUNT,
            region=REGIONS[n % 4],
            resource=f"arn:aws:ec2:{REGIONS[n % 4]}:{ACCOUNT}:security-group/sg-{n:08x}",
            message=f"Port {n % 65536} is open to 0.0.0.0/0 on sg-{n:08x}",
            evidence={
                "GroupId": f"sg-{n:08x}",
                "IpPermissions": [{"FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
            },
        )
        for n in range(count)
    )
    return AuditResult(
        snapshot_account=ACCOUNT,
        caller_arn=f"arn:aws:iam::{ACCOUNT}:user/auditor",
        partition="aws",
        collected_at="2026-06-01T12:00:00Z",
        collection_seconds=60.0,
        regions=REGIONS,
        selection=Selection((framework,), checks),
        findings=findings,
        errors=(),
        rollups={framework.key: rollup(framework, findings, {c.id for c in checks})},
    )


# Runs inside the page: the filter handlers are synchronous, so the time around dispatchEvent is the
# whole filter plus re-render of the first page.
_TIME_CHANGE = """([id, value]) => {
  const control = document.getElementById(id);
  control.value = value;
  const start = performance.now();
  control.dispatchEvent(new Event("change"));
  return performance.now() - start;
}"""
_TIME_CLICK = """selector => {
  const start = performance.now();
  document.querySelector(selector).click();
  return performance.now() - start;
}"""


def browser_timings(path: Path) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    timings: dict[str, float] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        start = time.perf_counter()
        page.goto(path.as_uri())
        page.wait_for_selector("body[data-ready=true]", timeout=120_000)
        timings["load until interactive (s)"] = time.perf_counter() - start
        timings["filter status=FAIL (ms)"] = page.evaluate(_TIME_CHANGE, ["f-status", "FAIL"])
        timings["filter + region (ms)"] = page.evaluate(_TIME_CHANGE, ["f-region", "us-east-1"])
        page.evaluate(_TIME_CHANGE, ["f-status", ""])
        page.evaluate(_TIME_CHANGE, ["f-region", ""])
        # Search is debounced by 120 ms on input; time the work itself by filling and waiting in Python.
        before = page.inner_text("#count")
        start = time.perf_counter()
        page.fill("#f-search", "sg-0000ff")
        page.wait_for_function("b => document.getElementById('count').textContent !== b", arg=before)
        timings["search, first (builds index; incl. 120 ms debounce) (ms)"] = 1000 * (
            time.perf_counter() - start
        )
        before = page.inner_text("#count")
        start = time.perf_counter()
        page.fill("#f-search", "port 22 eu-west")
        page.wait_for_function("b => document.getElementById('count').textContent !== b", arg=before)
        timings["search, again (incl. 120 ms debounce) (ms)"] = 1000 * (time.perf_counter() - start)
        page.fill("#f-search", "")
        page.wait_for_timeout(300)
        timings["sort by resource (ms)"] = page.evaluate(_TIME_CLICK, "#findings-table th[data-key=resource]")
        timings["next page (ms)"] = page.evaluate(_TIME_CLICK, "#pager-top button:nth-of-type(3)")
        browser.close()
    if errors:
        raise SystemExit(f"page errors: {errors}")
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="Write the report into this directory and keep it.")
    args = parser.parse_args()

    audit = synthetic_audit(args.findings)
    start = time.perf_counter()
    model = build_report_model(audit, [Suppression("ec2.synthetic_check_1", "*sg-0000000*", "benchmark")])
    built = time.perf_counter() - start
    start = time.perf_counter()
    page = render_html(model)
    rendered = time.perf_counter() - start
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-html-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "awsaudit-report.html"
    path.write_bytes(page)
    print(f"{args.findings} findings: model {built:.2f} s, render {rendered:.2f} s, {len(page) / 1e6:.1f} MB")
    for name, value in browser_timings(path).items():
        print(f"  {name}: {value:.2f}" if "(s)" in name else f"  {name}: {value:.0f}")
    if args.keep is None:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
