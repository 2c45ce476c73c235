"""The credential-report parser: markers, timestamps, booleans and malformed cells."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tests.builders import ACCOUNT_ID

from awsaudit.analyze.iam.credential_report import (
    CredentialReportError,
    Marker,
    known,
    parse_flag,
    parse_row,
    parse_stamp,
    report_rows,
    root_row,
)

_USER_COLUMNS = (
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    *(
        f"access_key_{n}_{field}"
        for n in (1, 2)
        for field in ("active", "last_rotated", "last_used_date", "last_used_region", "last_used_service")
    ),
    *(f"cert_{n}_{field}" for n in (1, 2) for field in ("active", "last_rotated")),
)


def credential_row(user: str, **cells: str) -> dict[str, str]:
    """A credential-report row as the CSV has it: a user with nothing enabled unless cells say so."""
    row = {
        "user": user,
        "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/{user}",
        "user_creation_time": "2025-01-10T09:00:00+00:00",
        "password_enabled": "false",
        "password_last_used": "N/A",
        "password_last_changed": "N/A",
        "password_next_rotation": "N/A",
        "mfa_active": "false",
        "cert_1_active": "false",
        "cert_1_last_rotated": "N/A",
        "cert_2_active": "false",
        "cert_2_last_rotated": "N/A",
    }
    for n in (1, 2):
        row[f"access_key_{n}_active"] = "false"
        for field in ("last_rotated", "last_used_date", "last_used_region", "last_used_service"):
            row[f"access_key_{n}_{field}"] = "N/A"
    row.update(cells)
    assert set(row) == set(_USER_COLUMNS), "unknown column in a test row"
    return row


def root_credential_row(**cells: str) -> dict[str, str]:
    """The <root_account> row: password columns are not_supported, as AWS writes them."""
    root_cells = {
        "arn": f"arn:aws:iam::{ACCOUNT_ID}:root",
        "user_creation_time": "2020-03-01T08:00:00+00:00",
        "password_enabled": "not_supported",
        "password_last_changed": "not_supported",
        "password_next_rotation": "not_supported",
        "mfa_active": "true",
    }
    return credential_row("<root_account>", **{**root_cells, **cells})


def report(*rows: dict[str, str]) -> dict[str, object]:
    return {"GeneratedTime": "2026-06-01T11:59:00+00:00", "Rows": list(rows)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-05-01T10:00:00+00:00", datetime(2026, 5, 1, 10, tzinfo=UTC)),
        ("2026-05-01T10:00:00Z", datetime(2026, 5, 1, 10, tzinfo=UTC)),
        ("2026-05-01T10:00:00.123456+00:00", datetime(2026, 5, 1, 10, 0, 0, 123456, tzinfo=UTC)),
        ("2026-05-01T10:00:00.5Z", datetime(2026, 5, 1, 10, 0, 0, 500000, tzinfo=UTC)),
        ("2026-05-01T10:00:00", datetime(2026, 5, 1, 10, tzinfo=UTC)),
        ("2026-05-01T12:00:00+02:00", datetime(2026, 5, 1, 10, tzinfo=UTC)),
    ],
)
def test_timestamps_in_every_format_aws_and_boto_produce(text: str, expected: datetime) -> None:
    assert parse_stamp(text) == expected


@pytest.mark.parametrize("marker", list(Marker))
def test_markers_are_kept_apart_from_dates(marker: Marker) -> None:
    stamp = parse_stamp(marker.value)
    assert stamp is marker
    assert known(stamp) is None


def test_flags() -> None:
    assert parse_flag("true") is True
    assert parse_flag("FALSE") is False
    assert parse_flag("not_supported") is Marker.NOT_SUPPORTED


@pytest.mark.parametrize("text", ["yesterday", "", "2026-13-01T00:00:00Z"])
def test_bad_timestamp_raises_one_line_error(text: str) -> None:
    with pytest.raises(CredentialReportError, match="neither a timestamp"):
        parse_stamp(text)


def test_bad_flag_raises() -> None:
    with pytest.raises(CredentialReportError, match="neither true, false"):
        parse_flag("yes")


def test_user_row_is_typed() -> None:
    row = parse_row(
        credential_row(
            "alice",
            password_enabled="true",
            password_last_used="2026-05-30T08:00:00+00:00",
            password_last_changed="2025-01-10T09:05:00.250000+00:00",
            mfa_active="true",
            access_key_1_active="true",
            access_key_1_last_rotated="2026-01-01T00:00:00+00:00",
            access_key_1_last_used_date="2026-05-31T00:00:00+00:00",
            access_key_1_last_used_region="eu-west-1",
            access_key_1_last_used_service="s3",
            access_key_2_last_rotated="2025-02-01T00:00:00+00:00",
        )
    )
    assert row.user == "alice" and not row.is_root
    assert row.has_password and row.mfa_active is True
    assert row.password_last_changed == datetime(2025, 1, 10, 9, 5, 0, 250000, tzinfo=UTC)
    first, second = row.access_keys
    assert first.is_active and first.last_used_region == "eu-west-1" and first.last_used_service == "s3"
    assert not second.is_active and second.last_used is Marker.NOT_APPLICABLE
    assert [key.number for key in row.active_keys] == [1]
    assert row.evidence("mfa_active", "no_such_column") == {"mfa_active": "true"}


def test_root_row_password_flags_are_not_supported() -> None:
    row = parse_row(root_credential_row(password_last_used="no_information"))
    assert row.is_root
    assert row.password_enabled is Marker.NOT_SUPPORTED and not row.has_password
    assert row.password_last_used is Marker.NO_INFORMATION
    assert row.password_last_changed is Marker.NOT_SUPPORTED


def test_moto_style_not_supported_in_region_and_service_columns() -> None:
    row = parse_row(credential_row("bob", access_key_1_last_used_region="not_supported"))
    assert row.access_keys[0].last_used_region is Marker.NOT_SUPPORTED


def test_missing_column_names_the_user_and_column() -> None:
    cells = credential_row("carol")
    del cells["mfa_active"]
    with pytest.raises(CredentialReportError, match="'carol' has no mfa_active column"):
        parse_row(cells)


def test_bad_cell_names_the_user_and_column() -> None:
    with pytest.raises(CredentialReportError, match="'dave', access_key_1_last_rotated: 'soon'"):
        parse_row(credential_row("dave", access_key_1_last_rotated="soon"))


def test_root_row_lookup() -> None:
    dataset = report(credential_row("alice"), root_credential_row())
    root = root_row(dataset)
    assert root is not None and root.arn == f"arn:aws:iam::{ACCOUNT_ID}:root"
    assert root_row(report(credential_row("alice"))) is None


@pytest.mark.parametrize("dataset", [{}, {"Rows": "user,arn"}, {"Rows": ["not a row"]}, None])
def test_dataset_without_rows_is_rejected(dataset: object) -> None:
    with pytest.raises(CredentialReportError, match="no list of Rows"):
        report_rows(dataset)
