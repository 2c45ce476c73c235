from iam_builders import ACCOUNT, ADMIN_POLICY_ARN, AccountBuilder, allow, doc, role_arn, trust, user_arn

from awsaudit.analyze.iam import ADMIN, effective_permissions, paths_from, who_can


def test_effective_permissions_by_area(account: AccountBuilder) -> None:
    account.group(
        "readers", inline={"r": doc(allow(["s3:GetObject", "s3:ListBucket"], "arn:aws:s3:::data*"))}
    )
    account.user(
        "alice",
        groups=["readers"],
        inline={
            "p": doc(
                allow(
                    ["cloudtrail:StopLogging", "kms:Decrypt"],
                    Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}},
                )
            )
        },
    )
    graph = account.graph()
    permissions = effective_permissions(graph, graph.analysis.by_arn[user_arn("alice")])
    assert not permissions.admin_equivalent
    assert permissions.areas["data"].by_level == {"Read": ("s3:GetObject",)}
    assert permissions.areas["data"].conditional == ("kms:Decrypt",)
    assert permissions.areas["logging"].conditional == ("cloudtrail:StopLogging",)
    assert permissions.areas["iam"].actions == ()


def test_admin_equivalence_full_or_self_grant(account: AccountBuilder) -> None:
    account.user("admin", attached=[ADMIN_POLICY_ARN])
    account.user("granter", inline={"p": doc(allow("iam:AttachUserPolicy", user_arn("granter")))})
    graph = account.graph()
    admin = effective_permissions(graph, graph.analysis.by_arn[user_arn("admin")])
    granter = effective_permissions(graph, graph.analysis.by_arn[user_arn("granter")])
    assert admin.full_access and admin.admin_equivalent
    assert not granter.full_access and granter.admin_equivalent
    assert granter.self_escalation[0].permissions == ("iam:AttachUserPolicy",)
    assert "iam:AttachUserPolicy" in granter.areas["iam"].actions


def test_who_can_directly_and_via_escalation(account: AccountBuilder) -> None:
    account.role(
        "deployer",
        trust({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}),
        inline={"p": doc(allow("s3:PutObject", "arn:aws:s3:::site/*"))},
    )
    account.user("dev", inline={"p": doc(allow("sts:AssumeRole", role_arn("deployer")))})
    account.user("writer", inline={"p": doc(allow("s3:PutObject"))})
    account.user("bystander", inline={"p": doc(allow("s3:GetObject"))})
    graph = account.graph()
    answers = {
        entry.principal.name: entry
        for entry in who_can(graph, "s3:PutObject", "arn:aws:s3:::site/index.html")
    }
    assert set(answers) == {"deployer", "writer", "dev"}
    assert not answers["writer"].via_escalation
    assert answers["dev"].via_escalation and answers["dev"].path[0].target == role_arn("deployer")
    elsewhere = {entry.principal.name for entry in who_can(graph, "s3:PutObject", "arn:aws:s3:::other/x")}
    assert elsewhere == {"writer"}


def test_who_can_through_admin(account: AccountBuilder) -> None:
    account.user("granter", inline={"p": doc(allow("iam:PutUserPolicy", user_arn("granter")))})
    (entry,) = who_can(account.graph(), "ec2:TerminateInstances")
    assert entry.principal.name == "granter" and entry.path[-1].target == ADMIN


def test_paths_from_lists_reachable_principals_and_admin(account: AccountBuilder) -> None:
    account.admin_role("admin", trust({"AWS": role_arn("middle")}))
    account.role(
        "middle", trust({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}), inline={"p": doc(allow("sts:AssumeRole"))}
    )
    account.user("start", inline={"p": doc(allow("sts:AssumeRole", role_arn("middle")))})
    graph = account.graph()
    reached = {entry.target: entry for entry in paths_from(graph, graph.analysis.by_arn[user_arn("start")])}
    assert set(reached) == {ADMIN, role_arn("middle"), role_arn("admin")}
    assert len(reached[ADMIN].edges) == 2
    isolated = paths_from(graph, graph.analysis.by_arn[role_arn("admin")])
    assert isolated[0].target == ADMIN and isolated[0].edges == ()


def test_principal_lookup_by_arn_label_or_unique_name(account: AccountBuilder) -> None:
    account.user("alice")
    account.role("alice", trust({"Service": "ec2.amazonaws.com"}))
    account.user("bob")
    analysis = account.graph().analysis
    assert analysis.principal("bob") is analysis.by_arn[user_arn("bob")]
    assert analysis.principal("role/alice") is analysis.by_arn[role_arn("alice")]
    assert analysis.principal(user_arn("alice")) is analysis.by_arn[user_arn("alice")]
    assert analysis.principal("alice") is None
