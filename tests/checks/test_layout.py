"""A check id tells its file: `<service>.<name>` lives in checks/<service>.py or checks/<service>/."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import awsaudit
import awsaudit.checks
from awsaudit.checks import MODEL_MODULES
from awsaudit.checks.registry import all_checks

CHECKS_PACKAGE = "awsaudit.checks"
MAX_MODULE_LINES = 600


def _home(check_id: str) -> str:
    return f"{CHECKS_PACKAGE}.{check_id.partition('.')[0]}"


def test_every_check_is_defined_in_the_module_its_id_prefix_names() -> None:
    misplaced = {}
    for check_id, meta in all_checks().items():
        module = meta.function.__module__
        home = _home(check_id)
        if module != home and not module.startswith(home + "."):
            misplaced[check_id] = module
    assert misplaced == {}


def test_every_module_of_checks_defines_checks_or_is_the_model() -> None:
    defining = {meta.function.__module__ for meta in all_checks().values()}
    modules = {
        info.name
        for info in pkgutil.walk_packages(awsaudit.checks.__path__, prefix=f"{CHECKS_PACKAGE}.")
        if not info.ispkg
    }
    model = {f"{CHECKS_PACKAGE}.{name}" for name in MODEL_MODULES}
    assert modules - model - defining == set()


def test_the_rule_rejects_a_check_in_a_foreign_module() -> None:
    home = _home("s3.bucket_tls_only")
    assert home == "awsaudit.checks.s3"
    assert not "awsaudit.checks.storage".startswith(home + ".")
    assert "awsaudit.checks.iam.root".startswith(_home("iam.root_mfa") + ".")
    assert _home("iam.root_mfa") != "awsaudit.checks.iamx"


def test_no_module_of_the_package_exceeds_the_size_limit() -> None:
    root = Path(awsaudit.__file__ or "").parent
    too_long = {
        str(path.relative_to(root.parent)): lines
        for path in root.rglob("*.py")
        if (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert too_long == {}


def test_analyses_do_not_import_checks() -> None:
    root = Path(importlib.import_module("awsaudit.analyze").__file__ or "").parent
    offenders = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(CHECKS_PACKAGE):
                offenders.append(str(path))
    assert offenders == []
