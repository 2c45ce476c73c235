"""Regenerate docs/screenshot.png (shown in the README) from the demo's HTML report.

Runs `awsaudit demo` (the embedded lab, no AWS account) into a temporary directory and photographs
the top of the report in headless Chromium: the Fix first panel and the summary. Needs the lab and
test extras (moto, Playwright) and Debian's chromium (`make deps`).

    python scripts/screenshot.py [--output docs/screenshot.png]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    output = parser.parse_args().output
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as directory:
        subprocess.run(
            [
                sys.executable,
                "-c",
                "from awsaudit.cli import main; main()",
                "demo",
                "--output-dir",
                directory,
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        report = Path(directory) / "awsaudit-report.html"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--headless", "--no-sandbox"]
            )
            try:
                page = browser.new_page(viewport=VIEWPORT, device_scale_factor=1)
                page.goto(report.as_uri())
                page.wait_for_selector("body[data-ready=true]")
                page.screenshot(path=str(output))
            finally:
                browser.close()
    print(f"Wrote {output}")


if __name__ == "__main__":
    main()
