"""`awsaudit who-can` and `awsaudit iam-paths` on a saved snapshot, through typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from awsaudit.cli.iam import register
from awsaudit.report.iam_queries import WHO_CAN_SCOPE_NOTE
from awsaudit.snapshot import save
from tests.builders import SnapshotBuilder
from tests.checks.test_iam_analysis import ADMIN_POLICY, SAME_ACCOUNT, Account, allow, arn, doc, trust


def _run(*args: str) -> tuple[int, str]:
    app = typer.Typer()
    register(app)
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def snapshot_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    account = Account()
    account.role("admin", SAME_ACCOUNT, attached=(ADMIN_POLICY,))
    account.role("ec2-admin", trust({"Service": "ec2.amazonaws.com"}), attached=(ADMIN_POLICY,), profile=True)
    account.user("launcher", inline=doc(allow(["iam:PassRole", "ec2:RunInstances"])))
    account.user("reader", inline=doc(allow("s3:GetObject", "arn:aws:s3:::reports/*")))
    account.user("keymaker", inline=doc(allow("iam:CreateAccessKey", arn("user", "launcher"))))
    account.user("absent", attached=(arn("policy", "not-collected"),))
    return save(account.builder().build(), tmp_path_factory.mktemp("iam") / "snapshot.json.gz")


def _json(*args: str) -> Any:
    code, output = _run(*args, "--format", "json")
    assert code == 0, output
    return json.loads(output)


def test_who_can_lists_direct_and_escalated_principals_marked(snapshot_file: Path) -> None:
    answer = _json("who-can", "s3:GetObject", str(snapshot_file), "--resource", "arn:aws:s3:::reports/q1.csv")
    by_principal = {entry["principal"]: entry for entry in answer["principals"]}
    assert {p: (e["access"], e["status"]) for p, e in by_principal.items()} == {
        arn("role", "admin"): ("direct", "yes"),
        arn("role", "ec2-admin"): ("direct", "yes"),
        arn("user", "reader"): ("direct", "yes"),
        arn("user", "absent"): ("direct", "unknown"),
        arn("user", "launcher"): ("escalation", "yes"),
        arn("user", "keymaker"): ("escalation", "yes"),
    }
    assert by_principal[arn("user", "reader")]["statements"] == ["user reader inline policy own statement #0"]
    keymaker = [hop["method"] for hop in by_principal[arn("user", "keymaker")]["path"]]
    assert keymaker == ["iam:CreateAccessKey", "iam:PassRole"]


def test_who_can_on_another_resource_leaves_the_scoped_reader_out(snapshot_file: Path) -> None:
    answer = _json("who-can", "s3:GetObject", str(snapshot_file), "--resource", "arn:aws:s3:::payroll/x")
    assert arn("user", "reader") not in {entry["principal"] for entry in answer["principals"]}


def test_who_can_names_an_action_the_catalog_lacks(snapshot_file: Path) -> None:
    answer = _json("who-can", "s3:GetObjekt", str(snapshot_file))
    assert (
        answer["notes"][0]
        == "s3:GetObjekt is not in the action catalog: only wildcard statements can match it"
    )
    principals = {entry["principal"] for entry in answer["principals"]}
    assert arn("role", "admin") in principals and arn("user", "reader") not in principals


def test_who_can_table(snapshot_file: Path) -> None:
    code, output = _run("who-can", "iam:PassRole", str(snapshot_file))
    assert code == 0, output
    assert "user/launcher" in output and "via escalation" in output and "SCPs:" in output


def test_iam_paths_gives_the_shortest_way_to_admin_and_to_each_principal(snapshot_file: Path) -> None:
    answer = _json("iam-paths", "keymaker", str(snapshot_file))
    assert answer["principal"] == arn("user", "keymaker") and answer["admin"] is True
    reachable = {entry["target"]: entry for entry in answer["reachable"]}
    assert reachable["admin"]["steps"] == 2
    assert reachable[arn("user", "launcher")]["path"][0]["permissions"] == ["iam:CreateAccessKey"]
    assert reachable[arn("role", "ec2-admin")]["steps"] == 2


def test_iam_paths_table_for_a_principal_going_nowhere(snapshot_file: Path) -> None:
    code, output = _run("iam-paths", "user/reader", str(snapshot_file))
    assert code == 0, output
    assert "cannot become any other principal" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("iam-paths", "nobody"), "no single user or role matches 'nobody'"),
        (("who-can", "s3:*"), "is not one IAM action"),
        (("who-can", "GetObject"), "is not one IAM action"),
        (("who-can", "s3:GetObject", "--format", "xml"), "unknown format 'xml'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(snapshot_file: Path, args: tuple[str, ...], message: str) -> None:
    command, first, *rest = args
    code, output = _run(command, first, str(snapshot_file), *rest)
    assert code == 2
    assert output.strip().startswith("awsaudit: error:") and message in output
    assert len(output.strip().splitlines()) == 1


def test_a_snapshot_without_authorization_details_or_file_is_exit_2(tmp_path: Path) -> None:
    empty = save(SnapshotBuilder().build(), tmp_path / "empty.json")
    code, output = _run("iam-paths", "reader", str(empty))
    assert code == 2 and "iam/AccountAuthorizationDetails was not collected" in output
    code, output = _run("who-can", "s3:GetObject", str(tmp_path / "missing.json"))
    assert code == 2 and "cannot read" in output


@pytest.fixture(scope="module")
def opaque_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A role whose policy is not in the snapshot, reachable by assumption, and one reader beside it."""
    account = Account()
    account.role("opaque", SAME_ACCOUNT, attached=(arn("policy", "not-collected"),))
    account.user("assumer", inline=doc(allow("sts:AssumeRole", arn("role", "opaque"))))
    account.user("reader", inline=doc(allow("s3:GetObject", "arn:aws:s3:::reports/*")))
    return save(account.builder().build(), tmp_path_factory.mktemp("opaque") / "snapshot.json.gz")


def test_who_can_lists_whoever_reaches_an_unknown_node_as_unknown(opaque_file: Path) -> None:
    answer = _json("who-can", "ec2:TerminateInstances", str(opaque_file))
    by_principal = {entry["principal"]: entry for entry in answer["principals"]}
    assert {p: (e["access"], e["status"]) for p, e in by_principal.items()} == {
        arn("role", "opaque"): ("direct", "unknown"),
        arn("user", "assumer"): ("escalation", "unknown"),
    }
    assumer = by_principal[arn("user", "assumer")]
    assert assumer["unknown_node"] == arn("role", "opaque")
    assert [hop["to"] for hop in assumer["path"]] == [arn("role", "opaque")]


def test_iam_paths_says_admin_is_unknown_through_an_unknown_node(opaque_file: Path) -> None:
    answer = _json("iam-paths", "assumer", str(opaque_file))
    assert answer["admin"] == "unknown"
    (admin,) = [entry for entry in answer["reachable"] if entry["target"] == "admin"]
    assert admin["unknown_node"] == arn("role", "opaque") and "not-collected" in admin["unknown_reason"]
    assert _json("iam-paths", "reader", str(opaque_file))["admin"] is False
    code, output = _run("iam-paths", "assumer", str(opaque_file))
    assert code == 0 and "ADMIN (unknown)" in output and "cannot be ruled out" in output


def test_who_can_says_what_its_scope_leaves_out(snapshot_file: Path) -> None:
    answer = _json("who-can", "s3:GetObject", str(snapshot_file))
    assert answer["notes"][0] == WHO_CAN_SCOPE_NOTE
    assert answer["notes"][-1] == (
        "resource policies not in the snapshot, not judged: S3 bucket (s3/Buckets in global: absent from "
        "the snapshot); S3 access point (s3control/AccessPoints in eu-west-1: absent from the snapshot); "
        "S3 Multi-Region Access Point (s3control/MultiRegionAccessPoints in global: absent from the "
        "snapshot)"
    )
    code, output = _run("who-can", "s3:GetObject", str(snapshot_file))
    assert code == 0 and "Scope: principals are listed from identity-based policies;" in output


def _statement(principal: Any, action: str, resource: str, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": resource, **extra}


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.fixture(scope="module")
def shared_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Buckets readable by anyone, by another account, by anyone but blocked by Block Public Access,
    by the organization only; one with an unreadable policy, one whose policy was not collected; and a
    KMS key anyone may decrypt with."""
    from tests.checks.test_s3 import BPA_ON

    def bucket(name: str, **fields: Any) -> dict[str, Any]:
        return {
            "Name": name,
            "Arn": f"arn:aws:s3:::{name}",
            "Policy": None,
            "PublicAccessBlock": None,
            **fields,
        }

    objects = "arn:aws:s3:::{}/*"
    buckets = [
        bucket("public-site", Policy=_policy(_statement("*", "s3:GetObject", objects.format("public-site")))),
        bucket(
            "partner-share",
            Policy=_policy(
                {**_statement({"AWS": "999988887777"}, "s3:Get*", objects.format("partner-share"))}
            ),
        ),
        bucket(
            "blocked",
            Policy=_policy(_statement("*", "s3:GetObject", objects.format("blocked"))),
            PublicAccessBlock=BPA_ON,
        ),
        bucket(
            "org-only",
            Policy=_policy(
                _statement(
                    "*",
                    "s3:GetObject",
                    objects.format("org-only"),
                    Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},
                )
            ),
        ),
        bucket("private"),
        bucket("garbled", Policy="{not json"),
        {
            **bucket("hidden"),
            "_errors": {"Policy": {"operation": "GetBucketPolicy", "code": "AccessDenied", "message": "no"}},
        },
    ]
    del buckets[-1]["Policy"]
    key = {
        "KeyId": "k-1",
        "KeyArn": "arn:aws:kms:eu-west-1:111122223333:key/k-1",
        "KeyMetadata": {"KeyId": "k-1", "KeyManager": "CUSTOMER", "KeyState": "Enabled"},
        "Policy": _policy(_statement("*", "kms:Decrypt", "*")),
    }
    guarded_point = {
        "AccessPointArn": "arn:aws:s3:eu-west-1:111122223333:accesspoint/guarded",
        "Name": "guarded",
        "Policy": _policy(_statement("*", "s3:GetObject", "*")),
        "PublicAccessBlockConfiguration": BPA_ON,
    }
    account = Account()
    account.user("reader", inline=doc(allow("s3:GetObject", "arn:aws:s3:::reports/*")))
    builder = (
        account.builder()
        .with_dataset("s3", "Buckets", buckets)
        .with_dataset("s3control", "AccountPublicAccessBlock", {"PublicAccessBlockConfiguration": None})
        .with_dataset(
            "organizations",
            "Organization",
            {"Organization": {"Id": "o-abc123", "MasterAccountId": "111122223333"}},
        )
        .with_dataset("kms", "Keys", [key], region="eu-west-1")
        .with_dataset("s3control", "AccessPoints", [guarded_point], region="eu-west-1")
    )
    return save(builder.build(), tmp_path_factory.mktemp("shared") / "snapshot.json.gz")


def test_who_can_lists_what_resource_policies_admit_apart_from_iam_principals(shared_file: Path) -> None:
    answer = _json("who-can", "s3:GetObject", str(shared_file))
    assert arn("user", "reader") in {entry["principal"] for entry in answer["principals"]}
    policies = answer["resource_policies"]
    admitted = [(e["resource"], e["principal"], e["reach"], e["blocked_by"]) for e in policies["admitted"]]
    assert admitted == [
        ("arn:aws:s3:::public-site", "*", "public", None),
        ("arn:aws:s3:::blocked", "*", "public", "the bucket's Block Public Access (RestrictPublicBuckets)"),
        (
            "arn:aws:s3:eu-west-1:111122223333:accesspoint/guarded",
            "*",
            "public",
            "the access point's own Block Public Access (RestrictPublicBuckets)",
        ),
        ("arn:aws:s3:::partner-share", "999988887777", "outside", None),
        ("arn:aws:s3:::org-only", "*", "inside", None),
    ]
    public = policies["admitted"][0]
    assert (public["kind"], public["statement"]) == ("S3 bucket", "statement #1")
    assert public["policy_statement"] == _statement("*", "s3:GetObject", "arn:aws:s3:::public-site/*")
    assert policies["admitted"][-1]["pinned_by"] == ["StringEquals: aws:PrincipalOrgID"]
    unknown = {e["resource"]: e["reason"] for e in policies["unknown"]}
    assert unknown["arn:aws:s3:::hidden"] == (
        "its policy was not collected (GetBucketPolicy failed with AccessDenied: no)"
    )
    assert unknown["arn:aws:s3:::garbled"].startswith("its policy cannot be read: policy is not valid JSON")
    assert policies["judged"] == 6  # the two unknown are not counted as judged

    code, output = _run("who-can", "s3:GetObject", str(shared_file))
    assert code == 0, output
    assert "Resource policies that admit s3:GetObject on some resource" in output
    assert "public-site" in output and "its policy" in output


def test_who_can_on_one_resource_and_for_another_service(shared_file: Path) -> None:
    one = _json("who-can", "s3:GetObject", str(shared_file), "--resource", "arn:aws:s3:::partner-share/a.csv")
    assert [e["resource"] for e in one["resource_policies"]["admitted"]] == ["arn:aws:s3:::partner-share"]
    bucket_level = _json(
        "who-can", "s3:GetObject", str(shared_file), "--resource", "arn:aws:s3:::public-site"
    )
    assert bucket_level["resource_policies"]["admitted"] == []  # the statement covers the objects only
    decrypt = _json("who-can", "kms:Decrypt", str(shared_file))
    assert [(e["kind"], e["principal"], e["reach"]) for e in decrypt["resource_policies"]["admitted"]] == [
        ("KMS key", "*", "public")
    ]
    code, output = _run("who-can", "sqs:SendMessage", str(shared_file))
    assert code == 0 and "No resource policy admits sqs:SendMessage on some resource" in output
