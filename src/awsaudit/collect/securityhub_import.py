"""Send findings to AWS Security Hub (``--security-hub``): the one place awsaudit writes to an account.

Opt-in and separate from collection, which stays read-only. Each region gets the
FAIL findings filed in it (global ones in the home region) as ASFF documents, in
``BatchImportFindings`` calls of at most 100. Ids are stable, so a later scan
updates the same findings; findings awsaudit imported before that are no longer
failing (they passed, or their resource is gone) are re-imported with compliance
PASSED and record state ARCHIVED. Previously imported findings are found with
``GetFindings`` filtered on the generator prefix and account (and checked again
here, since not every endpoint applies filters). A region whose hub is not
enabled is skipped with one line; the others continue.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from awsaudit.collect.errors import describe_failure

# What --security-hub adds to the read-only policy (DescribeHub is already in it).
IMPORT_ACTIONS = ("securityhub:BatchImportFindings", "securityhub:GetFindings")
MAX_BATCH = 100
GENERATOR_PREFIX = "awsaudit/"
_NOT_ENABLED = {"InvalidAccessException", "ResourceNotFoundException"}


@dataclass(frozen=True)
class RegionDelivery:
    region: str
    imported: int = 0
    archived: int = 0
    failed: int = 0  # findings Security Hub refused, or lost to a failed call
    problem: str | None = None  # why the region got nothing (hub not enabled, access denied ...)

    @property
    def complete(self) -> bool:
        return self.problem is None and self.failed == 0

    def describe(self) -> str:
        if self.problem is not None:
            return f"Security Hub {self.region}: {self.problem}"
        refused = f", {self.failed} refused" if self.failed else ""
        return f"Security Hub {self.region}: {self.imported} imported, {self.archived} archived{refused}"


@dataclass(frozen=True)
class DeliveryResult:
    regions: tuple[RegionDelivery, ...] = field(default_factory=tuple)

    @property
    def complete(self) -> bool:
        return all(r.complete for r in self.regions)


def batches(
    documents: Sequence[Mapping[str, Any]], size: int = MAX_BATCH
) -> Iterator[list[Mapping[str, Any]]]:
    for start in range(0, len(documents), size):
        yield list(documents[start : start + size])


def archived(previous: Mapping[str, Any], updated_at: str) -> dict[str, Any]:
    """A previously imported finding that no longer fails: same id, PASSED and ARCHIVED."""
    document = {k: v for k, v in previous.items() if k not in {"ProductName", "CompanyName", "Region"}}
    document.update(
        {
            "UpdatedAt": updated_at,
            "Compliance": {**previous.get("Compliance", {}), "Status": "PASSED"},
            "RecordState": "ARCHIVED",
            "Severity": {**previous.get("Severity", {}), "Label": "INFORMATIONAL"},
        }
    )
    return document


def _ours(document: Mapping[str, Any], account_id: str) -> bool:
    fields = document.get("ProductFields", {})
    return (
        str(document.get("GeneratorId", "")).startswith(GENERATOR_PREFIX)
        and document.get("AwsAccountId") == account_id
        and isinstance(fields, Mapping)
        and fields.get("awsaudit/RecordType") == "finding"
        and document.get("RecordState") == "ACTIVE"
    )


def _previous(client: Any, account_id: str) -> list[Mapping[str, Any]]:
    filters = {
        "GeneratorId": [{"Value": GENERATOR_PREFIX, "Comparison": "PREFIX"}],
        "AwsAccountId": [{"Value": account_id, "Comparison": "EQUALS"}],
        "RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}],
    }
    found: list[Mapping[str, Any]] = []
    for page in client.get_paginator("get_findings").paginate(Filters=filters, MaxResults=100):
        found.extend(f for f in page.get("Findings", []) if _ours(f, account_id))
    return found


def _deliver_region(
    client: Any, region: str, documents: Sequence[Mapping[str, Any]], account_id: str, updated_at: str
) -> RegionDelivery:
    try:
        client.describe_hub()
    except ClientError as exc:
        code = describe_failure(exc)[1]
        if code in _NOT_ENABLED:
            return RegionDelivery(region, problem="not enabled in this region; nothing sent")
        return RegionDelivery(region, problem=f"DescribeHub failed with {code}; nothing sent")
    try:
        current = {str(d["Id"]) for d in documents}
        stale = [
            archived(p, updated_at) for p in _previous(client, account_id) if str(p["Id"]) not in current
        ]
        imported = archived_count = failed = 0
        for batch in batches([*documents, *stale]):
            response = client.batch_import_findings(Findings=batch)
            refused = {str(f.get("Id")) for f in response.get("FailedFindings", [])}
            failed += len(refused)
            for document in batch:
                if str(document["Id"]) in refused:
                    continue
                if document.get("RecordState") == "ARCHIVED":
                    archived_count += 1
                else:
                    imported += 1
    except ClientError as exc:
        operation, code, message = describe_failure(exc)
        return RegionDelivery(region, problem=f"{operation} failed with {code}: {message}")
    except BotoCoreError as exc:
        return RegionDelivery(region, problem=f"call failed: {exc}")
    return RegionDelivery(region, imported, archived_count, failed)


def _other_account(
    session: Any, account_id: str, endpoint_url: str | None, client_hooks: Sequence[Callable[[Any], None]]
) -> str | None:
    """Why these credentials may not import the account's findings, or None when they may."""
    client = session.client("sts", endpoint_url=endpoint_url)
    for hook in client_hooks:
        hook(client)
    try:
        caller = str(client.get_caller_identity()["Account"])
    except (BotoCoreError, ClientError) as exc:
        _, code, message = describe_failure(exc)
        return f"cannot establish the caller identity ({code}: {message}); nothing sent"
    if caller != account_id:
        return f"the credentials are account {caller}'s, the findings account {account_id}'s; nothing sent"
    return None


def import_findings(
    session: Any,
    documents_by_region: Mapping[str, Sequence[Mapping[str, Any]]],
    account_id: str,
    updated_at: str,
    endpoint_url: str | None = None,
    client_hooks: Sequence[Callable[[Any], None]] = (),
) -> DeliveryResult:
    """Import each region's documents, archive what no longer fails; one region's failure stops no other.

    The credentials must be the audited account's: Security Hub files a finding in the account that
    imports it, so a snapshot of another account (``evaluate --security-hub``) sends nothing.
    """
    mismatch = _other_account(session, account_id, endpoint_url, client_hooks)
    if mismatch is not None:
        return DeliveryResult(
            tuple(RegionDelivery(region, problem=mismatch) for region in sorted(documents_by_region))
        )
    results = []
    for region in sorted(documents_by_region):
        client = session.client("securityhub", region_name=region, endpoint_url=endpoint_url)
        for hook in client_hooks:
            hook(client)
        results.append(_deliver_region(client, region, documents_by_region[region], account_id, updated_at))
    return DeliveryResult(tuple(results))
