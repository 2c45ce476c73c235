"""Condition blocks judged only when the request itself fixes the key's value.

Some keys are known at analysis time because they describe the request being asked about, e.g.
`iam:PassedToService` when passing a role to Lambda. Those are evaluated; every other key leaves the
statement conditional (its result is reported as depending on the condition, never guessed).
"""

from collections.abc import Mapping
from enum import Enum

from awsaudit.analyze.iam.policy import Condition, Statement
from awsaudit.analyze.iam.wildcard import matches


class ConditionResult(Enum):
    HOLDS = "holds"
    FAILS = "fails"
    UNKNOWN = "unknown"


_STRING_TESTS = {
    "stringequals": (False, False, False),
    "stringnotequals": (True, False, False),
    "stringequalsignorecase": (False, False, True),
    "stringnotequalsignorecase": (True, False, True),
    "stringlike": (False, True, False),
    "stringnotlike": (True, True, False),
    "arnequals": (False, True, False),
    "arnlike": (False, True, False),
    "arnnotequals": (True, True, False),
    "arnnotlike": (True, True, False),
}


def _test(condition: Condition, value: str) -> ConditionResult:
    operator = condition.operator.lower().split(":", 1)[-1].removesuffix("ifexists")
    test = _STRING_TESTS.get(operator)
    if test is None:
        return ConditionResult.UNKNOWN
    negated, wildcards, ignore_case = test
    if wildcards:
        hit = any(matches(expected, value, ignore_case=False) for expected in condition.values)
    elif ignore_case:
        hit = any(expected.lower() == value.lower() for expected in condition.values)
    else:
        hit = value in condition.values
    return ConditionResult.HOLDS if hit != negated else ConditionResult.FAILS


def judge_conditions(statement: Statement, request: Mapping[str, str]) -> ConditionResult:
    """HOLDS / FAILS when every key of the statement's conditions is fixed by `request` (keys lower case)."""
    if not statement.conditions:
        return ConditionResult.HOLDS
    result = ConditionResult.HOLDS
    for condition in statement.conditions:
        value = request.get(condition.key.lower())
        if value is None:
            result = ConditionResult.UNKNOWN
            continue
        outcome = _test(condition, value)
        if outcome is ConditionResult.FAILS:
            return ConditionResult.FAILS
        if outcome is ConditionResult.UNKNOWN:
            result = ConditionResult.UNKNOWN
    return result
