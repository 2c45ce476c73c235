"""Identity federation check: inventory of SAML and OIDC providers for a person to judge."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from awsaudit.analyze.iam.credential_report import (
    ROOT_USER,
    report_rows,
)
from awsaudit.analyze.organization.directory_inventory import directory_inventory, identity_center_inventory
from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.iam import CREDENTIAL_REPORT
from awsaudit.checks.registry import Needs, check
from awsaudit.findings import Severity
from awsaudit.snapshot import NotCollected


@check(
    id="iam.identity_federation",
    title="Identity federation is a deliberate, reviewed choice",
    severity=Severity.INFO,
    needs=[
        Needs("iam", "SAMLProviders"),
        Needs("iam", "OpenIDConnectProviders"),
        CREDENTIAL_REPORT,
        Needs("sso-admin", "Instances", regional=True, optional=True),
        Needs("ds", "Directories", regional=True, optional=True),
    ],
    rationale=(
        "Users managed centrally (IAM Identity Center, a corporate directory) are created, reviewed and "
        "removed in one place; every identity provider is also a trust a person must approve."
    ),
    remediation=(
        "Console: IAM Identity Center > Settings > Identity source; IAM > Identity providers to review"
    ),
    references=["https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers.html"],
    manual=True,
)
def identity_federation(ctx: CheckContext) -> Iterator[Result]:
    saml = [
        {"Arn": p.get("Arn"), "ValidUntil": p.get("ValidUntil")}
        for p in ctx.global_dataset("iam", "SAMLProviders")
    ]
    oidc = [_oidc_evidence(ctx, p) for p in ctx.global_dataset("iam", "OpenIDConnectProviders")]
    rows = report_rows(ctx.global_dataset("iam", "CredentialReport"))
    users = [row for row in rows if row.get("user") != ROOT_USER]
    instances, instances_missing = identity_center_inventory(ctx.snapshot)
    directories, directories_missing = directory_inventory(ctx.snapshot)
    evidence = {
        "saml_providers": saml,
        "oidc_providers": oidc,
        "iam_users": len(users),
        "identity_center_instances": instances,
        "directories": directories,
        "not_collected": {"sso-admin/Instances": instances_missing, "ds/Directories": directories_missing},
    }
    trusts = sum(len(d["trusts"]) for d in directories if isinstance(d["trusts"], list))
    yield ctx.manual(
        ctx.account_arn(),
        f"Review {len(saml)} SAML and {len(oidc)} OIDC provider(s), {len(users)} IAM user(s), "
        f"{len(instances)} Identity Center instance(s), {len(directories)} directory(ies), {trusts} trust(s)",
        evidence,
    )


def _oidc_evidence(ctx: CheckContext, provider: Mapping[str, Any]) -> dict[str, Any]:
    try:
        detail = ctx.field(provider, "Provider") or {}
    except NotCollected as absent:
        return {"Arn": provider.get("Arn"), "Provider": {"not_collected": absent.reason}}
    return {"Arn": provider.get("Arn"), "Url": detail.get("Url"), "ClientIDList": detail.get("ClientIDList")}
