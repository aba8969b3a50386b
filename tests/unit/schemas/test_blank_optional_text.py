"""Optional text sent as ``""`` or only whitespace is the same as absent (api.md conventions), never
"wajib diisi": for every optional text field of every payload schema, found by walking the schemas.

The walk follows the examples (each example payload reaches the optional fields its objects carry),
and a second walk over the schema classes alone proves that no optional text field is left out.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from marshmallow import Schema, ValidationError, fields

from service.schemas import DocumentPayloadSchema
from service.schemas.dokumen_lain import SCHEMAS
from service.schemas.fields import KosongBerartiTidakAda, Objek
from service.schemas.payload import PerRegime
from service.schemas.units import UnitCheckSchema
from tests.conftest import EXAMPLES
from tests.unit.schemas.support import example

Path = tuple[str | int, ...]
Found = tuple[type[Schema], str]

BLANKS = ("", "   ", " \t\n ")


def _nested(field: fields.Field) -> type[Schema] | None:  # type: ignore[type-arg]
    if isinstance(field, Objek):
        nested = field.nested
        return nested if isinstance(nested, type) else type(nested)  # type: ignore[return-value]
    return None


def _optional_text(schema: type[Schema]) -> Iterator[str]:
    excluded = set(getattr(schema.Meta, "exclude", ()))  # a member the schema refuses
    for name, field in schema._declared_fields.items():
        if name in excluded:
            continue
        if isinstance(field, KosongBerartiTidakAda) and not field.required:
            yield name


def _children(field: fields.Field, regime: str | None) -> list[type[Schema]]:  # type: ignore[type-arg]
    """The schemas a field's value is validated by (``regime=None``: every regime's)."""
    if isinstance(field, PerRegime):
        return list(field.schemas.values()) if regime is None else [field.schemas[regime]]
    if isinstance(field, fields.List):
        return _children(field.inner, regime)
    nested = _nested(field)
    return [nested] if nested else []


def every_optional_text(root: type[Schema]) -> set[Found]:
    """Every (schema, field) of an optional text field reachable from ``root``, by its classes."""
    found: set[Found] = set()
    seen: set[type[Schema]] = set()
    todo = [root]
    while todo:
        schema = todo.pop()
        if schema in seen:
            continue
        seen.add(schema)
        found |= {(schema, name) for name in _optional_text(schema)}
        for field in schema._declared_fields.values():
            todo.extend(_children(field, None))
    return found


def _walk(schema: type[Schema], data: Any, regime: str, path: Path) -> Iterator[tuple[Found, Path]]:
    """(schema, optional text field) with the path of an object of ``data`` that schema validates."""
    if not isinstance(data, Mapping):
        return
    for name in _optional_text(schema):
        yield (schema, name), (*path, name)
    for name, field in schema._declared_fields.items():
        value = data.get(name)
        if value is None:
            continue
        for child in _children(field, regime):
            if isinstance(field, fields.List) and isinstance(value, list):
                for index, item in enumerate(value):
                    yield from _walk(child, item, regime, (*path, name, index))
            else:
                yield from _walk(child, value, regime, (*path, name))


def _set(data: Any, path: Path, value: Any) -> None:
    for key in path[:-1]:
        data = data[key]
    if value is _ABSENT:
        data.pop(path[-1], None)
    else:
        data[path[-1]] = value


_ABSENT = object()

#: Every schema a document payload is validated by (``load_payload`` picks one by ``type``).
ROOTS: list[type[Schema]] = [DocumentPayloadSchema, *SCHEMAS.values()]


def _root(payload: Mapping[str, Any]) -> type[Schema]:
    return SCHEMAS.get(payload["type"], DocumentPayloadSchema)


def _outcome(schema: Schema, data: Any) -> tuple[str, Any]:
    try:
        return "ok", schema.load(data)
    except ValidationError as error:
        return "errors", error.messages


#: The examples name no certificate provider (they are posted to instances that have none set up):
#: one of them with a CSC signer reaches the ``sertifikat`` fields.
WITH_PROVIDER = ("permenpanrb_8_2021_dokumen_penilaian", "pejabat_penilai")


def _with_provider() -> dict[str, Any]:
    name, peran = WITH_PROVIDER
    payload = example(name)
    payload[peran]["sertifikat"] = {"penyedia": "csc", "nik": "3578062309850003", "credential_id": "tsp/x"}
    return payload


def _cases() -> dict[Found, tuple[str, Path]]:
    """One example and path per optional text field (the first example that reaches it)."""
    cases: dict[Found, tuple[str, Path]] = {}
    payloads = [(path.stem, example(path.stem)) for path in sorted(EXAMPLES.glob("*.json"))]
    for name, payload in [*payloads, ("+sertifikat", _with_provider())]:
        root = _root(payload)
        loaded = root().load(copy.deepcopy(payload))
        for found, where in _walk(root, payload, loaded["regime"], ()):
            cases.setdefault(found, (name, where))
    return cases


CASES = _cases()
UNIT_PAYLOAD = {
    "regime": "permenpanrb_6_2022",
    "pegawai": [{"nip": "198608172011011004", "predikat": "baik"}],
}


def test_the_examples_reach_every_optional_text_field() -> None:
    reached = set(CASES) | {(UnitCheckSchema, name) for name in _optional_text(UnitCheckSchema)}
    expected = set().union(*map(every_optional_text, ROOTS)) | every_optional_text(UnitCheckSchema)
    assert expected, "no optional text field found: the walk is broken"
    missing = sorted(f"{schema.__name__}.{name}" for schema, name in expected - reached)
    assert not missing, f"no example reaches {missing}"


@pytest.mark.parametrize("blank", BLANKS, ids=repr)
@pytest.mark.parametrize(("found", "case"), list(CASES.items()), ids=[f"{s.__name__}.{n}" for s, n in CASES])
def test_blank_optional_text_is_the_same_as_absent(found: Found, case: tuple[str, Path], blank: str) -> None:
    name, path = case
    given, absent = (
        (_with_provider(), _with_provider()) if name == "+sertifikat" else (example(name), example(name))
    )
    schema = _root(given)()
    _set(given, path, blank)
    _set(absent, path, _ABSENT)
    assert _outcome(schema, given) == _outcome(schema, absent), ".".join(map(str, path))


@pytest.mark.parametrize("blank", BLANKS, ids=repr)
@pytest.mark.parametrize("field", sorted(_optional_text(UnitCheckSchema)))
def test_blank_optional_text_of_a_unit_check(field: str, blank: str) -> None:
    assert UnitCheckSchema().load({**UNIT_PAYLOAD, field: blank}) == UnitCheckSchema().load(UNIT_PAYLOAD)


def test_blank_required_text_and_blank_list_items_are_still_refused() -> None:
    payload = example("permenpanrb_6_2022_skp")
    payload["instansi"] = "  "
    payload["skp"]["lampiran"]["konsekuensi"] = ["Sanksi sesuai ketentuan", " "]
    _, messages = _outcome(DocumentPayloadSchema(), payload)
    assert messages == {
        "instansi": ["wajib diisi"],
        "skp": {"lampiran": {"konsekuensi": {1: ["wajib diisi"]}}},
    }
