"""The OpenAPI 3.1 document comes from the same schemas the views load."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient


def test_openapi_document_describes_the_routes_and_payload(client: FlaskClient, auth: dict[str, str]) -> None:
    response = client.get("/api/v1/openapi.json", headers=auth)
    assert response.status_code == 200
    spec = response.json
    assert spec is not None
    assert spec["openapi"] == "3.1.0"
    assert {"/api/v1/scores", "/api/v1/units/check"} <= spec["paths"].keys()
    schemas = spec["components"]["schemas"]
    payload = schemas["DocumentPayload"]
    assert {"type", "periode", "pegawai"} <= payload["properties"].keys()
    # The same schema refuses unknown fields, and the document says so.
    assert payload.get("additionalProperties") is False
    assert "422" in spec["paths"]["/api/v1/scores"]["post"]["responses"]
    # skp takes its schema from the regime: one alternative per regime, each a real component.
    alternatives = [ref["$ref"].rsplit("/", 1)[1] for ref in payload["properties"]["skp"]["oneOf"]]
    assert len(alternatives) == 3
    assert all(
        "kegiatan" in schemas[a]["properties"]
        or "hasil_kerja" in schemas[a]["properties"]
        or "kinerja_utama" in schemas[a]["properties"]
        for a in alternatives
    )
    assert {"/api/v1/documents", "/api/v1/documents/{document_id}/pdf", "/api/v1/verify"} <= (
        spec["paths"].keys()
    )


def test_openapi_needs_a_key_and_docs_page_is_public(client: FlaskClient) -> None:
    assert client.get("/api/v1/openapi.json").status_code == 401
    page = client.get("/docs")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "/api/v1/scores" in text
    assert "DocumentPayload" in text


def _spec(client: FlaskClient, auth: dict[str, str]) -> dict[str, Any]:
    spec: dict[str, Any] = client.get("/api/v1/openapi.json", headers=auth).json
    return spec


def test_every_api_route_is_in_the_document(app: Flask, client: FlaskClient, auth: dict[str, str]) -> None:
    paths = _spec(client, auth)["paths"]
    routes = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }
    documented = {(path, method) for path, item in paths.items() for method in item if method != "parameters"}
    assert routes - documented == set()
    assert documented - routes == set()


def test_the_document_states_the_per_field_rules(client: FlaskClient, auth: dict[str, str]) -> None:
    spec = _spec(client, auth)
    search = {p["name"]: p for p in spec["paths"]["/api/v1/documents"]["get"]["parameters"]}
    assert search["periode"]["schema"] == {"type": "integer", "minimum": 2000, "maximum": 2100}
    assert search["limit"]["schema"]["minimum"] == 1
    assert search["limit"]["schema"]["maximum"] == 100
    assert search["nip"]["schema"]["pattern"] == "^[0-9]{1,18}$"
    pdf = {p["name"]: p for p in spec["paths"]["/api/v1/documents/{document_id}/pdf"]["get"]["parameters"]}
    assert pdf["revision"]["schema"] == {"type": "string", "pattern": "^[0-9]{1,6}$"}
    create = spec["paths"]["/api/v1/documents"]["post"]
    (key,) = [p for p in create["parameters"] if p["name"] == "Idempotency-Key"]
    assert key["required"] is True
    assert key["schema"]["minLength"] == 1
    assert key["schema"]["maxLength"] == 200
    delegate = spec["paths"]["/api/v1/documents/{document_id}/signers/{urutan}/delegate"]["post"]
    body = delegate["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/Delegate"}
    schema = spec["components"]["schemas"]["Delegate"]
    assert set(schema["required"]) == {"jenis", "nama", "nip", "jabatan"}
    assert schema["additionalProperties"] is False
    assert schema["properties"]["jenis"]["enum"] == ["plt", "plh"]


def test_the_document_lists_400_413_414_415_where_they_occur(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    spec = _spec(client, auth)
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            statuses = set(operation["responses"])
            assert {"401", "414"} <= statuses, (method, path)
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                assert {"400", "413", "415", "422"} <= statuses, (method, path)
            elif "multipart/form-data" in content:
                assert {"413", "415", "422"} <= statuses, (method, path)
            else:
                assert not {"400", "413", "415"} & statuses, (method, path)


def test_an_over_long_request_target_is_414_problem_details(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    response = client.get("/api/v1/documents?q=" + "a" * 4100, headers=auth)
    assert response.status_code == 414
    assert response.mimetype == "application/problem+json"
    assert response.json["title"] == "URI Too Long"
    assert response.json["detail"] == "Alamat permintaan (path dan query) terlalu panjang."
    assert client.get("/api/v1/documents?q=" + "a" * 200, headers=auth).status_code == 200
