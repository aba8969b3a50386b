"""Request bodies: UTF-8 without BOM only (RFC 8259), and no key given twice; refused before anything
is stored, with a 400/415 problem, never accepted and failed later."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.db import get_session
from service.models import Document
from tests.conftest import load_example

BODY = json.dumps(load_example("permenpanrb_6_2022_skp"), ensure_ascii=False)


def _post(client: FlaskClient, auth: dict[str, str], data: bytes, content_type: str) -> dict[str, object]:
    response = client.post(
        "/api/v1/documents",
        data=data,
        headers={**auth, "Content-Type": content_type, "Idempotency-Key": "enc-1"},
    )
    assert response.mimetype == "application/problem+json", response.text
    problem: dict[str, object] = {"status": response.status_code, **(response.json or {})}
    return problem


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (b"\xef\xbb\xbf" + BODY.encode(), "BOM"),
        (BODY.encode("utf-16"), "UTF-8"),
        (BODY.encode("utf-16-le"), "UTF-8"),
        (BODY.encode("utf-32"), "UTF-8"),
        (b'{"type": "skp", "x": "\xff"}', "UTF-8"),
    ],
)
def test_bodies_not_in_utf8_are_400_and_nothing_is_stored(
    app: Flask, client: FlaskClient, auth: dict[str, str], data: bytes, detail: str
) -> None:
    problem = _post(client, auth, data, "application/json")
    assert problem["status"] == 400
    assert detail in str(problem["detail"])
    with app.app_context():
        assert get_session().query(Document).count() == 0


def test_a_declared_charset_other_than_utf8_is_415(client: FlaskClient, auth: dict[str, str]) -> None:
    problem = _post(client, auth, BODY.encode("utf-16"), "application/json; charset=utf-16")
    assert problem["status"] == 415


def test_utf8_declared_explicitly_is_fine(client: FlaskClient, auth: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/scores",
        data=BODY.encode(),
        headers={**auth, "Content-Type": "application/json; charset=UTF-8"},
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("route", ["/api/v1/scores", "/api/v1/documents"])
def test_a_key_given_twice_is_400_naming_it(client: FlaskClient, auth: dict[str, str], route: str) -> None:
    duplicated = BODY.replace('"type": "skp"', '"type": "skp", "type": "evaluasi"', 1)
    assert duplicated != BODY
    response = client.post(
        route,
        data=duplicated.encode(),
        headers={**auth, "Content-Type": "application/json", "Idempotency-Key": "d"},
    )
    assert response.status_code == 400
    assert "'type'" in response.json["detail"]  # type: ignore[index]


def test_duplicates_deep_inside_are_found_too(client: FlaskClient, auth: dict[str, str]) -> None:
    duplicated = BODY.replace('"nama":', '"nama": "X", "nama":', 1)
    response = client.post(
        "/api/v1/scores", data=duplicated.encode(), headers={**auth, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert "'nama'" in response.json["detail"]  # type: ignore[index]
