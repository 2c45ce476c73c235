"""Networking checks: EBS default encryption, security groups, network ACLs, exposure and IMDSv2 (G5, CIS 6).

Rule semantics and reachability come from `awsaudit.analyze.network`; this module only reads the
datasets, asks the analysis and turns its answers into results.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network
from typing import Any

from awsaudit.analyze.network import (
    TCP,
    UDP,
    Exposure,
    ExposureIndex,
    FamilyPath,
    InterfaceExposure,
    IPNetwork,
    Link,
    NetworkAcl,
    NetworkDataError,
    NetworkInterface,
    PortAdmission,
    PortExposure,
    PrefixList,
    Reach,
    RegionNetwork,
    SecurityGroup,
    Traffic,
    exposure,
    group_internet_open_ports,
    internet,
    nacl_internet_open_ports,
    parse_network,
    parse_region,
    unrestricted_default_groups,
    untrusted_sources,
)
from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.registry import Needs, Scope, check
from awsaudit.config import AuditConfig
from awsaudit.findings import Severity
from awsaudit.snapshot import NotCollected

SECURITY_GROUPS = Needs("ec2", "SecurityGroups", regional=True)
NETWORK_INTERFACES = Needs("ec2", "NetworkInterfaces", regional=True)
PREFIX_LISTS = Needs("ec2", "ManagedPrefixLists", regional=True)
# The rest of the exposure model. The security-group checks judge rules without it and only use it to
# grade severity, so a missing one leaves reachability unknown instead of making the rule check UNKNOWN.
PATH_DATASETS = (
    Needs("ec2", "Subnets", regional=True, optional=True),
    Needs("ec2", "RouteTables", regional=True, optional=True),
    Needs("ec2", "InternetGateways", regional=True, optional=True),
    Needs("ec2", "NetworkAcls", regional=True, optional=True),
)
REQUIRED_PATH_DATASETS = tuple(Needs(n.service, n.dataset, regional=True) for n in PATH_DATASETS)
NETWORK_ACLS = REQUIRED_PATH_DATASETS[3]
SG_DOC = "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html"
NACL_DOC = "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html"
# CIS names SSH and RDP explicitly; they are judged even when the configured list leaves them out.
CIS_ADMIN_PORTS = (22, 3389)
CIFS_PORT = 445
# Rules and NACL entries for either transport count (CIS: TCP, UDP or all protocols).
RULE_PROTOCOLS = (TCP, UDP)
# When no company ranges are configured, only private addresses count as trusted.
PRIVATE_RANGES: tuple[IPNetwork, ...] = (
    IPv4Network("10.0.0.0/8"),
    IPv4Network("172.16.0.0/12"),
    IPv4Network("192.168.0.0/16"),
    IPv6Network("fc00::/7"),
)


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


# ------------------------------------------------------------ reading the data


def ec2_arn(ctx: CheckContext, kind: str, resource_id: object) -> str:
    return f"arn:{ctx.partition}:ec2:{ctx.region}:{ctx.account_id}:{kind}/{resource_id}"


@dataclass(frozen=True)
class Readable:
    """Records of one dataset split into those the analysis can read and those it cannot (with why)."""

    records: tuple[Mapping[str, Any], ...]
    unreadable: tuple[tuple[Mapping[str, Any], str], ...]


def split_readable(key: str, records: Sequence[Mapping[str, Any]]) -> Readable:
    """Try each record alone, so that one malformed group or ACL makes only that resource UNKNOWN."""
    try:
        parse_region({key: records})
    except NetworkDataError:
        pass  # find which records are at fault
    else:
        return Readable(tuple(records), ())
    good: list[Mapping[str, Any]] = []
    bad: list[tuple[Mapping[str, Any], str]] = []
    for record in records:
        try:
            parse_region({key: [record]})
        except NetworkDataError as error:
            bad.append((record, str(error)))
        else:
            good.append(record)
    return Readable(tuple(good), tuple(bad))


def prefix_lists(ctx: CheckContext) -> Mapping[str, PrefixList]:
    return parse_region({"ManagedPrefixLists": ctx.dataset("ec2", "ManagedPrefixLists")}).prefix_lists


def parse_groups(records: Iterable[Mapping[str, Any]]) -> Mapping[str, SecurityGroup]:
    return parse_region({"SecurityGroups": list(records)}).security_groups


def parse_acls(records: Iterable[Mapping[str, Any]]) -> Mapping[str, NetworkAcl]:
    return parse_region({"NetworkAcls": list(records)}).network_acls


@dataclass(frozen=True)
class NetworkView:
    """The region's model for exposure questions; `problem` says why there is none (data unreadable)."""

    region: RegionNetwork | None
    problem: str | None
    groups: Readable
    interfaces: Readable
    not_collected: tuple[str, ...]


def network_view(ctx: CheckContext) -> NetworkView:
    """Parse the region's network. Groups, interfaces and prefix lists are required (missing: NotCollected);
    PATH_DATASETS are left out when missing, which the analysis reads as unknown links, never open.

    Unreadable security groups are left out (interfaces using them become unknown) and unreadable
    interfaces are reported apart; any other unreadable record leaves the whole region without a model,
    since dropping a route table or ACL would silently swap in the VPC's main table or default ACL."""
    data: dict[str, Any] = {
        "SecurityGroups": ctx.dataset("ec2", "SecurityGroups"),
        "NetworkInterfaces": ctx.dataset("ec2", "NetworkInterfaces"),
        "ManagedPrefixLists": ctx.dataset("ec2", "ManagedPrefixLists"),
    }
    not_collected: list[str] = []
    for need in PATH_DATASETS:
        try:
            data[need.dataset] = ctx.dataset(need.service, need.dataset)
        except NotCollected:
            not_collected.append(need.key)
    try:
        whole = parse_region(data)
    except NetworkDataError:
        pass  # leave out what can be left out, below
    else:
        readable = Readable(tuple(data["SecurityGroups"]), ()), Readable(tuple(data["NetworkInterfaces"]), ())
        return NetworkView(whole, None, *readable, tuple(not_collected))
    groups = split_readable("SecurityGroups", data["SecurityGroups"])
    interfaces = split_readable("NetworkInterfaces", data["NetworkInterfaces"])
    data["SecurityGroups"] = list(groups.records)
    data["NetworkInterfaces"] = list(interfaces.records)
    try:
        region: RegionNetwork | None = parse_region(data)
        problem = None
    except NetworkDataError as error:
        region, problem = None, f"the region's network data cannot be read: {error}"
    return NetworkView(region, problem, groups, interfaces, tuple(not_collected))


def interface_label(interface: NetworkInterface) -> str:
    owner = interface.instance_id or interface.description or interface.interface_type
    return f"{interface.interface_id} ({owner})" if owner else interface.interface_id


# ------------------------------------------------------------ security groups


@dataclass(frozen=True, order=True)
class Opening:
    """A port a group opens (the whole internet, or an untrusted source) over one protocol and IP version."""

    port: int
    protocol: int
    version: int
    source: str

    @property
    def label(self) -> str:
        return str(self.port) if self.protocol == TCP else f"{self.port}/udp"


def describe_openings(openings: Iterable[Opening]) -> str:
    """Ports per source, sources with equal ports merged: 22, 3389 (tcp, udp) from 0.0.0.0/0 and ::/0."""
    by_source: dict[str, dict[int, set[int]]] = {}
    for opening in openings:
        by_source.setdefault(opening.source, {}).setdefault(opening.port, set()).add(opening.protocol)
    sources_by_ports: dict[str, list[str]] = {}
    for source, ports in sorted(by_source.items()):
        text = ", ".join(_port_label(port, protocols) for port, protocols in sorted(ports.items()))
        sources_by_ports.setdefault(text, []).append(source)
    return "; ".join(f"{text} from {' and '.join(sources)}" for text, sources in sources_by_ports.items())


def _port_label(port: int, protocols: set[int]) -> str:
    if protocols == {TCP}:
        return str(port)
    return f"{port}/udp" if protocols == {UDP} else f"{port} (tcp, udp)"


@dataclass(frozen=True)
class GroupFindings:
    """What one group's rules open: the openings to grade by reachability, and evidence items."""

    openings: tuple[Opening, ...]
    items: tuple[dict[str, Any], ...]
    unresolved: tuple[str, ...] = ()
    """Sources that might open a port but cannot be judged (prefix lists whose entries are unknown)."""


class Reachability:
    """Grades a failing group by whether the internet really reaches the opened ports on its interfaces."""

    def __init__(self, view: NetworkView, ports: Iterable[int]) -> None:
        self._view = view
        self._ports = tuple(sorted(set(ports)))
        self._indexes: dict[int, ExposureIndex] = {}

    def _index(self, protocol: int) -> ExposureIndex | None:
        if self._view.region is None:
            return None
        if protocol not in self._indexes:
            self._indexes[protocol] = ExposureIndex(exposure(self._view.region, self._ports, protocol))
        return self._indexes[protocol]

    def grade(
        self, group_id: str, openings: Iterable[Opening]
    ) -> tuple[Severity | None, str, dict[str, Any]]:
        """(severity override, message suffix, evidence) for a failing group."""
        if self._view.region is None:
            return None, "", {"attached_to_interfaces": None, "reachability": self._view.problem}
        index = self._index(TCP)
        assert index is not None  # the region exists
        if not index.is_attached(group_id):
            if self._view.interfaces.unreadable:
                unsure = "attachment unknown: some network interfaces cannot be read"
                return None, "", {"attached_to_interfaces": None, "reachability": unsure}
            unused = {"attached_to_interfaces": False, "reachability": "attached to no network interface"}
            return Severity.LOW, " (attached to no network interface)", unused
        paths: set[str] = set()
        undecided: set[str] = set()
        closed: set[str] = set()
        for opening in openings:
            for label, path, text in self._paths(group_id, opening):
                if path.status is Exposure.EXPOSED and group_id in path.group_ids:
                    paths.add(f"{label}: {text}")
                elif path.status is Exposure.UNKNOWN:
                    undecided.add(f"{label}: {path.reason}")
                else:
                    closed.add(f"{label}: {path.reason or 'reachable, but through another group rule'}")
        if paths:
            evidence = {"attached_to_interfaces": True, "reachable_paths": sorted(paths)}
            return Severity.CRITICAL, f"; reachable from the internet ({len(paths)} path(s))", evidence
        if undecided:
            evidence = {"attached_to_interfaces": True, "reachability_unknown": sorted(undecided)}
            if self._view.not_collected:
                evidence["not_collected"] = list(self._view.not_collected)
            return None, "", evidence
        return None, "", {"attached_to_interfaces": True, "not_reachable": sorted(closed)}

    def _paths(self, group_id: str, opening: Opening) -> Iterator[tuple[str, FamilyPath, str]]:
        """(interface, path, path text) for the opening's IP version on each interface using the group."""
        index = self._index(opening.protocol)
        assert index is not None  # only called when the region exists
        for result in index.interfaces_with_group(group_id):
            for path in result.port(opening.port).paths:
                if path.version == opening.version:
                    text = result.path_text(opening.port, opening.version)
                    yield interface_label(result.interface), path, text


def judge_groups(
    ctx: CheckContext,
    ports: Iterable[int],
    find: Callable[[SecurityGroup], GroupFindings],
    describe: Callable[[GroupFindings], str],
    settings: Mapping[str, Any],
) -> Iterator[Result]:
    """Judge each group with `find`; failing groups are graded by real reachability (see Reachability)."""
    view = ctx.derived("network.view", lambda: network_view(ctx))
    port_key = ",".join(str(p) for p in sorted(set(ports)))
    reachability = ctx.derived(f"network.reachability:{port_key}", lambda: Reachability(view, ports))
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


def admin_ports(config: AuditConfig) -> tuple[int, ...]:
    return tuple(sorted({*config.admin_ports, *CIS_ADMIN_PORTS}))


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


def _untrusted_openings(
    group: SecurityGroup, ports: Sequence[int], trusted: Sequence[IPNetwork], lists: Mapping[str, PrefixList]
) -> GroupFindings:
    openings: set[Opening] = set()
    items: list[dict[str, Any]] = []
    unresolved: dict[str, None] = {}
    for rule in group.ingress:
        opened = [
            (port, protocol)
            for port in ports
            for protocol in RULE_PROTOCOLS
            if rule.match.admits(Traffic(protocol, port))
        ]
        if not opened:
            continue
        beyond = untrusted_sources(rule, trusted, lists)
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

    def find(group: SecurityGroup) -> GroupFindings:
        return _untrusted_openings(group, ports, trusted, lists)

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


# --------------------------------------------------------------- network ACLs


@check(
    id="ec2.nacl_admin_ports",
    title="No network ACL admits the internet to administration ports",
    severity=Severity.MEDIUM,
    scope=Scope.REGION,
    needs=[NETWORK_ACLS],
    rationale=(
        "Network ACLs are the subnet-level guard; they should not let the internet reach SSH, RDP or "
        "databases. Entries are judged in rule-number order, first match wins, over TCP and UDP."
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
    ports = admin_ports(ctx.config)
    records = ctx.dataset("ec2", "NetworkAcls")
    readable = split_readable("NetworkAcls", records)
    unreadable = {id(record): error for record, error in readable.unreadable}
    acls = parse_acls(readable.records)

    def resource(record: Mapping[str, Any]) -> str:
        return ec2_arn(ctx, "network-acl", record.get("NetworkAclId"))

    def judge(record: Mapping[str, Any]) -> Result:
        name = record.get("NetworkAclId")
        if id(record) in unreadable:
            error = unreadable[id(record)]
            return ctx.unknown(
                resource(record),
                f"Network ACL {name} has an entry that cannot be read: {error}",
                {"error": error},
            )
        acl = acls[record["NetworkAclId"]]
        openings: list[Opening] = []
        admissions: list[dict[str, Any]] = []
        for protocol in RULE_PROTOCOLS:
            for admission in nacl_internet_open_ports(acl, ports, protocol):
                source = str(internet(admission.version))
                openings.append(Opening(admission.port, protocol, admission.version, source))
                admissions.append(
                    {
                        "port": openings[-1].label,
                        "source": source,
                        "allow_entries": [str(e) for e in admission.entries],
                        "except": [str(e.network) for e in admission.exceptions],
                    }
                )
        evidence = {"VpcId": acl.vpc_id, "subnets": list(acl.subnet_ids), "admissions": admissions}
        if admissions:
            opened = describe_openings(openings)
            return ctx.failed(
                resource(record), f"Network ACL {name} admits the internet to port {opened}", evidence
            )
        return ctx.passed(
            resource(record),
            f"Network ACL {name} admits no internet traffic to administration ports",
            evidence,
        )

    return ctx.each(records, resource, judge)


# ------------------------------------------------------------ reachability


@check(
    id="ec2.internet_exposed_interfaces",
    title="No network interface is reachable from the internet on an administration or database port",
    severity=Severity.CRITICAL,
    scope=Scope.REGION,
    needs=[SECURITY_GROUPS, NETWORK_INTERFACES, PREFIX_LISTS, *REQUIRED_PATH_DATASETS],
    rationale=(
        "An interface with a public address, in a subnet routed to an internet gateway, whose network ACL "
        "and security group both admit the internet to a TCP administration or database port (config "
        "admin_ports) is an open door: the first thing an incident responder looks at. Each finding shows "
        "the path: address, route, network ACL entries, security-group rule."
    ),
    remediation=(
        "Remove the security-group rule on the path (aws ec2 revoke-security-group-ingress --group-id "
        "<sg-id> --ip-permissions <rule-from-evidence>), or move the resource to a private subnet, or "
        "release its public address (aws ec2 disassociate-address --association-id <association-id>)"
    ),
    references=[
        "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html",
        "https://docs.aws.amazon.com/vpc/latest/userguide/route-table-options.html",
        SG_DOC,
    ],
)
def internet_exposed_interfaces(ctx: CheckContext) -> Iterator[Result]:
    view = ctx.derived("network.view", lambda: network_view(ctx))
    if view.region is None:
        yield ctx.unknown(
            ctx.scope_arn(), f"Cannot judge reachability: {view.problem}", {"error": view.problem}
        )
        return
    for record, error in view.interfaces.unreadable:
        resource = ec2_arn(ctx, "network-interface", record.get("NetworkInterfaceId"))
        yield ctx.unknown(
            resource,
            f"Network interface {record.get('NetworkInterfaceId')} cannot be read: {error}",
            {"error": error},
        )
    results = exposure(view.region, ctx.config.admin_ports, TCP)
    # Interfaces alike share one tuple of port results (see the analysis); judge each tuple once.
    verdicts: dict[int, PortsVerdict] = {}
    for result in results:
        if id(result.ports) not in verdicts:
            verdicts[id(result.ports)] = ports_verdict(result.ports)
        yield judge_interface(ctx, result, verdicts[id(result.ports)])


@dataclass(frozen=True)
class PortsVerdict:
    """An interface's overall status, the ports that decide it, and why (for UNKNOWN and NOT_EXPOSED)."""

    status: Exposure
    ports: tuple[PortExposure, ...]
    reasons: dict[str, list[str]]
    summary: str


def ports_verdict(ports: tuple[PortExposure, ...]) -> PortsVerdict:
    by_status: dict[Exposure, list[PortExposure]] = {status: [] for status in Exposure}
    for port in ports:
        by_status[port.status].append(port)
    for status in (Exposure.EXPOSED, Exposure.UNKNOWN):
        if by_status[status]:
            deciding = tuple(by_status[status])
            reasons = _reasons(deciding) if status is Exposure.UNKNOWN else {}
            return PortsVerdict(status, deciding, reasons, ", ".join(str(p.traffic) for p in deciding))
    closed = tuple(by_status[Exposure.NOT_EXPOSED])
    return PortsVerdict(Exposure.NOT_EXPOSED, closed, _reasons(closed), _why_closed(closed))


def judge_interface(ctx: CheckContext, result: InterfaceExposure, verdict: PortsVerdict) -> Result:
    interface = result.interface
    resource = ec2_arn(ctx, "network-interface", interface.interface_id)
    evidence: dict[str, Any] = {
        "InterfaceType": interface.interface_type,
        "InstanceId": interface.instance_id,
        "Description": interface.description,
        "SubnetId": interface.subnet_id,
        "Groups": list(interface.group_ids),
        "PublicIps": [str(a) for a in (*interface.public_ipv4, *interface.ipv6)],
    }
    label = f"Network interface {interface_label(interface)}"
    if verdict.status is Exposure.EXPOSED:
        evidence["exposed"] = [
            {"port": number, "version": path.version, "path": result.path_text(number, path.version)}
            for port in verdict.ports
            if (number := port.traffic.port) is not None
            for path in port.paths
            if path.status is Exposure.EXPOSED
        ]
        return ctx.failed(resource, f"{label} is reachable from the internet on {verdict.summary}", evidence)
    if verdict.status is Exposure.UNKNOWN:
        evidence["unknown"] = verdict.reasons
        first = verdict.ports[0].reason
        message = f"{label}: reachability of {verdict.summary} cannot be decided ({first})"
        return ctx.unknown(resource, message, evidence)
    evidence["not_exposed"] = verdict.reasons
    message = f"{label} is not reachable from the internet on admin ports: {verdict.summary}"
    return ctx.passed(resource, message, evidence)


def _why_closed(ports: Sequence[PortExposure]) -> str:
    """One line: the common missing link, else those of ports a security group opens (the near misses)."""
    reasons = _reasons(ports)
    if len(reasons) <= 1:
        return next(iter(reasons), "no admin ports are configured")
    near_misses = [p for p in ports if _opened_by_a_group(p)]
    shown = near_misses or list(ports[:1])
    summary = "; ".join(f"{p.traffic}: {p.reason}" for p in shown)
    if len(shown) < len(ports):
        summary += f" ({len(ports) - len(shown)} other ports closed, see evidence)"
    return summary


def _opened_by_a_group(port: PortExposure) -> bool:
    return any(
        step.link is Link.SECURITY_GROUP and step.reach is Reach.OPEN
        for path in port.paths
        for step in path.steps
    )


def _reasons(ports: Iterable[PortExposure]) -> dict[str, list[str]]:
    """Why each port is not exposed (or undecided), grouped: reason -> ports."""
    grouped: dict[str, list[str]] = {}
    for port in ports:
        grouped.setdefault(port.reason or "", []).append(str(port.traffic))
    return grouped


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
        return ec2_arn(ctx, "instance", instance["InstanceId"])

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
