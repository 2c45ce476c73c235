"""The `misconfigured` scenario's privilege-escalation paths: each planted with the check it must fail."""

from __future__ import annotations

from awsaudit.lab.clients import LabAccount
from awsaudit.lab.scenarios.model import Planted
from awsaudit.lab.scenarios.resources import (
    GITHUB_OIDC,
    SAML_METADATA,
    create_user,
    policy_json,
    same_account_trust,
    service_trust,
)


def plant_escalation_paths(account: LabAccount, admin_policy: str, planted: set[Planted]) -> None:
    """Two users with a path to admin, an admin service role, and a CI role any repository could assume."""
    iam = account.client("iam")
    acct = account.account_id
    # grace: her group's policy lets its members publish new versions of that very policy.
    reporting = f"arn:aws:iam::{acct}:policy/ReportingAccess"
    iam.create_policy(
        PolicyName="ReportingAccess",
        PolicyDocument=policy_json(
            {
                "Effect": "Allow",
                "Action": ["cloudwatch:GetMetricData", "cloudwatch:ListMetrics"],
                "Resource": "*",
            },
            {"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": reporting},
        ),
    )
    iam.create_group(GroupName="reporting")
    iam.attach_group_policy(GroupName="reporting", PolicyArn=reporting)
    planted.add(Planted("iam.privilege_escalation", create_user(account, "grace", groups=("reporting",))))
    # The policy itself is admin-equivalent: whoever holds it can publish a version granting everything.
    planted.add(Planted("iam.full_admin_policy", reporting))

    # ivan: may launch instances and pass the admin role batch-runner to them.
    runner = iam.create_role(
        RoleName="batch-runner", AssumeRolePolicyDocument=service_trust("ec2.amazonaws.com")
    )
    iam.attach_role_policy(RoleName="batch-runner", PolicyArn=admin_policy)
    iam.create_instance_profile(InstanceProfileName="batch-runner")
    iam.add_role_to_instance_profile(InstanceProfileName="batch-runner", RoleName="batch-runner")
    planted.add(Planted("iam.separation_of_duties", str(runner["Role"]["Arn"])))
    planted.add(Planted("iam.cloudshell_full_access", str(runner["Role"]["Arn"])))
    iam.create_group(GroupName="batch-operators")
    iam.put_group_policy(
        GroupName="batch-operators",
        PolicyName="launch-batch",
        PolicyDocument=policy_json(
            {"Effect": "Allow", "Action": ["ec2:RunInstances", "ec2:DescribeInstances"], "Resource": "*"},
            {"Effect": "Allow", "Action": "iam:PassRole", "Resource": str(runner["Role"]["Arn"])},
        ),
    )
    ivan = create_user(account, "ivan", groups=("batch-operators",))
    planted.add(Planted("iam.privilege_escalation", ivan))
    # Acting as batch-runner, ivan holds both of its duties too.
    planted.add(Planted("iam.separation_of_duties", ivan))

    # ci-deploy: trusted by GitHub's OIDC provider for the right audience, but for any repository.
    provider = iam.create_open_id_connect_provider(
        Url=f"https://{GITHUB_OIDC}", ClientIDList=["sts.amazonaws.com"], ThumbprintList=["f" * 40]
    )["OpenIDConnectProviderArn"]
    ci = iam.create_role(
        RoleName="ci-deploy",
        AssumeRolePolicyDocument=policy_json(
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {f"{GITHUB_OIDC}:aud": "sts.amazonaws.com"}},
            }
        ),
    )
    planted.add(Planted("iam.external_trust", str(ci["Role"]["Arn"])))

    # pat: may assume user-admin, a role that may attach policies to any user, pat included. Neither
    # pat nor the role can grant itself anything; together they make pat an administrator.
    user_admin = iam.create_role(RoleName="user-admin", AssumeRolePolicyDocument=same_account_trust(account))
    iam.put_role_policy(
        RoleName="user-admin",
        PolicyName="manage-user-policies",
        PolicyDocument=policy_json(
            {"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": f"arn:aws:iam::{acct}:user/*"}
        ),
    )
    pat = create_user(account, "pat")
    iam.put_user_policy(
        UserName="pat",
        PolicyName="assume-user-admin",
        PolicyDocument=policy_json(
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": str(user_admin["Role"]["Arn"])}
        ),
    )
    planted.add(Planted("iam.privilege_escalation", pat))
    planted.add(Planted("iam.user_attached_policies", pat))

    # corp-sso: SAML federation without an audience condition.
    saml = iam.create_saml_provider(SAMLMetadataDocument=SAML_METADATA, Name="corp-idp")["SAMLProviderArn"]
    sso = iam.create_role(
        RoleName="corp-sso",
        AssumeRolePolicyDocument=policy_json(
            {"Effect": "Allow", "Principal": {"Federated": saml}, "Action": "sts:AssumeRoleWithSAML"}
        ),
    )
    planted.add(Planted("iam.external_trust", str(sso["Role"]["Arn"])))
