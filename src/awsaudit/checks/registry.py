"""Check metadata and the registry that checks join through the ``@check`` decorator."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from awsaudit.errors import AwsauditError, ExitCode
from awsaudit.findings import Severity

if TYPE_CHECKING:
    from awsaudit.checks.context import CheckContext, Result


class Scope(StrEnum):
    """How often a check runs: once per account, or once per collected region."""

    ACCOUNT = "account"
    REGION = "region"


@dataclass(frozen=True)
class Needs:
    """A dataset a check reads. ``regional`` datasets are read in the region being judged.

    An ``optional`` dataset is collected for the check but its absence does not make the
    check UNKNOWN: the check only uses it to refine a verdict (e.g. grade a severity).

    ``fields``: the per-resource sub-call fields (``attach``) the check reads, when it reads only
    some; None: every one. A collection for checks that all name theirs makes no other sub-call
    (those fields are then absent: reading one is NotCollected, so a check that reads more than it
    declares is UNKNOWN, never judged on nothing).
    """

    service: str
    dataset: str
    regional: bool = False
    optional: bool = False
    fields: frozenset[str] | None = None

    @property
    def key(self) -> str:
        return f"{self.service}/{self.dataset}"


CheckFunction = Callable[["CheckContext"], Iterable["Result"]]


@dataclass(frozen=True)
class CheckMeta:
    id: str
    title: str
    severity: Severity
    service: str
    scope: Scope
    needs: tuple[Needs, ...]
    rationale: str
    remediation: str
    references: tuple[str, ...]
    function: CheckFunction
    # True when the check only gathers an inventory for a person to judge (MANUAL results).
    manual: bool = False


REGISTRY: dict[str, CheckMeta] = {}


class CheckDefinitionError(AwsauditError):
    """A check was declared inconsistently (duplicate id, malformed id): a bug, not bad input."""

    exit_code = ExitCode.INTERNAL


def check(
    *,
    id: str,
    title: str,
    severity: Severity,
    needs: Iterable[Needs],
    rationale: str,
    remediation: str,
    references: Iterable[str] = (),
    scope: Scope = Scope.ACCOUNT,
    manual: bool = False,
) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check function with its metadata."""

    def register(function: CheckFunction) -> CheckFunction:
        if id in REGISTRY:
            raise CheckDefinitionError(f"duplicate check id {id!r}")
        service, _, name = id.partition(".")
        if not service or not name or id != id.lower():
            raise CheckDefinitionError(f"check id {id!r} must look like 'service.snake_case_name'")
        REGISTRY[id] = CheckMeta(
            id=id,
            title=title,
            severity=severity,
            service=service,
            scope=scope,
            needs=tuple(needs),
            rationale=rationale.strip(),
            remediation=remediation.strip(),
            references=tuple(references),
            function=function,
            manual=manual,
        )
        return function

    return register


def all_checks() -> dict[str, CheckMeta]:
    """Every registered check, importing the check modules on first use."""
    from awsaudit.checks import load_all

    load_all()
    return dict(sorted(REGISTRY.items()))
