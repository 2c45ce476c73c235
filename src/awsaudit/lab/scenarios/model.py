"""What a scenario is and what building one yields: the account it creates and the problems it plants."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from awsaudit.errors import AwsauditError

if TYPE_CHECKING:
    from awsaudit.lab.server import Lab


class ScenarioError(AwsauditError):
    """A scenario name or parameter is invalid, or the scenario could not be built."""


@dataclass(frozen=True, order=True)
class Planted:
    """One FAIL the checks must report on the built account: the check and the resource ARN it names."""

    check_id: str
    resource: str


@dataclass(frozen=True)
class BuiltScenario:
    """The outcome of building a scenario into a lab.

    ``planted`` is the exact set of FAILs the checks of /work/briefs/checks.md report on the
    account; checks listed in ``unplanned_checks`` are judged by analyses whose results this
    scenario does not enumerate (compare findings of those checks separately, or not at all).
    """

    planted: frozenset[Planted]
    regions: tuple[str, ...]
    notes: tuple[str, ...] = ()
    unplanned_checks: frozenset[str] = frozenset()
    findings_enumerated: bool = True  # False: a benchmark account whose findings nobody listed
    counts: Mapping[str, int] = field(default_factory=dict)  # resources created, by kind


BuildFunction = Callable[["Lab", Mapping[str, Any]], BuiltScenario]


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    regions: tuple[str, ...]
    build: BuildFunction
    parameters: Mapping[str, int] = field(default_factory=dict)  # name -> default (integers only)
