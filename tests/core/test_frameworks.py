"""Contract tests: frameworks reference real checks, every check is in a framework, ids are unique."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from awsaudit.checks.registry import all_checks
from awsaudit.compliance.frameworks_model import (
    ControlStatus,
    FrameworkError,
    _bundled_frameworks,
    find_framework,
    load_frameworks,
    parse_framework,
    rollup,
)
from awsaudit.disk_cache import CACHE_DIR_ENV, write_entry
from awsaudit.findings import Finding, Severity, Status


def test_the_four_frameworks_are_bundled() -> None:
    assert set(load_frameworks()) == {
        "cis-aws-foundations@7.0.0",
        "cis-aws-foundations@5.0.0",
        "cis-aws-foundations@3.0.0",
        "guide@1.0",
    }


def test_control_counts_match_the_published_benchmarks() -> None:
    frameworks = load_frameworks()
    assert len(frameworks["cis-aws-foundations@7.0.0"].controls) == 70
    assert len(frameworks["cis-aws-foundations@5.0.0"].controls) == 63
    assert len(frameworks["cis-aws-foundations@3.0.0"].controls) == 62


@pytest.mark.parametrize("key", sorted(load_frameworks()))
def test_control_ids_unique_and_checks_exist(key: str) -> None:
    framework = load_frameworks()[key]
    duplicates = [cid for cid, n in Counter(c.id for c in framework.controls).items() if n > 1]
    assert duplicates == []
    registry = all_checks()
    missing = sorted({c for control in framework.controls for c in control.checks} - set(registry))
    assert missing == [], f"{key} references checks that do not exist"


def test_every_check_is_in_at_least_one_framework() -> None:
    referenced = set().union(*(f.check_ids() for f in load_frameworks().values()))
    orphans = sorted(set(all_checks()) - referenced)
    assert orphans == []


def test_every_automated_cis_v7_control_has_a_check() -> None:
    framework = load_frameworks()["cis-aws-foundations@7.0.0"]
    assert [c.id for c in framework.controls if c.automated and not c.checks] == []


def test_find_framework_by_id_takes_the_newest() -> None:
    assert find_framework("cis-aws-foundations").version == "7.0.0"
    with pytest.raises(FrameworkError, match="unknown framework"):
        find_framework("pci")


def test_malformed_framework_is_a_clear_error() -> None:
    with pytest.raises(FrameworkError, match="expected keys"):
        parse_framework("just text", "x.yaml")
    with pytest.raises(FrameworkError, match="control 9"):
        parse_framework("id: a\nversion: '1'\ntitle: t\ncontrols:\n- id: 9\n", "x.yaml")


def _finding(check_id: str, status: Status, resource: str = "r") -> Finding:
    return Finding(check_id, status, Severity.HIGH, "1", "global", resource, "m")


def test_rollup_takes_the_worst_status_and_judges_manual_controls_it_automates() -> None:
    framework = parse_framework(
        """
id: t
version: "1"
title: test
controls:
- {id: a, title: A, automated: true, checks: [x.one, x.two]}
- {id: b, title: B, automated: false, checks: [x.two]}
- {id: c, title: C, automated: true, checks: [x.three]}
- {id: d, title: D, automated: false, checks: []}
- {id: e, title: E, automated: true, checks: [x.four]}
- {id: f, title: F, automated: false, checks: [x.two, x.inventory]}
- {id: g, title: G, automated: false, checks: [x.one]}
""",
        "t.yaml",
    )
    findings = [
        _finding("x.one", Status.PASS),
        _finding("x.one", Status.FAIL, "r2"),
        _finding("x.two", Status.PASS),
        _finding("x.three", Status.UNKNOWN),
        _finding("x.inventory", Status.MANUAL),
    ]
    evaluated = {"x.one", "x.two", "x.three", "x.inventory"}
    results = {r.control.id: r for r in rollup(framework, findings, evaluated)}
    assert {key: r.status for key, r in results.items()} == {
        "a": ControlStatus.FAIL,
        # Manual in the framework, but every check ran and passed: judged here.
        "b": ControlStatus.PASS,
        "c": ControlStatus.UNKNOWN,
        "d": ControlStatus.NOT_AUTOMATED,
        "e": ControlStatus.NOT_AUTOMATED,
        # An inventory a person must judge keeps the control MANUAL.
        "f": ControlStatus.MANUAL,
        "g": ControlStatus.FAIL,
    }
    assert {key for key, r in results.items() if r.automated_here} == {"b", "g"}


def test_the_cached_frameworks_are_the_parsed_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path))
    _bundled_frameworks.cache_clear()
    try:
        parsed = load_frameworks()  # an empty cache: parsed from the YAML files, then stored
        (entry,) = tmp_path.iterdir()
        _bundled_frameworks.cache_clear()
        assert load_frameworks() == parsed  # read from the entry
        write_entry(entry.name, b'{"digest": "of other files", "frameworks": []}')
        _bundled_frameworks.cache_clear()
        assert load_frameworks() == parsed  # an entry of other files: parsed again
    finally:
        _bundled_frameworks.cache_clear()
