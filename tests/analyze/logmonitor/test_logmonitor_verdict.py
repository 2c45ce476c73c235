"""Verdicts by meaning: the CIS texts pass, rewritten equivalents pass, weakened ones fail and say why."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from awsaudit.analyze.logmonitor import (
    CIS_VERSIONS,
    CONTROL_IDS,
    VerdictStatus,
    classify_metric_filters,
    evaluate_filter,
    requirements,
)
from awsaudit.analyze.logmonitor.matching import matches_event
from awsaudit.analyze.logmonitor.syntax import (
    AllOf,
    AnyOf,
    Check,
    Expression,
    NumberValue,
    RegexValue,
    parse_filter_pattern,
)

# CIS texts as transcribed by Prowler (unquoted) and Steampipe (quoted), per /work/shared/reference §3b.
CIS_PATTERNS: list[dict[str, Any]] = json.loads((Path(__file__).parent / "cis_patterns.json").read_text())
CASES = [
    (c["control"], v, c["source"], c["expect"], c["pattern"]) for c in CIS_PATTERNS for v in c["versions"]
]
LATEST = "7.0.0"


def _ids(case: tuple[str, str, str, str, str]) -> str:
    return f"{case[0]}-{case[1]}-{case[2]}"


def render(tree: Expression, *, reverse: bool = False, joiner: str = " ") -> str:
    """Write a syntax tree back as a pattern body, fully parenthesised."""
    if isinstance(tree, AllOf | AnyOf):
        operator = " && " if isinstance(tree, AllOf) else " || "
        parts = [render(o, reverse=reverse, joiner=joiner) for o in tree.operands]
        return "(" + f"{joiner}{operator.strip()}{joiner}".join(reversed(parts) if reverse else parts) + ")"
    if isinstance(tree, Check):
        return f"{tree.selector.text} {tree.predicate.value}"
    value = tree.value
    if isinstance(value, NumberValue):
        text = value.text
    elif isinstance(value, RegexValue):
        text = f"%{value.text}%"
    else:
        text = '"' + value.text.replace('"', '\\"') + '"'
    return f"({tree.selector.text} {tree.operator.value} {text})"


def tree_of(pattern: str) -> Expression:
    tree = parse_filter_pattern(pattern).expression
    assert tree is not None
    return tree


def cis_text(control: str, version: str = LATEST) -> str:
    return str(
        next(c["pattern"] for c in CIS_PATTERNS if c["control"] == control and version in c["versions"])
    )


def unquote(pattern: str) -> str:
    return re.sub(r'"([A-Za-z0-9*._-]+)"', r"\1", pattern)


def quote(pattern: str) -> str:
    return re.sub(r'(!=|=)\s*(?![\s"])([^)"}&|]+?)\s*(?=\)|&&|\|\||\})', r'\1 "\2"', pattern)


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_cis_texts(case: tuple[str, str, str, str, str]) -> None:
    control, version, _, expect, pattern = case
    verdict = evaluate_filter(pattern, control, version)
    assert verdict.status.value == expect, verdict.summary


@pytest.mark.parametrize("case", CASES, ids=_ids)
@pytest.mark.parametrize("transcription", [quote, unquote])
def test_quoting_does_not_change_the_verdict(
    case: tuple[str, str, str, str, str], transcription: Callable[[str], str]
) -> None:
    control, version, _, expect, pattern = case
    assert evaluate_filter(transcription(pattern), control, version).status.value == expect


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_reordered_and_reformatted_equivalents_keep_the_verdict(case: tuple[str, str, str, str, str]) -> None:
    control, version, _, expect, pattern = case
    tree = tree_of(pattern)
    for body in (
        render(tree, reverse=True),
        render(tree, joiner="\n  "),
        render(tree, reverse=True, joiner="\t"),
    ):
        assert evaluate_filter("{\n" + body + "\n}", control, version).status.value == expect, body


def test_hand_reordered_unauthorized_text_keeps_its_meaning() -> None:
    pattern = """{ ($.eventName != "HeadBucket") && ($.sourceIPAddress != "delivery.logs.amazonaws.com")
                   && ($.errorCode = "AccessDenied*")
                 || ($.errorCode = "*UnauthorizedOperation") }"""
    assert evaluate_filter(pattern, "unauthorized_api_calls", LATEST).satisfied


@pytest.mark.parametrize("control", CONTROL_IDS)
def test_superset_of_the_cis_text_passes(control: str) -> None:
    body = render(tree_of(cis_text(control)))
    assert evaluate_filter(f"{{ {body} || ($.eventName = DeleteFlowLogs) }}", control, LATEST).satisfied


@pytest.mark.parametrize("control", [c for c in CONTROL_IDS if "||" in cis_text(c)])
def test_all_and_version_never_matches_and_names_missed_events(control: str) -> None:
    def all_and(tree: Expression) -> Expression:
        if isinstance(tree, AllOf | AnyOf):
            return AllOf(tuple(all_and(o) for o in tree.operands))
        return tree

    verdict = evaluate_filter("{" + render(all_and(tree_of(cis_text(control)))) + "}", control, LATEST)
    assert verdict.status is VerdictStatus.NOT_SATISFIED
    assert {o.event_name for o in verdict.missed} == {
        e.event_name for e in requirements(control, LATEST).must_match
    }


@pytest.mark.parametrize("control", CONTROL_IDS)
def test_subset_fails_naming_what_changed(control: str) -> None:
    tree = tree_of(cis_text(control))
    weakened = _drop_last_operand_of_largest_group(tree)
    verdict = evaluate_filter("{" + render(weakened) + "}", control, LATEST)
    assert verdict.status is VerdictStatus.NOT_SATISFIED
    assert verdict.missed or verdict.wrongly_matched
    assert all(o.event_name and o.why for o in (*verdict.missed, *verdict.wrongly_matched))


@pytest.mark.parametrize("control", CONTROL_IDS)
def test_narrowed_to_one_region_fails(control: str) -> None:
    regions = {e.record["awsRegion"] for e in requirements(control, LATEST).must_match}
    # IAM and Organizations events are always recorded in us-east-1, so narrowing to it loses nothing.
    region = "us-east-1" if regions != {"us-east-1"} else "eu-west-1"
    verdict = evaluate_filter(
        f"{{ {render(tree_of(cis_text(control)))} && $.awsRegion = {region} }}", control, LATEST
    )
    assert verdict.status is VerdictStatus.NOT_SATISFIED
    assert verdict.missed and all(
        e.record["awsRegion"] != region
        for e in requirements(control, LATEST).must_match
        if e.event_id in {o.event_id for o in verdict.missed}
    )


@pytest.mark.parametrize("control", CONTROL_IDS)
@pytest.mark.parametrize(
    "pattern",
    [
        "{ $.eventname = CreateTrail }",
        "{ $.eventName = ConsoleLogin && $.eventName = CreateTrail }",
        "NoSuchTerm",
    ],
)
def test_never_matching_patterns_fail(control: str, pattern: str) -> None:
    verdict = evaluate_filter(pattern, control, LATEST)
    assert verdict.status is VerdictStatus.NOT_SATISFIED
    assert len(verdict.missed) == len(requirements(control, LATEST).must_match)


def test_match_everything_fails_on_exclusions() -> None:
    verdict = evaluate_filter("", "root_account_usage", LATEST)
    assert not verdict.missed
    assert {o.event_id for o in verdict.wrongly_matched} == {
        "root-invoked-by-service",
        "root-aws-service-event",
        "iam-user-api-call",
    }


def test_cis_v3_unauthorized_text_matches_almost_everything() -> None:
    pattern = cis_text("unauthorized_api_calls", "3.0.0")
    verdict = evaluate_filter(pattern, "unauthorized_api_calls", "3.0.0")
    assert not verdict.missed
    assert {o.event_name for o in verdict.wrongly_matched} == {
        "GetBucketAcl",
        "HeadBucket",
        "DescribeInstances",
    }
    assert verdict.summary.startswith("also matches ")
    assert "DescribeInstances (unrelated read-only call)" in verdict.summary


def test_security_hub_unauthorized_string_alerts_on_log_delivery() -> None:
    verdict = evaluate_filter(
        '{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}',
        "unauthorized_api_calls",
        LATEST,
    )
    assert {o.event_id for o in verdict.wrongly_matched} == {
        "delivery-logs-access-denied",
        "head-bucket-access-denied",
    }


def test_missing_exclusion_for_root_names_the_service_event() -> None:
    verdict = evaluate_filter(
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS }',
        "root_account_usage",
        LATEST,
    )
    assert [o.event_id for o in verdict.wrongly_matched] == ["root-aws-service-event"]


def test_security_group_list_depends_on_the_cis_version() -> None:
    without = cis_text("security_group_changes", "3.0.0")
    assert evaluate_filter(without, "security_group_changes", "3.0.0").satisfied
    for version in ("5.0.0", "7.0.0"):
        verdict = evaluate_filter(without, "security_group_changes", version)
        assert [o.event_name for o in verdict.missed] == ["ModifySecurityGroupRules"]


def test_route_table_precedence_leaves_event_source_on_create_route_only() -> None:
    pattern = cis_text("route_table_changes")
    assert evaluate_filter(pattern, "route_table_changes", LATEST).satisfied
    tree = tree_of(pattern)
    assert isinstance(tree, AnyOf) and isinstance(tree.operands[0], AllOf) and len(tree.operands) == 7
    parsed = parse_filter_pattern(pattern)
    api_gateway = {"eventSource": "apigateway.amazonaws.com", "awsRegion": "eu-west-1"}
    assert not matches_event(parsed, {**api_gateway, "eventName": "CreateRoute"})
    assert matches_event(parsed, {**api_gateway, "eventName": "DeleteRoute"})


def test_regex_and_wildcard_equivalents_pass() -> None:
    template = "{ ($.eventSource = kms.amazonaws.com) && (($.eventName = %s) || ($.eventName = Schedule*)) }"
    # CloudWatch rejects parentheses inside a regex, so the first form cannot exist in an account.
    rejected = evaluate_filter(template % "%^(DisableKey)$%", "kms_cmk_disable_or_deletion", LATEST)
    assert rejected.status is VerdictStatus.UNPARSEABLE
    assert evaluate_filter(template % "%^DisableKey$%", "kms_cmk_disable_or_deletion", LATEST).satisfied


def test_unparseable_and_unevaluable_patterns_carry_the_reason() -> None:
    broken = evaluate_filter("{ $.eventName = CreateTrail ", "cloudtrail_config_changes", LATEST)
    assert broken.status is VerdictStatus.UNPARSEABLE
    assert broken.error is not None and "position" in broken.error and not broken.satisfied
    spaced = evaluate_filter("[version, account, ...]", "cloudtrail_config_changes", LATEST)
    assert spaced.status is VerdictStatus.NOT_EVALUABLE and not spaced.satisfied


@pytest.mark.parametrize("version", CIS_VERSIONS)
def test_classify_metric_filters_on_one_log_group(version: str) -> None:
    filters = [
        {
            "filterName": "root",
            "logGroupName": "trail",
            "filterPattern": cis_text("root_account_usage", version),
        },
        {"filterName": "broken", "logGroupName": "trail", "filterPattern": "{ $.eventName = "},
        {"filterName": "vpc", "logGroupName": "trail", "filterPattern": cis_text("vpc_changes", version)},
    ]
    result = classify_metric_filters(filters, version)
    assert [m.satisfied_controls for m in result] == [("root_account_usage",), (), ("vpc_changes",)]
    assert result[1].verdicts["vpc_changes"].status is VerdictStatus.UNPARSEABLE
    json.dumps([v.as_evidence() for m in result for v in m.verdicts.values()])


def _drop_last_operand_of_largest_group(tree: Expression) -> Expression:
    groups: list[AllOf | AnyOf] = []

    def collect(node: Expression) -> None:
        if isinstance(node, AllOf | AnyOf):
            groups.append(node)
            for operand in node.operands:
                collect(operand)

    collect(tree)
    target = max(groups, key=lambda g: len(g.operands))

    def rebuild(node: Expression) -> Expression:
        if node is target:
            kept = node.operands[:-1]
            return kept[0] if len(kept) == 1 else type(node)(kept)
        if isinstance(node, AllOf | AnyOf):
            return type(node)(tuple(rebuild(o) for o in node.operands))
        return node

    return rebuild(tree)


def test_render_round_trips() -> None:
    for case in CIS_PATTERNS:
        rendered = render(tree_of(case["pattern"]))
        assert render(tree_of("{" + rendered + "}")) == rendered
