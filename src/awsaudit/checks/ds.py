"""Directory Service checks: trusts between an AWS directory and a corporate forest (guide G2.4)."""

from __future__ import annotations

from collections.abc import Iterator

from awsaudit.analyze.organization.identity_center import judge_trusts
from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.registry import Needs, Scope, check
from awsaudit.findings import Severity
from awsaudit.snapshot import NotCollected


@check(
    id="ds.forest_trust_selective_auth",
    title="Two-way forest trusts to on-premises domains use selective authentication",
    severity=Severity.HIGH,
    needs=[Needs("ds", "Directories", regional=True)],
    scope=Scope.REGION,
    rationale=(
        "A two-way forest trust without selective authentication lets every identity of the on-premises "
        "forest authenticate to every resource of the AWS directory, and the reverse: a compromise of "
        "the corporate directory becomes a compromise of what the AWS directory controls."
    ),
    remediation=(
        "aws ds update-trust --trust-id <trust-id> --selective-auth Enabled, then grant 'Allowed to "
        "authenticate' only to the accounts that need it; or replace the trust with a one-way trust"
    ),
    references=["https://docs.aws.amazon.com/directoryservice/latest/admin-guide/ms_ad_setup_trust.html"],
)
def forest_trust_selective_auth(ctx: CheckContext) -> Iterator[Result]:
    directories = ctx.dataset("ds", "Directories")
    aws_domains = {str(d.get("Name", "")).lower() for d in directories}
    for directory in directories:
        arn = f"arn:{ctx.partition}:ds:{ctx.region}:{ctx.account_id}:directory/{directory.get('DirectoryId')}"
        try:
            trusts = ctx.field(directory, "Trusts")
        except NotCollected as absent:
            yield ctx.unknown(arn, f"Trusts of {directory.get('Name')} not collected: {absent.reason}", {})
            continue
        for trust in judge_trusts(directory, trusts, aws_domains - {str(directory.get("Name", "")).lower()}):
            resource = f"{arn}/trust/{trust.remote_domain}"
            if trust.fails:
                yield ctx.failed(
                    resource,
                    f"{trust.directory_name} has a two-way forest trust with {trust.remote_domain} "
                    "without selective authentication",
                    trust.evidence(),
                )
            else:
                yield ctx.passed(
                    resource,
                    f"{trust.directory_name} → {trust.remote_domain}: {trust.direction} {trust.trust_type} "
                    f"trust, selective authentication {trust.selective_auth}",
                    trust.evidence(),
                )
