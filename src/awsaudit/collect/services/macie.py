"""Macie: whether it runs in the region, with automated sensitive-data discovery or classification jobs."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from awsaudit.collect.context import CallContext, attach, without_metadata
from awsaudit.collect.errors import describe_failure
from awsaudit.collect.registry import dataset

# AWS answers GetMacieSession with AccessDeniedException both for "you may not ask" and for "Macie
# is off here"; only the message tells them apart.
_NOT_ENABLED_MESSAGE = "macie is not enabled"
_JOB_FIELDS = ("jobId", "name", "jobStatus", "jobType", "bucketDefinitions", "bucketCriteria")


def _session(ctx: CallContext) -> dict[str, Any]:
    try:
        return without_metadata(ctx.client.get_macie_session())
    except ClientError as exc:
        _, code, message = describe_failure(exc)
        if code == "AccessDeniedException" and _NOT_ENABLED_MESSAGE in message.lower():
            return {"status": "DISABLED"}
        raise


@dataset(
    "macie2",
    "Macie",
    regional=True,
    actions=[
        "macie2:GetMacieSession",
        "macie2:GetAutomatedDiscoveryConfiguration",
        "macie2:ListClassificationJobs",
    ],
)
def macie(ctx: CallContext) -> dict[str, Any]:
    """{Session: {status, ...}, AutomatedDiscovery?, ClassificationJobs?} (the last two only when enabled)."""
    state: dict[str, Any] = {"Session": _session(ctx)}
    if state["Session"].get("status") != "ENABLED":
        return state
    attach(
        state,
        "AutomatedDiscovery",
        lambda: without_metadata(ctx.client.get_automated_discovery_configuration()),
    )
    attach(
        state,
        "ClassificationJobs",
        lambda: [
            {key: job.get(key) for key in _JOB_FIELDS if key in job}
            for job in ctx.paginate("list_classification_jobs", "items")
        ],
    )
    return state
