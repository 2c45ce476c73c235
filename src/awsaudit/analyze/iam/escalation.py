"""Privilege escalation: a graph of principals whose edges say how one principal becomes another, or admin.

Edges are produced on demand from indexes (action -> profiles that may perform it, role -> who it trusts), and
shortest paths come from one breadth-first search backwards from the admin principals, so the work follows the
number of edges that matter rather than principals x policies.
"""

from collections import deque
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field, replace

from awsaudit.analyze.iam.account import Principal, PrincipalKind
from awsaudit.analyze.iam.analysis import IamAnalysis
from awsaudit.analyze.iam.evaluation import (
    ANY_RESOURCE,
    Decision,
    Outcome,
    PermissionContext,
    evaluate,
    principal_matches,
)
from awsaudit.analyze.iam.policy import Policy, PolicyKind, Statement
from awsaudit.analyze.iam.profile import PermissionProfile
from awsaudit.analyze.iam.trust import TrustKind, trust_denies, trust_grants

ADMIN = "admin"
ASSUME_ROLE = "sts:AssumeRole"
SET_DEFAULT = "iam:SetDefaultPolicyVersion"


@dataclass(frozen=True, slots=True)
class Edge:
    """One step: `source` can act as `target` (a principal ARN, or ADMIN) using `permissions`."""

    source: str
    target: str
    method: str
    explanation: str
    permissions: tuple[str, ...]
    grants: tuple[Statement, ...]
    conditions: tuple[Statement, ...] = ()

    @property
    def conditional(self) -> bool:
        return bool(self.conditions)

    @property
    def statements(self) -> tuple[str, ...]:
        return tuple(statement.reference for statement in self.grants)


@dataclass(frozen=True, slots=True)
class EscalationPath:
    """Shortest way from `source` to admin; `reaches` is ADMIN or the admin principal the path ends at."""

    source: str
    edges: tuple[Edge, ...]
    reaches: str
    admin_conditional: bool = False

    @property
    def conditional(self) -> bool:
        return self.admin_conditional or any(edge.conditional for edge in self.edges)


@dataclass(frozen=True, slots=True)
class ComputeRecipe:
    """Passing a role to a service that then runs code as the role: each step needs one of its actions."""

    service: str
    method: str
    steps: tuple[tuple[str, ...], ...]
    needs_instance_profile: bool = False


COMPUTE_RECIPES: tuple[ComputeRecipe, ...] = (
    ComputeRecipe(
        "ec2.amazonaws.com", "launch an EC2 instance with the role", (("ec2:RunInstances",),), True
    ),
    ComputeRecipe(
        "ec2.amazonaws.com",
        "create an Auto Scaling group whose instances get the role",
        (
            ("autoscaling:CreateAutoScalingGroup", "autoscaling:UpdateAutoScalingGroup"),
            (
                "autoscaling:CreateLaunchConfiguration",
                "ec2:CreateLaunchTemplate",
                "ec2:CreateLaunchTemplateVersion",
            ),
        ),
        True,
    ),
    ComputeRecipe(
        "lambda.amazonaws.com",
        "create a Lambda function running as the role and trigger it",
        (
            ("lambda:CreateFunction",),
            (
                "lambda:InvokeFunction",
                "lambda:CreateEventSourceMapping",
                "lambda:AddPermission",
                "lambda:CreateFunctionUrlConfig",
            ),
        ),
    ),
    ComputeRecipe(
        "lambda.amazonaws.com",
        "switch an existing Lambda function to the role, replace its code and invoke it",
        (("lambda:UpdateFunctionConfiguration",), ("lambda:UpdateFunctionCode",), ("lambda:InvokeFunction",)),
    ),
    ComputeRecipe(
        "ecs-tasks.amazonaws.com",
        "register an ECS task definition with the role and run it",
        (
            ("ecs:RegisterTaskDefinition",),
            ("ecs:RunTask", "ecs:StartTask", "ecs:CreateService", "ecs:UpdateService"),
        ),
    ),
    ComputeRecipe(
        "glue.amazonaws.com",
        "create a Glue development endpoint with the role",
        (("glue:CreateDevEndpoint",),),
    ),
    ComputeRecipe(
        "glue.amazonaws.com",
        "create a Glue job running as the role and start it",
        (("glue:CreateJob", "glue:UpdateJob"), ("glue:StartJobRun", "glue:CreateTrigger")),
    ),
    ComputeRecipe(
        "cloudformation.amazonaws.com",
        "create or update a CloudFormation stack that runs as the role",
        (("cloudformation:CreateStack", "cloudformation:UpdateStack", "cloudformation:CreateStackSet"),),
    ),
    ComputeRecipe(
        "cloudformation.amazonaws.com",
        "create and execute a CloudFormation change set that runs as the role",
        (("cloudformation:CreateChangeSet",), ("cloudformation:ExecuteChangeSet",)),
    ),
    ComputeRecipe(
        "sagemaker.amazonaws.com",
        "create a SageMaker notebook instance with the role and open it",
        (("sagemaker:CreateNotebookInstance",), ("sagemaker:CreatePresignedNotebookInstanceUrl",)),
    ),
    ComputeRecipe(
        "sagemaker.amazonaws.com",
        "run a SageMaker training or processing job as the role",
        (("sagemaker:CreateTrainingJob", "sagemaker:CreateProcessingJob"),),
    ),
    ComputeRecipe(
        "codebuild.amazonaws.com",
        "create a CodeBuild project with the role and start a build",
        (
            ("codebuild:CreateProject", "codebuild:UpdateProject"),
            ("codebuild:StartBuild", "codebuild:StartBuildBatch"),
        ),
    ),
    ComputeRecipe(
        "datapipeline.amazonaws.com",
        "create and activate a Data Pipeline running as the role",
        (
            ("datapipeline:CreatePipeline",),
            ("datapipeline:PutPipelineDefinition",),
            ("datapipeline:ActivatePipeline",),
        ),
    ),
)
PASS_ROLE = "iam:PassRole"
ROLE_ACTIONS = (ASSUME_ROLE, "iam:UpdateAssumeRolePolicy", PASS_ROLE)
CREDENTIAL_ACTIONS = {
    "iam:CreateAccessKey": "create an access key for the user",
    "iam:CreateLoginProfile": "set a console password for the user",
    "iam:UpdateLoginProfile": "reset the user's console password",
}
# Actions that change what a principal may do; a profile with none of them cannot make anyone admin.
GRANT_ACTIONS = (
    "iam:PutUserPolicy",
    "iam:AttachUserPolicy",
    "iam:PutRolePolicy",
    "iam:AttachRolePolicy",
    "iam:PutGroupPolicy",
    "iam:AttachGroupPolicy",
    "iam:AddUserToGroup",
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:DeleteUserPermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary",
    "iam:PutUserPermissionsBoundary",
    "iam:PutRolePermissionsBoundary",
)


@dataclass(frozen=True, slots=True)
class _Step:
    """A permission needed for an edge, already decided (allowed)."""

    action: str
    decision: Decision


def _make_edge(
    source: str,
    target: str,
    method: str,
    explanation: str,
    steps: Sequence[_Step],
    extra: Sequence[Statement] = (),
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
    )


@dataclass(frozen=True, slots=True)
class _RoleTrust:
    direct: dict[str, tuple[Statement, ...]]
    account_wide: tuple[Statement, ...]
    services: tuple[str, ...]
    denies: tuple[Statement, ...]


@dataclass(eq=False, slots=True)
class EscalationGraph:
    """Lazily built privilege-escalation graph over an `IamAnalysis`."""

    analysis: IamAnalysis
    _trust: dict[str, _RoleTrust] = field(default_factory=dict)
    _roles: list[Principal] = field(default_factory=list)
    _users: list[Principal] = field(default_factory=list)
    _admin_profiles: dict[int, tuple[bool, bool]] = field(default_factory=dict)
    _recipes: dict[tuple[int, int], tuple[_Step, ...] | None] = field(default_factory=dict)
    _boundary_full: dict[str, bool] = field(default_factory=dict)
    _admin_edges: dict[str, tuple[Edge, ...]] = field(default_factory=dict)
    _outgoing: dict[int, list[tuple[str, str, list[_Step], tuple[Statement, ...]]]] = field(
        default_factory=dict
    )
    _named_in: dict[str, list[str]] = field(default_factory=dict)
    _sinks: dict[str, Edge | None] | None = None

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

    def _allowed(self, profile: PermissionProfile, action: str, resource: str | None) -> _Step | None:
        if not profile.may_do(action):
            return None
        decision = profile.decide(action, resource)
        return _Step(action, decision) if decision.allowed else None

    def grant_edges(self, source: Principal, target: Principal) -> list[Edge]:
        """Ways `source` can give `target` full access (target == source: self-escalation)."""
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
        removal: list[_Step] = []
        if self._boundary_blocks(target):
            for action in (f"iam:Delete{kind}PermissionsBoundary", f"iam:Put{kind}PermissionsBoundary"):
                step = self._allowed(profile, action, target.arn)
                if step is not None:
                    removal = [step]
                    break
            if not removal:
                return []
        edges: list[Edge] = []
        for action, resource, explanation in edits:
            step = self._allowed(profile, action, resource)
            if step is not None:
                suffix = ", after removing its permissions boundary" if removal else ""
                edges.append(_make_edge(source.arn, ADMIN, action, explanation + suffix, [*removal, step]))
        if removal:
            unbounded = PermissionProfile(account.context(target, with_boundary=False), self.analysis.catalog)
            if unbounded.admin_level()[1]:
                edges.append(
                    _make_edge(
                        source.arn,
                        ADMIN,
                        removal[0].action,
                        f"remove the permissions boundary that is all that limits {who}",
                        removal,
                    )
                )
        return edges

    def admin_edges(self, principal: Principal) -> tuple[Edge, ...]:
        """Edges straight to admin: self-escalation, or making a principal it becomes in one hop an admin."""
        cached = self._admin_edges.get(principal.arn)
        if cached is not None:
            return cached
        edges = self.grant_edges(principal, principal)
        profile = self.analysis.profile_of[principal.arn]
        if any(profile.may_do(action) for action in GRANT_ACTIONS):
            for hop in self.outgoing(principal):
                target = self.analysis.by_arn.get(hop.target)
                if target is None or target is principal:
                    continue
                for grant in self.grant_edges(principal, target):
                    edges.append(
                        replace(
                            grant,
                            method=f"{grant.method} + {hop.method}",
                            explanation=f"{grant.explanation}, then {hop.explanation}",
                            permissions=tuple(dict.fromkeys((*grant.permissions, *hop.permissions))),
                            grants=tuple(dict.fromkeys((*grant.grants, *hop.grants))),
                            conditions=tuple(dict.fromkeys((*grant.conditions, *hop.conditions))),
                        )
                    )
        result = tuple(edges)
        self._admin_edges[principal.arn] = result
        return result

    # --- principal-to-principal edges ---

    def _recipe_steps(
        self, profile: PermissionProfile, index: int, role: Principal
    ) -> tuple[_Step, ...] | None:
        key = (id(profile), index)
        if key not in self._recipes:
            steps: list[_Step] = []
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
            return _make_edge(
                source.arn,
                role.arn,
                ASSUME_ROLE,
                f"assume {role.label} (trusted by name)",
                [_Step(ASSUME_ROLE, decision)],
            )
        return _make_edge(
            source.arn,
            role.arn,
            ASSUME_ROLE,
            f"assume {role.label}",
            [_Step(ASSUME_ROLE, decision)],
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
    ) -> Iterator[tuple[str, list[_Step], tuple[Statement, ...]]]:
        """(method explanation, steps, trust statements) for profile-level ways to become `role`."""
        trust = self._trust[role.arn]
        if trust.account_wide:
            step = self._allowed(profile, ASSUME_ROLE, role.arn)
            if step is not None:
                yield f"assume {role.label} (its trust policy trusts the account)", [step], trust.account_wide
        step = self._allowed(profile, "iam:UpdateAssumeRolePolicy", role.arn)
        if step is not None:
            yield f"rewrite the trust policy of {role.label} to trust itself, then assume it", [step], ()
        if trust.services and profile.may_do(PASS_ROLE):
            for index, recipe in enumerate(COMPUTE_RECIPES):
                if recipe.service in trust.services:
                    # The service the role is passed to is part of the request, so that condition is decided.
                    decision = profile.decide(PASS_ROLE, role.arn, {"iam:PassedToService": recipe.service})
                    pass_role = _Step(PASS_ROLE, decision) if decision.allowed else None
                    steps = None if pass_role is None else self._recipe_steps(profile, index, role)
                    if pass_role is not None and steps is not None:
                        yield (
                            f"pass {role.label} to {recipe.service}: {recipe.method}",
                            [pass_role, *steps],
                            (),
                        )

    def _user_edges_from(
        self, profile: PermissionProfile, user: Principal
    ) -> Iterator[tuple[str, list[_Step]]]:
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
                            _make_edge(
                                source.arn, target.arn, steps[0].action, explanation, steps, statements
                            )
                        )
            elif target.kind is PrincipalKind.USER and may_become_user:
                user_way = next(self._user_edges_from(profile, target), None)
                if user_way is not None:
                    explanation, steps = user_way
                    edges.append(_make_edge(source.arn, target.arn, steps[0].action, explanation, steps))
        return edges

    def _incoming(self, target: Principal, search: "_Search") -> Iterator[Edge]:
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
                "iam:UpdateAssumeRolePolicy",
                *([PASS_ROLE] if trust.services else []),
            ]
            for profile in search.candidates(actions, target.arn):
                first = next(self._role_edges_from(profile, target), None)
                if first is None:
                    continue
                explanation, steps, statements = first
                for source in search.pending(profile, target):
                    if not self._trust_denied(trust, source):
                        yield _make_edge(
                            source.arn, target.arn, steps[0].action, explanation, steps, statements
                        )
            return
        for profile in search.candidates(list(CREDENTIAL_ACTIONS), target.arn):
            way = next(self._user_edges_from(profile, target), None)
            if way is not None:
                explanation, steps = way
                for source in search.pending(profile, target):
                    yield _make_edge(source.arn, target.arn, steps[0].action, explanation, steps)

    # --- paths ---

    def shortest_paths_to(self, sinks: dict[str, Edge | None]) -> dict[str, Edge | None]:
        """Backward BFS: for every principal that reaches a sink, its first edge (None for the sinks)."""
        first_edge: dict[str, Edge | None] = dict(sinks)
        search = _Search(self.analysis)
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
        """Admin principals (None) and principals with a direct edge to admin (that edge).

        Self-escalation is found for everyone; granting admin to another principal and then becoming it is
        looked for only among principals that reach no admin otherwise, since it is the costlier question.
        """
        if self._sinks is not None:
            return dict(self._sinks)
        principals = self.analysis.account.principals
        sinks: dict[str, Edge | None] = {p.arn: None for p in principals if self.is_admin(p)}
        for principal in principals:
            if principal.arn not in sinks and (own := self.grant_edges(principal, principal)):
                sinks[principal.arn] = own[0]
        reached = self.shortest_paths_to(sinks)
        # A principal whose policies are not all in the snapshot "may do" anything, which would make
        # this search scan every other principal for it; its verdict is undetermined anyway.
        undetermined = {principal.arn for principal in self.undetermined()}
        for principal in principals:
            if principal.arn in reached or principal.arn in undetermined:
                continue
            if edges := self.admin_edges(principal):
                sinks[principal.arn] = edges[0]
        self._sinks = sinks
        return dict(sinks)

    def undetermined(self) -> tuple[Principal, ...]:
        """Principals with attached policies (or a boundary) missing from the snapshot: their paths to admin
        cannot be ruled out, so a check must report them as unknown rather than as passing."""
        return tuple(
            principal
            for principal in self.analysis.account.principals
            if (context := self.analysis.profile_of[principal.arn].context).unknown_policies
            or context.unknown_boundary
        )

    def escalation_paths(self) -> dict[str, EscalationPath]:
        """The shortest path to admin of every principal that is not admin itself but can become admin."""
        first_edge = self.shortest_paths_to(self.admin_sinks())
        return {arn: self.path(arn, first_edge) for arn, edge in first_edge.items() if edge is not None}

    def path(self, source: str, first_edge: dict[str, Edge | None]) -> EscalationPath:
        edges: list[Edge] = []
        current = source
        while (edge := first_edge[current]) is not None:
            edges.append(edge)
            if edge.target == ADMIN:
                return EscalationPath(source, tuple(edges), ADMIN)
            current = edge.target
        admin = self.analysis.by_arn[current]
        return EscalationPath(source, tuple(edges), current, admin_conditional=not self.admin_level(admin)[0])


@dataclass(eq=False, slots=True)
class _Search:
    """State of one backward search: reached principals, and candidate lists that shed exhausted profiles
    (all of whose principals are reached), so each target looks only at profiles that can still add one."""

    analysis: IamAnalysis
    done: set[str] = field(default_factory=set)
    remaining: dict[int, int] = field(default_factory=dict)
    groups: dict[tuple[object, ...], list[PermissionProfile]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.remaining = {id(p): len(self.analysis.principals_of(p)) for p in self.analysis.profiles}

    def reach(self, arn: str) -> None:
        self.done.add(arn)
        self.remaining[id(self.analysis.profile_of[arn])] -= 1

    def candidates(self, actions: Sequence[str], resource: str) -> list[PermissionProfile]:
        found: dict[int, PermissionProfile] = {}
        for action in actions:
            for key, profiles in self.analysis.candidate_groups(action, resource):
                alive = [p for p in self.groups.get(key, profiles) if self.remaining[id(p)] > 0]
                self.groups[key] = alive
                found.update((id(p), p) for p in alive)
        return list(found.values())

    def pending(self, profile: PermissionProfile, target: Principal) -> list[Principal]:
        return [p for p in self.analysis.principals_of(profile) if p.arn not in self.done and p is not target]
