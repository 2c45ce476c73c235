"""Networking checks: EBS default encryption, security groups, network ACLs and IMDSv2 (guide G5, CIS 6)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.registry import Needs, Scope, check
from awsaudit.checks.sg_rules import (
    PRIVATE_RANGES,
    Permission,
    RuleError,
    acl_internet_admissions,
    internet_exposures,
    parse_acl_entry,
    parse_network,
    parse_permission,
    untrusted_sources,
)
from awsaudit.config import AuditConfig
from awsaudit.findings import Severity

SECURITY_GROUPS = Needs("ec2", "SecurityGroups", regional=True)
NETWORK_INTERFACES = Needs("ec2", "NetworkInterfaces", regional=True)
SG_DOC = "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html"
NACL_DOC = "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html"
# CIS names SSH and RDP explicitly; they are judged even when the configured list leaves them out.
CIS_ADMIN_PORTS = (22, 3389)
CIFS_PORT = 445


@check(
    id="ec2.ebs_default_encryption",
    title="EBS default encryption is on in every region",
    severity=Severity.MEDIUM,
    scope=Scope.REGION,
    needs=[Needs("ec2", "EbsEncryptionByDefault", regional=True)],
    rationale="New volumes are encrypted at rest without anyone having to remember it.",
    remediation="aws ec2 enable-ebs-encryption-by-default --region <region>",
    references=["https://docs.aws.amazon.com/ebs/latest/userguide/encryption-by-default.html"],
)
def ebs_default_encryption(ctx: CheckContext) -> Iterator[Result]:
    enabled = ctx.dataset("ec2", "EbsEncryptionByDefault")["EbsEncryptionByDefault"] is True
    evidence = {"EbsEncryptionByDefault": enabled}
    if enabled:
        yield ctx.passed(ctx.scope_arn(), f"EBS default encryption is on in {ctx.region}", evidence)
    else:
        yield ctx.failed(ctx.scope_arn(), f"EBS default encryption is off in {ctx.region}", evidence)


# ------------------------------------------------------------ security groups


def security_group_arn(ctx: CheckContext, group: Mapping[str, Any]) -> str:
    return f"arn:{ctx.partition}:ec2:{ctx.region}:{ctx.account_id}:security-group/{group['GroupId']}"


def attached_group_ids(ctx: CheckContext) -> set[str]:
    """Security groups used by at least one network interface of the region."""
    return {
        str(g["GroupId"]) for eni in ctx.dataset("ec2", "NetworkInterfaces") for g in eni.get("Groups") or []
    }


def _inbound(group: Mapping[str, Any]) -> list[Permission]:
    return [parse_permission(p) for p in group.get("IpPermissions") or []]


def _judge_groups(
    ctx: CheckContext,
    find: Callable[[list[Permission]], list[dict[str, Any]]],
    describe: Callable[[list[dict[str, Any]]], str],
    settings: Mapping[str, Any],
) -> Iterator[Result]:
    """Judge each group's inbound rules with ``find``; unused groups keep the FAIL at low severity."""
    attached = attached_group_ids(ctx)

    def resource(group: Mapping[str, Any]) -> str:
        return security_group_arn(ctx, group)

    def judge(group: Mapping[str, Any]) -> Result:
        label = f"Security group {group['GroupId']} ({group.get('GroupName', '')})"
        in_use = group["GroupId"] in attached
        try:
            problems = find(_inbound(group))
        except RuleError as error:
            return ctx.unknown(
                resource(group), f"{label} has a rule that cannot be read: {error}", {"error": str(error)}
            )
        evidence = {
            "VpcId": group.get("VpcId"),
            "attached_to_interfaces": in_use,
            "findings": problems,
            **settings,
        }
        if not problems:
            return ctx.passed(resource(group), f"{label} {describe([])}", evidence)
        severity = None if in_use else Severity.LOW
        suffix = "" if in_use else " (attached to no network interface)"
        return ctx.failed(
            resource(group), f"{label} {describe(problems)}{suffix}", evidence, severity=severity
        )

    return ctx.each(ctx.dataset("ec2", "SecurityGroups"), resource, judge)


@dataclass(frozen=True)
class InternetExposureCheck:
    """A family member: which ports must not be open to which internet (IPv4 and/or IPv6)."""

    check_id: str
    title: str
    versions: tuple[int, ...]
    ports: Callable[[AuditConfig], Iterable[int]]
    rationale: str
    remediation: str


def _revoke(ranges: str) -> str:
    return (
        "aws ec2 revoke-security-group-ingress --group-id <sg-id> --ip-permissions "
        f"IpProtocol=<protocol>,FromPort=<from>,ToPort=<to>,{ranges} (the rule shown in the evidence); "
        "then admit only trusted ranges"
    )


INTERNET_EXPOSURE_CHECKS = (
    InternetExposureCheck(
        "ec2.sg_admin_ports_ipv4",
        "No security group admits 0.0.0.0/0 to administration or database ports",
        (4,),
        lambda config: (*config.admin_ports, *CIS_ADMIN_PORTS),
        "SSH, RDP, VNC and database ports open to every IPv4 address are scanned and brute-forced within "
        "minutes.",
        _revoke("IpRanges=[{CidrIp=0.0.0.0/0}]"),
    ),
    InternetExposureCheck(
        "ec2.sg_admin_ports_ipv6",
        "No security group admits ::/0 to administration or database ports",
        (6,),
        lambda config: (*config.admin_ports, *CIS_ADMIN_PORTS),
        "Administration and database ports open to every IPv6 address are as exposed as over IPv4.",
        _revoke("Ipv6Ranges=[{CidrIpv6=::/0}]"),
    ),
    InternetExposureCheck(
        "ec2.sg_cifs_restricted",
        "No security group admits the internet to CIFS/SMB (port 445)",
        (4, 6),
        lambda _config: (CIFS_PORT,),
        "SMB exposed to the internet has been the entry point of worms and ransomware.",
        _revoke("IpRanges=[{CidrIp=0.0.0.0/0}] or Ipv6Ranges=[{CidrIpv6=::/0}]"),
    ),
)


def _register_internet_exposure(spec: InternetExposureCheck) -> None:
    def run(ctx: CheckContext) -> Iterator[Result]:
        ports = spec.ports(ctx.config)

        def find(permissions: list[Permission]) -> list[dict[str, Any]]:
            return [e.as_evidence() for e in internet_exposures(permissions, ports, spec.versions)]

        def describe(problems: list[dict[str, Any]]) -> str:
            if not problems:
                return "admits no internet traffic to the judged ports"
            opened = sorted({f"{p['port']} from {p['source']}" for p in problems})
            return "admits the internet to port " + ", ".join(opened)

        return _judge_groups(ctx, find, describe, {"ports": sorted(set(ports))})

    check(
        id=spec.check_id,
        title=spec.title,
        severity=Severity.HIGH,
        scope=Scope.REGION,
        needs=[SECURITY_GROUPS, NETWORK_INTERFACES],
        rationale=spec.rationale,
        remediation=spec.remediation,
        references=[
            SG_DOC,
            "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules-reference.html",
        ],
    )(run)


for _spec in INTERNET_EXPOSURE_CHECKS:
    _register_internet_exposure(_spec)


@check(
    id="ec2.sg_admin_ports_trusted_cidrs",
    title="Administration ports are only open to the company's trusted networks",
    severity=Severity.MEDIUM,
    scope=Scope.REGION,
    needs=[SECURITY_GROUPS, NETWORK_INTERFACES],
    rationale=(
        "Administrative access should come from known company ranges (config trusted_cidrs; private RFC 1918 "
        "and ULA ranges when none are configured) or from other security groups."
    ),
    remediation=(
        "aws ec2 revoke-security-group-ingress --group-id <sg-id> --ip-permissions <rule-from-evidence>; "
        "aws ec2 authorize-security-group-ingress --group-id <sg-id> --protocol tcp --port <port> --cidr "
        "<trusted-cidr>"
    ),
    references=[SG_DOC],
)
def sg_admin_ports_trusted_cidrs(ctx: CheckContext) -> Iterator[Result]:
    trusted = [parse_network(c) for c in ctx.config.trusted_cidrs] or list(PRIVATE_RANGES)
    ports = (*ctx.config.admin_ports, *CIS_ADMIN_PORTS)

    def find(permissions: list[Permission]) -> list[dict[str, Any]]:
        return [u.as_evidence() for u in untrusted_sources(permissions, ports, trusted)]

    def describe(problems: list[dict[str, Any]]) -> str:
        if not problems:
            return "admits administration ports only from trusted networks"
        opened = sorted({f"{p['port']} from {p['source']}" for p in problems})
        return "admits untrusted sources to port " + ", ".join(opened)

    return _judge_groups(
        ctx, find, describe, {"ports": sorted(set(ports)), "trusted_cidrs": [str(n) for n in trusted]}
    )


@check(
    id="ec2.default_sg_restricts_all",
    title="Default security groups allow no traffic",
    severity=Severity.MEDIUM,
    scope=Scope.REGION,
    needs=[SECURITY_GROUPS],
    rationale=(
        "Anything launched without an explicit group lands in the default group; it must admit nothing."
    ),
    remediation=(
        "aws ec2 revoke-security-group-ingress --group-id <default-sg-id> --ip-permissions <each inbound "
        "rule>; "
        "aws ec2 revoke-security-group-egress --group-id <default-sg-id> --ip-permissions <each outbound "
        "rule>"
    ),
    references=["https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html"],
)
def default_sg_restricts_all(ctx: CheckContext) -> Iterator[Result]:
    groups = [g for g in ctx.dataset("ec2", "SecurityGroups") if g.get("GroupName") == "default"]

    def judge(group: Mapping[str, Any]) -> Result:
        inbound = list(group.get("IpPermissions") or [])
        outbound = list(group.get("IpPermissionsEgress") or [])
        evidence = {"VpcId": group.get("VpcId"), "IpPermissions": inbound, "IpPermissionsEgress": outbound}
        label = f"Default security group {group['GroupId']} of {group.get('VpcId')}"
        if inbound or outbound:
            return ctx.failed(
                security_group_arn(ctx, group),
                f"{label} has {len(inbound)} inbound and {len(outbound)} outbound rules",
                evidence,
            )
        return ctx.passed(security_group_arn(ctx, group), f"{label} has no rules", evidence)

    return ctx.each(groups, lambda g: security_group_arn(ctx, g), judge)


# --------------------------------------------------------------- network ACLs


@check(
    id="ec2.nacl_admin_ports",
    title="No network ACL admits the internet to administration ports",
    severity=Severity.MEDIUM,
    scope=Scope.REGION,
    needs=[Needs("ec2", "NetworkAcls", regional=True)],
    rationale=(
        "Network ACLs are the subnet-level guard; they should not let the internet reach SSH, RDP or "
        "databases."
    ),
    remediation=(
        "aws ec2 replace-network-acl-entry --network-acl-id <acl-id> --ingress --rule-number <n> --protocol "
        "6 "
        "--port-range From=<port>,To=<port> --cidr-block <trusted-cidr> --rule-action allow "
        "(or add a lower-numbered deny entry for the port from 0.0.0.0/0 and ::/0)"
    ),
    references=[NACL_DOC, "https://docs.aws.amazon.com/vpc/latest/userguide/nacl-rules.html"],
)
def nacl_admin_ports(ctx: CheckContext) -> Iterator[Result]:
    ports = (*ctx.config.admin_ports, *CIS_ADMIN_PORTS)

    def resource(acl: Mapping[str, Any]) -> str:
        return f"arn:{ctx.partition}:ec2:{ctx.region}:{ctx.account_id}:network-acl/{acl['NetworkAclId']}"

    def judge(acl: Mapping[str, Any]) -> Result:
        name = acl["NetworkAclId"]
        subnets = [a.get("SubnetId") for a in acl.get("Associations") or []]
        try:
            admissions = acl_internet_admissions(
                [parse_acl_entry(e) for e in acl.get("Entries") or []], ports
            )
        except RuleError as error:
            return ctx.unknown(
                resource(acl), f"Network ACL {name} has an entry that cannot be read: {error}", {}
            )
        evidence = {
            "VpcId": acl.get("VpcId"),
            "subnets": subnets,
            "admissions": [a.as_evidence() for a in admissions],
        }
        if admissions:
            opened = ", ".join(sorted({f"{a.port} from {a.internet}" for a in admissions}))
            return ctx.failed(
                resource(acl), f"Network ACL {name} admits the internet to port {opened}", evidence
            )
        return ctx.passed(
            resource(acl), f"Network ACL {name} admits no internet traffic to administration ports", evidence
        )

    return ctx.each(ctx.dataset("ec2", "NetworkAcls"), resource, judge)


# ------------------------------------------------------------------- IMDSv2


@check(
    id="ec2.imdsv2_required",
    title="EC2 instances require IMDSv2",
    severity=Severity.MEDIUM,
    scope=Scope.REGION,
    needs=[Needs("ec2", "Instances", regional=True)],
    rationale=(
        "IMDSv2 session tokens stop SSRF and open proxies from reading the instance role's credentials."
    ),
    remediation=(
        "aws ec2 modify-instance-metadata-options --instance-id <instance-id> --http-tokens required "
        "--http-endpoint enabled"
    ),
    references=[
        "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-IMDS-existing-instances.html"
    ],
)
def imdsv2_required(ctx: CheckContext) -> Iterator[Result]:
    def resource(instance: Mapping[str, Any]) -> str:
        return f"arn:{ctx.partition}:ec2:{ctx.region}:{ctx.account_id}:instance/{instance['InstanceId']}"

    def judge(instance: Mapping[str, Any]) -> Result:
        name = instance["InstanceId"]
        options = instance.get("MetadataOptions")
        if not isinstance(options, Mapping):
            return ctx.unknown(resource(instance), f"Instance {name} does not report MetadataOptions", {})
        evidence = {"HttpTokens": options.get("HttpTokens"), "HttpEndpoint": options.get("HttpEndpoint")}
        if options.get("HttpEndpoint") == "disabled":
            return ctx.passed(
                resource(instance), f"Instance {name} has the metadata service turned off", evidence
            )
        if options.get("HttpTokens") == "required":
            return ctx.passed(resource(instance), f"Instance {name} requires IMDSv2", evidence)
        return ctx.failed(
            resource(instance),
            f"Instance {name} accepts IMDSv1 (HttpTokens {options.get('HttpTokens')})",
            evidence,
        )

    running = [
        i for i in ctx.dataset("ec2", "Instances") if (i.get("State") or {}).get("Name") != "terminated"
    ]
    return ctx.each(running, resource, judge)
