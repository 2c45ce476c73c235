"""Escalation through the principals one can act as: a granter reached by P edits something P can act as."""

import pytest
from iam_builders import ACCOUNT, AccountBuilder, allow, deny, doc, role_arn, trust, user_arn

from awsaudit.analyze.iam import ADMIN, EdgeKind, graph_for, parse_authorization_details

ACCOUNT_ROOT = {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
PUBLISHER = f"arn:aws:iam::{ACCOUNT}:policy/team"


def _hops(account: AccountBuilder, source: str) -> list[tuple[str, str, str, str]] | None:
    path = account.graph().escalation_paths().get(source)
    if path is None:
        return None
    return [(edge.kind.value, edge.source, edge.method, edge.target) for edge in path.edges]


def test_assumed_role_attaches_a_policy_to_the_user_that_assumed_it(account: AccountBuilder) -> None:
    account.role("granter", trust(ACCOUNT_ROOT), inline={"p": doc(allow("iam:AttachUserPolicy", "*"))})
    account.user("pat", inline={"p": doc(allow("sts:AssumeRole", role_arn("granter")))})
    path = account.graph().escalation_paths()[user_arn("pat")]
    assert [(e.kind, e.source, e.method, e.target) for e in path.edges] == [
        (EdgeKind.ACTS_AS, user_arn("pat"), "sts:AssumeRole", role_arn("granter")),
        (EdgeKind.GRANTS, role_arn("granter"), "iam:AttachUserPolicy", user_arn("pat")),
    ]
    assert (path.granter, path.reaches) == (role_arn("granter"), user_arn("pat"))
    assert path.edges[1].statements == ("role granter inline policy p statement #0",)


def test_granter_two_roles_away_edits_a_third_role_the_user_reaches(account: AccountBuilder) -> None:
    account.role("hop1", trust(ACCOUNT_ROOT), inline={"p": doc(allow("sts:AssumeRole", role_arn("hop2")))})
    account.role(
        "hop2", trust({"AWS": role_arn("hop1")}), inline={"p": doc(allow("iam:PutRolePolicy", role_arn("w")))}
    )
    account.role("w", trust(ACCOUNT_ROOT), inline={"p": doc(allow("s3:GetObject"))})
    account.user("pat", inline={"p": doc(allow("sts:AssumeRole", [role_arn("hop1"), role_arn("w")]))})
    assert _hops(account, user_arn("pat")) == [
        ("acts-as", user_arn("pat"), "sts:AssumeRole", role_arn("hop1")),
        ("acts-as", role_arn("hop1"), "sts:AssumeRole", role_arn("hop2")),
        ("grants", role_arn("hop2"), "iam:PutRolePolicy", role_arn("w")),
        ("acts-as", user_arn("pat"), "sts:AssumeRole", role_arn("w")),
    ]


def test_group_edit_through_a_user_whose_key_one_can_create(account: AccountBuilder) -> None:
    account.group("devs")
    account.user(
        "helper", inline={"p": doc(allow("iam:PutGroupPolicy", f"arn:aws:iam::{ACCOUNT}:group/devs"))}
    )
    account.user("pat", groups=["devs"], inline={"p": doc(allow("iam:CreateAccessKey", user_arn("helper")))})
    assert _hops(account, user_arn("pat")) == [
        ("acts-as", user_arn("pat"), "iam:CreateAccessKey", user_arn("helper")),
        ("grants", user_arn("helper"), "iam:PutGroupPolicy", user_arn("pat")),
    ]


def test_policy_version_of_a_policy_the_user_holds(account: AccountBuilder) -> None:
    account.policy("team", doc(allow("s3:ListBucket")))
    account.role(
        "publisher", trust(ACCOUNT_ROOT), inline={"p": doc(allow("iam:CreatePolicyVersion", PUBLISHER))}
    )
    account.user(
        "pat", attached=[PUBLISHER], inline={"p": doc(allow("sts:AssumeRole", role_arn("publisher")))}
    )
    hops = _hops(account, user_arn("pat"))
    assert hops is not None and hops[1] == (
        "grants",
        role_arn("publisher"),
        "iam:CreatePolicyVersion",
        user_arn("pat"),
    )


def test_trust_rewrite_is_a_grant(account: AccountBuilder) -> None:
    account.admin_role("admin", trust({"AWS": user_arn("nobody")}))
    account.user("nobody")
    account.user(
        "pat", inline={"p": doc(allow(["iam:UpdateAssumeRolePolicy", "sts:AssumeRole"], role_arn("admin")))}
    )
    assert _hops(account, user_arn("pat")) == [
        ("grants", user_arn("pat"), "iam:UpdateAssumeRolePolicy", role_arn("admin"))
    ]


def test_condition_on_the_grant_hop_makes_the_path_conditional(account: AccountBuilder) -> None:
    mfa = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    account.role(
        "granter", trust(ACCOUNT_ROOT), inline={"p": doc(allow("iam:PutUserPolicy", "*", Condition=mfa))}
    )
    account.user("pat", inline={"p": doc(allow("sts:AssumeRole", role_arn("granter")))})
    path = account.graph().escalation_paths()[user_arn("pat")]
    assert path.conditional and [e.conditional for e in path.edges] == [False, True]


@pytest.mark.parametrize(
    ("granter_policy", "why"),
    [
        (allow("iam:AttachUserPolicy", user_arn("someone-else")), "grants only to a user pat cannot act as"),
        (
            allow(
                "iam:AttachUserPolicy",
                "*",
                Condition={"ArnEquals": {"iam:PolicyARN": "arn:aws:iam::aws:policy/ReadOnlyAccess"}},
            ),
            "may attach only a read-only policy",
        ),
        (allow("iam:GetUser", "*"), "reads only"),
    ],
)
def test_look_alikes_without_a_way_to_admin(
    account: AccountBuilder, granter_policy: dict[str, object], why: str
) -> None:
    account.user("someone-else")
    account.role("granter", trust(ACCOUNT_ROOT), inline={"p": doc(granter_policy)})
    account.user("pat", inline={"p": doc(allow("sts:AssumeRole", role_arn("granter")))})
    assert _hops(account, user_arn("pat")) is None, why


def test_granter_the_user_cannot_reach_does_not_count(account: AccountBuilder) -> None:
    account.role(
        "granter", trust({"AWS": user_arn("other")}), inline={"p": doc(allow("iam:PutUserPolicy", "*"))}
    )
    account.user("other")
    account.user("pat")
    paths = account.graph().escalation_paths()
    assert user_arn("pat") not in paths
    # `other` can: it assumes the granter, which edits other's own user.
    assert [e.method for e in paths[user_arn("other")].edges] == ["sts:AssumeRole", "iam:PutUserPolicy"]


def test_self_grant_still_ends_at_admin(account: AccountBuilder) -> None:
    account.user("pat", inline={"p": doc(allow("iam:PutUserPolicy", user_arn("pat")))})
    (edge,) = account.graph().escalation_paths()[user_arn("pat")].edges
    assert (edge.kind, edge.target) == (EdgeKind.GRANTS, ADMIN)


def test_unknown_node_on_the_way_is_reported(account: AccountBuilder) -> None:
    missing = f"arn:aws:iam::{ACCOUNT}:policy/not-collected"
    account.role("opaque", trust(ACCOUNT_ROOT), attached=[missing])
    account.user("pat", inline={"p": doc(allow("sts:AssumeRole", role_arn("opaque")))})
    account.user("loner")
    graph = account.graph()
    unknown = graph.unknown_reach()
    assert unknown[user_arn("pat")].node == role_arn("opaque")
    assert [e.target for e in unknown[user_arn("pat")].edges] == [role_arn("opaque")]
    assert user_arn("loner") not in unknown


def test_unreadable_trust_of_an_admin_role_may_admit_anyone_not_kept_out(account: AccountBuilder) -> None:
    # Within the account a trust naming a principal is enough: an unreadable one could name anybody, so only
    # an explicit deny, an SCP or a boundary that withholds sts:AssumeRole keeps a principal out.
    account.admin_role("admin", trust({"AWS": user_arn("nobody")}))
    account.user("pat", inline={"p": doc(allow("sts:AssumeRole", "*"))})
    account.user("reader", inline={"p": doc(allow("s3:GetObject"))})
    account.user("denied", inline={"p": doc(allow("s3:GetObject"), deny("sts:AssumeRole"))})
    bounded = account.policy("bounded", doc(allow("s3:*")))
    account.user("bounded", inline={"p": doc(allow("s3:GetObject"))}, boundary=bounded)
    account.role("worker", trust({"AWS": user_arn("reader")}))
    details = account.details()
    graph = graph_for(parse_authorization_details(details), {role_arn("admin"): "invalid JSON"})
    unknown = graph.unknown_reach()
    assert set(unknown) == {user_arn("pat"), user_arn("reader"), role_arn("worker")}
    for principal in (user_arn("pat"), user_arn("reader"), role_arn("worker")):
        reach = unknown[principal]
        assert (reach.node, reach.trust_problem, reach.edges) == (role_arn("admin"), "invalid JSON", ())
        assert "role/admin leads to admin" in reach.reason


def test_a_role_without_trust_policy_counts_as_unreadable(account: AccountBuilder) -> None:
    account.admin_role("admin")
    account.roles[-1].pop("AssumeRolePolicyDocument")
    account.user("reader", inline={"p": doc(allow("s3:GetObject"))})
    graph = account.graph()
    assert graph.trust_problems() == {role_arn("admin"): "no trust policy in the snapshot"}
    assert graph.unknown_reach()[user_arn("reader")].node == role_arn("admin")


def test_an_unreadable_trust_matters_only_on_a_role_that_leads_somewhere(account: AccountBuilder) -> None:
    account.role("harmless", trust({"AWS": user_arn("pat")}), inline={"p": doc(allow("s3:GetObject"))})
    account.user("pat", inline={"p": doc(allow("sts:AssumeRole", "*"))})
    graph = graph_for(parse_authorization_details(account.details()), {role_arn("harmless"): "bad"})
    assert graph.unknown_reach() == {}


def test_an_unreadable_trust_on_a_role_that_reaches_an_unknown_node_opens_it_too(
    account: AccountBuilder,
) -> None:
    missing = f"arn:aws:iam::{ACCOUNT}:policy/not-collected"
    account.role("opaque", trust({"AWS": role_arn("gate")}), attached=[missing])
    account.role("gate", trust({"AWS": user_arn("nobody")}), inline={"p": doc(allow("sts:AssumeRole"))})
    account.user("pat", inline={"p": doc(allow("s3:GetObject"))})
    graph = graph_for(parse_authorization_details(account.details()), {role_arn("gate"): "bad"})
    reach = graph.unknown_reach()[user_arn("pat")]
    assert reach.node == role_arn("gate")
    assert "policies of role/opaque are unknown" in reach.reason


def test_a_definite_path_beats_an_unknown_one(account: AccountBuilder) -> None:
    missing = f"arn:aws:iam::{ACCOUNT}:policy/not-collected"
    account.admin_role("admin")
    account.role("opaque", trust(ACCOUNT_ROOT), attached=[missing])
    account.user("pat", inline={"p": doc(allow("sts:AssumeRole", "*"))})
    graph = account.graph()
    assert user_arn("pat") in graph.escalation_paths()
    assert user_arn("pat") not in graph.unknown_reach()


def test_attach_restricted_to_policies_it_may_create_still_escalates(account: AccountBuilder) -> None:
    limited = {"ArnEquals": {"iam:PolicyARN": f"arn:aws:iam::{ACCOUNT}:policy/team-*"}}
    account.user(
        "pat",
        inline={
            "p": doc(
                allow("iam:AttachUserPolicy", user_arn("pat"), Condition=limited),
                allow("iam:CreatePolicy", f"arn:aws:iam::{ACCOUNT}:policy/team-*"),
            )
        },
    )
    account.user("kim", inline={"p": doc(allow("iam:AttachUserPolicy", user_arn("kim"), Condition=limited))})
    paths = account.graph().escalation_paths()
    assert [e.method for e in paths[user_arn("pat")].edges] == ["iam:AttachUserPolicy"]
    assert user_arn("kim") not in paths


def test_an_unreadable_trust_on_a_role_that_can_make_others_admin_opens_it(account: AccountBuilder) -> None:
    # user-admin may attach policies to any user; whoever it admits could have it make themselves admin.
    account.role("user-admin", trust(ACCOUNT_ROOT), inline={"p": doc(allow("iam:AttachUserPolicy", "*"))})
    account.user("pat", inline={"p": doc(allow("s3:GetObject"))})
    readable = account.graph()
    assert readable.escalation_paths() == {} and readable.unknown_reach() == {}
    graph = graph_for(parse_authorization_details(account.details()), {role_arn("user-admin"): "bad"})
    reach = graph.unknown_reach()[user_arn("pat")]
    assert (reach.node, reach.trust_problem) == (role_arn("user-admin"), "bad")
