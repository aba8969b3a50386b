"""HSTS on every answer given over https, and forwarded headers believed only from a trusted proxy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, request
from flask.testing import FlaskClient

from service import create_app
from service.config import ConfigError
from service.db import upgrade_schema

HSTS = "max-age=31536000"
#: An API answer, an API error, an HTML page, a file, an unknown path.
PATHS = ("/healthz", "/api/v1/documents", "/arsip/login", "/pki/root-ca.pem", "/tidak-ada")
CLIENT = "203.0.113.9"


def _probe(app: Flask) -> Flask:
    """What the views see of the request (a route added for the test only)."""
    app.add_url_rule(
        "/_probe", "probe", lambda: {"remote_addr": request.remote_addr, "scheme": request.scheme}
    )
    return app


@pytest.fixture
def behind_proxy(app_config: dict[str, Any]) -> Iterator[Flask]:
    app = _probe(create_app({**app_config, "PROXY_COUNT": 1}))
    upgrade_schema(app.extensions["skp.engine"])
    yield app
    app.extensions["skp"].close()
    app.extensions["skp.engine"].dispose()


def _statuses(client: FlaskClient, **kwargs: Any) -> dict[str, tuple[int, str | None]]:
    answers = {path: client.get(path, **kwargs) for path in PATHS}
    return {path: (r.status_code, r.headers.get("Strict-Transport-Security")) for path, r in answers.items()}


def test_every_answer_over_https_carries_hsts(client: FlaskClient) -> None:
    answers = _statuses(client, base_url="https://skp.example.go.id")
    assert {status for status, _ in answers.values()} >= {200, 401, 404}
    assert {path: hsts for path, (_, hsts) in answers.items()} == dict.fromkeys(PATHS, HSTS)


def test_no_hsts_over_plain_http(client: FlaskClient) -> None:
    answers = _statuses(client)
    assert {path: hsts for path, (_, hsts) in answers.items()} == dict.fromkeys(PATHS, None)


def test_a_trusted_proxy_gives_the_scheme_and_the_client_address(behind_proxy: Flask) -> None:
    client = behind_proxy.test_client()
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": CLIENT}
    answers = _statuses(client, headers=forwarded)
    assert {path: hsts for path, (_, hsts) in answers.items()} == dict.fromkeys(PATHS, HSTS)
    seen = client.get("/_probe", headers=forwarded).json
    assert seen == {"remote_addr": CLIENT, "scheme": "https"}
    # Without the headers the same instance sees the proxy itself, over http.
    assert client.get("/_probe").json == {"remote_addr": "127.0.0.1", "scheme": "http"}
    assert client.get("/healthz").headers.get("Strict-Transport-Security") is None


def test_an_address_a_client_adds_before_the_proxy_is_not_believed(behind_proxy: Flask) -> None:
    # A proxy that appends (nginx's $proxy_add_x_forwarded_for) passes the client's own header on:
    # with one proxy trusted, only the address that proxy added counts.
    seen = behind_proxy.test_client().get(
        "/_probe", headers={"X-Forwarded-For": f"10.0.0.1, {CLIENT}", "X-Forwarded-Proto": "https"}
    )
    assert seen.json["remote_addr"] == CLIENT


def test_forwarded_headers_are_ignored_when_no_proxy_is_trusted(app: Flask) -> None:
    client = _probe(app).test_client()
    forged = {"X-Forwarded-Proto": "https", "X-Forwarded-For": CLIENT}
    assert client.get("/_probe", headers=forged).json == {"remote_addr": "127.0.0.1", "scheme": "http"}
    answers = _statuses(client, headers=forged)
    assert {path: hsts for path, (_, hsts) in answers.items()} == dict.fromkeys(PATHS, None)


@pytest.mark.parametrize("value", [-1, 6, "1", True, None])
def test_proxy_count_must_be_a_small_whole_number(app_config: dict[str, Any], value: Any) -> None:
    with pytest.raises(ConfigError) as raised:
        create_app({**app_config, "PROXY_COUNT": value})
    assert any("PROXY_COUNT" in problem for problem in raised.value.problems)
