import json
from urllib.parse import quote

import pytest

from awsaudit.analyze.iam import Condition, Effect, PolicyKind, PolicyParseError, PrincipalType, parse_policy


def test_scalar_or_list_fields_and_single_statement_object() -> None:
    policy = parse_policy(
        {
            "Statement": {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": ["arn:aws:s3:::a/*", "arn:b"],
            }
        },
        name="p",
    )
    (statement,) = policy.statements
    assert statement.effect is Effect.ALLOW
    assert statement.actions == ("s3:GetObject",)
    assert statement.resources == ("arn:aws:s3:::a/*", "arn:b")
    assert statement.reference == "p statement #0"


def test_url_encoded_and_json_string_documents_are_accepted() -> None:
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "S", "Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}],
    }
    for form in (json.dumps(document), quote(json.dumps(document))):
        (statement,) = parse_policy(form, name="p").statements
        assert statement.not_actions and statement.effect is Effect.DENY
        assert statement.reference == "p statement S"


def test_principals_of_every_form_and_conditions_kept_as_data() -> None:
    policy = parse_policy(
        {
            "Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"},
                {
                    "Effect": "Allow",
                    "Principal": {
                        "AWS": ["arn:aws:iam::111122223333:root", "444455556666"],
                        "Federated": "arn:aws:iam::1:saml-provider/corp",
                        "Service": "ec2.amazonaws.com",
                    },
                    "Action": "sts:AssumeRole",
                    "Condition": {
                        "StringEquals": {"sts:ExternalId": ["x", "y"]},
                        "Bool": {"aws:SecureTransport": True},
                    },
                },
                {"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::1:role/r"}, "Action": "*"},
            ]
        },
        name="trust",
        kind=PolicyKind.TRUST,
    )
    anyone, named, everyone_but = policy.statements
    assert [entry.type for entry in anyone.principals] == [PrincipalType.ANYONE]
    assert {entry.type for entry in named.principals} == {
        PrincipalType.AWS,
        PrincipalType.FEDERATED,
        PrincipalType.SERVICE,
    }
    assert len(named.principals) == 4
    assert Condition("StringEquals", "sts:ExternalId", ("x", "y")) in named.conditions
    assert Condition("Bool", "aws:SecureTransport", ("true",)) in named.conditions
    assert everyone_but.not_principals


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        ("{not json", "invalid JSON"),
        ("[1]", "not a JSON object"),
        (42, "not JSON"),
        ({"Version": "2012-10-17"}, "no Statement"),
        ({"Statement": "x"}, "object or a list"),
        ({"Statement": [{"Effect": "Permit", "Action": "*", "Resource": "*"}]}, "Effect must be"),
        ({"Statement": [{"Effect": "Allow", "Resource": "*"}]}, "needs Action or NotAction"),
        (
            {"Statement": [{"Effect": "Allow", "Action": "*", "NotAction": "s3:*", "Resource": "*"}]},
            "both Action",
        ),
        ({"Statement": [{"Effect": "Allow", "Action": "*"}]}, "needs Resource or NotResource"),
        ({"Statement": [{"Effect": "Allow", "Action": "GetObject", "Resource": "*"}]}, "service:action"),
        ({"Statement": [{"Effect": "Allow", "Action": [], "Resource": "*"}]}, "empty list"),
        ({"Statement": [{"Effect": "Allow", "Action": [1], "Resource": "*"}]}, "non-empty string"),
        (
            {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": []}]},
            "Condition must",
        ),
        (
            {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": 1}}]},
            "map keys",
        ),
    ],
)
def test_malformed_documents_raise_one_line_parse_error(document: object, fragment: str) -> None:
    with pytest.raises(PolicyParseError) as raised:
        parse_policy(document, name="bad\npolicy")
    message = str(raised.value)
    assert fragment in message
    assert "\n" not in message


def test_a_statement_error_names_the_policy_and_the_statement() -> None:
    document = {
        "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Allow", "Action": ["s3:GetObject", ""], "Resource": "*"},
        ]
    }
    with pytest.raises(PolicyParseError) as raised:
        parse_policy(document, name="p")
    assert str(raised.value) == "policy 'p' statement #1: Action must be a non-empty string or a list of them"


def test_element_lists_and_condition_values_read_as_strings() -> None:
    document = {
        "Statement": {
            "Effect": "Deny",
            "Action": ["s3:GetObject", "s3:PutObject"],
            "Resource": ["arn:aws:s3:::a", "arn:aws:s3:::a/*"],
            "Condition": {"NumericLessThan": {"k": [1, True, "x"]}, "Bool": {"b": "true"}},
        }
    }
    statement = parse_policy(document, name="p").statements[0]
    assert statement.actions == ("s3:GetObject", "s3:PutObject")
    assert statement.resources == ("arn:aws:s3:::a", "arn:aws:s3:::a/*")
    assert statement.conditions == (
        Condition("NumericLessThan", "k", ("1", "true", "x")),
        Condition("Bool", "b", ("true",)),
    )


def test_trust_and_resource_policies_need_principals() -> None:
    statement = {"Effect": "Allow", "Action": "sts:AssumeRole"}
    with pytest.raises(PolicyParseError, match="Principal"):
        parse_policy({"Statement": [statement]}, name="t", kind=PolicyKind.TRUST)
    with pytest.raises(PolicyParseError, match="principal type"):
        parse_policy(
            {"Statement": [{**statement, "Principal": {"Group": "x"}}]}, name="t", kind=PolicyKind.TRUST
        )
