"""Builders for small hand-made authorization-details datasets (AWS field names, as stored in snapshots)."""

from typing import Any

from awsaudit.analyze.iam import EscalationGraph, Policy, build_graph

ACCOUNT = "123456789012"
ADMIN_POLICY_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: str | list[str], resource: str | list[str] = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: str | list[str], resource: str | list[str] = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def trust(principal: dict[str, Any] | str, action: str = "sts:AssumeRole", **extra: Any) -> dict[str, Any]:
    return doc({"Effect": "Allow", "Principal": principal, "Action": action, **extra})


def user_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:user/{name}"


def role_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/{name}"


class AccountBuilder:
    """Accumulates users, groups, roles and managed policies; `details()` gives the dataset dict."""

    def __init__(self) -> None:
        self.users: list[dict[str, Any]] = []
        self.groups: list[dict[str, Any]] = []
        self.roles: list[dict[str, Any]] = []
        self.policies: list[dict[str, Any]] = [
            {
                "Arn": ADMIN_POLICY_ARN,
                "DefaultVersionId": "v1",
                "PolicyVersionList": [
                    {"Document": doc(allow("*")), "VersionId": "v1", "IsDefaultVersion": True}
                ],
            }
        ]

    def policy(
        self, name: str, document: dict[str, Any], *, older: list[dict[str, Any]] | None = None
    ) -> str:
        """A customer managed policy; `older` are its non-default versions."""
        older = older or []
        arn = f"arn:aws:iam::{ACCOUNT}:policy/{name}"
        versions = [{"Document": document, "VersionId": f"v{len(older) + 1}", "IsDefaultVersion": True}]
        versions += [
            {"Document": old, "VersionId": f"v{index + 1}", "IsDefaultVersion": False}
            for index, old in enumerate(older)
        ]
        self.policies.append(
            {"Arn": arn, "DefaultVersionId": f"v{len(older) + 1}", "PolicyVersionList": versions}
        )
        return arn

    @staticmethod
    def _inline(inline: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        return [{"PolicyName": name, "PolicyDocument": document} for name, document in inline.items()]

    @staticmethod
    def _attached(arns: list[str]) -> list[dict[str, str]]:
        return [{"PolicyName": arn.rsplit("/", 1)[-1], "PolicyArn": arn} for arn in arns]

    @staticmethod
    def _boundary(arn: str | None) -> dict[str, Any]:
        if arn is None:
            return {}
        return {"PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn}}

    def user(
        self,
        name: str,
        *,
        inline: dict[str, dict[str, Any]] | None = None,
        attached: list[str] | None = None,
        groups: list[str] | None = None,
        boundary: str | None = None,
    ) -> str:
        self.users.append(
            {
                "UserName": name,
                "UserId": f"AIDA{name.upper()}",
                "Arn": user_arn(name),
                "GroupList": groups or [],
                "UserPolicyList": self._inline(inline or {}),
                "AttachedManagedPolicies": self._attached(attached or []),
                **self._boundary(boundary),
            }
        )
        return user_arn(name)

    def group(
        self, name: str, *, inline: dict[str, dict[str, Any]] | None = None, attached: list[str] | None = None
    ) -> str:
        arn = f"arn:aws:iam::{ACCOUNT}:group/{name}"
        self.groups.append(
            {
                "GroupName": name,
                "Arn": arn,
                "GroupPolicyList": self._inline(inline or {}),
                "AttachedManagedPolicies": self._attached(attached or []),
            }
        )
        return arn

    def role(
        self,
        name: str,
        trust_policy: dict[str, Any],
        *,
        inline: dict[str, dict[str, Any]] | None = None,
        attached: list[str] | None = None,
        boundary: str | None = None,
        instance_profile: bool = False,
    ) -> str:
        self.roles.append(
            {
                "RoleName": name,
                "RoleId": f"AROA{name.upper()}",
                "Arn": role_arn(name),
                "AssumeRolePolicyDocument": trust_policy,
                "RolePolicyList": self._inline(inline or {}),
                "AttachedManagedPolicies": self._attached(attached or []),
                "InstanceProfileList": [{"Arn": f"arn:aws:iam::{ACCOUNT}:instance-profile/{name}"}]
                if instance_profile
                else [],
                **self._boundary(boundary),
            }
        )
        return role_arn(name)

    def admin_role(
        self, name: str = "admin", trust_policy: dict[str, Any] | None = None, **extra: Any
    ) -> str:
        return self.role(
            name,
            trust_policy or trust({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}),
            attached=[ADMIN_POLICY_ARN],
            **extra,
        )

    def details(self) -> dict[str, Any]:
        return {
            "UserDetailList": self.users,
            "GroupDetailList": self.groups,
            "RoleDetailList": self.roles,
            "Policies": self.policies,
        }

    def graph(self, scp_levels: tuple[tuple[Policy, ...], ...] = ()) -> EscalationGraph:
        return build_graph(self.details(), scp_levels=scp_levels)
