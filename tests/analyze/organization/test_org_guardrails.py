"""Guardrails judged by what the SCPs above each account deny."""

from __future__ import annotations

import pytest
from tests.organization_snapshots import (
    ALLOW_ALL,
    GUARDED_MEMBER,
    GUARDED_OU,
    MANAGEMENT,
    ROOT,
    ROOT_MEMBER,
    WEAK_MEMBER,
    WEAK_OU,
    default_policies,
    failed,
    organization_snapshot,
    policy,
    without_field,
)

from awsaudit.analyze.iam.errors import PolicyParseError
from awsaudit.analyze.organization.guardrails import (
    GuardState,
    baseline_items,
    guardrails_of_snapshot,
    parse_organization_policies,
)
from awsaudit.config import DEFAULT_BASELINE_ACTIONS
from awsaudit.snapshot import NotCollected

BASELINE = baseline_items(DEFAULT_BASELINE_ACTIONS, ("OrganizationAccountAccessRole",), ())


def test_guarded_ou_denies_every_baseline_item_and_weak_ou_none() -> None:
    report = guardrails_of_snapshot(organization_snapshot().build(), BASELINE)
    guarded = report.account(GUARDED_MEMBER)
    weak = report.account(WEAK_MEMBER)
    assert guarded is not None and weak is not None
    assert guarded.allowed == ()
    assert {v.state for v in guarded.verdicts} == {GuardState.DENIED}
    assert set(weak.allowed) == {item.label for item in BASELINE}
    # The deny is judged for an ordinary principal; the exempted audit role is what the condition spares.
    assert any("ProtectSecurityServices" in s for v in guarded.verdicts for s in v.statements)


def test_management_account_is_out_of_scp_reach() -> None:
    report = guardrails_of_snapshot(organization_snapshot().build(), BASELINE)
    assert report.management_account == MANAGEMENT
    assert report.account(MANAGEMENT) is None
    assert {a.id for a in report.accounts} == {GUARDED_MEMBER, WEAK_MEMBER, ROOT_MEMBER}


def test_a_cosmetic_scp_is_no_guardrail() -> None:
    report = guardrails_of_snapshot(organization_snapshot().build(), BASELINE)
    assert report.policies_without_effect == ("no-reserved-instances",)
    assert set(report.denying_policies) == {"security-baseline"}


def test_placement_names_the_topmost_node_with_nothing_guarded_beneath() -> None:
    report = guardrails_of_snapshot(organization_snapshot().build(), BASELINE)
    weak = report.account(WEAK_MEMBER)
    loose = report.account(ROOT_MEMBER)
    assert weak is not None and loose is not None
    # The root has a guarded OU beneath it: the deny goes on the weak OU, and on the loose account itself.
    assert set(weak.attach_at.values()) == {WEAK_OU}
    assert set(loose.attach_at.values()) == {ROOT_MEMBER}
    containers = {c.id: c for c in report.containers}
    assert containers[GUARDED_OU].allowed == ()
    assert set(containers[ROOT].allowed) == {item.label for item in BASELINE}


def test_scp_allow_must_exist_at_every_level() -> None:
    """An OU without FullAWSAccess (or any allow) blocks everything beneath it."""
    policies = [
        policy(
            "p-FullAWSAccess",
            "FullAWSAccess",
            ALLOW_ALL,
            [ROOT, GUARDED_OU, WEAK_MEMBER, GUARDED_MEMBER],
            True,
        ),
    ]
    report = guardrails_of_snapshot(organization_snapshot(policies).build(), BASELINE)
    weak = report.account(WEAK_MEMBER)
    assert weak is not None
    assert {v.state for v in weak.verdicts} == {GuardState.NOT_ALLOWED}


def test_disabled_scps_guard_nothing() -> None:
    report = guardrails_of_snapshot(organization_snapshot(scp_enabled=False).build(), BASELINE)
    guarded = report.account(GUARDED_MEMBER)
    assert guarded is not None
    assert set(guarded.allowed) == {item.label for item in BASELINE}
    assert report.scp_enabled is False


def test_deny_on_some_resources_is_partial() -> None:
    only_org_trail = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Action": "cloudtrail:StopLogging",
                "Resource": "arn:aws:cloudtrail:*:*:trail/org",
            }
        ],
    }
    policies = [*default_policies(), policy("p-trail", "org-trail", only_org_trail, [WEAK_OU])]
    report = guardrails_of_snapshot(organization_snapshot(policies).build(), BASELINE)
    weak = report.account(WEAK_MEMBER)
    assert weak is not None
    states = {v.item.label: v.state for v in weak.verdicts}
    assert states["cloudtrail:StopLogging"] is GuardState.PARTIAL


def test_deny_on_an_unknown_condition_is_conditional() -> None:
    tagged = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Action": "cloudtrail:DeleteTrail",
                "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": "security"}},
            }
        ],
    }
    policies = [*default_policies(), policy("p-tag", "tagged", tagged, [WEAK_OU])]
    report = guardrails_of_snapshot(organization_snapshot(policies).build(), BASELINE)
    weak = report.account(WEAK_MEMBER)
    assert weak is not None
    assert "cloudtrail:DeleteTrail" in weak.conditional


def test_region_restriction_is_asked_when_configured() -> None:
    items = baseline_items((), (), ("eu-west-1", "eu-central-1"))
    region_lock = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "NotAction": ["iam:*", "organizations:*", "sts:*"],
                "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}},
            }
        ],
    }
    policies = [*default_policies(), policy("p-region", "regions", region_lock, [GUARDED_OU])]
    report = guardrails_of_snapshot(organization_snapshot(policies).build(), items)
    guarded, weak = report.account(GUARDED_MEMBER), report.account(WEAK_MEMBER)
    assert guarded is not None and weak is not None
    assert guarded.allowed == () and len(weak.allowed) == 1


def test_missing_targets_or_content_is_not_collected() -> None:
    broken = [without_field(default_policies()[1], "Targets"), *default_policies()[:1]]
    with pytest.raises(NotCollected):
        guardrails_of_snapshot(organization_snapshot(broken).build(), BASELINE)
    with pytest.raises(NotCollected):
        guardrails_of_snapshot(
            failed(organization_snapshot(), "organizations", "AccountParents").build(), BASELINE
        )


def test_malformed_scp_is_set_apart_and_names_the_targets_beneath_it() -> None:
    bad = policy("p-bad", "bad", {"Statement": "nope"}, [WEAK_OU])
    bad["Content"] = "{not json"
    report = guardrails_of_snapshot(organization_snapshot([*default_policies(), bad]).build(), BASELINE)
    (name,) = report.unreadable_policies
    assert name == "SCP bad" and "invalid JSON" in report.unreadable_policies[name][1]
    weak = report.account(WEAK_MEMBER)
    guarded = report.account(GUARDED_MEMBER)
    assert weak is not None and guarded is not None
    assert set(report.unreadable_for(weak)) == {"SCP bad"}
    assert report.unreadable_for(guarded) == {}
    with pytest.raises(PolicyParseError):
        parse_organization_policies([bad], "SCP")  # without a place to set it apart, it is an error
