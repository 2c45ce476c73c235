"""Edges and paths of the escalation graph.

Two kinds of edge: *acting as* (P can assume role R, create credentials of user U, pass role R to compute it
controls, so P can do whatever the target can) and *granting* (P can change what a target may do: attach or
put a policy, add a user to a group, publish a policy version, rewrite a role's trust).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from awsaudit.analyze.iam.evaluation import Decision
from awsaudit.analyze.iam.policy import Statement

ADMIN = "admin"


class EdgeKind(StrEnum):
    ACTS_AS = "acts-as"
    GRANTS = "grants"


@dataclass(frozen=True, slots=True)
class Edge:
    """One step. `acts-as`: `source` can act as `target`. `grants`: `source` can make `target` an
    administrator (`target` is ADMIN when the source grants it to itself), or, for a trust rewrite, can make
    `target` assumable by itself."""

    source: str
    target: str
    method: str
    explanation: str
    permissions: tuple[str, ...]
    grants: tuple[Statement, ...]
    conditions: tuple[Statement, ...] = ()
    kind: EdgeKind = EdgeKind.ACTS_AS

    @property
    def conditional(self) -> bool:
        return bool(self.conditions)

    @property
    def statements(self) -> tuple[str, ...]:
        return tuple(statement.reference for statement in self.grants)


@dataclass(frozen=True, slots=True)
class EscalationPath:
    """Shortest way from `source` to admin; `reaches` is ADMIN or the principal that is (or is made) admin.

    `granter`: when the path makes another principal admin, the principal (acted as by `source`) that grants
    it; the edges then run source -> ... -> granter, the grant, source -> ... -> the principal made admin.
    """

    source: str
    edges: tuple[Edge, ...]
    reaches: str
    admin_conditional: bool = False
    granter: str | None = None

    @property
    def conditional(self) -> bool:
        return self.admin_conditional or any(edge.conditional for edge in self.edges)


@dataclass(frozen=True, slots=True)
class Step:
    """A permission needed for an edge, already decided (allowed)."""

    action: str
    decision: Decision


def make_edge(
    source: str,
    target: str,
    method: str,
    explanation: str,
    steps: Sequence[Step],
    extra: Sequence[Statement] = (),
    kind: EdgeKind = EdgeKind.ACTS_AS,
) -> Edge:
    grants = dict.fromkeys([*(s for step in steps for s in step.decision.grants), *extra])
    conditions = dict.fromkeys(
        [*(s for step in steps for s in step.decision.conditions), *(s for s in extra if s.is_conditional)]
    )
    return Edge(
        source=source,
        target=target,
        method=method,
        explanation=explanation,
        permissions=tuple(dict.fromkeys(step.action for step in steps)),
        grants=tuple(grants),
        conditions=tuple(conditions),
        kind=kind,
    )
