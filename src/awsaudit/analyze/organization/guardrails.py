"""Guardrails by what they deny: the SCPs (and RCPs) above each account, judged against a baseline.

AWS semantics: a request from a member account must be allowed by some SCP at every level of the
account's path (root, each OU, the account), and an explicit deny at any level wins. The
management account is never restricted by SCPs. Each baseline item (an action, on any resource or
on a given resource) is evaluated with the IAM policy engine for an administrator of the account,
so the answer is what the SCPs alone leave possible. A deny whose condition exempts named
principals (``aws:PrincipalArn``) is judged for an ordinary principal of the account.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from awsaudit.analyze.iam.errors import PolicyParseError
from awsaudit.analyze.iam.evaluation import ANY_RESOURCE, Decision, Outcome, PermissionContext, evaluate
from awsaudit.analyze.iam.policy import Policy, PolicyKind, parse_policy
from awsaudit.analyze.organization.tree import NodeKind, OrganizationTree, build_tree
from awsaudit.snapshot import GLOBAL, NotCollected, Snapshot, resource_field

# Changing the audit role: judged on the role's ARN in each account.
AUDIT_ROLE_CHANGES: tuple[str, ...] = (
    "iam:DeleteRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:AttachRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePolicy",
    "iam:DeleteRolePolicy",
)
# Asked when a region restriction is configured: launching compute in a region outside it.
REGION_PROBE_ACTION = "ec2:RunInstances"
_REGION_CANDIDATES = ("ap-southeast-4", "me-central-1", "sa-east-1", "af-south-1", "il-central-1")
# Services whose requests RCPs govern; for others an RCP has no effect.
RCP_SERVICES = frozenset(
    {"s3", "sts", "kms", "sqs", "secretsmanager", "ecr", "dynamodb", "logs", "cognito-identity", "aoss"}
)
_ORDINARY_PRINCIPAL = "awsaudit-any-principal"
_ADMINISTRATOR = parse_policy(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
    name="any administrator of the account",
)


class GuardState(StrEnum):
    DENIED = "denied"  # an explicit deny applies
    NOT_ALLOWED = "not-allowed"  # some level has no SCP allowing it
    PARTIAL = "partially-denied"  # denied on some resources only (e.g. the organization trail)
    CONDITIONAL = "conditionally-denied"  # a deny applies depending on a condition we cannot fix
    ALLOWED = "allowed"

    @property
    def guarded(self) -> bool:
        return self in (GuardState.DENIED, GuardState.NOT_ALLOWED, GuardState.PARTIAL)


@dataclass(frozen=True, slots=True)
class BaselineItem:
    label: str  # what the evidence calls it: the action, or "action on <resource>"
    action: str
    resource: str | None = ANY_RESOURCE  # a pattern with {account} and {partition}, or any resource
    region: str | None = None  # aws:RequestedRegion fixed for the request (region restriction)

    def resource_in(self, account_id: str, partition: str) -> str | None:
        if self.resource is None:
            return None
        return self.resource.format(account=account_id, partition=partition)


def baseline_items(
    actions: Sequence[str], audit_roles: Sequence[str], allowed_regions: Sequence[str]
) -> tuple[BaselineItem, ...]:
    items = [BaselineItem(action, action) for action in actions]
    for role in audit_roles:
        name = role.rsplit("/", 1)[-1]
        arn = "arn:{partition}:iam::{account}:role/" + role.strip("/")
        items.extend(BaselineItem(f"{action} on role {name}", action, arn) for action in AUDIT_ROLE_CHANGES)
    if allowed_regions:
        outside = next((r for r in _REGION_CANDIDATES if r not in allowed_regions), None)
        if outside is not None:
            label = f"{REGION_PROBE_ACTION} in {outside} (outside {', '.join(allowed_regions)})"
            items.append(BaselineItem(label, REGION_PROBE_ACTION, region=outside))
    return tuple(items)


@dataclass(frozen=True, slots=True)
class ItemVerdict:
    item: BaselineItem
    state: GuardState
    statements: tuple[
        str, ...
    ]  # the statements the state rests on (denies, or the grants that let it through)

    def evidence(self) -> dict[str, Any]:
        return {"item": self.item.label, "state": self.state.value, "statements": list(self.statements)}


@dataclass(frozen=True)
class TargetGuardrails:
    """The baseline judged at one root, OU (policies down to it) or account (its whole path)."""

    id: str
    name: str
    kind: NodeKind
    path: str  # names from the root
    policies: Mapping[str, tuple[str, ...]]  # level id -> SCP names attached there
    verdicts: tuple[ItemVerdict, ...]
    attach_at: Mapping[str, str]  # item label -> the node where one denying SCP would cover it

    def in_state(self, *states: GuardState) -> tuple[str, ...]:
        return tuple(v.item.label for v in self.verdicts if v.state in states)

    @property
    def allowed(self) -> tuple[str, ...]:
        return self.in_state(GuardState.ALLOWED)

    @property
    def conditional(self) -> tuple[str, ...]:
        return self.in_state(GuardState.CONDITIONAL)


@dataclass(frozen=True)
class GuardrailReport:
    management_account: str | None
    scp_enabled: bool
    accounts: tuple[TargetGuardrails, ...]  # members only: the management account is out of SCP reach
    containers: tuple[TargetGuardrails, ...]
    denying_policies: Mapping[str, tuple[str, ...]]  # SCP name -> baseline items it denies
    policies_without_effect: tuple[str, ...]  # SCPs (beyond AWS's allow-all) that deny none of the baseline
    rcps_in_force: bool
    # SCP/RCP name -> (its targets, why it cannot be read): left out of the verdicts above, so every target
    # below one of its targets is unknown (`unreadable_for`), and every other target judged exactly.
    unreadable_policies: Mapping[str, tuple[frozenset[str], str]] = field(default_factory=dict)

    def account(self, account_id: str) -> TargetGuardrails | None:
        return next((a for a in self.accounts if a.id == account_id), None)

    def unreadable_for(self, target: TargetGuardrails) -> dict[str, str]:
        """The unreadable policies attached somewhere on the target's path (name -> problem)."""
        levels = set(target.policies)
        return {
            name: problem
            for name, (targets, problem) in sorted(self.unreadable_policies.items())
            if targets & levels
        }


@dataclass(frozen=True, slots=True)
class OrganizationPolicy:
    name: str
    policy: Policy
    targets: frozenset[str]
    aws_managed: bool


def parse_organization_policies(
    entries: Iterable[Mapping[str, Any]],
    kind_label: str,
    unreadable: dict[str, tuple[frozenset[str], str]] | None = None,
) -> tuple[OrganizationPolicy, ...]:
    """``organizations/Policies`` (or ``ResourceControlPolicies``) entries with Content and Targets
    already read (the caller turns a sub-call failure into NotCollected first).

    A policy whose content does not parse raises PolicyParseError, or, given `unreadable`, is recorded
    there (label -> (targets, problem)) and left out, so only the targets beneath it become unknown."""
    parsed = []
    for entry in entries:
        summary = entry.get("PolicySummary") or {}
        name = str(summary.get("Name") or summary.get("Id"))
        targets = frozenset(str(t["TargetId"]) for t in entry.get("Targets") or [])
        try:
            policy = parse_policy(entry.get("Content"), name=f"{kind_label} {name}", kind=PolicyKind.SCP)
        except PolicyParseError as problem:
            if unreadable is None:
                raise
            unreadable[f"{kind_label} {name}"] = (targets, str(problem))
            continue
        parsed.append(OrganizationPolicy(name, policy, targets, bool(summary.get("AwsManaged"))))
    return tuple(parsed)


def _levels(path: Sequence[str], policies: Sequence[OrganizationPolicy]) -> tuple[tuple[Policy, ...], ...]:
    return tuple(tuple(p.policy for p in policies if node in p.targets) for node in path)


def _state(decision: Decision) -> GuardState:
    if decision.outcome is Outcome.DENIED:
        return GuardState.DENIED
    if decision.outcome is Outcome.NOT_ALLOWED:
        return GuardState.NOT_ALLOWED
    if decision.outcome is Outcome.CONDITIONAL and any(s.effect.value == "Deny" for s in decision.conditions):
        return GuardState.CONDITIONAL
    if decision.denials:
        return GuardState.PARTIAL
    return GuardState.ALLOWED


def _judge(
    item: BaselineItem,
    account_id: str,
    partition: str,
    scp_levels: tuple[tuple[Policy, ...], ...],
    rcp_levels: tuple[tuple[Policy, ...], ...] | None,
) -> ItemVerdict:
    levels = scp_levels
    if rcp_levels is not None and item.action.split(":", 1)[0].lower() in RCP_SERVICES:
        levels = (*scp_levels, *rcp_levels)
    request = {
        "aws:PrincipalArn": f"arn:{partition}:iam::{account_id}:role/{_ORDINARY_PRINCIPAL}",
        "aws:PrincipalAccount": account_id,
    }
    if item.region is not None:
        request["aws:RequestedRegion"] = item.region
    decision = evaluate(
        PermissionContext(identity=(_ADMINISTRATOR,), scp_levels=levels),
        item.action,
        item.resource_in(account_id, partition),
        request=request,
    )
    state = _state(decision)
    refs: tuple[str, ...]
    if state is GuardState.NOT_ALLOWED:
        refs = ("no SCP allows it at some level",)
    elif state is GuardState.ALLOWED:
        refs = tuple(s.reference for s in decision.grants if s.policy != _ADMINISTRATOR.name)
    else:
        refs = tuple(
            s.reference for s in (*decision.denials, *decision.conditions) if s.effect.value == "Deny"
        )
    return ItemVerdict(item, state, refs)


def judge_guardrails(
    tree: OrganizationTree,
    scps: Sequence[OrganizationPolicy],
    rcps: Sequence[OrganizationPolicy] | None,
    baseline: Sequence[BaselineItem],
    *,
    partition: str,
    scp_enabled: bool,
) -> GuardrailReport:
    """Every member account's and every root/OU's baseline verdicts, and where a deny would go.

    ``rcps`` is None when RCPs are not enabled (or not collected: they cannot add an allow, only a
    deny, so leaving them out can only make a verdict stricter).
    """
    representative = tree.management_account or "000000000000"

    def judged(node_id: str, account_id: str) -> tuple[ItemVerdict, ...]:
        path = tree.path(node_id)
        if not scp_enabled:
            scp_levels: tuple[tuple[Policy, ...], ...] = ()
        else:
            scp_levels = _levels(path, scps)
        rcp_levels = _levels(path, rcps) if rcps else None
        if rcp_levels is not None and not all(rcp_levels):
            rcp_levels = None  # RCPs not in force on this path (AWS attaches RCPFullAWSAccess everywhere)
        return tuple(_judge(item, account_id, partition, scp_levels, rcp_levels) for item in baseline)

    def attached(node_id: str) -> dict[str, tuple[str, ...]]:
        return {
            level: tuple(sorted(p.name for p in scps if level in p.targets)) for level in tree.path(node_id)
        }

    members = [a for a in tree.accounts if a.id != tree.management_account]
    account_verdicts = {a.id: judged(a.id, a.id) for a in members}
    container_verdicts = {c.id: judged(c.id, representative) for c in tree.containers()}

    def unguarded(account_id: str, label: str) -> bool:
        return any(
            v.item.label == label and v.state is GuardState.ALLOWED for v in account_verdicts[account_id]
        )

    def placement(account_id: str, label: str) -> str:
        """The topmost node above the account under which no member has the item guarded."""
        for node in tree.path(account_id):
            beneath = [a for a in tree.accounts_under(node) if a in account_verdicts]
            if all(unguarded(a, label) for a in beneath):
                return node
        return account_id

    accounts = tuple(
        TargetGuardrails(
            id=a.id,
            name=a.name,
            kind=NodeKind.ACCOUNT,
            path=tree.path_names(a.id),
            policies=attached(a.id),
            verdicts=account_verdicts[a.id],
            attach_at={
                v.item.label: placement(a.id, v.item.label)
                for v in account_verdicts[a.id]
                if v.state is GuardState.ALLOWED
            },
        )
        for a in members
    )
    containers = tuple(
        TargetGuardrails(
            id=c.id,
            name=c.name,
            kind=c.kind,
            path=tree.path_names(c.id),
            policies=attached(c.id),
            verdicts=container_verdicts[c.id],
            attach_at={v.item.label: c.id for v in container_verdicts[c.id] if v.state is GuardState.ALLOWED},
        )
        for c in tree.containers()
    )
    denying, without_effect = _policy_effects(scps, baseline, representative, partition)
    return GuardrailReport(
        management_account=tree.management_account,
        scp_enabled=scp_enabled,
        accounts=accounts,
        containers=containers,
        denying_policies=denying,
        policies_without_effect=without_effect,
        rcps_in_force=bool(rcps),
    )


def _policy_effects(
    scps: Sequence[OrganizationPolicy], baseline: Sequence[BaselineItem], account_id: str, partition: str
) -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
    """Which baseline items each SCP denies on its own; the custom SCPs that deny none."""
    denying: dict[str, tuple[str, ...]] = {}
    without_effect: list[str] = []
    for scp in scps:
        alone = ((scp.policy, _ADMINISTRATOR),)
        denied = tuple(
            item.label
            for item in baseline
            if _judge(item, account_id, partition, alone, None).state is not GuardState.ALLOWED
        )
        if denied:
            denying[scp.name] = denied
        elif not scp.aws_managed:
            without_effect.append(scp.name)
    return denying, tuple(sorted(without_effect))


def _read_policies(snapshot: Snapshot, name: str) -> list[Mapping[str, Any]]:
    """A policy dataset with each policy's Content and Targets; NotCollected when any is missing."""
    entries = snapshot.dataset("organizations", GLOBAL, name)
    complete: list[Mapping[str, Any]] = []
    for entry in entries:
        complete.append(
            {
                "PolicySummary": entry.get("PolicySummary") or {},
                "Content": resource_field(entry, "Content", service="organizations", region=GLOBAL),
                "Targets": resource_field(entry, "Targets", service="organizations", region=GLOBAL),
            }
        )
    return complete


def _type_enabled(roots: Sequence[Mapping[str, Any]], policy_type: str) -> bool:
    return any(
        t.get("Type") == policy_type and t.get("Status") == "ENABLED"
        for root in roots
        for t in root.get("PolicyTypes") or []
    )


def guardrails_of_snapshot(snapshot: Snapshot, baseline: Sequence[BaselineItem]) -> GuardrailReport:
    """The guardrail report from the management account's snapshot.

    Raises NotCollected when the tree or the SCPs are missing, and OrganizationDataError /
    PolicyParseError for data that contradicts itself. RCPs that were not collected are left out:
    they can only add denies, so the verdicts are then the stricter ones.
    """
    organization = snapshot.dataset("organizations", GLOBAL, "Organization")["Organization"] or {}
    roots = snapshot.dataset("organizations", GLOBAL, "Roots")
    tree = build_tree(
        roots,
        snapshot.dataset("organizations", GLOBAL, "OrganizationalUnits"),
        snapshot.dataset("organizations", GLOBAL, "AccountParents"),
        organization.get("MasterAccountId"),
    )
    unreadable: dict[str, tuple[frozenset[str], str]] = {}
    scps = parse_organization_policies(_read_policies(snapshot, "Policies"), "SCP", unreadable)
    rcps: tuple[OrganizationPolicy, ...] | None = None
    if _type_enabled(roots, "RESOURCE_CONTROL_POLICY"):
        try:
            rcps = parse_organization_policies(
                _read_policies(snapshot, "ResourceControlPolicies"), "RCP", unreadable
            )
        except NotCollected:
            rcps = None
    report = judge_guardrails(
        tree,
        scps,
        rcps,
        baseline,
        partition=snapshot.account.partition,
        scp_enabled=_type_enabled(roots, "SERVICE_CONTROL_POLICY"),
    )
    return replace(report, unreadable_policies=unreadable) if unreadable else report
