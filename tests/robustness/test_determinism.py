"""The same snapshot always yields byte-identical reports, in one process and across processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from awsaudit.audit import evaluate, select
from awsaudit.config import AuditConfig
from awsaudit.report.model import build_report_model
from awsaudit.report.writer import FORMATS, renderer
from awsaudit.snapshot import load, save
from tests.robustness.scanning import CLI, Scan

pytestmark = pytest.mark.lab


@pytest.fixture(scope="module")
def snapshot_file(clean_scan: Scan, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save(clean_scan.snapshot, tmp_path_factory.mktemp("determinism") / "snapshot.json.gz")


def _render_all(path: Path) -> dict[str, bytes]:
    model = build_report_model(evaluate(load(path), select(), AuditConfig()))
    return {name: renderer(name)(model) for name in FORMATS}


def test_evaluating_twice_in_one_process_is_byte_identical(snapshot_file: Path) -> None:
    assert _render_all(snapshot_file) == _render_all(snapshot_file)


def test_evaluating_in_processes_with_different_hash_seeds_is_byte_identical(
    snapshot_file: Path, tmp_path: Path
) -> None:
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        subprocess.run(
            [
                sys.executable,
                "-c",
                CLI,
                "evaluate",
                str(snapshot_file),
                "--output-dir",
                str(out),
                "--output-format",
                ",".join(FORMATS),
                "--no-store",  # a recorded first run would give the second one a "since last scan" section
            ],
            env={**os.environ, "PYTHONHASHSEED": seed},
            check=True,
            capture_output=True,
        )
        outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) == len(FORMATS) + sum(f.companion is not None for f in FORMATS.values())
