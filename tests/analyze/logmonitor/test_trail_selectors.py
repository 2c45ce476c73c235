"""Which events a trail records, from basic and advanced event selectors (AWS semantics)."""

from __future__ import annotations

from typing import Any

import pytest

from awsaudit.analyze.logmonitor.trails import Access, SelectorError, parse_selectors

READ, WRITE = Access.READ, Access.WRITE
BOTH = frozenset({READ, WRITE})


def basic(read_write: str | None = "All", management: bool = True, **extra: Any) -> dict[str, Any]:
    selector: dict[str, Any] = {"IncludeManagementEvents": management, "DataResources": [], **extra}
    if read_write is not None:
        selector["ReadWriteType"] = read_write
    return selector


def field(name: str, **operators: list[str]) -> dict[str, Any]:
    return {"Field": name, **operators}


def advanced(*fields: dict[str, Any], name: str = "sel") -> dict[str, Any]:
    return {"Name": name, "FieldSelectors": list(fields)}


def management(*selectors: dict[str, Any], key: str = "EventSelectors") -> frozenset[Access]:
    return parse_selectors({"TrailARN": "arn", key: list(selectors)}).management_events()


def s3_objects(*selectors: dict[str, Any], key: str = "EventSelectors") -> frozenset[Access]:
    return parse_selectors({key: list(selectors)}).s3_object_events("aws")


S3_ALL = [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]


@pytest.mark.parametrize(
    ("read_write", "recorded"),
    [("All", BOTH), ("ReadOnly", {READ}), ("WriteOnly", {WRITE})],
)
def test_basic_management_events_follow_read_write_type(
    read_write: str | None, recorded: set[Access]
) -> None:
    assert management(basic(read_write)) == recorded


def test_basic_selector_without_management_events_records_none() -> None:
    assert management(basic(management=False)) == frozenset()


def test_read_only_and_write_only_selectors_combine() -> None:
    assert management(basic("ReadOnly"), basic("WriteOnly")) == BOTH


def test_bare_list_of_basic_selectors_is_accepted() -> None:
    assert parse_selectors([basic()]).management_events() == BOTH


def test_advanced_management_selector_without_read_only_records_both() -> None:
    selector = advanced(field("eventCategory", Equals=["Management"]))
    assert management(selector, key="AdvancedEventSelectors") == BOTH


@pytest.mark.parametrize(("value", "recorded"), [("true", {READ}), ("false", {WRITE})])
def test_advanced_read_only_field_restricts(value: str, recorded: set[Access]) -> None:
    selector = advanced(field("eventCategory", Equals=["Management"]), field("readOnly", Equals=[value]))
    assert management(selector, key="AdvancedEventSelectors") == recorded


def test_advanced_kms_exclusion_still_records_management_events_and_is_reported() -> None:
    selector = advanced(
        field("eventCategory", Equals=["Management"]), field("eventSource", NotEquals=["kms.amazonaws.com"])
    )
    selectors = parse_selectors({"AdvancedEventSelectors": [selector]})
    assert selectors.management_events() == BOTH
    assert selectors.excluded_management_sources() == ["kms.amazonaws.com"]


def test_basic_exclusions_are_reported() -> None:
    selectors = parse_selectors([basic(ExcludeManagementEventSources=["rdsdata.amazonaws.com"])])
    assert selectors.excluded_management_sources() == ["rdsdata.amazonaws.com"]


def test_data_only_advanced_selector_records_no_management_events() -> None:
    selector = advanced(
        field("eventCategory", Equals=["Data"]), field("resources.type", Equals=["AWS::S3::Object"])
    )
    assert management(selector, key="AdvancedEventSelectors") == frozenset()


def test_unmodelled_filter_counts_as_a_restriction() -> None:
    selector = advanced(
        field("eventCategory", Equals=["Management"]),
        field("userIdentity.arn", NotStartsWith=["arn:aws:sts::1"]),
    )
    assert management(selector, key="AdvancedEventSelectors") == frozenset()


# ------------------------------------------------------------- S3 data events


@pytest.mark.parametrize(
    ("read_write", "recorded"), [("All", BOTH), ("ReadOnly", {READ}), ("WriteOnly", {WRITE})]
)
def test_basic_s3_data_resource_for_all_buckets(read_write: str, recorded: set[Access]) -> None:
    assert s3_objects(basic(read_write, management=False, DataResources=S3_ALL)) == recorded


def test_basic_s3_data_resource_with_trailing_colons_means_all_buckets() -> None:
    resources = [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::"]}]
    assert s3_objects(basic(DataResources=resources)) == BOTH


def test_basic_s3_data_resource_for_one_bucket_does_not_count() -> None:
    resources = [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::logs/"]}]
    assert s3_objects(basic(DataResources=resources)) == frozenset()


def test_other_partition_prefix() -> None:
    resources = [{"Type": "AWS::S3::Object", "Values": ["arn:aws-cn:s3"]}]
    assert parse_selectors([basic(DataResources=resources)]).s3_object_events("aws-cn") == BOTH
    assert parse_selectors([basic(DataResources=resources)]).s3_object_events("aws") == frozenset()


S3_DATA = (field("eventCategory", Equals=["Data"]), field("resources.type", Equals=["AWS::S3::Object"]))


def test_advanced_s3_selector_for_all_buckets_records_both() -> None:
    assert s3_objects(advanced(*S3_DATA), key="AdvancedEventSelectors") == BOTH


@pytest.mark.parametrize(("value", "recorded"), [("true", {READ}), ("false", {WRITE})])
def test_advanced_s3_read_only_field(value: str, recorded: set[Access]) -> None:
    selector = advanced(*S3_DATA, field("readOnly", Equals=[value]))
    assert s3_objects(selector, key="AdvancedEventSelectors") == recorded


def test_advanced_s3_prefix_on_all_buckets_counts_but_one_bucket_does_not() -> None:
    everything = advanced(*S3_DATA, field("resources.ARN", StartsWith=["arn:aws:s3:::"]))
    one_bucket = advanced(*S3_DATA, field("resources.ARN", StartsWith=["arn:aws:s3:::logs/"]))
    all_but_one = advanced(*S3_DATA, field("resources.ARN", NotStartsWith=["arn:aws:s3:::trail-bucket/"]))
    assert s3_objects(everything, key="AdvancedEventSelectors") == BOTH
    assert s3_objects(one_bucket, key="AdvancedEventSelectors") == frozenset()
    assert s3_objects(all_but_one, key="AdvancedEventSelectors") == frozenset()


def test_advanced_s3_event_name_filter_narrows_coverage() -> None:
    only_put = advanced(*S3_DATA, field("eventName", Equals=["PutObject"]))
    no_get = advanced(*S3_DATA, field("eventName", NotEquals=["GetObject"]))
    assert s3_objects(only_put, key="AdvancedEventSelectors") == frozenset()  # DeleteObject is missed
    assert s3_objects(no_get, key="AdvancedEventSelectors") == {WRITE}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("text", "must be an object or a list"),
        ({"EventSelectors": {"a": 1}}, "EventSelectors must be a list"),
        ([basic("Sometimes")], "ReadWriteType must be one of"),
        # AWS always returns these: absent, or of another type, what the selector records is unknown.
        ([basic(None)], "ReadWriteType must be one of"),
        (
            [{**basic("All"), "IncludeManagementEvents": "true"}],
            "IncludeManagementEvents must be true or false",
        ),
        ([basic("All", ExcludeManagementEventSources="kms.amazonaws.com")], "must be a list of strings"),
        ([basic("All", DataResources={"Type": "AWS::S3::Object"})], "DataResources must be a list"),
        ({"AdvancedEventSelectors": [{"Name": "x"}]}, "has no FieldSelectors"),
        ({"AdvancedEventSelectors": [advanced({"Equals": ["Data"]})]}, "without Field"),
        (
            {"AdvancedEventSelectors": [advanced(field("eventCategory", Equals="Data"))]},
            "must be a list of strings",
        ),
    ],
)
def test_malformed_selectors_raise_selector_error(raw: Any, message: str) -> None:
    with pytest.raises(SelectorError, match=message):
        parse_selectors(raw)
