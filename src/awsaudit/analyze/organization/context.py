"""Organization context: what an organization adds to each member account's verdicts.

Computed once from the management (or delegated administrator) account's snapshot and handed to
every member's checks as the global dataset ``organization/Context``. Each fact is either known
or carries the reason it is not (fail closed: a check that needs an unknown fact keeps its own,
account-local verdict or says UNKNOWN, never PASS on a guess).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from awsaudit.errors import AwsauditError
from awsaudit.snapshot import GLOBAL, NotCollected, Snapshot, resource_field

if TYPE_CHECKING:
    from awsaudit.analyze.organization.guardrails import BaselineItem

CONTEXT_SERVICE = "organization"
CONTEXT_DATASET = "Context"
SCHEMA = "awsaudit.organization-context/1"
ROOT_CREDENTIALS_MANAGEMENT = "RootCredentialsManagement"
ROOT_SESSIONS = "RootSessions"


def budget_linked_accounts(budget: Mapping[str, Any]) -> frozenset[str] | None:
    """The member accounts a budget is restricted to, or None when it has no linked-account filter.

    Budgets filter either through the classic ``CostFilters: {"LinkedAccount": [...]}`` or through a
    ``FilterExpression`` whose ``Dimensions`` key is ``LINKED_ACCOUNT``.
    """
    cost_filters = budget.get("CostFilters") or {}
    if cost_filters.get("LinkedAccount"):
        return frozenset(str(a) for a in cost_filters["LinkedAccount"])
    dimensions = (budget.get("FilterExpression") or {}).get("Dimensions") or {}
    if dimensions.get("Key") == "LINKED_ACCOUNT" and dimensions.get("Values"):
        return frozenset(str(a) for a in dimensions["Values"])
    return None


@dataclass(frozen=True)
class Fact:
    """A value, or the reason it is not known (``value`` is then None)."""

    value: Any
    reason: str | None = None

    @property
    def known(self) -> bool:
        return self.reason is None

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "reason": self.reason}


@dataclass(frozen=True)
class OrganizationContext:
    organization_id: str
    management_account: str
    accounts: Fact  # {account id: name} of every account of the organization
    linked_budgets: Fact  # {account id: [names of alerting management-account budgets filtered to it]}
    root_access_features: Fact  # ["RootCredentialsManagement", "RootSessions"] enabled centrally
    scps_above: Fact = field(default_factory=lambda: Fact(None, "not computed"))  # {account: {level: [SCP]}}
    # {account: {"allowed": [...], "conditional": [...], "attach_at": {item: node}, "path": "..."}};
    # the management account is absent (out of SCP reach).
    guardrails: Fact = field(default_factory=lambda: Fact(None, "not computed"))

    def is_member(self, account_id: str) -> bool | None:
        """True when the account belongs to the organization; None when the account list is unknown."""
        if not self.accounts.known:
            return None
        return account_id in self.accounts.value

    def account_name(self, account_id: str) -> str | None:
        return (self.accounts.value or {}).get(account_id) if self.accounts.known else None

    def budgets_capping(self, account_id: str) -> list[str] | None:
        """Alerting management-account budgets filtered to the account; None when unknown."""
        if not self.linked_budgets.known:
            return None
        return list(self.linked_budgets.value.get(account_id, []))

    def guardrails_of(self, account_id: str) -> Mapping[str, Any] | None:
        """The account's guardrail verdict (see ``guardrails``); None when unknown or not a member."""
        if not self.guardrails.known:
            return None
        verdict: Mapping[str, Any] | None = (self.guardrails.value or {}).get(account_id)
        return verdict

    def root_credentials_managed(self) -> bool | None:
        if not self.root_access_features.known:
            return None
        return ROOT_CREDENTIALS_MANAGEMENT in self.root_access_features.value

    def to_dataset(self) -> dict[str, Any]:
        return {
            "Schema": SCHEMA,
            "OrganizationId": self.organization_id,
            "ManagementAccount": self.management_account,
            "Accounts": self.accounts.to_json(),
            "LinkedBudgets": self.linked_budgets.to_json(),
            "RootAccessFeatures": self.root_access_features.to_json(),
            "ScpsAbove": self.scps_above.to_json(),
            "Guardrails": self.guardrails.to_json(),
        }


class ContextError(AwsauditError, ValueError):
    """An ``organization/Context`` dataset that is not one this version wrote."""


def _fact(raw: Any, name: str) -> Fact:
    if not isinstance(raw, Mapping) or "value" not in raw:
        raise ContextError(f"organization context: {name} is malformed")
    reason = raw.get("reason")
    return Fact(raw["value"], None if reason is None else str(reason))


def context_from_dataset(data: Mapping[str, Any]) -> OrganizationContext:
    if not isinstance(data, Mapping) or data.get("Schema") != SCHEMA:
        raise ContextError(f"organization context: expected schema {SCHEMA}")
    return OrganizationContext(
        organization_id=str(data.get("OrganizationId")),
        management_account=str(data.get("ManagementAccount")),
        accounts=_fact(data.get("Accounts"), "Accounts"),
        linked_budgets=_fact(data.get("LinkedBudgets"), "LinkedBudgets"),
        root_access_features=_fact(data.get("RootAccessFeatures"), "RootAccessFeatures"),
        scps_above=_fact(data.get("ScpsAbove"), "ScpsAbove"),
        guardrails=_fact(data.get("Guardrails"), "Guardrails"),
    )


def context_of_snapshot(snapshot: Snapshot) -> OrganizationContext | None:
    """The context an organization scan handed to this account's snapshot, or None.

    A context this version cannot read counts as none: the checks then keep their own view.
    """
    if not snapshot.has(CONTEXT_SERVICE, GLOBAL, CONTEXT_DATASET):
        return None
    try:
        return context_from_dataset(snapshot.dataset(CONTEXT_SERVICE, GLOBAL, CONTEXT_DATASET))
    except ContextError:
        return None


def _read(snapshot: Snapshot, service: str, name: str) -> tuple[Any, str | None]:
    try:
        return snapshot.dataset(service, GLOBAL, name), None
    except NotCollected as absent:
        return None, f"{service}/{name} not collected in {snapshot.account.account_id}: {absent.reason}"


def _linked_budgets(snapshot: Snapshot) -> Fact:
    budgets, reason = _read(snapshot, "budgets", "Budgets")
    if reason is not None:
        return Fact(None, reason)
    capping: dict[str, list[str]] = {}
    for budget in budgets:
        linked = budget_linked_accounts(budget)
        if not linked:
            continue
        try:
            alerting = bool(resource_field(budget, "Notifications", service="budgets", region=GLOBAL))
        except NotCollected:
            continue  # a budget whose alerts are unknown caps nobody we can vouch for
        if alerting:
            for account in linked:
                capping.setdefault(account, []).append(str(budget.get("BudgetName")))
    return Fact({account: sorted(names) for account, names in sorted(capping.items())})


def _scps_above(snapshot: Snapshot) -> Fact:
    from awsaudit.analyze.organization.tree import OrganizationDataError, build_tree

    data = {}
    for name in ("Roots", "OrganizationalUnits", "AccountParents", "Policies"):
        data[name], reason = _read(snapshot, "organizations", name)
        if reason is not None:
            return Fact(None, reason)
    try:
        tree = build_tree(data["Roots"], data["OrganizationalUnits"], data["AccountParents"], None)
    except OrganizationDataError as problem:
        return Fact(None, str(problem))
    attached: dict[str, list[str]] = {}
    for policy in data["Policies"]:
        try:
            targets = resource_field(policy, "Targets", service="organizations", region=GLOBAL)
        except NotCollected as absent:
            return Fact(None, f"targets of an SCP not collected: {absent.reason}")
        for target in targets:
            attached.setdefault(str(target["TargetId"]), []).append(str(policy["PolicySummary"].get("Name")))
    return Fact(
        {
            account.id: {level: sorted(attached.get(level, [])) for level in tree.path(account.id)}
            for account in tree.accounts
        }
    )


def _guardrails(snapshot: Snapshot, baseline: Sequence[BaselineItem]) -> Fact:
    from awsaudit.analyze.iam.errors import PolicyParseError
    from awsaudit.analyze.organization.guardrails import guardrails_of_snapshot
    from awsaudit.analyze.organization.tree import OrganizationDataError

    try:
        report = guardrails_of_snapshot(snapshot, baseline)
    except NotCollected as absent:
        return Fact(None, f"{absent.service}/{absent.dataset} not collected: {absent.reason}")
    except (PolicyParseError, OrganizationDataError) as problem:
        return Fact(None, str(problem))
    return Fact(
        {
            account.id: {
                "path": account.path,
                "allowed": list(account.allowed),
                "conditional": list(account.conditional),
                "attach_at": dict(account.attach_at),
                "policies": {level: list(names) for level, names in account.policies.items()},
                "unreadable_policies": report.unreadable_for(account),
            }
            for account in report.accounts
        }
    )


def build_context(
    management: Snapshot, baseline: Sequence[BaselineItem] | None = None
) -> OrganizationContext | None:
    """The context from the management (or delegated administrator) account's snapshot.

    None when that snapshot shows no organization (or could not tell). ``baseline``: the guardrail
    items each member's SCPs are judged against (None: guardrails not judged).
    """
    described, _ = _read(management, "organizations", "Organization")
    organization = (described or {}).get("Organization")
    if not organization:
        return None
    accounts, accounts_reason = _read(management, "organizations", "Accounts")
    features, features_reason = _read(management, "iam", "OrganizationsFeatures")
    return OrganizationContext(
        organization_id=str(organization.get("Id")),
        management_account=str(organization.get("MasterAccountId")),
        accounts=Fact(
            None if accounts is None else {str(a["Id"]): str(a.get("Name") or "") for a in accounts},
            accounts_reason,
        ),
        linked_budgets=_linked_budgets(management),
        root_access_features=Fact(
            None if features is None else sorted(features.get("EnabledFeatures") or []), features_reason
        ),
        scps_above=_scps_above(management),
        guardrails=Fact(None, "not judged") if baseline is None else _guardrails(management, baseline),
    )
