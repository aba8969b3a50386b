"""The small request schemas: one clear message per mistake, in the order an official fixes them."""

from __future__ import annotations

from typing import Any

import pytest
from marshmallow import ValidationError

from service.schemas.requests import (
    MAX_P12,
    ArchiveQuerySchema,
    DecisionSchema,
    FirstUseDecisionSchema,
    RevisionQuerySchema,
)

GOOD = "frasa-sandi-panjang"
KODE = "12345678"


def _refusal(schema: DecisionSchema, form: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(ValidationError) as raised:
        schema.load(form)
    messages: dict[str, Any] = raised.value.messages  # type: ignore[assignment]
    return messages


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"keputusan": "tolak", "alasan": "   "}, "alasan", "Alasan penolakan wajib diisi."),
        ({"keputusan": "tolak", "alasan": "x" * 2001}, "alasan", "Alasan penolakan terlalu panjang."),
        ({"keputusan": "hapus"}, "keputusan", "Pilih tandatangani atau tolak."),
        ({}, "keputusan", "Pilih tandatangani atau tolak."),
        (
            {"keputusan": "tandatangani", "passphrase": GOOD, "passphrase_konfirmasi": GOOD},
            "kode_verifikasi",
            "Kode verifikasi wajib diisi.",
        ),
        (
            {"keputusan": "tandatangani", "kode_verifikasi": KODE, "passphrase": "pendek"},
            "passphrase",
            "Frasa sandi minimal 10 karakter.",
        ),
        (
            {
                "keputusan": "tandatangani",
                "kode_verifikasi": KODE,
                "passphrase": GOOD,
                "passphrase_konfirmasi": GOOD + "x",
            },
            "passphrase_konfirmasi",
            "Konfirmasi frasa sandi tidak sama.",
        ),
        (
            {"keputusan": "tandatangani", "kode_verifikasi": KODE, "p12": b"x" * (MAX_P12 + 1)},
            "p12",
            "Berkas .p12 terlalu besar.",
        ),
        (
            {"keputusan": "tandatangani", "kode_verifikasi": KODE, "p12": b"x"},
            "passphrase",
            "Frasa sandi berkas .p12 wajib diisi.",
        ),
        ({"keputusan": "tandatangani", "daftar_ulang": "ya"}, "daftar_ulang", "harus 1 atau kosong"),
        ({"keputusan": "tandatangani", "passphrase": GOOD, "lain": "1"}, "lain", "bidang tidak dikenal"),
    ],
)
def test_first_use_form_rules(form: dict[str, Any], field: str, message: str) -> None:
    assert _refusal(FirstUseDecisionSchema(), form) == {field: [message]}


def test_an_official_with_a_key_may_not_upload_another_and_must_give_the_passphrase() -> None:
    schema = DecisionSchema()
    assert _refusal(schema, {"keputusan": "tandatangani", "p12": b"x", "passphrase": GOOD}) == {
        "p12": ["Anda sudah memiliki kunci; unggah .p12 hanya pada penggunaan pertama."]
    }
    assert _refusal(schema, {"keputusan": "tandatangani"}) == {"passphrase": ["Frasa sandi wajib diisi."]}
    # No confirmation and no minimum once the key exists: the passphrase was chosen at enrolment.
    assert schema.load({"keputusan": "tandatangani", "passphrase": "x"})["passphrase"] == "x"


def test_a_refusal_needs_no_passphrase() -> None:
    loaded = FirstUseDecisionSchema().load({"keputusan": "tolak", "alasan": " Target salah "})
    assert loaded["keputusan"] == "tolak"
    assert loaded["p12"] is None


@pytest.mark.parametrize("value", ["../x", "-1", "0x1", "1e3", " 1", "+1", "1_0", "1234567", ""])
def test_revision_is_digits_only(value: str) -> None:
    with pytest.raises(ValidationError):
        RevisionQuerySchema().load({"revision": value})


def test_revision_loads_as_a_number_and_may_be_absent() -> None:
    assert RevisionQuerySchema().load({"revision": "007"}) == {"revision": 7}
    assert RevisionQuerySchema().load({}) == {}


def test_archive_query_names_each_wrong_value_and_refuses_unknown_ones() -> None:
    with pytest.raises(ValidationError) as raised:
        ArchiveQuerySchema().load(
            {"nip": "12a", "periode": "20x4", "type": "x", "status": "hapus", "zz": "1"}
        )
    assert set(raised.value.messages) == {"nip", "periode", "type", "status", "zz"}
    assert ArchiveQuerySchema().load({"periode": "2024"}) == {"periode": 2024, "limit": 20}
