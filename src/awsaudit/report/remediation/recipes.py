"""The remediation recipes, by check id: the AWS CLI that fixes a FAIL, built from its finding.

Every registered check has a recipe here or an entry in NO_CLI_FIX saying why the
fix is not a CLI command (a root-user action, a judgement, a redesign); a test
holds the two tables against the registry. The recipes themselves live in one module
per resource family.
"""

from __future__ import annotations

from collections.abc import Mapping

from awsaudit.report.remediation import account, buckets, compute, exposure, network, principals, trails
from awsaudit.report.remediation.model import Recipe

RECIPES: Mapping[str, Recipe] = {
    "accessanalyzer.enabled": account.access_analyzer,
    "account.security_contact": account.security_contact,
    "budgets.budget_with_alert": account.budget,
    "cloudtrail.bucket_access_logging": buckets.bucket_access_logging,
    "cloudtrail.bucket_not_public": buckets.bucket_block_public_access,
    "cloudtrail.cloudwatch_logs_delivery": trails.trail_cloudwatch,
    "cloudtrail.kms_encryption": trails.trail_kms,
    "cloudtrail.log_file_validation": trails.trail_validation,
    "cloudtrail.multi_region_logging": trails.trail_multi_region,
    "cloudtrail.s3_object_read_logging": trails.trail_s3_data_events("reads"),
    "cloudtrail.s3_object_write_logging": trails.trail_s3_data_events("writes"),
    "cloudwatch.alarm_actions": trails.alarm_actions,
    **{
        f"cloudwatch.monitoring_{name}": trails.cloudwatch_monitoring
        for name in (
            "cloudtrail_config_changes",
            "config_changes",
            "console_auth_failures",
            "console_signin_without_mfa",
            "iam_policy_changes",
            "kms_cmk_disable_or_deletion",
            "nacl_changes",
            "network_gateway_changes",
            "organizations_changes",
            "root_account_usage",
            "route_table_changes",
            "s3_bucket_policy_changes",
            "security_group_changes",
            "unauthorized_api_calls",
            "vpc_changes",
        )
    },
    "config.recorder_enabled": account.config_recorder,
    "ec2.default_sg_restricts_all": network.default_sg,
    "ec2.ebs_default_encryption": account.ebs_default_encryption,
    "ec2.imdsv2_required": compute.imdsv2,
    "ec2.instance_profile_attached": compute.instance_profile,
    "ec2.internet_exposed_interfaces": network.internet_exposed_interface,
    "ec2.nacl_admin_ports": network.nacl_admin_ports,
    "ec2.sg_admin_ports_ipv4": network.sg_open_to_internet,
    "ec2.sg_admin_ports_ipv6": network.sg_open_to_internet,
    "ec2.sg_admin_ports_trusted_cidrs": network.sg_untrusted_sources,
    "ec2.sg_cifs_restricted": network.sg_open_to_internet,
    "ec2.vpc_flow_logs": network.vpc_flow_logs,
    "iam.access_key_rotation": principals.deactivate_keys,
    "iam.cloudshell_full_access": principals.cloudshell,
    "iam.console_user_mfa": principals.console_mfa,
    "iam.expired_server_certificates": principals.expired_certificate,
    "iam.full_admin_policy": principals.full_admin_policy,
    "iam.no_keys_at_setup": principals.deactivate_keys,
    "iam.one_active_key": principals.deactivate_keys,
    "iam.password_policy_complexity": account.password_policy,
    "iam.password_policy_min_length": account.password_policy,
    "iam.password_policy_reuse": account.password_policy,
    "iam.support_role": account.support_role,
    "iam.unused_credentials": principals.deactivate_keys,
    "iam.user_attached_policies": principals.user_attached_policies,
    "kms.key_rotation": principals.kms_rotation,
    "organizations.account_in_organization": account.join_organization,
    "rds.auto_minor_upgrade": compute.rds_setting(
        "--auto-minor-version-upgrade",
        "Minor engine versions are applied in the maintenance window.",
        "A minor upgrade restarts the database in its maintenance window.",
        "--no-auto-minor-version-upgrade",
    ),
    "rds.instance_not_public": compute.rds_setting(
        "--no-publicly-accessible",
        "The database's endpoint resolves to a private address only.",
        "Clients outside the VPC (including developers' laptops) lose access.",
        "--publicly-accessible",
    ),
    "rds.multi_az": compute.rds_setting(
        "--multi-az",
        "A standby in another zone takes over on failure (doubles the instance cost).",
        "Converting causes a brief I/O pause; apply in a quiet hour.",
        "--no-multi-az",
    ),
    "s3.account_block_public_access": account.account_block_public_access,
    "s3.block_public_access": buckets.bucket_block_public_access,
    "s3.bucket_encryption": buckets.bucket_encryption,
    "s3.bucket_public_access": buckets.bucket_block_public_access,
    "s3.bucket_tls_only": buckets.bucket_tls_only,
    "securityhub.enabled": account.security_hub,
    **exposure.RECIPES,
}

# Checks whose fix is not an AWS CLI command an operator can run from the audit's credentials.
NO_CLI_FIX: Mapping[str, str] = {
    "account.contact_details": (
        "a person confirms the contact details are current (an inventory, not a setting)"
    ),
    "iam.identity_federation": "an inventory of identity providers for a person to judge",
    "iam.aws_managed_admin_attached": (
        "replacing an AWS-managed administrator policy needs a decision on the narrower policy that "
        "takes its place; an accepted break-glass role is recorded as a suppression"
    ),
    "s3.bucket_policy_encryption": (
        "the Deny statement has to be merged into the bucket's existing policy, which only its owner "
        "can decide; the check's remediation gives the statement"
    ),
    "iam.root_access_keys": "only the root user can delete its own keys, signed in to the console",
    "iam.root_mfa": "root MFA is enrolled by the root user in the console",
    "iam.root_hardware_mfa": "a hardware MFA device is enrolled by the root user in the console",
    "iam.root_recent_use": "stopping root use is a practice: move the work to roles, then watch the alarm",
    "iam.privilege_escalation": "each path needs a redesign of the granting policy, named in the evidence",
    "iam.separation_of_duties": "splitting duties means redesigning who holds which policy",
    "iam.external_trust": "the trust condition depends on which repository or account should be trusted",
    "efs.encrypted": "a file system's encryption is fixed at creation: copy the data to a new encrypted one",
    "rds.instance_encrypted": "encryption is fixed at creation: restore an encrypted copy of a snapshot",
    "organizations.audit_role_reachable": (
        "the audit role is created by the organization's deployment (StackSet)"
    ),
    "organizations.delegated_administrators": (
        "an inventory of delegated administrators for a person to judge"
    ),
    "organizations.management_account_no_workloads": "moving workloads out is a migration, not a command",
    "organizations.member_budgets": "member budgets are created in each member account (see budgets recipe)",
    "s3.bucket_mfa_delete": "only the root user, with its MFA code, can turn on MFA Delete",
    "organizations.ou_structure": "an inventory of the OU structure for a person to judge",
    "organizations.scp_guardrails": "which SCPs to attach is an organization-wide decision",
    "organizations.centralized_root_access": (
        "enabling it removes every member's root credentials: an organization-wide decision taken in the "
        "management account (the check's remediation gives the commands)"
    ),
    "organizations.security_delegated_administrators": (
        "which account administers each security service is the organization's decision"
    ),
    "organizations.intervention_capability": (
        "the audit role's trust and permissions are deployed to every account by the organization "
        "(a StackSet), not fixed in one account"
    ),
    "identitycenter.admin_permission_sets": (
        "taking administrator access from a group needs a decision on the narrower permission set "
        "that replaces it"
    ),
    "ds.forest_trust_selective_auth": (
        "selective authentication needs 'Allowed to authenticate' granted on the on-premises side "
        "first, or users lose access"
    ),
    **exposure.NO_CLI_FIX,
}
