"""flatten_errors: marshmallow's nested messages → api.md's flat list of dotted paths."""

from __future__ import annotations

from service.schemas import flatten_errors


def test_nested_paths_with_list_indexes_as_numbers() -> None:
    messages = {"skp": {"kegiatan": {2: {"target": {"waktu": ["harus lebih dari 0"]}}}}}
    assert flatten_errors(messages) == [
        {"field": "skp.kegiatan.2.target.waktu", "message": "harus lebih dari 0"}
    ]


def test_schema_errors_attach_to_their_parent_or_the_root() -> None:
    messages = {
        "_schema": ["harus berupa objek JSON"],
        "periode": {"_schema": ["periode melintasi 1 Juli 2021"], "selesai": ["x"]},
        "skp": {"kegiatan": {0: {"_schema": ["baris tidak sah"]}}},
    }
    assert flatten_errors(messages) == [
        {"field": "", "message": "harus berupa objek JSON"},
        {"field": "periode", "message": "periode melintasi 1 Juli 2021"},
        {"field": "periode.selesai", "message": "x"},
        {"field": "skp.kegiatan.0", "message": "baris tidak sah"},
    ]


def test_several_messages_per_field_keep_their_order_and_duplicates_go() -> None:
    messages = {"pegawai": {"nip": ["a", "b", "a"]}, "type": "wajib diisi"}
    assert flatten_errors(messages) == [
        {"field": "pegawai.nip", "message": "a"},
        {"field": "pegawai.nip", "message": "b"},
        {"field": "type", "message": "wajib diisi"},
    ]


def test_list_of_item_messages_from_a_list_of_strings() -> None:
    messages = {"skp": {"tugas_tambahan": {1: ["harus berupa teks"], 3: ["paling banyak 1000 karakter"]}}}
    assert [e["field"] for e in flatten_errors(messages)] == ["skp.tugas_tambahan.1", "skp.tugas_tambahan.3"]


def test_empty() -> None:
    assert flatten_errors({}) == []
