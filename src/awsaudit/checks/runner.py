"""Run checks over a snapshot, turning missing data and check crashes into UNKNOWN (fail closed)."""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator

from awsaudit.analyze.resource_names import ResourceNames, resource_names
from awsaudit.checks.context import CheckContext, Derived, Result
from awsaudit.checks.registry import CheckMeta, Scope
from awsaudit.config import AuditConfig
from awsaudit.findings import Finding, Status, new_finding
from awsaudit.snapshot import GLOBAL, NotCollected, Snapshot


def run_checks(snapshot: Snapshot, checks: Iterable[CheckMeta], config: AuditConfig) -> list[Finding]:
    """Every finding of every check, in a deterministic order."""
    by_check: dict[str, list[Finding]] = {}
    names = resource_names(snapshot)
    derived = Derived()  # this evaluation's shared analyses, released when it returns
    account_id = snapshot.account.account_id
    for meta in checks:
        found = by_check.setdefault(meta.id, [])
        regions = snapshot.regions if meta.scope is Scope.REGION else [GLOBAL]
        for region in regions:
            context = CheckContext(snapshot, config, meta, region, derived)
            found.extend(_to_findings(meta, account_id, _judge_scope(meta, context), names))
    return _in_order(by_check)


_REGION = operator.attrgetter("region")
_RESOURCE = operator.attrgetter("resource")


def _in_order(by_check: dict[str, list[Finding]]) -> list[Finding]:
    """The findings sorted by check id, account id, region and resource (a stable sort), built faster.

    One evaluation's findings share their account and arrive grouped by check: the groups are taken in
    check id order, and within one, a stable sort by resource followed by one by region gives the order of
    one sort on both, without a key tuple per finding (hundreds of thousands in a large account)."""
    ordered: list[Finding] = []
    for check_id in sorted(by_check):
        found = by_check[check_id]
        found.sort(key=_RESOURCE)
        found.sort(key=_REGION)
        ordered.extend(found)
    return ordered


def _judge_scope(meta: CheckMeta, context: CheckContext) -> list[Result]:
    missing = _missing_inputs(meta, context)
    if missing:
        return [
            context.unknown(
                context.scope_arn(),
                "Cannot judge: " + "; ".join(f"{m.dataset} not collected ({m.reason})" for m in missing),
                {"missing": [_describe(m) for m in missing]},
            )
        ]
    try:
        return list(meta.function(context))
    except NotCollected as absent:
        # Partial results of a scope that hit missing data are discarded: nothing may rest on it.
        return [
            context.unknown(
                context.scope_arn(),
                f"Cannot judge: {absent.dataset} not collected ({absent.reason})",
                {"missing": [_describe(absent)]},
            )
        ]
    except Exception as crash:
        return [
            context.unknown(
                context.scope_arn(),
                f"Check could not evaluate the data: {type(crash).__name__}: {crash}",
                {"error": f"{type(crash).__name__}: {crash}"},
            )
        ]


def _missing_inputs(meta: CheckMeta, context: CheckContext) -> list[NotCollected]:
    missing = []
    for need in meta.needs:
        if need.optional:
            continue
        region = context.region if need.regional else GLOBAL
        if need.regional and region == GLOBAL:
            continue  # an account-scope check reads regional data itself and reports per region
        if not context.snapshot.has(need.service, region, need.dataset):
            reason = context.snapshot.why_missing(need.service, region, need.dataset)
            missing.append(NotCollected(need.service, region, need.dataset, reason))
    return missing


def _describe(missing: NotCollected) -> dict[str, str]:
    return {
        "service": missing.service,
        "region": missing.region,
        "dataset": missing.dataset,
        "reason": missing.reason,
    }


def _to_findings(
    meta: CheckMeta, account_id: str, results: Iterable[Result], names: ResourceNames
) -> Iterator[Finding]:
    # Runs once per finding (hundreds of thousands in a large account): the check's fields are read once,
    # and a snapshot without Name tags skips the name lookups (they could only answer "no name").
    check_id, manual, default_severity = meta.id, meta.manual, meta.severity
    annotate, name_of, named = names.annotate, names.name_of, names.any_named
    for result in results:
        status = result.status
        if manual and status is Status.PASS:
            status = Status.MANUAL
        yield new_finding(
            check_id,
            status,
            result.severity or default_severity,
            account_id,
            result.region,
            result.resource,
            annotate(result.message) if named else result.message,
            result.evidence,
            name_of(result.resource) if named else None,
        )
