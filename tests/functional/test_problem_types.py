"""Problem ``type`` URIs resolve to a page: ``<base url>/problems/<slug>`` describes each kind."""

from __future__ import annotations

import html
import importlib
import pkgutil
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient

import service.workflow
from service.errors import ServiceError
from service.problems import _BY_STATUS, PROBLEM_TYPES, slug_for
from tests.conftest import load_example

BASE = "http://localhost:5000"  # PUBLIC_URL of the test app (tests/conftest.py)


def _subclasses(cls: type[ServiceError]) -> set[type[ServiceError]]:
    found: set[type[ServiceError]] = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_subclasses(sub)}
    return found


def _every_service_error() -> set[type[ServiceError]]:
    """Every ``ServiceError`` class of the service (the workflow modules imported first)."""
    for module in pkgutil.iter_modules(service.workflow.__path__, "service.workflow."):
        importlib.import_module(module.name)
    return {ServiceError, *_subclasses(ServiceError)}


def _page(client: FlaskClient, type_uri: str) -> str:
    """Fetch a problem's ``type`` with the test client: it must be a page of this service."""
    parts = urlsplit(type_uri)
    assert f"{parts.scheme}://{parts.netloc}" == BASE, type_uri
    assert parts.path.startswith("/problems/"), type_uri
    response = client.get(parts.path)
    assert response.status_code == 200, type_uri
    assert response.mimetype == "text/html"
    return html.unescape(response.get_data(as_text=True))


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body: dict[str, Any] = response.json
    return body


def test_every_error_class_names_a_described_kind_of_its_status() -> None:
    classes = _every_service_error()
    assert len(classes) > 15  # the walk found the workflow's errors too
    for cls in classes:
        kind = PROBLEM_TYPES.get(cls.slug)
        assert kind is not None, f"{cls.__name__}.slug = {cls.slug!r} has no page"
        assert kind.status == cls.status, cls.__name__
        assert slug_for(cls.status, cls.slug) == cls.slug


def test_every_status_flask_raises_has_a_kind_of_that_status() -> None:
    for status, slug in _BY_STATUS.items():
        assert PROBLEM_TYPES[slug].status == status
    assert slug_for(416) == "http-error"
    assert slug_for(503, "not-found") == "service-unavailable"  # a slug of another status is not used


def test_every_problem_type_resolves_to_a_page_with_its_title(app: Flask, client: FlaskClient) -> None:
    slugs = set(PROBLEM_TYPES) | {cls.slug for cls in _every_service_error()} | set(_BY_STATUS.values())
    for slug in sorted(slugs):
        kind = PROBLEM_TYPES[slug]
        text = _page(client, f"{BASE}/problems/{slug}")
        for shown in (kind.judul, kind.title, kind.arti, kind.tindakan, f"{BASE}/problems/{slug}"):
            assert shown in text, (slug, shown)
        assert '<html lang="id">' in text
        assert f'"status": {kind.status}' in text  # the example body


def test_the_index_lists_every_kind_and_an_unknown_slug_is_a_404_page(client: FlaskClient) -> None:
    response = client.get("/problems")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    text = response.get_data(as_text=True)
    for slug in PROBLEM_TYPES:
        assert f'href="/problems/{slug}"' in text
    missing = client.get("/problems/no-such-problem")
    assert missing.status_code == 404
    assert missing.mimetype == "text/html"
    assert "Jenis masalah 'no-such-problem' tidak dikenal" in html.unescape(missing.get_data(as_text=True))


def test_real_api_problems_carry_a_type_that_resolves(client: FlaskClient, auth: dict[str, str]) -> None:
    payload = load_example("pp46_2011_skp")
    seen: dict[str, str] = {}

    def check(response: Any, status: int, slug: str) -> dict[str, Any]:
        body = _problem(response, status)
        assert body["type"] == f"{BASE}/problems/{slug}"
        assert PROBLEM_TYPES[slug].judul in _page(client, body["type"])
        seen[slug] = body["type"]
        return body

    bad = {**payload, "pegawai": {**payload["pegawai"], "nip": "12"}}
    check(client.post("/api/v1/scores", json=bad, headers=auth), 422, "validation")
    check(client.post("/api/v1/documents", json=bad, headers=auth), 422, "validation")
    check(client.get("/api/v1/documents/nothing-here", headers=auth), 404, "not-found")
    check(client.get("/api/v1/nothing-here", headers=auth), 404, "not-found")
    check(client.post("/api/v1/scores", json=payload), 401, "unauthorized")
    check(client.get("/api/v1/scores", headers=auth), 405, "method-not-allowed")
    broken = {**auth, "Content-Type": "application/json"}
    check(client.post("/api/v1/scores", data=b"{", headers=broken), 400, "malformed-body")
    text = {**auth, "Content-Type": "text/plain"}
    check(client.post("/api/v1/scores", data=b"{}", headers=text), 415, "unsupported-media-type")
    check(client.get("/api/v1/documents?q=" + "a" * 5000, headers=auth), 414, "uri-too-long")

    key = {**auth, "Idempotency-Key": "problem-types-1"}
    created = client.post("/api/v1/documents", json=payload, headers=key)
    assert created.status_code == 202, created.get_data(as_text=True)
    document_id = str(created.get_json()["id"])
    other = {**payload, "pegawai": {**payload["pegawai"], "nama": "Nama Lain"}}
    conflict = check(client.post("/api/v1/documents", json=other, headers=key), 409, "idempotency-conflict")
    assert conflict["document_id"] == document_id
    base = f"/api/v1/documents/{document_id}"
    assert client.post(f"{base}/cancel", headers=auth).status_code == 200
    check(client.post(f"{base}/cancel", headers=auth), 409, "conflict")
    assert len(seen) == 9  # every kind above, each checked


def test_a_body_over_the_limit_is_too_large(app: Flask, client: FlaskClient, auth: dict[str, str]) -> None:
    big = b'{"x": "' + b"a" * (app.config["MAX_CONTENT_LENGTH"] + 10) + b'"}'
    headers = {**auth, "Content-Type": "application/json"}
    body = _problem(client.post("/api/v1/scores", data=big, headers=headers), 413)
    assert body["type"] == f"{BASE}/problems/too-large"
    assert PROBLEM_TYPES["too-large"].judul in _page(client, body["type"])
