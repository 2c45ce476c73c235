"""Collection errors as records of the per-record formats (CSV, OCSF, ASFF, JUnit).

Those formats have no list beside their records, so each collection error becomes
a record of its own; this module gives all of them the same id, title, place and
severity for it.
"""

from __future__ import annotations

from awsaudit.findings import Severity, finding_id
from awsaudit.report.model import ReportModel
from awsaudit.snapshot import GLOBAL, CollectionError

RECORD_TYPE = "collection_error"
# MEDIUM is Security Hub's level for an issue to address, though not urgently: the error is no
# exposure in itself, yet the part of the account it hides stays unaudited until it is fixed.
SEVERITY = Severity.MEDIUM


def error_id(model: ReportModel, error: CollectionError) -> str:
    """Stable across scans, like a finding's id: the same failure in the next scan has the same id."""
    source = f"{RECORD_TYPE}:{error.service}/{error.dataset}/{error.operation}"
    return finding_id(source, model.account_id, error.region, error.resource or "")


def error_title(error: CollectionError) -> str:
    return f"Could not collect {error.service} {error.dataset}"


def error_region(model: ReportModel, error: CollectionError) -> str:
    """Where the record is filed: account-wide datasets go to the home region, as global findings do."""
    return model.home_region if error.region == GLOBAL else error.region


def error_resource(model: ReportModel, error: CollectionError) -> str:
    """The ARN the error concerns: the failed resource's own ARN, else the account (in the region).

    Sub-call errors name their resource by whatever AWS returned (an ARN, a bucket name, a key id),
    so only an ARN is taken as is; the raw name stays in each format's error details.
    """
    if error.resource is not None and error.resource.startswith("arn:"):
        return error.resource
    if error.region == GLOBAL:
        return f"arn:{model.partition}:iam::{model.account_id}:root"
    return f"arn:{model.partition}:{error.service}:{error.region}:{model.account_id}:account"
