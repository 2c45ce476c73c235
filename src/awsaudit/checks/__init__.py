"""Checks: pure functions of a snapshot that judge resources PASS, FAIL, UNKNOWN or MANUAL.

The check model is ``registry`` (metadata and the ``@check`` decorator), ``context`` (what a check
sees), ``runner`` (fail-closed evaluation) and ``exposure`` (resource-policy verdicts as results,
shared by every service's exposure check). Every other module holds checks, and a check id says
where: the id's service prefix names the module. ``<service>.<name>`` lives in ``checks/<service>.py``,
or, when a service's checks would not fit one module of reasonable size, in a module of the package
``checks/<service>/`` (e.g. ``iam.root_mfa`` in ``checks/iam/root.py``). Parsing and derived analyses
belong in ``awsaudit.analyze``, not here.
"""

from __future__ import annotations

import importlib
import pkgutil

MODEL_MODULES = frozenset({"registry", "context", "runner", "exposure"})


def load_all() -> None:
    """Import every check module so their ``@check`` decorators register them."""
    for module in pkgutil.walk_packages(__path__, prefix=f"{__name__}."):
        if module.name.removeprefix(f"{__name__}.") not in MODEL_MODULES:
            importlib.import_module(module.name)
