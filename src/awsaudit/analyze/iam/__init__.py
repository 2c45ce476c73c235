"""IAM analysis: policy engine, effective permissions, privilege escalation, separation of duties, trust.

Typical use: `graph = build_graph(details, scp_levels=...)`, then `graph.escalation_paths()`,
`effective_permissions(graph, principal)`, `who_can(graph, action)`, `paths_from(graph, principal)`,
`separation_of_duties(graph.analysis, approved)`, `external_trusts(graph.analysis.account)`,
`full_admin_verdict(parse_policy(document, name=...))`.
"""

from awsaudit.analyze.iam.account import (
    Group,
    IamAccount,
    ManagedPolicy,
    Principal,
    PrincipalKind,
    parse_authorization_details,
    scp_levels_for_account,
    with_scp_levels,
)
from awsaudit.analyze.iam.admin_policy import (
    CLOUDSHELL_FULL_ACCESS_ARN,
    AdminGrant,
    FullAdminVerdict,
    cloudshell_full_access_holders,
    full_admin_verdict,
    grants_cloudshell_full_access,
)
from awsaudit.analyze.iam.analysis import IamAnalysis, analyze_account
from awsaudit.analyze.iam.catalog import ActionCatalog, action_catalog
from awsaudit.analyze.iam.duties import (
    ASSIGN_IDENTITIES,
    DEFINE_PERMISSIONS,
    DUTY_SETS,
    DutyConflict,
    DutySet,
    GrantedAction,
    SeparationOfDuties,
    separation_of_duties,
)
from awsaudit.analyze.iam.errors import PolicyParseError
from awsaudit.analyze.iam.escalation import (
    ADMIN,
    COMPUTE_RECIPES,
    Edge,
    EdgeKind,
    EscalationGraph,
    EscalationPath,
    UnknownReach,
)
from awsaudit.analyze.iam.evaluation import (
    ALL_RESOURCES,
    ANY_RESOURCE,
    Decision,
    Outcome,
    PermissionContext,
    evaluate,
)
from awsaudit.analyze.iam.external import ExternalTrust, Verdict, external_trusts
from awsaudit.analyze.iam.permissions import AreaAccess, PrincipalPermissions, effective_permissions
from awsaudit.analyze.iam.policy import (
    Condition,
    Effect,
    Policy,
    PolicyKind,
    PrincipalEntry,
    PrincipalType,
    Statement,
    parse_policy,
)
from awsaudit.analyze.iam.queries import Reachable, WhoCan, build_graph, graph_for, paths_from, who_can
from awsaudit.analyze.iam.trust import TrustGrant, TrustKind

__all__ = [
    "ADMIN",
    "ALL_RESOURCES",
    "ANY_RESOURCE",
    "ASSIGN_IDENTITIES",
    "CLOUDSHELL_FULL_ACCESS_ARN",
    "COMPUTE_RECIPES",
    "DEFINE_PERMISSIONS",
    "DUTY_SETS",
    "ActionCatalog",
    "AdminGrant",
    "AreaAccess",
    "Condition",
    "Decision",
    "DutyConflict",
    "DutySet",
    "Edge",
    "EdgeKind",
    "Effect",
    "EscalationGraph",
    "EscalationPath",
    "ExternalTrust",
    "FullAdminVerdict",
    "GrantedAction",
    "Group",
    "IamAccount",
    "IamAnalysis",
    "ManagedPolicy",
    "Outcome",
    "PermissionContext",
    "Policy",
    "PolicyKind",
    "PolicyParseError",
    "Principal",
    "PrincipalEntry",
    "PrincipalKind",
    "PrincipalPermissions",
    "PrincipalType",
    "Reachable",
    "SeparationOfDuties",
    "Statement",
    "TrustGrant",
    "TrustKind",
    "UnknownReach",
    "Verdict",
    "WhoCan",
    "action_catalog",
    "analyze_account",
    "build_graph",
    "cloudshell_full_access_holders",
    "effective_permissions",
    "evaluate",
    "external_trusts",
    "full_admin_verdict",
    "grants_cloudshell_full_access",
    "graph_for",
    "parse_authorization_details",
    "parse_policy",
    "paths_from",
    "scp_levels_for_account",
    "separation_of_duties",
    "who_can",
    "with_scp_levels",
]
