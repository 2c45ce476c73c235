"""Unknown nodes of the escalation graph, and who can reach one (fail closed).

A verdict about where a principal can get to rests on every principal it can act as. Two kinds of node make
that unknowable:

- a principal whose policies (or permissions boundary) are missing from the snapshot or unreadable: what it
  can do, and so where it leads, is unknown;
- a role whose trust policy cannot be read (unparseable, or absent) when that role matters to the question
  (it leads where the question asks, or itself reaches an unknown node): within the account a trust policy
  that names a principal, or the account, is enough to assume the role, so every principal of the account
  that no explicit deny, SCP or permissions boundary keeps from `sts:AssumeRole` on it might be admitted.

`reach_through_unknown` returns, for every principal that reaches such a node over acting-as edges, the node
and the way there; the caller drops the principals whose answer is already decided (a definite path wins).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from awsaudit.analyze.iam.account import Principal
from awsaudit.analyze.iam.edges import Edge
from awsaudit.analyze.iam.evaluation import ALL_RESOURCES, Decision, Outcome, PermissionContext, evaluate
from awsaudit.analyze.iam.policy import Effect, PolicyKind, parse_policy
from awsaudit.analyze.iam.profile import PermissionProfile
from awsaudit.analyze.iam.recipes import ASSUME_ROLE

if TYPE_CHECKING:
    from awsaudit.analyze.iam.escalation import EscalationGraph

# What an unreadable trust policy might say: anyone may assume the role. Evaluated as the role's resource
# policy, it admits exactly the principals whose own policies, boundary and SCPs do not stop them.
_ANY_TRUST = parse_policy(
    {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ASSUME_ROLE}]},
    name="unreadable trust policy (read as trusting anyone)",
    kind=PolicyKind.TRUST,
)


@dataclass(frozen=True, slots=True)
class UnknownReach:
    """`principal` can reach `node`, whose capabilities are unknown, along `edges` (empty when the principal
    is the node, or the node is a role whose unreadable trust could admit the principal itself).

    `reason` says in one sentence why the node cannot be ruled out; `trust_problem` is set when the node is a
    role whose trust policy cannot be read (the parser's message, or that it is absent); `unknown_policies`
    names the policies in force that are unknown when the node is a principal whose policies are."""

    principal: str
    node: str
    edges: tuple[Edge, ...]
    reason: str = ""
    trust_problem: str | None = None
    unknown_policies: tuple[str, ...] = ()


def unknown_policies_of(graph: EscalationGraph, principal: Principal) -> tuple[str, ...]:
    """The policies in force for a principal that the snapshot lacks or cannot read (boundary included)."""
    context = graph.analysis.profile_of[principal.arn].context
    return (*context.unknown_policies, *filter(None, [context.unknown_boundary]))


def admitted_by_unreadable_trust(graph: EscalationGraph, role: Principal) -> list[Principal]:
    """The account's principals an unreadable trust policy of `role` could admit.

    A trust that names a principal is enough within the account, so this is everyone whose own policies,
    SCPs and permissions boundary do not keep them from `sts:AssumeRole` on the role (an explicit deny does).
    """
    return _Admission(graph).admitted(role)


class _Admission:
    """Who unreadable trust policies could admit, with the per-profile work done once for every role.

    Most profiles have no deny, boundary or SCP that could single out a role for sts:AssumeRole: they are
    admitted by every such trust (or by none) without evaluating each role; only the others are evaluated
    per role, so the cost stays near profiles + roles x (profiles with such limits)."""

    def __init__(self, graph: EscalationGraph) -> None:
        self._analysis = graph.analysis
        index = self._analysis.catalog.index(ASSUME_ROLE)
        self._always: list[Principal] = []
        self._per_role: list[PermissionProfile] = []
        for profile in self._analysis.profiles:
            members = self._analysis.principals_of(profile)
            if not members:
                continue
            context = profile.context
            if context.unknown_boundary is not None:
                self._always.extend(members)  # the boundary might allow it
                continue
            if _may_single_out_roles(profile, index):
                self._per_role.append(profile)
                continue
            generic = self._decide(profile, ALL_RESOURCES)
            if generic.allowed or generic.outcome is Outcome.UNKNOWN:
                self._always.extend(members)

    def _decide(self, profile: PermissionProfile, resource: str) -> Decision:
        # Every member shares the context (variables resolved alike), and "anyone" names them all.
        first = self._analysis.principals_of(profile)[0]
        return evaluate(
            profile.context,
            ASSUME_ROLE,
            resource,
            resource_policy=_ANY_TRUST,
            principal_arn=first.arn,
            account_id=first.account_id,
        )

    def admitted(self, role: Principal) -> list[Principal]:
        found = [principal for principal in self._always if principal is not role]
        for profile in self._per_role:
            decision = self._decide(profile, role.arn)
            if not (decision.allowed or decision.outcome is Outcome.UNKNOWN):
                continue
            boundary = profile.context.boundary
            if boundary is not None:
                # A boundary must allow the call even when the trust policy names the principal.
                ceiling = evaluate(PermissionContext(identity=(boundary,)), ASSUME_ROLE, role.arn)
                if not (ceiling.allowed or ceiling.outcome is Outcome.UNKNOWN):
                    continue
            found.extend(p for p in self._analysis.principals_of(profile) if p is not role)
        return found


def _may_single_out_roles(profile: PermissionProfile, index: int | None) -> bool:
    """Whether a deny, a boundary or an SCP could let sts:AssumeRole on one role and not another."""
    context = profile.context
    if context.boundary is not None:
        return True
    if index is not None and context.scp_levels and not profile.scp_ceiling >> index & 1:
        return True
    policies = [*context.identity, *(policy for level in context.scp_levels for policy in level)]
    return any(
        statement.effect is Effect.DENY and statement.matches_action(ASSUME_ROLE)
        for policy in policies
        for statement in policy.statements
    )


def reach_through_unknown(
    graph: EscalationGraph,
    leads: Collection[str],
    leads_to: str,
    unknown: Mapping[str, str] | None = None,
) -> dict[str, UnknownReach]:
    """Every principal that reaches an unknown node over acting-as edges, with the node and the way there.

    `leads`: principals known to lead where the question asks (`leads_to`, e.g. "leads to admin"); an
    unreadable trust matters on a role among them. `unknown`: further principals whose answer is unknown
    (ARN -> reason), e.g. those whose decision for the action asked about is UNKNOWN.
    """
    by_arn = graph.analysis.by_arn
    nodes: dict[str, UnknownReach] = {}
    for principal in graph.undetermined():
        missing = unknown_policies_of(graph, principal)
        nodes[principal.arn] = UnknownReach(
            principal.arn,
            principal.arn,
            (),
            f"the policies of {principal.label} are unknown ({', '.join(missing)})",
            unknown_policies=missing,
        )
    for arn, reason in (unknown or {}).items():
        if arn not in nodes and arn in by_arn:
            nodes[arn] = UnknownReach(arn, arn, (), reason)
    problems = graph.trust_problems()
    admission = _Admission(graph) if problems else None
    opened: set[str] = set()
    first_edge = graph.shortest_paths_to(dict.fromkeys(nodes)) if nodes else {}
    while True:
        gates = [arn for arn in sorted(problems) if arn not in opened and (arn in leads or arn in first_edge)]
        if not gates:
            break
        for role_arn in gates:
            opened.add(role_arn)
            role = by_arn[role_arn]
            why = f"{role.label} {leads_to}" if role_arn in leads else _reached(nodes, first_edge, role_arn)
            reason = (
                f"the trust policy of {role.label} cannot be read ({problems[role_arn]}) and could admit it; "
                + why
            )
            assert admission is not None  # built whenever there are unreadable trusts
            if len(nodes) == len(by_arn):
                continue  # everyone is unknown already: the first reason found stands
            for principal in admission.admitted(role):
                if principal.arn not in nodes:
                    nodes[principal.arn] = UnknownReach(
                        principal.arn, role_arn, (), reason, trust_problem=problems[role_arn]
                    )
        first_edge = graph.shortest_paths_to(dict.fromkeys(nodes))
    found: dict[str, UnknownReach] = {}
    for arn in first_edge:
        edges = walk_to_sink(arn, first_edge)
        end = edges[-1].target if edges else arn
        node = nodes[end]
        found[arn] = UnknownReach(
            arn, node.node, edges, node.reason, node.trust_problem, node.unknown_policies
        )
    return found


def _reached(nodes: Mapping[str, UnknownReach], first_edge: Mapping[str, Edge | None], start: str) -> str:
    """Why the unknown node `start` reaches is unknown (the role itself when it is that node)."""
    edges = walk_to_sink(start, first_edge)
    return nodes[edges[-1].target if edges else start].reason


def walk_to_sink(source: str, first_edge: Mapping[str, Edge | None]) -> tuple[Edge, ...]:
    """The edges from `source` to the sink a backward search (`shortest_paths_to`) reached it from."""
    edges: list[Edge] = []
    current = source
    while (edge := first_edge[current]) is not None:
        edges.append(edge)
        current = edge.target
    return tuple(edges)
