"""Regenerate docs/screenshot.png (shown in the README) from the demo's HTML report.

Runs `awsaudit demo` (the embedded lab, no AWS account) into a temporary directory and photographs
the top of the report in headless Chromium: the Fix first panel and the summary. Needs the lab and
test extras (moto, Playwright) and Debian's chromium (`make deps`). `--report` photographs an
existing report instead of running the demo. The test suite photographs a sample report with the
same function on every run, so the script cannot drift from the report it depicts.

    python scripts/screenshot.py [--output docs/screenshot.png] [--report awsaudit-report.html]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

DEFAULT_OUTPUT = Path(__file__).resolve().parents[1] / "docs" / "screenshot.png"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
VIEWPORT = {"width": 1280, "height": 900}
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
]


def photograph(report: Path, output: Path) -> None:
    """Screenshot the top of ``report`` once its script has run (the page sets data-ready)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport=VIEWPORT, device_scale_factor=1)
            page.goto(report.resolve().as_uri())
            page.wait_for_selector("body[data-ready=true]")
            page.screenshot(path=str(output))
        finally:
            browser.close()


def demo_report(directory: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from awsaudit.cli import main; main()",
            "demo",
            "--output-dir",
            str(directory),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return directory / "awsaudit-report.html"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--report", type=Path, help="photograph this report instead of the demo's")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        report = arguments.report or demo_report(Path(directory))
        photograph(report, arguments.output)
    print(f"Wrote {arguments.output}")


if __name__ == "__main__":
    main()
