"""Identity federation check: inventory of SAML and OIDC providers for a person to judge.

Each provider is listed with the roles that trust it and the federation analysis's grade of
each trust (what its subject/audience conditions admit), so the reviewer sees which providers
are in use, and how tightly, rather than only that they exist.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any

from awsaudit.analyze.iam.credential_report import (
    ROOT_USER,
    report_rows,
)
from awsaudit.analyze.iam.external import external_trusts
from awsaudit.analyze.organization.directory_inventory import (
    IDENTITY_CENTER_INVENTORY_FIELDS,
    directory_inventory,
    identity_center_inventory,
)
from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.iam import AUTHORIZATION, CREDENTIAL_REPORT
from awsaudit.checks.iam.analysis import iam_model
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
        dataclasses.replace(AUTHORIZATION, optional=True),
        # The inventory (analyze/organization/directory_inventory.py): no groups, no policies.
        Needs(
            "sso-admin", "Instances", regional=True, optional=True, fields=IDENTITY_CENTER_INVENTORY_FIELDS
        ),
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
    trusting, trusts_problem = _trusting_roles(ctx)
    for provider in (*saml, *oidc):
        provider["trusted_by"] = trusting.pop(str(provider.get("Arn")), [])
    # Grants to providers not listed above (Cognito identity pools, a provider deleted since).
    other_trusts = dict(sorted(trusting.items()))
    evidence = {
        "saml_providers": saml,
        "oidc_providers": oidc,
        "iam_users": len(users),
        "identity_center_instances": instances,
        "directories": directories,
        "not_collected": {"sso-admin/Instances": instances_missing, "ds/Directories": directories_missing},
    }
    if other_trusts:
        evidence["other_federated_trusts"] = other_trusts
    if trusts_problem:
        evidence["role_trusts_not_judged"] = trusts_problem
    graded = [role for p in (*saml, *oidc) for role in p["trusted_by"]] + [
        role for roles in other_trusts.values() for role in roles
    ]
    broad = sum(1 for role in graded if role["risk"] != "none")
    trusts = sum(len(d["trusts"]) for d in directories if isinstance(d["trusts"], list))
    yield ctx.manual(
        ctx.account_arn(),
        f"Review {len(saml)} SAML and {len(oidc)} OIDC provider(s), {len(users)} IAM user(s), "
        f"{len(instances)} Identity Center instance(s), {len(directories)} directory(ies), "
        f"{trusts} trust(s); "
        + (
            "role trusts not judged"
            if trusts_problem
            else f"{len(graded)} federated role trust(s), {broad} too broad (see iam.external_trust)"
        ),
        evidence,
    )


def _oidc_evidence(ctx: CheckContext, provider: Mapping[str, Any]) -> dict[str, Any]:
    try:
        detail = ctx.field(provider, "Provider") or {}
    except NotCollected as absent:
        return {"Arn": provider.get("Arn"), "Provider": {"not_collected": absent.reason}}
    return {"Arn": provider.get("Arn"), "Url": detail.get("Url"), "ClientIDList": detail.get("ClientIDList")}


def _trusting_roles(ctx: CheckContext) -> tuple[dict[str, list[dict[str, Any]]], str | None]:
    """Provider ARN -> the roles trusting it with the federation grade; or why they could not be judged."""
    try:
        model = iam_model(ctx)
    except NotCollected as absent:
        return {}, f"iam/AccountAuthorizationDetails not collected: {absent.reason}"
    if model.graph is None:
        return {}, model.problem or "the authorization details could not be analysed"
    trusting: dict[str, list[dict[str, Any]]] = {}
    for trust in external_trusts(model.graph.analysis.account):
        graded = trust.federation
        if graded is None:
            continue
        trusting.setdefault(graded.provider, []).append(
            {
                "role": trust.role_arn,
                "risk": graded.risk.value,
                "admits": graded.admits,
                "reason": graded.reason,
            }
        )
    problem = None
    if model.unreadable_trust:
        problem = f"trust policy unreadable for {len(model.unreadable_trust)} role(s): " + ", ".join(
            sorted(model.unreadable_trust)
        )
    return trusting, problem
