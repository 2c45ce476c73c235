"""Separation of duties (audit guide G2.1): who can both define permissions and assign identities to them.

The duties are declared per identity system (IAM, IAM Identity Center) in ``DUTY_SETS``; holding both
sides of one system is a conflict, one side in each is not.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from awsaudit.analyze.iam.account import Principal
from awsaudit.analyze.iam.analysis import IamAnalysis
from awsaudit.analyze.iam.evaluation import ANY_RESOURCE, Outcome
from awsaudit.analyze.iam.policy import Statement


@dataclass(frozen=True, slots=True)
class DutySet:
    """One identity system's two duties: whoever holds both grants anything to anyone alone."""

    name: str
    define: tuple[str, ...]  # actions that write permissions
    assign: tuple[str, ...]  # actions that hand identities (and so permissions) out


IAM_DUTIES = DutySet(
    "IAM",
    define=(
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
    ),
    assign=(
        "iam:CreateUser",
        "iam:AddUserToGroup",
        "iam:CreateAccessKey",
        "iam:CreateLoginProfile",
        "iam:UpdateLoginProfile",
        "iam:AttachUserPolicy",
        "iam:PutUserPolicy",
    ),
)
# IAM Identity Center: permission sets are the permissions, account assignments and the identity
# store's users and group memberships hand them out (an assignment to a group reaches every member).
IDENTITY_CENTER_DUTIES = DutySet(
    "IAM Identity Center",
    define=(
        "sso:CreatePermissionSet",
        "sso:UpdatePermissionSet",
        "sso:PutInlinePolicyToPermissionSet",
        "sso:AttachManagedPolicyToPermissionSet",
        "sso:AttachCustomerManagedPolicyReferenceToPermissionSet",
        "sso:PutPermissionsBoundaryToPermissionSet",
        "sso:ProvisionPermissionSet",
    ),
    assign=(
        "sso:CreateAccountAssignment",
        "identitystore:CreateUser",
        "identitystore:CreateGroupMembership",
    ),
)
DUTY_SETS = (IAM_DUTIES, IDENTITY_CENTER_DUTIES)
# Kept for callers that name the IAM pair directly.
DEFINE_PERMISSIONS = IAM_DUTIES.define
ASSIGN_IDENTITIES = IAM_DUTIES.assign


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
    define: tuple[GrantedAction, ...]  # of the duty sets in conflict only
    assign: tuple[GrantedAction, ...]
    duty_sets: tuple[str, ...] = ()  # names of the duty sets whose both sides the principal holds


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
        define: list[GrantedAction] = []
        assign: list[GrantedAction] = []
        in_conflict: list[str] = []
        unknown = False
        for duties in DUTY_SETS:
            sides: list[list[GrantedAction]] = [[], []]
            for side, actions in enumerate((duties.define, duties.assign)):
                for action in actions:
                    if not profile.may_do(action):
                        continue
                    decision = profile.decide(action, ANY_RESOURCE)
                    if decision.allowed:
                        sides[side].append(GrantedAction(action, decision.grants, decision.conditions))
                    unknown = unknown or decision.outcome is Outcome.UNKNOWN
            if sides[0] and sides[1]:
                define += sides[0]
                assign += sides[1]
                in_conflict.append(duties.name)
        for principal in analysis.principals_of(profile):
            if _is_approved(principal, approved):
                continue
            if in_conflict:
                conflicts.append(DutyConflict(principal, tuple(define), tuple(assign), tuple(in_conflict)))
            elif unknown:
                undetermined.append(principal)
    return SeparationOfDuties(tuple(conflicts), tuple(undetermined))
