"""One analysis of resource policies: who a policy admits, what it allows, and how exposed that is.

Shared by every resource kind with a policy (S3 buckets, KMS keys, SNS topics, SQS queues, Lambda
functions ...) so that "public" and "outside the organization" mean the same everywhere.
"""

from awsaudit.analyze.resource_policy.access import Actions, Capability
from awsaudit.analyze.resource_policy.analysis import (
    Admission,
    Exposure,
    Grant,
    PolicyVerdict,
    Reach,
    Trust,
    admissions,
    analyze_policy,
    principal_is_public,
    statement_grants,
)
from awsaudit.analyze.resource_policy.document import PolicyError, parse_policy

__all__ = [
    "Actions",
    "Admission",
    "Capability",
    "Exposure",
    "Grant",
    "PolicyError",
    "PolicyVerdict",
    "Reach",
    "Trust",
    "admissions",
    "analyze_policy",
    "parse_policy",
    "principal_is_public",
    "statement_grants",
]
