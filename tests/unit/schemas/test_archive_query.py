"""The archive search's signer and change filters: what they accept, what they turn it into, and one
message per mistake naming the field.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from marshmallow import ValidationError

from service.schemas.requests import SIGNER_STATUSES, ArchiveQuerySchema

JAKARTA = timezone(timedelta(hours=7))


@pytest.mark.parametrize(
    ("written", "moment"),
    [
        ("2024-07-01T08:00:00+07:00", datetime(2024, 7, 1, 8, tzinfo=JAKARTA)),
        ("2024-07-01T01:00:00Z", datetime(2024, 7, 1, 1, tzinfo=UTC)),
        ("2024-07-01t01:00:00z", datetime(2024, 7, 1, 1, tzinfo=UTC)),
        ("2024-07-01T08:00:00.5+07:00", datetime(2024, 7, 1, 8, 0, 0, 500000, tzinfo=JAKARTA)),
        # More digits than Python keeps: the microseconds, the rest dropped.
        ("2024-07-01T01:00:00.123456789Z", datetime(2024, 7, 1, 1, 0, 0, 123456, tzinfo=UTC)),
        ("2024-07-01T08:00:00-03:30", datetime(2024, 7, 1, 11, 30, tzinfo=UTC)),
        # A "+" not encoded in a URL arrives as a space.
        ("2024-07-01T08:00:00 07:00", datetime(2024, 7, 1, 1, tzinfo=UTC)),
    ],
)
def test_updated_since_is_an_aware_moment(written: str, moment: datetime) -> None:
    loaded = ArchiveQuerySchema().load({"updated_since": written})["updated_since"]
    assert loaded.tzinfo is not None
    assert loaded == moment


@pytest.mark.parametrize(
    ("written", "says"),
    [
        ("2024-07-01T08:00:00", "harus menyebut zona waktunya"),
        ("2024-07-01T08:00:00.25", "harus menyebut zona waktunya"),
        ("2024-07-01", "harus tanggal dan waktu RFC 3339"),
        ("2024-07-01T08:00Z", "harus tanggal dan waktu RFC 3339"),
        ("2024-07-01 08:00:00Z", "harus tanggal dan waktu RFC 3339"),
        ("20240701T080000Z", "harus tanggal dan waktu RFC 3339"),
        ("2024-07-01T08:00:00+0700", "harus tanggal dan waktu RFC 3339"),
        ("2024-07-01T08:00:00Z\n", "harus tanggal dan waktu RFC 3339"),
        ("2024-02-30T08:00:00Z", "bukan tanggal dan waktu yang ada"),
        ("2024-07-01T24:00:00Z", "bukan tanggal dan waktu yang ada"),
        ("2024-07-01T08:00:00+24:00", "bukan tanggal dan waktu yang ada"),
        # The edges of the calendar: no moment in UTC (it answered 500).
        ("0001-01-01T00:00:00+01:00", "bukan tanggal dan waktu yang ada"),
        ("9999-12-31T23:59:59-01:00", "bukan tanggal dan waktu yang ada"),
    ],
)
def test_updated_since_without_an_offset_or_not_a_moment_is_refused(written: str, says: str) -> None:
    with pytest.raises(ValidationError) as raised:
        ArchiveQuerySchema().load({"updated_since": written})
    messages = raised.value.messages
    assert isinstance(messages, dict)
    assert list(messages) == ["updated_since"]
    (message,) = messages["updated_since"]
    assert message.startswith(f"updated_since {says}"), message


def test_signer_nip_is_a_whole_nip_or_nik_and_signer_status_one_of_five() -> None:
    schema = ArchiveQuerySchema()
    for nip in ("198912052015031002", "3578135504730004"):
        assert schema.load({"signer_nip": nip}) == {"signer_nip": nip, "limit": 20}
    for status in SIGNER_STATUSES:
        assert schema.load({"signer_status": status})["signer_status"] == status
    assert set(SIGNER_STATUSES) == {"waiting", "pending", "signed", "rejected", "cancelled"}
    for bad in ("19891205", "19891205201503100", "1989120520150310021", "١٩٨٩١٢٠٥٢٠١٥٠٣١٠٠٢", ""):
        with pytest.raises(ValidationError) as raised:
            schema.load({"signer_nip": bad})
        assert list(raised.value.messages) == ["signer_nip"], bad
    with pytest.raises(ValidationError) as raised:
        schema.load({"signer_status": "Pending"})
    assert list(raised.value.messages) == ["signer_status"]
