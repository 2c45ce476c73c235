"""Privilege escalation: shortest paths to administrator over *acting-as* and *granting* edges.

A principal P escalates when something P can act as (itself, a role it can assume, a user whose credentials it
can create, a role it can pass to compute it controls) can make something P can act as an administrator.
Three searches, each a breadth-first search backwards over acting-as edges, so the work follows the edges that
matter rather than principals x principals:

1. from the administrators and the principals that can grant themselves everything;
2. for each group of principals that can grant admin to *others* (one permission profile), from those granters
   and, separately, from the principals they can grant to: whoever reaches both escalates;
3. from the principals whose policies are unknown, and from every principal an unreadable trust policy could
   admit (`unknown.py`): whoever reaches one without a known path cannot be said to be safe.
"""

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

from awsaudit.analyze.iam.account import Principal
from awsaudit.analyze.iam.edge_finder import EdgeFinder, SearchState
from awsaudit.analyze.iam.edges import ADMIN, Edge, EdgeKind, EscalationPath
from awsaudit.analyze.iam.recipes import COMPUTE_RECIPES, GRANT_ACTIONS
from awsaudit.analyze.iam.unknown import UnknownReach, reach_through_unknown

__all__ = [
    "ADMIN",
    "COMPUTE_RECIPES",
    "Edge",
    "EdgeKind",
    "EscalationGraph",
    "EscalationPath",
    "UnknownReach",
]


@dataclass(eq=False, slots=True)
class EscalationGraph(EdgeFinder):
    """The privilege-escalation graph of an `IamAnalysis`, with its searches (results cached).

    `unreadable_trust`: role ARN -> why its trust policy cannot be read (a role without one in the snapshot
    counts too, see `trust_problems`).
    """

    unreadable_trust: Mapping[str, str] = field(default_factory=dict)
    _sinks: dict[str, Edge | None] | None = None
    _paths: dict[str, EscalationPath] | None = None
    _unknown: dict[str, UnknownReach] | None = None

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

    def trust_problems(self) -> dict[str, str]:
        """Roles whose trust policy cannot be read: unparseable, or absent from the snapshot."""
        problems = {
            role.arn: "no trust policy in the snapshot"
            for role in self.analysis.account.roles
            if role.trust_policy is None
        }
        problems.update(
            (arn, why) for arn, why in self.unreadable_trust.items() if arn in self.analysis.by_arn
        )
        return problems

    def unknown_reach(self) -> dict[str, UnknownReach]:
        """Principals without a path to admin whose way to admin might run through an unknown node: a
        principal whose policies are unknown, or a role that is (or leads to) admin behind a trust policy that
        cannot be read and could admit them. Administrators and principals with a path are left out."""
        if self._unknown is None:
            paths = self.escalation_paths()
            leads = {*paths, *(p.arn for p in self.analysis.account.principals if self.is_admin(p))}
            # A role that can make another principal admin leads there for whoever it admits (who might be,
            # or act as, that principal): behind an unreadable trust it counts as leading to admin.
            granters = {arn for arn in self.trust_problems() if self._grants_admin_to_another(arn)}
            found = reach_through_unknown(self, leads | granters, "leads to admin")
            self._unknown = {arn: reach for arn, reach in found.items() if arn not in leads}
        return dict(self._unknown)

    def _grants_admin_to_another(self, arn: str) -> bool:
        granter = self.analysis.by_arn[arn]
        profile = self.analysis.profile_of[arn]
        if not any(profile.may_do(action) for action in GRANT_ACTIONS):
            return False
        return any(
            target is not granter and self.may_grant_to(profile, target) and self.grant_edges(granter, target)
            for target in self.analysis.account.principals
        )
