"""The OpenAPI document is the contract: valid OpenAPI 3.1, every route, every response shape, every
webhook event, and the examples it is shown with.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from werkzeug.test import TestResponse

from service.jsonio import json_number
from service.schemas import load_payload
from service.scoring import score_payload
from service.scoring.vocabulary import (
    COACHING_TYPES,
    DOCUMENT_TYPES,
    PERSON_TYPES,
    SIGNING_ORDER,
    UNIT_TYPES,
)
from service.workflow.webhooks import EVENTS
from tests.conftest import load_example
from tests.functional.support import ready_document

EXAMPLES = sorted((Path(__file__).parents[3] / "examples").glob("*.json"))
METHODS = ("get", "put", "post", "delete", "patch")
#: Keywords that give an object schema its shape (a bare ``{"type": "object"}`` has none).
SHAPING = ("properties", "additionalProperties", "patternProperties", "oneOf", "anyOf", "allOf", "$ref")


@pytest.fixture
def spec(client: FlaskClient, auth: dict[str, str]) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json", headers=auth)
    assert response.status_code == 200
    return _body(response)


def _body(response: TestResponse) -> dict[str, Any]:
    body = response.get_json()
    assert isinstance(body, dict), response.text
    return body


def _validator(spec: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    """A JSON Schema 2020-12 validator of ``schema``, its ``#/components/…`` refs resolved in ``spec``."""
    return Draft202012Validator({**schema, "components": spec["components"]})


def _operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def _bare_objects(schema: Any, spec: dict[str, Any], where: str, seen: set[str]) -> Iterator[str]:
    """Every object schema reachable from ``schema`` without a shape and without a reason."""
    if isinstance(schema, list):
        for index, item in enumerate(schema):
            yield from _bare_objects(item, spec, f"{where}[{index}]", seen)
        return
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref")
    if isinstance(ref, str):
        if ref not in seen:
            seen.add(ref)
            target = spec
            for part in ref.removeprefix("#/").split("/"):
                target = target[part]
            yield from _bare_objects(target, spec, ref, seen)
        return
    types = schema.get("type")
    is_object = types == "object" or (isinstance(types, list) and "object" in types)
    free_form = str(schema.get("description", "")).startswith("Free-form:")
    if is_object and not free_form and not any(k in schema for k in SHAPING):
        yield where
    for key, value in schema.items():
        if key in ("properties", "patternProperties") and isinstance(value, dict):
            for name, sub in value.items():
                yield from _bare_objects(sub, spec, f"{where}.{name}", seen)
        elif key in ("items", "additionalProperties", "oneOf", "anyOf", "allOf", "not", "prefixItems"):
            yield from _bare_objects(value, spec, f"{where}/{key}", seen)


def test_the_document_is_valid_openapi_3_1(spec: dict[str, Any]) -> None:
    assert spec["openapi"].startswith("3.1.")
    validate(spec)
    # The validator is not a formality: a response without its description fails it.
    broken = json.loads(json.dumps(spec))
    del broken["paths"]["/api/v1/scores"]["post"]["responses"]["200"]["description"]
    with pytest.raises(OpenAPIValidationError):
        validate(broken)


def test_every_served_api_route_is_documented_and_every_documented_one_served(
    app: Flask, spec: dict[str, Any]
) -> None:
    served = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }
    documented = {(path, method) for path, method, _ in _operations(spec)}
    assert served - documented == set(), "served, not documented"
    assert documented - served == set(), "documented, not served"


def test_no_response_or_webhook_body_is_a_bare_object(spec: dict[str, Any]) -> None:
    bare: list[str] = []
    for path, method, operation in _operations(spec):
        for status, response in operation["responses"].items():
            for media, content in response.get("content", {}).items():
                where = f"{method.upper()} {path} {status} {media}"
                bare += _bare_objects(content["schema"], spec, where, set())
    for event, item in spec["webhooks"].items():
        body = item["post"]["requestBody"]["content"]["application/json"]["schema"]
        bare += _bare_objects(body, spec, f"webhook {event}", set())
    assert bare == []
    # Free-form parts say so, with a reason.
    audit = spec["paths"]["/api/v1/documents/{document_id}/audit"]["get"]["responses"]["200"]
    item = audit["content"]["application/json"]["schema"]["properties"]["items"]["items"]
    assert item["properties"]["data"]["description"].startswith("Free-form: the event's own details")


def test_no_description_points_to_a_file_that_is_not_shipped(spec: dict[str, Any]) -> None:
    text = json.dumps(spec)
    assert "api.md" not in text
    assert ".md" not in text


def test_every_webhook_event_is_documented_with_its_body_and_headers(spec: dict[str, Any]) -> None:
    webhooks = spec["webhooks"]
    assert set(EVENTS) <= webhooks.keys()
    assert "ping" in webhooks
    for event, item in webhooks.items():
        post = item["post"]
        headers = {p["name"]: p for p in post["parameters"] if p["in"] == "header"}
        assert {"X-SKP-Event", "X-SKP-Delivery", "X-SKP-Signature"} <= headers.keys(), event
        assert "2XX" in post["responses"], event
        body = post["requestBody"]["content"]["application/json"]["schema"]
        validator = _validator(spec, body)
        component = spec["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
        assert component["properties"]["event"]["const"] == event
        assert {"event", "at", "actor"} <= set(component["required"]), event
        if event.startswith(("document.", "signer.")):
            assert "document" in component["required"], event
        # A body of another event is not this event's body.
        assert not validator.is_valid({"event": f"{event}.x", "at": "2026-12-01T08:00:00+00:00"})
    signature = webhooks["document.signed"]["post"]["parameters"]
    pattern = next(p for p in signature if p["name"] == "X-SKP-Signature")["schema"]["pattern"]
    one, two = "sha256=" + "a" * 64, "sha256=" + "b" * 64
    assert re.fullmatch(pattern, one)
    assert re.fullmatch(pattern, f"{one},{two}")
    assert not re.fullmatch(pattern, "sha1=" + "a" * 40)


def test_the_ping_and_batch_bodies_are_told_apart(spec: dict[str, Any]) -> None:
    actor = {"kind": "client", "name": "hr", "nip": None, "peran": None}
    ping = {"event": "ping", "at": "2026-12-01T08:00:00+00:00", "actor": actor, "client": "hr"}
    ping_schema = spec["webhooks"]["ping"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert _validator(spec, ping_schema).is_valid(ping)
    assert not _validator(spec, ping_schema).is_valid({**ping, "actor": {**actor, "kind": "system"}})
    batch: dict[str, Any] = {
        "id": "bat_1",
        "status": "completed",
        "created_at": "2026-12-01T08:00:00+00:00",
        "completed_at": "2026-12-01T08:01:00+00:00",
        "counts": dict.fromkeys(
            (
                "total",
                "refused",
                "rendering",
                "awaiting_signature",
                "completed",
                "rejected",
                "cancelled",
                "failed",
            ),
            0,
        ),
        "items": [{"index": 0, "idempotency_key": "k", "id": None, "status": None, "problem": None}],
        "links": {"self": "/api/v1/batches/bat_1"},
    }
    body = {
        "event": "batch.completed",
        "at": ping["at"],
        "actor": {**actor, "kind": "system"},
        "batch": batch,
    }
    schema = spec["webhooks"]["batch.completed"]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ]
    assert _validator(spec, schema).is_valid(body)
    refused = {"type": "about:blank", "title": "Unprocessable Content", "status": 422, "detail": "…"}
    assert _validator(spec, schema).is_valid(
        {**body, "batch": {**batch, "items": [{**batch["items"][0], "problem": refused}]}}
    )
    assert not _validator(spec, schema).is_valid({**body, "batch": {**batch, "counts": {"total": 0}}})


def _request_schema(spec: dict[str, Any], path: str) -> dict[str, Any]:
    schema: dict[str, Any] = spec["paths"][path]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ]
    return schema


def _component(spec: dict[str, Any], ref: str) -> dict[str, Any]:
    schema: dict[str, Any] = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return schema


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_is_a_document_payload(spec: dict[str, Any], example: Path) -> None:
    """Each example fits the request body, and the component its type names alone."""
    body = _request_schema(spec, "/api/v1/documents")
    assert body == _request_schema(spec, "/api/v1/scores")
    validator = _validator(spec, body)
    payload = json.loads(example.read_text(encoding="utf-8"))
    assert sorted(str(e) for e in validator.iter_errors(payload)) == []
    assert not validator.is_valid({**payload, "tidak_dikenal": 1})
    union = _component(spec, body["$ref"])
    mine = union["discriminator"]["mapping"][payload["type"]]
    for alternative in union["oneOf"]:
        fits = _validator(spec, alternative).is_valid(payload)
        assert fits == (alternative["$ref"] == mine), alternative["$ref"]


def test_the_payload_union_maps_every_type_to_the_schema_that_takes_it(spec: dict[str, Any]) -> None:
    union = _component(spec, _request_schema(spec, "/api/v1/documents")["$ref"])
    mapping = union["discriminator"]["mapping"]
    assert union["discriminator"]["propertyName"] == "type"
    assert list(mapping) == list(DOCUMENT_TYPES)
    assert sorted(set(mapping.values())) == sorted(a["$ref"] for a in union["oneOf"])
    for ref in set(mapping.values()):
        component = _component(spec, ref)
        assert "type" in component["required"], ref
        assert component["properties"]["type"]["enum"] == [t for t, r in mapping.items() if r == ref]
    assert mapping["skp"].endswith("/DocumentPayload")
    assert mapping["umpan_balik_bimbingan"].endswith("/UmpanBalikBimbinganPayload")
    # A unit or coaching type is taken only under the regimes that issue it.
    assert _component(spec, mapping["penetapan_predikat"])["properties"]["regime"]["enum"] == [
        "permenpanrb_6_2022"
    ]
    assert _component(spec, mapping["peringkat"])["properties"]["regime"]["enum"] == ["permenpanrb_8_2021"]
    # The batch items' payload is the same union.
    item = spec["components"]["schemas"]["BatchItem"]["properties"]["payload"]
    assert item["$ref"] == _request_schema(spec, "/api/v1/documents")["$ref"]


def test_signer_roles_and_document_types_list_every_one(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    assert schemas["Signer"]["properties"]["peran"]["enum"] == list(SIGNING_ORDER)
    assert schemas["Actor"]["properties"]["peran"]["enum"] == [*SIGNING_ORDER, None]
    penolakan = schemas["Document"]["properties"]["penolakan"]["anyOf"][0]
    assert penolakan["properties"]["peran"]["enum"] == list(SIGNING_ORDER)
    assert schemas["Document"]["properties"]["type"]["enum"] == list(DOCUMENT_TYPES)
    scores = _response_schema(spec, "/api/v1/scores", "post", "200")
    assert scores["properties"]["type"]["enum"] == list(DOCUMENT_TYPES)
    assert len(DOCUMENT_TYPES) == 9
    assert len(SIGNING_ORDER) == 6


def _type_of(example: Path) -> str:
    kind: str = json.loads(example.read_text(encoding="utf-8"))["type"]
    return kind


#: The examples of the unit and coaching types.
OTHER_EXAMPLES = [p for p in EXAMPLES if _type_of(p) not in PERSON_TYPES]


def test_there_is_an_example_of_every_unit_and_coaching_type() -> None:
    types = {_type_of(p) for p in OTHER_EXAMPLES}
    assert types == {*UNIT_TYPES, *COACHING_TYPES}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_examples_hasil_fits_its_documented_shape(spec: dict[str, Any], example: Path) -> None:
    """The real scoring of each example, as the service stores and answers it, against the schema."""
    payload = load_payload(json.loads(example.read_text(encoding="utf-8")))
    hasil = json.loads(json.dumps(score_payload(payload), default=json_number))
    answer = {"regime": payload["regime"], "type": payload["type"], "hasil": hasil}
    validator = _validator(spec, _response_schema(spec, "/api/v1/scores", "post", "200"))
    assert sorted(str(e) for e in validator.iter_errors(answer)) == []
    assert not validator.is_valid({**answer, "hasil": {**hasil, "tidak_dikenal": 1}})
    # Another type's hasil does not fit: each type is bound to its shape.
    if payload["type"] in UNIT_TYPES:
        assert not validator.is_valid({**answer, "hasil": {}})
        other = next(t for t in UNIT_TYPES if t != payload["type"])
        assert not validator.is_valid({**answer, "type": other})
    if payload["type"] in COACHING_TYPES:
        assert hasil == {}
        assert not validator.is_valid({**answer, "type": "penetapan_predikat"})


def test_a_unit_hasil_is_checked_row_by_row(spec: dict[str, Any]) -> None:
    """The rows of the unit hasil are closed too: a predikat of the other regime does not fit."""
    payload = load_payload(load_example("permenpanrb_8_2021_peringkat"))
    hasil = json.loads(json.dumps(score_payload(payload), default=json_number))
    answer = {"regime": payload["regime"], "type": payload["type"], "hasil": hasil}
    validator = _validator(spec, _response_schema(spec, "/api/v1/scores", "post", "200"))
    assert validator.is_valid(answer)
    row = {**hasil["peringkat"][0], "predikat": "butuh_perbaikan"}
    assert not validator.is_valid({**answer, "hasil": {**hasil, "peringkat": [row]}})
    distribusi = {k: v for k, v in hasil["distribusi"].items() if k != "cukup"}
    assert not validator.is_valid({**answer, "hasil": {**hasil, "distribusi": distribusi}})


def _response_schema(spec: dict[str, Any], path: str, method: str, status: str) -> dict[str, Any]:
    schema: dict[str, Any] = spec["paths"][path][method]["responses"][status]["content"]["application/json"][
        "schema"
    ]
    return schema


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_scores_answer_fits_its_documented_shape(
    client: FlaskClient, auth: dict[str, str], spec: dict[str, Any], example: Path
) -> None:
    """The hasil schemas against the real scoring, one example per regime and type."""
    response = client.post("/api/v1/scores", json=load_example(example.stem), headers=auth)
    assert response.status_code == 200, response.text
    body = _body(response)
    validator = _validator(spec, _response_schema(spec, "/api/v1/scores", "post", "200"))
    assert sorted(str(e) for e in validator.iter_errors(body)) == []
    # The shape is bound to the regime: the same hasil under another regime does not fit.
    other = next(r for r in ("pp46_2011", "permenpanrb_8_2021", "permenpanrb_6_2022") if r != body["regime"])
    assert not validator.is_valid({**body, "regime": other})
    assert not validator.is_valid({**body, "hasil": {**body["hasil"], "tidak_dikenal": 1}})


def test_the_unit_check_answer_fits_its_documented_shape(
    client: FlaskClient, auth: dict[str, str], spec: dict[str, Any]
) -> None:
    pegawai = [
        {"nip": "199001012015031001", "predikat": "sangat_baik", "nilai": 110},
        {"nip": "199001012015031002", "predikat": "sangat_baik", "nilai": 112},
        {"nip": "199001012015031003", "predikat": "baik"},
    ]
    response = client.post(
        "/api/v1/units/check", json={"regime": "permenpanrb_8_2021", "pegawai": pegawai}, headers=auth
    )
    assert response.status_code == 200, response.text
    body = _body(response)
    assert body["warnings"], "the unit breaks the 8/2021 distribution: the warnings are checked too"
    validator = _validator(spec, _response_schema(spec, "/api/v1/units/check", "post", "200"))
    assert sorted(str(e) for e in validator.iter_errors(body)) == []
    assert not validator.is_valid({**body, "warnings": [{"aturan": "x"}]})


@pytest.mark.parametrize("example", OTHER_EXAMPLES, ids=lambda p: p.stem)
def test_a_created_unit_or_coaching_document_fits_the_documented_document(
    client: FlaskClient, auth: dict[str, str], spec: dict[str, Any], example: Path
) -> None:
    """Its signers take the new roles, its hasil a new shape; it names no pegawai of its own."""
    payload = load_example(example.stem)
    created = client.post(
        "/api/v1/documents", json=payload, headers={**auth, "Idempotency-Key": f"doc-{example.stem}"}
    )
    assert created.status_code == 202, created.text
    body = _body(created)
    validator = _validator(spec, _response_schema(spec, "/api/v1/documents/{document_id}", "get", "200"))
    assert sorted(str(e) for e in validator.iter_errors(body)) == []
    shown = client.get(body["links"]["self"], headers=auth)
    assert shown.status_code == 200
    assert sorted(str(e) for e in validator.iter_errors(_body(shown))) == []
    assert {s["peran"] for s in body["signers"]} <= set(SIGNING_ORDER)
    assert not validator.is_valid({**body, "signers": [{**body["signers"][0], "peran": "lurah"}]})


def test_the_docs_page_lists_the_webhooks(client: FlaskClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for event in EVENTS:
        assert f"<code>{event}</code>" in text
    assert "X-SKP-Signature" in text
    assert "sha256=" in text


def test_the_batch_answers_fit_the_documented_batch(
    client: FlaskClient, auth: dict[str, str], spec: dict[str, Any]
) -> None:
    """A real batch, one item created and one refused: the 202 and the GET against Batch."""
    broken = {**load_example("pp46_2011_skp"), "type": "tidak_ada"}
    items = [
        {"idempotency_key": "doc-batch-1", "payload": load_example("pp46_2011_evaluasi")},
        {"idempotency_key": "doc-batch-2", "payload": broken},
    ]
    created = client.post("/api/v1/batches", json={"items": items}, headers=auth)
    assert created.status_code == 202, created.text
    body = _body(created)
    validator = _validator(spec, _response_schema(spec, "/api/v1/batches", "post", "202"))
    assert sorted(str(e) for e in validator.iter_errors(body)) == []
    assert body["items"][0]["problem"] is None
    assert body["items"][1]["problem"]["status"] == 422  # the refused item's problem is validated too
    again = client.get(body["links"]["self"], headers=auth)
    assert again.status_code == 200
    validator = _validator(spec, _response_schema(spec, "/api/v1/batches/{batch_id}", "get", "200"))
    assert sorted(str(e) for e in validator.iter_errors(_body(again))) == []
    assert not validator.is_valid({**_body(again), "counts": {"total": 2}})


def test_the_client_and_secret_rotation_answers_fit_their_documented_shapes(
    client: FlaskClient, auth: dict[str, str], spec: dict[str, Any]
) -> None:
    rotated = client.post("/api/v1/client/webhook-secret", json={"grace_hours": 2}, headers=auth)
    assert rotated.status_code == 200, rotated.text
    validator = _validator(spec, _response_schema(spec, "/api/v1/client/webhook-secret", "post", "200"))
    assert sorted(str(e) for e in validator.iter_errors(_body(rotated))) == []
    assert _body(rotated)["previous_valid_until"] is not None
    me = client.get("/api/v1/client", headers=auth)
    assert me.status_code == 200
    validator = _validator(spec, _response_schema(spec, "/api/v1/client", "get", "200"))
    assert sorted(str(e) for e in validator.iter_errors(_body(me))) == []
    assert _body(me)["webhook_secret_rotated_at"] is not None


def test_a_sealed_documents_answers_fit_their_documented_shapes(
    app: Flask, client: FlaskClient, auth: dict[str, str], spec: dict[str, Any]
) -> None:
    """A real sealed document: GET, its audit trail, and the verification of its PDF."""
    document_id = ready_document(app, idempotency_key="doc-shapes")
    base = f"/api/v1/documents/{document_id}"
    shown = client.get(base, headers=auth)
    assert shown.status_code == 200
    validator = _validator(spec, _response_schema(spec, "/api/v1/documents/{document_id}", "get", "200"))
    assert sorted(str(e) for e in validator.iter_errors(_body(shown))) == []
    assert not validator.is_valid({**_body(shown), "tidak_dikenal": 1})
    trail = client.get(f"{base}/audit", headers=auth)
    validator = _validator(
        spec, _response_schema(spec, "/api/v1/documents/{document_id}/audit", "get", "200")
    )
    assert sorted(str(e) for e in validator.iter_errors(_body(trail))) == []
    pdf = client.get(f"{base}/pdf", headers=auth)
    assert pdf.status_code == 200
    verified = client.post(
        "/api/v1/verify",
        data={"file": (io.BytesIO(pdf.data), "skp.pdf", "application/pdf")},
        content_type="multipart/form-data",
        headers=auth,
    )
    assert verified.status_code == 200, verified.text
    body = _body(verified)
    assert body["signatures"], "the seal is a signature: its documented shape is checked"
    validator = _validator(spec, _response_schema(spec, "/api/v1/verify", "post", "200"))
    assert sorted(str(e) for e in validator.iter_errors(body)) == []
