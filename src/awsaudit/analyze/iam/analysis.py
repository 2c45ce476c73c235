"""The shared core of the IAM analysis: one permission profile per distinct policy set, and action indexes."""

from dataclasses import dataclass, field, replace

from awsaudit.analyze.iam.account import Group, IamAccount, Principal, PrincipalKind
from awsaudit.analyze.iam.catalog import ActionCatalog, action_catalog
from awsaudit.analyze.iam.evaluation import PermissionContext
from awsaudit.analyze.iam.policy import has_variables, resolve_variables
from awsaudit.analyze.iam.profile import PermissionProfile
from awsaudit.analyze.iam.wildcard import has_wildcard, matches, matches_everything


@dataclass(slots=True)
class _ResourceIndex:
    exact: dict[str, list[PermissionProfile]] = field(default_factory=dict)
    patterned: dict[frozenset[str] | None, list[PermissionProfile]] = field(default_factory=dict)


@dataclass(eq=False, slots=True)
class IamAnalysis:
    """An account with each principal's permissions precomputed; build it with `analyze_account`."""

    account: IamAccount
    catalog: ActionCatalog
    by_arn: dict[str, Principal] = field(default_factory=dict)
    profile_of: dict[str, PermissionProfile] = field(default_factory=dict)
    members: dict[int, list[Principal]] = field(default_factory=dict)
    profiles: list[PermissionProfile] = field(default_factory=list)
    _action_index: dict[str, list[PermissionProfile]] = field(default_factory=dict)
    _resource_index: dict[str, "_ResourceIndex"] = field(default_factory=dict)
    _group_profiles: dict[tuple[str, str | None], PermissionProfile] = field(default_factory=dict)

    def principal(self, name_or_arn: str) -> Principal | None:
        """Find a principal by ARN, by `user/NAME` / `role/NAME`, or by a unique bare name."""
        if name_or_arn in self.by_arn:
            return self.by_arn[name_or_arn]
        found = [p for p in self.account.principals if name_or_arn in (p.label, p.name)]
        return found[0] if len(found) == 1 else None

    def profiles_for(self, action: str) -> list[PermissionProfile]:
        """Profiles that might allow the action somewhere: the only ones worth evaluating."""
        key = action.lower()
        indexed = self._action_index.get(key)
        if indexed is None:
            indexed = [profile for profile in self.profiles if profile.may_do(action)]
            self._action_index[key] = indexed
        return indexed

    def candidate_groups(
        self, action: str, resource: str
    ) -> list[tuple[tuple[object, ...], list[PermissionProfile]]]:
        """Groups of profiles whose allows for the action could cover `resource`, each with a stable key.

        Profiles are indexed by action, then by the resource patterns they share (many principals share
        few patterns), with exact ARNs in a dictionary; only the groups whose patterns match are returned.
        """
        key = action.lower()
        index = self._resource_index.get(key)
        if index is None:
            index = _ResourceIndex()
            for profile in self.profiles_for(action):
                patterns = profile.allow_patterns(action)
                if patterns is None:
                    index.patterned.setdefault(None, []).append(profile)
                    continue
                for pattern in patterns:
                    if not has_wildcard(pattern):
                        index.exact.setdefault(pattern, []).append(profile)
                wildcards = frozenset(pattern for pattern in patterns if has_wildcard(pattern))
                if any(matches_everything(pattern) for pattern in wildcards):
                    wildcards = frozenset({"*"})
                if wildcards:
                    index.patterned.setdefault(wildcards, []).append(profile)
            self._resource_index[key] = index
        groups: list[tuple[tuple[object, ...], list[PermissionProfile]]] = []
        if resource in index.exact:
            groups.append(((key, resource), index.exact[resource]))
        for patterns, profiles in index.patterned.items():
            if patterns is None or any(matches(pattern, resource, ignore_case=False) for pattern in patterns):
                groups.append(((key, patterns), profiles))
        return groups

    def candidates(self, action: str, resource: str) -> list[PermissionProfile]:
        """Profiles whose allows for the action could cover `resource` (see `candidate_groups`)."""
        return [profile for _, profiles in self.candidate_groups(action, resource) for profile in profiles]

    def principals_of(self, profile: PermissionProfile) -> list[Principal]:
        return self.members[id(profile)]

    def group_profile(self, group: Group, principal: Principal) -> PermissionProfile:
        """What membership of a group alone would grant to a principal (its boundary and the SCPs apply)."""
        key = (group.name, principal.boundary_arn)
        profile = self._group_profiles.get(key)
        if profile is None:
            context = self.account.context(principal)
            policies = [*group.inline_policies]
            policies.extend(
                managed.document
                for arn in group.attached_policy_arns
                if (managed := self.account.policies.get(arn)) is not None and managed.document is not None
            )
            unknown = tuple(
                arn
                for arn in group.attached_policy_arns
                if (managed := self.account.policies.get(arn)) is None or managed.document is None
            )
            profile = PermissionProfile(
                PermissionContext(
                    identity=tuple(policies),
                    boundary=context.boundary,
                    scp_levels=context.scp_levels,
                    unknown_policies=unknown,
                    unknown_boundary=context.unknown_boundary,
                ),
                self.catalog,
            )
            self._group_profiles[key] = profile
        return profile


def _profile_key(context: PermissionContext) -> tuple[object, ...]:
    # Policy objects are shared between principals that use the same managed policy, so identity is enough.
    return (
        tuple(id(policy) for policy in context.identity),
        id(context.boundary) if context.boundary is not None else None,
        context.unknown_policies,
        context.unknown_boundary,
    )


def _variables(principal: Principal) -> dict[str, str]:
    values = {"aws:PrincipalAccount": principal.account_id}
    if principal.kind is PrincipalKind.USER:
        values["aws:username"] = principal.name
        values["aws:userid"] = principal.principal_id
    return values


def _with_variables_resolved(context: PermissionContext, principal: Principal) -> PermissionContext:
    """Policies using `${...}` in resources are specialised for the principal (so they are not shared)."""
    if not any(has_variables(policy) for policy in (*context.identity, *filter(None, [context.boundary]))):
        return context
    values = _variables(principal)
    return replace(
        context,
        identity=tuple(resolve_variables(p, values) if has_variables(p) else p for p in context.identity),
        boundary=None if context.boundary is None else resolve_variables(context.boundary, values),
    )


def analyze_account(account: IamAccount, *, catalog: ActionCatalog | None = None) -> IamAnalysis:
    """Precompute the permission profiles of every principal of the account."""
    analysis = IamAnalysis(account=account, catalog=catalog or action_catalog())
    shared: dict[tuple[object, ...], PermissionProfile] = {}
    for principal in account.principals:
        context = _with_variables_resolved(account.context(principal), principal)
        key = _profile_key(context)
        profile = shared.get(key)
        if profile is None:
            profile = PermissionProfile(context, analysis.catalog)
            shared[key] = profile
            analysis.profiles.append(profile)
            analysis.members[id(profile)] = []
        analysis.members[id(profile)].append(principal)
        analysis.profile_of[principal.arn] = profile
        analysis.by_arn[principal.arn] = principal
    return analysis
