"""The member audit-role templates in docs/templates grant exactly what `awsaudit permissions` prints,
and trust only the scanning account inside the organization."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from awsaudit.collect.registry import required_actions

TEMPLATES = Path(__file__).resolve().parents[2] / "docs" / "templates"
REGENERATE = "run `python scripts/member_role_templates.py`"


class _CloudFormationLoader(yaml.SafeLoader):
    """Reads !Ref, !Sub and !GetAtt as their plain values (enough to inspect the template)."""


_CloudFormationLoader.add_multi_constructor(
    "!",
    lambda loader, suffix, node: loader.construct_scalar(node),
)


def _cloudformation() -> dict[str, Any]:
    text = (TEMPLATES / "member-audit-role.cloudformation.yaml").read_text()
    document: dict[str, Any] = yaml.load(text, Loader=_CloudFormationLoader)
    return document


def test_the_cloudformation_role_has_exactly_the_read_only_actions() -> None:
    role = _cloudformation()["Resources"]["AuditRole"]["Properties"]
    [policy] = role["Policies"]
    [statement] = policy["PolicyDocument"]["Statement"]
    assert statement["Action"] == required_actions(), REGENERATE
    assert statement["Resource"] == "*" and statement["Effect"] == "Allow"


def test_the_cloudformation_trust_is_the_scanning_account_within_the_organization() -> None:
    role = _cloudformation()["Resources"]["AuditRole"]["Properties"]
    [trust] = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"]["AWS"] == "arn:${AWS::Partition}:iam::${ScanningAccountId}:root"
    assert trust["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": "OrganizationId"}}
    assert trust["Action"] == "sts:AssumeRole"


def test_the_terraform_role_has_exactly_the_read_only_actions_and_the_same_trust() -> None:
    text = (TEMPLATES / "member-audit-role.tf").read_text()
    block = re.search(r"Action = \[\n(.*?)\n\s*\]", text, re.S)
    assert block is not None
    actions = [json.loads(line.strip().rstrip(",")) for line in block.group(1).splitlines()]
    assert actions == required_actions(), REGENERATE
    assert 'variable = "aws:PrincipalOrgID"' in text
    assert "iam::${var.scanning_account_id}:root" in text
