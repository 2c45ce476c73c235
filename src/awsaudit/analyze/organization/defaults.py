"""Shipped defaults of the organization settings (``AuditConfig`` fields), kept free of imports."""

# The defaults of the configurable baseline: turning off what lets the security team see.
DEFAULT_BASELINE_ACTIONS: tuple[str, ...] = (
    "cloudtrail:StopLogging",
    "cloudtrail:DeleteTrail",
    "config:StopConfigurationRecorder",
    "config:DeleteConfigurationRecorder",
    "config:DeleteDeliveryChannel",
    "guardduty:DeleteDetector",
    "guardduty:DisassociateFromAdministratorAccount",
    "guardduty:DisassociateFromMasterAccount",
    "securityhub:DisableSecurityHub",
    "access-analyzer:DeleteAnalyzer",
    "organizations:LeaveOrganization",
)

# What a security team does first in a compromised account: quarantine an instance, disable a key,
# take a policy away.
DEFAULT_INTERVENTION_ACTIONS: tuple[str, ...] = (
    "ec2:ModifyInstanceAttribute",
    "ec2:StopInstances",
    "iam:UpdateAccessKey",
    "kms:DisableKey",
    "iam:DetachRolePolicy",
    "iam:DetachUserPolicy",
)

# Shipped allow-list: what AWS Control Tower, Landing Zone Accelerator, StackSets, organization
# trails and AWS Config put into a management account. Globs on a resource's name or ARN, or
# ``tag:Key=ValueGlob``.
DEFAULT_GOVERNANCE_GLOBS: tuple[str, ...] = (
    "aws-controltower-*",
    "*AWSControlTower*",
    "aws-accelerator-*",
    "*AWSAccelerator*",
    "StackSet-*",
    "*stackset*",
    "aws-cloudtrail-logs-*",
    "*organization-trail*",
    "config-bucket-*",
    "aws-config-*",
    "tag:aws:cloudformation:stack-name=StackSet-*",
    "tag:aws:cloudformation:stack-name=AWSControlTower*",
    "tag:Accelerator=*",
)
