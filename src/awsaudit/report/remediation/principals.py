"""Recipes for IAM principals and keys: access keys, MFA, attached policies, administrator grants,
server certificates and KMS key rotation."""

from __future__ import annotations

from awsaudit.report.remediation.model import Decide, Step, Target, aws, single


def _user(target: Target) -> str:
    return target.resource_id


def _key_ids_note(user: str) -> str:
    return f"aws iam list-access-keys --user-name {user} shows the key ids the CSV report numbers 1 and 2"


def deactivate_keys(target: Target) -> tuple[Step, ...]:
    user = _user(target)
    key = Decide(
        "ACCESS_KEY_ID",
        f"Which access key of {user} goes ({_key_ids_note(user)})?",
        ("the key named in the finding (access_key_1 or access_key_2)",),
    )
    return single(
        Step(
            summary=f"Deactivate the stale access key of IAM user {user}",
            commands=(
                aws(
                    "iam",
                    "update-access-key",
                    "--user-name",
                    user,
                    "--access-key-id",
                    key,
                    "--status",
                    "Inactive",
                ),
            ),
            changes="The key stops authenticating; it can be re-activated, then deleted once nothing broke.",
            breaks="Scripts and services using the key fail; find them in CloudTrail by the key id first.",
            rollback=(
                aws(
                    "iam",
                    "update-access-key",
                    "--user-name",
                    user,
                    "--access-key-id",
                    key,
                    "--status",
                    "Active",
                ),
            ),
        )
    )


def console_mfa(target: Target) -> tuple[Step, ...]:
    user = _user(target)
    return single(
        Step(
            summary=f"Remove the console password of {user} until they enrol MFA",
            commands=(aws("iam", "delete-login-profile", "--user-name", user),),
            changes=f"{user} can no longer sign in to the console; API keys are unaffected.",
            breaks=f"{user} loses console access until a password is set again with MFA enrolled.",
            rollback_note=(
                f"aws iam create-login-profile --user-name {user} "
                f"--password-reset-required --password <new>; "
                "better: have the user enrol an MFA device (console) and keep the password."
            ),
        )
    )


def user_attached_policies(target: Target) -> tuple[Step, ...]:
    user = _user(target)
    evidence = target.finding.evidence
    steps: list[Step] = []
    group = Decide(
        "TARGET_GROUP",
        f"Which group should give {user} these permissions instead?",
        ("an existing group with the same policies", "a new group created for them"),
    )
    for policy in evidence.get("AttachedManagedPolicies", []) or []:
        policy_arn = (
            str(policy)
            if str(policy).startswith("arn:")
            else (f"arn:{target.partition}:iam::{target.finding.account_id}:policy/{policy}")
        )
        steps.append(
            Step(
                summary=f"Move managed policy {policy} from user {user} to a group",
                commands=(
                    aws("iam", "attach-group-policy", "--group-name", group, "--policy-arn", policy_arn),
                    aws("iam", "add-user-to-group", "--user-name", user, "--group-name", group),
                    aws("iam", "detach-user-policy", "--user-name", user, "--policy-arn", policy_arn),
                ),
                changes=f"{user} keeps the permissions through the group; nothing is attached to the user.",
                breaks=(
                    "Every other member of the group gains the policy too: choose "
                    "the group with that in mind."
                ),
                rollback=(aws("iam", "attach-user-policy", "--user-name", user, "--policy-arn", policy_arn),),
            )
        )
    for inline in evidence.get("UserPolicyList", []) or []:
        steps.append(
            Step(
                summary=f"Delete inline policy {inline} of user {user} (after recreating it on a group)",
                commands=(
                    aws("iam", "delete-user-policy", "--user-name", user, "--policy-name", str(inline)),
                ),
                changes="Removes the inline policy.",
                breaks=f"{user} loses what it granted unless a group grants it first.",
                rollback_note=(
                    f"Save it first: aws iam get-user-policy --user-name {user} --policy-name {inline}; "
                    "put-user-policy restores it."
                ),
            )
        )
    return tuple(steps)


def cloudshell(target: Target) -> tuple[Step, ...]:
    kind, name = target.resource_kind, target.resource_id
    verb = {"user": "user", "role": "role", "group": "group"}.get(kind)
    if verb is None:
        return ()
    arn = f"arn:{target.partition}:iam::aws:policy/AWSCloudShellFullAccess"
    return single(
        Step(
            summary=f"Detach AWSCloudShellFullAccess from {kind} {name}",
            commands=(aws("iam", f"detach-{verb}-policy", f"--{verb}-name", name, "--policy-arn", arn),),
            changes="CloudShell (with its file upload and download) is no longer available to it.",
            breaks=(
                "People who use CloudShell through it lose it; grant a narrower CloudShell policy if needed."
            ),
            rollback=(aws("iam", f"attach-{verb}-policy", f"--{verb}-name", name, "--policy-arn", arn),),
        )
    )


def expired_certificate(target: Target) -> tuple[Step, ...]:
    name = target.resource_id
    return single(
        Step(
            summary=f"Delete expired server certificate {name}",
            commands=(aws("iam", "delete-server-certificate", "--server-certificate-name", name),),
            changes="Removes a certificate that no client accepts any more.",
            breaks="A load balancer still referencing it must be moved to a valid certificate first.",
            rollback_note="None: a deleted certificate must be uploaded again from its files.",
        )
    )


def full_admin_policy(target: Target) -> tuple[Step, ...]:
    arn = target.finding.resource
    if target.resource_kind != "policy":
        return ()
    return single(
        Step(
            summary=f"Find and detach the holders of full-admin policy {target.resource_id}",
            commands=(aws("iam", "list-entities-for-policy", "--policy-arn", arn),),
            changes=(
                "Nothing yet: lists who holds the policy, to detach it with detach-user/group/role-policy."
            ),
            breaks="Detaching removes administrator rights: keep a break-glass role that has them.",
            rollback_note="attach-*-policy re-grants it.",
        )
    )


def kms_rotation(target: Target) -> tuple[Step, ...]:
    key = target.resource_id
    return single(
        Step(
            summary=f"Rotate KMS key {key} yearly",
            commands=(aws("kms", "enable-key-rotation", "--region", target.region, "--key-id", key),),
            changes="KMS creates new key material every year; old material still decrypts.",
            breaks="Nothing.",
            rollback=(aws("kms", "disable-key-rotation", "--region", target.region, "--key-id", key),),
            terraform="# aws_kms_key: enable_key_rotation = true",
        )
    )
