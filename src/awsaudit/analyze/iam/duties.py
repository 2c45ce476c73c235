"""Separation of duties (audit guide G2.1): who can both define permissions and assign identities to them.

The duties are declared per identity system (IAM, IAM Identity Center) in ``DUTY_SETS``; holding both
sides of one system is a conflict, one side in each is not.

`separation_of_duties` reads the duties a principal holds by its own policies; `duties_by_effect` also
counts those of every principal it can act as (assume, pass to compute, create credentials of): acting as
a role that defines permissions while holding the assigning duty oneself is holding both. A principal
that can reach one whose policies are unknown (or that an unreadable trust policy of a role on the way
could admit) is undetermined there, unless a conflict is already certain.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from awsaudit.analyze.iam.account import Principal
from awsaudit.analyze.iam.analysis import IamAnalysis
from awsaudit.analyze.iam.edges import Edge
from awsaudit.analyze.iam.escalation import EscalationGraph
from awsaudit.analyze.iam.evaluation import ANY_RESOURCE, Outcome
from awsaudit.analyze.iam.policy import Statement
from awsaudit.analyze.iam.profile import PermissionProfile
from awsaudit.analyze.iam.unknown import UnknownReach, reach_through_unknown, walk_to_sink


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
class DutyRoute:
    """How a principal holds one duty set's two sides: the principals holding each side (itself, or one it
    can act as) and the ways there (empty when held directly)."""

    duty_set: str
    define_holder: str
    define_via: tuple[Edge, ...]
    assign_holder: str
    assign_via: tuple[Edge, ...]


@dataclass(frozen=True, slots=True)
class DutyConflict:
    principal: Principal
    define: tuple[GrantedAction, ...]  # of the duty sets in conflict only
    assign: tuple[GrantedAction, ...]
    duty_sets: tuple[str, ...] = ()  # names of the duty sets whose both sides the principal holds
    routes: tuple[DutyRoute, ...] = ()  # by effect: set when a side is held through another principal


@dataclass(frozen=True, slots=True)
class SeparationOfDuties:
    """`unknown_reach`: for undetermined principals whose answer rests on another principal, that node."""

    conflicts: tuple[DutyConflict, ...]
    undetermined: tuple[Principal, ...]
    unknown_reach: Mapping[str, UnknownReach] = field(default_factory=dict)


def is_approved(principal: Principal, approved: Iterable[str]) -> bool:
    """Whether `approved` (names, `user/NAME`, ARNs, group names) names the principal or one of its groups."""
    names = {principal.arn, principal.name, principal.label, *principal.group_names}
    return bool(names & set(approved))


_is_approved = is_approved


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


@dataclass(frozen=True, slots=True)
class _Held:
    """One profile's duties: per duty set, the define and assign actions allowed; whether unknown policies
    might allow more."""

    sides: Mapping[str, tuple[tuple[GrantedAction, ...], tuple[GrantedAction, ...]]]
    unknown: bool


def _held(profile: PermissionProfile) -> _Held:
    sides: dict[str, tuple[tuple[GrantedAction, ...], tuple[GrantedAction, ...]]] = {}
    unknown = False
    for duties in DUTY_SETS:
        found: list[list[GrantedAction]] = [[], []]
        for side, actions in enumerate((duties.define, duties.assign)):
            for action in actions:
                if not profile.may_do(action):
                    continue
                decision = profile.decide(action, ANY_RESOURCE)
                if decision.allowed:
                    found[side].append(GrantedAction(action, decision.grants, decision.conditions))
                unknown = unknown or decision.outcome is Outcome.UNKNOWN
        sides[duties.name] = (tuple(found[0]), tuple(found[1]))
    return _Held(sides, unknown)


def duties_by_effect(graph: EscalationGraph) -> SeparationOfDuties:
    """Every principal holding both sides of a duty set itself or through principals it can act as
    (approval is the caller's to apply), and the undetermined ones, with the unknown node their answer
    rests on when it is another principal."""
    analysis = graph.analysis
    held: dict[str, _Held] = {}
    for profile in analysis.profiles:
        profile_duties = _held(profile)
        for principal in analysis.principals_of(profile):
            held[principal.arn] = profile_duties
    searches: dict[str, tuple[Mapping[str, Edge | None], Mapping[str, Edge | None]]] = {}
    for duties in DUTY_SETS:
        define_holders = [arn for arn, h in held.items() if h.sides[duties.name][0]]
        assign_holders = [arn for arn, h in held.items() if h.sides[duties.name][1]]
        searches[duties.name] = (
            graph.shortest_paths_to(dict.fromkeys(define_holders)),
            graph.shortest_paths_to(dict.fromkeys(assign_holders)),
        )
    leads = {arn for to_define, to_assign in searches.values() for arn in (*to_define, *to_assign)}
    unknown_own = {
        arn: f"the policies of {analysis.by_arn[arn].label} are unknown"
        for arn, h in held.items()
        if h.unknown
    }
    reaching = reach_through_unknown(graph, leads, "holds a duty", unknown_own)
    conflicts: list[DutyConflict] = []
    undetermined: list[Principal] = []
    unknown_reach: dict[str, UnknownReach] = {}
    for principal in analysis.account.principals:
        conflict = _conflict_by_effect(principal, held, searches)
        if conflict is not None:
            conflicts.append(conflict)
        elif principal.arn in reaching:
            undetermined.append(principal)
            if reaching[principal.arn].node != principal.arn:
                unknown_reach[principal.arn] = reaching[principal.arn]
    return SeparationOfDuties(tuple(conflicts), tuple(undetermined), unknown_reach)


def _conflict_by_effect(
    principal: Principal,
    held: Mapping[str, _Held],
    searches: Mapping[str, tuple[Mapping[str, Edge | None], Mapping[str, Edge | None]]],
) -> DutyConflict | None:
    arn = principal.arn
    define: list[GrantedAction] = []
    assign: list[GrantedAction] = []
    routes: list[DutyRoute] = []
    for name, (to_define, to_assign) in searches.items():
        if arn not in to_define or arn not in to_assign:
            continue
        define_via, assign_via = walk_to_sink(arn, to_define), walk_to_sink(arn, to_assign)
        define_holder = define_via[-1].target if define_via else arn
        assign_holder = assign_via[-1].target if assign_via else arn
        define += held[define_holder].sides[name][0]
        assign += held[assign_holder].sides[name][1]
        routes.append(DutyRoute(name, define_holder, define_via, assign_holder, assign_via))
    if not routes:
        return None
    indirect = tuple(route for route in routes if route.define_via or route.assign_via)
    return DutyConflict(
        principal,
        tuple(dict.fromkeys(define)),
        tuple(dict.fromkeys(assign)),
        tuple(route.duty_set for route in routes),
        indirect,
    )
