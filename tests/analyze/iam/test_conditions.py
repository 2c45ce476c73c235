import pytest

from awsaudit.analyze.iam import parse_policy
from awsaudit.analyze.iam.conditions import ConditionResult, judge_conditions


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}, ConditionResult.HOLDS),
        (
            {"StringEquals": {"IAM:passedtoservice": ["ec2.amazonaws.com", "lambda.amazonaws.com"]}},
            ConditionResult.HOLDS,
        ),
        ({"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}, ConditionResult.FAILS),
        ({"StringNotEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}, ConditionResult.HOLDS),
        ({"StringLike": {"iam:PassedToService": "lambda.*"}}, ConditionResult.HOLDS),
        ({"StringEqualsIgnoreCase": {"iam:PassedToService": "LAMBDA.amazonaws.com"}}, ConditionResult.HOLDS),
        (
            {"ForAnyValue:StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}},
            ConditionResult.HOLDS,
        ),
        ({"StringEqualsIfExists": {"iam:PassedToService": "glue.amazonaws.com"}}, ConditionResult.FAILS),
        (
            {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com", "aws:SourceIp": "10.0.0.1"}},
            ConditionResult.UNKNOWN,
        ),
        (
            {"StringEquals": {"aws:SourceIp": "10.0.0.1", "iam:PassedToService": "ec2.amazonaws.com"}},
            ConditionResult.FAILS,
        ),
        ({"NumericLessThan": {"iam:PassedToService": "3"}}, ConditionResult.UNKNOWN),
    ],
)
def test_only_keys_fixed_by_the_request_are_judged(
    condition: dict[str, object], expected: ConditionResult
) -> None:
    (statement,) = parse_policy(
        {
            "Statement": [
                {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*", "Condition": condition}
            ]
        },
        name="p",
    ).statements
    assert judge_conditions(statement, {"iam:passedtoservice": "lambda.amazonaws.com"}) is expected
