"""Every kind of resource whose policy the analysis judges: one line each, from dataset to policy.

``policy_field`` names the per-resource sub-call that holds the policy (read fail-closed by the
checks), or None when the listing call returns the policy inline; ``policy_of`` turns that value
into the policy document (None: the resource has no policy).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from awsaudit.analyze.resource_policy.document import PolicyError

Item = Mapping[str, Any]
Policy = str | Mapping[str, Any] | None


@dataclass(frozen=True)
class Where:
    partition: str
    region: str
    account_id: str


@dataclass(frozen=True)
class ResourceKind:
    check_id: str
    noun: str  # "SNS topic"
    service: str  # snapshot service key
    dataset: str
    regional: bool
    action_services: tuple[str, ...]  # IAM prefixes whose actions apply to this kind
    arn: Callable[[Item, Where], str]
    name: Callable[[Item], str]
    policy_field: str | None
    policy_of: Callable[[Any], Policy]
    remediation: str
    reference: str
    applies: Callable[[Item], bool] = lambda _: True  # False: the resource is not the account's to judge


def _get(key: str) -> Callable[[Any], Policy]:
    def read(value: Any) -> Policy:
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise PolicyError(f"expected an object holding {key}, got {type(value).__name__}")
        found = value.get(key)
        return found or None  # "" means no policy (OpenSearch, API Gateway)

    return read


def policy_itself(value: Any) -> Policy:
    if value is None or value == "":
        return None
    if not isinstance(value, (str, Mapping)):
        raise PolicyError(f"policy must be JSON text or an object, got {type(value).__name__}")
    return value


def _api_gateway_policy(api: Any) -> Policy:
    """API Gateway returns the policy as JSON text with its quotes escaped (``{\\"Version\\":...``)."""
    text = _get("policy")(api)
    if not isinstance(text, str):
        return text
    try:
        json.loads(text)
    except json.JSONDecodeError:
        return text.replace('\\"', '"').replace("\\/", "/")
    return text


def _queue_arn(queue: Item, where: Where) -> str:
    # https://sqs.<region>.amazonaws.com/<account>/<name>
    *_, account, name = str(queue["QueueUrl"]).rstrip("/").split("/")
    return f"arn:{where.partition}:sqs:{where.region}:{account}:{name}"


def _customer_key(key: Item) -> bool:
    metadata = key.get("KeyMetadata")
    # A key whose metadata could not be read is judged (and then reported UNKNOWN by the check).
    return not isinstance(metadata, Mapping) or metadata.get("KeyManager") == "CUSTOMER"


def _doc(path: str) -> str:
    return f"https://docs.aws.amazon.com/{path}"


KINDS: tuple[ResourceKind, ...] = (
    ResourceKind(
        "kms.key_not_exposed",
        "KMS key",
        "kms",
        "Keys",
        True,
        ("kms",),
        lambda k, _: str(k["KeyArn"]),
        lambda k: str(k["KeyId"]),
        "Policy",
        policy_itself,
        "aws kms put-key-policy --key-id <key-id> --policy-name default --policy file://policy.json "
        "(name the principals, or add aws:PrincipalOrgID / kms:CallerAccount conditions)",
        _doc("kms/latest/developerguide/key-policy-overview.html"),
        applies=_customer_key,
    ),
    ResourceKind(
        "sns.topic_not_exposed",
        "SNS topic",
        "sns",
        "Topics",
        True,
        ("sns",),
        lambda t, _: str(t["TopicArn"]),
        lambda t: str(t["TopicArn"]).rsplit(":", 1)[-1],
        "Attributes",
        _get("Policy"),
        "aws sns set-topic-attributes --topic-arn <arn> --attribute-name Policy --attribute-value "
        "file://policy.json (pin '*' with aws:SourceOwner, aws:SourceArn or aws:PrincipalOrgID)",
        _doc("sns/latest/dg/sns-access-policy-use-cases.html"),
    ),
    ResourceKind(
        "sqs.queue_not_exposed",
        "SQS queue",
        "sqs",
        "Queues",
        True,
        ("sqs",),
        _queue_arn,
        lambda q: str(q["QueueUrl"]).rstrip("/").rsplit("/", 1)[-1],
        "Attributes",
        _get("Policy"),
        "aws sqs set-queue-attributes --queue-url <url> --attributes Policy=file://policy.json "
        "(name the principals, or pin service principals with aws:SourceArn)",
        _doc("AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-basic-examples-of-sqs-policies.html"),
    ),
    ResourceKind(
        "awslambda.function_not_exposed",
        "Lambda function",
        "lambda",
        "FunctionPolicies",
        True,
        ("lambda",),
        lambda f, _: str(f["FunctionArn"]),
        lambda f: str(f["FunctionName"]),
        "Policy",
        policy_itself,
        "aws lambda remove-permission --function-name <name> --statement-id <sid>; re-add it with "
        "--source-arn / --source-account or --principal-org-id",
        _doc("lambda/latest/dg/access-control-resource-based.html"),
    ),
    ResourceKind(
        "ecr.repository_not_exposed",
        "ECR repository",
        "ecr",
        "Repositories",
        True,
        ("ecr",),
        lambda r, _: str(r["repositoryArn"]),
        lambda r: str(r["repositoryName"]),
        "Policy",
        policy_itself,
        "aws ecr set-repository-policy --repository-name <name> --policy-text file://policy.json "
        "(name the accounts, or add aws:PrincipalOrgID)",
        _doc("AmazonECR/latest/userguide/repository-policies.html"),
    ),
    ResourceKind(
        "secretsmanager.secret_not_exposed",
        "Secrets Manager secret",
        "secretsmanager",
        "Secrets",
        True,
        ("secretsmanager",),
        lambda s, _: str(s["ARN"]),
        lambda s: str(s.get("Name") or s["ARN"]),
        "ResourcePolicy",
        policy_itself,
        "aws secretsmanager put-resource-policy --secret-id <arn> --resource-policy file://policy.json "
        "--block-public-policy (or delete-resource-policy)",
        _doc("secretsmanager/latest/userguide/auth-and-access_resource-policies.html"),
    ),
    ResourceKind(
        "events.bus_not_exposed",
        "EventBridge event bus",
        "events",
        "EventBuses",
        True,
        ("events",),
        lambda b, _: str(b["Arn"]),
        lambda b: str(b["Name"]),
        None,
        _get("Policy"),
        "aws events put-permission --event-bus-name <name> --policy file://policy.json "
        "(name the accounts or add aws:PrincipalOrgID); aws events remove-permission --statement-id <sid>",
        _doc("eventbridge/latest/userguide/eb-event-bus-perms.html"),
    ),
    ResourceKind(
        "logs.resource_policy_not_exposed",
        "CloudWatch Logs resource policy",
        "logs",
        "ResourcePolicies",
        True,
        ("logs",),
        lambda p, w: f"arn:{w.partition}:logs:{w.region}:{w.account_id}:resource-policy/{p['policyName']}",
        lambda p: str(p["policyName"]),
        None,
        _get("policyDocument"),
        "aws logs put-resource-policy --policy-name <name> --policy-document file://policy.json "
        "(pin service principals with aws:SourceAccount and aws:SourceArn)",
        _doc("AmazonCloudWatch/latest/logs/iam-access-control-overview-cwl.html"),
    ),
    ResourceKind(
        "glacier.vault_not_exposed",
        "S3 Glacier vault",
        "glacier",
        "Vaults",
        True,
        ("glacier",),
        lambda v, _: str(v["VaultARN"]),
        lambda v: str(v["VaultName"]),
        "Policy",
        policy_itself,
        "aws glacier set-vault-access-policy --account-id - --vault-name <name> --policy "
        '\'{"Policy":"..."}\' (or delete-vault-access-policy)',
        _doc("amazonglacier/latest/dev/vault-access-policy.html"),
    ),
    ResourceKind(
        "s3.access_point_not_exposed",
        "S3 access point",
        "s3control",
        "AccessPoints",
        True,
        ("s3",),
        lambda p, w: str(
            p.get("AccessPointArn")
            or f"arn:{w.partition}:s3:{w.region}:{w.account_id}:accesspoint/{p['Name']}"
        ),
        lambda p: str(p["Name"]),
        "Policy",
        policy_itself,
        "aws s3control put-access-point-policy --account-id <account> --name <name> --policy "
        "file://policy.json (and keep Block Public Access on for the access point)",
        _doc("AmazonS3/latest/userguide/access-points-policies.html"),
    ),
    ResourceKind(
        "s3.multi_region_access_point_not_exposed",
        "S3 Multi-Region Access Point",
        "s3control",
        "MultiRegionAccessPoints",
        False,
        ("s3",),
        lambda p, w: f"arn:{w.partition}:s3::{w.account_id}:accesspoint/{p.get('Alias') or p['Name']}",
        lambda p: str(p["Name"]),
        "Policy",
        policy_itself,
        "aws s3control put-multi-region-access-point-policy --account-id <account> --details "
        "Name=<name>,Policy=file://policy.json --region us-west-2",
        _doc("AmazonS3/latest/userguide/MultiRegionAccessPointPermissions.html"),
    ),
    ResourceKind(
        "opensearch.domain_not_exposed",
        "OpenSearch domain",
        "opensearch",
        "Domains",
        True,
        ("es",),
        lambda d, _: str(d["ARN"]),
        lambda d: str(d["DomainName"]),
        None,
        _get("AccessPolicies"),
        "aws opensearch update-domain-config --domain-name <name> --access-policies file://policy.json "
        "(name the roles or restrict aws:SourceIp; prefer VPC access)",
        _doc("opensearch-service/latest/developerguide/ac.html"),
    ),
    ResourceKind(
        "apigateway.rest_api_not_exposed",
        "API Gateway REST API",
        "apigateway",
        "RestApis",
        True,
        ("execute-api",),
        lambda a, w: f"arn:{w.partition}:apigateway:{w.region}::/restapis/{a['id']}",
        lambda a: str(a.get("name") or a["id"]),
        None,
        _api_gateway_policy,
        "aws apigateway update-rest-api --rest-api-id <id> --patch-operations op=replace,path=/policy,"
        "value=<escaped JSON> (restrict by aws:SourceIp, aws:SourceVpce or aws:PrincipalOrgID), then "
        "redeploy the stage",
        _doc("apigateway/latest/developerguide/apigateway-resource-policies.html"),
    ),
)
