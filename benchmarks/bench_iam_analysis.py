"""Benchmark the IAM analysis on a synthetic account (default: 2,000 roles and 5,000 users).

Run: PYTHONPATH=src python benchmarks/bench_iam_analysis.py [--roles N] [--users N] [--seed N]
Prints the time of each stage and the peak resident memory.

With `--corpus`, analyses instead the AWS managed policies that moto ships, one user per policy plus a
service role with AdministratorAccess (so PassRole escalation can show), and prints how many are
admin-equivalent and how many can escalate.
"""

import argparse
import random
import resource
import time
from typing import Any

from awsaudit.analyze.iam import (
    analyze_account,
    effective_permissions,
    external_trusts,
    full_admin_verdict,
    parse_authorization_details,
    paths_from,
    separation_of_duties,
    who_can,
)
from awsaudit.analyze.iam.admin_equivalence import admin_equivalence, holders_of
from awsaudit.analyze.iam.duties import duties_by_effect
from awsaudit.analyze.iam.escalation import EscalationGraph

ACCOUNT = "111122223333"
ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"
SERVICES = ("lambda.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com", "glue.amazonaws.com")


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _allow(actions: list[str] | str, resources: list[str] | str = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resources, **extra}


def _managed(name: str, document: dict[str, Any]) -> dict[str, Any]:
    arn = f"arn:aws:iam::{ACCOUNT}:policy/{name}"
    return {
        "Arn": arn,
        "DefaultVersionId": "v1",
        "PolicyVersionList": [{"Document": document, "VersionId": "v1", "IsDefaultVersion": True}],
    }


def synthetic_details(roles: int, users: int, seed: int, *, dense: bool = False) -> dict[str, Any]:
    """An account shaped like a large real one: teams, groups, service roles, cross-account and CI trusts.

    `dense`: every team may assume every role and create access keys for every user, so nearly every
    principal reaches nearly every other (the worst case for the graph).
    """
    rng = random.Random(seed)
    teams = 40
    policies = [
        {
            "Arn": ADMIN_POLICY,
            "DefaultVersionId": "v1",
            "PolicyVersionList": [
                {"Document": _doc(_allow("*")), "VersionId": "v1", "IsDefaultVersion": True}
            ],
        }
    ]
    for team in range(teams):
        policies.append(
            _managed(
                f"team{team}-data",
                _doc(_allow(["s3:Get*", "s3:List*", "s3:PutObject"], f"arn:aws:s3:::team{team}-*")),
            )
        )
        policies.append(
            _managed(
                f"team{team}-lambda",
                _doc(
                    _allow(["lambda:*", "logs:*"]),
                    _allow(
                        "iam:PassRole",
                        f"arn:aws:iam::{ACCOUNT}:role/team{team}-svc-*",
                        Condition={"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}},
                    ),
                ),
            )
        )
        policies.append(
            _managed(
                f"team{team}-assume",
                _doc(
                    _allow(["sts:AssumeRole", "iam:CreateAccessKey"], "*")
                    if dense
                    else _allow("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/team{team}-*")
                ),
            )
        )
    policies.append(_managed("ec2-operators", _doc(_allow(["ec2:*", "autoscaling:*", "cloudwatch:*"]))))
    policies.append(
        _managed(
            "self-service",
            _doc(
                _allow(
                    [
                        "iam:CreateAccessKey",
                        "iam:UpdateAccessKey",
                        "iam:ChangePassword",
                        "iam:CreateVirtualMFADevice",
                    ],
                    f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}",
                )
            ),
        )
    )
    policies.append(
        _managed(
            "helpdesk",
            _doc(
                _allow(["iam:CreateLoginProfile", "iam:UpdateLoginProfile"], f"arn:aws:iam::{ACCOUNT}:user/*")
            ),
        )
    )
    policies.append(
        _managed(
            "deny-leaving",
            _doc(
                {
                    "Effect": "Deny",
                    "Action": ["organizations:LeaveOrganization", "cloudtrail:StopLogging"],
                    "Resource": "*",
                }
            ),
        )
    )

    groups = []
    for team in range(teams):
        team_policies = [
            f"team{team}-data",
            f"team{team}-lambda",
            f"team{team}-assume",
            "self-service",
            "deny-leaving",
        ]
        if team % 5 == 0:
            team_policies.append("ec2-operators")
        groups.append(
            {
                "GroupName": f"team{team}",
                "Arn": f"arn:aws:iam::{ACCOUNT}:group/team{team}",
                "GroupPolicyList": [
                    {
                        "PolicyName": "extra",
                        "PolicyDocument": _doc(_allow("sqs:*", f"arn:aws:sqs:*:{ACCOUNT}:team{team}-*")),
                    }
                ],
                "AttachedManagedPolicies": [
                    {"PolicyName": name, "PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/{name}"}
                    for name in team_policies
                ],
            }
        )
    groups.append(
        {
            "GroupName": "helpdesk",
            "Arn": f"arn:aws:iam::{ACCOUNT}:group/helpdesk",
            "GroupPolicyList": [],
            "AttachedManagedPolicies": [
                {"PolicyName": "helpdesk", "PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/helpdesk"}
            ],
        }
    )
    groups.append(
        {
            "GroupName": "admins",
            "Arn": f"arn:aws:iam::{ACCOUNT}:group/admins",
            "GroupPolicyList": [],
            "AttachedManagedPolicies": [{"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN_POLICY}],
        }
    )

    user_list = []
    for index in range(users):
        team = rng.randrange(teams)
        member_of = [f"team{team}"]
        if rng.random() < 0.2:
            member_of.append(f"team{rng.randrange(teams)}")
        if index % 250 == 0:
            member_of.append("helpdesk")
        if index % 500 == 1:
            member_of.append("admins")
        inline = []
        if rng.random() < 0.1:
            inline.append(
                {
                    "PolicyName": "personal",
                    "PolicyDocument": _doc(
                        _allow(["dynamodb:*"], f"arn:aws:dynamodb:*:{ACCOUNT}:table/u{index}-*")
                    ),
                }
            )
        if index % 1000 == 7:
            inline.append(
                {
                    "PolicyName": "legacy",
                    "PolicyDocument": _doc(
                        _allow(["iam:PutUserPolicy", "iam:ListUsers"], f"arn:aws:iam::{ACCOUNT}:user/*")
                    ),
                }
            )
        user_list.append(
            {
                "UserName": f"u{index}",
                "UserId": f"AIDA{index:016d}",
                "Arn": f"arn:aws:iam::{ACCOUNT}:user/u{index}",
                "GroupList": sorted(set(member_of)),
                "UserPolicyList": inline,
                "AttachedManagedPolicies": [],
            }
        )

    role_list = []
    for index in range(roles):
        team = index % teams
        kind = rng.random()
        role_policies: list[dict[str, str]] = []
        profiles: list[dict[str, str]] = []
        if kind < 0.6:
            trust = _doc(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": SERVICES[index % len(SERVICES)]},
                    "Action": "sts:AssumeRole",
                }
            )
            name = f"team{team}-svc-{index}"
            profiles = (
                [{"Arn": f"arn:aws:iam::{ACCOUNT}:instance-profile/{name}"}]
                if "ec2" in SERVICES[index % len(SERVICES)]
                else []
            )
        elif kind < 0.85:
            trust = _doc(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                    "Action": "sts:AssumeRole",
                }
            )
            name = f"team{team}-ops-{index}"
        elif kind < 0.95:
            condition = {"StringEquals": {"sts:ExternalId": f"ext-{index}"}} if index % 2 else None
            statement: dict[str, Any] = {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{999900000000 + index % 50}:root"},
                "Action": "sts:AssumeRole",
            }
            if condition:
                statement["Condition"] = condition
            trust = _doc(statement)
            name = f"partner-{index}"
        else:
            provider = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
            statement = {
                "Effect": "Allow",
                "Principal": {"Federated": provider},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}
                },
            }
            if index % 3:
                statement["Condition"]["StringLike"] = {
                    "token.actions.githubusercontent.com:sub": f"repo:example/app{index}:*"
                }
            trust = _doc(statement)
            name = f"ci-{index}"
        if index % 100 == 3:
            role_policies.append({"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN_POLICY})
        else:
            role_policies.append(
                {
                    "PolicyName": f"team{team}-data",
                    "PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/team{team}-data",
                }
            )
        role_list.append(
            {
                "RoleName": name,
                "RoleId": f"AROA{index:016d}",
                "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
                "AssumeRolePolicyDocument": trust,
                "RolePolicyList": [
                    {
                        "PolicyName": "own",
                        "PolicyDocument": _doc(
                            _allow(["sqs:SendMessage", "sns:Publish"], f"arn:aws:sqs:*:{ACCOUNT}:{name}")
                        ),
                    }
                ],
                "AttachedManagedPolicies": role_policies,
                "InstanceProfileList": profiles,
            }
        )
    return {
        "UserDetailList": user_list,
        "GroupDetailList": groups,
        "RoleDetailList": role_list,
        "Policies": policies,
    }


def corpus_details() -> dict[str, Any]:
    import json

    from moto.iam.aws_managed_policies import aws_managed_policies_data

    corpus = json.loads(aws_managed_policies_data)
    policies, users = [], []
    for name, meta in corpus.items():
        arn = f"arn:aws:iam::aws:policy{meta.get('Path', '/')}{name}"
        version = meta["DefaultVersionId"]
        policies.append(
            {
                "Arn": arn,
                "DefaultVersionId": version,
                "PolicyVersionList": [
                    {"Document": meta["Document"], "VersionId": version, "IsDefaultVersion": True}
                ],
            }
        )
        users.append(
            {
                "UserName": name,
                "UserId": f"AIDA{name}",
                "Arn": f"arn:aws:iam::{ACCOUNT}:user/{name}",
                "GroupList": [],
                "UserPolicyList": [],
                "AttachedManagedPolicies": [{"PolicyName": name, "PolicyArn": arn}],
            }
        )
    services = [
        *SERVICES,
        "cloudformation.amazonaws.com",
        "sagemaker.amazonaws.com",
        "codebuild.amazonaws.com",
    ]
    services.append("datapipeline.amazonaws.com")
    role = {
        "RoleName": "service-admin",
        "RoleId": "AROASERVICEADMIN",
        "Arn": f"arn:aws:iam::{ACCOUNT}:role/service-admin",
        "AssumeRolePolicyDocument": _doc(
            {"Effect": "Allow", "Principal": {"Service": services}, "Action": "sts:AssumeRole"}
        ),
        "RolePolicyList": [],
        "AttachedManagedPolicies": [{"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN_POLICY}],
        "InstanceProfileList": [{"Arn": f"arn:aws:iam::{ACCOUNT}:instance-profile/service-admin"}],
    }
    return {"UserDetailList": users, "GroupDetailList": [], "RoleDetailList": [role], "Policies": policies}


def run_corpus() -> None:
    details = corpus_details()
    start = time.perf_counter()
    account = parse_authorization_details(details)
    graph = EscalationGraph(analyze_account(account))
    paths = graph.escalation_paths()
    users = account.users
    full = [u.name for u in users if graph.admin_level(u)[0]]
    conditional = [u.name for u in users if graph.admin_level(u)[1] and not graph.admin_level(u)[0]]
    self_grant = [u.name for u in users if graph.grant_edges(u, u)]
    escalating = sorted(
        arn.rsplit("/", 1)[1] for arn in paths if arn.startswith(f"arn:aws:iam::{ACCOUNT}:user/")
    )
    verdicts = [full_admin_verdict(p.document) for p in account.policies.values() if p.document is not None]
    equivalent = sorted(
        policy.name
        for policy in account.policies.values()
        if policy.document is not None
        and admin_equivalence(
            [policy.document], holders=holders_of(account, policy.arn), account_id=ACCOUNT
        ).admin_equivalent
    )
    seconds = time.perf_counter() - start
    print(f"AWS managed policies analysed: {len(users)} in {seconds:.2f} s (catalog load included)")
    print(f"  full access (all actions on *): {len(full)} {full}")
    print(f"  full access under conditions:   {len(conditional)} {conditional}")
    print(f"  can grant itself everything:    {len(self_grant)} {self_grant}")
    print(f"  admin-equivalent in total:      {len(set(full) | set(conditional) | set(self_grant))}")
    print(f"  escalation-capable (a path to admin, non-admin holders): {len(escalating)}")
    print(f"    of which conditional: {sum(1 for arn in paths if paths[arn].conditional)}")
    print(
        f"  full_admin_verdict literal *:* {sum(v.literal for v in verdicts)}, "
        f"grant full/conditional {sum(v.grant.value != 'none' for v in verdicts)}"
    )
    print("  escalation-capable policies: " + ", ".join(escalating))
    print(f"  admin-equivalent policies (policy verdict, holders judged): {len(equivalent)} {equivalent}")
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak RSS: {peak_kib / 1024:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--roles", type=int, default=2000)
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dense", action="store_true", help="every user can become nearly every principal")
    parser.add_argument("--corpus", action="store_true", help="analyse moto's AWS managed policies instead")
    parser.add_argument(
        "--unreadable-trusts", type=int, default=0, help="make the first N roles' trust policies unparseable"
    )
    args = parser.parse_args()
    if args.corpus:
        run_corpus()
        return
    details = synthetic_details(args.roles, args.users, args.seed, dense=args.dense)
    unreadable_trust = {}
    for role in details["RoleDetailList"][: args.unreadable_trusts]:
        unreadable_trust[role["Arn"]] = "unparseable (benchmark)"
        role["AssumeRolePolicyDocument"] = None  # read as no trust policy; the reason comes from the map

    stages: list[tuple[str, float]] = []
    start = last = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal last
        now = time.perf_counter()
        stages.append((name, now - last))
        last = now

    account = parse_authorization_details(details)
    lap("parse")
    analysis = analyze_account(account)
    lap(f"profiles ({len(analysis.profiles)} distinct)")
    graph = EscalationGraph(analysis, unreadable_trust=unreadable_trust)
    paths = graph.escalation_paths()
    lap(f"escalation paths ({len(paths)} principals can reach admin)")
    for principal in account.principals:
        effective_permissions(graph, principal)
    lap("effective permissions of every principal")
    unknown = graph.unknown_reach()
    lap(f"unknown reach ({len(unknown)} principals reach an unknown node)")
    duties = separation_of_duties(analysis, ["admins"])
    lap(f"separation of duties, held directly ({len(duties.conflicts)} conflicts)")
    by_effect = duties_by_effect(graph)
    lap(f"separation of duties by effect ({len(by_effect.conflicts)} conflicts)")
    trusts = external_trusts(account)
    lap(f"external trusts ({len(trusts)} grants)")
    answers = who_can(graph, "iam:CreateAccessKey", f"arn:aws:iam::{ACCOUNT}:user/u42")
    lap(f"who_can iam:CreateAccessKey on u42 ({len(answers)} principals)")
    reachable = paths_from(graph, account.users[3])
    lap(f"paths_from u3 ({len(reachable)} reachable)")
    total = time.perf_counter() - start

    print(
        f"synthetic account: {args.users} users, {args.roles} roles, {len(details['GroupDetailList'])} groups"
    )
    for name, seconds in stages:
        print(f"  {seconds:7.2f} s  {name}")
    print(f"  {total:7.2f} s  total (catalog load included in the first use)")
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak RSS: {peak_kib / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
