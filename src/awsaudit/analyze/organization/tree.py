"""The organization's tree: roots, OUs and accounts, each with the path of ids from its root."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from awsaudit.errors import AwsauditError


class OrganizationDataError(AwsauditError):
    """The organization datasets contradict themselves (an OU or account under an unknown parent)."""


class NodeKind(StrEnum):
    ROOT = "root"
    UNIT = "ou"
    ACCOUNT = "account"


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    name: str
    kind: NodeKind
    parent: str | None  # None for a root


@dataclass(frozen=True)
class OrganizationTree:
    """Every root, OU and account of the organization; ``path`` runs root first, node last."""

    nodes: Mapping[str, Node]
    management_account: str | None

    def path(self, node_id: str) -> tuple[str, ...]:
        """Ids from the root down to ``node_id`` itself: the levels SCPs are attached at."""
        path: list[str] = []
        current: str | None = node_id
        while current is not None:
            if current in path or current not in self.nodes:
                raise OrganizationDataError(f"{node_id} does not hang from a root (at {current})")
            path.append(current)
            current = self.nodes[current].parent
        return tuple(reversed(path))

    def path_names(self, node_id: str) -> str:
        return " / ".join(self.nodes[i].name for i in self.path(node_id))

    def of_kind(self, kind: NodeKind) -> Iterator[Node]:
        return (node for node in self.nodes.values() if node.kind is kind)

    @property
    def accounts(self) -> tuple[Node, ...]:
        return tuple(sorted(self.of_kind(NodeKind.ACCOUNT), key=lambda n: n.id))

    def containers(self) -> tuple[Node, ...]:
        """Roots and OUs, each before the nodes beneath it."""
        containers = [n for n in self.nodes.values() if n.kind is not NodeKind.ACCOUNT]
        return tuple(sorted(containers, key=lambda n: (len(self.path(n.id)), n.name, n.id)))

    def accounts_under(self, node_id: str) -> tuple[str, ...]:
        return tuple(a.id for a in self.accounts if node_id in self.path(a.id))

    def directly_under_root(self) -> tuple[str, ...]:
        return tuple(
            a.id for a in self.accounts if a.parent is not None and self.nodes[a.parent].kind is NodeKind.ROOT
        )


def build_tree(
    roots: Sequence[Mapping[str, Any]],
    units: Sequence[Mapping[str, Any]],
    accounts: Sequence[Mapping[str, Any]],
    management_account: str | None,
) -> OrganizationTree:
    """From ``organizations/Roots``, ``OrganizationalUnits`` and ``AccountParents``."""
    nodes: dict[str, Node] = {}
    for root in roots:
        nodes[str(root["Id"])] = Node(str(root["Id"]), str(root.get("Name") or "Root"), NodeKind.ROOT, None)
    for unit in units:
        nodes[str(unit["Id"])] = Node(
            str(unit["Id"]), str(unit.get("Name") or unit["Id"]), NodeKind.UNIT, str(unit["ParentId"])
        )
    for account in accounts:
        nodes[str(account["Id"])] = Node(
            str(account["Id"]),
            str(account.get("Name") or account["Id"]),
            NodeKind.ACCOUNT,
            str(account["ParentId"]),
        )
    tree = OrganizationTree(nodes, management_account)
    for node in nodes.values():
        tree.path(node.id)  # every node must reach a root
    return tree
