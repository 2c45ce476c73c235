"""Security group checks: admin, database and CIFS ports open to the internet or untrusted networks.

Rule semantics and reachability come from `awsaudit.analyze.network`; this module only reads the
datasets, asks the analysis and turns its answers into results.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network
from typing import Any

from awsaudit.analyze.network import (
    IPNetwork,
    PortAdmission,
    PrefixList,
    RuleSource,
    SecurityGroup,
    SecurityGroupRule,
    Traffic,
    TrafficMatch,
    TrustedRanges,
    UntrustedSources,
    group_internet_open_ports,
    internet,
    parse_network,
    parse_region,
    unrestricted_default_groups,
    untrusted_sources,
)
from awsaudit.analyze.network.grading import RULE_PROTOCOLS, Opening, Reachability, describe_openings
from awsaudit.analyze.network.view import parse_groups, split_readable
from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.ec2 import (
    NETWORK_INTERFACES,
    PATH_DATASETS,
    PREFIX_LISTS,
    SECURITY_GROUPS,
    SG_DOC,
    admin_ports,
    ec2_arn,
    network_view,
    prefix_lists,
    shared_exposure,
)
from awsaudit.checks.registry import Scope, check
from awsaudit.config import AuditConfig
from awsaudit.findings import Severity

CIFS_PORT = 445
# When no company ranges are configured, only private addresses count as trusted.
PRIVATE_RANGES: tuple[IPNetwork, ...] = (
    IPv4Network("10.0.0.0/8"),
    IPv4Network("172.16.0.0/12"),
    IPv4Network("192.168.0.0/16"),
    IPv6Network("fc00::/7"),
)


@dataclass(frozen=True)
class GroupFindings:
    """What one group's rules open: the openings to grade by reachability, and evidence items."""

    openings: tuple[Opening, ...]
    items: tuple[dict[str, Any], ...]
    unresolved: tuple[str, ...] = ()
    """Sources that might open a port but cannot be judged (prefix lists whose entries are unknown)."""


def judge_groups(
    ctx: CheckContext,
    ports: Iterable[int],
    find: Callable[[SecurityGroup], GroupFindings],
    describe: Callable[[GroupFindings], str],
    settings: Mapping[str, Any],
) -> Iterator[Result]:
    """Judge each group with `find`; failing groups are graded by real reachability (see Reachability)."""
    view = network_view(ctx)
    port_key = ",".join(str(p) for p in sorted(set(ports)))
    reachability = ctx.derived(
        f"network.reachability:{port_key}", lambda: Reachability(view, ports, shared_exposure(ctx))
    )
    unreadable = {id(record): error for record, error in view.groups.unreadable}
    parsed = view.region.security_groups if view.region else parse_groups(view.groups.records)

    def resource(record: Mapping[str, Any]) -> str:
        return ec2_arn(ctx, "security-group", record.get("GroupId"))

    def judge(record: Mapping[str, Any]) -> Result:
        label = f"Security group {record.get('GroupId')} ({record.get('GroupName', '')})"
        if id(record) in unreadable:
            error = unreadable[id(record)]
            return ctx.unknown(
                resource(record), f"{label} has a rule that cannot be read: {error}", {"error": error}
            )
        group = parsed[record["GroupId"]]
        found = find(group)
        evidence: dict[str, Any] = {"VpcId": group.vpc_id, "findings": list(found.items), **settings}
        if found.unresolved:
            evidence["unresolved_sources"] = list(found.unresolved)
        if not found.items and found.unresolved:
            return ctx.unknown(
                resource(record),
                f"{label} admits {', '.join(found.unresolved)} whose entries were not collected",
                evidence,
            )
        if not found.items:
            return ctx.passed(resource(record), f"{label} {describe(found)}", evidence)
        severity, suffix, graded = reachability.grade(group.group_id, found.openings)
        return ctx.failed(
            resource(record), f"{label} {describe(found)}{suffix}", {**evidence, **graded}, severity=severity
        )

    return ctx.each(ctx.dataset("ec2", "SecurityGroups"), resource, judge)


@dataclass(frozen=True)
class InternetExposureCheck:
    """A family member: which ports must not be open to which internet (IPv4 and/or IPv6)."""

    check_id: str
    title: str
    versions: tuple[int, ...]
    ports: Callable[[AuditConfig], tuple[int, ...]]
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
        admin_ports,
        "SSH, RDP, VNC and database ports open to every IPv4 address are scanned and brute-forced within "
        "minutes. Severity is critical when an interface using the group is really reachable (public "
        "address, internet route, network ACL), low when no interface uses the group.",
        _revoke("IpRanges=[{CidrIp=0.0.0.0/0}]"),
    ),
    InternetExposureCheck(
        "ec2.sg_admin_ports_ipv6",
        "No security group admits ::/0 to administration or database ports",
        (6,),
        admin_ports,
        "Administration and database ports open to every IPv6 address are as exposed as over IPv4. "
        "Severity is critical when an interface using the group is really reachable over IPv6, low when "
        "no interface uses the group.",
        _revoke("Ipv6Ranges=[{CidrIpv6=::/0}]"),
    ),
    InternetExposureCheck(
        "ec2.sg_cifs_restricted",
        "No security group admits the internet to CIFS/SMB (port 445)",
        (4, 6),
        lambda _config: (CIFS_PORT,),
        "SMB exposed to the internet has been the entry point of worms and ransomware. Severity is "
        "critical when an interface using the group is really reachable, low when no interface uses it.",
        _revoke("IpRanges=[{CidrIp=0.0.0.0/0}] or Ipv6Ranges=[{CidrIpv6=::/0}]"),
    ),
)


def _internet_openings(
    group: SecurityGroup,
    versions: Sequence[int],
    open_ports: Callable[[SecurityGroup, int], tuple[PortAdmission, ...]],
) -> GroupFindings:
    openings: list[Opening] = []
    items: list[dict[str, Any]] = []
    for protocol in RULE_PROTOCOLS:
        for admission in open_ports(group, protocol):
            if admission.version not in versions:
                continue
            opening = Opening(admission.port, protocol, admission.version, str(internet(admission.version)))
            openings.append(opening)
            items.append(
                {
                    "port": opening.label,
                    "source": opening.source,
                    "rules": [str(rule) for rule in admission.rules],
                }
            )
    return GroupFindings(tuple(openings), tuple(items))


def _register_internet_exposure(spec: InternetExposureCheck) -> None:
    def run(ctx: CheckContext) -> Iterator[Result]:
        ports = spec.ports(ctx.config)
        lists = prefix_lists(ctx)
        # The IPv4 and IPv6 checks ask the same question of every group: answer it once per region.
        memo: dict[tuple[str, int], tuple[PortAdmission, ...]] = ctx.derived(
            "network.internet_open_ports:" + ",".join(str(p) for p in ports), dict
        )

        def open_ports(group: SecurityGroup, protocol: int) -> tuple[PortAdmission, ...]:
            key = (group.group_id, protocol)
            if key not in memo:
                memo[key] = group_internet_open_ports(group, ports, lists, protocol)
            return memo[key]

        def find(group: SecurityGroup) -> GroupFindings:
            return _internet_openings(group, spec.versions, open_ports)

        def describe(found: GroupFindings) -> str:
            if not found.items:
                return "admits no internet traffic to the judged ports"
            return "admits the internet to port " + describe_openings(found.openings)

        return judge_groups(ctx, ports, find, describe, {"ports": list(ports)})

    check(
        id=spec.check_id,
        title=spec.title,
        severity=Severity.HIGH,
        scope=Scope.REGION,
        needs=[SECURITY_GROUPS, NETWORK_INTERFACES, PREFIX_LISTS, *PATH_DATASETS],
        rationale=spec.rationale,
        remediation=spec.remediation,
        references=[
            SG_DOC,
            "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules-reference.html",
        ],
    )(run)


for _spec in INTERNET_EXPOSURE_CHECKS:
    _register_internet_exposure(_spec)


class _RulePartAnswers:
    """What the judged ports and trusted ranges make of a rule's parts, answered once per part object.

    Parsing shares one immutable part between the rules that repeat it (the same port range, the same
    CIDR: a few of each across thousands of groups); each answer depends on the part alone."""

    def __init__(
        self,
        judged: Sequence[tuple[int, int, Traffic]],
        trusted: TrustedRanges,
        lists: Mapping[str, PrefixList],
    ) -> None:
        self._judged = judged
        self._trusted = trusted
        self._lists = lists
        # Keyed by identity; the part is kept beside its answer, so its id cannot be reused meanwhile.
        self._opened: dict[int, tuple[TrafficMatch, list[tuple[int, int]]]] = {}
        self._beyond: dict[int, tuple[RuleSource, UntrustedSources]] = {}

    def opened(self, rule: SecurityGroupRule) -> list[tuple[int, int]]:
        """(port, protocol) of each judged port and protocol the rule's protocol and ports admit."""
        known = self._opened.get(id(rule.match))
        if known is None:
            admitted = [
                (port, protocol) for port, protocol, traffic in self._judged if rule.match.admits(traffic)
            ]
            known = self._opened[id(rule.match)] = (rule.match, admitted)
        return known[1]

    def beyond(self, rule: SecurityGroupRule) -> UntrustedSources:
        """What the rule's source admits beyond the trusted ranges (`untrusted_sources`)."""
        known = self._beyond.get(id(rule.source))
        if known is None:
            beyond = untrusted_sources(rule, self._trusted, self._lists)
            known = self._beyond[id(rule.source)] = (rule.source, beyond)
        return known[1]


def _untrusted_openings(group: SecurityGroup, answers: _RulePartAnswers) -> GroupFindings:
    openings: set[Opening] = set()
    items: list[dict[str, Any]] = []
    unresolved: dict[str, None] = {}
    for rule in group.ingress:
        opened = answers.opened(rule)
        if not opened:
            continue
        beyond = answers.beyond(rule)
        unresolved.update(dict.fromkeys(f"prefix list {p}" for p in beyond.unknown_prefix_lists))
        for network in beyond.networks:
            found = [Opening(port, protocol, network.version, str(network)) for port, protocol in opened]
            openings.update(found)
            items.extend({"port": o.label, "source": o.source, "rule": str(rule)} for o in found)
    return GroupFindings(tuple(sorted(openings)), tuple(items), tuple(unresolved))


@check(
    id="ec2.sg_admin_ports_trusted_cidrs",
    title="Administration ports are only open to the company's trusted networks",
    severity=Severity.MEDIUM,
    scope=Scope.REGION,
    needs=[SECURITY_GROUPS, NETWORK_INTERFACES, PREFIX_LISTS, *PATH_DATASETS],
    rationale=(
        "Administrative access should come from known company ranges (config trusted_cidrs; private RFC 1918 "
        "and ULA ranges when none are configured) or from other security groups. Severity is critical when "
        "the group opens the port to the whole internet on a reachable interface, low when no interface "
        "uses the group."
    ),
    remediation=(
        "aws ec2 revoke-security-group-ingress --group-id <sg-id> --ip-permissions <rule-from-evidence>; "
        "aws ec2 authorize-security-group-ingress --group-id <sg-id> --protocol tcp --port <port> --cidr "
        "<trusted-cidr>"
    ),
    references=[SG_DOC],
)
def sg_admin_ports_trusted_cidrs(ctx: CheckContext) -> Iterator[Result]:
    trusted = [parse_network(c, "config trusted_cidrs") for c in ctx.config.trusted_cidrs] or list(
        PRIVATE_RANGES
    )
    ports = admin_ports(ctx.config)
    lists = prefix_lists(ctx)
    trusted_ranges = TrustedRanges.of(trusted)
    judged = [(port, protocol, Traffic(protocol, port)) for port in ports for protocol in RULE_PROTOCOLS]
    answers = _RulePartAnswers(judged, trusted_ranges, lists)

    def find(group: SecurityGroup) -> GroupFindings:
        return _untrusted_openings(group, answers)

    def describe(found: GroupFindings) -> str:
        if not found.items:
            return "admits administration ports only from trusted networks"
        return "admits untrusted sources to port " + describe_openings(found.openings)

    settings = {"ports": list(ports), "trusted_cidrs": [str(n) for n in trusted]}
    return judge_groups(ctx, ports, find, describe, settings)


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
    defaults = [g for g in ctx.dataset("ec2", "SecurityGroups") if g.get("GroupName") == "default"]
    readable = split_readable("SecurityGroups", defaults)
    unreadable = {id(record): error for record, error in readable.unreadable}
    region = parse_region({"SecurityGroups": list(readable.records)})
    unrestricted = {g.group_id for g in unrestricted_default_groups(region)}

    def resource(record: Mapping[str, Any]) -> str:
        return ec2_arn(ctx, "security-group", record.get("GroupId"))

    def judge(record: Mapping[str, Any]) -> Result:
        label = f"Default security group {record.get('GroupId')} of {record.get('VpcId')}"
        if id(record) in unreadable:
            error = unreadable[id(record)]
            return ctx.unknown(
                resource(record), f"{label} has a rule that cannot be read: {error}", {"error": error}
            )
        group = region.security_groups[record["GroupId"]]
        evidence = {
            "VpcId": group.vpc_id,
            "inbound": [str(r) for r in group.ingress],
            "outbound": [str(r) for r in group.egress],
        }
        if group.group_id in unrestricted:
            counts = f"{len(group.ingress)} inbound and {len(group.egress)} outbound rules"
            return ctx.failed(resource(record), f"{label} has {counts}", evidence)
        return ctx.passed(resource(record), f"{label} has no rules", evidence)

    return ctx.each(defaults, resource, judge)
