"""Macie check: sensitive data in S3 is discovered and classified (CIS 3.1.3)."""

from __future__ import annotations

from collections.abc import Iterator

from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.registry import Needs, Scope, check
from awsaudit.checks.s3 import buckets_with
from awsaudit.findings import Severity

_ACTIVE_JOB_STATES = frozenset({"RUNNING", "IDLE"})  # IDLE: a scheduled job between runs


@check(
    id="macie.sensitive_data_discovery",
    title="Macie discovers sensitive data in the region's S3 buckets",
    severity=Severity.MEDIUM,
    scope=Scope.REGION,
    needs=[Needs("macie2", "Macie", regional=True), buckets_with("Region")],
    rationale=(
        "CIS 3.1.3: S3 data must be discovered and classified. Macie does it with automated sensitive-data "
        "discovery or with classification jobs that cover the buckets."
    ),
    remediation=(
        "aws macie2 enable-macie --region <region>; aws macie2 update-automated-discovery-configuration "
        "--status ENABLED (or create a scheduled classification job covering every bucket)"
    ),
    references=["https://docs.aws.amazon.com/macie/latest/user/discovery-asdd.html"],
)
def macie_discovery(ctx: CheckContext) -> Iterator[Result]:
    state = ctx.dataset("macie2", "Macie")
    status = (state.get("Session") or {}).get("status")
    if status != "ENABLED":
        yield ctx.failed(ctx.scope_arn(), f"Macie is not enabled in {ctx.region}", {"status": status})
        return
    automated = (ctx.field(state, "AutomatedDiscovery") or {}).get("status")
    if automated == "ENABLED":
        yield ctx.passed(
            ctx.scope_arn(),
            f"Macie runs automated sensitive-data discovery in {ctx.region}",
            {"automated": automated},
        )
        return
    jobs = [
        j for j in ctx.field(state, "ClassificationJobs") or [] if j.get("jobStatus") in _ACTIVE_JOB_STATES
    ]
    buckets = sorted(
        str(b["Name"])
        for b in ctx.global_dataset("s3", "Buckets")
        if ctx.field(b, "Region", service="s3") == ctx.region
    )
    covered: set[str] = set()
    dynamic = [j.get("jobId") for j in jobs if j.get("bucketCriteria")]
    for job in jobs:
        for definition in job.get("bucketDefinitions") or []:
            if str(definition.get("accountId")) == ctx.account_id:
                covered.update(str(name) for name in definition.get("buckets") or [])
    uncovered = [] if dynamic else [b for b in buckets if b not in covered]
    evidence = {
        "automated": automated,
        "active_jobs": [j.get("jobId") for j in jobs],
        "jobs_by_criteria": dynamic,
        "uncovered_buckets": uncovered,
    }
    if jobs and not uncovered:
        yield ctx.passed(
            ctx.scope_arn(), f"Macie classification jobs cover the buckets of {ctx.region}", evidence
        )
    elif not jobs:
        yield ctx.failed(
            ctx.scope_arn(),
            f"Macie is enabled in {ctx.region} but neither automated discovery nor a job runs",
            evidence,
        )
    else:
        yield ctx.failed(
            ctx.scope_arn(),
            f"Macie jobs in {ctx.region} leave buckets unclassified: {', '.join(uncovered)}",
            evidence,
        )
