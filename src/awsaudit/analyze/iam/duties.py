"""Separation of duties (audit guide G2.1): who can both define permissions and assign identities to them."""

from collections.abc import Iterable
from dataclasses import dataclass

from awsaudit.analyze.iam.account import Principal
from awsaudit.analyze.iam.analysis import IamAnalysis
from awsaudit.analyze.iam.evaluation import ANY_RESOURCE, Outcome
from awsaudit.analyze.iam.policy import Statement

DEFINE_PERMISSIONS = (
    "iam:CreatePolicy",
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:CreateRole",
    "iam:PutRolePolicy",
    "iam:AttachRolePolicy",
    "iam:UpdateAssumeRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:CreateGroup",
    "iam:PutGroupPolicy",
    "iam:AttachGroupPolicy",
)
ASSIGN_IDENTITIES = (
    "iam:CreateUser",
    "iam:AddUserToGroup",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:AttachUserPolicy",
    "iam:PutUserPolicy",
)


@dataclass(frozen=True, slots=True)
class GrantedAction:
    action: str
    statements: tuple[Statement, ...]
    conditions: tuple[Statement, ...]

    @property
    def conditional(self) -> bool:
        return bool(self.conditions)


@dataclass(frozen=True, slots=True)
class DutyConflict:
    principal: Principal
    define: tuple[GrantedAction, ...]
    assign: tuple[GrantedAction, ...]


@dataclass(frozen=True, slots=True)
class SeparationOfDuties:
    conflicts: tuple[DutyConflict, ...]
    undetermined: tuple[Principal, ...]


def _is_approved(principal: Principal, approved: frozenset[str]) -> bool:
    names = {principal.arn, principal.name, principal.label, *principal.group_names}
    return bool(names & approved)


def separation_of_duties(
    analysis: IamAnalysis, approved_administrators: Iterable[str] = ()
) -> SeparationOfDuties:
    """Principals outside `approved_administrators` (names, `user/NAME`, ARNs, group names) with both duties.

    A principal whose answer depends on policies missing from the snapshot is listed as undetermined.
    """
    approved = frozenset(approved_administrators)
    conflicts: list[DutyConflict] = []
    undetermined: list[Principal] = []
    for profile in analysis.profiles:
        sides: list[list[GrantedAction]] = [[], []]
        unknown = False
        for side, actions in enumerate((DEFINE_PERMISSIONS, ASSIGN_IDENTITIES)):
            for action in actions:
                if not profile.may_do(action):
                    continue
                decision = profile.decide(action, ANY_RESOURCE)
                if decision.allowed:
                    sides[side].append(GrantedAction(action, decision.grants, decision.conditions))
                unknown = unknown or decision.outcome is Outcome.UNKNOWN
        for principal in analysis.principals_of(profile):
            if _is_approved(principal, approved):
                continue
            if sides[0] and sides[1]:
                conflicts.append(DutyConflict(principal, tuple(sides[0]), tuple(sides[1])))
            elif unknown:
                undetermined.append(principal)
    return SeparationOfDuties(tuple(conflicts), tuple(undetermined))
