"""Questions asked of the escalation graph: who can do X (directly or by escalating), where can P get to."""

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from awsaudit.analyze.iam.account import IamAccount, Principal, parse_authorization_details
from awsaudit.analyze.iam.analysis import analyze_account
from awsaudit.analyze.iam.escalation import ADMIN, Edge, EscalationGraph
from awsaudit.analyze.iam.evaluation import Decision, Outcome
from awsaudit.analyze.iam.policy import Policy


def build_graph(
    details: Mapping[str, object], *, scp_levels: Sequence[Sequence[Policy]] = ()
) -> EscalationGraph:
    """The escalation graph of an account from its `AccountAuthorizationDetails` dataset and its SCPs."""
    return graph_for(parse_authorization_details(details, scp_levels=scp_levels))


def graph_for(account: IamAccount) -> EscalationGraph:
    return EscalationGraph(analyze_account(account))


@dataclass(frozen=True, slots=True)
class WhoCan:
    """A principal that can perform the action: directly (`path` empty) or after escalating along `path`."""

    principal: Principal
    decision: Decision | None
    path: tuple[Edge, ...] = ()

    @property
    def via_escalation(self) -> bool:
        return bool(self.path)

    @property
    def conditional(self) -> bool:
        direct = self.decision is not None and self.decision.outcome is Outcome.CONDITIONAL
        return direct or any(edge.conditional for edge in self.path)

    @property
    def unknown(self) -> bool:
        return self.decision is not None and self.decision.outcome is Outcome.UNKNOWN


def who_can(graph: EscalationGraph, action: str, resource: str | None = None) -> tuple[WhoCan, ...]:
    """Principals that can perform `action` on `resource` (None: on some resource).

    Direct answers include UNKNOWN ones (a policy in force is missing from the snapshot); escalations lead
    to a principal that can do it directly, or to admin when the SCPs leave the action open.
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
    for arn, path in graph.escalation_paths().items():
        if arn in direct or arn in first_edge:
            continue
        # Admin can do the action only where the SCPs leave it open.
        if index is None or analysis.profile_of[arn].scp_ceiling >> index & 1:
            results.append(WhoCan(analysis.by_arn[arn], None, path.edges))
    return tuple(sorted(results, key=lambda entry: (entry.via_escalation, entry.principal.arn)))


@dataclass(frozen=True, slots=True)
class Reachable:
    """A principal (or ADMIN) that `paths_from`'s source can become, with the shortest way there."""

    target: str
    edges: tuple[Edge, ...]

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
    return tuple(reached)
