"""VPC network checks: network ACLs, interfaces reachable from the internet, flow logs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from awsaudit.analyze.network import (
    TCP,
    Exposure,
    InterfaceExposure,
    internet,
    nacl_internet_open_ports,
)
from awsaudit.analyze.network.grading import (
    RULE_PROTOCOLS,
    Opening,
    PortsVerdict,
    describe_openings,
    ports_verdict,
)
from awsaudit.analyze.network.view import interface_label, parse_acls, split_readable
from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.ec2 import (
    NETWORK_INTERFACES,
    PREFIX_LISTS,
    REQUIRED_PATH_DATASETS,
    SECURITY_GROUPS,
    SG_DOC,
    admin_ports,
    ec2_arn,
    network_view,
    shared_exposure,
)
from awsaudit.checks.registry import Needs, Scope, check
from awsaudit.findings import Severity

NETWORK_ACLS = REQUIRED_PATH_DATASETS[3]
NACL_DOC = "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html"


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
    view = network_view(ctx)
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
    results = shared_exposure(ctx)(view.region, ctx.config.admin_ports, TCP)
    # Interfaces alike share one tuple of port results (see the analysis); judge each tuple once.
    verdicts: dict[int, PortsVerdict] = {}
    for result in results:
        vpc_problem = view.vpc_problem(result.interface)
        if vpc_problem is not None:
            interface = result.interface
            yield ctx.unknown(
                ec2_arn(ctx, "network-interface", interface.interface_id),
                f"Network interface {interface_label(interface)}: reachability cannot be decided, "
                f"the path data of its VPC cannot be read ({vpc_problem})",
                {"error": vpc_problem, "SubnetId": interface.subnet_id},
            )
            continue
        if id(result.ports) not in verdicts:
            verdicts[id(result.ports)] = ports_verdict(result.ports)
        yield judge_interface(ctx, result, verdicts[id(result.ports)])


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


@check(
    id="ec2.vpc_flow_logs",
    title="Every VPC has an active flow log",
    severity=Severity.MEDIUM,
    scope=Scope.REGION,
    needs=[Needs("ec2", "Vpcs", regional=True), Needs("ec2", "FlowLogs", regional=True)],
    rationale="Flow logs of rejected (or all) traffic reveal scanning, exfiltration and misrouted traffic.",
    remediation=(
        "aws ec2 create-flow-logs --resource-type VPC --resource-ids <vpc-id> --traffic-type REJECT "
        "--log-destination-type cloud-watch-logs --log-group-name <group> --deliver-logs-permission-arn "
        "<role-arn>"
    ),
    references=["https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html"],
)
def vpc_flow_logs(ctx: CheckContext) -> Iterator[Result]:
    flow_logs = ctx.dataset("ec2", "FlowLogs")

    def resource(vpc: Mapping[str, Any]) -> str:
        return f"arn:{ctx.partition}:ec2:{ctx.region}:{ctx.account_id}:vpc/{vpc['VpcId']}"

    def judge(vpc: Mapping[str, Any]) -> Result:
        own = [_flow_log_summary(f) for f in flow_logs if f.get("ResourceId") == vpc["VpcId"]]
        # CIS asks for rejected packets at least; an ACCEPT-only log misses the probing traffic.
        active = [f for f in own if f["FlowLogStatus"] == "ACTIVE" and f["TrafficType"] in {"ALL", "REJECT"}]
        evidence = {"flow_logs": own}
        if active:
            return ctx.passed(
                resource(vpc), f"VPC {vpc['VpcId']} has active flow log {active[0]['FlowLogId']}", evidence
            )
        reason = "no flow log" if not own else "no active flow log capturing rejected traffic"
        return ctx.failed(resource(vpc), f"VPC {vpc['VpcId']} has {reason}", evidence)

    return ctx.each(ctx.dataset("ec2", "Vpcs"), resource, judge)


def _flow_log_summary(flow_log: Mapping[str, Any]) -> dict[str, Any]:
    keys: Sequence[str] = (
        "FlowLogId",
        "FlowLogStatus",
        "TrafficType",
        "LogDestinationType",
        "DeliverLogsStatus",
    )
    return {k: flow_log.get(k) for k in keys}
