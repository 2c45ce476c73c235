"""What a statement's actions let a caller do to one kind of resource, by the catalog's access levels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from awsaudit.analyze.iam.catalog import PERMISSIONS_MANAGEMENT, action_catalog
from awsaudit.analyze.iam.errors import PolicyParseError
from awsaudit.analyze.resource_policy.document import PolicyError


class Capability(StrEnum):
    READ = "read"
    WRITE = "write"
    ADMINISTER = "administer"
    DECRYPT = "decrypt"


# Actions that hand over plaintext: as bad as administering the resource when anyone may call them.
DECRYPT_ACTIONS = frozenset(
    name.lower()
    for name in (
        "kms:Decrypt",
        "kms:ReEncryptFrom",
        "kms:GenerateDataKey",
        "kms:GenerateDataKeyPair",
        "secretsmanager:GetSecretValue",
        "secretsmanager:BatchGetSecretValue",
    )
)
SEVERE = frozenset({Capability.WRITE, Capability.ADMINISTER, Capability.DECRYPT})


@dataclass(frozen=True, slots=True)
class Actions:
    """The actions of one statement that apply to a resource kind (catalog bit set + unknown names)."""

    mask: int
    unknown: tuple[str, ...]  # patterns of the kind's services the catalog does not know
    everything: bool = False  # every action of the kind, known to the catalog or not

    def __bool__(self) -> bool:
        return bool(self.mask or self.unknown)

    def minus(self, other: Actions) -> Actions:
        # An unknown pattern is only removed by the very same pattern or by every action.
        unknown = () if other.everything else tuple(u for u in self.unknown if u not in other.unknown)
        return Actions(self.mask & ~other.mask, unknown)

    def intersect(self, other: Actions) -> Actions:
        unknown = self.unknown if other.everything else tuple(u for u in self.unknown if u in other.unknown)
        return Actions(self.mask & other.mask, unknown, self.everything and other.everything)

    def includes(self, action: str) -> bool:
        return bool(self.mask & action_catalog().mask(action)) or action in self.unknown

    def names(self, limit: int = 20) -> list[str]:
        listed = list(action_catalog().names(self.mask, limit)) + list(self.unknown)
        return listed

    def capabilities(self) -> frozenset[Capability]:
        catalog = action_catalog()
        found: set[Capability] = set()
        if self.unknown:
            found.add(Capability.WRITE)  # not in the catalog: assume the worst it could be
        if self.mask & catalog.level_mask(PERMISSIONS_MANAGEMENT):
            found.add(Capability.ADMINISTER)
        if self.mask & (catalog.level_mask("Write") | catalog.level_mask("Tagging")):
            found.add(Capability.WRITE)
        if self.mask & (catalog.level_mask("Read") | catalog.level_mask("List")):
            found.add(Capability.READ)
        if self.mask & _decrypt_mask():
            found.add(Capability.DECRYPT)
        return frozenset(found)


def _decrypt_mask() -> int:
    catalog = action_catalog()
    return catalog.mask_of(DECRYPT_ACTIONS)


def statement_actions(
    action: Sequence[str], not_action: Sequence[str] | None, services: Sequence[str]
) -> Actions:
    """The actions of the kind's services an Allow/Deny's Action (or NotAction) covers."""
    catalog = action_catalog()
    kind_mask = 0
    unknown_services = []
    for service in services:
        service_mask = catalog.service_mask(service)
        kind_mask |= service_mask
        if not service_mask:
            unknown_services.append(f"{service}:*")
    own = {service.lower() for service in services}
    patterns = action if not_action is None else not_action
    mask = 0
    unknown: list[str] = []
    everything = False
    for pattern in patterns:
        lowered = pattern.lower()
        prefix = lowered.split(":", 1)[0]
        if lowered == "*" or (lowered.endswith(":*") and prefix in own and len(own) == 1):
            everything = True
        if lowered != "*" and ":" in lowered and not _has_wildcard(prefix) and prefix not in own:
            continue  # another service's action: it does nothing to this resource
        try:
            matched = catalog.mask(pattern) & kind_mask
        except PolicyParseError as error:
            raise PolicyError(str(error)) from None
        if lowered == "*" or (lowered.endswith(":*") and prefix in own):
            unknown.extend(s for s in unknown_services if lowered == "*" or s.startswith(prefix + ":"))
        elif not matched and prefix in own:
            unknown.append(pattern)
        mask |= matched
    if not_action is not None:
        # Every action of the kind except those listed; the catalog cannot list unknown services.
        return Actions(kind_mask & ~mask, tuple(unknown_services))
    return Actions(mask, tuple(dict.fromkeys(unknown)), everything)


def _has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def severe(capabilities: frozenset[Capability]) -> bool:
    return bool(capabilities & SEVERE)
