"""IAM Access Analyzer checks: an analyzer watches external access in every region, and no active
external-access finding is left."""

from __future__ import annotations

from collections.abc import Iterator

from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.registry import Needs, Scope, check
from awsaudit.findings import Severity

_EXTERNAL_ACCESS_TYPES = frozenset({"ACCOUNT", "ORGANIZATION"})


@check(
    id="accessanalyzer.enabled",
    title="IAM Access Analyzer watches for external access in every region",
    severity=Severity.MEDIUM,
    scope=Scope.REGION,
    needs=[Needs("accessanalyzer", "Analyzers", regional=True)],
    rationale=(
        "An external-access analyzer reports resources (buckets, keys, roles, queues...) shared outside the "
        "account or organization; it works per region."
    ),
    remediation="aws accessanalyzer create-analyzer --analyzer-name <name> --type ACCOUNT --region <region>",
    references=["https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-getting-started.html"],
)
def access_analyzer_enabled(ctx: CheckContext) -> Iterator[Result]:
    analyzers = ctx.dataset("accessanalyzer", "Analyzers")
    evidence = {"analyzers": [{k: a.get(k) for k in ("name", "type", "status")} for a in analyzers]}
    active = [
        str(a.get("name"))
        for a in analyzers
        if a.get("status") == "ACTIVE" and a.get("type") in _EXTERNAL_ACCESS_TYPES
    ]
    if active:
        yield ctx.passed(
            ctx.scope_arn(), f"Active external-access analyzer in {ctx.region}: {', '.join(active)}", evidence
        )
    else:
        yield ctx.failed(ctx.scope_arn(), f"No active external-access analyzer in {ctx.region}", evidence)


@check(
    id="accessanalyzer.no_active_external_findings",
    title="No active IAM Access Analyzer finding reports external access",
    severity=Severity.HIGH,
    scope=Scope.REGION,
    needs=[Needs("accessanalyzer", "Analyzers", regional=True)],
    rationale=(
        "Each active external-access finding names a resource shared outside the zone of trust that nobody "
        "has archived as intended."
    ),
    remediation=(
        "Review each finding: remove the access (change the resource's policy) or archive the finding with "
        "an archive rule if the sharing is intended (aws accessanalyzer create-archive-rule)"
    ),
    references=["https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html"],
)
def access_analyzer_findings(ctx: CheckContext) -> Iterator[Result]:
    analyzers = [
        a
        for a in ctx.dataset("accessanalyzer", "Analyzers")
        if a.get("status") == "ACTIVE" and a.get("type") in ("ACCOUNT", "ORGANIZATION")
    ]
    if not analyzers:
        return  # nothing analyses external access here (accessanalyzer.enabled reports the region)
    findings = [f for analyzer in analyzers for f in ctx.field(analyzer, "ActiveFindings")]
    public = [f for f in findings if f.get("isPublic")]
    resources = sorted({str(f.get("resource")) for f in findings})
    evidence = {
        "analyzers": [a.get("arn") for a in analyzers],
        "active_findings": len(findings),
        "public": len(public),
        "resources": resources,
        "findings": findings[:50],
    }
    if not findings:
        yield ctx.passed(ctx.scope_arn(), f"No active external-access finding in {ctx.region}", evidence)
        return
    yield ctx.failed(
        ctx.scope_arn(),
        f"{len(findings)} active external-access finding(s) in {ctx.region} ({len(public)} public) on: "
        f"{', '.join(resources[:5])}",
        evidence,
        severity=Severity.HIGH if public else Severity.MEDIUM,
    )
