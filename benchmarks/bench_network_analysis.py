"""Benchmark the network exposure analysis on synthetic regions of growing size.

Each step doubles the interfaces (N) and the security-group rules (M = 2N, ten per group). Subnets
alternate between a public route table (default route to an internet gateway) and a private one; a third
of the interfaces have a public IPv4 address, a fifth a global IPv6 address; every interface carries two
groups. By default interfaces come in fleets sharing a group pair (as auto-scaling groups do);
--unique-group-sets gives every interface its own pair, the worst case for the analysis' sharing. Time
per interface should stay roughly flat. --checks also times the networking checks built on the analysis
(reading, per-record validation, exposure, grading and results) through the check runner.

    PYTHONPATH=src /work/venv/bin/python benchmarks/bench_network_analysis.py [--steps 5] [--start 1000]
"""

from __future__ import annotations

import argparse
import gc
import random
import time
from datetime import UTC, datetime
from typing import Any

from awsaudit.analyze.network import Exposure, ExposureIndex, exposure, parse_region
from awsaudit.checks.registry import all_checks
from awsaudit.checks.runner import run_checks
from awsaudit.config import AuditConfig
from awsaudit.snapshot import Account, Snapshot

ADMIN_PORTS = (22, 3389, 5500, 5900, 1433, 3306, 5432, 1521, 27017, 6379, 9200, 445, 23)
RULES_PER_GROUP = 10
INTERFACES_PER_SUBNET = 25
SUBNETS_PER_VPC = 20


def synthetic_region(
    interfaces: int, rules: int, *, unique_group_sets: bool, seed: int = 7
) -> dict[str, Any]:
    """A region with `interfaces` network interfaces and about `rules` security-group rules."""
    rng = random.Random(seed)
    subnet_count = max(1, interfaces // INTERFACES_PER_SUBNET)
    vpc_count = max(1, subnet_count // SUBNETS_PER_VPC)
    group_count = max(2, rules // RULES_PER_GROUP)
    vpcs = [f"vpc-{v:05d}" for v in range(vpc_count)]
    subnets = [{"SubnetId": f"subnet-{s:05d}", "VpcId": vpcs[s % vpc_count]} for s in range(subnet_count)]
    route_tables = []
    acls = []
    for v, vpc in enumerate(vpcs):
        local = {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"}
        route_tables.append(
            {
                "RouteTableId": f"rtb-main-{v}",
                "VpcId": vpc,
                "Associations": [{"Main": True}],
                "Routes": [local],
            }
        )
        public_subnets = [s["SubnetId"] for i, s in enumerate(subnets) if s["VpcId"] == vpc and i % 2 == 0]
        route_tables.append(
            {
                "RouteTableId": f"rtb-public-{v}",
                "VpcId": vpc,
                "Associations": [{"Main": False, "SubnetId": s} for s in public_subnets],
                "Routes": [
                    local,
                    {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": f"igw-{v}", "State": "active"},
                    {"DestinationIpv6CidrBlock": "::/0", "GatewayId": f"igw-{v}", "State": "active"},
                ],
            }
        )
        entries = [
            {
                "RuleNumber": 90,
                "Protocol": "6",
                "RuleAction": "deny",
                "Egress": False,
                "CidrBlock": "0.0.0.0/0",
                "PortRange": {"From": 23, "To": 23},
            },
            {
                "RuleNumber": 100,
                "Protocol": "-1",
                "RuleAction": "allow",
                "Egress": False,
                "CidrBlock": "0.0.0.0/0",
            },
            {
                "RuleNumber": 101,
                "Protocol": "-1",
                "RuleAction": "allow",
                "Egress": False,
                "Ipv6CidrBlock": "::/0",
            },
            {
                "RuleNumber": 100,
                "Protocol": "6",
                "RuleAction": "allow",
                "Egress": True,
                "CidrBlock": "0.0.0.0/0",
                "PortRange": {"From": 1024, "To": 65535},
            },
            {
                "RuleNumber": 32767,
                "Protocol": "-1",
                "RuleAction": "deny",
                "Egress": False,
                "CidrBlock": "0.0.0.0/0",
            },
            {
                "RuleNumber": 32767,
                "Protocol": "-1",
                "RuleAction": "deny",
                "Egress": True,
                "CidrBlock": "0.0.0.0/0",
            },
        ]
        acls.append(
            {
                "NetworkAclId": f"acl-{v}",
                "VpcId": vpc,
                "IsDefault": True,
                "Entries": entries,
                "Associations": [],
            }
        )
    groups = []
    for g in range(group_count):
        permissions = []
        for _ in range(RULES_PER_GROUP):
            port = rng.choice((*ADMIN_PORTS, 80, 443, 8080))
            cidr = rng.choice(
                ("0.0.0.0/0", "10.0.0.0/8", f"198.51.{g % 256}.0/24", "0.0.0.0/1", "128.0.0.0/1")
            )
            permissions.append(
                {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": cidr}]}
            )
        groups.append(
            {
                "GroupId": f"sg-{g:06d}",
                "GroupName": f"g{g}",
                "VpcId": vpcs[g % vpc_count],
                "IpPermissions": permissions,
                "IpPermissionsEgress": [],
            }
        )
    records = []
    for i in range(interfaces):
        subnet = subnets[i % subnet_count]
        record: dict[str, Any] = {
            "NetworkInterfaceId": f"eni-{i:07d}",
            "SubnetId": subnet["SubnetId"],
            "VpcId": subnet["VpcId"],
            "Groups": [
                {"GroupId": f"sg-{i % group_count:06d}"},
                {"GroupId": f"sg-{second_group(i, group_count, unique_group_sets):06d}"},
            ],
            "PrivateIpAddresses": [],
            "Ipv6Addresses": [{"Ipv6Address": f"2600:1f18::{i:x}"}] if i % 5 == 0 else [],
        }
        if i % 3 == 0:
            record["Association"] = {"PublicIp": f"3.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"}
        records.append(record)
    return {
        "Vpcs": [{"VpcId": v} for v in vpcs],
        "Subnets": subnets,
        "RouteTables": route_tables,
        "InternetGateways": [
            {"InternetGatewayId": f"igw-{v}", "Attachments": [{"VpcId": vpc, "State": "available"}]}
            for v, vpc in enumerate(vpcs)
        ],
        "NetworkAcls": acls,
        "SecurityGroups": groups,
        "NetworkInterfaces": records,
        "ManagedPrefixLists": [],
    }


def second_group(index: int, group_count: int, unique_group_sets: bool) -> int:
    """The second group of interface `index`; its first is `index % group_count`."""
    if unique_group_sets:  # differs for every interface sharing the first group, while 7 % group_count != 0
        return (index // group_count * 7 + index + 1) % group_count
    return (index * 7 + 3) % group_count


def measure(
    interfaces: int, rules: int, *, unique_group_sets: bool, collect_cycles: bool
) -> tuple[float, float, int]:
    """Seconds to parse, seconds to analyse all admin ports and index, and the exposed port count.

    With `collect_cycles` False the cyclic garbage collector is paused while timing: what remains is the
    analysis' own work, without CPython's full collections over the growing heap."""
    data = synthetic_region(interfaces, rules, unique_group_sets=unique_group_sets)
    gc.collect()
    if not collect_cycles:
        gc.disable()
    try:
        started = time.perf_counter()
        region = parse_region(data)
        parsed = time.perf_counter()
        results = exposure(region, ADMIN_PORTS)
        ExposureIndex(results)
        analysed = time.perf_counter()
    finally:
        gc.enable()
    exposed = sum(1 for r in results for p in r.ports if p.status is Exposure.EXPOSED)
    return parsed - started, analysed - parsed, exposed


def fastest(
    interfaces: int, repeat: int, *, unique_group_sets: bool, collect_cycles: bool
) -> tuple[float, float, int]:
    runs = [
        measure(
            interfaces, interfaces * 2, unique_group_sets=unique_group_sets, collect_cycles=collect_cycles
        )
        for _ in range(repeat)
    ]
    return min(runs, key=lambda run: run[0] + run[1])


NETWORK_CHECKS = (
    "ec2.sg_admin_ports_ipv4",
    "ec2.sg_admin_ports_ipv6",
    "ec2.sg_cifs_restricted",
    "ec2.sg_admin_ports_trusted_cidrs",
    "ec2.default_sg_restricts_all",
    "ec2.nacl_admin_ports",
    "ec2.internet_exposed_interfaces",
)


def time_checks(interfaces: int, *, unique_group_sets: bool) -> dict[str, float]:
    """Seconds each networking check takes, through the runner, on one synthetic region."""
    region = "us-east-1"
    snapshot = Snapshot(
        account=Account("111122223333", "aws", "arn:aws:iam::111122223333:user/bench"),
        collected_at=datetime(2026, 1, 1, tzinfo=UTC),
        regions=[region],
        tool_version="bench",
    )
    for name, value in synthetic_region(
        interfaces, interfaces * 2, unique_group_sets=unique_group_sets
    ).items():
        snapshot.set("ec2", region, name, value)
    registry = all_checks()
    seconds = {}
    for check_id in NETWORK_CHECKS:
        started = time.perf_counter()
        run_checks(snapshot, [registry[check_id]], AuditConfig())
        seconds[check_id] = time.perf_counter() - started
    return seconds


def report_checks(start: int, steps: int, *, unique_group_sets: bool) -> None:
    print("\nnetworking checks through the runner, seconds per check (rules = 2 x interfaces)")
    print("  ".join(f"{n}={check_id}" for n, check_id in enumerate(NETWORK_CHECKS, 1)))
    names = [f"check {n}" for n in range(1, len(NETWORK_CHECKS) + 1)]
    print(f"{'interfaces':>11}" + "".join(f"{n:>9}" for n in names) + f"{'total':>9}{'growth':>8}")
    previous = None
    for step in range(steps):
        interfaces = start * 2**step
        seconds = time_checks(interfaces, unique_group_sets=unique_group_sets)
        total = sum(seconds.values())
        growth = "" if previous is None else f"x{total / previous:.2f}"
        previous = total
        cells = "".join(f"{seconds[c]:>9.3f}" for c in NETWORK_CHECKS)
        print(f"{interfaces:>11}{cells}{total:>9.2f}{growth:>8}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", type=int, default=1000, help="interfaces in the first step")
    parser.add_argument("--steps", type=int, default=5, help="number of doublings")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per size; the fastest counts (less noise)"
    )
    parser.add_argument("--unique-group-sets", action="store_true", help="no two interfaces share groups")
    parser.add_argument("--checks", action="store_true", help="also time the networking checks")
    args = parser.parse_args()
    print(f"ports analysed per interface: {len(ADMIN_PORTS)} (x IPv4 and IPv6); rules = 2 x interfaces")
    print("columns: parse + analyse seconds and microseconds per interface, with the garbage collector")
    print("running (real use) and paused (the analysis' own cost); growth is per doubling of the input")
    header = (
        "interfaces",
        "parse s",
        "analyse s",
        "us/iface",
        "growth",
        "no-gc s",
        "us/iface",
        "growth",
        "exposed",
    )
    print("".join(f"{h:>11}" for h in header))
    previous: tuple[float, float] | None = None
    for step in range(args.steps):
        interfaces = args.start * 2**step
        unique = args.unique_group_sets
        parse_s, analyse_s, exposed = fastest(
            interfaces, args.repeat, unique_group_sets=unique, collect_cycles=True
        )
        raw_parse_s, raw_analyse_s, _ = fastest(
            interfaces, args.repeat, unique_group_sets=unique, collect_cycles=False
        )
        totals = (parse_s + analyse_s, raw_parse_s + raw_analyse_s)
        growth = (
            ("", "")
            if previous is None
            else tuple(f"x{t / p:.2f}" for t, p in zip(totals, previous, strict=True))
        )
        previous = totals
        row = (
            interfaces,
            f"{parse_s:.3f}",
            f"{analyse_s:.3f}",
            f"{totals[0] / interfaces * 1e6:.1f}",
            growth[0],
            f"{totals[1]:.3f}",
            f"{totals[1] / interfaces * 1e6:.1f}",
            growth[1],
            exposed,
        )
        print("".join(f"{cell:>11}" for cell in row))
    if args.checks:
        report_checks(args.start, args.steps, unique_group_sets=args.unique_group_sets)


if __name__ == "__main__":
    main()
