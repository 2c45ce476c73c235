"""What to fix first: the riskiest failing findings, grouped by root cause, for the top of a report.

A root cause is one check: the same misconfiguration on several resources has one fix pattern
(one recipe, one policy change), so a person works through causes, not rows. Causes are ranked by
the remediation plan's risk score (severity × exposure × blast radius) of their riskiest finding,
then by how many resources they touch.
"""

from __future__ import annotations

from dataclasses import dataclass

from awsaudit.findings import Severity
from awsaudit.report.model import ReportFinding, ReportModel, ReportStatus
from awsaudit.report.remediation.model import Target
from awsaudit.report.remediation.plan import risk_of
from awsaudit.report.remediation.recipes import RECIPES

CAUSES_SHOWN = 5
RESOURCES_SHOWN = 3


@dataclass(frozen=True)
class Cause:
    check_id: str
    title: str
    severity: Severity  # of the riskiest finding
    risk: int
    exposure: str  # why it counts as exposed ("" when it does not)
    findings: tuple[ReportFinding, ...]  # riskiest first

    @property
    def shown(self) -> tuple[ReportFinding, ...]:
        return self.findings[:RESOURCES_SHOWN]

    @property
    def hidden(self) -> int:
        return max(0, len(self.findings) - RESOURCES_SHOWN)


def fix_first(model: ReportModel, limit: int = CAUSES_SHOWN) -> tuple[Cause, ...]:
    """The ``limit`` riskiest root causes among the unsuppressed FAIL findings."""
    by_check: dict[str, list[tuple[int, str, ReportFinding]]] = {}
    for item in model.findings:
        if item.status is ReportStatus.FAIL:
            risk, exposure = risk_of(item.finding)
            by_check.setdefault(item.finding.check_id, []).append((risk, exposure, item))
    causes = []
    for check_id, scored in by_check.items():
        scored.sort(key=lambda s: (-s[0], -s[2].finding.severity.rank, s[2].finding.resource))
        risk, exposure, worst = scored[0]
        causes.append(
            Cause(
                check_id,
                worst.check.title,
                worst.finding.severity,
                risk,
                exposure,
                tuple(item for _, _, item in scored),
            )
        )
    causes.sort(key=lambda c: (-c.risk, -c.severity.rank, -len(c.findings), c.check_id))
    return tuple(causes[:limit])


def fix_commands(model: ReportModel, item: ReportFinding) -> list[list[object]]:
    """The remediation plan's steps for one FAIL finding, with its real identifiers filled in:
    ``[[summary, [shell command, …]], …]`` (empty when no recipe covers the check)."""
    if item.status is not ReportStatus.FAIL:
        return []
    recipe = RECIPES.get(item.finding.check_id)
    if recipe is None:
        return []
    target = Target(item.finding, model.home_region, model.partition)
    return [[step.summary, [command.shell() for command in step.commands]] for step in recipe(target)]
