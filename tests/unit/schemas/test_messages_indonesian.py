"""Every message a client can get from the API's validation is Indonesian and names its field.

Each example payload is broken in many ways (wrong types, missing required fields, unknown fields,
bad choices, text too long, numbers out of range, bad dates, ``null``) and sent through the real
app: ``POST /api/v1/scores``, ``POST /api/v1/documents`` and the archive search query. Every
``errors[].message`` and ``detail`` of the answers is collected and checked for English.
"""

from __future__ import annotations

import copy
import inspect
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import marshmallow
import pytest
from flask.testing import FlaskClient
from marshmallow import fields as mm_fields
from marshmallow import validate as mm_validate

from service.errors import DETAIL_ID
from service.schemas import flatten_errors
from service.schemas.base import BaseSchema
from service.schemas.requests import ArchiveQuerySchema, DecisionSchema, DelegateSchema, RevisionQuerySchema
from tests.conftest import EXAMPLES, load_example

NAMES = sorted(p.stem for p in Path(EXAMPLES).glob("*.json"))
#: One example of each regime and document kind, broken one path at a time (the others: by subtree).
ONE_BY_ONE = ("pp46_2011_evaluasi", "permenpanrb_8_2021_evaluasi", "permenpanrb_6_2022_evaluasi")

Path_ = tuple[str | int, ...]
Payload = dict[str, Any]


def _marshmallow_phrases() -> set[str]:
    """The fixed English parts of every default message of marshmallow (fields, validators, schema)."""
    messages: list[str] = list(marshmallow.Schema._default_error_messages.values())
    for _, cls in inspect.getmembers(mm_fields, inspect.isclass):
        messages += [m for m in getattr(cls, "default_error_messages", {}).values() if isinstance(m, str)]
    for _, cls in inspect.getmembers(mm_validate, inspect.isclass):
        for attr in dir(cls):
            if attr.startswith(("default_message", "message_")) and isinstance(getattr(cls, attr), str):
                messages.append(getattr(cls, attr))
    phrases = set()
    for message in messages:
        for piece in re.split(r"\{+[^}]*\}+", message):
            part = piece.strip(' ."').lower()
            if len(part.split()) >= 2:  # "not a valid", "missing data for required field", …
                phrases.add(part)
    return phrases


ENGLISH_PHRASES = _marshmallow_phrases() | {
    "must be",
    "may not",
    "is not",
    "not a",
    "unknown field",
    "invalid",
    "expecting",
    "line 1 column",
}
#: Common English words that no Indonesian message of this service holds (field names and choice
#: ids such as ``completed`` are skipped: they are written with underscores or are not in this list).
_WORDS = """must be is are not invalid field fields required missing unknown the of one input type
    length longer shorter than greater less equal between string integer number boolean value may
    should an and or for this that with only least most characters expected got object mapping nested
    allowed empty too large long pattern match does cannot formatted special permitted period address
    list tuple choices made was were please error"""
ENGLISH_WORDS = frozenset(_WORDS.split())


def english_in(message: str) -> list[str]:
    """The English phrases and words found in ``message`` (empty when it is Indonesian)."""
    lowered = message.lower()
    found = [phrase for phrase in ENGLISH_PHRASES if phrase in lowered]
    words = re.findall(r"[A-Za-z_]+", message)
    found += [word for word in words if "_" not in word and word.lower() in ENGLISH_WORDS]
    return found


def test_the_english_check_finds_marshmallow_defaults_and_passes_indonesian() -> None:
    assert "missing data for required field" in ENGLISH_PHRASES
    for english in ("Not a valid string.", "Must be one of: a, b.", "Unknown field.", "Length must be 3."):
        assert english_in(english), english
    for indonesian in (
        "wajib diisi",
        "harus salah satu dari skp, manual_iku, evaluasi, dokumen_penilaian",
        "tidak boleh kosong (null)",
        "harus true atau false",
        "paling banyak 300 karakter",
        "tidak boleh lebih besar dari max",
    ):
        assert english_in(indonesian) == [], indonesian


# --- breaking payloads ------------------------------------------------------------------------

Leaf = Callable[[Any], Any]


def _wrong_type(value: Any) -> Any:
    if isinstance(value, bool):
        return "ya"
    if isinstance(value, int | float):
        return "bukan angka"
    if isinstance(value, str):
        return 12345
    if isinstance(value, dict):
        return [1, 2]
    if isinstance(value, list):
        return {"isi": 1}
    return True


def _out_of_range(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return -1 if value > 0 else 10**16
    return value


def _bad_date(value: Any) -> Any:
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        return "2024-02-30"
    return value


def _bad_choice(value: Any) -> Any:
    return "pilihan_tidak_ada" if isinstance(value, str) else value


def _too_long(value: Any) -> Any:
    if isinstance(value, str):
        return "x" * 5000
    if isinstance(value, list) and value:
        return value * (1001 // len(value) + 1)
    return value


def _tiny(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return 0.000000000001
    if isinstance(value, str):
        return "a\x00b"
    if isinstance(value, list):
        return []
    return value


#: How a value is broken; ``None``: the key is removed; ``...``: an unknown key is added beside it.
BREAKS: dict[str, Leaf | None] = {
    "wrong_type": _wrong_type,
    "null": lambda _: None,
    "out_of_range": _out_of_range,
    "bad_date": _bad_date,
    "bad_choice": _bad_choice,
    "too_long": _too_long,
    "tiny": _tiny,
    "missing": None,
    "unknown": None,
}


#: Breaks that only make sense on a leaf; containers get wrong_type, null, too_long and tiny.
LEAF_ONLY = frozenset({"out_of_range", "bad_date", "bad_choice"})


def _paths(node: Any, path: Path_ = ()) -> Iterator[Path_]:
    """Every path in a JSON value, parents before children."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*path, key)
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield (*path, index)
            yield from _paths(value, (*path, index))


def _parent(payload: Any, path: Path_) -> Any:
    node = payload
    for part in path[:-1]:
        node = node[part]
    return node


def broken(payload: Payload, paths: list[Path_], kind: str) -> Payload:
    """``payload`` with each of ``paths`` broken the ``kind`` way (deepest first, so that breaking a
    child never reaches into a parent already replaced).
    """
    out = copy.deepcopy(payload)
    for path in sorted(paths, key=len, reverse=True):
        try:
            parent = _parent(out, path)
            value = parent[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue  # under something removed or replaced already
        if kind == "missing":
            if isinstance(parent, dict):
                del parent[path[-1]]
        elif kind == "unknown":
            if isinstance(value, dict):
                value["bidang_asing"] = 1
            elif isinstance(parent, dict):
                parent["bidang_asing_" + str(path[-1])] = 1
        else:
            change = BREAKS[kind]
            assert change is not None
            if isinstance(value, dict | list) and kind in LEAF_ONLY:
                continue
            parent[path[-1]] = change(value)
    return out


def _cases() -> Iterator[tuple[str, str, Payload]]:
    """Broken payloads: each kind over each top-level subtree of every example, the whole example
    at once, and for :data:`ONE_BY_ONE` each path alone.
    """
    kinds = list(BREAKS)

    def turn(number: int, *steps: int) -> list[str]:
        # A few kinds per subtree or path, turning through all of them: every kind reaches every
        # part of the payloads in a fraction of the requests of every pair.
        return [kinds[(number + step) % len(kinds)] for step in steps]

    for name in NAMES:
        payload = load_example(name)
        every = list(_paths(payload))
        for kind in kinds:
            yield f"{name}:{kind}:all", "all", broken(payload, every, kind)
        for number, key in enumerate(payload):
            under = [p for p in every if p[0] == key]
            for kind in turn(number + len(name), 0, 3, 6):
                yield f"{name}:{kind}:{key}", "subtree", broken(payload, under, kind)
        if name in ONE_BY_ONE:
            for number, path in enumerate(every):
                for kind in turn(number, 0, 4):
                    yield f"{name}:{kind}:{'.'.join(map(str, path))}", "path", broken(payload, [path], kind)


class Collected:
    """The ``detail`` and ``errors`` of every problem answered, with where each came from."""

    def __init__(self) -> None:
        self.details: dict[str, str] = {}
        self.messages: dict[tuple[str, str], str] = {}
        self.unnamed: list[tuple[str, dict[str, Any]]] = []
        self.statuses: dict[int, int] = {}

    def add(self, case: str, response: Any) -> None:
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
        if response.status_code < 400:
            return
        assert response.mimetype == "application/problem+json", case
        body = response.json
        self.details.setdefault(body["detail"], case)
        for error in body.get("errors", []):
            field = error.get("field")
            if not isinstance(field, str) or not field.strip():
                self.unnamed.append((case, error))
            self.messages.setdefault((field, error["message"]), case)

    def english(self) -> list[tuple[str, str, list[str]]]:
        found = [(case, detail, english_in(detail)) for detail, case in self.details.items()]
        found += [(case, f"{f}: {m}", english_in(m)) for (f, m), case in self.messages.items()]
        return [item for item in found if item[2]]


@pytest.fixture
def collected(client: FlaskClient, auth: dict[str, str]) -> Collected:
    out = Collected()
    for number, (case, group, payload) in enumerate(_cases()):
        out.add(case, client.post("/api/v1/scores", json=payload, headers=auth))
        # The same schema and the signers' contact data: every example broken whole, some by subtree.
        if group == "all" or (group == "subtree" and case.split(":")[0] in ONE_BY_ONE):
            key = {**auth, "Idempotency-Key": f"messages-{number}"}
            out.add(f"documents:{case}", client.post("/api/v1/documents", json=payload, headers=key))
    return out


def test_every_validation_message_of_a_broken_payload_is_indonesian_and_names_its_field(
    collected: Collected,
) -> None:
    assert collected.statuses.get(422, 0) > 1000  # the breaking reached the validation
    assert len(collected.messages) > 300
    said = {message for _, message in collected.messages}
    for expected in ("wajib diisi", "bidang tidak dikenal", "tidak boleh kosong (null)", "harus berupa teks"):
        assert expected in said
    assert any(m.startswith("harus salah satu dari ") for m in said)
    assert collected.unnamed == []
    assert collected.english() == []


def test_every_message_of_a_broken_archive_query_is_indonesian(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    out = Collected()
    values = [
        "",
        "abc",
        "-1",
        "0",
        "1500",
        "3000",
        "101",
        "pilihan_tidak_ada",
        "a\x01b",
        "x" * 1000,
        "2024-13-45",
    ]
    names = sorted(ArchiveQuerySchema().fields)
    for name in names:
        for value in values:
            out.add(
                f"query:{name}={value!r}",
                client.get("/api/v1/documents", query_string={name: value}, headers=auth),
            )
    out.add("query:unknown", client.get("/api/v1/documents?bidang_asing=1", headers=auth))
    out.add(
        "query:all",
        client.get("/api/v1/documents", query_string=dict.fromkeys(names, "a\x01b"), headers=auth),
    )
    assert out.statuses.get(422, 0) > len(names)
    fields_named = {field for field, _ in out.messages}
    assert {"bidang_asing", "periode", "limit", "type", "status", "nip"} <= fields_named
    assert out.unnamed == []
    assert out.english() == []


def test_the_details_of_every_status_of_broken_bodies_and_of_broken_pdfs_are_indonesian(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    assert [(s, d, english_in(d)) for s, d in DETAIL_ID.items() if english_in(d)] == []
    out = Collected()
    headers = {**auth, "Content-Type": "application/json"}
    for body in (b"{", b"[1]", b'{"a": NaN}', b'{"a": 1, "a": 2}', b"\xff", b"\xef\xbb\xbf{}", b"[" * 100000):
        out.add(repr(body[:20]), client.post("/api/v1/scores", data=body, headers=headers))
    assert out.statuses == {400: 7}
    for data in (b"bukan pdf", b"%PDF-1.7\nrusak", b"%PDF-1.7\n%%EOF"):
        upload = {"file": (io.BytesIO(data), "berkas.pdf")}
        out.add(repr(data), client.post("/api/v1/verify", data=upload, headers=auth))
    assert out.statuses == {400: 7, 422: 3}
    assert {field for field, _ in out.messages} == {"file"}
    assert out.english() == []


UNITS = {
    "regime": "permenpanrb_8_2021",
    "pegawai": [
        {"nip": "198704122010122003", "predikat": "baik", "nilai": 80},
        {"nip": "197811032005011002", "predikat": "sangat_baik", "nilai": 95},
    ],
}
DELEGATE = {
    "jenis": "plt",
    "nama": "Budi Santoso, S.E.",
    "nip": "197502152000031004",
    "jabatan": "Plt. Kepala Bidang",
    "email": "budi@example.go.id",
    "nik": "3374011502750004",
    "sertifikat": {"penyedia": "instansi"},
}


def test_the_unit_check_and_the_delegation_answer_in_indonesian(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    key = {**auth, "Idempotency-Key": "messages-delegate"}
    created = client.post("/api/v1/documents", json=load_example("pp46_2011_skp"), headers=key)
    assert created.status_code == 202, created.get_data(as_text=True)
    delegate = f"/api/v1/documents/{created.get_json()['id']}/signers/1/delegate"
    out = Collected()
    for body, where in ((UNITS, "/api/v1/units/check"), (DELEGATE, delegate)):
        every = list(_paths(body))
        for kind in BREAKS:
            out.add(f"{where}:{kind}", client.post(where, json=broken(body, every, kind), headers=auth))
            for path in every:
                out.add(
                    f"{where}:{kind}:{path}",
                    client.post(where, json=broken(body, [path], kind), headers=auth),
                )
    assert out.statuses.get(422, 0) > 100
    assert {field for field, _ in out.messages} >= {"regime", "pegawai.0.nip", "jenis", "sertifikat.penyedia"}
    assert out.unnamed == []
    assert out.english() == []


def _messages(schema: marshmallow.Schema, data: Any) -> dict[str, list[str]]:
    with pytest.raises(marshmallow.ValidationError) as caught:
        schema.load(data)
    messages = caught.value.messages
    assert isinstance(messages, dict)
    return {item["field"]: [item["message"]] for item in flatten_errors(messages)}


def test_plain_marshmallow_fields_and_validators_in_a_base_schema_answer_in_indonesian() -> None:
    """The base schema makes marshmallow's own defaults Indonesian (once, for every field), so a
    plain ``fields.String`` or ``validate.OneOf`` added later cannot bring English back.
    """

    class Anak(BaseSchema):
        x = mm_fields.Integer(required=True)

    class Contoh(BaseSchema):
        teks = mm_fields.String(required=True, validate=mm_validate.Length(max=3))
        bulat = mm_fields.Integer(validate=mm_validate.Range(min=1, max=5))
        lebih = mm_fields.Float(validate=mm_validate.Range(min=0, min_inclusive=False))
        daftar = mm_fields.List(mm_fields.String(), validate=mm_validate.Length(min=2))
        surel = mm_fields.List(mm_fields.Email())
        pilihan = mm_fields.String(validate=mm_validate.OneOf(["x", "y"]))
        pola = mm_fields.String(validate=mm_validate.Regexp(r"[0-9]+"))
        peta = mm_fields.Dict(keys=mm_fields.String(), values=mm_fields.Integer())
        waktu = mm_fields.DateTime()
        tanggal = mm_fields.Date()
        alamat = mm_fields.Url()
        benar = mm_fields.Boolean()
        anak = mm_fields.Nested(Anak)
        pasangan = mm_fields.Tuple((mm_fields.String(), mm_fields.Integer()))

    wrong = {
        "teks": "abcd",
        "bulat": 9,
        "lebih": 0,
        "daftar": ["satu"],
        "surel": ["bukan-email"],
        "pilihan": "z",
        "pola": "abc",
        "peta": {"k": "v"},
        "waktu": "kemarin",
        "tanggal": "2024-02-30",
        "alamat": "bukan url",
        "benar": "mungkin",
        "anak": {"x": "satu", "y": 1},
        "pasangan": ["a", "b"],
        "asing": 1,
    }
    got = _messages(Contoh(), wrong)
    assert got["teks"] == ["paling banyak 3 karakter"]
    assert got["bulat"] == ["harus antara 1 dan 5"]
    assert got["lebih"] == ["harus lebih dari 0"]
    assert got["daftar"] == ["minimal 2 butir"]
    assert got["surel.0"] == ["harus berupa alamat email yang sah"]
    assert got["pilihan"] == ["harus salah satu dari x, y"]
    assert got["peta.k.value"] == ["harus bilangan bulat"]
    assert got["anak.x"] == ["harus bilangan bulat"]
    assert got["anak.y"] == ["bidang tidak dikenal"]
    assert got["pasangan.1"] == ["harus bilangan bulat"]
    assert got["asing"] == ["bidang tidak dikenal"]
    assert set(got) >= {"pola", "waktu", "tanggal", "alamat", "benar"}
    assert [(f, m, english_in(m[0])) for f, m in got.items() if english_in(m[0])] == []

    nothing = _messages(Contoh(), {"teks": None, "daftar": "x", "peta": [], "anak": 3})
    assert nothing == {
        "teks": ["tidak boleh kosong (null)"],
        "daftar": ["harus berupa daftar (array JSON)"],
        "peta": ["harus berupa objek JSON"],
        "anak": ["harus berupa objek JSON"],
    }
    assert _messages(Contoh(), []) == {"": ["harus berupa objek JSON"]}


def test_the_request_schemas_of_pages_and_queries_answer_in_indonesian() -> None:
    got: dict[str, list[str]] = {}
    got |= _messages(DecisionSchema(), {"keputusan": 3, "alasan": [], "pin": None, "asing": 1})
    got |= {f"revisi.{k}": v for k, v in _messages(RevisionQuerySchema(), {"revision": "1x"}).items()}
    got |= {f"delegasi.{k}": v for k, v in _messages(DelegateSchema(), {"sertifikat": 3}).items()}
    assert got["keputusan"] == ["harus berupa teks"]
    assert got["pin"] == ["tidak boleh kosong (null)"]
    assert got["asing"] == ["bidang tidak dikenal"]
    assert got["delegasi.jenis"] == ["wajib diisi"]
    assert got["delegasi.sertifikat"] == ["harus berupa objek JSON"]
    assert [(f, m) for f, ms in got.items() for m in ms if english_in(m)] == []
