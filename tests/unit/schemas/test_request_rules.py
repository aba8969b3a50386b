"""The small request schemas say what they check in Indonesian, and their patterns mean what the
OpenAPI document says: JSON Schema patterns are ECMA-262, where ``\\d`` is ASCII and ``$`` is the
end of the text, so the schemas match the whole value and ASCII digits only.
"""

from __future__ import annotations

from typing import Any

import pytest
from marshmallow import Schema, ValidationError

from service.schemas.requests import ArchiveQuerySchema, DelegateSchema, RevisionQuerySchema

NIP = "198503302010011001"
DELEGATE = {"jenis": "plt", "nama": "Dra. Sri Wahyuni", "nip": NIP, "jabatan": "Plt. Kepala Bidang"}


def _messages(schema: Schema, data: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(ValidationError) as raised:
        schema.load(data)
    messages: dict[str, Any] = raised.value.messages  # type: ignore[assignment]
    return messages


@pytest.mark.parametrize(
    ("schema", "data", "field"),
    [
        (RevisionQuerySchema(), {"revision": "1\n"}, "revision"),
        (RevisionQuerySchema(), {"revision": "\u0661"}, "revision"),  # ARABIC-INDIC DIGIT ONE
        (ArchiveQuerySchema(), {"nip": "123\n"}, "nip"),
        (ArchiveQuerySchema(), {"nip": "\u0661\u0662\u0663"}, "nip"),
        (DelegateSchema(), {**DELEGATE, "nip": NIP + "\n"}, "nip"),
        (DelegateSchema(), {**DELEGATE, "nip": "\u0661" * 18}, "nip"),
    ],
)
def test_patterns_match_the_whole_value_in_ascii_digits(
    schema: Schema, data: dict[str, Any], field: str
) -> None:
    assert field in _messages(schema, data)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"periode": "1999"}, {"periode": ["harus tahun dari 2000 sampai 2100"]}),
        ({"periode": "2101"}, {"periode": ["harus tahun dari 2000 sampai 2100"]}),
        ({"limit": "0"}, {"limit": ["harus dari 1 sampai 100"]}),
        ({"limit": "101"}, {"limit": ["harus dari 1 sampai 100"]}),
        ({"limit": "dua"}, {"limit": ["harus bilangan bulat"]}),
        ({"nama": "x" * 201}, {"nama": ["paling banyak 200 karakter"]}),
        ({"unit_kerja": "x" * 301}, {"unit_kerja": ["paling banyak 300 karakter"]}),
        ({"q": "x" * 201}, {"q": ["paling banyak 200 karakter"]}),
        ({"cursor": "x" * 201}, {"cursor": ["paling banyak 200 karakter"]}),
    ],
)
def test_archive_query_messages_are_indonesian(data: dict[str, Any], expected: dict[str, Any]) -> None:
    assert _messages(ArchiveQuerySchema(), data) == expected


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"jenis": "pjs"}, {"jenis": ["harus salah satu dari plt, plh"]}),
        ({"nama": ""}, {"nama": ["wajib diisi, paling banyak 200 karakter"]}),
        ({"jabatan": "x" * 301}, {"jabatan": ["wajib diisi, paling banyak 300 karakter"]}),
        ({"email": "bukan-email"}, {"email": ["harus berupa alamat email yang sah"]}),
        ({"keterangan": "x" * 501}, {"keterangan": ["paling banyak 500 karakter"]}),
        ({"nama": 7}, {"nama": ["harus berupa teks"]}),
        ({"nip": "123"}, {"nip": ["harus 18 digit"]}),
    ],
)
def test_delegate_messages_are_indonesian(change: dict[str, Any], expected: dict[str, Any]) -> None:
    assert _messages(DelegateSchema(), {**DELEGATE, **change}) == expected


def test_delegate_names_every_missing_field() -> None:
    assert _messages(DelegateSchema(), {}) == {
        "jenis": ["wajib diisi"],
        "nama": ["wajib diisi"],
        "nip": ["wajib diisi"],
        "jabatan": ["wajib diisi"],
    }
    assert DelegateSchema().load(DELEGATE) == DELEGATE
