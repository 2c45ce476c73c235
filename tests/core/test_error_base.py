"""Every exception awsaudit defines derives from AwsauditError, so the CLI maps each to an exit code
in one place (awsaudit.exit_codes) and prints one line instead of a traceback."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import awsaudit
from awsaudit.errors import AwsauditError


def _own_exception_classes() -> list[type[BaseException]]:
    found = []
    for module_info in pkgutil.walk_packages(awsaudit.__path__, "awsaudit."):
        if ".migrations" in module_info.name:
            continue  # Alembic's env module runs a migration when imported
        module = importlib.import_module(module_info.name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, BaseException) and value.__module__ == module.__name__:
                found.append(value)
    return found


# Not errors: an interrupt must pass every ``except Exception`` on its way to the CLI's main.
_NOT_ERRORS = {"awsaudit.interrupts.Interrupted"}


def test_every_exception_derives_from_the_one_base() -> None:
    classes = _own_exception_classes()
    assert len(classes) > 20  # the walk really found the package's exceptions
    strays = sorted(f"{c.__module__}.{c.__qualname__}" for c in classes if not issubclass(c, AwsauditError))
    assert strays == sorted(_NOT_ERRORS)
