"""API clients: keys printed once, stored hashed, Bearer on every /api/v1 route, scopes enforced."""

from __future__ import annotations

import hashlib

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from service.clients import create_client
from service.db import get_session
from service.models import ApiClient, ApiKey

BODY = {
    "regime": "permenpanrb_6_2022",
    "capaian_organisasi": "baik",
    "pegawai": [{"nip": "198503152010011001", "predikat": "baik"}],
}


def test_cli_prints_key_alone_on_last_line_and_stores_only_its_hash(
    app: Flask, runner: FlaskCliRunner, client: FlaskClient
) -> None:
    result = runner.invoke(args=["skp", "clients", "create", "simpeg", "--scopes", "documents:read"])
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert key.startswith("skp_")
    assert len(key) > 50
    with app.app_context():
        client_row = get_session().scalar(select(ApiClient).where(ApiClient.name == "simpeg"))
        assert client_row is not None
        row = get_session().scalar(select(ApiKey).where(ApiKey.client_id == client_row.id))
        assert row is not None
        assert key not in (row.key_hash, row.key_prefix, client_row.scopes)
        assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    response = client.post("/api/v1/units/check", json=BODY, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200


def test_cli_refuses_unknown_scope(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["skp", "clients", "create", "x", "--scopes", "admin:all"])
    assert result.exit_code != 0
    assert "admin:all" in result.output


def test_missing_or_wrong_key_is_401_problem(client: FlaskClient, api_key: str) -> None:
    for headers in (
        {},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer skp_nope_nope"},
        {"Authorization": f"Bearer {api_key[:-1]}x"},
    ):
        response = client.post("/api/v1/scores", json={}, headers=headers)
        assert response.status_code == 401, headers
        assert response.mimetype == "application/problem+json"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.json is not None
        assert response.json["status"] == 401
        assert response.json["title"] == "Unauthorized"


def test_revoked_key_stops_working(app: Flask, client: FlaskClient, runner: FlaskCliRunner) -> None:
    first = runner.invoke(args=["skp", "clients", "create", "bkd"]).output.strip().splitlines()[-1]
    second = (
        runner.invoke(args=["skp", "clients", "create", "bkd", "--replace"]).output.strip().splitlines()[-1]
    )
    headers_first = {"Authorization": f"Bearer {first}"}
    headers_second = {"Authorization": f"Bearer {second}"}
    assert client.post("/api/v1/units/check", json=BODY, headers=headers_first).status_code == 401
    assert client.post("/api/v1/units/check", json=BODY, headers=headers_second).status_code == 200


def test_scope_missing_is_403(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        key = create_client(get_session(), "reader", ["archive:read"]).api_key
    headers = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/v1/openapi.json", headers=headers).status_code == 200
    response = client.post("/api/v1/documents", json={}, headers={**headers, "Idempotency-Key": "k1"})
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    assert "documents:write" in response.json["detail"]  # type: ignore[index]
    assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]
