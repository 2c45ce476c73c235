"""Inspector check: EC2, ECR and Lambda are scanned for vulnerabilities in every region."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.registry import Needs, Scope, check
from awsaudit.findings import Severity

INSPECTOR_TYPES = {"ec2": "EC2", "ecr": "ECR", "lambda": "Lambda"}


@check(
    id="inspector.enabled",
    title="Inspector scans EC2, ECR and Lambda in every region",
    severity=Severity.MEDIUM,
    scope=Scope.REGION,
    needs=[Needs("inspector2", "AccountStatus", regional=True)],
    rationale="Inspector finds exploitable vulnerabilities in instances, container images and functions.",
    remediation="aws inspector2 enable --resource-types EC2 ECR LAMBDA --region <region>",
    references=["https://docs.aws.amazon.com/inspector/latest/user/getting_started_tutorial.html"],
)
def inspector_enabled(ctx: CheckContext) -> Iterator[Result]:
    status = ctx.dataset("inspector2", "AccountStatus")
    resource_state = status.get("resourceState")
    if not isinstance(resource_state, Mapping):
        yield ctx.unknown(
            ctx.scope_arn(), "Inspector did not report this account's status", {"status": status}
        )
        return
    states = {label: (resource_state.get(key) or {}).get("status") for key, label in INSPECTOR_TYPES.items()}
    off = [label for label, value in states.items() if value != "ENABLED"]
    evidence = {"status": states}
    if off:
        yield ctx.failed(
            ctx.scope_arn(), f"Inspector does not scan {', '.join(off)} in {ctx.region}", evidence
        )
    else:
        yield ctx.passed(ctx.scope_arn(), f"Inspector scans EC2, ECR and Lambda in {ctx.region}", evidence)
