"""Who can do a set of actions, however granted (inline, group, customer or AWS managed policy, admin), with
the policies the grant comes from: CloudShell with file transfer (CIS 2.20), AWS Support cases (CIS 2.15)."""

from collections.abc import Sequence
from dataclasses import dataclass

from awsaudit.analyze.iam.account import Principal, PrincipalKind
from awsaudit.analyze.iam.escalation import EscalationGraph
from awsaudit.analyze.iam.evaluation import ANY_RESOURCE, Outcome
from awsaudit.analyze.iam.policy import Statement
from awsaudit.analyze.iam.trust import TrustGrant, TrustKind, trust_grants

CLOUDSHELL_FULL_ACCESS_ARN = "arn:aws:iam::aws:policy/AWSCloudShellFullAccess"
SUPPORT_ACCESS_ARN = "arn:aws:iam::aws:policy/AWSSupportAccess"
# What AWSCloudShellFullAccess adds over a restricted CloudShell policy is moving files in and out.
CLOUDSHELL_ACTIONS = (
    "cloudshell:CreateEnvironment",
    "cloudshell:CreateSession",
    "cloudshell:GetFileUploadUrls",
    "cloudshell:GetFileDownloadUrls",
)
# Managing a support case: open it, follow it, answer it, close it.
SUPPORT_CASE_ACTIONS = (
    "support:CreateCase",
    "support:DescribeCases",
    "support:AddCommunicationToCase",
    "support:ResolveCase",
)


@dataclass(frozen=True, slots=True)
class Capability:
    """A principal that may perform every action of a set. `outcome` ALLOWED, CONDITIONAL, or UNKNOWN (a
    policy in force is missing, so it may). `statements`: the allows it rests on, `policies` theirs."""

    principal: Principal
    outcome: Outcome
    statements: tuple[Statement, ...]
    conditions: tuple[Statement, ...]
    unknown_policies: tuple[str, ...]

    @property
    def policies(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(statement.policy for statement in self.statements))

    def granted_by(self, policy_arn: str) -> bool:
        return policy_arn in self.policies


def principals_that_can(graph: EscalationGraph, actions: Sequence[str]) -> tuple[Capability, ...]:
    """Principals whose effective permissions (identity policies, boundary, SCPs) allow every action of
    `actions` on some resource, directly; sorted by ARN."""
    analysis = graph.analysis
    found: list[Capability] = []
    candidates = analysis.profiles_for(actions[0])
    for profile in candidates:
        decisions = [profile.decide(action, ANY_RESOURCE) for action in actions]
        if any(d.outcome in (Outcome.DENIED, Outcome.NOT_ALLOWED) for d in decisions):
            continue
        if any(d.outcome is Outcome.UNKNOWN for d in decisions):
            outcome = Outcome.UNKNOWN
        elif any(d.outcome is Outcome.CONDITIONAL for d in decisions):
            outcome = Outcome.CONDITIONAL
        else:
            outcome = Outcome.ALLOWED
        statements = tuple(dict.fromkeys(s for d in decisions for s in d.grants))
        conditions = tuple(dict.fromkeys(s for d in decisions for s in d.conditions))
        unknown = tuple(dict.fromkeys(p for d in decisions for p in d.unknown_policies))
        for principal in analysis.principals_of(profile):
            found.append(Capability(principal, outcome, statements, conditions, unknown))
    return tuple(sorted(found, key=lambda capability: capability.principal.arn))


def cloudshell_access(graph: EscalationGraph) -> tuple[Capability, ...]:
    """Principals that can open CloudShell and move files in and out of it."""
    return principals_that_can(graph, CLOUDSHELL_ACTIONS)


@dataclass(frozen=True, slots=True)
class SupportRole:
    """A role that can manage support cases and that someone can assume (`trusted`: non-service grants)."""

    capability: Capability
    trusted: tuple[TrustGrant, ...]


@dataclass(frozen=True, slots=True)
class SupportAccess:
    """Who can manage support cases. `roles`: roles someone can assume; `users`: users directly;
    `trust_unknown`: roles that can, whose trust policy could not be read (whether a person may assume them
    is unknown, so they neither meet nor miss the control)."""

    roles: tuple[SupportRole, ...]
    users: tuple[Capability, ...]
    trust_unknown: tuple[Capability, ...]


def support_case_access(graph: EscalationGraph) -> SupportAccess:
    roles: list[SupportRole] = []
    users: list[Capability] = []
    trust_unknown: list[Capability] = []
    for capability in principals_that_can(graph, SUPPORT_CASE_ACTIONS):
        principal = capability.principal
        if principal.kind is PrincipalKind.USER:
            users.append(capability)
            continue
        if principal.arn in graph.unreadable_trust:
            trust_unknown.append(capability)
            continue
        trusted = tuple(
            grant
            for grant in trust_grants(principal.trust_policy, principal.account_id)
            if grant.kind is not TrustKind.SERVICE
        )
        if trusted:
            roles.append(SupportRole(capability, trusted))
    return SupportAccess(tuple(roles), tuple(users), tuple(trust_unknown))
