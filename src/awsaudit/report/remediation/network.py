"""Recipes for VPC networking findings: security groups, network ACLs, flow logs, interfaces."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from awsaudit.report.remediation.model import Command, Decide, Step, Target, aws, hcl_string

# The rule text the security-group checks put in their evidence: "sg-1 ingress tcp/22 from 0.0.0.0/0".
_RULE = re.compile(
    r"^(?P<group>.+) (?P<direction>ingress|egress) (?P<protocol>[a-z0-9-]+)"
    r"(?:/(?P<low>\d+)(?:-(?P<high>\d+))?)? (?:from|to) (?P<peer>\S+)$"
)

TRUSTED_CIDR = Decide(
    "TRUSTED_CIDR",
    "Which source may still reach the port once the internet is shut out?",
    (
        "your office or VPN egress range (e.g. 198.51.100.0/24)",
        "a bastion or SSM-only design: leave the variable for no new rule and skip this command",
    ),
)


def permission(rule: str) -> tuple[str, dict[str, Any]] | None:
    """(direction, an EC2 IpPermission) for one evidence rule text; None when it cannot be rebuilt."""
    match = _RULE.match(rule)
    if match is None:
        return None
    protocol = {"all": "-1"}.get(match["protocol"], match["protocol"])
    entry: dict[str, Any] = {"IpProtocol": protocol}
    if match["low"] is not None and protocol != "-1":
        entry["FromPort"] = int(match["low"])
        entry["ToPort"] = int(match["high"] or match["low"])
    peer = match["peer"]
    if ":" in peer and "/" in peer:
        entry["Ipv6Ranges"] = [{"CidrIpv6": peer}]
    elif "/" in peer and peer.split("/", 1)[0].replace(".", "").isdigit():
        entry["IpRanges"] = [{"CidrIp": peer}]
    elif peer.startswith("pl-"):
        entry["PrefixListIds"] = [{"PrefixListId": peer}]
    elif "sg-" in peer:
        owner, _, group = peer.rpartition("/")
        pair = {"GroupId": group}
        if owner:
            pair["UserId"] = owner
        entry["UserIdGroupPairs"] = [pair]
    else:
        return None
    return match["direction"], entry


def _as_json(permissions: Iterable[Mapping[str, Any]]) -> str:
    return json.dumps(list(permissions), separators=(",", ":"), sort_keys=True)


def _rules(target: Target) -> list[str]:
    rules: list[str] = []
    for item in target.finding.evidence.get("findings", []) or []:
        if isinstance(item, Mapping):
            found = item.get("rules") or ([item["rule"]] if item.get("rule") else [])
            rules.extend(str(r) for r in found if str(r) not in rules)
    return rules


def _revoke(target: Target, rules: list[str], *, narrow: bool) -> tuple[Step, ...]:
    group = target.resource_id
    parsed = [p for p in (permission(r) for r in rules) if p is not None]
    ingress = [entry for direction, entry in parsed if direction == "ingress"]
    egress = [entry for direction, entry in parsed if direction == "egress"]
    if not ingress and not egress:
        return ()
    commands: list[Command] = []
    rollback: list[Command] = []
    for verb, entries in (("ingress", ingress), ("egress", egress)):
        if entries:
            payload = _as_json(entries)
            commands.append(
                aws(
                    "ec2",
                    f"revoke-security-group-{verb}",
                    "--region",
                    target.region,
                    "--group-id",
                    group,
                    "--ip-permissions",
                    payload,
                )
            )
            rollback.append(
                aws(
                    "ec2",
                    f"authorize-security-group-{verb}",
                    "--region",
                    target.region,
                    "--group-id",
                    group,
                    "--ip-permissions",
                    payload,
                )
            )
    steps = [
        Step(
            summary=f"Remove the rule(s) on {group}: " + "; ".join(rules),
            commands=tuple(commands),
            changes=f"Security group {group} stops admitting the listed sources on the listed ports.",
            breaks=(
                "Anyone who connects through these rules today (administrators, partners, monitoring) is cut "
                "off; check the VPC flow logs for accepted traffic on the port before removing it."
            ),
            rollback=tuple(rollback),
            terraform=(
                f"# In the aws_security_group for {group}, delete the matching ingress block (or the "
                "aws_vpc_security_group_ingress_rule resource) and run terraform apply."
            ),
        )
    ]
    if narrow:
        ports = sorted({(e["IpProtocol"], e.get("FromPort"), e.get("ToPort")) for e in ingress}, key=str)
        for protocol, low, high in ports:
            if low is None:
                continue
            steps.append(
                Step(
                    summary=f"Re-admit only the trusted source on {protocol}/{low}"
                    + ("" if low == high else f"-{high}"),
                    commands=(
                        aws(
                            "ec2",
                            "authorize-security-group-ingress",
                            "--region",
                            target.region,
                            "--group-id",
                            group,
                            "--protocol",
                            protocol,
                            "--port",
                            str(low) if low == high else f"{low}-{high}",
                            "--cidr",
                            TRUSTED_CIDR,
                        ),
                    ),
                    changes="Adds one rule admitting the trusted range only.",
                    breaks="Nothing beyond the previous step: it re-opens the port to the range you choose.",
                    rollback=(
                        aws(
                            "ec2",
                            "revoke-security-group-ingress",
                            "--region",
                            target.region,
                            "--group-id",
                            group,
                            "--protocol",
                            protocol,
                            "--port",
                            str(low) if low == high else f"{low}-{high}",
                            "--cidr",
                            TRUSTED_CIDR,
                        ),
                    ),
                )
            )
    return tuple(steps)


def sg_open_to_internet(target: Target) -> tuple[Step, ...]:
    return _revoke(target, _rules(target), narrow=True)


def sg_untrusted_sources(target: Target) -> tuple[Step, ...]:
    return _revoke(target, _rules(target), narrow=True)


def default_sg(target: Target) -> tuple[Step, ...]:
    evidence = target.finding.evidence
    rules = [str(r) for key in ("inbound", "outbound") for r in evidence.get(key, []) or []]
    return _revoke(target, rules, narrow=False)


def nacl_admin_ports(target: Target) -> tuple[Step, ...]:
    acl = target.resource_id
    rule_number = Decide(
        "NACL_DENY_RULE_NUMBER",
        f"Which free rule number, lower than the allow entries of {acl}, should hold the deny?",
        ("a number below the lowest allow entry listed in the evidence (e.g. 50)",),
    )
    admissions = target.finding.evidence.get("admissions", []) or []
    ports = sorted(
        {str(a.get("port")) for a in admissions if isinstance(a, Mapping) and a.get("port")}, key=str
    )
    commands = []
    for offset, port in enumerate(ports):
        low, _, high = port.partition("-")
        commands.append(
            aws(
                "ec2",
                "create-network-acl-entry",
                "--region",
                target.region,
                "--network-acl-id",
                acl,
                "--ingress",
                "--rule-number",
                rule_number,
                "--protocol",
                "-1" if low == "all" else "6",
                "--port-range",
                f"From={low},To={high or low}",
                "--cidr-block",
                "0.0.0.0/0",
                "--rule-action",
                "deny",
            )
            if offset == 0
            else aws(
                "ec2",
                "create-network-acl-entry",
                "--region",
                target.region,
                "--network-acl-id",
                acl,
                "--ingress",
                "--rule-number",
                Decide(
                    f"NACL_DENY_RULE_NUMBER_{offset + 1}",
                    f"A second free rule number for port {port} on {acl}",
                    ("the number after NACL_DENY_RULE_NUMBER",),
                ),
                "--protocol",
                "6",
                "--port-range",
                f"From={low},To={high or low}",
                "--cidr-block",
                "0.0.0.0/0",
                "--rule-action",
                "deny",
            )
        )
    if not commands:
        return ()
    return (
        Step(
            summary=f"Deny the internet on the admin ports of network ACL {acl} ({', '.join(ports)})",
            commands=tuple(commands),
            changes=f"Every subnet associated with {acl} drops internet traffic to these ports.",
            breaks=(
                "Administration from outside the VPC through these subnets stops, including legitimate use."
            ),
            rollback_note=(
                f"aws ec2 delete-network-acl-entry --network-acl-id {acl} --ingress "
                f"--rule-number <the number "
                "you chose> removes each deny again."
            ),
            terraform=f'# aws_network_acl_rule {{ network_acl_id = "{acl}", rule_action = "deny", ... }}',
        ),
    )


def vpc_flow_logs(target: Target) -> tuple[Step, ...]:
    vpc = target.resource_id
    bucket = Decide(
        "FLOW_LOG_BUCKET_ARN",
        "Where should flow logs go?",
        (
            "an S3 bucket ARN for logs (arn:aws:s3:::my-flow-logs)",
            "or use CloudWatch Logs with a delivery role",
        ),
    )
    return (
        Step(
            summary=f"Record rejected traffic of VPC {vpc}",
            commands=(
                aws(
                    "ec2",
                    "create-flow-logs",
                    "--region",
                    target.region,
                    "--resource-type",
                    "VPC",
                    "--resource-ids",
                    vpc,
                    "--traffic-type",
                    "REJECT",
                    "--log-destination-type",
                    "s3",
                    "--log-destination",
                    bucket,
                ),
            ),
            changes="Creates a flow log; delivery costs grow with traffic.",
            breaks="Nothing in the VPC; the bucket's policy must admit the log delivery service.",
            rollback_note="aws ec2 delete-flow-logs --flow-log-ids <the FlowLogId the command returns>",
            terraform=(
                f'resource "aws_flow_log" "rejected" {{\n  vpc_id = {hcl_string(vpc)}\n'
                '  traffic_type = "REJECT"\n'
                '  log_destination_type = "s3"\n'
                "  log_destination = var.flow_log_bucket_arn # TODO: the bucket chosen above\n}"
            ),
        ),
    )


def internet_exposed_interface(target: Target) -> tuple[Step, ...]:
    """The path runs through security-group rules; the fix is the rule, named in the evidence path."""
    evidence = target.finding.evidence
    groups = [str(g) for g in evidence.get("Groups", []) or []]
    paths = [str(p.get("path", "")) for p in evidence.get("exposed", []) or [] if isinstance(p, Mapping)]
    rules = sorted({path.rsplit("→ ", 1)[-1].strip() for path in paths if "ingress" in path})
    steps: list[Step] = []
    for group in groups:
        own = [r for r in rules if r.startswith(f"{group} ")]
        if own:
            finding = target.finding
            account = finding.account_id
            resource = f"arn:{target.partition}:ec2:{target.region}:{account}:security-group/{group}"
            moved = Target(replace(finding, resource=resource), target.home_region, target.partition)
            steps.extend(_revoke(moved, own, narrow=True))
    return tuple(steps)
