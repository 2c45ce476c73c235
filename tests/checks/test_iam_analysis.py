"""iam.privilege_escalation, iam.separation_of_duties and iam.external_trust on hand-built accounts."""

from __future__ import annotations

import json
from typing import Any

import pytest

from awsaudit.analyze.iam import parse_authorization_details
from awsaudit.analyze.iam.adapters import IamModel, build_iam_model
from awsaudit.checks.iam import analysis as iam_checks
from awsaudit.checks.registry import all_checks
from awsaudit.checks.runner import run_checks
from awsaudit.config import AuditConfig
from awsaudit.findings import Finding, Severity, Status
from awsaudit.snapshot import Snapshot
from tests.builders import ACCOUNT_ID, SnapshotBuilder, run, statuses

ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"
OTHER_ACCOUNT = "444455556666"
GITHUB = f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com"


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: str | list[str], resource: str | list[str] = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def trust(principal: dict[str, Any] | str, action: str = "sts:AssumeRole", **extra: Any) -> dict[str, Any]:
    return doc({"Effect": "Allow", "Principal": principal, "Action": action, **extra})


def arn(kind: str, name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT_ID}:{kind}/{name}"


class Account:
    """Authorization details built up one principal at a time (AWS field names, as collected)."""

    def __init__(self) -> None:
        self.users: list[dict[str, Any]] = []
        self.roles: list[dict[str, Any]] = []
        self.groups: list[dict[str, Any]] = []
        self.policies: list[dict[str, Any]] = [self._managed(ADMIN_POLICY, doc(allow("*")))]

    @staticmethod
    def _managed(policy_arn: str, document: object) -> dict[str, Any]:
        return {
            "Arn": policy_arn,
            "DefaultVersionId": "v1",
            "PolicyVersionList": [{"Document": document, "VersionId": "v1", "IsDefaultVersion": True}],
        }

    def policy(self, name: str, document: object) -> str:
        self.policies.append(self._managed(arn("policy", name), document))
        return arn("policy", name)

    def user(
        self,
        name: str,
        *,
        inline: object = None,
        attached: tuple[str, ...] = (),
        groups: tuple[str, ...] = (),
    ) -> str:
        self.users.append(
            {
                "UserName": name,
                "UserId": f"AIDA{name.upper()}",
                "Arn": arn("user", name),
                "GroupList": list(groups),
                "UserPolicyList": [] if inline is None else [{"PolicyName": "own", "PolicyDocument": inline}],
                "AttachedManagedPolicies": [
                    {"PolicyArn": a, "PolicyName": a.rsplit("/")[-1]} for a in attached
                ],
            }
        )
        return arn("user", name)

    def role(
        self, name: str, trust_policy: object, *, attached: tuple[str, ...] = (), profile: bool = False
    ) -> str:
        self.roles.append(
            {
                "RoleName": name,
                "RoleId": f"AROA{name.upper()}",
                "Arn": arn("role", name),
                "AssumeRolePolicyDocument": trust_policy,
                "RolePolicyList": [],
                "AttachedManagedPolicies": [
                    {"PolicyArn": a, "PolicyName": a.rsplit("/")[-1]} for a in attached
                ],
                "InstanceProfileList": [{"Arn": arn("instance-profile", name)}] if profile else [],
            }
        )
        return arn("role", name)

    def builder(self) -> SnapshotBuilder:
        details = {
            "UserDetailList": self.users,
            "GroupDetailList": self.groups,
            "RoleDetailList": self.roles,
            "Policies": self.policies,
        }
        return SnapshotBuilder().with_dataset("iam", "AccountAuthorizationDetails", details)


def by_resource(findings: list[Finding]) -> dict[str, Finding]:
    assert len({f.resource for f in findings}) == len(findings), findings
    return {f.resource: f for f in findings}


DENIED = SnapshotBuilder().with_error(
    "iam", "AccountAuthorizationDetails", operation="GetAccountAuthorizationDetails"
)
SAME_ACCOUNT = trust({"AWS": f"arn:aws:iam::{ACCOUNT_ID}:root"})


@pytest.mark.parametrize(
    "check_id", ["iam.privilege_escalation", "iam.separation_of_duties", "iam.external_trust"]
)
def test_unknown_without_authorization_details(check_id: str) -> None:
    (finding,) = run(DENIED.build(), check_id)
    assert (finding.status, finding.resource) == (Status.UNKNOWN, f"arn:aws:iam::{ACCOUNT_ID}:root")


@pytest.mark.parametrize(
    "check_id", ["iam.privilege_escalation", "iam.separation_of_duties", "iam.external_trust"]
)
def test_structurally_broken_details_are_unknown_for_the_account(check_id: str) -> None:
    broken = {"UserDetailList": [{"UserName": "nameless-arn"}], "RoleDetailList": [], "Policies": []}
    snapshot = SnapshotBuilder().with_dataset("iam", "AccountAuthorizationDetails", broken).build()
    (finding,) = run(snapshot, check_id)
    assert finding.status is Status.UNKNOWN and "missing Arn" in finding.message


# ---------------------------------------------------------------- privilege escalation


def test_escalation_paths_fail_with_each_hop_and_the_others_pass() -> None:
    account = Account()
    account.role("admin", SAME_ACCOUNT, attached=(ADMIN_POLICY,))
    editable = account.policy("editable", doc(allow("iam:CreatePolicyVersion", arn("policy", "editable"))))
    account.user("mallory", attached=(editable,))
    account.role("ec2-admin", trust({"Service": "ec2.amazonaws.com"}), attached=(ADMIN_POLICY,), profile=True)
    account.user("launcher", inline=doc(allow(["iam:PassRole", "ec2:RunInstances"])))
    account.user("reader", inline=doc(allow("s3:GetObject", "arn:aws:s3:::reports/*")))
    findings = by_resource(run(account.builder().build(), "iam.privilege_escalation"))
    assert {resource: f.status for resource, f in findings.items()} == {
        arn("user", "mallory"): Status.FAIL,
        arn("user", "launcher"): Status.FAIL,
        arn("user", "reader"): Status.PASS,
    }, "administrators are not listed"
    mallory = findings[arn("user", "mallory")]
    assert mallory.severity is Severity.HIGH and mallory.evidence["reaches"] == "admin"
    (hop,) = mallory.evidence["hops"]
    assert (hop["from"], hop["to"], hop["method"]) == (
        arn("user", "mallory"),
        "admin",
        "iam:CreatePolicyVersion",
    )
    assert hop["statements"] == [f"{editable} statement #0"]
    launcher = findings[arn("user", "launcher")]
    (hop,) = launcher.evidence["hops"]
    assert (hop["to"], hop["permissions"]) == (arn("role", "ec2-admin"), ["iam:PassRole", "ec2:RunInstances"])
    assert hop["statements"] == ["user launcher inline policy own statement #0"]
    assert launcher.evidence["reaches"] == arn("role", "ec2-admin")


def test_a_conditional_path_fails_with_lower_severity_and_names_the_condition() -> None:
    account = Account()
    account.role("admin", SAME_ACCOUNT, attached=(ADMIN_POLICY,))
    mfa = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    account.user("operator", inline=doc(allow("sts:AssumeRole", arn("role", "admin"), Condition=mfa)))
    (finding,) = run(account.builder().build(), "iam.privilege_escalation")
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.MEDIUM)
    assert "aws:MultiFactorAuthPresent" in finding.message
    (hop,) = finding.evidence["hops"]
    assert hop["conditions"][0]["conditions"] == [
        {"operator": "Bool", "key": "aws:MultiFactorAuthPresent", "values": ["true"]}
    ]


def test_missing_or_malformed_policies_make_only_their_holders_unknown() -> None:
    account = Account()
    account.role("admin", SAME_ACCOUNT, attached=(ADMIN_POLICY,))
    account.user("absent", attached=(arn("policy", "not-collected"),))
    account.user("garbled", inline="{not json")
    broken = account.policy("broken", {"Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]})
    account.user("holder", attached=(broken,))
    account.user("reader", inline=doc(allow("s3:GetObject", "arn:aws:s3:::reports/*")))
    findings = by_resource(run(account.builder().build(), "iam.privilege_escalation"))
    assert {resource: f.status for resource, f in findings.items()} == {
        arn("user", "absent"): Status.UNKNOWN,
        arn("user", "garbled"): Status.UNKNOWN,
        arn("user", "holder"): Status.UNKNOWN,
        arn("user", "reader"): Status.PASS,
    }
    garbled = findings[arn("user", "garbled")]
    assert garbled.evidence["unknown_policies"] == ["user/garbled inline policy own (unreadable)"]
    assert "invalid JSON" in next(iter(garbled.evidence["unreadable"].values()))
    assert "Effect must be" in str(findings[arn("user", "holder")].evidence["unreadable"])


def test_an_unreadable_trust_on_an_admin_role_makes_everyone_it_could_admit_unknown() -> None:
    # Within the account a trust naming a principal suffices, so an unreadable one could admit anybody that
    # no explicit deny (or boundary, or SCP) keeps from sts:AssumeRole.
    account = Account()
    account.role(
        "admin", {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}, attached=(ADMIN_POLICY,)
    )
    account.user("assumer", inline=doc(allow("sts:AssumeRole", arn("role", "admin"))))
    account.user("reader", inline=doc(allow("s3:GetObject", "arn:aws:s3:::reports/*")))
    no_assume = {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}
    account.user("fenced", inline=doc(allow("s3:GetObject", "arn:aws:s3:::reports/*"), no_assume))
    snapshot = account.builder().build()
    escalation = by_resource(run(snapshot, "iam.privilege_escalation"))
    assert {resource: f.status for resource, f in escalation.items()} == {
        arn("user", "assumer"): Status.UNKNOWN,
        arn("user", "reader"): Status.UNKNOWN,
        arn("user", "fenced"): Status.PASS,
    }
    evidence = escalation[arn("user", "reader")].evidence
    assert evidence["unknown_node"] == arn("role", "admin")
    assert "needs Principal" in evidence["trust_policy_problem"]
    assert "role/admin" in escalation[arn("user", "reader")].message
    (trust_finding,) = run(snapshot, "iam.external_trust")
    assert (trust_finding.resource, trust_finding.status) == (arn("role", "admin"), Status.UNKNOWN)
    assert "Principal" in trust_finding.message


def test_passrole_into_a_role_whose_policy_is_unreadable_is_unknown_naming_it() -> None:
    account = Account()
    broken = account.policy("broken", {"Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]})
    account.role("worker", trust({"Service": "ec2.amazonaws.com"}), attached=(broken,), profile=True)
    account.role("ec2-admin", trust({"Service": "ec2.amazonaws.com"}), attached=(ADMIN_POLICY,), profile=True)
    account.user(
        "launcher", inline=doc(allow(["iam:PassRole", "ec2:RunInstances"], [arn("role", "worker"), "*"]))
    )
    account.user(
        "narrow", inline=doc(allow("iam:PassRole", arn("role", "worker")), allow("ec2:RunInstances"))
    )
    account.user("reader", inline=doc(allow("s3:GetObject", "arn:aws:s3:::reports/*")))
    findings = by_resource(run(account.builder().build(), "iam.privilege_escalation"))
    assert {resource: f.status for resource, f in findings.items()} == {
        arn("role", "worker"): Status.UNKNOWN,
        arn("user", "launcher"): Status.FAIL,  # a definite path (to ec2-admin) beats an unknown one
        arn("user", "narrow"): Status.UNKNOWN,
        arn("user", "reader"): Status.PASS,
    }
    narrow = findings[arn("user", "narrow")]
    assert narrow.evidence["unknown_node"] == arn("role", "worker")
    assert narrow.evidence["unknown_policies"] == [broken]
    assert "Effect must be" in next(iter(narrow.evidence["unreadable"].values()))
    (hop,) = narrow.evidence["hops"]
    assert (hop["to"], hop["permissions"]) == (arn("role", "worker"), ["iam:PassRole", "ec2:RunInstances"])


def test_a_role_without_a_trust_policy_in_the_snapshot_is_unknown_not_untrusted() -> None:
    account = Account()
    account.role("admin", SAME_ACCOUNT, attached=(ADMIN_POLICY,))
    del account.roles[-1]["AssumeRolePolicyDocument"]
    account.user("reader", inline=doc(allow("s3:GetObject", "arn:aws:s3:::reports/*")))
    snapshot = account.builder().build()
    (escalation,) = run(snapshot, "iam.privilege_escalation")
    assert escalation.status is Status.UNKNOWN
    assert escalation.evidence["trust_policy_problem"] == "no trust policy in the snapshot"
    (trust_finding,) = run(snapshot, "iam.external_trust")
    assert trust_finding.status is Status.UNKNOWN


def _organization_snapshot(account: Account, management: str, scp: dict[str, Any]) -> SnapshotBuilder:
    policies = [
        {
            "PolicySummary": {"Id": "p-full", "Name": "FullAWSAccess"},
            "Content": json.dumps(doc(allow("*"))),
            "Targets": [
                {"TargetId": "r-root", "Type": "ROOT"},
                {"TargetId": ACCOUNT_ID, "Type": "ACCOUNT"},
                {"TargetId": "ou-work", "Type": "ORGANIZATIONAL_UNIT"},
            ],
        },
        {
            "PolicySummary": {"Id": "p-guard", "Name": "guardrail"},
            "Content": json.dumps(scp),
            "Targets": [{"TargetId": "r-root", "Type": "ROOT"}],
        },
    ]
    return (
        account.builder()
        .with_dataset(
            "organizations", "Organization", {"Organization": {"Id": "o-1", "MasterAccountId": management}}
        )
        .with_dataset("organizations", "Policies", policies)
    )


def _policy_editor() -> Account:
    account = Account()
    editable = account.policy("editable", doc(allow("iam:CreatePolicyVersion", arn("policy", "editable"))))
    account.user("mallory", attached=(editable,))
    return account


def test_scps_of_the_root_close_paths_in_a_member_account_but_not_in_the_management_account() -> None:
    guardrail = doc({"Effect": "Deny", "Action": "iam:CreatePolicyVersion", "Resource": "*"})
    member = run(
        _organization_snapshot(_policy_editor(), "999999999999", guardrail).build(),
        "iam.privilege_escalation",
    )
    assert statuses(member) == {arn("user", "mallory"): Status.PASS}
    assert "3 SCP(s)" in member[0].evidence["scps"] and "ou-work" in member[0].evidence["scps"]
    management = run(
        _organization_snapshot(_policy_editor(), ACCOUNT_ID, guardrail).build(), "iam.privilege_escalation"
    )
    assert statuses(management) == {arn("user", "mallory"): Status.FAIL}
    assert "management account" in management[0].evidence["scps"]


def test_unreadable_scps_are_left_out_and_said_so() -> None:
    builder = _organization_snapshot(_policy_editor(), "999999999999", {"Statement": "no"})
    (finding,) = run(builder.build(), "iam.privilege_escalation")
    assert finding.status is Status.FAIL
    assert finding.evidence["scps"].startswith("not applied, unreadable: policy 'SCP guardrail'")


@pytest.mark.parametrize(
    ("organization", "policies", "note"),
    [
        (None, None, "not applied, Organization not collected"),
        ({"Organization": None}, None, "the account is in no organization"),
        ({"Organization": {"MasterAccountId": "999999999999"}}, None, "not applied, Policies not collected"),
        (
            {"Organization": {"MasterAccountId": "999999999999"}},
            [{"PolicySummary": {}, "Content": "{}", "Targets": 3}],
            "not shaped as AWS",
        ),
    ],
)
def test_how_scps_were_considered_is_stated(
    organization: dict[str, Any] | None, policies: list[dict[str, Any]] | None, note: str
) -> None:
    builder = _policy_editor().builder()
    if organization is not None:
        builder.with_dataset("organizations", "Organization", organization)
    if policies is not None:
        builder.with_dataset("organizations", "Policies", policies)
    (finding,) = run(builder.build(), "iam.privilege_escalation")
    assert finding.status is Status.FAIL and note in finding.evidence["scps"]


def test_details_that_are_not_an_object_are_unknown_for_the_account() -> None:
    snapshot = (
        SnapshotBuilder().with_dataset("iam", "AccountAuthorizationDetails", ["not", "details"]).build()
    )
    (finding,) = run(snapshot, "iam.privilege_escalation")
    assert finding.status is Status.UNKNOWN and "not an object" in finding.message


def test_the_graph_is_built_once_per_evaluation_and_shared(monkeypatch: pytest.MonkeyPatch) -> None:
    snapshot = _policy_editor().builder().build()
    checks = all_checks()
    metas = [
        checks[c] for c in ("iam.privilege_escalation", "iam.separation_of_duties", "iam.external_trust")
    ]
    built: list[IamModel] = []

    def counting_build(snapshot: Snapshot, *shared: Any) -> IamModel:
        built.append(build_iam_model(snapshot, *shared))
        return built[-1]

    monkeypatch.setattr(iam_checks, "build_iam_model", counting_build)
    run_checks(snapshot, metas, AuditConfig())
    assert len(built) == 1 and built[0].graph is not None
    # The next evaluation builds its own: nothing derived is kept on the snapshot between them.
    run_checks(snapshot, metas, AuditConfig())
    assert len(built) == 2 and built[1] is not built[0]
    assert not hasattr(snapshot, "derived")


def test_the_authorization_details_are_read_once_for_the_model_and_the_intervention_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import awsaudit.checks.iam as shared_inputs

    snapshot = _policy_editor().builder().build()
    metas = [all_checks()[c] for c in ("iam.privilege_escalation", "organizations.intervention_capability")]
    expected = run_checks(snapshot, metas, AuditConfig())
    read: list[object] = []

    def counting_parse(details: Any) -> Any:
        read.append(details)
        return parse_authorization_details(details)

    monkeypatch.setattr(shared_inputs, "parse_authorization_details", counting_parse)
    assert run_checks(snapshot, metas, AuditConfig()) == expected
    assert len(read) == 1


# ---------------------------------------------------------------- separation of duties


def _duties_account() -> Account:
    account = Account()
    both = doc(allow(["iam:CreatePolicy", "iam:AttachGroupPolicy"]), allow("iam:CreateUser"))
    account.user("wilma", inline=both)
    account.user("definer", inline=doc(allow("iam:CreatePolicy")))
    account.role("admin", SAME_ACCOUNT, attached=(ADMIN_POLICY,))
    return account


def test_holding_both_duties_fails_with_both_sides_and_their_statements() -> None:
    findings = by_resource(run(_duties_account().builder().build(), "iam.separation_of_duties"))
    assert {resource: f.status for resource, f in findings.items()} == {
        arn("user", "wilma"): Status.FAIL,
        arn("user", "definer"): Status.PASS,
        arn("role", "admin"): Status.FAIL,
    }
    wilma = findings[arn("user", "wilma")]
    assert [g["action"] for g in wilma.evidence["define_permissions"]] == [
        "iam:CreatePolicy",
        "iam:AttachGroupPolicy",
    ]
    assert wilma.evidence["assign_identities"] == [
        {
            "action": "iam:CreateUser",
            "statements": ["user wilma inline policy own statement #1"],
            "conditions": [],
        }
    ]


def test_duties_held_through_a_principal_one_can_act_as_count() -> None:
    account = Account()
    account.role(
        "definer", SAME_ACCOUNT, attached=(account.policy("define", doc(allow("iam:CreatePolicy"))),)
    )
    to_definer = allow("sts:AssumeRole", arn("role", "definer"))
    account.user("assigner", inline=doc(allow("iam:CreateUser"), to_definer))
    account.user("creator", inline=doc(allow("iam:CreateUser")))
    account.role("opaque", SAME_ACCOUNT, attached=(arn("policy", "not-collected"),))
    account.user(
        "hopeful", inline=doc(allow("iam:CreateUser"), allow("sts:AssumeRole", arn("role", "opaque")))
    )
    config = AuditConfig(admin_principals=("definer",))
    findings = by_resource(run(account.builder().build(), "iam.separation_of_duties", config))
    assert {resource: f.status for resource, f in findings.items()} == {
        arn("user", "assigner"): Status.FAIL,  # acting as an approved principal is not approval
        arn("user", "creator"): Status.PASS,
        arn("user", "hopeful"): Status.UNKNOWN,
        arn("role", "definer"): Status.PASS,
        arn("role", "opaque"): Status.UNKNOWN,
    }
    assigner = findings[arn("user", "assigner")]
    assert "acting as " + arn("role", "definer") in assigner.message
    (route,) = assigner.evidence["through"]
    assert (route["define_holder"], route["assign_holder"]) == (
        arn("role", "definer"),
        arn("user", "assigner"),
    )
    assert [hop["method"] for hop in route["define_hops"]] == ["sts:AssumeRole"]
    hopeful = findings[arn("user", "hopeful")]
    assert hopeful.evidence["unknown_node"] == arn("role", "opaque")
    assert hopeful.evidence["unknown_policies"] == [arn("policy", "not-collected")]


def test_approved_administrators_pass_by_name_or_arn() -> None:
    config = AuditConfig(admin_principals=("wilma", arn("role", "admin")))
    findings = by_resource(run(_duties_account().builder().build(), "iam.separation_of_duties", config))
    assert {f.status for f in findings.values()} == {Status.PASS}
    assert "approved administrator" in findings[arn("role", "admin")].message


def test_a_duty_held_only_under_conditions_fails_low() -> None:
    account = Account()
    tagged = {"StringEquals": {"aws:PrincipalTag/team": "iam"}}
    account.user(
        "helper", inline=doc(allow("iam:CreateRole"), allow("iam:CreateAccessKey", Condition=tagged))
    )
    (finding,) = run(account.builder().build(), "iam.separation_of_duties")
    assert (finding.status, finding.severity) == (Status.FAIL, Severity.LOW)
    assert "aws:PrincipalTag/team" in finding.message


def test_duties_are_unknown_for_a_principal_with_a_policy_missing() -> None:
    account = Account()
    account.user("absent", inline=doc(allow("iam:CreateRole")), attached=(arn("policy", "not-collected"),))
    (finding,) = run(account.builder().build(), "iam.separation_of_duties")
    assert finding.status is Status.UNKNOWN
    assert finding.evidence["unknown_policies"] == [arn("policy", "not-collected")]


# ---------------------------------------------------------------- external trust


def test_external_trusts_are_judged_per_role_and_internal_ones_are_not_listed() -> None:
    account = Account()
    account.role("internal", SAME_ACCOUNT)
    account.role("service", trust({"Service": "lambda.amazonaws.com"}))
    account.role("anyone", trust({"AWS": "*"}))
    account.role("partner", trust({"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"}))
    account.role(
        "vendor",
        trust({"AWS": OTHER_ACCOUNT}, Condition={"StringEquals": {"sts:ExternalId": "f00d"}}),
    )
    audience = {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}
    account.role(
        "ci-any-repo", trust({"Federated": GITHUB}, "sts:AssumeRoleWithWebIdentity", Condition=audience)
    )
    pinned = {
        **audience,
        "StringLike": {"token.actions.githubusercontent.com:sub": "repo:example/app:ref:refs/heads/main"},
    }
    account.role(
        "ci-one-repo", trust({"Federated": GITHUB}, "sts:AssumeRoleWithWebIdentity", Condition=pinned)
    )
    findings = by_resource(run(account.builder().build(), "iam.external_trust"))
    assert {resource: (f.status, f.severity) for resource, f in findings.items()} == {
        arn("role", "anyone"): (Status.FAIL, Severity.HIGH),
        arn("role", "partner"): (Status.FAIL, Severity.MEDIUM),
        arn("role", "vendor"): (Status.PASS, Severity.HIGH),
        arn("role", "ci-any-repo"): (Status.FAIL, Severity.HIGH),
        arn("role", "ci-one-repo"): (Status.PASS, Severity.HIGH),
    }
    (grant,) = findings[arn("role", "ci-any-repo")].evidence["trusts"]
    assert (grant["kind"], grant["principal"], grant["verdict"]) == ("oidc", GITHUB, "fail")
    assert "'sub'" in findings[arn("role", "ci-any-repo")].message
    (grant,) = findings[arn("role", "vendor")].evidence["trusts"]
    assert grant["conditions"] == [{"operator": "StringEquals", "key": "sts:ExternalId", "values": ["f00d"]}]
