"""Golden-file comparison; ``UPDATE_GOLDEN=1 pytest tests/report`` rewrites the files instead."""

from __future__ import annotations

import os
from pathlib import Path

GOLDEN_DIR = Path(__file__).parent / "golden"


def assert_golden(name: str, actual: bytes) -> None:
    path = GOLDEN_DIR / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(actual)
        return
    assert path.exists(), f"{path} is missing: run UPDATE_GOLDEN=1 pytest tests/report"
    expected = path.read_bytes()
    assert actual == expected, (
        f"{name} differs from {path}; if intended, run UPDATE_GOLDEN=1 pytest tests/report"
    )
