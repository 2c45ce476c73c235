"""scripts/screenshot.py (the README's picture) works against today's report: run on a sample report."""

from __future__ import annotations

import importlib.util
import os
import shutil
import struct
from pathlib import Path
from types import ModuleType

import pytest

from awsaudit.report.html_report import render_html
from tests.prerequisites import require
from tests.report.sample import sample_model

pytest.importorskip("playwright.sync_api", reason="pip install playwright (no browser download needed)")
if shutil.which("chromium") is None and not os.path.exists("/usr/bin/chromium"):
    require(False, "Debian's chromium is not installed")

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "screenshot.py"
README_PICTURE = SCRIPT.parents[1] / "docs" / "screenshot.png"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("screenshot", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_the_script_photographs_a_report_once_its_script_has_run(tmp_path: Path) -> None:
    script = _script()
    report = tmp_path / "awsaudit-report.html"
    report.write_bytes(render_html(sample_model()))
    picture = tmp_path / "screenshot.png"
    script.photograph(report, picture)
    assert _png_size(picture) == (script.VIEWPORT["width"], script.VIEWPORT["height"])
    assert picture.stat().st_size > 20_000, "a blank page compresses to a few kilobytes"


def test_the_readme_picture_is_one_the_script_makes() -> None:
    script = _script()
    assert _png_size(README_PICTURE) == (script.VIEWPORT["width"], script.VIEWPORT["height"])
