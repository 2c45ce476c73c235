"""A permission context with its action sets precomputed as bit masks over the action catalog.

Principals with the same policies share one profile, so the work grows with distinct policy sets, not with
principals; per-action decisions are cached and evaluated only against the statements that name the action.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from awsaudit.analyze.iam.catalog import ActionCatalog
from awsaudit.analyze.iam.evaluation import Decision, PermissionContext, evaluate
from awsaudit.analyze.iam.policy import Effect, Policy, Statement


@dataclass(frozen=True, slots=True)
class _LayerMasks:
    allow_everywhere: int
    allow_everywhere_conditional: int
    allow_somewhere: int
    allow_somewhere_conditional: int
    deny_everywhere: int
    deny_any: int


def statement_mask(catalog: ActionCatalog, statement: Statement) -> int:
    mask = catalog.mask_of(statement.actions)
    return catalog.all_mask ^ mask if statement.not_actions else mask


def _layer_masks(catalog: ActionCatalog, policies: tuple[Policy, ...]) -> _LayerMasks:
    allow_e = allow_ec = allow_s = allow_sc = deny_e = deny_any = 0
    for policy in policies:
        for statement in policy.statements:
            mask = statement_mask(catalog, statement)
            everywhere = statement.covers_all_resources()
            if statement.effect is Effect.DENY:
                deny_any |= mask
                if everywhere and not statement.is_conditional:
                    deny_e |= mask
                continue
            allow_sc |= mask
            if everywhere:
                allow_ec |= mask
            if not statement.is_conditional:
                allow_s |= mask
                if everywhere:
                    allow_e |= mask
    return _LayerMasks(allow_e, allow_ec, allow_s, allow_sc, deny_e, deny_any)


@dataclass(eq=False, slots=True)
class PermissionProfile:
    """Action sets of one context. `everywhere*`: allowed on every resource; `somewhere*`: on some resource.

    The plain masks hold actions allowed with no condition and no deny that might apply; the `_conditional`
    masks also hold actions whose allow depends on a condition (or that a conditional deny may block).
    """

    context: PermissionContext
    catalog: ActionCatalog
    everywhere: int = 0
    everywhere_conditional: int = 0
    somewhere: int = 0
    somewhere_conditional: int = 0
    scp_ceiling: int = 0
    _pruned: dict[str, PermissionContext] = field(default_factory=dict)
    _decisions: dict[tuple[str, str | None, tuple[tuple[str, str], ...]], Decision] = field(
        default_factory=dict
    )
    _independent: dict[str, bool] = field(default_factory=dict)
    # may_do by action: principals share profiles, and the escalation and duty analyses ask every
    # principal about the same few actions (each answer shifts masks thousands of bits wide).
    _may: dict[str, bool] = field(default_factory=dict)

    def __post_init__(self) -> None:
        all_mask = self.catalog.all_mask
        layers = [_layer_masks(self.catalog, self.context.identity)]
        if self.context.boundary is not None:
            layers.append(_layer_masks(self.catalog, (self.context.boundary,)))
        scp_layers = [_layer_masks(self.catalog, level) for level in self.context.scp_levels]
        layers.extend(scp_layers)
        ceiling = all_mask
        for layer in scp_layers:
            ceiling &= layer.allow_everywhere & ~layer.deny_any
        self.scp_ceiling = ceiling
        everywhere = everywhere_c = somewhere = somewhere_c = all_mask
        deny_everywhere = deny_any = 0
        for layer in layers:
            everywhere &= layer.allow_everywhere
            everywhere_c &= layer.allow_everywhere_conditional
            somewhere &= layer.allow_somewhere
            somewhere_c &= layer.allow_somewhere_conditional
            deny_everywhere |= layer.deny_everywhere
            deny_any |= layer.deny_any
        if self.context.unknown_boundary is not None:
            everywhere = everywhere_c = somewhere = somewhere_c = 0
        self.everywhere = everywhere & ~deny_any
        self.everywhere_conditional = everywhere_c & ~deny_everywhere
        self.somewhere = somewhere & ~deny_any
        self.somewhere_conditional = somewhere_c & ~deny_everywhere

    def _context_for(self, action: str) -> PermissionContext:
        key = action.lower()
        pruned = self._pruned.get(key)
        if pruned is None:

            def keep(policy: Policy) -> Policy:
                statements = tuple(s for s in policy.statements if s.matches_action(action))
                return Policy(name=policy.name, kind=policy.kind, statements=statements)

            context = self.context
            pruned = PermissionContext(
                identity=tuple(keep(policy) for policy in context.identity),
                boundary=None if context.boundary is None else keep(context.boundary),
                scp_levels=tuple(tuple(keep(policy) for policy in level) for level in context.scp_levels),
                unknown_policies=context.unknown_policies,
                unknown_boundary=context.unknown_boundary,
            )
            self._pruned[key] = pruned
        return pruned

    def resource_independent(self, action: str) -> bool:
        """Whether every statement naming the action applies to all resources (one answer fits every ARN)."""
        key = action.lower()
        independent = self._independent.get(key)
        if independent is None:
            context = self._context_for(action)
            policies = [*context.identity, *([context.boundary] if context.boundary else [])]
            policies.extend(policy for level in context.scp_levels for policy in level)
            independent = all(s.covers_all_resources() for policy in policies for s in policy.statements)
            self._independent[key] = independent
        return independent

    def allow_patterns(self, action: str) -> frozenset[str] | None:
        """Resource patterns of the identity allows naming the action; None when they cannot bound the answer
        (NotResource, or attached policies whose content is unknown)."""
        if self.context.unknown_policies:
            return None
        patterns: set[str] = set()
        for policy in self._context_for(action).identity:
            for statement in policy.statements:
                if statement.effect is Effect.ALLOW:
                    if statement.not_resources or not statement.resources:
                        return None
                    patterns.update(statement.resources)
        return frozenset(patterns)

    def decide(self, action: str, resource: str | None, request: Mapping[str, str] | None = None) -> Decision:
        """Cached `evaluate` of one request; `request` holds condition keys the request fixes."""
        if resource is not None and resource != "*" and self.resource_independent(action):
            resource = "arn:*"
        key = (action.lower(), resource, tuple(sorted(request.items())) if request else ())
        decision = self._decisions.get(key)
        if decision is None:
            decision = evaluate(self._context_for(action), action, resource, request=request)
            self._decisions[key] = decision
        return decision

    def admin_level(self) -> tuple[bool, bool]:
        """(unconditional, conditional): every action the SCPs leave open is allowed on every resource."""
        full = self.everywhere & self.scp_ceiling == self.scp_ceiling
        conditional = self.everywhere_conditional & self.scp_ceiling == self.scp_ceiling
        return full, conditional

    def may_do(self, action: str) -> bool:
        """Cheap pre-test: could the action be allowed on some resource (possibly conditionally)?"""
        known = self._may.get(action)
        if known is None:
            known = self._may[action] = self._may_do(action)
        return known

    def _may_do(self, action: str) -> bool:
        if self.context.unknown_policies or self.context.unknown_boundary:
            return True
        index = self.catalog.index(action)
        return index is None or bool(self.somewhere_conditional >> index & 1)
