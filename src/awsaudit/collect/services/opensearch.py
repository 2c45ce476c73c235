"""OpenSearch Service: every domain of a region with its access policy (five domains per call)."""

from __future__ import annotations

from typing import Any

from awsaudit.collect.context import CallContext
from awsaudit.collect.registry import dataset

_BATCH = 5  # DescribeDomains takes at most five names
_KEPT = ("DomainName", "ARN", "AccessPolicies", "Endpoint", "Endpoints", "VPCOptions")


@dataset(
    "opensearch",
    "Domains",
    regional=True,
    actions=["es:ListDomainNames", "es:DescribeDomains"],
)
def domains(ctx: CallContext) -> list[dict[str, Any]]:
    """{DomainName, ARN, AccessPolicies (JSON text, "" for none), Endpoint(s), VPCOptions} per domain."""
    names = [entry["DomainName"] for entry in ctx.listed("list_domain_names", "DomainNames")]
    found: list[dict[str, Any]] = []
    for start in range(0, len(names), _BATCH):
        answer = ctx.client.describe_domains(DomainNames=names[start : start + _BATCH])
        found.extend(
            {key: status[key] for key in _KEPT if key in status}
            for status in ctx.result(answer, "DomainStatusList", "describe_domains")
        )
    return found
