"""Privilege escalation: shortest paths to administrator over *acting-as* and *granting* edges.

A principal P escalates when something P can act as (itself, a role it can assume, a user whose credentials it
can create, a role it can pass to compute it controls) can make something P can act as an administrator.
Three searches, each a breadth-first search backwards over acting-as edges, so the work follows the edges that
matter rather than principals x principals:

1. from the administrators and the principals that can grant themselves everything;
2. for each group of principals that can grant admin to *others* (one permission profile), from those granters
   and, separately, from the principals they can grant to: whoever reaches both escalates;
3. from the principals whose policies (or a trust policy on the way) are unknown: whoever reaches one without
   a known path cannot be said to be safe.
"""

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass

from awsaudit.analyze.iam.account import Principal
from awsaudit.analyze.iam.edge_finder import EdgeFinder, SearchState
from awsaudit.analyze.iam.edges import ADMIN, Edge, EdgeKind, EscalationPath
from awsaudit.analyze.iam.evaluation import Outcome
from awsaudit.analyze.iam.recipes import ASSUME_ROLE, COMPUTE_RECIPES, GRANT_ACTIONS

__all__ = [
    "ADMIN",
    "COMPUTE_RECIPES",
    "Edge",
    "EdgeKind",
    "EscalationGraph",
    "EscalationPath",
    "UnknownReach",
]


@dataclass(frozen=True, slots=True)
class UnknownReach:
    """A principal with no known path to admin that can reach `node`, whose policies (or trust policy) are
    unknown, along `edges` (empty when it is the node, or may assume the node, itself)."""

    principal: str
    node: str
    edges: tuple[Edge, ...]


@dataclass(eq=False, slots=True)
class EscalationGraph(EdgeFinder):
    """The privilege-escalation graph of an `IamAnalysis`, with its searches (results cached)."""

    _sinks: dict[str, Edge | None] | None = None
    _paths: dict[str, EscalationPath] | None = None

    def shortest_paths_to(self, sinks: Mapping[str, Edge | None]) -> dict[str, Edge | None]:
        """Backward BFS over acting-as edges: for every principal that reaches a sink, its first edge (None
        for the sinks themselves)."""
        first_edge: dict[str, Edge | None] = dict(sinks)
        search = SearchState(self.analysis)
        for arn in first_edge:
            search.reach(arn)
        queue = deque(arn for arn, edge in sinks.items() if edge is None)
        queue.extend(arn for arn, edge in sinks.items() if edge is not None)
        by_arn = self.analysis.by_arn
        while queue:
            target = by_arn[queue.popleft()]
            for edge in self._incoming(target, search):
                if edge.source not in search.done:
                    search.reach(edge.source)
                    first_edge[edge.source] = edge
                    queue.append(edge.source)
        return first_edge

    def admin_sinks(self) -> dict[str, Edge | None]:
        """Admin principals (None) and principals that can grant themselves everything (that edge)."""
        if self._sinks is None:
            principals = self.analysis.account.principals
            sinks: dict[str, Edge | None] = {p.arn: None for p in principals if self.is_admin(p)}
            for principal in principals:
                if principal.arn not in sinks and (own := self.grant_edges(principal, principal)):
                    sinks[principal.arn] = own[0]
            self._sinks = sinks
        return dict(self._sinks)

    def escalation_paths(self) -> dict[str, EscalationPath]:
        """The shortest path to admin of every principal that is not admin itself but can become admin."""
        if self._paths is not None:
            return dict(self._paths)
        first_edge = self.shortest_paths_to(self.admin_sinks())
        paths = {arn: self.path(arn, first_edge) for arn, edge in first_edge.items() if edge is not None}
        for arn, path in self._granted_paths(set(first_edge)).items():
            if arn not in paths or len(path.edges) < len(paths[arn].edges):
                paths[arn] = path
        self._paths = paths
        return dict(paths)

    def path(self, source: str, first_edge: Mapping[str, Edge | None]) -> EscalationPath:
        edges = self._walk(source, first_edge)
        if edges and edges[-1].target == ADMIN:
            return EscalationPath(source, edges, ADMIN)
        end = edges[-1].target if edges else source
        admin = self.analysis.by_arn[end]
        return EscalationPath(source, edges, end, admin_conditional=not self.admin_level(admin)[0])

    @staticmethod
    def _walk(source: str, first_edge: Mapping[str, Edge | None]) -> tuple[Edge, ...]:
        edges: list[Edge] = []
        current = source
        while (edge := first_edge[current]) is not None:
            edges.append(edge)
            if edge.target == ADMIN:
                break
            current = edge.target
        return tuple(edges)

    def _granted_paths(self, resolved: set[str]) -> dict[str, EscalationPath]:
        """Paths through a principal that grants admin to another one the same source can act as."""
        undetermined = {p.arn for p in self.undetermined()}
        open_principals = [
            p for p in self.analysis.account.principals if p.arn not in resolved and p.arn not in undetermined
        ]
        granters: dict[int, list[Principal]] = {}
        for principal in open_principals:
            profile = self.analysis.profile_of[principal.arn]
            if any(profile.may_do(action) for action in GRANT_ACTIONS):
                granters.setdefault(id(profile), []).append(principal)
        best: dict[str, EscalationPath] = {}
        for group in granters.values():
            representative = group[0]
            members = {p.arn for p in group}
            # Same profile, same decisions: a member the group could grant to could grant itself (resolved).
            profile = self.analysis.profile_of[representative.arn]
            granted = [
                p
                for p in open_principals
                if p.arn not in members
                and self.may_grant_to(profile, p)
                and self.grant_edges(representative, p)
            ]
            if not granted:
                continue
            to_granter = self.shortest_paths_to(dict.fromkeys(members))
            to_granted = self.shortest_paths_to(dict.fromkeys(p.arn for p in granted))
            for arn in to_granter.keys() & to_granted.keys():
                if arn in resolved:
                    continue
                first, second = self._walk(arn, to_granter), self._walk(arn, to_granted)
                if arn in best and len(best[arn].edges) <= len(first) + len(second) + 1:
                    continue
                granter = first[-1].target if first else arn
                target = second[-1].target if second else arn
                grant = self.grant_edges(self.analysis.by_arn[granter], self.analysis.by_arn[target])
                if grant:
                    best[arn] = EscalationPath(arn, (*first, grant[0], *second), target, granter=granter)
        return best

    def unknown_reach(self, unreadable_trust: Mapping[str, str] | None = None) -> dict[str, UnknownReach]:
        """Principals without a path to admin whose way might run through an unknown node.

        Unknown nodes: principals with attached policies (or a boundary) missing from the snapshot, and roles
        in `unreadable_trust` (ARN -> problem) that are or lead to admin (whoever may call sts:AssumeRole on
        such a role might be trusted by it). Returns the principals reaching one over acting-as edges.
        """
        paths = self.escalation_paths()
        node_of: dict[str, str] = {p.arn: p.arn for p in self.undetermined()}
        for role_arn in sorted(unreadable_trust or {}):
            role = self.analysis.by_arn.get(role_arn)
            if role is None or not (self.is_admin(role) or role_arn in paths):
                continue
            for profile in self.analysis.profiles_for(ASSUME_ROLE):
                decision = profile.decide(ASSUME_ROLE, role_arn)
                if decision.allowed or decision.outcome is Outcome.UNKNOWN:
                    for principal in self.analysis.principals_of(profile):
                        node_of.setdefault(principal.arn, role_arn)
        if not node_of:
            return {}
        first_edge = self.shortest_paths_to(dict.fromkeys(node_of))
        found: dict[str, UnknownReach] = {}
        for arn in first_edge:
            principal = self.analysis.by_arn[arn]
            if arn in paths or self.is_admin(principal):
                continue
            edges = self._walk(arn, first_edge)
            end = edges[-1].target if edges else arn
            found[arn] = UnknownReach(arn, node_of[end], edges)
        return found
