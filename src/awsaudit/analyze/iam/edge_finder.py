"""Edges of the privilege-escalation graph, found on demand from indexes.

Indexes map an action to the profiles that may perform it and a role to who it trusts, so finding the edges
into one principal looks only at profiles that could open one.
"""

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field

from awsaudit.analyze.iam.account import Principal, PrincipalKind
from awsaudit.analyze.iam.analysis import IamAnalysis
from awsaudit.analyze.iam.edges import ADMIN, Edge, EdgeKind, Step, make_edge
from awsaudit.analyze.iam.evaluation import (
    ANY_RESOURCE,
    Outcome,
    PermissionContext,
    evaluate,
    principal_matches,
)
from awsaudit.analyze.iam.policy import Policy, PolicyKind, Statement
from awsaudit.analyze.iam.profile import PermissionProfile
from awsaudit.analyze.iam.recipes import (
    ADMIN_POLICY_ARN,
    ASSUME_ROLE,
    COMPUTE_RECIPES,
    CREDENTIAL_ACTIONS,
    GRANT_ACTIONS,
    PASS_ROLE,
    ROLE_ACTIONS,
    SET_DEFAULT,
    UPDATE_TRUST,
    created_policy_arns,
    creation_grants,
)
from awsaudit.analyze.iam.trust import TrustKind, trust_denies, trust_grants
from awsaudit.analyze.iam.wildcard import matches

CREATE_POLICY = "iam:CreatePolicy"


def _kind_of(steps: Sequence[Step]) -> EdgeKind:
    """Rewriting a role's trust grants the rewriter the role; every other way to a role acts as it."""
    return EdgeKind.GRANTS if steps[0].action == UPDATE_TRUST else EdgeKind.ACTS_AS


@dataclass(frozen=True, slots=True)
class _RoleTrust:
    direct: dict[str, tuple[Statement, ...]]
    account_wide: tuple[Statement, ...]
    services: tuple[str, ...]
    denies: tuple[Statement, ...]


@dataclass(eq=False, slots=True)
class EdgeFinder:
    """The edges of the privilege-escalation graph over an `IamAnalysis`, produced on demand."""

    analysis: IamAnalysis
    _trust: dict[str, _RoleTrust] = field(default_factory=dict)
    _roles: list[Principal] = field(default_factory=list)
    _users: list[Principal] = field(default_factory=list)
    _admin_profiles: dict[int, tuple[bool, bool]] = field(default_factory=dict)
    _recipes: dict[tuple[int, int], tuple[Step, ...] | None] = field(default_factory=dict)
    _boundary_full: dict[str, bool] = field(default_factory=dict)
    _named_in: dict[str, list[str]] = field(default_factory=dict)
    _admin_policies: tuple[str, ...] | None = None
    _granting: dict[int, list[tuple[str, frozenset[str] | None]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        account = self.analysis.account
        self._roles = list(account.roles)
        self._users = list(account.users)
        for role in self._roles:
            direct: dict[str, list[Statement]] = {}
            account_wide: list[Statement] = []
            services: list[str] = []
            for grant in trust_grants(role.trust_policy, role.account_id):
                if grant.kind is TrustKind.ANYONE:
                    account_wide.append(grant.statement)
                elif grant.kind is TrustKind.SAME_ACCOUNT:
                    if grant.principal.endswith(":root") or grant.principal.isdigit():
                        account_wide.append(grant.statement)
                    else:
                        direct.setdefault(grant.principal, []).append(grant.statement)
                elif grant.kind is TrustKind.SERVICE:
                    services.append(grant.principal.lower())
            for arn in direct:
                self._named_in.setdefault(arn, []).append(role.arn)
            self._trust[role.arn] = _RoleTrust(
                direct={arn: tuple(statements) for arn, statements in direct.items()},
                account_wide=tuple(dict.fromkeys(account_wide)),
                services=tuple(dict.fromkeys(services)),
                denies=trust_denies(role.trust_policy),
            )

    # --- admin ---

    def admin_level(self, principal: Principal) -> tuple[bool, bool]:
        """(unconditional, conditional) full access of a principal."""
        profile = self.analysis.profile_of[principal.arn]
        level = self._admin_profiles.get(id(profile))
        if level is None:
            level = profile.admin_level()
            self._admin_profiles[id(profile)] = level
        return level

    def is_admin(self, principal: Principal) -> bool:
        return self.admin_level(principal)[1]

    def _boundary_blocks(self, target: Principal) -> bool:
        if not target.boundary_arn:
            return False
        full = self._boundary_full.get(target.boundary_arn)
        if full is None:
            managed = self.analysis.account.policies.get(target.boundary_arn)
            full = (
                managed is not None
                and managed.document is not None
                and PermissionProfile(
                    PermissionContext(identity=(managed.document,)), self.analysis.catalog
                ).admin_level()[1]
            )
            self._boundary_full[target.boundary_arn] = full
        return not full

    def _allowed(
        self,
        profile: PermissionProfile,
        action: str,
        resource: str | None,
        request: dict[str, str] | None = None,
    ) -> Step | None:
        if not profile.may_do(action):
            return None
        decision = profile.decide(action, resource, request)
        return Step(action, decision) if decision.allowed else None

    def admin_policy_arns(self) -> tuple[str, ...]:
        """Managed policies that grant every action: AdministratorAccess and the account's own full-access
        policies. An attach permission limited by `iam:PolicyARN` is judged against these."""
        if self._admin_policies is None:
            found = [ADMIN_POLICY_ARN]
            for arn, managed in self.analysis.account.policies.items():
                if arn != ADMIN_POLICY_ARN and managed.document is not None:
                    profile = PermissionProfile(
                        PermissionContext(identity=(managed.document,)), self.analysis.catalog
                    )
                    if profile.admin_level()[1]:
                        found.append(arn)
            self._admin_policies = tuple(found)
        return self._admin_policies

    def _attach_allowed(self, profile: PermissionProfile, action: str, resource: str) -> Step | None:
        """Attaching an administrator policy: the request names the policy, so `iam:PolicyARN` is decided."""
        if not profile.may_do(action):
            return None
        created: tuple[str, ...] = ()
        if profile.may_do(CREATE_POLICY) and profile.decide(CREATE_POLICY, ANY_RESOURCE).allowed:
            created = created_policy_arns(creation_grants(profile.context.identity))
        for policy_arn in (*self.admin_policy_arns(), *created):
            step = self._allowed(profile, action, resource, {"iam:PolicyARN": policy_arn})
            if step is not None:
                return step
        return None

    def may_grant_to(self, profile: PermissionProfile, target: Principal) -> bool:
        """Cheap pre-test of `grant_edges`: could one of the profile's grant permissions name a resource of
        the target (its ARN, its groups, its customer policies)? Adding to a group names any user."""
        granting = self._granting.get(id(profile))
        if granting is None:
            granting = [
                (action, profile.allow_patterns(action)) for action in GRANT_ACTIONS if profile.may_do(action)
            ]
            self._granting[id(profile)] = granting
        if not granting:
            return False
        account = self.analysis.account
        resources = [
            target.arn,
            *(group.arn for group in account.principal_groups(target)),
            *account.attached_policy_arns(target),
        ]
        for action, patterns in granting:
            if patterns is None or (action == "iam:AddUserToGroup" and target.kind is PrincipalKind.USER):
                return True
            if any(
                matches(pattern, resource, ignore_case=False)
                for pattern in patterns
                for resource in resources
            ):
                return True
        return False

    def grant_edges(self, source: Principal, target: Principal) -> list[Edge]:
        """Ways `source` can give `target` full access (target == source: self-escalation, edges to ADMIN;
        otherwise `grants` edges to the target)."""
        profile = self.analysis.profile_of[source.arn]
        if not any(profile.may_do(action) for action in GRANT_ACTIONS):
            return []
        account = self.analysis.account
        user = target.kind is PrincipalKind.USER
        kind = "User" if user else "Role"
        who = "itself" if source is target else target.label
        whose = "its own" if source is target else f"{target.label}'s"
        edits: list[tuple[str, str, str]] = [
            (f"iam:Put{kind}Policy", target.arn, f"write an inline policy granting everything to {who}"),
            (f"iam:Attach{kind}Policy", target.arn, f"attach an administrator policy to {who}"),
        ]
        for group in account.principal_groups(target):
            edits.append(
                ("iam:PutGroupPolicy", group.arn, f"write an inline policy on {whose} group {group.name}")
            )
            edits.append(
                ("iam:AttachGroupPolicy", group.arn, f"attach an administrator policy to group {group.name}")
            )
        for arn in account.attached_policy_arns(target):
            managed = account.policies.get(arn)
            if managed is None or managed.aws_managed:
                continue
            edits.append(
                ("iam:CreatePolicyVersion", arn, f"publish a new default version of {whose} policy {arn}")
            )
            for version_id, document in managed.other_versions if profile.may_do(SET_DEFAULT) else ():
                version_profile = PermissionProfile(
                    PermissionContext(identity=(document,)), self.analysis.catalog
                )
                if version_profile.admin_level()[1]:
                    edits.append(
                        (
                            SET_DEFAULT,
                            arn,
                            f"make admin version {version_id} of {arn} the default",
                        )
                    )
        if user and profile.may_do("iam:AddUserToGroup"):
            for group in account.groups.values():
                if (
                    group.name not in target.group_names
                    and self.analysis.group_profile(group, target).admin_level()[1]
                ):
                    edits.append(
                        ("iam:AddUserToGroup", group.arn, f"add {who} to administrator group {group.name}")
                    )
        removal: list[Step] = []
        if self._boundary_blocks(target):
            for action in (f"iam:Delete{kind}PermissionsBoundary", f"iam:Put{kind}PermissionsBoundary"):
                step = self._allowed(profile, action, target.arn)
                if step is not None:
                    removal = [step]
                    break
            if not removal:
                return []
        edges: list[Edge] = []
        end = ADMIN if source is target else target.arn
        for action, resource, explanation in edits:
            if "Attach" in action:
                step = self._attach_allowed(profile, action, resource)
            else:
                step = self._allowed(profile, action, resource)
            if step is not None:
                suffix = ", after removing its permissions boundary" if removal else ""
                edges.append(
                    make_edge(
                        source.arn, end, action, explanation + suffix, [*removal, step], kind=EdgeKind.GRANTS
                    )
                )
        if removal:
            unbounded = PermissionProfile(account.context(target, with_boundary=False), self.analysis.catalog)
            if unbounded.admin_level()[1]:
                edges.append(
                    make_edge(
                        source.arn,
                        end,
                        removal[0].action,
                        f"remove the permissions boundary that is all that limits {who}",
                        removal,
                        kind=EdgeKind.GRANTS,
                    )
                )
        return edges

    # --- principal-to-principal edges ---

    def _recipe_steps(
        self, profile: PermissionProfile, index: int, role: Principal
    ) -> tuple[Step, ...] | None:
        key = (id(profile), index)
        if key not in self._recipes:
            steps: list[Step] = []
            for alternatives in COMPUTE_RECIPES[index].steps:
                step = next(
                    (s for a in alternatives if (s := self._allowed(profile, a, ANY_RESOURCE)) is not None),
                    None,
                )
                if step is None:
                    self._recipes[key] = None
                    break
                steps.append(step)
            else:
                self._recipes[key] = tuple(steps)
        steps_found = self._recipes[key]
        if (
            steps_found is None
            or not COMPUTE_RECIPES[index].needs_instance_profile
            or role.instance_profile_arns
        ):
            return steps_found
        extra = [
            self._allowed(profile, a, ANY_RESOURCE)
            for a in ("iam:CreateInstanceProfile", "iam:AddRoleToInstanceProfile")
        ]
        if any(step is None for step in extra):
            return None
        return (*steps_found, *(step for step in extra if step is not None))

    def _trust_denied(self, trust: _RoleTrust, source: Principal) -> bool:
        return any(
            not statement.is_conditional
            and statement.matches_action(ASSUME_ROLE)
            and principal_matches(statement, source.arn, source.account_id)
            for statement in trust.denies
        )

    def _assume_direct(
        self, source: Principal, role: Principal, statements: tuple[Statement, ...]
    ) -> Edge | None:
        profile = self.analysis.profile_of[source.arn]
        decision = profile.decide(ASSUME_ROLE, role.arn)
        if decision.outcome is Outcome.DENIED:
            return None
        if not decision.allowed:
            # A trust policy that names the principal itself is enough within the account; SCPs and the
            # principal's boundary still apply, so evaluate with the trust statements as a resource policy.
            trust = Policy(
                name=f"role {role.name} trust policy", kind=PolicyKind.RESOURCE, statements=statements
            )
            decision = evaluate(
                profile.context,
                ASSUME_ROLE,
                role.arn,
                resource_policy=trust,
                principal_arn=source.arn,
                account_id=source.account_id,
            )
            if not decision.allowed or not self._boundary_allows(profile, role.arn):
                return None
            return make_edge(
                source.arn,
                role.arn,
                ASSUME_ROLE,
                f"assume {role.label} (trusted by name)",
                [Step(ASSUME_ROLE, decision)],
            )
        return make_edge(
            source.arn,
            role.arn,
            ASSUME_ROLE,
            f"assume {role.label}",
            [Step(ASSUME_ROLE, decision)],
            statements,
        )

    @staticmethod
    def _boundary_allows(profile: PermissionProfile, role_arn: str) -> bool:
        """A permissions boundary must allow sts:AssumeRole even when the trust policy names the principal."""
        context = profile.context
        if context.unknown_boundary is not None:
            return False
        if context.boundary is None:
            return True
        return evaluate(PermissionContext(identity=(context.boundary,)), ASSUME_ROLE, role_arn).allowed

    def _role_edges_from(
        self, profile: PermissionProfile, role: Principal
    ) -> Iterator[tuple[str, list[Step], tuple[Statement, ...]]]:
        """(method explanation, steps, trust statements) for profile-level ways to become `role`."""
        trust = self._trust[role.arn]
        if trust.account_wide:
            step = self._allowed(profile, ASSUME_ROLE, role.arn)
            if step is not None:
                yield f"assume {role.label} (its trust policy trusts the account)", [step], trust.account_wide
        step = self._allowed(profile, UPDATE_TRUST, role.arn)
        if step is not None:
            yield f"rewrite the trust policy of {role.label} to trust itself, then assume it", [step], ()
        if trust.services and profile.may_do(PASS_ROLE):
            for index, recipe in enumerate(COMPUTE_RECIPES):
                if recipe.service in trust.services:
                    # The service the role is passed to is part of the request, so that condition is decided.
                    decision = profile.decide(PASS_ROLE, role.arn, {"iam:PassedToService": recipe.service})
                    pass_role = Step(PASS_ROLE, decision) if decision.allowed else None
                    steps = None if pass_role is None else self._recipe_steps(profile, index, role)
                    if pass_role is not None and steps is not None:
                        yield (
                            f"pass {role.label} to {recipe.service}: {recipe.method}",
                            [pass_role, *steps],
                            (),
                        )

    def _user_edges_from(
        self, profile: PermissionProfile, user: Principal
    ) -> Iterator[tuple[str, list[Step]]]:
        for action, explanation in CREDENTIAL_ACTIONS.items():
            step = self._allowed(profile, action, user.arn)
            if step is not None:
                yield f"{explanation} {user.label}", [step]

    def outgoing(self, source: Principal, among: Collection[str] | None = None) -> list[Edge]:
        """The principals `source` can become in one step (only those in `among` when given), one way each."""
        profile = self.analysis.profile_of[source.arn]
        by_arn = self.analysis.by_arn
        edges: list[Edge] = []
        for role_arn in self._named_in.get(source.arn, ()):
            named_by = self._trust[role_arn]
            if (among is None or role_arn in among) and not self._trust_denied(named_by, source):
                edge = self._assume_direct(source, by_arn[role_arn], named_by.direct[source.arn])
                if edge is not None:
                    edges.append(edge)
        reached = {edge.target for edge in edges}
        targets = [by_arn[arn] for arn in among] if among is not None else [*self._roles, *self._users]
        may_become_role = any(profile.may_do(action) for action in ROLE_ACTIONS)
        may_become_user = any(profile.may_do(action) for action in CREDENTIAL_ACTIONS)
        for target in targets:
            if target is source or target.arn in reached:
                continue
            if target.kind is PrincipalKind.ROLE and may_become_role:
                if not self._trust_denied(self._trust[target.arn], source):
                    role_way = next(self._role_edges_from(profile, target), None)
                    if role_way is not None:
                        explanation, steps, statements = role_way
                        edges.append(
                            make_edge(
                                source.arn,
                                target.arn,
                                steps[0].action,
                                explanation,
                                steps,
                                statements,
                                _kind_of(steps),
                            )
                        )
            elif target.kind is PrincipalKind.USER and may_become_user:
                user_way = next(self._user_edges_from(profile, target), None)
                if user_way is not None:
                    explanation, steps = user_way
                    edges.append(make_edge(source.arn, target.arn, steps[0].action, explanation, steps))
        return edges

    def undetermined(self) -> tuple[Principal, ...]:
        """Principals with attached policies (or a boundary) missing from the snapshot: their paths to admin
        cannot be ruled out, so a check must report them as unknown rather than as passing."""
        return tuple(
            principal
            for principal in self.analysis.account.principals
            if (context := self.analysis.profile_of[principal.arn].context).unknown_policies
            or context.unknown_boundary
        )

    def _incoming(self, target: Principal, search: "SearchState") -> Iterator[Edge]:
        """Edges into `target` from principals the search has not reached yet."""
        analysis = self.analysis
        if target.kind is PrincipalKind.ROLE:
            trust = self._trust[target.arn]
            for arn, statements in trust.direct.items():
                source = analysis.by_arn.get(arn)
                if (
                    source is not None
                    and source.arn not in search.done
                    and not self._trust_denied(trust, source)
                ):
                    edge = self._assume_direct(source, target, statements)
                    if edge is not None:
                        yield edge
            actions = [
                *([ASSUME_ROLE] if trust.account_wide else []),
                UPDATE_TRUST,
                *([PASS_ROLE] if trust.services else []),
            ]
            for profile in search.candidates(actions, target.arn):
                first = next(self._role_edges_from(profile, target), None)
                if first is None:
                    continue
                explanation, steps, statements = first
                kind = _kind_of(steps)
                for source in search.pending(profile, target):
                    if not self._trust_denied(trust, source):
                        yield make_edge(
                            source.arn, target.arn, steps[0].action, explanation, steps, statements, kind
                        )
            return
        for profile in search.candidates(list(CREDENTIAL_ACTIONS), target.arn):
            way = next(self._user_edges_from(profile, target), None)
            if way is not None:
                explanation, steps = way
                for source in search.pending(profile, target):
                    yield make_edge(source.arn, target.arn, steps[0].action, explanation, steps)


@dataclass(eq=False, slots=True)
class SearchState:
    """State of one backward search: reached principals, and candidate lists that shed exhausted profiles
    (all of whose principals are reached), so each target looks only at profiles that can still add one."""

    analysis: IamAnalysis
    done: set[str] = field(default_factory=set)
    remaining: dict[int, int] = field(default_factory=dict)
    groups: dict[tuple[object, ...], list[PermissionProfile]] = field(default_factory=dict)
    alive: dict[int, PermissionProfile] = field(default_factory=dict)

    # Below this many profiles with unreached principals, testing them directly is cheaper than matching
    # the target against the resource index (a search started from nearly every principal gets here).
    DIRECT_BELOW = 64

    def __post_init__(self) -> None:
        self.remaining = {id(p): len(self.analysis.principals_of(p)) for p in self.analysis.profiles}
        self.alive = {id(p): p for p in self.analysis.profiles if self.remaining[id(p)] > 0}

    def reach(self, arn: str) -> None:
        self.done.add(arn)
        key = id(self.analysis.profile_of[arn])
        self.remaining[key] -= 1
        if self.remaining[key] <= 0:
            self.alive.pop(key, None)

    def candidates(self, actions: Sequence[str], resource: str) -> list[PermissionProfile]:
        """Profiles that may perform one of `actions` on `resource` and still have unreached principals (a
        superset: the caller decides each edge exactly)."""
        if len(self.alive) < self.DIRECT_BELOW:
            return [p for p in self.alive.values() if any(p.may_do(action) for action in actions)]
        found: dict[int, PermissionProfile] = {}
        for action in actions:
            for key, profiles in self.analysis.candidate_groups(action, resource):
                alive = [p for p in self.groups.get(key, profiles) if self.remaining[id(p)] > 0]
                self.groups[key] = alive
                found.update((id(p), p) for p in alive)
        return list(found.values())

    def pending(self, profile: PermissionProfile, target: Principal) -> list[Principal]:
        return [p for p in self.analysis.principals_of(profile) if p.arn not in self.done and p is not target]
