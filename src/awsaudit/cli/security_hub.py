"""--security-hub: the FAIL findings as ASFF per region, sent through collect/securityhub_import."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from awsaudit.cli.common import console
from awsaudit.cli.delivery import AccountAccess
from awsaudit.collect.securityhub_import import import_findings
from awsaudit.collect.session import make_session
from awsaudit.findings import Status
from awsaudit.report.asff import asff_finding
from awsaudit.report.console import inert
from awsaudit.report.model import ReportModel


def asff_by_region(model: ReportModel) -> dict[str, list[dict[str, Any]]]:
    """Every audited region (so stale findings there are archived), with the FAIL findings filed in it.

    Suppressed FAIL findings go too, with workflow SUPPRESSED, so Security Hub shows the accepted risk.
    """
    documents: dict[str, list[dict[str, Any]]] = {
        region: [] for region in model.regions or (model.home_region,)
    }
    for item in model.findings:
        if item.finding.status is Status.FAIL:
            documents.setdefault(model.region_of(item.finding), []).append(asff_finding(model, item))
    return documents


def security_hub_sender(
    access: AccountAccess, hooks: tuple[Callable[[Any], None], ...]
) -> Callable[[ReportModel], bool]:
    """Import the report's FAIL findings per region; print one line per region; True when all took them."""

    def send(model: ReportModel) -> bool:
        session = make_session(
            profile=access.profile,
            role_arn=access.role_arn,
            external_id=access.external_id,
            endpoint_url=access.endpoint_url,
        )
        result = import_findings(
            session,
            asff_by_region(model),
            model.account_id,
            model.collected_at_iso.replace("Z", ".000Z"),
            endpoint_url=access.endpoint_url,
            client_hooks=hooks,
        )
        for region in result.regions:
            console.print(inert(region.describe()), highlight=False, markup=False)
        return result.complete

    return send
