"""Every third-party package the code imports is declared in pyproject.toml, in the right place:
the package itself needs only its dependencies; the lab may use the `lab` extra, the Dask executor
the `distributed` extra; tests and benchmarks may use the `test` extra."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from functools import cache
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "awsaudit"
EXTRA_FOR_PATH = {"lab": "lab", "organization/dask_executor.py": "distributed"}


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert match, requirement
    return _normalise(match.group(0))


@cache
def _declared() -> dict[str, frozenset[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {"": frozenset(_requirement_name(r) for r in project["dependencies"])}
    for extra, requirements in project["optional-dependencies"].items():
        declared[extra] = frozenset(_requirement_name(r) for r in requirements)
    return declared


def _third_party_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.partition(".")[0])
    local = {"awsaudit", "tests", "benchmarks", "__future__"}
    return {n for n in names if n not in sys.stdlib_module_names and n not in local}


@cache
def _distributions() -> dict[str, list[str]]:
    return packages_distributions()


def _undeclared(path: Path, allowed: frozenset[str]) -> list[str]:
    distributions = _distributions()
    problems = []
    for module in sorted(_third_party_imports(path)):
        provided_by = {_normalise(d) for d in distributions.get(module, [])}
        if not provided_by:
            if (path.parent / f"{module}.py").exists():
                continue  # a sibling module imported by name (rootdir-relative test helpers)
            problems.append(f"{module} (not installed)")
        elif not provided_by & allowed:
            problems.append(f"{module} (from {', '.join(sorted(provided_by))})")
    return problems


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_package_imports_are_declared(path: Path) -> None:
    relative = path.relative_to(PACKAGE).as_posix()
    allowed = _declared()[""]
    for prefix, extra in EXTRA_FOR_PATH.items():
        if relative == prefix or relative.startswith(prefix + "/"):
            allowed = allowed | _declared()[extra]
    assert _undeclared(path, allowed) == []


@pytest.mark.parametrize(
    "path",
    sorted([*(ROOT / "tests").rglob("*.py"), *(ROOT / "benchmarks").rglob("*.py")]),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_test_and_benchmark_imports_are_declared(path: Path) -> None:
    assert _undeclared(path, _declared()[""] | _declared()["test"]) == []
