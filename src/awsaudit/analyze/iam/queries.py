"""Questions asked of the escalation graph: who can do X (directly or by escalating), where can P get to."""

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from awsaudit.analyze.iam.account import IamAccount, Principal, parse_authorization_details
from awsaudit.analyze.iam.analysis import analyze_account
from awsaudit.analyze.iam.escalation import ADMIN, Edge, EscalationGraph
from awsaudit.analyze.iam.evaluation import Decision, Outcome
from awsaudit.analyze.iam.policy import Policy
from awsaudit.analyze.iam.unknown import UnknownReach, reach_through_unknown


def build_graph(
    details: Mapping[str, object], *, scp_levels: Sequence[Sequence[Policy]] = ()
) -> EscalationGraph:
    """The escalation graph of an account from its `AccountAuthorizationDetails` dataset and its SCPs."""
    return graph_for(parse_authorization_details(details, scp_levels=scp_levels))


def graph_for(account: IamAccount, unreadable_trust: Mapping[str, str] | None = None) -> EscalationGraph:
    """`unreadable_trust`: role ARN -> why its trust policy could not be parsed (the role is kept, its trust
    read as unknown)."""
    return EscalationGraph(analyze_account(account), unreadable_trust=dict(unreadable_trust or {}))


@dataclass(frozen=True, slots=True)
class WhoCan:
    """A principal that can perform the action: directly (`path` empty) or after escalating along `path`.

    `unknown_reach`: set when the principal cannot be ruled out only because it can reach an unknown node
    (`path` is then the way to it)."""

    principal: Principal
    decision: Decision | None
    path: tuple[Edge, ...] = ()
    unknown_reach: UnknownReach | None = None

    @property
    def via_escalation(self) -> bool:
        return bool(self.path) or (
            self.unknown_reach is not None and self.unknown_reach.node != self.principal.arn
        )

    @property
    def conditional(self) -> bool:
        direct = self.decision is not None and self.decision.outcome is Outcome.CONDITIONAL
        return direct or any(edge.conditional for edge in self.path)

    @property
    def unknown(self) -> bool:
        direct = self.decision is not None and self.decision.outcome is Outcome.UNKNOWN
        return direct or self.unknown_reach is not None


def who_can(graph: EscalationGraph, action: str, resource: str | None = None) -> tuple[WhoCan, ...]:
    """Principals that can perform `action` on `resource` (None: on some resource).

    Direct answers include UNKNOWN ones (a policy in force is missing from the snapshot); escalations lead
    to a principal that can do it directly, or to admin when the SCPs leave the action open. Principals with
    neither that can reach an unknown node (a principal whose answer is unknown, a role behind an unreadable
    trust policy that leads to one who can) are listed as unknown, with the way to that node.
    """
    analysis = graph.analysis
    direct: dict[str, WhoCan] = {}
    profiles = (
        analysis.profiles_for(action) if resource in (None, "*") else analysis.candidates(action, resource)
    )
    for profile in profiles:
        decision = profile.decide(action, resource)
        if decision.allowed or decision.outcome is Outcome.UNKNOWN:
            for principal in analysis.principals_of(profile):
                direct[principal.arn] = WhoCan(principal, decision)
    sinks: dict[str, Edge | None] = {arn: None for arn, entry in direct.items() if not entry.unknown}
    first_edge = graph.shortest_paths_to(sinks)
    results = list(direct.values())
    for arn, edge in first_edge.items():
        if arn not in direct and edge is not None:
            results.append(WhoCan(analysis.by_arn[arn], None, graph.path(arn, first_edge).edges))
    index = analysis.catalog.index(action)

    def scps_leave_open(arn: str) -> bool:
        return index is None or bool(analysis.profile_of[arn].scp_ceiling >> index & 1)

    for arn, path in graph.escalation_paths().items():
        if arn in direct or arn in first_edge:
            continue
        # Admin can do the action only where the SCPs leave it open.
        if scps_leave_open(arn):
            results.append(WhoCan(analysis.by_arn[arn], None, path.edges))
    listed = {entry.principal.arn for entry in results}
    known = {entry.principal.arn for entry in results if not entry.unknown}
    unknown_direct = {
        arn: f"the policies in force for {entry.principal.label} are unknown for {action}"
        for arn, entry in direct.items()
        if entry.unknown
    }
    reaching = reach_through_unknown(graph, known, f"can perform {action}", unknown_direct)
    for arn, reach in graph.unknown_reach().items():
        if scps_leave_open(arn):
            reaching.setdefault(arn, reach)
    for arn, reach in reaching.items():
        if arn not in listed:
            results.append(WhoCan(analysis.by_arn[arn], None, reach.edges, reach))
    return tuple(sorted(results, key=lambda entry: (entry.via_escalation, entry.principal.arn)))


@dataclass(frozen=True, slots=True)
class Reachable:
    """A principal (or ADMIN) that `paths_from`'s source can become, with the shortest way there.

    `unknown_reach`: for ADMIN only, set when no path is known but one cannot be ruled out (the unknown node,
    and `edges` the way to it)."""

    target: str
    edges: tuple[Edge, ...]
    unknown_reach: UnknownReach | None = None

    @property
    def conditional(self) -> bool:
        return any(edge.conditional for edge in self.edges)


def paths_from(graph: EscalationGraph, source: Principal) -> tuple[Reachable, ...]:
    """Every principal `source` can become, and admin if reachable, each with its shortest path.

    A forward search that, from each principal, only looks at principals not reached yet.
    """
    paths: dict[str, tuple[Edge, ...]] = {source.arn: ()}
    unreached = {p.arn: None for p in graph.analysis.account.principals if p is not source}
    queue = deque([source])
    escalation = graph.escalation_paths().get(source.arn)
    admin = () if graph.is_admin(source) else escalation.edges if escalation is not None else None
    while queue and unreached:
        current = queue.popleft()
        trail = paths[current.arn]
        for edge in graph.outgoing(current, unreached):
            if edge.target in unreached:
                del unreached[edge.target]
                paths[edge.target] = (*trail, edge)
                queue.append(graph.analysis.by_arn[edge.target])
    reached = [Reachable(target, edges) for target, edges in paths.items() if target != source.arn]
    if admin is not None:
        reached.insert(0, Reachable(ADMIN, admin))
    elif (unknown := graph.unknown_reach().get(source.arn)) is not None:
        reached.insert(0, Reachable(ADMIN, unknown.edges, unknown))
    return tuple(reached)
