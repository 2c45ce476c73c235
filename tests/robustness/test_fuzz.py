"""Hostile input: every parser of outside data raises its own one-line error, never anything else.

Each property counts the cases it ran (printed with ``pytest -s``) for the robustness report.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awsaudit.analyze.iam import PolicyParseError
from awsaudit.analyze.iam.policy import parse_policy
from awsaudit.analyze.logmonitor.matching import PatternNotEvaluableError, matches_event
from awsaudit.analyze.logmonitor.syntax import FilterPatternError, parse_filter_pattern
from awsaudit.analyze.network.addresses import parse_network
from awsaudit.analyze.network.errors import NetworkDataError
from awsaudit.analyze.network.parse import parse_region
from awsaudit.analyze.network.traffic import parse_protocol, port_range
from awsaudit.config import ConfigError, load_config
from awsaudit.snapshot import SnapshotError, load
from awsaudit.suppressions import SuppressionError, parse_suppressions

CASES: Counter[str] = Counter()
# Cases per property; raise it for a longer campaign (AWSAUDIT_FUZZ_EXAMPLES=20000).
EXAMPLES = int(os.environ.get("AWSAUDIT_FUZZ_EXAMPLES", "400"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=30,
)
VALID_SNAPSHOT: dict[str, Any] = {
    "schema": "awsaudit.snapshot/1",
    "collected_at": "2026-11-28T12:00:00Z",
    "account": {"id": "123456789012", "partition": "aws", "caller_arn": "arn:aws:iam::123456789012:root"},
    "regions": ["us-east-1"],
    "datasets": {"iam": {"global": {"AccountSummary": {}}}},
    "errors": [],
    "api_calls": {},
}


@pytest.fixture(scope="module", autouse=True)
def report_cases() -> Iterator[None]:
    yield
    print("\nfuzz cases per parser:", dict(sorted(CASES.items())))


# ----------------------------------------------------------------- snapshots
@FUZZ
@given(raw=st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_snapshot_bytes(tmp_path_factory: pytest.TempPathFactory, raw: bytes) -> None:
    CASES["snapshot file bytes"] += 1
    path = tmp_path_factory.mktemp("snap") / "s.json.gz"
    for payload in (raw, gzip.compress(raw)):
        path.write_bytes(payload)
        try:
            load(path)
        except SnapshotError as error:
            assert "\n" not in str(error)


@FUZZ
@given(key=st.sampled_from(sorted(VALID_SNAPSHOT)), value=json_values, cut=st.integers(0, 600))
def test_snapshot_documents(tmp_path_factory: pytest.TempPathFactory, key: str, value: Any, cut: int) -> None:
    CASES["snapshot documents"] += 1
    path = tmp_path_factory.mktemp("snap") / "s.json"
    document = json.dumps({**VALID_SNAPSHOT, key: value}).encode()
    for payload in (document, document[:cut], gzip.compress(document)[:cut]):
        path.write_bytes(payload)
        with contextlib.suppress(SnapshotError):
            load(path)


def test_snapshot_nested_deeper_than_the_parser_recurses(tmp_path: Path) -> None:
    CASES["snapshot documents"] += 1
    path = tmp_path / "deep.json"
    path.write_text('{"schema": "awsaudit.snapshot/1", "datasets": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(SnapshotError, match="nested too deeply"):
        load(path)


# ------------------------------------------------------------------ policies
policy_like = st.fixed_dictionaries(
    {"Version": st.sampled_from(["2012-10-17", "2008-10-17", 7]) | json_values},
    optional={
        "Statement": st.lists(
            st.dictionaries(
                st.sampled_from(
                    [
                        "Effect",
                        "Action",
                        "NotAction",
                        "Resource",
                        "NotResource",
                        "Principal",
                        "Condition",
                        "Sid",
                    ]
                ),
                json_values,
            ),
            max_size=3,
        )
        | json_values
    },
)


@FUZZ
@given(document=policy_like | json_values | st.text(max_size=200))
def test_policy_documents(document: Any) -> None:
    CASES["policy documents"] += 1
    for candidate in (document, json.dumps(document)):
        try:
            parse_policy(candidate, name="fuzz")
        except PolicyParseError as error:
            assert "\n" not in str(error)


def test_policy_nested_deeper_than_the_parser_recurses() -> None:
    CASES["policy documents"] += 1
    with pytest.raises(PolicyParseError):
        parse_policy('{"Statement": ' + "[" * 100_000 + "]" * 100_000 + "}", name="deep")


# ----------------------------------------------------------- filter patterns
pattern_alphabet = st.sampled_from(list('{}()[]$.=!<>&|"%*?-, \\ abcEventNameerrorCode0123456789'))
pattern_text = st.text(pattern_alphabet, max_size=80) | st.text(max_size=80)


@FUZZ
@given(source=pattern_text, event=st.dictionaries(st.text(max_size=10), json_values, max_size=4))
def test_filter_patterns(source: str, event: dict[str, Any]) -> None:
    CASES["filter patterns"] += 1
    try:
        pattern = parse_filter_pattern(source)
    except FilterPatternError as error:
        assert "\n" not in str(error)
        return
    with contextlib.suppress(PatternNotEvaluableError):
        matches_event(pattern, event)


def test_filter_pattern_nested_parentheses() -> None:
    CASES["filter patterns"] += 1
    with pytest.raises(FilterPatternError):
        parse_filter_pattern("{ " + "(" * 10_000 + "$.a = 1" + ")" * 10_000 + " }")


# ----------------------------------------------------- suppressions and config
yaml_text = st.text(
    st.sampled_from(list("suppressions:check resource reason expires- *&!|>{}[]'\"\n 0123-")), max_size=200
)


@FUZZ
@given(text=yaml_text | st.text(max_size=200), entry=st.dictionaries(st.text(max_size=10), json_values))
def test_suppression_files(text: str, entry: dict[str, Any]) -> None:
    CASES["suppression files"] += 1
    for document in (text, json.dumps({"suppressions": [entry]}), json.dumps({"suppressions": entry})):
        try:
            parse_suppressions(document, "fuzz.yaml")
        except SuppressionError as error:
            assert "\n" not in str(error)


def test_suppression_alias_bomb() -> None:
    CASES["suppression files"] += 1
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join(['*' + chr(97 + n)] * 9)}]\n" for n in range(8)
    )
    with pytest.raises(SuppressionError):
        parse_suppressions(bomb, "bomb.yaml")


config_keys = st.sampled_from(
    ["admin_ports", "trusted_cidrs", "min_password_length", "cis_version", "max_access_key_age_days", "x"]
)


@FUZZ
@given(
    text=yaml_text | st.text(max_size=200),
    values=st.dictionaries(config_keys, json_values, max_size=3),
    suffix=st.sampled_from([".yaml", ".toml", ".yml", ""]),
)
def test_config_files(
    tmp_path_factory: pytest.TempPathFactory, text: str, values: dict[str, Any], suffix: str
) -> None:
    CASES["config files"] += 1
    path = tmp_path_factory.mktemp("cfg") / f"config{suffix}"
    for document in (text, json.dumps(values)):
        path.write_text(document, encoding="utf-8")
        try:
            load_config(path)
        except ConfigError as error:
            assert "\n" not in str(error)


# ------------------------------------------------------ CIDRs and port ranges
cidr_text = st.text(st.sampled_from(list("0123456789abcdef.:/")), max_size=45)


@FUZZ
@given(value=cidr_text | json_values, first=json_values, last=json_values, protocol=json_values | cidr_text)
def test_cidrs_ports_and_protocols(value: Any, first: Any, last: Any, protocol: Any) -> None:
    CASES["CIDRs and port ranges"] += 1
    for parse in (
        lambda: parse_network(value, "fuzz"),
        lambda: port_range(first, last, "fuzz"),
        lambda: parse_protocol(protocol, "fuzz"),
    ):
        try:
            parse()
        except NetworkDataError as error:
            assert "\n" not in str(error)


@FUZZ
@given(
    group=st.dictionaries(
        st.sampled_from(["GroupId", "VpcId", "IpPermissions", "IpPermissionsEgress", "GroupName"]),
        json_values,
    ),
    permission=st.dictionaries(
        st.sampled_from(["IpProtocol", "FromPort", "ToPort", "IpRanges", "Ipv6Ranges", "UserIdGroupPairs"]),
        json_values | cidr_text,
    ),
)
def test_security_group_records(group: dict[str, Any], permission: dict[str, Any]) -> None:
    CASES["CIDRs and port ranges"] += 1
    records = [
        {"GroupId": "sg-1", "VpcId": "vpc-1", **group},
        {"GroupId": "sg-2", "IpPermissions": [permission]},
    ]
    try:
        parse_region({"SecurityGroups": records})
    except NetworkDataError as error:
        assert "\n" not in str(error)


# --------------------------------------------------- nesting and encodings
DEEP = "[" * 100_000 + "]" * 100_000


def test_suppressions_nested_deeper_than_the_parser_recurses() -> None:
    CASES["suppression files"] += 1
    with pytest.raises(SuppressionError, match="nested too deeply"):
        parse_suppressions("suppressions: " + DEEP, "deep.yaml")


@pytest.mark.parametrize(("name", "text"), [("deep.yaml", DEEP), ("deep.toml", "a = " + DEEP)])
def test_config_nested_deeper_than_the_parser_recurses(tmp_path: Path, name: str, text: str) -> None:
    CASES["config files"] += 1
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ConfigError, match="nested too deeply"):
        load_config(path)


def test_config_that_is_not_utf8(tmp_path: Path) -> None:
    CASES["config files"] += 1
    path = tmp_path / "config.yaml"
    path.write_bytes(b"\xff\xfe admin_ports: [22]")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path)


def test_config_setting_that_is_not_named_by_text(tmp_path: Path) -> None:
    CASES["config files"] += 1
    path = tmp_path / "config.yaml"
    path.write_text("? \n1: 22\n")
    with pytest.raises(ConfigError, match="setting names must be text"):
        load_config(path)
