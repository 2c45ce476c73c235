"""IAM: authorization details (bulk), credential report, password policy, MFA, providers, certificates."""

from __future__ import annotations

import csv
import io
import time
from typing import Any

from botocore.exceptions import ClientError

from awsaudit.collect.context import CallContext, attach, without_metadata
from awsaudit.collect.errors import MalformedResponse
from awsaudit.collect.registry import dataset

_AUTH_DETAIL_KEYS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")


@dataset(
    "iam",
    "AccountAuthorizationDetails",
    regional=False,
    actions=["iam:GetAccountAuthorizationDetails"],
)
def authorization_details(ctx: CallContext) -> dict[str, list[Any]]:
    """Users, groups, roles and managed policies with every document, in one paginated call."""
    merged: dict[str, list[Any]] = {key: [] for key in _AUTH_DETAIL_KEYS}
    answered: set[str] = set()
    for page in ctx.pages(
        "get_account_authorization_details",
        Filter=["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"],
    ):
        for key in _AUTH_DETAIL_KEYS:
            # A later page may carry only the lists still being paged; each list must come at least once.
            if key in page:
                merged[key].extend(ctx.result(page, key, "get_account_authorization_details"))
                answered.add(key)
    missing = [key for key in _AUTH_DETAIL_KEYS if key not in answered]
    if missing:
        raise MalformedResponse(
            ctx.api_name("get_account_authorization_details"), f"the answer has no {', '.join(missing)}"
        )
    return merged


# The report is generated asynchronously; AWS usually finishes within seconds.
_REPORT_FIRST_POLL_SECONDS = 0.05
_REPORT_MAX_POLL_SECONDS = 2.0
_REPORT_MAX_WAIT_SECONDS = 60.0


@dataset(
    "iam",
    "CredentialReport",
    regional=False,
    actions=["iam:GenerateCredentialReport", "iam:GetCredentialReport"],
)
def credential_report(ctx: CallContext) -> dict[str, Any]:
    """The credential report, parsed: one row per user (and the root account) with AWS's column names."""
    deadline = time.monotonic() + _REPORT_MAX_WAIT_SECONDS
    pause = _REPORT_FIRST_POLL_SECONDS
    while ctx.client.generate_credential_report().get("State") != "COMPLETE":
        if time.monotonic() > deadline:
            raise TimeoutError("credential report not generated within 60 s")
        time.sleep(pause)
        pause = min(pause * 2, _REPORT_MAX_POLL_SECONDS)
    response = ctx.client.get_credential_report()
    content = response.pop("Content")
    text = content.decode("utf-8") if isinstance(content, bytes) else str(content)
    del content  # the report can run to megabytes: one copy of it at a time
    return {"GeneratedTime": response.get("GeneratedTime"), "Rows": _report_rows(text)}


def _report_rows(text: str) -> list[dict[Any, Any]]:
    """The report's rows, each cell value held once: most cells repeat (N/A, false, true,
    not_supported), and a string per cell was most of a large account's report in memory."""
    held: dict[str, str] = {}
    return [
        {
            column: held.setdefault(value, value) if isinstance(value, str) else value
            for column, value in row.items()
        }
        for row in csv.DictReader(io.StringIO(text))
    ]


@dataset("iam", "PasswordPolicy", regional=False, actions=["iam:GetAccountPasswordPolicy"])
def password_policy(ctx: CallContext) -> dict[str, Any]:
    """{"PasswordPolicy": {...}}, or {"PasswordPolicy": null} when the account has none set."""
    try:
        return {"PasswordPolicy": ctx.client.get_account_password_policy()["PasswordPolicy"]}
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "NoSuchEntity":
            return {"PasswordPolicy": None}
        raise


@dataset("iam", "AccountSummary", regional=False, actions=["iam:GetAccountSummary"])
def account_summary(ctx: CallContext) -> dict[str, Any]:
    return dict(ctx.client.get_account_summary()["SummaryMap"])


@dataset("iam", "VirtualMFADevices", regional=False, actions=["iam:ListVirtualMFADevices"])
def virtual_mfa_devices(ctx: CallContext) -> list[Any]:
    """{SerialNumber, User?, EnableDate?} per device: never the seed or QR code some endpoints add."""
    return [
        {key: device[key] for key in _MFA_DEVICE_FIELDS if key in device}
        for device in ctx.paginate("list_virtual_mfa_devices", "VirtualMFADevices")
    ]


_MFA_DEVICE_FIELDS = ("SerialNumber", "User", "EnableDate")


@dataset("iam", "SAMLProviders", regional=False, actions=["iam:ListSAMLProviders"])
def saml_providers(ctx: CallContext) -> list[Any]:
    return ctx.listed("list_saml_providers", "SAMLProviderList")


def _oidc_detail(ctx: CallContext, provider: dict[str, Any]) -> None:
    attach(
        provider,
        "Provider",
        lambda: without_metadata(
            ctx.client.get_open_id_connect_provider(OpenIDConnectProviderArn=provider["Arn"])
        ),
    )


@dataset(
    "iam",
    "OpenIDConnectProviders",
    regional=False,
    actions=["iam:ListOpenIDConnectProviders", "iam:GetOpenIDConnectProvider"],
    detail=_oidc_detail,
)
def oidc_providers(ctx: CallContext) -> list[Any]:
    return ctx.listed("list_open_id_connect_providers", "OpenIDConnectProviderList")


@dataset("iam", "ServerCertificates", regional=False, actions=["iam:ListServerCertificates"])
def server_certificates(ctx: CallContext) -> list[Any]:
    return ctx.paginate("list_server_certificates", "ServerCertificateMetadataList")


_EXTERNAL_ACCESS_ANALYZERS = frozenset({"ACCOUNT", "ORGANIZATION"})
_FINDING_FIELDS = (
    "id",
    "resource",
    "resourceType",
    "isPublic",
    "principal",
    "action",
    "resourceOwnerAccount",
)


def _analyzer_detail(ctx: CallContext, analyzer: dict[str, Any]) -> None:
    # Only external-access analyzers report resources shared outside the zone of trust.
    if analyzer.get("type") not in _EXTERNAL_ACCESS_ANALYZERS or analyzer.get("status") != "ACTIVE":
        return
    attach(
        analyzer,
        "ActiveFindings",
        lambda: [
            {key: finding.get(key) for key in _FINDING_FIELDS if key in finding}
            for finding in ctx.paginate(
                "list_findings",
                "findings",
                analyzerArn=analyzer["arn"],
                filter={"status": {"eq": ["ACTIVE"]}},
            )
        ],
    )


@dataset(
    "accessanalyzer",
    "Analyzers",
    client="accessanalyzer",
    regional=True,
    actions=["access-analyzer:ListAnalyzers", "access-analyzer:ListFindings"],
    detail=_analyzer_detail,
)
def access_analyzers(ctx: CallContext) -> list[Any]:
    """Analyzers; active external-access ones carry ActiveFindings (the resources they flag)."""
    return ctx.paginate("list_analyzers", "analyzers")
