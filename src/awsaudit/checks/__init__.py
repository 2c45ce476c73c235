"""Checks: pure functions of a snapshot that judge resources PASS, FAIL, UNKNOWN or MANUAL."""

from __future__ import annotations

import importlib
import pkgutil


def load_all() -> None:
    """Import every check module so their ``@check`` decorators register them."""
    for module in pkgutil.iter_modules(__path__):
        if module.name not in {"registry", "context", "runner"}:
            importlib.import_module(f"{__name__}.{module.name}")
