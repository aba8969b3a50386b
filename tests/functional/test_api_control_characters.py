"""NUL and other control characters in a URL or a header never reach the database.

PostgreSQL refuses NUL in any text value (``DataError``), so each of these answered 500 there
while SQLite let them through; found by schemathesis. Run with SKP_TEST_DATABASE_URL to see the
difference; the answers are the same on both databases.
"""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient

from tests.conftest import load_example


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/documents/doc%00x",
        "/api/v1/documents/doc%00x/pdf",
        "/api/v1/documents/doc%00x/audit",
        "/api/v1/documents/doc%00x/webhooks",
    ],
)
def test_a_document_id_with_nul_names_no_document(
    client: FlaskClient, auth: dict[str, str], path: str
) -> None:
    response = client.get(path, headers=auth)
    assert response.status_code == 404, response.text
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("name", ["q", "nama", "unit_kerja"])
@pytest.mark.parametrize("value", ["a%00b", "%07", "baris%0Abaru", "%7F"])
def test_search_text_with_control_characters_is_refused(
    client: FlaskClient, auth: dict[str, str], name: str, value: str
) -> None:
    response = client.get(f"/api/v1/documents?{name}={value}", headers=auth)
    assert response.status_code == 422, response.text
    assert response.json["errors"] == [{"field": name, "message": "tidak boleh memuat karakter kendali"}]
    # Ordinary text, accents and all, still searches.
    assert client.get(f"/api/v1/documents?{name}=Dra.%20Sri%20Wahyuni%C3%A9", headers=auth).status_code == 200


@pytest.mark.parametrize("key", ["a\x00b", "tab\there", "kunci-\u00e9", "\x7f"])
def test_an_idempotency_key_is_visible_ascii(client: FlaskClient, auth: dict[str, str], key: str) -> None:
    response = client.post(
        "/api/v1/documents",
        data=json.dumps(load_example("pp46_2011_evaluasi")),
        headers={**auth, "Content-Type": "application/json", "Idempotency-Key": key},
    )
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json["errors"]] == ["Idempotency-Key"]


def test_an_idempotency_key_may_hold_inner_spaces(client: FlaskClient, auth: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/documents",
        data=json.dumps(load_example("pp46_2011_evaluasi")),
        headers={**auth, "Content-Type": "application/json", "Idempotency-Key": "batch 7 / item 12"},
    )
    assert response.status_code == 202, response.text


@pytest.mark.parametrize(
    "body",
    [
        {"\ud800": 1},  # a key: the problem naming it could not be encoded (it answered 500)
        {"type": "skp", "pegawai": {"nama": "Budi \udfff"}},
        {"items": [{"idempotency_key": "\ud83d", "payload": {}}]},
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/scores", "/api/v1/documents", "/api/v1/batches"])
def test_a_lone_surrogate_is_no_text_and_the_body_is_refused(
    client: FlaskClient, auth: dict[str, str], body: dict[str, object], path: str
) -> None:
    data = json.dumps(body)  # ASCII: the surrogate travels as its \u escape, as JSON allows
    headers = {**auth, "Idempotency-Key": "k-surrogate"}
    response = client.post(path, data=data, content_type="application/json", headers=headers)
    assert response.status_code == 400, response.text
    assert "surrogate" in response.json["detail"]


def test_a_surrogate_pair_is_one_character_and_welcome(client: FlaskClient, auth: dict[str, str]) -> None:
    body = load_example("pp46_2011_evaluasi")
    body["pegawai"]["nama"] += " \U0001f600"  # travels as \ud83d\ude00
    response = client.post(
        "/api/v1/scores", data=json.dumps(body), content_type="application/json", headers=auth
    )
    assert response.status_code != 400, response.text
