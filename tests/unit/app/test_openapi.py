"""The OpenAPI 3.1 document comes from the same schemas the views load."""

from __future__ import annotations

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
